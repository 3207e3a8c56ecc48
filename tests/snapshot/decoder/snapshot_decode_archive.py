"""The Cereal portable-binary reader and the builtin call-site state
encodings of pinevm snapshots, for tests/snapshot/decoder/snapshot_decode.py.

Sections 4 and 8 of docs/snapshot-format.md: how an archive's scalars, counts
and strings are read (with the count checks pinevm applies), and one reader
per StateKind built from the document's generic encodings.
"""

import math
import struct

BUILTIN_STATE_VERSION = 1       # every builtin state struct's version tag
MAX_LENGTH = 1_000_000          # builtin window lengths

# StateKind numbering (vm/include/pine/vm/builtins.h order, append only).
STATE_KINDS = (
    "SMA EMA RMA WMA RSI ATR TR HIGHEST LOWEST STDEV CHANGE CROSSOVER CROSSUNDER CROSS MACD SUM FIXNAN_F FIXNAN_I "
    "CHANGE_I CHANGE_B VARIANCE CUM MOM ROC BARSSINCE VALUEWHEN VALUEWHEN_I VWMA SWMA HMA ALMA LINREG CCI CMO MFI "
    "TSI WPR COG DEV MEDIAN MODE RANGE RISING FALLING HIGHESTBARS LOWESTBARS HIGHESTBARS_H LOWESTBARS_L MAX MIN "
    "STOCH BB BBW KC KCW CORRELATION PERCENTRANK PERCENTILE_LINEAR PERCENTILE_NEAREST PIVOTHIGH PIVOTLOW "
    "PIVOTHIGH_H PIVOTLOW_L SUPERTREND DMI SAR VWAP VWAP_ANCHOR VWAP_BANDS OBV ACCDIST III NVI PVI PVT WAD WVAD "
    "RCI PIVOT_LEVELS").split()


class FormatError(Exception):
    """A rule of the format is broken; the message says which and where."""


def require(ok, what):
    """Raises FormatError(what) unless ok (the decoder's only failure path)."""
    if not ok:
        raise FormatError(what)


# ---------------------------------------------------------------- readers

class Reader:
    """Reads one Cereal portable-binary archive from a byte string.

    The archive's first byte is Cereal's endianness flag (1: little-endian
    data, 0: big-endian); every multi-byte integer or double after it is read
    in that byte order. Byte strings (std::string via binary_data) are not
    swapped. `name` prefixes error messages with the layer being read.
    """

    def __init__(self, data, name):
        self.data = data
        self.pos = 0
        self.name = name
        flag = self._take(1)[0]
        require(flag in (0, 1), f"{name}: Cereal endianness byte is {flag}, not 0 or 1")
        self.order = "<" if flag == 1 else ">"

    def _take(self, n):
        """The next n bytes; FormatError when fewer remain (truncation)."""
        if n > len(self.data) - self.pos:
            raise FormatError(f"{self.name}: truncated at byte {self.pos}: {n} byte(s) needed, "
                              f"{len(self.data) - self.pos} left")
        b = self.data[self.pos:self.pos + n]
        self.pos += n
        return b

    def remaining(self):
        """Bytes not read yet."""
        return len(self.data) - self.pos

    def _unpack(self, fmt, size):
        """One scalar in the archive's byte order."""
        return struct.unpack(self.order + fmt, self._take(size))[0]

    def u8(self): return self._take(1)[0]
    def u16(self): return self._unpack("H", 2)
    def u32(self): return self._unpack("I", 4)
    def i32(self): return self._unpack("i", 4)
    def u64(self): return self._unpack("Q", 8)
    def i64(self): return self._unpack("q", 8)
    def f64(self): return self._unpack("d", 8)

    def flag(self, what):
        """A bool byte that must be 0 or 1."""
        b = self.u8()
        require(b <= 1, f"{self.name}: {what} is {b}, not 0 or 1")
        return b == 1

    def count(self, min_elem, hard_max, what):
        """A u64 element count: at most hard_max, and (min_elem > 0) at most
        remaining() // min_elem, checked before anything is read."""
        at = self.pos
        n = self.u64()
        require(n <= hard_max, f"{self.name}: {what} count {n} at byte {at} is above its limit {hard_max}")
        require(min_elem == 0 or n <= self.remaining() // min_elem,
                f"{self.name}: {what} count {n} at byte {at} is larger than the remaining input allows")
        return n

    def string(self, hard_max, what):
        """A u64 length and that many raw bytes, decoded as UTF-8 (undecodable
        bytes kept as surrogates, so encoding gives the bytes back for hashing)."""
        n = self.count(1, hard_max, what)
        return self._take(n).decode("utf-8", errors="surrogateescape")

    def array(self, fmt, size, hard_max, what):
        """A u64 count and that many scalars of one format."""
        n = self.count(size, hard_max, what)
        return [self._unpack(fmt, size) for _ in range(n)]

    def finish(self):
        """Fails unless every byte of the archive was read."""
        require(self.remaining() == 0, f"{self.name}: {self.remaining()} trailing byte(s) after byte {self.pos}")


# ---------------------------------------------------------------- builtin states
# Each decoder reads one encoding of section "Builtin call-site states" and
# returns nothing; failures raise FormatError.

def st_version(r):
    """V: the u32 version tag every state struct writes first (must be 1)."""
    v = r.u32()
    require(v == BUILTIN_STATE_VERSION, f"state: builtin state version {v} is not {BUILTIN_STATE_VERSION}")


def st_ring(r, fmt="d", size=8, finite=False, max_cap=MAX_LENGTH + 1):
    """Ring<T>: u64 capacity, u64 count (<= capacity), count values oldest
    first. Returns (capacity, values)."""
    cap = r.u64()
    require(cap <= max_cap, f"state: ring capacity {cap} above {max_cap}")
    values = r.array(fmt, size, cap, "ring value")
    if finite:
        require(all(math.isfinite(v) for v in values), "state: na stored in a window")
    return cap, values


def st_length(r):
    """Len: i64, 0 or 1..1,000,000."""
    n = r.i64()
    require(n == 0 or 1 <= n <= MAX_LENGTH, f"state: stored length {n} out of range")
    return n


def st_window_sums(r, squares=False):
    """WS / WSQ: the compensated rolling sums of sma, sum, stdev and the
    ema/rma seeds."""
    st_version(r)
    cap, hist = st_ring(r)
    entries = [st_ring(r) for _ in range(2 if squares else 1)]
    for _ in range(2 if squares else 1):
        r.f64(), r.f64(), r.u32()  # CompSum: s, c, quiet
    length = st_length(r)
    for ecap, evals in entries:
        require(ecap == cap and len(evals) == len(hist), "state: window entries do not match its values")
    require(cap >= length, "state: history smaller than window")
    require(all(math.isfinite(v) for v in hist), "state: na stored in a window")


def st_window(r, finite):
    """W: version, Ring<f64>, Len; capacity >= Len (highest, lowest,
    *bars, median, mode, percentiles, pivots)."""
    st_version(r)
    cap, _ = st_ring(r, finite=finite)
    require(cap >= st_length(r), "state: history smaller than window")


def parts(*readers):
    """save_parts: V, then each part in order."""
    def read(r):
        st_version(r)
        for part in readers:
            part(r)
    return read


F64 = lambda r: r.f64()          # noqa: E731  a double part
I64 = lambda r: r.i64()          # noqa: E731
FLAG = lambda r: r.flag("state flag")  # noqa: E731
RING = lambda r: st_ring(r)      # noqa: E731
RING_FINITE = lambda r: st_ring(r, finite=True)  # noqa: E731
WS = lambda r: st_window_sums(r)  # noqa: E731
WSQ = lambda r: st_window_sums(r, squares=True)  # noqa: E731
SMA = parts(WS)
SUM = parts(WS)
STDEV = parts(WSQ)
EMA = parts(WS, F64)
RMA = parts(WS, F64)
WMA = parts(RING_FINITE)
TR = parts(F64)
ATR = parts(TR, RMA)
EXTREME = lambda r: st_window(r, finite=True)  # noqa: E731
CHANGE = parts(RING)
SUMx5 = [SUM] * 5


def bounded(reader, check, what):
    """A part read by `reader` whose value must satisfy `check`."""
    def read(r):
        v = reader(r)
        require(check(v), f"state: bad {what} {v}")
    return read


def change_bool(r):
    """ChangeBool: V, Ring<u8> whose bytes are 0 or 1."""
    st_version(r)
    _, values = st_ring(r, "B", 1)
    require(all(v <= 1 for v in values), "state: bad bool in ta.change history")


def fixnan(r):
    """fixnan: u32 version (1), u64 last value bits, u8 seen flag."""
    st_version(r)
    r.u64()
    r.flag("fixnan seen")


STATE_READERS = {
    "SMA": SMA, "EMA": EMA, "RMA": RMA, "WMA": WMA,
    "RSI": parts(F64, RMA, RMA),
    "ATR": ATR, "TR": TR, "HIGHEST": EXTREME, "LOWEST": EXTREME,
    "STDEV": STDEV, "VARIANCE": STDEV,
    "CHANGE": CHANGE, "MOM": CHANGE,
    "CROSSOVER": parts(FLAG, FLAG), "CROSSUNDER": parts(FLAG, FLAG), "CROSS": parts(FLAG, FLAG),
    "MACD": parts(EMA, EMA, EMA),
    "SUM": SUM, "FIXNAN_F": fixnan, "FIXNAN_I": fixnan,
    "CHANGE_I": parts(lambda r: st_ring(r, "q", 8)),
    "CHANGE_B": change_bool,
    "CUM": parts(F64),
    "ROC": parts(RING),
    "BARSSINCE": parts(bounded(I64, lambda v: v >= -1, "barssince counter")),
    "VALUEWHEN": parts(RING), "VALUEWHEN_I": parts(lambda r: st_ring(r, "q", 8)),
    "VWMA": parts(SMA, SMA),
    "SWMA": parts(lambda r: st_ring(r, max_cap=4)),
    "HMA": parts(WMA, WMA, WMA),
    "ALMA": parts(RING), "LINREG": parts(RING),
    "CCI": parts(SMA, RING_FINITE), "DEV": parts(SMA, RING_FINITE),
    "CMO": parts(CHANGE, SUM, SUM),
    "MFI": parts(F64, SUM, SUM),
    "TSI": parts(F64, EMA, EMA, EMA, EMA),
    "WPR": parts(EXTREME, EXTREME),
    "COG": parts(SUM, RING_FINITE),
    "MEDIAN": EXTREME, "MODE": EXTREME,
    "RANGE": parts(EXTREME, EXTREME),
    "RISING": parts(F64, bounded(I64, lambda v: 0 <= v <= MAX_LENGTH, "rising/falling run")),
    "FALLING": parts(F64, bounded(I64, lambda v: 0 <= v <= MAX_LENGTH, "rising/falling run")),
    "HIGHESTBARS": EXTREME, "LOWESTBARS": EXTREME, "HIGHESTBARS_H": EXTREME, "LOWESTBARS_L": EXTREME,
    "MAX": parts(F64), "MIN": parts(F64),
    "STOCH": parts(EXTREME, EXTREME),
    "BB": parts(SMA, STDEV), "BBW": parts(SMA, STDEV),
    "KC": parts(EMA, EMA, TR), "KCW": parts(EMA, EMA, TR),
    "CORRELATION": parts(*SUMx5),
    "PERCENTRANK": parts(RING),
    "PERCENTILE_LINEAR": lambda r: st_window(r, finite=False),
    "PERCENTILE_NEAREST": lambda r: st_window(r, finite=False),
    "PIVOTHIGH": EXTREME, "PIVOTLOW": EXTREME, "PIVOTHIGH_H": EXTREME, "PIVOTLOW_L": EXTREME,
    "SUPERTREND": parts(F64, F64, F64, F64, F64, ATR),
    "DMI": parts(CHANGE, CHANGE, TR, RMA, RMA, RMA, RMA),
    "SAR": parts(F64, F64, F64, FLAG, bounded(lambda r: r.u64(), lambda v: v <= 2, "sar call count"),
                 F64, F64, F64, F64, F64),
    "VWAP": parts(F64, F64, F64, FLAG, I64), "VWAP_ANCHOR": parts(F64, F64, F64, FLAG, I64),
    "VWAP_BANDS": parts(F64, F64, F64, FLAG, I64),
    "OBV": parts(F64, F64, F64, parts(F64)), "ACCDIST": parts(F64, F64, F64, parts(F64)),
    "NVI": parts(F64, F64, F64, parts(F64)), "PVI": parts(F64, F64, F64, parts(F64)),
    "PVT": parts(F64, F64, F64, parts(F64)), "WAD": parts(F64, F64, F64, parts(F64)),
    "III": parts(), "WVAD": parts(),
    "RCI": parts(bounded(lambda r: r.u64(), lambda v: v <= MAX_LENGTH + 1, "rci count"), RING),
    "PIVOT_LEVELS": parts(*([F64] * 8), FLAG, FLAG),
}
assert set(STATE_READERS) == set(STATE_KINDS)
