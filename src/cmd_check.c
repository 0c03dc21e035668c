/* huashu check: validate playbooks (and, as they come, drills and config) with file:line:col. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cmdline.h"
#include "commands.h"
#include "core/chatwoot_map.h"
#include "core/config.h"
#include "core/drill.h"
#include "core/playbook.h"
#include "core/yamldoc.h"
#include "net/lookup.h"
#include "net/feed.h"
#include "net/paths.h"
#include "net/scriptconv.h"
#include "core/detect.h"
#include "ui/keys.h"

static const char *const bundled[] = {"zh_CN", "zh_TW", "en"};

static void report_playbook(const char *path, const playbook *pb)
{
    printf("%s: ok: playbook %s (%s), %zu states, %zu lines, %zu forbidden phrases", path, pb->id,
           pb->locale, pb->state_count, pb->line_count, pb->forbidden_count);
    if (detect_example_count(pb->detector))
        printf(", %zu examples (%zu features)", detect_example_count(pb->detector),
               detect_feature_count(pb->detector));
    putchar('\n');
}

/* Validates one playbook file; returns 0 when clean, 1 when problems were printed, 2 on I/O. */
static int check_playbook_file(const char *path, const char *data, size_t len)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load(path, data, len, paths_read_playbook, NULL, &d);
    if (pb && !scriptconv_train(pb, &d)) {
        playbook_free(pb);
        pb = NULL;
    }
    int status = 0;
    if (pb)
        report_playbook(path, pb);
    else {
        fputs(buf_str(&d.text), stderr);
        status = 1;
    }
    playbook_free(pb);
    diag_free(&d);
    return status;
}

/* The feed: option names a kind huashu knows, with exec: quoting that splits. */
static void check_feed_spec(yamldoc *y, yaml_node_t *node, const char *spec)
{
    static const char *const kinds[] = {"file:", "unix:", "exec:", "chatwoot:"};
    bool known = !*spec || !strcmp(spec, "-");
    for (size_t i = 0; !known && i < sizeof kinds / sizeof kinds[0]; i++)
        known = !strncmp(spec, kinds[i], strlen(kinds[i]));
    if (!known)
        yamldoc_error(y, node, "feed: want -, file:PATH, unix:PATH, exec:COMMAND or chatwoot:");
    if (strncmp(spec, "exec:", 5) != 0)
        return;
    char err[160];
    char **argv = feed_split_command(spec + 5, err, sizeof err);
    if (!argv)
        yamldoc_error(y, node, "feed: exec: %s", err);
    free(argv);
}

/* The feed: option, and the chatwoot: section when present or when feed: needs it. */
static void check_feed_config(config *c, diagnostics *d)
{
    yamldoc *y = NULL;
    yaml_node_t *node = config_section(c, "chatwoot", &y, d);
    if (!y)
        return;
    yaml_node_t *feed_node = yamldoc_get(y, yamldoc_root(y), "feed");
    const char *spec = feed_node ? yamldoc_scalar(feed_node) : NULL;
    if (spec)
        check_feed_spec(y, feed_node, spec);
    chatwoot_config cw;
    if ((node || (spec && !strcmp(spec, "chatwoot:"))) && chatwoot_config_parse(y, node, &cw))
        chatwoot_config_free(&cw);
}

/* Validates a config file: the option table, then each section's owner. */
static int check_config_file(const char *path, const char *data, size_t len)
{
    diagnostics d;
    diag_init(&d);
    char why[512];
    if (!paths_file_trusted(path, why, sizeof why))
        diag_add(&d, path, 0, 0, "%s", why);
    config *c = config_load(path, data, len, &d);
    lookup_config_free(lookup_config_load(c, &d));
    check_feed_config(c, &d);
    keymap keys; /* the console's keys: section */
    keymap_defaults(&keys);
    keymap_load(&keys, c, &d);
    int status = 0;
    if (d.count) {
        diag_sort(&d);
        fputs(buf_str(&d.text), stderr);
        status = 1;
    } else {
        printf("%s: ok: config\n", path);
    }
    static const char *const agent_values[] = {"company", "agent_no"};
    for (size_t i = 0; i < sizeof agent_values / sizeof agent_values[0]; i++) {
        bool set = false;
        for (size_t k = 0; k < config_agent_count(c) && !set; k++) {
            const char *name, *value;
            config_agent_at(c, k, &name, &value);
            set = !strcmp(name, agent_values[i]) && value && *value;
        }
        if (!set)
            fprintf(stderr,
                    "%s: warning: agent: %s is not set: the console asks for it in every line "
                    "that uses {%s}\n",
                    path, agent_values[i], agent_values[i]);
    }
    config_free(c);
    diag_free(&d);
    return status;
}

typedef enum file_kind { KIND_PLAYBOOK, KIND_CONFIG, KIND_DRILL } file_kind;

/* Tells a playbook, a config and a drill apart by their top-level keys (a config has no states
 * or locale; a drill has drill: or steps:). */
static file_kind detect_kind(const char *path, const char *data, size_t len)
{
    diagnostics d;
    diag_init(&d);
    yamldoc y;
    file_kind kind = KIND_PLAYBOOK;
    if (yamldoc_load(&y, path, data, len, &d)) {
        yaml_node_t *root = yamldoc_root(&y);
        bool looks_like_playbook = yamldoc_get(&y, root, "states") ||
                                   yamldoc_get(&y, root, "locale") ||
                                   yamldoc_get(&y, root, "extends");
        if (!looks_like_playbook && root->type == YAML_MAPPING_NODE)
            kind = drill_looks_like(&y) ? KIND_DRILL : KIND_CONFIG;
    }
    yamldoc_free(&y);
    diag_free(&d);
    return kind;
}

static int check_file(const char *path)
{
    size_t len;
    char *data = paths_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        return 2;
    }
    file_kind kind = detect_kind(path, data, len);
    int status = kind == KIND_DRILL    ? drill_check_file(path, data, len)
                 : kind == KIND_CONFIG ? check_config_file(path, data, len)
                                       : check_playbook_file(path, data, len);
    free(data);
    return status;
}

static int check_bundled(void)
{
    int worst = 0;
    for (size_t i = 0; i < sizeof bundled / sizeof bundled[0]; i++) {
        char rel[64];
        snprintf(rel, sizeof rel, "playbooks/%s.yaml", bundled[i]);
        char *path = paths_find_data(rel);
        if (!path) {
            fprintf(stderr, "huashu check: bundled playbook %s not found (set HUASHU_DATA?)\n",
                    bundled[i]);
            worst = 2;
            continue;
        }
        int status = check_file(path);
        worst = status > worst ? status : worst;
        free(path);
    }
    return worst;
}

static const cli_option check_options[] = {
    {NULL, NULL, NULL, 0, NULL}, /* none but --help: every argument is a file */
};

static const cli_option *const check_tables[] = {check_options, NULL};

static const cli_spec check_spec = {
    "huashu check",
    "huashu check [FILE...]",
    "Validates playbooks and config files; prints file:line:col: message for each problem and\n"
    "exits 1. Without FILE, checks the bundled playbooks.",
    check_tables,
};

typedef struct check_args {
    char **files; /* argv's front: behind the parse */
    int count;
} check_args;

/* The cli_take_fn of huashu check: every argument is a file. */
static bool take_file(void *ctx, int id, const char *name, const char *value)
{
    check_args *a = ctx;
    (void)id, (void)name;
    a->files[a->count++] = (char *)value;
    return true;
}

int cmd_check(int argc, char **argv)
{
    check_args a = {argv + 1, 0};
    cli_result r = cli_parse(&check_spec, argc, argv, take_file, &a);
    if (r != CLI_OK)
        return r == CLI_HELP ? 0 : 2;
    if (a.count == 0)
        return check_bundled();
    int worst = 0;
    for (int i = 0; i < a.count; i++) {
        int status = check_file(a.files[i]);
        worst = status > worst ? status : worst;
    }
    return worst;
}
