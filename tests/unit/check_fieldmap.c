#include <string.h>

#include "core/fieldmap.h"
#include "core/text.h"
#include "unit.h"

/* Sets key=value on field name of m, failing the test when it is refused. */
static void field(fieldmap *m, const char *name, const char *key, const char *value)
{
    char err[200];
    fieldmap_field *f = fieldmap_field_get(m, name);
    ck_assert_ptr_nonnull(f);
    ck_assert_msg(fieldmap_field_set(f, key, value, err, sizeof err), "%s=%s: %s", key, value, err);
}

static void map_value(fieldmap *m, const char *name, const char *from, const char *to)
{
    ck_assert(fieldmap_field_map(fieldmap_field_get(m, name), from, to));
}

static fieldmap_status apply(const fieldmap *m, const char *json, fieldmap_result *r)
{
    return fieldmap_apply(m, json, strlen(json), r);
}

static char *read_fixture(const char *name, size_t *len)
{
    char path[512];
    unit_data(name, path, sizeof path);
    FILE *f = fopen(path, "rb");
    ck_assert_msg(f != NULL, "cannot open %s", path);
    static char data[65536];
    *len = fread(data, 1, sizeof data - 1, f);
    data[*len] = '\0';
    fclose(f);
    return data;
}

START_TEST(dotted_paths_brackets_and_negative_indexes)
{
    fieldmap *m = fieldmap_new();
    field(m, "a", "path", "x.y[1].z");
    field(m, "b", "path", "x.y.0.z");
    field(m, "c", "path", "x.y[-1].z");
    field(m, "d", "path", "list[0][1]");
    field(m, "e", "path", "obj.0");
    field(m, "f", "path", "x.y[5].z");
    fieldmap_result r;
    ck_assert_int_eq(apply(m,
                           "{\"x\":{\"y\":[{\"z\":\"first\"},{\"z\":\"second\"},{\"z\":3}]},"
                           "\"list\":[[1,2]],\"obj\":{\"0\":\"zero key\"}}",
                           &r),
                     FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "a"), "second");
    ck_assert_str_eq(fieldmap_result_get(&r, "b"), "first");
    ck_assert_str_eq(fieldmap_result_get(&r, "c"), "3");
    ck_assert_str_eq(fieldmap_result_get(&r, "d"), "2");
    ck_assert_str_eq(fieldmap_result_get(&r, "e"), "zero key");
    ck_assert_ptr_null(fieldmap_result_get(&r, "f"));
    ck_assert_uint_eq(r.count, 5);
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(json_pointers_with_escapes)
{
    fieldmap *m = fieldmap_new();
    field(m, "slash", "path", "/a~1b");
    field(m, "tilde", "path", "/m~0n");
    field(m, "deep", "path", "/fulfillments/0/tracking_number");
    field(m, "empty_key", "path", "/");
    fieldmap_result r;
    ck_assert_int_eq(apply(m,
                           "{\"a/b\":1,\"m~n\":true,\"\":\"blank\","
                           "\"fulfillments\":[{\"tracking_number\":\"SF1\"}]}",
                           &r),
                     FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "slash"), "1");
    ck_assert_str_eq(fieldmap_result_get(&r, "tilde"), "true");
    ck_assert_str_eq(fieldmap_result_get(&r, "deep"), "SF1");
    ck_assert_str_eq(fieldmap_result_get(&r, "empty_key"), "blank");
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(malformed_paths_are_refused_with_reasons)
{
    static const char *const bad[] = {"a..b", "a.", ".a", "a[x]", "a[1", "a]b", "/a~2", "a[1]b"};
    char err[200];
    for (size_t i = 0; i < sizeof bad / sizeof bad[0]; i++) {
        err[0] = '\0';
        fieldmap_path *p = fieldmap_path_compile(bad[i], err, sizeof err);
        ck_assert_msg(p == NULL, "\"%s\" was accepted", bad[i]);
        ck_assert_msg(err[0] != '\0', "no reason for \"%s\"", bad[i]);
    }
    fieldmap *m = fieldmap_new();
    ck_assert(!fieldmap_field_set(fieldmap_field_get(m, "x"), "format", "{a", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "closing"));
    ck_assert(!fieldmap_field_set(fieldmap_field_get(m, "x"), "colour", "red", err, sizeof err));
    ck_assert(!fieldmap_set(m, "low_at", "-1", err, sizeof err));
    fieldmap_free(m);
}
END_TEST

START_TEST(value_maps_defaults_and_required_fields)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "status");
    map_value(m, "status", "processing", "处理中");
    map_value(m, "status", "completed", "已完成");
    field(m, "shipped", "path", "fulfillment_status");
    field(m, "shipped", "default", "未发货");
    map_value(m, "shipped", "fulfilled", "已发货");
    field(m, "paid", "path", "paid");
    map_value(m, "paid", "true", "已付款");
    fieldmap_result r;
    ck_assert_int_eq(
        apply(m, "{\"status\":\"processing\",\"fulfillment_status\":null,\"paid\":true}", &r),
        FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "处理中");
    ck_assert_str_eq(fieldmap_result_get(&r, "shipped"), "未发货");
    ck_assert_str_eq(fieldmap_result_get(&r, "paid"), "已付款");
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "{\"status\":\"on-hold\"}", &r), FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "on-hold"); /* unmapped: as it is */
    fieldmap_result_free(&r);
    field(m, "tracking", "path", "fulfillments[0].tracking_number");
    field(m, "tracking", "required", "true");
    ck_assert_int_eq(apply(m, "{\"status\":\"completed\",\"fulfillments\":[]}", &r),
                     FIELDMAP_MISSING);
    ck_assert_ptr_nonnull(strstr(r.message, "fulfillments[0].tracking_number"));
    ck_assert_ptr_nonnull(strstr(r.message, "tracking"));
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(invalid_json_is_named_with_its_position)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "status");
    fieldmap_result r;
    ck_assert_int_eq(apply(m, "{\"id\": 1,\n \"status\": shipped}", &r), FIELDMAP_BAD_JSON);
    ck_assert_ptr_nonnull(strstr(r.message, "not valid JSON"));
    ck_assert_ptr_nonnull(strstr(r.message, "line 2"));
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "", &r), FIELDMAP_BAD_JSON);
    fieldmap_result_free(&r);
    ck_assert_int_eq(fieldmap_apply(m, "{\"status\":\"a\"}\0junk", 20, &r), FIELDMAP_BAD_JSON);
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(record_path_absent_means_not_found)
{
    char err[200];
    fieldmap *m = fieldmap_new();
    ck_assert(fieldmap_set(m, "record", "orders[0]", err, sizeof err));
    field(m, "id", "path", "name");
    fieldmap_result r;
    ck_assert_int_eq(apply(m, "{\"orders\":[]}", &r), FIELDMAP_NOT_FOUND);
    ck_assert_ptr_nonnull(strstr(r.message, "orders[0]"));
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "{\"orders\":[{\"name\":\"#1001\"}]}", &r), FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "id"), "#1001");
    fieldmap_result_free(&r);
    ck_assert(fieldmap_set(m, "record", "[0]", err, sizeof err));
    ck_assert_int_eq(apply(m, "[]", &r), FIELDMAP_NOT_FOUND);
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(api_errors_inside_a_200_are_reported)
{
    char err[200];
    fieldmap *m = fieldmap_new();
    ck_assert(fieldmap_set(m, "error", "errors[0].message", err, sizeof err));
    ck_assert(fieldmap_set(m, "record", "data.productVariants.edges[0].node", err, sizeof err));
    field(m, "qty", "path", "inventoryQuantity");
    fieldmap_result r;
    ck_assert_int_eq(apply(m, "{\"errors\":[{\"message\":\"Throttled\"}]}", &r),
                     FIELDMAP_API_ERROR);
    ck_assert_ptr_nonnull(strstr(r.message, "Throttled"));
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(stock_wording_by_quantity)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "qty");
    field(m, "status", "stock", "true");
    static const struct {
        const char *json, *want;
    } cases[] = {{"{\"qty\":0}", "暂时缺货"}, {"{\"qty\":-2}", "暂时缺货"},
                 {"{\"qty\":1}", "仅剩1件"},  {"{\"qty\":5}", "仅剩5件"},
                 {"{\"qty\":6}", "有现货"},   {"{\"qty\":40.0}", "有现货"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fieldmap_result r;
        ck_assert_int_eq(apply(m, cases[i].json, &r), FIELDMAP_OK);
        ck_assert_str_eq(fieldmap_result_get(&r, "status"), cases[i].want);
        fieldmap_result_free(&r);
    }
    char err[200];
    ck_assert(fieldmap_set(m, "low_at", "2", err, sizeof err));
    ck_assert(fieldmap_set(m, "low_stock", "only {n} left", err, sizeof err));
    ck_assert(fieldmap_set(m, "in_stock", "in stock", err, sizeof err));
    fieldmap_result r;
    ck_assert_int_eq(apply(m, "{\"qty\":2}", &r), FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "only 2 left");
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "{\"qty\":3}", &r), FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "in stock");
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(alternative_paths_fall_back_to_a_status)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "stock_quantity");
    field(m, "status", "path", "stock_status");
    field(m, "status", "stock", "true");
    map_value(m, "status", "onbackorder", "可预订");
    fieldmap_result r;
    ck_assert_int_eq(apply(m, "[{\"stock_quantity\":null,\"stock_status\":\"onbackorder\"}]", &r),
                     FIELDMAP_OK); /* no record path: the array itself has no such keys */
    ck_assert_ptr_null(fieldmap_result_get(&r, "status"));
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "{\"stock_quantity\":null,\"stock_status\":\"onbackorder\"}", &r),
                     FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "可预订");
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "{\"stock_quantity\":12,\"stock_status\":\"instock\"}", &r),
                     FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "有现货");
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(formats_each_and_joined_arrays)
{
    fieldmap *m = fieldmap_new();
    field(m, "address", "format", "{s.name}, {s.address1} {s.address2}, {s.city}, {s.zip}");
    field(m, "items", "each", "line_items");
    field(m, "items", "format", "{name} ×{quantity}");
    field(m, "tags", "path", "tags");
    field(m, "tags", "join", " / ");
    field(m, "braces", "format", "{{literal}} {s.city}");
    fieldmap_result r;
    ck_assert_int_eq(
        apply(m,
              "{\"s\":{\"name\":\"王芳\",\"address1\":\"文三路 100 号\",\"address2\":\"\","
              "\"city\":\"杭州市\"},"
              "\"line_items\":[{\"name\":\"保温杯\",\"quantity\":2},{\"name\":\"杯套\","
              "\"quantity\":1},{\"nothing\":1}],"
              "\"tags\":[\"gift\",null,\"vip\"]}",
              &r),
        FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "address"), "王芳, 文三路 100 号, 杭州市");
    ck_assert_str_eq(fieldmap_result_get(&r, "items"), "保温杯 ×2、杯套 ×1");
    ck_assert_str_eq(fieldmap_result_get(&r, "tags"), "gift / vip");
    ck_assert_str_eq(fieldmap_result_get(&r, "braces"), "{literal} 杭州市");
    fieldmap_result_free(&r);
    ck_assert_int_eq(apply(m, "{\"line_items\":[]}", &r), FIELDMAP_OK);
    ck_assert_ptr_null(fieldmap_result_get(&r, "address"));
    ck_assert_ptr_null(fieldmap_result_get(&r, "items"));
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

START_TEST(values_are_sanitised_and_cut)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "status");
    field(m, "long", "path", "long");
    buf json;
    buf_init(&json);
    buf_puts(&json, "{\"status\":\"\\u001b[31m已发货\\u202e\\u0007\",\"long\":\"");
    for (int i = 0; i < 600; i++)
        buf_puts(&json, "货");
    buf_puts(&json, "\"}");
    fieldmap_result r;
    ck_assert_int_eq(fieldmap_apply(m, json.data, json.len, &r), FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "已发货");
    const char *cut = fieldmap_result_get(&r, "long");
    ck_assert_uint_le(strlen(cut), FIELDMAP_MAX_VALUE);
    ck_assert(text_valid_utf8(cut, strlen(cut)));
    fieldmap_result_free(&r);
    buf_free(&json);
    fieldmap_free(m);
}
END_TEST

START_TEST(a_shopify_order_from_its_documented_fields)
{
    char err[200];
    fieldmap *m = fieldmap_new();
    ck_assert(fieldmap_set(m, "record", "orders[0]", err, sizeof err));
    field(m, "id", "path", "name");
    field(m, "status", "path", "fulfillment_status");
    map_value(m, "status", "fulfilled", "已发货");
    field(m, "carrier", "path", "fulfillments[-1].tracking_company");
    field(m, "tracking", "path", "/fulfillments/0/tracking_number");
    field(m, "items", "each", "line_items");
    field(m, "items", "format", "{name} ×{quantity}");
    size_t len;
    const char *order = read_fixture("lookup/shopify-order.json", &len);
    buf json;
    buf_init(&json);
    buf_printf(&json, "{\"orders\":[%s]}", order);
    fieldmap_result r;
    ck_assert_int_eq(fieldmap_apply(m, json.data, json.len, &r), FIELDMAP_OK);
    ck_assert_str_eq(fieldmap_result_get(&r, "id"), "#1001");
    ck_assert_str_eq(fieldmap_result_get(&r, "status"), "已发货");
    ck_assert_str_eq(fieldmap_result_get(&r, "carrier"), "SF Express");
    ck_assert_str_eq(fieldmap_result_get(&r, "tracking"), "SF1234567890");
    ck_assert_str_eq(fieldmap_result_get(&r, "items"), "保温杯 - 白色 ×2、杯套 ×1");
    fieldmap_result_free(&r);
    buf_free(&json);
    fieldmap_free(m);
}
END_TEST

START_TEST(sixteen_fields_at_most)
{
    fieldmap *m = fieldmap_new();
    char name[16];
    for (int i = 0; i < FIELDMAP_MAX_FIELDS; i++) {
        snprintf(name, sizeof name, "f%d", i);
        ck_assert_ptr_nonnull(fieldmap_field_get(m, name));
    }
    ck_assert_ptr_null(fieldmap_field_get(m, "one_more"));
    ck_assert_ptr_nonnull(fieldmap_field_get(m, "f3")); /* existing ones are still found */
    fieldmap_free(m);
}
END_TEST

/* Found by fuzz_fieldmap: a body of just null under a map without a record path (the generic
 * and WooCommerce order presets) dereferenced the absent path for the message. */
START_TEST(null_body_without_record_path_is_not_found)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "status");
    fieldmap_result r;
    ck_assert_int_eq(apply(m, "null", &r), FIELDMAP_NOT_FOUND);
    ck_assert_str_eq(r.message, "the response has no record (the body is null)");
    fieldmap_result_free(&r);
    fieldmap_free(m);
}
END_TEST

/* Found by fuzz_fieldmap: a real beyond long long (1e300) was cast with undefined behaviour and
 * came out as LLONG_MIN on x86, so a huge quantity read "out of stock". */
START_TEST(huge_real_quantities_are_in_stock)
{
    fieldmap *m = fieldmap_new();
    field(m, "status", "path", "qty");
    field(m, "status", "stock", "true");
    static const struct {
        const char *json, *want;
    } cases[] = {{"{\"qty\":1e300}", "有现货"},
                 {"{\"qty\":9.3e18}", "有现货"},
                 {"{\"qty\":-1e300}", "暂时缺货"},
                 {"{\"qty\":3.9}", "仅剩3件"}};
    for (size_t i = 0; i < sizeof cases / sizeof cases[0]; i++) {
        fieldmap_result r;
        ck_assert_int_eq(apply(m, cases[i].json, &r), FIELDMAP_OK);
        ck_assert_str_eq(fieldmap_result_get(&r, "status"), cases[i].want);
        fieldmap_result_free(&r);
    }
    fieldmap_free(m);
}
END_TEST

/* Found by fuzz_fieldmap: an API error of 100 CJK characters was cut at 200 bytes in the middle
 * of a character, leaving invalid UTF-8 in the message; long paths did the same at 256. */
START_TEST(cut_messages_stay_valid_utf8)
{
    char err[200];
    fieldmap *m = fieldmap_new();
    ck_assert(fieldmap_set(m, "error", "errors[0].message", err, sizeof err));
    field(m, "qty", "path", "inventoryQuantity");
    buf json;
    buf_init(&json);
    buf_puts(&json, "{\"errors\":[{\"message\":\"");
    for (int i = 0; i < 100; i++)
        buf_puts(&json, "错");
    buf_puts(&json, "\"}]}");
    fieldmap_result r;
    ck_assert_int_eq(apply(m, buf_str(&json), &r), FIELDMAP_API_ERROR);
    ck_assert(text_valid_utf8(r.message, strlen(r.message)));
    ck_assert_ptr_nonnull(strstr(r.message, "错错错"));
    fieldmap_result_free(&r);
    buf_clear(&json);
    buf_puts(&json, "a"); /* so that the 256-byte cut falls inside a character */
    for (int i = 0; i < 90; i++)
        buf_puts(&json, "号");
    field(m, "id", "path", buf_str(&json));
    field(m, "id", "required", "true");
    ck_assert_int_eq(apply(m, "{}", &r), FIELDMAP_MISSING);
    ck_assert(text_valid_utf8(r.message, strlen(r.message)));
    ck_assert_uint_gt(strlen(r.message), 200);
    fieldmap_result_free(&r);
    buf_free(&json);
    fieldmap_free(m);
}
END_TEST

static Suite *fieldmap_suite(void)
{
    Suite *s = suite_create("fieldmap");
    TCase *tc = tcase_create("fieldmap");
    tcase_add_test(tc, dotted_paths_brackets_and_negative_indexes);
    tcase_add_test(tc, json_pointers_with_escapes);
    tcase_add_test(tc, malformed_paths_are_refused_with_reasons);
    tcase_add_test(tc, value_maps_defaults_and_required_fields);
    tcase_add_test(tc, invalid_json_is_named_with_its_position);
    tcase_add_test(tc, record_path_absent_means_not_found);
    tcase_add_test(tc, api_errors_inside_a_200_are_reported);
    tcase_add_test(tc, stock_wording_by_quantity);
    tcase_add_test(tc, alternative_paths_fall_back_to_a_status);
    tcase_add_test(tc, formats_each_and_joined_arrays);
    tcase_add_test(tc, values_are_sanitised_and_cut);
    tcase_add_test(tc, a_shopify_order_from_its_documented_fields);
    tcase_add_test(tc, sixteen_fields_at_most);
    tcase_add_test(tc, huge_real_quantities_are_in_stock);
    tcase_add_test(tc, null_body_without_record_path_is_not_found);
    tcase_add_test(tc, cut_messages_stay_valid_utf8);
    suite_add_tcase(s, tc);
    return s;
}

int main(void)
{
    return unit_run(fieldmap_suite());
}
