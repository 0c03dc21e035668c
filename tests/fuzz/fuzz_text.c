/* Fuzzes sanitising, width-aware clipping and wrapping: no escape or control byte survives,
 * nothing exceeds its width, no character is split, wrapping always makes progress. */
#include <string.h>

#include "core/text.h"
#include "fuzz.h"

static void check_sanitized(const char *s, size_t len)
{
    FUZZ_ASSERT(text_valid_utf8(s, len));
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += text_decode(s + i, len - i, &cp);
        FUZZ_ASSERT(cp >= 0x20 && cp != 0x7f && !(cp >= 0x80 && cp <= 0x9f));
        FUZZ_ASSERT(!(cp >= 0x202a && cp <= 0x202e) && !(cp >= 0x2066 && cp <= 0x2069));
    }
}

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
    if (size < 1)
        return 0;
    size_t width = data[0] % 40;
    bool wide = data[0] & 0x80;
    const char *s = (const char *)data + 1;
    size_t len = size - 1;
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, s, len, false);
    check_sanitized(buf_str(&clean), clean.len);
    size_t cols;
    size_t fit = text_fit(clean.data ? clean.data : "", clean.len, width, wide, &cols);
    FUZZ_ASSERT(fit <= clean.len && cols <= width);
    FUZZ_ASSERT(text_width(clean.data ? clean.data : "", fit, wide) == cols);
    FUZZ_ASSERT(fit == clean.len || text_valid_utf8(clean.data, fit));
    const char *p = clean.data ? clean.data : "";
    size_t left = clean.len;
    while (left > 0) {
        size_t next;
        size_t n = text_wrap_line(p, left, width ? width : 1, wide, &next);
        FUZZ_ASSERT(n <= left && next > 0 && next <= left);
        FUZZ_ASSERT(text_valid_utf8(p, n));
        p += next;
        left -= next;
    }
    buf_free(&clean);
    return 0;
}
