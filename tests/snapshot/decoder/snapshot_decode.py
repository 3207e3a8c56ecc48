#!/usr/bin/env python3
"""Independent decoder of pinevm snapshot files (format version 1).

Written from docs/snapshot-format.md alone, to prove that the document is
complete: it parses a snapshot from its first byte to its last, applies the
validation rules the document lists, fails when a byte is missing or left
over, and prints a readable dump (or one JSON object with --json).

Only the Python standard library is used. The zstd frame is decompressed by
the `zstd` command-line tool (subprocess); the frame's structure (header,
block headers, declared content size) is walked here, so "exactly one frame
with its content size" is checked without zstd's help. XXH3 is not in the
standard library, so snapshot_decode_xxh3.py carries its own XXH3-64 and
XXH3-128 and all four hashes are verified: header, payload, program and
configuration. snapshot_decode_archive.py holds the Cereal reader and the
builtin call-site state encodings; snapshot_decode_strategy.py the strategy
sections (the program's settings, the state's broker).

Usage: tests/snapshot/decoder/snapshot_decode.py [--json] FILE.pvms
Exit status: 0 decoded, 1 the file breaks a rule of the format (the message
names the layer and the byte offset), 2 usage or environment error.
"""

import argparse
import json
import shutil
import struct
import subprocess
import sys

from snapshot_decode_archive import STATE_KINDS, STATE_READERS, FormatError, Reader, require
from snapshot_decode_strategy import broker_summary, read_broker, read_strategy_settings
from snapshot_decode_xxh3 import M64, xxh3_64, xxh3_128

# ---------------------------------------------------------------- constants
# Every value below is stated in docs/snapshot-format.md; the section is named.

MAGIC = b"PINEVMS\x00"          # header, offset 0
HEADER_SIZE = 128               # header size, frozen for every format version
FORMAT_VERSION = 1              # the only format version this decoder reads
PAYLOAD_VERSION = 1             # payload layer
PROGRAM_ARCHIVE_VERSION = 1     # program layer
BYTECODE_VERSION = 2            # program layer (bytecode_version field)
STATE_ARCHIVE_VERSIONS = (2, 3) # state layer: 3 only when the symbol has a trading day start
MAX_UNCOMPRESSED = 1 << 30      # envelope caps
RATIO_FREE = 64 << 20
MAX_RATIO = 1024
ZSTD_MAGIC = 0xFD2FB528

# Program layer limits (count limits and minimum element sizes).
MAX_CONSTANTS = 1 << 20
MAX_STRINGS = 1 << 20
MAX_STRING_BYTES = 1 << 20
MAX_FUNCTIONS = 1 << 16
MAX_CODE = 1 << 24
MAX_TABLE = 1 << 16
TYPE_COUNT = 8                  # Void Int Float Bool Color String Enum Ref
OPCODE_COUNT = 71              # 70 is STRATEGY
STRATEGY_VAR_SLOTS = 33         # strategy.* variables after the 31 built-ins
LAST_PLOT_KIND = 9
LAST_INPUT_KIND = 7
MAX_SERIES_CAPACITY = 100_001

# State layer limits.
MAX_CONFIG_TEXT = 1 << 16
MAX_SYMINFO_TEXT = 4096
MAX_STRING_LENGTH = 40960
MAX_ARCHIVED_STRINGS = 1 << 24
INITIAL_GC_THRESHOLD = 1024
MAX_OBJECTS = 1 << 22
MAX_COLLECTION = 100_000
MAX_FRAMES = 1 << 16
MAX_SLOTS_TOTAL = 1 << 22
MAX_CALL_DEPTH = 256
CONTEXT_STRINGS_MAX = 18        # string-typed syminfo.*/timeframe.* values

TYPE_NAMES = ["void", "int", "float", "bool", "color", "string", "enum", "ref"]
PLOT_KINDS = ["plot", "hline", "plotshape", "plotchar", "plotarrow", "plotbar", "plotcandle", "fill", "bgcolor",
              "barcolor"]
INPUT_KINDS = ["int", "float", "bool", "string", "source", "color", "time", "enum"]
INPUT_FORMATS = ["any", "timeframe", "symbol", "session"]
OBJ_KINDS = ["array", "map", "object", "matrix"]
REF_TYPE = 7
STRING_TYPE = 5
INPUT_STRING_KIND = 3
INPUT_SOURCE_KIND = 4
INPUT_COLOR_KIND = 5
INPUT_ENUM_KIND = 7
SOURCE_VARS = {0, 1, 2, 3, 4, 7, 8, 9, 10}  # open high low close volume hl2 hlc3 ohlc4 hlcc4
FILL_KIND = 7
OP_JMP, OP_RET, OP_COLL = 43, 54, 63


# ---------------------------------------------------------------- envelope

def le_u32(b, off): return struct.unpack_from("<I", b, off)[0]
def le_u64(b, off): return struct.unpack_from("<Q", b, off)[0]
def le_i64(b, off): return struct.unpack_from("<q", b, off)[0]


def read_header(data):
    """Decodes and validates the 128-byte header (section "Header")."""
    n = min(len(data), 8)
    require(data[:n] == MAGIC[:n], f"header: magic is {data[:n].hex()}, expected {MAGIC.hex()}")
    require(len(data) >= HEADER_SIZE, f"header: file is {len(data)} bytes, the header needs {HEADER_SIZE}")
    require(xxh3_64(data[:120]) == le_u64(data, 120), "header: header hash does not match bytes 0..119")
    h = {
        "format_version": le_u32(data, 8),
        "min_reader_version": le_u32(data, 12),
        "flags": le_u64(data, 16),
        "engine_version": le_u32(data, 24),
        "program_hash": data[32:48].hex(),
        "config_hash": le_u64(data, 48),
        "bars_processed": le_u64(data, 56),
        "last_bar_time": le_i64(data, 64),
        "payload_compressed_size": le_u64(data, 72),
        "payload_uncompressed_size": le_u64(data, 80),
        "payload_hash": le_u64(data, 88),
        "header_hash": le_u64(data, 120),
    }
    require(h["format_version"] <= FORMAT_VERSION and h["min_reader_version"] <= FORMAT_VERSION,
            f"header: format version {h['format_version']} / minimum reader {h['min_reader_version']} "
            f"is newer than {FORMAT_VERSION}")
    require(h["format_version"] >= 1 and 1 <= h["min_reader_version"] <= h["format_version"],
            "header: impossible version combination")
    require(h["flags"] & 0xFFFFFFFF == 0, f"header: unknown required flags {h['flags'] & 0xFFFFFFFF:#x}")
    for off in list(range(28, 32)) + list(range(96, 120)):
        require(data[off] == 0, f"header: reserved byte {off} is {data[off]:#04x}, must be 0")
    available = len(data) - HEADER_SIZE
    require(h["payload_compressed_size"] == available,
            f"header: declares {h['payload_compressed_size']} payload bytes, {available} follow")
    u, c = h["payload_uncompressed_size"], h["payload_compressed_size"]
    # ZSTD_compressBound(u), the most a zstd frame of u bytes can take
    # (section 2, payload_compressed_size); checked where it is defined.
    if u <= MAX_UNCOMPRESSED:
        bound = u + (u >> 8) + (((128 << 10) - u) >> 11 if u < (128 << 10) else 0)
        require(c <= bound, f"header: {c} compressed bytes exceed ZSTD_compressBound({u}) = {bound}")
    require(u <= MAX_UNCOMPRESSED, f"header: uncompressed size {u} above 1 GiB")
    require(u <= max(RATIO_FREE, min(MAX_UNCOMPRESSED, c * MAX_RATIO)), "header: compression ratio above the cap")
    return h


def walk_zstd_frame(frame):
    """Walks one zstd frame (RFC 8878) without decompressing it: checks the
    magic, reads the declared content size, and follows the block headers to
    the frame's end. Returns (content_size, frame_length)."""
    require(len(frame) >= 6 and le_u32(frame, 0) == ZSTD_MAGIC, "zstd: payload does not start with a zstd frame")
    fhd = frame[4]
    fcs_flag, single, checksum, dict_flag = fhd >> 6, (fhd >> 5) & 1, (fhd >> 2) & 1, fhd & 3
    require((fhd >> 3) & 1 == 0, "zstd: reserved bit set in the frame header")
    pos = 5 + (0 if single else 1) + [0, 1, 2, 4][dict_flag]
    fcs_size = [1 if single else 0, 2, 4, 8][fcs_flag]
    require(fcs_size > 0, "zstd: the frame does not declare its content size")
    require(pos + fcs_size <= len(frame), "zstd: frame header truncated")
    content = int.from_bytes(frame[pos:pos + fcs_size], "little") + (256 if fcs_size == 2 else 0)
    pos += fcs_size
    while True:
        require(pos + 3 <= len(frame), "zstd: block header truncated")
        bh = int.from_bytes(frame[pos:pos + 3], "little")
        last, btype, bsize = bh & 1, (bh >> 1) & 3, bh >> 3
        require(btype != 3, "zstd: reserved block type")
        pos += 3 + (1 if btype == 1 else bsize)
        require(pos <= len(frame), "zstd: block runs past the payload")
        if last:
            break
    pos += 4 if checksum else 0
    require(pos <= len(frame), "zstd: content checksum truncated")
    return content, pos


def decompress(frame, expected):
    """Envelope: exactly one zstd frame declaring `expected` bytes; the
    content comes from the zstd command-line tool."""
    content, length = walk_zstd_frame(frame)
    require(length == len(frame), f"zstd: {len(frame) - length} byte(s) after the frame")
    require(content == expected, f"zstd: frame declares {content} bytes, header declares {expected}")
    zstd = shutil.which("zstd")
    if zstd is None:
        raise RuntimeError("the zstd command-line tool is not on PATH")
    done = subprocess.run([zstd, "-d", "-q", "-c"], input=frame, stdout=subprocess.PIPE, stderr=subprocess.PIPE)
    require(done.returncode == 0, "zstd: " + done.stderr.decode(errors="replace").strip())
    require(len(done.stdout) == expected, f"zstd: produced {len(done.stdout)} bytes, expected {expected}")
    return done.stdout


def read_payload(payload):
    """Payload layer: version, then the program and state archives as
    length-prefixed byte blobs."""
    r = Reader(payload, "payload")
    version = r.u32()
    require(version == PAYLOAD_VERSION, f"payload: version {version} is not {PAYLOAD_VERSION}")
    blobs = []
    for what in ("program", "state"):
        n = r.u64()
        require(n <= r.remaining(), f"payload: {what} length {n} runs past the payload")
        blobs.append(r._take(n))
    r.finish()
    return version, blobs[0], blobs[1]


# ---------------------------------------------------------------- program

def read_type(r, what):
    """A type byte, < 8."""
    t = r.u8()
    require(t < TYPE_COUNT, f"program: bad type tag {t} ({what})")
    return t


def read_function(r):
    """One FunctionProto (section "Functions")."""
    f = {"name": r.string(MAX_STRING_BYTES, "function name")}
    f["num_slots"], f["num_params"], f["num_results"] = r.u16(), r.u16(), r.u16()
    n = r.count(8, MAX_CODE, "instruction")
    code = []
    for _ in range(n):
        op, elem_type, a, b, c = r.u8(), r.u8(), r.u16(), r.u16(), r.u16()
        require(op < OPCODE_COUNT, f"program: unknown opcode {op}")
        code.append((op, elem_type, a, b, c))
    f["code"] = code
    f["lines"] = r.array("I", 4, MAX_CODE, "line table")
    f["call_sites"] = r.array("I", 4, MAX_TABLE, "call site")
    ns = r.count(5, MAX_TABLE, "series")
    f["series"] = [(read_type(r, "series"), r.u32()) for _ in range(ns)]
    nk = r.count(1, MAX_TABLE, "builtin state")
    states = []
    for _ in range(nk):
        k = r.u8()
        require(k < len(STATE_KINDS), f"program: unknown builtin state kind {k}")
        states.append(k)
    f["states"] = states
    f["string_slots"] = r.array("H", 2, MAX_TABLE, "string slot")
    f["ref_slots"] = r.array("H", 2, MAX_TABLE, "reference slot")
    return f


def read_plot(r):
    """One output column (section "Plots")."""
    pl = {"title": r.string(MAX_STRING_BYTES, "plot title"), "type": read_type(r, "plot")}
    kind = r.u8()
    pl["part"] = r.u16()
    require(kind <= LAST_PLOT_KIND, f"program: bad plot kind {kind}")
    pl["kind"] = kind
    pl["field"] = r.string(MAX_STRING_BYTES, "plot field")
    pl["offset"] = r.i32()
    pl["targets"] = r.array("H", 2, MAX_TABLE, "fill target")
    na = r.count(16, MAX_TABLE, "plot attribute")
    pl["attributes"] = [(r.string(MAX_STRING_BYTES, "attribute name"), r.string(MAX_STRING_BYTES, "attribute value"))
                        for _ in range(na)]
    return pl


def read_program(blob):
    """Program layer: the canonical program bytes, in field order."""
    r = Reader(blob, "program")
    p = {"archive_version": r.u32(), "bytecode_version": r.u32()}
    require(p["archive_version"] == PROGRAM_ARCHIVE_VERSION,
            f"program: archive version {p['archive_version']} is not {PROGRAM_ARCHIVE_VERSION}")
    p["title"] = r.string(MAX_STRING_BYTES, "title")
    p["max_bars_back"] = r.i64()
    nc = r.count(9, MAX_CONSTANTS, "constant")
    p["constants"] = [(read_type(r, "constant"), r.u64()) for _ in range(nc)]
    ns = r.count(8, MAX_STRINGS, "string constant")
    p["strings"] = [r.string(MAX_STRING_BYTES, "string constant") for _ in range(ns)]
    nf = r.count(32, MAX_FUNCTIONS, "function")
    p["functions"] = [read_function(r) for _ in range(nf)]
    npl = r.count(40, MAX_TABLE, "plot")
    p["plots"] = [read_plot(r) for _ in range(npl)]
    ni = r.count(33, MAX_TABLE, "input")
    inputs = []
    for _ in range(ni):
        title = r.string(MAX_STRING_BYTES, "input title")
        kind, default, minval, maxval = r.u8(), r.u64(), r.f64(), r.f64()
        require(kind <= LAST_INPUT_KIND, f"program: bad input kind {kind}")
        no = r.count(8, MAX_TABLE, "input option")
        options = [r.string(MAX_STRING_BYTES, "input option") for _ in range(no)]
        inputs.append({"title": title, "kind": kind, "default": default, "minval": minval, "maxval": maxval,
                       "options": options})
    p["inputs"] = inputs
    nt = r.count(16, MAX_TABLE, "type")
    types = []
    for _ in range(nt):
        name = r.string(MAX_STRING_BYTES, "type name")
        nfields = r.count(9, MAX_TABLE, "field")
        types.append({"name": name, "fields": [(r.string(MAX_STRING_BYTES, "field name"), read_type(r, "field"))
                                               for _ in range(nfields)]})
    p["types"] = types
    ne = r.count(16, MAX_TABLE, "enum")
    p["enums"] = [{"name": r.string(MAX_STRING_BYTES, "enum name"), "titles": r.array("I", 4, MAX_TABLE, "title")}
                  for _ in range(ne)]
    for i in inputs:
        i["format"], i["key"] = 0, ""
    p["strategy"] = None
    if r.remaining() != 0:
        # Section 6.1 row 13: the input extras (optional; always there in a strategy).
        nx = r.count(9, MAX_TABLE, "input extras")
        require(nx == len(inputs), "program: input extras do not match the inputs")
        for i in inputs:
            i["format"] = r.u8()
            require(i["format"] < len(INPUT_FORMATS), f"program: bad input format {i['format']}")
            i["key"] = r.string(MAX_STRING_BYTES, "input key")
        if r.remaining() != 0:
            p["strategy"] = read_strategy_settings(r)  # row 14, section 6.7
        require(p["strategy"] or any(i["format"] != 0 or i["key"] for i in inputs),
                "program: input extras carry only defaults")
    r.finish()
    check_program(p)
    return p


def check_program(p):
    """The verifier's rules on everything but instruction operands (section
    6: the rules next to each field). The per-instruction operand checks of
    pinevm's verifier (slot, constant and table indices, jump targets) are
    not repeated here; the elem_type-byte and last-instruction rules are."""
    require(p["bytecode_version"] == BYTECODE_VERSION, f"program: bytecode version {p['bytecode_version']}")
    require(len(p["functions"]) > 0, "program: no main function")
    require(1 <= p["max_bars_back"] < MAX_SERIES_CAPACITY, "program: max_bars_back out of range")
    nstr = len(p["strings"])
    for t, v in p["constants"]:
        if t == REF_TYPE:
            require(v == M64, "program: a reference constant must be na")
        if t == STRING_TYPE:
            require(v == M64 or v < nstr, "program: string constant out of range")
    for i in p["inputs"]:
        d = i["default"]
        if i["kind"] == INPUT_ENUM_KIND:
            require(d < len(i["options"]), "program: bad enum input default")
        if i["kind"] == INPUT_COLOR_KIND:
            require(d >> 32 == 0, "program: bad color input default")
        if i["kind"] == INPUT_SOURCE_KIND:
            require(d in SOURCE_VARS, "program: bad source input default")
        if i["kind"] == INPUT_STRING_KIND:
            require(d < nstr, "program: bad input default")
    for e in p["enums"]:
        require(all(t < nstr for t in e["titles"]), "program: enum title out of range")
    for t in p["types"]:
        require(all(ft != 0 for _, ft in t["fields"]), "program: bad field type")
    check_plots(p["plots"])
    for i, f in enumerate(p["functions"]):
        require(len(f["code"]) > 0 and len(f["lines"]) == len(f["code"]), f"program: function {i} code/lines")
        require(f["num_params"] <= f["num_slots"] and f["num_results"] <= f["num_slots"],
                f"program: function {i} frame too small")
        for t, cap in f["series"]:
            require(1 <= cap <= MAX_SERIES_CAPACITY and t != 0, f"program: function {i} bad series declaration")
        for slot in f["string_slots"] + f["ref_slots"]:
            require(slot < f["num_slots"], f"program: function {i} GC slot out of range")
        for c in f["call_sites"]:
            require(0 < c < len(p["functions"]), f"program: function {i} bad call site {c}")
        require(f["code"][-1][0] in (OP_RET, OP_JMP), f"program: function {i} can fall off its end")
        require(all(elem_type == 0 or op == OP_COLL for op, elem_type, _, _, _ in f["code"]),
                f"program: function {i} nonzero elem_type byte")
    main, first_free = p["functions"][0], 31 + (STRATEGY_VAR_SLOTS if p["strategy"] else 0)
    require(main["num_params"] == 0 and main["num_results"] == 0 and main["num_slots"] >= first_free,
            "program: main shape")
    check_acyclic(p["functions"])


def check_plots(plots):
    """Output column rules (section 6.3)."""
    for i, pl in enumerate(plots):
        require(1 <= pl["type"] <= STRING_TYPE, f"program: plot column {i}: bad type")
        if pl["part"] != 0:
            prev = plots[i - 1] if i > 0 else None
            require(prev is not None and prev["part"] == pl["part"] - 1 and prev["kind"] == pl["kind"],
                    f"program: plot column {i}: bad part number")
            require(pl["title"] == prev["title"], f"program: plot column {i}: title differs from its call's")
            require(pl["offset"] == 0 and not pl["targets"] and not pl["attributes"],
                    f"program: plot column {i}: metadata on a continuation column")
    for i, pl in enumerate(plots):
        if pl["kind"] != FILL_KIND or pl["part"] != 0:
            require(not pl["targets"], f"program: plot column {i}: targets outside fill()")
            continue
        require(len(pl["targets"]) == 2, f"program: fill column {i}: needs two targets")
        for t in pl["targets"]:
            require(t < len(plots) and plots[t]["part"] == 0 and plots[t]["kind"] in (0, 1),
                    f"program: fill column {i}: a target is not a plot or an hline")
            require(plots[t]["kind"] == plots[pl["targets"][0]]["kind"], f"program: fill column {i}: mixed targets")


def check_acyclic(funcs):
    """No function calls itself, directly or through others (iterative DFS
    from main, as the frame layout is static)."""
    state = {0: 1}  # 1: on the current path, 2: done
    stack = [(0, 0)]
    while stack:
        f, nxt = stack[-1]
        sites = funcs[f]["call_sites"]
        if nxt == len(sites):
            state[f] = 2
            stack.pop()
            continue
        stack[-1] = (f, nxt + 1)
        callee = sites[nxt]
        require(state.get(callee) != 1, f"program: recursive call of function {callee}")
        if callee not in state:
            state[callee] = 1
            stack.append((callee, 0))


def lay_out(p):
    """The frame layout: breadth-first over the static call tree from the
    main function (section "Frame layout"). Returns the frames' function
    indices in layout order."""
    frames, depth = [0], [0]
    total_slots = p["functions"][0]["num_slots"]
    i = 0
    while i < len(frames):
        for callee in p["functions"][frames[i]]["call_sites"]:
            require(len(frames) < MAX_FRAMES, "layout: more than 65536 frames")
            require(depth[i] + 1 <= MAX_CALL_DEPTH, "layout: calls nest deeper than 256")
            frames.append(callee)
            depth.append(depth[i] + 1)
            total_slots += p["functions"][callee]["num_slots"]
            require(total_slots <= MAX_SLOTS_TOTAL, "layout: too many slots")
        i += 1
    return frames


# ---------------------------------------------------------------- state

def read_optional_text(r, what):
    """A presence byte (0/1), then the text when present."""
    if r.flag(f"{what} presence"):
        return r.string(MAX_SYMINFO_TEXT, what)
    return None


def read_state(blob, program):
    """State layer: configuration, counters, random generator, slots,
    series, builtin states, strings, heap (section "State archive")."""
    r = Reader(blob, "state")
    s = {"archive_version": r.u32()}
    require(s["archive_version"] in STATE_ARCHIVE_VERSIONS,
            f"state: archive version {s['archive_version']} is not one of {STATE_ARCHIVE_VERSIONS}")
    ninputs = len(program["inputs"])
    n = r.count(8, ninputs, "input value")
    require(n == ninputs, "state: input count does not match the program")
    s["input_values"] = [r.u64() for _ in range(n)]
    for decl, value in zip(program["inputs"], s["input_values"]):
        require(decl["kind"] != INPUT_SOURCE_KIND or value in SOURCE_VARS,
                "state: a source input does not select a built-in source series")
    n = r.count(8, ninputs, "input string")
    require(n == ninputs, "state: input count does not match the program")
    s["input_strings"] = [r.string(MAX_CONFIG_TEXT, "input string") for _ in range(n)]
    s["symbol"] = r.string(MAX_CONFIG_TEXT, "symbol")
    s["timeframe"] = r.string(MAX_CONFIG_TEXT, "timeframe")
    info = {}
    for name in ("description", "currency", "basecurrency", "type"):
        info[name] = r.string(MAX_SYMINFO_TEXT, name)
    info["pricescale"], info["minmove"] = r.i64(), r.i64()
    info["pointvalue"], info["mincontract"] = r.f64(), r.f64()
    for name in ("timezone", "session", "volumetype", "root"):
        info[name] = r.string(MAX_SYMINFO_TEXT, name)
    info["country"] = read_optional_text(r, "country")
    info["isin"] = r.string(MAX_SYMINFO_TEXT, "isin")
    info["sector"] = read_optional_text(r, "sector")
    info["industry"] = read_optional_text(r, "industry")
    info["trading_day_start"] = 0
    if s["archive_version"] == 3:
        info["trading_day_start"] = r.i64()
        require(info["trading_day_start"] != 0, "state: version 3 with a midnight trading day start")
    s["syminfo"] = info
    s["bars_processed"], s["last_bar_time"] = r.i64(), r.i64()
    s["halted"] = r.flag("halted")
    require(s["bars_processed"] >= 0, "state: negative bar count")
    s["random_state"] = r.u64()
    s["random_seeded"] = r.flag("random seeded")

    funcs = program["functions"]
    frames = lay_out(program)
    total_slots = sum(funcs[f]["num_slots"] for f in frames)
    n = r.count(8, total_slots, "slot")
    require(n == total_slots, "state: slot count does not match the program")
    slots = [r.u64() for _ in range(n)]
    series_decls = [decl for f in frames for decl in funcs[f]["series"]]
    n = r.count(8, len(series_decls), "series")
    require(n == len(series_decls), "state: series count does not match the program")
    series = []
    for typ, cap in series_decls:
        head, last_bar, written = r.u64(), r.i64(), r.u64()
        require(head < cap, "state: series ring head out of range")
        require(last_bar >= -1, "state: series ring bar out of range")
        require((written == 0) == (last_bar == -1), "state: series ring counters inconsistent")
        series.append({"type": typ, "capacity": cap, "written": written, "values": [r.u64() for _ in range(cap)]})
    s["series"] = series
    kinds = [k for f in frames for k in funcs[f]["states"]]
    n = r.count(1, len(kinds), "builtin state")
    require(n == len(kinds), "state: builtin state count does not match the program")
    states = []
    for expected in kinds:
        start = r.pos
        k = r.u8()
        require(k == expected, f"state: builtin state kind {k} does not match the program's {expected}")
        STATE_READERS[STATE_KINDS[k]](r)
        states.append({"kind": STATE_KINDS[k], "bytes": r.pos - start})
    s["states"] = states

    threshold = r.u64()
    require(INITIAL_GC_THRESHOLD <= threshold <= 2 * MAX_ARCHIVED_STRINGS, "state: bad string threshold")
    n = r.count(8, MAX_ARCHIVED_STRINGS, "made string")
    s["strings"] = [r.string(MAX_STRING_LENGTH, "made string") for _ in range(n)]
    s["string_gc_threshold"] = threshold
    s["heap"], s["heap_gc_threshold"] = read_heap(r, program)
    s["broker"] = read_broker(r) if program["strategy"] else None  # section 7.6
    r.finish()
    check_handles(s, program, frames, slots)
    s["slot_count"] = len(slots)
    s["frames"] = len(frames)
    return s


def read_heap(r, program):
    """The object heap (section "Heap")."""
    threshold = r.u64()
    require(INITIAL_GC_THRESHOLD <= threshold <= 2 * MAX_OBJECTS, "state: bad heap threshold")
    n = r.count(23, MAX_OBJECTS, "heap object")
    objects = []
    for _ in range(n):
        kind, elem, key, type_index = r.u8(), r.u8(), r.u8(), r.u32()
        require(kind <= 3, f"state: bad heap object kind {kind}")
        require(elem < TYPE_COUNT and key < TYPE_COUNT, "state: bad heap element type")
        o = {"kind": kind, "elem": elem, "key": key, "type_index": type_index, "view_of": -1}
        if kind == 3:
            o["rows"], o["cols"] = r.u32(), r.u32()
            require(o["rows"] <= MAX_COLLECTION and o["cols"] <= MAX_COLLECTION, "state: matrix dimension above limit")
        if kind == 0:
            o["view_of"], o["view_from"], o["view_size"] = r.i64(), r.u32(), r.u32()
            require(o["view_of"] >= -1 and o["view_size"] <= MAX_COLLECTION and o["view_from"] <= MAX_COLLECTION,
                    "state: bad array view")
            if o["view_of"] < 0:
                require(o["view_from"] == 0 and o["view_size"] == 0, "state: bad array view")
        o["items"] = r.array("Q", 8, MAX_COLLECTION, "heap item")
        o["keys"] = r.array("Q", 8, MAX_COLLECTION, "heap key")
        require(o["view_of"] < 0 or not o["items"], "state: an array view with elements of its own")
        if kind == 2:
            require(type_index < len(program["types"]), "state: heap object of an unknown type")
            require(len(o["items"]) == len(program["types"][type_index]["fields"]), "state: field count mismatch")
        else:
            require(type_index == 0, "state: collection with a type index")
        require(len(o["keys"]) == len(o["items"]) if kind == 1 else not o["keys"], "state: bad map key count")
        if kind == 3:
            require(o["rows"] * o["cols"] == len(o["items"]), "state: matrix rows * columns != element count")
        objects.append(o)
    for i, o in enumerate(objects):
        if o["view_of"] >= 0:
            require(o["view_of"] < len(objects) and o["view_of"] != i, "state: array view of a missing array")
            parent = objects[o["view_of"]]
            require(parent["kind"] == 0 and parent["view_of"] < 0 and parent["elem"] == o["elem"],
                    "state: array view of a non-array")
    for o in objects:
        for h in values_of_type(o, REF_TYPE, program):
            require(h == -1 or 0 <= h < len(objects), "state: dangling heap reference")
    return objects, threshold


def signed(u):
    """A u64 slot value read as int64."""
    return u - (1 << 64) if u >= 1 << 63 else u


def values_of_type(o, want, program):
    """The handles of type `want` an object holds (as int64), including a
    view's parent when `want` is Ref."""
    out = []
    if o["kind"] == 2:
        for (_, t), v in zip(program["types"][o["type_index"]]["fields"], o["items"]):
            if t == want:
                out.append(signed(v))
        return out
    if want == REF_TYPE and o["view_of"] >= 0:
        out.append(o["view_of"])
    if o["elem"] == want:
        out += [signed(v) for v in o["items"]]
    if o["kind"] == 1 and o["key"] == want:
        out += [signed(v) for v in o["keys"]]
    return out


def check_handles(s, program, frames, slots):
    """String and reference handles in GC-root slots, typed series and heap
    objects must name an existing string or object (section "Handle
    checks"). The chart-context strings are derived from the configuration,
    so string handles are checked against an upper bound (18 of them)."""
    funcs = program["functions"]
    string_inputs = sum(1 for i in program["inputs"] if i["kind"] == INPUT_STRING_KIND)
    string_limit = len(program["strings"]) + string_inputs + CONTEXT_STRINGS_MAX + len(s["strings"])
    nobj = len(s["heap"])

    def string_ok(h): return h == -1 or 0 <= h < string_limit
    def ref_ok(h): return h == -1 or 0 <= h < nobj
    for o in s["heap"]:
        require(all(string_ok(h) for h in values_of_type(o, STRING_TYPE, program)),
                "state: heap object holds an invalid string handle")
    slot_base, series_base = 0, 0
    for f in frames:
        fn = funcs[f]
        for slot in fn["string_slots"]:
            require(string_ok(signed(slots[slot_base + slot])), "state: string variable holds an invalid handle")
        for slot in fn["ref_slots"]:
            require(ref_ok(signed(slots[slot_base + slot])), "state: reference variable holds an invalid handle")
        for j, (typ, _) in enumerate(fn["series"]):
            values = [signed(v) for v in s["series"][series_base + j]["values"]]
            if typ == STRING_TYPE:
                require(all(string_ok(h) for h in values), "state: string series holds an invalid handle")
            if typ == REF_TYPE:
                require(all(ref_ok(h) for h in values), "state: reference series holds an invalid handle")
        slot_base += fn["num_slots"]
        series_base += len(fn["series"])


# ---------------------------------------------------------------- driver

def config_bytes(s):
    """The byte string the configuration hash covers (section "Header",
    configuration hash input): little-endian u64s, texts as u64 length +
    bytes, optional texts with a presence byte."""
    out = bytearray()

    def u64(v):
        out.extend((v & M64).to_bytes(8, "little"))

    def text(t):
        b = t.encode("utf-8", errors="surrogateescape")
        u64(len(b))
        out.extend(b)

    def optional(t):
        out.append(0 if t is None else 1)
        if t is not None:
            text(t)

    info = s["syminfo"]
    u64(len(s["input_values"]))
    for value, string in zip(s["input_values"], s["input_strings"]):
        u64(value)
        text(string)
    text(s["symbol"])
    text(s["timeframe"])
    for name in ("description", "currency", "basecurrency", "type"):
        text(info[name])
    u64(info["pricescale"])
    u64(info["minmove"])
    u64(struct.unpack("<Q", struct.pack("<d", info["pointvalue"]))[0])
    u64(struct.unpack("<Q", struct.pack("<d", info["mincontract"]))[0])
    for name in ("timezone", "session", "volumetype", "root"):
        text(info[name])
    optional(info["country"])
    text(info["isin"])
    optional(info["sector"])
    optional(info["industry"])
    return bytes(out)


def decode(data):
    """Decodes a whole snapshot; returns the summary dict (FormatError on a
    broken rule)."""
    h = read_header(data)
    require(h["payload_compressed_size"] >= 9, "zstd: the payload is too short to be a zstd frame")
    require(xxh3_64(data[HEADER_SIZE:]) == h["payload_hash"], "header: payload hash does not match the payload")
    payload = decompress(data[HEADER_SIZE:], h["payload_uncompressed_size"])
    payload_version, program_blob, state_blob = read_payload(payload)
    require(len(program_blob) >= 17, "program: the blob is too short to be a program")
    require(xxh3_128(program_blob).hex() == h["program_hash"], "payload: program blob does not match the program hash")
    program = read_program(program_blob)
    state = read_state(state_blob, program)
    require(xxh3_64(config_bytes(state)) == h["config_hash"], "state: configuration does not match the config hash")
    require(state["bars_processed"] == h["bars_processed"], "state: bars_processed differs from the header")
    require(state["last_bar_time"] == h["last_bar_time"], "state: last_bar_time differs from the header")
    kinds = {}
    for st in state["states"]:
        kinds[st["kind"]] = kinds.get(st["kind"], 0) + 1
    heap_kinds = {name: 0 for name in OBJ_KINDS}
    for o in state["heap"]:
        heap_kinds[OBJ_KINDS[o["kind"]]] += 1
    ev = h["engine_version"]
    return {
        "file_bytes": len(data),
        "bytes_consumed": HEADER_SIZE + h["payload_compressed_size"],
        "payload_bytes_consumed": len(payload),
        "checksums_verified": True,
        "header": {**h, "flags": f"0x{h['flags']:016x}", "engine_version": f"{ev >> 16}.{(ev >> 8) & 255}.{ev & 255}",
                   "config_hash": f"{h['config_hash']:016x}", "payload_hash": f"{h['payload_hash']:016x}",
                   "header_hash": f"{h['header_hash']:016x}"},
        "payload": {"version": payload_version, "program_bytes": len(program_blob), "state_bytes": len(state_blob)},
        "program": {
            "archive_version": program["archive_version"],
            "bytecode_version": program["bytecode_version"],
            "title": program["title"],
            "max_bars_back": program["max_bars_back"],
            "constants": len(program["constants"]),
            "strings": len(program["strings"]),
            "functions": len(program["functions"]),
            "instructions": sum(len(f["code"]) for f in program["functions"]),
            "plots": len(program["plots"]),
            "plot_titles": [pl["title"] for pl in program["plots"]],
            "plot_kinds": [PLOT_KINDS[pl["kind"]] for pl in program["plots"]],
            "constant_types": {name: sum(1 for t, _ in program["constants"] if t == i)
                               for i, name in enumerate(TYPE_NAMES)},
            "inputs": [i["title"] for i in program["inputs"]],
            "input_kinds": [INPUT_KINDS[i["kind"]] for i in program["inputs"]],
            "input_formats": [INPUT_FORMATS[i["format"]] for i in program["inputs"]],
            "input_keys": [i["key"] for i in program["inputs"]],
            "types": [t["name"] for t in program["types"]],
            "enums": [e["name"] for e in program["enums"]],
            "strategy": program["strategy"],
        },
        "state": {
            "archive_version": state["archive_version"],
            "bars_processed": state["bars_processed"],
            "last_bar_time": state["last_bar_time"],
            "halted": state["halted"],
            "symbol": state["symbol"],
            "timeframe": state["timeframe"],
            "input_values": len(state["input_values"]),
            "random_seeded": state["random_seeded"],
            "frames": state["frames"],
            "slots": state["slot_count"],
            "series": len(state["series"]),
            "series_values": sum(se["capacity"] for se in state["series"]),
            "call_site_states": len(state["states"]),
            "call_site_state_list": state["states"],
            "state_kinds": kinds,
            "strings": len(state["strings"]),
            "heap_objects": len(state["heap"]),
            "heap_kinds": heap_kinds,
            "broker": broker_summary(state["broker"]) if state["broker"] else None,
        },
    }


def print_text(d):
    """The readable dump."""
    h, p, s = d["header"], d["program"], d["state"]
    print(f"file: {d['file_bytes']} bytes, all consumed; payload {d['payload_bytes_consumed']} bytes, all consumed")
    print("checksums: header, payload, program and configuration hashes verified")
    print("header:")
    for key in ("format_version", "min_reader_version", "flags", "engine_version", "program_hash", "config_hash",
                "bars_processed", "last_bar_time", "payload_compressed_size", "payload_uncompressed_size",
                "payload_hash", "header_hash"):
        print(f"  {key}: {h[key]}")
    print(f"payload: version {d['payload']['version']}, program {d['payload']['program_bytes']} bytes, "
          f"state {d['payload']['state_bytes']} bytes")
    print(f"program: archive version {p['archive_version']}, bytecode version {p['bytecode_version']}, "
          f"title {p['title']!r}, max_bars_back {p['max_bars_back']}")
    print(f"  constants {p['constants']}, strings {p['strings']}, functions {p['functions']}, "
          f"instructions {p['instructions']}, plots {p['plots']}")
    print(f"  plot titles: {p['plot_titles']}")
    print(f"  plot kinds: {p['plot_kinds']}")
    print(f"  constant types: {p['constant_types']}")
    print(f"  inputs: {list(zip(p['inputs'], p['input_kinds']))}  types: {p['types']}  enums: {p['enums']}")
    print(f"state: archive version {s['archive_version']}, bars processed {s['bars_processed']}, "
          f"last bar time {s['last_bar_time']}, halted {s['halted']}")
    print(f"  symbol {s['symbol']!r}, timeframe {s['timeframe']!r}, inputs {s['input_values']}, "
          f"random seeded {s['random_seeded']}")
    print(f"  frames {s['frames']}, slots {s['slots']}, series {s['series']} ({s['series_values']} values), "
          f"strings {s['strings']}, heap objects {s['heap_objects']} {s['heap_kinds']}")
    if p["strategy"]:
        print(f"  strategy settings: {p['strategy']}")
    if s["broker"]:
        print(f"  broker: {s['broker']}")
    print(f"  call-site states: {s['call_site_states']}")
    for i, st in enumerate(s["call_site_state_list"]):
        print(f"    {i}: {st['kind']} ({st['bytes']} bytes)")


def main():
    """Command line: decode one file, print the dump or JSON."""
    ap = argparse.ArgumentParser(description="Decode a pinevm snapshot following docs/snapshot-format.md.")
    ap.add_argument("file")
    ap.add_argument("--json", action="store_true", help="print one JSON object instead of the readable dump")
    args = ap.parse_args()
    try:
        with open(args.file, "rb") as fh:
            data = fh.read()
        d = decode(data)
    except FormatError as e:
        print(f"snapshot_decode: {args.file}: {e}", file=sys.stderr)
        return 1
    except (OSError, RuntimeError) as e:
        print(f"snapshot_decode: {e}", file=sys.stderr)
        return 2
    if args.json:
        print(json.dumps(d, sort_keys=True))
    else:
        print_text(d)
    return 0


if __name__ == "__main__":
    sys.exit(main())
