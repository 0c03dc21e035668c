/* commands: the subcommands of huashu, one file each (cmd_*.c), dispatched by main.c. */
#ifndef HUASHU_COMMANDS_H
#define HUASHU_COMMANDS_H

#include <stddef.h>

/* Each returns the process exit status: 0 ok, 1 problems found, 2 usage or I/O error. */
int cmd_check(int argc, char **argv);
/* huashu with no command (or only options): the console. */
int cmd_console(int argc, char **argv);
int cmd_replay(int argc, char **argv);
int cmd_lint(int argc, char **argv);
/* huashu eval: 0 measured, 1 below --min-f1, 2 usage or I/O error. */
int cmd_eval(int argc, char **argv);
/* huashu lookup: exit 0 found, 1 not found, 2 usage/config, 3 network, 4 refused, 5 bad
 * response (see cmd_lookup.c). */
int cmd_lookup(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_feed(int argc, char **argv);
/* huashu drill: 0 passed, 1 failed, 2 usage or I/O error. */
int cmd_drill(int argc, char **argv);
/* huashu check on a drill file (cmd_drill.c): 0 clean, 1 problems printed. */
int drill_check_file(const char *path, const char *data, size_t len);

#endif
