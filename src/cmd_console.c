/* huashu (no command), huashu --manual: the console. With no feed it plays the bundled demo;
 * with --manual it is a phone desk where the agent opens calls and marks what happens. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include "commands.h"
#include "core/civil.h"
#include "core/config.h"
#include "intl.h"
#include "net/paths.h"
#include "ui/app.h"
#include "ui/lookuplink.h"
#include "ui/feedlink.h"

typedef struct console_args {
    bool manual;
    const console_hooks *hooks; /* huashu drill: no feed, no demo */
    const char *feed;
    const char *demo;
    const char *playbook;
    char **sets;
    int set_count;
    double time_scale;
    const char *start;
    int bench_frames;
    const char *config_path;
    const char *ui_names[32]; /* --ui and its shorthands, applied after the config file */
    const char *ui_values[32];
    char ui_buf[32][64];
    int ui_count;
} console_args;

static void usage(FILE *out)
{
    fprintf(
        out, "%s",
        _("usage: huashu [--manual] [--feed SPEC] [--demo FILE] [--playbook NAME|FILE]\n"
          "              [--set NAME=VALUE]...\n"
          "              [--no-bell] [--no-color] [--ambiguous-width 1|2] [--ui NAME=VALUE]...\n"
          "              [--time-scale X] [--start TIME]\n"
          "Starts the console: on a live feed (SPEC: -, file:PATH, unix:PATH, exec:COMMAND,\n"
          "chatwoot:), on the bundled demo, or with --manual as a phone desk.\n"
          "Keys: F1 in the console, or huashu(1).\n"));
}

/* Records an option that changes a ui setting; false when arg is not one. */
static bool ui_option(console_args *c, const char *arg, const char *value)
{
    const char *name = NULL, *v = value;
    if (!strcmp(arg, "--no-bell"))
        name = "bell", v = "false";
    else if (!strcmp(arg, "--no-color"))
        name = "color", v = "false";
    else if (!strcmp(arg, "--ambiguous-width"))
        name = "ambiguous_width";
    else if (!strcmp(arg, "--ui") && value && strchr(value, '=')) {
        snprintf(c->ui_buf[c->ui_count], sizeof c->ui_buf[0], "%.*s",
                 (int)(strchr(value, '=') - value), value);
        name = c->ui_buf[c->ui_count];
        v = strchr(value, '=') + 1;
    } else
        return false;
    if (c->ui_count < 31) {
        c->ui_names[c->ui_count] = name;
        c->ui_values[c->ui_count++] = v;
    }
    return true;
}

static bool takes_value(const char *arg)
{
    static const char *const with[] = {"--feed",       "--demo",  "--playbook",
                                       "--set",        "--ui",    "--ambiguous-width",
                                       "--time-scale", "--start", "--bench"};
    for (size_t i = 0; i < sizeof with / sizeof with[0]; i++)
        if (!strcmp(arg, with[i]))
            return true;
    return false;
}

/* Parses the console's options; false (after a message) on a bad one. */
static bool parse_args(int argc, char **argv, console_args *c)
{
    for (int i = 1; i < argc; i++) {
        const char *arg = argv[i];
        const char *value = takes_value(arg) && i + 1 < argc ? argv[i + 1] : NULL;
        if (takes_value(arg) && !value) {
            fprintf(stderr, "huashu: %s needs a value\n", arg);
            return false;
        }
        if (value)
            i++;
        if (!strcmp(arg, "--manual"))
            c->manual = true;
        else if (!strcmp(arg, "--feed"))
            c->feed = value;
        else if (!strcmp(arg, "--demo"))
            c->demo = value;
        else if (!strcmp(arg, "--playbook"))
            c->playbook = value;
        else if (!strcmp(arg, "--set") && !strchr(value, '=')) {
            fprintf(stderr, "huashu: --set wants NAME=VALUE, got \"%s\"\n", value);
            return false;
        } else if (!strcmp(arg, "--set"))
            c->sets[c->set_count++] = (char *)value;
        else if (!strcmp(arg, "--time-scale"))
            c->time_scale = atof(value);
        else if (!strcmp(arg, "--start"))
            c->start = value;
        else if (!strcmp(arg, "--bench"))
            c->bench_frames = atoi(value);
        else if (!strcmp(arg, "--config"))
            c->config_path = value;
        else if (!ui_option(c, arg, value)) {
            fprintf(stderr, "huashu: unknown option \"%s\"\n", arg);
            usage(stderr);
            return false;
        }
    }
    if (c->time_scale < 0 || c->time_scale > 1000) {
        fprintf(stderr, "huashu: --time-scale wants a number from 0 to 1000\n");
        return false;
    }
    return true;
}

static int local_offset(int64_t ms)
{
    time_t t = (time_t)(ms / 1000);
    struct tm tm;
    return localtime_r(&t, &tm) ? (int)(tm.tm_gmtoff / 60) : 0;
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
static bool set_clock(app *a, const console_args *c)
{
    int64_t start = loop_now(a->loop);
    a->tz_offset = local_offset(start);
    if (c->start && !civil_parse_iso(c->start, strlen(c->start), &start, &a->tz_offset)) {
        fprintf(stderr, "huashu: --start wants an RFC 3339 time, got \"%s\"\n", c->start);
        return false;
    }
    loop_set_clock(a->loop, start, c->time_scale > 0 ? c->time_scale : 1.0);
    return true;
}

static bool apply_sets(app *a, const console_args *c)
{
    for (int i = 0; i < c->set_count; i++) {
        char *eq = strchr(c->sets[i], '=');
        *eq = '\0';
        bool ok = engine_set_config(a->engine, c->sets[i], eq + 1);
        *eq = '=';
        if (!ok)
            return false;
    }
    return true;
}

/* Opens the demo file (bundled unless --demo names one). */
static bool open_demo(app *a, const console_args *c)
{
    char *path = c->demo ? strdup(c->demo) : paths_find_data("demo/shift.jsonl");
    char err[512];
    if (!path) {
        fprintf(stderr, "huashu: the bundled demo (demo/shift.jsonl) was not found\n");
        return false;
    }
    a->demo = demo_open(path, err, sizeof err);
    free(path);
    if (!a->demo)
        fprintf(stderr, "huashu: %s\n", err);
    return a->demo != NULL;
}

static playbook *load_playbook(const console_args *c, const config *cfg)
{
    diagnostics d;
    diag_init(&d);
    const char *name = c->playbook;
    if (!name)
        name = config_string(cfg, "playbook");
    if (!name || !*name)
        name = paths_default_playbook();
    playbook *pb = paths_load_playbook(name, &d);
    if (!pb)
        fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    return pb;
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

/* agent: placeholder values from the config, then --set. */
static bool apply_values(app *a, const config *cfg, const console_args *c)
{
    for (size_t i = 0; i < config_agent_count(cfg); i++) {
        const char *name, *value;
        config_agent_at(cfg, i, &name, &value);
        if (!engine_set_config(a->engine, name, value))
            return false;
    }
    return apply_sets(a, c);
}

static long rss_kib(void)
{
    struct rusage ru;
    return getrusage(RUSAGE_SELF, &ru) == 0 ? ru.ru_maxrss : -1;
}

static int64_t mono_us(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* Starts the feed: --feed or the config's feed: (feedlink), else the demo unless phone-desk
 * mode. The link also fsyncs the session log every few seconds. */
static bool start_feed(app *a, const console_args *c, config *cfg, feedlink **link)
{
    const char *feed = c->feed ? c->feed : config_string(cfg, "feed");
    bool live = !c->manual && !c->hooks && feed && *feed && !c->demo;
    char err[512];
    *link = feedlink_start(a, live ? feed : NULL, cfg, err, sizeof err);
    if (!*link)
        fprintf(stderr, "huashu: %s\n", err);
    return *link && (live || c->manual || c->hooks || open_demo(a, c));
}

/* Everything after the options: config, playbook, engine, log, feed, then the loop. */
static int run_console(app *a, const console_args *c)
{
    diagnostics d;
    diag_init(&d);
    config *cfg = paths_load_config(c->config_path, &d);
    playbook *pb = cfg ? load_playbook(c, cfg) : NULL;
    feedlink *link = NULL;
    int status = 2;
    lookuplink *lookups = NULL;
    if (!pb || !apply_ui_options(a, cfg, c, &d))
        goto early;
    keymap_load(&a->keys, cfg, &d);
    a->pb = pb;
    a->engine = engine_new(pb);
    a->loop = loop_new();
    if (!a->engine || !a->loop || !apply_values(a, cfg, c) || !set_clock(a, c) ||
        !start_feed(a, c, cfg, &link))
        goto done;
    a->connect_hint = a->demo && !c->demo; /* the bundled demo: say how to connect a chat */
    lookups = lookuplink_start(a, cfg, a->demo && !c->demo, &d); /* bundled demo: sample data */
    char err[512] = "";
    if (config_bool(cfg, "ui.session_log"))
        a->logging = sessionlog_open(&a->log, loop_now(a->loop), a->tz_offset, err, sizeof err);
    if (!app_init(a))
        goto done;
    if (c->hooks && !c->hooks->setup(a, c->hooks->ctx)) {
        app_free(a);
        status = c->hooks->teardown(a, c->hooks->ctx, 2);
        goto done;
    }
    startup_message(a, d.count, config_file(cfg), err);
    if (a->demo)
        demo_start(a->demo, a->loop, loop_now(a->loop), a->tz_offset, demo_event, demo_skipped_line,
                   a);
    status = app_run(a);
    app_free(a);
    if (c->hooks)
        status = c->hooks->teardown(a, c->hooks->ctx, status);
    if (a->bench_frames)
        fprintf(stderr,
                "first_frame_ms=%.2f redraw_ms=%.3f repaint_ms=%.3f rss_kib=%ld convs=%zu\n",
                a->first_frame_ms, a->bench_redraw_ms, a->bench_repaint_ms, rss_kib(),
                engine_count(a->engine));
done:
    lookuplink_free(lookups);
    feedlink_free(link);
    if (a->logging)
        sessionlog_close(&a->log);
    demo_free(a->demo);
    engine_free(a->engine);
    loop_free(a->loop);
early:
    playbook_free(pb);
    config_free(cfg);
    diag_free(&d);
    return status;
}

int cmd_console(int argc, char **argv)
{
    return console_main(argc, argv, NULL);
}

int console_main(int argc, char **argv, const console_hooks *hooks)
{
    app a;
    memset(&a, 0, sizeof a);
    a.started_mono_us = mono_us();
    ui_options_defaults(&a.opt);
    keymap_defaults(&a.keys);
    char *sets[64];
    console_args c = {.sets = sets, .time_scale = 1.0, .hooks = hooks};
    for (int i = 1; i < argc; i++) {
        if (!strcmp(argv[i], "--help") || !strcmp(argv[i], "-h")) {
            usage(stdout);
            return 0;
        }
    }
    if (argc > 64 || !parse_args(argc, argv, &c))
        return 2;
    bool feed_on_stdin = c.feed && !strcmp(c.feed, "-"); /* keys then come from /dev/tty */
    if ((!isatty(STDIN_FILENO) && !feed_on_stdin) || !isatty(STDOUT_FILENO)) {
        fputs(_("huashu: the console needs a terminal (for files, try huashu replay)\n"), stderr);
        return 2;
    }
    a.manual = c.manual;
    a.mode_label = hooks ? hooks->label : c.manual ? _("PHONE") : _("DEMO");
    a.bench_frames = c.bench_frames;
    return run_console(&a, &c);
}
