/* Fuzzes the compose line's editor (core/lineedit) with a script of keys, typed text and
 * pastes of any bytes (escape sequences, paste end markers, line breaks, invalid UTF-8): the
 * line stays valid one-line UTF-8 with nothing a terminal would act on, never longer than its
 * limit, the cursor on a character start within it, and the scroll start the smallest one that
 * shows the cursor. */
#include <string.h>

#include "core/lineedit.h"
#include "core/text.h"
#include "fuzz.h"

static void check_line(const buf *b, size_t cur, size_t max)
{
    const char *s = buf_str(b);
    FUZZ_ASSERT(b->len <= max && strlen(s) == b->len);
    FUZZ_ASSERT(text_valid_utf8(s, b->len));
    FUZZ_ASSERT(cur <= b->len && (cur == b->len || ((unsigned char)s[cur] & 0xC0) != 0x80));
    for (size_t i = 0; i < b->len;) {
        uint32_t cp;
        i += text_decode(s + i, b->len - i, &cp);
        FUZZ_ASSERT(cp >= 0x20 && !text_is_format_cp(cp));
    }
}

static void check_scroll(const buf *b, size_t cur, size_t cols, bool wide)
{
    const char *s = buf_str(b);
    size_t start = lineedit_scroll_start(s, b->len, cur, cols, wide);
    FUZZ_ASSERT(start <= cur);
    FUZZ_ASSERT(start == cur || text_width(s + start, cur - start, wide) < cols);
    if (start > 0) { /* and the smallest: one glyph more would not fit */
        size_t prev = lineedit_prev(s, b->len, start);
        FUZZ_ASSERT(prev < start && text_width(s + prev, cur - prev, wide) >= cols);
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 2)
        return 0;
    size_t max = 1 + (size_t)data[0] * 16;
    bool wide = data[1] & 1;
    buf b;
    buf_init(&b);
    size_t cur = 0, i = 2;
    bool failed;
    while (i < size) {
        uint8_t op = data[i++];
        if (op < 11) {
            lineedit_apply(&b, &cur, (lineedit_op)op);
        } else if (op < 14 && i < size) { /* typed (11), pasted (12, 13: long) text */
            size_t n = op == 13 ? (size_t)data[i++] * 16 : data[i++] % 32;
            if (n > size - i)
                n = size - i;
            size_t before = b.len;
            size_t left = lineedit_insert(&b, &cur, (const char *)data + i, n, max, &failed);
            FUZZ_ASSERT(!failed && b.len >= before && (left == 0 || b.len + 4 > max));
            i += n;
        } else if (op == 14 && i < size) {
            check_scroll(&b, cur, 1 + data[i++] % 100, wide);
        } else {
            char c = (char)(op >= 0x20 ? op : 'x');
            lineedit_insert(&b, &cur, &c, 1, max, &failed);
        }
        check_line(&b, cur, max);
    }
    check_scroll(&b, cur, 80, wide);
    buf_free(&b);
    return 0;
}
