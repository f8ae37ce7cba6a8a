#pragma once
/// Per-thread size-class pool for coroutine frames (sim::Process's promise
/// allocates from it). Frames must be freed on the thread that allocated them,
/// which holds because one replication runs wholly on one thread. The fast
/// paths (pop/push a per-thread free list) are inline; the frame size is a
/// compile-time constant at each call, so the size class folds away.
///
/// Frames are carved from chunks aligned to their size, whose first bytes
/// hold a bitmap of the frames that are live; that is how a Simulation finds
/// its suspended processes when it is destroyed, without a per-process table
/// (whose random writes on every finished process cost a cache miss each).
/// Frames start on a cache line, which the kernel's frame prefetching relies
/// on. Frames above 2 KiB come from ::operator new and are listed apart.
///
/// Under AddressSanitizer the pool poisons what no live frame owns: a freed
/// frame (but for the free-list link while it is being unlinked), the unused
/// tail of a frame's size class and the uncarved rest of a chunk. A dangling
/// coroutine_handle used after its process finished is then reported as
/// use-after-poison, as a heap use-after-free would be.
#include <cstddef>
#include <cstdint>

#if defined(__SANITIZE_ADDRESS__)
#define SCSIM_ASAN 1
#elif defined(__has_feature)
#if __has_feature(address_sanitizer)
#define SCSIM_ASAN 1
#endif
#endif
#if defined(SCSIM_ASAN)
#include <sanitizer/asan_interface.h>
#endif

namespace sim::detail {

#if defined(SCSIM_ASAN)
inline constexpr bool kFramePoisoning = true;
inline void poison(const void* p, std::size_t n) noexcept { ASAN_POISON_MEMORY_REGION(p, n); }
inline void unpoison(const void* p, std::size_t n) noexcept { ASAN_UNPOISON_MEMORY_REGION(p, n); }
#else
inline constexpr bool kFramePoisoning = false;
inline void poison(const void*, std::size_t) noexcept {}
inline void unpoison(const void*, std::size_t) noexcept {}
#endif

inline constexpr std::size_t kFrameGrain = 64;    // size classes of 64 bytes
inline constexpr std::size_t kFrameClasses = 32;  // pooled up to 2 KiB
inline constexpr std::size_t kChunkBytes = std::size_t{1} << 18;
inline constexpr std::size_t kChunkSlots = kChunkBytes / kFrameGrain;
struct FreeFrame {
  FreeFrame* next;
};
struct ChunkHeader {  // at the start of every chunk
  std::uint64_t live[kChunkSlots / 64];
};
extern thread_local constinit FreeFrame* t_free_frames[kFrameClasses];
/// Carves a new frame of class `cls` from the thread's chunks (poisoned, under ASan).
void* frame_carve(std::size_t cls);
void* frame_alloc_large(std::size_t bytes);
void frame_free_large(void* p) noexcept;
/// Calls fn(frame address) for every live pooled or large frame of this thread.
void for_each_live_frame(void (*fn)(void* frame, void* ctx), void* ctx);

inline void mark_frame(void* p, bool live) noexcept {
  const auto a = reinterpret_cast<std::uintptr_t>(p);
  auto* h = reinterpret_cast<ChunkHeader*>(a & ~(kChunkBytes - 1));
  const std::size_t slot = (a & (kChunkBytes - 1)) / kFrameGrain;
  const std::uint64_t bit = std::uint64_t{1} << (slot & 63);
  if (live)
    h->live[slot >> 6] |= bit;
  else
    h->live[slot >> 6] &= ~bit;
}

inline void* frame_alloc(std::size_t bytes) {
  const std::size_t cls = (bytes + kFrameGrain - 1) / kFrameGrain;
  if (cls >= kFrameClasses) return frame_alloc_large(bytes);
  void* p;
  if (FreeFrame* f = t_free_frames[cls]) {
    unpoison(f, sizeof(FreeFrame));
    t_free_frames[cls] = f->next;
    p = f;
  } else {
    p = frame_carve(cls);
  }
  unpoison(p, bytes);
  poison(static_cast<char*>(p) + bytes, cls * kFrameGrain - bytes);
  mark_frame(p, true);
  return p;
}

inline void frame_free(void* p, std::size_t bytes) noexcept {
  const std::size_t cls = (bytes + kFrameGrain - 1) / kFrameGrain;
  if (cls >= kFrameClasses) {
    frame_free_large(p);
    return;
  }
  mark_frame(p, false);
  auto* f = static_cast<FreeFrame*>(p);
  f->next = t_free_frames[cls];
  t_free_frames[cls] = f;
  poison(p, cls * kFrameGrain);
}

}  // namespace sim::detail
