/*
 * arrow_import.c — an Arrow C stream of struct batches loaded into a store, row by row through the
 * load frame (load.c): each cell becomes a value and goes through field_set, the one path into a
 * field, so kinds, ranges, validators and the key rules are those of every other load, and the
 * load is all or nothing. Columns are matched to fields by name once, from the stream's schema.
 */
#include "io.h"

#include <errno.h>
#include <stdio.h>

/* The Arrow formats a column may have, and how its cells become values. */
enum { IN_NULL, IN_BOOL, IN_INT, IN_UINT, IN_FLOAT, IN_OFFSETS32, IN_OFFSETS64, IN_VIEWS, IN_TIMESTAMP, IN_DATE,
       IN_FIXED16, IN_DECIMAL };

typedef struct column_in {
    const char *name;  /* the schema's (kept until the end of the import) */
    int field;         /* the field it fills, or -1: an extra of a dynamic type */
    int layout;        /* IN_* */
    int width;         /* bytes of an integer or float cell */
    int text_kind;     /* SLOTS_STR or SLOTS_BYTES for text layouts */
    unsigned scale;    /* IN_DECIMAL: the column's S */
    const struct ArrowArray *a; /* the current batch's child */
} column_in;

typedef struct import {
    struct ArrowArrayStream *in;
    struct ArrowSchema schema;
    const slots_type *t;
    column_in *cols;
    int64_t ncols;
    const struct ArrowArray *batch;
    int64_t row; /* in the current batch, from 0 */
} import;

typedef struct format_info {
    const char *format;
    int layout, width, text_kind;
} format_info;

static const format_info formats[] = {
    {"n", IN_NULL, 0, 0},          {"b", IN_BOOL, 0, 0},          {"c", IN_INT, 1, 0},
    {"s", IN_INT, 2, 0},           {"i", IN_INT, 4, 0},           {"l", IN_INT, 8, 0},
    {"C", IN_UINT, 1, 0},          {"S", IN_UINT, 2, 0},          {"I", IN_UINT, 4, 0},
    {"L", IN_UINT, 8, 0},          {"f", IN_FLOAT, 4, 0},         {"g", IN_FLOAT, 8, 0},
    {"u", IN_OFFSETS32, 0, SLOTS_STR},   {"U", IN_OFFSETS64, 0, SLOTS_STR},   {"vu", IN_VIEWS, 0, SLOTS_STR},
    {"z", IN_OFFSETS32, 0, SLOTS_BYTES}, {"Z", IN_OFFSETS64, 0, SLOTS_BYTES}, {"vz", IN_VIEWS, 0, SLOTS_BYTES},
    {"tsu:UTC", IN_TIMESTAMP, 8, 0},     {"tdD", IN_DATE, 4, 0},              {"w:16", IN_FIXED16, 16, 0},
};

/* "d:P,S" or "d:P,S,128" (decimal128: the only width a decimal field takes back): true with S. */
static bool decimal_format_of(const char *format, unsigned *scale) {
    unsigned p = 0, sc = 0;
    int n = 0;
    if (strncmp(format, "d:", 2) != 0) return false;
    if (sscanf(format, "d:%u,%u%n", &p, &sc, &n) != 2) return false;
    if (strcmp(format + n, "") != 0 && strcmp(format + n, ",128") != 0) return false;
    *scale = sc;
    return p >= 1 && p <= DECIMAL_MAX_PRECISION && sc <= p;
}

/* The stream failed (not a row): its own words, when it has some. */
static int stream_error(import *im, int code, const char *what) {
    const char *why = im->in->get_last_error ? im->in->get_last_error(im->in) : NULL;
    return err_set(code == ENOMEM ? SLOTS_ENOMEM : SLOTS_EIO, "the Arrow stream failed to give its %s: %s", what, why ? why : strerror(code));
}

/* A schema child as a column: its format known, its name a field (or an extra of a dynamic type)
 * not seen before. */
static int add_column(import *im, const struct ArrowSchema *c, column_in *col, bool *seen) {
    const slots_type *t = im->t;
    if (!c || !c->format || !c->name) return err_set(SLOTS_EINVAL, "the Arrow schema has a column without a format or name");
    size_t k = 0, nformats = sizeof formats / sizeof formats[0];
    unsigned scale = 0;
    bool decimal = decimal_format_of(c->format, &scale);
    while (!decimal && k < nformats && strcmp(formats[k].format, c->format) != 0) k++;
    if ((!decimal && k == nformats) || c->dictionary)
        return err_set(SLOTS_ETYPE, "column '%s' has Arrow format '%s', which no field kind takes (decode dictionaries, cast dates and nested types first)",
                       c->name, c->format);
    int f = type_find_field(t, c->name, strlen(c->name));
    if (f < 0 && !(t->flags & SLOTS_DYNAMIC)) return err_no_attr(t, c->name, strlen(c->name));
    if (f >= 0 && seen[f]) return err_set(SLOTS_EINVAL, "column '%s' appears twice in the Arrow schema", c->name);
    if (f >= 0) seen[f] = true;
    if (decimal) *col = (column_in){c->name, f, IN_DECIMAL, 16, 0, scale, NULL};
    else *col = (column_in){c->name, f, formats[k].layout, formats[k].width, formats[k].text_kind, 0, NULL};
    return SLOTS_OK;
}

static int read_schema(import *im) {
    int code = im->in->get_schema(im->in, &im->schema);
    if (code != 0) return im->schema.release = NULL, stream_error(im, code, "schema");
    const struct ArrowSchema *s = &im->schema;
    if (!s->format || strcmp(s->format, "+s") != 0)
        return err_set(SLOTS_ETYPE, "an Arrow stream of records has struct batches (format '+s'), not '%s'", s->format ? s->format : "");
    im->ncols = s->n_children;
    im->cols = mem_calloc((size_t)im->ncols * sizeof *im->cols + 1, NULL);
    bool *seen = mem_calloc((size_t)im->t->nfields + 1, NULL);
    int rc = im->cols && seen ? SLOTS_OK : err_nomem();
    for (int64_t k = 0; k < im->ncols && rc == SLOTS_OK; k++) rc = add_column(im, s->children[k], &im->cols[k], seen);
    if (seen) mem_free(seen, (size_t)im->t->nfields + 1, NULL);
    return rc;
}

/* Buffers a child of the layout must have (views: at least; their data buffers follow). */
static int64_t buffers_needed(int layout) {
    switch (layout) {
    case IN_NULL: return 0;
    case IN_OFFSETS32: case IN_OFFSETS64: case IN_VIEWS: return 3;
    default: return 2;
    }
}

/* A batch's shape against the schema: what the cells are read from must be there. */
static int check_batch(import *im, size_t batch) {
    const struct ArrowArray *b = im->batch;
    if (b->n_children != im->ncols || b->length < 0 || b->offset < 0)
        return err_set(SLOTS_EINVAL, "batch %zu does not match its stream's schema (%lld columns, not %lld)", batch,
                       (long long)b->n_children, (long long)im->ncols);
    for (int64_t k = 0; k < im->ncols; k++) {
        const struct ArrowArray *c = b->children[k];
        column_in *col = &im->cols[k];
        bool ok = c && c->n_buffers >= buffers_needed(col->layout) && c->offset >= 0 && c->length >= b->offset + b->length;
        for (int64_t j = 1; ok && j < buffers_needed(col->layout); j++) ok = b->length == 0 || c->buffers[j];
        if (!ok) return err_set(SLOTS_EINVAL, "batch %zu: column '%s' is not a valid Arrow array of its format", batch, col->name);
        col->a = c;
    }
    return SLOTS_OK;
}

static bool bit_at(const void *bits, int64_t i) { return (((const unsigned char *)bits)[i / 8] >> (i % 8)) & 1u; }

/* Cell i (the child's own offset applied) of a column as a value; false when its offsets or view
 * point nowhere the array can hold (a producer's mistake: an error, never a wild read). A decimal
 * cell becomes its text in `text`, which the field reads exactly whatever its own scale. */
static bool cell_value(const column_in *col, int64_t i, value *v, char text[KIND_TEXT_MAX]) {
    const struct ArrowArray *a = col->a;
    i += a->offset;
    if (col->layout == IN_NULL || (a->null_count != 0 && a->buffers[0] && !bit_at(a->buffers[0], i))) {
        v->kind = VAL_NULL;
        return true;
    }
    const char *cells = a->buffers[1];
    union { int8_t i8; int16_t i16; int32_t i32; int64_t i64; uint8_t u8; uint16_t u16; uint32_t u32; uint64_t u64; float f; double d; } x;
    if (col->width && col->width <= (int)sizeof x) memcpy(&x, cells + i * col->width, (size_t)col->width);
    switch (col->layout) {
    case IN_TIMESTAMP: *v = (value){.kind = SLOTS_TIMESTAMP, .as.i = x.i64}; break;
    case IN_DATE: *v = (value){.kind = SLOTS_DATE, .as.i = x.i32}; break;
    case IN_FIXED16: *v = (value){.kind = SLOTS_BYTES, .as.s = {cells + i * 16, 16}}; break;
    case IN_DECIMAL: {
        slots_i128 d;
        memcpy(&d, cells + i * 16, sizeof d);
        /* 39 digits at most, which decimal_format writes; the field refuses what it cannot hold */
        *v = (value){.kind = SLOTS_STR, .as.s = {text, decimal_format(d, col->scale, text)}};
        break;
    }
    case IN_BOOL: *v = (value){.kind = SLOTS_BOOL, .as.i = bit_at(cells, i)}; break;
    case IN_INT: *v = (value){.kind = SLOTS_I64, .as.i = col->width == 1 ? x.i8 : col->width == 2 ? x.i16 : col->width == 4 ? x.i32 : x.i64}; break;
    case IN_UINT: *v = (value){.kind = SLOTS_U64, .as.u = col->width == 1 ? x.u8 : col->width == 2 ? x.u16 : col->width == 4 ? x.u32 : x.u64}; break;
    case IN_FLOAT: *v = (value){.kind = SLOTS_F64, .as.f = col->width == 4 ? x.f : x.d}; break;
    case IN_OFFSETS32: {
        int32_t o[2];
        memcpy(o, cells + i * 4, sizeof o);
        if (o[0] < 0 || o[1] < o[0]) return false;
        *v = (value){.kind = col->text_kind, .as.s = {(const char *)a->buffers[2] + o[0], (size_t)(o[1] - o[0])}};
        break;
    }
    case IN_OFFSETS64: {
        int64_t o[2];
        memcpy(o, cells + i * 8, sizeof o);
        if (o[0] < 0 || o[1] < o[0]) return false;
        *v = (value){.kind = col->text_kind, .as.s = {(const char *)a->buffers[2] + o[0], (size_t)(o[1] - o[0])}};
        break;
    }
    default: { /* a view: 4-byte length, then the text (up to 12 bytes) or a prefix, buffer and offset */
        const char *view = cells + i * 16;
        int32_t len, buf, at;
        memcpy(&len, view, 4), memcpy(&buf, view + 8, 4), memcpy(&at, view + 12, 4);
        if (len < 0 || (len > 12 && (buf < 0 || buf >= a->n_buffers - 3 || at < 0 || !a->buffers[2 + buf]))) return false;
        const char *p = len <= 12 ? view + 4 : (const char *)a->buffers[2 + buf] + at;
        *v = (value){.kind = col->text_kind, .as.s = {p, (size_t)len}};
    }
    }
    return true;
}

/* One row of the batch into the blank record r: each column through field_set (or extra_set). */
static int decode_row(const recref *r, void *ctx) {
    import *im = ctx;
    int64_t i = im->batch->offset + im->row;
    const struct ArrowArray *b = im->batch;
    if (b->null_count != 0 && b->n_buffers > 0 && b->buffers[0] && !bit_at(b->buffers[0], i))
        return err_set(SLOTS_EINVAL, "the row is null (a null struct, not a record)");
    for (int64_t k = 0; k < im->ncols; k++) {
        const column_in *col = &im->cols[k];
        value v;
        char text[KIND_TEXT_MAX];
        int rc = cell_value(col, i, &v, text) ? SLOTS_OK
                 : err_set(SLOTS_EINVAL, "column '%s' has offsets or a view that point outside its data", col->name);
        /* A null is a value only where null is (an optional field); elsewhere it is a missing cell,
         * as an empty CSV cell is: the default applies, or the row misses the field. */
        bool missing = v.kind == VAL_NULL && (col->field < 0 || !(im->t->fields[col->field].flags & SLOTS_FIELD_OPTIONAL));
        if (rc == SLOTS_OK && !missing)
            rc = col->field >= 0 ? field_set(r, col->field, &v) : extra_set(r, col->name, strlen(col->name), &v);
        if (rc != SLOTS_OK) return load_note_field(col->name, strlen(col->name)), rc;
    }
    return SLOTS_OK;
}

/* Every batch of the stream, each row through the load frame. */
static int import_batches(import *im, loader *L) {
    size_t rows = 0;
    for (size_t batch = 0;; batch++) {
        struct ArrowArray a = {0};
        int code = im->in->get_next(im->in, &a);
        if (code != 0) return stream_error(im, code, "next batch");
        if (!a.release) return SLOTS_OK; /* the end */
        im->batch = &a;
        int rc = check_batch(im, batch);
        L->batched = true, L->batch = batch, L->batch_first_line = rows + 1;
        for (im->row = 0; rc == SLOTS_OK && im->row < a.length; im->row++) {
            rc = loader_row(L, rows + (size_t)im->row + 1, decode_row, im);
            if (rc == SLOTS_OK && (rows + (size_t)im->row) % CANCEL_EVERY == 0 && cancel_requested(L->watch)) rc = err_cancelled();
        }
        rows += (size_t)a.length;
        if (rc == SLOTS_OK) rc = loader_progress(L, rows, false);
        a.release(&a);
        if (rc != SLOTS_OK) return rc;
    }
}

int slots_store_import_stream(slots_store *s, struct ArrowArrayStream *in, unsigned flags, size_t *loaded) {
    GUARDED;
    if (!in || !in->release) return err_set(SLOTS_EINVAL, "the Arrow stream must not be NULL or released");
    struct ArrowArrayStream stream = *in; /* moved, as the spec says a consumer takes a stream */
    in->release = NULL;
    loader L;
    import im = {.in = &stream};
    int rc = loader_begin(&L, s, flags, NULL, 0);
    if (rc == SLOTS_OK) im.t = L.store->type, rc = read_schema(&im);
    if (rc == SLOTS_OK) rc = cancel_watch(store_ref(L.store), &L.watch); /* the reference callers hold */
    if (rc == SLOTS_OK) rc = import_batches(&im, &L);
    cancel_unwatch(L.watch);
    if (rc == SLOTS_OK) rc = loader_progress(&L, L.nadded + L.skipped, true);
    rc = loader_end(&L, rc, loaded, NULL);
    if (im.cols) mem_free(im.cols, (size_t)im.ncols * sizeof *im.cols + 1, NULL);
    if (im.schema.release) im.schema.release(&im.schema);
    stream.release(&stream);
    return rc;
}
