#include "config.h"

#include "console/lookuplink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "core/text.h"
#include "intl.h"
#include "net/lookup.h"
#include "net/paths.h"

/* What the console knows about one conversation's lookup of one kind. */
typedef struct conv_lookup {
    char *conv;
    char kind[8];
    char *key;        /* the order number or SKU asked for last */
    uint64_t id;      /* the lookup in flight, 0 when none */
    unsigned seq;     /* larger: asked more recently */
    char status[768]; /* progress, result or error for the info pane; "" for none */
    bool failed;      /* status is an error */
} conv_lookup;

struct lookuplink {
    app *a;
    lookup_config *cfg;
    lookup *lk;
    conv_lookup *entries;
    size_t count, cap;
    unsigned seq;
};

static const char *kind_label(const char *kind)
{
    return !strcmp(kind, "order") ? _("order") : _("stock");
}

/* The entry of (conv, kind); added when create and absent. NULL when out of memory. */
static conv_lookup *entry(lookuplink *ll, const char *conv, const char *kind, bool create)
{
    for (size_t i = 0; i < ll->count; i++)
        if (!strcmp(ll->entries[i].conv, conv) && !strcmp(ll->entries[i].kind, kind))
            return &ll->entries[i];
    if (!create)
        return NULL;
    if (ll->count == ll->cap) {
        size_t cap = ll->cap ? ll->cap * 2 : 16;
        conv_lookup *grown = realloc(ll->entries, cap * sizeof *grown);
        if (!grown)
            return NULL;
        ll->entries = grown;
        ll->cap = cap;
    }
    conv_lookup *e = &ll->entries[ll->count];
    memset(e, 0, sizeof *e);
    if (!(e->conv = strdup(conv)))
        return NULL;
    snprintf(e->kind, sizeof e->kind, "%s", kind);
    ll->count++;
    return e;
}

/* The entry of conv asked most recently, NULL when none. */
static conv_lookup *latest(lookuplink *ll, const char *conv)
{
    conv_lookup *best = NULL;
    for (size_t i = 0; i < ll->count; i++)
        if (!strcmp(ll->entries[i].conv, conv) && (!best || ll->entries[i].seq > best->seq))
            best = &ll->entries[i];
    return best;
}

/* The info pane's line for a finished lookup: found, or the error with its request. */
static void set_status(conv_lookup *e, const lookup_result *r)
{
    buf b;
    buf_init(&b);
    if (r->status == LOOKUP_OK)
        buf_printf(&b, r->cached ? _("%s %s: found (cached)") : _("%s %s: found"),
                   kind_label(r->kind), r->key);
    else if (r->url)
        buf_printf(&b, "%s %s: %s (%s %s)", kind_label(r->kind), r->key, r->message, r->method,
                   r->url);
    else
        buf_printf(&b, "%s %s: %s", kind_label(r->kind), r->key, r->message);
    buf clean;
    buf_init(&clean);
    text_sanitize(&clean, buf_str(&b), b.len, false);
    snprintf(e->status, sizeof e->status, "%s", buf_str(&clean));
    e->failed = r->status != LOOKUP_OK;
    buf_free(&b);
    buf_free(&clean);
}

/* Turns a finished lookup into a lookup event (placeholders, session log) or an error line. */
static void on_result(void *ctx, const lookup_result *r)
{
    lookuplink *ll = ctx;
    app *a = ll->a;
    conv_lookup *e = r->owner ? entry(ll, r->owner, r->kind, false) : NULL;
    if (e && e->id == r->id)
        e->id = 0;
    if (r->status == LOOKUP_OK) {
        event ev;
        lookup_event(r, r->owner, app_now(a), a->tz_offset, &ev);
        app_feed(a, &ev);
    } else {
        app_message(a, true, _("%s %s: lookup failed (see the info pane)"), kind_label(r->kind),
                    r->key);
    }
    if (e)
        set_status(e, r);
    app_mark(a, PANE_INFO);
}

/* Starts a lookup for conv and shows it in progress. */
static bool begin(lookuplink *ll, const char *kind, const char *conv, const char *key,
                  unsigned flags)
{
    conv_lookup *e = entry(ll, conv, kind, true);
    char *copy = strdup(key);
    if (!e || !copy) {
        free(copy);
        return false;
    }
    if (e->id)
        lookup_cancel(ll->lk, e->id);
    free(e->key);
    e->key = copy;
    e->seq = ++ll->seq;
    e->id = lookup_start(ll->lk, kind, key, conv, flags, on_result, ll);
    snprintf(e->status, sizeof e->status, _("%s %s: looking up..."), kind_label(kind), key);
    e->failed = false;
    app_mark(ll->a, PANE_INFO);
    return e->id != 0;
}

bool lookuplink_lookup(lookuplink *ll, const char *kind, const char *conv, const char *key)
{
    return begin(ll, kind, conv, key, 0);
}

bool lookuplink_refresh(lookuplink *ll, const char *conv)
{
    conv_lookup *e = latest(ll, conv);
    if (!e || !e->key)
        return false;
    char kind[8];
    snprintf(kind, sizeof kind, "%s", e->kind);
    char *key = strdup(e->key);
    bool ok = key && begin(ll, kind, conv, key, LOOKUP_REFRESH);
    free(key);
    return ok;
}

void lookuplink_closed(lookuplink *ll, const char *conv)
{
    lookup_cancel_owner(ll->lk, conv);
    for (size_t i = 0; i < ll->count;) {
        if (!strcmp(ll->entries[i].conv, conv)) {
            free(ll->entries[i].conv);
            free(ll->entries[i].key);
            ll->entries[i] = ll->entries[--ll->count];
        } else {
            i++;
        }
    }
}

const char *lookuplink_status(lookuplink *ll, const char *conv, bool *alert)
{
    conv_lookup *e = latest(ll, conv);
    *alert = e && e->failed;
    return e && e->status[0] ? e->status : NULL;
}

/* The lookup configuration: the config's section, else the demo's sample data. */
static lookup_config *load_config(config *cfg, bool on_demo, diagnostics *d)
{
    lookup_config *lc = lookup_config_load(cfg, d);
    if (!lc || lookup_config_has(lc, "order") || lookup_config_has(lc, "stock") || !on_demo)
        return lc;
    lookup_config_free(lc);
    char *file = paths_find_data("lookup/orders/1001.json");
    char *cut = file ? strstr(file, "/orders/1001.json") : NULL;
    if (cut)
        *cut = '\0';
    lc = cut ? lookup_config_demo(file) : NULL;
    free(file);
    return lc;
}

lookuplink *lookuplink_start(app *a, loop *l, config *cfg, bool on_demo, diagnostics *d)
{
    lookup_config *lc = load_config(cfg, on_demo, d);
    if (!lc || (!lookup_config_has(lc, "order") && !lookup_config_has(lc, "stock"))) {
        lookup_config_free(lc);
        return NULL;
    }
    lookuplink *ll = calloc(1, sizeof *ll);
    if (!ll || !(ll->lk = lookup_new(l, lc))) {
        free(ll);
        lookup_config_free(lc);
        return NULL;
    }
    ll->a = a;
    ll->cfg = lc;
    return ll;
}

void lookuplink_free(lookuplink *ll)
{
    if (!ll)
        return;
    lookup_free(ll->lk);
    for (size_t i = 0; i < ll->count; i++) {
        free(ll->entries[i].conv);
        free(ll->entries[i].key);
    }
    free(ll->entries);
    lookup_config_free(ll->cfg);
    free(ll);
}
