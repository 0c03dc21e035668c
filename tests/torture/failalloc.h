/* failalloc: counting allocation wrappers that can fail the n-th allocation (curl's torture).
 *
 * The core sources are compiled a second time for tests/torture with
 * -include tests/torture/failalloc.h: the macros at the end route malloc & co. through the
 * counters, so the production objects stay untouched. The driver includes this header with
 * FAILALLOC_NO_MACROS defined and uses only the control functions. jansson is routed through
 * the same counters with json_set_alloc_funcs (failalloc_route_jansson), with one exception:
 * inside json_loadb only the first allocation (the lexer's buffer) may fail, because jansson
 * (2.14) asserts when a later growth of that buffer fails (akheron/jansson#362); the others
 * are tracked for leaks but neither counted nor failed. libyaml allocates
 * with its own yaml_malloc, out of reach short of interposing the C library's malloc: its
 * failures are not exercised here. */
#ifndef HUASHU_FAILALLOC_H
#define HUASHU_FAILALLOC_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jansson.h>

void *torture_malloc(size_t n, const char *file, int line);
void *torture_calloc(size_t count, size_t size, const char *file, int line);
void *torture_realloc(void *p, size_t n, const char *file, int line);
char *torture_strdup(const char *s, const char *file, int line);
char *torture_strndup(const char *s, size_t n, const char *file, int line);
void torture_free(void *p);
json_t *torture_json_loadb(const char *buffer, size_t len, size_t flags, json_error_t *error);

/* Counts allocations from now on; the n-th one (1-based) fails, none when n is 0. */
void failalloc_arm(unsigned long n);
/* Allocations counted since the last failalloc_arm. */
unsigned long failalloc_count(void);
/* True when the armed allocation was reached and failed. */
bool failalloc_failed(void);
/* Where the failed allocation was made. */
const char *failalloc_site(int *line);
/* Blocks that are allocated and not yet freed, and their bytes. */
size_t failalloc_live(size_t *bytes);
/* Prints up to max live blocks with the file and line that allocated them. */
void failalloc_report(FILE *out, size_t max);
/* Routes jansson's allocations through the counters. */
void failalloc_route_jansson(void);

#ifndef FAILALLOC_NO_MACROS
#undef malloc
#undef calloc
#undef realloc
#undef strdup
#undef strndup
#undef free
#define malloc(n)              torture_malloc((n), __FILE__, __LINE__)
#define calloc(c, s)           torture_calloc((c), (s), __FILE__, __LINE__)
#define realloc(p, n)          torture_realloc((p), (n), __FILE__, __LINE__)
#define strdup(s)              torture_strdup((s), __FILE__, __LINE__)
#define strndup(s, n)          torture_strndup((s), (n), __FILE__, __LINE__)
#define free(p)                torture_free(p)
#define json_loadb(b, n, f, e) torture_json_loadb((b), (n), (f), (e))
#endif

#endif
