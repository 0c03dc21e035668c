/* lookup_config: the lookup: section of config.yaml (huashu-config(5)) read into one endpoint
 * per kind (order, stock): a URL template whose {id} is percent-encoded (an id can never
 * change the path or the query), a method, headers with ${ENV} references or a token file,
 * timeouts, a body limit, a cache TTL, allowed protocols, a CA file and a field map
 * (fieldmap.h). Presets: shopify, woocommerce, generic. Pure: no file, environment or network
 * is touched here (net/lookup.c resolves the references and makes the requests). */
#ifndef HUASHU_LOOKUP_CONFIG_H
#define HUASHU_LOOKUP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/config.h"
#include "core/fieldmap.h"

#define LOOKUP_MAX_ID      256 /* bytes of an order number or SKU */
#define LOOKUP_MAX_HEADERS 16

/* One kind's endpoint, as configured (templates still hold {id} and ${VARIABLE}). */
typedef struct lookup_endpoint {
    char *kind;
    char *url, *method, *body;
    char *headers[LOOKUP_MAX_HEADERS]; /* "Name: value template" */
    size_t header_count;
    char *username, *password, *token, *token_file;
    char *protocols, *ca_file, *not_found, *id_field;
    long timeout_ms, connect_timeout_ms, retry_delay_ms, retry_max_ms;
    int retries, redirects;
    size_t max_body;
    int64_t cache_ttl_ms;
    bool protocols_set; /* written by the user (else derived from the URL) */
    fieldmap *map;
} lookup_endpoint;

typedef struct lookup_config lookup_config;

/* Parses the lookup: section of cfg, reporting problems to d with file:line:col. Returns a
 * config (without endpoints when the section is absent or wrong); NULL when out of memory. */
lookup_config *lookup_config_load(config *cfg, diagnostics *d);
/* The demo's endpoints: generic JSON files under dir (data/lookup) through file://. */
lookup_config *lookup_config_demo(const char *dir);
void lookup_config_free(lookup_config *lc);
/* True when kind ("order", "stock") has an endpoint. */
bool lookup_config_has(const lookup_config *lc, const char *kind);
/* The endpoint of kind, NULL when it has none. */
const lookup_endpoint *lookup_config_endpoint(const lookup_config *lc, const char *kind);
/* The field map of kind, NULL when it has no endpoint. */
const fieldmap *lookup_config_fields(const lookup_config *lc, const char *kind);
/* The preset's name ("shopify", "woocommerce", "generic", "demo"). */
const char *lookup_config_preset(const lookup_config *lc);

/* Checks an id: not empty, at most LOOKUP_MAX_ID bytes, valid UTF-8, no control characters;
 * false with the reason in err. */
bool lookup_key_valid(const char *key, char *err, size_t errlen);
/* Expands {id} in a URL template, percent-encoded (every byte but A-Z a-z 0-9 - _ ~); for
 * file:// URLs ids holding '/' or made of dots are refused. Returns malloc'd text, NULL with a
 * message in err. */
char *lookup_expand_url(const char *tmpl, const char *key, char *err, size_t errlen);
/* Expands {id} in a body template as JSON string content (no quotes); malloc'd, NULL when out
 * of memory. */
char *lookup_expand_body(const char *tmpl, const char *key);

#endif
