#include "core/idscan.h"

#include <string.h>

static bool is_digit(char c)
{
    return c >= '0' && c <= '9';
}

static bool is_letter(char c)
{
    return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z');
}

static bool is_joint(char c)
{
    return c == '-' || c == '_';
}

bool idscan_find(const char *text, idscan_kind kind, char *out, size_t cap)
{
    bool found = false;
    const char *p = text ? text : "";
    while (*p) {
        if (!is_digit(*p) && !is_letter(*p)) {
            p++;
            continue;
        }
        const char *start = p;
        size_t digits = 0, letters = 0;
        while (is_digit(*p) || is_letter(*p) ||
               (is_joint(*p) && (is_digit(p[1]) || is_letter(p[1])))) {
            digits += is_digit(*p);
            letters += is_letter(*p);
            p++;
        }
        size_t len = (size_t)(p - start);
        bool fits = kind == IDSCAN_ORDER ? letters == 0 && digits >= 4
                                         : letters > 0 && digits > 0 && len >= 3;
        if (fits && len < cap) {
            memcpy(out, start, len);
            out[len] = '\0';
            found = true;
        }
    }
    return found;
}
