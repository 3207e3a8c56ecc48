// The color.* builtins: typed handlers BuiltinFn<ID> (see builtin_fn.h).
//
// A colour is packed 0xRRGGBBAA in an int slot; na is kColorNa. Pine speaks
// of transparency (0 opaque .. 100 invisible), the packing of alpha.
#pragma once

#include <cmath>
#include <cstdint>

#include "builtins/builtin_fn.h"

namespace pine {

namespace color_detail {

/// Alpha byte of a transparency 0..100 (0 opaque), clamped and rounded.
inline std::int64_t alpha_of(double transp) {
  const double t = transp < 0 ? 0 : (transp > 100 ? 100 : transp);
  return static_cast<std::int64_t>(std::lround(255.0 * (1.0 - t / 100.0)));
}

/// A color channel 0..255, clamped and rounded.
inline std::int64_t channel(double v) {
  const double c = v < 0 ? 0 : (v > 255 ? 255 : v);
  return static_cast<std::int64_t>(std::lround(c));
}

/// One RGBA channel of color.from_gradient: `lo` to `hi` at `pos` in [0, 1].
inline std::int64_t mix_channel(std::int64_t lo, std::int64_t hi, int shift, double pos) {
  const double a = static_cast<double>((lo >> shift) & 0xFF), b = static_cast<double>((hi >> shift) & 0xFF);
  return std::lround(a + (b - a) * pos) << shift;
}

/// The byte of `color` at `shift` as a float, na for an na colour: what
/// color.r, color.g and color.b return.
inline double byte_of(Rgba color, int shift) {
  if (color.bits == kColorNa) return kFloatNa;
  return static_cast<double>((color.bits >> shift) & 0xFF);
}

} // namespace color_detail

template <> struct BuiltinFn<BuiltinId::COLOR_NEW> {
  /// The colour with its transparency replaced.
  static Rgba run(Rgba color, double transp) {
    if (color.bits == kColorNa || std::isnan(transp)) return {kColorNa};
    return {(color.bits & ~std::int64_t{0xFF}) | color_detail::alpha_of(transp)};
  }
};
template <> struct BuiltinFn<BuiltinId::COLOR_RGB> {
  static Rgba run(double red, double green, double blue, double transp) {
    if (std::isnan(red) || std::isnan(green) || std::isnan(blue) || std::isnan(transp)) return {kColorNa};
    using namespace color_detail;
    return {(channel(red) << 24) | (channel(green) << 16) | (channel(blue) << 8) | alpha_of(transp)};
  }
};
template <> struct BuiltinFn<BuiltinId::COLOR_R> {
  static double run(Rgba color) { return color_detail::byte_of(color, 24); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_G> {
  static double run(Rgba color) { return color_detail::byte_of(color, 16); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_B> {
  static double run(Rgba color) { return color_detail::byte_of(color, 8); }
};
template <> struct BuiltinFn<BuiltinId::COLOR_T> {
  /// Transparency 0..100 (0 = opaque), from the alpha byte.
  static double run(Rgba color) {
    const double alpha = color_detail::byte_of(color, 0);
    return std::isnan(alpha) ? kFloatNa : std::round((255.0 - alpha) * 100.0 / 255.0);
  }
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
    using color_detail::mix_channel;
    return {mix_channel(lo, hi, 24, pos) | mix_channel(lo, hi, 16, pos) | mix_channel(lo, hi, 8, pos) |
            mix_channel(lo, hi, 0, pos)};
  }
};

} // namespace pine
