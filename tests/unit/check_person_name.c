#include <string.h>

#include "core/person_name.h"
#include "unit.h"

static person_name parse(const char *s)
{
    person_name p;
    ck_assert_msg(person_name_parse(s, &p), "%s", s);
    return p;
}

START_TEST(chinese_name_with_title_after)
{
    person_name p = parse("王芳 女士");
    ck_assert_str_eq(p.name, "王芳");
    ck_assert_str_eq(p.surname, "王");
    ck_assert_str_eq(p.title, "女士");
    p = parse("张先生");
    ck_assert_str_eq(p.name, "张");
    ck_assert_str_eq(p.surname, "张");
    ck_assert_str_eq(p.title, "先生");
    p = parse("\xE3\x80\x80李雷\xE3\x80\x80"); /* ideographic spaces */
    ck_assert_str_eq(p.name, "李雷");
    ck_assert_str_eq(p.surname, "李");
    ck_assert_str_eq(p.title, "");
}
END_TEST

START_TEST(compound_surnames)
{
    person_name p = parse("欧阳娜娜小姐");
    ck_assert_str_eq(p.surname, "欧阳");
    ck_assert_str_eq(p.title, "小姐");
    p = parse("歐陽先生");
    ck_assert_str_eq(p.surname, "歐陽");
    p = parse("司马");
    ck_assert_str_eq(p.surname, "司马");
}
END_TEST

START_TEST(english_title_before)
{
    person_name p = parse("Mr Smith");
    ck_assert_str_eq(p.title, "Mr");
    ck_assert_str_eq(p.surname, "Smith");
    p = parse("ms. Jane Doe");
    ck_assert_str_eq(p.title, "ms");
    ck_assert_str_eq(p.name, "Jane Doe");
    ck_assert_str_eq(p.surname, "Doe");
    p = parse("Mrsmith"); /* not a title: a name */
    ck_assert_str_eq(p.title, "");
    ck_assert_str_eq(p.surname, "Mrsmith");
}
END_TEST

START_TEST(nothing_usable)
{
    person_name p;
    ck_assert(!person_name_parse("", &p));
    ck_assert(!person_name_parse("   ", &p));
    ck_assert(!person_name_parse(NULL, &p));
    ck_assert(person_name_parse("先生", &p)); /* a title alone still says something */
    ck_assert_str_eq(p.title, "先生");
    ck_assert_str_eq(p.surname, "");
}
END_TEST

START_TEST(a_name_the_customer_writes)
{
    person_name p;
    ck_assert(person_name_from_message("你好,我姓林,快递到哪了", &p));
    ck_assert_str_eq(p.surname, "林");
    ck_assert_str_eq(p.title, "");
    ck_assert(person_name_from_message("免贵姓欧阳。", &p));
    ck_assert_str_eq(p.surname, "欧阳");
    ck_assert(person_name_from_message("我是林小姐,昨天下的单", &p));
    ck_assert_str_eq(p.surname, "林");
    ck_assert_str_eq(p.title, "小姐");
    ck_assert(person_name_from_message("叫我王先生就好", &p));
    ck_assert_str_eq(p.surname, "王");
    ck_assert_str_eq(p.title, "先生");
    /* not a name */
    ck_assert(!person_name_from_message("我姓名填错了", &p));
    ck_assert(!person_name_from_message("我是要问快递", &p));
    ck_assert(!person_name_from_message("我是老客户了", &p));
    ck_assert(!person_name_from_message("王先生让我问一下", &p));
    ck_assert(!person_name_from_message("", &p));
    ck_assert_str_eq(p.surname, "");
}
END_TEST

static Suite *person_name_suite(void)
{
    Suite *s = suite_create("person_name");
    TCase *tc = tcase_create("parse");
    tcase_add_test(tc, chinese_name_with_title_after);
    tcase_add_test(tc, compound_surnames);
    tcase_add_test(tc, english_title_before);
    tcase_add_test(tc, nothing_usable);
    tcase_add_test(tc, a_name_the_customer_writes);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(person_name_suite());
}
