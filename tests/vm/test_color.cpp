// Colour arithmetic (pine/vm/color.h): the rules the color.* builtins and the
// compiler's constant folding share.
#include <doctest/doctest.h>

#include <cmath>

#include "pine/vm/color.h"

TEST_CASE("color: transparency to alpha and channels are clamped and rounded") {
  CHECK(pine::color_alpha_of(0) == 255);
  CHECK(pine::color_alpha_of(100) == 0);
  CHECK(pine::color_alpha_of(50) == 128); // 127.5 rounds half away from zero
  CHECK(pine::color_alpha_of(-5) == 255);
  CHECK(pine::color_alpha_of(300) == 0);
  CHECK(pine::color_channel(-1) == 0);
  CHECK(pine::color_channel(300) == 255);
  CHECK(pine::color_channel(12.5) == 13);
}

TEST_CASE("color: color.rgb, color.new and the components") {
  CHECK(pine::color_from_rgb(255, 0, 16, 0) == 0xFF0010FF);
  CHECK(pine::color_from_rgb(255, 0, 16, 100) == 0xFF001000);
  CHECK(pine::color_from_rgb(std::nan(""), 0, 0, 0) == pine::kColorNa);
  CHECK(pine::color_from_rgb(0, 0, 0, std::nan("")) == pine::kColorNa);
  CHECK(pine::color_with_transp(0x11223344, 0) == 0x112233FF);
  CHECK(pine::color_with_transp(pine::kColorNa, 0) == pine::kColorNa);
  CHECK(pine::color_with_transp(0x11223344, std::nan("")) == pine::kColorNa);
  CHECK(pine::color_component(0x11223380, 24) == 0x11);
  CHECK(pine::color_component(0x11223380, 8) == 0x33);
  CHECK(pine::color_component(0x112233FF, 0) == 0);
  CHECK(pine::color_component(0x11223300, 0) == 100);
  CHECK(std::isnan(pine::color_component(pine::kColorNa, 16)));
  CHECK(pine::color_mix_channel(0x00, 0xFF, 0, 0.5) == 128);
  CHECK(pine::color_mix_channel(0x10000000, 0x30000000, 24, 0.5) == 0x20000000);
}

TEST_CASE("color: hex text both ways") {
  CHECK(pine::parse_color_hex("#FF0010") == 0xFF0010FFu);
  CHECK(pine::parse_color_hex("#ff001080") == 0xFF001080u);
  CHECK(!pine::parse_color_hex("FF0010"));
  CHECK(!pine::parse_color_hex("#FF001"));
  CHECK(!pine::parse_color_hex("#FF00GG"));
  CHECK(pine::color_hex_text(0xFF001080u) == "#FF001080");
  CHECK(pine::color_hex_text(0x0000000Au) == "#0000000A");
}
