/* lookup and http: redaction, file:// lookups with the cache, events for the engine, and
 * (against tests/tools/httpd.py on 127.0.0.1) concurrency and cancellation inside one loop. No test
 * waits on a clock: the slow server answers after 10 s and every test is over long before. */
#include <fcntl.h>
#include <signal.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/engine.h"
#include "core/playbook.h"
#include "net/http.h"
#include "net/lookup.h"
#include "unit.h"

/* ---- helpers -------------------------------------------------------------------------- */

static lookup_config *parse(const char *yaml, diagnostics *d, config **cfg)
{
    diag_init(d);
    *cfg = config_load("config.yaml", yaml, strlen(yaml), d);
    ck_assert_ptr_nonnull(*cfg);
    lookup_config *lc = lookup_config_load(*cfg, d);
    ck_assert_ptr_nonnull(lc);
    return lc;
}

typedef struct outcome {
    int calls;
    lookup_status status;
    bool cached;
    char message[512];
    char fields[1024]; /* "name=value;" ... */
    event ev;
    engine *engine; /* when set, results are fed to it as lookup events */
} outcome;

static void on_done(void *ctx, const lookup_result *r)
{
    outcome *o = ctx;
    o->calls++;
    o->status = r->status;
    o->cached = r->cached;
    snprintf(o->message, sizeof o->message, "%s", r->message ? r->message : "");
    o->fields[0] = '\0';
    for (size_t i = 0; r->fields && i < r->fields->count; i++) {
        size_t n = strlen(o->fields);
        snprintf(o->fields + n, sizeof o->fields - n, "%s=%s;", r->fields->values[i].name,
                 r->fields->values[i].value);
    }
    if (o->engine && r->status == LOOKUP_OK) {
        event ev;
        char err[200];
        lookup_event(r, r->owner, 1795000000000, 480, &ev);
        ck_assert_msg(engine_feed(o->engine, &ev, err, sizeof err), "%s", err);
    }
}

/* Runs the loop until lk has nothing in flight. */
static void drain(loop *l, lookup *lk)
{
    while (lookup_in_flight(lk) > 0)
        ck_assert(loop_run_once(l, LOOP_NEVER));
}

static char *data_dir(char *out, size_t cap)
{
    const char *d = getenv("HUASHU_DATA");
    snprintf(out, cap, "%s/lookup", d && *d ? d : "data");
    return out;
}

/* ---- the test server ------------------------------------------------------------------ */

static pid_t server_pid;
static int http_port, https_port;

/* Starts tests/tools/httpd.py and reads its ports; leaves the ports 0 when python3 is absent. */
static void server_start(void)
{
    const char *top = getenv("top_srcdir");
    char script[1024];
    snprintf(script, sizeof script, "%s/tests/tools/httpd.py", top && *top ? top : ".");
    int p[2];
    if (access(script, R_OK) != 0 || pipe(p) != 0)
        return;
    server_pid = fork();
    if (server_pid == 0) {
        dup2(p[1], STDOUT_FILENO);
        close(p[0]);
        close(p[1]);
        execlp("python3", "python3", script, (char *)NULL);
        _exit(127);
    }
    close(p[1]);
    char line[64] = {0};
    ssize_t n = read(p[0], line, sizeof line - 1);
    close(p[0]);
    if (n > 0)
        sscanf(line, "%d %d", &http_port, &https_port);
}

static void server_stop(void)
{
    if (server_pid > 0) {
        kill(server_pid, SIGTERM);
        waitpid(server_pid, NULL, 0);
    }
    server_pid = 0;
}

/* ---- templating and redaction --------------------------------------------------------- */

START_TEST(credentials_are_redacted_from_urls_and_text)
{
    const char *secrets[] = {"shpat_secret_1234", NULL};
    char out[512];
    http_redact_url("https://user:pw@shop.example/a/b?name=1&access_token=abc&consumer_key=ck_x"
                    "&x=2#frag",
                    NULL, out, sizeof out);
    ck_assert_str_eq(out, "https://***@shop.example/a/b?name=1&access_token=***&consumer_key=***"
                          "&x=2#frag");
    http_redact_url("https://shop.example/p/shpat_secret_1234?q=1", secrets, out, sizeof out);
    ck_assert_str_eq(out, "https://shop.example/p/***?q=1");
    http_redact_text("token shpat_secret_1234 refused", secrets, out, sizeof out);
    ck_assert_str_eq(out, "token *** refused");
    const char *tiny[] = {"ab", NULL}; /* too short to redact without garbling the text */
    http_redact_text("about", tiny, out, sizeof out);
    ck_assert_str_eq(out, "about");
}
END_TEST

/* ---- lookups through file:// ---------------------------------------------------------- */

START_TEST(demo_lookups_fill_the_placeholders)
{
    char dir[1024];
    lookup_config *lc = lookup_config_demo(data_dir(dir, sizeof dir));
    ck_assert_ptr_nonnull(lc);
    diagnostics d;
    diag_init(&d);
    char pbpath[1100];
    snprintf(pbpath, sizeof pbpath, "%s/../playbooks/zh_CN.yaml", dir);
    FILE *f = fopen(pbpath, "rb");
    ck_assert_ptr_nonnull(f);
    static char pbdata[1 << 18];
    size_t pblen = fread(pbdata, 1, sizeof pbdata, f);
    fclose(f);
    playbook *pb = playbook_load(pbpath, pbdata, pblen, NULL, NULL, &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    loop *l = loop_new();
    lookup *lk = lookup_new(l, lc);
    outcome o = {.engine = engine_new(pb)};
    ck_assert_uint_ne(lookup_start(lk, "order", "20261120-3307", "c-1", 0, on_done, &o), 0);
    ck_assert_int_eq(o.calls, 0); /* never called from inside lookup_start */
    drain(l, lk);
    ck_assert_int_eq(o.calls, 1);
    ck_assert_msg(o.status == LOOKUP_OK, "%s", o.message);
    ck_assert_ptr_nonnull(strstr(o.fields, "status=已发货;"));
    ck_assert_ptr_nonnull(strstr(o.fields, "tracking=YT7751023846;"));
    const conversation *c = engine_find(o.engine, "c-1");
    ck_assert_ptr_nonnull(c);
    ck_assert_str_eq(conversation_value(c, "order.carrier"), "圆通速递");
    ck_assert_str_eq(conversation_value(c, "order.items"), "不锈钢保温杯 500ml 星空蓝 ×1");
    lookup_start(lk, "stock", "YR-2026-NV-L", "c-1", 0, on_done, &o);
    drain(l, lk);
    ck_assert_ptr_nonnull(strstr(o.fields, "status=暂时缺货;"));
    ck_assert_str_eq(conversation_value(engine_find(o.engine, "c-1"), "stock.qty"), "0");
    lookup_start(lk, "order", "no-such-order", "c-1", 0, on_done, &o);
    drain(l, lk);
    ck_assert_int_eq(o.status, LOOKUP_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(o.message, "订单不存在"));
    lookup_start(lk, "order", "../../playbooks/zh_CN", "c-1", 0, on_done, &o);
    drain(l, lk);
    ck_assert_int_eq(o.status, LOOKUP_CONFIG);
    lookup_free(lk);
    loop_free(l);
    engine_free(o.engine);
    playbook_free(pb);
    lookup_config_free(lc);
    diag_free(&d);
}
END_TEST

START_TEST(results_are_cached_per_endpoint_and_id_until_refresh)
{
    char dir[] = "/tmp/huashu-lookup-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char file[256], yaml[1024];
    snprintf(file, sizeof file, "%s/A1.json", dir);
    FILE *f = fopen(file, "w");
    fputs("{\"id\":\"A1\",\"status\":\"paid\"}", f);
    fclose(f);
    snprintf(yaml, sizeof yaml,
             "lookup:\n  cache_ttl: 1h\n  order: {url: \"file://%s/{id}.json\"}\n", dir);
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse(yaml, &d, &cfg);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    loop *l = loop_new();
    lookup *lk = lookup_new(l, lc);
    outcome o = {0};
    lookup_start(lk, "order", "A1", NULL, 0, on_done, &o);
    drain(l, lk);
    ck_assert_ptr_nonnull(strstr(o.fields, "status=已付款;"));
    ck_assert(!o.cached);
    f = fopen(file, "w");
    fputs("{\"id\":\"A1\",\"status\":\"shipped\"}", f);
    fclose(f);
    lookup_start(lk, "order", "A1", NULL, 0, on_done, &o);
    ck_assert_int_eq(o.calls, 1); /* a cache hit is delivered from the loop too */
    drain(l, lk);
    ck_assert(o.cached);
    ck_assert_ptr_nonnull(strstr(o.fields, "status=已付款;"));
    lookup_start(lk, "order", "A1", NULL, LOOKUP_REFRESH, on_done, &o);
    drain(l, lk);
    ck_assert(!o.cached);
    ck_assert_ptr_nonnull(strstr(o.fields, "status=已发货;"));
    lookup_start(lk, "stock", "A1", NULL, 0, on_done, &o); /* no stock endpoint configured */
    drain(l, lk);
    ck_assert_int_eq(o.status, LOOKUP_CONFIG);
    ck_assert_ptr_nonnull(strstr(o.message, "no stock lookup is configured"));
    lookup_free(lk);
    loop_free(l);
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
    unlink(file);
    rmdir(dir);
}
END_TEST

START_TEST(unset_variables_and_open_token_files_are_config_errors)
{
    char dir[] = "/tmp/huashu-token-XXXXXX";
    ck_assert_ptr_nonnull(mkdtemp(dir));
    char token[256], yaml[1024];
    snprintf(token, sizeof token, "%s/token", dir);
    int fd = open(token, O_WRONLY | O_CREAT | O_TRUNC, 0644);
    ck_assert_int_ge(fd, 0);
    ck_assert_int_eq(write(fd, "shpat_file_token\n", 17), 17);
    close(fd);
    chmod(token, 0644);
    snprintf(yaml, sizeof yaml,
             "lookup:\n  preset: shopify\n  base_url: https://127.0.0.1:9\n  token_file: %s\n",
             token);
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse(yaml, &d, &cfg);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    loop *l = loop_new();
    lookup *lk = lookup_new(l, lc);
    outcome o = {0};
    lookup_start(lk, "order", "1001", NULL, 0, on_done, &o);
    drain(l, lk);
    ck_assert_int_eq(o.status, LOOKUP_CONFIG);
    ck_assert_msg(strstr(o.message, "chmod 600") != NULL, "%s", o.message);
    ck_assert_ptr_null(strstr(o.message, "shpat_file_token"));
    lookup_free(lk);
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
    lc = parse("lookup:\n  preset: shopify\n  base_url: https://127.0.0.1:9\n"
               "  token: \"${HUASHU_TEST_UNSET_VARIABLE}\"\n",
               &d, &cfg);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    lk = lookup_new(l, lc);
    lookup_start(lk, "stock", "CUP-01", NULL, 0, on_done, &o);
    drain(l, lk);
    ck_assert_int_eq(o.status, LOOKUP_CONFIG);
    ck_assert_str_eq(o.message, "environment variable HUASHU_TEST_UNSET_VARIABLE is not set");
    lookup_free(lk);
    loop_free(l);
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
    unlink(token);
    rmdir(dir);
}
END_TEST

/* ---- against the local server --------------------------------------------------------- */

typedef struct ticker {
    int fired;
    lookup *lk;
    size_t in_flight_when_fired;
} ticker;

static void on_tick(void *ctx, unsigned id, int64_t now)
{
    ticker *t = ctx;
    t->fired++;
    t->in_flight_when_fired = lookup_in_flight(t->lk);
}

static lookup_config *server_config(diagnostics *d, config **cfg, const char *extra)
{
    char yaml[2048];
    snprintf(yaml, sizeof yaml,
             "lookup:\n  protocols: http\n  retry_delay: 1ms\n%s"
             "  order: {url: \"http://127.0.0.1:%d/generic/orders/{id}\"}\n"
             "  stock: {url: \"http://127.0.0.1:%d/slow/10?sku={id}\", timeout: 60s}\n",
             extra, http_port, http_port);
    lookup_config *lc = parse(yaml, d, cfg);
    ck_assert_msg(d->count == 0, "%s", buf_str(&d->text));
    return lc;
}

START_TEST(timers_run_and_other_lookups_finish_while_one_stalls)
{
    if (!http_port)
        return; /* python3 missing: reported by the e2e tests */
    diagnostics d;
    config *cfg;
    lookup_config *lc = server_config(&d, &cfg, "");
    loop *l = loop_new();
    lookup *lk = lookup_new(l, lc);
    outcome slow = {0}, fast[20];
    memset(fast, 0, sizeof fast);
    uint64_t slow_id = lookup_start(lk, "stock", "CUP-01", "c-slow", 0, on_done, &slow);
    ck_assert_uint_ne(slow_id, 0);
    char id[32];
    for (int i = 0; i < 20; i++) {
        snprintf(id, sizeof id, "bench-%d", i);
        ck_assert_uint_ne(lookup_start(lk, "order", id, "c-fast", 0, on_done, &fast[i]), 0);
    }
    ticker t = {.lk = lk};
    loop_timer_at(l, loop_now(l) + 20, on_tick, &t);
    while (lookup_in_flight(lk) > 1 || !t.fired)
        ck_assert(loop_run_once(l, LOOP_NEVER));
    for (int i = 0; i < 20; i++) {
        ck_assert_int_eq(fast[i].calls, 1);
        ck_assert_msg(fast[i].status == LOOKUP_OK, "%s", fast[i].message);
    }
    ck_assert_int_eq(t.fired, 1);
    ck_assert_uint_ge(t.in_flight_when_fired, 1); /* the stalled lookup was still running */
    ck_assert_int_eq(slow.calls, 0);
    ck_assert_uint_eq(lookup_cancel_owner(lk, "c-slow"), 1); /* its conversation closed */
    ck_assert_uint_eq(lookup_in_flight(lk), 0);
    loop_run_once(l, loop_now(l)); /* nothing left to call back */
    ck_assert_int_eq(slow.calls, 0);
    lookup_free(lk);
    loop_free(l);
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

START_TEST(freeing_with_transfers_in_flight_calls_nobody)
{
    if (!http_port)
        return;
    diagnostics d;
    config *cfg;
    lookup_config *lc = server_config(&d, &cfg, "");
    loop *l = loop_new();
    lookup *lk = lookup_new(l, lc);
    outcome o = {0};
    uint64_t a = lookup_start(lk, "stock", "CUP-01", NULL, 0, on_done, &o);
    lookup_start(lk, "stock", "CUP-02", NULL, 0, on_done, &o);
    loop_run_once(l, loop_now(l) + 1);
    lookup_cancel(lk, a);
    ck_assert_uint_eq(lookup_in_flight(lk), 1);
    lookup_free(lk);
    ck_assert_int_eq(o.calls, 0);
    loop_free(l);
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

typedef struct http_outcome {
    int calls;
    http_error error;
    long status;
    int attempts;
    char message[512];
    char url[512];
} http_outcome;

static void on_http(void *ctx, const http_response *r)
{
    http_outcome *o = ctx;
    o->calls++;
    o->error = r->error;
    o->status = r->status;
    o->attempts = r->attempts;
    snprintf(o->message, sizeof o->message, "%s", r->message);
    snprintf(o->url, sizeof o->url, "%s", r->url);
}

START_TEST(a_post_is_never_repeated_a_get_is)
{
    if (!http_port)
        return;
    loop *l = loop_new();
    http_client *c = http_client_new(l);
    char url[256];
    http_request rq;
    http_outcome get = {0}, post = {0};
    snprintf(url, sizeof url, "http://127.0.0.1:%d/flaky/unit-get?fail=2", http_port);
    http_request_init(&rq, "GET", url);
    rq.protocols = "http";
    rq.retry_base_ms = 1;
    http_start(c, &rq, on_http, &get);
    snprintf(url, sizeof url, "http://127.0.0.1:%d/flaky/unit-post?fail=2", http_port);
    http_request_init(&rq, "POST", url);
    rq.protocols = "http";
    rq.retry_base_ms = 1;
    rq.body = "{\"content\":\"您好\"}";
    rq.body_len = strlen(rq.body);
    http_start(c, &rq, on_http, &post);
    while (http_in_flight(c))
        ck_assert(loop_run_once(l, LOOP_NEVER));
    ck_assert_int_eq(get.error, HTTP_OK);
    ck_assert_int_eq(get.attempts, 3);
    ck_assert_int_eq(post.error, HTTP_ERR_STATUS);
    ck_assert_int_eq(post.status, 500);
    ck_assert_int_eq(post.attempts, 1);
    http_client_free(c);
    loop_free(l);
}
END_TEST

static Suite *lookup_suite(void)
{
    Suite *s = suite_create("lookup");
    TCase *pure = tcase_create("config");
    tcase_add_test(pure, credentials_are_redacted_from_urls_and_text);
    suite_add_tcase(s, pure);
    TCase *files = tcase_create("file");
    tcase_add_test(files, demo_lookups_fill_the_placeholders);
    tcase_add_test(files, results_are_cached_per_endpoint_and_id_until_refresh);
    tcase_add_test(files, unset_variables_and_open_token_files_are_config_errors);
    suite_add_tcase(s, files);
    TCase *server = tcase_create("server");
    tcase_add_unchecked_fixture(server, server_start, server_stop);
    tcase_add_test(server, timers_run_and_other_lookups_finish_while_one_stalls);
    tcase_add_test(server, freeing_with_transfers_in_flight_calls_nobody);
    tcase_add_test(server, a_post_is_never_repeated_a_get_is);
    suite_add_tcase(s, server);
    return s;
}

int main(void)
{
    return unit_run(lookup_suite());
}
