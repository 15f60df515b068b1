/*
 * loaderror.c — where a load went wrong, kept for the caller as slots_load_error entries: the line,
 * the CSV cell or JSON byte column, the byte offset in the text, the field and the message.
 *
 * A decoder that fails notes where (load_note_*: thread-local, like the error message itself, so
 * bulk.c's threads each keep their own); load_error_line then takes the note and the message
 * together with the row's line. A skipping load keeps the first N of them in a list it hands to
 * the store when it succeeds; a failed load leaves its one error in storage the store already has,
 * so a failure allocates nothing and frees nothing (the list it replaces is freed by the next load).
 */
#include "io.h"

#include <stdio.h>

#define DEFAULT_LIMIT 10

static _Thread_local load_note note;
static _Thread_local load_fault fault;
static _Thread_local const char *row_word = "line";

void load_row_word(const char *word) { row_word = word; }

/* ---- notes: set by decoders on their failure paths only ------------------------------------- */
void load_note_reset(void) {
    note.at = NULL;
    note.column = 0;
    note.field[0] = '\0';
}

void load_note_field(const char *name, size_t len) {
    if (note.field[0] || !name) return; /* the innermost failure notes first and wins */
    if (len >= sizeof note.field) len = sizeof note.field - 1;
    memcpy(note.field, name, len);
    note.field[len] = '\0';
}

void load_note_place(const char *at, size_t column) {
    if (note.at || note.column) return;
    note.at = at, note.column = column;
}

void load_note_save(load_note *out) { *out = note; }
void load_note_restore(const load_note *in) { note = *in; }

int load_error_line(size_t line) {
    fault.line = line;
    fault.where = note;
    snprintf(fault.message, sizeof fault.message, "%s", slots_errmsg());
    fault.set = true;
    return err_prefix("%s %zu: ", row_word, line);
}

void load_fault_reset(void) { fault.set = false; }

/* The thread's fault, or, when the failure was not at a row (out of memory, a NULL buffer), one
 * with line 0 and the current message. */
static void fault_take(load_fault *out) {
    if (fault.set) {
        *out = fault;
        return;
    }
    memset(out, 0, sizeof *out);
    snprintf(out->message, sizeof out->message, "%s", slots_errmsg());
}

/* ---- positions ------------------------------------------------------------------------------- */
/* The offset of the start of `line` in the load's text. Lines are asked for in rising order (rows
 * are reported in line order), so a cursor makes all the lookups of one load one pass. */
static size_t line_start(loader *L, size_t line) {
    if (line < L->cursor_line) L->cursor_line = L->first_line, L->cursor_off = 0;
    while (L->cursor_line < line && L->cursor_off < L->len) {
        const char *nl = memchr(L->buf + L->cursor_off, '\n', L->len - L->cursor_off);
        L->cursor_off = nl ? (size_t)(nl - L->buf) + 1 : L->len;
        L->cursor_line++;
    }
    return L->cursor_off;
}

/* Fills e's numbers from a fault: a place the decoder noted, else the row's start (column 0). */
static void locate(loader *L, const load_fault *f, slots_load_error *e) {
    e->line = f->line;
    e->column = f->where.column;
    e->offset = 0;
    if (!f->line || !L->buf) return;
    if (L->values) { /* values: the place inside the value */
        const char *v = L->values[f->line - 1], *at = f->where.at;
        bool inside = v && at && at >= v && at <= v + L->value_lens[f->line - 1];
        e->offset = inside ? (size_t)(at - v) : 0;
        if (inside && !e->column) e->column = e->offset + 1;
        return;
    }
    size_t start = line_start(L, f->line);
    const char *at = f->where.at;
    bool inside = at && at >= L->buf + start && at <= L->buf + L->len;
    e->offset = L->base_offset + (inside ? (size_t)(at - L->buf) : start);
    if (inside && !e->column) e->column = (size_t)(at - L->buf) - start + 1; /* JSON: the byte column */
}

/* ---- a skipping load's list ------------------------------------------------------------------ */
static size_t store_limit(const slots_store *s) {
    return s->errors.limit_set ? s->errors.limit : DEFAULT_LIMIT;
}


int loader_keep_fault(loader *L) {
    if (L->nkept >= store_limit(L->store)) return SLOTS_OK;
    load_fault f;
    fault_take(&f);
    slots_load_error e;
    locate(L, &f, &e);
    e.field = mem_strdup(f.where.field, strlen(f.where.field), NULL);
    e.message = mem_strdup(f.message, strlen(f.message), NULL);
    slots_load_error *items = e.field && e.message
        ? mem_realloc(L->kept, L->nkept * sizeof *items, (L->nkept + 1) * sizeof *items, NULL) : NULL;
    if (!items) {
        if (e.field) mem_free((char *)e.field, strlen(e.field) + 1, NULL);
        if (e.message) mem_free((char *)e.message, strlen(e.message) + 1, NULL);
        return err_nomem();
    }
    items[L->nkept++] = e;
    L->kept = items;
    return SLOTS_OK;
}

void loader_drop_kept(loader *L) {
    load_error_list_free(L->kept, L->nkept);
    L->kept = NULL, L->nkept = 0;
}

/* "line N: message" per entry, one per line: slots_store_load_errors' text. NULL when out of memory. */
static char *list_text(const slots_load_error *items, size_t n, size_t *len) {
    strbuf b = {0};
    for (size_t i = 0; i < n; i++) sb_printf(&b, "%s %zu: %s\n", row_word, items[i].line, items[i].message);
    if (b.failed) return sb_free(&b), NULL;
    char *text = mem_strdup(b.p ? b.p : "", b.len, NULL);
    *len = b.len;
    sb_free(&b);
    return text;
}

/* Allocates only when rows were skipped: a load without skipping (bulk.c's, which commits its
 * own records) must not fail after it. */
int loader_publish_kept(loader *L) {
    load_errors *E = &L->store->errors;
    size_t len = 0;
    char *text = L->nkept ? list_text(L->kept, L->nkept, &len) : NULL;
    if (L->nkept && !text) return err_nomem(); /* the old list stays, like everything else */
    load_errors_release(E);
    E->items = L->kept, E->n = L->nkept, E->text = text, E->text_len = len;
    L->kept = NULL, L->nkept = 0;
    return SLOTS_OK;
}

void loader_publish_fault(loader *L) {
    load_errors *E = &L->store->errors;
    load_fault f;
    fault_take(&f);
    locate(L, &f, &E->fault);
    snprintf(E->fault_field, sizeof E->fault_field, "%s", f.where.field);
    snprintf(E->fault_message, sizeof E->fault_message, "%s", f.message);
    if (f.line) snprintf(E->fault_text, sizeof E->fault_text, "%s %zu: %s\n", row_word, f.line, f.message);
    else snprintf(E->fault_text, sizeof E->fault_text, "%s\n", f.message);
    E->fault.field = E->fault_field, E->fault.message = E->fault_message;
    E->failed = true;
}


/* ---- the public calls ------------------------------------------------------------------------ */
/* The store's current list: the failed load's one error, or the last successful load's. */
static const slots_load_error *current(const load_errors *E, size_t *n) {
    if (E->failed) return *n = 1, &E->fault;
    return *n = E->n, E->items;
}

int slots_store_load_error_list(const slots_store *ref, const slots_load_error **errors, size_t *n) {
    GUARDED;
    slots_store *s;
    int rc = store_open_locked(ref, &s);
    if (rc != SLOTS_OK) return rc;
    size_t count;
    const slots_load_error *items = current(&s->errors, &count);
    store_unlock(s);
    if (errors) *errors = items;
    if (n) *n = count;
    return SLOTS_OK;
}

int slots_store_load_error_get(const slots_store *ref, size_t i, size_t *line, size_t *column, size_t *offset,
                               const char **name, const char **message) {
    GUARDED;
    slots_store *s;
    int rc = store_open_locked(ref, &s);
    if (rc != SLOTS_OK) return rc;
    size_t n;
    const slots_load_error *e = current(&s->errors, &n) + i;
    const char *f = NULL, *m = NULL;
    if (i < n) /* copies: the next load, on any thread, replaces the store's list */
        f = arena_copy(e->field, strlen(e->field)), m = arena_copy(e->message, strlen(e->message));
    slots_load_error got = i < n ? *e : (slots_load_error){0};
    store_unlock(s);
    if (i >= n) return err_set(SLOTS_EINDEX, "load error index out of range");
    if (!f || !m) return err_nomem();
    if (line) *line = got.line;
    if (column) *column = got.column;
    if (offset) *offset = got.offset;
    if (name) *name = f;
    if (message) *message = m;
    return SLOTS_OK;
}

int slots_store_set_load_error_limit(slots_store *ref, size_t n) {
    GUARDED;
    slots_store *s;
    int rc = store_open_locked(ref, &s);
    if (rc != SLOTS_OK) return rc;
    s->errors.limit = n;
    s->errors.limit_set = true;
    store_unlock(s);
    return SLOTS_OK;
}

const char *slots_store_load_errors(const slots_store *ref) {
    GUARDED;
    slots_store *s;
    if (store_open_locked(ref, &s) != SLOTS_OK) return NULL;
    const char *text = s->errors.failed ? s->errors.fault_text : s->errors.text ? s->errors.text : "";
    const char *copy = arena_copy(text, strlen(text));
    store_unlock(s);
    if (!copy) err_nomem();
    return copy; /* a copy: the next load on another thread replaces the store's list */
}
