/* lint: finds what an agent must not send — the playbook's forbidden phrases and its states'
 * 不可以说 lines, raw {placeholders} and 【label】 missing-value markers — in one pass of an
 * Aho-Corasick automaton over the UTF-8 text, built once per playbook. Pure: no I/O. */
#ifndef HUASHU_LINT_H
#define HUASHU_LINT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/playbook.h"

typedef enum lint_kind {
    LINT_FORBIDDEN,   /* a phrase of the playbook's forbidden: list */
    LINT_AVOID,       /* a state's avoid: never line (不可以说) */
    LINT_PLACEHOLDER, /* a raw {placeholder} left in the text */
    LINT_MISSING,     /* a 【label】 marker the suggestion wrote for a value it did not have */
} lint_kind;

/* One thing found. Offsets index the text given to lint_check; strings belong to the playbook
 * (or the lint) and live as long as it does. */
typedef struct lint_hit {
    lint_kind kind;
    size_t offset;      /* in bytes */
    size_t length;      /* in bytes */
    size_t column;      /* characters before the hit (0-based; invalid bytes count one each) */
    size_t chars;       /* characters the hit spans */
    const char *phrase; /* the phrase as the playbook writes it; NULL for placeholders/markers */
    const char *better; /* better wording; NULL when there is none (placeholders, markers). For
                         * LINT_AVOID it is the text of `line` as written, {placeholders} and
                         * all: fill that line (suggest_fill) before replacing with it. */
    const char *note;   /* where the rule comes from; may be NULL */
    int line;           /* LINT_AVOID: playbook line to say instead (fill it), else PB_NONE */
    int state;          /* LINT_AVOID: the state whose avoid list has it, else PB_NONE */
    int rule;           /* index among lint_rule_count() rules; -1 for placeholders/markers */
} lint_hit;

typedef struct lint lint;

/* Builds the matcher for pb (borrowed: it must outlive the lint). NULL when out of memory or
 * when the phrases would need more than 65535 automaton states. */
lint *lint_new(const playbook *pb);
void lint_free(lint *l);

/* Finds the hits in text[0..len): leftmost-longest, never overlapping, in text order. Fills
 * at most max of them into hits (which may be NULL when max is 0) and returns how many there
 * are in all. Matching is on whole characters; ASCII letters match in either case and ASCII
 * words only at word boundaries; a phrase written with , ? ! : ; ( ) also matches their
 * full-width forms (and the other way round). A hit inside one of its phrase's allow: words
 * (迷你 for 你) is not a hit. Avoid lines shorter than four characters only match a whole
 * message ("在。" answering "在吗?"). */
size_t lint_check(const lint *l, const char *text, size_t len, lint_hit *hits, size_t max);

/* Appends text with the hit replaced by replacement, or by the hit's better wording when
 * replacement is NULL. Returns false (appending text unchanged) when there is nothing to
 * replace it with. */
bool lint_replace(buf *out, const char *text, size_t len, const lint_hit *hit,
                  const char *replacement);

/* The rules the lint knows (forbidden phrases first, then avoid lines), for per-rule counts. */
size_t lint_rule_count(const lint *l);
/* The phrase, better wording and kind of rule i. */
const char *lint_rule_phrase(const lint *l, size_t i);
const char *lint_rule_better(const lint *l, size_t i);
lint_kind lint_rule_kind(const lint *l, size_t i);

const char *lint_kind_name(lint_kind k);

/* ---- word sets: the same automaton for plain "does any of these words occur" questions --- */

typedef struct lint_words lint_words;

enum {
    LINT_WORDS_FOLD = 1u << 0,       /* ASCII letters match in either case */
    LINT_WORDS_BOUNDARIES = 1u << 1, /* ASCII words match only at word boundaries */
};

/* A set of n words, each with tag bits. flags: LINT_WORDS_*; with none, plain byte substrings
 * (as strstr finds them). NULL when out of memory or too large. Empty words are ignored. */
lint_words *lint_words_new(const char *const *words, const uint32_t *tags, size_t n,
                           unsigned flags);
void lint_words_free(lint_words *w);
/* The OR of the tags of every word occurring in text[0..len). */
uint32_t lint_words_find(const lint_words *w, const char *text, size_t len);

#endif
