#include "core/playbook.h"

#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <regex.h>
#include <string.h>

#include "core/detect.h"

const char *const playbook_shared_states[] = {
    "greeting",     "identify", "inquiry",       "hold",           "transfer",
    "complaint",    "closing",  "silent",        "unclear",        "dialect",
    "wrong_number", "nuisance", "personal_call", "out_of_scope",   "product",
    "stock",        "price",    "shipping",      "verify_address", NULL,
};

#define MAX_EXTENDS_DEPTH 8

typedef struct loader {
    playbook *pb;
    yamldoc *y;
    int origin; /* index of the file being applied in pb->files */
    diagnostics *diag;
    playbook_reader reader;
    void *reader_ctx;
    int depth;
    bool oom;
} loader;

/* ---- small helpers ------------------------------------------------------ */

/* Reports running out of memory, once per load. */
static void report_oom(loader *ld)
{
    if (!ld->oom) {
        ld->oom = true;
        diag_add(ld->diag, ld->y->file, 1, 1, "out of memory");
    }
}

/* A copy of s (NULL for NULL); NULL, reported, when out of memory. */
static char *copy(loader *ld, const char *s)
{
    char *p = s ? strdup(s) : NULL;
    if (s && !p)
        report_oom(ld);
    return p;
}

/* Replaces *slot with a copy of s; false (reported, *slot unchanged) when out of memory. */
static bool set_string(loader *ld, char **slot, const char *s)
{
    char *p = copy(ld, s);
    if (s && !p)
        return false;
    free(*slot);
    *slot = p;
    return true;
}

/* Appends one zeroed element to a dynamic array; NULL when out of memory. */
static void *push_item(void **array, size_t *count, size_t size)
{
    char *p = realloc(*array, (*count + 1) * size);
    if (!p)
        return NULL;
    *array = p;
    memset(p + *count * size, 0, size);
    return p + (*count)++ * size;
}

#define PUSH(ld, array, count) push_checked((ld), (void **)&(array), &(count), sizeof *(array))

static void *push_checked(loader *ld, void **array, size_t *count, size_t size)
{
    void *p = push_item(array, count, size);
    if (!p)
        report_oom(ld);
    return p;
}

static pb_mark mark_of(loader *ld, const yaml_node_t *node)
{
    pb_mark m = {ld->pb->files[ld->origin], (int)node->start_mark.line + 1,
                 (int)node->start_mark.column + 1};
    return m;
}

static void error_at(loader *ld, pb_mark m, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

static void error_at(loader *ld, pb_mark m, const char *fmt, ...)
{
    char msg[512];
    va_list ap;
    va_start(ap, fmt);
    vsnprintf(msg, sizeof msg, fmt, ap);
    va_end(ap);
    diag_add(ld->diag, m.file, m.line, m.col, "%s", msg);
}

/* The scalar under key, reporting a located error when it is not a scalar. */
static const char *get_scalar(loader *ld, yaml_node_t *map, const char *key)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, key);
    if (!n)
        return NULL;
    if (!yamldoc_expect_scalar(ld->y, n, key))
        return NULL;
    return yamldoc_scalar(n);
}

static bool valid_name(const char *s, const char *extra)
{
    if (!s || !*s)
        return false;
    for (const char *p = s; *p; p++) {
        bool ok = (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '_' ||
                  (extra && strchr(extra, *p));
        if (!ok)
            return false;
    }
    return true;
}

/* ---- lookups ------------------------------------------------------------ */

int playbook_state_index(const playbook *pb, const char *id)
{
    for (size_t i = 0; i < pb->state_count; i++)
        if (strcmp(pb->states[i].id, id) == 0)
            return (int)i;
    return PB_NONE;
}

int playbook_line_index(const playbook *pb, const char *id)
{
    for (size_t i = 0; i < pb->line_count; i++)
        if (strcmp(pb->lines[i].id, id) == 0)
            return (int)i;
    return PB_NONE;
}

int playbook_line_by_code(const playbook *pb, const char *code)
{
    for (size_t i = 0; i < pb->line_count; i++)
        if (pb->lines[i].code && strcmp(pb->lines[i].code, code) == 0)
            return (int)i;
    return PB_NONE;
}

const pb_placeholder *playbook_placeholder(const playbook *pb, const char *name)
{
    for (size_t i = 0; i < pb->placeholder_count; i++)
        if (pb->placeholders[i].name[0] == name[0] && strcmp(pb->placeholders[i].name, name) == 0)
            return &pb->placeholders[i];
    return NULL;
}

static pb_setting *find_setting(const playbook *pb, const char *name)
{
    for (size_t i = 0; i < pb->setting_count; i++)
        if (strcmp(pb->settings[i].name, name) == 0)
            return &pb->settings[i];
    return NULL;
}

int64_t playbook_setting(const playbook *pb, const char *name, int64_t fallback)
{
    const pb_setting *s = find_setting(pb, name);
    return s ? s->ms : fallback;
}

int playbook_cue_index(const playbook *pb, const char *name)
{
    for (size_t i = 0; i < pb->cue_count; i++)
        if (strcmp(pb->cues[i].name, name) == 0)
            return (int)i;
    return PB_NONE;
}

/* strstr with ASCII letters compared case-insensitively (CJK bytes compare exactly). */
static bool contains_folded(const char *text, const char *word)
{
    size_t n = strlen(word);
    for (const char *p = text; *p; p++) {
        size_t i = 0;
        while (
            i < n && p[i] &&
            (p[i] == word[i] || ((unsigned char)p[i] < 0x80 && (p[i] | 0x20) == (word[i] | 0x20) &&
                                 ((p[i] | 0x20) >= 'a' && (p[i] | 0x20) <= 'z'))))
            i++;
        if (i == n)
            return true;
    }
    return false;
}

bool playbook_cue_matches(const playbook *pb, int cue, const char *text)
{
    if (cue < 0 || (size_t)cue >= pb->cue_count || !text)
        return false;
    const pb_cue_set *set = &pb->cues[cue];
    for (size_t i = 0; i < set->word_count; i++) {
        const char *w = set->words[i];
        if (set->folded ? contains_folded(text, w) : strstr(text, w) != NULL)
            return true;
    }
    return false;
}

/* ---- sections ----------------------------------------------------------- */

static void load_settings(loader *ld, yaml_node_t *map)
{
    if (!yamldoc_expect_map(ld->y, map, "settings"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k);
        const char *value = yamldoc_scalar(v);
        int64_t ms;
        bool negative;
        if (!name || !valid_name(name, NULL)) {
            yamldoc_error(ld->y, k, "setting names are lowercase words (a-z, 0-9, _)");
            continue;
        }
        if (!value || !duration_parse(value, &ms, &negative)) {
            yamldoc_error(ld->y, v,
                          "setting \"%s\" must be a duration such as 25, \"25s\" or \"2h\"", name);
            continue;
        }
        if (negative) {
            yamldoc_error(ld->y, v, "setting \"%s\" must not be negative", name);
            continue;
        }
        pb_setting *s = find_setting(ld->pb, name);
        if (!s && !(s = PUSH(ld, ld->pb->settings, ld->pb->setting_count)))
            return;
        if (!s->name && !(s->name = copy(ld, name))) {
            ld->pb->setting_count--;
            return;
        }
        s->ms = ms;
    }
}

static bool parse_source(const char *s, pb_source *out)
{
    static const char *const names[] = {"config", "customer", "clock", "calendar", "lookup", "ask"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (pb_source)i;
            return true;
        }
    }
    return false;
}

static void load_placeholder(loader *ld, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = {"default", "label", "fallback", "source", NULL};
    const char *name = yamldoc_scalar(k);
    if (!name || !valid_name(name, ".")) {
        yamldoc_error(ld->y, k, "placeholder names are lowercase words (a-z, 0-9, _, .)");
        return;
    }
    if (!yamldoc_expect_map(ld->y, v, "a placeholder"))
        return;
    yamldoc_check_keys(ld->y, v, keys, "a placeholder");
    pb_source source = SOURCE_CONFIG;
    const char *src = get_scalar(ld, v, "source");
    if (src && !parse_source(src, &source)) {
        yamldoc_error(ld->y, yamldoc_get(ld->y, v, "source"),
                      "source must be config, customer, clock, calendar, lookup or ask");
        return;
    }
    pb_placeholder *p = (pb_placeholder *)playbook_placeholder(ld->pb, name);
    bool fresh = !p;
    if (!p && !(p = PUSH(ld, ld->pb->placeholders, ld->pb->placeholder_count)))
        return;
    if (fresh && !(p->name = copy(ld, name))) {
        ld->pb->placeholder_count--;
        return;
    }
    if (src || fresh)
        p->source = source;
    const char *def = get_scalar(ld, v, "default");
    const char *label = get_scalar(ld, v, "label");
    const char *fallback = get_scalar(ld, v, "fallback");
    if (def)
        set_string(ld, &p->default_value, def);
    if (label)
        set_string(ld, &p->label, label);
    if (fallback)
        set_string(ld, &p->fallback, fallback);
}

static void load_placeholders(loader *ld, yaml_node_t *map)
{
    if (!yamldoc_expect_map(ld->y, map, "placeholders"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, map, i, &k, &v); i++)
        load_placeholder(ld, k, v);
}

/* Copies a list of scalars into a malloc'd string array. */
static char **load_word_list(loader *ld, yaml_node_t *seq, size_t *count, const char *what)
{
    *count = 0;
    if (!yamldoc_expect_seq(ld->y, seq, what))
        return NULL;
    char **words = NULL;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
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
    return words;
}

static void free_words(char **words, size_t count)
{
    for (size_t i = 0; i < count; i++)
        free(words[i]);
    free(words);
}

/* A number from 0 to 100 (weights, thresholds); false (reported) otherwise. */
static bool parse_weight(loader *ld, yaml_node_t *node, double *out)
{
    const char *s = yamldoc_scalar(node);
    char *end = NULL;
    double v = s && *s ? strtod(s, &end) : -1;
    if (!s || !*s || *end || !(v >= 0 && v <= 100)) {
        yamldoc_error(ld->y, node, "want a number from 0 to 100");
        return false;
    }
    *out = v;
    return true;
}

static void load_cues(loader *ld, yaml_node_t *map)
{
    if (!yamldoc_expect_map(ld->y, map, "cues"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k);
        if (!name || !valid_name(name, NULL)) {
            yamldoc_error(ld->y, k, "cue set names are lowercase words (a-z, 0-9, _)");
            continue;
        }
        int idx = playbook_cue_index(ld->pb, name);
        pb_cue_set *set = idx >= 0 ? &ld->pb->cues[idx] : PUSH(ld, ld->pb->cues, ld->pb->cue_count);
        if (!set)
            return;
        if (!set->name && !(set->name = copy(ld, name))) {
            ld->pb->cue_count--;
            return;
        }
        free_words(set->words, set->word_count);
        set->weight = 1;
        yaml_node_t *words = v;
        if (v && v->type == YAML_MAPPING_NODE) {
            static const char *const keys[] = {"weight", "words", NULL};
            yamldoc_check_keys(ld->y, v, keys, "a cue set");
            yaml_node_t *w = yamldoc_get(ld->y, v, "weight");
            if (w && !parse_weight(ld, w, &set->weight))
                continue;
            if (!(words = yamldoc_get(ld->y, v, "words"))) {
                yamldoc_error(ld->y, v, "a cue set needs \"words\"");
                set->words = NULL;
                set->word_count = 0;
                continue;
            }
        }
        set->words = load_word_list(ld, words, &set->word_count, "a cue set");
        set->folded = false;
        for (size_t w = 0; w < set->word_count; w++)
            for (const char *c = set->words[w]; *c; c++)
                set->folded = set->folded || ((*c | 0x20) >= 'a' && (*c | 0x20) <= 'z');
    }
}

static void load_forbidden_entry(loader *ld, yaml_node_t *node)
{
    static const char *const keys[] = {"phrase", "better", "allow", "note", NULL};
    if (!yamldoc_expect_map(ld->y, node, "a forbidden entry"))
        return;
    yamldoc_check_keys(ld->y, node, keys, "a forbidden entry");
    const char *phrase = get_scalar(ld, node, "phrase");
    const char *better = get_scalar(ld, node, "better");
    if (!phrase || !*phrase || !better) {
        yamldoc_error(ld->y, node, "a forbidden entry needs \"phrase\" and \"better\"");
        return;
    }
    pb_forbidden *f = NULL;
    for (size_t i = 0; i < ld->pb->forbidden_count && !f; i++)
        if (strcmp(ld->pb->forbidden[i].phrase, phrase) == 0)
            f = &ld->pb->forbidden[i];
    if (!f && !(f = PUSH(ld, ld->pb->forbidden, ld->pb->forbidden_count)))
        return;
    if (!set_string(ld, &f->phrase, phrase)) {
        if (!f->phrase) /* a fresh entry: nothing to look it up by */
            ld->pb->forbidden_count--;
        return;
    }
    set_string(ld, &f->better, better);
    set_string(ld, &f->note, get_scalar(ld, node, "note"));
    free_words(f->allow, f->allow_count);
    f->allow = NULL;
    f->allow_count = 0;
    yaml_node_t *allow = yamldoc_get(ld->y, node, "allow");
    if (allow)
        f->allow = load_word_list(ld, allow, &f->allow_count, "allow");
}

static void load_forbidden(loader *ld, yaml_node_t *seq)
{
    if (!yamldoc_expect_seq(ld->y, seq, "forbidden"))
        return;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++)
        load_forbidden_entry(ld, item);
}

/* Parses "HH:MM" into minutes since midnight; -1 when malformed. */
static int parse_clock(const char *s)
{
    if (!s || strlen(s) != 5 || s[2] != ':')
        return -1;
    int h = (s[0] - '0') * 10 + (s[1] - '0'), m = (s[3] - '0') * 10 + (s[4] - '0');
    if (s[0] < '0' || s[0] > '9' || s[1] < '0' || s[1] > '9' || s[3] < '0' || s[3] > '9' ||
        s[4] < '0' || s[4] > '9' || h > 24 || m > 59)
        return -1;
    return h * 60 + m;
}

static void load_time_ranges(loader *ld, yaml_node_t *seq)
{
    static const char *const keys[] = {"from", "to", "text", NULL};
    if (!yamldoc_expect_seq(ld->y, seq, "time_of_day"))
        return;
    for (size_t i = 0; i < ld->pb->time_count; i++)
        free(ld->pb->times[i].text);
    free(ld->pb->times);
    ld->pb->times = NULL;
    ld->pb->time_count = 0;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        if (!yamldoc_expect_map(ld->y, item, "a time_of_day entry"))
            continue;
        yamldoc_check_keys(ld->y, item, keys, "a time_of_day entry");
        int from = parse_clock(get_scalar(ld, item, "from"));
        int to = parse_clock(get_scalar(ld, item, "to"));
        const char *text = get_scalar(ld, item, "text");
        if (from < 0 || to < 0 || !text) {
            yamldoc_error(ld->y, item,
                          "a time_of_day entry needs from: \"HH:MM\", to: \"HH:MM\" and text");
            continue;
        }
        pb_time_range *r = PUSH(ld, ld->pb->times, ld->pb->time_count);
        if (!r)
            return;
        r->from_min = from;
        r->to_min = to;
        r->text = copy(ld, text);
    }
}

/* Parses "MM-DD" or "YYYY-MM-DD". */
static bool parse_holiday_date(const char *s, pb_holiday *h)
{
    int y = 0, m, d;
    char tail;
    size_t len = s ? strlen(s) : 0;
    if (len == 5 && sscanf(s, "%2d-%2d%c", &m, &d, &tail) == 2)
        y = 0;
    else if (len == 10 && sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) == 3)
        ;
    else
        return false;
    if (m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    h->year = y;
    h->month = m;
    h->day = d;
    return true;
}

static void load_holidays(loader *ld, yaml_node_t *seq)
{
    static const char *const keys[] = {"date", "text", NULL};
    if (!yamldoc_expect_seq(ld->y, seq, "holidays"))
        return;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        if (!yamldoc_expect_map(ld->y, item, "a holiday"))
            continue;
        yamldoc_check_keys(ld->y, item, keys, "a holiday");
        pb_holiday h = {0};
        const char *text = get_scalar(ld, item, "text");
        if (!parse_holiday_date(get_scalar(ld, item, "date"), &h) || !text) {
            yamldoc_error(ld->y, item,
                          "a holiday needs date: \"MM-DD\" or \"YYYY-MM-DD\" and text");
            continue;
        }
        pb_holiday *slot = PUSH(ld, ld->pb->holidays, ld->pb->holiday_count);
        if (!slot)
            return;
        *slot = h;
        slot->text = copy(ld, text);
    }
}

static void load_calendar(loader *ld, yaml_node_t *map)
{
    static const char *const keys[] = {"time_of_day", "holidays", NULL};
    if (!yamldoc_expect_map(ld->y, map, "calendar"))
        return;
    yamldoc_check_keys(ld->y, map, keys, "calendar");
    yaml_node_t *times = yamldoc_get(ld->y, map, "time_of_day");
    yaml_node_t *holidays = yamldoc_get(ld->y, map, "holidays");
    if (times)
        load_time_ranges(ld, times);
    if (holidays)
        load_holidays(ld, holidays);
}

/* A duration written as a number, a number with a unit, or a settings name: kept as text and
 * resolved once every file is merged. */
static char *duration_text(loader *ld, yaml_node_t *node, const char *what)
{
    const char *s = yamldoc_scalar(node);
    if (!s || !*s) {
        yamldoc_error(ld->y, node, "%s must be a duration (25, \"25s\", \"2h\" or a settings name)",
                      what);
        return NULL;
    }
    return copy(ld, s);
}

static void free_transition(pb_transition *t)
{
    free(t->key);
    free(t->cue_name);
    free(t->after_name);
    free(t->to_name);
    free(t->line_id);
}

static bool parse_event_kind(const char *s, pb_event_kind *out)
{
    static const char *const names[] = {"open", "close", "customer_message", "agent_message"};
    for (size_t i = 0; i < 4; i++) {
        if (strcmp(s, names[i]) == 0) {
            *out = (pb_event_kind)i;
            return true;
        }
    }
    return false;
}

/* Reads the one trigger of a transition; false (reported) when there is none or several. */
static bool load_trigger(loader *ld, yaml_node_t *node, pb_transition *t)
{
    static const char *const triggers[] = {"key", "event", "cue", "after"};
    int found = 0;
    for (int i = 0; i < 4; i++) {
        yaml_node_t *n = yamldoc_get(ld->y, node, triggers[i]);
        if (!n)
            continue;
        found++;
        const char *s = yamldoc_scalar(n);
        if (!s || !*s) {
            yamldoc_error(ld->y, n, "%s must be a single value", triggers[i]);
            return false;
        }
        t->trigger = (pb_trigger)i;
        if (i == TRIGGER_KEY)
            t->key = copy(ld, s);
        else if (i == TRIGGER_EVENT && !parse_event_kind(s, &t->event)) {
            yamldoc_error(ld->y, n, "event must be open, close, customer_message or agent_message");
            return false;
        } else if (i == TRIGGER_CUE)
            t->cue_name = copy(ld, s);
        else if (i == TRIGGER_AFTER)
            t->after_name = duration_text(ld, n, "after");
    }
    if (found != 1) {
        yamldoc_error(ld->y, node,
                      "a transition needs exactly one trigger: key, event, cue or after");
        return false;
    }
    return true;
}

static void load_transitions(loader *ld, yaml_node_t *seq, pb_transition **out, size_t *count,
                             bool prepend)
{
    static const char *const keys[] = {"key", "event", "cue", "after", "to", "line", NULL};
    if (!yamldoc_expect_seq(ld->y, seq, "transitions"))
        return;
    pb_transition *list = NULL;
    size_t n = 0;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        if (!yamldoc_expect_map(ld->y, item, "a transition"))
            continue;
        yamldoc_check_keys(ld->y, item, keys, "a transition");
        pb_transition t = {.to = PB_NONE, .line = PB_NONE, .cue = PB_NONE};
        t.mark = mark_of(ld, item);
        const char *to = get_scalar(ld, item, "to");
        const char *line = get_scalar(ld, item, "line");
        if (!load_trigger(ld, item, &t) || !to) {
            if (!to)
                yamldoc_error(ld->y, item, "a transition needs \"to\": a state id or back");
            free_transition(&t);
            continue;
        }
        t.to_name = copy(ld, to);
        t.line_id = copy(ld, line);
        pb_transition *slot = PUSH(ld, list, n);
        if (!slot) {
            free_transition(&t);
            break;
        }
        *slot = t;
    }
    if (prepend) {
        pb_transition *merged = realloc(list, (n + *count) * sizeof *merged);
        if (!merged && n + *count > 0) {
            for (size_t i = 0; i < n; i++)
                free_transition(&list[i]);
            free(list);
            report_oom(ld);
            return;
        }
        if (*count)
            memcpy(merged + n, *out, *count * sizeof *merged);
        free(*out);
        *out = merged;
        *count += n;
        return;
    }
    for (size_t i = 0; i < *count; i++)
        free_transition(&(*out)[i]);
    free(*out);
    *out = list;
    *count = n;
}

/* {NAME: VALUE} or {NAME: [VALUE...]} in a when: list: the values NAME may have once known. */
static bool parse_value_when(loader *ld, yaml_node_t *map, pb_line *l)
{
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k);
        yaml_node_t *item = v;
        for (size_t j = 0; item; j++) {
            if (v->type == YAML_SEQUENCE_NODE && !(item = yamldoc_item(ld->y, v, j)))
                break;
            const char *value = yamldoc_scalar(item);
            if (!name || !value) {
                yamldoc_error(ld->y, item, "a value condition maps a placeholder to its values");
                return false;
            }
            pb_pair *p = PUSH(ld, l->value_when, l->value_when_count);
            if (!p || !(p->name = copy(ld, name)) || !(p->text = copy(ld, value)))
                return false;
            if (v->type != YAML_SEQUENCE_NODE)
                break;
        }
    }
    return true;
}

static bool parse_when(loader *ld, yaml_node_t *node, unsigned *when, pb_line *l)
{
    static const char *const names[] = {"phone",           "chat",    "late",       "surname_known",
                                        "surname_unknown", "holiday", "first_reply"};
    const size_t count = sizeof names / sizeof names[0];
    if (!yamldoc_expect_seq(ld->y, node, "when"))
        return false;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, node, i)); i++) {
        if (item->type == YAML_MAPPING_NODE) {
            if (!parse_value_when(ld, item, l))
                return false;
            continue;
        }
        const char *s = yamldoc_scalar(item);
        size_t k = 0;
        while (k < count && !(s && strcmp(s, names[k]) == 0))
            k++;
        if (k == count) {
            yamldoc_error(ld->y, item,
                          "unknown condition \"%s\" (phone, chat, late, surname_known, "
                          "surname_unknown, holiday, first_reply, or {placeholder: [values]})",
                          s ? s : "?");
            return false;
        }
        *when |= 1u << k;
    }
    return true;
}

static void free_line(pb_line *l)
{
    free(l->id);
    free(l->code);
    free(l->text);
    for (size_t i = 0; i < l->fallback_count; i++) {
        free(l->fallbacks[i].name);
        free(l->fallbacks[i].text);
    }
    free(l->fallbacks);
    for (size_t i = 0; i < l->value_when_count; i++) {
        free(l->value_when[i].name);
        free(l->value_when[i].text);
    }
    free(l->value_when);
    free(l->promise_name);
}

static bool load_fallbacks(loader *ld, yaml_node_t *map, pb_line *l)
{
    if (!yamldoc_expect_map(ld->y, map, "fallback"))
        return false;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k), *text = yamldoc_scalar(v);
        if (!name || !text) {
            yamldoc_error(ld->y, k, "fallback maps a placeholder name to its text");
            return false;
        }
        pb_pair *p = PUSH(ld, l->fallbacks, l->fallback_count);
        if (!p)
            return false;
        p->name = copy(ld, name);
        p->text = copy(ld, text);
    }
    return true;
}

/* Reads one line's fields into l; false (reported) when it cannot be used. */
static bool load_line_fields(loader *ld, yaml_node_t *node, pb_line *l)
{
    static const char *const keys[] = {"id",   "code",    "text", "fallback",
                                       "when", "promise", "end",  NULL};
    if (!yamldoc_expect_map(ld->y, node, "a line"))
        return false;
    yamldoc_check_keys(ld->y, node, keys, "a line");
    const char *id = get_scalar(ld, node, "id");
    const char *code = get_scalar(ld, node, "code");
    const char *text = get_scalar(ld, node, "text");
    if (!id || !text || !*text) {
        yamldoc_error(ld->y, node, "a line needs \"id\" and \"text\"");
        return false;
    }
    if (!valid_name(id, ".-")) {
        yamldoc_error(ld->y, yamldoc_get(ld->y, node, "id"),
                      "line id \"%s\": use lowercase letters, digits, _ . -", id);
        return false;
    }
    if (code && !valid_name(code, NULL)) {
        yamldoc_error(ld->y, yamldoc_get(ld->y, node, "code"),
                      "short code \"%s\": use lowercase letters and digits", code);
        return false;
    }
    l->id = copy(ld, id);
    l->code = copy(ld, code);
    l->text = copy(ld, text);
    if (!l->id || !l->text || (code && !l->code))
        return false;
    l->mark = mark_of(ld, node);
    l->origin = ld->origin;
    yaml_node_t *n;
    if ((n = yamldoc_get(ld->y, node, "fallback")) && !load_fallbacks(ld, n, l))
        return false;
    if ((n = yamldoc_get(ld->y, node, "when")) && !parse_when(ld, n, &l->when, l))
        return false;
    if ((n = yamldoc_get(ld->y, node, "promise")) &&
        !(l->promise_name = duration_text(ld, n, "promise")))
        return false;
    if ((n = yamldoc_get(ld->y, node, "end")) && !yamldoc_bool(ld->y, n, &l->end))
        return false;
    return true;
}

/* Adds or replaces a line of state s; returns its index or PB_NONE. */
static int load_line(loader *ld, yaml_node_t *node, int s)
{
    pb_line l = {0};
    if (!load_line_fields(ld, node, &l)) {
        free_line(&l);
        return PB_NONE;
    }
    l.state = s;
    int existing = playbook_line_index(ld->pb, l.id);
    if (existing >= 0 && ld->pb->lines[existing].origin == ld->origin) {
        pb_mark first = ld->pb->lines[existing].mark;
        diag_add(ld->diag, l.mark.file, l.mark.line, l.mark.col,
                 "duplicate line id \"%s\" (first defined at line %d)", l.id, first.line);
        free_line(&l);
        return PB_NONE;
    }
    if (existing >= 0) {
        if (ld->pb->lines[existing].state != s) {
            error_at(ld, l.mark, "line \"%s\" overrides a line of another state", l.id);
            free_line(&l);
            return PB_NONE;
        }
        free_line(&ld->pb->lines[existing]);
        ld->pb->lines[existing] = l;
        return existing;
    }
    pb_line *slot = PUSH(ld, ld->pb->lines, ld->pb->line_count);
    if (!slot) {
        free_line(&l);
        return PB_NONE;
    }
    *slot = l;
    return (int)(ld->pb->line_count - 1);
}

static void load_lines(loader *ld, yaml_node_t *seq, int s)
{
    if (!yamldoc_expect_seq(ld->y, seq, "lines"))
        return;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        int idx = load_line(ld, item, s);
        if (idx < 0)
            continue;
        pb_state *st = &ld->pb->states[s];
        bool listed = false;
        for (size_t j = 0; j < st->line_count; j++)
            listed = listed || st->lines[j] == idx;
        int *slot = listed ? NULL : PUSH(ld, st->lines, st->line_count);
        if (slot)
            *slot = idx;
    }
}

static void free_ladder(pb_step *steps, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(steps[i].after_name);
        free(steps[i].line_id);
        free(steps[i].chat_line_id);
    }
    free(steps);
}

static void load_ladder(loader *ld, yaml_node_t *seq, pb_state *st)
{
    static const char *const keys[] = {"after", "line", "chat", "repeat", "end", NULL};
    if (!yamldoc_expect_seq(ld->y, seq, "ladder"))
        return;
    free_ladder(st->ladder, st->ladder_count);
    st->ladder = NULL;
    st->ladder_count = 0;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        if (!yamldoc_expect_map(ld->y, item, "a ladder step"))
            continue;
        yamldoc_check_keys(ld->y, item, keys, "a ladder step");
        yaml_node_t *after = yamldoc_get(ld->y, item, "after");
        const char *line = get_scalar(ld, item, "line");
        if (!after || !line) {
            yamldoc_error(ld->y, item, "a ladder step needs \"after\" and \"line\"");
            continue;
        }
        pb_step *step = PUSH(ld, st->ladder, st->ladder_count);
        if (!step)
            return;
        step->mark = mark_of(ld, item);
        step->after_name = duration_text(ld, after, "after");
        step->line_id = copy(ld, line);
        step->line = PB_NONE;
        step->chat_line = PB_NONE;
        const char *chat = get_scalar(ld, item, "chat");
        if (chat)
            step->chat_line_id = copy(ld, chat);
        yaml_node_t *n;
        if ((n = yamldoc_get(ld->y, item, "repeat")))
            yamldoc_bool(ld->y, n, &step->repeat);
        if ((n = yamldoc_get(ld->y, item, "end")))
            yamldoc_bool(ld->y, n, &step->end);
    }
}

static void free_avoid(pb_avoid *a, size_t n)
{
    for (size_t i = 0; i < n; i++) {
        free(a[i].never);
        free(a[i].say);
    }
    free(a);
}

static void load_avoid(loader *ld, yaml_node_t *seq, pb_state *st)
{
    static const char *const keys[] = {"never", "say", NULL};
    if (!yamldoc_expect_seq(ld->y, seq, "avoid"))
        return;
    free_avoid(st->avoid, st->avoid_count);
    st->avoid = NULL;
    st->avoid_count = 0;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        if (!yamldoc_expect_map(ld->y, item, "an avoid entry"))
            continue;
        yamldoc_check_keys(ld->y, item, keys, "an avoid entry");
        const char *never = get_scalar(ld, item, "never"), *say = get_scalar(ld, item, "say");
        if (!never || !say) {
            yamldoc_error(ld->y, item, "an avoid entry needs \"never\" and \"say\"");
            continue;
        }
        pb_avoid *a = PUSH(ld, st->avoid, st->avoid_count);
        if (!a)
            return;
        a->never = copy(ld, never);
        a->say = copy(ld, say);
        a->say_line = PB_NONE;
    }
}

static void load_state(loader *ld, yaml_node_t *k, yaml_node_t *v)
{
    static const char *const keys[] = {"label",       "lines",    "avoid", "ladder",
                                       "transitions", "examples", NULL};
    const char *id = yamldoc_scalar(k);
    if (!id || !valid_name(id, NULL)) {
        yamldoc_error(ld->y, k, "state ids are lowercase words (a-z, 0-9, _)");
        return;
    }
    if (!yamldoc_expect_map(ld->y, v, "a state"))
        return;
    yamldoc_check_keys(ld->y, v, keys, "a state");
    int s = playbook_state_index(ld->pb, id);
    if (s >= 0 && ld->pb->states[s].origin == ld->origin) {
        yamldoc_error(ld->y, k, "duplicate state \"%s\"", id);
        return;
    }
    if (s < 0) {
        pb_state *st = PUSH(ld, ld->pb->states, ld->pb->state_count);
        if (!st)
            return;
        if (!(st->id = copy(ld, id))) {
            ld->pb->state_count--;
            return;
        }
        s = (int)ld->pb->state_count - 1;
    }
    pb_state *st = &ld->pb->states[s];
    st->origin = ld->origin;
    st->mark = mark_of(ld, k);
    const char *label = get_scalar(ld, v, "label");
    if (label)
        set_string(ld, &st->label, label);
    else if (!st->label)
        yamldoc_error(ld->y, k, "state \"%s\" needs a \"label\"", id);
    yaml_node_t *n;
    if ((n = yamldoc_get(ld->y, v, "lines")))
        load_lines(ld, n, s);
    st = &ld->pb->states[s];
    if ((n = yamldoc_get(ld->y, v, "avoid")))
        load_avoid(ld, n, st);
    if ((n = yamldoc_get(ld->y, v, "ladder")))
        load_ladder(ld, n, st);
    if ((n = yamldoc_get(ld->y, v, "transitions")))
        load_transitions(ld, n, &st->transitions, &st->transition_count, false);
    if ((n = yamldoc_get(ld->y, v, "examples"))) {
        free_words(st->examples, st->example_count);
        st->examples = load_word_list(ld, n, &st->example_count, "examples");
    }
}

static void load_states(loader *ld, yaml_node_t *map)
{
    if (!yamldoc_expect_map(ld->y, map, "states"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(ld->y, map, i, &k, &v); i++)
        load_state(ld, k, v);
}

static void free_reply(pb_reply *r)
{
    free(r->said_name);
    free(r->asked_name);
    free_transition(&r->t);
}

static void load_replies(loader *ld, yaml_node_t *seq)
{
    static const char *const keys[] = {"said", "asked", "cue", "to", "line", NULL};
    if (!yamldoc_expect_seq(ld->y, seq, "replies"))
        return;
    pb_detect *dt = &ld->pb->detect;
    for (size_t i = 0; i < dt->reply_count; i++)
        free_reply(&dt->replies[i]);
    free(dt->replies);
    dt->replies = NULL;
    dt->reply_count = 0;
    yaml_node_t *item;
    for (size_t i = 0; (item = yamldoc_item(ld->y, seq, i)); i++) {
        if (!yamldoc_expect_map(ld->y, item, "a reply"))
            continue;
        yamldoc_check_keys(ld->y, item, keys, "a reply");
        const char *said = get_scalar(ld, item, "said"), *cue = get_scalar(ld, item, "cue");
        const char *to = get_scalar(ld, item, "to"), *line = get_scalar(ld, item, "line");
        if (!said || !cue || !to) {
            yamldoc_error(ld->y, item, "a reply needs \"said\", \"cue\" and \"to\"");
            continue;
        }
        pb_reply *r = PUSH(ld, dt->replies, dt->reply_count);
        if (!r)
            return;
        const char *asked = get_scalar(ld, item, "asked");
        *r = (pb_reply){.said = PB_NONE,
                        .asked = PB_NONE,
                        .t = {.trigger = TRIGGER_CUE,
                              .to = PB_NONE,
                              .line = PB_NONE,
                              .cue = PB_NONE,
                              .mark = mark_of(ld, item)}};
        r->said_name = copy(ld, said);
        r->asked_name = copy(ld, asked);
        r->t.cue_name = copy(ld, cue);
        r->t.to_name = copy(ld, to);
        r->t.line_id = copy(ld, line);
        if (!r->said_name || !r->t.cue_name || !r->t.to_name || (line && !r->t.line_id) ||
            (asked && !r->asked_name)) {
            free_reply(r);
            dt->reply_count--;
            return;
        }
    }
}

/* Replaces a word list of the detect: section when the key is given. */
static void load_detect_list(loader *ld, yaml_node_t *map, const char *key, char ***words,
                             size_t *count)
{
    yaml_node_t *n = yamldoc_get(ld->y, map, key);
    if (!n)
        return;
    free_words(*words, *count);
    *words = load_word_list(ld, n, count, key);
}

static void load_detect(loader *ld, yaml_node_t *map)
{
    static const char *const keys[] = {"threshold", "noise",   "polite",   "negators",
                                       "same",      "replies", "examples", NULL};
    if (!yamldoc_expect_map(ld->y, map, "detect"))
        return;
    yamldoc_check_keys(ld->y, map, keys, "detect");
    pb_detect *dt = &ld->pb->detect;
    dt->mark = mark_of(ld, map);
    yaml_node_t *n;
    if ((n = yamldoc_get(ld->y, map, "threshold")) && parse_weight(ld, n, &dt->threshold) &&
        dt->threshold > 1) {
        yamldoc_error(ld->y, n, "threshold: want a number from 0 to 1");
        dt->threshold = -1;
    }
    load_detect_list(ld, map, "noise", &dt->noise, &dt->noise_count);
    load_detect_list(ld, map, "polite", &dt->polite, &dt->polite_count);
    load_detect_list(ld, map, "negators", &dt->negators, &dt->negator_count);
    load_detect_list(ld, map, "same", &dt->same, &dt->same_count);
    if ((n = yamldoc_get(ld->y, map, "replies")))
        load_replies(ld, n);
    if ((n = yamldoc_get(ld->y, map, "examples")) && yamldoc_expect_map(ld->y, n, "examples")) {
        yaml_node_t *k, *v;
        for (size_t i = 0; yamldoc_pair(ld->y, n, i, &k, &v); i++) {
            const char *id = yamldoc_scalar(k);
            int s = id ? playbook_state_index(ld->pb, id) : PB_NONE;
            if (s < 0) {
                yamldoc_error(ld->y, k, "examples for unknown state \"%s\"", id ? id : "");
                continue;
            }
            pb_state *st = &ld->pb->states[s];
            free_words(st->examples, st->example_count);
            st->examples = load_word_list(ld, v, &st->example_count, "examples");
        }
    }
    if ((n = yamldoc_get(ld->y, map, "noise"))) {
        yaml_node_t *item;
        for (size_t i = 0; i < dt->noise_count && (item = yamldoc_item(ld->y, n, i)); i++) {
            regex_t re;
            int rc = regcomp(&re, dt->noise[i], REG_EXTENDED);
            if (rc != 0) {
                char msg[128];
                regerror(rc, &re, msg, sizeof msg);
                yamldoc_error(ld->y, item, "noise: bad regular expression: %s", msg);
            } else {
                regfree(&re);
            }
        }
    }
}

/* ---- resolving names once every file is merged -------------------------- */

static bool resolve_duration(loader *ld, const char *text, pb_mark m, int64_t *ms)
{
    bool negative;
    if (duration_parse(text, ms, &negative)) {
        if (negative) {
            error_at(ld, m, "duration \"%s\" must not be negative", text);
            return false;
        }
        return true;
    }
    const pb_setting *s = find_setting(ld->pb, text);
    if (!s) {
        error_at(ld, m, "\"%s\" is neither a duration nor a setting name", text);
        return false;
    }
    *ms = s->ms;
    return true;
}

/* Checks every {placeholder} of a line's text is declared. */
static void resolve_placeholders(loader *ld, pb_line *l)
{
    for (const char *p = strchr(l->text, '{'); p; p = strchr(p + 1, '{')) {
        const char *end = strchr(p, '}');
        if (!end) {
            error_at(ld, l->mark, "line \"%s\": unterminated {placeholder}", l->id);
            return;
        }
        char name[64];
        size_t n = (size_t)(end - p - 1);
        if (n == 0 || n >= sizeof name) {
            error_at(ld, l->mark, "line \"%s\": empty or overlong {placeholder}", l->id);
            continue;
        }
        memcpy(name, p + 1, n);
        name[n] = '\0';
        if (!playbook_placeholder(ld->pb, name)) {
            error_at(ld, l->mark, "line \"%s\": unknown placeholder {%s}", l->id, name);
        }
    }
    for (size_t i = 0; i < l->fallback_count; i++)
        if (!playbook_placeholder(ld->pb, l->fallbacks[i].name))
            error_at(ld, l->mark, "fallback for unknown placeholder \"%s\"", l->fallbacks[i].name);
    for (size_t i = 0; i < l->value_when_count; i++)
        if (!playbook_placeholder(ld->pb, l->value_when[i].name))
            error_at(ld, l->mark, "condition on unknown placeholder \"%s\"", l->value_when[i].name);
}

static void resolve_line(loader *ld, pb_line *l, size_t index)
{
    resolve_placeholders(ld, l);
    if (l->promise_name)
        resolve_duration(ld, l->promise_name, l->mark, &l->promise_ms);
    if (!l->code)
        return;
    for (size_t j = 0; j < index; j++) {
        if (ld->pb->lines[j].code && strcmp(ld->pb->lines[j].code, l->code) == 0) {
            error_at(ld, l->mark, "short code \"%s\" of line \"%s\" is already used by \"%s\"",
                     l->code, l->id, ld->pb->lines[j].id);
            return;
        }
    }
}

static int resolve_line_ref(loader *ld, const char *id, pb_mark m)
{
    int idx = playbook_line_index(ld->pb, id);
    if (idx < 0)
        error_at(ld, m, "unknown line id \"%s\"", id);
    return idx;
}

static void resolve_transition(loader *ld, pb_transition *t)
{
    if (strcmp(t->to_name, "back") == 0)
        t->to = PB_BACK;
    else if ((t->to = playbook_state_index(ld->pb, t->to_name)) < 0)
        error_at(ld, t->mark, "transition to unknown state \"%s\"", t->to_name);
    if (t->line_id)
        t->line = resolve_line_ref(ld, t->line_id, t->mark);
    if (t->trigger == TRIGGER_CUE && (t->cue = playbook_cue_index(ld->pb, t->cue_name)) < 0)
        error_at(ld, t->mark, "unknown cue set \"%s\"", t->cue_name);
    if (t->trigger == TRIGGER_AFTER && t->after_name &&
        resolve_duration(ld, t->after_name, t->mark, &t->after_ms) && t->after_ms == 0)
        error_at(ld, t->mark, "a timed transition needs a positive \"after\"");
}

static void resolve_state(loader *ld, pb_state *st)
{
    for (size_t i = 0; i < st->ladder_count; i++) {
        pb_step *step = &st->ladder[i];
        if (step->after_name)
            resolve_duration(ld, step->after_name, step->mark, &step->after_ms);
        step->line = resolve_line_ref(ld, step->line_id, step->mark);
        if (step->chat_line_id)
            step->chat_line = resolve_line_ref(ld, step->chat_line_id, step->mark);
        if (step->after_ms == 0 && step->repeat)
            error_at(ld, step->mark, "a repeating step needs a positive \"after\"");
    }
    for (size_t i = 0; i < st->avoid_count; i++) {
        pb_avoid *a = &st->avoid[i];
        a->say_line = playbook_line_index(ld->pb, a->say);
        if (a->say_line < 0 && strchr(a->say, '.') && valid_name(a->say, ".-"))
            error_at(ld, st->mark, "state \"%s\": avoid names unknown line id \"%s\"", st->id,
                     a->say);
    }
    for (size_t i = 0; i < st->transition_count; i++)
        resolve_transition(ld, &st->transitions[i]);
}

static void resolve_all(loader *ld)
{
    playbook *pb = ld->pb;
    for (size_t i = 0; i < pb->line_count; i++)
        resolve_line(ld, &pb->lines[i], i);
    for (size_t i = 0; i < pb->state_count; i++)
        resolve_state(ld, &pb->states[i]);
    for (size_t i = 0; i < pb->transition_count; i++)
        resolve_transition(ld, &pb->transitions[i]);
    for (size_t i = 0; i < pb->detect.reply_count; i++) {
        pb_reply *r = &pb->detect.replies[i];
        if ((r->said = playbook_state_index(pb, r->said_name)) < 0)
            error_at(ld, r->t.mark, "reply after unknown state \"%s\"", r->said_name);
        if (r->asked_name && (r->asked = playbook_cue_index(pb, r->asked_name)) < 0)
            error_at(ld, r->t.mark, "unknown cue set \"%s\"", r->asked_name);
        resolve_transition(ld, &r->t);
    }
}

/* ---- documents ---------------------------------------------------------- */

static bool apply_text(loader *ld, const char *file, const char *data, size_t len);

static void load_base(loader *ld, yaml_node_t *node)
{
    const char *name = yamldoc_scalar(node);
    if (!name || !*name) {
        yamldoc_error(ld->y, node, "extends must name a playbook");
        return;
    }
    if (!ld->reader || ld->depth >= MAX_EXTENDS_DEPTH) {
        yamldoc_error(ld->y, node,
                      ld->reader ? "extends nests too deeply" : "extends is not allowed here");
        return;
    }
    size_t len;
    char *path = NULL;
    char *data = ld->reader(ld->reader_ctx, name, ld->y->file, &len, &path);
    if (!data) {
        yamldoc_error(ld->y, node, "cannot find the playbook \"%s\" named by extends", name);
        free(path);
        return;
    }
    loader sub = *ld;
    sub.depth++;
    apply_text(&sub, path ? path : name, data, len);
    ld->oom = sub.oom;
    free(data);
    free(path);
}

static void apply_root(loader *ld, yaml_node_t *root)
{
    static const char *const keys[] = {"playbook",  "name",         "locale",   "extends",
                                       "settings",  "placeholders", "calendar", "cues",
                                       "forbidden", "transitions",  "states",   "detect",
                                       NULL};
    if (!yamldoc_expect_map(ld->y, root, "a playbook"))
        return;
    yamldoc_check_keys(ld->y, root, keys, "a playbook");
    yaml_node_t *n;
    if ((n = yamldoc_get(ld->y, root, "extends")))
        load_base(ld, n);
    const char *id = get_scalar(ld, root, "playbook");
    if (!id)
        yamldoc_error(ld->y, root, "missing \"playbook\": the playbook id");
    else
        set_string(ld, &ld->pb->id, id);
    const char *name = get_scalar(ld, root, "name"), *locale = get_scalar(ld, root, "locale");
    if (name)
        set_string(ld, &ld->pb->name, name);
    if (locale)
        set_string(ld, &ld->pb->locale, locale);
    if ((n = yamldoc_get(ld->y, root, "settings")))
        load_settings(ld, n);
    if ((n = yamldoc_get(ld->y, root, "placeholders")))
        load_placeholders(ld, n);
    if ((n = yamldoc_get(ld->y, root, "calendar")))
        load_calendar(ld, n);
    if ((n = yamldoc_get(ld->y, root, "cues")))
        load_cues(ld, n);
    if ((n = yamldoc_get(ld->y, root, "forbidden")))
        load_forbidden(ld, n);
    if ((n = yamldoc_get(ld->y, root, "transitions")))
        load_transitions(ld, n, &ld->pb->transitions, &ld->pb->transition_count, true);
    if ((n = yamldoc_get(ld->y, root, "states")))
        load_states(ld, n);
    if ((n = yamldoc_get(ld->y, root, "detect")))
        load_detect(ld, n);
}

static const yamldoc_cache *yaml_cache;

void playbook_set_cache(const yamldoc_cache *cache)
{
    yaml_cache = cache;
}

static bool apply_text(loader *ld, const char *file, const char *data, size_t len)
{
    char **slot = PUSH(ld, ld->pb->files, ld->pb->file_count);
    if (!slot)
        return false;
    if (!(*slot = copy(ld, file))) {
        ld->pb->file_count--;
        return false;
    }
    yamldoc y;
    loader here = *ld;
    here.y = &y;
    here.origin = (int)ld->pb->file_count - 1;
    bool ok = yamldoc_load_cached(&y, ld->pb->files[here.origin], data, len, ld->diag, yaml_cache);
    if (ok)
        apply_root(&here, yamldoc_root(&y));
    yamldoc_free(&y);
    ld->oom = here.oom;
    return ok;
}

playbook *playbook_load(const char *file, const char *data, size_t len, playbook_reader reader,
                        void *reader_ctx, diagnostics *d)
{
    playbook *pb = calloc(1, sizeof *pb);
    if (!pb) {
        diag_add(d, file, 1, 1, "out of memory");
        return NULL;
    }
    pb->detect.threshold = -1;
    int before = d->count;
    loader ld = {.pb = pb, .diag = d, .reader = reader, .reader_ctx = reader_ctx};
    yamldoc none = {.file = file, .diag = d};
    ld.y = &none;
    if (apply_text(&ld, file, data, len) && !ld.oom) {
        if (!pb->name)
            diag_add(d, file, 1, 1, "missing \"name\": the playbook's title");
        if (!pb->locale)
            diag_add(d, file, 1, 1, "missing \"locale\"");
        if (pb->state_count == 0)
            diag_add(d, file, 1, 1, "a playbook needs at least one state");
        resolve_all(&ld);
    }
    if (d->count != before) {
        diag_sort(d);
        playbook_free(pb);
        return NULL;
    }
    return pb;
}

static void free_state(pb_state *st)
{
    free(st->id);
    free(st->label);
    free(st->lines);
    free_ladder(st->ladder, st->ladder_count);
    free_avoid(st->avoid, st->avoid_count);
    for (size_t i = 0; i < st->transition_count; i++)
        free_transition(&st->transitions[i]);
    free(st->transitions);
    free_words(st->examples, st->example_count);
}

void playbook_free(playbook *pb)
{
    if (!pb)
        return;
    for (size_t i = 0; i < pb->line_count; i++)
        free_line(&pb->lines[i]);
    for (size_t i = 0; i < pb->state_count; i++)
        free_state(&pb->states[i]);
    for (size_t i = 0; i < pb->transition_count; i++)
        free_transition(&pb->transitions[i]);
    for (size_t i = 0; i < pb->placeholder_count; i++) {
        free(pb->placeholders[i].name);
        free(pb->placeholders[i].default_value);
        free(pb->placeholders[i].label);
        free(pb->placeholders[i].fallback);
    }
    for (size_t i = 0; i < pb->cue_count; i++) {
        free(pb->cues[i].name);
        free_words(pb->cues[i].words, pb->cues[i].word_count);
    }
    for (size_t i = 0; i < pb->forbidden_count; i++) {
        free(pb->forbidden[i].phrase);
        free(pb->forbidden[i].better);
        free(pb->forbidden[i].note);
        free_words(pb->forbidden[i].allow, pb->forbidden[i].allow_count);
    }
    detect_free(pb->detector);
    free_words(pb->detect.noise, pb->detect.noise_count);
    free_words(pb->detect.polite, pb->detect.polite_count);
    free_words(pb->detect.negators, pb->detect.negator_count);
    free_words(pb->detect.same, pb->detect.same_count);
    for (size_t i = 0; i < pb->detect.reply_count; i++)
        free_reply(&pb->detect.replies[i]);
    free(pb->detect.replies);
    for (size_t i = 0; i < pb->time_count; i++)
        free(pb->times[i].text);
    for (size_t i = 0; i < pb->holiday_count; i++)
        free(pb->holidays[i].text);
    for (size_t i = 0; i < pb->setting_count; i++)
        free(pb->settings[i].name);
    for (size_t i = 0; i < pb->file_count; i++)
        free(pb->files[i]);
    free(pb->lines);
    free(pb->states);
    free(pb->transitions);
    free(pb->placeholders);
    free(pb->cues);
    free(pb->forbidden);
    free(pb->times);
    free(pb->holidays);
    free(pb->settings);
    free(pb->files);
    free(pb->id);
    free(pb->name);
    free(pb->locale);
    free(pb);
}
