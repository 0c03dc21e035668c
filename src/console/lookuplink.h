/* lookuplink: the console's side of order and stock lookups. The order and stock keys
 * ask for the number (or take the one the conversation already has) and start a lookup on the
 * console's loop; the info pane shows its progress or its error in plain words; a result becomes
 * a lookup event fed through app_feed (engine, placeholders, session log); a conversation's
 * lookups are cancelled when it closes; the refresh key asks the server again past the cache. */
#ifndef HUASHU_CONSOLE_LOOKUPLINK_H
#define HUASHU_CONSOLE_LOOKUPLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "net/loop.h"
#include "ui/app.h"

typedef struct lookuplink lookuplink;

/* Reads the lookup: section of cfg (problems go to d), or on the bundled demo (on_demo) without
 * such a section uses the sample data through file://; lookups run on l. Returns NULL,
 * leaving lookups off, when neither is there or out of memory. */
lookuplink *lookuplink_start(app *a, loop *l, config *cfg, bool on_demo, diagnostics *d);
/* The order or stock key's answer: starts looking key up for conv (app_ops.lookup). */
bool lookuplink_lookup(lookuplink *ll, const char *kind, const char *conv, const char *key);
/* The conversation's last lookup again, past the cache; false when there is none. */
bool lookuplink_refresh(lookuplink *ll, const char *conv);
/* A conversation closed: its lookups stop and its lines go. */
void lookuplink_closed(lookuplink *ll, const char *conv);
/* The info pane's lookup line for conv, NULL when there is none. */
const char *lookuplink_status(lookuplink *ll, const char *conv, bool *alert);
/* Cancels every lookup and frees the link. */
void lookuplink_free(lookuplink *ll);

#endif
