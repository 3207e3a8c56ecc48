// The ta.* structs of ta_more.h / ta_extra.h against independent references.
//
// Every reference below recomputes its window from scratch on every bar, in
// long double, from the plain list of inputs (non-na values only for the
// "na ignored" functions, every input for the "na included" ones; spec 5.2).
// Recursive indicators (tsi, kc, dmi, supertrend, sar, nvi/pvi) have no
// window: their references are the textbook recursions written again here.
// Nothing is shared with vm/src/builtins. The bars are a seeded random walk
// on a 0.01 tick (so ties occur) with na runs in close, high/low and volume;
// 6,000 bars; agreement within 1e-10 relative.
// Set PINEVM_TA_REPORT=1 to print the measured maximum relative errors.
#include <doctest/doctest.h>

#include "ta_state.h"
#include "vm/ta_more_reference.h"

using namespace pine::ta;
using namespace ta_ref;

TEST_CASE("more ta: cum mom roc barssince valuewhen") {
  const Bars& b = bars();
  for (std::int64_t n : {1, 3, 20}) {
    Change mom;
    Roc roc;
    Series gm, gr;
    for (double x : b.close) {
      gm.push_back(mom.step(x, n));
      gr.push_back(roc.step(x, n));
    }
    const auto N = static_cast<std::size_t>(n);
    compare("mom", gm, each_bar([&](std::size_t t) { return t < N ? kNa : b.close[t] - b.close[t - N]; }));
    compare("roc", gr, each_bar([&](std::size_t t) {
              return t < N ? kNa : static_cast<double>(LD{100} * (LD{b.close[t]} - b.close[t - N]) / b.close[t - N]);
            }));
  }
  Cum cum;
  Series gc;
  for (double x : b.close) gc.push_back(cum.step(x));
  compare("cum", gc, each_bar([&](std::size_t t) {
            if (na(b.close[t])) return kNa;
            LD s = 0;
            for (std::size_t k = 0; k <= t; ++k)
              if (!na(b.close[k])) s += b.close[k];
            return static_cast<double>(s);
          }));

  // cond: the close rose; barssince and valuewhen of the high for occurrences 0..3.
  std::vector<bool> cond(kBars);
  for (std::size_t t = 1; t < kBars; ++t) cond[t] = b.close[t] > b.close[t - 1];
  BarsSince bs;
  Series gb;
  for (std::size_t t = 0; t < kBars; ++t) {
    const std::int64_t v = bs.step(cond[t]);
    gb.push_back(v == pine::kIntNa ? kNa : static_cast<double>(v));
  }
  compare("barssince", gb, each_bar([&](std::size_t t) {
            for (std::size_t k = t + 1; k-- > 0;)
              if (cond[k]) return static_cast<double>(t - k);
            return kNa;
          }));
  for (std::int64_t occ : {0, 1, 3}) {
    ValueWhen<double> vw;
    Series gv;
    for (std::size_t t = 0; t < kBars; ++t) gv.push_back(vw.step(cond[t], b.high[t], occ));
    // na sources on a true bar are recorded as na: compare on defined bars only
    // where the reference is defined, and na where the reference is na.
    compare("valuewhen", gv, each_bar([&](std::size_t t) {
              std::int64_t seen = 0;
              for (std::size_t k = t + 1; k-- > 0;)
                if (cond[k] && seen++ == occ) return b.high[k];
              return kNa;
            }));
  }
}

TEST_CASE("more ta: vwma swma hma alma linreg") {
  const Bars& b = bars();
  // Pairs (close, volume) where both are defined.
  Series pair_src(kBars), pair_vol(kBars);
  for (std::size_t t = 0; t < kBars; ++t) {
    const bool ok = !na(b.close[t]) && !na(b.volume[t]);
    pair_src[t] = ok ? b.close[t] * b.volume[t] : kNa;
    pair_vol[t] = ok ? b.volume[t] : kNa;
  }
  for (std::size_t n : {1u, 5u, 20u}) {
    Vwma vw;
    Series g;
    for (std::size_t t = 0; t < kBars; ++t) g.push_back(vw.step(b.close[t], b.volume[t], static_cast<std::int64_t>(n)));
    compare("vwma", g, each_bar([&](std::size_t t) {
              const auto pv = compact_window(pair_src, t, n);
              const auto v = compact_window(pair_vol, t, n);
              return pv.empty() ? kNa : static_cast<double>(sum(pv) / sum(v));
            }));
  }
  Swma sw;
  Series gs;
  for (double x : b.close) gs.push_back(sw.step(x));
  compare("swma", gs, each_bar([&](std::size_t t) {
            const auto w = raw_window(b.close, t, 4);
            if (w.empty() || std::any_of(w.begin(), w.end(), na)) return kNa;
            return static_cast<double>((LD{w[0]} + 2 * LD{w[1]} + 2 * LD{w[2]} + w[3]) / 6);
          }));

  // wma from scratch over a compacted window.
  const auto wma_at = [](const Series& src, std::size_t t, std::size_t n) {
    const auto w = compact_window(src, t, n);
    if (w.empty()) return kNa;
    LD s = 0;
    for (std::size_t i = 0; i < n; ++i) s += w[i] * static_cast<LD>(i + 1);
    return static_cast<double>(s / (LD(n) * (n + 1) / 2));
  };
  for (std::size_t n : {4u, 9u, 16u, 25u}) {
    Hma h;
    Series g;
    for (double x : b.close) g.push_back(h.step(x, static_cast<std::int64_t>(n)));
    const Series inner = each_bar([&](std::size_t t) {
      const double half = wma_at(b.close, t, n / 2), full = wma_at(b.close, t, n);
      return na(half) || na(full) ? kNa : 2 * half - full;
    });
    const auto root = static_cast<std::size_t>(std::sqrt(static_cast<double>(n)));
    compare("hma", g, each_bar([&](std::size_t t) { return na(b.close[t]) ? kNa : wma_at(inner, t, root); }));
  }

  for (const auto& [n, offset, sigma, fl] : std::vector<std::tuple<std::size_t, double, double, bool>>{
           {9, 0.85, 6.0, false}, {10, 0.55, 12.0, true}, {1, 0.85, 6.0, false}}) {
    Alma a;
    Series g;
    for (double x : b.close) g.push_back(a.step(x, static_cast<std::int64_t>(n), offset, sigma, fl));
    compare("alma", g, each_bar([&](std::size_t t) {
              const auto w = raw_window(b.close, t, n);
              if (w.empty() || std::any_of(w.begin(), w.end(), na)) return kNa;
              const LD m = fl ? std::floor(offset * (n - 1)) : offset * (n - 1);
              const LD s = LD(n) / sigma;
              LD num = 0, den = 0;
              for (std::size_t i = 0; i < n; ++i) {
                const LD wt = std::exp(-(i - m) * (i - m) / (2 * s * s));
                num += wt * w[i];
                den += wt;
              }
              return static_cast<double>(num / den);
            }));
  }

  for (const auto& [n, off] : std::vector<std::pair<std::size_t, std::int64_t>>{{1, 0}, {2, 0}, {14, 0}, {20, 3}, {9, -2}}) {
    Linreg lr;
    Series g;
    for (double x : b.close) g.push_back(lr.step(x, static_cast<std::int64_t>(n), off));
    compare("linreg", g, each_bar([&](std::size_t t) {
              const auto w = raw_window(b.close, t, n);
              if (w.empty() || std::any_of(w.begin(), w.end(), na)) return kNa;
              if (n == 1) return w[0];
              LD mx = (LD(n) - 1) / 2, my = 0;
              for (double y : w) my += y;
              my /= n;
              LD sxy = 0, sxx = 0;
              for (std::size_t i = 0; i < n; ++i) {
                sxy += (i - mx) * (w[i] - my);
                sxx += (i - mx) * (i - mx);
              }
              const LD slope = sxy / sxx;
              return static_cast<double>(my + slope * (LD(n) - 1 - off - mx));
            }));
  }
}

TEST_CASE("more ta: dev cci cog cmo mfi tsi") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 2u, 10u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Dev dev, cci;
    Cog cog;
    Cmo cmo;
    Series gd, gc, gg, gm;
    for (double x : b.close) {
      gd.push_back(dev.step(x, N).dev);
      gc.push_back(cci.step_cci(x, N));
      gg.push_back(cog.step(x, N));
      gm.push_back(cmo.step(x, N));
    }
    const auto mad = [&](std::size_t t, LD& mean) {
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return LD(kNa);
      mean = sum(w) / n;
      LD s = 0;
      for (LD y : w) s += std::fabs(y - mean);
      return s / n;
    };
    compare("dev", gd, each_bar([&](std::size_t t) {
              LD m = 0;
              return static_cast<double>(mad(t, m));
            }));
    // cci: tolerance relative to max(|cci|, 1) since cci passes through 0.
    // On a flat window the exact deviation is 0 (na), but the struct's sma
    // carries a rounding residue (TradingView's compensated sum does too), so
    // its result there is a ratio of residues: those bars are left out.
    const Series want_cci = each_bar([&](std::size_t t) {
      LD m = 0;
      const LD d = mad(t, m);
      if (std::isnan(d) || d == 0) return kNa;
      return static_cast<double>((b.close[t] - m) / (LD(0.015) * d));
    });
    for (std::size_t t = 0; t < kBars; ++t)
      if (na(want_cci[t]) && !na(gd[t])) gc[t] = kNa;
    if (n > 1) compare("cci", gc, want_cci, 1.0);
    compare("cog", gg, each_bar([&](std::size_t t) {
              const auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              LD num = 0;
              for (std::size_t i = 0; i < n; ++i) num += w[n - 1 - i] * static_cast<LD>(i + 1);
              return static_cast<double>(-num / sum(w));
            }));
    // cmo: one-bar changes of the raw close (na when either is na), then the
    // last n defined changes.
    const Series chg = each_bar([&](std::size_t t) { return t == 0 ? kNa : b.close[t] - b.close[t - 1]; });
    compare("cmo", gm, each_bar([&](std::size_t t) {
              const auto w = compact_window(chg, t, n);
              if (w.empty()) return kNa;
              LD up = 0, down = 0;
              for (LD m : w) (m >= -1e-10 ? up : down) += std::fabs(m);
              if (up + down == 0) return kNa;
              return static_cast<double>(100 * (up - down) / (up + down));
            }), 1.0);
  }

  // mfi: changes between consecutive non-na closes; entries on bars where the
  // volume is defined too; the first entry counts in both sums.
  const Compact cc = compact(b.close);
  for (std::size_t n : {1u, 14u}) {
    Mfi mfi;
    Series g;
    for (std::size_t t = 0; t < kBars; ++t) g.push_back(mfi.step(b.close[t], b.volume[t], static_cast<std::int64_t>(n)));
    Series want(kBars, kNa);
    std::vector<std::pair<LD, LD>> flows; // (upper, lower) per entry
    for (std::size_t j = 0; j < cc.v.size(); ++j) {
      const std::size_t t = cc.bar[j];
      const double vol = b.volume[t];
      if (na(vol)) continue;
      const double src = cc.v[j];
      const bool first = j == 0;
      const double chg = first ? 0 : src - cc.v[j - 1];
      flows.push_back({(first || chg > 1e-10) ? LD{vol} * src : 0, (first || chg < -1e-10) ? LD{vol} * src : 0});
      if (flows.size() < n) continue;
      LD up = 0, lo = 0;
      for (std::size_t k = flows.size() - n; k < flows.size(); ++k) {
        up += flows[k].first;
        lo += flows[k].second;
      }
      want[t] = lo == 0 ? 100.0 : static_cast<double>(100 - 100 / (1 + up / lo));
    }
    compare("mfi", g, want);
  }

  // tsi over the changes between consecutive non-na closes.
  Series mom(kBars, kNa), amom(kBars, kNa);
  for (std::size_t j = 1; j < cc.v.size(); ++j) {
    mom[cc.bar[j]] = cc.v[j] - cc.v[j - 1];
    amom[cc.bar[j]] = std::fabs(mom[cc.bar[j]]);
  }
  Tsi tsi;
  Series g;
  for (double x : b.close) g.push_back(tsi.step(x, 13, 25));
  const Series num = ref_smoothed(ref_smoothed(mom, 25, false), 13, false);
  const Series den = ref_smoothed(ref_smoothed(amom, 25, false), 13, false);
  compare("tsi", g, each_bar([&](std::size_t t) { return num[t] / den[t]; }), 1.0);
}

TEST_CASE("more ta: median mode range highestbars lowestbars rising falling max min") {
  const Bars& b = bars();
  for (std::size_t n : {1u, 2u, 7u, 20u}) {
    const auto N = static_cast<std::int64_t>(n);
    Median med;
    Mode mode;
    Range range;
    ExtremeBars<true> hb;
    ExtremeBars<false> lb;
    Trend<true> up;
    Trend<false> down;
    Series gmed, gmode, grange, ghb, glb, gup, gdown;
    for (double x : b.close) {
      gmed.push_back(med.step(x, N));
      gmode.push_back(mode.step(x, N));
      grange.push_back(range.step(x, N));
      const std::int64_t h = hb.step(x, N), l = lb.step(x, N);
      ghb.push_back(h == pine::kIntNa ? kNa : static_cast<double>(h));
      glb.push_back(l == pine::kIntNa ? kNa : static_cast<double>(l));
      gup.push_back(up.step(x, N) ? 1 : 0);
      gdown.push_back(down.step(x, N) ? 1 : 0);
    }
    compare("median", gmed, each_bar([&](std::size_t t) {
              auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              std::sort(w.begin(), w.end());
              return static_cast<double>(n % 2 ? w[n / 2] : (w[n / 2 - 1] + w[n / 2]) / 2);
            }));
    compare("mode", gmode, each_bar([&](std::size_t t) {
              const auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              LD best = 0;
              std::size_t best_count = 0;
              for (LD v : w) {
                const auto c = static_cast<std::size_t>(std::count(w.begin(), w.end(), v));
                if (c > best_count || (c == best_count && v < best)) {
                  best = v;
                  best_count = c;
                }
              }
              return static_cast<double>(best);
            }));
    compare("range", grange, each_bar([&](std::size_t t) {
              const auto w = compact_window(b.close, t, n);
              if (w.empty()) return kNa;
              return static_cast<double>(*std::max_element(w.begin(), w.end()) - *std::min_element(w.begin(), w.end()));
            }));
    // Offsets in values of the compacted window; ties go to the oldest.
    const auto bars_of = [&](std::size_t t, bool hi) {
      const auto w = compact_window(b.close, t, n);
      if (w.empty()) return kNa;
      std::size_t best = 0;
      for (std::size_t i = 1; i < n; ++i)
        if (hi ? w[i] > w[best] : w[i] < w[best]) best = i;
      return -static_cast<double>(n - 1 - best);
    };
    compare("highestbars", ghb, each_bar([&](std::size_t t) { return bars_of(t, true); }), 1.0);
    compare("lowestbars", glb, each_bar([&](std::size_t t) { return bars_of(t, false); }), 1.0);
    // rising/falling: the last n steps of the compacted series all move by
    // more than 1e-10 (false on na bars).
    const auto trend = [&](std::size_t t, bool rise) {
      const auto w = compact_window(b.close, t, n + 1);
      if (w.empty()) return 0.0;
      for (std::size_t i = 1; i <= n; ++i)
        if (!((rise ? w[i] - w[i - 1] : w[i - 1] - w[i]) > 1e-10)) return 0.0;
      return 1.0;
    };
    compare("rising", gup, each_bar([&](std::size_t t) { return trend(t, true); }), 1.0);
    compare("falling", gdown, each_bar([&](std::size_t t) { return trend(t, false); }), 1.0);
  }
  AllTime<true> mx;
  AllTime<false> mn;
  Series gmx, gmn;
  for (double x : b.close) {
    gmx.push_back(mx.step(x));
    gmn.push_back(mn.step(x));
  }
  const auto all_time = [&](std::size_t t, bool hi) {
    double best = kNa;
    for (std::size_t k = 0; k <= t; ++k)
      if (!na(b.close[k]) && (na(best) || (hi ? b.close[k] > best : b.close[k] < best))) best = b.close[k];
    return best;
  };
  compare("max", gmx, each_bar([&](std::size_t t) { return all_time(t, true); }));
  compare("min", gmn, each_bar([&](std::size_t t) { return all_time(t, false); }));
}

TEST_CASE("more ta: the per-bar variables ta.iii and ta.wvad through the VM's dispatch") {
  // They have no state struct: step_state computes them from the bar in the
  // main frame's built-in slots, which this test fills bar by bar. The
  // reference is the reference manual's formula in long double.
  using pine::BuiltinVar;
  const Bars& b = bars();
  std::vector<pine::Value> globals(static_cast<std::size_t>(BuiltinVar::Count));
  auto set = [&](BuiltinVar v, double x) { globals[static_cast<std::size_t>(v)] = pine::make_float(x); };
  for (pine::StateKind kind : {pine::StateKind::III, pine::StateKind::WVAD}) {
    const bool iii = kind == pine::StateKind::III;
    pine::TaState state;
    pine::init_ta_state(state, kind);
    const Series got = each_bar([&](std::size_t t) {
      set(BuiltinVar::OPEN, b.open[t]);
      set(BuiltinVar::HIGH, b.high[t]);
      set(BuiltinVar::LOW, b.low[t]);
      set(BuiltinVar::CLOSE, b.close[t]);
      set(BuiltinVar::VOLUME, b.volume[t]);
      pine::Value out{};
      REQUIRE(pine::step_state(state, kind, nullptr, &out, globals.data()) == nullptr);
      return out.f;
    });
    const Series want = each_bar([&](std::size_t t) {
      const LD o = b.open[t], h = b.high[t], l = b.low[t], c = b.close[t], v = b.volume[t];
      if (na(b.high[t]) || na(b.low[t]) || na(b.close[t]) || na(b.volume[t]) || h == l) return kNa;
      return static_cast<double>(iii ? (2 * c - h - l) / ((h - l) * v) : (c - o) / (h - l) * v);
    });
    compare(iii ? "iii" : "wvad", got, want);
  }
}
