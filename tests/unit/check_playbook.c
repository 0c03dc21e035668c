#include <string.h>

#include "core/playbook.h"
#include "unit.h"

static const char *const HEADER = "playbook: t\nname: test\nlocale: zh_CN\n";

/* Loads header+body; returns the playbook (NULL on errors) and leaves messages in d. */
static playbook *load(const char *body, diagnostics *d)
{
    char text[8192];
    snprintf(text, sizeof text, "%s%s", HEADER, body);
    diag_init(d);
    return playbook_load("t.yaml", text, strlen(text), NULL, NULL, d);
}

/* Asserts that body fails with a message containing want at line:col. */
static void expect_error(const char *body, const char *where, const char *want)
{
    diagnostics d;
    playbook *pb = load(body, &d);
    ck_assert_msg(pb == NULL, "expected failure for: %s", body);
    const char *msgs = buf_str(&d.text);
    ck_assert_msg(strstr(msgs, want), "wanted \"%s\" in:\n%s", want, msgs);
    ck_assert_msg(strstr(msgs, where), "wanted position \"%s\" in:\n%s", where, msgs);
    diag_free(&d);
}

static const char *const ONE_STATE = "states:\n"
                                     "  greeting:\n"
                                     "    label: 问候\n"
                                     "    lines:\n"
                                     "      - {id: g.one, code: g1, text: 您好}\n";

START_TEST(loads_a_minimal_playbook)
{
    diagnostics d;
    playbook *pb = load(ONE_STATE, &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    ck_assert_str_eq(pb->id, "t");
    ck_assert_uint_eq(pb->state_count, 1);
    ck_assert_int_eq(playbook_line_by_code(pb, "g1"), 0);
    ck_assert_int_eq(playbook_state_index(pb, "greeting"), 0);
    ck_assert_int_eq(playbook_setting(pb, "response_limit", 30000), 30000);
    playbook_free(pb);
    diag_free(&d);
}
END_TEST

START_TEST(reports_yaml_syntax_with_position)
{
    expect_error("states: [\n  a: b\n", "t.yaml:", "YAML syntax");
}
END_TEST

START_TEST(reports_unknown_keys)
{
    expect_error("setings: {}\nstates: {}\n", "t.yaml:4:1:", "unknown key \"setings\"");
    expect_error("states:\n  greeting:\n    label: x\n    line: []\n",
                 "t.yaml:7:5:", "unknown key \"line\" in a state");
    expect_error("states:\n  greeting: {label: x, lines: [{id: a, text: 您好,什么事情?}]}\n",
                 "t.yaml:", "quote text that contains commas");
    expect_error("states:\n  greeting: {label: x}\nstates: {}\n",
                 "t.yaml:6:1:", "duplicate key \"states\" in a playbook (first at line 4)");
}
END_TEST

START_TEST(reports_unknown_state_in_transition)
{
    expect_error("states:\n  greeting:\n    label: x\n    lines: [{id: a, text: b}]\n"
                 "    transitions:\n      - {key: hold, to: hodl}\n",
                 "t.yaml:9:9:", "transition to unknown state \"hodl\"");
}
END_TEST

START_TEST(reports_unknown_placeholder_and_fallback)
{
    expect_error(
        "states:\n  greeting:\n    label: x\n    lines:\n      - {id: a, text: \"{compny}您好\"}\n",
        "t.yaml:8:9:", "unknown placeholder {compny}");
    expect_error("placeholders:\n  company: {default: x}\nstates:\n  greeting:\n    label: x\n"
                 "    lines:\n      - {id: a, text: \"{company}\", fallback: {title: 先生}}\n",
                 "t.yaml:10:9:", "fallback for unknown placeholder \"title\"");
}
END_TEST

START_TEST(reports_duplicate_ids_and_codes)
{
    expect_error("states:\n  greeting:\n    label: x\n    lines:\n      - {id: a, text: b}\n"
                 "      - {id: a, text: c}\n",
                 "t.yaml:9:9:", "duplicate line id \"a\" (first defined at line 8)");
    expect_error(
        "states:\n  greeting:\n    label: x\n    lines:\n      - {id: a, code: q, text: b}\n"
        "      - {id: b, code: q, text: c}\n",
        "t.yaml:9:9:", "short code \"q\" of line \"b\" is already used by \"a\"");
    expect_error("states:\n  greeting: {label: x}\n  greeting: {label: y}\n",
                 "t.yaml:6:3:", "duplicate state \"greeting\"");
}
END_TEST

START_TEST(reports_bad_durations)
{
    expect_error("settings: {hold_checkin: -5}\nstates: {greeting: {label: x}}\n",
                 "t.yaml:4:26:", "must not be negative");
    expect_error("settings: {hold_checkin: soon}\nstates: {greeting: {label: x}}\n",
                 "t.yaml:4:26:", "must be a duration");
    expect_error("states:\n  greeting:\n    label: x\n    lines: [{id: a, text: b}]\n"
                 "    ladder:\n      - {after: hold_chekin, line: a}\n",
                 "t.yaml:9:9:", "\"hold_chekin\" is neither a duration nor a setting name");
    expect_error("states:\n  greeting:\n    label: x\n    lines: [{id: a, text: b}]\n"
                 "    ladder:\n      - {after: \"-3s\", line: a}\n",
                 "t.yaml:9:9:", "must not be negative");
    expect_error("states:\n  greeting:\n    label: x\n    lines: [{id: a, text: b}]\n"
                 "    ladder:\n      - {line: a}\n",
                 "t.yaml:9:9:", "a ladder step needs \"after\" and \"line\"");
    expect_error(
        "states:\n  greeting:\n    label: x\n    transitions:\n      - {after: 0, to: greeting}\n",
        "t.yaml:8:9:", "needs a positive \"after\"");
}
END_TEST

START_TEST(reports_missing_required_fields)
{
    expect_error("states:\n  greeting:\n    label: x\n    lines: [{id: a}]\n",
                 "t.yaml:7:13:", "a line needs \"id\" and \"text\"");
    expect_error("states:\n  greeting:\n    lines: []\n",
                 "t.yaml:5:3:", "state \"greeting\" needs a \"label\"");
    expect_error("states:\n  greeting:\n    label: x\n    transitions: [{key: a}]\n",
                 "t.yaml:7:19:", "needs \"to\"");
    expect_error(
        "states:\n  greeting:\n    label: x\n    transitions: [{key: a, cue: b, to: greeting}]\n",
        "t.yaml:7:19:", "exactly one trigger");
    expect_error(
        "states:\n  greeting:\n    label: x\n    transitions: [{cue: angry, to: greeting}]\n",
        "t.yaml:7:19:", "unknown cue set \"angry\"");
    expect_error("forbidden:\n  - {phrase: 喂}\nstates: {greeting: {label: x}}\n",
                 "t.yaml:5:5:", "needs \"phrase\" and \"better\"");
    expect_error("states: {}\n", "t.yaml:1:1:", "at least one state");
    diagnostics d;
    diag_init(&d);
    const char *text = "name: x\nlocale: en\nstates: {a: {label: b}}\n";
    ck_assert_ptr_null(playbook_load("n.yaml", text, strlen(text), NULL, NULL, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "n.yaml:1:1: missing \"playbook\""));
    diag_free(&d);
}
END_TEST

START_TEST(messages_are_one_line_and_terminal_safe)
{
    /* found by fuzz_playbook: a key with a newline split its message over several lines */
    diagnostics d;
    playbook *pb = load("\"bad\\nkey\\e[31m\": 1\nstates: {greeting: {label: x}}\n", &d);
    ck_assert_ptr_null(pb);
    const char *t = buf_str(&d.text);
    ck_assert_int_eq(d.count, 1);
    ck_assert_ptr_nonnull(strstr(t, "t.yaml:4:1: unknown key \"badkey\""));
    ck_assert_ptr_null(strchr(t, 0x1b));
    ck_assert_ptr_eq(strchr(t, '\n'), t + strlen(t) - 1);
    diag_free(&d);
}
END_TEST

START_TEST(reports_several_problems_at_once)
{
    diagnostics d;
    playbook *pb = load("states:\n  greeting:\n    label: x\n    lines:\n"
                        "      - {id: a, text: \"{nope}\"}\n"
                        "    transitions: [{key: a, to: nowhere}]\n",
                        &d);
    ck_assert_ptr_null(pb);
    ck_assert_int_eq(d.count, 2);
    diag_free(&d);
}
END_TEST

/* An in-memory playbook_reader: "base" is the base playbook. */
static char *read_base(void *ctx, const char *name, const char *from, size_t *len, char **path)
{
    if (strcmp(name, "base") != 0)
        return NULL;
    *path = strdup("base.yaml");
    *len = strlen(ctx);
    return strdup(ctx);
}

static const char *const BASE =
    "playbook: base\nname: base\nlocale: zh_CN\n"
    "settings: {hold_checkin: 25s, response_limit: 30s}\n"
    "placeholders:\n  company: {default: 本公司}\n  agent_no: {default: \"001\"}\n"
    "states:\n"
    "  greeting:\n    label: 问候\n    lines:\n"
    "      - {id: greeting.hotline, code: gh, text: \"{company}客服{agent_no}号为您服务\"}\n"
    "  hold:\n    label: 等候\n    lines:\n"
    "      - {id: hold.checkin, code: hc, text: 麻烦您再稍等片刻}\n"
    "    ladder:\n      - {after: hold_checkin, line: hold.checkin, repeat: true}\n";

START_TEST(user_playbook_extends_and_overrides)
{
    const char *user = "playbook: shop\nextends: base\n"
                       "settings: {hold_checkin: 20s}\n"
                       "placeholders:\n  company: {default: 康泰鑫}\n"
                       "states:\n"
                       "  greeting:\n    lines:\n"
                       "      - {id: greeting.hotline, code: gh, text: \"{company}您好\"}\n"
                       "      - {id: greeting.extra, code: gx, text: 欢迎光临}\n"
                       "  vip:\n    label: 贵宾\n    lines: [{id: vip.hi, text: 尊敬的客户}]\n";
    diagnostics d;
    diag_init(&d);
    playbook *pb = playbook_load("shop.yaml", user, strlen(user), read_base, (void *)BASE, &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    ck_assert_str_eq(pb->id, "shop");
    ck_assert_str_eq(pb->name, "base");
    ck_assert_int_eq(playbook_setting(pb, "hold_checkin", 0), 20000);
    const pb_state *hold = &pb->states[playbook_state_index(pb, "hold")];
    ck_assert_int_eq(hold->ladder[0].after_ms, 20000);
    ck_assert_str_eq(playbook_placeholder(pb, "company")->default_value, "康泰鑫");
    ck_assert_str_eq(playbook_placeholder(pb, "agent_no")->default_value, "001");
    int hotline = playbook_line_index(pb, "greeting.hotline");
    ck_assert_str_eq(pb->lines[hotline].text, "{company}您好");
    const pb_state *greeting = &pb->states[playbook_state_index(pb, "greeting")];
    ck_assert_uint_eq(greeting->line_count, 2);
    ck_assert_str_eq(greeting->label, "问候");
    ck_assert_int_ge(playbook_state_index(pb, "vip"), 0);
    ck_assert_uint_eq(pb->file_count, 2);
    playbook_free(pb);
    diag_free(&d);
}
END_TEST

START_TEST(extension_errors_name_the_right_file)
{
    diagnostics d;
    diag_init(&d);
    const char *user = "playbook: shop\nextends: nowhere\n";
    ck_assert_ptr_null(playbook_load("shop.yaml", user, strlen(user), read_base, (void *)BASE, &d));
    ck_assert_ptr_nonnull(
        strstr(buf_str(&d.text), "shop.yaml:2:10: cannot find the playbook \"nowhere\""));
    diag_free(&d);
    diag_init(&d);
    user =
        "playbook: shop\nextends: base\nstates:\n  hold:\n    transitions: [{key: x, to: nope}]\n";
    ck_assert_ptr_null(playbook_load("shop.yaml", user, strlen(user), read_base, (void *)BASE, &d));
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "shop.yaml:5:19: transition to unknown state"));
    diag_free(&d);
}
END_TEST

START_TEST(cue_words_with_letters_match_any_case)
{
    diagnostics d;
    playbook *pb = load("cues:\n  closing: [thanks, 再见]\n  plain: [再见]\n"
                        "states: {greeting: {label: x}}\n",
                        &d);
    ck_assert_msg(pb != NULL, "%s", buf_str(&d.text));
    int closing = playbook_cue_index(pb, "closing");
    ck_assert(playbook_cue_matches(pb, closing, "OK, Thanks!"));
    ck_assert(playbook_cue_matches(pb, closing, "好的再见"));
    ck_assert(!playbook_cue_matches(pb, closing, "thank you"));
    ck_assert(playbook_cue_matches(pb, playbook_cue_index(pb, "plain"), "再见"));
    playbook_free(pb);
    diag_free(&d);
    expect_error(
        "states:\n  greeting:\n    label: x\n    avoid: [{never: 喂, say: greeting.hotlin}]\n",
        "t.yaml:5:3:", "avoid names unknown line id \"greeting.hotlin\"");
}
END_TEST

START_TEST(loads_the_test_fixture)
{
    playbook *pb = unit_playbook();
    ck_assert_uint_eq(pb->forbidden_count, 2);
    ck_assert_str_eq(pb->forbidden[1].allow[0], "迷你");
    ck_assert_uint_eq(pb->time_count, 3);
    ck_assert_uint_eq(pb->holiday_count, 2);
    ck_assert_int_eq(pb->holidays[1].year, 2027);
    int simple = playbook_line_index(pb, "complaint.simple");
    ck_assert_int_eq(pb->lines[simple].promise_ms, 2 * 3600 * 1000);
    const pb_state *g = &pb->states[playbook_state_index(pb, "greeting")];
    ck_assert_int_eq(g->avoid[0].say_line, playbook_line_index(pb, "greeting.hotline"));
    ck_assert(playbook_cue_matches(pb, playbook_cue_index(pb, "complaint"), "我要投诉你们"));
    ck_assert(!playbook_cue_matches(pb, playbook_cue_index(pb, "complaint"), "谢谢"));
    playbook_free(pb);
}
END_TEST

/* ---- images: the parsed YAML kept between runs (yamldoc_image) -------------------------- */

/* Reads a file whole into a static buffer; its length in *len. */
static const char *slurp(const char *path, size_t *len)
{
    static char text[262144];
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    *len = fread(text, 1, sizeof text - 1, f);
    fclose(f);
    text[*len] = '\0';
    return text;
}

static void same_mark(yaml_mark_t a, yaml_mark_t b)
{
    ck_assert_uint_eq(a.index, b.index);
    ck_assert_uint_eq(a.line, b.line);
    ck_assert_uint_eq(a.column, b.column);
}

/* Asserts that two loaded documents have the same nodes, values, styles, tags and marks. */
static void same_document(yamldoc *a, yamldoc *b)
{
    yaml_node_t *na = a->doc.nodes.start, *nb = b->doc.nodes.start;
    ck_assert_int_eq(a->doc.nodes.top - na, b->doc.nodes.top - nb);
    for (; na < a->doc.nodes.top; na++, nb++) {
        ck_assert_int_eq(na->type, nb->type);
        ck_assert_str_eq((const char *)na->tag, (const char *)nb->tag);
        same_mark(na->start_mark, nb->start_mark);
        same_mark(na->end_mark, nb->end_mark);
        if (na->type == YAML_SCALAR_NODE) {
            ck_assert_uint_eq(na->data.scalar.length, nb->data.scalar.length);
            ck_assert(
                !memcmp(na->data.scalar.value, nb->data.scalar.value, na->data.scalar.length + 1));
            ck_assert_int_eq(na->data.scalar.style, nb->data.scalar.style);
        } else if (na->type == YAML_SEQUENCE_NODE) {
            ck_assert_int_eq(na->data.sequence.style, nb->data.sequence.style);
            yaml_node_item_t *i = na->data.sequence.items.start;
            yaml_node_item_t *j = nb->data.sequence.items.start;
            ck_assert_int_eq(na->data.sequence.items.top - i, nb->data.sequence.items.top - j);
            for (; i < na->data.sequence.items.top; i++, j++)
                ck_assert_int_eq(*i, *j);
        } else {
            ck_assert_int_eq(na->type, YAML_MAPPING_NODE);
            ck_assert_int_eq(na->data.mapping.style, nb->data.mapping.style);
            yaml_node_pair_t *p = na->data.mapping.pairs.start;
            yaml_node_pair_t *q = nb->data.mapping.pairs.start;
            ck_assert_int_eq(na->data.mapping.pairs.top - p, nb->data.mapping.pairs.top - q);
            for (; p < na->data.mapping.pairs.top; p++, q++) {
                ck_assert_int_eq(p->key, q->key);
                ck_assert_int_eq(p->value, q->value);
            }
        }
    }
}

/* Parses text, makes its image (left in image) and loads it back; asserts the same document. */
static void round_trip(const char *file, const char *text, size_t len, buf *image)
{
    diagnostics d;
    diag_init(&d);
    yamldoc parsed, loaded;
    ck_assert_msg(yamldoc_load(&parsed, file, text, len, &d), "%s", buf_str(&d.text));
    buf_clear(image);
    ck_assert(yamldoc_image(&parsed, text, len, image));
    ck_assert(yamldoc_load_image(&loaded, file, text, len, image->data, image->len, &d));
    ck_assert_ptr_eq(yamldoc_root(&loaded), loaded.doc.nodes.start);
    same_document(&parsed, &loaded);
    ck_assert_int_eq(d.count, 0);
    yamldoc_free(&parsed);
    yamldoc_free(&loaded);
    diag_free(&d);
}

/* Every style, a tag, an alias, a NUL inside a value, Chinese text, an empty value. */
static const char *const STYLES = "%YAML 1.1\n---\n"
                                  "plain: text\n"
                                  "quoted: \"a\\0b 喂\"\n"
                                  "single: 'it''s'\n"
                                  "tagged: !!str 25\n"
                                  "anchor: &a {flow: map, list: [1, 2]}\n"
                                  "alias: *a\n"
                                  "literal: |\n  two\n  lines\n"
                                  "folded: >\n  one\n  line\n"
                                  "empty:\n"
                                  "block:\n  - x\n  - {k: v}\n";

START_TEST(images_load_the_same_document)
{
    buf image;
    buf_init(&image);
    round_trip("styles.yaml", STYLES, strlen(STYLES), &image);
    static const char *const files[] = {"../../data/playbooks/zh_CN.yaml",
                                        "../../data/playbooks/zh_TW.yaml",
                                        "../../data/playbooks/en.yaml", "playbooks/mini.yaml"};
    for (size_t i = 0; i < sizeof files / sizeof files[0]; i++) {
        char path[512];
        size_t len;
        const char *text = slurp(unit_data(files[i], path, sizeof path), &len);
        round_trip(path, text, len, &image);
    }
    buf_free(&image);
}
END_TEST

/* Walks every node of a loaded document, following every reference (ASan and valgrind see
 * any that points outside). */
static size_t walk(yamldoc *y)
{
    size_t bytes = 0;
    for (yaml_node_t *n = y->doc.nodes.start; n < y->doc.nodes.top; n++) {
        yaml_node_t *k, *v;
        if (n->tag)
            bytes += strlen((const char *)n->tag);
        if (n->type == YAML_SCALAR_NODE)
            bytes += strlen(yamldoc_scalar(n));
        for (size_t i = 0; (v = yamldoc_item(y, n, i)); i++)
            bytes += v->type;
        for (size_t i = 0; yamldoc_pair(y, n, i, &k, &v); i++)
            bytes += k->type + v->type;
    }
    return bytes;
}

START_TEST(images_of_other_text_or_damaged_are_refused)
{
    const char *text = STYLES;
    size_t len = strlen(text);
    buf image;
    buf_init(&image);
    round_trip("styles.yaml", text, len, &image);
    diagnostics d;
    diag_init(&d);
    yamldoc y;
    /* another text: one byte changed, one byte less */
    char *other = strdup(text);
    other[len - 2] = 'y';
    ck_assert(!yamldoc_load_image(&y, "s", other, len, image.data, image.len, &d));
    ck_assert(!yamldoc_load_image(&y, "s", text, len - 1, image.data, image.len, &d));
    free(other);
    /* cut short anywhere */
    for (size_t n = 0; n < image.len; n++)
        ck_assert(!yamldoc_load_image(&y, "s", text, len, image.data, n, &d));
    /* any byte damaged: refused, or a document whose every reference holds */
    char *copy = malloc(image.len);
    for (size_t i = 0; i < image.len; i++) {
        for (int bit = 0; bit < 8; bit += 3) {
            memcpy(copy, image.data, image.len);
            copy[i] ^= (char)(1 << bit);
            if (yamldoc_load_image(&y, "s", text, len, copy, image.len, &d)) {
                walk(&y);
                yamldoc_free(&y);
            }
        }
    }
    free(copy);
    ck_assert_int_eq(d.count, 0);
    diag_free(&d);
    buf_free(&image);
}
END_TEST

/* A cache in memory: one image, and how often it was read and written. */
typedef struct memory_cache {
    char *image;
    size_t len;
    int gets, hits, puts; /* hits: an image was returned (of this text or not) */
} memory_cache;

static char *memory_get(void *ctx, const char *file, size_t *len)
{
    memory_cache *m = ctx;
    m->gets++;
    if (!m->image)
        return NULL;
    m->hits++;
    *len = m->len;
    char *copy = malloc(m->len);
    memcpy(copy, m->image, m->len);
    return copy;
}

static void memory_put(void *ctx, const char *file, const char *image, size_t len)
{
    memory_cache *m = ctx;
    m->puts++;
    free(m->image);
    m->image = malloc(len);
    memcpy(m->image, image, len);
    m->len = len;
}

START_TEST(a_cached_playbook_says_the_same)
{
    memory_cache m = {0};
    yamldoc_cache cache = {memory_get, memory_put, &m};
    playbook_set_cache(&cache);
    /* a playbook with mistakes: the messages and their positions come from the nodes */
    const char *body = "states:\n  greeting:\n    label: x\n    colour: red\n"
                       "    lines: [{id: a, text: hi}, {id: a, text: again}]\n";
    diagnostics first, second;
    ck_assert_ptr_null(load(body, &first));
    ck_assert_int_eq(m.puts, 1);
    ck_assert_ptr_null(load(body, &second));
    ck_assert_int_eq(m.hits, 1);
    ck_assert_int_eq(m.puts, 1);
    ck_assert_int_gt(first.count, 1);
    ck_assert_str_eq(buf_str(&first.text), buf_str(&second.text));
    diag_free(&first);
    diag_free(&second);
    /* the same text loads the same playbook */
    playbook *a = load(ONE_STATE, &first);
    playbook *b = load(ONE_STATE, &second);
    ck_assert(a && b);
    ck_assert_int_eq(m.puts, 2); /* a's text was parsed and kept, b's came from the image */
    ck_assert_uint_eq(a->line_count, b->line_count);
    ck_assert_str_eq(a->lines[0].text, b->lines[0].text);
    ck_assert_int_eq(a->lines[0].mark.line, b->lines[0].mark.line);
    ck_assert_int_eq(a->lines[0].mark.col, b->lines[0].mark.col);
    playbook_free(a);
    playbook_free(b);
    diag_free(&first);
    diag_free(&second);
    playbook_set_cache(NULL);
    free(m.image);
}
END_TEST

static Suite *playbook_suite(void)
{
    Suite *s = suite_create("playbook");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, loads_a_minimal_playbook);
    tcase_add_test(tc, reports_yaml_syntax_with_position);
    tcase_add_test(tc, reports_unknown_keys);
    tcase_add_test(tc, reports_unknown_state_in_transition);
    tcase_add_test(tc, reports_unknown_placeholder_and_fallback);
    tcase_add_test(tc, reports_duplicate_ids_and_codes);
    tcase_add_test(tc, reports_bad_durations);
    tcase_add_test(tc, reports_missing_required_fields);
    tcase_add_test(tc, reports_several_problems_at_once);
    tcase_add_test(tc, messages_are_one_line_and_terminal_safe);
    tcase_add_test(tc, user_playbook_extends_and_overrides);
    tcase_add_test(tc, extension_errors_name_the_right_file);
    tcase_add_test(tc, cue_words_with_letters_match_any_case);
    tcase_add_test(tc, loads_the_test_fixture);
    suite_add_tcase(s, tc);
    TCase *images = tcase_create("image");
    tcase_add_test(images, images_load_the_same_document);
    tcase_add_test(images, images_of_other_text_or_damaged_are_refused);
    tcase_add_test(images, a_cached_playbook_says_the_same);
    suite_add_tcase(s, images);
    return s;
}

int main(void)
{
    return unit_run(playbook_suite());
}
