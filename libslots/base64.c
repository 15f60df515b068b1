/*
 * base64.c — RFC 4648 base64 (standard alphabet, '=' padding), the text form of bytes values in
 * JSON and CSV. Decoding is strict: it accepts exactly what base64_encode produces (no whitespace,
 * no missing padding, no stray bits in the last character), so text and bytes map one to one.
 */
#include "base.h"

static const char alphabet[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

/* Appends the encoding of p[0..n) to b (nothing for n == 0). */
void base64_encode(strbuf *b, const unsigned char *p, size_t n) {
    for (size_t i = 0; i < n; i += 3) {
        size_t k = n - i < 3 ? n - i : 3;
        uint32_t acc = (uint32_t)p[i] << 16 | (k > 1 ? (uint32_t)p[i + 1] << 8 : 0) | (k > 2 ? p[i + 2] : 0);
        char o[4] = {alphabet[acc >> 18], alphabet[(acc >> 12) & 63], k > 1 ? alphabet[(acc >> 6) & 63] : '=',
                     k > 2 ? alphabet[acc & 63] : '='};
        sb_put(b, o, 4);
    }
}

static int sextet(char c) {
    if (c >= 'A' && c <= 'Z') return c - 'A';
    if (c >= 'a' && c <= 'z') return c - 'a' + 26;
    if (c >= '0' && c <= '9') return c - '0' + 52;
    if (c == '+') return 62;
    if (c == '/') return 63;
    return -1;
}

/* Empties `out` and decodes p[0..n) into it; false for text that is not padded base64 (then `out`
 * holds part of the bytes). The caller checks out->failed for an allocation failure. */
bool base64_decode(const char *p, size_t n, strbuf *out) {
    out->len = 0;
    if (out->p) out->p[0] = '\0';
    if (n % 4) return false;
    for (size_t i = 0; i < n; i += 4) {
        int pad = 0;
        if (i + 4 == n) pad = p[i + 3] != '=' ? 0 : p[i + 2] == '=' ? 2 : 1; /* only the last quad */
        uint32_t acc = 0;
        for (int k = 0; k < 4; k++) {
            int x = k < 4 - pad ? sextet(p[i + k]) : 0;
            if (x < 0) return false; /* a bad character, or '=' where data belongs */
            acc = acc << 6 | (uint32_t)x;
        }
        if ((pad == 1 && (acc & 0xffu)) || (pad == 2 && (acc & 0xffffu))) return false; /* stray bits */
        char o[3] = {(char)(acc >> 16), (char)(acc >> 8), (char)acc};
        sb_put(out, o, (size_t)(3 - pad));
    }
    return true;
}
