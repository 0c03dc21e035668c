#include "config.h"

#include "console/feedlink.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "core/text.h"
#include "intl.h"
#include "net/feed.h"
#include "net/os.h"

#define SYNC_EVERY_MS 1000 /* real milliseconds between sessionlog_sync calls */

struct feedlink {
    app *a;
    console *cs;
    feed *feed;
    char label[96]; /* the status line's left label: "FEED unix: connected · 2 bad" */
    bool sync_failed;
    unsigned sync_timer;
};

/* Rebuilds the status line label from the feed's state and counters. */
static void update_label(feedlink *fl)
{
    const feed_stats *st = feed_get_stats(fl->feed);
    int n = snprintf(fl->label, sizeof fl->label, "%s %s: %s", _("FEED"),
                     feed_kind_name(feed_get_kind(fl->feed)), feed_status(fl->feed));
    if (st->bad_total && n > 0 && (size_t)n < sizeof fl->label)
        snprintf(fl->label + n, sizeof fl->label - (size_t)n,
                 ngettext(" · %lu bad line", " · %lu bad lines", st->bad_total), st->bad_total);
    fl->a->mode_label = fl->label;
    app_mark(fl->a, PANE_STATUS);
}

static void on_event(void *ctx, event *ev)
{
    feedlink *fl = ctx;
    app_feed(fl->a, ev);
}

static void on_status(void *ctx)
{
    feedlink *fl = ctx;
    if (fl->feed)
        update_label(fl);
}

/* A bad line, a bridge's stderr, a drop: shown in the status line for a few seconds (and
 * kept by the feed in its diagnostics log). */
static void on_log(void *ctx, const char *line)
{
    feedlink *fl = ctx;
    app_message(fl->a, true, "%s", line);
}

/* Puts text back into conv's compose line (when the agent has not started another). */
static void restore_draft(app *a, const char *conv, const char *text)
{
    const conversation *c = engine_find(a->engine, conv);
    for (size_t i = 0; c && i < engine_count(a->engine); i++) {
        if (engine_at(a->engine, i) != c)
            continue;
        ui_conv *u = app_conv(a, (int)i);
        if (u && u->draft.len == 0) {
            buf_puts(&u->draft, text);
            u->cursor = u->draft.len;
            app_mark(a, PANE_COMPOSE);
        }
        return;
    }
}

/* How a posted reply (Chatwoot) ended: logged once it went, back in the compose line if not. */
static void on_sent(void *ctx, const char *conv, const char *text, const char *error)
{
    feedlink *fl = ctx;
    app *a = fl->a;
    if (error) {
        buf clean; /* the error may quote the server */
        buf_init(&clean);
        text_sanitize(&clean, error, strlen(error), false);
        app_message(a, true, _("not sent to %s: %s (the line is back in the compose line)"), conv,
                    buf_str(&clean));
        buf_free(&clean);
        restore_draft(a, conv, text);
        return;
    }
    event ev;
    event_init(&ev, EVENT_MESSAGE, conv, app_now(a), a->tz_offset);
    ev.from = FROM_AGENT;
    ev.text = text;
    app_feed(a, &ev);
}

bool feedlink_send(feedlink *fl, app *a, event *ev)
{
    char err[256];
    bool copied;
    switch (feed_send(fl->feed, ev, err, sizeof err)) {
    case FEED_SEND_OK:
        return app_feed(a, ev), true;
    case FEED_SEND_PENDING:
        app_message(a, false, "%s", _("sending..."));
        return true;
    case FEED_SEND_READ_ONLY:
        app_feed(a, ev);
        copied = clipboard_copy(a, ev->text);
        if (copied && clipboard_dropped(a))
            app_message(a, true, "%s", _("tmux drops the copy: set -g set-clipboard on"));
        else if (copied)
            app_message(a, false, "%s", _("copied to clipboard (read-only feed)"));
        else
            app_message(a, true, "%s",
                        _("read-only feed and no clipboard: the line is only logged"));
        return true;
    case FEED_SEND_FAILED:
        app_message(a, true, _("not sent: %s"), err);
        return false;
    }
    return false;
}

bool feedlink_live(const feedlink *fl)
{
    return fl && fl->feed;
}

size_t feedlink_log_count(const feedlink *fl)
{
    return feed_log_count(fl->feed);
}

const char *feedlink_log_line(const feedlink *fl, size_t i)
{
    return feed_log_at(fl->feed, i);
}

/* Every real second: fsync the session log when lines wait (sessionlog_sync decides). */
static void sync_tick(void *ctx, unsigned id, int64_t now)
{
    feedlink *fl = ctx;
    console *cs = fl->cs;
    if (cs->logging && !sessionlog_sync(&cs->log, os_mono_ms())) {
        if (!fl->sync_failed)
            app_message(fl->a, true, "%s", sessionlog_error(&cs->log));
        fl->sync_failed = true;
    } else {
        fl->sync_failed = false;
    }
    double scale = loop_clock_scale(cs->loop);
    fl->sync_timer = loop_timer_at(cs->loop, loop_now(cs->loop) + (int64_t)(SYNC_EVERY_MS * scale),
                                   sync_tick, fl);
}

feedlink *feedlink_start(console *cs, const char *spec, config *cfg, char *err, size_t errlen)
{
    feedlink *fl = calloc(1, sizeof *fl);
    if (!fl) {
        snprintf(err, errlen, "out of memory");
        return NULL;
    }
    app *a = &cs->a;
    fl->a = a;
    fl->cs = cs;
    if (spec && *spec) {
        feed_options opt = {.config = cfg, .keyboard_from_tty = true};
        feed_callbacks cb = {on_event, on_status, on_log, on_sent, fl};
        fl->feed = feed_open(spec, cs->loop, &opt, &cb, err, errlen);
        if (!fl->feed) {
            free(fl);
            return NULL;
        }
        update_label(fl);
        a->feed_kind = feed_kind_name(feed_get_kind(fl->feed));
        a->feed_sends = feed_writable(fl->feed);
    }
    fl->sync_timer = loop_timer_at(cs->loop, loop_now(cs->loop), sync_tick, fl);
    return fl;
}

void feedlink_free(feedlink *fl)
{
    if (!fl)
        return;
    if (fl->sync_timer)
        loop_timer_cancel(fl->cs->loop, fl->sync_timer);
    feed_free(fl->feed);
    if (fl->a->mode_label == fl->label)
        fl->a->mode_label = "";
    free(fl);
}
