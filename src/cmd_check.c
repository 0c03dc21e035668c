/* huashu check: validate playbooks (and, as they come, drills and config) with file:line:col. */
#include "config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "commands.h"
#include "core/playbook.h"
#include "core/yamldoc.h"
#include "net/paths.h"

static const char *const bundled[] = {"zh_CN", "zh_TW", "en"};

static void report_playbook(const char *path, const playbook *pb)
{
    printf("%s: ok: playbook %s (%s), %zu states, %zu lines, %zu forbidden phrases\n", path, pb->id,
           pb->locale, pb->state_count, pb->line_count, pb->forbidden_count);
}

/* Validates one playbook file; returns 0 when clean, 1 when problems were printed, 2 on I/O. */
static int check_playbook_file(const char *path, const char *data, size_t len)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load(path, data, len, paths_read_playbook, NULL, &d);
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

static int check_file(const char *path)
{
    size_t len;
    char *data = paths_read_file(path, &len);
    if (!data) {
        fprintf(stderr, "%s: cannot read: %s\n", path, strerror(errno));
        return 2;
    }
    int status = check_playbook_file(path, data, len);
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

int cmd_check(int argc, char **argv)
{
    if (argc > 1 && (!strcmp(argv[1], "--help") || !strcmp(argv[1], "-h"))) {
        printf("usage: huashu check [FILE...]\n"
               "Validates playbooks; prints file:line:col: message for each problem and exits 1.\n"
               "Without FILE, checks the bundled playbooks.\n");
        return 0;
    }
    if (argc < 2)
        return check_bundled();
    int worst = 0;
    for (int i = 1; i < argc; i++) {
        int status = check_file(argv[i]);
        worst = status > worst ? status : worst;
    }
    return worst;
}
