/* sessionlog: every event the console feeds to the engine, appended to
 * $XDG_STATE_HOME/huashu/sessions/YYYY-MM-DD-PID-RANDOM.jsonl in the event format, one line per
 * event and one write() per line, so a crash loses nothing already written. */
#ifndef HUASHU_SESSIONLOG_H
#define HUASHU_SESSIONLOG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include "core/buf.h"
#include "core/event.h"

#define SESSIONLOG_SYNC_MS 2000 /* lines are fsync'd at most this long after being written */

typedef struct sessionlog {
    int fd;     /* -1 when closed */
    char *path; /* malloc'd */
    buf line;
    unsigned long written, failed;
    off_t size;               /* the file's size after the last complete line */
    bool partial;             /* a failed write left part of a line: end it before the next */
    int err_no;               /* errno of the latest failure, 0 when none */
    unsigned long unsynced;   /* lines written since the last fsync */
    int64_t synced_at;        /* when the last fsync ran (the caller's clock) */
    char error[192];          /* the latest write or fsync failure, "" when none */
    char notice[256];         /* said once on open (a link found at the log's name), or "" */
    char *agent, *agent_name; /* written on open records (sessionlog_set_agent), or NULL */
} sessionlog;

/* Creates the sessions directory and a new log in it, YYYY-MM-DD-PID-RANDOM.jsonl after the
 * local date of now_ms at offset tz_min: never following a symbolic link (a link planted at the
 * name makes it pick another and say so in notice), refusing a directory that is not ours or
 * that others may write in, never opening an existing file (O_EXCL). False with a message in
 * err when it cannot. */
bool sessionlog_open(sessionlog *log, int64_t now_ms, int tz_min, char *err, size_t errlen);
/* Appends one event; false when the write failed (counted in failed, described by
 * sessionlog_error). A line written only in part is cut off again (ftruncate), so the file holds
 * only whole lines. A later write tries again, so a disk that recovers loses only what failed. */
bool sessionlog_write(sessionlog *log, const event *ev);
/* Who writes this log (the config's agent_no and agent_name; NULL or "" when unknown): added
 * as "agent" and "agent_name" to every open record without an agent of its own. False when
 * out of memory (the records then go without). */
bool sessionlog_set_agent(sessionlog *log, const char *agent, const char *agent_name);
/* fsyncs lines written since the last sync once SESSIONLOG_SYNC_MS have passed since it (call
 * it from a timer, at least every second). False when fsync failed (see sessionlog_error). */
bool sessionlog_sync(sessionlog *log, int64_t now_ms);
/* When sessionlog_sync next has work to do, INT64_MAX when nothing waits. */
int64_t sessionlog_next_sync(const sessionlog *log);
/* The latest failure in words ("No space left on device"), "" when none. */
const char *sessionlog_error(const sessionlog *log);
/* fsyncs and closes the log. */
void sessionlog_close(sessionlog *log);

#endif
