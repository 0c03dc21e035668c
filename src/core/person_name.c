#include "core/person_name.h"

#include <stdio.h>
#include <string.h>

#include "core/text.h"

/* Titles written after a Chinese name (simplified and traditional). */
static const char *const cjk_titles[] = {"先生", "女士", "小姐", "老师", "老師", "经理",
                                         "經理", "师傅", "師傅", "太太", "同学", "同學"};
/* Titles written before a Latin name. */
static const char *const latin_titles[] = {"Mr.", "Mrs.", "Ms.", "Dr.", "Mr", "Mrs",
                                           "Ms",  "Miss", "Dr",  "Mx.", "Mx"};
/* Two-character Chinese surnames (simplified and traditional). */
static const char *const compound_surnames[] = {
    "欧阳", "歐陽", "司马", "司馬", "上官", "诸葛", "諸葛", "东方", "東方", "皇甫", "尉迟",
    "尉遲", "公孙", "公孫", "慕容", "长孙", "長孫", "宇文", "司徒", "夏侯", "轩辕", "軒轅",
    "令狐", "端木", "独孤", "獨孤", "南宫", "南宮", "西门", "西門", "澹台", "申屠", "呼延"};

#define COUNT(a) (sizeof(a) / sizeof((a)[0]))

/* Copies n bytes of s into dst (cap bytes) without splitting a character. */
static void copy_n(char *dst, size_t cap, const char *s, size_t n)
{
    if (n >= cap) {
        n = cap - 1;
        while (n > 0 && ((unsigned char)s[n] & 0xC0) == 0x80)
            n--;
    }
    memcpy(dst, s, n);
    dst[n] = '\0';
}

static bool is_space_at(const char *s, size_t *n)
{
    if (*s == ' ' || *s == '\t') {
        *n = 1;
        return true;
    }
    if (!strncmp(s, "\xE3\x80\x80", 3)) { /* ideographic space */
        *n = 3;
        return true;
    }
    return false;
}

/* Trims spaces at both ends: returns the start and sets *len. */
static const char *trim(const char *s, size_t *len)
{
    size_t n;
    while (*s && is_space_at(s, &n))
        s += n;
    size_t l = strlen(s);
    while (l > 0 && (s[l - 1] == ' ' || s[l - 1] == '\t'))
        l--;
    while (l >= 3 && !strncmp(s + l - 3, "\xE3\x80\x80", 3))
        l -= 3;
    *len = l;
    return s;
}

static bool ascii_ieq(const char *a, const char *b, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        char x = a[i] >= 'A' && a[i] <= 'Z' ? (char)(a[i] + 32) : a[i];
        char y = b[i] >= 'A' && b[i] <= 'Z' ? (char)(b[i] + 32) : b[i];
        if (x != y)
            return false;
    }
    return true;
}

/* Removes a trailing Chinese title; returns the name's new length. */
static size_t take_cjk_title(const char *s, size_t len, person_name *out)
{
    for (size_t i = 0; i < COUNT(cjk_titles); i++) {
        size_t t = strlen(cjk_titles[i]);
        if (len >= t && !memcmp(s + len - t, cjk_titles[i], t)) {
            copy_n(out->title, sizeof out->title, cjk_titles[i], t);
            len -= t;
            while (len > 0 && (s[len - 1] == ' ' || s[len - 1] == '\t'))
                len--;
            return len;
        }
    }
    return len;
}

/* Removes a leading English title ("Mr Smith"); returns how many bytes it took. */
static size_t take_latin_title(const char *s, size_t len, person_name *out)
{
    for (size_t i = 0; i < COUNT(latin_titles); i++) {
        size_t t = strlen(latin_titles[i]);
        if (len > t && ascii_ieq(s, latin_titles[i], t) && (s[t] == ' ' || s[t] == '.')) {
            size_t skip = t;
            while (skip < len && (s[skip] == ' ' || s[skip] == '.'))
                skip++;
            size_t keep = t;
            if (s[keep - 1] == '.')
                keep--;
            copy_n(out->title, sizeof out->title, s, keep);
            return skip;
        }
    }
    return 0;
}

/* The surname of a name: a compound or first CJK character, or the last Latin word. */
static void pick_surname(const char *s, size_t len, person_name *out)
{
    uint32_t cp;
    size_t first = text_decode(s, len, &cp);
    if (text_is_cjk(cp)) {
        for (size_t i = 0; i < COUNT(compound_surnames); i++) {
            size_t t = strlen(compound_surnames[i]);
            if (len >= t && !memcmp(s, compound_surnames[i], t)) {
                copy_n(out->surname, sizeof out->surname, s, t);
                return;
            }
        }
        copy_n(out->surname, sizeof out->surname, s, first);
        return;
    }
    size_t start = len;
    while (start > 0 && s[start - 1] != ' ')
        start--;
    copy_n(out->surname, sizeof out->surname, s + start, len - start);
}

bool person_name_parse(const char *input, person_name *out)
{
    memset(out, 0, sizeof *out);
    size_t len;
    const char *s = trim(input ? input : "", &len);
    if (len == 0)
        return false;
    size_t skip = take_latin_title(s, len, out);
    s += skip;
    len -= skip;
    if (!skip)
        len = take_cjk_title(s, len, out);
    copy_n(out->name, sizeof out->name, s, len);
    if (len)
        pick_surname(s, len, out);
    return out->surname[0] != '\0' || out->title[0] != '\0';
}

/* A Han character (not CJK punctuation). */
static bool is_ideograph(uint32_t cp)
{
    return (cp >= 0x4E00 && cp <= 0x9FFF) || (cp >= 0x3400 && cp <= 0x4DBF) ||
           (cp >= 0xF900 && cp <= 0xFAFF) || (cp >= 0x20000 && cp <= 0x3FFFF);
}

/* The surname starting at s (a compound one or one CJK character); its length, 0 when s does
 * not start with a CJK character. */
static size_t surname_at(const char *s, size_t len)
{
    for (size_t i = 0; i < COUNT(compound_surnames); i++) {
        size_t t = strlen(compound_surnames[i]);
        if (len >= t && !memcmp(s, compound_surnames[i], t))
            return t;
    }
    uint32_t cp;
    size_t n = text_decode(s, len, &cp);
    return n && is_ideograph(cp) ? n : 0;
}

/* Fills out from a name after a self-introduction ("林小姐", "林"): the surname, and the title
 * when one follows it. Without a title the surname must end the word (我姓林, not 我姓名). */
static bool self_named(const char *s, size_t len, person_name *out)
{
    size_t sn = surname_at(s, len);
    if (!sn)
        return false;
    memset(out, 0, sizeof *out);
    copy_n(out->surname, sizeof out->surname, s, sn);
    copy_n(out->name, sizeof out->name, s, sn);
    for (size_t i = 0; i < COUNT(cjk_titles); i++) {
        size_t t = strlen(cjk_titles[i]);
        if (len >= sn + t && !memcmp(s + sn, cjk_titles[i], t)) {
            copy_n(out->title, sizeof out->title, cjk_titles[i], t);
            return true;
        }
    }
    uint32_t cp;
    return sn == len || !text_decode(s + sn, len - sn, &cp) || !is_ideograph(cp);
}

bool person_name_from_message(const char *text, person_name *out)
{
    /* a marker, then the surname (我姓林) or, with need_title, surname + title (我是林小姐) */
    static const struct {
        const char *marker;
        bool need_title;
    } markers[] = {{"免贵姓", false}, {"免貴姓", false}, {"我姓", false}, {"本人姓", false},
                   {"我是", true},    {"叫我", true},    {"本人", true}};
    if (!text)
        return false;
    size_t len = strlen(text);
    for (size_t i = 0; i < COUNT(markers); i++) {
        const char *at = text;
        size_t m = strlen(markers[i].marker);
        while ((at = strstr(at, markers[i].marker))) {
            at += m;
            if (self_named(at, len - (size_t)(at - text), out) &&
                (!markers[i].need_title || out->title[0]))
                return true;
        }
    }
    memset(out, 0, sizeof *out);
    return false;
}
