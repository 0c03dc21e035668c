/* The feed kinds on a real loop: bad-line accounting, tail -F following, UNIX socket
 * reconnects, bridge programs (restart, stderr, write side, SIGPIPE), command splitting. */
#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "net/feed.h"
#include "unit.h"

#define EV(conv, text)                                                                             \
    "{\"ts\":\"2026-11-23T10:00:00.000+08:00\",\"conv\":\"" conv "\",\"type\":\"message\","        \
    "\"from\":\"customer\",\"text\":\"" text "\"}\n"

typedef struct harness {
    loop *loop;
    feed *feed;
    char dir[64];
    char path[100];
    unsigned long events;
    char last_conv[64], last_text[256];
    buf log;
    int statuses;
} harness;

static void on_event(void *ctx, event *ev)
{
    harness *h = ctx;
    h->events++;
    snprintf(h->last_conv, sizeof h->last_conv, "%s", ev->conv);
    snprintf(h->last_text, sizeof h->last_text, "%s", ev->text ? ev->text : "");
}

static void on_status(void *ctx)
{
    ((harness *)ctx)->statuses++;
}

static void on_log(void *ctx, const char *line)
{
    harness *h = ctx;
    buf_puts(&h->log, line);
    buf_putc(&h->log, '\n');
}

static void setup(harness *h)
{
    memset(h, 0, sizeof *h);
    snprintf(h->dir, sizeof h->dir, "/tmp/huashu-feed.XXXXXX");
    ck_assert_ptr_nonnull(mkdtemp(h->dir));
    snprintf(h->path, sizeof h->path, "%s/x", h->dir);
    h->loop = loop_new();
    buf_init(&h->log);
}

static void teardown(harness *h)
{
    feed_free(h->feed);
    loop_free(h->loop);
    buf_free(&h->log);
    char cmd[160];
    snprintf(cmd, sizeof cmd, "rm -rf %s", h->dir);
    ck_assert_int_eq(system(cmd), 0);
}

static void open_feed(harness *h, const char *spec)
{
    char diag[160], err[256];
    snprintf(diag, sizeof diag, "%s/diag.log", h->dir);
    feed_options opt = {
        .diag_path = diag, .retry_min_ms = 20, .retry_max_ms = 100, .file_poll_ms = 10};
    feed_callbacks cb = {on_event, on_status, on_log, NULL, h};
    h->feed = feed_open(spec, h->loop, &opt, &cb, err, sizeof err);
    ck_assert_msg(h->feed != NULL, "%s", err);
}

/* Runs the loop until *counter reaches want or 5 s pass; returns whether it did. */
static bool run_until(harness *h, const unsigned long *counter, unsigned long want)
{
    int64_t end = loop_now(h->loop) + 5000;
    while (*counter < want && loop_now(h->loop) < end)
        loop_run_once(h->loop, loop_now(h->loop) + 20);
    return *counter >= want;
}

/* Runs the loop until the feed's status holds text or 5 s pass; returns whether it did. */
static bool run_until_status(harness *h, const char *text)
{
    int64_t end = loop_now(h->loop) + 5000;
    while (!strstr(feed_status(h->feed), text) && loop_now(h->loop) < end)
        loop_run_once(h->loop, loop_now(h->loop) + 20);
    return strstr(feed_status(h->feed), text) != NULL;
}

/* Runs the loop for ms milliseconds. */
static void run_for(harness *h, int64_t ms)
{
    int64_t end = loop_now(h->loop) + ms;
    while (loop_now(h->loop) < end)
        loop_run_once(h->loop, end);
}

static void write_file(const char *path, const char *mode, const char *data, size_t len)
{
    FILE *f = fopen(path, mode);
    ck_assert_ptr_nonnull(f);
    ck_assert_uint_eq(fwrite(data, 1, len, f), len);
    fclose(f);
}

static void append(const char *path, const char *text)
{
    write_file(path, "ab", text, strlen(text));
}

static char *slurp(const char *path)
{
    static char data[1 << 16];
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t n = fread(data, 1, sizeof data - 1, f);
    data[n] = '\0';
    fclose(f);
    return data;
}

START_TEST(split_command_words)
{
    char err[128];
    char **v =
        feed_split_command("bridge --to 'a b' \"c \\\"d\\\" \\$e\" f\\ g '' h|i", err, sizeof err);
    ck_assert_msg(v != NULL, "%s", err);
    const char *want[] = {"bridge", "--to", "a b", "c \"d\" $e", "f g", "", "h|i", NULL};
    for (int i = 0; want[i]; i++)
        ck_assert_str_eq(v[i], want[i]);
    ck_assert_ptr_null(v[7]);
    free(v);
    v = feed_split_command("  x  ", err, sizeof err);
    ck_assert_str_eq(v[0], "x");
    ck_assert_ptr_null(v[1]);
    free(v);
    ck_assert_ptr_null(feed_split_command("a 'b", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "quote"));
    ck_assert_ptr_null(feed_split_command("a \\", err, sizeof err));
    ck_assert_ptr_null(feed_split_command("   ", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "empty"));
}
END_TEST

START_TEST(bad_specs)
{
    loop *l = loop_new();
    char err[256];
    feed_options opt = {0};
    ck_assert_ptr_null(feed_open("tcp:1.2.3.4", l, &opt, NULL, err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "unknown feed"));
    ck_assert_ptr_null(feed_open("file:", l, &opt, NULL, err, sizeof err));
    ck_assert_ptr_null(feed_open("exec:", l, &opt, NULL, err, sizeof err));
    ck_assert_ptr_null(feed_open("unix:", l, &opt, NULL, err, sizeof err));
    loop_free(l);
}
END_TEST

START_TEST(bad_lines_are_counted_and_logged)
{
    harness h;
    setup(&h);
    buf in;
    buf_init(&in);
    buf_puts(&in, EV("c-1", "好的"));                                                       /* 1 */
    buf_puts(&in, "{not json\n");                                                           /* 2 */
    buf_puts(&in, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"x\xff\"}\n"); /* 3 */
    buf_puts(&in, "{\"ts\":\"2026-11-23T10:00:00Z\",\"conv\":\"c\",\"type\":\"dance\"}\n"); /* 4 */
    buf_puts(&in, "{\"ts\":\"2026-11-23T10:00:00Z\",\"type\":\"close\"}\n");                /* 5 */
    buf_puts(&in, "\n"); /* 6: blank */
    buf_putc(&in, '"');  /* 7: too long */
    for (int i = 0; i < 70000; i++)
        buf_putc(&in, 'x');
    buf_puts(&in, "\"\n");
    buf_puts(&in, "[1,2]\n");           /* 8 */
    buf_puts(&in, EV("c-2", "还在吗")); /* 9 */
    write_file(h.path, "wb", in.data, in.len);
    buf_free(&in);
    char spec[160];
    snprintf(spec, sizeof spec, "file:%s", h.path);
    open_feed(&h, spec);
    ck_assert(run_until(&h, &h.events, 2));
    const feed_stats *st = feed_get_stats(h.feed);
    ck_assert_int_eq(st->events, 2);
    ck_assert_int_eq(st->bad_total, 6);
    ck_assert_int_eq(st->bad[FEED_BAD_JSON], 2);
    ck_assert_int_eq(st->bad[FEED_BAD_UTF8], 1);
    ck_assert_int_eq(st->bad[FEED_BAD_TYPE], 1);
    ck_assert_int_eq(st->bad[FEED_BAD_FIELDS], 1);
    ck_assert_int_eq(st->bad[FEED_BAD_LONG], 1);
    ck_assert_str_eq(h.last_conv, "c-2");
    ck_assert_ptr_nonnull(strstr(st->last_bad, "line 8"));
    const char *diag = slurp(feed_diag_path(h.feed));
    ck_assert_ptr_nonnull(diag);
    ck_assert_ptr_nonnull(strstr(diag, "line 2: invalid JSON"));
    ck_assert_ptr_nonnull(strstr(diag, "line 3: invalid UTF-8"));
    ck_assert_ptr_nonnull(strstr(diag, "line 4: unknown type: dance"));
    ck_assert_ptr_nonnull(strstr(diag, "line 5: missing \"conv\""));
    ck_assert_ptr_nonnull(strstr(diag, "line 7: line longer than 64 KiB"));
    ck_assert_ptr_nonnull(strstr(diag, "line 8: a record must be a JSON object"));
    ck_assert_ptr_null(strstr(diag, "line 6"));
    buf desc;
    buf_init(&desc);
    feed_describe(h.feed, &desc);
    ck_assert_ptr_nonnull(strstr(buf_str(&desc), "2 events"));
    ck_assert_ptr_nonnull(strstr(buf_str(&desc), "6 bad"));
    buf_free(&desc);
    ck_assert(!feed_writable(h.feed));
    teardown(&h);
}
END_TEST

START_TEST(file_follows_partial_lines_truncation_and_rotation)
{
    harness h;
    setup(&h);
    char spec[160];
    snprintf(spec, sizeof spec, "file:%s", h.path);
    open_feed(&h, spec);
    ck_assert(run_until_status(&h, "waiting for")); /* the file is not there yet: no error */
    const char *line = EV("c-1", "第一句");
    write_file(h.path, "wb", line, 40); /* half a line */
    run_for(&h, 50);
    ck_assert_int_eq(h.events, 0);
    ck_assert_int_eq(feed_get_stats(h.feed)->bad_total, 0);
    append(h.path, line + 40);
    ck_assert(run_until(&h, &h.events, 1));
    ck_assert_str_eq(h.last_text, "第一句");
    ck_assert_str_eq(feed_status(h.feed), "following");
    write_file(h.path, "wb", EV("c-2", "截断"), strlen(EV("c-2", "截断")) - 0); /* truncate */
    ck_assert(run_until(&h, &h.events, 2));
    ck_assert_str_eq(h.last_text, "截断");
    char old[160];
    snprintf(old, sizeof old, "%s.1", h.path);
    ck_assert_int_eq(rename(h.path, old), 0); /* rotate: the old file gets a last line */
    append(old, EV("c-3", "旧文件最后一句"));
    append(h.path, EV("c-4", "新文件"));
    ck_assert(run_until(&h, &h.events, 4));
    ck_assert_str_eq(h.last_text, "新文件");
    ck_assert_uint_ge(feed_get_stats(h.feed)->restarts, 1);
    ck_assert_ptr_nonnull(strstr(buf_str(&h.log), "rotated"));
    ck_assert_ptr_nonnull(strstr(buf_str(&h.log), "truncated"));
    ck_assert_int_eq(feed_get_stats(h.feed)->bad_total, 0);
    char err[64];
    event ev;
    event_init(&ev, EVENT_MESSAGE, "c-1", 0, 0);
    ck_assert_int_eq(feed_send(h.feed, &ev, err, sizeof err), FEED_SEND_READ_ONLY);
    teardown(&h);
}
END_TEST

/* --- unix: ------------------------------------------------------------------------------ */

typedef struct server {
    int listen_fd, conn_fd;
    unsigned long accepted;
    buf received;
} server;

static void on_client_data(void *ctx, int fd, short revents)
{
    server *s = ctx;
    char b[4096];
    ssize_t n = read(fd, b, sizeof b);
    if (n > 0)
        buf_append(&s->received, b, (size_t)n);
}

typedef struct server_ctx {
    harness *h;
    server *s;
} server_ctx;

static void on_accept(void *ctx, int fd, short revents)
{
    server_ctx *sc = ctx;
    int c = accept(fd, NULL, NULL);
    if (c < 0)
        return;
    sc->s->conn_fd = c;
    sc->s->accepted++;
    loop_watch(sc->h->loop, c, POLLIN, on_client_data, sc->s);
}

static int listen_on(const char *path)
{
    struct sockaddr_un sa = {.sun_family = AF_UNIX};
    snprintf(sa.sun_path, sizeof sa.sun_path, "%s", path);
    int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(bind(fd, (struct sockaddr *)&sa, sizeof sa), 0);
    ck_assert_int_eq(listen(fd, 4), 0);
    return fd;
}

static void say(int fd, const char *text)
{
    ck_assert_int_eq(write(fd, text, strlen(text)), (ssize_t)strlen(text));
}

START_TEST(unix_both_ways_and_reconnect)
{
    harness h;
    setup(&h);
    server s = {.listen_fd = -1, .conn_fd = -1};
    buf_init(&s.received);
    server_ctx sc = {&h, &s};
    char spec[160];
    snprintf(spec, sizeof spec, "unix:%s", h.path);
    open_feed(&h, spec); /* nobody listens yet: it keeps retrying */
    ck_assert(run_until_status(&h, "reconnecting"));
    event ev;
    event_init(&ev, EVENT_MESSAGE, "c-9", 1795400531000LL, 480);
    ev.from = FROM_AGENT;
    ev.text = "您好";
    char err[256];
    ck_assert_int_eq(feed_send(h.feed, &ev, err, sizeof err), FEED_SEND_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "not connected"));
    s.listen_fd = listen_on(h.path);
    loop_watch(h.loop, s.listen_fd, POLLIN, on_accept, &sc);
    ck_assert(run_until(&h, &s.accepted, 1));
    ck_assert(run_until_status(&h, "connected"));
    say(s.conn_fd, EV("c-9", "在吗"));
    ck_assert(run_until(&h, &h.events, 1));
    ck_assert_str_eq(h.last_text, "在吗");
    ck_assert_int_eq(feed_send(h.feed, &ev, err, sizeof err), FEED_SEND_OK);
    unsigned long one = 1;
    while (!strchr(buf_str(&s.received), '\n') && one++ < 200)
        run_for(&h, 10);
    ck_assert_ptr_nonnull(strstr(buf_str(&s.received), "\"conv\":\"c-9\""));
    ck_assert_ptr_nonnull(strstr(buf_str(&s.received), "\"from\":\"agent\""));
    ck_assert_ptr_nonnull(strstr(buf_str(&s.received), "\"text\":\"您好\""));
    loop_unwatch(h.loop, s.conn_fd); /* the server drops the connection */
    close(s.conn_fd);
    ck_assert(run_until(&h, &s.accepted, 2));
    say(s.conn_fd, EV("c-9", "又连上了"));
    ck_assert(run_until(&h, &h.events, 2));
    ck_assert_str_eq(h.last_text, "又连上了");
    ck_assert_uint_eq(feed_get_stats(h.feed)->restarts, 1);
    ck_assert_ptr_nonnull(strstr(buf_str(&h.log), "closed by the other end"));
    feed_free(h.feed);
    h.feed = NULL;
    close(s.conn_fd);
    close(s.listen_fd);
    buf_free(&s.received);
    teardown(&h);
}
END_TEST

/* --- exec: ------------------------------------------------------------------------------ */

START_TEST(exec_echo_bridge_reads_and_writes)
{
    harness h;
    setup(&h);
    open_feed(&h, "exec:cat"); /* cat sends each sent line straight back as an event */
    ck_assert(run_until_status(&h, "running (pid"));
    ck_assert(feed_writable(h.feed));
    event ev;
    event_init(&ev, EVENT_MESSAGE, "c-7", 1795400531000LL, 480);
    ev.from = FROM_AGENT;
    ev.text = "请稍等,我立即为您转接";
    char err[256];
    ck_assert_int_eq(feed_send(h.feed, &ev, err, sizeof err), FEED_SEND_OK);
    ck_assert(run_until(&h, &h.events, 1));
    ck_assert_str_eq(h.last_conv, "c-7");
    ck_assert_str_eq(h.last_text, "请稍等,我立即为您转接");
    ck_assert_int_eq(feed_get_stats(h.feed)->sent, 1);
    teardown(&h);
}
END_TEST

START_TEST(exec_restarts_and_logs_stderr)
{
    harness h;
    setup(&h);
    char spec[512];
    snprintf(spec, sizeof spec,
             "exec:sh -c 'echo \"run\" >> %s/runs; echo \"bridge says hi\" >&2; "
             "printf %%s\\\\n \"$0\"; exit 3' '%s'",
             h.dir, EV("c-1", "hello"));
    /* the event line comes in as $0 so the shell's quoting stays simple */
    open_feed(&h, spec);
    ck_assert(run_until(&h, &h.events, 2));
    ck_assert_uint_ge(feed_get_stats(h.feed)->restarts, 1);
    ck_assert_ptr_nonnull(strstr(buf_str(&h.log), "sh: bridge says hi"));
    ck_assert_ptr_nonnull(strstr(buf_str(&h.log), "exited with status 3"));
    ck_assert_int_eq(feed_get_stats(h.feed)->bad_total, 0);
    teardown(&h);
}
END_TEST

START_TEST(exec_missing_program_retries)
{
    harness h;
    setup(&h);
    open_feed(&h, "exec:/nonexistent/bridge --x");
    ck_assert(run_until_status(&h, " in ")); /* "retrying in 0.0 s" or "restarting in ..." */
    if (strstr(feed_status(h.feed), "status 127")) {
        /* valgrind runs posix_spawn as fork + exec: the child reports the failure by exiting */
        teardown(&h);
        return;
    }
    ck_assert(run_until_status(&h, "cannot start (No such file"));
    ck_assert_ptr_nonnull(strstr(buf_str(&h.log), "cannot start /nonexistent/bridge"));
    ck_assert_ptr_nonnull(strstr(feed_status(h.feed), "retrying in"));
    event ev;
    event_init(&ev, EVENT_MESSAGE, "c-1", 0, 0);
    ev.from = FROM_AGENT;
    ev.text = "x";
    char err[256];
    ck_assert_int_eq(feed_send(h.feed, &ev, err, sizeof err), FEED_SEND_FAILED);
    teardown(&h);
}
END_TEST

START_TEST(exec_bridge_that_stops_reading_is_no_sigpipe)
{
    harness h;
    setup(&h);
    signal(SIGPIPE, SIG_DFL); /* a SIGPIPE would kill this test */
    open_feed(&h, "exec:sh -c 'exec 0<&-; sleep 5'");
    ck_assert(run_until_status(&h, "running"));
    event ev;
    event_init(&ev, EVENT_MESSAGE, "c-1", 0, 0);
    ev.from = FROM_AGENT;
    ev.text = "还在吗";
    char err[256];
    feed_send_result r = FEED_SEND_OK;
    for (int i = 0; i < 250 && r == FEED_SEND_OK; i++) { /* until the shell has closed it */
        r = feed_send(h.feed, &ev, err, sizeof err);
        run_for(&h, 20);
    }
    ck_assert_int_eq(r, FEED_SEND_FAILED);
    ck_assert_ptr_nonnull(strstr(err, "stopped reading"));
    ck_assert_int_eq(feed_send(h.feed, &ev, err, sizeof err), FEED_SEND_FAILED);
    sigset_t pending;
    sigpending(&pending);
    ck_assert(!sigismember(&pending, SIGPIPE));
    teardown(&h); /* ends the sleeping bridge without waiting 5 s */
}
END_TEST

START_TEST(stdin_reads_to_the_end)
{
    harness h;
    setup(&h);
    const char *text = EV("c-1", "一") "oops\n" EV("c-2", "二");
    write_file(h.path, "wb", text, strlen(text));
    int saved = dup(0);
    int fd = open(h.path, O_RDONLY);
    ck_assert_int_eq(dup2(fd, 0), 0);
    close(fd);
    open_feed(&h, "-");
    dup2(saved, 0);
    close(saved);
    ck_assert(run_until(&h, &h.events, 2));
    ck_assert(run_until_status(&h, "input ended"));
    ck_assert(feed_ended(h.feed));
    ck_assert_int_eq(feed_get_stats(h.feed)->bad_total, 1);
    ck_assert_ptr_nonnull(strstr(feed_status(h.feed), "input ended"));
    teardown(&h);
}
END_TEST

static Suite *feed_suite(void)
{
    Suite *s = suite_create("feed");
    TCase *tc = tcase_create("feed");
    tcase_set_timeout(tc, 30);
    tcase_add_test(tc, split_command_words);
    tcase_add_test(tc, bad_specs);
    tcase_add_test(tc, bad_lines_are_counted_and_logged);
    tcase_add_test(tc, file_follows_partial_lines_truncation_and_rotation);
    tcase_add_test(tc, unix_both_ways_and_reconnect);
    tcase_add_test(tc, exec_echo_bridge_reads_and_writes);
    tcase_add_test(tc, exec_restarts_and_logs_stderr);
    tcase_add_test(tc, exec_missing_program_retries);
    tcase_add_test(tc, exec_bridge_that_stops_reading_is_no_sigpipe);
    tcase_add_test(tc, stdin_reads_to_the_end);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(feed_suite());
}
