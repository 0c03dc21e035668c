#include "net/sessionlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "core/civil.h"
#include "net/paths.h"

/* mkdir -p for path, each missing directory created 0700. */
static bool make_dirs(const char *path)
{
    char *p = strdup(path);
    if (!p)
        return false;
    bool ok = true;
    for (char *s = p + 1; ok; s++) {
        if (*s != '/' && *s != '\0')
            continue;
        char c = *s;
        *s = '\0';
        if (mkdir(p, 0700) != 0 && errno != EEXIST)
            ok = false;
        *s = c;
        if (c == '\0')
            break;
    }
    free(p);
    return ok;
}

bool sessionlog_open(sessionlog *log, int64_t now_ms, int tz_min, char *err, size_t errlen)
{
    memset(log, 0, sizeof *log);
    log->fd = -1;
    buf_init(&log->line);
    char *dir = paths_state_dir("sessions");
    if (!dir || !make_dirs(dir)) {
        snprintf(err, errlen, "cannot create %s: %s", dir ? dir : "the state directory",
                 strerror(errno));
        free(dir);
        return false;
    }
    civil_time t = civil_from_ms(now_ms, tz_min);
    size_t n = strlen(dir) + 64;
    log->path = malloc(n);
    if (log->path)
        snprintf(log->path, n, "%s/%04d-%02d-%02d-%ld.jsonl", dir, t.year, t.month, t.day,
                 (long)getpid());
    free(dir);
    if (!log->path) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    log->fd = open(log->path, O_WRONLY | O_CREAT | O_APPEND | O_CLOEXEC, 0600);
    if (log->fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", log->path, strerror(errno));
        return false;
    }
    return true;
}

bool sessionlog_write(sessionlog *log, const event *ev)
{
    if (log->fd < 0)
        return false;
    buf_clear(&log->line);
    event_format(&log->line, ev);
    const char *p = log->line.data;
    size_t left = log->line.len;
    while (left > 0) {
        ssize_t n = write(log->fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            log->failed++;
            return false;
        }
        p += n;
        left -= (size_t)n;
    }
    log->written++;
    return true;
}

void sessionlog_close(sessionlog *log)
{
    if (log->fd >= 0) {
        fsync(log->fd);
        close(log->fd);
    }
    log->fd = -1;
    free(log->path);
    log->path = NULL;
    buf_free(&log->line);
}
