#include <string.h>

#include "core/config.h"
#include "unit.h"

static config *load(const char *text, diagnostics *d)
{
    diag_init(d);
    return config_load("config.yaml", text, strlen(text), d);
}

START_TEST(defaults_without_a_file)
{
    config *c = config_defaults();
    ck_assert_int_eq(config_int(c, "ui.ambiguous_width"), 1);
    ck_assert(config_bool(c, "ui.bell"));
    ck_assert_str_eq(config_string(c, "ui.lint_mode"), "confirm");
    ck_assert_int_eq(config_duration(c, "audit.response_target"), 30000);
    ck_assert_ptr_null(config_string(c, "no.such"));
    config_free(c);
}
END_TEST

START_TEST(reads_options_and_agent_values)
{
    diagnostics d;
    config *c = load("playbook: zh_TW\nagent: {company: 康泰鑫, agent_no: \"128\"}\n"
                     "ui:\n  bell: false\n  ambiguous_width: 2\n  lint_mode: block\n"
                     "audit: {response_target: 15s, service_level: 80}\n"
                     "lookup:\n  order: {url: \"https://shop/{id}\"}\n",
                     &d);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    ck_assert_str_eq(config_string(c, "playbook"), "zh_TW");
    ck_assert(!config_bool(c, "ui.bell"));
    ck_assert_int_eq(config_int(c, "ui.ambiguous_width"), 2);
    ck_assert_str_eq(config_string(c, "ui.lint_mode"), "block");
    ck_assert_int_eq(config_duration(c, "audit.response_target"), 15000);
    ck_assert_uint_eq(config_agent_count(c), 2);
    const char *name, *value;
    config_agent_at(c, 1, &name, &value);
    ck_assert_str_eq(name, "agent_no");
    ck_assert_str_eq(value, "128");
    yamldoc *doc;
    diagnostics mine;
    diag_init(&mine);
    yaml_node_t *lookup = config_section(c, "lookup", &doc, &mine);
    ck_assert_ptr_nonnull(lookup);
    ck_assert_str_eq(yamldoc_scalar(yamldoc_get(doc, yamldoc_get(doc, lookup, "order"), "url")),
                     "https://shop/{id}");
    yamldoc_error(doc, lookup, "section problem");
    ck_assert_ptr_nonnull(strstr(buf_str(&mine.text), "config.yaml:9:3: section problem"));
    diag_free(&mine);
    config_free(c);
    diag_free(&d);
}
END_TEST

START_TEST(bad_values_are_reported_and_defaults_kept)
{
    diagnostics d;
    config *c = load("ui:\n  bell: sometimes\n  ambiguous_width: 3\n  lint_mode: shout\n"
                     "audit: {response_target: soon}\nfeeed: x\n",
                     &d);
    ck_assert_ptr_nonnull(c);
    ck_assert_int_eq(d.count, 5);
    const char *t = buf_str(&d.text);
    ck_assert_ptr_nonnull(strstr(t, "config.yaml:2:9: ui.bell must be true or false"));
    ck_assert_ptr_nonnull(
        strstr(t, "config.yaml:3:20: ui.ambiguous_width must be a whole number from 1 to 2"));
    ck_assert_ptr_nonnull(
        strstr(t, "config.yaml:4:14: ui.lint_mode must be one of warn|confirm|block"));
    ck_assert_ptr_nonnull(strstr(t, "audit.response_target must be a duration"));
    ck_assert_ptr_nonnull(strstr(t, "config.yaml:6:8: unknown option \"feeed\""));
    ck_assert(config_bool(c, "ui.bell"));
    ck_assert_int_eq(config_int(c, "ui.ambiguous_width"), 1);
    config_free(c);
    diag_free(&d);
}
END_TEST

START_TEST(empty_and_broken_files)
{
    diagnostics d;
    config *c = load("", &d);
    ck_assert_int_eq(d.count, 0);
    ck_assert_str_eq(config_string(c, "ui.lint_mode"), "confirm");
    config_free(c);
    diag_free(&d);
    c = load("ui: [\n", &d);
    ck_assert_int_eq(d.count, 1);
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "YAML syntax"));
    ck_assert(config_bool(c, "ui.bell"));
    config_free(c);
    diag_free(&d);
}
END_TEST

START_TEST(duplicate_sections_are_reported_not_merged)
{
    /* found by fuzz_config: a second agent: section overflowed the first one's arrays */
    diagnostics d;
    config *c =
        load("playbook: zh_TW\nagent: {company: x, agent_no: \"1\"}\nuybook: zh_TW\n"
             "agent: {company: x, agent_no: \"1\"}\nui: {be: block}\naudit: {response_5s}\n",
             &d);
    ck_assert_ptr_nonnull(c);
    ck_assert_ptr_nonnull(
        strstr(buf_str(&d.text),
               "config.yaml:4:1: duplicate key \"agent\" in the configuration (first at line 2)"));
    config_free(c);
    diag_free(&d);
    c = load("agent: {company: a, company: b}\n", &d);
    ck_assert_ptr_nonnull(strstr(buf_str(&d.text), "duplicate key \"company\" in agent"));
    config_free(c);
    diag_free(&d);
}
END_TEST

static Suite *config_suite(void)
{
    Suite *s = suite_create("config");
    TCase *tc = tcase_create("load");
    tcase_add_test(tc, defaults_without_a_file);
    tcase_add_test(tc, reads_options_and_agent_values);
    tcase_add_test(tc, bad_values_are_reported_and_defaults_kept);
    tcase_add_test(tc, empty_and_broken_files);
    tcase_add_test(tc, duplicate_sections_are_reported_not_merged);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(config_suite());
}
