"""Writes the table of powers of ten that libslots/floatfmt.c's shortest-float search multiplies by
(the Schubfach scheme: R. Giulietti, "The Schubfach way to render doubles", 2020).

For each k in [K_MIN, K_MAX], 10^-k = beta * 2^r with 2^125 <= beta < 2^126; g = floor(beta) + 1,
split into its high 63 bits g1 and low 63 bits g0. Python's integers make every entry exact.
    python3 tests/floatfmt/gen_pow10.py            prints the table
    python3 tests/floatfmt/gen_pow10.py --check    exits 1 unless floatfmt.c holds exactly it
"""
import os
import sys

K_MIN, K_MAX = -324, 292


def flog2pow10(e):
    return (e * 913124641741) >> 38  # floor(e * log2(10)), as floatfmt.c computes it


def entry(k):
    e = -k
    r = flog2pow10(e) - 125
    num, den = (10 ** e, 1) if e >= 0 else (1, 10 ** -e)
    if r >= 0:
        den <<= r
    else:
        num <<= -r
    beta = num // den
    assert 1 << 125 <= beta < 1 << 126, k
    g = beta + 1
    return g >> 63, g & ((1 << 63) - 1)


def table():
    lines = ["static const uint64_t pow10_g[][2] = { /* k = %d .. %d: {g1, g0} */" % (K_MIN, K_MAX)]
    for k in range(K_MIN, K_MAX + 1):
        g1, g0 = entry(k)
        lines.append("    {0x%016x, 0x%016x}," % (g1, g0))
    lines.append("};")
    return "\n".join(lines) + "\n"


if __name__ == "__main__":
    text = table()
    if "--check" in sys.argv:
        src = open(os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "..", "libslots", "floatfmt.c")).read()
        sys.exit(0 if text in src else "libslots/floatfmt.c: the pow10_g table differs from tests/floatfmt/gen_pow10.py")
    sys.stdout.write(text)
