#include "app/mpi_session.hpp"

#include <spdlog/spdlog.h>

#include <chrono>
#include <cstdlib>
#include <cstring>
#include <deque>
#include <memory>
#include <set>
#include <thread>

#include "sim/cancel.hpp"

#ifdef SCSIM_HAVE_MPI
#include <boost/mpi/communicator.hpp>
#include <boost/mpi/environment.hpp>
#include <boost/mpi/request.hpp>
#include <boost/mpi/status.hpp>
#endif

namespace scsim_app::mpi {

namespace {

struct State {
#ifdef SCSIM_HAVE_MPI
  std::unique_ptr<boost::mpi::environment> env;
  std::unique_ptr<boost::mpi::communicator> world;
  struct Pending {
    std::unique_ptr<std::vector<std::uint64_t>> buf;  // stays put until the send completes
    boost::mpi::request req;
  };
  std::deque<Pending> pending;
#endif
  int rank = 0, size = 1;
  bool active = false;
  bool uses_ranks = false;  // the command spreads over ranks
  std::vector<char> gone;   // rank 0: ranks that said bye
};

State& state() {
  static State s;
  return s;
}

void nap() { std::this_thread::sleep_for(std::chrono::microseconds(200)); }

}  // namespace

bool built_with_mpi() {
#ifdef SCSIM_HAVE_MPI
  return true;
#else
  return false;
#endif
}

bool launched() {
  for (const char* name : {"OMPI_COMM_WORLD_SIZE", "PMIX_RANK", "PMI_RANK"})
    if (std::getenv(name)) return true;
  return false;
}

Session::Session([[maybe_unused]] int& argc, [[maybe_unused]] char**& argv) {
#ifdef SCSIM_HAVE_MPI
  if (!launched()) return;
  State& s = state();
  s.env =
      std::make_unique<boost::mpi::environment>(argc, argv, boost::mpi::threading::funneled, false);
  s.world = std::make_unique<boost::mpi::communicator>();
  s.rank = s.world->rank();
  s.size = s.world->size();
  s.active = true;
  s.gone.assign(static_cast<std::size_t>(s.size), 0);
#endif
}

Session::~Session() {
#ifdef SCSIM_HAVE_MPI
  State& s = state();
  if (!s.active) return;
  // What this rank sent must be delivered before MPI_Finalize.
  const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(30);
  while (!wire::sends_done() && std::chrono::steady_clock::now() < until) nap();
  s.pending.clear();
  s.world.reset();
  s.env.reset();  // MPI_Finalize
  s.active = false;
#endif
}

bool active() { return state().active; }
int rank() { return state().rank; }
int size() { return state().size; }

namespace {
std::set<std::string>& rank_commands() {
  static std::set<std::string> names;  // built on first use: safe from static-init order
  return names;
}
}  // namespace

bool register_rank_command(const std::string& name) { return rank_commands().insert(name).second; }
bool is_rank_command(const std::string& name) { return rank_commands().count(name) > 0; }

void command_chosen(const std::string& name) {
  const bool uses_ranks = is_rank_command(name);
  State& s = state();
  s.uses_ranks = uses_ranks && s.size > 1;
  if (!s.active || s.size == 1 || uses_ranks) return;
  if (s.rank > 0) throw QuietExit{0};
  spdlog::warn(
      "`scsim {}` does not spread over MPI ranks: rank 0 runs it alone, the other {} rank{} exit",
      name, s.size - 1, s.size == 2 ? "" : "s");
}

void start_workers(std::uint64_t digest) {
  State& s = state();
  if (!s.uses_ranks || s.rank != 0) return;
  for (int w = 1; w < s.size; ++w) wire::send(w, wire::go, {digest});
}

std::uint64_t wait_for_start() {
  wire::Message m;
  for (;;) {
    if (wire::poll(m)) {
      if (m.tag == wire::go) return m.words.at(0);
      if (m.tag == wire::stop) {
        wire::send(0, wire::bye, {0});
        throw QuietExit{static_cast<int>(m.words.at(0))};
      }
    }
    if (sim::cancel_requested()) {  // Ctrl-C reaches every rank; rank 0 reports it
      wire::send(0, wire::bye, {0});
      throw QuietExit{130};
    }
    nap();
  }
}

void release_workers(int code) noexcept {
  State& s = state();
  if (!s.active || !s.uses_ranks || s.rank != 0) return;
  try {
    for (int w = 1; w < s.size; ++w)
      if (!s.gone[static_cast<std::size_t>(w)])
        wire::send(w, wire::stop, {static_cast<std::uint64_t>(code)});
    // Every rank answers with bye, after whatever it was still sending (read and dropped here).
    const auto until = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    wire::Message m;
    for (;;) {
      bool all = true;
      for (int w = 1; w < s.size; ++w) all = all && s.gone[static_cast<std::size_t>(w)];
      if (all) return;
      if (std::chrono::steady_clock::now() > until) {
        spdlog::error("MPI: ranks did not stop within a minute; aborting the job");
#ifdef SCSIM_HAVE_MPI
        s.world->abort(code == 0 ? 1 : code);
#endif
        return;
      }
      if (wire::poll(m)) {
        if (m.tag == wire::bye) wire::note_bye(m.source);
      } else {
        nap();
      }
    }
  } catch (const std::exception& e) {
    spdlog::error("MPI: releasing the other ranks failed: {}", e.what());
  }
}

void worker_failed(int code, const std::string& message, std::size_t task) {
  std::vector<std::uint64_t> words{static_cast<std::uint64_t>(code), task};
  wire::put_text(words, message);
  wire::send(0, wire::error, std::move(words));
  wire::Message m;
  for (;;) {
    if (wire::poll(m) && m.tag == wire::stop) {
      wire::send(0, wire::bye, {0});
      throw QuietExit{static_cast<int>(m.words.at(0))};
    }
    if (sim::cancel_requested()) {
      wire::send(0, wire::bye, {0});
      throw QuietExit{130};
    }
    nap();
  }
}

namespace wire {

bool poll([[maybe_unused]] Message& out) {
#ifdef SCSIM_HAVE_MPI
  State& s = state();
  if (!s.active) return false;
  sends_done();
  const auto st = s.world->iprobe(boost::mpi::any_source, boost::mpi::any_tag);
  if (!st) return false;
  const int n = st->count<std::uint64_t>().value_or(0);
  out.source = st->source();
  out.tag = st->tag();
  out.words.assign(static_cast<std::size_t>(n), 0);
  s.world->recv(out.source, out.tag, out.words.data(), n);
  return true;
#else
  return false;
#endif
}

void send([[maybe_unused]] int dest, [[maybe_unused]] Tag tag,
          [[maybe_unused]] std::vector<std::uint64_t> words) {
#ifdef SCSIM_HAVE_MPI
  State& s = state();
  if (words.empty()) words.push_back(0);  // every message carries a word
  auto buf = std::make_unique<std::vector<std::uint64_t>>(std::move(words));
  boost::mpi::request req =
      s.world->isend(dest, static_cast<int>(tag), buf->data(), static_cast<int>(buf->size()));
  s.pending.push_back({std::move(buf), req});
#endif
}

bool sends_done() {
#ifdef SCSIM_HAVE_MPI
  State& s = state();
  while (!s.pending.empty() && s.pending.front().req.test()) s.pending.pop_front();
  for (auto it = s.pending.begin(); it != s.pending.end();)
    it = it->req.test() ? s.pending.erase(it) : it + 1;
  return s.pending.empty();
#else
  return true;
#endif
}

void note_bye(int w) {
  State& s = state();
  if (w > 0 && w < s.size) s.gone[static_cast<std::size_t>(w)] = 1;
}

void put_text(std::vector<std::uint64_t>& words, const std::string& text) {
  words.push_back(text.size());
  for (std::size_t i = 0; i < text.size(); i += 8) {
    std::uint64_t w = 0;
    std::memcpy(&w, text.data() + i, std::min<std::size_t>(8, text.size() - i));
    words.push_back(w);
  }
}

std::string get_text(const std::vector<std::uint64_t>& words, std::size_t at) {
  if (at >= words.size()) return {};
  const std::size_t n = std::min<std::size_t>(words[at], (words.size() - at - 1) * 8);
  std::string s(n, '\0');
  for (std::size_t i = 0; i < n; i += 8)
    std::memcpy(s.data() + i, &words[at + 1 + i / 8], std::min<std::size_t>(8, n - i));
  return s;
}

}  // namespace wire

}  // namespace scsim_app::mpi
