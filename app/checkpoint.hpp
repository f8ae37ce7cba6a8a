#pragma once
/// The checkpoint of a long command (scsim uncertainty): every finished task,
/// committed as it completes, so that after a kill -9, a crash or Ctrl-C the
/// same command with --resume computes only the missing tasks.
///
/// It lives beside the output directory, in `DIR.checkpoint/`: the output
/// itself still appears whole or not at all (app/output.hpp), and the
/// checkpoint is removed once it has. `DIR.checkpoint/journal` holds a header
/// (a magic word, the job's digest and its description) and one record per
/// task: task index, value count, the values' bits, a checksum. Each record is
/// appended with one write and made durable with fdatasync before the next
/// task is recorded. A record cut short by a kill fails its checksum and is
/// dropped (the file is truncated there): that task runs again. Values come
/// back bit for bit, so a resumed run writes the same bytes as one never
/// interrupted. The journal is locked (flock) while a process uses it.
#include <cstdint>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

namespace scsim_app {

class Checkpoint {
 public:
  /// Opens the checkpoint of output directory `output` for the job `digest`
  /// (`description`: a few lines for people). With `resume`, a journal of the
  /// same job is read (tasks() returns them) and continued; one of another job
  /// is a UsageError unless `force`. Without `resume`, an existing journal is a
  /// UsageError (it holds work), unless `force` discards it.
  Checkpoint(const std::filesystem::path& output, std::uint64_t digest,
             const std::string& description, bool resume, bool force);
  ~Checkpoint();
  Checkpoint(const Checkpoint&) = delete;
  Checkpoint& operator=(const Checkpoint&) = delete;

  /// The tasks found done, in journal order (then forgotten here).
  std::vector<std::pair<std::size_t, std::vector<double>>> take_found();
  /// Records a finished task durably.
  /// (A checkpoint that never held a task is removed by the destructor.)
  void append(std::size_t task, const std::vector<double>& values);
  /// Deletes the checkpoint (after the output was committed).
  void remove();
  const std::filesystem::path& dir() const { return dir_; }
  /// Tasks the journal holds (found and appended).
  std::size_t held() const { return held_; }

 private:
  std::filesystem::path dir_, journal_;
  int fd_ = -1;
  std::size_t held_ = 0;  // tasks found and appended
  std::vector<std::pair<std::size_t, std::vector<double>>> found_;
};

}  // namespace scsim_app
