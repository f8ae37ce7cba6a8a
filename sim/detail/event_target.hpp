#pragma once
/// What an EventEntry's `target` word means to the Simulation: either the
/// address of a suspended coroutine frame (even: frames are at least 16-byte
/// aligned) or, tagged with a set low bit, the index of a callback slot.
/// One word instead of a variant keeps entries at 24 bytes.
#include <cstdint>

namespace sim::detail {

inline std::uintptr_t frame_target(void* frame) noexcept { return reinterpret_cast<std::uintptr_t>(frame); }
inline std::uintptr_t slot_target(std::uint32_t slot) noexcept {
  return (static_cast<std::uintptr_t>(slot) << 1) | 1u;
}

inline bool is_slot_target(std::uintptr_t target) noexcept { return (target & 1u) != 0; }
inline void* target_frame(std::uintptr_t target) noexcept { return reinterpret_cast<void*>(target); }
inline std::uint32_t target_slot(std::uintptr_t target) noexcept { return static_cast<std::uint32_t>(target >> 1); }

}  // namespace sim::detail
