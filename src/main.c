/* huashu: the command line. One small table of subcommands; each lives in cmd_*.c. */
#include "config.h"

#include <locale.h>
#include <stdio.h>
#include <string.h>

#include "commands.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"check", cmd_check, "check [FILE...]        validate playbooks (bundled ones when no FILE)"},
    {"replay", cmd_replay, "replay FILE|-          feed events through the engine, print changes as JSONL"},
    {"lint", cmd_lint, "lint [TEXT...]         check agent text against the forbidden phrases"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: huashu COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  huashu %s\n", commands[i].usage);
    fprintf(out, "\nhuashu --version, huashu --help; see huashu(1).\n");
}

int main(int argc, char **argv)
{
    setlocale(LC_ALL, "");
    if (argc < 2 || !strcmp(argv[1], "--help") || !strcmp(argv[1], "-h")) {
        usage(argc < 2 ? stderr : stdout);
        return argc < 2 ? 2 : 0;
    }
    if (!strcmp(argv[1], "--version")) {
        printf("%s\n", PACKAGE_STRING);
        return 0;
    }
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "huashu: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
