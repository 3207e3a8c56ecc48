// The color.* builtins: typed handlers BuiltinFn<ID> (see builtin_fn.h).
//
// The arithmetic is pine/vm/color.h's, which the compiler's constant folding
// shares, so a folded colour is the colour the builtin computes.
#pragma once

#include <cmath>
#include <cstdint>

#include "builtins/builtin_fn.h"
#include "pine/vm/color.h"

namespace pine {

template <> struct BuiltinFn<BuiltinId::COLOR_NEW> {
  static Rgba run(Rgba color, double transp) { return {color_with_transp(color.bits, transp)}; }
};
template <> struct BuiltinFn<BuiltinId::COLOR_RGB> {
  static Rgba run(double red, double green, double blue, double transp) {
    return {color_from_rgb(red, green, blue, transp)};
  }
};
template <> struct BuiltinFn<BuiltinId::COLOR_R> {
  static double run(Rgba color) { return color_component(color.bits, 24); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_G> {
  static double run(Rgba color) { return color_component(color.bits, 16); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_B> {
  static double run(Rgba color) { return color_component(color.bits, 8); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_T> {
  static double run(Rgba color) { return color_component(color.bits, 0); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_FROM_GRADIENT> {
  /// Linear in every RGBA byte; the position is clamped to [0, 1]; na
  /// value, bound or colour gives na; equal bounds give the bottom colour.
  static Rgba run(double value, double bottom_value, double top_value, Rgba bottom_color, Rgba top_color) {
    const std::int64_t lo = bottom_color.bits, hi = top_color.bits;
    if (std::isnan(value) || std::isnan(bottom_value) || std::isnan(top_value) || lo == kColorNa || hi == kColorNa)
      return {kColorNa};
    if (bottom_value == top_value) return bottom_color;
    double pos = (value - bottom_value) / (top_value - bottom_value);
    pos = pos < 0 ? 0 : (pos > 1 ? 1 : pos);
    return {color_mix_channel(lo, hi, 24, pos) | color_mix_channel(lo, hi, 16, pos) |
            color_mix_channel(lo, hi, 8, pos) | color_mix_channel(lo, hi, 0, pos)};
  }
};

} // namespace pine
