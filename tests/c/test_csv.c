/*
 * test_csv.c — CSV load and dump (csv.c) and the base64 it uses for bytes (base64.c): RFC 4180
 * quoting, CRLF, embedded newlines and the line numbers after them, the header (unknown, repeated
 * and extra columns), empty cells, every kind's conversion and its errors, key clashes,
 * all-or-nothing and skipping loads, files, exact dump text, dump -> load round trips, and that no
 * path leaks, allocation failures included. Python's csv details: BOM, LF/CRLF/lone CR, header
 * names with blanks, int()/float() spellings and ValueError words, one-column empty rows, extras
 * as columns, 20,000-column headers.
 */
#include "harness.h"
#include "schema.h"

#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <unistd.h>

/* ---- helpers ------------------------------------------------------------------------------------ */
typedef struct fixture {
    char name[64];
    slots_type *t;
    slots_store *s;
} fixture;

static fixture def(const char *prefix, const char *fields, unsigned flags) {
    fixture fx;
    snprintf(fx.name, sizeof fx.name, "%s", unique_name(prefix));
    fx.t = NULL;
    fx.s = NULL;
    int rc = slots_type_define(fx.name, fields, NULL, flags, &fx.t);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  define %s \"%s\": %d %s\n", fx.name, fields, rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL_FATAL(slots_store_new(fx.t, &fx.s), SLOTS_OK);
    return fx;
}

static void drop(fixture *fx) { ASSERT_OK(slots_store_drop(fx->s)); }

static size_t len_of(const slots_store *s) {
    size_t n = 0;
    ASSERT_OK(slots_store_len(s, &n));
    return n;
}

static slots_obj at(slots_store *s, size_t i) {
    slots_obj o = 0;
    CU_ASSERT_EQUAL_FATAL(slots_store_at(s, i, &o), SLOTS_OK);
    return o;
}

/* Loads text (all of it, with `flags`) and expects success with `want` records added. */
static void load_ok_flags(fixture *fx, const char *text, size_t want, unsigned flags) {
    size_t loaded = 999, skipped = 999;
    int rc = slots_store_load_csv(fx->s, text, strlen(text), flags, &loaded, &skipped);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  load_csv: %d %s\n", rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(loaded, want);
    CU_ASSERT_EQUAL(skipped, 0);
}

static void load_ok(fixture *fx, const char *text, size_t want) { load_ok_flags(fx, text, want, 0); }
/* SLOTS_LOAD_LENIENT: for rows that leave fields unset on purpose (strictness: test_loaderrors.c). */
static void load_lenient(fixture *fx, const char *text, size_t want) {
    load_ok_flags(fx, text, want, SLOTS_LOAD_LENIENT);
}

/* Loading fails with `code` and a message containing `msg`; the store is as before. */
static void load_fails_n(fixture *fx, const char *text, size_t len, int code, const char *msg) {
    size_t before = len_of(fx->s), loaded = 999, skipped = 999;
    int rc = slots_store_load_csv(fx->s, text, len, 0, &loaded, &skipped);
    if (rc != code) fprintf(stderr, "\n  load_csv %.*s: want %d, got %d %s\n", (int)len, text, code, rc, slots_errmsg());
    CU_ASSERT_EQUAL(rc, code);
    if (msg) ASSERT_MSG(msg);
    CU_ASSERT_EQUAL(loaded, 999);
    CU_ASSERT_EQUAL(skipped, 999);
    CU_ASSERT_EQUAL(len_of(fx->s), before);
}

static void load_fails(fixture *fx, const char *text, int code, const char *msg) {
    load_fails_n(fx, text, strlen(text), code, msg);
}

static void str_is(slots_obj o, int i, const char *want, size_t wlen) {
    const char *p = NULL;
    size_t n = 0;
    int rc = slots_get_str(o, i, &p, &n);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  get_str: %d %s\n", rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(n, wlen);
    if (n == wlen) CU_ASSERT_TRUE(memcmp(p, want, n) == 0);
}

static void i64_is(slots_obj o, int i, int64_t want) {
    int64_t v = -12345;
    ASSERT_OK(slots_get_i64(o, i, &v));
    CU_ASSERT_EQUAL(v, want);
}

static void f64_is(slots_obj o, int i, double want) {
    double v = -12345;
    ASSERT_OK(slots_get_f64(o, i, &v));
    CU_ASSERT_TRUE(memcmp(&v, &want, sizeof v) == 0 || (isnan(v) && isnan(want)));
}

static const char *dump_text(const slots_store *s) {
    const char *out = NULL;
    size_t n = 0;
    int rc = slots_store_dump_csv(s, &out, &n);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  dump_csv: %d %s\n", rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(n, strlen(out));
    return out;
}

static void dump_is(const slots_store *s, const char *want) {
    const char *got = dump_text(s);
    if (strcmp(got, want) != 0) fprintf(stderr, "\n  dump: want [%s]\n        got  [%s]\n", want, got);
    CU_ASSERT_STRING_EQUAL(got, want);
}

/* ---- base64 ----------------------------------------------------------------------------------- */
static void test_base64(void) {
    static const char *plain[] = {"", "f", "fo", "foo", "foob", "fooba", "foobar"};
    static const char *coded[] = {"", "Zg==", "Zm8=", "Zm9v", "Zm9vYg==", "Zm9vYmE=", "Zm9vYmFy"};
    strbuf b = {0};
    for (size_t i = 0; i < 7; i++) {
        b.len = 0;
        base64_encode(&b, (const unsigned char *)plain[i], strlen(plain[i]));
        CU_ASSERT_EQUAL(b.len, strlen(coded[i]));
        if (b.len) CU_ASSERT_TRUE(memcmp(b.p, coded[i], b.len) == 0);
        CU_ASSERT_TRUE(base64_decode(coded[i], strlen(coded[i]), &b)); /* empties b first */
        CU_ASSERT_EQUAL(b.len, strlen(plain[i]));
        if (b.len) CU_ASSERT_TRUE(memcmp(b.p, plain[i], b.len) == 0);
    }
    unsigned char all[256];
    for (int i = 0; i < 256; i++) all[i] = (unsigned char)i;
    strbuf e = {0};
    base64_encode(&e, all, sizeof all);
    CU_ASSERT_TRUE(base64_decode(e.p, e.len, &b));
    CU_ASSERT_EQUAL(b.len, 256);
    CU_ASSERT_TRUE(memcmp(b.p, all, 256) == 0);
    static const char *bad[] = {"Zg=", "Zg", "Z", "Z===", "====", "Zh==", "Zm9=", "Zm9v!A==", "=Zg=", "Zg=a",
                                "Zg==Zg==", "Zm 9v", "Zm9v\n", "Zm9-", "Zm9_"};
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        if (base64_decode(bad[i], strlen(bad[i]), &b)) fprintf(stderr, "\n  base64 accepted '%s'\n", bad[i]);
        CU_ASSERT_FALSE(base64_decode(bad[i], strlen(bad[i]), &b));
    }
    sb_free(&b);
    sb_free(&e);
}

/* ---- loading: syntax ---------------------------------------------------------------------------- */
static void test_load_basic(void) {
    fixture fx = def("Product", "id: i64, name: str, price: f64 = 0", 0);
    load_ok(&fx, "id,name,price\n1,apple,1.5\n2,pear,2\n", 2);
    CU_ASSERT_EQUAL(len_of(fx.s), 2);
    slots_obj a = at(fx.s, 0), b = at(fx.s, 1);
    i64_is(a, 0, 1);
    str_is(a, 1, "apple", 5);
    f64_is(a, 2, 1.5);
    i64_is(b, 0, 2);
    str_is(b, 1, "pear", 4);
    f64_is(b, 2, 2.0); /* an integer cell in a float field */
    /* columns in any order, some left out (defaults apply), loaded may be NULL */
    ASSERT_OK(slots_store_load_csv(fx.s, "name,id\nfig,3", 13, 0, NULL, NULL));
    slots_obj c = at(fx.s, 2);
    i64_is(c, 0, 3);
    str_is(c, 1, "fig", 3);
    f64_is(c, 2, 0.0);
    drop(&fx);
}

static void test_load_empty_inputs(void) {
    fixture fx = def("Empty", "a: i64, b: str", 0);
    load_ok(&fx, "", 0);
    load_ok(&fx, "\n\n\r\n", 0);
    load_ok(&fx, "a,b\n", 0);
    load_ok(&fx, "a,b", 0);
    load_ok(&fx, "\n\na,b\r\n\r\n", 0);
    size_t loaded = 9;
    ASSERT_OK(slots_store_load_csv(fx.s, NULL, 0, 0, &loaded, NULL));
    CU_ASSERT_EQUAL(loaded, 0);
    CU_ASSERT_EQUAL(len_of(fx.s), 0);
    drop(&fx);
}

static void test_load_quoting(void) {
    fixture fx = def("Quote", "a: str, b: str, c: i64", 0);
    load_ok(&fx,
            "a,b,c\n"
            "\"x,y\",\"say \"\"hi\"\"\",1\n"         /* a comma, doubled quotes */
            "\"\"\"\",\"\"\"\"\"\",\"2\"\n"          /* one quote, two quotes, a quoted number */
            "5\" screen,\"multi\nline\r\ntext\",3\n" /* a bare quote inside an unquoted cell, newlines */
            " lead , trail ,4\n",                    /* blanks belong to the text */
            4);
    slots_obj o = at(fx.s, 0);
    str_is(o, 0, "x,y", 3);
    str_is(o, 1, "say \"hi\"", 8);
    i64_is(o, 2, 1);
    o = at(fx.s, 1);
    str_is(o, 0, "\"", 1);
    str_is(o, 1, "\"\"", 2);
    i64_is(o, 2, 2);
    o = at(fx.s, 2);
    str_is(o, 0, "5\" screen", 9);
    str_is(o, 1, "multi\nline\r\ntext", 16);
    o = at(fx.s, 3);
    str_is(o, 0, " lead ", 6);
    str_is(o, 1, " trail ", 7);
    drop(&fx);
}

static void test_load_line_ends(void) {
    fixture fx = def("Crlf", "a: str, b: i64", 0);
    /* CRLF, blank lines (LF and CRLF) skipped, a final line without a newline, a final CR */
    load_ok(&fx, "a,b\r\nx,1\r\n\r\n\ny,2\r\n\"z\",3", 3);
    str_is(at(fx.s, 0), 0, "x", 1);
    i64_is(at(fx.s, 0), 1, 1);
    str_is(at(fx.s, 1), 0, "y", 1);
    str_is(at(fx.s, 2), 0, "z", 1);
    i64_is(at(fx.s, 2), 1, 3);
    /* a quoted cell before CRLF, a CR that ends the input, a CR inside a quoted cell is text */
    load_ok(&fx, "a,b\r\n\"w\",5\r\n\"q\rr\",\"6\"\r\nv,4\r", 3);
    str_is(at(fx.s, 3), 0, "w", 1);
    i64_is(at(fx.s, 3), 1, 5);
    str_is(at(fx.s, 4), 0, "q\rr", 3);
    i64_is(at(fx.s, 4), 1, 6);
    i64_is(at(fx.s, 5), 1, 4);
    /* LF-only with a trailing empty cell at the end of the input: a missing field, unset if lenient */
    load_fails(&fx, "b,a\n7,", SLOTS_ETYPE, "line 2: missing field 'a'");
    load_lenient(&fx, "b,a\n7,", 1);
    CU_ASSERT_EQUAL(slots_is_set(at(fx.s, 6), 0), 0);
    /* a lone CR ends a line, as Python's csv reads it (old Mac files); empty CR lines are skipped,
     * and CRs inside quoted cells stay as written */
    load_ok(&fx, "a,b\rm,7\r\r\"n\rx\r\n\",8\ro,9", 3);
    str_is(at(fx.s, 7), 0, "m", 1);
    i64_is(at(fx.s, 7), 1, 7);
    str_is(at(fx.s, 8), 0, "n\rx\r\n", 5);
    i64_is(at(fx.s, 8), 1, 8);
    str_is(at(fx.s, 9), 0, "o", 1);
    /* line numbers count lone CRs too */
    load_fails(&fx, "a,b\rm,7\r\rn,x\r", SLOTS_EPARSE, "line 4: invalid literal for int() with base 10: 'x'");
    /* a text after a closing quote stops at a lone CR */
    load_fails(&fx, "a,b\r\"m\"z,7\rn,8", SLOTS_EPARSE, "line 2: text after the closing quote of cell 1");
    CU_ASSERT_EQUAL(len_of(fx.s), 10);
    drop(&fx);
}

static void test_load_embedded_newline_lines(void) {
    fixture fx = def("Lines", "id: i64, note: str", 0);
    /* the quoted cell of line 2 spans lines 2-4, so the bad row is on physical line 6 */
    load_fails(&fx, "id,note\n1,\"one\ntwo\nthree\"\n\n2,x,extra\n", SLOTS_EPARSE, "line 6: expected 2 cells, got 3");
    load_fails(&fx, "id,note\r\n1,\"a\r\nb\"\r\n2,ok\r\nbad,x\r\n", SLOTS_EPARSE, "line 5: ");
    /* a row's line is the line where it starts, even when its error is further on */
    load_fails(&fx, "id,note\n1,\"a\nb\",zzz\n", SLOTS_EPARSE, "line 2: expected 2 cells, got 3");
    CU_ASSERT_EQUAL(len_of(fx.s), 0);
    drop(&fx);
}

static void test_load_syntax_errors(void) {
    fixture fx = def("Syn", "a: str, b: str, c: str", 0);
    load_fails(&fx, "a,b,c\n1,2,3\n1,2\n", SLOTS_EPARSE, "line 3: expected 3 cells, got 2");
    load_fails(&fx, "a,b,c\n1,2,3,4\n", SLOTS_EPARSE, "line 2: expected 3 cells, got 4");
    load_fails(&fx, "a,b,c\n \n", SLOTS_EPARSE, "line 2: expected 3 cells, got 1"); /* blanks are not empty */
    load_fails(&fx, "a,b,c\n1,2,\"3\n4,5,6\n", SLOTS_EPARSE, "line 2: unterminated quoted cell 3");
    load_fails(&fx, "a,b,c\n\"", SLOTS_EPARSE, "line 2: unterminated quoted cell 1");
    load_fails(&fx, "a,b,c\n1,\"2\"x,3\n", SLOTS_EPARSE, "line 2: text after the closing quote of cell 2");
    load_fails(&fx, "a,b,c\n1,2,\"3\" \n", SLOTS_EPARSE, "text after the closing quote of cell 3");
    load_fails(&fx, "a,\"b,c\n1,2,3\n", SLOTS_EPARSE, "line 1: unterminated quoted cell 2");
    load_fails(&fx, "a,\"b\"c,c\n", SLOTS_EPARSE, "line 1: text after the closing quote");
    CU_ASSERT_EQUAL(len_of(fx.s), 0);
    drop(&fx);
}

/* ---- loading: the header ------------------------------------------------------------------------- */
static void test_header_errors(void) {
    fixture fx = def("Product", "id: i64, name: str", 0);
    char want[128];
    snprintf(want, sizeof want, "line 1: '%s' object has no attribute 'colour'", fx.name);
    load_fails(&fx, "id,colour\n1,red\n", SLOTS_ENOATTR, want);
    snprintf(want, sizeof want, "line 3: '%s' object has no attribute 'x'", fx.name);
    load_fails(&fx, "\n\nid,x\n", SLOTS_ENOATTR, want); /* the header's own line */
    load_fails(&fx, "id,name,id\n1,a,2\n", SLOTS_EPARSE, "line 1: column 'id' appears twice in the header");
    load_fails(&fx, "id,\"na\"\"me\"\n", SLOTS_ENOATTR, "no attribute 'na\"me'");
    load_fails(&fx, "id,,name\n", SLOTS_EPARSE, "line 1: header cell 2 is empty");
    load_fails(&fx, "id,\"\"\n", SLOTS_EPARSE, "header cell 2 is empty");
    /* header errors stop even a skipping load */
    size_t loaded = 7, skipped = 7;
    ASSERT_STATUS(slots_store_load_csv(fx.s, "id,nope\n1,2\n", 12, SLOTS_LOAD_SKIP_BAD, &loaded, &skipped), SLOTS_ENOATTR);
    CU_ASSERT_EQUAL(loaded, 7);
    CU_ASSERT_EQUAL(skipped, 7);
    /* a quoted header name is a name */
    load_ok(&fx, "\"id\",\"name\"\n5,e\n", 1);
    drop(&fx);
}

static void test_dynamic_extras(void) {
    fixture fx = def("Dyn", "id: i64", SLOTS_DYNAMIC);
    load_ok(&fx, "id,colour,\"si\"\"ze\"\n1,red,XL\n2,,\"\"\n3,\"a,b\",M\n", 3);
    const char *p;
    size_t n;
    slots_obj o = at(fx.s, 0);
    ASSERT_OK(slots_extra_get_str(o, "colour", &p, &n));
    CU_ASSERT_EQUAL(n, 3);
    CU_ASSERT_TRUE(memcmp(p, "red", 3) == 0);
    ASSERT_OK(slots_extra_get_str(o, "si\"ze", &p, &n));
    CU_ASSERT_TRUE(n == 2 && memcmp(p, "XL", 2) == 0);
    int kind = -1;
    ASSERT_OK(slots_extra_kind(o, "colour", &kind));
    CU_ASSERT_EQUAL(kind, SLOTS_STR);
    o = at(fx.s, 1); /* an empty cell sets no extra; a quoted empty one sets "" */
    ASSERT_STATUS(slots_extra_get_str(o, "colour", &p, &n), SLOTS_ENOATTR);
    ASSERT_OK(slots_extra_get_str(o, "si\"ze", &p, &n));
    CU_ASSERT_EQUAL(n, 0);
    size_t count = 9;
    ASSERT_OK(slots_extra_count(o, &count));
    CU_ASSERT_EQUAL(count, 1);
    o = at(fx.s, 2);
    ASSERT_OK(slots_extra_get_str(o, "colour", &p, &n));
    CU_ASSERT_TRUE(n == 3 && memcmp(p, "a,b", 3) == 0);
    /* extras are dumped as columns after the fields, named in the order first seen: the text
     * comes back as it went in */
    dump_is(fx.s, "id,colour,\"si\"\"ze\"\n1,red,XL\n2,,\"\"\n3,\"a,b\",M\n");
    load_fails(&fx, "id,colour,colour\n1,a,b\n", SLOTS_EPARSE, "line 1: column 'colour' appears twice");
    load_fails(&fx, "id,colour\n1,\"\xff\"\n", SLOTS_EINVAL, "line 2: invalid UTF-8");
    CU_ASSERT_EQUAL(len_of(fx.s), 3);
    drop(&fx);
}

/* ---- loading: cells ------------------------------------------------------------------------------ */
static void test_empty_cells(void) {
    fixture fx = def("Cells", "a: i64 = 7, b: i64, c: i64 optional, d: str, e: str optional, f: str = 'dflt'", 0);
    /* strict: b and d have no default and are not optional, so an empty cell is a missing field */
    load_fails(&fx, "a,b,c,d,e,f\n,,,,,\n", SLOTS_ETYPE, "line 2: missing 2 fields: 'b' and 'd'");
    load_lenient(&fx, "a,b,c,d,e,f\n,,,,,\n\"1\",2,3,\"\",\"\",\"\"\n", 2);
    slots_obj o = at(fx.s, 0);
    i64_is(o, 0, 7);                   /* unset, then its default */
    CU_ASSERT_EQUAL(slots_is_set(o, 1), 0); /* no default: stays unset */
    int64_t v;
    ASSERT_STATUS(slots_get_i64(o, 2, &v), SLOTS_NULL); /* optional: null */
    CU_ASSERT_EQUAL(slots_is_set(o, 3), 0);
    const char *p;
    size_t n;
    ASSERT_STATUS(slots_get_str(o, 4, &p, &n), SLOTS_NULL);
    str_is(o, 5, "dflt", 4);
    o = at(fx.s, 1); /* quoted empty cells are empty strings */
    i64_is(o, 0, 1);
    str_is(o, 3, "", 0);
    str_is(o, 4, "", 0);
    str_is(o, 5, "", 0);
    /* a quoted empty cell is a string, which int() refuses */
    char want[160];
    snprintf(want, sizeof want, "line 2: invalid literal for int() with base 10: '' (%s.b)", fx.name);
    load_fails(&fx, "a,b\n1,\"\"\n", SLOTS_EPARSE, want);
    snprintf(want, sizeof want, "invalid literal for int() with base 10: '' (%s.c)", fx.name);
    load_fails(&fx, "c\n\"\"\n", SLOTS_EPARSE, want);
    drop(&fx);
}

static void test_kinds(void) {
    fixture fx = def("Kinds",
                     "b: bool, i8: i8, i16: i16, i32: i32, i64: i64, u8: u8, u16: u16, u32: u32, u64: u64, "
                     "f32: f32, f64: f64, s: str, by: bytes",
                     0);
    load_ok_flags(&fx,
            "b,i8,i16,i32,i64,u8,u16,u32,u64,f32,f64,s,by\n"
            "true,-128,-32768,-2147483648,-9223372036854775808,255,65535,4294967295,18446744073709551615,"
            "0.1,-1.5e-3,caf\xc3\xa9,aGk=\n"
            "FALSE,1, 2 ,\" 3\",4\t,5,6,7,8,1e5,1E+5,x,\"\"\n"
            "1,0,0,0,0,0,0,0,0,0,0,y,AAEC/w==\n"
            "0,0,0,0,0,0,0,0,0,inf,-Infinity,z,\n"
            "True,0,0,0,0,0,0,0,0,NaN,1e400,z,\n",
            5, SLOTS_LOAD_LENIENT); /* empty bytes cells: unset */
    int x = -1;
    uint64_t u = 0;
    slots_obj o = at(fx.s, 0);
    ASSERT_OK(slots_get_bool(o, 0, &x));
    CU_ASSERT_EQUAL(x, 1);
    i64_is(o, 1, -128);
    i64_is(o, 2, -32768);
    i64_is(o, 3, INT32_MIN);
    i64_is(o, 4, INT64_MIN);
    i64_is(o, 5, 255);
    i64_is(o, 6, 65535);
    i64_is(o, 7, 4294967295LL);
    ASSERT_OK(slots_get_u64(o, 8, &u));
    CU_ASSERT_EQUAL(u, UINT64_MAX);
    f64_is(o, 9, (double)0.1f);
    f64_is(o, 10, -1.5e-3);
    str_is(o, 11, "caf\xc3\xa9", 5);
    const void *bp;
    size_t bn;
    ASSERT_OK(slots_get_bytes(o, 12, &bp, &bn));
    CU_ASSERT_TRUE(bn == 2 && memcmp(bp, "hi", 2) == 0);
    o = at(fx.s, 1); /* case-insensitive bools, blanks around numbers, empty bytes */
    ASSERT_OK(slots_get_bool(o, 0, &x));
    CU_ASSERT_EQUAL(x, 0);
    i64_is(o, 2, 2);
    i64_is(o, 3, 3);
    i64_is(o, 4, 4);
    f64_is(o, 9, 1e5);
    f64_is(o, 10, 1e5);
    ASSERT_OK(slots_get_bytes(o, 12, &bp, &bn));
    CU_ASSERT_EQUAL(bn, 0);
    o = at(fx.s, 2);
    ASSERT_OK(slots_get_bool(o, 0, &x));
    CU_ASSERT_EQUAL(x, 1);
    ASSERT_OK(slots_get_bytes(o, 12, &bp, &bn));
    CU_ASSERT_TRUE(bn == 4 && memcmp(bp, "\x00\x01\x02\xff", 4) == 0);
    o = at(fx.s, 3); /* the non-finite floats a dump writes */
    ASSERT_OK(slots_get_bool(o, 0, &x));
    CU_ASSERT_EQUAL(x, 0);
    f64_is(o, 9, HUGE_VAL);
    f64_is(o, 10, -HUGE_VAL);
    CU_ASSERT_EQUAL(slots_is_set(o, 12), 0);
    o = at(fx.s, 4);
    double d = 0;
    ASSERT_OK(slots_get_f64(o, 9, &d));
    CU_ASSERT_TRUE(isnan(d));
    f64_is(o, 10, HUGE_VAL); /* an overflowing literal is inf, as Python reads it */
    drop(&fx);
}

static void test_kind_errors(void) {
    fixture fx = def("Product", "i8: i8, u8: u8, i64: i64, u64: u64, price: f64, f32: f32, ok: bool, by: bytes, "
                                "s: str, opt: f64 optional",
                     0);
    char want[160];
    /* bad cells are ValueErrors in the words of int() and float(), the field named after them */
    snprintf(want, sizeof want, "line 2: could not convert string to float: 'abc' (%s.price)", fx.name);
    load_fails(&fx, "price\nabc\n", SLOTS_EPARSE, want);
    snprintf(want, sizeof want, "could not convert string to float: '1._5' (%s.opt)", fx.name);
    load_fails(&fx, "opt\n1._5\n", SLOTS_EPARSE, want);
    snprintf(want, sizeof want, "invalid literal for int() with base 10: '1__0' (%s.i64)", fx.name);
    load_fails(&fx, "i64\n1__0\n", SLOTS_EPARSE, want);
    static const struct {
        const char *text, *msg;
    } bad[] = {
        {"i64\n1.5\n", "invalid literal for int() with base 10: '1.5'"},
        {"i64\n1e5\n", "invalid literal for int() with base 10: '1e5'"},
        {"i64\ninf\n", "invalid literal for int() with base 10: 'inf'"},
        {"i64\n\" \"\n", "invalid literal for int() with base 10: ' '"},
        {"i64\n_1\n", "invalid literal for int() with base 10: '_1'"},
        {"i64\n1_\n", "invalid literal for int() with base 10: '1_'"},
        {"i64\n+-1\n", "invalid literal for int() with base 10: '+-1'"},
        {"price\n.\n", "could not convert string to float: '.'"},
        {"price\n\"1 000\"\n", "could not convert string to float: '1 000'"},
        {"price\n\"tab\\there\"\n", "could not convert string to float: 'tab\\\\there'"},
        {"price\ne5\n", "could not convert string to float: 'e5'"},
        {"price\ninfinit\n", "could not convert string to float: 'infinit'"},
        /* the message shows the cell as Python's repr shows it: quotes and controls escaped */
        {"price\n\"it's\tx\"\n", "could not convert string to float: \"it's\\tx\""},
    };
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) load_fails(&fx, bad[i].text, SLOTS_EPARSE, bad[i].msg);
    load_fails(&fx, "i64\n99999999999999999999\n", SLOTS_ERANGE,
               "line 2: value 99999999999999999999 out of range for field 'i64' (i64)");
    load_fails(&fx, "u64\n-1\n", SLOTS_ERANGE, "value -1 out of range for field 'u64' (u64)");
    load_fails(&fx, "i8\n128\n", SLOTS_ERANGE, "value 128 out of range for field 'i8' (i8)");
    load_fails(&fx, "u8\n256\n", SLOTS_ERANGE, "out of range for field 'u8' (u8)");
    load_fails(&fx, "i64\n-9223372036854775809\n", SLOTS_ERANGE, "value -9223372036854775809 out of range");
    load_fails(&fx, "f32\n1e39\n", SLOTS_ERANGE, "out of range for field 'f32' (f32)");
    /* a long cell is cut short in the message */
    load_fails(&fx, "u64\n1234567890123456789012345678901234567890123456789\n", SLOTS_ERANGE,
               "value 1234567890123456789012345678901234567890... out of range for field 'u64' (u64)");
    load_fails(&fx, "price\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\n", SLOTS_EPARSE,
               ": 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (");
    /* a cut never splits a character: 39 x then a 2-byte é, cut before it */
    load_fails(&fx, "price\nxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx\xc3\xa9yyy\n", SLOTS_EPARSE,
               ": 'xxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxxx'... (");
    snprintf(want, sizeof want, "invalid literal for bool (true, false, t, f, 1 or 0): 'yes' (%s.ok)", fx.name);
    load_fails(&fx, "ok\nyes\n", SLOTS_EPARSE, want);
    load_fails(&fx, "ok\n2\n", SLOTS_EPARSE, "(true, false, t, f, 1 or 0): '2'");
    load_fails(&fx, "ok\n\"\"\n", SLOTS_EPARSE, "(true, false, t, f, 1 or 0): ''");
    load_fails(&fx, "by\nnot base64!\n", SLOTS_EINVAL, "line 2: invalid base64 text for field 'by' (bytes)");
    load_fails(&fx, "by\nZg=\n", SLOTS_EINVAL, "invalid base64 text for field 'by'");
    load_fails(&fx, "by\n\" Zg==\"\n", SLOTS_EINVAL, "invalid base64"); /* bytes cells are not trimmed */
    load_fails(&fx, "s\nbad \xc3\x28 text\n", SLOTS_EINVAL, "line 2: invalid UTF-8 in value for field 's'");
    load_fails(&fx, "s\n\"\xff\"\n", SLOTS_EINVAL, "invalid UTF-8");
    /* a huge integer still fits a float field */
    load_lenient(&fx, "price,f32\n100000000000000000000000,18446744073709551616\n", 1);
    f64_is(at(fx.s, 0), 4, 1e23);
    f64_is(at(fx.s, 0), 5, (double)1.8446744073709552e19f);
    drop(&fx);
}

static void test_refs(void) {
    fixture node = def("Node", "v: i64", 0);
    char fields[128];
    snprintf(fields, sizeof fields, "id: i64, any: ref optional, typed: ref %s optional", node.name);
    fixture fx = def("Holder", fields, 0);
    slots_obj n1 = 0, other = 0;
    ASSERT_OK(slots_store_append(node.s, &n1));
    ASSERT_OK(slots_store_append(fx.s, &other));
    char text[256];
    snprintf(text, sizeof text, "id,any,typed\n1,%llu,%llu\n2, %llu ,\n", (unsigned long long)n1,
             (unsigned long long)n1, (unsigned long long)other);
    load_ok(&fx, text, 2);
    slots_obj got = 0;
    ASSERT_OK(slots_get_ref(at(fx.s, 1), 1, &got));
    CU_ASSERT_EQUAL(got, n1);
    ASSERT_OK(slots_get_ref(at(fx.s, 1), 2, &got));
    CU_ASSERT_EQUAL(got, n1);
    ASSERT_OK(slots_get_ref(at(fx.s, 2), 1, &got));
    CU_ASSERT_EQUAL(got, other);
    ASSERT_STATUS(slots_get_ref(at(fx.s, 2), 2, &got), SLOTS_NULL);
    /* a record of the wrong type, a stale handle, and texts that are no handle */
    snprintf(text, sizeof text, "typed\n%llu\n", (unsigned long long)other);
    load_fails(&fx, text, SLOTS_ETYPE, "line 2: ");
    ASSERT_OK(slots_free(n1));
    snprintf(text, sizeof text, "any\n%llu\n", (unsigned long long)n1);
    load_fails(&fx, text, SLOTS_ESTALE, "is stale or invalid");
    load_fails(&fx, "any\n0\n", SLOTS_ESTALE, NULL);
    load_fails(&fx, "any\n-5\n", SLOTS_EPARSE, "invalid literal for a ref (a record handle, a non-negative int): '-5'");
    load_fails(&fx, "any\n1.5\n", SLOTS_EPARSE, ": '1.5'");
    char want[160];
    snprintf(want, sizeof want, "invalid literal for a ref (a record handle, a non-negative int): 'x' (%s.typed)", fx.name);
    load_fails(&fx, "typed\nx\n", SLOTS_EPARSE, want);
    load_fails(&fx, "any\n99999999999999999999\n", SLOTS_ERANGE, "out of range for field 'any' (ref)");
    drop(&fx);
    drop(&node);
}

static void test_readonly_and_frozen(void) {
    fixture fx = def("Frozen", "id: i64, name: str = 'n'", SLOTS_FROZEN);
    load_ok(&fx, "id,name\n1,a\n2,\n", 2);
    str_is(at(fx.s, 1), 1, "n", 1);
    ASSERT_STATUS(slots_set_i64(at(fx.s, 0), 0, 5), SLOTS_EREADONLY);
    drop(&fx);
}

/* ---- loading: whole loads ------------------------------------------------------------------------ */
static void test_duplicate_keys(void) {
    fixture fx = def("Keyed", "id: i64 key, name: str", 0);
    load_ok(&fx, "id,name\n1,one\n2,two\n", 2);
    slots_obj one = at(fx.s, 0), two = at(fx.s, 1);
    load_fails(&fx, "id,name\n3,three\n1,again\n4,four\n", SLOTS_EEXIST, "line 3: ");
    load_fails(&fx, "id,name\n5,five\n5,five again\n", SLOTS_EEXIST, "line 3: ");
    CU_ASSERT_EQUAL(len_of(fx.s), 2);
    slots_obj found = 0;
    ASSERT_OK(slots_store_find_i64(fx.s, 1, &found));
    CU_ASSERT_EQUAL(found, one);
    ASSERT_OK(slots_store_find_i64(fx.s, 2, &found));
    CU_ASSERT_EQUAL(found, two);
    str_is(one, 1, "one", 3);
    str_is(two, 1, "two", 3);
    ASSERT_STATUS(slots_store_find_i64(fx.s, 3, &found), SLOTS_ENOKEY); /* rolled back, index too */
    ASSERT_STATUS(slots_store_find_i64(fx.s, 5, &found), SLOTS_ENOKEY);
    /* the rolled-back keys are free again */
    load_ok(&fx, "id,name\n3,three\n5,five\n", 2);
    ASSERT_OK(slots_store_find_i64(fx.s, 5, &found));
    str_is(found, 1, "five", 4);
    /* skipping: the clash is skipped, the rest loads */
    size_t loaded = 0, skipped = 0;
    ASSERT_OK(slots_store_load_csv(fx.s, "id,name\n6,six\n6,dup\n1,dup\n", 26, SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 1);
    CU_ASSERT_EQUAL(skipped, 2);
    CU_ASSERT_EQUAL(len_of(fx.s), 5);
    drop(&fx);
}

static void test_all_or_nothing(void) {
    fixture fx = def("Atomic", "id: i64, name: str, price: f64 = 0", 0);
    load_ok(&fx, "id,name\n100,kept\n", 1);
    size_t before_live = 0;
    ASSERT_OK(slots_type_count(fx.t, &before_live));
    load_fails(&fx, "id,name,price\n1,a,1\n2,b,2\n3,c,3\n4,d,oops\n5,e,5\n", SLOTS_EPARSE, "line 5: ");
    size_t live = 0;
    ASSERT_OK(slots_type_count(fx.t, &live));
    CU_ASSERT_EQUAL(live, before_live);
    CU_ASSERT_EQUAL(len_of(fx.s), 1);
    i64_is(at(fx.s, 0), 0, 100);
    str_is(at(fx.s, 0), 1, "kept", 4);
    drop(&fx);
}

static void test_skip_bad(void) {
    fixture fx = def("Skip", "id: i64, name: str", 0);
    size_t loaded = 0, skipped = 0;
    const char *text = "id,name\n1,a\nx,b\n3,c\n4\n\"5,e\n";
    ASSERT_OK(slots_store_load_csv(fx.s, text, strlen(text), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 2);
    CU_ASSERT_EQUAL(skipped, 3);
    CU_ASSERT_EQUAL(len_of(fx.s), 2);
    i64_is(at(fx.s, 1), 0, 3);
    const char *errs = slots_store_load_errors(fx.s);
    CU_ASSERT_PTR_NOT_NULL_FATAL(errs);
    char want[128];
    snprintf(want, sizeof want, "line 3: invalid literal for int() with base 10: 'x' (%s.id)\n", fx.name);
    CU_ASSERT_PTR_NOT_NULL(strstr(errs, want));
    CU_ASSERT_PTR_NOT_NULL(strstr(errs, "line 5: expected 2 cells, got 1\n"));
    CU_ASSERT_PTR_NOT_NULL(strstr(errs, "line 6: unterminated quoted cell 1"));
    /* more than ten bad lines: all counted, the first ten kept */
    char big[1024] = "id,name\n";
    for (int i = 0; i < 15; i++) strcat(big, "bad,row\n");
    strcat(big, "7,ok\n");
    ASSERT_OK(slots_store_load_csv(fx.s, big, strlen(big), SLOTS_LOAD_SKIP_BAD, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 1);
    CU_ASSERT_EQUAL(skipped, 15);
    errs = slots_store_load_errors(fx.s);
    size_t lines = 0;
    for (const char *p = errs; *p; p++) lines += *p == '\n';
    CU_ASSERT_EQUAL(lines, 10);
    CU_ASSERT_PTR_NOT_NULL(strstr(errs, "line 11: "));
    CU_ASSERT_PTR_NULL(strstr(errs, "line 12: "));
    /* a clean load clears them */
    load_ok(&fx, "id,name\n8,h\n", 1);
    CU_ASSERT_STRING_EQUAL(slots_store_load_errors(fx.s), "");
    drop(&fx);
}

static void test_bad_arguments(void) {
    fixture fx = def("Args", "id: i64", 0);
    ASSERT_STATUS(slots_store_load_csv(NULL, "id\n1\n", 5, 0, NULL, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_load_csv(fx.s, "id\n1\n", 5, 0x1000, NULL, NULL), SLOTS_EINVAL);
    ASSERT_MSG("unknown load flags");
    ASSERT_STATUS(slots_store_load_csv(fx.s, NULL, 5, 0, NULL, NULL), SLOTS_EINVAL);
    ASSERT_MSG("buffer must not be NULL");
    ASSERT_STATUS(slots_store_dump_csv(fx.s, NULL, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_dump_csv(NULL, &(const char *){NULL}, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_dump_csv_file(fx.s, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_load_csv_file(fx.s, NULL, 0, NULL, NULL), SLOTS_EINVAL);
    ASSERT_STATUS(slots_store_load_csv_file(NULL, "/nonexistent", 0, NULL, NULL), SLOTS_EINVAL);
    /* a type's default store is not a public store */
    slots_obj o = 0;
    ASSERT_OK(slots_new(fx.t, &o));
    ASSERT_STATUS(slots_store_load_csv(fx.t->default_store, "id\n1\n", 5, 0, NULL, NULL), SLOTS_ESTALE);
    ASSERT_OK(slots_free(o));
    /* a dropped store is stale */
    drop(&fx);
    ASSERT_STATUS(slots_store_load_csv(fx.s, "id\n1\n", 5, 0, NULL, NULL), SLOTS_ESTALE);
    ASSERT_STATUS(slots_store_dump_csv(fx.s, &(const char *){NULL}, NULL), SLOTS_ESTALE);
}

/* ---- dumping ------------------------------------------------------------------------------------- */
static void test_dump_text(void) {
    fixture fx = def("Dump", "id: i64, name: str, price: f64, ok: bool, data: bytes, note: str optional, "
                             "n: u64, small: f32, count: i32 = 3",
                     0);
    dump_is(fx.s, "id,name,price,ok,data,note,n,small,count\n");
    slots_obj a = 0, b = 0, c = 0;
    ASSERT_OK(slots_store_append(fx.s, &a));
    ASSERT_OK(slots_set_i64(a, 0, 1));
    ASSERT_OK(slots_set_str(a, 1, "plain", 5));
    ASSERT_OK(slots_set_f64(a, 2, 1.5));
    ASSERT_OK(slots_set_bool(a, 3, 1));
    ASSERT_OK(slots_set_bytes(a, 4, "hi", 2));
    ASSERT_OK(slots_set_null(a, 5));
    ASSERT_OK(slots_set_u64(a, 6, UINT64_MAX));
    ASSERT_OK(slots_set_f64(a, 7, 0.1));
    ASSERT_OK(slots_store_append(fx.s, &b));
    ASSERT_OK(slots_set_i64(b, 0, -2));
    ASSERT_OK(slots_set_str(b, 1, "a, \"b\"", 6));
    ASSERT_OK(slots_set_f64(b, 2, 1e16));
    ASSERT_OK(slots_set_bool(b, 3, 0));
    ASSERT_OK(slots_set_bytes(b, 4, "", 0));
    ASSERT_OK(slots_set_str(b, 5, "", 0));
    ASSERT_OK(slots_set_f64(b, 7, -0.0));
    ASSERT_OK(slots_del(b, 8));
    ASSERT_OK(slots_store_append(fx.s, &c));
    ASSERT_OK(slots_set_str(c, 1, "two\nlines", 9));
    ASSERT_OK(slots_set_f64(c, 2, HUGE_VAL));
    ASSERT_OK(slots_set_str(c, 5, " padded", 7));
    ASSERT_OK(slots_set_f64(c, 7, NAN));
    dump_is(fx.s, "id,name,price,ok,data,note,n,small,count\n"
                  "1,plain,1.5,true,aGk=,,18446744073709551615,0.1,3\n"
                  "-2,\"a, \"\"b\"\"\",1e+16,false,\"\",\"\",,-0.0,\n"
                  ",\"two\nlines\",inf,,,\" padded\",,nan,3\n");
    /* extras and other stores do not show; a cr needs quotes too */
    ASSERT_OK(slots_set_str(c, 1, "cr\rhere", 7));
    ASSERT_OK(slots_set_str(c, 5, "trail ", 6));
    const char *got = dump_text(fx.s);
    CU_ASSERT_PTR_NOT_NULL(strstr(got, ",\"cr\rhere\",inf,,,\"trail \",,nan,3\n"));
    drop(&fx);
}

/* Every record comes back equal, position by position. */
static void check_round_trip(fixture *from, fixture *to) {
    CU_ASSERT_EQUAL_FATAL(len_of(to->s), len_of(from->s));
    for (size_t i = 0; i < len_of(from->s); i++) {
        int eq = slots_equal(at(from->s, i), at(to->s, i));
        if (eq != 1) {
            const char *r = NULL;
            slots_repr(at(to->s, i), &r, NULL);
            fprintf(stderr, "\n  record %zu differs: %s\n", i, r ? r : "?");
        }
        CU_ASSERT_EQUAL(eq, 1);
    }
}

static void fill_round_trip_store(fixture *fx) {
    static const char *names[] = {"", "plain", "a,b", "\"q\"", " lead", "trail ", "multi\nline", "cr\r\nlf",
                                  "caf\xc3\xa9", "tab\there"};
    srand(99);
    for (int i = 0; i < 200; i++) {
        slots_obj o = 0;
        ASSERT_OK(slots_store_append(fx->s, &o));
        ASSERT_OK(slots_set_i64(o, 0, i * 7919LL - 500000));
        const char *nm = names[i % 10];
        ASSERT_OK(slots_set_str(o, 1, nm, strlen(nm)));
        uint64_t bits = 0;
        for (int k = 0; k < 4; k++) bits = bits << 16 | (uint64_t)(rand() & 0xffff);
        double d;
        memcpy(&d, &bits, sizeof d);
        if (!isfinite(d)) d = i / 3.0;
        ASSERT_OK(slots_set_f64(o, 2, d));
        ASSERT_OK(slots_set_f64(o, 3, (float)(i / 7.0)));
        ASSERT_OK(slots_set_bool(o, 4, i % 2));
        unsigned char raw[8];
        for (int k = 0; k < 8; k++) raw[k] = (unsigned char)(rand() & 0xff);
        ASSERT_OK(slots_set_bytes(o, 5, raw, (size_t)(i % 9)));
        int rc = i % 3 ? slots_set_u64(o, 6, UINT64_MAX - (uint64_t)i) : slots_set_null(o, 6);
        ASSERT_OK(rc);
        ASSERT_OK(slots_set_i64(o, 7, (int64_t)(i % 256) - 128));
    }
}

static const char *round_trip_fields = "id: i64 key, name: str, d: f64, f: f32, ok: bool, data: bytes, "
                                       "big: u64 optional, tiny: i8";

static void test_round_trip_memory(void) {
    fixture a = def("RT", round_trip_fields, 0);
    fill_round_trip_store(&a);
    const char *text = dump_text(a.s);
    size_t n = strlen(text);
    char *copy = malloc(n + 1);
    CU_ASSERT_PTR_NOT_NULL_FATAL(copy);
    memcpy(copy, text, n + 1);
    fixture b = a; /* a second store of the same type */
    ASSERT_OK(slots_store_new(a.t, &b.s));
    load_ok(&b, copy, 200);
    check_round_trip(&a, &b);
    /* the dump of what was loaded is the same text */
    CU_ASSERT_STRING_EQUAL(dump_text(b.s), copy);
    free(copy);
    drop(&a);
    drop(&b);
}

static void test_round_trip_file(void) {
    fixture a = def("RTF", round_trip_fields, 0);
    fill_round_trip_store(&a);
    char path[] = "/tmp/slots_csv_XXXXXX";
    int fd = mkstemp(path);
    CU_ASSERT_FATAL(fd >= 0);
    close(fd);
    ASSERT_OK(slots_store_dump_csv_file(a.s, path));
    slots_store *s2 = NULL;
    ASSERT_OK(slots_store_new(a.t, &s2));
    fixture b = a;
    b.s = s2;
    size_t loaded = 0, skipped = 9;
    ASSERT_OK(slots_store_load_csv_file(s2, path, 0, &loaded, &skipped));
    CU_ASSERT_EQUAL(loaded, 200);
    CU_ASSERT_EQUAL(skipped, 0);
    check_round_trip(&a, &b);
    /* loading the same file again clashes on the key: nothing changes */
    ASSERT_STATUS(slots_store_load_csv_file(s2, path, 0, &loaded, NULL), SLOTS_EEXIST);
    ASSERT_MSG("line 2: ");
    CU_ASSERT_EQUAL(len_of(s2), 200);
    unlink(path);
    ASSERT_STATUS(slots_store_load_csv_file(s2, path, 0, NULL, NULL), SLOTS_EIO);
    ASSERT_MSG(path);
    ASSERT_STATUS(slots_store_dump_csv_file(a.s, "/nonexistent-dir/x/y.csv"), SLOTS_EIO);
    drop(&a);
    drop(&b);
}

/* An empty optional cell reads back as null, so an unset optional field becomes null on a round trip;
 * everything else that is unset stays unset (or takes its default). */
static void test_round_trip_unset(void) {
    fixture a = def("Unset", "id: i64, o: i64 optional, d: i64 = 4", 0);
    slots_obj r = 0;
    ASSERT_OK(slots_store_append(a.s, &r));
    ASSERT_OK(slots_del(r, 2));
    dump_is(a.s, "id,o,d\n,,\n");
    fixture b = def("Unset", "id: i64, o: i64 optional, d: i64 = 4", 0);
    load_lenient(&b, dump_text(a.s), 1); /* the unset id is a missing field unless lenient */
    slots_obj got = at(b.s, 0);
    CU_ASSERT_EQUAL(slots_is_set(got, 0), 0);
    int64_t v;
    ASSERT_STATUS(slots_get_i64(got, 1, &v), SLOTS_NULL);
    i64_is(got, 2, 4);
    drop(&a);
    drop(&b);
}

/* ---- Python's csv details ------------------------------------------------------------------------ */
static void load_flags_ok(fixture *fx, const char *text, unsigned flags, size_t want) {
    size_t loaded = 999;
    int rc = slots_store_load_csv(fx->s, text, strlen(text), flags, &loaded, NULL);
    if (rc != SLOTS_OK) fprintf(stderr, "\n  load_csv: %d %s\n", rc, slots_errmsg());
    CU_ASSERT_EQUAL_FATAL(rc, SLOTS_OK);
    CU_ASSERT_EQUAL(loaded, want);
}

static void test_bom(void) {
    fixture fx = def("Bom", "id: i64, name: str", 0);
    load_ok(&fx, "\xef\xbb\xbfid,name\n1,a\n", 1); /* skipped before the header, as utf-8-sig does */
    i64_is(at(fx.s, 0), 0, 1);
    load_ok(&fx, "\xef\xbb\xbf", 0);
    load_ok(&fx, "\xef\xbb\xbf\nname,id\r\nb,2\r\n", 1);
    str_is(at(fx.s, 1), 1, "b", 1);
    /* only at the very start: elsewhere it is text, and a name holding it is not a field's */
    load_fails(&fx, "id,\xef\xbb\xbfname\n1,a\n", SLOTS_ENOATTR, "no attribute '\xef\xbb\xbfname'");
    load_ok(&fx, "name,id\n\xef\xbb\xbfz,3\n", 1);
    str_is(at(fx.s, 2), 1, "\xef\xbb\xbfz", 4);
    drop(&fx);
}

static void test_header_blanks(void) {
    fixture fx = def("Blank", "id: i64, name: str", SLOTS_DYNAMIC);
    load_fails(&fx, "id, name\n1,a\n", SLOTS_EPARSE, "line 1: column name ' name' has blanks around it");
    load_fails(&fx, "id\t,name\n1,a\n", SLOTS_EPARSE, "column name 'id\\t' has blanks around it");
    load_fails(&fx, "id,it's \n1,a\n", SLOTS_EPARSE, "column name \"it's \" has blanks");
    /* even with SLOTS_LOAD_SKIP_BAD: the header is not a row that can be skipped */
    size_t loaded = 7;
    ASSERT_STATUS(slots_store_load_csv(fx.s, "id ,name\n1,a\n", 13, SLOTS_LOAD_SKIP_BAD, &loaded, NULL), SLOTS_EPARSE);
    CU_ASSERT_EQUAL(loaded, 7);
    CU_ASSERT_EQUAL(len_of(fx.s), 0);
    /* SLOTS_LOAD_TRIM_HEADER trims them, fields and extras alike; cells stay as written */
    load_flags_ok(&fx, " id ,\tname, colour \n1, a , red \n", SLOTS_LOAD_TRIM_HEADER, 1);
    slots_obj o = at(fx.s, 0);
    i64_is(o, 0, 1);
    str_is(o, 1, " a ", 3);
    const char *p;
    size_t n;
    ASSERT_OK(slots_extra_get_str(o, "colour", &p, &n));
    CU_ASSERT_TRUE(n == 5 && memcmp(p, " red ", 5) == 0);
    /* a quoted name is taken exactly as written: here an extra called " colour" */
    load_lenient(&fx, "id,\" colour\"\n3,blue\n", 1);
    ASSERT_OK(slots_extra_get_str(at(fx.s, 1), " colour", &p, &n));
    CU_ASSERT_TRUE(n == 4 && memcmp(p, "blue", 4) == 0);
    fixture plain = def("BlankPlain", "id: i64", 0);
    load_fails(&plain, "\"id \"\n1\n", SLOTS_ENOATTR, "no attribute 'id '");
    drop(&plain);
    load_flags_ok(&fx, "id, name\n2,b\n", SLOTS_LOAD_TRIM_HEADER | SLOTS_LOAD_SKIP_BAD, 1);
    /* a name that trims to nothing is empty; trimmed duplicates are duplicates */
    ASSERT_STATUS(slots_store_load_csv(fx.s, "id,  \n", 6, SLOTS_LOAD_TRIM_HEADER, NULL, NULL), SLOTS_EPARSE);
    ASSERT_MSG("line 1: header cell 2 is empty");
    ASSERT_STATUS(slots_store_load_csv(fx.s, "id, id\n", 7, SLOTS_LOAD_TRIM_HEADER, NULL, NULL), SLOTS_EPARSE);
    ASSERT_MSG("column 'id' appears twice in the header");
    ASSERT_STATUS(slots_store_load_csv(fx.s, "x,id, x\n", 8, SLOTS_LOAD_TRIM_HEADER, NULL, NULL), SLOTS_EPARSE);
    ASSERT_MSG("column 'x' appears twice in the header");
    /* the flag is CSV's: a JSON Lines load refuses it */
    ASSERT_STATUS(slots_store_load_jsonl(fx.s, "{}\n", 3, SLOTS_LOAD_TRIM_HEADER, NULL, NULL), SLOTS_EINVAL);
    ASSERT_MSG("unknown load flags");
    CU_ASSERT_EQUAL(len_of(fx.s), 3);
    drop(&fx);
}

/* One column: every line after the header is a row, an empty one too, so an unset or null value
 * makes the round trip; with two or more columns empty lines are still skipped. */
static void test_one_column(void) {
    fixture fx = def("One", "n: i64", 0);
    slots_obj r = 0;
    ASSERT_OK(slots_store_append(fx.s, &r));
    ASSERT_OK(slots_set_i64(r, 0, 5));
    ASSERT_OK(slots_store_append(fx.s, &r)); /* unset */
    ASSERT_OK(slots_store_append(fx.s, &r));
    ASSERT_OK(slots_set_i64(r, 0, 6));
    ASSERT_OK(slots_store_append(fx.s, &r)); /* unset, last */
    dump_is(fx.s, "n\n5\n\n6\n\n");
    fixture b = def("One", "n: i64", 0);
    load_lenient(&b, dump_text(fx.s), 4);
    i64_is(at(b.s, 0), 0, 5);
    CU_ASSERT_EQUAL(slots_is_set(at(b.s, 1), 0), 0);
    i64_is(at(b.s, 2), 0, 6);
    CU_ASSERT_EQUAL(slots_is_set(at(b.s, 3), 0), 0);
    CU_ASSERT_STRING_EQUAL(dump_text(b.s), "n\n5\n\n6\n\n");
    /* a final line end ends the last row; CRLF and lone CR empty lines are rows as well; empty lines
     * before the header are not rows */
    load_lenient(&b, "\n\nn\n1", 1);
    load_lenient(&b, "n\r\n\r\n7\r\n", 2);
    load_lenient(&b, "n\r\r8\r", 2);
    CU_ASSERT_EQUAL(slots_is_set(at(b.s, 5), 0), 0);
    i64_is(at(b.s, 6), 0, 7);
    CU_ASSERT_EQUAL(slots_is_set(at(b.s, 7), 0), 0);
    i64_is(at(b.s, 8), 0, 8);
    /* an empty line in a one-column load is an empty cell: unset, so a missing default shows later */
    load_fails(&b, "n\n\nx\n", SLOTS_ETYPE, "line 2: missing field 'n'"); /* strict: an empty row misses n */
    load_fails(&b, "n\n5\nx\n", SLOTS_EPARSE, "line 3: invalid literal for int()");
    /* optional: null; str: an empty line is no value, "" the empty string */
    fixture o = def("OneOpt", "s: str optional", 0);
    ASSERT_OK(slots_store_append(o.s, &r));
    ASSERT_OK(slots_set_null(r, 0));
    ASSERT_OK(slots_store_append(o.s, &r));
    ASSERT_OK(slots_set_str(r, 0, "", 0));
    ASSERT_OK(slots_store_append(o.s, &r));
    ASSERT_OK(slots_set_str(r, 0, "x", 1));
    dump_is(o.s, "s\n\n\"\"\nx\n");
    fixture o2 = def("OneOpt", "s: str optional", 0);
    load_lenient(&o2, dump_text(o.s), 3);
    const char *p;
    size_t n;
    ASSERT_STATUS(slots_get_str(at(o2.s, 0), 0, &p, &n), SLOTS_NULL);
    str_is(at(o2.s, 1), 0, "", 0);
    str_is(at(o2.s, 2), 0, "x", 1);
    /* two columns: empty lines skipped as before */
    fixture two = def("Two", "a: i64, b: i64", 0);
    load_lenient(&two, "a,b\n\n1,2\n\n", 1);
    drop(&fx), drop(&b), drop(&o), drop(&o2), drop(&two);
}

/* Extras of dynamic types are dumped as columns after the fields, the union of every record's
 * names in the order first seen; they load back as str extras holding the same text. */
static void test_extras_dump(void) {
    fixture fx = def("DynDump", "id: i64", SLOTS_DYNAMIC);
    slots_obj a = 0, b = 0, c = 0;
    ASSERT_OK(slots_store_append(fx.s, &a));
    ASSERT_OK(slots_set_i64(a, 0, 1));
    ASSERT_OK(slots_extra_set_str(a, "note", "x,y", 3));
    ASSERT_OK(slots_extra_set_i64(a, "n", -3));
    ASSERT_OK(slots_store_append(fx.s, &b));
    ASSERT_OK(slots_set_i64(b, 0, 2));
    ASSERT_OK(slots_extra_set_bool(b, "ok", 1));
    ASSERT_OK(slots_extra_set_f64(b, "w", NAN));
    ASSERT_OK(slots_extra_set_u64(b, "n", UINT64_MAX));
    ASSERT_OK(slots_extra_set_bytes(b, "raw", "hi", 2));
    ASSERT_OK(slots_extra_set_null(b, "z"));
    ASSERT_OK(slots_extra_set_str(b, "note", "", 0));
    ASSERT_OK(slots_store_append(fx.s, &c)); /* no extras, id unset */
    dump_is(fx.s, "id,note,n,ok,w,raw,z\n"
                  "1,\"x,y\",-3,,,,\n"
                  "2,\"\",18446744073709551615,true,nan,aGk=,\n"
                  ",,,,,,\n");
    fixture back = def("DynDump", "id: i64", SLOTS_DYNAMIC);
    load_lenient(&back, dump_text(fx.s), 3);
    const char *p;
    size_t n, count = 0;
    slots_obj o = at(back.s, 1);
    ASSERT_OK(slots_extra_get_str(o, "n", &p, &n));
    CU_ASSERT_TRUE(n == 20 && memcmp(p, "18446744073709551615", 20) == 0);
    ASSERT_OK(slots_extra_get_str(o, "w", &p, &n));
    CU_ASSERT_TRUE(n == 3 && memcmp(p, "nan", 3) == 0);
    ASSERT_OK(slots_extra_get_str(o, "note", &p, &n));
    CU_ASSERT_EQUAL(n, 0);
    ASSERT_STATUS(slots_extra_get_str(o, "z", &p, &n), SLOTS_ENOATTR); /* a null extra: no cell */
    ASSERT_OK(slots_extra_count(o, &count));
    CU_ASSERT_EQUAL(count, 5);
    ASSERT_OK(slots_extra_count(at(back.s, 2), &count));
    CU_ASSERT_EQUAL(count, 0);
    /* the text of the reload dumps the same way, but for the null extra's column, now gone */
    dump_is(back.s, "id,note,n,ok,w,raw\n"
                    "1,\"x,y\",-3,,,\n"
                    "2,\"\",18446744073709551615,true,nan,aGk=\n"
                    ",,,,,\n");
    /* a dynamic type without fields: extras alone; and one with neither has no CSV form */
    fixture bare = def("Bare", "", SLOTS_DYNAMIC);
    ASSERT_OK(slots_store_append(bare.s, &a));
    ASSERT_OK(slots_extra_set_i64(a, "k", 4));
    ASSERT_OK(slots_store_append(bare.s, &b));
    dump_is(bare.s, "k\n4\n\n");
    fixture bare2 = def("Bare", "", SLOTS_DYNAMIC);
    load_lenient(&bare2, dump_text(bare.s), 2); /* one column: the empty line is the record without it */
    /* an extra whose name starts with a BOM opens the file: quoted, so the loader keeps it */
    ASSERT_OK(slots_extra_set_i64(b, "\xef\xbb\xbfk", 5));
    ASSERT_OK(slots_extra_del(a, "k"));
    dump_is(bare.s, "\"\xef\xbb\xbfk\"\n\n5\n");
    load_lenient(&bare2, dump_text(bare.s), 2);
    int64_t five = 0;
    ASSERT_OK(slots_extra_get_i64(b, "\xef\xbb\xbfk", &five));
    const char *p5;
    size_t n5;
    ASSERT_OK(slots_extra_get_str(at(bare2.s, 3), "\xef\xbb\xbfk", &p5, &n5));
    CU_ASSERT_TRUE(n5 == 1 && p5[0] == '5');
    ASSERT_OK(slots_extra_del(b, "\xef\xbb\xbfk"));
    ASSERT_OK(slots_extra_set_i64(a, "k", 4));
    ASSERT_OK(slots_extra_del(a, "k"));
    const char *out = NULL;
    ASSERT_STATUS(slots_store_dump_csv(bare.s, &out, NULL), SLOTS_EINVAL);
    ASSERT_MSG("records have no fields: a CSV row cannot hold them");
    ASSERT_OK(slots_store_clear(bare.s));
    dump_is(bare.s, "\n"); /* no records: nothing lost */
    drop(&fx), drop(&back), drop(&bare), drop(&bare2);
}

/* A header of 20,000 columns on a dynamic type, and a dump of 2,000 distinct extras: names are
 * hashed, so this is linear work (no timing is asserted; a scan per column would be 2e8 steps). */
static void test_wide_header(void) {
    enum { COLS = 20000 };
    fixture fx = def("Wide", "id: i64", SLOTS_DYNAMIC);
    strbuf t = {0};
    sb_puts(&t, "id");
    for (int i = 0; i < COLS; i++) sb_printf(&t, ",c%d", i);
    sb_puts(&t, "\n1");
    for (int i = 0; i < COLS; i++) sb_puts(&t, i % 5000 == 7 ? ",v" : ",");
    sb_putc(&t, '\n');
    CU_ASSERT_FALSE_FATAL(t.failed);
    load_ok(&fx, t.p, 1);
    size_t count = 0;
    ASSERT_OK(slots_extra_count(at(fx.s, 0), &count));
    CU_ASSERT_EQUAL(count, 4);
    const char *p;
    size_t n;
    ASSERT_OK(slots_extra_get_str(at(fx.s, 0), "c15007", &p, &n));
    CU_ASSERT_TRUE(n == 1 && p[0] == 'v');
    /* a repeat at the very end is found */
    t.len = 0;
    sb_puts(&t, "id");
    for (int i = 0; i < COLS; i++) sb_printf(&t, ",c%d", i);
    sb_puts(&t, ",c19999\n");
    load_fails(&fx, t.p, SLOTS_EPARSE, "line 1: column 'c19999' appears twice in the header");
    t.len = 0;
    sb_puts(&t, "id");
    for (int i = 0; i < COLS; i++) sb_printf(&t, ",c%d", i);
    sb_puts(&t, ",id\n");
    load_fails(&fx, t.p, SLOTS_EPARSE, "line 1: column 'id' appears twice in the header");
    sb_free(&t);
    /* dump: 2,000 records, each with its own extra */
    fixture d = def("WideDump", "id: i64", SLOTS_DYNAMIC);
    for (int i = 0; i < 2000; i++) {
        slots_obj o = 0;
        char name[16];
        snprintf(name, sizeof name, "x%d", i);
        ASSERT_OK(slots_store_append(d.s, &o));
        ASSERT_OK(slots_set_i64(o, 0, i));
        ASSERT_OK(slots_extra_set_i64(o, name, i));
    }
    fixture d2 = def("WideDump", "id: i64", SLOTS_DYNAMIC);
    load_ok(&d2, dump_text(d.s), 2000);
    ASSERT_OK(slots_extra_get_str(at(d2.s, 1999), "x1999", &p, &n));
    CU_ASSERT_TRUE(n == 4 && memcmp(p, "1999", 4) == 0);
    ASSERT_OK(slots_extra_count(at(d2.s, 1234), &count));
    CU_ASSERT_EQUAL(count, 1);
    drop(&fx), drop(&d), drop(&d2);
}

/* Old Mac line ends in a text big enough to be decoded on several threads (it is cut at LF, which
 * such a text lacks until the loader makes a copy with LF ends), a quoted CR cell included. */
static void test_lone_cr_bulk(void) {
    fixture fx = def("MacBulk", "id: i64 key, name: str", 0);
    strbuf t = {0};
    sb_puts(&t, "id,name\r");
    enum { ROWS = 200000 };
    for (int i = 0; i < ROWS; i++) sb_printf(&t, i == ROWS / 2 ? "%d,\"two\rlines\"\r" : "%d,name-%d\r", i, i);
    CU_ASSERT_FALSE_FATAL(t.failed);
    CU_ASSERT_TRUE(t.len > (2u << 20));
    load_ok(&fx, t.p, ROWS);
    i64_is(at(fx.s, ROWS - 1), 0, ROWS - 1);
    str_is(at(fx.s, 1), 1, "name-1", 6);
    str_is(at(fx.s, ROWS / 2), 1, "two\rlines", 9);
    /* and an error's line counts lone CRs: the bad row is the last one */
    sb_puts(&t, "oops,x\r");
    fixture f2 = def("MacBulk", "id: i64 key, name: str", 0);
    char want[64];
    snprintf(want, sizeof want, "line %d: invalid literal for int()", ROWS + 2);
    load_fails(&f2, t.p, SLOTS_EPARSE, want);
    sb_free(&t);
    drop(&fx), drop(&f2);
}

/* ---- allocation failures ------------------------------------------------------------------------- */
/* Each allocation of a load fails in turn: every failure is SLOTS_ENOMEM (or a clean success once
 * past the last), leaves the store as it was, and leaks nothing (ASan checks the last part). */
static void test_out_of_memory(void) {
    fixture fx = def("Oom", "id: i64 key, name: str, data: bytes, note: str optional", SLOTS_DYNAMIC);
    const char *text = "id,\"name\",data,note,\"ex\"\"tra\"\n"
                       "1,\"a \"\"quoted\"\" name that is long enough to live outside the slot\",aGVsbG8=,,x\n"
                       "2,\"b\",\"\",\"multi\nline note\",\"y\"\n";
    size_t before = slots_memory_used();
    int done = 0;
    for (long k = 1; k < 200 && !done; k++) {
        mem_fail_at(k);
        size_t loaded = 0;
        int rc = slots_store_load_csv(fx.s, text, strlen(text), 0, &loaded, NULL);
        mem_fail_at(0);
        if (rc == SLOTS_OK) {
            done = 1;
            CU_ASSERT_EQUAL(loaded, 2);
            CU_ASSERT_EQUAL(len_of(fx.s), 2);
            break;
        }
        if (rc != SLOTS_ENOMEM) fprintf(stderr, "\n  fail at %ld: %d %s\n", k, rc, slots_errmsg());
        CU_ASSERT_EQUAL(rc, SLOTS_ENOMEM);
        CU_ASSERT_EQUAL(len_of(fx.s), 0);
    }
    CU_ASSERT_TRUE(done);
    ASSERT_OK(slots_store_clear(fx.s));
    /* dumps too */
    load_ok(&fx, "id,name,data,note\n1,x,\"\",\n", 1);
    sb_free(sb_scratch()); /* give the scratch buffer back so the dump must allocate */
    mem_fail_at(1);
    const char *out = NULL;
    int rc = slots_store_dump_csv(fx.s, &out, NULL);
    mem_fail_at(0);
    CU_ASSERT_EQUAL(rc, SLOTS_ENOMEM);
    CU_ASSERT_PTR_NULL(out);
    drop(&fx);
    CU_ASSERT_TRUE(slots_memory_used() <= before + 4096);
}

static CU_TestInfo tests[] = {
    {"base64 encode and decode", test_base64},
    {"load: basics", test_load_basic},
    {"load: empty inputs", test_load_empty_inputs},
    {"load: quoting", test_load_quoting},
    {"load: line ends", test_load_line_ends},
    {"load: line numbers after embedded newlines", test_load_embedded_newline_lines},
    {"load: syntax errors", test_load_syntax_errors},
    {"load: header errors", test_header_errors},
    {"load: dynamic extras columns", test_dynamic_extras},
    {"load: empty cells", test_empty_cells},
    {"load: every kind", test_kinds},
    {"load: kind errors", test_kind_errors},
    {"load: refs", test_refs},
    {"load: frozen type", test_readonly_and_frozen},
    {"load: duplicate keys", test_duplicate_keys},
    {"load: all or nothing", test_all_or_nothing},
    {"load: skip bad rows", test_skip_bad},
    {"bad arguments", test_bad_arguments},
    {"dump: exact text", test_dump_text},
    {"round trip in memory", test_round_trip_memory},
    {"round trip through a file", test_round_trip_file},
    {"round trip of unset cells", test_round_trip_unset},
    {"BOM", test_bom},
    {"header names with blanks, SLOTS_LOAD_TRIM_HEADER", test_header_blanks},
    {"one column: empty lines are rows", test_one_column},
    {"extras dumped as columns", test_extras_dump},
    {"20,000 columns", test_wide_header},
    {"lone CR line ends on several threads", test_lone_cr_bulk},
    {"allocation failures", test_out_of_memory},
    CU_TEST_INFO_NULL,
};

int main(void) { return run_suite("csv", tests); }
