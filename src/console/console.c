/* huashu (no command), huashu --manual: the console. With no feed it plays the bundled demo;
 * with --manual it is a phone desk where the agent opens calls and marks what happens. Here:
 * its options, its start-up (config, playbook, engine, clock, feed, lookups, session log) and
 * the app_ops through which the screen reaches them. */
#include "config.h"

#include <errno.h>
#include <math.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "console/console.h"
#include "console/feedlink.h"
#include "console/lookuplink.h"
#include "core/civil.h"
#include "core/config.h"
#include "intl.h"
#include "net/paths.h"
#include "ui/app.h"
#include "net/os.h"

/* The ids of console_options' own rows. */
enum {
    OPT_MANUAL,
    OPT_FEED,
    OPT_DEMO,
    OPT_TIME_SCALE,
    OPT_START,
    OPT_BENCH,
    OPT_NO_BELL,
    OPT_NO_COLOR,
    OPT_AMBIGUOUS_WIDTH,
    OPT_UI,
};

const cli_option console_options[] = {
    {"--manual", NULL, "phone-desk mode: the agent opens calls and marks what happens", OPT_MANUAL,
     NULL},
    {"--feed", "SPEC", "a live feed: -, file:PATH, unix:PATH, exec:COMMAND, chatwoot:", OPT_FEED,
     NULL},
    {"--demo", "FILE", "play FILE (events) as the feed instead of the bundled demo", OPT_DEMO,
     NULL},
    STARTUP_OPTION_PLAYBOOK,
    STARTUP_OPTION_CONFIG,
    STARTUP_OPTION_SET,
    {"--no-bell", NULL, "no bell on alerts (ui.bell=false)", OPT_NO_BELL, NULL},
    {"--no-color", NULL, "bold and reverse instead of colours (ui.color=false)", OPT_NO_COLOR,
     NULL},
    {"--ambiguous-width", "1|2", "columns of East Asian Ambiguous characters", OPT_AMBIGUOUS_WIDTH,
     NULL},
    {"--ui", "NAME=VALUE", "a console option, over the config's ui: section", OPT_UI, NULL},
    {"--time-scale", "X", "run the whole clock X times faster (0 to 1000)", OPT_TIME_SCALE, NULL},
    {"--start", "TIME", "start the clock at TIME (RFC 3339) instead of now", OPT_START, NULL},
    {"--bench", "N", "redraw every pane N times, print timings, quit", OPT_BENCH, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const console_tables[] = {console_options, NULL};

const cli_spec console_spec = {
    "huashu",
    "huashu [--manual] [--feed SPEC] [--demo FILE] [--playbook NAME|FILE] [--config FILE]\n"
    "              [--set NAME=VALUE]...\n"
    "              [--no-bell] [--no-color] [--ambiguous-width 1|2] [--ui NAME=VALUE]...\n"
    "              [--time-scale X] [--start TIME]\n"
    "       huashu COMMAND [ARGS]   (huashu check|replay|lint|lookup|audit|feed|drill --help)",
    "Starts the console: on a live feed (SPEC: -, file:PATH, unix:PATH, exec:COMMAND,\n"
    "chatwoot:), on the bundled demo, or with --manual as a phone desk.\n"
    "Keys: F1 in the console, or huashu(1).",
    console_tables,
};

void console_args_init(console_args *c)
{
    memset(c, 0, sizeof *c);
    c->time_scale = 1.0;
}

/* Records an option that changes a ui setting. */
static bool ui_option(console_args *c, int id, const char *value)
{
    const char *name = NULL, *v = value;
    if (id == OPT_NO_BELL)
        name = "bell", v = "false";
    else if (id == OPT_NO_COLOR)
        name = "color", v = "false";
    else if (id == OPT_AMBIGUOUS_WIDTH)
        name = "ambiguous_width";
    else if (!strchr(value, '=')) {
        fprintf(stderr, "huashu: --ui wants NAME=VALUE, got \"%s\"\n", value);
        return false;
    } else {
        snprintf(c->ui_buf[c->ui_count], sizeof c->ui_buf[0], "%.*s",
                 (int)(strchr(value, '=') - value), value);
        name = c->ui_buf[c->ui_count];
        v = strchr(value, '=') + 1;
    }
    if (c->ui_count < 31) {
        c->ui_names[c->ui_count] = name;
        c->ui_values[c->ui_count++] = v;
    }
    return true;
}

bool console_take(void *ctx, int id, const char *name, const char *value)
{
    console_args *c = ctx;
    (void)name;
    if (startup_is_option(id))
        return startup_take(&c->start, id, value);
    switch (id) {
    case OPT_MANUAL:
        c->manual = true;
        return true;
    case OPT_FEED:
        c->feed = value;
        return true;
    case OPT_DEMO:
        c->demo = value;
        return true;
    case OPT_TIME_SCALE:
        char *end;
        c->time_scale = strtod(value, &end);
        if (end == value || *end || !isfinite(c->time_scale) || c->time_scale < 0 ||
            c->time_scale > 1000) {
            fprintf(stderr, "huashu: --time-scale wants a number from 0 to 1000\n");
            return false;
        }
        return true;
    case OPT_START:
        c->start_time = value;
        return true;
    case OPT_BENCH:
        c->bench_frames = atoi(value);
        return true;
    case CLI_ARG:
        fprintf(stderr, "huashu: unknown command \"%s\"\n", value);
        return false;
    default:
        return ui_option(c, id, value);
    }
}

static void demo_event(void *ctx, event *ev)
{
    app_feed(ctx, ev);
}

static void demo_skipped_line(void *ctx, unsigned long line, const char *message)
{
    app_message(ctx, true, _("demo line %lu skipped: %s"), line, message);
}

/* Sets the clock (--start, --time-scale) and the local UTC offset. */
static bool set_clock(console *cs, const console_args *c)
{
    int64_t start = loop_now(cs->loop);
    cs->a.tz_offset = os_local_offset(start);
    if (c->start_time &&
        !civil_parse_iso(c->start_time, strlen(c->start_time), &start, &cs->a.tz_offset)) {
        fprintf(stderr, "huashu: --start wants an RFC 3339 time, got \"%s\"\n", c->start_time);
        return false;
    }
    loop_set_clock(cs->loop, start, c->time_scale > 0 ? c->time_scale : 1.0);
    return true;
}

/* Opens the demo file (bundled unless --demo names one). */
static bool open_demo(console *cs, const console_args *c)
{
    char *path = c->demo ? strdup(c->demo) : paths_find_data("demo/shift.jsonl");
    char err[512];
    if (!path) {
        fprintf(stderr, "huashu: the bundled demo (demo/shift.jsonl) was not found\n");
        return false;
    }
    cs->demo = demo_open(path, err, sizeof err);
    free(path);
    if (!cs->demo)
        fprintf(stderr, "huashu: %s\n", err);
    cs->a.on_demo = cs->demo != NULL;
    return cs->demo != NULL;
}

/* ---- app_ops: what the screen reaches through the console ------------------------- */

static int64_t op_now(void *ctx)
{
    return loop_now(((console *)ctx)->loop);
}

static bool op_record(void *ctx, const event *ev, char *err, size_t cap)
{
    console *cs = ctx;
    if (!cs->logging || sessionlog_write(&cs->log, ev))
        return true;
    snprintf(err, cap, _("cannot write the session log (%s): %s"), strerror(cs->log.err_no),
             cs->log.path);
    return false;
}

static bool op_send(void *ctx, app *a, event *ev)
{
    return feedlink_send(((console *)ctx)->feed, a, ev);
}

static size_t op_feed_log_count(void *ctx)
{
    return feedlink_log_count(((console *)ctx)->feed);
}

static const char *op_feed_log_line(void *ctx, size_t i)
{
    return feedlink_log_line(((console *)ctx)->feed, i);
}

static bool op_lookup(void *ctx, app *a, const char *kind, const char *conv, const char *id)
{
    return lookuplink_lookup(((console *)ctx)->lookups, kind, conv, id);
}

static bool op_lookup_refresh(void *ctx, app *a, const char *conv)
{
    return lookuplink_refresh(((console *)ctx)->lookups, conv);
}

static void op_lookup_closed(void *ctx, const char *conv)
{
    lookuplink_closed(((console *)ctx)->lookups, conv);
}

static const char *op_lookup_status(void *ctx, const char *conv, bool *alert)
{
    return lookuplink_status(((console *)ctx)->lookups, conv, alert);
}

/* The ops for what this console has: always the clock and the session log; the feed's and
 * the lookups' when they run. */
static void set_ops(console *cs)
{
    app_ops ops = {.now = op_now, .record = op_record};
    if (feedlink_live(cs->feed)) {
        ops.send = op_send;
        ops.feed_log_count = op_feed_log_count;
        ops.feed_log_line = op_feed_log_line;
    }
    if (cs->lookups) {
        ops.lookup = op_lookup;
        ops.lookup_refresh = op_lookup_refresh;
        ops.lookup_closed = op_lookup_closed;
        ops.lookup_status = op_lookup_status;
    }
    cs->a.ops = ops;
    cs->a.ops_ctx = cs;
}

/* The status line at start: no session log (it must never go unsaid) and config problems,
 * both when both. */
static void startup_message(app *a, int problems, const char *config_path, const char *log_err)
{
    char nolog[640] = "", cfg[320] = "";
    if (log_err[0])
        snprintf(nolog, sizeof nolog, _("no session log: %s"), log_err);
    if (problems)
        snprintf(cfg, sizeof cfg, _("config: %d problems, see: huashu check %s"), problems,
                 config_path);
    if (nolog[0] || cfg[0])
        app_message(a, true, "%s%s%s", nolog, nolog[0] && cfg[0] ? "; " : "", cfg);
}

/* When neither the config nor the playbook gives the desk's company name or agent number,
 * lines ask for them in place (never "本公司" or "001号"): say so once at start. */
static void agent_values_notice(app *a)
{
    static const char *const names[] = {"company", "agent_no"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++) {
        const pb_placeholder *ph = playbook_placeholder(a->pb, names[i]);
        if (!ph || engine_config(a->engine, names[i]) || (ph->default_value && *ph->default_value))
            continue;
        app_message(a, false, _("%s not set (agent: %s: in the config): lines ask for it"),
                    ph->label ? ph->label : names[i], names[i]);
        return;
    }
}

/* The ui: section, then the command line's ui options (which win). */
static bool apply_ui_options(app *a, const config *cfg, const console_args *c, diagnostics *d)
{
    char err[160], name[80];
    for (size_t i = 0; i < ui_option_count; i++) {
        snprintf(name, sizeof name, "ui.%s", ui_option_table[i].name);
        const char *v = config_string(cfg, name);
        if (v && !ui_options_set(&a->opt, ui_option_table[i].name, v, err, sizeof err))
            diag_add(d, config_file(cfg), 0, 0, "%s", err);
    }
    for (int i = 0; i < c->ui_count; i++) {
        if (!ui_options_set(&a->opt, c->ui_names[i], c->ui_values[i], err, sizeof err)) {
            fprintf(stderr, "huashu: %s\n", err);
            return false;
        }
    }
    return true;
}

static long rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

/* Starts the feed: --feed or the config's feed: (feedlink), else the demo unless phone-desk
 * mode. The link also fsyncs the session log every few seconds. */
static bool start_feed(console *cs, const console_args *c, bool hooks, config *cfg)
{
    const char *feed = c->feed ? c->feed : config_string(cfg, "feed");
    bool live = !c->manual && !hooks && feed && *feed && !c->demo;
    char err[512];
    cs->feed = feedlink_start(cs, live ? feed : NULL, cfg, err, sizeof err);
    if (!cs->feed)
        fprintf(stderr, "huashu: %s\n", err);
    return cs->feed && (live || c->manual || hooks || open_demo(cs, c));
}

/* Prints the --bench figures. */
static void bench_report(const app *a)
{
    fprintf(stderr, "first_frame_ms=%.2f redraw_ms=%.3f repaint_ms=%.3f rss_kib=%ld convs=%zu\n",
            a->first_frame_ms, a->bench_redraw_ms, a->bench_repaint_ms, rss_kib(),
            engine_count(a->engine));
}

/* Everything after the options: config, playbook, engine, log, feed, then the loop. */
static int run_console(console *cs, const console_args *c, const console_hooks *hooks)
{
    app *a = &cs->a;
    startup s;
    int status = 2;
    bool ok = startup_open(&s, &c->start, STARTUP_KEEP_CONFIG_PROBLEMS);
    diagnostics *d = &s.problems;
    if (!ok || !apply_ui_options(a, s.cfg, c, d))
        goto early;
    keymap_load(&a->keys, s.cfg, d);
    a->pb = s.pb;
    a->engine = s.engine;
    cs->loop = loop_new();
    if (!cs->loop)
        goto done;
    set_ops(cs);
    if (!set_clock(cs, c) || !start_feed(cs, c, hooks != NULL, s.cfg))
        goto done;
    a->connect_hint = cs->demo && !c->demo; /* the bundled demo: say how to connect a chat */
    cs->lookups = lookuplink_start(a, cs->loop, s.cfg, cs->demo && !c->demo, d); /* sample data */
    set_ops(cs);
    char err[512] = "";
    if (config_bool(s.cfg, "ui.session_log"))
        cs->logging = sessionlog_open(&cs->log, loop_now(cs->loop), a->tz_offset, err, sizeof err);
    if (cs->logging) /* open records say who handled the conversation */
        sessionlog_set_agent(&cs->log, engine_config(a->engine, "agent_no"),
                             engine_config(a->engine, "agent_name"));
    if (!app_init(a))
        goto done;
    if (!console_watch(cs)) {
        app_free(a);
        goto done;
    }
    if (hooks && !hooks->setup(a, hooks->ctx)) {
        app_free(a);
        status = hooks->teardown(a, hooks->ctx, 2);
        goto done;
    }
    startup_message(a, d->count, config_file(s.cfg), err);
    if (cs->logging && cs->log.notice[0])
        app_message(a, true, "%s", cs->log.notice);
    if (!a->status[0])
        agent_values_notice(a);
    if (cs->demo)
        demo_start(cs->demo, cs->loop, loop_now(cs->loop), a->tz_offset, demo_event,
                   demo_skipped_line, a);
    status = console_run(cs);
    app_free(a);
    if (hooks)
        status = hooks->teardown(a, hooks->ctx, status);
    if (a->bench_frames)
        bench_report(a);
done:
    lookuplink_free(cs->lookups);
    feedlink_free(cs->feed);
    if (cs->logging)
        sessionlog_close(&cs->log);
    demo_free(cs->demo);
    loop_free(cs->loop);
early:
    startup_close(&s);
    return status;
}

int cmd_console(int argc, char **argv)
{
    console_args c;
    console_args_init(&c);
    switch (cli_parse(&console_spec, argc, argv, console_take, &c)) {
    case CLI_HELP:
        return 0;
    case CLI_BAD:
        return 2;
    case CLI_OK:
        break;
    }
    return console_main(&c, NULL);
}

int console_main(console_args *c, const console_hooks *hooks)
{
    console cs;
    memset(&cs, 0, sizeof cs);
    app *a = &cs.a;
    a->started_mono_us = os_mono_us();
    ui_options_defaults(&a->opt);
    keymap_defaults(&a->keys);
    bool feed_on_stdin = c->feed && !strcmp(c->feed, "-"); /* keys then come from /dev/tty */
    if ((!isatty(STDIN_FILENO) && !feed_on_stdin) || !isatty(STDOUT_FILENO)) {
        fputs(_("huashu: the console needs a terminal (for files, try huashu replay)\n"), stderr);
        return 2;
    }
    a->manual = c->manual;
    a->mode_label = hooks ? hooks->label : c->manual ? _("PHONE") : _("DEMO");
    a->bench_frames = c->bench_frames;
    return run_console(&cs, c, hooks);
}
