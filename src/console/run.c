/* The console's loop: one poll() loop for the keyboard, the feeds, the lookups, the signals
 * and the timers; each turn runs what is due on the screen (app_tick), redraws what changed
 * (app_render) and sleeps until the next wake-up (app_next_wakeup). */
#include "config.h"

#include <poll.h>
#include <signal.h>
#include <unistd.h>

#include "console/console.h"

static void on_signal(void *ctx, int signo)
{
    app *a = &((console *)ctx)->a;
    if (signo == SIGWINCH) {
        a->resize_pending = true;
    } else if (signo == SIGTSTP) {
        a->suspend_pending = true;
    } else if (signo == SIGCONT) {
        a->resize_pending = true;
        a->full_redraw = true;
    } else {
        a->running = false;
        a->exit_status = 128 + signo;
    }
}

static const int caught_signals[] = {SIGWINCH, SIGTERM, SIGHUP, SIGINT, SIGTSTP, SIGCONT};

static bool catch_signals(console *cs)
{
    return loop_catch_signals(cs->loop, caught_signals,
                              sizeof caught_signals / sizeof caught_signals[0], on_signal, cs);
}

bool console_watch(console *cs)
{
    signal(SIGPIPE, SIG_IGN);
    return loop_watch(cs->loop, STDIN_FILENO, POLLIN, input_on_ready, &cs->a) && catch_signals(cs);
}

/* Puts the terminal back, stops until SIGCONT, then takes the terminal again. */
static void suspend_now(console *cs)
{
    app_suspend(&cs->a);
    signal(SIGTSTP, SIG_DFL);
    kill(getpid(), SIGTSTP);
    app_resume(&cs->a);
    catch_signals(cs);
}

int console_run(console *cs)
{
    app *a = &cs->a;
    while (a->running) {
        app_tick(a, loop_now(cs->loop));
        if (a->suspend_pending)
            suspend_now(cs);
        if (a->resize_pending) /* once, however many SIGWINCH arrived */
            app_resize(a);
        app_render(a);
        if (a->bench_frames && (!cs->demo || demo_done(cs->demo))) {
            app_bench(a);
            break;
        }
        if (!a->running)
            break;
        if (!loop_run_once(cs->loop, app_next_wakeup(a, loop_now(cs->loop)))) {
            a->exit_status = 2;
            break;
        }
    }
    return a->exit_status;
}
