// Colour arithmetic: the one statement of how Pine's colour functions map
// numbers to 0xRRGGBBAA bytes, and how colours are written as text.
//
// The VM's color.* builtins and the compiler's constant folding of
// color.new()/color.rgb() both use these functions, so a folded colour is
// always the colour the builtin would compute at run time. Colours are
// 0xRRGGBBAA in the low 32 bits of an int64; na is kColorNa (bit 32).
#pragma once

#include <cmath>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "pine/vm/value.h"

namespace pine {

/// Alpha byte of a transparency 0..100 (0 opaque, 100 invisible), clamped
/// and rounded, as color.new and color.rgb take it.
inline std::int64_t color_alpha_of(double transp) {
  const double t = transp < 0 ? 0 : (transp > 100 ? 100 : transp);
  return static_cast<std::int64_t>(std::lround(255.0 * (1.0 - t / 100.0)));
}

/// A colour channel 0..255 from a number, clamped and rounded (color.rgb).
inline std::int64_t color_channel(double v) {
  const double c = v < 0 ? 0 : (v > 255 ? 255 : v);
  return static_cast<std::int64_t>(std::lround(c));
}

/// color.new(c, transp): `c` with the alpha byte of `transp`; na when
/// either is na.
inline std::int64_t color_with_transp(std::int64_t c, double transp) {
  return c == kColorNa || std::isnan(transp) ? kColorNa : ((c & ~std::int64_t{0xFF}) | color_alpha_of(transp));
}

/// color.rgb(r, g, b, transp); na when any argument is na.
inline std::int64_t color_from_rgb(double r, double g, double b, double transp) {
  if (std::isnan(r) || std::isnan(g) || std::isnan(b) || std::isnan(transp)) return kColorNa;
  return (color_channel(r) << 24) | (color_channel(g) << 16) | (color_channel(b) << 8) | color_alpha_of(transp);
}

/// color.r/g/b (shift 24, 16, 8) as the channel's byte, and color.t (shift
/// 0) as the transparency 0..100 of the alpha byte; na for an na colour.
inline double color_component(std::int64_t c, int shift) {
  if (c == kColorNa) return kFloatNa;
  const double byte = static_cast<double>((c >> shift) & 0xFF);
  return shift == 0 ? std::round((255.0 - byte) * 100.0 / 255.0) : byte;
}

/// One channel (at `shift`) of color.from_gradient: from `lo`'s byte to
/// `hi`'s at `pos` in [0, 1], rounded, back in place.
inline std::int64_t color_mix_channel(std::int64_t lo, std::int64_t hi, int shift, double pos) {
  const double a = static_cast<double>((lo >> shift) & 0xFF), b = static_cast<double>((hi >> shift) & 0xFF);
  return std::lround(a + (b - a) * pos) << shift;
}

/// Parses "#RRGGBB" or "#RRGGBBAA" (either case) to 0xRRGGBBAA, alpha FF when
/// absent; nullopt for anything else. Colour literals and colour inputs.
inline std::optional<std::uint32_t> parse_color_hex(std::string_view text) {
  if ((text.size() != 7 && text.size() != 9) || text[0] != '#') return std::nullopt;
  std::uint32_t rgba = 0;
  for (char c : text.substr(1)) {
    const int digit = c >= '0' && c <= '9'   ? c - '0'
                      : c >= 'a' && c <= 'f' ? c - 'a' + 10
                      : c >= 'A' && c <= 'F' ? c - 'A' + 10
                                             : -1;
    if (digit < 0) return std::nullopt;
    rgba = (rgba << 4) | static_cast<std::uint32_t>(digit);
  }
  return text.size() == 7 ? (rgba << 8) | 0xFFu : rgba;
}

/// Appends a colour as "#RRGGBBAA" (upper-case hex), the form outputs,
/// dumps and listings use.
inline void append_color_hex(std::string& out, std::uint32_t rgba) {
  constexpr std::string_view kHex = "0123456789ABCDEF";
  out.push_back('#');
  for (int shift = 28; shift >= 0; shift -= 4) out.push_back(kHex[(rgba >> shift) & 0xF]);
}

/// A colour as "#RRGGBBAA" text (append_color_hex).
inline std::string color_hex_text(std::uint32_t rgba) {
  std::string out;
  append_color_hex(out, rgba);
  return out;
}

} // namespace pine
