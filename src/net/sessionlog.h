/* sessionlog: every event the console feeds to the engine, appended to
 * $XDG_STATE_HOME/huashu/sessions/YYYY-MM-DD-PID.jsonl in the event format, one line per event
 * and one write() per line, so a crash loses nothing already written. */
#ifndef HUASHU_SESSIONLOG_H
#define HUASHU_SESSIONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "core/buf.h"
#include "core/event.h"

typedef struct sessionlog {
    int fd;     /* -1 when closed */
    char *path; /* malloc'd */
    buf line;
    unsigned long written, failed;
} sessionlog;

/* Creates the sessions directory and opens (appending) the log named after the local date of
 * now_ms at offset tz_min. False with a message in err when it cannot. */
bool sessionlog_open(sessionlog *log, int64_t now_ms, int tz_min, char *err, size_t errlen);
/* Appends one event; false when the write failed (counted in failed). */
bool sessionlog_write(sessionlog *log, const event *ev);
/* fsyncs and closes the log. */
void sessionlog_close(sessionlog *log);

#endif
