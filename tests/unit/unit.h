/* unit: what every Check suite of huashu shares. */
#ifndef HUASHU_UNIT_H
#define HUASHU_UNIT_H

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#ifndef TESTDATA_DIR
#define TESTDATA_DIR "tests/data"
#endif

/* Runs one suite with a UTF-8 locale (make check may run under C) and returns the exit status. */
static inline int unit_run(Suite *s)
{
    setlocale(LC_ALL, "C.UTF-8");
    SRunner *sr = srunner_create(s);
    srunner_run_all(sr, CK_NORMAL);
    int failed = srunner_ntests_failed(sr);
    srunner_free(sr);
    return failed == 0 ? EXIT_SUCCESS : EXIT_FAILURE;
}

/* Path of a fixture under tests/data, from $TESTDATA when set (make check sets it). */
static inline const char *unit_data(const char *rel, char *out, size_t cap)
{
    const char *dir = getenv("TESTDATA");
    snprintf(out, cap, "%s/%s", dir && *dir ? dir : TESTDATA_DIR, rel);
    return out;
}

#endif
