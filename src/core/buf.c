#include "core/buf.h"

#include "core/text.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

void buf_init(buf *b)
{
    b->data = NULL;
    b->len = 0;
    b->cap = 0;
    b->failed = false;
}

void buf_free(buf *b)
{
    free(b->data);
    buf_init(b);
}

void buf_clear(buf *b)
{
    b->len = 0;
    if (b->data)
        b->data[0] = '\0';
    b->failed = false;
}

/* Makes room for extra more bytes plus the terminator; false when out of memory. */
static bool buf_reserve(buf *b, size_t extra)
{
    if (b->len + extra + 1 <= b->cap)
        return true;
    size_t cap = b->cap ? b->cap : 64;
    while (cap < b->len + extra + 1)
        cap *= 2;
    char *p = realloc(b->data, cap);
    if (!p) {
        b->failed = true;
        return false;
    }
    b->data = p;
    b->cap = cap;
    return true;
}

void buf_append_grow(buf *b, const char *s, size_t n)
{
    if (!buf_reserve(b, n))
        return;
    memcpy(b->data + b->len, s, n);
    b->len += n;
    b->data[b->len] = '\0';
}

void buf_printf(buf *b, const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    char small[256];
    int n = vsnprintf(small, sizeof small, fmt, ap);
    va_end(ap);
    if (n < 0)
        return;
    if ((size_t)n < sizeof small) {
        buf_append(b, small, (size_t)n);
        return;
    }
    if (!buf_reserve(b, (size_t)n))
        return;
    va_start(ap, fmt);
    vsnprintf(b->data + b->len, (size_t)n + 1, fmt, ap);
    va_end(ap);
    b->len += (size_t)n;
}

/* Bytes that start what a JSON string must escape: controls, quote, backslash, DEL, and the
 * UTF-8 lead bytes of C1 controls, bidi and format characters (checked in full when met).
 * A table: JSON output is mostly CJK text, three bytes a character, all of them looked up. */
static const bool escape_starts[256] = {
    [0x00 ... 0x1F] = true, ['"'] = true,  ['\\'] = true, [0x7F] = true, [0xC2] = true,
    [0xD8] = true,          [0xE1] = true, [0xE2] = true, [0xEF] = true, [0xF3] = true,
};

static inline bool needs_escape(unsigned char c)
{
    return escape_starts[c];
}

/* Appends \uXXXX for one UTF-16 unit. */
static void put_u16(buf *b, unsigned u)
{
    static const char hex[] = "0123456789abcdef";
    char esc[6] = {'\\',       'u', hex[(u >> 12) & 15], hex[(u >> 8) & 15], hex[(u >> 4) & 15],
                   hex[u & 15]};
    buf_append(b, esc, 6);
}

void buf_json_string(buf *b, const char *s)
{
    buf_putc(b, '"');
    for (;;) {
        const char *run = s;
        while (!needs_escape((unsigned char)*s))
            s++;
        buf_append(b, run, (size_t)(s - run));
        unsigned char c = (unsigned char)*s;
        if (!c)
            break;
        if (c >= 0x80) { /* a lead byte: escape the character only when it is a format one */
            uint32_t cp;
            size_t n = text_decode(s, strnlen(s, 4), &cp);
            if (n > 1 && text_is_format_cp(cp)) {
                if (cp >= 0x10000) {
                    put_u16(b, 0xD800 + ((cp - 0x10000) >> 10));
                    put_u16(b, 0xDC00 + ((cp - 0x10000) & 0x3FF));
                } else {
                    put_u16(b, cp);
                }
            } else {
                buf_append(b, s, n);
            }
            s += n;
            continue;
        }
        s++;
        switch (c) {
        case '"':
            buf_append(b, "\\\"", 2);
            break;
        case '\\':
            buf_append(b, "\\\\", 2);
            break;
        case '\n':
            buf_append(b, "\\n", 2);
            break;
        case '\t':
            buf_append(b, "\\t", 2);
            break;
        case '\r':
            buf_append(b, "\\r", 2);
            break;
        default:
            put_u16(b, c);
        }
    }
    buf_putc(b, '"');
}

void buf_put_int(buf *b, long long v)
{
    char digits[24];
    size_t n = 0;
    unsigned long long u = v < 0 ? 0ull - (unsigned long long)v : (unsigned long long)v;
    do {
        digits[sizeof digits - 1 - n++] = (char)('0' + u % 10);
        u /= 10;
    } while (u);
    if (v < 0)
        digits[sizeof digits - 1 - n++] = '-';
    buf_append(b, digits + sizeof digits - n, n);
}

const char *buf_str(const buf *b)
{
    return b->data ? b->data : "";
}

char *buf_take(buf *b)
{
    if (b->failed) { /* truncated: not the caller's text */
        buf_free(b);
        return NULL;
    }
    char *p = b->data;
    if (!p)
        p = calloc(1, 1);
    buf_init(b);
    return p;
}
