/* feedlink: the console's side of a live feed (issue 4). Events from the feed go through
 * app_feed (engine, transcript, session log); the agent's sent lines go to the feed's write side,
 * or to the clipboard and the log for a read-only feed; the feed's state and bad-line count show
 * at the left of the status line; and the session log is fsync'd every few seconds. */
#ifndef HUASHU_UI_FEEDLINK_H
#define HUASHU_UI_FEEDLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "ui/app.h"

typedef struct feedlink feedlink;

/* Starts the session log's fsync timer and, when spec is not NULL, the feed (before app_init:
 * "-" moves the keyboard to /dev/tty). Hooks a->send. NULL with a message in err when the feed
 * cannot work at all. */
feedlink *feedlink_start(app *a, const char *spec, config *cfg, char *err, size_t errlen);
/* Stops the feed (ending a bridge program) and frees the link. */
void feedlink_free(feedlink *fl);

#endif
