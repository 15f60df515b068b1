/*
 * uuidtext.c — the text of a uuid field: read in the spellings Python's uuid.UUID(str) accepts,
 * written in the canonical lower-case 8-4-4-4-12 form (RFC 9562), as str(uuid.UUID) writes it.
 */
#include "base.h"

static int hex_value(char c) {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
}

/* Python strips "urn:", "uuid:" and braces, drops every hyphen, and wants 32 hex digits then. The
 * hyphens are checked where RFC 9562 puts them, or absent: "12-34..." anywhere else is refused. */
int uuid_parse(const char *s, size_t n, uint8_t out[16]) {
    if (n >= 9 && ascii_word_is(s, 9, "urn:uuid:")) s += 9, n -= 9;
    if (n >= 2 && s[0] == '{' && s[n - 1] == '}') s++, n -= 2;
    bool hyphens = n == 36;
    if (!hyphens && n != 32) return SLOTS_EPARSE;
    uint8_t b[16];
    size_t j = 0;
    for (size_t i = 0; i < n; i++) {
        if (hyphens && (i == 8 || i == 13 || i == 18 || i == 23)) {
            if (s[i] != '-') return SLOTS_EPARSE;
            continue;
        }
        int h = hex_value(s[i]);
        if (h < 0) return SLOTS_EPARSE;
        if (j % 2 == 0) b[j / 2] = (uint8_t)(h << 4);
        else b[j / 2] |= (uint8_t)h;
        j++;
    }
    memcpy(out, b, 16);
    return SLOTS_OK;
}

size_t uuid_format(const uint8_t u[16], char out[UUID_TEXT_MAX]) {
    static const char hex[] = "0123456789abcdef";
    size_t n = 0;
    for (int i = 0; i < 16; i++) {
        if (i == 4 || i == 6 || i == 8 || i == 10) out[n++] = '-';
        out[n++] = hex[u[i] >> 4];
        out[n++] = hex[u[i] & 15];
    }
    out[n] = 0;
    return n;
}
