// Test fixtures shared by the ta.* tests (tests/vm/test_ta_*.cpp and
// ta_reference.h): the error report printed with PINEVM_TA_REPORT, the
// TradingView exports of tests/data/tradingview and their column comparison,
// and the archive round-trip checks of the state structs with their
// deterministic source. Nothing here is shared with vm/src/builtins: only
// the structs' public API is used.
#pragma once

#include <doctest/doctest.h>

#include <algorithm>
#include <bit>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <functional>
#include <istream>
#include <map>
#include <random>
#include <sstream>
#include <string>
#include <utility>
#include <vector>

#include "ta_state.h"

namespace ta_test {

using Series = std::vector<double>;
inline constexpr double kNa = pine::kFloatNa;

// ---------------------------------------------------------------- report

// Measured maximum relative errors by name, printed at exit under `heading`
// when PINEVM_TA_REPORT is set (names left-aligned in `width` columns).
struct ErrorReport {
  std::string heading;
  int width = 40;
  std::map<std::string, double> max_rel;

  ErrorReport(std::string heading_text, int name_width) : heading(std::move(heading_text)), width(name_width) {}
  // Keeps the largest error measured under `name`.
  void record(const std::string& name, double err) {
    double& slot = max_rel[name];
    slot = std::max(slot, err);
  }
  ~ErrorReport() {
    if (std::getenv("PINEVM_TA_REPORT") == nullptr) return;
    std::printf("\n%s\n", heading.c_str());
    for (const auto& [name, err] : max_rel) std::printf("  %-*s %.3e\n", width, name.c_str(), err);
  }
};

// ---------------------------------------------------------------- TradingView exports

// One parsed export of tests/data/tradingview: column names (as written by
// TradingView) and values.
struct Csv {
  std::vector<std::string> names;
  std::vector<Series> cols;

  // The column named `name`; fails the test when it is missing.
  const Series& col(const std::string& name) const {
    for (std::size_t i = 0; i < names.size(); ++i)
      if (names[i] == name) return cols[i];
    FAIL("missing column " << name);
    static const Series empty;
    return empty;
  }
  // The number of bars.
  std::size_t rows() const { return cols.empty() ? 0 : cols[0].size(); }
};

// Splits one CSV line into fields, honouring double quotes (headers such as
// "ta.sma(close, 10)" contain commas); carriage returns are dropped.
inline std::vector<std::string> split_csv_line(const std::string& line) {
  std::vector<std::string> out(1);
  bool quoted = false;
  for (std::size_t i = 0; i < line.size(); ++i) {
    const char ch = line[i];
    if (quoted && ch == '"' && i + 1 < line.size() && line[i + 1] == '"') {
      out.back() += '"';
      ++i;
    } else if (ch == '"') {
      quoted = !quoted;
    } else if (ch == ',' && !quoted) {
      out.emplace_back();
    } else if (ch != '\r') {
      out.back() += ch;
    }
  }
  return out;
}

// Reads tests/data/tradingview/<file> (tests read only the repository). "NaN" parses to NaN through strtod.
inline Csv read_export(const std::string& file) {
  const std::string path = std::string(PINEVM_SOURCE_DIR) + "/tests/data/tradingview/" + file;
  std::ifstream in(path);
  REQUIRE_MESSAGE(in.good(), "cannot open " << path);
  Csv csv;
  std::string line;
  std::getline(in, line);
  csv.names = split_csv_line(line);
  csv.cols.assign(csv.names.size(), Series{});
  while (std::getline(in, line)) {
    if (line.empty()) continue;
    const auto fields = split_csv_line(line);
    REQUIRE(fields.size() == csv.names.size());
    for (std::size_t i = 0; i < fields.size(); ++i) csv.cols[i].push_back(std::strtod(fields[i].c_str(), nullptr));
  }
  return csv;
}

// Compares `got` with TradingView's column: na exactly where TradingView has
// NaN, |got - want| / |want| (absolute when want == 0) at most `tol`, and at
// least one bar where both are defined. Records the maximum in `report`.
inline void compare_export(ErrorReport& report, const std::string& name, const Series& got, const Series& want,
                           double tol) {
  REQUIRE(got.size() == want.size());
  double max_rel = 0.0;
  std::size_t na_mismatch = 0, compared = 0;
  for (std::size_t i = 0; i < got.size(); ++i) {
    const bool gn = std::isnan(got[i]), wn = std::isnan(want[i]);
    if (gn || wn) {
      if (gn != wn && na_mismatch++ == 0)
        MESSAGE(name << ": na mismatch at bar " << i << " got " << got[i] << " want " << want[i]);
      continue;
    }
    const double err = std::fabs(got[i] - want[i]) / (want[i] != 0.0 ? std::fabs(want[i]) : 1.0);
    if (err > tol && max_rel <= tol)
      MESSAGE(name << ": first miss at bar " << i << " got " << got[i] << " want " << want[i]);
    max_rel = std::max(max_rel, err);
    ++compared;
  }
  report.record(name, max_rel);
  INFO(name);
  CHECK(na_mismatch == 0);
  CHECK(compared > 0);
  CHECK(max_rel <= tol);
}

// compare_export() with the exports' tolerance (1e-9) by default, recording
// into this file's own report; called as compare(name, got, want[, tol]).
struct ExportComparer {
  ErrorReport report;
  void operator()(const std::string& name, const Series& got, const Series& want, double tol = 1e-9) {
    compare_export(report, name, got, want, tol);
  }
};

// ---------------------------------------------------------------- state archives

using Bytes = std::vector<std::uint8_t>;
using Outputs = std::vector<double>;

// Writes `s` into a fresh portable-binary archive.
template <class S>
Bytes save_bytes(const S& s) {
  std::ostringstream os(std::ios::binary);
  {
    pine::archive::Out ar(os);
    s.save(ar);
  }
  const std::string str = os.str();
  return Bytes(str.begin(), str.end());
}

// Loads `s` from `bytes` the way the snapshot layer does (SpanBuf +
// LoadContext) and returns how many bytes were left unread.
template <class S>
std::size_t load_bytes(S& s, const Bytes& bytes) {
  pine::archive::SpanBuf buf(bytes);
  std::istream is(&buf);
  pine::archive::LoadContext ctx{&buf};
  pine::archive::In ar(ctx, is);
  s.load(ar);
  return buf.remaining();
}

// A deterministic source with na runs (3 bars in every 53) and ties.
inline double src_at(std::size_t t) {
  if (t % 53 >= 50) return kNa;
  return 100.0 + 10.0 * std::sin(0.05 * static_cast<double>(t)) + 0.37 * static_cast<double>(t % 7);
}
// A series length that changes now and then (growing and shrinking).
inline std::int64_t len_at(std::size_t t) { return t < 300 ? 14 : (t < 500 ? 30 : (t < 700 ? 9 : 25)); }

// Bit equality of two output vectors (na compared by bit pattern too).
inline bool same_bits(const Outputs& a, const Outputs& b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i)
    if (std::bit_cast<std::uint64_t>(a[i]) != std::bit_cast<std::uint64_t>(b[i])) return false;
  return true;
}

// How one struct type is advanced on bar t (its outputs are appended to `out`).
template <class S>
using StepFn = std::function<void(S&, std::size_t, Outputs&)>;

// The bars a state check runs, and the bar of the state that is truncated
// and corrupted.
inline constexpr std::size_t kStateBars = 900;
inline constexpr std::size_t kMidBar = 400;

// How check_state_round_trips() exercises a struct: the bars after which a
// run is saved and loaded into a fresh struct, and the random corruptions of
// the mid-stream state (seed and number of trials).
struct StateCheckPlan {
  std::vector<std::size_t> split_at;
  std::uint64_t corruption_seed = 0;
  int corruption_trials = 0;
};

// Round trip: run k bars, save, load into a fresh struct, continue; every
// later output must be bit-identical to an uninterrupted run, and save ->
// load -> save must reproduce the bytes. Every proper prefix of the state at
// kMidBar must be rejected; random corruption of it must throw or load a
// state that still steps.
template <class S>
void check_state_round_trips(const char* name, const StepFn<S>& step, const StateCheckPlan& plan) {
  INFO(name);
  S whole;
  std::vector<Outputs> ref(kStateBars);
  for (std::size_t t = 0; t < kStateBars; ++t) step(whole, t, ref[t]);

  for (std::size_t k : plan.split_at) {
    S first;
    for (std::size_t t = 0; t < k; ++t) {
      Outputs o;
      step(first, t, o);
    }
    const Bytes bytes = save_bytes(first);
    S second;
    CHECK(load_bytes(second, bytes) == 0);
    CHECK(save_bytes(second) == bytes);
    bool identical = true;
    for (std::size_t t = k; t < kStateBars; ++t) {
      Outputs o;
      step(second, t, o);
      identical = identical && same_bits(o, ref[t]);
    }
    CHECK_MESSAGE(identical, "outputs differ after a load at bar " << k);
  }

  S mid;
  for (std::size_t t = 0; t < kMidBar; ++t) {
    Outputs o;
    step(mid, t, o);
  }
  const Bytes bytes = save_bytes(mid);
  std::size_t accepted_prefixes = 0;
  for (std::size_t n = 0; n < bytes.size(); ++n) {
    S s;
    try {
      load_bytes(s, Bytes(bytes.begin(), bytes.begin() + static_cast<std::ptrdiff_t>(n)));
      ++accepted_prefixes;
    } catch (const std::exception&) {
    }
  }
  CHECK(accepted_prefixes == 0);

  std::mt19937_64 rng(plan.corruption_seed);
  for (int trial = 0; trial < plan.corruption_trials; ++trial) {
    Bytes bad = bytes;
    const int flips = 1 + static_cast<int>(rng() % 4);
    for (int f = 0; f < flips; ++f) bad[rng() % bad.size()] ^= static_cast<std::uint8_t>(1 + rng() % 255);
    S s;
    try {
      load_bytes(s, bad);
    } catch (const std::exception&) {
      continue;
    }
    for (std::size_t t = kMidBar; t < kMidBar + 60; ++t) {
      Outputs o;
      step(s, t, o);
    }
  }
}

} // namespace ta_test
