/*
 * io.h — the top layer: records as text and files. Python-style repr, JSON and CSV (numbers, base64),
 * the load frame and its multi-core bulk path, load errors, cancellation, files in and out.
 */
#ifndef SLOTS_IO_H
#define SLOTS_IO_H

#include "records.h"
/* ---- json.c ----------------------------------------------------------------------------------- */
/* Decodes one JSON object at text[*pos..len) into the blank record r (stops after the closing brace,
 * *pos updated). Unknown keys go to extras on dynamic types. On failure the record may hold part of
 * the values: the caller frees it. */
int json_decode_object(const recref *r, const char *text, size_t len, size_t *pos);
/* Checks that only whitespace follows a JSON value at text[pos] ("Extra data" otherwise, NUL
 * included, as Python's json says). */
int json_check_end(const char *text, size_t len, size_t pos);
/* Appends the record as a JSON object to b; SLOTS_EINVAL for a non-finite float unless flags has
 * SLOTS_DUMP_ALLOW_NAN (then NaN, Infinity, -Infinity as Python's json writes them). */
int json_encode_record(strbuf *b, const recref *r, unsigned flags);
int json_check_dump_flags(unsigned flags); /* SLOTS_EINVAL for an unknown dump flag */
/* For tests: whether members go through the decode plan (the default) or always the generic way. */
void json_plan_enable(bool on);

/* ---- load.c: the frame every bulk load shares (all-or-nothing, or skip bad rows) ------------ */
typedef struct loader {
    slots_store *store;
    unsigned flags;
    const char *buf;  /* the load's text, for the offsets of its errors */
    size_t len;
    slots_obj *added; /* records added so far, freed again if the load fails */
    size_t nadded, cap;
    size_t bulk_loaded; /* records added by bulk_load, which undoes its own work */
    size_t skipped;
    slots_load_error *kept; /* the first errors, when skipping (loaderror.c) */
    size_t nkept;
    size_t cursor_line, cursor_off; /* where line cursor_line starts: a cursor for error offsets */
    bool locked;      /* the store's lock is held from loader_begin to loader_end */
    uint64_t *watch;  /* its state word in cancel.c's table of running loads while rows decode */
    slots_progress_fn progress; /* the store's progress function when the load began, or NULL */
    void *progress_ctx;
    size_t progress_every, reported; /* rows between calls; rows told so far */
    bool batched;      /* Arrow imports: rows are "batch B, row R" (from 0), not lines */
    size_t batch, batch_first_line; /* the batch, and the line number (from 1) of its row 0 */
    /* A staged load (stage.c) decodes piece by piece into a staging store for another store: */
    const slots_store *cancel_key; /* that store's reference: its watch lasts the whole load */
    size_t first_line, base_offset; /* the piece's first line and its offset in the whole text */
    size_t *slot_line, nslot_line;  /* when tracking: the line of the row in each staging slot */
    bool track_lines;
    const char *const *values; /* slots_store_load_json_values: row N is values[N - 1], or NULL */
    const size_t *value_lens;
    size_t text_bytes; /* when nonzero: the bytes the rows stand for (values), which sets the threads */
} loader;
/* Makes room in L->slot_line for slots [0, n) (tracking loads only). SLOTS_ENOMEM. */
int loader_lines_reserve(loader *L, size_t n);
/* progress.c: tells the load's progress function about the rows decoded so far (`rows`, in all)
 * once `progress_every` more have come, or always when `final`; a function that asks to stop
 * cancels the load (SLOTS_ECANCELED). Called on the loading thread only. */
int loader_progress(loader *L, size_t rows, bool final);
/* Decodes one row into a blank record; an error leaves the record to be released by the loader. */
typedef int (*row_decoder)(const recref *r, void *ctx);
/* Opens the caller's store reference, checks flags, locks the store for the whole load and marks
 * it as loading by this thread; buf[0, len) is the load's text. */
int loader_begin(loader *L, slots_store *ref, unsigned flags, const char *buf, size_t len);
/* loaderror.c: keeps the fault of a skipped row (up to the store's limit; SLOTS_ENOMEM); frees
 * the kept list; hands it to the store (SLOTS_ENOMEM: the store's list stays); or gives the store
 * the failed load's one error (no allocation). */
int loader_keep_fault(loader *L);
void loader_drop_kept(loader *L);
int loader_publish_kept(loader *L);
void loader_publish_fault(loader *L);
/* Whether the decoded and defaulted row r has every field it must have: with SLOTS_LOAD_LENIENT in
 * flags only the key, else every field (a field without a default must be given, optional or
 * not, as a dataclass's constructor requires it). SLOTS_ETYPE ("missing field 'name'", the first
 * missing field noted). */
int row_check_required(const recref *r, unsigned flags);
/* Adds one record decoded by `decode`: on a bad row, either fails ("line N: " + message) or, when
 * skipping, counts it and returns SLOTS_OK. SLOTS_ENOMEM always fails. */
int loader_row(loader *L, size_t line, row_decoder decode, void *ctx);
/* The two halves of a row: row_fill decodes into the blank record r (with defer_key), fills its
 * defaults and checks that no required field is missing (row_check_required with the load's flags); row_index_key then indexes the key, refusing a duplicate (SLOTS_EEXIST), and says
 * whether it added an entry (to count with index_added). `hash` is the key's index_hash when the
 * caller knows the key is set, else NULL. On failure r is the caller's to free. */
int row_fill(recref *r, row_decoder decode, void *ctx, unsigned flags);
int row_index_key(const recref *r, const uint64_t *hash, bool *keyed);
/* lines.c: '\n' bytes in buf; and an estimate of the lines of a big text (three windows sampled). */
size_t count_newlines(const char *buf, size_t len);
size_t estimate_lines(const char *buf, size_t len);
/* How bulk_load reads a format's rows: one reader per chunk of whole lines, on the chunk's thread. */
typedef struct row_format {
    /* A reader of the rows in buf[from, to), whose first line is number `line`; `ctx` is the
     * format's state for the whole load. NULL when out of memory. */
    void *(*open)(const void *ctx, const char *buf, size_t from, size_t to, size_t line);
    /* Moves to the next row: 1 (*line = the line it starts on), 0 at the end, or a status < 0. */
    int (*next)(void *reader, size_t *line);
    row_decoder decode; /* decodes the current row; its ctx is the reader */
    /* Whether the row that failed to decode ran into the end of the reader's range (so a cut may
     * have fallen inside it), or NULL for formats whose rows never span lines. */
    bool (*ran_off)(const void *reader);
    void (*close)(void *reader);
} row_format;
/* Loads every row of buf[from, len) (its first line is number `line`), all or nothing (see
 * bulk.c): the same records and the same first error as loader_row row by row, decoded on up to
 * SLOTS_LOAD_THREADS threads. */
int bulk_load(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
              const void *ctx);
/* Loads the rows of buf[from, len) (its first line is number `line`) with the format's reader:
 * all or nothing through bulk_load, or, when skipping bad rows, row by row with loader_row. */
int loader_rows(loader *L, const char *buf, size_t from, size_t len, size_t line, const row_format *fmt,
                const void *ctx);
/* Ends a load: on failure (rc != SLOTS_OK) every added record is freed. Returns rc. */
int loader_end(loader *L, int rc, size_t *loaded, size_t *skipped);
/* ---- stage.c: a load decoded into a staging store, added to its store in one step ------------- */
typedef struct stage {
    slots_store *target; /* the store as the caller names it */
    slots_store *st;     /* the staging store: no other thread knows of it */
    loader L;            /* the frame over st, kept over all the pieces */
    bool upsert;
} stage;
/* Checks the store and flags (SLOTS_LOAD_SKIP_BAD, _LENIENT, _UPSERT), makes the staging store
 * and enters the load in cancel.c's table until the stage ends. */
int stage_begin(stage *g, slots_store *ref, unsigned flags);
/* Decodes a piece of whole rows, buf[0, len), whose first line is `line` and which starts `offset`
 * bytes into the whole text, with fn (the format's rows into L's staging store). On failure the
 * caller ends the stage with stage_end(g, rc). */
typedef int (*piece_fn)(loader *L, void *ctx, const char *buf, size_t len, size_t line);
int stage_piece(stage *g, const char *buf, size_t len, size_t line, size_t offset, piece_fn fn, void *ctx);
/* Adds the staged rows to the store in one step under its lock (keys checked, or replaced in place
 * with SLOTS_LOAD_UPSERT), all or nothing, and ends the stage. */
int stage_commit(stage *g, size_t *loaded, size_t *skipped);
/* Ends the stage with nothing added; rc != SLOTS_OK is the load's failure, which becomes the store's
 * load-error list (the message is kept). Returns rc. */
int stage_end(stage *g, int rc);
/* The rows of JSON Lines text (jsonl.c) and of JSON values (values.c), for staged loads. */
extern const row_format jsonl_rows;
int values_piece(loader *L, void *ctx, const char *buf, size_t len, size_t line);
/* csv.c, for staged and streamed loads: a CSV reading state kept over pieces (the header's columns),
 * the piece_fn that loads a piece of whole rows with it, and how many lines that piece had. */
typedef struct csv_load csv_load;
int csv_stream_new(const slots_type *t, unsigned flags, csv_load **out);
void csv_stream_free(csv_load *c);
int csv_piece(loader *L, void *ctx, const char *buf, size_t len, size_t line);
size_t csv_piece_lines(const csv_load *c);
/* Where the whole rows of a CSV stream end: scans buf[k->scanned, len) on from the quote state k
 * holds and returns the end of the last whole row in buf (after its line end), 0 if none. A CR
 * that is the last byte waits for the next: it may be half a CRLF. */
typedef struct csv_cut {
    int state;
    size_t scanned;
    bool started; /* the stream's first bytes were looked at (a BOM) */
} csv_cut;
size_t csv_whole_rows(csv_cut *k, const char *buf, size_t len);
/* A whole text loaded through a stage (the loads with SLOTS_LOAD_UPSERT): loader.c. */
int stage_load_text(slots_store *s, int format, const char *buf, size_t len, unsigned flags, size_t *loaded,
                    size_t *skipped);

/* A format's load from memory, and the same from a file path (read through a streaming load). */
typedef int (*store_loader)(slots_store *s, const char *buf, size_t len, unsigned flags, size_t *loaded,
                            size_t *skipped);
int load_file(slots_store *s, const char *path, unsigned flags, size_t *loaded, size_t *skipped, store_loader load);
/* A format's dump: appends every record of the (opened) store s to b. */
typedef int (*store_dumper)(const slots_store *s, strbuf *b);
/* Runs a dump, given the caller's store reference, into the thread's scratch buffer (*out valid
 * until its next use) or into a file. */
int dump_to_scratch(const slots_store *s, store_dumper dump, const char **out, size_t *len);
int dump_to_file(const slots_store *s, store_dumper dump, const char *path);

/* ---- fileio.c: files in and out ------------------------------------------------------------- */
/* Opens a path for reading (a regular file, /proc file, FIFO, device, /dev/stdin); a directory is
 * EISDIR. *fd is the caller's to close. SLOTS_EINVAL (NULL path), SLOTS_EIO (see err_os). */
int file_open_read(const char *path, int *fd);
/* Replaces the file at path with buf[0, len) atomically and durably (a temporary in the same
 * directory, fsync, rename, fsync of the directory): on failure the old file is as it was and no
 * temporary is left. A path naming a device or FIFO is written in place. SLOTS_EINVAL, SLOTS_EIO. */
int file_write(const char *path, const char *buf, size_t len);

/* ---- cancel.c: the table of running loads that slots_store_cancel_load() marks ---------------- */
#define CANCEL_EVERY 1024 /* rows between two looks at the request (a relaxed load: cheap) */
/* Enters a load of s (the store as the caller names it) in the table, *out its state word;
 * SLOTS_ENOMEM when the table is full. */
int cancel_watch(const slots_store *s, uint64_t **out);
void cancel_unwatch(uint64_t *w);         /* at the load's end (NULL: nothing) */
bool cancel_requested(const uint64_t *w); /* whether a stop was asked for (NULL: never) */
int err_cancelled(void);                   /* SLOTS_ECANCELED, "load cancelled" */

/* ---- loaderror.c: where a failing decoder was, kept as a store's load errors ------------------ */
void load_note_reset(void);
/* Notes the field (name, len bytes) and the place the current row's error concerns; the first note
 * of each kind stands, so the innermost failure, which notes first, is the one kept. */
void load_note_field(const char *name, size_t len);
void load_note_place(const char *at, size_t column);
void load_note_save(load_note *out);      /* for bulk.c: a chunk's note, replayed on the caller's thread */
void load_note_restore(const load_note *in);
/* Takes the current row's error (the note, the message) as the error of `line`, then puts
 * "line N: " in front of the message. Returns the current code. */
int load_error_line(size_t line);
/* The same with another name for the row than "line N: " (an Arrow batch and row). */
int load_error_named(size_t line, const char *prefix);
void load_fault_reset(void);
/* What a row is called in messages ("line", or "value" for slots_store_load_json_values), for the
 * calling thread's load: set after loader_begin, which resets it to "line". A static string. */
void load_row_word(const char *word);

/* ---- arrow_*.c: the Arrow C Data Interface (export, stream, import) --------------------------- */
/* SLOTS_EINVAL for unknown or conflicting SLOTS_ARROW_* flags. */
int arrow_check_flags(unsigned flags);
/* Whether field f is a child of the exported struct under these flags (refs only on request). */
bool arrow_field_exported(const field *f, unsigned flags);
/* Fills *out with the type's schema for these flags (arrow_schema.c; SLOTS_ENOMEM). */
int arrow_schema_fill(const slots_type *t, unsigned flags, struct ArrowSchema *out);
/* Copies `rows` live records of the store, locked by the caller, from slot *slot on into a struct
 * array (*slot moves past the last one read): one pass, buffers owned by the array. SLOTS_ENOMEM,
 * SLOTS_ERANGE (text too long for 32-bit offsets). Nothing is filled on failure. */
int arrow_batch_build(const slots_store *s, unsigned flags, uint32_t *slot, size_t rows, struct ArrowArray *out);

#endif
