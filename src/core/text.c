#include "core/text.h"

#include <string.h>

typedef struct range {
    uint32_t first, last;
} range;

/* Zero-width: combining marks, variation selectors, ZWJ/ZWNJ (after Markus Kuhn's wcwidth). */
static const range zero_width[] = {
    {0x0300, 0x036F}, {0x0483, 0x0489}, {0x0591, 0x05BD}, {0x05BF, 0x05BF},   {0x05C1, 0x05C2},
    {0x05C4, 0x05C5}, {0x05C7, 0x05C7}, {0x0610, 0x061A}, {0x064B, 0x065F},   {0x0670, 0x0670},
    {0x06D6, 0x06DC}, {0x06DF, 0x06E4}, {0x06E7, 0x06E8}, {0x06EA, 0x06ED},   {0x0711, 0x0711},
    {0x0730, 0x074A}, {0x0900, 0x0902}, {0x093A, 0x093A}, {0x093C, 0x093C},   {0x0941, 0x0948},
    {0x094D, 0x094D}, {0x0951, 0x0957}, {0x0E31, 0x0E31}, {0x0E34, 0x0E3A},   {0x0E47, 0x0E4E},
    {0x1AB0, 0x1AFF}, {0x1DC0, 0x1DFF}, {0x200B, 0x200F}, {0x20D0, 0x20FF},   {0x302A, 0x302D},
    {0x3099, 0x309A}, {0xFE00, 0xFE0F}, {0xFE20, 0xFE2F}, {0xE0100, 0xE01EF},
};

/* East Asian Wide and Fullwidth, plus emoji presentation blocks. Never narrower than glibc's
 * wcwidth (which ncursesw measures with), or curses would wrap a glyph at a pane's edge:
 * hence the Yijing hexagrams and the emoji skin-tone modifiers counted 2 wide. */
static const range wide[] = {
    {0x1100, 0x115F},   {0x231A, 0x231B},   {0x2329, 0x232A},   {0x23E9, 0x23EC},
    {0x23F0, 0x23F0},   {0x23F3, 0x23F3},   {0x25FD, 0x25FE},   {0x2614, 0x2615},
    {0x2648, 0x2653},   {0x267F, 0x267F},   {0x2693, 0x2693},   {0x26A1, 0x26A1},
    {0x26AA, 0x26AB},   {0x26BD, 0x26BE},   {0x26C4, 0x26C5},   {0x26CE, 0x26CE},
    {0x26D4, 0x26D4},   {0x26EA, 0x26EA},   {0x26F2, 0x26F3},   {0x26F5, 0x26F5},
    {0x26FA, 0x26FA},   {0x26FD, 0x26FD},   {0x2705, 0x2705},   {0x270A, 0x270B},
    {0x2728, 0x2728},   {0x274C, 0x274C},   {0x274E, 0x274E},   {0x2753, 0x2755},
    {0x2757, 0x2757},   {0x2795, 0x2797},   {0x27B0, 0x27B0},   {0x27BF, 0x27BF},
    {0x2B1B, 0x2B1C},   {0x2B50, 0x2B50},   {0x2B55, 0x2B55},   {0x2E80, 0x303E},
    {0x3041, 0x33FF},   {0x3400, 0x4DFF},   {0x4E00, 0x9FFF},   {0xA000, 0xA4CF},
    {0xA960, 0xA97F},   {0xAC00, 0xD7A3},   {0xF900, 0xFAFF},   {0xFE10, 0xFE19},
    {0xFE30, 0xFE6F},   {0xFF00, 0xFF60},   {0xFFE0, 0xFFE6},   {0x16FE0, 0x16FE4},
    {0x16FF0, 0x16FF1}, {0x17000, 0x18D08}, {0x1AFF0, 0x1AFFE}, {0x1B000, 0x1B2FF},
    {0x1F004, 0x1F004}, {0x1F0CF, 0x1F0CF}, {0x1F18E, 0x1F18E}, {0x1F191, 0x1F19A},
    {0x1F200, 0x1F202}, {0x1F210, 0x1F23B}, {0x1F240, 0x1F248}, {0x1F250, 0x1F251},
    {0x1F260, 0x1F265}, {0x1F300, 0x1F320}, {0x1F32D, 0x1F335}, {0x1F337, 0x1F37C},
    {0x1F37E, 0x1F393}, {0x1F3A0, 0x1F3CA}, {0x1F3CF, 0x1F3D3}, {0x1F3E0, 0x1F3F0},
    {0x1F3F4, 0x1F3F4}, {0x1F3F8, 0x1F3FF}, {0x1F400, 0x1F43E}, {0x1F440, 0x1F440},
    {0x1F442, 0x1F4FC}, {0x1F4FF, 0x1F53D}, {0x1F54B, 0x1F54E}, {0x1F550, 0x1F567},
    {0x1F57A, 0x1F57A}, {0x1F595, 0x1F596}, {0x1F5A4, 0x1F5A4}, {0x1F5FB, 0x1F64F},
    {0x1F680, 0x1F6C5}, {0x1F6CC, 0x1F6CC}, {0x1F6D0, 0x1F6D2}, {0x1F6D5, 0x1F6D7},
    {0x1F6DD, 0x1F6DF}, {0x1F6EB, 0x1F6EC}, {0x1F6F4, 0x1F6FC}, {0x1F7E0, 0x1F7EB},
    {0x1F7F0, 0x1F7F0}, {0x1F90C, 0x1F93A}, {0x1F93C, 0x1F945}, {0x1F947, 0x1F9FF},
    {0x1FA70, 0x1FAFF}, {0x20000, 0x2FFFD}, {0x30000, 0x3FFFD},
};

/* East Asian Ambiguous characters common in Chinese text. */
static const range ambiguous[] = {
    {0x00A7, 0x00A8}, {0x00B0, 0x00B1}, {0x00B7, 0x00B7}, {0x00D7, 0x00D7}, {0x00F7, 0x00F7},
    {0x0391, 0x03A9}, {0x03B1, 0x03C9}, {0x0401, 0x0451}, {0x2010, 0x2010}, {0x2013, 0x2016},
    {0x2018, 0x2019}, {0x201C, 0x201D}, {0x2020, 0x2022}, {0x2024, 0x2027}, {0x2030, 0x2030},
    {0x2032, 0x2033}, {0x203B, 0x203B}, {0x2103, 0x2103}, {0x2116, 0x2116}, {0x2160, 0x216B},
    {0x2190, 0x2199}, {0x2460, 0x24E9}, {0x2500, 0x257F}, {0x25A0, 0x25A1}, {0x25B2, 0x25B3},
    {0x25C6, 0x25C7}, {0x25CB, 0x25CB}, {0x25CE, 0x25CF}, {0x2605, 0x2606}, {0x2640, 0x2640},
    {0x2642, 0x2642},
};

static bool in_table(uint32_t cp, const range *t, size_t n)
{
    size_t lo = 0, hi = n;
    if (cp < t[0].first || cp > t[n - 1].last)
        return false;
    while (lo < hi) {
        size_t mid = (lo + hi) / 2;
        if (cp > t[mid].last)
            lo = mid + 1;
        else if (cp < t[mid].first)
            hi = mid;
        else
            return true;
    }
    return false;
}

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

size_t text_decode(const char *str, size_t len, uint32_t *cp)
{
    const unsigned char *s = (const unsigned char *)str;
    unsigned char c = s[0];
    if (c < 0x80) {
        *cp = c;
        return 1;
    }
    size_t need;
    uint32_t v, min;
    if (c >= 0xC2 && c <= 0xDF) {
        need = 1, v = c & 0x1F, min = 0x80;
    } else if (c >= 0xE0 && c <= 0xEF) {
        need = 2, v = c & 0x0F, min = 0x800;
    } else if (c >= 0xF0 && c <= 0xF4) {
        need = 3, v = c & 0x07, min = 0x10000;
    } else {
        *cp = TEXT_REPLACEMENT;
        return 1;
    }
    if (len < need + 1) {
        *cp = TEXT_REPLACEMENT;
        return 1;
    }
    for (size_t i = 1; i <= need; i++) {
        if ((s[i] & 0xC0) != 0x80) {
            *cp = TEXT_REPLACEMENT;
            return 1;
        }
        v = (v << 6) | (s[i] & 0x3F);
    }
    if (v < min || v > 0x10FFFF || (v >= 0xD800 && v <= 0xDFFF)) {
        *cp = TEXT_REPLACEMENT;
        return 1;
    }
    *cp = v;
    return need + 1;
}

bool text_valid_utf8(const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        if ((unsigned char)s[i] < 0x80) {
            i++;
            continue;
        }
        uint32_t cp;
        size_t n = text_decode(s + i, len - i, &cp);
        if (cp == TEXT_REPLACEMENT && n == 1)
            return false;
        i += n;
    }
    return true;
}

void text_encode(buf *out, uint32_t cp)
{
    char b[4];
    if (cp < 0x80) {
        b[0] = (char)cp;
        buf_append(out, b, 1);
    } else if (cp < 0x800) {
        b[0] = (char)(0xC0 | (cp >> 6));
        b[1] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 2);
    } else if (cp < 0x10000) {
        b[0] = (char)(0xE0 | (cp >> 12));
        b[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[2] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 3);
    } else {
        b[0] = (char)(0xF0 | (cp >> 18));
        b[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
        b[2] = (char)(0x80 | ((cp >> 6) & 0x3F));
        b[3] = (char)(0x80 | (cp & 0x3F));
        buf_append(out, b, 4);
    }
}

int text_cp_width(uint32_t cp, bool ambiguous_wide)
{
    if (cp < 0x20 || (cp >= 0x7F && cp < 0xA0))
        return 0;
    if (cp < 0x300)
        return ambiguous_wide && in_table(cp, ambiguous, COUNT(ambiguous)) ? 2 : 1;
    if (in_table(cp, zero_width, COUNT(zero_width)))
        return 0;
    if (in_table(cp, wide, COUNT(wide)))
        return 2;
    if (ambiguous_wide && in_table(cp, ambiguous, COUNT(ambiguous)))
        return 2;
    return 1;
}

size_t text_width(const char *s, size_t len, bool ambiguous_wide)
{
    size_t cols = 0;
    for (size_t i = 0; i < len;) {
        uint32_t cp;
        i += text_decode(s + i, len - i, &cp);
        cols += (size_t)text_cp_width(cp, ambiguous_wide);
    }
    return cols;
}

size_t text_fit(const char *s, size_t len, size_t max_cols, bool ambiguous_wide, size_t *cols)
{
    size_t used = 0, i = 0;
    while (i < len) {
        uint32_t cp;
        size_t n = text_decode(s + i, len - i, &cp);
        size_t w = (size_t)text_cp_width(cp, ambiguous_wide);
        if (used + w > max_cols || (w == 0 && i == 0 && max_cols == 0))
            break;
        used += w;
        i += n;
    }
    if (cols)
        *cols = used;
    return i;
}

bool text_is_cjk(uint32_t cp)
{
    return (cp >= 0x2E80 && cp <= 0x9FFF) || (cp >= 0xAC00 && cp <= 0xD7A3) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0xFF00 && cp <= 0xFF60) ||
           (cp >= 0x20000 && cp <= 0x3FFFD);
}

bool text_is_format_cp(uint32_t cp)
{
    return cp == 0x7F || (cp >= 0x80 && cp <= 0x9F) || cp == 0xAD || cp == 0x061C || cp == 0x180E ||
           cp == 0x200B || cp == 0x200E || cp == 0x200F || (cp >= 0x202A && cp <= 0x202E) ||
           (cp >= 0x2060 && cp <= 0x206F) || cp == 0x2028 || cp == 0x2029 || cp == 0xFEFF ||
           (cp >= 0xFFF9 && cp <= 0xFFFB) || (cp >= 0xE0000 && cp <= 0xE007F);
}

/* Characters the terminal must never receive from untrusted text. */
static bool is_forbidden_cp(uint32_t cp)
{
    return text_is_format_cp(cp);
}

/* Length of an escape sequence starting at s[0] == ESC (CSI, OSC, DCS, two-byte forms). */
static size_t escape_length(const char *s, size_t len)
{
    if (len < 2)
        return len;
    unsigned char kind = (unsigned char)s[1];
    size_t i = 2;
    if (kind == '[') {
        while (i < len && !((unsigned char)s[i] >= 0x40 && (unsigned char)s[i] <= 0x7E))
            i++;
        return i < len ? i + 1 : len;
    }
    if (kind == ']' || kind == 'P' || kind == '_' || kind == '^' || kind == 'X') {
        while (i < len) {
            if (s[i] == '\a')
                return i + 1;
            if (s[i] == 0x1B && i + 1 < len && s[i + 1] == '\\')
                return i + 2;
            i++;
        }
        return len;
    }
    return 2;
}

void text_sanitize(buf *out, const char *s, size_t len, bool keep_newlines)
{
    int marks = 0;
    size_t i = 0;
    while (i < len) {
        if (s[i] == 0x1B) {
            i += escape_length(s + i, len - i);
            continue;
        }
        uint32_t cp;
        size_t n = text_decode(s + i, len - i, &cp);
        i += n;
        if (cp == '\t') {
            buf_putc(out, ' ');
            marks = 0;
        } else if (cp == '\n' && keep_newlines) {
            buf_putc(out, '\n');
            marks = 0;
        } else if (cp < 0x20 || is_forbidden_cp(cp)) {
            continue;
        } else if (text_cp_width(cp, false) == 0) {
            if (++marks <= 4)
                text_encode(out, cp);
        } else {
            marks = 0;
            text_encode(out, cp);
        }
    }
}

size_t text_sanitize_into(char *dst, size_t cap, const char *s)
{
    size_t len = strlen(s), i = 0, k = 0;
    int marks = 0;
    if (cap == 0)
        return 0;
    while (i < len) {
        if (s[i] == 0x1B) {
            i += escape_length(s + i, len - i);
            continue;
        }
        uint32_t cp;
        size_t n = text_decode(s + i, len - i, &cp);
        i += n;
        if (cp == '\t')
            cp = ' ';
        else if (cp < 0x20 || is_forbidden_cp(cp))
            continue;
        if (text_cp_width(cp, false) == 0 && cp != ' ') {
            if (++marks > 4)
                continue;
        } else {
            marks = 0;
        }
        char one[4];
        size_t m = cp < 0x80 ? 1 : cp < 0x800 ? 2 : cp < 0x10000 ? 3 : 4;
        if (k + m >= cap)
            break;
        if (m == 1) {
            one[0] = (char)cp;
        } else if (m == 2) {
            one[0] = (char)(0xC0 | (cp >> 6)), one[1] = (char)(0x80 | (cp & 0x3F));
        } else if (m == 3) {
            one[0] = (char)(0xE0 | (cp >> 12)), one[1] = (char)(0x80 | ((cp >> 6) & 0x3F));
            one[2] = (char)(0x80 | (cp & 0x3F));
        } else {
            one[0] = (char)(0xF0 | (cp >> 18)), one[1] = (char)(0x80 | ((cp >> 12) & 0x3F));
            one[2] = (char)(0x80 | ((cp >> 6) & 0x3F)), one[3] = (char)(0x80 | (cp & 0x3F));
        }
        memcpy(dst + k, one, m);
        k += m;
    }
    dst[k] = '\0';
    return k;
}

/* Punctuation that must not begin a line (simple kinsoku). */
static bool no_line_start(uint32_t cp)
{
    static const uint32_t closers[] = {0xFF0C, 0x3002, 0xFF01, 0xFF1F, 0x3001, 0xFF1B, 0xFF1A,
                                       0xFF09, 0x300D, 0x300F, 0x3011, 0x300B, 0x3009, 0x201D,
                                       0x2019, ',',    '.',    '!',    '?',    ';',    ':',
                                       ')',    ']',    0x2026, 0xFF5E, 0x30FC};
    for (size_t k = 0; k < COUNT(closers); k++)
        if (closers[k] == cp)
            return true;
    return false;
}

size_t text_wrap_line(const char *s, size_t len, size_t width, bool ambiguous_wide, size_t *next)
{
    size_t nl = 0;
    while (nl < len && s[nl] != '\n')
        nl++;
    size_t cols;
    size_t fit = text_fit(s, nl, width ? width : 1, ambiguous_wide, &cols);
    if (fit == 0 && nl > 0) { /* a glyph wider than the line: take it anyway */
        uint32_t cp;
        fit = text_decode(s, nl, &cp);
    }
    if (fit >= nl) {
        *next = nl < len ? nl + 1 : nl;
        return nl;
    }
    /* Find the last break opportunity at or before fit. */
    size_t brk = 0, i = 0;
    uint32_t prev = 0;
    while (i <= fit) {
        uint32_t cp = 0;
        size_t n = i < nl ? text_decode(s + i, nl - i, &cp) : 1;
        if (i > 0) {
            bool space_break = (prev == ' ');
            bool cjk_break = (text_is_cjk(prev) || text_is_cjk(cp)) && cp != ' ';
            if ((space_break || cjk_break) && !no_line_start(cp))
                brk = i;
        }
        prev = cp;
        i += n;
    }
    if (brk == 0)
        brk = fit;
    size_t end = brk;
    while (end > 0 && s[end - 1] == ' ')
        end--;
    size_t after = brk;
    while (after < nl && s[after] == ' ')
        after++;
    *next = after;
    return end;
}

/* The escaped form of the character at s (into out, at most 12 bytes): *used gets its length
 * in s; returns the length of out. Printable characters come back as they are. */
static size_t escape_one(const char *s, size_t len, char *out, size_t *used)
{
    static const char hex[] = "0123456789abcdef";
    unsigned char c = (unsigned char)s[0];
    uint32_t cp;
    size_t n = c < 0x80 ? 1 : text_decode(s, len, &cp);
    *used = n;
    if (c >= 0x20 && c < 0x7F) {
        out[0] = (char)c;
        return 1;
    }
    if (c >= 0x80 && n > 1 && !text_is_format_cp(cp)) {
        memcpy(out, s, n);
        return n;
    }
    out[0] = '\\';
    if (c == '\n' || c == '\t' || c == '\r') {
        out[1] = c == '\n' ? 'n' : c == '\t' ? 't' : 'r';
        return 2;
    }
    if (n == 1) {
        out[1] = 'x', out[2] = hex[c >> 4], out[3] = hex[c & 15];
        return 4;
    }
    size_t k = 0;
    out[k++] = '\\', out[k++] = 'u', out[k++] = '{';
    for (int shift = cp > 0xFFFF ? 16 : 12; shift >= 0; shift -= 4)
        out[k++] = "0123456789ABCDEF"[(cp >> shift) & 15];
    out[k++] = '}';
    return k;
}

void text_escape(buf *out, const char *s, size_t len)
{
    size_t i = 0;
    while (i < len) {
        size_t run = i;
        while (i < len && (unsigned char)s[i] >= 0x20 && (unsigned char)s[i] < 0x7F)
            i++;
        buf_append(out, s + run, i - run);
        if (i >= len)
            break;
        char one[12];
        size_t used, n = escape_one(s + i, len - i, one, &used);
        buf_append(out, one, n);
        i += used;
    }
}

const char *text_escape_into(char *dst, size_t cap, const char *s)
{
    size_t len = strlen(s), i = 0, k = 0;
    while (i < len && cap > 0) {
        char one[12];
        size_t used, n = escape_one(s + i, len - i, one, &used);
        if (k + n >= cap)
            break;
        memcpy(dst + k, one, n);
        k += n;
        i += used;
    }
    if (cap > 0)
        dst[k] = '\0';
    return dst;
}

void text_csv_field(buf *out, const char *s, size_t len)
{
    buf esc;
    buf_init(&esc);
    text_escape(&esc, s, len);
    const char *e = buf_str(&esc);
    bool formula = esc.len && strchr("=+-@", e[0]);
    bool quote =
        formula || strpbrk(e, ",\"") || (esc.len && (e[0] == ' ' || e[esc.len - 1] == ' '));
    if (quote)
        buf_putc(out, '"');
    if (formula)
        buf_putc(out, '\'');
    for (size_t i = 0; i < esc.len; i++) {
        if (e[i] == '"')
            buf_putc(out, '"');
        buf_putc(out, e[i]);
    }
    if (quote)
        buf_putc(out, '"');
    if (esc.failed)
        out->failed = true;
    buf_free(&esc);
}
