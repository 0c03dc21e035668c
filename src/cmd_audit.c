/* huashu audit: service KPIs and rule compliance over event logs — per conversation, in total,
 * per agent / day / week / hour, the conversations to listen to first — as a readable report,
 * JSON, CSV or one HTML page (core/auditreport); --fail-under gates on them. This file is the
 * command line: options, reading the inputs (files, gzip, stdin), the progress line. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <spawn.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/ioctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "core/audit.h"
#include "core/auditreport.h"
#include "core/civil.h"
#include "net/linereader.h"
#include "net/paths.h"

extern char **environ;

#define MAX_GATES       16
#define BAD_LINES_SHOWN 100
#define PROGRESS_BYTES  (64ull << 20) /* inputs this large get a progress line on a tty */

typedef struct gate {
    const char *key;
    double min;
} gate;

typedef struct audit_args {
    const char *playbook;
    const char *output; /* -o FILE, NULL for standard output */
    bool progress;      /* --progress: whatever the size */
    auditreport_options rep;
    audit_options opt;
    gate gates[MAX_GATES];
    int gate_count;
    char **files;
    int file_count;
} audit_args;

/* The run: the report being written and the progress of reading. */
typedef struct run {
    const audit_args *args;
    auditreport *report;
    FILE *out;
    buf text;
    unsigned long bad_shown;
    bool progress;                  /* draw the progress line on stderr */
    unsigned long long total, done; /* bytes of all inputs, of those finished */
    int files_done;
    double started;
} run;

enum {
    OPT_PLAYBOOK,
    OPT_FORMAT,
    OPT_OUTPUT,
    OPT_SUMMARY,
    OPT_BY,
    OPT_SINCE,
    OPT_UNTIL,
    OPT_AGENT,
    OPT_WORST,
    OPT_PROGRESS,
    OPT_TARGET,
    OPT_FAIL_UNDER
};

static const cli_option audit_command_options[] = {
    {"--playbook", "NAME|FILE", "the playbook (default: the config's, else the locale's)",
     OPT_PLAYBOOK, NULL},
    {"--format", "text|json|csv|html", "the output format (default: text)", OPT_FORMAT, NULL},
    {"--output", "FILE", "write the report to FILE instead of standard output", OPT_OUTPUT, "-o"},
    {"--summary", NULL, "only the totals, no row per conversation", OPT_SUMMARY, NULL},
    {"--by", "agent,week,day,hour", "a row per agent, ISO week, day, hour of the day (combinable)",
     OPT_BY, NULL},
    {"--since", "TIME", "only conversations opened at or after TIME", OPT_SINCE, NULL},
    {"--until", "TIME", "only conversations opened before TIME", OPT_UNTIL, NULL},
    {"--agent", "NO|NAME", "only this agent's conversations", OPT_AGENT, NULL},
    {"--worst", "N", "list the N conversations to listen to first (default 10, 0: none)", OPT_WORST,
     NULL},
    {"--progress", NULL, "a progress line on a terminal even for small inputs", OPT_PROGRESS, NULL},
    {"--target", "X/Y", "service level target: X% answered within Y seconds", OPT_TARGET, NULL},
    {"--fail-under", "KEY=VALUE", "exit 1 when a percentage is below VALUE", OPT_FAIL_UNDER, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const audit_tables[] = {audit_command_options, NULL};

static const cli_spec audit_spec = {
    "huashu audit",
    "huashu audit [--playbook NAME|FILE] [--format text|json|csv|html] [-o FILE]\n"
    "                    [--summary] [--by agent,week,day,hour] [--since TIME] [--until TIME]\n"
    "                    [--agent NO|NAME] [--worst N] [--progress] [--target X/Y]\n"
    "                    [--fail-under KEY=VALUE]... [FILE...|-]",
    "KPIs and rule compliance over event logs (JSON Lines, .gz accepted), per conversation,\n"
    "in total and per agent / week / day / hour, with the conversations to listen to first.\n"
    "TIME: RFC 3339 (2026-11-24T09:00:00+08:00) or a date (2026-11-24: local midnight).\n"
    "--target 85/15: service level target, X% answered within Y seconds (default Y:\n"
    "  the playbook's response_limit, 30 s).\n"
    "--fail-under KEY=VALUE: exit 1 when a percentage is below VALUE; KEY is one of\n"
    "  service_level greeting closing surname apology promise_met hold_checkin clean polite",
    audit_tables,
};

/* --fail-under KEY=VALUE: a known key and a percentage. */
static bool parse_gate(audit_args *a, const char *spec)
{
    const char *eq = strchr(spec, '=');
    if (!eq || a->gate_count == MAX_GATES)
        return false;
    for (int i = 0; audit_gate_keys[i]; i++) {
        if (strlen(audit_gate_keys[i]) == (size_t)(eq - spec) &&
            !strncmp(spec, audit_gate_keys[i], eq - spec)) {
            char *end;
            double v = strtod(eq + 1, &end);
            if (end == eq + 1 || *end || v < 0 || v > 100)
                return false;
            a->gates[a->gate_count++] = (gate){audit_gate_keys[i], v};
            return true;
        }
    }
    return false;
}

/* --target X/Y: X percent within Y seconds. */
static bool parse_target(audit_args *a, const char *spec)
{
    char *end;
    double x = strtod(spec, &end);
    if (end == spec || *end != '/' || x <= 0 || x > 100)
        return false;
    const char *ys = end + 1;
    double y = strtod(ys, &end);
    if (end == ys || *end || y <= 0 || y > 86400)
        return false;
    a->opt.target_percent = x;
    a->opt.answer_within_ms = (int64_t)(y * 1000.0 + 0.5);
    return true;
}

static bool parse_format(audit_args *a, const char *f)
{
    static const char *const names[] = {"text", "json", "csv", "html"};
    for (int i = 0; i < 4; i++)
        if (!strcmp(f, names[i])) {
            a->rep.format = (audit_format)i;
            return true;
        }
    return false;
}

/* --since/--until: RFC 3339, or a date meaning its local midnight. */
static bool parse_time(const char *s, int64_t *ms)
{
    int offset;
    if (civil_parse_iso(s, strlen(s), ms, &offset))
        return true;
    int y, m, d;
    char tail;
    if (sscanf(s, "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3 || m < 1 || m > 12 || d < 1 || d > 31)
        return false;
    struct tm tm = {.tm_year = y - 1900, .tm_mon = m - 1, .tm_mday = d, .tm_isdst = -1};
    time_t t = mktime(&tm);
    if (t == (time_t)-1)
        return false;
    *ms = (int64_t)t * 1000;
    return true;
}

static bool parse_count(const char *s, size_t *n)
{
    char *end;
    long v = strtol(s, &end, 10);
    if (end == s || *end || v < 0 || v > 1000)
        return false;
    *n = (size_t)v;
    return true;
}

/* The cli_take_fn of huashu audit; the files are gathered at the front of argv. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    audit_args *a = ctx;
    (void)name;
    switch (id) {
    case OPT_PLAYBOOK:
        a->playbook = value;
        return true;
    case OPT_FORMAT:
        return parse_format(a, value);
    case OPT_OUTPUT:
        a->output = value;
        return true;
    case OPT_SUMMARY:
        a->rep.summary = true;
        return true;
    case OPT_BY:
        return audit_parse_by(value, &a->rep.by);
    case OPT_SINCE:
        return (a->opt.has_since = parse_time(value, &a->opt.since_ms));
    case OPT_UNTIL:
        return (a->opt.has_until = parse_time(value, &a->opt.until_ms));
    case OPT_AGENT:
        a->opt.agent = value;
        return true;
    case OPT_WORST:
        return parse_count(value, &a->rep.worst);
    case OPT_PROGRESS:
        a->progress = true;
        return true;
    case OPT_TARGET:
        return parse_target(a, value);
    case OPT_FAIL_UNDER:
        return parse_gate(a, value);
    default:                                       /* CLI_ARG */
        a->files[a->file_count++] = (char *)value; /* argv's front: behind the parse */
        return true;
    }
}

/* Writes the buffered report once it is large (or always, when forced). */
static void flush_out(run *r, bool force)
{
    if (r->text.len && (force || r->text.len > (1u << 16))) {
        fwrite(r->text.data, 1, r->text.len, r->out);
        buf_clear(&r->text);
    }
}

/* audit reporter: one conversation into the report, streamed out. */
static void on_conversation(void *ctx, const audit_conv *c)
{
    run *r = ctx;
    auditreport_conversation(r->report, c, &r->text);
    flush_out(r, false);
}

/* Prints the failed --fail-under thresholds; false when one is not met. */
static bool check_gates(const audit_args *args, const audit_totals *t)
{
    bool ok = true;
    for (int i = 0; i < args->gate_count; i++) {
        const gate *g = &args->gates[i];
        double v = audit_gate_value(t, g->key);
        if (v >= 0 && v < g->min) {
            fprintf(stderr, "huashu audit: %s %.1f%% is under %.1f%%\n", g->key, v, g->min);
            ok = false;
        }
    }
    return ok;
}

static double now_s(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Redraws the progress line: files done / total, MB/s, ETA. */
static void progress_draw(run *r, unsigned long long at, int files)
{
    double elapsed = now_s() - r->started;
    double rate = elapsed > 0 ? (double)at / elapsed : 0;
    double eta = rate > 0 && r->total > at ? (double)(r->total - at) / rate : 0;
    fprintf(stderr, "\r\033[Khuashu audit: %d/%d files, %.0f/%.0f MB, %.0f MB/s, ETA %.0fs",
            r->files_done, files, (double)at / 1048576.0, (double)r->total / 1048576.0,
            rate / 1048576.0, eta);
}

/* ---- input ----------------------------------------------------------------------------------- */

typedef struct source {
    int fd;
    pid_t gzip; /* a decompressing child, 0 when none */
} source;

/* True when fd (a regular file) starts with the gzip magic; the offset is put back. */
static bool is_gzip(int fd)
{
    unsigned char magic[2];
    ssize_t n = pread(fd, magic, 2, 0);
    return n == 2 && magic[0] == 0x1f && magic[1] == 0x8b;
}

/* Starts `gzip -dc` (no shell) reading fd; src->fd becomes the pipe of its output. */
static bool spawn_gzip(source *src, int fd, const char *path)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, fd, STDIN_FILENO);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    char *argv[] = {"gzip", "-dc", NULL};
    int err = posix_spawnp(&src->gzip, "gzip", &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    close(fd);
    if (err) {
        close(p[0]);
        src->gzip = 0;
        fprintf(stderr, "huashu audit: %s: cannot run gzip: %s\n", path, strerror(err));
        return false;
    }
    src->fd = p[0];
    return true;
}

/* Opens a file (plain or gzip), or stdin for "-". */
static bool source_open(source *src, const char *path)
{
    src->gzip = 0;
    if (!strcmp(path, "-")) {
        src->fd = STDIN_FILENO;
        return true;
    }
    int fd = open(path, O_RDONLY | O_CLOEXEC);
    if (fd < 0) {
        fprintf(stderr, "huashu audit: %s: %s\n", path, strerror(errno));
        return false;
    }
    if (is_gzip(fd))
        return spawn_gzip(src, fd, path);
    src->fd = fd;
    return true;
}

/* Closes the source; false when gzip reported an error. */
static bool source_close(source *src, const char *path)
{
    if (src->fd != STDIN_FILENO)
        close(src->fd);
    if (!src->gzip)
        return true;
    int status = 0;
    while (waitpid(src->gzip, &status, 0) < 0 && errno == EINTR)
        ;
    if (WIFEXITED(status) && WEXITSTATUS(status) == 0)
        return true;
    fprintf(stderr, "huashu audit: %s: gzip failed (the file is damaged or truncated)\n", path);
    return false;
}

/* Names a skipped line on standard error (the first BAD_LINES_SHOWN of them). */
static void bad_line(run *r, const char *name, unsigned long number, const char *err)
{
    if (r->bad_shown++ < BAD_LINES_SHOWN)
        fprintf(stderr, "%s:%lu: skipped: %s\n", name, number, err);
}

/* Feeds every line of one source; false on a read error. */
static bool audit_source(audit *a, run *r, int fd, const char *name, int files)
{
    linereader lr;
    if (!linereader_init(&lr, fd, EVENT_MAX_LINE)) {
        fprintf(stderr, "huashu audit: out of memory\n");
        return false;
    }
    const char *line;
    size_t len;
    linereader_status st;
    bool ok = true;
    while ((st = linereader_next(&lr, &line, &len)) != LINE_EOF) {
        char err[256];
        if (st == LINE_ERROR) {
            fprintf(stderr, "%s: read error: %s\n", name, strerror(errno));
            ok = false;
            break;
        }
        if (st == LINE_TOO_LONG) {
            audit_count_bad(a);
            bad_line(r, name, lr.line_number, "line longer than 64 KiB");
        } else if (!audit_feed_line(a, line, len, name, lr.line_number, err, sizeof err))
            bad_line(r, name, lr.line_number, err);
        if (r->progress && (lr.line_number & 0xffff) == 0) {
            off_t at = lseek(fd, 0, SEEK_CUR);
            progress_draw(r, r->done + (at > 0 ? (unsigned long long)at : 0), files);
        }
    }
    linereader_free(&lr);
    return ok;
}

/* Total size of the regular files among the inputs. */
static unsigned long long inputs_size(char **files, int count)
{
    unsigned long long total = 0;
    for (int i = 0; i < count; i++) {
        struct stat st;
        if (strcmp(files[i], "-") && stat(files[i], &st) == 0 && S_ISREG(st.st_mode))
            total += (unsigned long long)st.st_size;
    }
    return total;
}

/* Audits every input; false when one could not be read. */
static bool audit_inputs(audit *a, run *r, char **files, int count)
{
    static char *const stdin_only[] = {"-"};
    if (count == 0) {
        files = (char **)stdin_only;
        count = 1;
    }
    bool ok = true;
    for (int i = 0; i < count; i++) {
        source src;
        const char *name = strcmp(files[i], "-") ? files[i] : "<stdin>";
        if (!source_open(&src, files[i])) {
            ok = false;
            continue;
        }
        ok = audit_source(a, r, src.fd, name, count) && ok;
        ok = source_close(&src, name) && ok;
        struct stat st;
        if (strcmp(files[i], "-") && stat(files[i], &st) == 0)
            r->done += (unsigned long long)st.st_size;
        r->files_done++;
        if (r->progress)
            progress_draw(r, r->done, count);
    }
    if (r->progress)
        fputs("\r\033[K", stderr);
    return ok;
}

/* Columns for the text report's bars: the terminal's, $COLUMNS, else 80. */
static size_t output_width(FILE *out)
{
    struct winsize ws;
    if (isatty(fileno(out)) && ioctl(fileno(out), TIOCGWINSZ, &ws) == 0 && ws.ws_col >= 40)
        return ws.ws_col;
    const char *env = getenv("COLUMNS");
    long c = env ? strtol(env, NULL, 10) : 0;
    return c >= 40 && c <= 1000 ? (size_t)c : 80;
}

/* Runs the audit once the playbook and lint are ready; the exit status. */
static int audit_run(audit_args *args, const playbook *pb, const lint *l)
{
    run r = {.args = args, .out = stdout};
    if (args->output && !(r.out = fopen(args->output, "w"))) {
        fprintf(stderr, "huashu audit: %s: %s\n", args->output, strerror(errno));
        return 2;
    }
    audit *a = audit_new(pb, l, &args->opt);
    if (a) {
        args->rep.audit = args->opt;
        args->rep.audit.answer_within_ms = audit_get_totals(a)->answer_within_ms;
        args->rep.audit.checkin_ms = playbook_setting(pb, "hold_checkin", 25000);
        args->rep.playbook = pb->id;
        args->rep.source = pb->file_count ? pb->files[pb->file_count - 1] : NULL;
        args->rep.width = output_width(r.out);
        r.report = auditreport_new(l, &args->rep);
    }
    if (!a || !r.report) {
        fprintf(stderr, "huashu audit: out of memory\n");
        audit_free(a);
        if (r.out != stdout)
            fclose(r.out);
        return 2;
    }
    r.total = inputs_size(args->files, args->file_count);
    r.progress = isatty(STDERR_FILENO) && (args->progress || r.total >= PROGRESS_BYTES);
    r.started = now_s();
    buf_init(&r.text);
    audit_set_reporter(a, on_conversation, &r);
    auditreport_begin(r.report, &r.text);
    bool inputs_ok = audit_inputs(a, &r, args->files, args->file_count);
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    if (r.bad_shown > BAD_LINES_SHOWN)
        fprintf(stderr, "huashu audit: %lu more bad lines not shown\n",
                r.bad_shown - BAD_LINES_SHOWN);
    if (t->bad_lines)
        fprintf(stderr, "huashu audit: %lu bad line%s skipped\n", t->bad_lines,
                t->bad_lines == 1 ? "" : "s");
    auditreport_finish(r.report, t, &r.text);
    bool complete = !auditreport_failed(r.report) && !r.text.failed;
    if (!complete)
        fprintf(stderr, "huashu audit: out of memory: the report is incomplete\n");
    flush_out(&r, true);
    bool gates_ok = check_gates(args, t);
    bool written = fflush(r.out) == 0 && !ferror(r.out);
    if (r.out != stdout && fclose(r.out) != 0)
        written = false;
    if (!written)
        fprintf(stderr, "huashu audit: %s: write error\n", args->output ? args->output : "stdout");
    buf_free(&r.text);
    auditreport_free(r.report);
    audit_free(a);
    if (!written || !inputs_ok || !complete)
        return 2;
    return gates_ok ? 0 : 1;
}

int cmd_audit(int argc, char **argv)
{
    audit_args args;
    memset(&args, 0, sizeof args);
    args.files = argv + 1;
    args.rep.worst = 10;
    cli_result parsed = cli_parse(&audit_spec, argc, argv, take_option, &args);
    if (parsed != CLI_OK)
        return parsed == CLI_HELP ? 0 : 2;
    if (args.rep.format == AUDIT_FORMAT_HTML && args.rep.worst)
        args.opt.keep_excerpt = 8;
    playbook *pb = paths_command_playbook(args.playbook);
    if (!pb)
        return 2;
    lint *l = lint_new(pb);
    int status = 2;
    if (l)
        status = audit_run(&args, pb, l);
    else
        fprintf(stderr, "huashu audit: out of memory\n");
    lint_free(l);
    playbook_free(pb);
    return status;
}
