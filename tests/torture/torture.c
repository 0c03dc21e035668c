/* torture: every allocation of a core scenario made to fail in turn (curl's --torture).
 *
 * Each scenario runs once with nothing failing, to count its allocations N and record what it
 * produced; then N more times with allocation 1, 2, ... N failing (every stride-th one when a
 * budget caps the runs). Each run must end without a crash, with every block freed, and either
 * report the failure (an error return with a message, NULL with a diagnostic, a buffer marked
 * failed) or produce exactly what the clean run produced. Output is TAP, one line a scenario.
 *
 * Environment: TESTDATA, HUASHU_DATA (fixture directories, set by make check); TORTURE_BUDGET
 * (most failing runs per scenario, 0 = all; default 300 under HUASHU_VALGRIND, else 0);
 * TORTURE_ONLY (run the scenarios whose name contains it); TORTURE_VERBOSE (1: name the
 * allocations whose failure changed nothing, 2: every allocation failed); TORTURE_AT (fail only
 * that allocation, in this process, for a debugger). */
#define FAILALLOC_NO_MACROS
#include "failalloc.h"

#include <locale.h>
#include <stdint.h>
#include <sys/mman.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include "core/audit.h"
#include "core/chatwoot_map.h"
#include "core/config.h"
#include "core/drill.h"
#include "core/drill_session.h"
#include "core/engine.h"
#include "core/event.h"
#include "core/fieldmap.h"
#include "core/lint.h"
#include "core/person_name.h"
#include "core/picker.h"
#include "core/playbook.h"
#include "core/queue.h"
#include "core/suggest.h"
#include "core/text.h"

#define SEC 1000LL
#define T0  1795399200000LL /* 2026-11-23 10:00:00 +08:00 */
#define TZ  480

/* How a scenario ended. */
typedef enum outcome {
    RUN_OK,       /* every call succeeded */
    RUN_REPORTED, /* a call failed because an allocation did, and said so */
    RUN_SILENT,   /* a call failed because an allocation did, without a message */
} outcome;

/* What a run produced, hashed (FNV-1a), to tell a correct result from a wrong one. */
typedef struct digest {
    uint64_t h;
} digest;

/* One run's state: the digest and how the calls went. */
typedef struct run {
    digest d;
    outcome out;
    char why[160]; /* the call that failed silently */
} run;

typedef struct scenario {
    const char *name;
    void (*fn)(run *r);
    const char *skip; /* why the scenario is left out, NULL when it runs */
} scenario;

/* Fixtures, read once before any scenario. */
static char *mini_text, *broken_text, *wrong_text, *zh_text, *hold_text, *two_text, *audit_text,
    *drill_text, *answers_text, *order_text, *conv_text, *msg_text;
static size_t mini_len, broken_len, wrong_len, zh_len, hold_len, two_len, audit_len, drill_len,
    answers_len, order_len, conv_len, msg_len;
static playbook *pb_mini, *pb_zh;
static lint *lint_mini;

/* ---- digests and outcomes -------------------------------------------------------------- */

static void dig_bytes(run *r, const void *p, size_t n)
{
    const unsigned char *s = p;
    uint64_t h = r->d.h ? r->d.h : 1469598103934665603ULL;
    for (size_t i = 0; i < n; i++)
        h = (h ^ s[i]) * 1099511628211ULL;
    r->d.h = h;
}

static void dig_str(run *r, const char *s)
{
    dig_bytes(r, s ? s : "(null)", strlen(s ? s : "(null)") + 1);
}

static void dig_int(run *r, long long v)
{
    dig_bytes(r, &v, sizeof v);
}

/* True when an allocation failed during a call that returned failure: the call is then judged
 * on its message. failed_before is failalloc_failed() from just before the call. */
static bool oom_failure(run *r, bool failed_before, const char *msg, const char *what)
{
    if (failed_before || !failalloc_failed())
        return false;
    if (msg && *msg) {
        if (r->out == RUN_OK)
            r->out = RUN_REPORTED;
    } else if (r->out != RUN_SILENT) {
        r->out = RUN_SILENT;
        snprintf(r->why, sizeof r->why, "%s failed without a message", what);
    }
    return true;
}

/* Judges a buffer filled by void calls: a failed one is reported through its flag. */
static bool buf_reported(run *r, const buf *b)
{
    if (!b->failed)
        return false;
    if (r->out == RUN_OK)
        r->out = RUN_REPORTED;
    return true;
}

/* A NULL from a constructor that has no message to give: reported by the NULL itself. */
static bool null_reported(run *r, const void *p)
{
    if (p)
        return false;
    if (!failalloc_failed()) {
        r->out = RUN_SILENT;
        snprintf(r->why, sizeof r->why, "NULL without an allocation failure");
    } else if (r->out == RUN_OK) {
        r->out = RUN_REPORTED;
    }
    return true;
}

/* ---- fixtures --------------------------------------------------------------------------- */

/* Reads $env/rel (fallback dir when env is unset) whole; exits when it cannot. */
static char *slurp(const char *env, const char *fallback, const char *rel, size_t *len)
{
    const char *dir = getenv(env);
    char path[1024];
    snprintf(path, sizeof path, "%s/%s", dir && *dir ? dir : fallback, rel);
    FILE *f = fopen(path, "rb");
    char *data = NULL;
    size_t cap = 0, n = 0;
    while (f) {
        if (n + 4096 + 1 > cap) {
            cap = cap ? cap * 2 : 65536;
            char *p = realloc(data, cap);
            if (!p)
                break;
            data = p;
        }
        size_t got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0)
            break;
    }
    if (!f || !data) {
        printf("Bail out! cannot read %s\n", path);
        exit(1);
    }
    fclose(f);
    data[n] = '\0';
    *len = n;
    return data;
}

/* Loads a playbook for the scenarios' use; exits when it does not load. */
static playbook *fixture_playbook(const char *file, const char *text, size_t len)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load(file, text, len, NULL, NULL, &d);
    if (!pb) {
        printf("Bail out! %s: %s\n", file, buf_str(&d.text));
        exit(1);
    }
    diag_free(&d);
    return pb;
}

static void fixtures_load(void)
{
    mini_text = slurp("TESTDATA", "tests/data", "playbooks/mini.yaml", &mini_len);
    broken_text = slurp("TESTDATA", "tests/data", "playbooks/broken.yaml", &broken_len);
    wrong_text = slurp("TESTDATA", "tests/data", "drills/zh_CN-order_hold.wrong.jsonl", &wrong_len);
    hold_text = slurp("TESTDATA", "tests/data", "replay/hold.jsonl", &hold_len);
    two_text = slurp("TESTDATA", "tests/data", "replay/two.jsonl", &two_len);
    audit_text = slurp("TESTDATA", "tests/data", "audit/basic.jsonl", &audit_len);
    answers_text =
        slurp("TESTDATA", "tests/data", "drills/zh_CN-order_hold.model.jsonl", &answers_len);
    order_text = slurp("TESTDATA", "tests/data", "lookup/generic-order.json", &order_len);
    conv_text = slurp("TESTDATA", "tests/data", "chatwoot/conversations.json", &conv_len);
    msg_text = slurp("TESTDATA", "tests/data", "chatwoot/messages.json", &msg_len);
    zh_text = slurp("HUASHU_DATA", "data", "playbooks/zh_CN.yaml", &zh_len);
    drill_text = slurp("HUASHU_DATA", "data", "drills/zh_CN/order_hold.yaml", &drill_len);
    pb_mini = fixture_playbook("mini.yaml", mini_text, mini_len);
    pb_zh = fixture_playbook("zh_CN.yaml", zh_text, zh_len);
    lint_mini = lint_new(pb_mini);
    if (!lint_mini) {
        printf("Bail out! lint_new(mini.yaml)\n");
        exit(1);
    }
}

static void fixtures_free(void)
{
    lint_free(lint_mini);
    playbook_free(pb_zh);
    playbook_free(pb_mini);
    free(mini_text);
    free(broken_text);
    free(wrong_text);
    free(zh_text);
    free(hold_text);
    free(two_text);
    free(audit_text);
    free(drill_text);
    free(answers_text);
    free(order_text);
    free(conv_text);
    free(msg_text);
}

/* Calls fn on each line of text (without its newline). */
static void each_line(const char *text, void (*fn)(void *ctx, const char *line, size_t len),
                      void *ctx)
{
    for (const char *p = text; *p;) {
        const char *nl = strchr(p, '\n');
        size_t len = nl ? (size_t)(nl - p) : strlen(p);
        if (len)
            fn(ctx, p, len);
        p += len + (nl != NULL);
    }
}

/* ---- scenarios -------------------------------------------------------------------------- */

/* text: sanitising, wrapping, encoding and JSON strings into a growing buffer; names. */
static void scen_text(run *r)
{
    static const char messy[] = "您好\x1b[31m,这是\x07一段\xe2\x80\xae测试\r\n文本,"
                                "关于快递的问题 tab\there and a long tail to wrap around";
    buf b;
    buf_init(&b);
    for (int i = 0; i < 40 && !b.failed; i++)
        text_sanitize(&b, messy, sizeof messy - 1, i % 2);
    text_encode(&b, 0x4e2d);
    buf_json_string(&b, "quote \" backslash \\ newline \n control \x01");
    buf_printf(&b, "%300s|%d", "wide", 42);
    size_t next, at = 0, len = b.len;
    while (!b.failed && at < len) {
        size_t n = text_wrap_line(b.data + at, len - at, 20, false, &next);
        dig_int(r, (long long)n);
        at += next ? next : len - at;
    }
    if (!buf_reported(r, &b))
        dig_str(r, buf_str(&b));
    char *taken = buf_take(&b);
    if (!null_reported(r, taken))
        dig_str(r, taken);
    torture_free(taken);
    buf empty;
    buf_init(&empty);
    char *none = buf_take(&empty);
    if (!null_reported(r, none))
        dig_str(r, none);
    torture_free(none);
    person_name pn;
    if (person_name_parse("王芳女士", &pn))
        dig_str(r, pn.surname);
}

/* Parses one event line and formats it back; a line the parser refuses is part of the
 * result, unless an allocation failed. */
static void event_line(void *ctx, const char *line, size_t len)
{
    run *r = ctx;
    event ev;
    char err[256] = "";
    bool before = failalloc_failed();
    if (!event_parse(&ev, line, len, err, sizeof err)) {
        if (!oom_failure(r, before, err, "event_parse"))
            dig_str(r, err);
        return;
    }
    buf b;
    buf_init(&b);
    event_format(&b, &ev);
    if (!buf_reported(r, &b))
        dig_str(r, buf_str(&b));
    buf_free(&b);
    event_release(&ev);
}

/* event: parsing and formatting the replay fixtures. */
static void scen_event(run *r)
{
    each_line(hold_text, event_line, r);
    each_line(two_text, event_line, r);
}

/* Loads a playbook; NULL must come with a diagnostic. */
static void load_playbook(run *r, const char *file, const char *text, size_t len)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load(file, text, len, NULL, NULL, &d);
    if (pb) {
        dig_int(r, playbook_state_index(pb, "hold"));
        dig_int(r, playbook_line_index(pb, "greeting.late"));
        dig_int(r, d.count);
    } else if (d.count > 0) {
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    } else {
        r->out = RUN_SILENT;
        snprintf(r->why, sizeof r->why, "playbook_load returned NULL without a diagnostic");
    }
    playbook_free(pb);
    diag_free(&d);
}

/* playbook_broken: a playbook with many problems; the diagnostics must come out the same, sorted,
 * unless they say an allocation failed. */
static void scen_playbook_broken(run *r)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load("broken.yaml", broken_text, broken_len, NULL, NULL, &d);
    if (pb) {
        r->out = RUN_SILENT;
        snprintf(r->why, sizeof r->why, "a broken playbook loaded");
    } else if (d.text.failed || strstr(buf_str(&d.text), "out of memory")) {
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    } else {
        dig_str(r, buf_str(&d.text));
        dig_int(r, d.count);
    }
    playbook_free(pb);
    diag_free(&d);
}

/* playbook_mini: the small test playbook. */
static void scen_playbook_mini(run *r)
{
    load_playbook(r, "mini.yaml", mini_text, mini_len);
}

/* playbook_zh_CN: the bundled playbook (sampled: it makes thousands of allocations). */
static void scen_playbook_zh(run *r)
{
    load_playbook(r, "zh_CN.yaml", zh_text, zh_len);
}

/* An in-memory playbook_reader: "base" is the base playbook; its copies are counted
 * allocations like the core's, since the loader frees them. */
static char *read_base(void *ctx, const char *name, const char *from, size_t *len, char **path)
{
    (void)from;
    if (strcmp(name, "base") != 0)
        return NULL;
    *path = torture_strdup("base.yaml", __FILE__, __LINE__);
    *len = strlen(ctx);
    return torture_strdup(ctx, __FILE__, __LINE__);
}

/* playbook_extends: a shop's playbook extending and overriding a base one. */
static void scen_playbook_extends(run *r)
{
    static const char base[] =
        "playbook: base\nname: base\nlocale: zh_CN\n"
        "settings: {hold_checkin: 25s, response_limit: 30s}\n"
        "placeholders:\n  company: {default: 本公司}\n  agent_no: {default: \"001\"}\n"
        "cues:\n  angry: [投诉, 态度]\n"
        "forbidden:\n  - {phrase: 不知道, better: 我帮您查一下, allow: [不知道的话]}\n"
        "states:\n"
        "  greeting:\n    label: 问候\n    lines:\n"
        "      - {id: greeting.hotline, code: gh, text: \"{company}客服{agent_no}号为您服务\"}\n"
        "    transitions: [{cue: angry, to: hold}]\n"
        "  hold:\n    label: 等候\n    lines:\n"
        "      - {id: hold.checkin, code: hc, text: 麻烦您再稍等片刻}\n"
        "    ladder:\n      - {after: hold_checkin, line: hold.checkin, repeat: true}\n";
    static const char user[] =
        "playbook: shop\nextends: base\n"
        "settings: {hold_checkin: 20s}\n"
        "placeholders:\n  company: {default: 康泰鑫}\n"
        "states:\n"
        "  greeting:\n    lines:\n"
        "      - {id: greeting.hotline, code: gh, text: \"{company}您好\"}\n"
        "      - {id: greeting.extra, code: gx, text: 欢迎光临}\n"
        "    transitions: [{key: vip, to: vip}]\n"
        "  vip:\n    label: 贵宾\n    lines: [{id: vip.hi, text: 尊敬的客户}]\n";
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load("shop.yaml", user, sizeof user - 1, read_base, (void *)base, &d);
    if (pb) {
        dig_str(r, pb->id);
        dig_str(r, pb->name);
        dig_int(r, playbook_setting(pb, "hold_checkin", 0));
        dig_str(r, playbook_placeholder(pb, "agent_no")->default_value);
        dig_str(r, pb->lines[playbook_line_index(pb, "greeting.hotline")].text);
        dig_int(r, (long long)pb->states[playbook_state_index(pb, "greeting")].transition_count);
        dig_int(r, (long long)pb->file_count);
    } else if (d.count > 0) {
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    } else {
        r->out = RUN_SILENT;
        snprintf(r->why, sizeof r->why, "playbook_load returned NULL without a diagnostic");
    }
    playbook_free(pb);
    diag_free(&d);
}

/* config: a config file with every section kind, its values, and the defaults. */
static void scen_config(run *r)
{
    static const char text[] = "playbook: zh_TW\nagent: {company: 康泰鑫, agent_no: \"128\"}\n"
                               "ui:\n  bell: false\n  ambiguous_width: 2\n  lint_mode: block\n"
                               "audit: {response_target: 15s, service_level: 80}\n"
                               "lookup:\n  order: {url: \"https://shop/{id}\"}\n"
                               "chatwoot:\n  url: https://chat.example.com/\n  account_id: 3\n"
                               "  token_file: /run/secrets/cw\n  poll: 2s\n";
    diagnostics d;
    diag_init(&d);
    config *c = config_load("config.yaml", text, sizeof text - 1, &d);
    if (!c) {
        if (d.count == 0) {
            r->out = RUN_SILENT;
            snprintf(r->why, sizeof r->why, "config_load returned NULL without a diagnostic");
        } else if (r->out == RUN_OK) {
            r->out = RUN_REPORTED;
        }
        diag_free(&d);
        return;
    }
    if (d.count > 0 && failalloc_failed()) {
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
        config_free(c);
        diag_free(&d);
        return;
    }
    dig_str(r, config_string(c, "ui.lint_mode"));
    dig_int(r, config_int(c, "ui.ambiguous_width"));
    dig_int(r, config_duration(c, "audit.response_target"));
    dig_int(r, (long long)config_agent_count(c));
    yamldoc *y = NULL;
    yaml_node_t *node = config_section(c, "chatwoot", &y, &d);
    chatwoot_config cw;
    memset(&cw, 0, sizeof cw);
    bool before = failalloc_failed();
    if (y && chatwoot_config_parse(y, node, &cw)) {
        char *url = chatwoot_conversations_url(&cw, 2);
        if (!null_reported(r, url))
            dig_str(r, url);
        torture_free(url);
        chatwoot_config_free(&cw);
    } else if (!before && failalloc_failed() && d.count > 0) {
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    } else {
        dig_str(r, "no chatwoot section");
    }
    dig_int(r, d.count);
    config_free(c);
    diag_free(&d);
    config *def = config_defaults();
    if (!null_reported(r, def))
        dig_str(r, config_string(def, "ui.lint_mode"));
    config_free(def);
}

/* Feeds one event line to an engine. */
static void engine_line(void *ctx, const char *line, size_t len)
{
    void **pair = ctx;
    run *r = pair[0];
    engine *e = pair[1];
    event ev;
    char err[256] = "";
    bool before = failalloc_failed();
    if (!event_parse(&ev, line, len, err, sizeof err)) {
        if (!oom_failure(r, before, err, "event_parse"))
            dig_str(r, err);
        return;
    }
    engine_advance(e, ev.ts_ms);
    before = failalloc_failed();
    if (!engine_feed(e, &ev, err, sizeof err) && !oom_failure(r, before, err, "engine_feed"))
        dig_str(r, err);
    event_release(&ev);
}

/* Digests every conversation of e: state, timers, values. */
static void dig_engine(run *r, const engine *e)
{
    for (size_t i = 0; i < engine_count(e); i++) {
        const conversation *c = engine_at(e, i);
        dig_str(r, c->id);
        dig_int(r, c->state);
        dig_int(r, c->ladder_step);
        dig_int(r, c->complaint_open);
        dig_int(r, (long long)c->value_count);
        dig_str(r, conversation_value(c, "order"));
        dig_str(r, conversation_value(c, "order.eta"));
    }
    dig_int(r, engine_next_deadline(e));
}

/* An engine over pb fed the two replay fixtures, timers advanced by 10 s steps to 20 min. */
static engine *engine_fed(run *r, const playbook *pb)
{
    engine *e = engine_new(pb);
    if (null_reported(r, e))
        return NULL;
    if (!engine_set_config(e, "company", "测试公司") && failalloc_failed())
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    void *pair[2] = {r, e};
    each_line(hold_text, engine_line, pair);
    each_line(two_text, engine_line, pair);
    static const char lookup[] = "{\"ts\":\"2026-11-23T10:30:00.000+08:00\",\"conv\":\"c-9\","
                                 "\"type\":\"lookup\",\"kind\":\"order\",\"fields\":"
                                 "{\"status\":\"已发货\",\"eta\":\"明天\",\"id\":\"1001\"}}";
    engine_line(pair, lookup, sizeof lookup - 1);
    for (int i = 0; i < 2; i++) /* the second time replaces the value */
        if (!engine_set_value(e, "c-1", "order", i ? "20261123-0415" : "1001", T0 + 400 * SEC) &&
            failalloc_failed())
            r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    for (int64_t t = T0; t <= T0 + 1200 * SEC; t += 10 * SEC)
        engine_advance(e, t);
    return e;
}

/* engine: a conversation through hold, complaint and closing, timers advanced. */
static void scen_engine(run *r)
{
    engine *e = engine_fed(r, pb_mini);
    if (e)
        dig_engine(r, e);
    engine_free(e);
}

/* suggest: ranking and filling lines for every conversation; the queue's timers. */
static void scen_suggest(run *r)
{
    engine *e = engine_fed(r, pb_mini);
    if (!e)
        return;
    queue_item items[16];
    size_t n = engine_count(e) < 16 ? engine_count(e) : 16;
    for (size_t i = 0; i < n; i++) {
        const conversation *c = engine_at(e, i);
        suggestion s[8];
        size_t k = suggest_rank(e, c, T0 + 60 * SEC, s, 8);
        for (size_t j = 0; j < k; j++) {
            if (!null_reported(r, s[j].text))
                dig_str(r, s[j].text);
            dig_int(r, s[j].line);
        }
        suggest_clear(s, k);
        buf b;
        buf_init(&b);
        const char *missing[4];
        size_t m = suggest_fill(e, c, playbook_line_index(pb_mini, "greeting.late"), T0 + 60 * SEC,
                                &b, missing, 4);
        if (!buf_reported(r, &b)) {
            dig_str(r, buf_str(&b));
            dig_int(r, (long long)m);
        }
        buf_free(&b);
        queue_item_compute(e, i, T0 + 90 * SEC, 0, &items[i]);
    }
    queue_sort(items, n);
    for (size_t i = 0; i < n; i++)
        dig_int(r, (long long)items[i].index);
    engine_free(e);
}

/* picker: searching the bundled playbook's lines (without memory it searches in place, so
 * the result must be the same). */
static void scen_picker(run *r)
{
    static const char *const queries[] = {"投诉", "", "h", "稍等 您"};
    for (size_t q = 0; q < sizeof queries / sizeof *queries; q++) {
        int found[40];
        size_t k = picker_search(pb_zh, queries[q], found, 40);
        dig_int(r, (long long)k);
        for (size_t i = 0; i < k; i++)
            dig_int(r, found[i]);
    }
}

/* lint: building the matcher over the bundled playbook, checking and replacing. */
static void scen_lint(run *r)
{
    lint *l = lint_new(pb_zh);
    if (null_reported(r, l))
        return;
    static const char *texts[] = {"不知道,这不归我管", "您好,请问有什么可以帮您?",
                                  "亲,你自己去查吧,我也没办法"};
    for (size_t i = 0; i < sizeof texts / sizeof *texts; i++) {
        lint_hit hits[8];
        size_t n = lint_check(l, texts[i], strlen(texts[i]), hits, 8);
        dig_int(r, (long long)n);
        for (size_t j = 0; j < n && j < 8; j++) {
            dig_int(r, (long long)hits[j].offset);
            buf b;
            buf_init(&b);
            bool before = failalloc_failed();
            bool replaced = lint_replace(&b, texts[i], strlen(texts[i]), &hits[j], "……");
            if (buf_reported(r, &b))
                ; /* the buffer says so */
            else if (replaced)
                dig_str(r, buf_str(&b));
            else if (!oom_failure(r, before, NULL, "lint_replace"))
                dig_str(r, "no replacement");
            buf_free(&b);
        }
    }
    lint_free(l);
    static const char *const words[] = {"hello", "World", "快递"};
    static const uint32_t tags[] = {1, 2, 4};
    lint_words *w = lint_words_new(words, tags, 3, LINT_WORDS_FOLD | LINT_WORDS_BOUNDARIES);
    if (!null_reported(r, w))
        dig_int(r, lint_words_find(w, "Hello world, 快递", strlen("Hello world, 快递")));
    lint_words_free(w);
}

/* What the audit reported, digested. */
static void audit_seen(void *ctx, const audit_conv *c)
{
    run *r = ctx;
    dig_str(r, c->id);
    dig_int(r, (long long)c->offence_count);
}

typedef struct audit_ctx {
    run *r;
    audit *a;
    unsigned long number;
} audit_ctx;

/* Feeds one transcript line to the audit. */
static void audit_line(void *ctx, const char *line, size_t len)
{
    audit_ctx *ac = ctx;
    char err[256] = "";
    bool before = failalloc_failed();
    if (!audit_feed_line(ac->a, line, len, "basic.jsonl", ++ac->number, err, sizeof err) &&
        !oom_failure(ac->r, before, err, "audit_feed_line"))
        dig_str(ac->r, err);
}

/* audit: a small transcript through the audit with its lint. */
static void scen_audit(run *r)
{
    audit *a = audit_new(pb_mini, lint_mini, NULL);
    if (null_reported(r, a))
        return;
    audit_set_reporter(a, audit_seen, r);
    audit_ctx ac = {r, a, 0};
    each_line(audit_text, audit_line, &ac);
    for (int i = 0; i < 80; i++) { /* past the first table size */
        char line[160];
        int n = snprintf(line, sizeof line,
                         "{\"ts\":\"2026-11-23T11:%02d:%02d.000+08:00\",\"conv\":\"g%d\","
                         "\"type\":\"open\"}",
                         i / 60, i % 60, i);
        audit_line(&ac, line, (size_t)n);
    }
    audit_finish(a);
    const audit_totals *t = audit_get_totals(a);
    dig_int(r, (long long)t->conversations);
    dig_int(r, (long long)t->closed);
    dig_int(r, (long long)t->first_response.median);
    audit_free(a);
}

/* A drill session, as huashu drill run drives it, and the run reporting to. */
typedef struct drill_h {
    run *r;
    drill_session *s;
} drill_h;

/* drill_session_listener: a customer event the engine refused is reported. */
static void drill_listen(void *ctx, const event *ev, bool fed, const char *err)
{
    (void)ev;
    drill_h *h = ctx;
    if (!fed && !oom_failure(h->r, false, err, "engine_feed"))
        dig_str(h->r, err);
}

typedef struct answer_ctx {
    drill_h *h;
    int64_t start;
} answer_ctx;

/* Plays one line of the model answers. */
static void drill_answer(void *ctx, const char *line, size_t len)
{
    answer_ctx *ac = ctx;
    drill_h *h = ac->h;
    if (drill_session_done(h->s))
        return;
    event ev;
    char err[256] = "";
    bool before = failalloc_failed();
    if (!drill_answer_parse(line, len, "d", ac->start, TZ, &ev, err, sizeof err)) {
        if (!oom_failure(h->r, before, err, "drill_answer_parse"))
            dig_str(h->r, err);
        return;
    }
    drill_session_advance(h->s, ev.ts_ms);
    if (!drill_session_done(h->s)) {
        before = failalloc_failed();
        if (!drill_session_feed(h->s, &ev, err, sizeof err) &&
            !oom_failure(h->r, before, err, "engine_feed"))
            dig_str(h->r, err);
    }
    event_release(&ev);
}

/* Runs a bound drill on answers; the result as JSON and text, then reported. */
static void drill_play(run *r, const drill *dr, const char *answers)
{
    drill_h h = {r, drill_session_new(dr, pb_zh, "d", T0, TZ)};
    if (null_reported(r, h.s))
        return;
    drill_session_set_listener(h.s, drill_listen, &h);
    drill_session_set_trainee(h.s, "小张");
    drill_session_start(h.s);
    answer_ctx ac = {&h, T0};
    each_line(answers, drill_answer, &ac);
    const drill_result *res = drill_session_finish(h.s, ENGINE_NEVER);
    dig_int(r, res->score);
    dig_int(r, res->passed);
    buf b;
    buf_init(&b);
    drill_result_json(res, &b);
    drill_result_text(res, &b);
    if (!buf_reported(r, &b)) {
        dig_str(r, buf_str(&b));
        drill_report *rep = drill_report_new();
        char err[256] = "";
        bool before = failalloc_failed();
        if (!null_reported(r, rep)) {
            const char *nl = strchr(buf_str(&b), '\n');
            if (drill_report_add(rep, b.data, (size_t)(nl - b.data), err, sizeof err)) {
                buf out;
                buf_init(&out);
                drill_report_text(rep, &out);
                drill_report_json(rep, &out);
                if (!buf_reported(r, &out))
                    dig_str(r, buf_str(&out));
                buf_free(&out);
            } else if (!oom_failure(r, before, err, "drill_report_add")) {
                dig_str(r, err);
            }
        }
        drill_report_free(rep);
    }
    buf_free(&b);
    drill_session_free(h.s);
}

/* Loads and binds the bundled order_hold drill and plays answers on it. */
static void drill_scenario(run *r, const char *answers)
{
    diagnostics d;
    diag_init(&d);
    drill *dr = drill_load("order_hold.yaml", drill_text, drill_len, &d);
    if (dr && drill_bind(dr, pb_zh, &d))
        drill_play(r, dr, answers);
    else if (d.count == 0) {
        r->out = RUN_SILENT;
        snprintf(r->why, sizeof r->why, "drill_load/bind failed without a diagnostic");
    } else if (failalloc_failed()) {
        r->out = r->out == RUN_OK ? RUN_REPORTED : r->out;
    } else {
        dig_str(r, buf_str(&d.text));
    }
    drill_free(dr);
    diag_free(&d);
}

/* drill: loading and binding a bundled drill, playing its model answers, reporting. */
static void scen_drill(run *r)
{
    drill_scenario(r, answers_text);
}

/* drill_wrong: the same drill played with wrong answers (forbidden phrases, misses). */
static void scen_drill_wrong(run *r)
{
    drill_scenario(r, wrong_text);
}

/* Sets key=value on field name; false (judged) when refused. */
static bool field_set(run *r, fieldmap *m, const char *name, const char *key, const char *value)
{
    char err[200] = "";
    bool before = failalloc_failed();
    fieldmap_field *f = fieldmap_field_get(m, name);
    if (!f) {
        if (!null_reported(r, f))
            dig_str(r, "no field");
        return false;
    }
    if (fieldmap_field_set(f, key, value, err, sizeof err))
        return true;
    if (!oom_failure(r, before, err, "fieldmap_field_set"))
        dig_str(r, err);
    return false;
}

/* fieldmap: a map with paths, a value map and stock words, applied to an order body. */
static void scen_fieldmap(run *r)
{
    fieldmap *m = fieldmap_new();
    if (null_reported(r, m))
        return;
    bool ok = field_set(r, m, "status", "path", "status") && field_set(r, m, "id", "path", "id") &&
              field_set(r, m, "items", "path", "items") &&
              field_set(r, m, "items", "join", " / ") &&
              field_set(r, m, "parcel", "format", "{{单号}} {carrier} {tracking}") &&
              field_set(r, m, "first", "path", "items[0]") &&
              field_set(r, m, "total", "path", "order.total_price");
    if (ok) {
        bool before = failalloc_failed();
        if (!fieldmap_field_map(fieldmap_field_get(m, "status"), "shipped", "已发货")) {
            if (!oom_failure(r, before, "(false)", "fieldmap_field_map"))
                dig_str(r, "map refused");
        }
        fieldmap_result res;
        fieldmap_status st = fieldmap_apply(m, order_text, order_len, &res);
        if (st == FIELDMAP_OK) {
            for (size_t i = 0; i < res.count; i++)
                dig_str(r, fieldmap_result_get(&res, res.values[i].name));
        } else if (!oom_failure(r, before, res.message, "fieldmap_apply")) {
            dig_int(r, st);
            dig_str(r, res.message);
        }
        fieldmap_result_free(&res);
        buf b;
        buf_init(&b);
        fieldmap_stock_words(m, 3, &b);
        if (!buf_reported(r, &b))
            dig_str(r, buf_str(&b));
        buf_free(&b);
    }
    fieldmap_free(m);
}

/* chatwoot_map: a conversation list and a message page parsed, events built, a post body. */
static void scen_chatwoot(run *r)
{
    size_t n = 0, skipped = 0;
    long mine = 0;
    char err[256] = "";
    bool before = failalloc_failed();
    chatwoot_conv_info *c =
        chatwoot_parse_conversations(conv_text, conv_len, &n, &mine, err, sizeof err);
    if (c) {
        for (size_t i = 0; i < n; i++)
            dig_str(r, c[i].name);
        dig_int(r, mine);
    } else if (!oom_failure(r, before, err, "chatwoot_parse_conversations")) {
        dig_str(r, err);
    }
    torture_free(c);
    before = failalloc_failed();
    chatwoot_message *m = chatwoot_parse_messages(msg_text, msg_len, &n, &skipped, err, sizeof err);
    if (m) {
        for (size_t i = 0; i < n; i++) {
            event ev;
            if (chatwoot_message_event(&m[i], "cw-1024", TZ, &ev))
                dig_str(r, ev.text);
        }
        chatwoot_messages_free(m, n);
    } else if (!oom_failure(r, before, err, "chatwoot_parse_messages")) {
        dig_str(r, err);
    }
    char *body = chatwoot_post_body("您好,\"订单\"已发货\n");
    if (!null_reported(r, body))
        dig_str(r, body);
    torture_free(body);
}

static const scenario scenarios[] = {
    {"text", scen_text, NULL},
    {"event", scen_event, NULL},
    {"playbook_mini", scen_playbook_mini, NULL},
    {"playbook_zh_CN", scen_playbook_zh, NULL},
    {"playbook_broken", scen_playbook_broken, NULL},
    {"playbook_extends", scen_playbook_extends, NULL},
    {"config", scen_config, NULL},
    {"engine", scen_engine, NULL},
    {"suggest_queue", scen_suggest, NULL},
    {"picker", scen_picker, NULL},
    {"lint", scen_lint, NULL},
    {"audit", scen_audit, NULL},
    {"drill", scen_drill, NULL},
    {"drill_wrong", scen_drill_wrong, NULL},
    {"fieldmap", scen_fieldmap, NULL},
    {"chatwoot_map", scen_chatwoot, NULL},
};

/* ---- the torture loop ------------------------------------------------------------------- */

/* Shared with the parent, so a crash can be pinned to the allocation that failed. */
typedef struct shared {
    unsigned long n;
    bool printed;
} shared;

static shared *progress;

static double now_seconds(void)
{
    struct timespec ts;
    clock_gettime(CLOCK_MONOTONIC, &ts);
    return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Runs s once with allocation n failing (0: none); a problem goes to problem, returns the
 * run. */
static run run_once(const scenario *s, unsigned long n, size_t base)
{
    run r;
    memset(&r, 0, sizeof r);
    failalloc_arm(n);
    s->fn(&r);
    size_t bytes;
    size_t live = failalloc_live(&bytes);
    if (live != base) {
        printf("# %s, allocation %lu failing: %zu blocks (%zu bytes) leaked\n", s->name, n,
               live - base, bytes);
        failalloc_report(stdout, 5);
        r.out = RUN_SILENT;
        snprintf(r.why, sizeof r.why, "leak");
    }
    return r;
}

/* How the failing runs of a scenario went. */
typedef struct tally {
    unsigned long runs, reported, absorbed, bad;
} tally;

/* Runs s with allocation n failing and judges it against the clean run ref. */
static void check_one(const scenario *s, unsigned long n, size_t base, const run *ref, tally *t)
{
    progress->n = n;
    run r = run_once(s, n, base);
    t->runs++;
    const char *problem = NULL;
    if (!failalloc_failed())
        problem = "the allocation was never made";
    else if (r.out == RUN_SILENT)
        problem = r.why;
    else if (r.out == RUN_OK && r.d.h != ref->d.h)
        problem = "the result is wrong and nothing reported it";
    if (problem && t->bad++ < 10) {
        int line;
        const char *file = failalloc_site(&line);
        printf("# %s, allocation %lu (%s:%d) failing: %s\n", s->name, n, file, line, problem);
    }
    const char *verbose = getenv("TORTURE_VERBOSE");
    if (!problem && verbose && (r.out == RUN_OK || !strcmp(verbose, "2"))) {
        int line;
        const char *file = failalloc_site(&line);
        printf("# %s, allocation %lu (%s:%d) failing: %s\n", s->name, n, file, line,
               r.out == RUN_OK ? "harmless" : "reported");
    }
    t->reported += !problem && r.out == RUN_REPORTED;
    t->absorbed += !problem && r.out == RUN_OK;
}

/* Tortures one scenario in this process and prints its TAP line; returns whether it passed. */
static bool torture(const scenario *s, int number, unsigned long budget)
{
    double t0 = now_seconds();
    size_t base = failalloc_live(NULL);
    run ref = run_once(s, 0, base);
    unsigned long total = failalloc_count();
    if (ref.out != RUN_OK) {
        printf("not ok %d - %s: fails with no allocation failing (%s)\n", number, s->name, ref.why);
        return false;
    }
    unsigned long stride = budget && total > budget ? (total + budget - 1) / budget : 1;
    tally t = {0, 0, 0, 0};
    for (unsigned long n = 1; n <= total; n += stride)
        check_one(s, n, base, &ref, &t);
    if (total > 1 && (total - 1) % stride != 0) /* the last allocation always */
        check_one(s, total, base, &ref, &t);
    failalloc_arm(0);
    double secs = now_seconds() - t0;
    if (t.bad)
        printf("not ok %d - %s: %lu of %lu allocation failures mishandled (%.1f s)\n", number,
               s->name, t.bad, t.runs, secs);
    else
        printf("ok %d - %s: %lu allocations, %lu failed one at a time (stride %lu): "
               "%lu reported, %lu harmless, no crash, no leak (%.1f s)\n",
               number, s->name, total, t.runs, stride, t.reported, t.absorbed, secs);
    return t.bad == 0;
}

/* Runs one scenario in a child so that a crash is reported and the others still run. */
static bool torture_child(const scenario *s, int number, unsigned long budget)
{
    if (s->skip) {
        printf("ok %d - %s # SKIP %s\n", number, s->name, s->skip);
        return true;
    }
    fflush(stdout);
    progress->n = 0;
    progress->printed = false;
    pid_t pid = fork();
    if (pid < 0) {
        perror("fork");
        return false;
    }
    if (pid == 0) {
        bool ok = torture(s, number, budget);
        progress->printed = true;
        fflush(stdout);
        exit(ok ? 0 : 1);
    }
    int status;
    if (waitpid(pid, &status, 0) < 0)
        return false;
    if (WIFEXITED(status) && progress->printed)
        return WEXITSTATUS(status) == 0;
    if (!progress->printed)
        printf("not ok %d - %s: crashed (%s %d) with allocation %lu failing\n", number, s->name,
               WIFSIGNALED(status) ? "signal" : "exit status",
               WIFSIGNALED(status) ? WTERMSIG(status) : WEXITSTATUS(status), progress->n);
    else
        printf("# %s: the child ended badly after its report (exit %d)\n", s->name,
               WIFEXITED(status) ? WEXITSTATUS(status) : -WTERMSIG(status));
    return false;
}

int main(void)
{
    setlocale(LC_ALL, "C.UTF-8");
    setvbuf(stdout, NULL, _IOLBF, 0);
    failalloc_route_jansson();
    progress =
        mmap(NULL, sizeof *progress, PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS, -1, 0);
    if (progress == MAP_FAILED) {
        printf("Bail out! mmap\n");
        return 1;
    }
    const char *env = getenv("TORTURE_BUDGET");
    unsigned long budget = env && *env                 ? strtoul(env, NULL, 10)
                           : getenv("HUASHU_VALGRIND") ? 300
                                                       : 0;
    const char *only = getenv("TORTURE_ONLY");
    const char *at = getenv("TORTURE_AT");
    fixtures_load();
    if (at && only) /* one failing run under a debugger */
        for (size_t i = 0; i < sizeof scenarios / sizeof *scenarios; i++)
            if (strstr(scenarios[i].name, only)) {
                run r = run_once(&scenarios[i], strtoul(at, NULL, 10), failalloc_live(NULL));
                printf("# %s: outcome %d %s\n", scenarios[i].name, (int)r.out, r.why);
                return 0;
            }
    size_t count = sizeof scenarios / sizeof *scenarios, selected = 0;
    for (size_t i = 0; i < count; i++)
        selected += !only || strstr(scenarios[i].name, only) != NULL;
    printf("1..%zu\n", selected);
    int failed = 0, number = 0;
    for (size_t i = 0; i < count; i++)
        if (!only || strstr(scenarios[i].name, only))
            failed += !torture_child(&scenarios[i], ++number, budget);
    fixtures_free();
    size_t live = failalloc_live(NULL);
    if (live) {
        printf("# the fixtures left %zu blocks\n", live);
        failalloc_report(stdout, 5);
        return 1;
    }
    return failed ? 1 : 0;
}
