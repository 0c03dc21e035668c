#include "config.h"

#include "ui/crash.h"

#include <curses.h>
#include <signal.h>
#include <stdbool.h>
#include <string.h>
#include <term.h>
#include <termios.h>
#include <unistd.h>

static const int fatal_signals[] = {SIGSEGV, SIGBUS, SIGFPE, SIGILL, SIGABRT};
#define FATAL_COUNT (sizeof fatal_signals / sizeof fatal_signals[0])

/* A signal handler can reach nothing else: this is the one state outside the app struct. It is
 * written before the handlers are installed and only read by them. */
static struct {
    struct termios modes;
    bool have_modes;
    char reset[256]; /* bytes that give the terminal back, computed while it is safe to */
    size_t reset_len;
    struct sigaction previous[FATAL_COUNT];
    bool installed;
} guard;

void crash_guard_save_modes(void)
{
    guard.have_modes = tcgetattr(STDIN_FILENO, &guard.modes) == 0;
}

/* Appends s (a terminfo string, or a literal sequence) to the reset bytes if it fits. */
static void reset_add(const char *s)
{
    if (!s || s == (const char *)-1)
        return;
    size_t n = strlen(s);
    if (guard.reset_len + n < sizeof guard.reset) {
        memcpy(guard.reset + guard.reset_len, s, n);
        guard.reset_len += n;
    }
}

/* Writes what gives the terminal back; only async-signal-safe calls. */
static void give_terminal_back(void)
{
    static const char said[] = "\r\nhuashu crashed; the terminal is restored.\r\n";
    if (guard.have_modes)
        tcsetattr(STDIN_FILENO, TCSADRAIN, &guard.modes);
    if (write(STDOUT_FILENO, guard.reset, guard.reset_len) < 0 ||
        write(STDERR_FILENO, said, sizeof said - 1) < 0) {
        /* the terminal is gone: nothing more to do */
    }
}

/* The handler: the terminal first, then the handler that was there before. A fault (si_code >
 * 0) happens again when this returns, under that handler, with its real context (a sanitizer
 * reports it as usual); a signal sent by kill is raised again. */
static void on_fatal(int signo, siginfo_t *info, void *context)
{
    (void)context;
    give_terminal_back();
    for (size_t i = 0; i < FATAL_COUNT; i++)
        if (fatal_signals[i] == signo)
            sigaction(signo, &guard.previous[i], NULL);
    if (!info || info->si_code <= 0)
        raise(signo);
}

void crash_guard_install(void)
{
    if (guard.installed)
        return;
    guard.reset_len = 0;
    reset_add("\033[?2004l"); /* bracketed paste off */
    reset_add(tigetstr("sgr0"));
    reset_add(tigetstr("cnorm"));
    reset_add(tigetstr("rmkx"));
    reset_add(tigetstr("rmcup"));
    struct sigaction sa;
    memset(&sa, 0, sizeof sa);
    sa.sa_sigaction = on_fatal;
    sa.sa_flags = SA_SIGINFO;
    sigemptyset(&sa.sa_mask);
    for (size_t i = 0; i < FATAL_COUNT; i++)
        sigaction(fatal_signals[i], &sa, &guard.previous[i]);
    guard.installed = true;
}

void crash_guard_remove(void)
{
    if (!guard.installed)
        return;
    for (size_t i = 0; i < FATAL_COUNT; i++)
        sigaction(fatal_signals[i], &guard.previous[i], NULL);
    guard.installed = false;
}
