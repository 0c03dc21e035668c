/* drill: the loader of drill files (huashu-drill(5)) and their binding to a playbook. */
#include "core/drill.h"

#include "core/linematch.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

typedef struct loader {
    drill *dr;
    yamldoc *y;
    diagnostics *diag;
    bool oom;
} loader;

static const char *const kind_names[EXPECT_KIND_COUNT] = {
    "state", "line", "say", "never", "never_line", "surname", "hangup", "reply",
};

static const char *const cond_names[] = {"state", "line", "words", "silence"};

const char *drill_kind_name(drill_kind k)
{
    return k < EXPECT_KIND_COUNT ? kind_names[k] : "?";
}

/* ---- small helpers ------------------------------------------------------------------- */

/* Appends one zeroed element to a dynamic array; NULL (after one report) when out of memory. */
static void *push_item(loader *ld, void **array, size_t *count, size_t size)
{
    char *p = realloc(*array, (*count + 1) * size);
    if (!p) {
        if (!ld->oom)
            diag_add(ld->diag, ld->y->file, 1, 1, "out of memory");
        ld->oom = true;
        return NULL;
    }
    *array = p;
    memset(p + *count * size, 0, size);
    return p + (*count)++ * size;
}

#define PUSH(ld, array, count) push_item((ld), (void **)&(array), &(count), sizeof *(array))

static pb_mark mark_of(loader *ld, const yaml_node_t *node)
{
    pb_mark m = {ld->dr->file, (int)node->start_mark.line + 1, (int)node->start_mark.column + 1};
    return m;
}

/* A copy of s (NULL for NULL); NULL, reported once, when out of memory. */
static char *copy(loader *ld, const char *s)
{
    char *p = s ? strdup(s) : NULL;
    if (s && !p) {
        if (!ld->oom)
            diag_add(ld->diag, ld->y->file, 1, 1, "out of memory");
        ld->oom = true;
    }
    return p;
}

/* The scalar under key (NULL when absent), reporting a located error when it is not one. */
static const char *get_scalar(loader *ld, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, key);
    if (!n || !yamldoc_expect_scalar(ld->y, n, key))
        return NULL;
    return yamldoc_scalar(n);
}

/* True when s is a non-empty word of a-z, 0-9, _ and the characters in extra. */
static bool valid_name(const char *s, const char *extra)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++)
        if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
              strchr(extra, *p)))
            return false;
    return true;
}

/* Reads a boolean under key into *out (unchanged when absent). */
static void get_bool(loader *ld, yaml_node_t *map, const char *key, bool *out)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, key);
    if (n)
        yamldoc_bool(ld->y, n, out);
}

/* Reads a non-negative integer under key into *out (unchanged when absent). */
static void get_int(loader *ld, yaml_node_t *map, const char *key, int max, int *out)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, key);
    const char *s = n ? yamldoc_scalar(n) : NULL;
    if (!n)
        return;
    char *end = NULL;
    long v = s ? strtol(s, &end, 10) : -1;
    if (!s || !*s || *end || v < 0 || v > max)
        yamldoc_error(ld->y, n, "%s must be a whole number from 0 to %d", key, max);
    else
        *out = (int)v;
}

/* Reads a duration under key: seconds, "25s"/"5m"/"2h", or a playbook setting's name (resolved
 * by drill_bind). */
static void get_duration(loader *ld, yaml_node_t *map, const char *key, drill_duration *out)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, key);
    if (!n)
        return;
    const char *s = yamldoc_scalar(n);
    bool negative = false;
    int64_t ms = 0;
    out->mark = mark_of(ld, n);
    if (!s || !*s) {
        yamldoc_error(ld->y, n, "%s must be a duration such as 10, \"10s\" or \"2m\"", key);
    } else if (duration_parse(s, &ms, &negative)) {
        if (negative)
            yamldoc_error(ld->y, n, "%s must not be negative", key);
        out->ms = ms;
        out->given = true;
    } else if (valid_name(s, "")) {
        free(out->setting);
        out->setting = copy(ld, s);
        out->given = true;
    } else {
        yamldoc_error(ld->y, n,
                      "%s must be a duration such as 10, \"10s\" or \"2m\", or a playbook "
                      "setting's name",
                      key);
    }
}

/* A scalar or a list of scalars as a malloc'd array of strings. */
static char **get_words(loader *ld, yaml_node_t *node, const char *what, size_t *count)
{
    *count = 0;
    char **words = NULL;
    if (yamldoc_scalar(node)) {
        if (!*yamldoc_scalar(node)) {
            yamldoc_error(ld->y, node, "%s must not be empty", what);
            return NULL;
        }
        char **slot = PUSH(ld, words, *count);
        if (slot && !(*slot = copy(ld, yamldoc_scalar(node))))
            (*count)--;
        return words;
    }
    if (!yamldoc_expect_seq(ld->y, node, what))
        return NULL;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, node, i)); i++) {
        const char *w = yamldoc_scalar(item);
        if (!w || !*w) {
            yamldoc_error(ld->y, item, "%s: each entry must be a non-empty word", what);
            continue;
        }
        char **slot = PUSH(ld, words, *count);
        if (!slot)
            break;
        if (!(*slot = copy(ld, w))) {
            (*count)--;
            break;
        }
    }
    if (*count == 0)
        yamldoc_error(ld->y, node, "%s needs at least one entry", what);
    return words;
}

static void free_words(char **words, size_t n)
{
    for (size_t i = 0; i < n; i++)
        free(words[i]);
    free(words);
}

/* ---- expectations and branches ------------------------------------------------------- */

/* The one kind key an expectation map has; -1 (after a located error) when none or several. */
static int expect_kind(loader *ld, yaml_node_t *map, yaml_node_t **value)
{
    int kind = -1;
    for (int k = 0; k < EXPECT_KIND_COUNT; k++) {
        yaml_node_t *v = yamldoc_get(ld->y, map, kind_names[k]);
        if (!v)
            continue;
        if (kind >= 0) {
            yamldoc_error(ld->y, v,
                          "an expectation has one of state, line, say, never, "
                          "never_line, surname, hangup, reply (found %s and %s)",
                          kind_names[kind], kind_names[k]);
            return -1;
        }
        kind = k;
        *value = v;
    }
    if (kind < 0)
        yamldoc_error(ld->y, map,
                      "an expectation needs one of state, line, say, never, never_line, surname, "
                      "hangup, reply");
    return kind;
}

/* The what-to-expect part of an expectation: its words, or true for surname and hangup. */
static bool load_expect_words(loader *ld, drill_expect *x, yaml_node_t *v)
{
    if (x->kind == EXPECT_SURNAME || x->kind == EXPECT_HANGUP || x->kind == EXPECT_REPLY) {
        bool on = false;
        if (!yamldoc_bool(ld->y, v, &on))
            return false;
        if (!on)
            yamldoc_error(ld->y, v, "%s: only true makes sense here", kind_names[x->kind]);
        return on;
    }
    x->words = get_words(ld, v, kind_names[x->kind], &x->word_count);
    return x->word_count > 0;
}

/* One entry of a step's expect: list: its kind and words, then name, label and timing. */
static void load_expect(loader *ld, drill_step *st, yaml_node_t *node)
{
    static const char *const keys[] = {
        "state", "line",  "say",    "never", "never_line", "surname", "hangup",   "reply",
        "name",  "label", "within", "after", "grace",      "points",  "required", NULL};
    if (!yamldoc_expect_map(ld->y, node, "an expectation"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "an expectation");
    yaml_node_t *v = NULL;
    int kind = expect_kind(ld, node, &v);
    if (kind < 0)
        return;
    drill_expect *x = PUSH(ld, st->expects, st->expect_count);
    if (!x)
        return;
    x->kind = (drill_kind)kind;
    x->mark = mark_of(ld, node);
    x->words_mark = mark_of(ld, v);
    x->points = -1;
    load_expect_words(ld, x, v);
    const char *name = get_scalar(ld, node, "name");
    if (name && !valid_name(name, ".-")) {
        yamldoc_error(ld->y, yamldoc_get(ld->y, node, "name"),
                      "expectation names are lowercase words (a-z, 0-9, _, ., -)");
        name = NULL;
    }
    x->name = copy(ld, name);
    x->label = copy(ld, get_scalar(ld, node, "label"));
    get_duration(ld, node, "within", &x->within);
    get_duration(ld, node, "after", &x->after);
    get_duration(ld, node, "grace", &x->grace);
    get_int(ld, node, "points", 1000, &x->points);
    get_bool(ld, node, "required", &x->required);
    if (x->kind == EXPECT_NEVER || x->kind == EXPECT_NEVER_LINE) {
        yaml_node_t *timing = yamldoc_get(ld->y, node, "within");
        if (!timing)
            timing = yamldoc_get(ld->y, node, "after");
        if (timing)
            yamldoc_error(ld->y, timing, "%s holds for the whole step: no within or after",
                          kind_names[x->kind]);
    }
}

/* The one condition key a branch has; -1 (after a located error) when none or several. */
static int branch_cond(loader *ld, yaml_node_t *map, yaml_node_t **value)
{
    int cond = -1;
    for (int k = 0; k < (int)(sizeof cond_names / sizeof cond_names[0]); k++) {
        yaml_node_t *v = yamldoc_get(ld->y, map, cond_names[k]);
        if (!v)
            continue;
        if (cond >= 0) {
            yamldoc_error(ld->y, v, "a branch has one of state, line, words, silence");
            return -1;
        }
        cond = k;
        *value = v;
    }
    if (cond < 0)
        yamldoc_error(ld->y, map, "a branch needs one of state, line, words, silence, and goto");
    return cond;
}

/* One entry of a step's on: list: a condition and the step it leads to. */
static void load_branch(loader *ld, drill_step *st, yaml_node_t *node)
{
    static const char *const keys[] = {"state", "line", "words", "silence", "goto", NULL};
    if (!yamldoc_expect_map(ld->y, node, "a branch"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "a branch");
    yaml_node_t *v = NULL;
    int cond = branch_cond(ld, node, &v);
    const char *target = get_scalar(ld, node, "goto");
    if (!target)
        yamldoc_error(ld->y, node, "a branch needs goto: a step id or end");
    if (cond < 0 || !target)
        return;
    drill_branch *b = PUSH(ld, st->branches, st->branch_count);
    if (!b)
        return;
    b->cond = (drill_cond)cond;
    b->mark = mark_of(ld, yamldoc_get(ld->y, node, "goto"));
    b->target_name = copy(ld, target);
    b->words_mark = mark_of(ld, v);
    if (b->cond == COND_SILENCE)
        get_duration(ld, node, "silence", &b->silence);
    else
        b->words = get_words(ld, v, cond_names[cond], &b->word_count);
}

/* ---- steps --------------------------------------------------------------------------- */

/* when: now | reply | a duration of agent silence. */
static void load_turn(loader *ld, drill_step *st, yaml_node_t *map)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, "when");
    const char *s = n ? yamldoc_scalar(n) : NULL;
    if (!n || (s && !strcmp(s, "now")))
        st->turn = TURN_NOW;
    else if (s && !strcmp(s, "reply"))
        st->turn = TURN_REPLY;
    else {
        st->turn = TURN_SILENCE;
        get_duration(ld, map, "when", &st->wait);
        if (!st->wait.given)
            yamldoc_error(ld->y, n, "when: now, reply, or a duration of silence (\"5s\")");
    }
}

/* lookup: {kind: order, fields: {id: ..., status: ...}}: values the turn brings. */
static void load_lookup(loader *ld, drill_step *st, yaml_node_t *node)
{
    static const char *const keys[] = {"kind", "fields", NULL};
    if (!yamldoc_expect_map(ld->y, node, "lookup"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "lookup");
    const char *kind = get_scalar(ld, node, "kind");
    yaml_node_t *fields = yamldoc_get(ld->y, node, "fields");
    if (!kind || !valid_name(kind, "") || !fields ||
        !yamldoc_expect_map(ld->y, fields, "lookup fields")) {
        if (!kind || !fields)
            yamldoc_error(ld->y, node, "lookup needs kind (order, stock) and fields");
        return;
    }
    st->lookup_kind = copy(ld, kind);
    st->lookup_mark = mark_of(ld, yamldoc_get(ld->y, node, "kind"));
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, fields, i, &k, &v); i++) {
        if (i >= DRILL_MAX_FIELDS) {
            yamldoc_error(ld->y, k, "lookup: at most %d fields", DRILL_MAX_FIELDS);
            break;
        }
        if (!yamldoc_scalar(k) || !valid_name(yamldoc_scalar(k), "_") || !yamldoc_scalar(v)) {
            yamldoc_error(ld->y, k, "lookup fields are name: value");
            continue;
        }
        st->field_marks[st->field_count] = mark_of(ld, k);
        st->fields[st->field_count].name = copy(ld, yamldoc_scalar(k));
        st->fields[st->field_count++].value = copy(ld, yamldoc_scalar(v));
    }
}

/* Loads each item of the sequence under key with load (expect:, on:). */
static void load_list(loader *ld, drill_step *st, yaml_node_t *map, const char *key,
                      void (*load)(loader *, drill_step *, yaml_node_t *))
{
    yaml_node_t *seq = yamldoc_get(ld->y, map, key);
    if (!seq || !yamldoc_expect_seq(ld->y, seq, key))
        return;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++)
        load(ld, st, item);
}

/* The response rule (scoring: respond): a step whose customer speaks and stays expects a reply
 * within the limit, unless it says how to answer with a reply: expectation of its own. */
static void add_response_rule(loader *ld, drill_step *st)
{
    if (ld->dr->scoring.respond_off || !st->text || st->hangup)
        return;
    for (size_t x = 0; x < st->expect_count; x++)
        if (st->expects[x].kind == EXPECT_REPLY)
            return;
    drill_expect *x = PUSH(ld, st->expects, st->expect_count);
    if (!x)
        return;
    x->kind = EXPECT_REPLY;
    x->implicit = true;
    x->mark = st->mark;
    x->words_mark = st->mark;
    x->points = -1;
}

/* One step: its id (step<N> by default), the customer's turn, expectations and branches. */
static void load_step(loader *ld, yaml_node_t *node, size_t index)
{
    static const char *const keys[] = {"id",     "customer", "when", "hangup", "reveal",
                                       "lookup", "expect",   "on",   "then",   NULL};
    if (!yamldoc_expect_map(ld->y, node, "a step"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "a step");
    drill_step *st = PUSH(ld, ld->dr->steps, ld->dr->step_count);
    if (!st)
        return;
    st->mark = mark_of(ld, node);
    st->then = DRILL_NEXT;
    const char *id = get_scalar(ld, node, "id");
    char fallback[32];
    snprintf(fallback, sizeof fallback, "step%zu", index + 1);
    if (id && (!valid_name(id, "-") || !strcmp(id, "end"))) {
        yamldoc_error(ld->y, yamldoc_get(ld->y, node, "id"),
                      "step ids are lowercase words (a-z, 0-9, _, -), not \"end\"");
        id = NULL;
    }
    st->id = copy(ld, id ? id : fallback);
    st->text = copy(ld, get_scalar(ld, node, "customer"));
    load_turn(ld, st, node);
    get_bool(ld, node, "hangup", &st->hangup);
    get_bool(ld, node, "reveal", &st->reveal);
    if (yamldoc_get(ld->y, node, "lookup"))
        load_lookup(ld, st, yamldoc_get(ld->y, node, "lookup"));
    load_list(ld, st, node, "expect", load_expect);
    load_list(ld, st, node, "on", load_branch);
    st->then_name = copy(ld, get_scalar(ld, node, "then"));
    add_response_rule(ld, st);
    if (st->hangup && (st->expect_count || st->branch_count))
        yamldoc_error(ld->y, node,
                      "the customer hangs up in this step: the drill ends there, so "
                      "it can expect nothing and has no branches");
}

/* ---- the document -------------------------------------------------------------------- */

static void load_persona(loader *ld, yaml_node_t *node)
{
    static const char *const keys[] = {"name", "surname", "title", "mood", "known", NULL};
    if (!yamldoc_expect_map(ld->y, node, "persona"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "persona");
    drill *dr = ld->dr;
    dr->name = copy(ld, get_scalar(ld, node, "name"));
    dr->surname = copy(ld, get_scalar(ld, node, "surname"));
    dr->title_word = copy(ld, get_scalar(ld, node, "title"));
    dr->mood = copy(ld, get_scalar(ld, node, "mood"));
    get_bool(ld, node, "known", &dr->known);
}

/* scoring: the drill-wide defaults of points, windows, penalties and the pass mark. */
static void load_scoring(loader *ld, yaml_node_t *node)
{
    static const char *const keys[] = {"points",    "within",         "grace", "late_penalty",
                                       "late_unit", "forbidden",      "pass",  "similarity",
                                       "respond",   "respond_points", NULL};
    if (!yamldoc_expect_map(ld->y, node, "scoring"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "scoring");
    drill_scoring *sc = &ld->dr->scoring;
    get_int(ld, node, "points", 1000, &sc->points);
    get_duration(ld, node, "within", &sc->within);
    get_duration(ld, node, "grace", &sc->grace);
    get_int(ld, node, "late_penalty", 1000, &sc->late_penalty);
    get_duration(ld, node, "late_unit", &sc->late_unit);
    get_int(ld, node, "forbidden", 1000, &sc->forbidden_penalty);
    get_int(ld, node, "pass", 100, &sc->pass);
    get_int(ld, node, "similarity", 100, &sc->similarity);
    get_int(ld, node, "respond_points", 1000, &sc->respond_points);
    const char *respond = get_scalar(ld, node, "respond");
    if (respond && (!strcmp(respond, "off") || !strcmp(respond, "false")))
        sc->respond_off = true;
    else
        get_duration(ld, node, "respond", &sc->respond);
}

/* The defaults huashu-drill(5) documents, before the file overrides them. */
static void set_defaults(drill *dr)
{
    dr->known = true;
    dr->scoring.points = 10;
    dr->scoring.within.ms = 30000;
    dr->scoring.grace.ms = 15000;
    dr->scoring.late_penalty = 2;
    dr->scoring.late_unit.ms = 5000;
    dr->scoring.forbidden_penalty = 5;
    dr->scoring.pass = 80;
    dr->scoring.similarity = LINEMATCH_THRESHOLD;
    dr->scoring.respond.ms = 30000;
    dr->scoring.respond_points = 5;
    dr->limit.ms = 600000;
}

/* The top-level keys other than steps:, reporting the required ones that are missing. */
static void load_header(loader *ld, yaml_node_t *root)
{
    drill *dr = ld->dr;
    const char *id = get_scalar(ld, root, "drill");
    if (id && !valid_name(id, "-"))
        yamldoc_error(ld->y, yamldoc_get(ld->y, root, "drill"),
                      "the drill id is a lowercase word (a-z, 0-9, _, -)");
    dr->id = copy(ld, id);
    dr->title = copy(ld, get_scalar(ld, root, "title"));
    dr->playbook = copy(ld, get_scalar(ld, root, "playbook"));
    dr->intro = copy(ld, get_scalar(ld, root, "intro"));
    static const char *const required[] = {"drill", "title", "playbook", "steps"};
    for (size_t i = 0; i < sizeof required / sizeof required[0]; i++)
        if (!yamldoc_get(ld->y, root, required[i]))
            yamldoc_error(ld->y, root, "a drill needs %s:", required[i]);
    if (dr->playbook)
        dr->playbook_mark = mark_of(ld, yamldoc_get(ld->y, root, "playbook"));
    const char *channel = get_scalar(ld, root, "channel");
    if (channel && strcmp(channel, "phone") && strcmp(channel, "chat"))
        yamldoc_error(ld->y, yamldoc_get(ld->y, root, "channel"), "channel: phone or chat");
    dr->phone = channel && !strcmp(channel, "phone");
    get_duration(ld, root, "limit", &dr->limit);
    if (yamldoc_get(ld->y, root, "persona"))
        load_persona(ld, yamldoc_get(ld->y, root, "persona"));
    if (yamldoc_get(ld->y, root, "scoring"))
        load_scoring(ld, yamldoc_get(ld->y, root, "scoring"));
    if (yamldoc_get(ld->y, root, "never"))
        dr->never = get_words(ld, yamldoc_get(ld->y, root, "never"), "never", &dr->never_count);
}

/* The index of step id, DRILL_END for "end", DRILL_NEXT when there is no such step. */
static int step_index(const drill *dr, const char *id)
{
    if (!strcmp(id, "end"))
        return DRILL_END;
    for (size_t i = 0; i < dr->step_count; i++)
        if (!strcmp(dr->steps[i].id, id))
            return (int)i;
    return DRILL_NEXT;
}

/* Names a step's unnamed expectations "step.kind", numbered when the step has two of a kind;
 * false when out of memory. */
static bool name_expectations(drill_step *st)
{
    for (size_t x = 0; x < st->expect_count; x++) {
        drill_expect *e = &st->expects[x];
        if (e->name)
            continue;
        size_t same = 0;
        for (size_t k = 0; k < x; k++)
            same += st->expects[k].kind == e->kind;
        char name[160];
        if (same)
            snprintf(name, sizeof name, "%s.%s%zu", st->id, kind_names[e->kind], same + 1);
        else
            snprintf(name, sizeof name, "%s.%s", st->id, kind_names[e->kind]);
        if (!(e->name = strdup(name)))
            return false;
    }
    return true;
}

/* Resolves a step's then: and goto: targets, reporting the ones that name no step. */
static void resolve_targets(loader *ld, drill_step *st)
{
    drill *dr = ld->dr;
    if (st->then_name && (st->then = step_index(dr, st->then_name)) == DRILL_NEXT)
        diag_add(ld->diag, st->mark.file, st->mark.line, st->mark.col,
                 "then: no step \"%s\" (a step id or end)", st->then_name);
    for (size_t b = 0; b < st->branch_count; b++) {
        drill_branch *br = &st->branches[b];
        if ((br->target = step_index(dr, br->target_name)) == DRILL_NEXT)
            diag_add(ld->diag, br->mark.file, br->mark.line, br->mark.col,
                     "goto: no step \"%s\" (a step id or end)", br->target_name);
    }
}

/* Builds the indexes from an expectation's number to it and its step, and from a step to its
 * first expectation's number; false when out of memory. */
static bool index_expectations(drill *dr)
{
    size_t n = dr->expect_total ? dr->expect_total : 1;
    dr->expect_list = calloc(n, sizeof *dr->expect_list);
    dr->expect_step = calloc(n, sizeof *dr->expect_step);
    dr->step_first = calloc(dr->step_count ? dr->step_count : 1, sizeof *dr->step_first);
    if (!dr->expect_list || !dr->expect_step || !dr->step_first)
        return false;
    size_t i = 0;
    for (size_t s = 0; s < dr->step_count; s++) {
        dr->step_first[s] = i;
        for (size_t x = 0; x < dr->steps[s].expect_count; x++, i++) {
            dr->expect_list[i] = &dr->steps[s].expects[x];
            dr->expect_step[i] = s;
        }
    }
    return true;
}

typedef struct named {
    const char *name;
    size_t index; /* in file order */
} named;

static int compare_named(const void *a, const void *b)
{
    const named *x = a, *y = b;
    int c = strcmp(x->name, y->name);
    return c ? c : (x->index > y->index) - (x->index < y->index);
}

/* Reports every expectation whose name an earlier one already has (sorting the names, so
 * thousands of expectations stay cheap). */
static void check_duplicate_names(loader *ld)
{
    drill *dr = ld->dr;
    named *sorted = calloc(dr->expect_total ? dr->expect_total : 1, sizeof *sorted);
    if (!sorted) {
        diag_add(ld->diag, dr->file, 1, 1, "out of memory");
        return;
    }
    for (size_t i = 0; i < dr->expect_total; i++)
        sorted[i] = (named){dr->expect_list[i]->name ? dr->expect_list[i]->name : "", i};
    if (dr->expect_total)
        qsort(sorted, dr->expect_total, sizeof *sorted, compare_named);
    for (size_t i = 1; i < dr->expect_total; i++) {
        const drill_expect *e = dr->expect_list[sorted[i].index];
        if (!strcmp(sorted[i - 1].name, sorted[i].name))
            diag_add(ld->diag, e->mark.file, e->mark.line, e->mark.col,
                     "expectation name \"%s\" is used twice", e->name);
    }
    free(sorted);
}

/* Names the expectations, resolves the targets, indexes the expectations, and reports step ids
 * and expectation names used twice. */
static void resolve_names(loader *ld)
{
    drill *dr = ld->dr;
    for (size_t i = 0; i < dr->step_count; i++) {
        drill_step *st = &dr->steps[i];
        for (size_t k = 0; k < i; k++)
            if (!strcmp(dr->steps[k].id, st->id))
                diag_add(ld->diag, st->mark.file, st->mark.line, st->mark.col,
                         "step id \"%s\" is used twice", st->id);
        resolve_targets(ld, st);
        if (!name_expectations(st)) {
            diag_add(ld->diag, dr->file, 1, 1, "out of memory");
            return;
        }
        dr->expect_total += st->expect_count;
    }
    if (!index_expectations(dr)) {
        diag_add(ld->diag, dr->file, 1, 1, "out of memory");
        return;
    }
    check_duplicate_names(ld);
}

bool drill_looks_like(yamldoc *y)
{
    yaml_node_t *root = yamldoc_root(y);
    return root && root->type == YAML_MAPPING_NODE &&
           (yamldoc_get(y, root, "drill") || yamldoc_get(y, root, "steps"));
}

drill *drill_load(const char *file, const char *data, size_t len, diagnostics *d)
{
    static const char *const keys[] = {"drill", "title",   "playbook", "channel",
                                       "intro", "persona", "limit",    "scoring",
                                       "never", "steps",   NULL};
    drill *dr = calloc(1, sizeof *dr);
    if (!dr || !(dr->file = strdup(file))) {
        free(dr);
        diag_add(d, file, 1, 1, "out of memory");
        return NULL;
    }
    set_defaults(dr);
    int before = d->count;
    yamldoc y;
    loader ld = {.dr = dr, .y = &y, .diag = d};
    if (yamldoc_load(&y, file, data, len, d)) {
        yaml_node_t *root = yamldoc_root(&y);
        if (yamldoc_expect_map(&y, root, "a drill")) {
            yamldoc_check_keys(&y, root, keys, "a drill");
            load_header(&ld, root);
            yaml_node_t *steps = yamldoc_get(&y, root, "steps");
            yaml_node_t *item;
            if (steps && yamldoc_expect_seq(&y, steps, "steps"))
                for (size_t i = 0; (item = yamldoc_item(&y, steps, i)); i++)
                    load_step(&ld, item, i);
            if (steps && dr->step_count == 0 && d->count == before)
                yamldoc_error(&y, steps, "a drill needs at least one step");
            if (!ld.oom)
                resolve_names(&ld);
        }
    }
    yamldoc_free(&y);
    if (d->count > before) {
        drill_free(dr);
        return NULL;
    }
    return dr;
}

/* ---- binding to the playbook --------------------------------------------------------- */

/* Resolves a setting name to its value in pb, or falls back when the duration was not given. */
static void bind_duration(drill_duration *dd, const playbook *pb, const drill_duration *fallback,
                          diagnostics *d)
{
    if (!dd->given && fallback) {
        dd->ms = fallback->ms;
        return;
    }
    if (!dd->setting)
        return;
    int64_t ms = playbook_setting(pb, dd->setting, -1);
    if (ms < 0)
        diag_add(d, dd->mark.file, dd->mark.line, dd->mark.col,
                 "\"%s\" is not a duration nor a setting of playbook %s", dd->setting, pb->id);
    else
        dd->ms = ms;
}

/* True when id names a line of pb, or (ending in *) is the prefix of at least one. */
static bool line_exists(const playbook *pb, const char *id)
{
    size_t n = strlen(id);
    if (n && id[n - 1] == '*') {
        for (size_t i = 0; i < pb->line_count; i++)
            if (!strncmp(pb->lines[i].id, id, n - 1))
                return true;
        return false;
    }
    return playbook_line_index(pb, id) >= 0;
}

/* Reports state and line ids the playbook does not have. */
static void bind_words(const playbook *pb, bool states, char **words, size_t n, pb_mark m,
                       diagnostics *d)
{
    for (size_t i = 0; i < n; i++) {
        bool ok = states ? playbook_state_index(pb, words[i]) >= 0 : line_exists(pb, words[i]);
        if (!ok)
            diag_add(d, m.file, m.line, m.col, "playbook %s has no %s \"%s\"", pb->id,
                     states ? "state" : "line", words[i]);
    }
}

/* Resolves a step's durations (drill defaults filled in) and checks its ids against pb. */
static void bind_step(drill *dr, drill_step *st, const playbook *pb, diagnostics *d)
{
    drill_scoring *sc = &dr->scoring;
    bind_duration(&st->wait, pb, NULL, d);
    for (size_t x = 0; x < st->expect_count; x++) {
        drill_expect *e = &st->expects[x];
        if (e->implicit) {
            e->within = (drill_duration){.ms = sc->respond.ms, .given = true};
            e->points = sc->respond_points;
        }
        bind_duration(&e->within, pb, &sc->within, d);
        bind_duration(&e->after, pb, NULL, d);
        bind_duration(&e->grace, pb, &sc->grace, d);
        if (e->points < 0)
            e->points = sc->points;
        if (e->kind == EXPECT_STATE || e->kind == EXPECT_LINE || e->kind == EXPECT_NEVER_LINE)
            bind_words(pb, e->kind == EXPECT_STATE, e->words, e->word_count, e->words_mark, d);
        if (e->after.ms > e->within.ms)
            diag_add(d, e->mark.file, e->mark.line, e->mark.col,
                     "after (%llds) is later than within (%llds)", (long long)e->after.ms / 1000,
                     (long long)e->within.ms / 1000);
    }
    for (size_t b = 0; b < st->branch_count; b++) {
        drill_branch *br = &st->branches[b];
        bind_duration(&br->silence, pb, NULL, d);
        if (br->cond == COND_STATE || br->cond == COND_LINE)
            bind_words(pb, br->cond == COND_STATE, br->words, br->word_count, br->words_mark, d);
    }
}

bool drill_bind(drill *dr, const playbook *pb, diagnostics *d)
{
    int before = d->count;
    drill_scoring *sc = &dr->scoring;
    bind_duration(&sc->within, pb, NULL, d);
    bind_duration(&sc->grace, pb, NULL, d);
    bind_duration(&sc->late_unit, pb, NULL, d);
    bind_duration(&dr->limit, pb, NULL, d);
    bind_duration(&sc->respond, pb, NULL, d);
    if (sc->late_unit.ms <= 0)
        sc->late_unit.ms = 1000;
    for (size_t i = 0; i < dr->step_count; i++)
        bind_step(dr, &dr->steps[i], pb, d);
    return d->count == before;
}

const drill_expect *drill_expect_at(const drill *dr, size_t i, const drill_step **step)
{
    if (i >= dr->expect_total || !dr->expect_list)
        return NULL;
    if (step)
        *step = &dr->steps[dr->expect_step[i]];
    return dr->expect_list[i];
}

/* ---- freeing ------------------------------------------------------------------------- */

static void free_step(drill_step *st)
{
    free(st->id);
    free(st->text);
    free(st->wait.setting);
    free(st->lookup_kind);
    for (size_t i = 0; i < st->field_count; i++) {
        free((char *)st->fields[i].name);
        free((char *)st->fields[i].value);
    }
    for (size_t i = 0; i < st->expect_count; i++) {
        drill_expect *e = &st->expects[i];
        free(e->name);
        free(e->label);
        free_words(e->words, e->word_count);
        free(e->within.setting);
        free(e->after.setting);
        free(e->grace.setting);
    }
    free(st->expects);
    for (size_t i = 0; i < st->branch_count; i++) {
        free_words(st->branches[i].words, st->branches[i].word_count);
        free(st->branches[i].silence.setting);
        free(st->branches[i].target_name);
    }
    free(st->branches);
    free(st->then_name);
}

void drill_free(drill *dr)
{
    if (!dr)
        return;
    for (size_t i = 0; i < dr->step_count; i++)
        free_step(&dr->steps[i]);
    free(dr->steps);
    free(dr->expect_list);
    free(dr->expect_step);
    free(dr->step_first);
    free(dr->file);
    free(dr->id);
    free(dr->title);
    free(dr->playbook);
    free(dr->intro);
    free(dr->name);
    free(dr->surname);
    free(dr->title_word);
    free(dr->mood);
    free(dr->limit.setting);
    free(dr->scoring.respond.setting);
    free_words(dr->never, dr->never_count);
    free(dr->scoring.within.setting);
    free(dr->scoring.grace.setting);
    free(dr->scoring.late_unit.setting);
    free(dr);
}
