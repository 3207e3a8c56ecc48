// Pivots: ta.pivothigh, ta.pivotlow and ta.pivot_point_levels.
// The state structs of ta_pivots.h.
#include "builtins/ta_pivots.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace pine::ta {

// The window is the last left + right + 1 non-na values; the candidate is
// `right` values back and must be the deque's front (the newest of equal
// extremes, so an equal value to its right disqualifies it).
template <bool Max>
double Pivot<Max>::step(double src, std::int64_t left, std::int64_t right) {
  if (left == kIntNa || right == kIntNa || left < 0 || right < 0 || left >= kMaxLength || right >= kMaxLength)
    return kFloatNa;
  const std::int64_t length = left + right + 1;
  if (!valid_length(length)) return kFloatNa;
  const double extreme = win_.step(src, length);
  if (is_na_float(extreme) || win_.offset() != right) return kFloatNa;
  return extreme;
}

// Writes the retained values and the window length (the deque is derived).
template <bool Max>
void Pivot<Max>::save(archive::Out& ar) const {
  win_.save(ar);
}

// Reads what save() wrote (a compacted window: finite values only).
template <bool Max>
void Pivot<Max>::load(archive::In& ar) {
  win_.load(ar, detail::Stored::kFinite);
}
template struct Pivot<true>;
template struct Pivot<false>;
// Exact names: TradingView's option strings are case-sensitive.
bool parse_pivot_type(std::string_view text, PivotType& out) {
  static constexpr std::pair<std::string_view, PivotType> kNames[] = {
      {"Traditional", PivotType::Traditional}, {"Fibonacci", PivotType::Fibonacci}, {"Woodie", PivotType::Woodie},
      {"Classic", PivotType::Classic},         {"DM", PivotType::DM},               {"Camarilla", PivotType::Camarilla},
  };
  for (const auto& [name, type] : kNames) {
    if (text == name) {
      out = type;
      return true;
    }
  }
  return false;
}

// na values do not take part: a period's extremes are those of its defined
// bars, its open the first defined one and its close the last.
void PeriodBar::add(double bar_open, double bar_high, double bar_low, double bar_close) {
  if (is_na_float(open)) open = bar_open;
  if (!is_na_float(bar_high) && (is_na_float(high) || bar_high > high)) high = bar_high;
  if (!is_na_float(bar_low) && (is_na_float(low) || bar_low < low)) low = bar_low;
  if (!is_na_float(bar_close)) close = bar_close;
}

// One case per type; levels a type lacks stay na. Any na input makes the
// affected levels na through the arithmetic.
PivotLevelArray pivot_levels(PivotType type, const PeriodBar& basis, double open_now) {
  PivotLevelArray out;
  out.fill(kFloatNa);
  const double h = basis.high, l = basis.low, c = basis.close;
  double& p = out[0];
  double& r1 = out[1];
  double& s1 = out[2];
  double& r2 = out[3];
  double& s2 = out[4];
  double& r3 = out[5];
  double& s3 = out[6];
  double& r4 = out[7];
  double& s4 = out[8];
  double& r5 = out[9];
  double& s5 = out[10];
  switch (type) {
    case PivotType::Traditional:
      p = (h + l + c) / 3;
      r1 = p * 2 - l;
      s1 = p * 2 - h;
      r2 = p + (h - l);
      s2 = p - (h - l);
      r3 = p * 2 + (h - 2 * l);
      s3 = p * 2 - (2 * h - l);
      r4 = p * 3 + (h - 3 * l);
      s4 = p * 3 - (3 * h - l);
      r5 = p * 4 + (h - 4 * l);
      s5 = p * 4 - (4 * h - l);
      break;
    case PivotType::Fibonacci:
      p = (h + l + c) / 3;
      r1 = p + 0.382 * (h - l);
      s1 = p - 0.382 * (h - l);
      r2 = p + 0.618 * (h - l);
      s2 = p - 0.618 * (h - l);
      r3 = p + (h - l);
      s3 = p - (h - l);
      break;
    case PivotType::Woodie:
      p = (h + l + 2 * open_now) / 4;
      r1 = 2 * p - l;
      s1 = 2 * p - h;
      r2 = p + (h - l);
      s2 = p - (h - l);
      r3 = h + 2 * (p - l);
      s3 = l - 2 * (h - p);
      r4 = r3 + (h - l);
      s4 = s3 - (h - l);
      break;
    case PivotType::Classic:
      p = (h + l + c) / 3;
      r1 = 2 * p - l;
      s1 = 2 * p - h;
      r2 = p + (h - l);
      s2 = p - (h - l);
      r3 = p + 2 * (h - l);
      s3 = p - 2 * (h - l);
      r4 = p + 3 * (h - l);
      s4 = p - 3 * (h - l);
      break;
    case PivotType::DM: {
      // DeMark's X weights the side the period closed on; an na open or
      // close makes both comparisons false, and X (through c) na.
      const double o = basis.open;
      double x;
      if (o == c) x = h + l + 2 * c;
      else if (c > o) x = 2 * h + l + c;
      else x = 2 * l + h + c;
      if (is_na_float(o)) x = kFloatNa;
      p = x / 4;
      r1 = x / 2 - l;
      s1 = x / 2 - h;
      break;
    }
    case PivotType::Camarilla:
      p = (h + l + c) / 3;
      r1 = c + 1.1 * (h - l) / 12;
      s1 = c - 1.1 * (h - l) / 12;
      r2 = c + 1.1 * (h - l) / 6;
      s2 = c - 1.1 * (h - l) / 6;
      r3 = c + 1.1 * (h - l) / 4;
      s3 = c - 1.1 * (h - l) / 4;
      r4 = c + 1.1 * (h - l) / 2;
      s4 = c - 1.1 * (h - l) / 2;
      r5 = (h / l) * c;
      s5 = c - (r5 - c);
      break;
  }
  return out;
}

// The anchor closes the period under way (unless this is the first call,
// when there is none) and this bar opens the next one.
PivotLevelArray PivotLevels::step(PivotType type, bool anchor, bool developing, double open, double high, double low,
                                  double close) {
  if (anchor || !started_) {
    if (started_) {
      completed_ = current_;
      has_completed_ = true;
    }
    current_ = PeriodBar{};
    started_ = true;
  }
  current_.add(open, high, low, close);
  if (developing) return pivot_levels(type, current_, current_.open);
  if (!has_completed_) {
    PivotLevelArray none;
    none.fill(kFloatNa);
    return none;
  }
  return pivot_levels(type, completed_, current_.open);
}

// Writes the state (version first).
void PivotLevels::save(archive::Out& ar) const {
  detail::save_parts(ar, current_.open, current_.high, current_.low, current_.close, completed_.open, completed_.high,
                     completed_.low, completed_.close, has_completed_, started_);
}

// Reads what save() wrote; any double is a valid period value (na included).
void PivotLevels::load(archive::In& ar) {
  detail::load_parts(ar, current_.open, current_.high, current_.low, current_.close, completed_.open, completed_.high,
                     completed_.low, completed_.close, has_completed_, started_);
}

// ---------------------------------------------------------------- argument checks

// na strengths pass: the pivot functions return na for them.
const char* bad_strengths(std::int64_t left, std::int64_t right) {
  if (left == kIntNa || right == kIntNa) return nullptr;
  if (left < 0 || right < 0) return "invalid leftbars/rightbars argument: it must be at least 0";
  if (left >= kMaxLength || right >= kMaxLength || !valid_length(left + right + 1))
    return "invalid leftbars/rightbars argument: the window is larger than 1000000";
  return nullptr;
}

// The type code comes from the BUILTIN PIVOT_TYPE instruction, but a
// hostile program could pass anything.
const char* bad_pivot_levels(std::int64_t type_code, bool developing) {
  if (type_code < 0 || type_code > static_cast<std::int64_t>(PivotType::Camarilla))
    return "invalid type argument of ta.pivot_point_levels";
  if (developing && static_cast<PivotType>(type_code) == PivotType::Woodie)
    return "ta.pivot_point_levels cannot develop \"Woodie\" levels: they need the period's open, known only "
           "when the period starts (pass developing=false)";
  return nullptr;
}

} // namespace pine::ta

namespace pine {

Checked<std::int64_t> BuiltinFn<BuiltinId::PIVOT_TYPE>::run(StringTable& strings, Str type) {
  ta::PivotType parsed{};
  if (type.handle == kStringNa || !ta::parse_pivot_type(strings.get(type.handle), parsed))
    return Error{"invalid type argument of ta.pivot_point_levels: it must be \"Traditional\", \"Fibonacci\", "
                 "\"Woodie\", \"Classic\", \"DM\" or \"Camarilla\""};
  return static_cast<std::int64_t>(parsed);
}

} // namespace pine

