/* The session log: one line per event, appended (never truncated), fsync'd on a timer, and a
 * disk error reported in words while later writes still get through. */
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
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
    message(&ev, "第三句");
    ck_assert(sessionlog_write(&log, &ev));
    sessionlog_close(&log);
    char first[512];
    ck_assert_uint_eq(count_lines(path, first, sizeof first), 3); /* appended, not truncated */
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

static Suite *sessionlog_suite(void)
{
    Suite *s = suite_create("sessionlog");
    TCase *tc = tcase_create("sessionlog");
    tcase_add_test(tc, appends_one_line_per_event);
    tcase_add_test(tc, fsync_waits_for_its_interval);
    tcase_add_test(tc, disk_error_is_reported_and_later_writes_go_on);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(sessionlog_suite());
}
