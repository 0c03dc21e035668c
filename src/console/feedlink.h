/* feedlink: the console's side of a live feed. Events from the feed go through
 * app_feed (engine, transcript, session log); the agent's sent lines go to the feed's write side,
 * or to the clipboard and the log for a read-only feed; the feed's state and bad-line count show
 * at the left of the status line; and the session log is fsync'd every few seconds. */
#ifndef HUASHU_CONSOLE_FEEDLINK_H
#define HUASHU_CONSOLE_FEEDLINK_H

#include <stdbool.h>
#include <stddef.h>

#include "core/config.h"
#include "console/console.h"

/* Starts the session log's fsync timer and, when spec is not NULL, the feed (before app_init:
 * "-" moves the keyboard to /dev/tty). NULL with a message in err when the feed cannot work at
 * all. */
feedlink *feedlink_start(console *cs, const char *spec, config *cfg, char *err, size_t errlen);
/* True when the link runs a feed (not only the session log's fsync). */
bool feedlink_live(const feedlink *fl);
/* The agent pressed Enter (app_ops.send): the line goes out (or to the clipboard) and into
 * the log. False keeps it in the compose line. */
bool feedlink_send(feedlink *fl, app *a, event *ev);
/* The feed's log, for the log view. */
size_t feedlink_log_count(const feedlink *fl);
const char *feedlink_log_line(const feedlink *fl, size_t i);
/* Stops the feed (ending a bridge program) and frees the link. */
void feedlink_free(feedlink *fl);

#endif
