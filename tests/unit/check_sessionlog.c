/* The session log: one line per event, appended (never truncated), fsync'd on a timer, a
 * disk error reported in words while later writes still get through, and a line the disk took
 * only in part cut off again. */
#include <errno.h>
#include <fcntl.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <unistd.h>

#include "net/sessionlog.h"
#include "unit.h"

static char state[64];

static void setup(void)
{
    snprintf(state, sizeof state, "/tmp/huashu-log.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(state));
    setenv("XDG_STATE_HOME", state, 1);
}

static void teardown(void)
{
    char cmd[128];
    snprintf(cmd, sizeof cmd, "rm -rf %s", state);
    ck_assert_int_eq(system(cmd), 0);
}

static void message(event *ev, const char *text)
{
    event_init(ev, EVENT_MESSAGE, "c-1", 1795400531000LL, 480);
    ev->from = FROM_CUSTOMER;
    ev->text = text;
}

static size_t count_lines(const char *path, char *first, size_t cap)
{
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    size_t n = 0;
    while (fgets(line, sizeof line, f))
        if (n++ == 0 && first)
            snprintf(first, cap, "%s", line);
    fclose(f);
    return n;
}

START_TEST(appends_one_line_per_event)
{
    setup();
    sessionlog log;
    char err[256];
    ck_assert_msg(sessionlog_open(&log, 1795400531000LL, 480, err, sizeof err), "%s", err);
    ck_assert_ptr_nonnull(strstr(log.path, "/huashu/sessions/2026-11-23-"));
    event ev;
    message(&ev, "第一句");
    ck_assert(sessionlog_write(&log, &ev));
    message(&ev, "第二句");
    ck_assert(sessionlog_write(&log, &ev));
    char *path = strdup(log.path);
    sessionlog_close(&log);
    ck_assert(sessionlog_open(&log, 1795400531000LL, 480, err, sizeof err)); /* same pid, day */
    ck_assert_str_ne(log.path, path); /* a file of its own: two writers never share one */
    message(&ev, "第三句");
    ck_assert(sessionlog_write(&log, &ev));
    sessionlog_close(&log);
    char first[512];
    ck_assert_uint_eq(count_lines(path, first, sizeof first), 2); /* the first left as it was */
    ck_assert_ptr_nonnull(strstr(first, "第一句"));
    free(path);
    teardown();
}
END_TEST

START_TEST(fsync_waits_for_its_interval)
{
    setup();
    sessionlog log;
    char err[256];
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    ck_assert_int_eq(sessionlog_next_sync(&log), INT64_MAX); /* nothing written */
    ck_assert(sessionlog_sync(&log, 10000));
    event ev;
    message(&ev, "x");
    ck_assert(sessionlog_write(&log, &ev));
    ck_assert(sessionlog_sync(&log, 10000)); /* the first sync is due at once */
    ck_assert_uint_eq(log.unsynced, 0);
    ck_assert(sessionlog_write(&log, &ev));
    ck_assert_int_eq(sessionlog_next_sync(&log), 10000 + SESSIONLOG_SYNC_MS);
    ck_assert(sessionlog_sync(&log, 10500));
    ck_assert_uint_eq(log.unsynced, 1); /* too soon */
    ck_assert(sessionlog_sync(&log, 10000 + SESSIONLOG_SYNC_MS));
    ck_assert_uint_eq(log.unsynced, 0);
    sessionlog_close(&log);
    teardown();
}
END_TEST

START_TEST(disk_error_is_reported_and_later_writes_go_on)
{
    setup();
    sessionlog log;
    char err[256];
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    int real = log.fd;
    log.fd = open("/dev/full", O_WRONLY); /* every write: ENOSPC */
    ck_assert_int_ge(log.fd, 0);
    event ev;
    message(&ev, "丢失");
    ck_assert(!sessionlog_write(&log, &ev));
    ck_assert_uint_eq(log.failed, 1);
    ck_assert_ptr_nonnull(strstr(sessionlog_error(&log), "cannot write"));
    ck_assert_ptr_nonnull(strstr(sessionlog_error(&log), "No space left on device"));
    close(log.fd);
    log.fd = real; /* the disk has room again */
    message(&ev, "恢复");
    ck_assert(sessionlog_write(&log, &ev));
    ck_assert_str_eq(sessionlog_error(&log), "");
    char *path = strdup(log.path);
    sessionlog_close(&log);
    char first[512];
    ck_assert_uint_eq(count_lines(path, first, sizeof first), 1);
    ck_assert_ptr_nonnull(strstr(first, "恢复"));
    free(path);
    teardown();
}
END_TEST

static off_t file_size(const char *path)
{
    struct stat st;
    ck_assert_int_eq(stat(path, &st), 0);
    return st.st_size;
}

START_TEST(a_line_cut_short_by_a_size_limit_is_cut_off_again)
{
    setup();
    sessionlog log;
    char err[256];
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    event ev;
    message(&ev, "完整的一行");
    ck_assert(sessionlog_write(&log, &ev));
    off_t whole = file_size(log.path);
    struct rlimit old, small;
    ck_assert_int_eq(getrlimit(RLIMIT_FSIZE, &old), 0);
    small = old;
    small.rlim_cur = (rlim_t)whole + 10; /* room for 10 bytes of the next line */
    void (*was)(int) = signal(SIGXFSZ, SIG_IGN);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &small), 0);
    message(&ev, "这一行写不完,因为文件大小有上限");
    bool wrote = sessionlog_write(&log, &ev);
    ck_assert_int_eq(setrlimit(RLIMIT_FSIZE, &old), 0);
    signal(SIGXFSZ, was);
    ck_assert(!wrote);
    ck_assert_int_eq(log.err_no, EFBIG);
    ck_assert_ptr_nonnull(strstr(sessionlog_error(&log), "File too large"));
    ck_assert_int_eq(file_size(log.path), whole); /* the 10 bytes are gone again */
    ck_assert(!log.partial);
    message(&ev, "恢复");
    ck_assert(sessionlog_write(&log, &ev));
    char *path = strdup(log.path);
    sessionlog_close(&log);
    FILE *f = fopen(path, "r");
    ck_assert_ptr_nonnull(f);
    char line[512];
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_ptr_nonnull(strstr(line, "完整的一行"));
    ck_assert_ptr_nonnull(fgets(line, sizeof line, f));
    ck_assert_msg(line[0] == '{' && strstr(line, "恢复"), "%s", line); /* whole, on its own */
    ck_assert_ptr_null(fgets(line, sizeof line, f));
    fclose(f);
    free(path);
    teardown();
}
END_TEST

START_TEST(a_torn_line_that_cannot_be_cut_is_ended_before_the_next)
{
    setup();
    sessionlog log;
    char err[256];
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    int real = log.fd;
    int p[2];
    ck_assert_int_eq(pipe(p), 0); /* a pipe cannot be truncated */
    ck_assert_int_eq(fcntl(p[0], F_SETFL, O_NONBLOCK), 0);
    ck_assert_int_eq(fcntl(p[1], F_SETFL, O_NONBLOCK), 0);
    char fill[4096];
    memset(fill, 'x', sizeof fill);
    while (write(p[1], fill, sizeof fill) == (ssize_t)sizeof fill) { /* the disk is full */
    }
    ck_assert_int_eq(read(p[0], fill, sizeof fill), (ssize_t)sizeof fill); /* room for a page */
    static char text[3 * 4096];
    memset(text, 'y', sizeof text - 1);
    log.fd = p[1];
    event ev;
    message(&ev, text); /* longer than the room: written in part */
    ck_assert(!sessionlog_write(&log, &ev));
    ck_assert(log.partial);
    while (read(p[0], fill, sizeof fill) > 0) { /* the reader catches up */
    }
    message(&ev, "下一行");
    ck_assert(sessionlog_write(&log, &ev));
    ck_assert(!log.partial);
    ssize_t n = read(p[0], fill, sizeof fill);
    ck_assert_int_gt(n, 1);
    ck_assert_int_eq(fill[0], '\n'); /* the torn line is ended first */
    ck_assert_int_eq(fill[1], '{');
    close(p[0]);
    close(p[1]);
    log.fd = real;
    sessionlog_close(&log);
    teardown();
}
END_TEST

START_TEST(a_planted_link_is_never_followed_and_an_open_dir_is_refused)
{
    setup();
    sessionlog log;
    char err[256] = "", dir[128], target[128], link[256];
    snprintf(dir, sizeof dir, "%s/huashu/sessions", state);
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    sessionlog_close(&log);
    /* every name of this pid and day exists as a link to someone's file: never written through */
    snprintf(target, sizeof target, "%s/victim", state);
    FILE *f = fopen(target, "w");
    fputs("keep\n", f);
    fclose(f);
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    const char *name = strrchr(log.path, '/') + 1;
    snprintf(link, sizeof link, "%s/%s", dir, name);
    char *mine = strdup(log.path);
    sessionlog_close(&log);
    unlink(link);
    ck_assert_int_eq(symlink(target, link), 0);
    event ev;
    message(&ev, "x");
    ck_assert(sessionlog_open(&log, 0, 0, err, sizeof err));
    ck_assert_str_ne(log.path, mine);
    ck_assert(sessionlog_write(&log, &ev));
    sessionlog_close(&log);
    ck_assert_uint_eq(count_lines(target, NULL, 0), 1); /* the victim untouched */
    free(mine);
    /* the sessions directory as a link, or writable by the group: refused with how to fix it */
    ck_assert_int_eq(chmod(dir, 0770), 0);
    ck_assert(!sessionlog_open(&log, 0, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "is writable by others") && strstr(err, "chmod go-w"), "%s", err);
    sessionlog_close(&log);
    char moved[160];
    snprintf(moved, sizeof moved, "%s/elsewhere", state);
    ck_assert_int_eq(chmod(dir, 0700), 0);
    ck_assert_int_eq(rename(dir, moved), 0);
    ck_assert_int_eq(symlink(moved, dir), 0);
    ck_assert(!sessionlog_open(&log, 0, 0, err, sizeof err));
    ck_assert_msg(strstr(err, "symbolic link"), "%s", err);
    sessionlog_close(&log);
    teardown();
}
END_TEST

static Suite *sessionlog_suite(void)
{
    Suite *s = suite_create("sessionlog");
    TCase *tc = tcase_create("sessionlog");
    tcase_add_test(tc, appends_one_line_per_event);
    tcase_add_test(tc, a_planted_link_is_never_followed_and_an_open_dir_is_refused);
    tcase_add_test(tc, fsync_waits_for_its_interval);
    tcase_add_test(tc, disk_error_is_reported_and_later_writes_go_on);
    tcase_add_test(tc, a_line_cut_short_by_a_size_limit_is_cut_off_again);
    tcase_add_test(tc, a_torn_line_that_cannot_be_cut_is_ended_before_the_next);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(sessionlog_suite());
}
