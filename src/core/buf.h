/* buf: a growable byte string, always NUL-terminated. */
#ifndef HUASHU_BUF_H
#define HUASHU_BUF_H

#include <stdbool.h>
#include <stddef.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: contents are truncated */
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_clear(buf *b);
/* Appends n bytes; on allocation failure sets b->failed and keeps what fits. */
void buf_append(buf *b, const char *s, size_t n);
void buf_puts(buf *b, const char *s);
void buf_putc(buf *b, char c);
void buf_printf(buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* Appends a decimal integer. */
void buf_put_int(buf *b, long long v);
/* Appends s as a JSON string literal, quotes included. */
void buf_json_string(buf *b, const char *s);
/* Returns the contents (never NULL; "" when empty). */
const char *buf_str(const buf *b);
/* Hands the contents to the caller (malloc'd) and resets b; NULL on failure. */
char *buf_take(buf *b);

#endif
