// ta.* state structs: archive round trips, hostile archives, allocation.
//
// Round trip: run k bars, save with archive::Out, load into a fresh struct
// with archive::In, continue; every later output must be bit-identical to an
// uninterrupted run, and save -> load -> save must reproduce the bytes.
// Hostile input: every truncation of a saved state must throw, random byte
// corruption must throw or load a state that still steps safely, and crafted
// huge counts must be rejected before anything is allocated.
#include <doctest/doctest.h>

#include <cmath>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#if defined(__GLIBC__) && !defined(__SANITIZE_ADDRESS__)
#include <malloc.h>
#define PINEVM_TA_COUNT_HEAP 1
#endif

#include "ta_state.h"
#include "vm/ta_test_support.h"

namespace {

using ta_test::Bytes;
using ta_test::kNa;
using ta_test::len_at;
using ta_test::load_bytes;
using ta_test::Outputs;
using ta_test::src_at;
using ta_test::StepFn;

// The round-trip, truncation and corruption checks (ta_test_support.h) with
// this file's split points and corruption trials.
template <class S>
void check_state(const char* name, const StepFn<S>& step) {
  static const ta_test::StateCheckPlan plan{{0, 1, 5, 13, 299, 301, 640, ta_test::kStateBars - 1}, 1234, 300};
  ta_test::check_state_round_trips(name, step, plan);
}

// Adapters from each struct's step() to StepFn.
template <class S>
void step_src_len(S& s, std::size_t t, Outputs& out) {
  out.push_back(s.step(src_at(t), len_at(t)));
}
template <class S>
void step_src_fixed(S& s, std::size_t t, Outputs& out) {
  out.push_back(s.step(src_at(t), 14));
}

} // namespace

TEST_CASE("ta state: save/load mid-stream continues bit for bit; bad bytes throw") {
  check_state<pine::ta::Sma>("sma", step_src_len<pine::ta::Sma>);
  check_state<pine::ta::Sum>("math.sum", step_src_len<pine::ta::Sum>);
  check_state<pine::ta::Wma>("wma", step_src_len<pine::ta::Wma>);
  check_state<pine::ta::Highest>("highest", step_src_len<pine::ta::Highest>);
  check_state<pine::ta::Lowest>("lowest", step_src_len<pine::ta::Lowest>);
  check_state<pine::ta::Change>("change", step_src_len<pine::ta::Change>);
  check_state<pine::ta::Ema>("ema", step_src_fixed<pine::ta::Ema>);
  check_state<pine::ta::Rma>("rma", step_src_fixed<pine::ta::Rma>);
  check_state<pine::ta::Rsi>("rsi", step_src_fixed<pine::ta::Rsi>);
  check_state<pine::ta::Stdev>("stdev", [](pine::ta::Stdev& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(src_at(t), len_at(t), t % 2 == 0));
  });
  check_state<pine::ta::Tr>("tr", [](pine::ta::Tr& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(src_at(t) + 1, src_at(t) - 1, src_at(t + 1), t % 3 == 0));
  });
  check_state<pine::ta::Atr>("atr", [](pine::ta::Atr& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(src_at(t) + 1, src_at(t) - 1, src_at(t + 1), 14));
  });
  check_state<pine::ta::Macd>("macd", [](pine::ta::Macd& s, std::size_t t, Outputs& out) {
    const auto r = s.step(src_at(t), 12, 26, 9);
    out.insert(out.end(), {r.macd, r.signal, r.hist});
  });
  check_state<pine::ta::Cross>("cross", [](pine::ta::Cross& s, std::size_t t, Outputs& out) {
    const double a = src_at(t), b = 100.0 + 0.3 * static_cast<double>(t % 11);
    out.push_back(t % 3 == 0 ? s.step_over(a, b) : (t % 3 == 1 ? s.step_under(a, b) : s.step_cross(a, b)));
  });
  check_state<pine::ta::ChangeInt>("change int", [](pine::ta::ChangeInt& s, std::size_t t, Outputs& out) {
    const std::int64_t v = t % 17 == 0 ? pine::kIntNa : static_cast<std::int64_t>(t * t % 1000);
    out.push_back(static_cast<double>(s.step(v, static_cast<std::int64_t>(1 + t / 200))));
  });
  check_state<pine::ta::ChangeBool>("change bool", [](pine::ta::ChangeBool& s, std::size_t t, Outputs& out) {
    out.push_back(s.step(t % 5 < 2, 2) ? 1.0 : 0.0);
  });
}

TEST_CASE("ta state: crafted archives are rejected before allocating") {
  // Builds an archive by hand: the Sma layout is [u32 version][WindowSums:
  // u32 version][Ring: u64 capacity][Deque: u64 count][values...]...
  auto craft = [](const std::function<void(pine::archive::Out&)>& write) {
    std::ostringstream os(std::ios::binary);
    {
      pine::archive::Out ar(os);
      write(ar);
    }
    const std::string str = os.str();
    return Bytes(str.begin(), str.end());
  };
  const auto rejects = [](const Bytes& b) {
    pine::ta::Sma s;
    CHECK_THROWS_AS(load_bytes(s, b), pine::StateDecodeError);
  };
  // Unknown versions.
  rejects(craft([](auto& ar) { ar(std::uint32_t{2}); }));
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{0}); }));
  // A capacity beyond kMaxLength + 1.
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{1} << 40); }));
  // A value count far beyond the remaining bytes (would be 8 EB).
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{100}, ~std::uint64_t{0} >> 4); }));
  // A count within the capacity but beyond the remaining bytes.
  rejects(craft([](auto& ar) { ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{100}, std::uint64_t{90}, 1.0); }));
  // A count above the capacity.
  rejects(craft([](auto& ar) {
    ar(std::uint32_t{1}, std::uint32_t{1}, std::uint64_t{1}, std::uint64_t{2}, 1.0, 2.0);
  }));
  // na stored in a window; entries that do not match the values; a window
  // longer than the capacity.
  auto window = [](double value, std::uint64_t entries, std::int64_t len) {
    return [=](pine::archive::Out& ar) {
      ar(std::uint32_t{1}, std::uint32_t{1});
      ar(std::uint64_t{4}, std::uint64_t{1}, value);            // hist_
      ar(std::uint64_t{4}, entries);                            // ent_p_
      for (std::uint64_t i = 0; i < entries; ++i) ar(value);
      ar(0.0, 0.0, std::uint32_t{0});                           // p_
      ar(len);
    };
  };
  {
    pine::ta::Sma ok;
    CHECK(load_bytes(ok, craft(window(1.5, 1, 4))) == 0);
    CHECK(std::isnan(ok.step(2.5, 4)));  // 2 of 4 values: still warming up
  }
  rejects(craft(window(kNa, 1, 4)));
  rejects(craft(window(1.5, 0, 4)));
  rejects(craft(window(1.5, 1, 5)));
  rejects(craft(window(1.5, 1, -1)));

  // Bools must be 0 or 1.
  pine::ta::Cross c;
  CHECK_THROWS_AS(load_bytes(c, craft([](auto& ar) { ar(std::uint32_t{1}, std::uint8_t{2}, std::uint8_t{0}); })),
                  pine::StateDecodeError);
}

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
