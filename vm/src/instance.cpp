// Instance lifecycle: layout, the bar driver and string collection.
#include "pine/vm/instance.h"

#include <new>
#include <stdexcept>
#include <utility>

#include "instance_state.h"
#include "interpreter.h"
#include "pine/vm/calendar.h"

namespace pine {

namespace {

/// The built-in slots `p` can read, one bit per BuiltinVar. Bytecode is the
/// only reader of a built-in slot except the ones C++ builtins read
/// themselves: OHLCV, time and bar_index (always loaded, not tracked here)
/// and hl2, which ta.supertrend's handler reads (TaStep<SUPERTREND> in
/// builtins/ta_trend.h). Keep this function in step with any new C++ reader. Conservative on purpose: in the
/// main function any operand whose value is a built-in slot counts, whatever
/// its role (a constant index or jump target may cause a false positive,
/// which only costs time), and an argument block counts as reading every slot
/// from its start up; other functions reach the main frame only through
/// GETGLOBAL; LOADSOURCE may select any source.
std::uint32_t readable_builtins(const Program& p) {
  static_assert(kBuiltinVarSlots <= 32, "one bit per built-in slot");
  const auto bit = [](BuiltinVar v) { return std::uint32_t{1} << static_cast<unsigned>(v); };
  const auto slot_bit = [](std::uint16_t x) { return x < kBuiltinVarSlots ? std::uint32_t{1} << x : 0u; };
  const auto from = [](std::uint16_t x) { return x < kBuiltinVarSlots ? ~((std::uint32_t{1} << x) - 1) : 0u; };
  std::uint32_t sources = 0;
  for (std::uint16_t v = 0; v < kBuiltinVarSlots; ++v)
    if (is_source_var(v)) sources |= std::uint32_t{1} << v;
  std::uint32_t mask = 0;
  for (std::size_t f = 0; f < p.functions.size(); ++f) {
    for (StateKind k : p.functions[f].states)
      if (k == StateKind::SUPERTREND) mask |= bit(BuiltinVar::HL2);
    for (const Instr& in : p.functions[f].code) {
      if (in.op == Opcode::LOADSOURCE) mask |= sources;
      if (f != 0) {
        if (in.op == Opcode::GETGLOBAL) mask |= slot_bit(in.b);
        continue;
      }
      mask |= slot_bit(in.a) | slot_bit(in.b) | slot_bit(in.c);
      switch (in.op) {
        case Opcode::CALL: case Opcode::BUILTIN: case Opcode::TA: case Opcode::COLL: case Opcode::STRFORMAT:
        case Opcode::RANDOM:
          mask |= from(in.b);
          break;
        case Opcode::NEWOBJ: mask |= from(in.c); break;
        default: break;
      }
    }
  }
  return mask;
}

/// The bits of the built-in slots `first`..`last` (BuiltinVar order).
constexpr std::uint32_t slot_range(BuiltinVar first, BuiltinVar last) {
  std::uint32_t m = 0;
  for (auto v = static_cast<unsigned>(first); v <= static_cast<unsigned>(last); ++v) m |= std::uint32_t{1} << v;
  return m;
}

} // namespace

RuntimeError::RuntimeError(const std::string& message, std::int64_t bar_index, std::uint32_t line)
    : std::runtime_error(message), message_(message), bar_index_(bar_index), line_(line) {}

LayoutTotals InstanceState::plan_layout() {
  const Program& p = *program;
  frames.clear();
  children.clear();
  LayoutTotals t;
  std::vector<std::uint32_t> depth;
  // Breadth-first expansion of the call tree: frame i's children are created
  // when frame i is visited, so the numbering is deterministic.
  auto add_frame = [&](std::uint32_t function, std::uint32_t d) {
    if (frames.size() >= kMaxFrames) throw ProgramError("program expands to more than 65536 function instances");
    if (d > kMaxUserCallDepth)
      throw ProgramError("user function calls nest deeper than " + std::to_string(kMaxUserCallDepth) + " levels");
    const FunctionProto& f = p.functions[function];
    FrameInfo fr;
    fr.function = function;
    fr.slot_base = static_cast<std::uint32_t>(t.slots);
    fr.series_base = static_cast<std::uint32_t>(t.series);
    fr.state_base = static_cast<std::uint32_t>(t.states);
    fr.child_base = static_cast<std::uint32_t>(children.size());
    t.slots += f.num_slots;
    t.series += f.series.size();
    t.states += f.states.size();
    for (const SeriesDecl& s : f.series) t.series_values += s.capacity;
    // Checked per frame, so the totals never get near the 32-bit bases.
    if (t.slots > kMaxSlotsTotal) throw ProgramError("program needs too many slots");
    if (t.series > kMaxSeriesTotal) throw ProgramError("program needs more than 65536 series");
    if (t.series_values > kMaxSeriesValuesTotal) throw ProgramError("program's series need more than 2^25 values of history");
    if (t.states > kMaxStatesTotal) throw ProgramError("program needs more than 65536 builtin states");
    children.resize(children.size() + f.call_sites.size());
    frames.push_back(fr);
    depth.push_back(d);
  };
  add_frame(0, 0);
  for (std::size_t i = 0; i < frames.size(); ++i) {
    const FunctionProto& f = p.functions[frames[i].function];
    for (std::size_t c = 0; c < f.call_sites.size(); ++c) {
      const std::uint32_t child = static_cast<std::uint32_t>(frames.size());
      add_frame(f.call_sites[c], depth[i] + 1);
      children[frames[i].child_base + c] = child;
    }
  }
  return t;
}

void InstanceState::lay_out() {
  const Program& p = *program;
  const LayoutTotals t = plan_layout();
  slots.assign(t.slots, Value{});
  series.assign(t.series, SeriesRing{});
  states.assign(t.states, TaState{});
  for (const FrameInfo& fr : frames) {
    const FunctionProto& f = p.functions[fr.function];
    for (std::size_t s = 0; s < f.series.size(); ++s)
      series[fr.series_base + s].init(f.series[s].capacity, na_value(f.series[s].type));
    for (std::size_t s = 0; s < f.states.size(); ++s) init_ta_state(states[fr.state_base + s], f.states[s]);
    // A var reference is na until its initialiser runs (slot 0 would name an object).
    for (std::uint16_t s : f.ref_slots) slots[fr.slot_base + s].i = kRefNa;
  }
  plot_values.assign(p.plots.size(), Value{});
  plot_na.clear();
  for (const PlotInfo& plot : p.plots) plot_na.push_back(na_value(plot.type));
}

Instance::Instance(std::shared_ptr<const Program> program, InstanceConfig config)
    : state_(std::make_unique<InstanceState>()) {
  InstanceState& st = *state_;
  st.program = std::move(program);
  st.config = std::move(config);
  const Program& p = *st.program;
  if (st.config.input_values.size() != p.inputs.size() || st.config.input_strings.size() != p.inputs.size())
    throw ProgramError("instance configuration does not match the program's inputs");
  st.lay_out();
  const std::uint32_t readable = readable_builtins(p);
  st.loads_prices = (readable & slot_range(BuiltinVar::HL2, BuiltinVar::HLCC4)) != 0;
  st.loads_barstate = (readable & (slot_range(BuiltinVar::LAST_BAR_INDEX, BuiltinVar::IS_NEW) |
                                   slot_range(BuiltinVar::LAST_BAR_TIME, BuiltinVar::IS_LAST_CONFIRMED_HISTORY))) != 0;
  st.loads_calendar = (readable & slot_range(BuiltinVar::YEAR, BuiltinVar::TIME_TRADINGDAY)) != 0;
  // String inputs become constants placed after the program's own strings.
  std::vector<std::string> constants = p.strings;
  st.inputs = st.config.input_values;
  for (std::size_t i = 0; i < p.inputs.size(); ++i) {
    // A source input indexes the main frame: it must name a float built-in.
    if (p.inputs[i].kind == InputKind::Source && !is_source_var(st.inputs[i].u))
      throw ProgramError("input '" + p.inputs[i].title + "' does not select a built-in source series");
    if (p.inputs[i].kind != InputKind::String) continue;
    st.inputs[i] = make_int(static_cast<std::int64_t>(constants.size()));
    constants.push_back(st.config.input_strings[i]);
  }
  // syminfo.*/timeframe.* strings follow, as constants too.
  st.context = make_chart_context(st.config, constants);
  st.strings.init(std::move(constants));
  if (p.strategy) {
    try {
      st.broker = std::make_unique<Broker>(*p.strategy, st.config.syminfo, st.context.tz);
    } catch (const std::invalid_argument& e) {
      throw ProgramError(e.what());
    }
  }
}

Instance::Instance(Instance&&) noexcept = default;
Instance& Instance::operator=(Instance&&) noexcept = default;
Instance::~Instance() = default;

const Program& Instance::program() const { return *state_->program; }
std::shared_ptr<const Program> Instance::program_ptr() const { return state_->program; }
const InstanceConfig& Instance::config() const { return state_->config; }
std::int64_t Instance::bars_processed() const { return state_->bars_processed; }
std::int64_t Instance::last_bar_time() const { return state_->last_bar_time; }
std::span<const Value> Instance::plot_values() const { return state_->plot_values; }
void Instance::set_last_bar_index(std::int64_t index) { state_->last_bar_index = index; }
void Instance::set_last_chart_bar_time(std::int64_t time) { state_->last_chart_bar_time = time; }
InstanceState& Instance::state() { return *state_; }
bool Instance::is_strategy() const { return state_->broker != nullptr; }
std::span<const TradeRecord> Instance::closed_trades() const {
  return state_->broker ? state_->broker->closed_trades() : std::span<const TradeRecord>();
}
std::span<const TradeRecord> Instance::open_trades() const {
  return state_->broker ? state_->broker->open_trades() : std::span<const TradeRecord>();
}

const StrategySettings& Instance::strategy_settings() const {
  if (!state_->broker) throw std::logic_error("the instance is not a strategy");
  return state_->broker->settings();
}

StrategyReport Instance::strategy_report() const {
  if (!state_->broker) throw std::logic_error("the instance is not a strategy");
  return state_->broker->report();
}

StrategySummary Instance::strategy_summary() const {
  if (!state_->broker) throw std::logic_error("the instance is not a strategy");
  const Broker& b = *state_->broker;
  const LedgerTotals& t = b.totals();
  StrategySummary s;
  s.initial_capital = b.settings().initial_capital;
  s.net_profit = t.netprofit;
  s.gross_profit = t.grossprofit;
  s.gross_loss = t.grossloss;
  s.last_close = state_->bars_processed > 0 ? b.bar().close : kFloatNa;
  s.open_profit = state_->bars_processed > 0 ? b.open_profit(s.last_close) : 0;
  s.equity = s.initial_capital + s.net_profit + s.open_profit;
  s.position_size = b.position_size();
  s.commission_paid = t.commission_paid;
  s.max_drawdown = t.max_drawdown;
  s.max_drawdown_percent = t.max_drawdown_percent;
  s.max_runup = t.max_runup;
  s.max_runup_percent = t.max_runup_percent;
  s.max_contracts_held_all = t.max_held_all;
  s.max_contracts_held_long = t.max_held_long;
  s.max_contracts_held_short = t.max_held_short;
  return s;
}
const InstanceState& Instance::state() const { return *state_; }

std::vector<LogRecord> Instance::take_logs() {
  std::vector<LogRecord> out;
  out.swap(state_->logs);
  state_->log_bytes = 0;
  return out;
}

std::string_view Instance::string_of(std::int64_t handle) const {
  if (handle == kStringNa) return "NaN";
  return state_->strings.get(handle);
}

namespace {

/// Loads the time built-ins of a bar opening at `time`: its calendar fields
/// in the exchange time zone, time_close (timenow is the same, see
/// docs/semantics.md) and time_tradingday. The day-level fields are cached
/// per local day, so a bar that opens on the same day as the previous one
/// costs a few integer divisions.
void load_time_variables(InstanceState& st, std::int64_t time) {
  Value* g = st.slots.data();
  auto set_i = [&](BuiltinVar v, std::int64_t x) { g[static_cast<std::size_t>(v)].i = x; };
  const ChartContext& ctx = st.context;
  const std::int64_t close = bar_close_time(ctx.timeframe, time, ctx.tz);
  set_i(BuiltinVar::TIME_CLOSE, close);
  set_i(BuiltinVar::TIMENOW, close);
  static constexpr BuiltinVar kDayFields[5] = {BuiltinVar::YEAR, BuiltinVar::MONTH, BuiltinVar::WEEKOFYEAR,
                                                BuiltinVar::DAYOFMONTH, BuiltinVar::DAYOFWEEK};
  if (time == kIntNa || time > kMaxCalendarMs || time < -kMaxCalendarMs) {
    for (BuiltinVar v : kDayFields) set_i(v, kIntNa);
    for (BuiltinVar v : {BuiltinVar::HOUR, BuiltinVar::MINUTE, BuiltinVar::SECOND, BuiltinVar::TIME_TRADINGDAY}) set_i(v, kIntNa);
    return;
  }
  const std::int64_t local = time + ctx.tz.offset_at(time);
  const std::int64_t day = floor_div(local, kMsPerDay);
  const std::int64_t ms_of_day = local - day * kMsPerDay;
  if (day != st.cached_local_day) {
    // The fields of the local day, read as a UTC date.
    static constexpr CalendarField kFields[5] = {CalendarField::Year, CalendarField::Month, CalendarField::WeekOfYear,
                                                 CalendarField::DayOfMonth, CalendarField::DayOfWeek};
    for (std::size_t i = 0; i < 5; ++i) st.cached_day_fields[i] = calendar_field(kFields[i], day * kMsPerDay, TimeZone());
    st.cached_local_day = day;
  }
  for (std::size_t i = 0; i < 5; ++i) set_i(kDayFields[i], st.cached_day_fields[i]);
  set_i(BuiltinVar::HOUR, ms_of_day / 3'600'000);
  set_i(BuiltinVar::MINUTE, ms_of_day / 60'000 % 60);
  set_i(BuiltinVar::SECOND, ms_of_day / 1000 % 60);
  // The trading day is the bar's local date; a weekly or monthly bar spans
  // several, and its last one counts (the day before its close).
  const bool multi_day = ctx.timeframe.unit == Timeframe::Unit::Weeks || ctx.timeframe.unit == Timeframe::Unit::Months;
  std::int64_t trading_day = trading_day_number(time, ctx.tz, st.config.syminfo.trading_day_start) * kMsPerDay;
  if (multi_day) trading_day = close == kIntNa ? kIntNa : floor_div(close - 1 + ctx.tz.offset_at(close - 1), kMsPerDay) * kMsPerDay;
  set_i(BuiltinVar::TIME_TRADINGDAY, trading_day);
}

/// Loads last_bar_index, last_bar_time and the barstate.* flags.
void load_barstate_variables(InstanceState& st) {
  Value* g = st.slots.data();
  auto set_i = [&](BuiltinVar v, std::int64_t x) { g[static_cast<std::size_t>(v)].i = x; };
  const std::int64_t index = st.bars_processed;
  set_i(BuiltinVar::LAST_BAR_INDEX, st.last_bar_index);
  set_i(BuiltinVar::IS_FIRST, index == 0);
  set_i(BuiltinVar::IS_LAST, st.last_bar_index != kIntNa && index == st.last_bar_index);
  set_i(BuiltinVar::IS_CONFIRMED, 1);
  set_i(BuiltinVar::IS_HISTORY, 1);
  set_i(BuiltinVar::IS_REALTIME, 0);
  set_i(BuiltinVar::IS_NEW, 1);
  // Every bar is historical and confirmed, so the last one is also the last
  // confirmed historical bar.
  set_i(BuiltinVar::IS_LAST_CONFIRMED_HISTORY, st.last_bar_index != kIntNa && index == st.last_bar_index);
  set_i(BuiltinVar::LAST_BAR_TIME, st.last_chart_bar_time);
}

/// Loads the built-in variables of `bar` into the main frame's fixed slots.
void load_bar_variables(InstanceState& st, const Bar& bar) {
  Value* g = st.slots.data();
  auto set_f = [&](BuiltinVar v, double x) { g[static_cast<std::size_t>(v)].f = x; };
  auto set_i = [&](BuiltinVar v, std::int64_t x) { g[static_cast<std::size_t>(v)].i = x; };
  const std::int64_t index = st.bars_processed;
  set_f(BuiltinVar::OPEN, bar.open);
  set_f(BuiltinVar::HIGH, bar.high);
  set_f(BuiltinVar::LOW, bar.low);
  set_f(BuiltinVar::CLOSE, bar.close);
  set_f(BuiltinVar::VOLUME, bar.volume);
  set_i(BuiltinVar::TIME, bar.time);
  set_i(BuiltinVar::BAR_INDEX, index);
  if (st.loads_prices) {
    set_f(BuiltinVar::HL2, (bar.high + bar.low) / 2);
    set_f(BuiltinVar::HLC3, (bar.high + bar.low + bar.close) / 3);
    set_f(BuiltinVar::OHLC4, (bar.open + bar.high + bar.low + bar.close) / 4);
    set_f(BuiltinVar::HLCC4, (bar.high + bar.low + 2 * bar.close) / 4);
  }
  if (st.loads_barstate) load_barstate_variables(st);
  if (st.loads_calendar) load_time_variables(st, bar.time);
}

/// Calls `fn` on every slot and series value of storage type `want`
/// (String or Ref) that can outlive the bar: `var` slots and series rings.
template <class Fn>
void for_each_root(InstanceState& st, Type want, Fn&& fn) {
  const Program& p = *st.program;
  for (const FrameInfo& fr : st.frames) {
    const FunctionProto& f = p.functions[fr.function];
    for (std::uint16_t s : want == Type::String ? f.string_slots : f.ref_slots) fn(st.slots[fr.slot_base + s].i);
    for (std::size_t s = 0; s < f.series.size(); ++s)
      if (f.series[s].type == want) st.series[fr.series_base + s].for_each_value([&](Value& v) { fn(v.i); });
  }
}

/// Reclaims unreachable heap objects, then strings no live variable, series,
/// plot value or object refers to. The heap goes first so that strings held
/// only by garbage objects are freed too.
void collect_garbage(InstanceState& st) {
  const Program& p = *st.program;
  std::vector<std::int64_t*> refs;
  for_each_root(st, Type::Ref, [&](std::int64_t& h) { refs.push_back(&h); });
  st.heap.collect(p, refs);
  std::vector<std::int64_t*> roots;
  for_each_root(st, Type::String, [&](std::int64_t& h) { roots.push_back(&h); });
  for (std::size_t i = 0; i < p.plots.size(); ++i)
    if (p.plots[i].type == Type::String) roots.push_back(&st.plot_values[i].i);
  st.heap.for_each_string(p, [&](std::int64_t& h) { roots.push_back(&h); });
  st.strings.collect(roots);
}

} // namespace

void Instance::run_bar(const Bar& bar) { run_bar(bar, {}); }

void Instance::run_bar(const Bar& bar, std::span<const Bar> intrabars) {
  InstanceState& st = *state_;
  if (st.halted) throw RuntimeError("the script was halted by an earlier runtime error", st.bars_processed, 0);
  load_bar_variables(st, bar);
  if (st.broker) {
    // Orders placed on earlier bars fill along this bar's prices before
    // the script sees it.
    st.broker->begin_bar(bar, st.bars_processed, intrabars);
    st.broker->load_variables(st.slots.data());
  }
  std::copy(st.plot_na.begin(), st.plot_na.end(), st.plot_values.begin());
  st.start_bar_work();  // each bar counts and measures from zero (split runs agree)
  Interpreter(st).run(0); // turns a failed allocation into "out of memory" itself
  if (st.broker) st.broker->end_bar();
  st.bars_processed += 1;
  st.last_bar_time = bar.time;
  // A failed allocation here (garbage collection's work lists) changes
  // nothing: both collections allocate everything they need before they
  // move anything. The bar is committed; the instance is halted all the same,
  // as memory is evidently short.
  try {
    if (st.work_since_measure >= kMemoryScanInterval) {
      st.work_since_measure = 0;
      if (st.collection_bytes() > st.gc_pressure_bytes()) st.collect_pressure = true;
    }
    if (st.collect_pressure || st.strings.wants_collection() || st.heap.wants_collection()) {
      pine::collect_garbage(st);
      st.collect_pressure = false;
    }
  } catch (const std::bad_alloc&) {
    st.halted = true;
    throw RuntimeError("out of memory (collecting garbage after the bar)", st.bars_processed - 1, 0);
  }
}

void Instance::set_limits(const RunLimits& limits) {
  if (limits.work_per_bar <= 0) throw std::invalid_argument("the work limit per bar must be positive");
  if (limits.memory_bytes == 0) throw std::invalid_argument("the memory limit must be positive");
  if (limits.time_per_bar.count() < 0) throw std::invalid_argument("the time limit per bar cannot be negative");
  // A day is far past any useful bar; the cap keeps the comparison with a
  // steady_clock duration (nanoseconds) from overflowing.
  if (limits.time_per_bar > std::chrono::hours(24))
    throw std::invalid_argument("the time limit per bar cannot exceed 24 hours");
  state_->set_limits(limits);
}

const RunLimits& Instance::limits() const { return state_->limits; }

// The same collection the bar-end threshold triggers (collect_garbage above).
void Instance::collect_garbage() { pine::collect_garbage(*state_); }

} // namespace pine
