// The instance state archive: the snapshot payload minus the program.
//
// Layout (Cereal portable binary):
//   u32 archive version (2, or 3 when the symbol information has a trading
//       day start; version 1, unreleased, had no symbol information)
//   config: input values (count, then u64 each), input strings (count,
//           strings), symbol, timeframe, symbol information (SymbolInfo's
//           fields in declaration order; doubles as u64 bits, optional texts
//           as a presence byte and the text)
//   counters: bars_processed, last_bar_time, halted
//   math.random's generator: state (u64), seeded flag (u8)
//   slots (count must equal the layout's), series (each ring's head, last
//   bar, written count and values; count must equal the layout's), builtin
//   states (kind byte, then the state), strings, heap
//   strategy programs only: the broker (strategy_archive.cpp)
// Counts are checked against what the program's layout declares, so a
// payload can never size anything: the program does.
#include <bit>
#include <optional>
#include <sstream>

#include "archive.h"
#include "instance_state.h"
#include "pine/vm/instance.h"
#include "strategy/strategy_archive.h"

namespace pine {

namespace {

/// Version 3 appends the trading day's start to the symbol information. It
/// is written only when that start is set: every other instance is written
/// as version 2, byte for byte as before the field existed, so each state
/// has one encoding and older snapshots re-save unchanged.
constexpr std::uint32_t kStateArchiveVersion = 3;
constexpr std::uint64_t kMaxConfigText = 1u << 16;

/// Rejects a payload whose string or reference variables, series or heap
/// objects hold handles outside the restored tables.
void check_handles(InstanceState& st) {
  const Program& p = *st.program;
  auto ok = [&](std::int64_t h) { return h == kStringNa || st.strings.valid(h); };
  auto ref_ok = [&](std::int64_t h) { return h == kRefNa || st.heap.get(h) != nullptr; };
  st.heap.for_each_string(p, [&](std::int64_t& h) { archive::require(ok(h), "heap object holds an invalid string handle"); });
  for (const FrameInfo& fr : st.frames) {
    const FunctionProto& f = p.functions[fr.function];
    for (std::uint16_t s : f.string_slots)
      archive::require(ok(st.slots[fr.slot_base + s].i), "string variable holds an invalid handle");
    for (std::uint16_t s : f.ref_slots)
      archive::require(ref_ok(st.slots[fr.slot_base + s].i), "reference variable holds an invalid handle");
    for (std::size_t s = 0; s < f.series.size(); ++s) {
      SeriesRing& ring = st.series[fr.series_base + s];  // a copy would double the history's memory
      if (f.series[s].type == Type::String)
        ring.for_each_value([&](Value& v) { archive::require(ok(v.i), "string series holds an invalid handle"); });
      if (f.series[s].type == Type::Ref)
        ring.for_each_value([&](Value& v) { archive::require(ref_ok(v.i), "reference series holds an invalid handle"); });
    }
  }
}

/// An optional text: a presence byte (0 or 1), then the text when present.
void save_optional_text(archive::Out& ar, const std::optional<std::string>& s) {
  ar(static_cast<std::uint8_t>(s ? 1 : 0));
  if (s) archive::save_string(ar, *s);
}

/// Reads what save_optional_text wrote; the flag must be 0 or 1.
void load_optional_text(archive::In& ar, std::optional<std::string>& s) {
  std::uint8_t present = 0;
  ar(present);
  archive::require(present <= 1, "optional text flag is not 0 or 1");
  s.reset();
  if (present == 0) return;
  s.emplace();
  archive::load_string(ar, *s, kMaxSymbolInfoText);
}

/// The archive version that encodes `info`: 3 when it has a trading day
/// start, else 2.
std::uint32_t state_version_for(const SymbolInfo& info) { return info.trading_day_start != 0 ? kStateArchiveVersion : 2; }

/// SymbolInfo, field by field in declaration order (the trading day start
/// only in version 3).
void save_symbol_info(archive::Out& ar, const SymbolInfo& info) {
  for (const std::string* text : {&info.description, &info.currency, &info.basecurrency, &info.type})
    archive::save_string(ar, *text);
  ar(info.pricescale, info.minmove, std::bit_cast<std::uint64_t>(info.pointvalue),
     std::bit_cast<std::uint64_t>(info.mincontract));
  for (const std::string* text : {&info.timezone, &info.session, &info.volumetype, &info.root})
    archive::save_string(ar, *text);
  save_optional_text(ar, info.country);
  archive::save_string(ar, info.isin);
  save_optional_text(ar, info.sector);
  save_optional_text(ar, info.industry);
  if (state_version_for(info) >= 3) ar(info.trading_day_start);
}

/// Reads what save_symbol_info wrote (archive `version`); the instance then
/// validates it.
void load_symbol_info(archive::In& ar, SymbolInfo& info, std::uint32_t version) {
  for (std::string* text : {&info.description, &info.currency, &info.basecurrency, &info.type})
    archive::load_string(ar, *text, kMaxSymbolInfoText);
  std::uint64_t pointvalue = 0, mincontract = 0;
  ar(info.pricescale, info.minmove, pointvalue, mincontract);
  info.pointvalue = std::bit_cast<double>(pointvalue);
  info.mincontract = std::bit_cast<double>(mincontract);
  for (std::string* text : {&info.timezone, &info.session, &info.volumetype, &info.root})
    archive::load_string(ar, *text, kMaxSymbolInfoText);
  load_optional_text(ar, info.country);
  archive::load_string(ar, info.isin, kMaxSymbolInfoText);
  load_optional_text(ar, info.sector);
  load_optional_text(ar, info.industry);
  info.trading_day_start = 0;
  if (version >= 3) {
    ar(info.trading_day_start);
    archive::require(info.trading_day_start != 0, "version 3 state with a midnight trading day start (written as version 2)");
  }
}

/// Fewest archive bytes (the encoding written by save_instance_state) of the
/// per-frame parts of a state: a u64 per slot; a ring's head, last bar and
/// count (3 x u64) plus one u64 per value of its capacity; a kind byte and at
/// least a u32 version per builtin state.
constexpr std::uint64_t kSlotArchiveBytes = 8;
constexpr std::uint64_t kRingHeaderArchiveBytes = 24;
constexpr std::uint64_t kRingValueArchiveBytes = 8;
constexpr std::uint64_t kStateArchiveMinBytes = 5;

/// A bound on the chart context's fixed part: its value table (one Value per
/// ContextValue) and the strings not copied from the configuration (the
/// timeframe periods, the root when it defaults to the ticker).
constexpr std::uint64_t kContextSlackBytes = 4096;

/// Checks that the `remaining` archive bytes can hold the slots, series and
/// builtin states of `program`'s frame layout, then charges what the instance
/// will allocate for that layout to the decode budget. Expands the call tree
/// without allocating the state (InstanceState::plan_layout); throws
/// ProgramError when the layout is past the instance limits.
void check_layout(const std::shared_ptr<const Program>& program, archive::In& ar, std::size_t remaining) {
  InstanceState probe;
  probe.program = program;
  const LayoutTotals t = probe.plan_layout();
  // Each total is bounded by the limits plan_layout enforces, so no overflow.
  const std::uint64_t need = kSlotArchiveBytes * t.slots + kRingHeaderArchiveBytes * t.series +
                             kRingValueArchiveBytes * t.series_values + kStateArchiveMinBytes * t.states;
  archive::require(need <= remaining, "the program's frame layout needs more state than the archive holds");
  // The frame tables exist twice while loading (the probe and the instance),
  // plus the probe's depth list (one u32 per frame).
  const std::uint64_t frame_bytes =
      2 * (probe.frames.size() * (sizeof(FrameInfo) + sizeof(std::uint32_t)) + probe.children.size() * sizeof(std::uint32_t));
  archive::charge(ar, 1, frame_bytes + t.slots * sizeof(Value) + t.series * sizeof(SeriesRing) +
                             t.series_values * sizeof(Value) + t.states * sizeof(TaState));
}

/// Heap bytes of a std::string holding `s`: the object and, past the inline
/// capacity, its buffer.
std::uint64_t string_bytes(const std::string& s) { return sizeof(std::string) + archive::string_buffer_bytes(s.size()); }

/// Charges what the Instance constructor derives from the program and the
/// configuration besides the frame layout: the state itself, the plot
/// vectors, the resolved inputs, and the string constants (the program's,
/// the string inputs' and the chart context's: symbol parts and symbol
/// information), each held twice (a working list, then the string table).
void charge_instance_extras(archive::In& ar, const Program& p, const InstanceConfig& config) {
  std::uint64_t strings = 0;
  for (const std::string& s : p.strings) strings += string_bytes(s);
  for (const std::string& s : config.input_strings) strings += string_bytes(s);
  // The symbol gives the ticker, the prefix and twice the ticker id; the
  // periods are short.
  strings += 4 * string_bytes(config.symbol) + kContextSlackBytes;
  const SymbolInfo& info = config.syminfo;
  for (const std::string* text : {&info.description, &info.currency, &info.basecurrency, &info.type, &info.timezone,
                                  &info.session, &info.volumetype, &info.root, &info.isin})
    strings += string_bytes(*text);
  for (const std::optional<std::string>* text : {&info.country, &info.sector, &info.industry})
    if (*text) strings += string_bytes(**text);
  archive::charge(ar, 1, sizeof(InstanceState) + p.plots.size() * 2 * sizeof(Value) +
                             p.inputs.size() * sizeof(Value) + 2 * strings);
}

} // namespace

std::vector<std::uint8_t> save_instance_state(const Instance& instance) {
  const InstanceState& st = instance.state();
  std::ostringstream os(std::ios::binary);
  {
    archive::Out ar(os);
    ar(state_version_for(st.config.syminfo));
    archive::save_count(ar, st.config.input_values.size());
    archive::save_values(ar, st.config.input_values.data(), st.config.input_values.size());
    archive::save_count(ar, st.config.input_strings.size());
    for (const std::string& s : st.config.input_strings) archive::save_string(ar, s);
    archive::save_string(ar, st.config.symbol);
    archive::save_string(ar, st.config.timeframe);
    save_symbol_info(ar, st.config.syminfo);
    ar(st.bars_processed, st.last_bar_time, static_cast<std::uint8_t>(st.halted ? 1 : 0));
    ar(st.random.state, static_cast<std::uint8_t>(st.random.seeded ? 1 : 0));
    archive::save_count(ar, st.slots.size());
    archive::save_values(ar, st.slots.data(), st.slots.size());
    archive::save_count(ar, st.series.size());
    for (const SeriesRing& r : st.series) r.save(ar);
    archive::save_count(ar, st.states.size());
    const Program& p = *st.program;
    for (const FrameInfo& fr : st.frames) {
      const FunctionProto& f = p.functions[fr.function];
      for (std::size_t s = 0; s < f.states.size(); ++s) {
        ar(static_cast<std::uint8_t>(f.states[s]));
        save_ta_state(ar, st.states[fr.state_base + s], f.states[s]);
      }
    }
    st.strings.save(ar);
    st.heap.save(ar);
    if (st.broker) save_broker(ar, *st.broker);
  }
  const std::string s = os.str();
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

Instance load_instance_state(std::shared_ptr<const Program> program, std::span<const std::uint8_t> payload,
                             DecodeBudget* budget) {
  try {
    archive::SpanBuf buf(payload);
    std::istream is(&buf);
    archive::LoadContext ctx{&buf, budget};
    archive::In ar(ctx, is);
    std::uint32_t version = 0;
    ar(version);
    archive::require(version == 2 || version == kStateArchiveVersion, "unsupported instance state version");

    InstanceConfig config;
    const std::size_t ninputs = program->inputs.size();
    archive::require(archive::load_count(ar, 8, ninputs, sizeof(Value)) == ninputs, "input count does not match the program");
    config.input_values.resize(ninputs);
    archive::load_values(ar, config.input_values.data(), ninputs);
    archive::require(archive::load_count(ar, 8, ninputs, sizeof(std::string)) == ninputs, "input count does not match the program");
    config.input_strings.resize(ninputs);
    for (std::string& s : config.input_strings) archive::load_string(ar, s, kMaxConfigText);
    archive::load_string(ar, config.symbol, kMaxConfigText);
    archive::load_string(ar, config.timeframe, kMaxConfigText);
    load_symbol_info(ar, config.syminfo, version);

    // The layout is sized from the program, which is as hostile as the state:
    // check that the archive can hold what the layout needs before the
    // instance allocates it, so a small snapshot cannot size a big instance.
    check_layout(program, ar, buf.remaining());
    charge_instance_extras(ar, *program, config);
    Instance instance(std::move(program), std::move(config));
    InstanceState& st = instance.state();
    std::uint8_t halted = 0;
    ar(st.bars_processed, st.last_bar_time, halted);
    archive::require(halted <= 1, "halted flag is not 0 or 1");
    st.halted = halted == 1;
    archive::require(st.bars_processed >= 0, "negative bar count");
    std::uint8_t seeded = 0;
    ar(st.random.state, seeded);
    archive::require(seeded <= 1, "random seeded flag is not 0 or 1");
    st.random.seeded = seeded == 1;
    archive::require(archive::load_count(ar, 8, st.slots.size(), 0) == st.slots.size(), "slot count does not match the program");
    archive::load_values(ar, st.slots.data(), st.slots.size());
    archive::require(archive::load_count(ar, 8, st.series.size(), 0) == st.series.size(), "series count does not match the program");
    for (SeriesRing& r : st.series) r.load(ar, st.bars_processed);
    archive::require(archive::load_count(ar, 1, st.states.size(), 0) == st.states.size(), "state count does not match the program");
    const Program& p = *st.program;
    for (const FrameInfo& fr : st.frames) {
      const FunctionProto& f = p.functions[fr.function];
      for (std::size_t s = 0; s < f.states.size(); ++s) {
        std::uint8_t kind = 0;
        ar(kind);
        archive::require(kind == static_cast<std::uint8_t>(f.states[s]), "builtin state kind does not match the program");
        load_ta_state(ar, st.states[fr.state_base + s], f.states[s]);
      }
    }
    st.strings.load(ar);
    st.heap.load(ar, p);
    if (st.broker) load_broker(ar, *st.broker);
    archive::require(buf.remaining() == 0, "trailing bytes after the instance state");
    check_handles(st);
    return instance;
  } catch (const cereal::Exception& e) {
    throw StateDecodeError(std::string("instance state is truncated (") + e.what() + ")");
  } catch (const ProgramError& e) {
    throw StateDecodeError(e.what());
  }
}

} // namespace pine
