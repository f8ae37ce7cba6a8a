#include "sim/detail/frame_pool.hpp"

#include <algorithm>
#include <bit>
#include <new>
#include <vector>

namespace sim::detail {

thread_local constinit FreeFrame* t_free_frames[kFrameClasses] = {};

namespace {
/// The thread's chunks, from which new frames are carved, and its large
/// frames. Memory is reused through the free lists, never returned, so a
/// run's footprint is its peak number of live frames; the chunks go when the
/// thread ends.
class FrameStore {
 public:
  ~FrameStore() {
    for (auto& f : t_free_frames) f = nullptr;  // they point into the chunks
    for (void* c : chunks_) {
      unpoison(c, kChunkBytes);
      ::operator delete(c, std::align_val_t{kChunkBytes});
    }
  }
  void* carve(std::size_t sz) {
    if (static_cast<std::size_t>(end_ - cursor_) < sz) {
      // Aligned to its size, so a frame finds its chunk's header by masking.
      char* c = static_cast<char*>(::operator new(kChunkBytes, std::align_val_t{kChunkBytes}));
      chunks_.push_back(c);
      new (c) ChunkHeader{};
      static_assert(sizeof(ChunkHeader) % kFrameGrain == 0);
      cursor_ = c + sizeof(ChunkHeader);
      end_ = c + kChunkBytes;
      poison(cursor_, static_cast<std::size_t>(end_ - cursor_));
    }
    void* p = cursor_;
    cursor_ += sz;
    return p;
  }
  void* alloc_large(std::size_t bytes) {
    large_.reserve(large_.size() + 1);  // so that insertion below cannot throw
    void* p = ::operator new(bytes);
    large_.push_back(p);
    return p;
  }
  void free_large(void* p) noexcept {
    auto it = std::find(large_.begin(), large_.end(), p);
    if (it != large_.end()) {
      *it = large_.back();
      large_.pop_back();
    }
    ::operator delete(p);
  }
  void live_frames(std::vector<void*>& out) const {
    for (void* c : chunks_) {
      const auto* h = static_cast<const ChunkHeader*>(c);
      for (std::size_t w = 0; w < kChunkSlots / 64; ++w)
        for (std::uint64_t bits = h->live[w]; bits; bits &= bits - 1)
          out.push_back(static_cast<char*>(c) + (w * 64 + std::size_t(std::countr_zero(bits))) * kFrameGrain);
    }
    out.insert(out.end(), large_.begin(), large_.end());
  }

 private:
  std::vector<void*> chunks_;
  std::vector<void*> large_;
  char* cursor_ = nullptr;
  char* end_ = nullptr;
};

FrameStore& store() {
  thread_local FrameStore s;
  return s;
}
}  // namespace

void* frame_carve(std::size_t cls) { return store().carve(cls * kFrameGrain); }
void* frame_alloc_large(std::size_t bytes) { return store().alloc_large(bytes); }
void frame_free_large(void* p) noexcept { store().free_large(p); }

void for_each_live_frame(void (*fn)(void* frame, void* ctx), void* ctx) {
  std::vector<void*> frames;
  store().live_frames(frames);
  for (void* f : frames) fn(f, ctx);
}

}  // namespace sim::detail
