// Prices on a symbol's tick grid (mintick = minmove / pricescale).
//
// A price n ticks from zero is computed as n * minmove / pricescale: the
// product is an exact integer and the division is correctly rounded, so a
// grid price is the double nearest its decimal value (1.13394, not
// 1.1339400000000001), the same double a CSV reader makes of the text.
#pragma once

#include <cmath>
#include <cstdint>

namespace pine {

class TickGrid {
public:
  TickGrid(std::int64_t pricescale, std::int64_t minmove)
      : pricescale_(static_cast<double>(pricescale)), minmove_(static_cast<double>(minmove)) {}

  double mintick() const { return minmove_ / pricescale_; }

  /// `price` in ticks (not rounded).
  double ticks(double price) const { return price * pricescale_ / minmove_; }
  /// The grid price `n` ticks from zero (n a whole number).
  double price(double n) const { return n * minmove_ / pricescale_; }

  /// The grid price at or above `p` (p itself, normalised, when it is on
  /// the grid up to rounding noise).
  double up(double p) const { return price(on_grid(p) ? std::round(ticks(p)) : std::ceil(ticks(p))); }
  /// The grid price at or below `p`.
  double down(double p) const { return price(on_grid(p) ? std::round(ticks(p)) : std::floor(ticks(p))); }

  /// `p` moved by `n` ticks (n may be fractional or negative): exact grid
  /// arithmetic when p is on the grid and n whole, else plain addition.
  double offset(double p, double n) const {
    if (on_grid(p) && n == std::round(n)) return price(std::round(ticks(p)) + n);
    return p + n * mintick();
  }

private:
  /// Within a millionth of a tick of a grid price: the noise of a decimal
  /// price read into a double is far smaller, a real off-grid price larger.
  bool on_grid(double p) const {
    const double t = ticks(p);
    return std::fabs(t - std::round(t)) < 1e-6;
  }

  double pricescale_;
  double minmove_;
};

} // namespace pine
