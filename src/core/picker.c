#include "core/picker.h"

#include <stdbool.h>
#include <stdlib.h>
#include <string.h>

#define NO_MATCH  1000
#define MAX_WORDS 8
#define MAX_WORD  64

static char lower(char c)
{
    return c >= 'A' && c <= 'Z' ? (char)(c - 'A' + 'a') : c;
}

/* True when needle occurs in hay, ASCII letters compared without case. */
static bool contains(const char *hay, const char *needle)
{
    if (!hay)
        return false;
    size_t n = strlen(needle);
    for (; *hay; hay++) {
        size_t i = 0;
        while (i < n && hay[i] && lower(hay[i]) == needle[i])
            i++;
        if (i == n)
            return true;
    }
    return false;
}

static bool prefix(const char *s, const char *p)
{
    if (!s)
        return false;
    while (*p && lower(*s) == *p)
        s++, p++;
    return *p == '\0';
}

/* Rank of one word against one line (lower is better), NO_MATCH when it does not match. */
static int word_rank(const playbook *pb, const pb_line *l, const char *word)
{
    const pb_state *st = l->state >= 0 ? &pb->states[l->state] : NULL;
    if (l->code && strlen(l->code) == strlen(word) && prefix(l->code, word))
        return 0;
    if (prefix(l->code, word))
        return 1;
    if (contains(l->id, word) || (st && (contains(st->id, word) || contains(st->label, word))))
        return 2;
    if (contains(l->text, word))
        return 3;
    return NO_MATCH;
}

/* Splits q at ASCII and ideographic spaces into lower-cased words; returns how many. */
static size_t split_words(const char *q, char words[][MAX_WORD], size_t max)
{
    size_t n = 0;
    while (*q && n < max) {
        while (*q == ' ' || *q == '\t' || !strncmp(q, "\xE3\x80\x80", 3))
            q += *q == ' ' || *q == '\t' ? 1 : 3;
        size_t len = 0;
        while (q[len] && q[len] != ' ' && q[len] != '\t' && strncmp(q + len, "\xE3\x80\x80", 3))
            len++;
        if (len == 0)
            break;
        size_t keep = len < MAX_WORD ? len : MAX_WORD - 1;
        while (keep > 0 && keep < len && ((unsigned char)q[keep] & 0xC0) == 0x80)
            keep--;
        for (size_t i = 0; i < keep; i++)
            words[n][i] = lower(q[i]);
        words[n++][keep] = '\0';
        q += len;
    }
    return n;
}

typedef struct ranked {
    int line, rank;
} ranked;

static int compare_ranked(const void *pa, const void *pb)
{
    const ranked *a = pa, *b = pb;
    if (a->rank != b->rank)
        return a->rank - b->rank;
    return a->line - b->line;
}

/* Line indexes in the order a reader meets them: state by state, as listed. */
static size_t playbook_order(const playbook *pb, ranked *all)
{
    size_t n = 0;
    for (size_t s = 0; s < pb->state_count; s++)
        for (size_t i = 0; i < pb->states[s].line_count; i++)
            all[n++].line = pb->states[s].lines[i];
    return n;
}

/* The sort key picker_search gives a line: its rank, then its place in reading order. */
static long line_key(const playbook *pb, int line, size_t place, char words[][MAX_WORD],
                     size_t nwords)
{
    int rank = 0;
    for (size_t w = 0; w < nwords && rank < NO_MATCH; w++)
        rank += word_rank(pb, &pb->lines[line], words[w]);
    return rank < NO_MATCH ? (long)rank * (long)(pb->line_count + 1) + (long)place : -1;
}

/* picker_search without memory for the ranking: the same lines in the same order, found by
 * scanning the playbook once per line written. */
static size_t search_in_place(const playbook *pb, char words[][MAX_WORD], size_t nwords, int *out,
                              size_t max)
{
    size_t n = 0;
    for (long last = -1; n < max; n++) {
        long best = -1;
        size_t place = 0;
        for (size_t s = 0; s < pb->state_count; s++)
            for (size_t i = 0; i < pb->states[s].line_count; i++, place++) {
                int line = pb->states[s].lines[i];
                long key = line_key(pb, line, place, words, nwords);
                if (key > last && (best < 0 || key < best)) {
                    best = key;
                    out[n] = line;
                }
            }
        if (best < 0)
            break;
        last = best;
    }
    return n;
}

size_t picker_search(const playbook *pb, const char *query, int *out, size_t max)
{
    char words[MAX_WORDS][MAX_WORD];
    size_t nwords = split_words(query ? query : "", words, MAX_WORDS);
    ranked *all = calloc(pb->line_count + 1, sizeof *all);
    if (!all)
        return search_in_place(pb, words, nwords, out, max);
    size_t total = playbook_order(pb, all), kept = 0;
    for (size_t i = 0; i < total; i++) {
        int rank = 0;
        for (size_t w = 0; w < nwords && rank < NO_MATCH; w++)
            rank += word_rank(pb, &pb->lines[all[i].line], words[w]);
        if (rank < NO_MATCH)
            all[kept++] = (ranked){all[i].line, rank * (int)(pb->line_count + 1) + (int)i};
    }
    qsort(all, kept, sizeof *all, compare_ranked);
    size_t n = kept < max ? kept : max;
    for (size_t i = 0; i < n; i++)
        out[i] = all[i].line;
    free(all);
    return n;
}
