/* paths: where huashu finds its files (XDG base directories, bundled data) and reads them. */
#ifndef HUASHU_PATHS_H
#define HUASHU_PATHS_H

#include <stddef.h>

#include "core/config.h"
#include "core/playbook.h"

/* Reads a whole file (at most 16 MiB). Returns malloc'd contents, NUL-terminated, and *len;
 * NULL with errno set on failure. */
char *paths_read_file(const char *path, size_t *len);
/* The first existing data file rel ("playbooks/zh_CN.yaml") in $XDG_DATA_HOME/huashu,
 * $HUASHU_DATA, each $XDG_DATA_DIRS/huashu, the install's (paths_relocate), the source tree.
 * Returns a malloc'd path or NULL. */
char *paths_find_data(const char *rel);
/* A directory of the install (the data or locale directory configure chose) moved along with
 * the program: one built for /usr and run as ROOT/usr/bin/huashu (a package unpacked with
 * dpkg -x, a copied prefix) looks in ROOT/usr/share/huashu. Returns a malloc'd path, or NULL
 * when the program runs from its configured bindir or from no bindir-like place (a build
 * tree): then only the configured directory applies. */
char *paths_relocate(const char *installed);
/* Where the UI's translations are: $HUASHU_LOCALEDIR, else the build tree's locale/ when this
 * is the build tree's src/huashu (so it speaks the locale's language uninstalled), else the
 * install's (paths_relocate when that directory exists). Returns a malloc'd path or NULL. */
char *paths_localedir(void);
/* $XDG_CONFIG_HOME/huashu/config.yaml (malloc'd). */
char *paths_config_file(void);
/* False, with why and how to fix it in why, for a file anyone may write to or that belongs to
 * another user (root excepted): a config is code (an exec: feed), as ssh treats its files. */
bool paths_file_trusted(const char *path, char *why, size_t cap);
/* $XDG_STATE_HOME/huashu/<sub> (malloc'd), not created. */
char *paths_state_dir(const char *sub);
/* Resolves a playbook named by id or path for `extends:` and the command line (a
 * playbook_reader). */
char *paths_read_playbook(void *ctx, const char *name, const char *from, size_t *len, char **path);

/* Loads a playbook by id ("zh_CN") or path, extends: resolved; problems go to d. */
playbook *paths_load_playbook(const char *name, diagnostics *d);
/* Loads $XDG_CONFIG_HOME/huashu/config.yaml, or the file named by path when not NULL. A missing
 * default file gives the defaults; problems go to d and the config still comes back. */
config *paths_load_config(const char *path, diagnostics *d);
/* Loads the playbook a command should use: requested (--playbook) when given, else the
 * config's playbook: option, else the bundled one for the locale. cfg may be NULL (then the
 * user's config file is read for its playbook: option). Problems go to d. */
playbook *paths_choose_playbook(const char *requested, const config *cfg, diagnostics *d);
/* paths_choose_playbook for a command: problems are printed on stderr; NULL on failure. */
playbook *paths_command_playbook(const char *requested);
/* The same for a command that never reads a customer message (lint): the detector is not
 * trained (pb->detector stays NULL). */
playbook *paths_command_rules(const char *requested);
/* The bundled playbook id for the user's locale (zh_TW, en or zh_CN). */
const char *paths_default_playbook(void);

#endif
