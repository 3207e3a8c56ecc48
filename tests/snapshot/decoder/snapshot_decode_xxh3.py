"""XXH3-64 and XXH3-128 (seed 0, default secret) for tests/snapshot/decoder/snapshot_decode.py.

XXH3 is not in the Python standard library. This is written from the
algorithm's description, with the constants of xxhash.h; it was checked
against libxxhash for every input length from 17 to 2,200 bytes (and 9 to 16
for the 64-bit hash).
"""

# Only the input lengths a snapshot can need are implemented: 9 bytes and
# more for XXH3-64, 17 and more for XXH3-128 (the header hash covers 120
# bytes, a zstd frame is at least 9, the configuration bytes at least 131,
# a program blob far more than 17). Shorter inputs raise ValueError.

M64 = (1 << 64) - 1
P32_1, P32_2, P32_3 = 0x9E3779B1, 0x85EBCA77, 0xC2B2AE3D
P64_1, P64_2, P64_3, P64_4, P64_5 = (0x9E3779B185EBCA87, 0xC2B2AE3D27D4EB4F, 0x165667B19E3779F9,
                                     0x85EBCA77C2B2AE63, 0x27D4EB2F165667C5)
SECRET = bytes.fromhex(
    "b8fe6c3923a44bbe7c01812cf721ad1c"
    "ded46de9839097db7240a4a4b7b3671f"
    "cb79e64eccc0e578825ad07dccff7221"
    "b8084674f743248ee03590e6813a264c"
    "3c2852bb91c300cb88d0658b1b532ea3"
    "71644897a20df94e3819ef46a9deacd8"
    "a8fa763fe39c343ff9dcbbc7c70b4f1d"
    "8a51e04bcdb45931c89f7ec9d9787364"
    "eac5ac8334d3ebc3c581a0fffa1363eb"
    "170ddd51b7f0da49d316552629d4689e"
    "2b16be587d47a1fc8ff8b8d17ad031ce"
    "45cb3a8f95160428afd7fbcabb4b407e")
assert len(SECRET) == 192


def r64(b, off):
    """Little-endian u64 at off."""
    return int.from_bytes(b[off:off + 8], "little")


def fold(a, b):
    """The 128-bit product of a and b, its halves XORed."""
    p = a * b
    return (p & M64) ^ (p >> 64)


def avalanche(h):
    """XXH3's final mix."""
    h ^= h >> 37
    h = (h * 0x165667919E3779F9) & M64
    return h ^ (h >> 32)


def mix16(data, off, soff):
    """Two input words keyed by two secret words, folded (seed 0)."""
    return fold(r64(data, off) ^ r64(SECRET, soff), r64(data, off + 8) ^ r64(SECRET, soff + 8))


def long_accumulators(data):
    """The eight accumulators of the long (> 240 bytes) hash: 64-byte
    stripes, 16 per block with a scramble after each block, then the last
    stripe of the input."""
    acc = [P32_3, P64_1, P64_2, P64_3, P64_4, P32_2, P64_5, P32_1]

    def stripe(off, soff):
        for i in range(8):
            v = r64(data, off + 8 * i)
            k = v ^ r64(SECRET, soff + 8 * i)
            acc[i ^ 1] = (acc[i ^ 1] + v) & M64
            acc[i] = (acc[i] + (k & 0xFFFFFFFF) * (k >> 32)) & M64

    n = len(data)
    block = 64 * 16
    blocks = (n - 1) // block
    for b in range(blocks):
        for st in range(16):
            stripe(b * block + 64 * st, 8 * st)
        for i in range(8):
            a = acc[i] ^ (acc[i] >> 47) ^ r64(SECRET, 128 + 8 * i)
            acc[i] = (a * P32_1) & M64
    for st in range(((n - 1) - block * blocks) // 64):
        stripe(blocks * block + 64 * st, 8 * st)
    stripe(n - 64, 192 - 64 - 7)
    return acc


def merge(acc, soff, start):
    """Folds the accumulators pairwise with secret words into one u64."""
    h = start & M64
    for i in range(4):
        h = (h + fold(acc[2 * i] ^ r64(SECRET, soff + 16 * i), acc[2 * i + 1] ^ r64(SECRET, soff + 16 * i + 8))) & M64
    return avalanche(h)


def xxh3_64(data):
    """XXH3-64 (seed 0) of data, for len(data) >= 9."""
    n = len(data)
    if n < 9:
        raise ValueError("xxh3_64: inputs shorter than 9 bytes are not implemented")
    if n <= 16:
        lo = r64(data, 0) ^ (r64(SECRET, 24) ^ r64(SECRET, 32))
        hi = r64(data, n - 8) ^ (r64(SECRET, 40) ^ r64(SECRET, 48))
        swapped = int.from_bytes(lo.to_bytes(8, "little"), "big")
        return avalanche((n + swapped + hi + fold(lo, hi)) & M64)
    if n <= 128:
        acc = n * P64_1
        pairs = [(0, 0)]
        if n > 32:
            pairs.append((16, 32))
        if n > 64:
            pairs.append((32, 64))
        if n > 96:
            pairs.append((48, 96))
        for k, soff in pairs:
            acc += mix16(data, k, soff) + mix16(data, n - 16 - k, soff + 16)
        return avalanche(acc & M64)
    if n <= 240:
        acc = n * P64_1
        for i in range(8):
            acc += mix16(data, 16 * i, 16 * i)
        acc = avalanche(acc & M64)
        for i in range(8, n // 16):
            acc += mix16(data, 16 * i, 16 * (i - 8) + 3)
        acc += mix16(data, n - 16, 136 - 17)
        return avalanche(acc & M64)
    return merge(long_accumulators(data), 11, n * P64_1)


def xxh3_128(data):
    """XXH3-128 (seed 0) of data, for len(data) >= 17, as 16 bytes in
    canonical (big-endian, high half first) order."""
    n = len(data)
    if n < 17:
        raise ValueError("xxh3_128: inputs shorter than 17 bytes are not implemented")

    def mix32(lo, hi, a, b, soff):
        lo = (lo + mix16(data, a, soff)) & M64
        lo ^= (r64(data, b) + r64(data, b + 8)) & M64
        hi = (hi + mix16(data, b, soff + 16)) & M64
        hi ^= (r64(data, a) + r64(data, a + 8)) & M64
        return lo, hi

    if n <= 240:
        lo, hi = n * P64_1 & M64, 0
        if n <= 128:
            rounds = [(0, 0)] + [(16 * k, 32 * k) for k, limit in ((1, 32), (2, 64), (3, 96)) if n > limit]
            for k, soff in reversed(rounds):
                lo, hi = mix32(lo, hi, k, n - 16 - k, soff)
        else:
            for i in range(4):
                lo, hi = mix32(lo, hi, 32 * i, 32 * i + 16, 32 * i)
            lo, hi = avalanche(lo), avalanche(hi)
            for i in range(4, n // 32):
                lo, hi = mix32(lo, hi, 32 * i, 32 * i + 16, 3 + 32 * (i - 4))
            lo, hi = mix32(lo, hi, n - 16, n - 32, 136 - 17 - 16)
        low = avalanche((lo + hi) & M64)
        high = (-avalanche((lo * P64_1 + hi * P64_4 + n * P64_2) & M64)) & M64
    else:
        acc = long_accumulators(data)
        low = merge(acc, 11, n * P64_1)
        high = merge(acc, 192 - 64 - 11, ~(n * P64_2) & M64)
    return high.to_bytes(8, "big") + low.to_bytes(8, "big")
