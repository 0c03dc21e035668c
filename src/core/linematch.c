/* linematch: does a reply carry a playbook line? Key phrases (the placeholder values) and a
 * similarity over words and neighbouring pairs of words. */
#include "core/linematch.h"

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include "core/text.h"

#define LINE_TOKENS  256
#define REPLY_TOKENS 2048
#define MAX_PIECES   64

typedef struct token {
    uint64_t hash;
    int seg; /* tokens of one segment (no punctuation between them) are neighbours */
} token;

/* True for the code points that separate words: spaces, controls, punctuation and symbols of
 * the Latin-1, general, CJK, fullwidth and small-form blocks. */
static bool separator(uint32_t cp)
{
    if (cp < 0x80)
        return !((cp >= '0' && cp <= '9') || (cp >= 'a' && cp <= 'z') || (cp >= 'A' && cp <= 'Z'));
    return (cp >= 0x80 && cp <= 0xBF) || cp == 0xD7 || cp == 0xF7 ||
           (cp >= 0x2000 && cp <= 0x206F) || (cp >= 0x2E00 && cp <= 0x2E7F) ||
           (cp >= 0x3000 && cp <= 0x303F) || (cp >= 0xFE30 && cp <= 0xFE6F) ||
           (cp >= 0xFF00 && cp <= 0xFF0F) || (cp >= 0xFF1A && cp <= 0xFF20) ||
           (cp >= 0xFF3B && cp <= 0xFF40) || (cp >= 0xFF5B && cp <= 0xFF65) || cp == 0xFFFD;
}

static uint64_t mix(uint64_t h, uint64_t v)
{
    h ^= v + 0x9E3779B97F4A7C15ULL + (h << 6) + (h >> 2);
    return h * 0x100000001B3ULL;
}

/* Splits s into tokens: a run of ASCII letters and digits (in lower case) is one, any other
 * character that is no separator is one. "【label】" spans (unfilled placeholders) are left out.
 * Returns the number stored (at most cap). */
static size_t tokenize(const char *s, token *out, size_t cap)
{
    size_t n = 0, len = s ? strlen(s) : 0;
    int seg = 0;
    uint64_t word = 0;
    bool in_word = false, in_hole = false;
    for (size_t i = 0; i < len && n < cap;) {
        uint32_t cp;
        i += text_decode(s + i, len - i, &cp);
        bool ascii_alnum = cp < 0x80 && !separator(cp);
        if (in_word && !ascii_alnum) {
            out[n++] = (token){word, seg};
            in_word = false;
            if (n == cap)
                break;
        }
        if (in_hole) {
            in_hole = cp != 0x3011;
            continue;
        }
        if (cp == 0x3010) { /* 【 */
            in_hole = true;
            seg++;
        } else if (ascii_alnum) {
            uint32_t c = cp >= 'A' && cp <= 'Z' ? cp | 0x20 : cp;
            word = mix(in_word ? word : 0xCBF29CE484222325ULL, c);
            in_word = true;
        } else if (separator(cp)) {
            seg++;
        } else {
            out[n++] = (token){mix(0x84222325CBF29CE4ULL, cp), seg};
        }
    }
    if (in_word && n < cap)
        out[n++] = (token){word, seg};
    return n;
}

int linematch_similarity(const char *line, const char *reply)
{
    if (!line || !reply)
        return 0;
    if (*line && strstr(reply, line))
        return 100;
    token lt[LINE_TOKENS], rt[REPLY_TOKENS];
    size_t ln = tokenize(line, lt, LINE_TOKENS), rn = tokenize(reply, rt, REPLY_TOKENS);
    if (!ln)
        return 0;
    size_t words = 0, pairs = 0, pairs_found = 0;
    for (size_t i = 0; i < ln; i++) {
        bool found = false;
        for (size_t k = 0; k < rn && !found; k++)
            found = rt[k].hash == lt[i].hash;
        words += found;
        if (i + 1 == ln || lt[i + 1].seg != lt[i].seg)
            continue;
        pairs++;
        found = false;
        for (size_t k = 0; k + 1 < rn && !found; k++)
            found = rt[k].seg == rt[k + 1].seg && rt[k].hash == lt[i].hash &&
                    rt[k + 1].hash == lt[i + 1].hash;
        pairs_found += found;
    }
    int w = (int)(words * 100 / ln);
    int p = pairs ? (int)(pairs_found * 100 / pairs) : w;
    return (w + p) / 2;
}

/* strstr with ASCII letters compared case-insensitively, over needle[0..n). */
static bool has(const char *hay, const char *needle, size_t n)
{
    for (const char *p = hay; *p; p++) {
        size_t i = 0;
        for (; i < n && p[i]; i++) {
            unsigned char a = (unsigned char)p[i], b = (unsigned char)needle[i];
            if ((a | 0x20) >= 'a' && (a | 0x20) <= 'z')
                a |= 0x20;
            if ((b | 0x20) >= 'a' && (b | 0x20) <= 'z')
                b |= 0x20;
            if (a != b)
                break;
        }
        if (i == n)
            return true;
    }
    return false;
}

/* True when reply holds the value v[0..n) (spaces around it ignored); a value written with
 * "/" (a fallback offering choices, "先生/女士") is held when any choice is. */
static bool value_held(const char *v, size_t n, const char *reply)
{
    while (n && (*v == ' ' || v[n - 1] == ' ')) {
        if (*v == ' ')
            v++, n--;
        else
            n--;
    }
    if (!n || !strncmp(v, "\xE3\x80\x90", 3)) /* empty, or 【unfilled】 */
        return true;
    const char *slash = memchr(v, '/', n);
    if (slash)
        return value_held(v, (size_t)(slash - v), reply) ||
               value_held(slash + 1, n - (size_t)(slash - v) - 1, reply);
    return has(reply, v, n);
}

bool linematch_values(const char *template, const char *filled, const char *reply)
{
    if (!template || !filled || !reply)
        return false;
    /* the template's literal pieces between placeholders, in order */
    const char *lit[MAX_PIECES];
    size_t lit_len[MAX_PIECES], pieces = 0;
    const char *p = template;
    while (pieces < MAX_PIECES) {
        const char *open = strchr(p, '{');
        const char *close = open ? strchr(open, '}') : NULL;
        if (!close) {
            lit[pieces] = p;
            lit_len[pieces++] = strlen(p);
            break;
        }
        lit[pieces] = p;
        lit_len[pieces++] = (size_t)(open - p);
        p = close + 1;
    }
    if (pieces == MAX_PIECES)
        return true; /* too many to align: no key phrases */
    /* filled is literal 0, value, literal 1, value, ... literal n-1 */
    const char *f = filled;
    if (strncmp(f, lit[0], lit_len[0]) != 0)
        return true;
    f += lit_len[0];
    for (size_t i = 1; i < pieces; i++) {
        const char *end;
        if (lit_len[i] == 0) {
            if (i + 1 < pieces)
                continue; /* adjacent placeholders: one value */
            end = f + strlen(f);
        } else {
            char cut[512];
            if (lit_len[i] >= sizeof cut)
                return true;
            memcpy(cut, lit[i], lit_len[i]);
            cut[lit_len[i]] = '\0';
            end = strstr(f, cut);
            if (!end)
                return true; /* the line did not fill as written: no key phrases */
        }
        if (!value_held(f, (size_t)(end - f), reply))
            return false;
        f = end + lit_len[i];
    }
    return true;
}

bool linematch_carries(const char *template, const char *filled, const char *reply, int threshold)
{
    return linematch_values(template, filled, reply) &&
           linematch_similarity(filled, reply) >= threshold;
}
