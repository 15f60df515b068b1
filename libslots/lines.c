/*
 * lines.c — counting line ends fast: the number of rows a chunk of text can hold (bulk loads claim
 * that many slots up front) and an estimate of a big text's lines (to size the key index once).
 */
#include "io.h"

/* Counts '\n' bytes sixteen at a time with the compiler's vector extension (SSE2 on x86-64, NEON
 * on arm64): a compare gives -1 per newline, which is subtracted from 16 byte-wide counters that
 * are summed before they can overflow. A per-line memchr costs more than the lines are long. */
typedef unsigned char bytes16 __attribute__((vector_size(16)));
size_t count_newlines(const char *buf, size_t len) {
    size_t n = 0, i = 0;
    while (i + 16 <= len) {
        bytes16 counts = {0};
        size_t stop = len - i > 16 * 255 ? i + 16 * 255 : len;
        for (; i + 16 <= stop; i += 16) {
            bytes16 v;
            memcpy(&v, buf + i, sizeof v);
            counts -= (bytes16)(v == (unsigned char)'\n');
        }
        for (int k = 0; k < 16; k++) n += counts[k];
    }
    for (; i < len; i++) n += buf[i] == '\n';
    return n;
}

/* Lines in buf: counted for small buffers, estimated for large ones from three 64 KiB windows
 * (start, middle, end: ids and names grow along a file), since a full count would stream the
 * whole text from memory once more before decoding it. */
size_t estimate_lines(const char *buf, size_t len) {
    const size_t window = 64 * 1024;
    if (len <= 3 * window) return 1 + count_newlines(buf, len);
    size_t seen = count_newlines(buf, window) + count_newlines(buf + len / 2, window) +
                  count_newlines(buf + len - window, window);
    return (size_t)((double)seen * ((double)len / (double)(3 * window))) + 1;
}
