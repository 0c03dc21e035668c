/* drillcheck: what makes a drill that loads and binds unable to work, found before it runs
 * (huashu check, drill run, the console). */
#include "core/drill.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/lint.h"

#define HITS 8

/* The step after s when it is done: its then:, or the next one in the file. */
static int next_of(const drill *dr, size_t s)
{
    int t = dr->steps[s].then;
    if (t == DRILL_NEXT)
        return s + 1 < dr->step_count ? (int)s + 1 : DRILL_END;
    return t;
}

/* True when step s is over the moment it begins: its customer turn comes at once and nothing
 * it expects takes time (never-kinds do not hold a step). */
static bool takes_no_time(const drill_step *st)
{
    if (st->hangup || st->turn == TURN_REPLY || (st->turn == TURN_SILENCE && st->wait.ms > 0))
        return false;
    for (size_t x = 0; x < st->expect_count; x++)
        if (st->expects[x].kind != EXPECT_NEVER && st->expects[x].kind != EXPECT_NEVER_LINE)
            return false;
    return true;
}

/* A cycle of steps that take no time loops for ever: reported at its first step. */
static void check_cycles(const drill *dr, diagnostics *d)
{
    int *seen = calloc(dr->step_count ? dr->step_count : 1, sizeof *seen);
    if (!seen)
        return;
    for (size_t s = 0; s < dr->step_count; s++) {
        /* walk the zero-time chain from s, marking with s + 1 */
        int at = (int)s;
        while (at >= 0 && !seen[at] && takes_no_time(&dr->steps[at])) {
            seen[at] = (int)s + 1;
            at = next_of(dr, (size_t)at);
        }
        if (at < 0 || seen[at] != (int)s + 1)
            continue;
        char path[512] = "";
        size_t n = 0;
        int p = at;
        do {
            n += (size_t)snprintf(path + n, n < sizeof path ? sizeof path - n : 0, "%s -> ",
                                  dr->steps[p].id);
            p = next_of(dr, (size_t)p);
        } while (p != at && n < sizeof path);
        const pb_mark *m = &dr->steps[at].mark;
        diag_add(d, m->file, m->line, m->col,
                 "steps %s%s take no time and loop for ever: give one a when: (reply or a "
                 "duration) or something to expect",
                 path, dr->steps[at].id);
    }
    free(seen);
}

/* Steps no path from the first reaches (then:, the next step, goto:). */
static void check_reachable(const drill *dr, diagnostics *d)
{
    bool *reached = calloc(dr->step_count ? dr->step_count : 1, sizeof *reached);
    size_t *todo = calloc(dr->step_count ? dr->step_count : 1, sizeof *todo);
    size_t n = 0;
    if (!reached || !todo || !dr->step_count) {
        free(reached);
        free(todo);
        return;
    }
    reached[0] = true;
    todo[n++] = 0;
    while (n) {
        size_t s = todo[--n];
        const drill_step *st = &dr->steps[s];
        int next[1 + 64];
        size_t k = 0;
        if (!st->hangup)
            next[k++] = next_of(dr, s);
        for (size_t b = 0; b < st->branch_count && k < sizeof next / sizeof next[0]; b++)
            next[k++] = st->branches[b].target;
        for (size_t i = 0; i < k; i++)
            if (next[i] >= 0 && !reached[next[i]]) {
                reached[next[i]] = true;
                todo[n++] = (size_t)next[i];
            }
    }
    for (size_t s = 0; s < dr->step_count; s++)
        if (!reached[s])
            diag_add(d, dr->steps[s].mark.file, dr->steps[s].mark.line, dr->steps[s].mark.col,
                     "step \"%s\" is never reached (no then:, goto: or step before it leads "
                     "here)",
                     dr->steps[s].id);
    free(reached);
    free(todo);
}

/* True when pb has a placeholder "kind.field" (field NULL: any of the kind). */
static bool has_placeholder(const playbook *pb, const char *kind, const char *field)
{
    size_t n = strlen(kind);
    for (size_t i = 0; i < pb->placeholder_count; i++) {
        const char *name = pb->placeholders[i].name;
        if (strncmp(name, kind, n) || name[n] != '.')
            continue;
        if (!field || !strcmp(name + n + 1, field))
            return true;
    }
    return false;
}

/* Lookup kinds and fields that fill no placeholder of the playbook. */
static void check_lookup(const drill_step *st, const playbook *pb, diagnostics *d)
{
    if (!st->lookup_kind)
        return;
    if (!has_placeholder(pb, st->lookup_kind, NULL)) {
        diag_add(d, st->lookup_mark.file, st->lookup_mark.line, st->lookup_mark.col,
                 "playbook %s has no lookup kind \"%s\" (no {%s.*} placeholder)", pb->id,
                 st->lookup_kind, st->lookup_kind);
        return;
    }
    for (size_t f = 0; f < st->field_count; f++)
        if (!has_placeholder(pb, st->lookup_kind, st->fields[f].name))
            diag_add(d, st->field_marks[f].file, st->field_marks[f].line, st->field_marks[f].col,
                     "playbook %s has no placeholder {%s.%s}", pb->id, st->lookup_kind,
                     st->fields[f].name);
}

/* An expectation asking for a phrase the playbook forbids. */
static void check_words(const drill_expect *x, const lint *l, const playbook *pb, diagnostics *d)
{
    if (x->kind != EXPECT_SAY || !l)
        return;
    for (size_t w = 0; w < x->word_count; w++) {
        lint_hit hits[HITS];
        size_t n = lint_check(l, x->words[w], strlen(x->words[w]), hits, HITS);
        for (size_t i = 0; i < n && i < HITS; i++)
            if (hits[i].kind == LINT_FORBIDDEN)
                diag_add(d, x->words_mark.file, x->words_mark.line, x->words_mark.col,
                         "say: \"%s\" asks for \"%s\", which playbook %s forbids", x->words[w],
                         hits[i].phrase ? hits[i].phrase : "", pb->id);
    }
}

bool drill_check(const drill *dr, const playbook *pb, diagnostics *d)
{
    int before = d->count;
    lint *l = lint_new(pb);
    size_t explicit_count = 0;
    for (size_t s = 0; s < dr->step_count; s++) {
        const drill_step *st = &dr->steps[s];
        check_lookup(st, pb, d);
        for (size_t x = 0; x < st->expect_count; x++) {
            const drill_expect *e = &st->expects[x];
            explicit_count += !e->implicit;
            if (e->kind == EXPECT_SURNAME && (!dr->surname || !*dr->surname))
                diag_add(d, e->mark.file, e->mark.line, e->mark.col,
                         "surname: true, but the persona has no surname to say");
            check_words(e, l, pb, d);
        }
    }
    lint_free(l);
    check_cycles(dr, d);
    check_reachable(dr, d);
    if (!explicit_count && dr->step_count)
        diag_add(d, dr->steps[0].mark.file, dr->steps[0].mark.line, dr->steps[0].mark.col,
                 "the drill expects nothing of the trainee: give a step an expect: list");
    return d->count == before;
}
