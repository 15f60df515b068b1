/*
 * arrow_export.c — records as an Arrow struct array (the C Data Interface's ArrowArray): every
 * exported field's column copied in one pass over the store's slabs, row-major in, column-major out.
 * Each child owns its buffers (it can be moved out and released on its own, as the spec allows);
 * the parent owns the child structs and releases the children still in it.
 */
#include "io.h"

#include <limits.h>

/* How a column's cells are laid out: fixed-width values, bits, 32- or 64-bit offsets, or views. */
enum { COL_FIXED, COL_BITS, COL_OFFSETS32, COL_OFFSETS64, COL_VIEWS };
#define VIEW_INLINE 12 /* a view holds up to 12 bytes of its string itself */
#define MAX_BUFFERS 4  /* validity, values (or offsets or views), text, variadic sizes */

/* What a child owns: its buffers (mem[k] of size[k] bytes; bufs, handed to the consumer, may have a
 * NULL validity in place of mem[0]). A block of its own, so a moved child keeps it. */
typedef struct child_owned {
    int nbuf;
    void *mem[MAX_BUFFERS];
    size_t size[MAX_BUFFERS];
    const void *bufs[MAX_BUFFERS];
} child_owned;

/* What the top-level struct array owns: its children's structs. */
typedef struct parent_owned {
    int64_t n;
    struct ArrowArray **ptrs;
    struct ArrowArray *kids;
    const void *bufs[1]; /* the struct's validity: NULL (no row is null) */
} parent_owned;

/* A column while the pass fills it. */
typedef struct col {
    const field *f;
    int index; /* the field's */
    int layout;
    child_owned *own; /* mem[0] validity, mem[1] cells, mem[2] text, mem[3] views' sizes */
    size_t text_len;
    int64_t nulls;
} col;

static void release_child(struct ArrowArray *a) {
    child_owned *o = a->private_data;
    for (int k = 0; k < MAX_BUFFERS; k++)
        if (o->mem[k]) mem_free(o->mem[k], o->size[k], NULL);
    mem_free(o, sizeof *o, NULL);
    a->release = NULL;
}

static void release_parent(struct ArrowArray *a) {
    parent_owned *p = a->private_data;
    for (int64_t k = 0; k < p->n; k++)
        if (p->kids[k].release) p->kids[k].release(&p->kids[k]); /* those not moved out */
    mem_free(p->ptrs, (size_t)p->n * sizeof *p->ptrs + 1, NULL);
    mem_free(p->kids, (size_t)p->n * sizeof *p->kids + 1, NULL);
    mem_free(p, sizeof *p, NULL);
    a->release = NULL;
}

static int layout_of(int kind, unsigned flags) {
    if (kind == SLOTS_BOOL) return COL_BITS;
    if (kind != SLOTS_STR && kind != SLOTS_BYTES) return COL_FIXED;
    if (flags & SLOTS_ARROW_STRING_VIEW) return COL_VIEWS;
    return flags & SLOTS_ARROW_LARGE ? COL_OFFSETS64 : COL_OFFSETS32;
}

/* Bytes of a fixed-width cell: the field's, but a decimal is always decimal128. */
static size_t cell_width(const field *f) { return f->kind == SLOTS_DECIMAL ? 16 : f->size; }

/* A fixed-width value into its cell: scalars loaded whole; 16-byte values under the slot's lock
 * (field.c's write_wide); an 8-byte decimal widened to 128 bits, sign and all. */
static void put_fixed(const field *f, const char *slot, unsigned char *cell) {
    if (f->size == 16) {
        text_lock(slot);
        memcpy(cell, slot, 16);
        text_unlock(slot);
    } else if (f->kind == SLOTS_DECIMAL) {
        int64_t v;
        scalar_load(slot, 8, &v);
        slots_i128 wide = v;
        memcpy(cell, &wide, 16);
    } else {
        scalar_load(slot, f->size, cell);
    }
}

/* Bytes of the cells buffer for n rows. */
static size_t cells_bytes(const col *c, size_t n) {
    switch (c->layout) {
    case COL_BITS: return (n + 7) / 8;
    case COL_OFFSETS32: return (n + 1) * 4;
    case COL_OFFSETS64: return (n + 1) * 8;
    case COL_VIEWS: return n * 16;
    default: return n * cell_width(c->f);
    }
}

/* Allocates one buffer, zeroed (cells under nulls are zero, as consumers expect them defined). A
 * buffer is never NULL, even for no rows. */
static bool own_buffer(child_owned *o, int k, size_t bytes) {
    o->size[k] = bytes ? bytes : 1;
    o->mem[k] = mem_calloc(o->size[k], NULL);
    return o->mem[k] != NULL;
}

static void col_free(col *c) {
    if (!c->own) return;
    for (int k = 0; k < MAX_BUFFERS; k++)
        if (c->own->mem[k]) mem_free(c->own->mem[k], c->own->size[k], NULL);
    mem_free(c->own, sizeof *c->own, NULL);
    c->own = NULL;
}

/* Every buffer a column can need for n rows, before the pass, so that only text can run out. */
static int col_init(col *c, size_t n) {
    child_owned *o = c->own = mem_calloc(sizeof *o, NULL);
    if (!o) return err_nomem();
    bool text = c->layout >= COL_OFFSETS32;
    o->nbuf = text ? (c->layout == COL_VIEWS ? 4 : 3) : 2;
    bool ok = own_buffer(o, 0, (n + 7) / 8) && own_buffer(o, 1, cells_bytes(c, n));
    if (ok && text) ok = own_buffer(o, 2, n * 8 + 64); /* a first guess; grows as text comes */
    if (ok && c->layout == COL_VIEWS) ok = own_buffer(o, 3, sizeof(int64_t));
    return ok ? SLOTS_OK : err_nomem();
}

static int text_too_long(const col *c) {
    return err_set(SLOTS_ERANGE, "field '%s' holds more than 2 GiB of text in one batch: export it with SLOTS_ARROW_LARGE or in smaller batches",
                   c->f->name);
}

/* Copies the text of a slot into the column's text buffer (or, for a short string view, into the
 * view): read under the slot's lock; the buffer grows outside it and the text is read again. */
static int copy_text(col *c, const char *slot, bool cptr, size_t row) {
    child_owned *o = c->own;
    for (;;) {
        const char *p;
        size_t len;
        text_lock(slot);
        str_slot_peek(slot, cptr, &p, &len);
        bool in_view = c->layout == COL_VIEWS && len <= VIEW_INLINE;
        size_t need = in_view ? 0 : len;
        if (c->text_len + need <= o->size[2]) {
            char *view = (char *)o->mem[1] + row * 16;
            memcpy(in_view ? view + 4 : (char *)o->mem[2] + c->text_len, p, len);
            if (c->layout == COL_VIEWS && !in_view) memcpy(view + 4, p, 4); /* the prefix */
            text_unlock(slot);
            if (c->layout != COL_OFFSETS64 && len > (size_t)INT32_MAX - (in_view ? 0 : c->text_len))
                return text_too_long(c);
            int32_t len32 = (int32_t)len, at = (int32_t)c->text_len, buf = 0;
            if (c->layout == COL_VIEWS) {
                memcpy(view, &len32, 4);
                if (!in_view) memcpy(view + 8, &buf, 4), memcpy(view + 12, &at, 4);
            }
            c->text_len += need;
            return SLOTS_OK;
        }
        text_unlock(slot);
        size_t cap = o->size[2] * 2 > c->text_len + need ? o->size[2] * 2 : c->text_len + need;
        void *grown = mem_realloc(o->mem[2], o->size[2], cap, NULL);
        if (!grown) return err_nomem();
        o->mem[2] = grown, o->size[2] = cap;
    }
}

/* Writes row's end offset (32- or 64-bit layouts): the text so far. */
static void put_offset(col *c, size_t row) {
    if (c->layout == COL_OFFSETS32) {
        int32_t end = (int32_t)c->text_len;
        memcpy((char *)c->own->mem[1] + (row + 1) * 4, &end, 4);
    } else if (c->layout == COL_OFFSETS64) {
        int64_t end = (int64_t)c->text_len;
        memcpy((char *)c->own->mem[1] + (row + 1) * 8, &end, 8);
    }
}

/* One record's cell of one column. */
static int put_cell(col *c, const slots_type *t, const char *rec, size_t row) {
    unsigned char *cells = c->own->mem[1];
    int rc = SLOTS_OK;
    if (!rec_is_set(t, rec, c->index) || rec_is_null(t, rec, c->index)) {
        c->nulls++;
    } else {
        ((unsigned char *)c->own->mem[0])[row / 8] |= (unsigned char)(1u << (row % 8));
        const char *slot = rec + c->f->offset;
        if (c->layout == COL_FIXED) put_fixed(c->f, slot, cells + row * cell_width(c->f));
        else if (c->layout == COL_BITS && __atomic_load_n((const unsigned char *)slot, __ATOMIC_RELAXED))
            cells[row / 8] |= (unsigned char)(1u << (row % 8));
        else if (c->layout != COL_BITS) rc = copy_text(c, slot, (t->flags & SLOTS_CLAYOUT) != 0, row);
    }
    put_offset(c, row);
    return rc;
}

/* Hands a filled column to its child struct: the child owns the buffers from here on. */
static void col_finish(col *c, size_t rows, struct ArrowArray *out) {
    child_owned *o = c->own;
    for (int k = 0; k < o->nbuf; k++) o->bufs[k] = o->mem[k];
    if (c->nulls == 0) { /* no nulls: no validity buffer, as the spec allows */
        mem_free(o->mem[0], o->size[0], NULL);
        o->mem[0] = NULL, o->bufs[0] = NULL;
    }
    if (c->layout == COL_VIEWS) {
        int64_t size = (int64_t)c->text_len;
        memcpy(o->mem[3], &size, sizeof size);
    }
    *out = (struct ArrowArray){.length = (int64_t)rows, .null_count = c->nulls, .n_buffers = o->nbuf,
                               .buffers = o->bufs, .release = release_child, .private_data = o};
    c->own = NULL;
}

static void parent_free(parent_owned *p) {
    if (!p) return;
    if (p->ptrs) mem_free(p->ptrs, (size_t)p->n * sizeof *p->ptrs + 1, NULL);
    if (p->kids) mem_free(p->kids, (size_t)p->n * sizeof *p->kids + 1, NULL);
    mem_free(p, sizeof *p, NULL);
}

/* The columns of the exported fields, each with its buffers for n rows, and the parent's block. */
static int batch_init(const slots_type *t, unsigned flags, size_t n, col *cols, int *ncols, parent_owned **parent) {
    int rc = SLOTS_OK;
    *ncols = 0;
    for (int i = 0; i < t->nfields && rc == SLOTS_OK; i++) {
        if (!arrow_field_exported(&t->fields[i], flags)) continue;
        col *c = &cols[(*ncols)++];
        *c = (col){.f = &t->fields[i], .index = i, .layout = layout_of(t->fields[i].kind, flags)};
        rc = col_init(c, n);
    }
    parent_owned *p = rc == SLOTS_OK ? mem_calloc(sizeof *p, NULL) : NULL;
    if (p) {
        p->n = *ncols;
        p->ptrs = mem_calloc((size_t)p->n * sizeof *p->ptrs + 1, NULL);
        p->kids = mem_calloc((size_t)p->n * sizeof *p->kids + 1, NULL);
    }
    if (rc == SLOTS_OK && (!p || !p->ptrs || !p->kids)) rc = err_nomem();
    if (rc != SLOTS_OK) parent_free(p), p = NULL;
    *parent = p;
    return rc;
}

/* The pass: the live records from slot *slot on, every column of each record in turn. */
static int batch_fill(const slots_store *s, col *cols, int ncols, uint32_t *slot, size_t rows, size_t *filled) {
    const slots_type *t = s->type;
    uint32_t used = __atomic_load_n(&s->used, __ATOMIC_ACQUIRE), i = *slot;
    size_t row = 0;
    int rc = SLOTS_OK;
    for (; row < rows && i < used && rc == SLOTS_OK; i++) {
        const char *rec = store_slot_address(s, i);
        if (!(gen_load(t, rec) & 1u)) continue;
        for (int k = 0; k < ncols && rc == SLOTS_OK; k++) rc = put_cell(&cols[k], t, rec, row);
        row++;
    }
    *slot = i, *filled = row;
    return rc;
}

int arrow_batch_build(const slots_store *s, unsigned flags, uint32_t *slot, size_t rows, struct ArrowArray *out) {
    const slots_type *t = s->type;
    col *cols = mem_calloc((size_t)t->nfields * sizeof *cols + 1, NULL);
    if (!cols) return err_nomem();
    int ncols;
    parent_owned *p;
    size_t filled = 0;
    int rc = batch_init(t, flags, rows, cols, &ncols, &p);
    if (rc == SLOTS_OK) rc = batch_fill(s, cols, ncols, slot, rows, &filled);
    if (rc == SLOTS_OK) {
        for (int k = 0; k < ncols; k++) {
            col_finish(&cols[k], filled, &p->kids[k]);
            p->ptrs[k] = &p->kids[k];
        }
        *out = (struct ArrowArray){.length = (int64_t)filled, .n_buffers = 1, .n_children = p->n, .buffers = p->bufs,
                                   .children = p->ptrs, .release = release_parent, .private_data = p};
    } else {
        parent_free(p);
    }
    for (int k = 0; k < ncols; k++) col_free(&cols[k]); /* those not handed over */
    mem_free(cols, (size_t)t->nfields * sizeof *cols + 1, NULL);
    return rc;
}

int slots_store_export_array(slots_store *ref, unsigned flags, struct ArrowSchema *schema_out, struct ArrowArray *array_out) {
    GUARDED;
    slots_store *s;
    int rc = store_open(ref, &s);
    if (rc == SLOTS_OK && !array_out) rc = err_set(SLOTS_EINVAL, "array_out must not be NULL");
    if (rc == SLOTS_OK) rc = arrow_check_flags(flags);
    struct ArrowSchema schema;
    if (rc == SLOTS_OK && schema_out) rc = arrow_schema_fill(s->type, flags, &schema);
    if (rc == SLOTS_OK) rc = store_lock_live(s); /* a steady record count for the pass */
    if (rc != SLOTS_OK) return rc;
    uint32_t slot = 0;
    rc = arrow_batch_build(s, flags, &slot, s->live, array_out);
    store_unlock(s);
    if (rc == SLOTS_OK && schema_out) *schema_out = schema;
    return rc;
}
