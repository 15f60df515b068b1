/*
 * harness.c — runs one CUnit suite and prints a closing line "NAME: N passed, N failed" that
 * tests/run-suites.sh adds up.
 */
#include "harness.h"

#include <CUnit/Basic.h>
#include <stdio.h>

int errmsg_has(const char *needle) {
    const char *m = slots_errmsg();
    if (strstr(m, needle)) return 1;
    fprintf(stderr, "\n  expected message containing \"%s\", got \"%s\"\n", needle, m);
    return 0;
}

const char *unique_name(const char *prefix) {
    static char names[64][64];
    static unsigned n;
    char *s = names[n % 64];
    snprintf(s, sizeof names[0], "%s_%u", prefix, n);
    n++;
    return s;
}

int run_suite(const char *name, CU_TestInfo *tests) {
    CU_SuiteInfo suites[] = {{name, NULL, NULL, NULL, NULL, tests}, CU_SUITE_INFO_NULL};
    if (CU_initialize_registry() != CUE_SUCCESS) return 2;
    if (CU_register_suites(suites) != CUE_SUCCESS) {
        CU_cleanup_registry();
        return 2;
    }
    CU_basic_set_mode(CU_BRM_NORMAL);
    CU_basic_run_tests();
    unsigned failed = CU_get_number_of_tests_failed();
    unsigned ran = CU_get_number_of_tests_run();
    printf("suite %s: %u passed, %u failed\n", name, ran - failed, failed);
    CU_cleanup_registry();
    return failed ? 1 : 0;
}
