// step_state() for the ta.* kinds of ta_more.h and ta_extra.h: reads each
// kind's arguments (layout in builtins.h), checks the ones TradingView
// rejects with a runtime error, and writes the results.
#include <cmath>

#include "ta_state.h"

namespace pine {

namespace {

using ta::valid_length;

constexpr std::size_t kOpen = static_cast<std::size_t>(BuiltinVar::OPEN);
constexpr std::size_t kHigh = static_cast<std::size_t>(BuiltinVar::HIGH);
constexpr std::size_t kLow = static_cast<std::size_t>(BuiltinVar::LOW);
constexpr std::size_t kClose = static_cast<std::size_t>(BuiltinVar::CLOSE);
constexpr std::size_t kVolume = static_cast<std::size_t>(BuiltinVar::VOLUME);
constexpr std::size_t kTime = static_cast<std::size_t>(BuiltinVar::TIME);
constexpr std::size_t kHl2 = static_cast<std::size_t>(BuiltinVar::HL2);

/// The runtime error for a pivot strength (leftbars/rightbars may be 0, not
/// negative; their sum + 1 is the window and must be a valid length).
const char* bad_strengths(std::int64_t left, std::int64_t right) {
  if (left == kIntNa || right == kIntNa) return nullptr;
  if (left < 0 || right < 0) return "invalid leftbars/rightbars argument: it must be at least 0";
  if (left >= ta::kMaxLength || right >= ta::kMaxLength || !valid_length(left + right + 1))
    return "invalid leftbars/rightbars argument: the window is larger than 1000000";
  return nullptr;
}

/// The runtime error for a percentile outside [0, 100] (TradingView halts,
/// PyneCore measured); na is handled by the function itself.
const char* bad_percentage(double p) {
  if (std::isnan(p) || (p >= 0.0 && p <= 100.0)) return nullptr;
  return "invalid percentage argument: it must be between 0 and 100";
}

Value f(double x) { return make_float(x); }

} // namespace

const char* step_more_state(TaState& state, StateKind kind, const Value* a, Value* r, const Value* g) {
  const double high = g[kHigh].f;
  const double low = g[kLow].f;
  const double close = g[kClose].f;
  const double volume = g[kVolume].f;
  switch (kind) {
    case StateKind::CUM: r[0] = f(std::get<ta::Cum>(state).step(a[0].f)); break;
    case StateKind::MOM: return step_src_length<ta::Change>(state, a, r);
    case StateKind::ROC: return step_src_length<ta::Roc>(state, a, r);
    case StateKind::BARSSINCE: r[0] = make_int(std::get<ta::BarsSince>(state).step(a[0].i != 0)); break;
    case StateKind::VALUEWHEN:
    case StateKind::VALUEWHEN_I: {
      const std::int64_t occ = a[2].i;
      if (occ != kIntNa && occ < 0) return "invalid occurrence argument: it must be at least 0";
      if (occ != kIntNa && occ >= ta::kMaxLength) return "invalid occurrence argument: it is larger than 999999";
      if (kind == StateKind::VALUEWHEN)
        r[0] = f(std::get<ta::ValueWhen<double>>(state).step(a[0].i != 0, a[1].f, occ == kIntNa ? -1 : occ));
      else
        r[0] = make_int(std::get<ta::ValueWhen<std::int64_t>>(state).step(a[0].i != 0, a[1].i, occ == kIntNa ? -1 : occ));
      break;
    }
    case StateKind::VWMA:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Vwma>(state).step(a[0].f, volume, a[1].i));
      break;
    case StateKind::SWMA: r[0] = f(std::get<ta::Swma>(state).step(a[0].f)); break;
    case StateKind::HMA: return step_src_length<ta::Hma>(state, a, r);
    case StateKind::ALMA:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Alma>(state).step(a[0].f, a[1].i, a[2].f, a[3].f, a[4].i != 0));
      break;
    case StateKind::LINREG:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Linreg>(state).step(a[0].f, a[1].i, a[2].i));
      break;
    case StateKind::CCI:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Dev>(state).step_cci(a[0].f, a[1].i));
      break;
    case StateKind::DEV:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Dev>(state).step(a[0].f, a[1].i).dev);
      break;
    case StateKind::CMO: return step_src_length<ta::Cmo>(state, a, r);
    case StateKind::MFI:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Mfi>(state).step(a[0].f, volume, a[1].i));
      break;
    case StateKind::TSI:
      if (const char* e = length_error(a[1].i)) return e;
      if (const char* e = length_error(a[2].i)) return e;
      r[0] = f(std::get<ta::Tsi>(state).step(a[0].f, a[1].i, a[2].i));
      break;
    case StateKind::WPR:
      if (const char* e = length_error(a[0].i)) return e;
      r[0] = f(std::get<ta::Wpr>(state).step(high, low, close, a[0].i));
      break;
    case StateKind::COG: return step_src_length<ta::Cog>(state, a, r);
    case StateKind::MEDIAN: return step_src_length<ta::Median>(state, a, r);
    case StateKind::MODE: return step_src_length<ta::Mode>(state, a, r);
    case StateKind::RANGE: return step_src_length<ta::Range>(state, a, r);
    case StateKind::RISING: return step_src_length<ta::Trend<true>>(state, a, r);
    case StateKind::FALLING: return step_src_length<ta::Trend<false>>(state, a, r);
    case StateKind::HIGHESTBARS: return step_src_length<ta::ExtremeBars<true>>(state, a, r);
    case StateKind::LOWESTBARS: return step_src_length<ta::ExtremeBars<false>>(state, a, r);
    case StateKind::HIGHESTBARS_H:
      if (const char* e = length_error(a[0].i)) return e;
      r[0] = make_int(std::get<ta::ExtremeBars<true>>(state).step(high, a[0].i));
      break;
    case StateKind::LOWESTBARS_L:
      if (const char* e = length_error(a[0].i)) return e;
      r[0] = make_int(std::get<ta::ExtremeBars<false>>(state).step(low, a[0].i));
      break;
    case StateKind::MAX: r[0] = f(std::get<ta::AllTime<true>>(state).step(a[0].f)); break;
    case StateKind::MIN: r[0] = f(std::get<ta::AllTime<false>>(state).step(a[0].f)); break;
    case StateKind::STOCH:
      if (const char* e = length_error(a[3].i)) return e;
      r[0] = f(std::get<ta::Stoch>(state).step(a[0].f, a[1].f, a[2].f, a[3].i));
      break;
    case StateKind::BB: {
      if (const char* e = length_error(a[1].i)) return e;
      const ta::Bb::Result b = std::get<ta::Bb>(state).step(a[0].f, a[1].i, a[2].f);
      r[0] = f(b.basis);
      r[1] = f(b.upper);
      r[2] = f(b.lower);
      break;
    }
    case StateKind::BBW:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Bb>(state).step_width(a[0].f, a[1].i, a[2].f));
      break;
    case StateKind::KC: {
      if (const char* e = length_error(a[1].i)) return e;
      const ta::Bb::Result k = std::get<ta::Kc>(state).step(a[0].f, a[1].i, a[2].f, a[3].i != 0, high, low, close);
      r[0] = f(k.basis);
      r[1] = f(k.upper);
      r[2] = f(k.lower);
      break;
    }
    case StateKind::KCW:
      if (const char* e = length_error(a[1].i)) return e;
      r[0] = f(std::get<ta::Kc>(state).step_width(a[0].f, a[1].i, a[2].f, a[3].i != 0, high, low, close));
      break;
    case StateKind::CORRELATION:
      if (const char* e = length_error(a[2].i)) return e;
      r[0] = f(std::get<ta::Correlation>(state).step(a[0].f, a[1].f, a[2].i));
      break;
    case StateKind::PERCENTRANK: return step_src_length<ta::PercentRank>(state, a, r);
    case StateKind::PERCENTILE_LINEAR:
      if (const char* e = length_error(a[1].i)) return e;
      if (const char* e = bad_percentage(a[2].f)) return e;
      r[0] = f(std::get<ta::PercentileLinear>(state).step(a[0].f, a[1].i, a[2].f));
      break;
    case StateKind::PERCENTILE_NEAREST:
      if (const char* e = length_error(a[1].i)) return e;
      if (const char* e = bad_percentage(a[2].f)) return e;
      r[0] = f(std::get<ta::PercentileNearest>(state).step(a[0].f, a[1].i, a[2].f));
      break;
    case StateKind::PIVOTHIGH:
      if (const char* e = bad_strengths(a[1].i, a[2].i)) return e;
      r[0] = f(std::get<ta::PivotHigh>(state).step(a[0].f, a[1].i, a[2].i));
      break;
    case StateKind::PIVOTLOW:
      if (const char* e = bad_strengths(a[1].i, a[2].i)) return e;
      r[0] = f(std::get<ta::PivotLow>(state).step(a[0].f, a[1].i, a[2].i));
      break;
    case StateKind::PIVOTHIGH_H:
      if (const char* e = bad_strengths(a[0].i, a[1].i)) return e;
      r[0] = f(std::get<ta::PivotHigh>(state).step(high, a[0].i, a[1].i));
      break;
    case StateKind::PIVOTLOW_L:
      if (const char* e = bad_strengths(a[0].i, a[1].i)) return e;
      r[0] = f(std::get<ta::PivotLow>(state).step(low, a[0].i, a[1].i));
      break;
    case StateKind::SUPERTREND: {
      if (const char* e = length_error(a[1].i)) return e;
      const ta::Supertrend::Result s =
          std::get<ta::Supertrend>(state).step(a[0].f, a[1].i, g[kHl2].f, high, low, close);
      r[0] = f(s.line);
      r[1] = make_int(s.direction);
      break;
    }
    case StateKind::DMI: {
      if (const char* e = length_error(a[0].i)) return e;
      if (const char* e = length_error(a[1].i)) return e;
      const ta::Dmi::Result d = std::get<ta::Dmi>(state).step(a[0].i, a[1].i, high, low, close);
      r[0] = f(d.plus);
      r[1] = f(d.minus);
      r[2] = f(d.adx);
      break;
    }
    case StateKind::SAR: r[0] = f(std::get<ta::Sar>(state).step(a[0].f, a[1].f, a[2].f, high, low, close)); break;
    case StateKind::VWAP: {
      ta::Vwap& v = std::get<ta::Vwap>(state);
      r[0] = f(v.step(a[0].f, v.day_anchor(g[kTime].i), volume, 0.0).vwap);
      break;
    }
    case StateKind::VWAP_ANCHOR: r[0] = f(std::get<ta::Vwap>(state).step(a[0].f, a[1].i != 0, volume, 0.0).vwap); break;
    case StateKind::VWAP_BANDS: {
      const ta::Vwap::Result v = std::get<ta::Vwap>(state).step(a[0].f, a[1].i != 0, volume, a[2].f);
      r[0] = f(v.vwap);
      r[1] = f(v.upper);
      r[2] = f(v.lower);
      break;
    }
    case StateKind::OBV: r[0] = f(std::get<ta::VolumeVars>(state).obv(close, volume)); break;
    case StateKind::ACCDIST: r[0] = f(std::get<ta::VolumeVars>(state).accdist(high, low, close, volume)); break;
    case StateKind::NVI: r[0] = f(std::get<ta::VolumeVars>(state).nvi(close, volume)); break;
    case StateKind::PVI: r[0] = f(std::get<ta::VolumeVars>(state).pvi(close, volume)); break;
    case StateKind::PVT: r[0] = f(std::get<ta::VolumeVars>(state).pvt(close, volume)); break;
    case StateKind::WAD: r[0] = f(std::get<ta::VolumeVars>(state).wad(high, low, close)); break;
    case StateKind::III: r[0] = f((2.0 * close - high - low) / ((high - low) * volume)); break;
    case StateKind::WVAD: r[0] = f((close - g[kOpen].f) / (high - low) * volume); break;
    case StateKind::RCI: return step_src_length<ta::Rci>(state, a, r);
    case StateKind::PIVOT_LEVELS: {
      // a[0] is PIVOT_TYPE's code; a hostile program could pass anything.
      const std::int64_t code = a[0].i;
      if (code < 0 || code > static_cast<std::int64_t>(ta::PivotType::Camarilla))
        return "invalid type argument of ta.pivot_point_levels";
      const auto type = static_cast<ta::PivotType>(code);
      const bool developing = a[2].i != 0;
      if (developing && type == ta::PivotType::Woodie)
        return "ta.pivot_point_levels cannot develop \"Woodie\" levels: they need the period's open, known only "
               "when the period starts (pass developing=false)";
      const ta::PivotLevelArray levels = std::get<ta::PivotLevels>(state).step(
          type, a[1].i != 0, developing, g[kOpen].f, high, low, close);
      for (std::size_t i = 0; i < levels.size(); ++i) r[i] = f(levels[i]);
      break;
    }
    default: return "invalid builtin state";
  }
  return nullptr;
}

} // namespace pine
