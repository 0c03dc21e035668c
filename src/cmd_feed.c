/* huashu feed: the console without a terminal. Runs a feed through the engine and the session
 * log on the same poll() loop as the console, prints each event it receives as one JSON line,
 * and sends the agent's lines given on another feed (--send) to the feed's write side. Used by
 * the end-to-end tests, the benchmarks, and to check a bridge before an agent relies on it. */
#include "config.h"

#include <errno.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "core/config.h"
#include "core/engine.h"
#include "net/feed.h"
#include "net/loop.h"
#include "net/paths.h"
#include "net/sessionlog.h"
#include "startup.h"
#include "net/os.h"

#define SYNC_EVERY_MS 1000 /* how often the session log is asked to fsync */

typedef struct feed_args {
    startup_args opts; /* --config, --playbook */
    const char *spec;
    const char *send;
    bool quiet, no_log, exit_on_end, stats, once;
    long max_events; /* 0: no limit */
    int64_t retry_max_ms;
} feed_args;

/* Everything the command shares with its callbacks (the one struct of this command). */
typedef struct headless {
    feed_args args;
    loop *loop;
    startup start; /* config, playbook, engine */
    engine *engine;
    config *config;
    feed *feed;
    feed *send_feed;
    sessionlog log;
    bool logging;
    bool log_error_shown;
    char shown_status[256];
    int tz_offset;
    bool running;
    int exit_status;
    unsigned engine_timer;
    buf out;
    unsigned long rejected, sent, not_sent, read_only;
    long taken; /* events taken (for --max-events) */
    int64_t started_mono_ms;
} headless;

enum {
    OPT_SEND,
    OPT_QUIET,
    OPT_NO_LOG,
    OPT_EXIT_ON_END,
    OPT_ONCE,
    OPT_MAX_EVENTS,
    OPT_RETRY_MAX,
    OPT_STATS
};

static const cli_option feed_command_options[] = {
    STARTUP_OPTION_CONFIG,
    STARTUP_OPTION_PLAYBOOK,
    {"--send", "SPEC", "send the agent's lines read from SPEC to the feed's write side", OPT_SEND,
     NULL},
    {"--quiet", NULL, "do not print the events", OPT_QUIET, NULL},
    {"--no-log", NULL, "no session log", OPT_NO_LOG, NULL},
    {"--exit-on-end", NULL, "end when the feed ends (no reconnecting)", OPT_EXIT_ON_END, NULL},
    {"--once", NULL, "connect once: no retries, end when the feed ends", OPT_ONCE, NULL},
    {"--max-events", "N", "end after N events", OPT_MAX_EVENTS, NULL},
    {"--retry-max", "SECONDS", "the longest wait between reconnections", OPT_RETRY_MAX, NULL},
    {"--stats", NULL, "print counts, rate and peak memory at the end", OPT_STATS, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const feed_tables[] = {feed_command_options, NULL};

static const cli_spec feed_command_spec = {
    "huashu feed",
    "huashu feed [--config FILE] [--playbook NAME|FILE] [--send SPEC] [--quiet]\n"
    "                   [--no-log] [--exit-on-end] [--once] [--max-events N]\n"
    "                   [--retry-max SECONDS] [--stats] [SPEC]",
    "Runs the feed SPEC (default: feed: in the config) through the engine and the session\n"
    "log without a terminal, printing every event received as a JSON line. Events read\n"
    "from --send SPEC (messages from the agent) are sent to the feed's write side.\n"
    "SPEC: -, file:PATH, unix:PATH, exec:COMMAND or chatwoot: (see huashu(1), FEEDS).",
    feed_tables,
};

/* The cli_take_fn of huashu feed. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    feed_args *a = ctx;
    (void)name;
    if (startup_is_option(id))
        return startup_take(&a->opts, id, value);
    switch (id) {
    case OPT_SEND:
        a->send = value;
        break;
    case OPT_QUIET:
        a->quiet = true;
        break;
    case OPT_NO_LOG:
        a->no_log = true;
        break;
    case OPT_EXIT_ON_END:
        a->exit_on_end = true;
        break;
    case OPT_ONCE:
        a->once = a->exit_on_end = true;
        break;
    case OPT_MAX_EVENTS:
        a->max_events = atol(value);
        break;
    case OPT_RETRY_MAX:
        a->retry_max_ms = (int64_t)(atof(value) * 1000);
        break;
    case OPT_STATS:
        a->stats = true;
        break;
    default: /* CLI_ARG: the SPEC */
        if (a->spec)
            return false;
        a->spec = value;
    }
    return true;
}

static void note(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

/* One line on stderr, prefixed with the command's name. */
static void note(const char *fmt, ...)
{
    va_list ap;
    va_start(ap, fmt);
    fputs("huashu feed: ", stderr);
    vfprintf(stderr, fmt, ap);
    fputc('\n', stderr);
    va_end(ap);
}

/* Writes the printed events out once enough have gathered (or at the end). */
static void flush_out(headless *h, bool force)
{
    if (h->out.len && (force || h->out.len > (1u << 16))) {
        fwrite(h->out.data, 1, h->out.len, stdout);
        buf_clear(&h->out);
    }
    if (force)
        fflush(stdout);
}

/* Re-arms the loop timer that runs the engine's own timers (ladders, response limits). */
static void schedule_engine(headless *h);

static void engine_due(void *ctx, unsigned id, int64_t now)
{
    headless *h = ctx;
    h->engine_timer = 0;
    engine_advance(h->engine, now);
    schedule_engine(h);
}

static void schedule_engine(headless *h)
{
    int64_t at = engine_next_deadline(h->engine);
    if (h->engine_timer)
        loop_timer_cancel(h->loop, h->engine_timer);
    h->engine_timer = at == ENGINE_NEVER ? 0 : loop_timer_at(h->loop, at, engine_due, h);
}

/* The session log takes ev; a disk error is reported at once and the command goes on. */
static void log_event(headless *h, const event *ev)
{
    if (!h->logging)
        return;
    if (sessionlog_write(&h->log, ev)) {
        h->log_error_shown = false;
        return;
    }
    if (!h->log_error_shown)
        note("session log %s: %s (still running; lines are being lost)", h->log.path,
             sessionlog_error(&h->log));
    h->log_error_shown = true;
}

/* An event that happened: engine, session log, and standard output. */
static void take_event(headless *h, const event *ev)
{
    char err[256];
    if (!engine_feed(h->engine, ev, err, sizeof err)) {
        h->rejected++;
        note("event for %s not used: %s", ev->conv, err);
    }
    log_event(h, ev);
    if (!h->args.quiet) {
        event_format(&h->out, ev);
        flush_out(h, false);
    }
    schedule_engine(h);
}

/* An event from the feed; past --max-events (the rest of a batch read at once) it is left. */
static void on_event(void *ctx, event *ev)
{
    headless *h = ctx;
    if (h->args.max_events && h->taken >= h->args.max_events)
        return;
    take_event(h, ev);
    h->taken++;
    if (h->args.max_events && h->taken >= h->args.max_events)
        h->running = false;
}

/* Shows the feed's state on stderr each time it changes. */
static void on_status(void *ctx)
{
    headless *h = ctx;
    if (!h->feed || !strcmp(h->shown_status, feed_status(h->feed)))
        return;
    snprintf(h->shown_status, sizeof h->shown_status, "%s", feed_status(h->feed));
    const char *spec = feed_spec(h->feed);
    bool colon = spec[0] && spec[strlen(spec) - 1] == ':'; /* "chatwoot:" */
    note("%s%s %s", spec, colon ? "" : ":", h->shown_status);
}

static void on_log(void *ctx, const char *line)
{
    note("%s", line);
}

/* How a Chatwoot reply ended: the line is logged only once it went through. */
static void on_sent(void *ctx, const char *conv, const char *text, const char *error)
{
    headless *h = ctx;
    if (error) {
        h->not_sent++;
        note("not sent to %s: %s", conv, error);
        return;
    }
    event ev;
    int64_t now = loop_now(h->loop);
    event_init(&ev, EVENT_MESSAGE, conv, now, h->tz_offset);
    ev.from = FROM_AGENT;
    ev.text = text;
    h->sent++;
    take_event(h, &ev);
}

/* A line the agent sends: to the write side, then (once it went, or for a read-only feed)
 * into the engine and the session log. */
static void on_agent_line(void *ctx, event *ev)
{
    headless *h = ctx;
    if (ev->type != EVENT_MESSAGE || ev->from != FROM_AGENT) {
        note("--send: only messages from the agent are sent; a %s event was skipped",
             event_type_name(ev->type));
        return;
    }
    char err[256];
    switch (feed_send(h->feed, ev, err, sizeof err)) {
    case FEED_SEND_OK:
        h->sent++;
        take_event(h, ev);
        break;
    case FEED_SEND_READ_ONLY:
        h->read_only++;
        note("read-only feed: the line for %s is logged, not sent (the console copies it to "
             "the clipboard)",
             ev->conv);
        take_event(h, ev);
        break;
    case FEED_SEND_PENDING:
        break;
    case FEED_SEND_FAILED:
        h->not_sent++;
        note("not sent to %s: %s", ev->conv, err);
        break;
    }
}

static void on_send_status(void *ctx)
{
    headless *h = ctx;
    if (h->args.exit_on_end && h->send_feed && feed_ended(h->send_feed))
        h->running = false;
}

static void on_signal(void *ctx, int signo)
{
    headless *h = ctx;
    h->running = false;
    h->exit_status = signo == SIGINT || signo == SIGTERM ? 0 : 1;
}

/* fsyncs the session log every few seconds (sessionlog_sync decides when). */
static void sync_tick(void *ctx, unsigned id, int64_t now)
{
    headless *h = ctx;
    if (h->logging && !sessionlog_sync(&h->log, now) && !h->log_error_shown) {
        note("session log %s: %s", h->log.path, sessionlog_error(&h->log));
        h->log_error_shown = true;
    }
    loop_timer_at(h->loop, now + SYNC_EVERY_MS, sync_tick, h);
}

/* Loads the config and the playbook, and builds the engine; false after a message. */
static bool setup_core(headless *h)
{
    bool ok = startup_open(&h->start, &h->args.opts, 0);
    h->config = h->start.cfg;
    h->engine = h->start.engine;
    if (h->engine)
        engine_set_limits(h->engine, ENGINE_FORGET_MS, ENGINE_MAX_OPEN);
    return ok;
}

/* Opens the feed, the --send feed and the session log; false after a message. */
static bool setup_edges(headless *h)
{
    char err[512];
    const char *spec = h->args.spec ? h->args.spec : config_string(h->config, "feed");
    if (!spec || !*spec) {
        note("no feed: give a SPEC or set feed: in the config");
        return false;
    }
    feed_options opt = {
        .config = h->config, .retry_max_ms = h->args.retry_max_ms, .once = h->args.once};
    feed_callbacks cb = {on_event, on_status, on_log, on_sent, h};
    h->feed = feed_open(spec, h->loop, &opt, &cb, err, sizeof err);
    if (!h->feed) {
        note("%s", err);
        return false;
    }
    on_status(h); /* the state it started in */
    if (h->args.send) {
        feed_callbacks scb = {on_agent_line, on_send_status, on_log, NULL, h};
        h->send_feed = feed_open(h->args.send, h->loop, &opt, &scb, err, sizeof err);
        if (!h->send_feed) {
            note("--send: %s", err);
            return false;
        }
    }
    bool want_log = !h->args.no_log && config_bool(h->config, "ui.session_log");
    if (want_log) {
        h->logging = sessionlog_open(&h->log, loop_now(h->loop), h->tz_offset, err, sizeof err);
        if (!h->logging)
            note("no session log: %s", err);
        else {
            note("session log: %s", h->log.path);
            if (h->log.notice[0])
                note("%s", h->log.notice);
            sessionlog_set_agent(&h->log, engine_config(h->engine, "agent_no"),
                                 engine_config(h->engine, "agent_name"));
        }
    }
    return true;
}

/* Peak resident memory in KiB from /proc (0 when unknown). */
static long peak_rss_kib(void)
{
    FILE *f = fopen("/proc/self/status", "r");
    char line[256];
    long kib = 0;
    while (f && fgets(line, sizeof line, f))
        if (!strncmp(line, "VmHWM:", 6))
            kib = atol(line + 6);
    if (f)
        fclose(f);
    return kib;
}

/* --stats: what went through, how fast, what was skipped and the memory it took. */
static void print_stats(headless *h)
{
    const feed_stats *st = feed_get_stats(h->feed);
    double secs = (double)(os_mono_ms() - h->started_mono_ms) / 1000;
    note("%lu events in %.3f s (%.0f/s), %lu bad, %lu not used by the engine, %lu sent, "
         "%lu not sent, %lu read-only, %zu conversations open, peak RSS %ld KiB",
         st->events, secs, secs > 0 ? (double)st->events / secs : 0.0, st->bad_total, h->rejected,
         h->sent, h->not_sent, h->read_only, engine_open_count(h->engine), peak_rss_kib());
    for (int i = 0; i < FEED_BAD_KINDS; i++)
        if (st->bad[i])
            note("  %lu %s", st->bad[i], feed_bad_name((feed_bad)i));
    if (feed_diag_path(h->feed))
        note("diagnostics: %s", feed_diag_path(h->feed));
}

/* True when the input cannot bring anything more and the command should end. */
static bool input_over(headless *h)
{
    return feed_ended(h->feed);
}

/* The loop: until a signal, the end of the feed, or --max-events. */
static void run(headless *h)
{
    static const int signals[] = {SIGINT, SIGTERM, SIGHUP};
    loop_catch_signals(h->loop, signals, 3, on_signal, h);
    loop_timer_at(h->loop, loop_now(h->loop) + SYNC_EVERY_MS, sync_tick, h);
    h->running = true;
    while (h->running && !input_over(h)) {
        if (!loop_run_once(h->loop, LOOP_NEVER)) {
            note("poll: %s", strerror(errno));
            h->exit_status = 2;
            break;
        }
        flush_out(h, false);
    }
    flush_out(h, true);
}

int cmd_feed(int argc, char **argv)
{
    headless h;
    memset(&h, 0, sizeof h);
    cli_result r = cli_parse(&feed_command_spec, argc, argv, take_option, &h.args);
    if (r != CLI_OK)
        return r == CLI_HELP ? 0 : 2;
    buf_init(&h.out);
    h.started_mono_ms = os_mono_ms();
    int status = 2;
    h.loop = loop_new();
    if (h.loop && setup_core(&h)) {
        h.tz_offset = os_local_offset(loop_now(h.loop));
        if (setup_edges(&h)) {
            run(&h);
            status = h.exit_status;
            if (h.args.stats)
                print_stats(&h);
        }
    }
    feed_free(h.send_feed);
    feed_free(h.feed);
    if (h.logging)
        sessionlog_close(&h.log);
    startup_close(&h.start);
    loop_free(h.loop);
    buf_free(&h.out);
    return status;
}
