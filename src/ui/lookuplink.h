/* lookuplink: the console's side of order and stock lookups (issue 5). The order and stock keys
 * ask for the number (or take the one the conversation already has) and start a lookup on the
 * console's loop; the info pane shows its progress or its error in plain words; a result becomes
 * a lookup event fed through app_feed (engine, placeholders, session log); a conversation's
 * lookups are cancelled when it closes; the refresh key asks the server again past the cache. */
#ifndef HUASHU_UI_LOOKUPLINK_H
#define HUASHU_UI_LOOKUPLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "ui/app.h"

typedef struct lookuplink lookuplink;

/* Reads the lookup: section of cfg (problems go to d), or on the bundled demo (on_demo) without
 * such a section uses the sample data through file://, and hooks a->lookup and its companions.
 * Returns NULL, leaving lookups off, when neither is there or out of memory. */
lookuplink *lookuplink_start(app *a, config *cfg, bool on_demo, diagnostics *d);
/* Cancels every lookup and frees the link (unhooking a). */
void lookuplink_free(lookuplink *ll);

#endif
