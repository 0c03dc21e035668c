#include "core/lineedit.h"

#include <string.h>

#include "core/text.h"

/* True when the character at s[at] is a zero-width mark that belongs to the glyph before it. */
static bool is_mark(const char *s, size_t len, size_t at)
{
    uint32_t cp;
    text_decode(s + at, len - at, &cp);
    return cp >= 0x20 && text_cp_width(cp, false) == 0;
}

/* At most this many zero-width marks join a glyph: a flood of them costs no more than this. */
#define MARKS_MAX 32

size_t lineedit_prev(const char *s, size_t len, size_t cur)
{
    size_t i = cur > len ? len : cur;
    for (int marks = 0; i > 0 && marks <= MARKS_MAX; marks++) {
        size_t end = i;
        do
            i--;
        while (i > 0 && ((unsigned char)s[i] & 0xC0) == 0x80 && end - i < 4);
        if (!is_mark(s, len, i))
            break;
    }
    return i;
}

size_t lineedit_next(const char *s, size_t len, size_t cur)
{
    if (cur >= len)
        return len;
    uint32_t cp;
    size_t i = cur + text_decode(s + cur, len - cur, &cp);
    for (int marks = 0; i < len && marks < MARKS_MAX && is_mark(s, len, i); marks++)
        i += text_decode(s + i, len - i, &cp);
    return i;
}

size_t lineedit_word_start(const char *s, size_t cur)
{
    size_t i = cur;
    while (i > 0 && s[i - 1] == ' ')
        i--;
    while (i > 0 && s[i - 1] != ' ')
        i--;
    return i;
}

size_t lineedit_word_end(const char *s, size_t len, size_t cur)
{
    size_t i = cur;
    while (i < len && s[i] == ' ')
        i++;
    while (i < len && s[i] != ' ')
        i++;
    return i;
}

/* Removes b[from, to). */
static void erase(buf *b, size_t from, size_t to)
{
    if (to <= from || to > b->len)
        return;
    memmove(b->data + from, b->data + to, b->len - to);
    b->len -= to - from;
    b->data[b->len] = '\0';
}

void lineedit_apply(buf *b, size_t *cur, lineedit_op op)
{
    const char *s = buf_str(b);
    size_t len = b->len, at = *cur > len ? len : *cur;
    switch (op) {
    case LINEEDIT_LEFT:
        at = lineedit_prev(s, len, at);
        break;
    case LINEEDIT_RIGHT:
        at = lineedit_next(s, len, at);
        break;
    case LINEEDIT_HOME:
        at = 0;
        break;
    case LINEEDIT_END:
        at = len;
        break;
    case LINEEDIT_WORD_LEFT:
        at = lineedit_word_start(s, at);
        break;
    case LINEEDIT_WORD_RIGHT:
        at = lineedit_word_end(s, len, at);
        break;
    case LINEEDIT_BACKSPACE: {
        size_t prev = lineedit_prev(s, len, at);
        erase(b, prev, at);
        at = prev;
        break;
    }
    case LINEEDIT_DELETE:
        erase(b, at, lineedit_next(s, len, at));
        break;
    case LINEEDIT_KILL_START:
        erase(b, 0, at);
        at = 0;
        break;
    case LINEEDIT_KILL_END:
        erase(b, at, len);
        break;
    case LINEEDIT_KILL_WORD: {
        size_t w = lineedit_word_start(s, at);
        erase(b, w, at);
        at = w;
        break;
    }
    }
    *cur = at;
}

size_t lineedit_insert(buf *b, size_t *cur, const char *s, size_t n, size_t max, bool *failed)
{
    if (!max || max > LINEEDIT_MAX)
        max = LINEEDIT_MAX;
    *failed = false;
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, s, n, true);
    if (clean.failed) {
        buf_free(&clean);
        *failed = true;
        return 0;
    }
    for (size_t i = 0; i < clean.len; i++)
        if (clean.data[i] == '\n')
            clean.data[i] = ' ';
    size_t room = b->len < max ? max - b->len : 0, take = clean.len;
    if (take > room) {
        take = room;
        while (take > 0 && ((unsigned char)clean.data[take] & 0xC0) == 0x80)
            take--;
    }
    size_t at = *cur > b->len ? b->len : *cur, old = b->len;
    if (take) {
        buf_append(b, clean.data, take); /* room at the end, then the tail moves up */
        if (b->failed || b->len != old + take) {
            b->len = old;
            if (b->data)
                b->data[old] = '\0';
            b->failed = false;
            *failed = true;
            buf_free(&clean);
            return 0;
        }
        memmove(b->data + at + take, b->data + at, old - at);
        memcpy(b->data + at, clean.data, take);
        *cur = at + take;
    }
    size_t left = clean.len - take;
    buf_free(&clean);
    return left;
}

size_t lineedit_scroll_start(const char *s, size_t len, size_t cursor, size_t cols,
                             bool ambiguous_wide)
{
    if (cursor > len)
        cursor = len;
    size_t start = cursor, used = 0;
    while (start > 0) {
        size_t prev = lineedit_prev(s, len, start);
        size_t w = text_width(s + prev, start - prev, ambiguous_wide);
        if (used + w >= cols)
            break;
        used += w;
        start = prev;
    }
    return start;
}
