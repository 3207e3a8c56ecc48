// math.random's generator (algorithm and seeding rules in random.h).
#include "random.h"

#include <cmath>

#include "pine/vm/value.h"

namespace pine {

namespace {

/// One SplitMix64 step: advances the state and returns the mixed output.
std::uint64_t splitmix64(std::uint64_t& state) {
  state += 0x9E3779B97F4A7C15ull;
  std::uint64_t z = state;
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

} // namespace

double next_random(RandomState& rng, double min, double max, std::int64_t seed) {
  if (seed != kIntNa && !rng.seeded) {
    rng.state = static_cast<std::uint64_t>(seed);
    rng.seeded = true;
  }
  if (!std::isfinite(min) || !std::isfinite(max)) return kFloatNa;
  const std::uint64_t bits = splitmix64(rng.state) >> 11;
  const double u = (static_cast<double>(bits) + 0.5) / 9007199254740992.0; // 2^53
  return min + u * (max - min);
}

} // namespace pine
