// save_state() and RestoreBuilder: the payload inside the envelope.
//
// Payload (Cereal portable binary): u32 payload version (1), the program's
// canonical bytes (count + bytes), the instance state archive (count +
// bytes). Both inner blobs are produced and validated by the VM library.
#include "pine/snapshot/snapshot.h"

#include <algorithm>
#include <bit>
#include <charconv>
#include <optional>
#include <span>
#include <sstream>

#include <cereal/archives/portable_binary.hpp>

#include "pine/vm/calendar.h"
#include "pine/vm/state_io.h"

namespace pine {

namespace {

constexpr std::uint32_t kPayloadVersion = 1;

using Kind = SnapshotError::Kind;

/// Appends `n` as 8 little-endian bytes.
void put_u64(std::vector<std::uint8_t>& out, std::uint64_t n) {
  std::uint8_t bytes[8];
  for (int i = 0; i < 8; ++i) bytes[i] = static_cast<std::uint8_t>(n >> (8 * i));
  out.insert(out.end(), bytes, bytes + 8);
}

void put_text(std::vector<std::uint8_t>& out, const std::string& s) {
  put_u64(out, s.size());
  out.insert(out.end(), s.begin(), s.end());
}

/// An optional text: a presence byte, then the text when present (so an
/// absent value never hashes like an empty one).
void put_optional_text(std::vector<std::uint8_t>& out, const std::optional<std::string>& s) {
  out.push_back(s ? 1 : 0);
  if (s) put_text(out, *s);
}

/// Every field of the symbol information, in declaration order.
void put_symbol_info(std::vector<std::uint8_t>& out, const SymbolInfo& info) {
  for (const std::string* text : {&info.description, &info.currency, &info.basecurrency, &info.type})
    put_text(out, *text);
  put_u64(out, static_cast<std::uint64_t>(info.pricescale));
  put_u64(out, static_cast<std::uint64_t>(info.minmove));
  put_u64(out, std::bit_cast<std::uint64_t>(info.pointvalue));
  put_u64(out, std::bit_cast<std::uint64_t>(info.mincontract));
  for (const std::string* text : {&info.timezone, &info.session, &info.volumetype, &info.root}) put_text(out, *text);
  put_optional_text(out, info.country);
  put_text(out, info.isin);
  put_optional_text(out, info.sector);
  put_optional_text(out, info.industry);
  // Only when set: configurations from before it existed keep their hash.
  if (info.trading_day_start != 0) put_u64(out, static_cast<std::uint64_t>(info.trading_day_start));
}

/// A Corrupt error for an archive that passed both checksums: `what` says
/// which check failed; the rest says what that means and what to do.
SnapshotError corrupt(const std::string& what) {
  return SnapshotError(Kind::Corrupt, "snapshot is corrupt: " + what +
                                          " (its checksums match, so it was not damaged in storage: it was written by "
                                          "an incompatible tool or crafted); replay history from scratch");
}

/// "N bytes (M MiB)" for a memory figure in a message.
std::string memory_text(std::uint64_t n) {
  if (n == UINT64_MAX) return "unlimited";
  return std::to_string(n) + " bytes (" + std::to_string((n + (1u << 19)) >> 20) + " MiB)";
}

/// The MemoryLimit error of a restore whose budget ran out: how much it needed
/// at least, the limit and where it came from, and what to do.
SnapshotError budget_error(const DecodeBudgetExceeded& e, std::size_t input_size, bool explicit_limit) {
  const std::string limit_origin =
      explicit_limit ? "the limit set for this restore"
                     : "the default limit for a " + std::to_string(input_size) + "-byte snapshot (64 MiB + 16 bytes per snapshot byte)";
  return SnapshotError(
      Kind::MemoryLimit,
      "restoring this snapshot needs more than " + memory_text(e.limit()) + " of memory, " + limit_origin +
          ": its state expands far beyond its file size (huge constant-filled collections?) or the file was crafted; "
          "if you trust it, raise the limit (RestoreBuilder::memory_limit, pinevm --restore-memory-limit MIB)");
}

/// The two blobs of a payload, as views into the decompressed payload (no
/// copy: the payload may be the largest buffer of a restore, and the memory a
/// restore may take is bounded by the input size, see docs/fuzzing.md).
struct Payload {
  std::span<const std::uint8_t> program;
  std::span<const std::uint8_t> state;
};

/// Reads `width` bytes at `p` as an unsigned integer, little-endian or
/// big-endian (the order a Cereal portable binary archive's scalars are in,
/// section 4 of docs/snapshot-format.md).
std::uint64_t get_uint(const std::uint8_t* p, std::size_t width, bool little_endian) {
  std::uint64_t v = 0;
  for (std::size_t i = 0; i < width; ++i) {
    const std::size_t at = little_endian ? i : width - 1 - i;
    v |= static_cast<std::uint64_t>(p[at]) << (8 * i);
  }
  return v;
}

/// Reads the framing of a payload (Cereal endianness byte, version, then the
/// two counted blobs) and returns views of the blobs; throws Corrupt on any
/// inconsistency. Parsed by hand rather than through Cereal: a std::istream
/// costs as much to construct as a small state costs to decode, and these
/// are five fields. Cereal's rule for the first byte is kept: it is the
/// writer's "little-endian" flag, and any difference from the host's order
/// means the scalars are byte-swapped.
Payload decode_payload(std::span<const std::uint8_t> bytes) {
  std::size_t pos = 0;
  const auto take = [&](std::size_t width, const char* what) {
    if (bytes.size() - pos < width)
      throw corrupt(std::string("the payload framing is truncated (no room for the ") + what + ")");
    pos += width;
    return bytes.data() + pos - width;
  };
  const std::uint8_t writer_flag = *take(1, "endianness byte");
  const std::uint8_t host_little = std::endian::native == std::endian::little ? 1 : 0;
  // Cereal swaps whenever the flag differs from the host's (a flag of 2 also
  // swaps); the scalars are then in the byte order opposite to the host's.
  const bool swap = (writer_flag ^ host_little) != 0;
  const bool little = host_little != 0 ? !swap : swap;
  const std::uint64_t version = get_uint(take(4, "payload version"), 4, little);
  if (version != kPayloadVersion)
    throw SnapshotError(Kind::Corrupt, "snapshot payload version " + std::to_string(version) +
                                           " is not known: the file was written by a newer pinevm or another tool; "
                                           "upgrade pinevm or replay history from scratch");
  Payload p;
  for (std::span<const std::uint8_t>* blob : {&p.program, &p.state}) {
    const std::uint64_t n = get_uint(take(8, "blob length"), 8, little);
    if (n > bytes.size() - pos)
      throw corrupt("the payload declares a blob of " + std::to_string(n) + " bytes where " +
                    std::to_string(bytes.size() - pos) + " remain");
    *blob = bytes.subspan(pos, static_cast<std::size_t>(n));
    pos += static_cast<std::size_t>(n);
  }
  if (pos != bytes.size()) throw corrupt(std::to_string(bytes.size() - pos) + " trailing bytes after the instance state");
  return p;
}

/// An input's value as a user would type it for --input.
std::string input_text(const InputDecl& decl, const InstanceConfig& config, std::size_t i) {
  const Value v = config.input_values[i];
  switch (decl.kind) {
  case InputKind::Float: {
    char buf[32];  // the shortest round-trip form of a double needs at most 24
    const auto r = std::to_chars(buf, buf + sizeof buf, v.f);
    return std::string(buf, r.ptr);
  }
  case InputKind::Bool: return v.i != 0 ? "true" : "false";
  case InputKind::String: return "\"" + (i < config.input_strings.size() ? config.input_strings[i] : std::string()) + "\"";
  case InputKind::Color: {
    static const char* digits = "0123456789ABCDEF";
    std::string s = "#";
    for (int shift = 28; shift >= 0; shift -= 4) s += digits[(v.u >> shift) & 15];
    return s;
  }
  case InputKind::Enum:
    if (v.i >= 0 && static_cast<std::uint64_t>(v.i) < decl.options.size()) return decl.options[static_cast<std::size_t>(v.i)];
    return std::to_string(v.i);
  case InputKind::Source: return "source #" + std::to_string(v.u);
  default: return std::to_string(v.i);
  }
}

/// The symbol as the configuration hash sees it: the default spelled out
/// ("PINEVM:SAMPLE") is the default left empty, since the script sees the
/// same syminfo.* values either way. Any other spelling is kept as is
/// ("SAMPLE" alone has no prefix, which the script sees).
std::string normalized_symbol(const std::string& symbol) { return symbol == kDefaultSymbol ? std::string() : symbol; }

/// The timeframe as the configuration hash sees it: its canonical text
/// (timeframe.period: "D" and "1D" are both "1D"), and empty for the
/// default. Two spellings are equal exactly when they parse to the same
/// multiplier and unit, i.e. when the script sees the same timeframe.*
/// values ("60" and "1H" are not equal: "1H" is no timeframe). An invalid
/// text (which no instance holds) is kept as written.
std::string normalized_timeframe(const std::string& timeframe) {
  if (timeframe.empty()) return {};
  const std::optional<Timeframe> parsed = parse_timeframe(timeframe);
  if (!parsed) return timeframe;
  std::string text = timeframe_text(*parsed);
  return text == kDefaultTimeframe ? std::string() : text;
}

/// XXH3-64 of a configuration's hash input with the given symbol and
/// timeframe texts (as given for config_hash, normalized for
/// normalized_config_hash).
std::uint64_t hash_config_with(const InstanceConfig& config, const std::string& symbol, const std::string& timeframe) {
  std::vector<std::uint8_t> bytes;
  bytes.reserve(512);  // a typical configuration in one allocation (every restore hashes one or two)
  put_u64(bytes, config.input_values.size());
  for (std::size_t i = 0; i < config.input_values.size(); ++i) {
    put_u64(bytes, config.input_values[i].u);
    put_text(bytes, i < config.input_strings.size() ? config.input_strings[i] : std::string());
  }
  put_text(bytes, symbol);
  put_text(bytes, timeframe);
  put_symbol_info(bytes, config.syminfo);
  return snapshot::xxh3_64(bytes);
}

/// A text for a mismatch message: quoted, or "na" for an absent optional.
std::string shown(const std::optional<std::string>& s) { return s ? "\"" + *s + "\"" : std::string("na"); }

/// Appends "other symbol information (--syminfo): syminfo.<field> =
/// <snapshot's> (this run: <run's>), ..." naming every SymbolInfo field that
/// differs, so a mismatch names the --syminfo field.
void symbol_info_difference(const SymbolInfo& a, const SymbolInfo& b, std::vector<std::string>& parts) {
  std::string fields;
  const auto add = [&](const char* field, const std::string& x, const std::string& y) {
    if (x != y) fields += (fields.empty() ? "" : ", ") + std::string("syminfo.") + field + " = " + x + " (this run: " + y + ")";
  };
  const auto number = [](double v) {
    char buf[32];
    const auto r = std::to_chars(buf, buf + sizeof buf, v);
    return std::string(buf, r.ptr);
  };
  add("description", shown(a.description), shown(b.description));
  add("currency", shown(a.currency), shown(b.currency));
  add("basecurrency", shown(a.basecurrency), shown(b.basecurrency));
  add("type", shown(a.type), shown(b.type));
  add("pricescale", std::to_string(a.pricescale), std::to_string(b.pricescale));
  add("minmove", std::to_string(a.minmove), std::to_string(b.minmove));
  add("pointvalue", number(a.pointvalue), number(b.pointvalue));
  add("mincontract", number(a.mincontract), number(b.mincontract));
  add("timezone", shown(a.timezone), shown(b.timezone));
  add("session", shown(a.session), shown(b.session));
  add("volumetype", shown(a.volumetype), shown(b.volumetype));
  add("root", shown(a.root), shown(b.root));
  add("country", shown(a.country), shown(b.country));
  add("isin", shown(a.isin), shown(b.isin));
  add("sector", shown(a.sector), shown(b.sector));
  add("trading_day_start", std::to_string(a.trading_day_start), std::to_string(b.trading_day_start));
  add("industry", shown(a.industry), shown(b.industry));
  if (!fields.empty()) parts.push_back("other symbol information (--syminfo): " + fields);
}

/// What differs between the snapshot's configuration and the one of this
/// run, as "input 'Length' = 14 (this run: 20), symbol ..."; every differing
/// input, the symbol, the timeframe, then "other symbol information" for the
/// SymbolInfo fields (which come from --syminfo).
std::string config_difference(const Program& program, const InstanceConfig& snap, const InstanceConfig& run) {
  std::vector<std::string> parts;
  const auto value_pair = [](const std::string& a, const std::string& b) { return a + " (this run: " + b + ")"; };
  const std::size_t n = std::min({program.inputs.size(), snap.input_values.size(), run.input_values.size()});
  for (std::size_t i = 0; i < n; ++i) {
    const std::string a = input_text(program.inputs[i], snap, i), b = input_text(program.inputs[i], run, i);
    if (a != b) parts.push_back("input '" + program.inputs[i].title + "' = " + value_pair(a, b));
  }
  if (snap.input_values.size() != run.input_values.size()) parts.push_back("a different number of inputs");
  // Compared normalized (as hashed), shown as the user would write them.
  const auto or_default = [](const std::string& s, const char* fallback) { return s.empty() ? std::string(fallback) : s; };
  if (normalized_symbol(snap.symbol) != normalized_symbol(run.symbol))
    parts.push_back("symbol " + value_pair(or_default(snap.symbol, kDefaultSymbol), or_default(run.symbol, kDefaultSymbol)));
  if (normalized_timeframe(snap.timeframe) != normalized_timeframe(run.timeframe))
    parts.push_back("timeframe " + value_pair(or_default(snap.timeframe, kDefaultTimeframe),
                                              or_default(run.timeframe, kDefaultTimeframe)));
  symbol_info_difference(snap.syminfo, run.syminfo, parts);
  // Inputs whose shown texts agree but whose hashed values differ (a string
  // input's handle, say) are still named.
  for (std::size_t i = 0; i < n; ++i) {
    const std::string a = input_text(program.inputs[i], snap, i), b = input_text(program.inputs[i], run, i);
    const bool strings_differ = (i < snap.input_strings.size() ? snap.input_strings[i] : std::string()) !=
                                (i < run.input_strings.size() ? run.input_strings[i] : std::string());
    if (a == b && (snap.input_values[i].u != run.input_values[i].u || strings_differ))
      parts.push_back("input '" + program.inputs[i].title + "' (same text, different value)");
  }
  if (parts.empty()) return "another configuration than this run";  // unreachable unless the hash collides
  std::string out;
  for (std::size_t i = 0; i < parts.size(); ++i) out += (i == 0 ? "" : ", ") + parts[i];
  return out;
}

} // namespace

std::array<std::uint8_t, 16> program_hash(const Program& program) {
  const std::vector<std::uint8_t> bytes = serialize_program(program);
  return snapshot::xxh3_128(bytes);
}

// The texts as given: this is the header's config_hash, whose byte string
// docs/snapshot-format.md specifies (and the golden snapshots carry).
std::uint64_t config_hash(const InstanceConfig& config) {
  return hash_config_with(config, config.symbol, config.timeframe);
}

// Spellings the script cannot tell apart hash alike (normalized_symbol,
// normalized_timeframe); the default configuration gives config_hash's value.
std::uint64_t normalized_config_hash(const InstanceConfig& config) {
  return hash_config_with(config, normalized_symbol(config.symbol), normalized_timeframe(config.timeframe));
}

std::string hash_hex(const std::array<std::uint8_t, 16>& hash) {
  static const char* digits = "0123456789abcdef";
  std::string s;
  for (std::uint8_t b : hash) {
    s += digits[b >> 4];
    s += digits[b & 15];
  }
  return s;
}

std::vector<std::uint8_t> save_state(Instance& instance, int zstd_level) {
  instance.collect_garbage();
  const std::vector<std::uint8_t> program = serialize_program(instance.program());
  const std::vector<std::uint8_t> state = save_instance_state(instance);
  std::ostringstream os(std::ios::binary);
  {
    cereal::PortableBinaryOutputArchive ar(os);
    ar(kPayloadVersion);
    for (const std::vector<std::uint8_t>* blob : {&program, &state}) {
      ar(static_cast<std::uint64_t>(blob->size()));
      ar(cereal::binary_data(blob->data(), blob->size()));
    }
  }
  const std::string payload = os.str();
  snapshot::SnapshotHeader h{};
  h.engine_version = kEngineVersion;
  h.program_hash = snapshot::xxh3_128(program);
  h.config_hash = config_hash(instance.config());
  h.bars_processed = static_cast<std::uint64_t>(instance.bars_processed());
  h.last_bar_time = instance.last_bar_time();
  return snapshot::seal_snapshot(
      h, std::span<const std::uint8_t>(reinterpret_cast<const std::uint8_t*>(payload.data()), payload.size()), zstd_level);
}

Instance RestoreBuilder::build() const {
  const std::uint64_t limit = memory_limit_.value_or(default_restore_memory_limit(bytes_.size()));
  DecodeBudget budget(limit);
  try {
    return build_within(budget);
  } catch (const DecodeBudgetExceeded& e) {
    throw budget_error(e, bytes_.size(), memory_limit_.has_value());
  }
}

Instance RestoreBuilder::build_within(DecodeBudget& budget) const {
  // The decompressed payload is the first allocation the input sizes; the
  // header (already validated here) declares it, so charge it before
  // open_snapshot() allocates it.
  budget.charge(kRestoreFixedBytes + snapshot::read_header(bytes_).payload_uncompressed_size);
  snapshot::OpenedSnapshot opened = snapshot::open_snapshot(bytes_);
  const snapshot::SnapshotHeader& h = opened.header;
  Payload payload = decode_payload(opened.payload);
  if (snapshot::xxh3_128(payload.program) != h.program_hash)
    throw corrupt("the embedded program does not match the header's program hash");
  // When the caller's known program has the header's hash, the embedded
  // bytes (which hash to it too, checked above) are that program, already
  // decoded and verified: share it instead of decoding them again.
  std::shared_ptr<const Program> program;
  if (known_program_ && *expected_program_ == h.program_hash) {
    program = known_program_;
  } else {
    try {
      program = std::make_shared<const Program>(deserialize_program(payload.program, &budget));
    } catch (const ProgramError& e) {
      throw corrupt(e.what());
    }
  }
  if (expected_program_ && *expected_program_ != h.program_hash)
    throw SnapshotError(Kind::ProgramMismatch, "snapshot was written by program " + hash_hex(h.program_hash).substr(0, 12) +
                                                   "..., this script compiles to " + hash_hex(*expected_program_).substr(0, 12) +
                                                   "...: replay history from scratch");
  try {
    Instance instance = load_instance_state(program, payload.state, &budget);
    if (config_hash(instance.config()) != h.config_hash)
      throw corrupt("the configuration does not match the header's hash");
    if (static_cast<std::uint64_t>(instance.bars_processed()) != h.bars_processed || instance.last_bar_time() != h.last_bar_time)
      throw corrupt("the bar counters do not match the header");
    // Compared normalized: "D" for "1D", or the default symbol spelled out,
    // is the same configuration to the script, so it restores.
    if (expected_config_ && normalized_config_hash(*expected_config_) != normalized_config_hash(instance.config()))
      throw SnapshotError(Kind::ConfigMismatch,
                          "snapshot was taken with " + config_difference(*program, instance.config(), *expected_config_) +
                              ": pass the same --input/--symbol/--timeframe/--syminfo values, or replay history from "
                              "scratch");
    return instance;
  } catch (const StateDecodeError& e) {
    throw corrupt(e.what());
  } catch (const ProgramError& e) {
    throw corrupt(e.what());
  }
}

} // namespace pine
