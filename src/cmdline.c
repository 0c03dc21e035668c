/* cmdline: the one option parser of every command (see cmdline.h). */
#include "config.h"

#include <string.h>

#include "cmdline.h"

const cli_option *cli_find(const cli_spec *spec, const char *name)
{
    for (const cli_option *const *t = spec->tables; t && *t; t++)
        for (const cli_option *o = *t; o->name; o++)
            if (!strcmp(o->name, name) || (o->alias && !strcmp(o->alias, name)))
                return o;
    return NULL;
}

void cli_usage(const cli_spec *spec, FILE *out)
{
    fprintf(out, "usage: %s\n", spec->synopsis);
    if (spec->about)
        fprintf(out, "%s\n", spec->about);
}

void cli_options(const cli_spec *spec, FILE *out)
{
    for (const cli_option *const *t = spec->tables; t && *t; t++) {
        for (const cli_option *o = *t; o->name; o++) {
            if (cli_find(spec, o->name) != o)
                continue; /* shadowed by an earlier table's row */
            char left[64];
            snprintf(left, sizeof left, "%s%s%s%s%s", o->alias ? o->alias : "",
                     o->alias ? ", " : "", o->name, o->value ? " " : "", o->value ? o->value : "");
            fprintf(out, "  %-24s %s\n", left, o->help);
        }
    }
    fprintf(out, "  %-24s %s\n", "-h, --help", "this help");
}

void cli_help(const cli_spec *spec, FILE *out)
{
    cli_usage(spec, out);
    fprintf(out, "\noptions:\n");
    cli_options(spec, out);
}

/* A usage error: the message, then the usage lines. */
static cli_result bad(const cli_spec *spec, const char *message)
{
    fprintf(stderr, "%s: %s\n", spec->prog, message);
    cli_usage(spec, stderr);
    return CLI_BAD;
}

cli_result cli_parse(const cli_spec *spec, int argc, char **argv, cli_take_fn take, void *ctx)
{
    bool options = true;
    for (int i = 1; i < argc; i++) {
        char *arg = argv[i];
        if (options && !strcmp(arg, "--")) {
            options = false;
            continue;
        }
        if (!options || arg[0] != '-' || !strcmp(arg, "-")) {
            if (!take(ctx, CLI_ARG, NULL, arg)) {
                cli_usage(spec, stderr);
                return CLI_BAD;
            }
            continue;
        }
        if (!strcmp(arg, "--help") || !strcmp(arg, "-h")) {
            cli_help(spec, stdout);
            return CLI_HELP;
        }
        char name[64];
        const char *eq = arg[1] == '-' ? strchr(arg, '=') : NULL;
        size_t n = eq ? (size_t)(eq - arg) : strlen(arg);
        snprintf(name, sizeof name, "%.*s", (int)(n < sizeof name ? n : sizeof name - 1), arg);
        const cli_option *o = cli_find(spec, name);
        char message[160];
        if (!o) {
            snprintf(message, sizeof message, "unknown option \"%s\"", arg);
            return bad(spec, message);
        }
        const char *value = eq ? eq + 1 : NULL;
        if (o->value && !value) {
            if (i + 1 >= argc) {
                snprintf(message, sizeof message, "%s needs a value", o->name);
                return bad(spec, message);
            }
            value = argv[++i];
        } else if (!o->value && value) {
            snprintf(message, sizeof message, "%s takes no value", o->name);
            return bad(spec, message);
        }
        if (!take(ctx, o->id, o->name, value)) {
            cli_usage(spec, stderr);
            return CLI_BAD;
        }
    }
    return CLI_OK;
}
