// A counting global allocator for the benchmark runner: replaces operator
// new/delete (heap_counter.cpp) with malloc/free plus counters, so the runner
// can report heap allocations per bar and live heap bytes per instance.
// Counting is off until start_heap_counting() (one relaxed load per
// allocation otherwise); it is meant to be switched on once, at start-up.
#pragma once

#include <cstdint>

namespace pine::bench {

/// Switches counting on for the rest of the process.
void start_heap_counting();
/// Allocations made since counting started.
std::int64_t heap_allocations();
/// Bytes currently allocated (malloc_usable_size of each block) among the
/// blocks allocated since counting started, minus those freed since.
std::int64_t heap_live_bytes();

} // namespace pine::bench
