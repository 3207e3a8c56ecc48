// math.random's generator: one per instance, saved and restored with it.
//
// Algorithm: SplitMix64 (Steele, Lea and Flood, "Fast splittable
// pseudorandom number generators", 2014): the state advances by the golden
// gamma 0x9E3779B97F4A7C15 and each output is the state through a 64-bit
// finaliser. The top 53 bits of an output give u in (0, 1) as
// (k + 0.5) / 2^53, and the result is min + u * (max - min), so neither bound
// is returned (Pine: "the value is not included in the range").
// Seeding: an instance starts from kDefaultRandomSeed, so runs are
// reproducible (TradingView draws a new sequence per execution). The first
// math.random call that passes a non-na seed re-seeds the generator with it
// (state = seed); later seeds are ignored. Values differ from TradingView's.
#pragma once

#include <cstdint>

namespace pine {

/// The state an instance starts with ("pinevm" in ASCII).
inline constexpr std::uint64_t kDefaultRandomSeed = 0x00006E69'76656E69ull;

/// The generator's whole state.
struct RandomState {
  std::uint64_t state = kDefaultRandomSeed;
  bool seeded = false; ///< a seed argument has been applied
};

/// math.random(min, max, seed): the next value in (min, max); na when a
/// bound is na. `seed` is an int (kIntNa = none).
double next_random(RandomState& rng, double min, double max, std::int64_t seed);

} // namespace pine
