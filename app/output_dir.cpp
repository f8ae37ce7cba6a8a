// Outputs that cannot destroy (app/output.hpp's OutputTarget): a claim beside
// the target, filled, then an atomic rename into place.
//
// Names beside a target NAME:
//   .NAME.scsim-new-XXXXXXXX  staging: created, locked and (for a directory)
//                             marked, then renamed to the claim; unique per process
//   .NAME.scsim-tmp           the claim: one process at a time writes NAME
// A claim is always locked by a live process (flock, released by the kernel
// when the process dies, kill -9 included), so an unlocked claim is stale.
// After RENAME_EXCHANGE the claim's name holds the old directory, locked by
// the committing process until it has removed it.
#include <fcntl.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdio>  // renameat2, RENAME_NOREPLACE, RENAME_EXCHANGE (glibc >= 2.28)
#include <cstring>
#include <fstream>
#include <random>
#include <utility>

#include "app/run_record.hpp"
#include "app/output.hpp"
#include "sim/cancel.hpp"

namespace scsim_app {

const char* version();

namespace fs = std::filesystem;

namespace {

constexpr const char* kClaimSuffix = ".scsim-tmp";
constexpr const char* kStagingInfix = ".scsim-new-";

std::string quoted(const fs::path& p) { return "'" + p.string() + "'"; }

[[noreturn]] void fail_errno(const std::string& what, int err) {
  throw UsageError(what + ": " + std::strerror(err));
}

/// A file descriptor closed when it goes out of scope.
class Fd {
 public:
  explicit Fd(int fd = -1) noexcept : fd_(fd) {}
  ~Fd() { reset(); }
  Fd(Fd&& o) noexcept : fd_(std::exchange(o.fd_, -1)) {}
  Fd& operator=(Fd&& o) noexcept {
    if (this != &o) {
      reset();
      fd_ = std::exchange(o.fd_, -1);
    }
    return *this;
  }
  int get() const noexcept { return fd_; }
  int release() noexcept { return std::exchange(fd_, -1); }
  void reset() noexcept {
    if (fd_ >= 0) ::close(fd_);
    fd_ = -1;
  }

 private:
  int fd_;
};

/// Opens `p` without following a symbolic link and takes its exclusive lock
/// without waiting. An invalid Fd if `p` is gone or someone else holds the lock.
Fd try_lock(const fs::path& p, bool& busy) {
  busy = false;
  Fd fd(::open(p.c_str(), O_RDONLY | O_CLOEXEC | O_NOFOLLOW));
  if (fd.get() < 0) return Fd();
  if (::flock(fd.get(), LOCK_EX | LOCK_NB) != 0) {
    busy = errno == EWOULDBLOCK;
    return Fd();
  }
  return fd;
}

bool is_regular_nofollow(const fs::path& p) {
  std::error_code ec;
  return fs::symlink_status(p, ec).type() == fs::file_type::regular;
}

bool is_empty_dir(const fs::path& p) {
  std::error_code ec;
  return fs::is_empty(p, ec) && !ec;
}

std::string first_bytes(const fs::path& p, std::size_t n = 65536) {
  std::ifstream f(p, std::ios::binary);
  std::string s(n, '\0');
  f.read(s.data(), std::streamsize(n));
  s.resize(std::size_t(f.gcount()));
  return s;
}

/// Removes an output directory (or a file) of scsim's, the marker last, so
/// that a kill -9 midway leaves a directory that still carries it (or none).
void remove_output(const fs::path& p) {
  std::error_code ec;
  if (fs::symlink_status(p, ec).type() == fs::file_type::directory)
    for (fs::directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
      if (it->path().filename() != kOutputMarker) fs::remove_all(it->path(), ec);
  fs::remove(p / kOutputMarker, ec);
  fs::remove(p, ec);
}

/// The pid a claim's marker names ("pid: N"), for the message to a second writer.
std::string claim_owner(const fs::path& claim) {
  const std::string text = first_bytes(claim / kOutputMarker);
  const auto at = text.find("\npid: ");
  if (at == std::string::npos) return "";
  return " (pid " + text.substr(at + 6, text.find('\n', at + 6) - at - 6) + ")";
}

/// Removes the claims and staging entries a killed scsim left beside `target`:
/// only unlocked ones that carry the marker (directories), are empty (a
/// replaced empty directory), or are plain files under scsim's names.
void recover_stale(const fs::path& target) {
  const std::string prefix = "." + target.filename().string();
  std::error_code ec;
  for (fs::directory_iterator it(target.parent_path(), ec), end; !ec && it != end; it.increment(ec)) {
    const std::string name = it->path().filename().string();
    if (name.rfind(prefix, 0) != 0) continue;
    const std::string rest = name.substr(prefix.size());
    const bool claim = rest == kClaimSuffix;
    if (!claim && rest.rfind(kStagingInfix, 0) != 0) continue;
    const fs::file_type type = fs::symlink_status(it->path(), ec).type();
    const bool dir = type == fs::file_type::directory;
    if (!dir && type != fs::file_type::regular) continue;
    if (dir && !is_regular_nofollow(it->path() / kOutputMarker) && !(claim && is_empty_dir(it->path()))) continue;
    bool busy = false;
    Fd lock = try_lock(it->path(), busy);
    if (lock.get() < 0) continue;  // a live scsim's, or gone
    remove_output(it->path());
  }
}

std::string marker_text(const std::string& command) {
  return "An output directory written by `scsim " + command +
         "`. scsim replaces (with --force) only directories that hold this file.\n"
         "version: " + std::string(version()) + "\ncommand: " + command + "\npid: " + std::to_string(::getpid()) +
         "\ncreated_utc: " + utc_now() + "\n";
}

/// Creates a locked staging entry beside `target` (a directory with the marker, or an empty file).
std::pair<fs::path, Fd> make_staging(const fs::path& target, bool directory, const std::string& marker) {
  std::random_device rd;
  for (int attempt = 0; attempt < 100; ++attempt) {
    char suffix[17];
    std::snprintf(suffix, sizeof suffix, "%08x%08x", rd(), rd());
    const fs::path p = target.parent_path() / ("." + target.filename().string() + kStagingInfix + suffix);
    Fd fd;
    if (directory) {
      if (::mkdir(p.c_str(), 0777) != 0) {
        if (errno == EEXIST) continue;
        fail_errno("cannot create the output directory " + quoted(target), errno);
      }
      fd = Fd(::open(p.c_str(), O_RDONLY | O_DIRECTORY | O_CLOEXEC | O_NOFOLLOW));
    } else {
      fd = Fd(::open(p.c_str(), O_RDWR | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0666));
      if (fd.get() < 0 && errno == EEXIST) continue;
    }
    bool ok = fd.get() >= 0 && ::flock(fd.get(), LOCK_EX | LOCK_NB) == 0;
    if (ok && directory) {
      Fd m(::openat(fd.get(), kOutputMarker, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0666));
      ok = m.get() >= 0 && ::write(m.get(), marker.data(), marker.size()) == ssize_t(marker.size());
    }
    if (!ok) {
      const int err = errno;
      remove_output(p);
      fail_errno("cannot create the output " + quoted(target), err);
    }
    return {p, std::move(fd)};
  }
  throw UsageError("cannot create a temporary name beside " + quoted(target));
}

/// Flushes the files of a directory (or one file) and the directory itself to
/// disk, so that what the rename publishes survives a power cut too.
void sync_tree(const fs::path& p, bool directory) {
  std::error_code ec;
  if (directory)
    for (fs::recursive_directory_iterator it(p, ec), end; !ec && it != end; it.increment(ec))
      if (it->is_regular_file(ec)) {
        Fd f(::open(it->path().c_str(), O_RDONLY | O_CLOEXEC));
        if (f.get() >= 0) ::fsync(f.get());
      }
  Fd f(::open(p.c_str(), O_RDONLY | O_CLOEXEC));
  if (f.get() >= 0) ::fsync(f.get());
}

/// Creates the missing ancestors of `dir`, returning those it created (outermost first).
std::vector<fs::path> create_parents(const fs::path& dir) {
  std::vector<fs::path> missing;
  std::error_code ec;
  for (fs::path p = dir; !p.empty() && !fs::exists(fs::symlink_status(p, ec)); p = p.parent_path()) {
    missing.insert(missing.begin(), p);
    if (p == p.parent_path()) break;
  }
  std::vector<fs::path> created;
  for (const auto& p : missing) {
    if (!fs::create_directory(p, ec) || ec) break;
    created.push_back(p);
  }
  return created;
}

/// Removes directories create_parents made, innermost first, while they are empty.
void remove_parents(const std::vector<fs::path>& created) {
  std::error_code ec;
  for (auto it = created.rbegin(); it != created.rend(); ++it)
    if (!fs::remove(*it, ec)) return;  // not empty (someone else's now) or gone
}

/// The target as an absolute path without "." or ".." or a trailing slash.
fs::path normalised(const fs::path& given) {
  if (given.empty()) throw UsageError("the output path must not be empty");
  fs::path p = fs::absolute(given).lexically_normal();
  if (p.filename().empty()) p = p.parent_path();
  if (p == p.root_path() || p.filename() == "." || p.filename() == "..")
    throw UsageError(quoted(given) + " cannot be an output path");
  return p;
}

}  // namespace

OutputTarget::OutputTarget(fs::path given, bool directory, bool force, std::string command, Recognizer ours)
    : given_(std::move(given)),
      target_(normalised(given_)),
      directory_(directory),
      force_(force),
      ours_(ours),
      marker_(marker_text(command.empty() ? "?" : command)) {
  // Whether the target may be replaced, before any work is done (and again at commit).
  check_target();
  const fs::path parent = target_.parent_path();
  created_parents_ = create_parents(parent);  // removed again if nothing is published
  try {
    claim();
  } catch (...) {
    remove_parents(created_parents_);
    throw;
  }
}

void OutputTarget::claim() {
  const fs::path parent = target_.parent_path();
  std::error_code ec;
  if (!fs::is_directory(parent, ec))
    throw UsageError("cannot create the output " + quoted(given_) + ": its parent " + quoted(parent) +
                     " is not a directory");
  recover_stale(target_);
  auto [staging, fd] = make_staging(target_, directory_, marker_);
  claim_ = parent / ("." + target_.filename().string() + kClaimSuffix);
  if (::renameat2(AT_FDCWD, staging.c_str(), AT_FDCWD, claim_.c_str(), RENAME_NOREPLACE) != 0) {
    const int err = errno;
    remove_output(staging);
    if (err == EEXIST) {
      bool busy = false;
      Fd probe = try_lock(claim_, busy);
      if (busy)
        throw UsageError("another scsim process" + claim_owner(claim_) + " is writing " + quoted(given_) +
                         " right now; wait for it to finish or choose another output");
      throw UsageError(quoted(claim_) + " is in the way of the output " + quoted(given_) +
                       " and was not left by scsim; remove it or choose another output");
    }
    fail_errno("cannot create the output " + quoted(given_), err);
  }
  lock_ = fd.release();
}

OutputTarget::~OutputTarget() {
  if (!committed_) {
    remove_output(claim_);  // still ours: we hold its lock
    remove_parents(created_parents_);
  }
  if (lock_ >= 0) ::close(lock_);
}

bool OutputTarget::check_target() const {
  const std::string q = quoted(given_);
  struct stat st {};
  if (::lstat(target_.c_str(), &st) != 0) {
    if (errno == ENOENT) return false;
    fail_errno("cannot inspect the output " + q, errno);
  }
  if (S_ISLNK(st.st_mode)) throw UsageError("output path " + q + " is a symbolic link; give the path itself");
  if (directory_) {
    if (!S_ISDIR(st.st_mode)) throw UsageError("output path " + q + " exists and is not a directory");
    if (is_empty_dir(target_)) return true;  // nothing to lose
    if (!is_regular_nofollow(target_ / kOutputMarker))
      throw UsageError("output directory " + q + " exists and was not written by scsim (it has no " + kOutputMarker +
                       " marker): scsim does not replace it, even with --force; choose another output directory");
  } else {
    if (S_ISDIR(st.st_mode)) throw UsageError("output file " + q + " is a directory");
    if (!S_ISREG(st.st_mode) || !ours_ || !ours_(first_bytes(target_)))
      throw UsageError("output file " + q +
                       " exists and was not written by scsim: scsim does not replace it, even with --force; "
                       "choose another output file");
  }
  if (!force_)
    throw UsageError(std::string("output ") + (directory_ ? "directory " : "file ") + q +
                     " already exists; use --force to replace it");
  return true;
}

void OutputTarget::commit() {
  if (committed_) return;
  sim::throw_if_cancelled();  // after Ctrl-C nothing is published
  sync_tree(claim_, directory_);
  const std::string q = quoted(given_);
  if (!check_target()) {
    if (::renameat2(AT_FDCWD, claim_.c_str(), AT_FDCWD, target_.c_str(), RENAME_NOREPLACE) != 0) {
      if (errno == EEXIST) throw UsageError(q + " appeared while scsim was running; nothing was written");
      fail_errno("cannot create " + q, errno);
    }
    committed_ = true;
  } else if (!directory_) {
    if (::rename(claim_.c_str(), target_.c_str()) != 0) fail_errno("cannot replace " + q, errno);  // atomic for a file
    committed_ = true;
  } else {
    // Lock the old directory, so that nobody takes the claim's name while it
    // holds the old directory, swap the two, then remove the old one.
    bool busy = false;
    Fd old = try_lock(target_, busy);
    struct stat locked {};
    if (old.get() < 0 || ::fstat(old.get(), &locked) != 0)
      throw UsageError("cannot replace " + q + (busy ? ": another process holds it" : ""));
    if (::renameat2(AT_FDCWD, claim_.c_str(), AT_FDCWD, target_.c_str(), RENAME_EXCHANGE) != 0)
      fail_errno("cannot replace " + q, errno);
    committed_ = true;
    struct stat now {};
    if (::lstat(claim_.c_str(), &now) == 0 && now.st_dev == locked.st_dev && now.st_ino == locked.st_ino)
      remove_output(claim_);
    else
      std::fprintf(stderr, "warning: the previous %s was changed while scsim ran; kept as %s\n", q.c_str(),
                   quoted(claim_).c_str());
  }
  sync_tree(target_.parent_path(), false);
  ::close(std::exchange(lock_, -1));
}

void OutputFile::write(const std::string& content) {
  {
    std::ofstream f(path(), std::ios::binary | std::ios::trunc);
    f << content;
    f.flush();
    if (!f) throw UsageError("cannot write " + quoted(given_) + " (disk full?)");
  }
  commit();
}

}  // namespace scsim_app
