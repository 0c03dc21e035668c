/* huashu: the command line. One small table of subcommands; each lives in cmd_*.c. */
#include "config.h"

#include <locale.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "console/console.h"
#include "intl.h"
#include "net/paths.h"

typedef struct command {
    const char *name;
    int (*run)(int argc, char **argv);
    const char *usage;
} command;

static const command commands[] = {
    {"check", cmd_check, "check [FILE...]        validate playbooks (bundled ones when no FILE)"},
    {"replay", cmd_replay,
     "replay FILE|-          feed events through the engine, print changes as JSONL"},
    {"eval", cmd_eval,
     "eval TSV JSONL         measure state detection on labelled customer messages"},
    {"lint", cmd_lint, "lint [TEXT...]         check agent text against the forbidden phrases"},
    {"lookup", cmd_lookup,
     "lookup order|stock ID   look up an order or stock over HTTP, print the fields"},
    {"audit", cmd_audit,
     "audit FILE...          KPIs and rule compliance over event logs (.gz too)"},
    {"feed", cmd_feed, "feed [SPEC]            run a feed through the engine and session log"},
    {"drill", cmd_drill, "drill FILE|run|report  trainer drills: play, score answers, sum up"},
};

static void usage(FILE *out)
{
    fprintf(out, "usage: huashu [--manual] [OPTIONS]    the console (huashu(1), CONSOLE)\n"
                 "       huashu COMMAND [ARGS]\n\ncommands:\n");
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        fprintf(out, "  huashu %s\n", commands[i].usage);
    fprintf(out, "\nconsole options:\n");
    cli_options(&console_spec, out);
    fprintf(out, "\nconnect a chat: --feed SPEC, or feed: SPEC in ~/.config/huashu/config.yaml;\n"
                 "a sent line goes to the chat (unix:, exec:, chatwoot:) or to the clipboard\n"
                 "(-, file:; inside tmux: set -g set-clipboard on). huashu(1), FEEDS.\n");
    fprintf(out, "\nhuashu --version, huashu COMMAND --help; see huashu(1).\n");
}

/* UI labels in the user's language, from the install, the build tree or $HUASHU_LOCALEDIR. */
static void intl_init(void)
{
#if ENABLE_NLS
    char *dir = paths_localedir();
    bindtextdomain(PACKAGE, dir ? dir : LOCALEDIR);
    free(dir);
    bind_textdomain_codeset(PACKAGE, "UTF-8");
    textdomain(PACKAGE);
#endif
}

int main(int argc, char **argv)
{
    /* Over a file-size limit (ulimit -f) a write must fail with EFBIG, reported like a full
     * disk, rather than SIGXFSZ ending every command mid-session. */
    signal(SIGXFSZ, SIG_IGN);
    setlocale(LC_ALL, "");
    intl_init();
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        usage(stdout);
        return 0;
    }
    if (argc > 1 && !strcmp(argv[1], "--version")) {
        printf("%s\n", PACKAGE_STRING);
        return 0;
    }
    if (argc < 2 || argv[1][0] == '-') /* no command, or only options: the console */
        return cmd_console(argc, argv);
    for (size_t i = 0; i < sizeof commands / sizeof commands[0]; i++)
        if (!strcmp(argv[1], commands[i].name))
            return commands[i].run(argc - 1, argv + 1);
    fprintf(stderr, "huashu: unknown command \"%s\"\n", argv[1]);
    usage(stderr);
    return 2;
}
