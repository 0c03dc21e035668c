/* cmdline: the one option parser of every command, over a table of the options it takes. The
 * --help text is generated from the same table, so an option cannot work without being listed
 * or be listed without working.
 *
 * To add an option to a command: add a row to the command's table (cmd_*.c, `*_options[]`)
 * with its name, the word for its value (NULL for a flag), a one-line help and an id; then
 * handle that id in the command's take function. Options every engine-running command shares
 * (--config, --playbook, --set) are the STARTUP_OPTION_* rows of startup.h. */
#ifndef HUASHU_CMDLINE_H
#define HUASHU_CMDLINE_H

#include <stdbool.h>
#include <stdio.h>

/* One option of a command. A table ends with a row whose name is NULL. */
typedef struct cli_option {
    const char *name;  /* "--feed" */
    const char *value; /* the word for its value in the help ("SPEC"); NULL for a flag */
    const char *help;  /* one line for --help */
    int id;            /* passed to the command's take function */
    const char *alias; /* another spelling ("-v"), or NULL */
} cli_option;

/* The id a take function gets for an argument that is not an option (a file, an id...). */
#define CLI_ARG (-1)

/* A command's take function: records one option (value NULL for a flag) or argument. False
 * stops the parse as a usage error; it may print its own message first. */
typedef bool (*cli_take_fn)(void *ctx, int id, const char *name, const char *value);

/* What a command looks like on the command line. */
typedef struct cli_spec {
    const char *prog;                /* "huashu feed": the prefix of messages */
    const char *synopsis;            /* the usage lines after "usage: " (may hold newlines) */
    const char *about;               /* a paragraph after the usage, or NULL */
    const cli_option *const *tables; /* NULL-terminated list of option tables */
} cli_spec;

typedef enum cli_result {
    CLI_OK,   /* every option taken */
    CLI_HELP, /* --help or -h: the help was printed on standard output */
    CLI_BAD,  /* a usage error: a message and the usage were printed on standard error */
} cli_result;

/* Parses argv[1..argc-1] against the spec's tables, calling take for each option and argument
 * in order. "--" ends the options; "-" is an argument. An option's value is the next argument
 * or follows "=" (--feed=SPEC). */
cli_result cli_parse(const cli_spec *spec, int argc, char **argv, cli_take_fn take, void *ctx);
/* Prints the usage, the paragraph and every option with its help. */
void cli_help(const cli_spec *spec, FILE *out);
/* Prints the option list: one line per option, its value word and its help. */
void cli_options(const cli_spec *spec, FILE *out);
/* Prints only the usage lines (after a usage error). */
void cli_usage(const cli_spec *spec, FILE *out);
/* The row for an option name in the spec's tables, or NULL. */
const cli_option *cli_find(const cli_spec *spec, const char *name);

#endif
