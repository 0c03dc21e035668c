#include "core/lint.h"

#include <stdlib.h>
#include <string.h>

#include "core/text.h"

/* ==== the automaton ======================================================================
 * A byte-level Aho-Corasick automaton turned into a DFA: every state has a transition for
 * every byte class, so the scan is one table load per byte. Bytes that occur in no pattern
 * share class 0; with folding, ASCII upper and lower case share a class. States are numbered
 * so that those where some pattern ends come last: one comparison tells whether to look.
 * Transitions hold the target's row offset (state * class_count) to save a multiply.
 * Patterns are valid UTF-8, and a valid UTF-8 sequence can only match starting at a
 * character boundary (its first byte is never a continuation byte), so byte matches are
 * character matches even in invalid text. */

#define MAX_STATES  65535u
#define MAX_PATTERN 1024u
#define NO_PATTERN  UINT32_MAX

typedef enum pattern_type {
    PAT_PHRASE, /* a rule's phrase (or a variant of it) */
    PAT_ALLOW,  /* an allow: word of a rule */
    PAT_BRACE,  /* "{": maybe the start of a raw placeholder */
    PAT_MARKER, /* 【label】 */
    PAT_WORD,   /* a lint_words word */
} pattern_type;

typedef struct pattern {
    uint32_t len;
    uint32_t next;                /* next pattern ending in the same state, NO_PATTERN at the end */
    int rule;                     /* PAT_PHRASE, PAT_ALLOW: the rule */
    uint32_t tag;                 /* PAT_WORD */
    uint8_t type;                 /* pattern_type */
    bool bound_left, bound_right; /* ASCII word boundary required before / after */
    bool whole;                   /* must be the whole (trimmed) message */
} pattern;

typedef struct automaton {
    uint8_t cls[256];
    uint32_t class_count;
    uint32_t state_count;
    uint32_t accept_row; /* rows at or past this one have outputs */
    uint32_t *trans;     /* state_count * class_count row offsets */
    uint32_t *out;       /* per state: first pattern ending there, NO_PATTERN when none */
    uint32_t *dict;      /* per state: nearest suffix state with outputs, UINT32_MAX when none */
    pattern *patterns;
    size_t pattern_count, pattern_cap;
    char **texts; /* pattern bytes while building (folded) */
    size_t max_len;
    bool fold;   /* ASCII case folded */
    bool bounds; /* ASCII words need word boundaries */
} automaton;

static bool is_ascii_alnum(unsigned char c)
{
    return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z');
}

static unsigned char fold_byte(unsigned char c, bool fold)
{
    return fold && c >= 'A' && c <= 'Z' ? (unsigned char)(c + 32) : c;
}

/* Adds a pattern (copied, folded) to the list being built; false when out of memory. */
static bool ac_add(automaton *a, const char *s, size_t len, pattern p)
{
    if (len == 0 || len > MAX_PATTERN || !text_valid_utf8(s, len))
        return true; /* nothing sensible to match: ignored */
    if (a->pattern_count == a->pattern_cap) {
        size_t cap = a->pattern_cap ? a->pattern_cap * 2 : 64;
        pattern *np = realloc(a->patterns, cap * sizeof *np);
        if (!np)
            return false;
        a->patterns = np;
        char **nt = realloc(a->texts, cap * sizeof *nt);
        if (!nt)
            return false;
        a->texts = nt;
        a->pattern_cap = cap;
    }
    char *copy = malloc(len);
    if (!copy)
        return false;
    for (size_t i = 0; i < len; i++)
        copy[i] = (char)fold_byte((unsigned char)s[i], a->fold);
    p.len = (uint32_t)len;
    p.next = NO_PATTERN;
    if (a->bounds && p.type != PAT_BRACE) {
        p.bound_left = is_ascii_alnum((unsigned char)s[0]);
        p.bound_right = is_ascii_alnum((unsigned char)s[len - 1]);
    }
    a->texts[a->pattern_count] = copy;
    a->patterns[a->pattern_count++] = p;
    if (len > a->max_len)
        a->max_len = len;
    return true;
}

/* Frees what the automaton holds and leaves it empty. */
static void ac_free(automaton *a)
{
    if (a->texts)
        for (size_t i = 0; i < a->pattern_count; i++)
            free(a->texts[i]);
    free(a->texts);
    free(a->patterns);
    free(a->trans);
    free(a->out);
    free(a->dict);
    memset(a, 0, sizeof *a);
}

/* Gives every byte that occurs in a pattern its own class (folded bytes share one). */
static void ac_classes(automaton *a)
{
    bool used[256] = {false};
    for (size_t i = 0; i < a->pattern_count; i++)
        for (size_t k = 0; k < a->patterns[i].len; k++)
            used[(unsigned char)a->texts[i][k]] = true;
    a->class_count = 1;
    for (int b = 0; b < 256; b++)
        a->cls[b] = used[b] ? (uint8_t)a->class_count++ : 0;
    if (a->fold)
        for (int b = 'A'; b <= 'Z'; b++)
            a->cls[b] = a->cls[b + 32];
}

/* The trie while it is built: each state's edges as a list of its children. Only the final
 * DFA is dense (state_count * class_count), allocated once at its size and filled row by row:
 * a dense trie grown by doubling cost more than the rest of start-up together. */
typedef struct trie {
    uint32_t *first;   /* per state: its first child, NO_STATE when none */
    uint32_t *sibling; /* per state: the next child of its parent */
    uint8_t *edge;     /* per state: the class of the edge into it */
    uint32_t *fail;    /* per state: the longest proper suffix that is a state */
    uint32_t *order;   /* the states breadth-first (by depth), the root first */
    uint32_t cap;
} trie;

#define NO_STATE UINT32_MAX

static void trie_free(trie *t)
{
    free(t->first);
    free(t->sibling);
    free(t->edge);
    free(t->fail);
    free(t->order);
}

/* The child of state s along class c, NO_STATE when none. */
static uint32_t trie_child(const trie *t, uint32_t s, uint8_t c)
{
    uint32_t v = t->first[s];
    while (v != NO_STATE && t->edge[v] != c)
        v = t->sibling[v];
    return v;
}

/* Room for one more state in the trie and a->out; false when out of memory. */
static bool trie_grow(automaton *a, trie *t)
{
    if (a->state_count < t->cap)
        return true;
    uint32_t cap = t->cap ? t->cap * 2 : 256;
    uint32_t *first = realloc(t->first, cap * sizeof *first);
    if (first)
        t->first = first;
    uint32_t *sibling = first ? realloc(t->sibling, cap * sizeof *sibling) : NULL;
    if (sibling)
        t->sibling = sibling;
    uint8_t *edge = sibling ? realloc(t->edge, cap * sizeof *edge) : NULL;
    if (edge)
        t->edge = edge;
    uint32_t *out = edge ? realloc(a->out, cap * sizeof *out) : NULL;
    if (!out)
        return false;
    a->out = out;
    t->cap = cap;
    return true;
}

/* Builds the trie of the patterns, their outputs in a->out. False when too big or out of
 * memory. */
static bool ac_trie(automaton *a, trie *t)
{
    a->state_count = 0;
    if (!trie_grow(a, t))
        return false;
    t->first[0] = NO_STATE;
    t->sibling[0] = NO_STATE;
    t->edge[0] = 0;
    a->out[0] = NO_PATTERN;
    a->state_count = 1;
    for (size_t i = 0; i < a->pattern_count; i++) {
        uint32_t s = 0;
        for (size_t k = 0; k < a->patterns[i].len; k++) {
            uint8_t c = a->cls[(unsigned char)a->texts[i][k]];
            uint32_t v = trie_child(t, s, c);
            if (v == NO_STATE) {
                if (a->state_count == MAX_STATES || !trie_grow(a, t))
                    return false;
                v = a->state_count++;
                t->first[v] = NO_STATE;
                t->sibling[v] = t->first[s];
                t->edge[v] = c;
                t->first[s] = v;
                a->out[v] = NO_PATTERN;
            }
            s = v;
        }
        a->patterns[i].next = a->out[s];
        a->out[s] = (uint32_t)i;
    }
    return true;
}

/* Computes failure and dictionary links breadth-first, and the breadth-first order. */
static bool ac_links(automaton *a, trie *t)
{
    uint32_t n = a->state_count;
    t->fail = malloc(n * sizeof *t->fail);
    t->order = malloc(n * sizeof *t->order);
    a->dict = malloc(n * sizeof *a->dict);
    if (!t->fail || !t->order || !a->dict)
        return false;
    size_t head = 0, tail = 0;
    t->fail[0] = 0;
    a->dict[0] = UINT32_MAX;
    t->order[tail++] = 0;
    while (head < tail) {
        uint32_t u = t->order[head++];
        for (uint32_t v = t->first[u]; v != NO_STATE; v = t->sibling[v]) {
            uint32_t f = 0;
            if (u != 0) {
                for (uint32_t g = t->fail[u];; g = t->fail[g]) {
                    uint32_t x = trie_child(t, g, t->edge[v]);
                    if (x != NO_STATE) {
                        f = x;
                        break;
                    }
                    if (g == 0)
                        break;
                }
            }
            t->fail[v] = f;
            a->dict[v] = a->out[f] != NO_PATTERN ? f : a->dict[f];
            t->order[tail++] = v;
        }
    }
    return true;
}

/* Numbers the states so that accepting ones come last and fills the DFA of row offsets: a
 * state's row is its failure state's row (complete already, being shallower) with its own
 * edges written over it. */
static bool ac_dfa(automaton *a, trie *t)
{
    uint32_t n = a->state_count, k = a->class_count;
    uint32_t *id = malloc(n * sizeof *id);
    uint32_t *out = malloc(n * sizeof *out);
    uint32_t *dict = malloc(n * sizeof *dict);
    a->trans = malloc((size_t)n * k * sizeof *a->trans);
    if (!id || !out || !dict || !a->trans) {
        free(id);
        free(out);
        free(dict);
        return false;
    }
    uint32_t next = 0; /* the root is not accepting: it stays state 0 */
    for (int pass = 0; pass < 2; pass++) {
        if (pass == 1)
            a->accept_row = next * k;
        for (uint32_t s = 0; s < n; s++) {
            bool accepting = a->out[s] != NO_PATTERN || a->dict[s] != UINT32_MAX;
            if (accepting == (pass == 1))
                id[s] = next++;
        }
    }
    for (uint32_t i = 0; i < n; i++) {
        uint32_t u = t->order[i];
        uint32_t *row = a->trans + (size_t)id[u] * k;
        if (u == 0)
            memset(row, 0, k * sizeof *row);
        else
            memcpy(row, a->trans + (size_t)id[t->fail[u]] * k, k * sizeof *row);
        for (uint32_t v = t->first[u]; v != NO_STATE; v = t->sibling[v])
            row[t->edge[v]] = id[v] * k;
        out[id[u]] = a->out[u];
        dict[id[u]] = a->dict[u] == UINT32_MAX ? UINT32_MAX : id[a->dict[u]];
    }
    free(a->out);
    free(a->dict);
    free(id);
    a->out = out;
    a->dict = dict;
    return true;
}

/* Builds the DFA from the added patterns; false when too big or out of memory. */
static bool ac_build(automaton *a)
{
    trie t = {0};
    ac_classes(a);
    bool ok = ac_trie(a, &t) && ac_links(a, &t) && ac_dfa(a, &t);
    trie_free(&t);
    if (!ok)
        return false;
    for (size_t i = 0; i < a->pattern_count; i++)
        free(a->texts[i]);
    free(a->texts);
    a->texts = NULL;
    return true;
}

typedef void (*ac_match_fn)(void *ctx, const pattern *p, size_t end);

/* Calls fn for every pattern ending in state row at end. */
static void ac_report(const automaton *a, uint32_t row, size_t end, ac_match_fn fn, void *ctx)
{
    for (uint32_t s = row / a->class_count; s != UINT32_MAX; s = a->dict[s])
        for (uint32_t p = a->out[s]; p != NO_PATTERN; p = a->patterns[p].next)
            fn(ctx, &a->patterns[p], end);
}

/* Runs the DFA over text, reporting each match as it ends. */
static void ac_scan(const automaton *a, const char *text, size_t len, ac_match_fn fn, void *ctx)
{
    const unsigned char *t = (const unsigned char *)text;
    const uint32_t *trans = a->trans;
    const uint8_t *cls = a->cls;
    uint32_t accept = a->accept_row;
    uint32_t row = 0;
    for (size_t i = 0; i < len; i++) {
        row = trans[row + cls[t[i]]];
        if (row >= accept)
            ac_report(a, row, i + 1, fn, ctx);
    }
}

/* True when the pattern's ASCII word boundaries hold for the match text[start..end). */
static bool ac_bounds_ok(const pattern *p, const char *text, size_t len, size_t start, size_t end)
{
    if (p->bound_left && start > 0 && is_ascii_alnum((unsigned char)text[start - 1]))
        return false;
    if (p->bound_right && end < len && is_ascii_alnum((unsigned char)text[end]))
        return false;
    return true;
}

/* ==== punctuation ========================================================================= */

typedef struct punct_pair {
    const char *ascii, *wide;
} punct_pair;

static const punct_pair punct_pairs[] = {
    {",", "\xEF\xBC\x8C"}, {"?", "\xEF\xBC\x9F"}, {"!", "\xEF\xBC\x81"},
    {":", "\xEF\xBC\x9A"}, {";", "\xEF\xBC\x9B"}, {"(", "\xEF\xBC\x88"},
    {")", "\xEF\xBC\x89"}, {"'", "\xE2\x80\x99"}, /* I don't / I don’t */
};

#define PUNCT_PAIRS (sizeof punct_pairs / sizeof punct_pairs[0])
#define MAX_VARIED  4 /* punctuation marks varied per phrase: at most 16 variants */

/* The other form of the punctuation mark at s (its length in *len), NULL when s has none. */
static const char *punct_other(const char *s, size_t avail, size_t *len)
{
    for (size_t i = 0; i < PUNCT_PAIRS; i++) {
        size_t la = strlen(punct_pairs[i].ascii), lw = strlen(punct_pairs[i].wide);
        if (avail >= la && memcmp(s, punct_pairs[i].ascii, la) == 0) {
            *len = la;
            return punct_pairs[i].wide;
        }
        if (avail >= lw && memcmp(s, punct_pairs[i].wide, lw) == 0) {
            *len = lw;
            return punct_pairs[i].ascii;
        }
    }
    return NULL;
}

/* Adds s and its punctuation variants to the automaton: each of the first MAX_VARIED marks at
 * or after byte pos is tried in both forms. */
static bool add_variants(automaton *a, const char *s, size_t len, size_t pos, int varied, pattern p)
{
    size_t mark_len = 0;
    const char *other = NULL;
    while (varied < MAX_VARIED && pos < len &&
           !(other = punct_other(s + pos, len - pos, &mark_len)))
        pos++;
    if (!other)
        return ac_add(a, s, len, p);
    if (!add_variants(a, s, len, pos + mark_len, varied + 1, p))
        return false;
    buf b;
    buf_init(&b);
    buf_append(&b, s, pos);
    buf_puts(&b, other);
    size_t resume = b.len;
    buf_append(&b, s + pos + mark_len, len - pos - mark_len);
    bool ok = !b.failed && add_variants(a, b.data, b.len, resume, varied + 1, p);
    buf_free(&b);
    return ok;
}

/* Bytes of a trailing run of spaces and sentence punctuation at the end of s[0..len). */
static size_t trailing_trim(const char *s, size_t len)
{
    static const char *const marks[] = {" ",
                                        "\t",
                                        "\r",
                                        "\n",
                                        ".",
                                        "!",
                                        "?",
                                        ",",
                                        "~",
                                        "\xE3\x80\x82",
                                        "\xEF\xBC\x81",
                                        "\xEF\xBC\x9F",
                                        "\xEF\xBC\x8C",
                                        "\xEF\xBD\x9E",
                                        "\xE2\x80\xA6",
                                        "\xE3\x80\x80"};
    size_t end = len;
    for (bool again = true; again && end > 0;) {
        again = false;
        for (size_t i = 0; i < sizeof marks / sizeof marks[0]; i++) {
            size_t m = strlen(marks[i]);
            if (end >= m && memcmp(s + end - m, marks[i], m) == 0) {
                end -= m;
                again = true;
                break;
            }
        }
    }
    return len - end;
}

/* Bytes of leading spaces (ASCII and U+3000). */
static size_t leading_trim(const char *s, size_t len)
{
    size_t i = 0;
    for (;;) {
        if (i < len && (s[i] == ' ' || s[i] == '\t'))
            i++;
        else if (i + 3 <= len && memcmp(s + i, "\xE3\x80\x80", 3) == 0)
            i += 3;
        else
            return i;
    }
}

/* ==== lint ================================================================================ */

typedef struct lint_rule {
    lint_kind kind;
    const char *phrase, *better, *note;
    int line, state;
    size_t trimmed_len; /* of phrase, without its trailing spaces and punctuation */
} lint_rule;

struct lint {
    const playbook *pb;
    automaton ac;
    lint_rule *rules;
    size_t rule_count;
    size_t window; /* longest possible hit or allow word, in bytes */
};

#define MAX_NAME 63 /* placeholder names [a-z_][a-z0-9_.]* of at most this many bytes */

const char *lint_kind_name(lint_kind k)
{
    static const char *const names[] = {"forbidden", "avoid", "placeholder", "missing"};
    return names[k];
}

/* True when the rule list already has this phrase (after trimming). */
static bool has_rule(const lint *l, const char *phrase, size_t len)
{
    for (size_t i = 0; i < l->rule_count; i++)
        if (l->rules[i].trimmed_len == len && memcmp(l->rules[i].phrase, phrase, len) == 0)
            return true;
    return false;
}

/* Adds a forbidden or avoid rule with its phrase (trimmed of end punctuation for avoid lines)
 * and, for forbidden rules, its allow words. */
static bool add_rule(lint *l, lint_rule r, char **allow, size_t allow_count)
{
    size_t len = strlen(r.phrase);
    r.trimmed_len = len - trailing_trim(r.phrase, len);
    if (r.kind == LINT_AVOID)
        len = r.trimmed_len;
    if (len == 0 || has_rule(l, r.phrase, len))
        return true;
    int index = (int)l->rule_count;
    l->rules[l->rule_count++] = r;
    pattern p = {.type = PAT_PHRASE, .rule = index};
    if (r.kind == LINT_AVOID) {
        size_t chars = 0;
        for (size_t i = 0; i < len; i++)
            chars += ((unsigned char)r.phrase[i] & 0xC0) != 0x80;
        p.whole = chars < 4;
    }
    bool ok = add_variants(&l->ac, r.phrase, len, 0, 0, p);
    for (size_t i = 0; ok && i < allow_count; i++) {
        pattern w = {.type = PAT_ALLOW, .rule = index};
        ok = add_variants(&l->ac, allow[i], strlen(allow[i]), 0, 0, w);
    }
    return ok;
}

/* Adds 【label】 (and 【name】) markers for every placeholder. */
static bool add_markers(lint *l)
{
    const playbook *pb = l->pb;
    bool ok = true;
    for (size_t i = 0; ok && i < pb->placeholder_count; i++) {
        const pb_placeholder *ph = &pb->placeholders[i];
        const char *names[2] = {ph->label, ph->name};
        for (int k = 0; ok && k < 2; k++) {
            if (!names[k] || !*names[k])
                continue;
            buf b;
            buf_init(&b);
            buf_printf(&b, "\xE3\x80\x90%s\xE3\x80\x91", names[k]);
            pattern p = {.type = PAT_MARKER, .rule = -1};
            ok = !b.failed && ac_add(&l->ac, b.data, b.len, p);
            buf_free(&b);
        }
    }
    pattern brace = {.type = PAT_BRACE, .rule = -1};
    return ok && ac_add(&l->ac, "{", 1, brace);
}

/* Adds every rule of the playbook: forbidden phrases, then each state's avoid lines. */
static bool add_rules(lint *l)
{
    const playbook *pb = l->pb;
    size_t total = pb->forbidden_count;
    for (size_t s = 0; s < pb->state_count; s++)
        total += pb->states[s].avoid_count;
    l->rules = calloc(total ? total : 1, sizeof *l->rules);
    if (!l->rules)
        return false;
    for (size_t i = 0; i < pb->forbidden_count; i++) {
        const pb_forbidden *f = &pb->forbidden[i];
        lint_rule r = {LINT_FORBIDDEN, f->phrase, f->better, f->note, PB_NONE, PB_NONE, 0};
        if (!add_rule(l, r, f->allow, f->allow_count))
            return false;
    }
    for (size_t s = 0; s < pb->state_count; s++) {
        const pb_state *st = &pb->states[s];
        for (size_t i = 0; i < st->avoid_count; i++) {
            const pb_avoid *av = &st->avoid[i];
            const char *better = av->say_line >= 0 ? pb->lines[av->say_line].text : av->say;
            lint_rule r = {LINT_AVOID, av->never, better, NULL, av->say_line, (int)s, 0};
            if (!add_rule(l, r, NULL, 0))
                return false;
        }
    }
    return true;
}

lint *lint_new(const playbook *pb)
{
    lint *l = calloc(1, sizeof *l);
    if (!l)
        return NULL;
    l->pb = pb;
    l->ac.fold = true;
    l->ac.bounds = true;
    if (!add_rules(l) || !add_markers(l) || !ac_build(&l->ac)) {
        lint_free(l);
        return NULL;
    }
    l->window = l->ac.max_len > MAX_NAME + 2 ? l->ac.max_len : MAX_NAME + 2;
    return l;
}

void lint_free(lint *l)
{
    if (!l)
        return;
    ac_free(&l->ac);
    free(l->rules);
    free(l);
}

size_t lint_rule_count(const lint *l)
{
    return l->rule_count;
}

const char *lint_rule_phrase(const lint *l, size_t i)
{
    return l->rules[i].phrase;
}

const char *lint_rule_better(const lint *l, size_t i)
{
    return l->rules[i].better;
}

lint_kind lint_rule_kind(const lint *l, size_t i)
{
    return l->rules[i].kind;
}

/* ---- one check ---------------------------------------------------------------------------- */

#define MAX_PENDING 64
#define MAX_ALLOWED 16

typedef struct candidate {
    size_t start, end;
    int rule; /* -1: placeholder or marker */
    lint_kind kind;
} candidate;

typedef struct allowed {
    size_t start, end;
    int rule;
} allowed;

typedef struct scan {
    const lint *l;
    const char *text;
    size_t len;
    candidate pending[MAX_PENDING];
    size_t pending_count;
    allowed allow[MAX_ALLOWED]; /* ring of the latest allow-word matches */
    size_t allow_count;
    lint_hit *hits;
    size_t max, found;
    size_t last_end;              /* hits never overlap: none may start before this */
    size_t col_offset, col_chars; /* characters in text[0..col_offset) */
} scan;

/* Characters in text[from..to) counted as text_decode steps through them. */
static size_t count_chars(const char *text, size_t from, size_t to)
{
    size_t n = 0;
    while (from < to) {
        uint32_t cp;
        from += text_decode(text + from, to - from, &cp);
        n++;
    }
    return n;
}

/* Records the chosen candidate as a hit (when there is room) and counts it. */
static void emit(scan *sc, const candidate *c)
{
    if (c->start < sc->last_end)
        return;
    sc->last_end = c->end;
    if (sc->found < sc->max) {
        lint_hit *h = &sc->hits[sc->found];
        sc->col_chars += count_chars(sc->text, sc->col_offset, c->start);
        sc->col_offset = c->start;
        memset(h, 0, sizeof *h);
        h->kind = c->kind;
        h->offset = c->start;
        h->length = c->end - c->start;
        h->column = sc->col_chars;
        h->chars = count_chars(sc->text, c->start, c->end);
        h->line = PB_NONE;
        h->state = PB_NONE;
        h->rule = c->rule;
        if (c->rule >= 0) {
            const lint_rule *r = &sc->l->rules[c->rule];
            h->phrase = r->phrase;
            h->better = r->better;
            h->note = r->note;
            h->line = r->line;
            h->state = r->state;
        }
    }
    sc->found++;
}

/* Emits, leftmost first and longest among equals, every pending candidate no later match can
 * start before or cover with an allow word: those starting at least `window` bytes before
 * pos (all of them when pos is SIZE_MAX). */
static void settle(scan *sc, size_t pos, bool all)
{
    while (sc->pending_count) {
        size_t best = 0;
        for (size_t i = 1; i < sc->pending_count; i++) {
            const candidate *a = &sc->pending[i], *b = &sc->pending[best];
            if (a->start < b->start || (a->start == b->start && a->end > b->end))
                best = i;
        }
        candidate c = sc->pending[best];
        if (!all && c.start + sc->l->window > pos && sc->pending_count < MAX_PENDING)
            return;
        sc->pending[best] = sc->pending[--sc->pending_count];
        emit(sc, &c);
    }
}

/* True when a recent allow-word match of the rule covers text[start..end). */
static bool is_allowed(const scan *sc, int rule, size_t start, size_t end)
{
    size_t n = sc->allow_count < MAX_ALLOWED ? sc->allow_count : MAX_ALLOWED;
    for (size_t i = 0; i < n; i++) {
        const allowed *a = &sc->allow[i];
        if (a->rule == rule && a->start <= start && a->end >= end)
            return true;
    }
    return false;
}

/* Remembers an allow-word match and drops the pending candidates of its rule it covers. */
static void allow_match(scan *sc, int rule, size_t start, size_t end)
{
    sc->allow[sc->allow_count++ % MAX_ALLOWED] = (allowed){start, end, rule};
    for (size_t i = 0; i < sc->pending_count;) {
        const candidate *c = &sc->pending[i];
        if (c->rule == rule && c->start >= start && c->end <= end)
            sc->pending[i] = sc->pending[--sc->pending_count];
        else
            i++;
    }
}

/* Adds a candidate hit, settling the leftmost one first when the list is full. */
static void push(scan *sc, candidate c)
{
    if (sc->pending_count == MAX_PENDING)
        settle(sc, c.end, false); /* full: settles the leftmost one */
    sc->pending[sc->pending_count++] = c;
}

/* End of a raw placeholder {name} starting at start, 0 when there is none. */
static size_t placeholder_end(const char *text, size_t len, size_t start)
{
    size_t i = start + 1;
    if (i >= len || !((text[i] >= 'a' && text[i] <= 'z') || text[i] == '_'))
        return 0;
    for (; i < len && i - start <= MAX_NAME; i++) {
        char c = text[i];
        if (c == '}')
            return i + 1;
        if (!((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_' || c == '.'))
            return 0;
    }
    return 0;
}

/* True when text[start..end) is the whole message but for surrounding spaces and end marks. */
static bool is_whole(const scan *sc, size_t start, size_t end)
{
    return start == leading_trim(sc->text, sc->len) &&
           end == sc->len - trailing_trim(sc->text, sc->len);
}

/* ac_scan callback: turns a raw match into a candidate or an allowance. */
static void on_match(void *ctx, const pattern *p, size_t end)
{
    scan *sc = ctx;
    size_t start = end - p->len;
    if (!ac_bounds_ok(p, sc->text, sc->len, start, end))
        return;
    switch ((pattern_type)p->type) {
    case PAT_PHRASE:
        if (p->whole && !is_whole(sc, start, end))
            return;
        if (!is_allowed(sc, p->rule, start, end))
            push(sc, (candidate){start, end, p->rule, sc->l->rules[p->rule].kind});
        break;
    case PAT_ALLOW:
        allow_match(sc, p->rule, start, end);
        break;
    case PAT_MARKER:
        push(sc, (candidate){start, end, -1, LINT_MISSING});
        break;
    case PAT_BRACE: {
        size_t close = placeholder_end(sc->text, sc->len, start);
        if (close)
            push(sc, (candidate){start, close, -1, LINT_PLACEHOLDER});
        break;
    }
    case PAT_WORD:
        break;
    }
    settle(sc, end, false);
}

size_t lint_check(const lint *l, const char *text, size_t len, lint_hit *hits, size_t max)
{
    scan sc; /* pending and allow are used only up to their counts */
    sc.l = l;
    sc.text = text;
    sc.len = len;
    sc.pending_count = 0;
    sc.allow_count = 0;
    sc.hits = hits;
    sc.max = hits ? max : 0;
    sc.found = 0;
    sc.last_end = 0;
    sc.col_offset = 0;
    sc.col_chars = 0;
    ac_scan(&l->ac, text, len, on_match, &sc);
    settle(&sc, len, true);
    return sc.found;
}

bool lint_replace(buf *out, const char *text, size_t len, const lint_hit *hit,
                  const char *replacement)
{
    if (!replacement)
        replacement = hit->better;
    if (!replacement || hit->offset > len || hit->length > len - hit->offset) {
        buf_append(out, text, len);
        return false;
    }
    buf_append(out, text, hit->offset);
    buf_puts(out, replacement);
    buf_append(out, text + hit->offset + hit->length, len - hit->offset - hit->length);
    return true;
}

/* ==== word sets ============================================================================ */

struct lint_words {
    automaton ac;
};

lint_words *lint_words_new(const char *const *words, const uint32_t *tags, size_t n, unsigned flags)
{
    lint_words *w = calloc(1, sizeof *w);
    if (!w)
        return NULL;
    w->ac.fold = (flags & LINT_WORDS_FOLD) != 0;
    w->ac.bounds = (flags & LINT_WORDS_BOUNDARIES) != 0;
    for (size_t i = 0; i < n; i++) {
        pattern p = {.type = PAT_WORD, .rule = -1, .tag = tags[i]};
        if (!ac_add(&w->ac, words[i], strlen(words[i]), p)) {
            lint_words_free(w);
            return NULL;
        }
    }
    if (!ac_build(&w->ac)) {
        lint_words_free(w);
        return NULL;
    }
    return w;
}

void lint_words_free(lint_words *w)
{
    if (!w)
        return;
    ac_free(&w->ac);
    free(w);
}

uint32_t lint_words_find(const lint_words *w, const char *text, size_t len)
{
    const automaton *a = &w->ac;
    if (a->pattern_count == 0)
        return 0;
    const unsigned char *t = (const unsigned char *)text;
    uint32_t row = 0, tags = 0;
    for (size_t i = 0; i < len; i++) {
        row = a->trans[row + a->cls[t[i]]];
        if (row < a->accept_row)
            continue;
        for (uint32_t s = row / a->class_count; s != UINT32_MAX; s = a->dict[s])
            for (uint32_t p = a->out[s]; p != NO_PATTERN; p = a->patterns[p].next)
                if (ac_bounds_ok(&a->patterns[p], text, len, i + 1 - a->patterns[p].len, i + 1))
                    tags |= a->patterns[p].tag;
    }
    return tags;
}
