// One OHLCV bar as fed to an instance.
#pragma once

#include <cstdint>

namespace pine {

/// A bar of market data. `time` is the bar's open time in Unix milliseconds
/// (UTC). `volume` may be NaN (na); the prices never are.
struct Bar {
  std::int64_t time = 0;
  double open = 0;
  double high = 0;
  double low = 0;
  double close = 0;
  double volume = 0;
};

} // namespace pine
