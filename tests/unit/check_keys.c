/* The console's key names, keymap and ui option table (pure parts of src/ui). */
#include <string.h>

#include "ui/keys.h"
#include "ui/options.h"
#include "unit.h"

static void round_trip(const char *name)
{
    int key;
    char out[32];
    ck_assert_msg(keys_parse(name, &key), "%s", name);
    keys_format(key, out, sizeof out);
    ck_assert_str_eq(out, name);
}

START_TEST(names_round_trip)
{
    const char *names[] = {"F1", "F12", "M-h", "C-q",  "S-Tab", "Enter",   "Esc", "?",
                           "/",  "M-1", "M-/", "PgUp", "Space", "M-Enter", "中"};
    for (size_t i = 0; i < sizeof names / sizeof names[0]; i++)
        round_trip(names[i]);
    int key;
    ck_assert(keys_parse("f3", &key) && key == HK_F(3));
    ck_assert(keys_parse("A-x", &key) && key == ('x' | HK_ALT));
    ck_assert(keys_parse("C-Z", &key) && key == HK_CTRL('z'));
    ck_assert(!keys_parse("F25", &key));
    ck_assert(!keys_parse("C-1", &key));
    ck_assert(!keys_parse("nokey", &key));
    ck_assert(!keys_parse("", &key));
}
END_TEST

START_TEST(defaults_cover_the_script_moments)
{
    keymap m;
    keymap_defaults(&m);
    ck_assert_int_eq(keymap_lookup(&m, HK_F(1)), ACT_HELP);
    ck_assert_int_eq(keymap_lookup(&m, '?'), ACT_HELP);
    ck_assert_int_eq(keymap_lookup(&m, HK_F(3)), ACT_HOLD);
    ck_assert_int_eq(keymap_lookup(&m, 'h' | HK_ALT), ACT_HOLD);
    ck_assert_int_eq(keymap_lookup(&m, '1'), ACT_USE1);
    ck_assert_int_eq(keymap_lookup(&m, '9' | HK_ALT), ACT_USE9);
    ck_assert_int_eq(keymap_lookup(&m, HK_TAB), ACT_NEXT);
    ck_assert_int_eq(keymap_lookup(&m, HK_BTAB), ACT_PREV);
    ck_assert_int_eq(keymap_lookup(&m, 'a'), ACT_NONE); /* letters always type */
    ck_assert_int_eq(keymap_lookup(&m, 0), ACT_NONE);
    /* every action but none has a key, and no key serves two actions */
    for (int a = 1; a < ACT_COUNT; a++) {
        ck_assert_msg(m.keys[a][0] != 0, "%s has no key", action_table[a].name);
        for (int k = 0; k < KEYMAP_KEYS && m.keys[a][k]; k++)
            ck_assert_int_eq(keymap_lookup(&m, m.keys[a][k]), a);
    }
    ck_assert_str_eq(action_table[ACT_HOLD].key_event, "hold");
}
END_TEST

START_TEST(rebinding_takes_the_key_from_its_old_action)
{
    keymap m;
    char err[128], desc[64];
    keymap_defaults(&m);
    ck_assert(keymap_set(&m, "hold", "F11 C-o", err, sizeof err));
    ck_assert_int_eq(keymap_lookup(&m, HK_F(3)), ACT_NONE);
    ck_assert_int_eq(keymap_lookup(&m, HK_F(11)), ACT_HOLD);
    keymap_describe(&m, ACT_HOLD, desc, sizeof desc);
    ck_assert_str_eq(desc, "F11 C-o");
    ck_assert(keymap_set(&m, "copy", "F2", err, sizeof err)); /* F2 was greeting's */
    ck_assert_int_eq(keymap_lookup(&m, HK_F(2)), ACT_COPY);
    keymap_describe(&m, ACT_GREETING, desc, sizeof desc);
    ck_assert_str_eq(desc, "M-g");
    ck_assert(!keymap_set(&m, "fly", "F5", err, sizeof err));
    ck_assert(strstr(err, "fly"));
    ck_assert(!keymap_set(&m, "hold", "F3 Hyper-x", err, sizeof err));
    ck_assert(strstr(err, "Hyper-x"));
    ck_assert_int_eq(keymap_lookup(&m, HK_F(11)), ACT_HOLD); /* unchanged on error */
}
END_TEST

START_TEST(ui_options_are_checked_against_the_table)
{
    ui_options o;
    char err[160];
    ui_options_defaults(&o);
    ck_assert_int_eq(o.ambiguous_width, 1);
    ck_assert(o.bell);
    ck_assert_int_eq(o.escape_delay, 25);
    ck_assert(ui_options_set(&o, "ambiguous_width", "2", err, sizeof err));
    ck_assert_int_eq(o.ambiguous_width, 2);
    ck_assert(!ui_options_set(&o, "ambiguous_width", "3", err, sizeof err));
    ck_assert(strstr(err, "from 1 to 2"));
    ck_assert(ui_options_set(&o, "bell", "off", err, sizeof err));
    ck_assert(!o.bell);
    ck_assert(!ui_options_set(&o, "bell", "maybe", err, sizeof err));
    ck_assert(!ui_options_set(&o, "colour", "true", err, sizeof err));
    ck_assert_int_eq(o.lint_mode, LINT_MODE_CONFIRM);
    ck_assert(ui_options_set(&o, "lint_mode", "block", err, sizeof err));
    ck_assert_int_eq(o.lint_mode, LINT_MODE_BLOCK);
    ck_assert(!ui_options_set(&o, "lint_mode", "maybe", err, sizeof err));
    ck_assert(strstr(err, "warn|confirm|block"));
}
END_TEST

static Suite *keys_suite(void)
{
    Suite *s = suite_create("keys");
    TCase *tc = tcase_create("ui");
    tcase_add_test(tc, names_round_trip);
    tcase_add_test(tc, defaults_cover_the_script_moments);
    tcase_add_test(tc, rebinding_takes_the_key_from_its_old_action);
    tcase_add_test(tc, ui_options_are_checked_against_the_table);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(keys_suite());
}
