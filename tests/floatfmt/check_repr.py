"""Checks libslots' float formatter (libslots/floatfmt.c, through floatfmt_cli) against Python's
repr(float) on N doubles: random bit patterns, random decimal-looking values of 1..17 digits at
every exponent, subnormals, powers of ten and of two and their neighbours, integers near 2^53, and
halfway cases between adjacent short decimals. f32 values are checked to read back as the same
float and to be as short and as near as the shortest %.Ne text (what format.c promised before);
integers (fmt_i64, fmt_u64) equal str() at every length and at the 64-bit edges.
    python3 tests/floatfmt/check_repr.py build/floatfmt/floatfmt_cli [N]
"""
import math
import random
import struct
import subprocess
import sys


def bits_of(x):
    return struct.unpack("<Q", struct.pack("<d", x))[0]


def from_bits(b):
    return struct.unpack("<d", struct.pack("<Q", b))[0]


def doubles(n, rng):
    out = []
    for _ in range(n // 4):  # random bit patterns: every exponent equally
        out.append(from_bits(rng.getrandbits(64)))
    for _ in range(n // 4):  # decimal-ish: few digits, any exponent
        digits = rng.randint(1, 17)
        m = rng.randrange(10 ** (digits - 1), 10 ** digits)
        out.append(float("%de%d" % (m, rng.randint(-330, 310))) * rng.choice((1, -1)))
    for _ in range(n // 8):  # subnormals, and the smallest normals
        out.append(from_bits(rng.randrange(1, 1 << 53)))
    for _ in range(n // 16):  # prices, counts, ratios: what records hold
        out.append(rng.randrange(0, 10 ** 7) / rng.choice((1, 10, 100, 1000)))
    for _ in range(n // 16):  # halfway between two short decimals, and their neighbours
        digits = rng.randint(1, 16)
        m = rng.randrange(10 ** (digits - 1), 10 ** digits)
        x = float("%d5e%d" % (m, rng.randint(-320, 300)))
        b = bits_of(x)
        out.extend((x, from_bits(b + 1), from_bits(b - 1)) if 1 < b < (0x7ff << 52) - 1 else (x,))
    for e in range(-325, 310):  # powers of ten and their neighbours
        x = float("1e%d" % e)
        b = bits_of(x)
        out.extend((x, from_bits(b + 1), from_bits(max(b - 1, 0))))
    for e in range(-1074, 1024):  # powers of two (the asymmetric intervals) and neighbours
        x = math.ldexp(1.0, e)
        b = bits_of(x)
        out.extend((x, from_bits(b + 1), from_bits(max(b - 1, 0))))
    for i in range(-2000, 2000):  # integers around 2^53 and small ones
        out.extend((float(2 ** 53 + i), float(i), float(2 ** 63 + i * 2048)))
    out.extend((0.0, -0.0, math.inf, -math.inf, math.nan, 5e-324, -5e-324, 1e-323, 2.5e-323, 1.7976931348623157e308,
                2.2250738585072014e-308, 2.225073858507201e-308, 0.1, 0.2, 0.3, 1e16, 1e15, 123456789012345678.0,
                0.0001, 0.00001, 9.999999999999999e15, 9999999999999998.0))
    return out


def shortest_f32(x):
    """What format.c's float32 text was before floatfmt.c: the first %.Ne that reads back."""
    f = struct.unpack("<f", struct.pack("<f", x))[0]
    for p in range(1, 10):
        t = "%.*e" % (p - 1, f)
        if struct.unpack("<f", struct.pack("<f", float(t)))[0] == f:
            return float(t), p
    raise AssertionError(x)


def run(cli, args, lines):
    r = subprocess.run([cli] + args, input="".join(lines).encode(), stdout=subprocess.PIPE, check=True)
    return r.stdout.decode().splitlines()


def main():
    cli = sys.argv[1]
    n = int(sys.argv[2]) if len(sys.argv) > 2 else 2_000_000
    rng = random.Random(20261129)
    xs = doubles(n, rng)
    got = run(cli, [], ["%016x\n" % bits_of(x) for x in xs])
    bad = [(x, g) for x, g in zip(xs, got) if g != repr(x)]
    if len(got) != len(xs) or bad:
        for x, g in bad[:20]:
            print("double %016x: repr %s, libslots %s" % (bits_of(x), repr(x), g))
        sys.exit("floatfmt: %d of %d doubles differ from repr (%d lines)" % (len(bad), len(xs), len(got)))

    fs = [struct.unpack("<f", struct.pack("<I", rng.getrandbits(32)))[0] for _ in range(n // 40)]
    fs += [struct.unpack("<f", struct.pack("<I", b))[0] for b in range(1, 2000)]
    fs += [struct.unpack("<f", struct.pack("<f", rng.randrange(0, 10 ** 6) / 100))[0] for _ in range(n // 40)]
    fs = [f for f in fs if math.isfinite(f) and f != 0]
    got32 = run(cli, ["-f"], ["%08x\n" % struct.unpack("<I", struct.pack("<f", f))[0] for f in fs])
    bad32 = []
    for f, g in zip(fs, got32):
        want, p = shortest_f32(f)
        digits = len(g.lstrip("-").split("e")[0].replace(".", "").lstrip("0").rstrip("0")) or 1
        if struct.unpack("<f", struct.pack("<f", float(g)))[0] != f or digits > p or \
                (digits == p and float(g) != want and abs(float(g) - f) > abs(want - f)) or repr(float(g)) != g:
            bad32.append((f, g, want))
    if len(got32) != len(fs) or bad32:
        for f, g, want in bad32[:20]:
            print("float32 %r: libslots %s, shortest %r" % (f, g, want))
        sys.exit("floatfmt: %d of %d float32 values wrong" % (len(bad32), len(fs)))
    ints = [0, 1, 9, 10, 99, 100, (1 << 63) - 1, 1 << 63, (1 << 64) - 1]
    ints += [10 ** k + d for k in range(20) for d in (-1, 0, 1) if 0 <= 10 ** k + d < 1 << 64]
    ints += [rng.getrandbits(rng.randint(1, 64)) for _ in range(n // 20)]
    goti = run(cli, ["-i"], ["%016x\n" % i for i in ints])
    badi = [(i, g) for i, g in zip(ints, goti) if g != "%d %d" % (i - (1 << 64) if i >= 1 << 63 else i, i)]
    if len(goti) != len(ints) or badi:
        for i, g in badi[:20]:
            print("integer %d: libslots %s" % (i, g))
        sys.exit("floatfmt: %d of %d integers wrong" % (len(badi), len(ints)))
    print("floatfmt: %d doubles equal repr(float); %d float32 values shortest and round-trip; %d integers as str()"
          % (len(xs), len(fs), len(ints)))


if __name__ == "__main__":
    main()
