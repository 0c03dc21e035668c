/* lookup_config: the lookup: section of config.yaml (huashu-config(5)) read into endpoints,
 * with the presets (shopify, woocommerce, generic) and every check that needs no I/O, and the
 * templating of an id into a URL or a body. Pure: the requests themselves are net/lookup.c's. */
#include "core/lookup_config.h"

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#include "core/text.h"

#define DEFAULT_TTL_MS 60000

/* ---- endpoints ------------------------------------------------------------------------ */

typedef lookup_endpoint endpoint;

static const char *const kinds[] = {"order", "stock"};
#define KIND_COUNT 2

struct lookup_config {
    char *preset;
    endpoint *endpoints[KIND_COUNT];
};

static int kind_index(const char *kind)
{
    for (int i = 0; i < KIND_COUNT; i++)
        if (kind && !strcmp(kinds[i], kind))
            return i;
    return -1;
}

/* Replaces *slot with a copy of value (NULL clears it); false when out of memory. */
static bool set_text(char **slot, const char *value)
{
    char *copy = value ? strdup(value) : NULL;
    if (value && !copy)
        return false;
    free(*slot);
    *slot = copy;
    return true;
}

/* Frees an endpoint and its field map. */
static void endpoint_free(endpoint *ep)
{
    if (!ep)
        return;
    char **texts[] = {&ep->kind,      &ep->url,      &ep->method,    &ep->body,
                      &ep->username,  &ep->password, &ep->token,     &ep->token_file,
                      &ep->protocols, &ep->ca_file,  &ep->not_found, &ep->id_field};
    for (size_t i = 0; i < sizeof texts / sizeof texts[0]; i++)
        free(*texts[i]);
    for (size_t i = 0; i < ep->header_count; i++)
        free(ep->headers[i]);
    fieldmap_free(ep->map);
    free(ep);
}

/* An endpoint with the built-in defaults: GET, 10 s, 5 s, 1 MiB, 60 s cache, 2 retries. */
static endpoint *endpoint_new(const char *kind)
{
    endpoint *ep = calloc(1, sizeof *ep);
    if (!ep)
        return NULL;
    ep->timeout_ms = 10000;
    ep->connect_timeout_ms = 5000;
    ep->retry_delay_ms = 500;
    ep->retry_max_ms = 30000;
    ep->retries = 2;
    ep->max_body = 1024 * 1024;
    ep->cache_ttl_ms = DEFAULT_TTL_MS;
    bool order = !strcmp(kind, "order");
    if (!set_text(&ep->kind, kind) || !set_text(&ep->method, "GET") ||
        !set_text(&ep->not_found, order ? "订单不存在" : "商品不存在") ||
        !set_text(&ep->id_field, order ? "id" : "sku") || !(ep->map = fieldmap_new())) {
        endpoint_free(ep);
        return NULL;
    }
    return ep;
}

/* Adds "Name: value", replacing a header of the same name. */
static bool endpoint_header(endpoint *ep, const char *name, const char *value)
{
    size_t n = strlen(name);
    char *line = malloc(n + strlen(value) + 3);
    if (!line)
        return false;
    sprintf(line, "%s: %s", name, value);
    for (size_t i = 0; i < ep->header_count; i++) {
        if (!strncasecmp(ep->headers[i], name, n) && ep->headers[i][n] == ':') {
            free(ep->headers[i]);
            ep->headers[i] = line;
            return true;
        }
    }
    if (ep->header_count == LOOKUP_MAX_HEADERS) {
        free(line);
        return false;
    }
    ep->headers[ep->header_count++] = line;
    return true;
}

/* ---- presets -------------------------------------------------------------------------- */

/* One setting of a preset's field map: key "map" maps value to `to`. */
typedef struct preset_field {
    const char *field, *key, *value, *to;
} preset_field;

typedef struct preset_endpoint {
    const char *url; /* {base} and {version} are the section's base_url and api_version */
    const char *method, *body, *record, *error;
    const char *const *headers; /* name, value, name, value, ..., NULL */
    const preset_field *fields; /* ends with a NULL field */
} preset_endpoint;

static const char *const shopify_headers[] = {"X-Shopify-Access-Token", "${token}", "Accept",
                                              "application/json", NULL};
static const char *const shopify_graphql_headers[] = {
    "X-Shopify-Access-Token", "${token}", "Content-Type", "application/json", "Accept",
    "application/json",       NULL};
static const char *const json_headers[] = {"Accept", "application/json", NULL};

/* Shopify Admin REST: GET orders.json?name=…&status=any → orders[] (name, financial_status,
 * fulfillment_status, fulfillments[].tracking_company/tracking_number/status). */
static const preset_field shopify_order_fields[] = {
    {"id", "path", "name", NULL},
    {"id", "required", "true", NULL},
    {"status", "path", "fulfillment_status", NULL},
    {"status", "default", "未发货", NULL},
    {"status", "map", "fulfilled", "已发货"},
    {"status", "map", "partial", "部分发货"},
    {"status", "map", "restocked", "已退回"},
    {"payment", "path", "financial_status", NULL},
    {"payment", "label", "付款状态", NULL},
    {"payment", "map", "pending", "待付款"},
    {"payment", "map", "authorized", "已授权"},
    {"payment", "map", "partially_paid", "部分付款"},
    {"payment", "map", "paid", "已付款"},
    {"payment", "map", "partially_refunded", "部分退款"},
    {"payment", "map", "refunded", "已退款"},
    {"payment", "map", "voided", "已作废"},
    {"carrier", "path", "fulfillments[-1].tracking_company", NULL},
    {"tracking", "path", "fulfillments[-1].tracking_number", NULL},
    {"shipment", "path", "fulfillments[-1].status", NULL},
    {"shipment", "label", "发货单状态", NULL},
    {"shipment", "map", "pending", "待处理"},
    {"shipment", "map", "open", "处理中"},
    {"shipment", "map", "success", "已发出"},
    {"shipment", "map", "cancelled", "已取消"},
    {"shipment", "map", "error", "出错"},
    {"shipment", "map", "failure", "失败"},
    {"address", "format",
     "{shipping_address.name}, {shipping_address.phone}, {shipping_address.address1} "
     "{shipping_address.address2}, {shipping_address.city}, {shipping_address.province} "
     "{shipping_address.zip}, {shipping_address.country}",
     NULL},
    {"items", "each", "line_items", NULL},
    {"items", "format", "{name} ×{quantity}", NULL},
    {"total", "format", "{total_price} {currency}", NULL},
    {"total", "label", "订单金额", NULL},
    {NULL, NULL, NULL, NULL},
};

/* Shopify Admin GraphQL: productVariants by SKU → inventoryQuantity. */
static const preset_field shopify_stock_fields[] = {
    {"sku", "path", "sku", NULL},
    {"sku", "required", "true", NULL},
    {"name", "path", "displayName", NULL},
    {"name", "label", "商品名称", NULL},
    {"qty", "path", "inventoryQuantity", NULL},
    {"status", "path", "inventoryQuantity", NULL},
    {"status", "stock", "true", NULL},
    {"status", "required", "true", NULL},
    {NULL, NULL, NULL, NULL},
};

static const char *const woo_order_status[] = {
    "pending",   "待付款",   "processing",     "处理中", "on-hold",  "保留中",
    "completed", "已完成",   "cancelled",      "已取消", "refunded", "已退款",
    "failed",    "支付失败", "checkout-draft", "草稿",   NULL};

/* WooCommerce REST v3: GET orders/<id> → number, status, total, shipping{…}, line_items[]. */
static const preset_field woo_order_fields[] = {
    {"id", "path", "number", NULL},
    {"id", "required", "true", NULL},
    {"status", "path", "status", NULL},
    {"status", "required", "true", NULL},
    {"total", "format", "{total} {currency}", NULL},
    {"total", "label", "订单金额", NULL},
    {"address", "format",
     "{shipping.last_name}{shipping.first_name}, {shipping.address_1} {shipping.address_2}, "
     "{shipping.city}, {shipping.state} {shipping.postcode}, {shipping.country}",
     NULL},
    {"items", "each", "line_items", NULL},
    {"items", "format", "{name} ×{quantity}", NULL},
    {NULL, NULL, NULL, NULL},
};

/* WooCommerce REST v3: GET products?sku=… → [ {sku, name, stock_quantity, stock_status} ]. */
static const preset_field woo_stock_fields[] = {
    {"sku", "path", "sku", NULL},
    {"sku", "required", "true", NULL},
    {"name", "path", "name", NULL},
    {"name", "label", "商品名称", NULL},
    {"qty", "path", "stock_quantity", NULL},
    {"status", "path", "stock_quantity", NULL},
    {"status", "path", "stock_status", NULL},
    {"status", "stock", "true", NULL},
    {"status", "required", "true", NULL},
    {"status", "map", "instock", "有现货"},
    {"status", "map", "outofstock", "暂时缺货"},
    {"status", "map", "onbackorder", "可预订"},
    {NULL, NULL, NULL, NULL},
};

static const char *const generic_order_status[] = {
    "pending",   "待付款", "paid",      "已付款", "processing", "处理中",
    "shipped",   "已发货", "delivered", "已签收", "completed",  "已完成",
    "cancelled", "已取消", "refunded",  "已退款", NULL};

/* generic JSON: the fields sit at the top level under the placeholders' own names. */
static const preset_field generic_order_fields[] = {
    {"id", "path", "id", NULL},
    {"status", "path", "status", NULL},
    {"status", "required", "true", NULL},
    {"carrier", "path", "carrier", NULL},
    {"tracking", "path", "tracking", NULL},
    {"address", "path", "address", NULL},
    {"items", "path", "items", NULL},
    {NULL, NULL, NULL, NULL},
};

static const preset_field generic_stock_fields[] = {
    {"sku", "path", "sku", NULL},
    {"name", "path", "name", NULL},
    {"name", "label", "商品名称", NULL},
    {"qty", "path", "qty", NULL},
    {"status", "path", "qty", NULL},
    {"status", "path", "status", NULL},
    {"status", "stock", "true", NULL},
    {"status", "required", "true", NULL},
    {"status", "map", "instock", "有现货"},
    {"status", "map", "outofstock", "暂时缺货"},
    {NULL, NULL, NULL, NULL},
};

static const preset_endpoint presets[][KIND_COUNT] = {
    {{"{base}/admin/api/{version}/orders.json?name={id}&status=any", "GET", NULL, "orders[0]", NULL,
      shopify_headers, shopify_order_fields},
     {"{base}/admin/api/{version}/graphql.json", "POST",
      "{\"query\":\"query($q: String!) { productVariants(first: 1, query: $q) { edges { node { "
      "sku displayName inventoryQuantity } } } }\",\"variables\":{\"q\":\"sku:\\\"{id}\\\"\"}}",
      "data.productVariants.edges[0].node", "errors[0].message", shopify_graphql_headers,
      shopify_stock_fields}},
    {{"{base}/wp-json/wc/v3/orders/{id}", "GET", NULL, NULL, NULL, json_headers, woo_order_fields},
     {"{base}/wp-json/wc/v3/products?sku={id}", "GET", NULL, "[0]", NULL, json_headers,
      woo_stock_fields}},
    {{NULL, "GET", NULL, NULL, NULL, json_headers, generic_order_fields},
     {NULL, "GET", NULL, NULL, NULL, json_headers, generic_stock_fields}},
};
static const char *const preset_names[] = {"shopify", "woocommerce", "generic", NULL};

static int preset_index(const char *name)
{
    for (int i = 0; preset_names[i]; i++)
        if (!strcmp(preset_names[i], name))
            return i;
    return -1;
}

/* Replaces every {name} in text with value; malloc'd. */
static char *replace_all(const char *text, const char *name, const char *value)
{
    buf b;
    buf_init(&b);
    size_t n = strlen(name);
    for (const char *t = text; *t;) {
        const char *hit = strstr(t, name);
        if (!hit) {
            buf_puts(&b, t);
            break;
        }
        buf_append(&b, t, (size_t)(hit - t));
        buf_puts(&b, value);
        t = hit + n;
    }
    if (b.failed) {
        buf_free(&b);
        return NULL;
    }
    return b.data ? buf_take(&b) : strdup("");
}

/* Applies the preset's field settings to a field map; false on a bad table entry. */
static bool apply_preset_fields(fieldmap *m, const preset_field *pf)
{
    char err[200];
    for (; pf->field; pf++) {
        fieldmap_field *f = fieldmap_field_get(m, pf->field);
        if (!f)
            return false;
        bool ok = !strcmp(pf->key, "map")
                      ? fieldmap_field_map(f, pf->value, pf->to)
                      : fieldmap_field_set(f, pf->key, pf->value, err, sizeof err);
        if (!ok)
            return false;
    }
    return true;
}

static bool apply_status_map(fieldmap *m, const char *const *pairs)
{
    fieldmap_field *f = fieldmap_field_get(m, "status");
    for (size_t i = 0; f && pairs[i]; i += 2)
        if (!fieldmap_field_map(f, pairs[i], pairs[i + 1]))
            return false;
    return f != NULL;
}

/* Fills ep from preset p (an index into presets) with the shop's base URL and API version. */
static bool apply_preset(endpoint *ep, int p, int kind, const char *base, const char *version)
{
    const preset_endpoint *pe = &presets[p][kind];
    if (pe->url) {
        char *with_base = replace_all(pe->url, "{base}", base ? base : "");
        char *url = with_base ? replace_all(with_base, "{version}", version) : NULL;
        free(with_base);
        if (!url)
            return false;
        free(ep->url);
        ep->url = url;
    }
    if (!set_text(&ep->method, pe->method) || (pe->body && !set_text(&ep->body, pe->body)))
        return false;
    char err[200];
    if ((pe->record && !fieldmap_set(ep->map, "record", pe->record, err, sizeof err)) ||
        (pe->error && !fieldmap_set(ep->map, "error", pe->error, err, sizeof err)))
        return false;
    for (size_t i = 0; pe->headers[i]; i += 2)
        if (!endpoint_header(ep, pe->headers[i], pe->headers[i + 1]))
            return false;
    if (!apply_preset_fields(ep->map, pe->fields))
        return false;
    if (kind == 0 && p == 1)
        return apply_status_map(ep->map, woo_order_status);
    if (kind == 0 && p == 2)
        return apply_status_map(ep->map, generic_order_status);
    return true;
}

/* ---- parsing the lookup: section ------------------------------------------------------ */

/* Parses "1MiB", "512KiB", "2MB", "100000" into bytes; false when malformed. */
static bool parse_size(const char *s, size_t *out)
{
    char *end;
    errno = 0;
    double v = strtod(s, &end);
    if (end == s || v < 0 || errno)
        return false;
    static const struct {
        const char *suffix;
        double factor;
    } units[] = {{"", 1},        {"B", 1},       {"K", 1024},     {"KB", 1000},
                 {"KiB", 1024},  {"M", 1048576}, {"MB", 1e6},     {"MiB", 1048576},
                 {"G", 1 << 30}, {"GB", 1e9},    {"GiB", 1 << 30}};
    for (size_t i = 0; i < sizeof units / sizeof units[0]; i++) {
        if (!strcmp(end, units[i].suffix)) {
            double bytes = v * units[i].factor;
            if (bytes > 1e12)
                return false;
            *out = (size_t)bytes;
            return true;
        }
    }
    return false;
}

/* The scalar of node, or an error at node naming key. */
static const char *scalar_of(yamldoc *y, yaml_node_t *node, const char *key)
{
    const char *v = yamldoc_scalar(node);
    if (!v)
        yamldoc_error(y, node, "lookup: %s must be a single value", key);
    return v;
}

/* Reads a duration of at most max_ms into *out; reports and returns false otherwise. */
static bool duration_ms(yamldoc *y, yaml_node_t *node, const char *key, long max_ms, long *out)
{
    const char *v = scalar_of(y, node, key);
    int64_t ms;
    bool negative;
    if (!v)
        return false;
    if (!duration_parse(v, &ms, &negative) || negative || ms > max_ms) {
        yamldoc_error(y, node, "lookup: %s must be a duration such as 500ms, 10s or 2m", key);
        return false;
    }
    *out = (long)ms;
    return true;
}

/* Reads a whole number from 0 to max into *out; reports and returns false otherwise. */
static bool whole_number(yamldoc *y, yaml_node_t *node, const char *key, int max, int *out)
{
    const char *v = scalar_of(y, node, key);
    char *end;
    long n = v ? strtol(v, &end, 10) : -1;
    if (!v || !*v || *end || n < 0 || n > max) {
        if (v)
            yamldoc_error(y, node, "lookup: %s must be a whole number from 0 to %d", key, max);
        return false;
    }
    *out = (int)n;
    return true;
}

/* True when text holds a ${NAME} reference (a secret kept out of config.yaml). */
static bool has_reference(const char *text)
{
    const char *p = strstr(text, "${");
    return p && strchr(p, '}');
}

/* Checks the ${NAME} references of a template: names of letters, digits and '_'. */
static bool references_valid(yamldoc *y, yaml_node_t *node, const char *text)
{
    for (const char *p = strstr(text, "${"); p; p = strstr(p + 2, "${")) {
        const char *close = strchr(p, '}');
        size_t n = close ? (size_t)(close - p - 2) : 0;
        bool ok = close && n > 0;
        for (size_t i = 0; ok && i < n; i++) {
            char c = p[2 + i];
            ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || c == '_' ||
                 (i > 0 && c >= '0' && c <= '9');
        }
        if (!ok) {
            yamldoc_error(y, node, "lookup: \"${\" must be followed by a variable name and \"}\"");
            return false;
        }
    }
    return true;
}

/* A secret setting (token, password): a ${NAME} reference, never the secret itself. */
static bool set_secret(yamldoc *y, yaml_node_t *node, const char *key, char **slot)
{
    const char *v = scalar_of(y, node, key);
    if (!v || !references_valid(y, node, v))
        return false;
    if (!has_reference(v)) {
        yamldoc_error(y, node,
                      "lookup: %s: keep secrets out of config.yaml; write \"${VARIABLE}\" and set "
                      "it in the environment, or use token_file",
                      key);
        return false;
    }
    return set_text(slot, v);
}

/* True for a comma-separated list of https, http and file. */
static bool protocols_valid(const char *list)
{
    if (!*list)
        return false;
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL) {
        size_t n = strcspn(p, ",");
        if (!((n == 4 && !strncmp(p, "http", 4)) || (n == 5 && !strncmp(p, "https", 5)) ||
              (n == 4 && !strncmp(p, "file", 4))))
            return false;
    }
    return true;
}

/* headers: {Name: value}: one-line values, ${VARIABLE} references checked. */
static void parse_headers(endpoint *ep, yamldoc *y, yaml_node_t *v)
{
    if (!yamldoc_expect_map(y, v, "lookup: headers"))
        return;
    yaml_node_t *hk, *hv;
    for (size_t i = 0; yamldoc_pair(y, v, i, &hk, &hv); i++) {
        const char *name = yamldoc_scalar(hk), *value = yamldoc_scalar(hv);
        if (!name || !value || !*name || strpbrk(name, ": \t\r\n") || strpbrk(value, "\r\n")) {
            yamldoc_error(y, hv, "lookup: each header is a name and a one-line value");
            continue;
        }
        if (references_valid(y, hv, value) && !endpoint_header(ep, name, value))
            yamldoc_error(y, hv, "lookup: at most %d headers", LOOKUP_MAX_HEADERS);
    }
}

/* Applies one setting shared by the section and its endpoints; false when key is not one. */
static bool apply_common(endpoint *ep, yamldoc *y, const char *key, yaml_node_t *v)
{
    char err[200];
    const char *s;
    if (!strcmp(key, "timeout"))
        duration_ms(y, v, key, 600000, &ep->timeout_ms);
    else if (!strcmp(key, "connect_timeout"))
        duration_ms(y, v, key, 600000, &ep->connect_timeout_ms);
    else if (!strcmp(key, "retry_delay"))
        duration_ms(y, v, key, 600000, &ep->retry_delay_ms);
    else if (!strcmp(key, "retry_max"))
        duration_ms(y, v, key, 3600000, &ep->retry_max_ms);
    else if (!strcmp(key, "cache_ttl")) {
        long ms;
        if (duration_ms(y, v, key, 7 * 86400000L, &ms))
            ep->cache_ttl_ms = ms;
    } else if (!strcmp(key, "retries"))
        whole_number(y, v, key, 10, &ep->retries);
    else if (!strcmp(key, "redirects"))
        whole_number(y, v, key, 10, &ep->redirects);
    else if (!strcmp(key, "max_body")) {
        if ((s = scalar_of(y, v, key)) && (!parse_size(s, &ep->max_body) || ep->max_body == 0))
            yamldoc_error(y, v, "lookup: max_body must be a size such as 1MiB, 512KiB or 65536");
    } else if (!strcmp(key, "protocols")) {
        if ((s = scalar_of(y, v, key)) && !protocols_valid(s))
            yamldoc_error(y, v, "lookup: protocols is a comma-separated list of https, http, file");
        else if (s && set_text(&ep->protocols, s))
            ep->protocols_set = true;
    } else if (!strcmp(key, "ca_file")) {
        if ((s = scalar_of(y, v, key)))
            set_text(&ep->ca_file, s);
    } else if (!strcmp(key, "token"))
        set_secret(y, v, key, &ep->token);
    else if (!strcmp(key, "password"))
        set_secret(y, v, key, &ep->password);
    else if (!strcmp(key, "username")) {
        if ((s = scalar_of(y, v, key)) && references_valid(y, v, s))
            set_text(&ep->username, s);
    } else if (!strcmp(key, "token_file")) {
        if ((s = scalar_of(y, v, key)))
            set_text(&ep->token_file, s);
    } else if (!strcmp(key, "in_stock") || !strcmp(key, "low_stock") ||
               !strcmp(key, "out_of_stock") || !strcmp(key, "low_at")) {
        if ((s = scalar_of(y, v, key)) && !fieldmap_set(ep->map, key, s, err, sizeof err))
            yamldoc_error(y, v, "lookup: %s", err);
    } else if (!strcmp(key, "headers")) {
        parse_headers(ep, y, v);
    } else
        return false;
    return true;
}

/* Sets one key of a field from YAML: a scalar, a list of paths, or the map of values. */
static void parse_field_key(yamldoc *y, fieldmap_field *f, const char *key, yaml_node_t *v,
                            bool *paths_cleared)
{
    char err[200];
    if (!strcmp(key, "map")) {
        if (!yamldoc_expect_map(y, v, "lookup: map"))
            return;
        yaml_node_t *mk, *mv;
        for (size_t i = 0; yamldoc_pair(y, v, i, &mk, &mv); i++) {
            const char *from = yamldoc_scalar(mk), *to = yamldoc_scalar(mv);
            if (!from || !to)
                yamldoc_error(y, mv, "lookup: map entries are a value and its wording");
            else
                fieldmap_field_map(f, from, to);
        }
        return;
    }
    if (!strcmp(key, "path") || !strcmp(key, "format")) {
        if (!*paths_cleared)
            fieldmap_field_clear_source(f);
        *paths_cleared = true;
    }
    if (!strcmp(key, "path") && v->type == YAML_SEQUENCE_NODE) {
        yaml_node_t *item;
        for (size_t i = 0; (item = yamldoc_item(y, v, i)); i++) {
            const char *p = scalar_of(y, item, "path");
            if (p && !fieldmap_field_set(f, "path", p, err, sizeof err))
                yamldoc_error(y, item, "lookup: path \"%s\": %s", p, err);
        }
        return;
    }
    const char *s = scalar_of(y, v, key);
    if (s && !fieldmap_field_set(f, key, s, err, sizeof err))
        yamldoc_error(y, v, "lookup: %s \"%s\": %s", key, s, err);
}

/* fields: {name: PATH} or {name: {path:, format:, each:, join:, label:, map:, default:,
 * required:, stock:}}. */
static void parse_fields(yamldoc *y, endpoint *ep, yaml_node_t *map)
{
    static const char *const known[] = {"path", "format",  "each",     "join",  "label",
                                        "map",  "default", "required", "stock", NULL};
    if (!yamldoc_expect_map(y, map, "lookup: fields"))
        return;
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, map, i, &k, &v); i++) {
        const char *name = yamldoc_scalar(k);
        fieldmap_field *f = name ? fieldmap_field_get(ep->map, name) : NULL;
        if (!f) {
            yamldoc_error(y, k, "lookup: at most %d fields per endpoint", FIELDMAP_MAX_FIELDS);
            continue;
        }
        bool cleared = false;
        if (v->type != YAML_MAPPING_NODE) {
            parse_field_key(y, f, "path", v, &cleared);
            continue;
        }
        yamldoc_check_keys(y, v, known, "lookup field");
        yaml_node_t *fk, *fv;
        for (size_t j = 0; yamldoc_pair(y, v, j, &fk, &fv); j++) {
            const char *key = yamldoc_scalar(fk);
            size_t n = 0;
            while (key && known[n] && strcmp(known[n], key))
                n++;
            if (key && known[n]) /* unknown keys were reported by check_keys */
                parse_field_key(y, f, key, fv, &cleared);
        }
    }
}

/* Applies one endpoint-only key (url, method, body, record, error, fields...). */
static bool apply_endpoint_key(endpoint *ep, yamldoc *y, const char *key, yaml_node_t *v)
{
    char err[200];
    const char *s;
    if (!strcmp(key, "fields")) {
        parse_fields(y, ep, v);
        return true;
    }
    static const char *const scalars[] = {"url",   "method",    "body",     "record",
                                          "error", "not_found", "id_field", NULL};
    size_t i = 0;
    while (scalars[i] && strcmp(scalars[i], key))
        i++;
    if (!scalars[i])
        return false;
    if (!(s = scalar_of(y, v, key)))
        return true;
    if (!strcmp(key, "url"))
        set_text(&ep->url, s);
    else if (!strcmp(key, "method")) {
        if (strcmp(s, "GET") && strcmp(s, "POST"))
            yamldoc_error(y, v, "lookup: method must be GET or POST");
        else
            set_text(&ep->method, s);
    } else if (!strcmp(key, "body"))
        set_text(&ep->body, s);
    else if (!strcmp(key, "record") || !strcmp(key, "error")) {
        if (!fieldmap_set(ep->map, key, s, err, sizeof err))
            yamldoc_error(y, v, "lookup: %s \"%s\": %s", key, s, err);
    } else if (!strcmp(key, "not_found"))
        set_text(&ep->not_found, s);
    else
        set_text(&ep->id_field, s);
    return true;
}

/* The URL's scheme in lower case ("https"), "" when it has none. */
static void url_scheme(const char *url, char *out, size_t outlen)
{
    const char *colon = url ? strstr(url, "://") : NULL;
    size_t n = colon ? (size_t)(colon - url) : 0;
    if (n >= outlen)
        n = 0;
    for (size_t i = 0; i < n; i++)
        out[i] = (char)(url[i] >= 'A' && url[i] <= 'Z' ? url[i] + 32 : url[i]);
    out[n] = '\0';
}

/* True when the comma-separated list names proto. */
static bool list_has(const char *list, const char *proto)
{
    size_t n = strlen(proto);
    for (const char *p = list; p; p = strchr(p, ',') ? strchr(p, ',') + 1 : NULL)
        if (!strncmp(p, proto, n) && (p[n] == ',' || p[n] == '\0'))
            return true;
    return false;
}

/* Checks a finished endpoint: a URL with {id}, protocols, https for WooCommerce, secrets. */
static void check_endpoint(endpoint *ep, yamldoc *y, yaml_node_t *at, int preset)
{
    char scheme[16];
    if (!ep->url || !*ep->url) {
        yamldoc_error(y, at, "lookup: %s needs a url (or a preset with base_url)", ep->kind);
        return;
    }
    if (!strstr(ep->url, "{id}") && !(ep->body && strstr(ep->body, "{id}")))
        yamldoc_error(y, at, "lookup: %s: the url (or body) must contain {id}", ep->kind);
    url_scheme(ep->url, scheme, sizeof scheme);
    if (!ep->protocols_set)
        set_text(&ep->protocols, !strcmp(scheme, "file") ? "file" : "https");
    if (!*scheme && preset != 2 && ep->url[0] == '/')
        return; /* a preset without base_url: reported once for the section */
    if (!*scheme || !list_has(ep->protocols, scheme))
        yamldoc_error(y, at,
                      "lookup: %s: the url's scheme \"%s\" is not allowed (protocols: %s; http "
                      "must be written out)",
                      ep->kind, scheme, ep->protocols);
    if (preset == 1 && (strcmp(ep->protocols, "https") || strcmp(scheme, "https")))
        yamldoc_error(y, at,
                      "lookup: woocommerce sends the consumer key and secret with every request: "
                      "https only");
    bool uses_token = false;
    for (size_t i = 0; i < ep->header_count; i++)
        uses_token |= strstr(ep->headers[i], "${token}") != NULL;
    if (uses_token && !ep->token && !ep->token_file)
        yamldoc_error(y, at, "lookup: %s: set token (\"${VARIABLE}\") or token_file", ep->kind);
}

static const char *const section_keys[] = {
    "preset",    "base_url",        "api_version", "order",      "stock",
    "timeout",   "connect_timeout", "retry_delay", "retry_max",  "cache_ttl",
    "retries",   "redirects",       "max_body",    "protocols",  "ca_file",
    "token",     "password",        "username",    "token_file", "in_stock",
    "low_stock", "out_of_stock",    "low_at",      "headers",    NULL};

/* Applies the section-wide settings to ep. */
static void apply_section(endpoint *ep, yamldoc *y, yaml_node_t *section)
{
    yaml_node_t *k, *v;
    for (size_t i = 0; yamldoc_pair(y, section, i, &k, &v); i++) {
        const char *key = yamldoc_scalar(k);
        if (key && strcmp(key, "preset") && strcmp(key, "base_url") && strcmp(key, "api_version") &&
            strcmp(key, "order") && strcmp(key, "stock"))
            apply_common(ep, y, key, v);
    }
}

/* Builds the endpoint of kind: defaults, preset, section settings, its own settings (own may
 * be NULL when a preset's endpoint is not written out). */
static endpoint *build_endpoint(yamldoc *y, yaml_node_t *section, yaml_node_t *own, int kind,
                                int preset, diagnostics *real, diagnostics *scratch)
{
    endpoint *ep = endpoint_new(kinds[kind]);
    if (!ep)
        return NULL;
    const char *base = yamldoc_scalar(yamldoc_get(y, section, "base_url"));
    const char *version = yamldoc_scalar(yamldoc_get(y, section, "api_version"));
    char *trimmed = base ? strdup(base) : NULL;
    if (trimmed && *trimmed && trimmed[strlen(trimmed) - 1] == '/')
        trimmed[strlen(trimmed) - 1] = '\0';
    bool ok = apply_preset(ep, preset, kind, trimmed, version ? version : "2024-10");
    free(trimmed);
    if (!ok) {
        endpoint_free(ep);
        return NULL;
    }
    y->diag = scratch; /* section-wide problems were reported once already */
    apply_section(ep, y, section);
    y->diag = real;
    if (own && !yamldoc_expect_map(y, own, kinds[kind]))
        return ep;
    yaml_node_t *k, *v;
    for (size_t i = 0; own && yamldoc_pair(y, own, i, &k, &v); i++) {
        const char *key = yamldoc_scalar(k);
        if (key && !apply_endpoint_key(ep, y, key, v) && !apply_common(ep, y, key, v))
            yamldoc_error(y, k, "lookup: %s: unknown setting \"%s\"", kinds[kind], key);
    }
    check_endpoint(ep, y, own ? own : section, preset);
    return ep;
}

static lookup_config *config_new(const char *preset)
{
    lookup_config *lc = calloc(1, sizeof *lc);
    if (lc && !(lc->preset = strdup(preset))) {
        free(lc);
        return NULL;
    }
    return lc;
}

/* Reports the section-wide settings' problems once, on a throwaway endpoint. */
static void check_section(yamldoc *y, yaml_node_t *section)
{
    yamldoc_check_keys(y, section, section_keys, "lookup");
    endpoint *probe = endpoint_new("order");
    if (probe)
        apply_section(probe, y, section);
    endpoint_free(probe);
}

/* WooCommerce signs every request with the consumer key and secret: both must be set (once
 * for the section, or for each endpoint); reported once. */
static void check_credentials(lookup_config *lc, yamldoc *y, yaml_node_t *section, int preset)
{
    for (int k = 0; preset == 1 && k < KIND_COUNT; k++) {
        const endpoint *ep = lc->endpoints[k];
        if (ep && (!ep->username || !ep->password)) {
            yamldoc_error(y, section,
                          "lookup: woocommerce needs username and password (the consumer key "
                          "and secret, as \"${VARIABLE}\")");
            return;
        }
    }
}

lookup_config *lookup_config_load(config *cfg, diagnostics *d)
{
    yamldoc *y = NULL;
    yaml_node_t *section = config_section(cfg, "lookup", &y, d);
    if (!section)
        return config_new("none");
    if (!yamldoc_expect_map(y, section, "lookup"))
        return config_new("none");
    const char *preset_name = yamldoc_scalar(yamldoc_get(y, section, "preset"));
    int preset = preset_index(preset_name ? preset_name : "generic");
    if (preset < 0) {
        yamldoc_error(y, yamldoc_get(y, section, "preset"),
                      "lookup: preset must be shopify, woocommerce or generic");
        return config_new("none");
    }
    lookup_config *lc = config_new(preset_names[preset]);
    if (!lc)
        return NULL;
    check_section(y, section);
    if (preset != 2 && !yamldoc_scalar(yamldoc_get(y, section, "base_url")))
        yamldoc_error(y, section, "lookup: preset %s needs base_url (the shop's https:// address)",
                      preset_names[preset]);
    diagnostics scratch;
    diag_init(&scratch);
    for (int k = 0; k < KIND_COUNT; k++) {
        yaml_node_t *own = yamldoc_get(y, section, kinds[k]);
        if (!own && preset == 2)
            continue; /* generic: only the endpoints written */
        lc->endpoints[k] = build_endpoint(y, section, own, k, preset, d, &scratch);
    }
    diag_free(&scratch);
    check_credentials(lc, y, section, preset);
    return lc;
}

lookup_config *lookup_config_demo(const char *dir)
{
    lookup_config *lc = config_new("demo");
    if (!lc)
        return NULL;
    static const char *const files[] = {"orders", "stock"};
    for (int k = 0; k < KIND_COUNT; k++) {
        endpoint *ep = endpoint_new(kinds[k]);
        buf url;
        buf_init(&url);
        buf_printf(&url, "file://%s/%s/{id}.json", dir, files[k]);
        if (!ep || !apply_preset(ep, 2, k, NULL, NULL) || !set_text(&ep->url, buf_str(&url)) ||
            !set_text(&ep->protocols, "file")) {
            endpoint_free(ep);
            buf_free(&url);
            lookup_config_free(lc);
            return NULL;
        }
        buf_free(&url);
        ep->cache_ttl_ms = 0;
        lc->endpoints[k] = ep;
    }
    return lc;
}

void lookup_config_free(lookup_config *lc)
{
    if (!lc)
        return;
    for (int k = 0; k < KIND_COUNT; k++)
        endpoint_free(lc->endpoints[k]);
    free(lc->preset);
    free(lc);
}

const lookup_endpoint *lookup_config_endpoint(const lookup_config *lc, const char *kind)
{
    int k = kind_index(kind);
    return lc && k >= 0 ? lc->endpoints[k] : NULL;
}

bool lookup_config_has(const lookup_config *lc, const char *kind)
{
    return lookup_config_endpoint(lc, kind) != NULL;
}

const fieldmap *lookup_config_fields(const lookup_config *lc, const char *kind)
{
    const endpoint *ep = lookup_config_endpoint(lc, kind);
    return ep ? ep->map : NULL;
}

const char *lookup_config_preset(const lookup_config *lc)
{
    return lc->preset;
}

/* ---- ids in URLs and bodies ----------------------------------------------------------- */

bool lookup_key_valid(const char *key, char *err, size_t errlen)
{
    size_t n = strlen(key);
    if (n == 0 || n > LOOKUP_MAX_ID) {
        snprintf(err, errlen, "the id must have 1 to %d bytes", LOOKUP_MAX_ID);
        return false;
    }
    if (!text_valid_utf8(key, n)) {
        snprintf(err, errlen, "the id is not valid UTF-8");
        return false;
    }
    for (size_t i = 0; i < n; i++) {
        if ((unsigned char)key[i] < 0x20 || key[i] == 0x7f) {
            snprintf(err, errlen, "the id contains control characters");
            return false;
        }
    }
    return true;
}

char *lookup_expand_url(const char *tmpl, const char *key, char *err, size_t errlen)
{
    if (!lookup_key_valid(key, err, errlen))
        return NULL;
    char scheme[16];
    url_scheme(tmpl, scheme, sizeof scheme);
    if (!strcmp(scheme, "file") &&
        (strchr(key, '/') || strchr(key, '\\') || strspn(key, ".") == strlen(key))) {
        snprintf(err, errlen, "the id cannot name a file path (it holds \"/\" or only dots)");
        return NULL;
    }
    buf enc;
    buf_init(&enc);
    for (const unsigned char *p = (const unsigned char *)key; *p; p++) {
        if ((*p >= 'A' && *p <= 'Z') || (*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') ||
            *p == '-' || *p == '_' || *p == '~')
            buf_putc(&enc, (char)*p);
        else
            buf_printf(&enc, "%%%02X", *p);
    }
    char *url = replace_all(tmpl, "{id}", buf_str(&enc));
    buf_free(&enc);
    if (!url)
        snprintf(err, errlen, "out of memory");
    return url;
}

char *lookup_expand_body(const char *tmpl, const char *key)
{
    buf quoted;
    buf_init(&quoted);
    buf_json_string(&quoted, key);
    char *inner = quoted.len >= 2 ? strndup(quoted.data + 1, quoted.len - 2) : NULL;
    buf_free(&quoted);
    char *body = inner ? replace_all(tmpl, "{id}", inner) : NULL;
    free(inner);
    return body;
}
