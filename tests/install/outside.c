/*
 * outside.c — a program written the way a user outside the source tree would: it includes the
 * installed <slots.h>, links with the flags pkg-config gives, and checks a round trip through the
 * installed shared library. Exits 0 only if every value read back matches.
 */
#include <slots.h>

#include <stdio.h>
#include <string.h>

int main(void) {
    int failed = 0;
    if (slots_version_number() / 10000 != SLOTS_VERSION_MAJOR) {
        printf("outside: header major %d, library %s\n", SLOTS_VERSION_MAJOR, slots_version());
        return 1;
    }
    slots_type *t = NULL;
    if (slots_type_define("OutsideProduct", "id: i64, name: str, price: f64 = 0", NULL, 0, &t) != SLOTS_OK) {
        printf("outside: define failed: %s\n", slots_errmsg());
        return 1;
    }
    slots_obj o = 0;
    if (slots_new(t, &o) != SLOTS_OK) {
        printf("outside: new failed: %s\n", slots_errmsg());
        return 1;
    }
    int id = slots_field_index(t, "id"), name = slots_field_index(t, "name"), price = slots_field_index(t, "price");
    int64_t idv = 0;
    double pv = -1;
    const char *s = NULL;
    size_t len = 0;
    if (slots_get_f64(o, price, &pv) != SLOTS_OK || pv != 0.0) failed++;
    if (slots_set_i64(o, id, 1234567890123) != SLOTS_OK || slots_set_str(o, name, "Widget", 6) != SLOTS_OK ||
        slots_set_f64(o, price, 9.99) != SLOTS_OK)
        failed++;
    if (slots_get_i64(o, id, &idv) != SLOTS_OK || idv != 1234567890123) failed++;
    if (slots_get_str(o, name, &s, &len) != SLOTS_OK || len != 6 || memcmp(s, "Widget", 6) != 0) failed++;
    if (slots_get_f64(o, price, &pv) != SLOTS_OK || pv != 9.99) failed++;
    if (slots_field_index(t, "age") != SLOTS_ENOATTR ||
        strcmp(slots_errmsg(), "'OutsideProduct' object has no attribute 'age'") != 0)
        failed++;
    char name_copy[16] = "";
    if (s && len < sizeof name_copy) memcpy(name_copy, s, len); /* s is valid only until the free below */
    if (slots_free(o) != SLOTS_OK || slots_free(o) != SLOTS_ESTALE) failed++;
    printf("outside: libslots %s, id=%lld name=%s price=%.2f: %s\n", slots_version(), (long long)idv, name_copy,
           pv, failed ? "MISMATCH" : "ok");
    return failed ? 1 : 0;
}
