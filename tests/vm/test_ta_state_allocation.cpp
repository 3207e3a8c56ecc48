// The ta.* state structs allocate nothing per step once their buffers have
// reached their size: glibc's count of allocated bytes (mallinfo2) is the
// same before and after 18,000 steady-state bars of sma, stdev, wma,
// highest, change, ema, rsi, atr and macd. Skipped without glibc or under
// ASan.
#include <doctest/doctest.h>

#include <cstddef>

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#define PINEVM_TA_COUNT_HEAP 1
#endif

#include "ta_state.h"
#include "vm/ta_test_support.h"

using ta_test::src_at;

TEST_CASE("ta state: no heap allocation per step in steady state") {
#ifdef PINEVM_TA_COUNT_HEAP
  pine::ta::Sma sma;
  pine::ta::Stdev stdev;
  pine::ta::Wma wma;
  pine::ta::Highest hi;
  pine::ta::Change ch;
  pine::ta::Ema ema;
  pine::ta::Rsi rsi;
  pine::ta::Atr atr;
  pine::ta::Macd macd;
  volatile double sink = 0;  // keeps the steps from being optimized away
  auto bar = [&](std::size_t t) {
    const double x = src_at(t);
    sink = sink + sma.step(x, 50) + stdev.step(x, 50) + wma.step(x, 50) + hi.step(x, 50) + ch.step(x, 50) +
            ema.step(x, 50) + rsi.step(x, 14) + atr.step(x + 1, x - 1, x, 14) + macd.step(x, 12, 26, 9).hist;
  };
  for (std::size_t t = 0; t < 2000; ++t) bar(t);  // warm up: buffers reach their size
  const std::size_t before = mallinfo2().uordblks;
  for (std::size_t t = 2000; t < 20000; ++t) bar(t);
  const std::size_t after = mallinfo2().uordblks;
  CHECK(after == before);
#else
  MESSAGE("heap counting needs glibc without ASan; skipped");
#endif
}
