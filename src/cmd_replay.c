/* huashu replay: feed recorded events through the engine, the records' timestamps driving the
 * clock, and print one JSON line per change. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "core/civil.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/suggest.h"
#include "net/linereader.h"
#include "startup.h"

typedef struct replay {
    engine *engine;
    int top;
    buf out;
    unsigned long changes_printed;
    bool zoned;  /* desk_tz is set */
    int desk_tz; /* the first record's UTC offset: promised-by times are all in it */
} replay;

static const char *const change_names[] = {"open",   "state",    "urgent", "ladder", "customer",
                                           "values", "deadline", "close",  "message"};

static const char *const reason_names[] = {"transition", "ladder", "late", "state", "greeting"};

static void put_ts(buf *b, const char *key, int64_t ms, int tz)
{
    char ts[32];
    size_t n = civil_format_iso(ms, tz, ts);
    buf_puts(b, ",\"");
    buf_puts(b, key);
    buf_puts(b, "\":\"");
    buf_append(b, ts, n);
    buf_putc(b, '"');
}

/* Appends ,"key":<integer>. */
static void put_int(buf *b, const char *key, long long v)
{
    buf_puts(b, ",\"");
    buf_puts(b, key);
    buf_puts(b, "\":");
    buf_put_int(b, v);
}

/* Appends ,"key":true or ,"key":false. */
static void put_bool(buf *b, const char *key, bool v)
{
    buf_puts(b, ",\"");
    buf_puts(b, key);
    buf_puts(b, v ? "\":true" : "\":false");
}

static void put_suggestions(replay *r, const conversation *c, int64_t at)
{
    const playbook *pb = engine_playbook(r->engine);
    suggestion s[SUGGEST_MAX];
    size_t n = suggest_rank(r->engine, c, at, s, (size_t)r->top);
    buf_puts(&r->out, ",\"suggestions\":[");
    for (size_t i = 0; i < n; i++) {
        const pb_line *l = &pb->lines[s[i].line];
        buf_puts(&r->out, i ? ",{\"id\":" : "{\"id\":");
        buf_json_string(&r->out, l->id);
        buf_puts(&r->out, ",\"reason\":\"");
        buf_puts(&r->out, reason_names[s[i].reason]);
        buf_puts(&r->out, "\",\"text\":");
        buf_json_string(&r->out, s[i].text);
        if (s[i].missing_count) {
            buf_puts(&r->out, ",\"missing\":[");
            for (size_t k = 0; k < s[i].missing_count && k < SUGGEST_MAX_MISSING; k++) {
                buf_puts(&r->out, k ? "," : "");
                buf_json_string(&r->out, s[i].missing[k] ? s[i].missing[k] : "?");
            }
            buf_putc(&r->out, ']');
        }
        buf_putc(&r->out, '}');
    }
    buf_putc(&r->out, ']');
    suggest_clear(s, n);
}

/* Engine observer: one JSON line describing the conversation after a change. */
static void print_change(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    replay *r = ctx;
    const playbook *pb = engine_playbook(r->engine);
    buf *b = &r->out;
    char ts[32];
    size_t ts_len = civil_format_iso(at, c->tz_offset, ts);
    buf_puts(b, "{\"ts\":\"");
    buf_append(b, ts, ts_len);
    buf_puts(b, "\",\"conv\":");
    buf_json_string(b, c->id);
    buf_puts(b, ",\"changes\":[");
    bool first = true;
    for (unsigned i = 0; i < sizeof change_names / sizeof change_names[0]; i++) {
        if (changes & (1u << i)) {
            buf_puts(b, first ? "\"" : ",\"");
            buf_puts(b, change_names[i]);
            buf_putc(b, '"');
            first = false;
        }
    }
    buf_puts(b, "],\"state\":\"");
    buf_puts(b, pb->states[c->state].id);
    buf_putc(b, '"');
    if (c->prev_state >= 0) {
        buf_puts(b, ",\"prev\":\"");
        buf_puts(b, pb->states[c->prev_state].id);
        buf_putc(b, '"');
    }
    put_bool(b, "urgent", c->urgent);
    put_int(b, "waited", conversation_waited(c, at) / 1000);
    put_int(b, "in_state", conversation_in_state(c, at) / 1000);
    put_int(b, "ladder", (long long)c->ladder_step);
    if (c->ladder_ended)
        buf_puts(b, ",\"ladder_end\":true");
    if (c->surname[0]) {
        buf_puts(b, ",\"surname\":");
        buf_json_string(b, c->surname);
    }
    if (c->complaint_deadline) {
        put_ts(b, "promised_by", c->complaint_deadline, r->zoned ? r->desk_tz : c->tz_offset);
        put_bool(b, "overdue", c->complaint_overdue);
    }
    if (c->unsure_count && (changes & CHANGE_MESSAGE)) { /* detection's runner-ups */
        buf_puts(b, ",\"unsure\":[");
        for (unsigned i = 0; i < c->unsure_count; i++) {
            buf_puts(b, i ? ",\"" : "\"");
            buf_puts(b, pb->states[c->unsure[i]].id);
            buf_putc(b, '"');
        }
        buf_putc(b, ']');
    }
    if (c->closed)
        buf_puts(b, ",\"closed\":true");
    else
        put_suggestions(r, c, at);
    if (!c->answered_once)
        buf_puts(b, ",\"greeted\":false");
    if (c->end_sent && !c->closed)
        buf_puts(b, ",\"may_end\":true");
    buf_puts(b, "}\n");
    r->changes_printed++;
    if (b->len > (1u << 16)) {
        fwrite(b->data, 1, b->len, stdout);
        buf_clear(b);
    }
}

enum { OPT_TOP, OPT_UNTIL };

static const cli_option replay_options[] = {
    STARTUP_OPTION_PLAYBOOK,
    {"--top", "N", "suggestions per change (default 3)", OPT_TOP, NULL},
    {"--until", "TIME", "run the clock on to TIME (RFC 3339) after the last event", OPT_UNTIL,
     NULL},
    STARTUP_OPTION_SET,
    STARTUP_OPTION_CONFIG,
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const replay_tables[] = {replay_options, NULL};

static const cli_spec replay_spec = {
    "huashu replay",
    "huashu replay [--playbook NAME|FILE] [--top N] [--until TS] [--set NAME=VALUE]...\n"
    "                     [--config FILE] FILE|-",
    "Feeds recorded events (JSONL) through the engine, their timestamps driving the clock,\n"
    "and prints one JSON line per change.",
    replay_tables,
};

typedef struct replay_args {
    startup_args opts; /* --playbook, --set, --config */
    const char *input;
    const char *until;
    int top;
} replay_args;

/* The cli_take_fn of huashu replay. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    replay_args *a = ctx;
    (void)name;
    if (startup_is_option(id))
        return startup_take(&a->opts, id, value);
    if (id == OPT_TOP) {
        a->top = atoi(value);
        if (a->top < 0 || a->top > SUGGEST_MAX)
            a->top = SUGGEST_MAX;
    } else if (id == OPT_UNTIL) {
        a->until = value;
    } else if (a->input) {
        return false;
    } else {
        a->input = value;
    }
    return true;
}

/* Feeds every line of fd; returns the number of bad lines. */
static unsigned long feed_lines(replay *r, int fd, const char *name)
{
    linereader lr;
    if (!linereader_init(&lr, fd, EVENT_MAX_LINE)) {
        fprintf(stderr, "huashu replay: out of memory\n");
        return 1;
    }
    unsigned long bad = 0;
    const char *line;
    size_t len;
    linereader_status st;
    while ((st = linereader_next(&lr, &line, &len)) != LINE_EOF) {
        char err[256];
        event ev;
        if (st == LINE_ERROR) {
            fprintf(stderr, "%s: read error: %s\n", name, strerror(errno));
            bad++;
            break;
        }
        if (st == LINE_TOO_LONG) {
            fprintf(stderr, "%s:%lu: skipped: line longer than 64 KiB\n", name, lr.line_number);
            bad++;
            continue;
        }
        if (len == 0)
            continue;
        if (!event_parse(&ev, line, len, err, sizeof err)) {
            fprintf(stderr, "%s:%lu: skipped: %s\n", name, lr.line_number, err);
            bad++;
            continue;
        }
        if (!r->zoned) {
            r->zoned = true;
            r->desk_tz = ev.tz_offset;
        }
        if (!engine_feed(r->engine, &ev, err, sizeof err)) {
            fprintf(stderr, "%s:%lu: skipped: %s\n", name, lr.line_number, err);
            bad++;
        }
        event_release(&ev);
    }
    linereader_free(&lr);
    return bad;
}

/* Replays the input through a fresh engine; the exit status. */
static int run(const replay_args *a, startup *s, int64_t until)
{
    int fd = strcmp(a->input, "-") ? open(a->input, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (fd < 0) {
        fprintf(stderr, "huashu replay: %s: %s\n", a->input, strerror(errno));
        return 2;
    }
    replay r = {.engine = s->engine, .top = a->top};
    buf_init(&r.out);
    int status = 0;
    {
        engine_set_observer(r.engine, print_change, &r);
        engine_set_limits(r.engine, ENGINE_FORGET_MS, ENGINE_MAX_OPEN);
        unsigned long bad = feed_lines(&r, fd, strcmp(a->input, "-") ? a->input : "<stdin>");
        if (a->until)
            engine_advance(r.engine, until);
        fwrite(r.out.data ? r.out.data : "", 1, r.out.len, stdout);
        if (bad)
            fprintf(stderr, "huashu replay: %lu bad line%s skipped\n", bad, bad == 1 ? "" : "s");
        status = fflush(stdout) == 0 ? 0 : 2;
    }
    if (fd != STDIN_FILENO)
        close(fd);
    buf_free(&r.out);
    return status;
}

int cmd_replay(int argc, char **argv)
{
    replay_args a = {.top = 3};
    cli_result res = cli_parse(&replay_spec, argc, argv, take_option, &a);
    if (res != CLI_OK)
        return res == CLI_HELP ? 0 : 2;
    if (!a.input) {
        fprintf(stderr, "huashu replay: FILE is missing (- for standard input)\n");
        cli_usage(&replay_spec, stderr);
        return 2;
    }
    int64_t until = 0;
    int until_tz = 0;
    if (a.until && !civil_parse_iso(a.until, strlen(a.until), &until, &until_tz)) {
        fprintf(stderr, "huashu replay: --until wants an RFC 3339 time, got \"%s\"\n", a.until);
        return 2;
    }
    startup s;
    int status = startup_open(&s, &a.opts, 0) ? run(&a, &s, until) : 2;
    startup_close(&s);
    return status;
}
