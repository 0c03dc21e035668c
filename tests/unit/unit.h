/* unit: what every Check suite of huashu shares. */
#ifndef HUASHU_UNIT_H
#define HUASHU_UNIT_H

#include <check.h>
#include <locale.h>
#include <stdio.h>
#include <stdlib.h>

#include "core/playbook.h"

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

/* The contents of a fixture under tests/data (at most 1 MiB), NUL-terminated and malloc'd;
 * fails the test when it cannot be read. */
static inline char *unit_read(const char *rel, size_t *len)
{
    char path[512];
    unit_data(rel, path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    char *text = malloc(1 << 20);
    ck_assert_ptr_nonnull(text);
    *len = fread(text, 1, (1 << 20) - 1, f);
    text[*len] = '\0';
    fclose(f);
    return text;
}

/* The test playbook (tests/data/playbooks/mini.yaml), loaded under its path; fails the test
 * when it does not load. Free it with playbook_free. */
static inline playbook *unit_playbook(void)
{
    char path[512];
    size_t len;
    char *text = unit_read("playbooks/mini.yaml", &len);
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load(unit_data("playbooks/mini.yaml", path, sizeof path), text, len,
                                 NULL, NULL, &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    diag_free(&d);
    free(text);
    return pb;
}

#endif
