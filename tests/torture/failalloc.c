/* failalloc: the counters behind tests/torture/failalloc.h. */
#define FAILALLOC_NO_MACROS
#include "failalloc.h"

#include <jansson.h>
#include <stdint.h>

#define BLOCK_MAGIC 0x746f72747572656bULL /* "torturek" */

/* What precedes every block handed out: the live list, the size and the call site. */
typedef struct block {
    struct block *prev, *next;
    size_t size;
    const char *file;
    int line;
    unsigned long long magic;
} block;

/* The header padded so the caller's bytes stay aligned for any type. */
#define HEADER_SIZE ((sizeof(block) + 15) & ~(size_t)15)

static block live_head = {&live_head, &live_head, 0, NULL, 0, 0};
static size_t live_count, live_bytes;
static unsigned long counted, fail_at;
static bool failed_once;
static int in_load; /* 1: in json_loadb, its first allocation to come; 2: after it */
static const char *failed_file;
static int failed_line;

void failalloc_arm(unsigned long n)
{
    counted = 0;
    fail_at = n;
    failed_once = false;
    failed_file = NULL;
}

unsigned long failalloc_count(void)
{
    return counted;
}

bool failalloc_failed(void)
{
    return failed_once;
}

size_t failalloc_live(size_t *bytes)
{
    if (bytes)
        *bytes = live_bytes;
    return live_count;
}

void failalloc_report(FILE *out, size_t max)
{
    size_t shown = 0;
    for (block *b = live_head.next; b != &live_head && shown < max; b = b->next, shown++)
        fprintf(out, "#   leaked %zu bytes allocated at %s:%d\n", b->size, b->file, b->line);
}

const char *failalloc_site(int *line)
{
    *line = failed_line;
    return failed_file ? failed_file : "(none)";
}

/* Counts one allocation; true when it is the one that must fail. */
static bool should_fail(const char *file, int line)
{
    counted++;
    if (fail_at && counted == fail_at) {
        failed_once = true;
        failed_file = file;
        failed_line = line;
        return true;
    }
    return false;
}

/* The block header in front of a pointer the wrappers handed out; aborts on a foreign one. */
static block *header_of(void *p)
{
    block *b = (block *)(void *)((char *)p - HEADER_SIZE);
    if (b->magic != BLOCK_MAGIC) {
        fprintf(stderr, "failalloc: free or realloc of a pointer it did not allocate: %p\n", p);
        abort();
    }
    return b;
}

/* Links a fresh block into the live list and returns the caller's part. */
static void *track(block *b, size_t n, const char *file, int line)
{
    b->size = n;
    b->file = file;
    b->line = line;
    b->magic = BLOCK_MAGIC;
    b->next = live_head.next;
    b->prev = &live_head;
    live_head.next->prev = b;
    live_head.next = b;
    live_count++;
    live_bytes += n;
    return (char *)b + HEADER_SIZE;
}

/* Takes a block out of the live list. */
static void untrack(block *b)
{
    b->prev->next = b->next;
    b->next->prev = b->prev;
    b->magic = 0;
    live_count--;
    live_bytes -= b->size;
}

void *torture_malloc(size_t n, const char *file, int line)
{
    if (should_fail(file, line) || n > SIZE_MAX - HEADER_SIZE)
        return NULL;
    block *b = malloc(HEADER_SIZE + n);
    return b ? track(b, n, file, line) : NULL;
}

void *torture_calloc(size_t count, size_t size, const char *file, int line)
{
    if (size && count > (SIZE_MAX - HEADER_SIZE) / size) {
        (void)should_fail(file, line);
        return NULL;
    }
    void *p = torture_malloc(count * size, file, line);
    if (p)
        memset(p, 0, count * size);
    return p;
}

void *torture_realloc(void *p, size_t n, const char *file, int line)
{
    if (!p)
        return torture_malloc(n, file, line);
    if (should_fail(file, line) || n > SIZE_MAX - HEADER_SIZE)
        return NULL;
    block *old = header_of(p);
    untrack(old);
    block *b = realloc(old, HEADER_SIZE + n);
    if (!b) {
        track(old, old->size, old->file, old->line);
        return NULL;
    }
    return track(b, n, file, line);
}

char *torture_strdup(const char *s, const char *file, int line)
{
    size_t n = strlen(s);
    char *p = torture_malloc(n + 1, file, line);
    if (p)
        memcpy(p, s, n + 1);
    return p;
}

char *torture_strndup(const char *s, size_t n, const char *file, int line)
{
    size_t len = strnlen(s, n);
    char *p = torture_malloc(len + 1, file, line);
    if (p) {
        memcpy(p, s, len);
        p[len] = '\0';
    }
    return p;
}

void torture_free(void *p)
{
    if (!p)
        return;
    block *b = header_of(p);
    untrack(b);
    free(b);
}

/* jansson's allocator: counted like the core's own calls, but in json_loadb only its first
 * allocation (see failalloc.h). */
static void *jansson_malloc(size_t n)
{
    if (in_load == 2) {
        block *b = n <= SIZE_MAX - HEADER_SIZE ? malloc(HEADER_SIZE + n) : NULL;
        return b ? track(b, n, "(jansson json_loadb)", 0) : NULL;
    }
    if (in_load == 1)
        in_load = 2;
    return torture_malloc(n, "(jansson)", 0);
}

json_t *torture_json_loadb(const char *buffer, size_t len, size_t flags, json_error_t *error)
{
    in_load = 1;
    json_t *j = json_loadb(buffer, len, flags, error);
    in_load = 0;
    return j;
}

void failalloc_route_jansson(void)
{
    json_set_alloc_funcs(jansson_malloc, torture_free);
}
