/* buf: a growable byte string, always NUL-terminated. */
#ifndef HUASHU_BUF_H
#define HUASHU_BUF_H

#include <stdbool.h>
#include <stddef.h>
#include <string.h>

typedef struct buf {
    char *data;
    size_t len;
    size_t cap;
    bool failed; /* an allocation failed: contents are truncated */
} buf;

void buf_init(buf *b);
void buf_free(buf *b);
void buf_clear(buf *b);
/* Appends n bytes when they need more room (the slow half of buf_append). */
void buf_append_grow(buf *b, const char *s, size_t n);

/* Appends n bytes; on allocation failure sets b->failed and keeps what fits. */
static inline void buf_append(buf *b, const char *s, size_t n)
{
    if (b->len + n + 1 > b->cap) {
        buf_append_grow(b, s, n);
        return;
    }
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}
/* Appends a C string (inline: a literal's length is known at compile time). */
static inline void buf_puts(buf *b, const char *s)
{
    buf_append(b, s, strlen(s));
}
static inline void buf_putc(buf *b, char c)
{
    buf_append(b, &c, 1);
}
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
