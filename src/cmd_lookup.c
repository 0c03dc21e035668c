/* huashu lookup: look up orders or stock over HTTP with the config's lookup: section and print
 * the mapped fields, or say in plain words (HTTP status and URL, credentials redacted) why not.
 *
 * Exit status: 0 found; 1 not found (404, empty result, no such file); 2 usage or
 * configuration error (no lookup section, unset ${VARIABLE}, token file readable by others,
 * bad id); 3 network (DNS, connection refused, timeout, TLS, connection closed early); 4 the
 * server refused (401/403, 429, 5xx, other HTTP errors, redirects not followed); 5 a bad
 * response (invalid JSON, body over max_body, missing fields, an API error). With several
 * ids, the highest. */
#include "config.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "cmdline.h"
#include "commands.h"
#include "core/event.h"
#include "core/text.h"
#include "net/loop.h"
#include "net/lookup.h"
#include "net/os.h"
#include "net/paths.h"
#include "startup.h"

typedef struct lookup_args {
    startup_args opts; /* --config */
    const char *kind;
    const char *event_conv; /* --event CONV: print lookup events instead */
    const char **keys;
    int key_count;
    bool json, refresh, verbose, demo;
    long parallel;
} lookup_args;

typedef struct run {
    const lookup_args *args;
    const playbook *pb;
    const lookup_config *lc;
    int worst;
    buf out;
} run;

enum { OPT_DEMO, OPT_FORMAT, OPT_JSON, OPT_REFRESH, OPT_VERBOSE, OPT_PARALLEL, OPT_EVENT };

static const cli_option lookup_options[] = {
    STARTUP_OPTION_CONFIG,
    {"--demo", NULL, "the bundled sample data through file:// instead", OPT_DEMO, NULL},
    {"--format", "text|json", "the output format (default: text)", OPT_FORMAT, NULL},
    {"--json", NULL, "--format json", OPT_JSON, NULL},
    {"--refresh", NULL, "ask the server again, past the cache", OPT_REFRESH, NULL},
    {"--verbose", NULL, "log each request and its outcome on standard error", OPT_VERBOSE, "-v"},
    {"--parallel", "N", "at most N requests at once (1 to 1024; default 32)", OPT_PARALLEL, NULL},
    {"--event", "CONV", "print lookup events for conversation CONV (huashu replay)", OPT_EVENT,
     NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const lookup_tables[] = {lookup_options, NULL};

static const cli_spec lookup_spec = {
    "huashu lookup",
    "huashu lookup [--config FILE] [--demo] [--format text|json | --json] [--refresh]\n"
    "                     [--verbose] [--parallel N] [--event CONV] order|stock ID...",
    "Looks up each order number or SKU with the lookup: section of config.yaml\n"
    "(huashu-config(5)) and prints the fields it maps. --demo uses the bundled sample\n"
    "data through file:// instead; --event prints lookup events for huashu replay.\n"
    "Exit status: 0 found, 1 not found, 2 usage or configuration error, 3 network\n"
    "error or timeout, 4 refused by the server (401/403/429/5xx), 5 bad response.",
    lookup_tables,
};

/* The cli_take_fn of huashu lookup: the options, the kind, then the ids. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    lookup_args *a = ctx;
    (void)name;
    if (startup_is_option(id))
        return startup_take(&a->opts, id, value);
    switch (id) {
    case OPT_DEMO:
        a->demo = true;
        return true;
    case OPT_FORMAT:
        a->json = !strcmp(value, "json");
        return a->json || !strcmp(value, "text");
    case OPT_JSON:
        a->json = true;
        return true;
    case OPT_REFRESH:
        a->refresh = true;
        return true;
    case OPT_VERBOSE:
        a->verbose = true;
        return true;
    case OPT_PARALLEL:
        a->parallel = strtol(value, NULL, 10);
        return a->parallel > 0 && a->parallel <= 1024;
    case OPT_EVENT:
        a->event_conv = value;
        return true;
    default: /* CLI_ARG */
        if (!a->kind)
            a->kind = value;
        else
            a->keys[a->key_count++] = value;
        return !strcmp(a->kind, "order") || !strcmp(a->kind, "stock");
    }
}

/* The exit status of one lookup (see the top of this file). */
static int exit_status(lookup_status s)
{
    switch (s) {
    case LOOKUP_OK:
        return 0;
    case LOOKUP_NOT_FOUND:
        return 1;
    case LOOKUP_CONFIG:
        return 2;
    case LOOKUP_NETWORK:
    case LOOKUP_TIMEOUT:
        return 3;
    case LOOKUP_AUTH:
    case LOOKUP_RATE_LIMITED:
    case LOOKUP_SERVER:
        return 4;
    case LOOKUP_BAD_RESPONSE:
        return 5;
    }
    return 2;
}

/* The label of a field: its own, else the playbook's placeholder label, else its name. */
static const char *label_of(const run *r, const char *kind, const fieldmap_value *v)
{
    if (v->label)
        return v->label;
    char name[160];
    snprintf(name, sizeof name, "%s.%s", kind, v->name);
    const pb_placeholder *ph = r->pb ? playbook_placeholder(r->pb, name) : NULL;
    return ph && ph->label ? ph->label : v->name;
}

/* Appends text sanitised for the terminal (values come from a server). */
static void put_clean(buf *b, const char *s)
{
    text_sanitize(b, s, strlen(s), false);
}

/* Prints the fields as aligned "label  value" lines (a heading per id when several). */
static void print_text(run *r, const lookup_result *res)
{
    buf *b = &r->out;
    if (r->args->key_count > 1)
        buf_printf(b, "%s%s %s%s\n", b->len ? "\n" : "", res->kind, res->key,
                   res->cached ? " (cached)" : "");
    size_t width = 0;
    for (size_t i = 0; i < res->fields->count; i++) {
        const char *l = label_of(r, res->kind, &res->fields->values[i]);
        size_t w = text_width(l, strlen(l), false);
        width = w > width ? w : width;
    }
    for (size_t i = 0; i < res->fields->count; i++) {
        const char *l = label_of(r, res->kind, &res->fields->values[i]);
        put_clean(b, l);
        for (size_t w = text_width(l, strlen(l), false); w < width + 2; w++)
            buf_putc(b, ' ');
        put_clean(b, res->fields->values[i].value);
        buf_putc(b, '\n');
    }
}

/* Prints one JSON object: the outcome, and the fields and labels or the message. */
static void print_json(run *r, const lookup_result *res)
{
    buf *b = &r->out;
    buf_puts(b, "{\"kind\":");
    buf_json_string(b, res->kind);
    buf_puts(b, ",\"id\":");
    buf_json_string(b, res->key);
    buf_printf(b,
               ",\"status\":\"%s\",\"cached\":%s,\"http_status\":%ld,\"attempts\":%d,"
               "\"elapsed_ms\":%ld",
               lookup_status_name(res->status), res->cached ? "true" : "false", res->http_status,
               res->attempts, res->elapsed_ms);
    if (res->url) {
        buf_puts(b, ",\"url\":");
        buf_json_string(b, res->url);
    }
    if (res->status != LOOKUP_OK) {
        buf_puts(b, ",\"message\":");
        buf_json_string(b, res->message);
    } else {
        buf_puts(b, ",\"fields\":{");
        for (size_t i = 0; i < res->fields->count; i++) {
            buf_puts(b, i ? "," : "");
            buf_json_string(b, res->fields->values[i].name);
            buf_putc(b, ':');
            buf_json_string(b, res->fields->values[i].value);
        }
        buf_puts(b, "},\"labels\":{");
        for (size_t i = 0; i < res->fields->count; i++) {
            buf_puts(b, i ? "," : "");
            buf_json_string(b, res->fields->values[i].name);
            buf_putc(b, ':');
            buf_json_string(b, label_of(r, res->kind, &res->fields->values[i]));
        }
        buf_putc(b, '}');
    }
    buf_puts(b, "}\n");
}

/* Prints an error in plain words with the request that failed. */
static void print_error(const lookup_result *res)
{
    buf b;
    buf_init(&b);
    buf_printf(&b, "huashu lookup: %s %s: ", res->kind, res->key);
    put_clean(&b, res->message);
    if (res->url) {
        buf_printf(&b, "\n  %s ", res->method ? res->method : "GET");
        put_clean(&b, res->url);
    }
    fprintf(stderr, "%s\n", buf_str(&b));
    buf_free(&b);
}

/* The time now in Unix milliseconds, and the local UTC offset in minutes (for --event). */
static int64_t wall_clock(int *tz)
{
    struct timespec ts;
    clock_gettime(CLOCK_REALTIME, &ts);
    int64_t now = (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
    *tz = os_local_offset(now);
    return now;
}

/* Prints a finished lookup and keeps the worst exit status. */
static void on_result(void *ctx, const lookup_result *res)
{
    run *r = ctx;
    int status = exit_status(res->status);
    r->worst = status > r->worst ? status : r->worst;
    if (res->status != LOOKUP_OK) {
        print_error(res);
        if (r->args->json)
            print_json(r, res);
    } else if (r->args->event_conv) {
        event ev;
        int tz;
        int64_t now = wall_clock(&tz);
        lookup_event(res, r->args->event_conv, now, tz, &ev);
        event_format(&r->out, &ev);
    } else if (r->args->json) {
        print_json(r, res);
    } else {
        print_text(r, res);
    }
    if (r->out.len > 65536) {
        fwrite(r->out.data, 1, r->out.len, stdout);
        buf_clear(&r->out);
    }
}

static void log_line(void *ctx, const char *line)
{
    fprintf(stderr, "huashu lookup: %s\n", line);
}

/* The bundled sample data (data/lookup) through file://, and the locale's playbook. */
static lookup_config *demo_config(playbook **pb, int *status)
{
    char *file = paths_find_data("lookup/orders/1001.json");
    char *cut = file ? strstr(file, "/orders/1001.json") : NULL;
    if (cut)
        *cut = '\0';
    lookup_config *lc = cut ? lookup_config_demo(file) : NULL;
    if (!cut)
        fprintf(stderr, "huashu lookup: the demo data (lookup/orders) was not found\n");
    free(file);
    *status = lc ? 0 : 2;
    diagnostics d;
    diag_init(&d);
    *pb = paths_load_playbook(paths_default_playbook(), &d);
    diag_free(&d);
    return lc;
}

/* The lookup configuration: the demo's, or the config file's lookup: section. */
static lookup_config *load_lookup_config(const lookup_args *a, playbook **pb, int *status)
{
    *status = 0;
    if (a->demo)
        return demo_config(pb, status);
    startup s; /* the playbook only labels fields: one that does not load is no error */
    startup_open(&s, &a->opts,
                 STARTUP_KEEP_CONFIG_PROBLEMS | STARTUP_NO_ENGINE | STARTUP_ANY_PLAYBOOK);
    diagnostics *d = &s.problems;
    config *cfg = s.cfg;
    lookup_config *lc = cfg ? lookup_config_load(cfg, d) : NULL;
    if (d->count) {
        diag_sort(d);
        fputs(buf_str(&d->text), stderr);
        *status = 2;
    } else if (lc && !lookup_config_has(lc, a->kind)) {
        fprintf(stderr,
                "huashu lookup: no %s lookup in %s: add a lookup: section (see "
                "huashu-config(5)), or try --demo\n",
                a->kind, cfg && *config_file(cfg) ? config_file(cfg) : "config.yaml");
        *status = 2;
    }
    *pb = s.pb;
    s.pb = NULL;
    startup_close(&s);
    return lc;
}

/* Runs every lookup at once on one loop and waits for the last answer. */
static int run_lookups(const lookup_args *a, const lookup_config *lc, const playbook *pb)
{
    loop *l = loop_new();
    lookup *lk = l ? lookup_new(l, lc) : NULL;
    run r = {.args = a, .pb = pb, .lc = lc};
    buf_init(&r.out);
    if (!lk) {
        fprintf(stderr, "huashu lookup: out of memory\n");
        loop_free(l);
        return 2;
    }
    lookup_set_parallel(lk, (size_t)a->parallel);
    lookup_set_log(lk, log_line, NULL, a->verbose);
    for (int i = 0; i < a->key_count; i++)
        if (!lookup_start(lk, a->kind, a->keys[i], NULL, a->refresh ? LOOKUP_REFRESH : 0, on_result,
                          &r))
            r.worst = 2;
    while (lookup_in_flight(lk) > 0)
        if (!loop_run_once(l, LOOP_NEVER))
            break;
    fwrite(buf_str(&r.out), 1, r.out.len, stdout);
    buf_free(&r.out);
    lookup_free(lk);
    loop_free(l);
    return fflush(stdout) == 0 ? r.worst : 2;
}

int cmd_lookup(int argc, char **argv)
{
    lookup_args a = {.parallel = 32, .keys = (const char **)argv};
    cli_result r = cli_parse(&lookup_spec, argc, argv, take_option, &a);
    if (r != CLI_OK)
        return r == CLI_HELP ? 0 : 2;
    if (a.key_count == 0) {
        fprintf(stderr, "huashu lookup: %s\n", a.kind ? "no ID given" : "order or stock, then IDs");
        cli_usage(&lookup_spec, stderr);
        return 2;
    }
    playbook *pb = NULL;
    int status;
    lookup_config *lc = load_lookup_config(&a, &pb, &status);
    if (!lc || status) {
        lookup_config_free(lc);
        playbook_free(pb);
        return 2;
    }
    status = run_lookups(&a, lc, pb);
    lookup_config_free(lc);
    playbook_free(pb);
    return status;
}
