/* eventscan: the fast path of event_parse. A strict single-pass reader for the records huashu
 * itself writes and feeds send: one JSON object whose values are strings, numbers, booleans,
 * null, or (for "customer" and "fields") one nested object of such scalars. Anything else —
 * arrays, deeper nesting, too many fields — is left to jansson, so the two never disagree on
 * what a valid record is; they only differ in speed (about 10x). */
#include "core/eventscan.h"

#include <stdint.h>
#include <string.h>
#ifdef __SSE2__
#include <emmintrin.h>
#endif

typedef struct scanner {
    const char *p, *end;
    char *out; /* where the next decoded string goes */
    scan_result *r;
} scanner;

static void skip_ws(scanner *s)
{
    while (s->p < s->end && (*s->p == ' ' || *s->p == '\t' || *s->p == '\r' || *s->p == '\n'))
        s->p++;
}

static int hex_value(char c)
{
    if (c >= '0' && c <= '9')
        return c - '0';
    if (c >= 'a' && c <= 'f')
        return c - 'a' + 10;
    if (c >= 'A' && c <= 'F')
        return c - 'A' + 10;
    return -1;
}

/* Reads the 4 hex digits after "\u"; -1 when malformed. */
static long read_hex4(scanner *s)
{
    if (s->end - s->p < 4)
        return -1;
    long v = 0;
    for (int i = 0; i < 4; i++) {
        int h = hex_value(s->p[i]);
        if (h < 0)
            return -1;
        v = v * 16 + h;
    }
    s->p += 4;
    return v;
}

/* Writes cp as UTF-8 at s->out. */
static void put_utf8(scanner *s, uint32_t cp)
{
    unsigned char *o = (unsigned char *)s->out;
    if (cp < 0x80) {
        *o++ = (unsigned char)cp;
    } else if (cp < 0x800) {
        *o++ = (unsigned char)(0xC0 | (cp >> 6));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else if (cp < 0x10000) {
        *o++ = (unsigned char)(0xE0 | (cp >> 12));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    } else {
        *o++ = (unsigned char)(0xF0 | (cp >> 18));
        *o++ = (unsigned char)(0x80 | ((cp >> 12) & 0x3F));
        *o++ = (unsigned char)(0x80 | ((cp >> 6) & 0x3F));
        *o++ = (unsigned char)(0x80 | (cp & 0x3F));
    }
    s->out = (char *)o;
}

/* Decodes a \u escape (with its surrogate pair); false on a lone surrogate or U+0000. */
static bool read_unicode_escape(scanner *s)
{
    long cp = read_hex4(s);
    if (cp <= 0 || (cp >= 0xDC00 && cp <= 0xDFFF))
        return false;
    if (cp >= 0xD800 && cp <= 0xDBFF) {
        if (s->end - s->p < 6 || s->p[0] != '\\' || s->p[1] != 'u')
            return false;
        s->p += 2;
        long low = read_hex4(s);
        if (low < 0xDC00 || low > 0xDFFF)
            return false;
        cp = 0x10000 + ((cp - 0xD800) << 10) + (low - 0xDC00);
    }
    put_utf8(s, (uint32_t)cp);
    return true;
}

static bool read_escape(scanner *s)
{
    if (s->p >= s->end)
        return false;
    char c = *s->p++;
    static const char from[] = "\"\\/bfnrt", to[] = "\"\\/\b\f\n\r\t";
    const char *hit = strchr(from, c);
    if (c && hit) {
        *s->out++ = to[hit - from];
        return true;
    }
    return c == 'u' && read_unicode_escape(s);
}

/* Length of the well-formed UTF-8 sequence at p (Unicode table 3-7: no overlong forms, no
 * surrogates, nothing past U+10FFFF), 0 when there is none. The same verdict as text_decode,
 * inlined: CJK text is a sequence per character, so this is the scanner's inner loop. */
static inline size_t utf8_sequence(const unsigned char *p, const unsigned char *end)
{
    unsigned char c = p[0];
    size_t avail = (size_t)(end - p);
    if (c >= 0xC2 && c <= 0xDF)
        return avail >= 2 && (p[1] & 0xC0) == 0x80 ? 2 : 0;
    if (c >= 0xE0 && c <= 0xEF) {
        if (avail < 3 || (p[2] & 0xC0) != 0x80)
            return 0;
        unsigned char lo = c == 0xE0 ? 0xA0 : 0x80, hi = c == 0xED ? 0x9F : 0xBF;
        return p[1] >= lo && p[1] <= hi ? 3 : 0;
    }
    if (c >= 0xF0 && c <= 0xF4) {
        if (avail < 4 || (p[2] & 0xC0) != 0x80 || (p[3] & 0xC0) != 0x80)
            return 0;
        unsigned char lo = c == 0xF0 ? 0x90 : 0x80, hi = c == 0xF4 ? 0x8F : 0xBF;
        return p[1] >= lo && p[1] <= hi ? 4 : 0;
    }
    return 0;
}

/* True for a byte that needs no attention inside a string: printable ASCII but '"' and '\\'. */
static inline bool plain_byte(unsigned char c)
{
    return c >= 0x20 && c < 0x80 && c != '"' && c != '\\';
}

/* The first byte at or after p that is not plain (or end). 16 bytes at a time with SSE2 (the
 * x86-64 baseline): one signed compare finds both controls and non-ASCII bytes. */
static const char *skip_plain(const char *p, const char *end)
{
#ifdef __SSE2__
    const __m128i quote = _mm_set1_epi8('"'), backslash = _mm_set1_epi8('\\');
    const __m128i space = _mm_set1_epi8(0x20);
    while (end - p >= 16) {
        __m128i v = _mm_loadu_si128((const __m128i *)(const void *)p);
        __m128i special =
            _mm_or_si128(_mm_cmplt_epi8(v, space),
                         _mm_or_si128(_mm_cmpeq_epi8(v, quote), _mm_cmpeq_epi8(v, backslash)));
        unsigned mask = (unsigned)_mm_movemask_epi8(special);
        if (mask)
            return p + __builtin_ctz(mask);
        p += 16;
    }
#endif
    while (p < end && plain_byte((unsigned char)*p))
        p++;
    return p;
}

/* Decodes a string literal (opening quote already seen) into s->out; *value points at it and
 * *length is its length in bytes. Runs without escapes are validated in place, then copied
 * once. */
static bool read_string(scanner *s, const char **value, size_t *length)
{
    *value = s->out;
    for (;;) {
        const char *run = s->p;
        for (;;) {
            s->p = skip_plain(s->p, s->end);
            if (s->p >= s->end || (unsigned char)*s->p < 0x80)
                break;
            /* multi-byte characters, usually many in a row */
            do {
                size_t n =
                    utf8_sequence((const unsigned char *)s->p, (const unsigned char *)s->end);
                if (n == 0)
                    return false;
                s->p += n;
            } while (s->p < s->end && (unsigned char)*s->p >= 0x80);
        }
        size_t n = (size_t)(s->p - run);
        memcpy(s->out, run, n);
        s->out += n;
        if (s->p >= s->end || (unsigned char)*s->p < 0x20)
            return false;
        if (*s->p++ == '"')
            break;
        if (!read_escape(s))
            return false;
    }
    *length = (size_t)(s->out - *value);
    *s->out++ = '\0';
    return true;
}

/* Checks a JSON number, true, false or null; nothing is kept. */
static bool skip_literal(scanner *s)
{
    static const char *const words[] = {"true", "false", "null"};
    for (int i = 0; i < 3; i++) {
        size_t n = strlen(words[i]);
        if ((size_t)(s->end - s->p) >= n && memcmp(s->p, words[i], n) == 0) {
            s->p += n;
            return true;
        }
    }
    const char *start = s->p;
    if (s->p < s->end && *s->p == '-')
        s->p++;
    if (s->p >= s->end || *s->p < '0' || *s->p > '9')
        return false;
    if (*s->p == '0')
        s->p++;
    else
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
    if (s->p < s->end && *s->p == '.') {
        s->p++;
        const char *digits = s->p;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
        if (s->p == digits)
            return false;
    }
    if (s->p < s->end && (*s->p == 'e' || *s->p == 'E')) {
        s->p++;
        if (s->p < s->end && (*s->p == '+' || *s->p == '-'))
            s->p++;
        const char *digits = s->p;
        while (s->p < s->end && *s->p >= '0' && *s->p <= '9')
            s->p++;
        if (s->p == digits)
            return false;
    }
    return s->p > start;
}

/* True when key (of length len) was seen before in keys[0..n): lengths and first bytes
 * rule out almost every pair before a memcmp. */
static bool duplicate(const char *const *keys, const size_t *lengths, size_t n, const char *key,
                      size_t len)
{
    for (size_t i = 0; i < n; i++)
        if (lengths[i] == len && (len == 0 || keys[i][0] == key[0]) &&
            memcmp(keys[i], key, len) == 0)
            return true;
    return false;
}

/* Reads `"key": value` pairs of an object (its "{" consumed) and calls take for each. */
typedef scan_status (*pair_fn)(scanner *s, const char *key, size_t key_len, int depth);

static scan_status read_object(scanner *s, int depth, pair_fn take)
{
    const char *keys[SCAN_MAX_KEYS];
    size_t lengths[SCAN_MAX_KEYS];
    size_t n = 0;
    skip_ws(s);
    if (s->p < s->end && *s->p == '}') {
        s->p++;
        return SCAN_OK;
    }
    for (;;) {
        const char *key;
        size_t key_len;
        skip_ws(s);
        if (s->p >= s->end || *s->p++ != '"' || !read_string(s, &key, &key_len))
            return SCAN_INVALID;
        if (n == SCAN_MAX_KEYS)
            return SCAN_UNSUPPORTED;
        if (duplicate(keys, lengths, n, key, key_len))
            return SCAN_INVALID;
        keys[n] = key;
        lengths[n++] = key_len;
        skip_ws(s);
        if (s->p >= s->end || *s->p++ != ':')
            return SCAN_INVALID;
        skip_ws(s);
        scan_status st = take(s, key, key_len, depth);
        if (st != SCAN_OK)
            return st;
        skip_ws(s);
        if (s->p < s->end && *s->p == ',') {
            s->p++;
            continue;
        }
        if (s->p < s->end && *s->p == '}') {
            s->p++;
            return SCAN_OK;
        }
        return SCAN_INVALID;
    }
}

/* A scalar value: strings are decoded and returned, other scalars checked and skipped. */
static scan_status read_scalar(scanner *s, const char **value, bool *is_string)
{
    *value = NULL;
    *is_string = false;
    if (s->p >= s->end)
        return SCAN_INVALID;
    if (*s->p == '{' || *s->p == '[')
        return SCAN_UNSUPPORTED;
    if (*s->p == '"') {
        s->p++;
        *is_string = true;
        size_t length;
        return read_string(s, value, &length) ? SCAN_OK : SCAN_INVALID;
    }
    const char *start = s->p;
    if (!skip_literal(s))
        return SCAN_INVALID;
    bool number = *start == '-' || (*start >= '0' && *start <= '9');
    size_t n = (size_t)(s->p - start);
    /* whether a long or exponent number overflows is jansson's to say (it rejects inf) */
    if (number && (n > 18 || memchr(start, 'e', n) || memchr(start, 'E', n)))
        return SCAN_UNSUPPORTED;
    return SCAN_OK;
}

static scan_status take_nested(scanner *s, const char *key, size_t key_len, int depth)
{
    const char *value;
    bool is_string;
    scan_status st = read_scalar(s, &value, &is_string);
    if (st != SCAN_OK)
        return st;
    scan_result *r = s->r;
    if (!is_string)
        return SCAN_UNSUPPORTED; /* a number in customer/fields: jansson decides */
    if (r->nested_count == SCAN_MAX_NESTED)
        return SCAN_UNSUPPORTED;
    r->nested[r->nested_count].object = depth;
    r->nested[r->nested_count].key = key;
    r->nested[r->nested_count].value = value;
    r->nested[r->nested_count].key_len = key_len;
    r->nested_count++;
    return SCAN_OK;
}

static scan_status take_top(scanner *s, const char *key, size_t key_len, int depth)
{
    (void)depth;
    scan_result *r = s->r;
    int which = key_len == 8 && !memcmp(key, "customer", 8) ? SCAN_CUSTOMER
                : key_len == 6 && !memcmp(key, "fields", 6) ? SCAN_FIELDS
                                                            : -1;
    if (which > 0 && (s->p >= s->end || *s->p != '{'))
        return SCAN_UNSUPPORTED; /* "customer": "x" is an error jansson words */
    if (s->p < s->end && *s->p == '{') {
        if (which < 0)
            return SCAN_UNSUPPORTED;
        s->p++;
        r->has_object |= 1u << which;
        return read_object(s, which, take_nested);
    }
    if (s->end - s->p >= 4 && memcmp(s->p, "null", 4) == 0) {
        s->p += 4; /* null is the same as absent */
        return SCAN_OK;
    }
    const char *value;
    bool is_string;
    scan_status st = read_scalar(s, &value, &is_string);
    if (st != SCAN_OK)
        return st;
    if (r->top_count == SCAN_MAX_KEYS)
        return SCAN_UNSUPPORTED;
    r->top[r->top_count].key = key;
    r->top[r->top_count].value = value; /* NULL for non-strings */
    r->top[r->top_count].key_len = key_len;
    r->top_count++;
    return SCAN_OK;
}

scan_status eventscan(const char *line, size_t len, char *scratch, scan_result *r)
{
    memset(r, 0, sizeof *r);
    scanner s = {line, line + len, scratch, r};
    skip_ws(&s);
    if (s.p >= s.end || *s.p++ != '{')
        return SCAN_UNSUPPORTED; /* jansson words the error */
    scan_status st = read_object(&s, 0, take_top);
    if (st != SCAN_OK)
        return st;
    skip_ws(&s);
    return s.p == s.end ? SCAN_OK : SCAN_INVALID;
}
