/* huashu eval: measure state detection on labelled customer messages. The events (JSONL) go
 * through the engine as in replay; for each labelled conversation (TSV: conv, expected state,
 * text...) the state right after its labelled customer message is compared with the label
 * ("same": the message must not change the state). Prints per-state precision, recall and F1,
 * macro-F1, accuracy, the confusion matrix and every miss. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "core/buf.h"
#include "core/detect.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/text.h"
#include "net/linereader.h"
#include "net/paths.h"
#include "startup.h"

#define SAME_LABEL "same"

typedef struct item {
    char *conv;
    char *expected; /* a state id or "same" */
    char *text;     /* the labelled message's text as the TSV gives it; may be "" */
    unsigned long line;
    bool seen;      /* a customer message of conv was fed */
    bool text_seen; /* ... one whose text equals the TSV's */
    int before, after;
    char *got_text;    /* the message measured */
    detect_result why; /* how detection scored it */
} item;

typedef struct eval_set {
    item *items;
    size_t count, cap;
    item **by_conv; /* sorted by conv for lookups */
} eval_set;

typedef struct eval_args {
    startup_args opts; /* --playbook, --config */
    const char *tsv, *jsonl, *format;
    double min_f1;
    bool has_min_f1;
} eval_args;

enum { OPT_FORMAT, OPT_MIN_F1 };

static const cli_option eval_options[] = {
    STARTUP_OPTION_PLAYBOOK,
    {"--format", "text|json", "the output format (default: text)", OPT_FORMAT, NULL},
    {"--min-f1", "X", "exit 1 when macro-F1 is below X (0 to 1)", OPT_MIN_F1, NULL},
    STARTUP_OPTION_CONFIG,
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const eval_tables[] = {eval_options, NULL};

static const cli_spec eval_spec = {
    "huashu eval",
    "huashu eval [--playbook NAME|FILE] [--format text|json] [--min-f1 X] [--config FILE]\n"
    "                   TSV JSONL",
    "  TSV: conv<TAB>expected state (or \"same\")<TAB>text...; '#' lines are comments\n"
    "  JSONL: the events; a conversation's labelled message is its customer message\n"
    "  with that text (else its last one). Exit 1 when macro-F1 is below --min-f1.",
    eval_tables,
};

/* The cli_take_fn of huashu eval. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    eval_args *a = ctx;
    (void)name;
    if (startup_is_option(id))
        return startup_take(&a->opts, id, value);
    if (id == OPT_FORMAT) {
        a->format = value;
        return !strcmp(value, "text") || !strcmp(value, "json");
    }
    if (id == OPT_MIN_F1) {
        char *end;
        a->min_f1 = strtod(value, &end);
        a->has_min_f1 = true;
        return !*end && a->min_f1 >= 0 && a->min_f1 <= 1;
    }
    if (!a->tsv)
        a->tsv = value;
    else if (!a->jsonl)
        a->jsonl = value;
    else
        return false;
    return true;
}

static int cmp_conv(const void *a, const void *b)
{
    return strcmp((*(item *const *)a)->conv, (*(item *const *)b)->conv);
}

static item *find_item(const eval_set *s, const char *conv)
{
    item key = {.conv = (char *)conv}, *kp = &key;
    item **hit = bsearch(&kp, s->by_conv, s->count, sizeof *s->by_conv, cmp_conv);
    return hit ? *hit : NULL;
}

static void set_free(eval_set *s)
{
    for (size_t i = 0; i < s->count; i++) {
        free(s->items[i].conv);
        free(s->items[i].expected);
        free(s->items[i].text);
        free(s->items[i].got_text);
    }
    free(s->items);
    free(s->by_conv);
}

/* Reads the TSV; problems are printed as file:line:col. False on a problem. */
static bool read_tsv(const char *path, const playbook *pb, eval_set *s)
{
    FILE *f = fopen(path, "r");
    if (!f) {
        fprintf(stderr, "huashu eval: %s: %s\n", path, strerror(errno));
        return false;
    }
    char *line = NULL;
    size_t cap = 0;
    ssize_t n;
    unsigned long lineno = 0;
    bool ok = true;
    while ((n = getline(&line, &cap, f)) >= 0) {
        lineno++;
        while (n > 0 && (line[n - 1] == '\n' || line[n - 1] == '\r'))
            line[--n] = '\0';
        if (n == 0 || line[0] == '#')
            continue;
        char *tab1 = strchr(line, '\t');
        char *tab2 = tab1 ? strchr(tab1 + 1, '\t') : NULL;
        if (!tab1) {
            fprintf(stderr, "%s:%lu:%zu: want conv<TAB>expected state\n", path, lineno,
                    (size_t)n + 1);
            ok = false;
            continue;
        }
        *tab1 = '\0';
        if (tab2)
            *tab2 = '\0';
        char *text = tab2 ? tab2 + 1 : tab1 + strlen(tab1 + 1) + 1;
        char *tab3 = strchr(text, '\t');
        if (tab3)
            *tab3 = '\0';
        const char *expected = tab1 + 1;
        if (strcmp(expected, SAME_LABEL) != 0 && playbook_state_index(pb, expected) < 0) {
            fprintf(stderr, "%s:%lu:%zu: unknown state \"%s\" for playbook %s\n", path, lineno,
                    (size_t)(expected - line) + 1, expected, pb->id);
            ok = false;
            continue;
        }
        if (s->count == s->cap) {
            size_t ncap = s->cap ? s->cap * 2 : 64;
            item *grown = realloc(s->items, ncap * sizeof *grown);
            if (!grown) {
                ok = false;
                break;
            }
            s->items = grown;
            s->cap = ncap;
        }
        item *it = &s->items[s->count];
        *it = (item){.conv = strdup(line),
                     .expected = strdup(expected),
                     .text = strdup(text),
                     .line = lineno,
                     .before = PB_NONE,
                     .after = PB_NONE};
        if (!it->conv || !it->expected || !it->text) {
            free(it->conv);
            free(it->expected);
            free(it->text);
            ok = false;
            break;
        }
        s->count++;
    }
    free(line);
    fclose(f);
    if (!ok)
        return false;
    s->by_conv = malloc((s->count ? s->count : 1) * sizeof *s->by_conv);
    if (!s->by_conv)
        return false;
    for (size_t i = 0; i < s->count; i++)
        s->by_conv[i] = &s->items[i];
    qsort(s->by_conv, s->count, sizeof *s->by_conv, cmp_conv);
    for (size_t i = 1; i < s->count; i++) {
        if (!strcmp(s->by_conv[i]->conv, s->by_conv[i - 1]->conv)) {
            fprintf(stderr, "%s:%lu:1: conversation \"%s\" labelled twice (first on line %lu)\n",
                    path, s->by_conv[i]->line, s->by_conv[i]->conv, s->by_conv[i - 1]->line);
            ok = false;
        }
    }
    return ok;
}

/* Feeds the events; records, per labelled conversation, the state around its message. */
static bool feed_events(const char *path, engine *e, eval_set *s)
{
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "huashu eval: %s: %s\n", path, strerror(errno));
        return false;
    }
    linereader lr;
    if (!linereader_init(&lr, fd, EVENT_MAX_LINE)) {
        close(fd);
        return false;
    }
    const char *line;
    size_t len;
    linereader_status st;
    bool ok = true;
    while ((st = linereader_next(&lr, &line, &len)) != LINE_EOF) {
        char err[256];
        event ev;
        if (st == LINE_ERROR) {
            fprintf(stderr, "%s: read error: %s\n", path, strerror(errno));
            ok = false;
            break;
        }
        if (st == LINE_TOO_LONG) {
            fprintf(stderr, "%s:%lu: skipped: line longer than 64 KiB\n", path, lr.line_number);
            continue;
        }
        if (len == 0)
            continue;
        if (!event_parse(&ev, line, len, err, sizeof err)) {
            fprintf(stderr, "%s:%lu: skipped: %s\n", path, lr.line_number, err);
            continue;
        }
        item *it =
            ev.type == EVENT_MESSAGE && ev.from == FROM_CUSTOMER ? find_item(s, ev.conv) : NULL;
        const conversation *c = it ? engine_find(e, ev.conv) : NULL;
        int before = c ? c->state : PB_NONE;
        detect_result why = {.top_count = 0};
        const playbook *pb = engine_playbook(e);
        if (c && pb->detector) {
            detect_ctx ctx = {
                .state = c->state,
                .said_state = c->last_sent_line >= 0 ? pb->lines[c->last_sent_line].state : PB_NONE,
                .asked = c->asked,
                .explain = true};
            detect_message(pb->detector, pb, &ctx, ev.text, strlen(ev.text), &why);
        }
        if (!engine_feed(e, &ev, err, sizeof err))
            fprintf(stderr, "%s:%lu: %s\n", path, lr.line_number, err);
        c = it ? engine_find(e, ev.conv) : NULL;
        if (c && (!it->text_seen || !strcmp(ev.text, it->text))) {
            if (before == PB_NONE)
                before = c->state; /* no open record: the state it was created in */
            char *copy = strdup(ev.text);
            if (copy) {
                free(it->got_text);
                it->got_text = copy;
            }
            it->seen = true;
            it->text_seen = it->text_seen || !strcmp(ev.text, it->text);
            it->before = before;
            it->after = c->state;
            it->why = why;
        }
        event_release(&ev);
    }
    linereader_free(&lr);
    close(fd);
    return ok;
}

/* ---- scoring ------------------------------------------------------------ */

typedef struct scores {
    const char **labels; /* every label expected or reached, in first-seen order */
    size_t label_count;
    unsigned *matrix; /* label_count x label_count: [expected][got] */
    int *got;         /* per item: index into labels of what was reached */
    int *want;        /* per item: index of the expected label */
    size_t right;
    double macro_f1, accuracy;
    double *precision, *recall, *f1;
    unsigned *support;
} scores;

static int label_index(scores *sc, const char *label)
{
    for (size_t i = 0; i < sc->label_count; i++)
        if (!strcmp(sc->labels[i], label))
            return (int)i;
    sc->labels[sc->label_count] = label;
    return (int)sc->label_count++;
}

/* What the engine reached for one item, as a label: "same" when the message left the state as
 * it was (unless that state is the one expected: a hail that keeps `greeting` is right). */
static const char *reached(const playbook *pb, const item *it)
{
    if (!it->seen)
        return "(no message)";
    if (it->after == it->before && strcmp(it->expected, pb->states[it->after].id))
        return SAME_LABEL;
    return pb->states[it->after].id;
}

static bool score(const playbook *pb, const eval_set *s, scores *sc)
{
    size_t max = 2 * s->count + 1;
    sc->labels = calloc(max, sizeof *sc->labels);
    sc->got = calloc(s->count + 1, sizeof *sc->got);
    sc->want = calloc(s->count + 1, sizeof *sc->want);
    if (!sc->labels || !sc->got || !sc->want)
        return false;
    for (size_t i = 0; i < s->count; i++)
        sc->want[i] = label_index(sc, s->items[i].expected);
    for (size_t i = 0; i < s->count; i++)
        sc->got[i] = label_index(sc, reached(pb, &s->items[i]));
    size_t n = sc->label_count;
    sc->matrix = calloc(n * n + 1, sizeof *sc->matrix);
    sc->precision = calloc(n + 1, sizeof *sc->precision);
    sc->recall = calloc(n + 1, sizeof *sc->recall);
    sc->f1 = calloc(n + 1, sizeof *sc->f1);
    sc->support = calloc(n + 1, sizeof *sc->support);
    if (!sc->matrix || !sc->precision || !sc->recall || !sc->f1 || !sc->support)
        return false;
    for (size_t i = 0; i < s->count; i++) {
        sc->matrix[(size_t)sc->want[i] * n + (size_t)sc->got[i]]++;
        sc->support[sc->want[i]]++;
        if (sc->want[i] == sc->got[i])
            sc->right++;
    }
    double sum = 0;
    for (size_t l = 0; l < n; l++) {
        unsigned tp = sc->matrix[l * n + l], predicted = 0;
        for (size_t k = 0; k < n; k++)
            predicted += sc->matrix[k * n + l];
        sc->precision[l] = predicted ? (double)tp / predicted : 0;
        sc->recall[l] = sc->support[l] ? (double)tp / sc->support[l] : 0;
        double pr = sc->precision[l] + sc->recall[l];
        sc->f1[l] = pr > 0 ? 2 * sc->precision[l] * sc->recall[l] / pr : 0;
        sum += sc->f1[l];
    }
    sc->macro_f1 = n ? sum / n : 0;
    sc->accuracy = s->count ? (double)sc->right / s->count : 0;
    return true;
}

static void scores_free(scores *sc)
{
    free(sc->labels);
    free(sc->matrix);
    free(sc->got);
    free(sc->want);
    free(sc->precision);
    free(sc->recall);
    free(sc->f1);
    free(sc->support);
}

/* ---- output ------------------------------------------------------------- */

/* Appends s left-aligned in a column of width display cells. */
static void put_cell(buf *b, const char *s, int width)
{
    buf_puts(b, s);
    for (size_t w = text_width(s, strlen(s), false); w < (size_t)width; w++)
        buf_putc(b, ' ');
}

static void print_text(const playbook *pb, const eval_set *s, const scores *sc, buf *b)
{
    size_t n = sc->label_count;
    buf_puts(b, "state              n  precision  recall     f1\n");
    for (size_t l = 0; l < n; l++) {
        put_cell(b, sc->labels[l], 15);
        buf_printf(b, "%5u  %9.3f  %6.3f  %5.3f\n", sc->support[l], sc->precision[l], sc->recall[l],
                   sc->f1[l]);
    }
    buf_puts(b, "\nconfusion (rows: expected, columns: reached; column k is state k)\n");
    for (size_t l = 0; l < n; l++) {
        buf_printf(b, "%2zu ", l + 1);
        put_cell(b, sc->labels[l], 15);
        for (size_t k = 0; k < n; k++) {
            unsigned v = sc->matrix[l * n + k];
            if (v)
                buf_printf(b, "%4u", v);
            else
                buf_puts(b, "   .");
        }
        buf_putc(b, '\n');
    }
    size_t misses = s->count - sc->right;
    buf_printf(b, "\nmisses (%zu): conv  expected -> reached  text\n", misses);
    for (size_t i = 0; i < s->count; i++) {
        if (sc->want[i] == sc->got[i])
            continue;
        const item *it = &s->items[i];
        const char *t = it->got_text ? it->got_text : it->text;
        buf_printf(b, "  %s  %s -> %s  ", it->conv, it->expected, sc->labels[sc->got[i]]);
        text_sanitize(b, t, strlen(t), false);
        for (size_t k = 0; k < it->why.top_count; k++)
            buf_printf(b, "%s%s %.2f%s", k ? ", " : "  (",
                       it->why.top[k] >= 0 ? pb->states[it->why.top[k]].id : SAME_LABEL,
                       it->why.top_score[k], k + 1 == it->why.top_count ? ")" : "");
        buf_putc(b, '\n');
    }
    buf_printf(b, "\naccuracy %.3f\n", sc->accuracy);
    buf_printf(b, "macro-F1 %.3f over %zu states\n", sc->macro_f1, n);
    buf_printf(b, "%zu messages, %zu right, %zu missed\n", s->count, sc->right, misses);
}

static void print_json(const eval_set *s, const scores *sc, buf *b)
{
    size_t n = sc->label_count;
    buf_printf(b, "{\"messages\":%zu,\"right\":%zu,\"accuracy\":%.4f,\"macro_f1\":%.4f,", s->count,
               sc->right, sc->accuracy, sc->macro_f1);
    buf_puts(b, "\"states\":[");
    for (size_t l = 0; l < n; l++) {
        buf_puts(b, l ? ",{\"state\":" : "{\"state\":");
        buf_json_string(b, sc->labels[l]);
        buf_printf(b, ",\"n\":%u,\"precision\":%.4f,\"recall\":%.4f,\"f1\":%.4f,\"reached\":{",
                   sc->support[l], sc->precision[l], sc->recall[l], sc->f1[l]);
        bool first = true;
        for (size_t k = 0; k < n; k++) {
            if (!sc->matrix[l * n + k])
                continue;
            buf_puts(b, first ? "" : ",");
            buf_json_string(b, sc->labels[k]);
            buf_printf(b, ":%u", sc->matrix[l * n + k]);
            first = false;
        }
        buf_puts(b, "}}");
    }
    buf_puts(b, "],\"misses\":[");
    bool first = true;
    for (size_t i = 0; i < s->count; i++) {
        if (sc->want[i] == sc->got[i])
            continue;
        const item *it = &s->items[i];
        buf_puts(b, first ? "{\"conv\":" : ",{\"conv\":");
        buf_json_string(b, it->conv);
        buf_puts(b, ",\"expected\":");
        buf_json_string(b, it->expected);
        buf_puts(b, ",\"reached\":");
        buf_json_string(b, sc->labels[sc->got[i]]);
        buf_puts(b, ",\"text\":");
        buf_json_string(b, it->got_text ? it->got_text : it->text);
        buf_putc(b, '}');
        first = false;
    }
    buf_puts(b, "]}\n");
}

int cmd_eval(int argc, char **argv)
{
    eval_args a = {.format = "text"};
    cli_result parsed = cli_parse(&eval_spec, argc, argv, take_option, &a);
    if (parsed != CLI_OK)
        return parsed == CLI_HELP ? 0 : 2;
    if (!a.jsonl) {
        fprintf(stderr, "huashu eval: %s is missing\n", a.tsv ? "JSONL" : "TSV");
        cli_usage(&eval_spec, stderr);
        return 2;
    }
    startup st;
    startup_open(&st, &a.opts, STARTUP_NO_ENGINE);
    const playbook *pb = st.pb;
    eval_set s = {0};
    scores sc = {0};
    engine *e = NULL;
    int status = 2;
    if (!pb || !read_tsv(a.tsv, pb, &s))
        goto done;
    if (!(e = engine_new(pb))) {
        fprintf(stderr, "huashu eval: out of memory\n");
        goto done;
    }
    if (!feed_events(a.jsonl, e, &s))
        goto done;
    for (size_t i = 0; i < s.count; i++)
        if (!s.items[i].seen)
            fprintf(stderr, "%s:%lu:1: no customer message for conversation \"%s\" in %s\n", a.tsv,
                    s.items[i].line, s.items[i].conv, a.jsonl);
    if (!score(pb, &s, &sc)) {
        fprintf(stderr, "huashu eval: out of memory\n");
        goto done;
    }
    buf out;
    buf_init(&out);
    if (!strcmp(a.format, "json"))
        print_json(&s, &sc, &out);
    else
        print_text(pb, &s, &sc, &out);
    fwrite(buf_str(&out), 1, out.len, stdout);
    buf_free(&out);
    status = fflush(stdout) == 0 ? 0 : 2;
    if (status == 0 && a.has_min_f1 && sc.macro_f1 + 1e-9 < a.min_f1) {
        fprintf(stderr, "huashu eval: macro-F1 %.3f is below --min-f1 %.3f\n", sc.macro_f1,
                a.min_f1);
        status = 1;
    }
done:
    scores_free(&sc);
    set_free(&s);
    engine_free(e);
    startup_close(&st);
    return status;
}
