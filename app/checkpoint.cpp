#include "app/checkpoint.hpp"

#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <bit>
#include <cerrno>
#include <cstring>
#include <fstream>
#include <set>

#include "app/output.hpp"

namespace scsim_app {

namespace fs = std::filesystem;

namespace {

constexpr char kMagic[8] = {'S', 'C', 'S', 'I', 'M', 'C', 'K', '1'};
constexpr std::uint64_t kMaxValues = std::uint64_t{1}
                                     << 24;  // per task: far above scopes x metrics

std::uint64_t checksum(const std::uint64_t* words, std::size_t n) {
  std::uint64_t h = 0xcbf29ce484222325ULL;
  for (std::size_t i = 0; i < n; ++i) {
    h ^= words[i];
    h *= 0x100000001b3ULL;
    h ^= h >> 29;
  }
  return h;
}

[[noreturn]] void fail_io(const std::string& what, const fs::path& p) {
  throw std::runtime_error(what + " " + p.string() + ": " + std::strerror(errno));
}

void write_all(int fd, const void* data, std::size_t n, const fs::path& p) {
  const char* c = static_cast<const char*>(data);
  while (n > 0) {
    const ssize_t w = ::write(fd, c, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      fail_io("cannot write", p);
    }
    c += w;
    n -= static_cast<std::size_t>(w);
  }
}

void sync_dir(const fs::path& dir) {
  const int d = ::open(dir.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
  if (d >= 0) {
    ::fsync(d);
    ::close(d);
  }
}

/// The journal's header and records, as read from `text`; `valid` is where the last whole record
/// ends.
struct Parsed {
  bool header_ok = false;
  std::uint64_t digest = 0;
  std::size_t valid = 0;
  std::vector<std::pair<std::size_t, std::vector<double>>> tasks;
};

Parsed parse(const std::string& text) {
  Parsed p;
  std::size_t at = 0;
  auto word = [&](std::uint64_t& w) {
    if (at + 8 > text.size()) return false;
    std::memcpy(&w, text.data() + at, 8);
    at += 8;
    return true;
  };
  if (text.size() < 8 || std::memcmp(text.data(), kMagic, 8) != 0) return p;
  at = 8;
  std::uint64_t len = 0;
  if (!word(p.digest) || !word(len) || len > text.size() - at) return p;
  at += len;
  p.header_ok = true;
  p.valid = at;
  std::set<std::size_t> seen;
  for (;;) {
    std::uint64_t task = 0, n = 0;
    const std::size_t start = at;
    if (!word(task) || !word(n) || n > kMaxValues || (text.size() - at) / 8 < n + 1) break;
    std::vector<std::uint64_t> words{task, n};
    std::vector<double> values(n);
    for (std::size_t i = 0; i < n; ++i) {
      std::uint64_t w = 0;
      word(w);
      words.push_back(w);
      values[i] = std::bit_cast<double>(w);
    }
    std::uint64_t check = 0;
    word(check);
    if (check != checksum(words.data(), words.size())) {
      at = start;
      break;
    }
    p.valid = at;
    if (seen.insert(task).second) p.tasks.emplace_back(task, std::move(values));
  }
  return p;
}

std::string read_all(const fs::path& p) {
  std::ifstream f(p, std::ios::binary);
  return std::string(std::istreambuf_iterator<char>(f), std::istreambuf_iterator<char>());
}

}  // namespace

Checkpoint::Checkpoint(const fs::path& output, std::uint64_t digest, const std::string& description,
                       bool resume, bool force) {
  fs::path out = output.lexically_normal();
  if (out.filename().empty()) out = out.parent_path();  // "dir/" names dir
  dir_ = out.parent_path() / (out.filename().string() + ".checkpoint");
  journal_ = dir_ / "journal";
  std::error_code ec;
  fs::create_directories(dir_, ec);
  if (ec) throw UsageError("cannot create " + dir_.string() + ": " + ec.message());
  fd_ = ::open(journal_.c_str(), O_RDWR | O_CREAT | O_CLOEXEC | O_NOFOLLOW, 0644);
  if (fd_ < 0) throw UsageError("cannot open " + journal_.string() + ": " + std::strerror(errno));
  if (::flock(fd_, LOCK_EX | LOCK_NB) != 0) {
    ::close(fd_);
    fd_ = -1;
    throw UsageError(dir_.string() + " is in use by another scsim process");
  }
  Parsed p = parse(read_all(journal_));
  const bool same_job = p.header_ok && p.digest == digest;
  const std::string held =
      std::to_string(p.tasks.size()) + " finished task" + (p.tasks.size() == 1 ? "" : "s");
  bool fresh = !p.header_ok;
  if (p.header_ok && !p.tasks.empty() && !force) {
    if (!resume)
      throw UsageError(dir_.string() + " holds " + held + " of an interrupted run" +
                       (same_job ? "" : " of another job") + ": add --resume to continue it" +
                       (same_job ? "" : " (same scenario and options)") +
                       ", or --force to discard it");
    if (!same_job)
      throw UsageError(dir_.string() + " holds " + held +
                       " of another job (another scenario, --set, draws, replications, sampler, "
                       "sensitivity or seed): "
                       "run that job with --resume, or add --force to discard it");
  }
  if (p.header_ok && (!same_job || !resume)) fresh = true;
  if (fresh) {
    if (::ftruncate(fd_, 0) != 0) fail_io("cannot truncate", journal_);
    std::vector<char> header(kMagic, kMagic + 8);
    const std::uint64_t len = description.size();
    header.resize(24);
    std::memcpy(header.data() + 8, &digest, 8);
    std::memcpy(header.data() + 16, &len, 8);
    header.insert(header.end(), description.begin(), description.end());
    if (::lseek(fd_, 0, SEEK_SET) < 0) fail_io("cannot seek", journal_);
    write_all(fd_, header.data(), header.size(), journal_);
    if (::fdatasync(fd_) != 0) fail_io("cannot sync", journal_);
    sync_dir(dir_);
    sync_dir(dir_.parent_path().empty() ? fs::path(".") : dir_.parent_path());
    return;
  }
  // Resuming: drop a record cut short, continue after the last whole one.
  if (::ftruncate(fd_, static_cast<off_t>(p.valid)) != 0) fail_io("cannot truncate", journal_);
  if (::lseek(fd_, 0, SEEK_END) < 0) fail_io("cannot seek", journal_);
  found_ = std::move(p.tasks);
  held_ = found_.size();
}

Checkpoint::~Checkpoint() {
  if (fd_ < 0) return;
  if (held_ == 0) {
    remove();  // nothing worth resuming
    return;
  }
  ::close(fd_);
}

std::vector<std::pair<std::size_t, std::vector<double>>> Checkpoint::take_found() {
  return std::move(found_);
}

void Checkpoint::append(std::size_t task, const std::vector<double>& values) {
  std::vector<std::uint64_t> words{task, values.size()};
  for (double v : values) words.push_back(std::bit_cast<std::uint64_t>(v));
  words.push_back(checksum(words.data(), words.size()));
  write_all(fd_, words.data(), words.size() * 8, journal_);
  if (::fdatasync(fd_) != 0) fail_io("cannot sync", journal_);
  ++held_;
}

void Checkpoint::remove() {
  std::error_code ec;
  fs::remove(journal_, ec);
  fs::remove(dir_, ec);
  if (fd_ >= 0) ::close(fd_);
  fd_ = -1;
}

}  // namespace scsim_app
