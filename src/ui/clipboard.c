/* clipboard: copy the current line. OSC 52 through the terminal (tmux forwards it with
 * set-clipboard on, and is asked whether it does); wl-copy or xclip as well when a display is
 * known, spawned without a shell and never waited for. */
#include "config.h"

#include <errno.h>
#include <fcntl.h>
#include <poll.h>
#include <signal.h>
#include <spawn.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include "core/buf.h"
#include "ui/app.h"

extern char **environ;

static void base64(buf *out, const unsigned char *s, size_t n)
{
    static const char tab[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";
    for (size_t i = 0; i < n; i += 3) {
        unsigned v = (unsigned)s[i] << 16;
        if (i + 1 < n)
            v |= (unsigned)s[i + 1] << 8;
        if (i + 2 < n)
            v |= s[i + 2];
        char q[4] = {tab[(v >> 18) & 63], tab[(v >> 12) & 63], i + 1 < n ? tab[(v >> 6) & 63] : '=',
                     i + 2 < n ? tab[v & 63] : '='};
        buf_append(out, q, 4);
    }
}

static bool write_all(int fd, const char *p, size_t n)
{
    while (n > 0) {
        ssize_t w = write(fd, p, n);
        if (w < 0 && errno == EINTR)
            continue;
        if (w <= 0)
            return false;
        p += w;
        n -= (size_t)w;
    }
    return true;
}

static bool osc52(const char *text)
{
    buf b;
    buf_init(&b);
    buf_puts(&b, "\033]52;c;");
    base64(&b, (const unsigned char *)text, strlen(text));
    buf_puts(&b, "\a");
    bool ok = !b.failed && write_all(STDOUT_FILENO, b.data, b.len);
    buf_free(&b);
    return ok;
}

/* Starts argv with text on its standard input; false when it cannot be started. */
static bool spawn_with_input(app *a, char *const argv[], const char *text)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_adddup2(&fa, p[0], STDIN_FILENO);
    posix_spawn_file_actions_addclose(&fa, p[1]);
    posix_spawn_file_actions_addopen(&fa, STDOUT_FILENO, "/dev/null", O_WRONLY, 0);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[0]);
    if (rc != 0) {
        close(p[1]);
        return false;
    }
    fcntl(p[1], F_SETFL, O_NONBLOCK);
    bool ok = write_all(p[1], text, strlen(text));
    close(p[1]);
    for (size_t i = 0; i < sizeof a->clip_pids / sizeof a->clip_pids[0]; i++) {
        if (a->clip_pids[i] == 0) {
            a->clip_pids[i] = pid;
            break;
        }
    }
    return ok;
}

/* What tmux's set-clipboard option says, asked once (at most 300 ms) through the tmux client,
 * which finds its server through $TMUX: false when tmux cannot be asked. */
static bool ask_tmux(char *value, size_t cap)
{
    int p[2];
    if (pipe(p) != 0)
        return false;
    posix_spawn_file_actions_t fa;
    posix_spawn_file_actions_init(&fa);
    posix_spawn_file_actions_addopen(&fa, STDIN_FILENO, "/dev/null", O_RDONLY, 0);
    posix_spawn_file_actions_adddup2(&fa, p[1], STDOUT_FILENO);
    posix_spawn_file_actions_addclose(&fa, p[0]);
    posix_spawn_file_actions_addopen(&fa, STDERR_FILENO, "/dev/null", O_WRONLY, 0);
    char *const argv[] = {"tmux", "show-options", "-gv", "set-clipboard", NULL};
    pid_t pid;
    int rc = posix_spawnp(&pid, argv[0], &fa, NULL, argv, environ);
    posix_spawn_file_actions_destroy(&fa);
    close(p[1]);
    size_t n = 0;
    bool ended = false; /* its output closed: it is exiting */
    struct pollfd pfd = {.fd = p[0], .events = POLLIN};
    while (rc == 0 && poll(&pfd, 1, 300) > 0) {
        char chunk[64];
        ssize_t got = read(p[0], chunk, sizeof chunk);
        if (got < 0 && errno == EINTR)
            continue;
        if (got <= 0) {
            ended = got == 0;
            break;
        }
        size_t keep = (size_t)got < cap - 1 - n ? (size_t)got : cap - 1 - n;
        memcpy(value + n, chunk, keep);
        n += keep;
    }
    close(p[0]);
    value[n] = '\0';
    if (rc != 0)
        return false;
    if (!ended) /* it did not answer in time */
        kill(pid, SIGKILL);
    waitpid(pid, NULL, 0);
    if (!ended)
        return false;
    value[strcspn(value, "\n")] = '\0';
    return n > 0;
}

bool clipboard_dropped(app *a)
{
    const char *tmux = getenv("TMUX"), *wayland = getenv("WAYLAND_DISPLAY"),
               *x11 = getenv("DISPLAY");
    if (!a->opt.osc52 || !tmux || !*tmux || (wayland && *wayland) || (x11 && *x11))
        return false;
    if (a->tmux_clipboard == 0) {
        char value[32];
        a->tmux_clipboard = ask_tmux(value, sizeof value) && strcmp(value, "on") ? 2 : 1;
    }
    return a->tmux_clipboard == 2;
}

bool clipboard_copy(app *a, const char *text)
{
    bool ok = a->opt.osc52 && osc52(text);
    const char *wayland = getenv("WAYLAND_DISPLAY"), *x11 = getenv("DISPLAY");
    if (wayland && *wayland) {
        char *const argv[] = {"wl-copy", NULL};
        ok = spawn_with_input(a, argv, text) || ok;
    } else if (x11 && *x11) {
        char *const argv[] = {"xclip", "-selection", "clipboard", NULL};
        ok = spawn_with_input(a, argv, text) || ok;
    }
    clipboard_reap(a);
    return ok;
}

void clipboard_reap(app *a)
{
    for (size_t i = 0; i < sizeof a->clip_pids / sizeof a->clip_pids[0]; i++)
        if (a->clip_pids[i] > 0 && waitpid(a->clip_pids[i], NULL, WNOHANG) != 0)
            a->clip_pids[i] = 0;
}
