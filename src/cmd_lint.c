/* huashu lint: check a line, stdin's lines, or the agent's messages of event logs against the
 * playbook's forbidden phrases, 不可以说 lines and unfilled placeholders. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "cmdline.h"
#include "commands.h"
#include "core/event.h"
#include "core/lint.h"
#include "net/linereader.h"
#include "net/paths.h"

#define LINT_MAX_LINE (1024 * 1024)
#define HITS_PER_LINE 64

typedef struct lint_args {
    const char *playbook;
    bool json;
    bool events;   /* input lines are JSONL events: lint the agent's messages */
    char **inputs; /* TEXT words, or FILEs with --events */
    int input_count;
} lint_args;

typedef struct linter {
    const lint *lint;
    bool json;
    buf out;
    unsigned long hits, lines_with_hits, bad;
} linter;

enum { OPT_PLAYBOOK, OPT_FORMAT, OPT_EVENTS };

static const cli_option lint_options[] = {
    {"--playbook", "NAME|FILE", "the playbook (default: the config's, else the locale's)",
     OPT_PLAYBOOK, NULL},
    {"--format", "text|json", "the output format (default: text)", OPT_FORMAT, NULL},
    {"--events", NULL, "the inputs are event logs: lint the agent's messages", OPT_EVENTS, NULL},
    {NULL, NULL, NULL, 0, NULL},
};

static const cli_option *const lint_tables[] = {lint_options, NULL};

static const cli_spec lint_spec = {
    "huashu lint",
    "huashu lint [--playbook NAME|FILE] [--format text|json] [TEXT...]\n"
    "       huashu lint [--playbook NAME|FILE] [--format text|json] --events [FILE...|-]",
    "Checks TEXT (or each line of standard input; with --events the agent's messages of\n"
    "event logs) and prints each hit with its column in characters, the phrase and the\n"
    "better wording. Exit status: 1 when something was found, 0 when clean, 2 on errors.",
    lint_tables,
};

/* The cli_take_fn of huashu lint: options first, then TEXT (or FILEs), kept at the front of
 * argv. */
static bool take_option(void *ctx, int id, const char *name, const char *value)
{
    lint_args *a = ctx;
    if (id != CLI_ARG && a->input_count) {
        fprintf(stderr, "huashu lint: %s: options go before TEXT (or after --)\n", name);
        return false;
    }
    if (id == OPT_PLAYBOOK)
        a->playbook = value;
    else if (id == OPT_FORMAT)
        a->json = !strcmp(value, "json");
    else if (id == OPT_EVENTS)
        a->events = true;
    else
        a->inputs[a->input_count++] = (char *)value; /* argv's front: behind the parse */
    return id != OPT_FORMAT || a->json || !strcmp(value, "text");
}

/* Writes the buffered output once it is large (or always, when forced). */
static void flush_out(linter *lt, bool force)
{
    if (lt->out.len && (force || lt->out.len > (1u << 16))) {
        fwrite(lt->out.data, 1, lt->out.len, stdout);
        buf_clear(&lt->out);
    }
}

/* Appends one hit as a text line: where, kind, phrase and better wording. */
static void put_text_hit(buf *b, const char *where, unsigned long line, const char *text,
                         const lint_hit *h)
{
    buf_printf(b, "%s%s%lu:%zu: %s: ", where ? where : "", where ? ":" : "", line, h->column + 1,
               lint_kind_name(h->kind));
    buf_append(b, text + h->offset, h->length);
    if (h->better)
        buf_printf(b, " -> %s", h->better);
    else if (h->kind == LINT_PLACEHOLDER)
        buf_puts(b, " (placeholder left unfilled)");
    else if (h->kind == LINT_MISSING)
        buf_puts(b, " (value missing)");
    buf_putc(b, '\n');
}

static void put_json_hit(buf *b, const char *where, unsigned long line, const char *conv,
                         const char *text, const lint_hit *h)
{
    buf_puts(b, "{");
    if (where) {
        buf_puts(b, "\"file\":");
        buf_json_string(b, where);
        buf_putc(b, ',');
    }
    buf_printf(b, "\"line\":%lu,", line);
    if (conv) {
        buf_puts(b, "\"conv\":");
        buf_json_string(b, conv);
        buf_putc(b, ',');
    }
    buf_printf(b, "\"column\":%zu,\"offset\":%zu,\"length\":%zu,\"kind\":\"%s\",\"match\":",
               h->column + 1, h->offset, h->length, lint_kind_name(h->kind));
    buf json_text;
    buf_init(&json_text);
    buf_append(&json_text, text + h->offset, h->length);
    buf_json_string(b, buf_str(&json_text));
    buf_free(&json_text);
    if (h->phrase) {
        buf_puts(b, ",\"phrase\":");
        buf_json_string(b, h->phrase);
    }
    if (h->better) {
        buf_puts(b, ",\"better\":");
        buf_json_string(b, h->better);
    }
    if (h->note) {
        buf_puts(b, ",\"note\":");
        buf_json_string(b, h->note);
    }
    buf_puts(b, "}\n");
}

/* Lints one piece of agent text and prints its hits. */
static void lint_text(linter *lt, const char *where, unsigned long line, const char *conv,
                      const char *text, size_t len)
{
    lint_hit hits[HITS_PER_LINE];
    size_t n = lint_check(lt->lint, text, len, hits, HITS_PER_LINE);
    if (n == 0)
        return;
    lt->hits += n;
    lt->lines_with_hits++;
    for (size_t i = 0; i < n && i < HITS_PER_LINE; i++) {
        if (lt->json)
            put_json_hit(&lt->out, where, line, conv, text, &hits[i]);
        else
            put_text_hit(&lt->out, where, line, text, &hits[i]);
    }
    if (n > HITS_PER_LINE && !lt->json)
        buf_printf(&lt->out, "%s%s%lu: ... %zu more\n", where ? where : "", where ? ":" : "", line,
                   n - HITS_PER_LINE);
    flush_out(lt, false);
}

/* Lints the agent messages of one event line; false when the line is not a valid event. */
static bool lint_event_line(linter *lt, const char *name, unsigned long number, const char *line,
                            size_t len)
{
    event ev;
    char err[256];
    if (!event_parse(&ev, line, len, err, sizeof err)) {
        fprintf(stderr, "%s:%lu: skipped: %s\n", name, number, err);
        return false;
    }
    if (ev.type == EVENT_MESSAGE && ev.from == FROM_AGENT && ev.text)
        lint_text(lt, name, number, ev.conv, ev.text, strlen(ev.text));
    event_release(&ev);
    return true;
}

/* Lints every line of fd (plain text, or events); false on a read error. */
static bool lint_fd(linter *lt, int fd, const char *name, bool events)
{
    linereader lr;
    if (!linereader_init(&lr, fd, events ? EVENT_MAX_LINE : LINT_MAX_LINE)) {
        fprintf(stderr, "huashu lint: out of memory\n");
        return false;
    }
    const char *line;
    size_t len;
    linereader_status st;
    bool ok = true;
    while ((st = linereader_next(&lr, &line, &len)) != LINE_EOF) {
        if (st == LINE_ERROR) {
            fprintf(stderr, "%s: read error: %s\n", name, strerror(errno));
            ok = false;
            break;
        }
        if (st == LINE_TOO_LONG) {
            fprintf(stderr, "%s:%lu: skipped: line too long\n", name, lr.line_number);
            lt->bad++;
        } else if (events) {
            if (len && !lint_event_line(lt, name, lr.line_number, line, len))
                lt->bad++;
        } else
            lint_text(lt, NULL, lr.line_number, NULL, line, len);
    }
    linereader_free(&lr);
    return ok;
}

/* Lints the --events inputs (stdin when none); false on an I/O error. */
static bool lint_event_files(linter *lt, char **files, int count)
{
    bool ok = true;
    if (count == 0)
        return lint_fd(lt, STDIN_FILENO, "<stdin>", true);
    for (int i = 0; i < count; i++) {
        bool is_stdin = !strcmp(files[i], "-");
        int fd = is_stdin ? STDIN_FILENO : open(files[i], O_RDONLY | O_CLOEXEC);
        if (fd < 0) {
            fprintf(stderr, "huashu lint: %s: %s\n", files[i], strerror(errno));
            ok = false;
            continue;
        }
        ok = lint_fd(lt, fd, is_stdin ? "<stdin>" : files[i], true) && ok;
        if (!is_stdin)
            close(fd);
    }
    return ok;
}

/* Lints the TEXT words given on the command line, joined by spaces, as line 1. */
static void lint_words_given(linter *lt, char **words, int count)
{
    buf text;
    buf_init(&text);
    for (int i = 0; i < count; i++) {
        if (i)
            buf_putc(&text, ' ');
        buf_puts(&text, words[i]);
    }
    lint_text(lt, NULL, 1, NULL, buf_str(&text), text.len);
    buf_free(&text);
}

int cmd_lint(int argc, char **argv)
{
    lint_args a = {.inputs = argv + 1};
    cli_result r = cli_parse(&lint_spec, argc, argv, take_option, &a);
    if (r != CLI_OK)
        return r == CLI_HELP ? 0 : 2;
    playbook *pb = paths_command_rules(a.playbook);
    if (!pb)
        return 2;
    lint *l = lint_new(pb);
    if (!l) {
        fprintf(stderr, "huashu lint: cannot build the matcher (out of memory or too many "
                        "phrases)\n");
        playbook_free(pb);
        return 2;
    }
    linter lt = {.lint = l, .json = a.json};
    buf_init(&lt.out);
    bool ok = true;
    if (a.events)
        ok = lint_event_files(&lt, a.inputs, a.input_count);
    else if (a.input_count)
        lint_words_given(&lt, a.inputs, a.input_count);
    else
        ok = lint_fd(&lt, STDIN_FILENO, "<stdin>", false);
    flush_out(&lt, true);
    if (lt.bad)
        fprintf(stderr, "huashu lint: %lu bad line%s skipped\n", lt.bad, lt.bad == 1 ? "" : "s");
    buf_free(&lt.out);
    lint_free(l);
    playbook_free(pb);
    if (fflush(stdout) != 0 || !ok)
        return 2;
    return lt.hits ? 1 : 0;
}
