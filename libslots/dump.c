/*
 * dump.c — where a format's dump goes: the calling thread's scratch buffer, or a file (written
 * atomically by fileio.c). The formats only append text (jsonl.c, csv.c).
 */
#include "io.h"

int dump_to_scratch(const slots_store *ref, store_dumper dump, const char **out, size_t *len) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc != SLOTS_OK) return rc;
    if (!out) return err_set(SLOTS_EINVAL, "out must not be NULL");
    strbuf *b = sb_scratch();
    rc = dump(s, b);
    if (rc != SLOTS_OK) return rc;
    *out = b->p ? b->p : "";
    if (len) *len = b->len;
    return SLOTS_OK;
}

int dump_to_file(const slots_store *ref, store_dumper dump, const char *path) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc != SLOTS_OK) return rc;
    strbuf b = {0};
    rc = path ? dump(s, &b) : err_set(SLOTS_EINVAL, "path must not be NULL");
    if (rc == SLOTS_OK) rc = file_write(path, b.p, b.len);
    sb_free(&b);
    return rc;
}
