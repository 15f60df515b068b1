/*
 * floatfmt_cli.c — reads 64-bit patterns (16 hex digits a line) on stdin and prints fmt_double of
 * each, one a line; with -f, 32-bit patterns and fmt_float32; with -i, fmt_i64 and fmt_u64 of each. check_repr.py compares the lines
 * with Python's repr. Linked against the static library (fmt_* are internal).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "base.h"

int main(int argc, char **argv) {
    bool single = argc > 1 && strcmp(argv[1], "-f") == 0, ints = argc > 1 && strcmp(argv[1], "-i") == 0;
    char line[64], out[2 * FMT_NUMBER_MAX + 2];
    static char obuf[1 << 16];
    setvbuf(stdout, obuf, _IOFBF, sizeof obuf);
    while (fgets(line, sizeof line, stdin)) {
        unsigned long long bits = strtoull(line, NULL, 16);
        size_t n;
        if (ints) { /* the pattern as int64, a space, as uint64 */
            n = fmt_i64(out, (int64_t)bits);
            out[n++] = ' ';
            n += fmt_u64(out + n, bits);
        } else if (single) {
            uint32_t b = (uint32_t)bits;
            float f;
            memcpy(&f, &b, 4);
            n = fmt_float32(out, f);
        } else {
            double d;
            memcpy(&d, &bits, 8);
            n = fmt_double(out, d);
        }
        if (n > (ints ? 2 * FMT_NUMBER_MAX : FMT_NUMBER_MAX)) return 2;
        out[n] = '\n';
        fwrite(out, 1, n + 1, stdout);
    }
    return 0;
}
