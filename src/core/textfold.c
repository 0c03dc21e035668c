#include "core/textfold.h"

#include <regex.h>
#include <stdlib.h>
#include <string.h>

typedef struct fold_pair {
    uint32_t from, to; /* from == 0: empty slot */
} fold_pair;

struct textfold {
    fold_pair *map; /* open addressing on from */
    size_t map_cap, map_count;
    regex_t *noise;
    size_t noise_count;
};

textfold *textfold_new(void)
{
    return calloc(1, sizeof(textfold));
}

void textfold_free(textfold *tf)
{
    if (!tf)
        return;
    for (size_t i = 0; i < tf->noise_count; i++)
        regfree(&tf->noise[i]);
    free(tf->noise);
    free(tf->map);
    free(tf);
}

static size_t slot_of(uint32_t c, size_t cap)
{
    return (size_t)(c * 2654435761u) & (cap - 1);
}

static bool map_grow(textfold *tf)
{
    size_t cap = tf->map_cap ? tf->map_cap * 2 : 256;
    fold_pair *m = calloc(cap, sizeof *m);
    if (!m)
        return false;
    for (size_t i = 0; i < tf->map_cap; i++) {
        if (!tf->map[i].from)
            continue;
        size_t s = slot_of(tf->map[i].from, cap);
        while (m[s].from)
            s = (s + 1) & (cap - 1);
        m[s] = tf->map[i];
    }
    free(tf->map);
    tf->map = m;
    tf->map_cap = cap;
    return true;
}

bool textfold_map(textfold *tf, uint32_t from, uint32_t to)
{
    if (!from || from == to)
        return true;
    if ((tf->map_count + 1) * 2 > tf->map_cap && !map_grow(tf))
        return false;
    size_t s = slot_of(from, tf->map_cap);
    while (tf->map[s].from && tf->map[s].from != from)
        s = (s + 1) & (tf->map_cap - 1);
    if (!tf->map[s].from)
        tf->map_count++;
    tf->map[s] = (fold_pair){from, to};
    return true;
}

uint32_t textfold_char(const textfold *tf, uint32_t c)
{
    if (!tf->map_cap || c < 0x80)
        return c;
    size_t s = slot_of(c, tf->map_cap);
    while (tf->map[s].from) {
        if (tf->map[s].from == c)
            return tf->map[s].to;
        s = (s + 1) & (tf->map_cap - 1);
    }
    return c;
}

bool textfold_noise(textfold *tf, const char *pattern)
{
    regex_t *grown = realloc(tf->noise, (tf->noise_count + 1) * sizeof *grown);
    if (!grown)
        return false;
    tf->noise = grown;
    if (regcomp(&tf->noise[tf->noise_count], pattern, REG_EXTENDED) != 0)
        return false;
    tf->noise_count++;
    return true;
}

uint32_t textfold_decode(const char *s, size_t len, size_t *n)
{
    const unsigned char *u = (const unsigned char *)s;
    if (u[0] < 0x80) {
        *n = 1;
        return u[0];
    }
    size_t need = u[0] >= 0xF0 ? 4 : u[0] >= 0xE0 ? 3 : u[0] >= 0xC0 ? 2 : 0;
    if (!need || need > len) {
        *n = 1;
        return 0xFFFD;
    }
    uint32_t c = u[0] & (0x7F >> need);
    for (size_t i = 1; i < need; i++) {
        if ((u[i] & 0xC0) != 0x80) {
            *n = 1;
            return 0xFFFD;
        }
        c = (c << 6) | (u[i] & 0x3F);
    }
    *n = need;
    return c;
}

void textfold_encode(buf *out, uint32_t c)
{
    char b[4];
    size_t n;
    if (c < 0x80) {
        b[0] = (char)c;
        n = 1;
    } else if (c < 0x800) {
        b[0] = (char)(0xC0 | (c >> 6));
        b[1] = (char)(0x80 | (c & 0x3F));
        n = 2;
    } else if (c < 0x10000) {
        b[0] = (char)(0xE0 | (c >> 12));
        b[1] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[2] = (char)(0x80 | (c & 0x3F));
        n = 3;
    } else {
        b[0] = (char)(0xF0 | (c >> 18));
        b[1] = (char)(0x80 | ((c >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((c >> 6) & 0x3F));
        b[3] = (char)(0x80 | (c & 0x3F));
        n = 4;
    }
    buf_append(out, b, n);
}

/* Width and case folding of one character. */
static uint32_t fold_width(uint32_t c)
{
    if (c >= 0xFF01 && c <= 0xFF5E) /* full-width ASCII */
        c -= 0xFEE0;
    else if (c == 0x3000 || c == '\t' || c == '\n' || c == '\r' || c == 0xA0)
        c = ' ';
    if (c >= 'A' && c <= 'Z')
        c += 'a' - 'A';
    return c;
}

/* Removes every match of the noise patterns from s (in place). */
static void strip_noise(const textfold *tf, buf *s)
{
    for (size_t p = 0; p < tf->noise_count; p++) {
        size_t from = 0;
        regmatch_t m;
        while (from < s->len && regexec(&tf->noise[p], s->data + from, 1, &m, 0) == 0) {
            size_t a = from + (size_t)m.rm_so, b = from + (size_t)m.rm_eo;
            if (b == a) { /* an empty match: step over one byte */
                from = a + 1;
                continue;
            }
            memmove(s->data + a + 1, s->data + b, s->len - b + 1);
            s->data[a] = ' ';
            s->len -= b - a - 1;
            from = a + 1;
        }
    }
}

static void fold(const textfold *tf, const char *text, size_t len, buf *out, bool noise);

/* Noise patterns are tried only on text with an ASCII letter or digit, [ / or : (after width
 * folding: links, numbers, cards, [codes]) or a 【 tag: plain Chinese text is never platform
 * noise, and regexec costs more than everything else detection does. */
static bool may_be_noise(const buf *s)
{
    for (size_t i = 0; i < s->len; i++) {
        unsigned char c = (unsigned char)s->data[i];
        if ((c < 0x80 && ((unsigned)((c | 0x20) - 'a') < 26u || (unsigned)(c - '0') < 10u ||
                          c == '[' || c == '/' || c == ':')) ||
            (c == 0xE3 && i + 2 < s->len && (unsigned char)s->data[i + 1] == 0x80 &&
             (unsigned char)s->data[i + 2] == 0x90))
            return true;
    }
    return false;
}

void textfold_apply(const textfold *tf, const char *text, size_t len, buf *out)
{
    fold(tf, text, len, out, true);
}

void textfold_plain(const textfold *tf, const char *text, size_t len, buf *out)
{
    fold(tf, text, len, out, false);
}

static void fold(const textfold *tf, const char *text, size_t len, buf *out, bool noise)
{
    buf tmp;
    buf_init(&tmp);
    bool space = true; /* drop leading space */
    for (size_t i = 0; i < len;) {
        size_t n;
        uint32_t c = fold_width(textfold_decode(text + i, len - i, &n));
        i += n;
        if (c < 0x20 || c == 0x7F)
            c = ' ';
        if (c == ' ') {
            if (!space)
                buf_putc(&tmp, ' ');
            space = true;
            continue;
        }
        space = false;
        if (c < 0x80)
            buf_putc(&tmp, (char)c);
        else if (n == 3 && c >= 0x3400 && !tf->map_cap)
            buf_append(&tmp, text + i - n, n); /* unchanged CJK: no re-encoding */
        else
            textfold_encode(&tmp, textfold_char(tf, c));
    }
    if (noise && tmp.len && tf->noise_count && may_be_noise(&tmp))
        strip_noise(tf, &tmp);
    /* collapse the spaces the noise left */
    space = false;
    bool wrote = false;
    for (size_t i = 0; i < tmp.len; i++) {
        if (tmp.data[i] == ' ') {
            space = true;
            continue;
        }
        if (space && wrote)
            buf_putc(out, ' ');
        space = false;
        wrote = true;
        buf_putc(out, tmp.data[i]);
    }
    buf_free(&tmp);
}
