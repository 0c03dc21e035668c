/* huashu drill: trainer drills (huashu-drill(5)). `drill FILE` plays one in the console,
 * `drill run FILE --answers F` scores recorded replies without a terminal, `drill report DIR`
 * sums up saved results, `drill from-log LOG --conv ID` turns a conversation into a skeleton. */
#include "config.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <jansson.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "console/console.h"
#include "core/civil.h"
#include "core/drill.h"
#include "core/drill_session.h"
#include "intl.h"
#include "net/linereader.h"
#include "net/paths.h"
#include "ui/drill_mode.h"
#include "net/os.h"

#define DEFAULT_START    "2026-01-05T10:00:00+08:00" /* a Monday morning, no holiday */
#define RUN_CONV         "drill"
#define MAX_REPORT_FILES 100000

#define DRILL_SYNOPSIS                                                                             \
    "huashu drill FILE [--no-hints] [--trainee NAME] [console options]\n"                          \
    "       huashu drill run FILE --answers ANSWERS.jsonl [--format text|json]\n"                  \
    "                        [--start TIME] [--trainee NAME] [--save] [--set NAME=VALUE]\n"        \
    "                        [--playbook NAME|FILE] [--config FILE]\n"                             \
    "       huashu drill report [DIR] [--format text|json]\n"                                      \
    "       huashu drill from-log SESSION.jsonl --conv ID [--playbook NAME|FILE]"
#define DRILL_ABOUT                                                                                \
    "FILE is a drill file or a bundled drill (zh_CN/silent_call); see huashu-drill(5)."

/* The ids of the options of the drill commands (cmdline.h); each table below lists its own. */
enum {
    OPT_NO_HINTS = 100, /* above the console's ids: drill FILE takes both tables */
    OPT_TRAINEE,
    OPT_ANSWERS,
    OPT_FORMAT,
    OPT_START,
    OPT_SAVE,
    OPT_CONV,
};

#define FORMAT_OPTION                                                                              \
    {                                                                                              \
        "--format", "text|json", "the output format (default: text)", OPT_FORMAT, NULL             \
    }
#define TRAINEE_OPTION                                                                             \
    {                                                                                              \
        "--trainee", "NAME", "the trainee's name in the result (default: $USER)", OPT_TRAINEE,     \
            NULL                                                                                   \
    }

#define DRILL_PLAYBOOK_OPTION                                                                      \
    {                                                                                              \
        "--playbook", "NAME|FILE",                                                                 \
            "the playbook instead of the drill's playbook:", STARTUP_PLAYBOOK, NULL                \
    }

/* huashu drill FILE: these, then the console's options (this --playbook row comes first). */
static const cli_option console_drill_options[] = {
    {"--no-hints", NULL, "hide the suggested lines (an exam)", OPT_NO_HINTS, NULL},
    TRAINEE_OPTION,
    DRILL_PLAYBOOK_OPTION,
    {NULL, NULL, NULL, 0, NULL},
};
static const cli_option run_options[] = {
    {"--answers", "FILE", "the trainee's replies (JSONL, huashu-drill(5))", OPT_ANSWERS, NULL},
    FORMAT_OPTION,
    {"--start", "TIME", "the drill's start (RFC 3339; default: the answers' first)", OPT_START,
     NULL},
    TRAINEE_OPTION,
    {"--save", NULL, "save the result under $XDG_STATE_HOME/huashu/drills", OPT_SAVE, NULL},
    DRILL_PLAYBOOK_OPTION,
    STARTUP_OPTION_SET,
    STARTUP_OPTION_CONFIG,
    {NULL, NULL, NULL, 0, NULL},
};
static const cli_option report_options[] = {
    FORMAT_OPTION,
    {NULL, NULL, NULL, 0, NULL},
};
static const cli_option from_log_options[] = {
    {"--conv", "ID", "the conversation to turn into a drill", OPT_CONV, NULL},
    {"--playbook", "NAME|FILE", "the playbook (default: the locale's)", STARTUP_PLAYBOOK, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const console_drill_tables[] = {console_drill_options, console_options,
                                                         NULL};
static const cli_option *const run_tables[] = {run_options, NULL};
static const cli_option *const report_tables[] = {report_options, NULL};
static const cli_option *const from_log_tables[] = {from_log_options, NULL};

static const cli_spec console_drill_spec = {"huashu drill", DRILL_SYNOPSIS, DRILL_ABOUT,
                                            console_drill_tables};
static const cli_spec run_spec = {"huashu drill run", DRILL_SYNOPSIS, DRILL_ABOUT, run_tables};
static const cli_spec report_spec = {"huashu drill report", DRILL_SYNOPSIS, DRILL_ABOUT,
                                     report_tables};
static const cli_spec from_log_spec = {"huashu drill from-log", DRILL_SYNOPSIS, DRILL_ABOUT,
                                       from_log_tables};

/* The exit status of a parse that did not end in CLI_OK: 0 after --help, else 2. */
static int parse_status(cli_result r)
{
    return r == CLI_HELP ? 0 : 2;
}

/* --format: text or json. */
static bool take_format(const char **format, const char *value)
{
    if (strcmp(value, "json") && strcmp(value, "text")) {
        fprintf(stderr, "huashu drill: --format wants text or json, got \"%s\"\n", value);
        return false;
    }
    *format = value;
    return true;
}

/* ---- loading ------------------------------------------------------------------------- */

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The drill file named by arg: a path, or a bundled drill ("zh_CN/silent_call", or
 * "silent_call" in the user's locale). Malloc'd; NULL when there is none. */
static char *find_drill(const char *arg)
{
    if (is_file(arg))
        return strdup(arg);
    char rel[512];
    snprintf(rel, sizeof rel, "drills/%s.yaml", arg);
    char *path = paths_find_data(rel);
    if (!path && !strchr(arg, '/')) {
        snprintf(rel, sizeof rel, "drills/%s/%s.yaml", paths_default_playbook(), arg);
        path = paths_find_data(rel);
    }
    return path;
}

/* The drill's playbook: its playbook: value, a path taken relative to the drill file. */
static char *playbook_name(const drill *dr, const char *override)
{
    const char *name = override ? override : dr->playbook;
    size_t n = strlen(name);
    bool path = strchr(name, '/') || (n > 5 && !strcmp(name + n - 5, ".yaml")) ||
                (n > 4 && !strcmp(name + n - 4, ".yml"));
    const char *slash = strrchr(dr->file, '/');
    if (!path || override || name[0] == '/' || !slash)
        return strdup(name);
    char *p = malloc((size_t)(slash - dr->file) + n + 2);
    if (p)
        sprintf(p, "%.*s/%s", (int)(slash - dr->file), dr->file, name);
    return p;
}

/* Loads the playbook a drill names, reporting a missing one at the drill's playbook: key. */
static playbook *drill_playbook(const drill *dr, const char *name, diagnostics *d)
{
    size_t len;
    char *path = NULL;
    char *data = paths_read_playbook(NULL, name, NULL, &len, &path);
    free(data);
    free(path);
    if (!data) {
        const pb_mark *m = &dr->playbook_mark;
        diag_add(d, m->file, m->line, m->col,
                 "no playbook \"%s\" (an id or a path relative to "
                 "the drill)",
                 name);
        return NULL;
    }
    return paths_load_playbook(name, d);
}

/* Loads a drill and its playbook and binds them; problems go to stderr. */
static bool load_drill(const char *arg, const char *pb_override, drill **dr, playbook **pb,
                       char **pb_name)
{
    *dr = NULL;
    *pb = NULL;
    *pb_name = NULL;
    char *path = find_drill(arg);
    size_t len;
    char *data = path ? paths_read_file(path, &len) : NULL;
    if (!data) {
        fprintf(stderr, "huashu drill: %s: %s\n", arg,
                path ? strerror(errno) : "no such file nor bundled drill");
        free(path);
        return false;
    }
    diagnostics d;
    diag_init(&d);
    *dr = drill_load(path, data, len, &d);
    free(data);
    free(path);
    if (*dr && (*pb_name = playbook_name(*dr, pb_override)))
        *pb = drill_playbook(*dr, *pb_name, &d);
    bool ok = *pb && drill_bind(*dr, *pb, &d) && drill_check(*dr, *pb, &d);
    fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    return ok;
}

int drill_check_file(const char *path, const char *data, size_t len)
{
    diagnostics d;
    diag_init(&d);
    drill *dr = drill_load(path, data, len, &d);
    char *name = dr ? playbook_name(dr, NULL) : NULL;
    playbook *pb = name ? drill_playbook(dr, name, &d) : NULL;
    bool ok = pb && drill_bind(dr, pb, &d) && drill_check(dr, pb, &d);
    if (ok)
        printf("%s: ok: drill %s (%s), %zu steps, %zu expectations, playbook %s\n", path, dr->id,
               dr->title, dr->step_count, dr->expect_total, pb->id);
    diag_sort(&d);
    fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    playbook_free(pb);
    free(name);
    drill_free(dr);
    return ok ? 0 : 1;
}

/* ---- saving -------------------------------------------------------------------------- */

/* Writes text to path through a temporary file in the same directory and a rename. */
static bool write_atomic(const char *path, const buf *text, char *err, size_t errlen)
{
    if (text->failed) { /* never replace a file with a result cut short */
        snprintf(err, errlen, "%s: out of memory", path);
        return false;
    }
    char tmp[4200];
    snprintf(tmp, sizeof tmp, "%s.XXXXXX", path);
    int fd = mkstemp(tmp);
    if (fd < 0) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        return false;
    }
    const char *p = buf_str(text);
    size_t left = text->len;
    bool ok = true;
    while (ok && left) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        ok = n > 0;
        p += n > 0 ? n : 0;
        left -= n > 0 ? (size_t)n : 0;
    }
    ok = ok && fsync(fd) == 0;
    ok = close(fd) == 0 && ok;
    ok = ok && rename(tmp, path) == 0;
    if (!ok) {
        snprintf(err, errlen, "%s: %s", path, strerror(errno));
        unlink(tmp);
    }
    return ok;
}

/* A file-name-safe copy of s: ASCII letters, digits, _ and - and any non-ASCII character kept,
 * everything else (/, spaces, dots, controls) a -; at most 32 bytes, whole characters. */
static void safe_name(const char *s, char *out, size_t cap)
{
    size_t n = 0;
    for (; s && *s && n + 1 < cap; s++) {
        unsigned char c = (unsigned char)*s;
        bool ok = (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
                  c == '_' || c == '-' || c >= 0x80;
        if (n >= 32 && (c & 0xC0) != 0x80)
            break;
        out[n++] = ok ? (char)c : '-';
    }
    while (n > 0 && ((unsigned char)out[n - 1] & 0xC0) == 0xC0) /* a lead byte cut off */
        n--;
    out[n] = '\0';
}

/* drill_save_fn: the result as JSON and text under $XDG_STATE_HOME/huashu/drills/. */
static bool save_result(const drill_result *res, char *path, size_t cap, char *err, size_t errlen)
{
    char *dir = paths_state_dir("drills");
    if (!dir || !os_make_dirs(dir)) {
        snprintf(err, errlen, "%s: %s", dir ? dir : "state directory", strerror(errno));
        free(dir);
        return false;
    }
    civil_time t = civil_from_ms(res->started, res->tz);
    char who[40], stem[4096];
    safe_name(res->trainee ? res->trainee : "trainee", who, sizeof who);
    for (int n = 1; n < 1000; n++) {
        snprintf(stem, sizeof stem, "%s/%04d%02d%02d-%02d%02d%02d-%s-%s%s%.0d", dir, t.year,
                 t.month, t.day, t.hour, t.minute, t.second, res->drill->id, who, n > 1 ? "-" : "",
                 n > 1 ? n : 0);
        snprintf(path, cap, "%s.json", stem);
        if (access(path, F_OK) != 0)
            break;
    }
    free(dir);
    buf json, text;
    buf_init(&json);
    buf_init(&text);
    drill_result_json(res, &json);
    drill_result_text(res, &text);
    char txt[4200];
    snprintf(txt, sizeof txt, "%s.txt", stem);
    bool ok = write_atomic(path, &json, err, errlen) && write_atomic(txt, &text, err, errlen);
    buf_free(&json);
    buf_free(&text);
    return ok;
}

static const char *default_trainee(void)
{
    const char *user = getenv("USER");
    return user && *user ? user : "trainee";
}

/* ---- drill run ----------------------------------------------------------------------- */

typedef struct run_args {
    const char *file, *answers, *format, *start, *trainee;
    bool save;
    startup_args opts; /* --playbook, --set, --config */
} run_args;

typedef struct answers {
    char **lines;
    size_t *numbers;
    size_t count;
} answers;

static void answers_free(answers *an)
{
    for (size_t i = 0; i < an->count; i++)
        free(an->lines[i]);
    free(an->lines);
    free(an->numbers);
}

/* Opens path ("-": standard input) for reading by lines; false (after a message) when not. */
static bool open_lines(const char *who, const char *path, int *fd, linereader *lr)
{
    *fd = strcmp(path, "-") ? open(path, O_RDONLY | O_CLOEXEC) : STDIN_FILENO;
    if (*fd >= 0 && linereader_init(lr, *fd, EVENT_MAX_LINE))
        return true;
    fprintf(stderr, "huashu drill %s: %s: %s\n", who, path, strerror(errno));
    if (*fd > STDIN_FILENO)
        close(*fd);
    return false;
}

/* The next non-empty line of a blocking descriptor; lines over 64 KiB and read errors are
 * reported (a read error ends the file). False at the end. */
static bool next_line(linereader *lr, const char *path, const char **line, size_t *len)
{
    linereader_status st;
    while ((st = linereader_next(lr, line, len)) != LINE_EOF && st != LINE_AGAIN) {
        if (st == LINE_ERROR) {
            fprintf(stderr, "%s: read error: %s\n", path, strerror(errno));
            return false;
        }
        if (st == LINE_TOO_LONG)
            fprintf(stderr, "%s:%lu: skipped: line longer than 64 KiB\n", path, lr->line_number);
        else if (*len)
            return true;
    }
    return false;
}

/* Reads the answers file's non-empty lines. */
static bool answers_read(const char *path, answers *an)
{
    memset(an, 0, sizeof *an);
    int fd;
    linereader lr;
    if (!open_lines("run", path, &fd, &lr))
        return false;
    const char *line;
    size_t len;
    bool ok = true;
    while (ok && next_line(&lr, path, &line, &len)) {
        char **lines = realloc(an->lines, (an->count + 1) * sizeof *lines);
        size_t *numbers = lines ? realloc(an->numbers, (an->count + 1) * sizeof *numbers) : NULL;
        if (lines)
            an->lines = lines;
        if (numbers)
            an->numbers = numbers;
        char *copy = numbers ? strndup(line, len) : NULL;
        if (!copy) {
            fprintf(stderr, "huashu drill run: out of memory\n");
            ok = false;
            break;
        }
        an->numbers[an->count] = lr.line_number;
        an->lines[an->count++] = copy;
    }
    linereader_free(&lr);
    if (fd != STDIN_FILENO)
        close(fd);
    return ok;
}

/* The drill's start: --start, else the ts of the answers' open record, else of their first
 * record with a ts, else a fixed Monday morning. */
static bool find_start(const run_args *a, const answers *an, int64_t *start, int *tz)
{
    const char *text = a->start;
    json_t *found = NULL;
    for (size_t i = 0; !text && i < an->count; i++) {
        json_t *root = json_loads(an->lines[i], 0, NULL);
        const char *ts = json_string_value(json_object_get(root, "ts"));
        const char *type = json_string_value(json_object_get(root, "type"));
        if (ts && (!found || (type && !strcmp(type, "open")))) {
            json_decref(found);
            found = root;
            if (type && !strcmp(type, "open"))
                break;
        } else {
            json_decref(root);
        }
    }
    if (!text)
        text = found ? json_string_value(json_object_get(found, "ts")) : DEFAULT_START;
    bool ok = civil_parse_iso(text, strlen(text), start, tz);
    if (!ok)
        fprintf(stderr, "huashu drill run: --start wants an RFC 3339 time, got \"%s\"\n", text);
    json_decref(found);
    return ok;
}

/* True for the records of an answers file that are the agent's (the customer is the drill's). */
static bool agent_side(const event *ev)
{
    switch (ev->type) {
    case EVENT_MESSAGE:
        return ev->from == FROM_AGENT;
    case EVENT_KEY:
    case EVENT_STATE:
    case EVENT_CLOSE:
        return true;
    default:
        return false;
    }
}

/* Parses the answers into events in time order; bad lines are reported and skipped. */
static event *answers_events(const run_args *a, const answers *an, int64_t start, int tz,
                             size_t *count, int64_t **after)
{
    event *evs = calloc(an->count ? an->count : 1, sizeof *evs);
    *after = calloc(an->count ? an->count : 1, sizeof **after);
    *count = 0;
    bool relative = false;
    for (size_t i = 0; evs && *after && i < an->count; i++) {
        char err[256];
        event *ev = &evs[*count];
        int64_t rel;
        if (!drill_answer_parse_at(an->lines[i], strlen(an->lines[i]), RUN_CONV, start, tz, ev,
                                   &rel, err, sizeof err)) {
            fprintf(stderr, "%s:%zu: skipped: %s\n", a->answers, an->numbers[i], err);
            continue;
        }
        if (agent_side(ev)) {
            relative = relative || rel >= 0;
            (*after)[(*count)++] = rel;
        } else {
            event_release(ev);
        }
    }
    if (!*after) {
        free(evs);
        return NULL;
    }
    /* an insertion sort: stable, so records of equal time keep their file order; answers that
     * count from the customer's turns are played in file order */
    for (size_t i = 1; evs && !relative && i < *count; i++)
        for (size_t k = i; k > 0 && evs[k - 1].ts_ms > evs[k].ts_ms; k--) {
            event t = evs[k];
            evs[k] = evs[k - 1];
            evs[k - 1] = t;
        }
    return evs;
}

/* Plays the drill against the answers, to its end; an answer with after[i] >= 0 comes that
 * long after the customer's last message before it (at the previous answer's time). */
static void play_answers(drill_session *s, event *evs, const int64_t *after, size_t n)
{
    drill_session_start(s);
    int64_t last = drill_session_result(s)->started;
    for (size_t i = 0; i < n && !drill_session_done(s); i++) {
        char err[256];
        if (after[i] >= 0) {
            int64_t said = drill_session_last_customer(s);
            evs[i].ts_ms = (said >= 0 ? said : drill_session_result(s)->started) + after[i];
        }
        if (evs[i].ts_ms < last)
            evs[i].ts_ms = last;
        last = evs[i].ts_ms;
        if (!drill_session_feed(s, &evs[i], err, sizeof err) && !drill_session_done(s))
            fprintf(stderr, "huashu drill run: answer at %lld ms skipped: %s\n",
                    (long long)(evs[i].ts_ms - drill_session_result(s)->started), err);
    }
}

/* Placeholder values from the config's agent: section (--config), then --set. */
static bool apply_values(engine *e, const run_args *a)
{
    diagnostics d;
    diag_init(&d);
    config *cfg = paths_load_config(a->opts.config, &d);
    fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    bool ok = startup_values(e, cfg, &a->opts);
    config_free(cfg);
    return ok;
}

/* Prints (and with --save, saves) the result; the exit status: 0 passed, 1 failed. */
static int report_result(const run_args *a, const drill_result *res)
{
    buf out;
    buf_init(&out);
    if (!strcmp(a->format, "json"))
        drill_result_json(res, &out);
    else
        drill_result_text(res, &out);
    fwrite(buf_str(&out), 1, out.len, stdout);
    bool cut = out.failed;
    buf_free(&out);
    if (cut) {
        fprintf(stderr, "huashu drill run: out of memory: the result above is incomplete\n");
        return 2;
    }
    int status = res->passed ? 0 : 1;
    char path[4200], err[512];
    if (a->save && !save_result(res, path, sizeof path, err, sizeof err)) {
        fprintf(stderr, "huashu drill run: not saved: %s\n", err);
        status = 2;
    } else if (a->save) {
        fprintf(stderr, "saved: %s\n", path);
    }
    return fflush(stdout) == 0 ? status : 2;
}

/* huashu drill run once the drill is loaded: answers, engine, run, report. */
static int run_with(const run_args *a, drill *dr, const playbook *pb)
{
    answers an;
    int64_t start;
    int tz;
    if (!answers_read(a->answers, &an))
        return 2;
    int status = 2;
    size_t n = 0;
    event *evs = NULL;
    int64_t *after = NULL;
    drill_session *s = NULL;
    if (find_start(a, &an, &start, &tz) && (s = drill_session_new(dr, pb, RUN_CONV, start, tz)) &&
        apply_values(drill_session_engine(s), a) &&
        (evs = answers_events(a, &an, start, tz, &n, &after))) {
        drill_session_set_trainee(s, a->trainee);
        play_answers(s, evs, after, n);
        status = report_result(a, drill_session_finish(s, ENGINE_NEVER));
    }
    for (size_t i = 0; i < n; i++)
        event_release(&evs[i]);
    free(evs);
    free(after);
    drill_session_free(s);
    answers_free(&an);
    return status;
}

/* The cli_take_fn of huashu drill run. */
static bool take_run_option(void *ctx, int id, const char *name, const char *value)
{
    run_args *a = ctx;
    (void)name;
    if (startup_is_option(id))
        return startup_take(&a->opts, id, value);
    switch (id) {
    case OPT_ANSWERS:
        a->answers = value;
        return true;
    case OPT_FORMAT:
        return take_format(&a->format, value);
    case OPT_START:
        a->start = value;
        return true;
    case OPT_TRAINEE:
        a->trainee = value;
        return true;
    case OPT_SAVE:
        a->save = true;
        return true;
    default: /* CLI_ARG */
        if (a->file || !strcmp(value, "-"))
            return false;
        a->file = value;
        return true;
    }
}

/* huashu drill run FILE --answers ANSWERS: scores recorded replies without a terminal. */
static int cmd_drill_run(int argc, char **argv)
{
    run_args a = {.format = "text", .trainee = default_trainee()};
    cli_result r = cli_parse(&run_spec, argc, argv, take_run_option, &a);
    if (r != CLI_OK)
        return parse_status(r);
    if (!a.file || !a.answers) {
        fprintf(stderr, "huashu drill run: %s\n",
                a.file ? "--answers is missing" : "FILE is missing");
        cli_usage(&run_spec, stderr);
        return 2;
    }
    drill *dr;
    playbook *pb;
    char *pb_name;
    int status = load_drill(a.file, a.opts.playbook, &dr, &pb, &pb_name) ? run_with(&a, dr, pb) : 2;
    drill_free(dr);
    playbook_free(pb);
    free(pb_name);
    return status;
}

/* ---- drill report -------------------------------------------------------------------- */

typedef struct path_list {
    char **v;
    size_t n;
} path_list;

static int compare_paths(const void *x, const void *y)
{
    return strcmp(*(char *const *)x, *(char *const *)y);
}

/* Collects the .json files under dir (recursively). */
static void collect(const char *dir, path_list *out, int depth)
{
    DIR *d = depth < 8 ? opendir(dir) : NULL;
    if (!d)
        return;
    struct dirent *e;
    while ((e = readdir(d)) && out->n < MAX_REPORT_FILES) {
        if (e->d_name[0] == '.')
            continue;
        char path[4096];
        snprintf(path, sizeof path, "%s/%s", dir, e->d_name);
        size_t n = strlen(e->d_name);
        struct stat st;
        if (stat(path, &st) != 0)
            continue;
        if (S_ISDIR(st.st_mode)) {
            collect(path, out, depth + 1);
        } else if (S_ISREG(st.st_mode) && n > 5 && !strcmp(e->d_name + n - 5, ".json")) {
            char **grown = realloc(out->v, (out->n + 1) * sizeof *grown);
            if (!grown)
                break;
            out->v = grown;
            out->v[out->n++] = strdup(path);
        }
    }
    closedir(d);
}

/* Adds every result file to rep, naming the files it cannot use. */
static void report_files(drill_report *rep, const path_list *files)
{
    for (size_t i = 0; i < files->n; i++) {
        size_t len;
        char err[256], *data = paths_read_file(files->v[i], &len);
        if (!data)
            fprintf(stderr, "%s: %s\n", files->v[i], strerror(errno));
        else if (!drill_report_add(rep, data, len, err, sizeof err))
            fprintf(stderr, "%s: skipped: %s\n", files->v[i], err);
        free(data);
    }
}

/* Prints the report; the exit status: 0, or 1 when there was no result at all. */
static int report_print(const drill_report *rep, const char *format, const char *dir)
{
    if (!rep || !drill_report_count(rep)) {
        fprintf(stderr, "huashu drill report: no drill results in %s\n", dir);
        return 1;
    }
    buf out;
    buf_init(&out);
    if (!strcmp(format, "json"))
        drill_report_json(rep, &out);
    else
        drill_report_text(rep, &out);
    fwrite(buf_str(&out), 1, out.len, stdout);
    bool cut = out.failed;
    buf_free(&out);
    if (cut)
        fprintf(stderr, "huashu drill report: out of memory: the report above is incomplete\n");
    return fflush(stdout) == 0 && !cut ? 0 : 2;
}

/* huashu drill report [DIR]: sums up the saved results under DIR. */
typedef struct report_args {
    const char *dir, *format;
} report_args;

/* The cli_take_fn of huashu drill report. */
static bool take_report_option(void *ctx, int id, const char *name, const char *value)
{
    report_args *a = ctx;
    (void)name;
    if (id == OPT_FORMAT)
        return take_format(&a->format, value);
    if (a->dir || !strcmp(value, "-"))
        return false;
    a->dir = value;
    return true;
}

static int cmd_drill_report(int argc, char **argv)
{
    report_args a = {NULL, "text"};
    cli_result r = cli_parse(&report_spec, argc, argv, take_report_option, &a);
    if (r != CLI_OK)
        return parse_status(r);
    const char *dir = a.dir, *format = a.format;
    char *state = dir ? NULL : paths_state_dir("drills");
    path_list files = {0};
    collect(dir ? dir : state, &files, 0);
    if (files.n)
        qsort(files.v, files.n, sizeof *files.v, compare_paths);
    drill_report *rep = drill_report_new();
    if (rep)
        report_files(rep, &files);
    int status = report_print(rep, format, dir ? dir : state);
    for (size_t i = 0; i < files.n; i++)
        free(files.v[i]);
    free(files.v);
    free(state);
    drill_report_free(rep);
    return status;
}

/* ---- drill from-log ------------------------------------------------------------------ */

typedef struct event_list {
    event *v;
    size_t n, cap;
} event_list;

/* Keeps ev in out; false (ev released) when out of memory. */
static bool keep_event(event_list *out, event *ev)
{
    if (out->n == out->cap) {
        event *grown = realloc(out->v, (out->cap * 2 + 16) * sizeof *grown);
        if (!grown) {
            event_release(ev);
            return false;
        }
        out->v = grown;
        out->cap = out->cap * 2 + 16;
    }
    out->v[out->n++] = *ev;
    return true;
}

/* Reads every event of conversation conv from a session log; bad lines are reported. */
static bool read_log(const char *path, const char *conv, event_list *out)
{
    int fd;
    linereader lr;
    if (!open_lines("from-log", path, &fd, &lr))
        return false;
    const char *line;
    size_t len;
    bool ok = true;
    while (ok && next_line(&lr, path, &line, &len)) {
        char err[256];
        event ev;
        if (!event_parse(&ev, line, len, err, sizeof err))
            fprintf(stderr, "%s:%lu: skipped: %s\n", path, lr.line_number, err);
        else if (strcmp(ev.conv, conv) != 0)
            event_release(&ev);
        else
            ok = keep_event(out, &ev);
    }
    linereader_free(&lr);
    if (fd != STDIN_FILENO)
        close(fd);
    if (!ok)
        fprintf(stderr, "huashu drill from-log: out of memory\n");
    return ok;
}

typedef struct state_watch {
    const char *conv;
    int state; /* the conversation's state after the latest event, PB_NONE before */
} state_watch;

/* Observer for keys_to_states: remembers the watched conversation's state. */
static void watch_state(void *ctx, const conversation *c, int64_t at, unsigned changes)
{
    state_watch *w = ctx;
    if (!strcmp(c->id, w->conv))
        w->state = c->state;
}

/* Plays the events through an engine so that an agent's key becomes the state it led to: a key
 * that entered the state of its own name (hold, transfer, silent...) turns into a state event,
 * any other key (hold again to come back, name) is left out of the skeleton. */
static void keys_to_states(const playbook *pb, const char *conv, event_list *evs)
{
    engine *e = engine_new(pb);
    state_watch w = {conv, PB_NONE};
    if (!e)
        return;
    engine_set_observer(e, watch_state, &w);
    for (size_t i = 0; i < evs->n; i++) {
        event *ev = &evs->v[i];
        char err[256];
        w.state = PB_NONE;
        bool fed = engine_feed(e, ev, err, sizeof err);
        if (ev->type != EVENT_KEY)
            continue;
        if (fed && w.state >= 0 && !strcmp(pb->states[w.state].id, ev->key)) {
            ev->type = EVENT_STATE;
            ev->state = pb->states[w.state].id;
        } else {
            ev->type = EVENT_LOOKUP; /* ignored by the skeleton */
        }
    }
    engine_free(e);
}

/* huashu drill from-log LOG --conv ID: a drill skeleton from a real conversation. */
typedef struct from_log_args {
    const char *log, *conv, *playbook;
} from_log_args;

/* The cli_take_fn of huashu drill from-log. */
static bool take_from_log_option(void *ctx, int id, const char *name, const char *value)
{
    from_log_args *a = ctx;
    (void)name;
    if (id == OPT_CONV)
        a->conv = value;
    else if (id == STARTUP_PLAYBOOK)
        a->playbook = value;
    else if (a->log)
        return false;
    else
        a->log = value;
    return true;
}

static int cmd_drill_from_log(int argc, char **argv)
{
    from_log_args a = {0};
    cli_result r = cli_parse(&from_log_spec, argc, argv, take_from_log_option, &a);
    if (r != CLI_OK)
        return parse_status(r);
    if (!a.log || !a.conv) {
        fprintf(stderr, "huashu drill from-log: %s is missing\n", a.log ? "--conv" : "LOG");
        cli_usage(&from_log_spec, stderr);
        return 2;
    }
    const char *log = a.log, *conv = a.conv, *pb = a.playbook;
    event_list evs = {0};
    int status = 2;
    diagnostics d;
    diag_init(&d);
    playbook *book = paths_load_playbook(pb ? pb : paths_default_playbook(), &d);
    fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    if (book && read_log(log, conv, &evs)) {
        keys_to_states(book, conv, &evs);
        buf out;
        buf_init(&out);
        char err[256];
        if (drill_skeleton(evs.v, evs.n, conv, pb ? pb : book->id, log, &out, err, sizeof err)) {
            fwrite(buf_str(&out), 1, out.len, stdout);
            status = fflush(stdout) == 0 ? 0 : 2;
        } else {
            fprintf(stderr, "huashu drill from-log: %s\n", err);
            status = 1;
        }
        buf_free(&out);
    }
    for (size_t i = 0; i < evs.n; i++)
        event_release(&evs.v[i]);
    free(evs.v);
    playbook_free(book);
    return status;
}

/* ---- drill FILE: the console --------------------------------------------------------- */

typedef struct console_drill_args {
    drill_console dc;
    const char *file, *playbook;
    console_args console;
} console_drill_args;

/* The cli_take_fn of huashu drill FILE: its own options, the file, then the console's. */
static bool take_console_option(void *ctx, int id, const char *name, const char *value)
{
    console_drill_args *a = ctx;
    if (id == OPT_NO_HINTS)
        a->dc.no_hints = true;
    else if (id == OPT_TRAINEE)
        a->dc.trainee = value;
    else if (id == STARTUP_PLAYBOOK)
        a->playbook = value;
    else if (id == CLI_ARG && !a->file)
        a->file = value;
    else
        return console_take(&a->console, id, name, value);
    return true;
}

/* huashu drill FILE: the drill in the console; other options go to the console. */
static int cmd_drill_console(int argc, char **argv)
{
    console_drill_args a = {.dc = {.trainee = default_trainee(), .save = save_result}};
    console_args_init(&a.console);
    cli_result r = cli_parse(&console_drill_spec, argc, argv, take_console_option, &a);
    if (r != CLI_OK)
        return parse_status(r);
    playbook *pb = NULL;
    char *pb_name = NULL;
    int status = 2;
    if (!a.file) {
        fprintf(stderr, "huashu drill: FILE is missing\n");
        cli_usage(&console_drill_spec, stderr);
    } else if (load_drill(a.file, a.playbook, &a.dc.dr, &pb, &pb_name)) {
        a.console.start.playbook = pb_name;
        console_hooks hooks = {_("DRILL"), drill_console_setup, drill_console_teardown, &a.dc};
        status = console_main(&a.console, &hooks);
    }
    drill_console_free(&a.dc);
    drill_free(a.dc.dr);
    playbook_free(pb);
    free(pb_name);
    return status;
}

int cmd_drill(int argc, char **argv)
{
    if (argc < 2) {
        cli_usage(&console_drill_spec, stderr);
        return 2;
    }
    if (!strcmp(argv[1], "run"))
        return cmd_drill_run(argc - 1, argv + 1);
    if (!strcmp(argv[1], "report"))
        return cmd_drill_report(argc - 1, argv + 1);
    if (!strcmp(argv[1], "from-log"))
        return cmd_drill_from_log(argc - 1, argv + 1);
    return cmd_drill_console(argc, argv);
}
