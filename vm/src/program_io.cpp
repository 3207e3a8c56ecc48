// Canonical program bytes: Cereal portable binary, read defensively.
//
// Layout (each field through the archive, counts as uint64):
//   u32 class version (1) | u32 bytecode version | title | max_bars_back
//   constants (type byte + 8 bytes each) | strings | functions | plots | inputs
//   | types | enums [| input extras [| strategy settings]]
// The input extras section (count = number of inputs, then per input a
// format byte and a key string) was added after version 1 shipped. It is
// written only when some input has a format other than Any or a key, so the
// bytes of every other program, and of every program written before it
// existed, are unchanged (their hashes stay valid in saved snapshots). A
// script with a timeframe, symbol or session input now compiles to bytes with
// the section, so its snapshots from earlier builds name another program
// (docs/snapshot-format.md, 6.1); a
// reader takes its absence as all defaults and rejects a section that
// carries only defaults, so each program has exactly one encoding.
// A strategy program always writes the input extras, then its settings
// (strategy_archive.cpp); the section's presence makes the program a
// strategy, and readers from before it reject its trailing bytes.
// A plot column is: title, type byte, kind byte, part (u16), field, offset
// (i32), targets (count + u16 each), attributes (count + name/value pairs).
// The same bytes are hashed (program hash), embedded in snapshots and stored
// in .pvmc files, so writing must be deterministic: it is a plain walk over
// vectors in order.
#include <cstring>
#include <sstream>

#include "archive.h"
#include "pine/vm/program.h"
#include "strategy/strategy_archive.h"

namespace pine {

namespace {

/// Version of this encoding, written first. Bump on any layout change.
constexpr std::uint32_t kProgramArchiveVersion = 1;

// Limits on decoded tables. They bound allocation for hostile input; real
// programs are orders of magnitude smaller.
constexpr std::uint64_t kMaxConstants = 1u << 20;
constexpr std::uint64_t kMaxStrings = 1u << 20;
constexpr std::uint64_t kMaxStringBytes = 1u << 20;
constexpr std::uint64_t kMaxFunctions = 1u << 16;
/// Memory charged per decoded function: the prototype itself plus the
/// verifier's per-function work (a mark byte and a call-stack entry).
constexpr std::size_t kFunctionDecodeBytes = sizeof(FunctionProto) + 1 + sizeof(std::pair<std::uint32_t, std::size_t>);
constexpr std::uint64_t kMaxCode = 1u << 24;
constexpr std::uint64_t kMaxTable = 1u << 16;

void save_type(archive::Out& ar, Type t) { ar(static_cast<std::uint8_t>(t)); }

/// True when some input has a format or a key: only then is the input
/// extras section written (see the file comment).
bool has_input_extras(const Program& p) {
  for (const InputDecl& in : p.inputs)
    if (in.format != InputFormat::Any || !in.key.empty()) return true;
  return false;
}

Type load_type(archive::In& ar) {
  std::uint8_t t = 0;
  ar(t);
  archive::require(t < kTypeCount, "bad type tag");
  return static_cast<Type>(t);
}

/// Writes one output column (layout in the file comment).
void save_plot(archive::Out& ar, const PlotInfo& pl) {
  archive::save_string(ar, pl.title);
  save_type(ar, pl.type);
  ar(static_cast<std::uint8_t>(pl.kind), pl.part);
  archive::save_string(ar, pl.field);
  ar(pl.offset);
  archive::save_vector(ar, pl.targets);
  archive::save_count(ar, pl.attributes.size());
  for (const PlotAttribute& a : pl.attributes) {
    archive::save_string(ar, a.name);
    archive::save_string(ar, a.value);
  }
}

/// Reads one output column; the verifier checks how columns relate.
void load_plot(archive::In& ar, PlotInfo& pl) {
  archive::load_string(ar, pl.title, kMaxStringBytes);
  pl.type = load_type(ar);
  std::uint8_t kind = 0;
  ar(kind, pl.part);
  archive::require(kind <= static_cast<std::uint8_t>(kLastPlotKind), "bad plot kind");
  pl.kind = static_cast<PlotKind>(kind);
  archive::load_string(ar, pl.field, kMaxStringBytes);
  ar(pl.offset);
  archive::load_vector(ar, pl.targets, kMaxTable);
  const std::uint64_t na = archive::load_count(ar, 16, kMaxTable, sizeof(PlotAttribute));
  pl.attributes.resize(static_cast<std::size_t>(na));
  for (PlotAttribute& a : pl.attributes) {
    archive::load_string(ar, a.name, kMaxStringBytes);
    archive::load_string(ar, a.value, kMaxStringBytes);
  }
}

void save_function(archive::Out& ar, const FunctionProto& f) {
  archive::save_string(ar, f.name);
  ar(f.num_slots, f.num_params, f.num_results);
  archive::save_count(ar, f.code.size());
  for (const Instr& in : f.code) ar(static_cast<std::uint8_t>(in.op), in.elem_type, in.a, in.b, in.c);
  archive::save_vector(ar, f.lines);
  archive::save_vector(ar, f.call_sites);
  archive::save_count(ar, f.series.size());
  for (const SeriesDecl& s : f.series) {
    save_type(ar, s.type);
    ar(s.capacity);
  }
  archive::save_count(ar, f.states.size());
  for (StateKind k : f.states) ar(static_cast<std::uint8_t>(k));
  archive::save_vector(ar, f.string_slots);
  archive::save_vector(ar, f.ref_slots);
}

void load_function(archive::In& ar, FunctionProto& f) {
  archive::load_string(ar, f.name, kMaxStringBytes);
  ar(f.num_slots, f.num_params, f.num_results);
  const std::uint64_t n = archive::load_count(ar, 8, kMaxCode, sizeof(Instr));
  f.code.resize(static_cast<std::size_t>(n));
  for (Instr& in : f.code) {
    std::uint8_t op = 0;
    ar(op, in.elem_type, in.a, in.b, in.c);
    archive::require(op < static_cast<std::uint8_t>(Opcode::Count), "unknown opcode");
    in.op = static_cast<Opcode>(op);
  }
  archive::load_vector(ar, f.lines, kMaxCode);
  archive::load_vector(ar, f.call_sites, kMaxTable);
  const std::uint64_t ns = archive::load_count(ar, 5, kMaxTable, sizeof(SeriesDecl));
  f.series.resize(static_cast<std::size_t>(ns));
  for (SeriesDecl& s : f.series) {
    s.type = load_type(ar);
    ar(s.capacity);
  }
  const std::uint64_t nk = archive::load_count(ar, 1, kMaxTable, sizeof(StateKind));
  f.states.resize(static_cast<std::size_t>(nk));
  for (StateKind& k : f.states) {
    std::uint8_t v = 0;
    ar(v);
    archive::require(v < static_cast<std::uint8_t>(StateKind::Count), "unknown builtin state kind");
    k = static_cast<StateKind>(v);
  }
  archive::load_vector(ar, f.string_slots, kMaxTable);
  archive::load_vector(ar, f.ref_slots, kMaxTable);
}

} // namespace

std::vector<std::uint8_t> serialize_program(const Program& p) {
  std::ostringstream os(std::ios::binary);
  {
    archive::Out ar(os);
    ar(kProgramArchiveVersion, p.bytecode_version);
    archive::save_string(ar, p.title);
    ar(p.max_bars_back);
    archive::save_count(ar, p.constants.size());
    for (std::size_t i = 0; i < p.constants.size(); ++i) {
      save_type(ar, p.constant_types[i]);
      ar(p.constants[i].u);
    }
    archive::save_count(ar, p.strings.size());
    for (const std::string& s : p.strings) archive::save_string(ar, s);
    archive::save_count(ar, p.functions.size());
    for (const FunctionProto& f : p.functions) save_function(ar, f);
    archive::save_count(ar, p.plots.size());
    for (const PlotInfo& pl : p.plots) save_plot(ar, pl);
    archive::save_count(ar, p.inputs.size());
    for (const InputDecl& in : p.inputs) {
      archive::save_string(ar, in.title);
      ar(static_cast<std::uint8_t>(in.kind), in.default_value.u, in.minval, in.maxval);
      archive::save_count(ar, in.options.size());
      for (const std::string& o : in.options) archive::save_string(ar, o);
    }
    archive::save_count(ar, p.types.size());
    for (const TypeDecl& t : p.types) {
      archive::save_string(ar, t.name);
      archive::save_count(ar, t.fields.size());
      for (const FieldDecl& f : t.fields) {
        archive::save_string(ar, f.name);
        save_type(ar, f.type);
      }
    }
    archive::save_count(ar, p.enums.size());
    for (const EnumDecl& e : p.enums) {
      archive::save_string(ar, e.name);
      archive::save_vector(ar, e.titles);
    }
    // A strategy writes the input extras even when they are defaults, so
    // that its strategy section has a fixed place after them.
    if (has_input_extras(p) || p.strategy) {
      archive::save_count(ar, p.inputs.size());
      for (const InputDecl& in : p.inputs) {
        ar(static_cast<std::uint8_t>(in.format));
        archive::save_string(ar, in.key);
      }
    }
    if (p.strategy) save_strategy_settings(ar, *p.strategy);
  }
  const std::string s = os.str();
  return std::vector<std::uint8_t>(s.begin(), s.end());
}

Program deserialize_program(std::span<const std::uint8_t> bytes, DecodeBudget* budget) {
  Program p;
  try {
    archive::SpanBuf buf(bytes);
    std::istream is(&buf);
    archive::LoadContext ctx{&buf, budget};
    archive::In ar(ctx, is);
    std::uint32_t version = 0;
    ar(version, p.bytecode_version);
    archive::require(version == kProgramArchiveVersion, "unsupported program archive version");
    archive::load_string(ar, p.title, kMaxStringBytes);
    ar(p.max_bars_back);
    const std::uint64_t nc = archive::load_count(ar, 9, kMaxConstants, sizeof(Value) + sizeof(Type));
    p.constants.resize(static_cast<std::size_t>(nc));
    p.constant_types.resize(static_cast<std::size_t>(nc));
    for (std::size_t i = 0; i < nc; ++i) {
      p.constant_types[i] = load_type(ar);
      ar(p.constants[i].u);
    }
    const std::uint64_t nstr = archive::load_count(ar, 8, kMaxStrings, sizeof(std::string));
    p.strings.resize(static_cast<std::size_t>(nstr));
    for (std::string& s : p.strings) archive::load_string(ar, s, kMaxStringBytes);
    const std::uint64_t nf = archive::load_count(ar, 32, kMaxFunctions, kFunctionDecodeBytes);
    p.functions.resize(static_cast<std::size_t>(nf));
    for (FunctionProto& f : p.functions) load_function(ar, f);
    const std::uint64_t np = archive::load_count(ar, 40, kMaxTable, sizeof(PlotInfo));
    p.plots.resize(static_cast<std::size_t>(np));
    for (PlotInfo& pl : p.plots) load_plot(ar, pl);
    const std::uint64_t ni = archive::load_count(ar, 33, kMaxTable, sizeof(InputDecl));
    p.inputs.resize(static_cast<std::size_t>(ni));
    for (InputDecl& in : p.inputs) {
      archive::load_string(ar, in.title, kMaxStringBytes);
      std::uint8_t kind = 0;
      ar(kind, in.default_value.u, in.minval, in.maxval);
      archive::require(kind <= static_cast<std::uint8_t>(InputKind::Enum), "bad input kind");
      in.kind = static_cast<InputKind>(kind);
      const std::uint64_t no = archive::load_count(ar, 8, kMaxTable, sizeof(std::string));
      in.options.resize(static_cast<std::size_t>(no));
      for (std::string& o : in.options) archive::load_string(ar, o, kMaxStringBytes);
    }
    const std::uint64_t nt = archive::load_count(ar, 16, kMaxTable, sizeof(TypeDecl));
    p.types.resize(static_cast<std::size_t>(nt));
    for (TypeDecl& t : p.types) {
      archive::load_string(ar, t.name, kMaxStringBytes);
      const std::uint64_t nfields = archive::load_count(ar, 9, kMaxTable, sizeof(FieldDecl));
      t.fields.resize(static_cast<std::size_t>(nfields));
      for (FieldDecl& f : t.fields) {
        archive::load_string(ar, f.name, kMaxStringBytes);
        f.type = load_type(ar);
      }
    }
    const std::uint64_t ne = archive::load_count(ar, 16, kMaxTable, sizeof(EnumDecl));
    p.enums.resize(static_cast<std::size_t>(ne));
    for (EnumDecl& e : p.enums) {
      archive::load_string(ar, e.name, kMaxStringBytes);
      archive::load_vector(ar, e.titles, kMaxTable);
    }
    if (buf.remaining() != 0) {
      // The optional input extras (layout in the file comment).
      const std::uint64_t nx = archive::load_count(ar, 9, kMaxTable, 0);
      archive::require(nx == p.inputs.size(), "input extras do not match the inputs");
      for (InputDecl& in : p.inputs) {
        std::uint8_t format = 0;
        ar(format);
        archive::require(format <= static_cast<std::uint8_t>(InputFormat::Session), "bad input format");
        in.format = static_cast<InputFormat>(format);
        archive::load_string(ar, in.key, kMaxStringBytes);
      }
      if (buf.remaining() != 0) {
        p.strategy.emplace();
        load_strategy_settings(ar, *p.strategy);
      }
      archive::require(has_input_extras(p) || p.strategy, "input extras carry only defaults");
    }
    archive::require(buf.remaining() == 0, "trailing bytes after the program");
  } catch (const StateDecodeError& e) {
    throw ProgramError(std::string("invalid program bytes: ") + e.what());
  } catch (const cereal::Exception& e) {
    throw ProgramError(std::string("invalid program bytes: truncated (") + e.what() + ")");
  }
  verify_program(p);
  return p;
}

} // namespace pine
