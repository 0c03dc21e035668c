#include <string.h>

#include "core/idscan.h"
#include "unit.h"

START_TEST(finds_the_order_number_the_customer_typed)
{
    char id[64];
    ck_assert(idscan_find("我的订单20261123-0415怎么还没到", IDSCAN_ORDER, id, sizeof id));
    ck_assert_str_eq(id, "20261123-0415");
    ck_assert(idscan_find("单号是 #1001,还有 1002", IDSCAN_ORDER, id, sizeof id));
    ck_assert_str_eq(id, "1002"); /* the latest mention */
    ck_assert(!idscan_find("10:00 到 12 点之间", IDSCAN_ORDER, id, sizeof id));
    ck_assert(!idscan_find("BT-500 有货吗", IDSCAN_ORDER, id, sizeof id));
    ck_assert(!idscan_find(NULL, IDSCAN_ORDER, id, sizeof id));
}
END_TEST

START_TEST(finds_the_sku_the_customer_typed)
{
    char id[8];
    ck_assert(!idscan_find("BT-500-WH有货吗?", IDSCAN_SKU, id, sizeof id)); /* never cut */
    char big[64];
    ck_assert(idscan_find("BT-500-WH有货吗?", IDSCAN_SKU, big, sizeof big));
    ck_assert_str_eq(big, "BT-500-WH");
    ck_assert(!idscan_find("M码还有吗 20261123", IDSCAN_SKU, big, sizeof big));
}
END_TEST

static Suite *idscan_suite(void)
{
    Suite *s = suite_create("idscan");
    TCase *tc = tcase_create("scan");
    tcase_add_test(tc, finds_the_order_number_the_customer_typed);
    tcase_add_test(tc, finds_the_sku_the_customer_typed);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(idscan_suite());
}
