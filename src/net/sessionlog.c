#include "net/sessionlog.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "core/civil.h"
#include "net/paths.h"
#include "net/os.h"

/* A random number for the log's name (getrandom, else the clock and the pid). */
static unsigned name_nonce(void)
{
    unsigned r;
    if (getrandom(&r, sizeof r, GRND_NONBLOCK) == (ssize_t)sizeof r)
        return r;
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (unsigned)ts.tv_nsec ^ ((unsigned)getpid() << 16) ^ (unsigned)ts.tv_sec;
}

/* Opens the sessions directory without following a symbolic link, and only when it is ours
 * and nobody else may write in it; -1 with a message in err otherwise. */
static int open_dir(const char *dir, char *err, size_t errlen)
{
    int dfd = open(dir, O_RDONLY | O_DIRECTORY | O_NOFOLLOW | O_CLOEXEC);
    struct stat st;
    if (dfd < 0 || fstat(dfd, &st) != 0) {
        snprintf(err, errlen, "cannot open %s: %s", dir,
                 errno == ELOOP || errno == ENOTDIR ? "it is a symbolic link or not a directory"
                                                    : strerror(errno));
        if (dfd >= 0)
            close(dfd);
        return -1;
    }
    if (st.st_uid != geteuid() || (st.st_mode & (S_IWGRP | S_IWOTH))) {
        snprintf(err, errlen,
                 "%s %s: others could replace the log; fix it with chmod go-w (and chown) or "
                 "remove it",
                 dir, st.st_uid != geteuid() ? "belongs to another user" : "is writable by others");
        close(dfd);
        return -1;
    }
    return dfd;
}

bool sessionlog_open(sessionlog *log, int64_t now_ms, int tz_min, char *err, size_t errlen)
{
    memset(log, 0, sizeof *log);
    log->fd = -1;
    buf_init(&log->line);
    char *dir = paths_state_dir("sessions");
    if (!dir || !os_make_dirs(dir)) {
        snprintf(err, errlen, "cannot create %s: %s", dir ? dir : "the state directory",
                 strerror(errno));
        free(dir);
        return false;
    }
    int dfd = open_dir(dir, err, errlen);
    if (dfd < 0) {
        free(dir);
        return false;
    }
    civil_time t = civil_from_ms(now_ms, tz_min);
    size_t n = strlen(dir) + 80;
    log->path = malloc(n);
    for (int attempt = 0; log->path && attempt < 8 && log->fd < 0; attempt++) {
        /* a name of our own: two processes with one pid (containers sharing the volume, a
         * restart the same day) never write one file; never an existing file, nor a link */
        int at = snprintf(log->path, n, "%s/", dir);
        char *name = log->path + at;
        snprintf(name, n - (size_t)at, "%04d-%02d-%02d-%ld-%08x.jsonl", t.year, t.month, t.day,
                 (long)getpid(), name_nonce());
        log->fd = openat(dfd, name, O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_NOFOLLOW | O_CLOEXEC,
                         0600);
        struct stat st;
        if (log->fd < 0 && errno == EEXIST && fstatat(dfd, name, &st, AT_SYMLINK_NOFOLLOW) == 0 &&
            S_ISLNK(st.st_mode))
            snprintf(log->notice, sizeof log->notice,
                     "session log: %s was a symbolic link someone put there (not followed); "
                     "writing to another name",
                     name);
        else if (log->fd < 0 && errno != EEXIST)
            break;
    }
    int open_errno = errno;
    close(dfd);
    free(dir);
    if (!log->path) {
        snprintf(err, errlen, "out of memory");
        return false;
    }
    if (log->fd < 0) {
        snprintf(err, errlen, "cannot open %s: %s", log->path, strerror(open_errno));
        return false;
    }
    log->size = 0; /* a new file: only what this process writes is ever cut back */
    return true;
}

/* Writes all of p; false (errno set) when the file refuses. */
static bool write_all(int fd, const char *p, size_t left, bool *some)
{
    while (left > 0) {
        ssize_t n = write(fd, p, left);
        if (n < 0 && errno == EINTR)
            continue;
        if (n <= 0) {
            if (n == 0)
                errno = EIO;
            return false;
        }
        *some = true;
        p += n;
        left -= (size_t)n;
    }
    return true;
}

/* Records a failure in words for the caller's status line. */
static void set_error(sessionlog *log, const char *what)
{
    log->err_no = errno;
    snprintf(log->error, sizeof log->error, "%s %s: %s", what, log->path ? log->path : "",
             strerror(errno));
}

/* A write stopped part-way: cuts the file back to where the line began, so no torn line stays;
 * when the file cannot be cut, the next line ends the torn one first. */
static void cut_torn_line(sessionlog *log)
{
    if (ftruncate(log->fd, log->size) == 0)
        return;
    log->partial = true;
    struct stat st;
    if (fstat(log->fd, &st) == 0)
        log->size = st.st_size;
}

bool sessionlog_write(sessionlog *log, const event *ev)
{
    if (log->fd < 0)
        return false;
    buf_clear(&log->line);
    if (log->partial) /* end the broken line so this one starts on its own */
        buf_putc(&log->line, '\n');
    event_format_agent(&log->line, ev, log->agent, log->agent_name);
    bool some = false;
    if (!write_all(log->fd, log->line.data, log->line.len, &some)) {
        set_error(log, "cannot write");
        if (some)
            cut_torn_line(log);
        log->failed++;
        return false;
    }
    log->size += (off_t)log->line.len;
    log->partial = false;
    log->error[0] = '\0';
    log->err_no = 0;
    log->unsynced++;
    log->written++;
    return true;
}

bool sessionlog_sync(sessionlog *log, int64_t now_ms)
{
    if (log->fd < 0 || log->unsynced == 0 || now_ms - log->synced_at < SESSIONLOG_SYNC_MS)
        return true;
    log->synced_at = now_ms;
    if (fsync(log->fd) != 0) {
        set_error(log, "cannot fsync");
        return false;
    }
    log->unsynced = 0;
    return true;
}

int64_t sessionlog_next_sync(const sessionlog *log)
{
    if (log->fd < 0 || log->unsynced == 0)
        return INT64_MAX;
    return log->synced_at + SESSIONLOG_SYNC_MS;
}

const char *sessionlog_error(const sessionlog *log)
{
    return log->error;
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
    free(log->agent);
    free(log->agent_name);
    log->agent = log->agent_name = NULL;
    buf_free(&log->line);
}

bool sessionlog_set_agent(sessionlog *log, const char *agent, const char *agent_name)
{
    free(log->agent);
    free(log->agent_name);
    log->agent = agent && *agent ? strdup(agent) : NULL;
    log->agent_name = agent_name && *agent_name ? strdup(agent_name) : NULL;
    return (!agent || !*agent || log->agent) && (!agent_name || !*agent_name || log->agent_name);
}
