/* lookup_config: the lookup: section read into endpoints (presets, mistakes located with
 * file:line:col, secrets kept out of messages) and ids templated into URLs so that an id can
 * never change the path or the query. Pure: no file, network or environment. */
#include <string.h>

#include "core/lookup_config.h"
#include "unit.h"

static lookup_config *parse(const char *yaml, diagnostics *d, config **cfg)
{
    diag_init(d);
    *cfg = config_load("config.yaml", yaml, strlen(yaml), d);
    ck_assert_ptr_nonnull(*cfg);
    lookup_config *lc = lookup_config_load(*cfg, d);
    ck_assert_ptr_nonnull(lc);
    return lc;
}

/* True when the diagnostics hold text. */
static bool said(const diagnostics *d, const char *text)
{
    return strstr(buf_str(&d->text), text) != NULL;
}

START_TEST(ids_are_percent_encoded_and_cannot_change_the_path)
{
    char err[200];
    char *url = lookup_expand_url("https://shop.example/orders/{id}.json?x={id}", "../admin?x=1#",
                                  err, sizeof err);
    ck_assert_ptr_nonnull(url);
    ck_assert_str_eq(
        url,
        "https://shop.example/orders/%2E%2E%2Fadmin%3Fx%3D1%23.json?x=%2E%2E%2Fadmin%3Fx%3D1%23");
    free(url);
    url = lookup_expand_url("https://s/o?name={id}", "订单 1&a=b", err, sizeof err);
    ck_assert_str_eq(url, "https://s/o?name=%E8%AE%A2%E5%8D%95%201%26a%3Db");
    free(url);
    url = lookup_expand_url("https://s/{id}", "AZaz09-_~", err, sizeof err);
    ck_assert_str_eq(url, "https://s/AZaz09-_~");
    free(url);
    ck_assert_ptr_null(lookup_expand_url("https://s/{id}", "", err, sizeof err));
    ck_assert_ptr_null(lookup_expand_url("https://s/{id}", "a\nb", err, sizeof err));
    ck_assert_ptr_nonnull(strstr(err, "control"));
    ck_assert_ptr_null(lookup_expand_url("https://s/{id}", "\xff", err, sizeof err));
    ck_assert_ptr_null(lookup_expand_url("file:///data/{id}.json", "../x", err, sizeof err));
    ck_assert_ptr_null(lookup_expand_url("file:///data/{id}", "..", err, sizeof err));
    ck_assert_ptr_null(lookup_expand_url("FILE:///data/{id}", ".", err, sizeof err));
    char big[LOOKUP_MAX_ID + 2];
    memset(big, 'a', sizeof big - 1);
    big[sizeof big - 1] = '\0';
    ck_assert_ptr_null(lookup_expand_url("https://s/{id}", big, err, sizeof err));
}
END_TEST

START_TEST(a_shopify_section_builds_both_endpoints)
{
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse("lookup:\n"
                              "  preset: shopify\n"
                              "  base_url: https://example.myshopify.com/\n"
                              "  api_version: \"2025-01\"\n"
                              "  token: ${SHOPIFY_TOKEN}\n"
                              "  timeout: 3s\n"
                              "  cache_ttl: 2m\n"
                              "  order:\n"
                              "    fields:\n"
                              "      status: {map: {fulfilled: 已寄出}}\n"
                              "      note: note\n",
                              &d, &cfg);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    ck_assert_str_eq(lookup_config_preset(lc), "shopify");
    ck_assert(lookup_config_has(lc, "order"));
    ck_assert(lookup_config_has(lc, "stock"));
    ck_assert(!lookup_config_has(lc, "customer"));
    const fieldmap *m = lookup_config_fields(lc, "order");
    const fieldmap_field *status = fieldmap_field_find(m, "status");
    ck_assert_ptr_nonnull(status);
    ck_assert_uint_ge(status->path_count, 1); /* the preset's path stays, its map grows */
    bool remapped = false;
    for (size_t i = 0; i < status->map_count; i++)
        remapped |=
            !strcmp(status->map_from[i], "fulfilled") && !strcmp(status->map_to[i], "已寄出");
    ck_assert(remapped);
    ck_assert_ptr_nonnull(fieldmap_field_find(m, "note"));
    ck_assert_ptr_nonnull(fieldmap_field_find(lookup_config_fields(lc, "stock"), "qty"));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

START_TEST(mistakes_in_the_section_are_located)
{
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse("lookup:\n"
                              "  preset: shopify\n"
                              "  base_url: https://example.myshopify.com\n"
                              "  token: shpat_literal_token\n"
                              "  timeout: soon\n"
                              "  max_body: lots\n"
                              "  colour: red\n"
                              "  order:\n"
                              "    method: DELETE\n"
                              "    fields:\n"
                              "      status: {path: \"a..b\"}\n"
                              "    retries: many\n"
                              "    surprise: 1\n",
                              &d, &cfg);
    ck_assert(said(&d, "config.yaml:4:10: lookup: token: keep secrets out of config.yaml"));
    ck_assert(said(&d, "config.yaml:5:12: lookup: timeout must be a duration"));
    ck_assert(said(&d, "config.yaml:6:13: lookup: max_body must be a size"));
    ck_assert(said(&d, "config.yaml:7:3: unknown key \"colour\" in lookup"));
    ck_assert(said(&d, "config.yaml:9:13: lookup: method must be GET or POST"));
    ck_assert(said(&d, "config.yaml:11:22: lookup: path \"a..b\": empty part"));
    ck_assert(said(&d, "config.yaml:12:14: lookup: retries must be a whole number"));
    ck_assert(said(&d, "config.yaml:13:5: lookup: order: unknown setting \"surprise\""));
    ck_assert_msg(!strstr(buf_str(&d.text), "shpat_literal_token"), "%s", buf_str(&d.text));
    /* section-wide problems are reported once, not once per endpoint */
    const char *first = strstr(buf_str(&d.text), "timeout must be");
    ck_assert_ptr_null(strstr(first + 1, "timeout must be"));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

START_TEST(woocommerce_is_https_only_with_its_keys)
{
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse("lookup:\n"
                              "  preset: woocommerce\n"
                              "  base_url: http://shop.example\n"
                              "  protocols: http\n",
                              &d, &cfg);
    ck_assert(said(&d, "woocommerce sends the consumer key and secret with every request"));
    ck_assert(said(&d, "woocommerce needs username and password"));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
    lc = parse("lookup:\n"
               "  preset: woocommerce\n"
               "  base_url: https://shop.example\n"
               "  username: ${WC_KEY}\n"
               "  password: ${WC_SECRET}\n",
               &d, &cfg);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

START_TEST(http_must_be_written_out_and_ids_must_be_in_the_url)
{
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse("lookup:\n"
                              "  order: {url: \"http://127.0.0.1/orders/{id}\"}\n"
                              "  stock: {url: \"https://shop/stock\"}\n",
                              &d, &cfg);
    ck_assert(
        said(&d, "config.yaml:2:10: lookup: order: the url's scheme \"http\" is not allowed"));
    ck_assert(said(&d, "config.yaml:3:10: lookup: stock: the url (or body) must contain {id}"));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
    lc = parse("lookup:\n  preset: magento\n", &d, &cfg);
    ck_assert(said(&d, "config.yaml:2:11: lookup: preset must be shopify, woocommerce or generic"));
    ck_assert(!lookup_config_has(lc, "order"));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
    lc = parse("ui: {bell: false}\n", &d, &cfg);
    ck_assert_int_eq(d.count, 0);
    ck_assert(!lookup_config_has(lc, "order"));
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

START_TEST(an_endpoint_keeps_its_settings_and_the_defaults)
{
    diagnostics d;
    config *cfg;
    lookup_config *lc = parse("lookup:\n"
                              "  order:\n"
                              "    url: \"https://shop.example/o/{id}\"\n"
                              "    timeout: 3s\n"
                              "    headers: {Authorization: \"Bearer ${SHOP_TOKEN}\"}\n",
                              &d, &cfg);
    ck_assert_msg(d.count == 0, "%s", buf_str(&d.text));
    const lookup_endpoint *ep = lookup_config_endpoint(lc, "order");
    ck_assert_ptr_nonnull(ep);
    ck_assert_ptr_null(lookup_config_endpoint(lc, "stock"));
    ck_assert_str_eq(ep->url, "https://shop.example/o/{id}");
    ck_assert_str_eq(ep->method, "GET");
    ck_assert_int_eq(ep->timeout_ms, 3000);
    ck_assert_int_eq(ep->connect_timeout_ms, 5000);
    ck_assert_int_eq(ep->retries, 2);
    bool kept = false; /* the reference is kept for net/lookup.c to resolve per request */
    for (size_t i = 0; i < ep->header_count; i++)
        kept |= !strcmp(ep->headers[i], "Authorization: Bearer ${SHOP_TOKEN}");
    ck_assert(kept);
    char *body = lookup_expand_body("{\"q\":\"{id}\"}", "a\"b");
    ck_assert_str_eq(body, "{\"q\":\"a\\\"b\"}");
    free(body);
    lookup_config_free(lc);
    config_free(cfg);
    diag_free(&d);
}
END_TEST

int main(void)
{
    Suite *s = suite_create("lookup_config");
    TCase *tc = tcase_create("pure");
    tcase_add_test(tc, ids_are_percent_encoded_and_cannot_change_the_path);
    tcase_add_test(tc, a_shopify_section_builds_both_endpoints);
    tcase_add_test(tc, mistakes_in_the_section_are_located);
    tcase_add_test(tc, woocommerce_is_https_only_with_its_keys);
    tcase_add_test(tc, http_must_be_written_out_and_ids_must_be_in_the_url);
    tcase_add_test(tc, an_endpoint_keeps_its_settings_and_the_defaults);
    suite_add_tcase(s, tc);
    return unit_run(s);
}
