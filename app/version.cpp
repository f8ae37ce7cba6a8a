namespace scsim_app {
const char* version() { return SCSIM_VERSION; }
}  // namespace scsim_app
