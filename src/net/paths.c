#include "net/paths.h"

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <pwd.h>
#include <sys/stat.h>
#include <sys/types.h>
#include <unistd.h>

#include "net/scriptconv.h"

#include "core/playbook.h"

#define MAX_FILE (16u << 20)

char *paths_read_file(const char *path, size_t *len)
{
    FILE *f = fopen(path, "rb");
    if (!f)
        return NULL;
    size_t cap = 8192, n = 0;
    char *data = malloc(cap);
    while (data) {
        if (n + 1 >= cap) {
            char *grown = cap >= MAX_FILE ? NULL : realloc(data, cap * 2);
            if (!grown) {
                free(data);
                data = NULL;
                errno = cap >= MAX_FILE ? EFBIG : ENOMEM;
                break;
            }
            data = grown;
            cap *= 2;
        }
        size_t got = fread(data + n, 1, cap - n - 1, f);
        n += got;
        if (got == 0) {
            if (ferror(f)) {
                free(data);
                data = NULL;
                errno = EIO;
            }
            break;
        }
    }
    fclose(f);
    if (data) {
        data[n] = '\0';
        *len = n;
    }
    return data;
}

static char *join(const char *a, const char *b, const char *c)
{
    size_t n = strlen(a) + strlen(b) + strlen(c) + 1;
    char *p = malloc(n);
    if (p)
        snprintf(p, n, "%s%s%s", a, b, c);
    return p;
}

static bool is_file(const char *path)
{
    struct stat st;
    return stat(path, &st) == 0 && S_ISREG(st.st_mode);
}

/* The home directory: $HOME when absolute, else the password database's entry; NULL (said
 * once on stderr) when neither: never a shared directory such as /tmp, where anyone could
 * plant a config with an exec: feed. */
static const char *home_dir(void)
{
    const char *home = getenv("HOME");
    if (home && home[0] == '/')
        return home;
    struct passwd *pw = getpwuid(getuid());
    if (pw && pw->pw_dir && pw->pw_dir[0] == '/')
        return pw->pw_dir;
    static bool said;
    if (!said)
        fprintf(stderr, "huashu: no home directory (HOME is not set and the password database "
                        "has none): set HOME, or XDG_CONFIG_HOME and XDG_STATE_HOME\n");
    said = true;
    errno = ENOENT;
    return NULL;
}

/* $VAR when set and absolute, else HOME/fallback (malloc'd); NULL without a home. */
static char *xdg_dir(const char *var, const char *fallback)
{
    const char *v = getenv(var);
    if (v && v[0] == '/')
        return strdup(v);
    const char *home = home_dir();
    return home ? join(home, "/", fallback) : NULL;
}

bool paths_file_trusted(const char *path, char *why, size_t cap)
{
    struct stat st;
    if (stat(path, &st) != 0)
        return true; /* reading it will say what is wrong */
    if (st.st_mode & S_IWOTH) {
        snprintf(why, cap,
                 "refused: anyone may write to it (mode %04o), so anyone could make huashu run "
                 "their command (an exec: feed) or send their lines; fix it with: chmod o-w %s",
                 (unsigned)(st.st_mode & 07777), path);
        return false;
    }
    if (st.st_uid != geteuid() && st.st_uid != 0) {
        snprintf(why, cap,
                 "refused: it belongs to another user (uid %ld), who could make huashu run their "
                 "command (an exec: feed) or send their lines; fix it with: chown %ld %s",
                 (long)st.st_uid, (long)geteuid(), path);
        return false;
    }
    return true;
}

/* True when a and b name the same file. */
static bool same_file(const char *a, const char *b)
{
    struct stat sa, sb;
    return a && b && stat(a, &sa) == 0 && stat(b, &sb) == 0 && sa.st_dev == sb.st_dev &&
           sa.st_ino == sb.st_ino;
}

/* Tries dir/rel; returns the path when it exists and is not the file `except`. */
static char *try_dir(const char *dir, const char *rel, const char *except)
{
    char *p = join(dir, "/", rel);
    if (p && is_file(p) && !same_file(p, except))
        return p;
    free(p);
    return NULL;
}

/* The running program's path (readlink, which valgrind answers for its client; a stat of
 * /proc/self/exe would see valgrind itself) into exe; false when unknown. */
static bool program_path(char *exe, size_t cap)
{
    ssize_t n = readlink("/proc/self/exe", exe, cap - 1);
    if (n <= 0)
        return false;
    exe[n] = '\0';
    return exe[0] == '/';
}

/* The directory of the running program (malloc'd), NULL when unknown. */
static char *program_dir(void)
{
    char exe[4096];
    if (!program_path(exe, sizeof exe))
        return NULL;
    *strrchr(exe, '/') = '\0';
    return strdup(exe);
}

/* True when s ends with tail. */
static bool ends_with(const char *s, const char *tail)
{
    size_t n = strlen(s), t = strlen(tail);
    return n >= t && strcmp(s + n - t, tail) == 0;
}

char *paths_relocate(const char *installed)
{
    const char *prefix = HUASHU_PREFIX, *bindir = HUASHU_BINDIR;
    size_t np = strlen(prefix);
    if (np == 1 && prefix[0] == '/')
        np = 0; /* prefix "/": bindir "/bin" */
    char *dir = program_dir();
    char *moved = NULL;
    /* bindir is prefix + tail ("/bin") and installed is prefix + rest ("/share/huashu") */
    if (dir && !strncmp(bindir, prefix, np) && !strncmp(installed, prefix, np) &&
        bindir[np] == '/' && strcmp(dir, bindir) && ends_with(dir, bindir + np)) {
        dir[strlen(dir) - strlen(bindir + np)] = '\0';
        moved = join(dir, installed + np, "");
    }
    free(dir);
    return moved;
}

char *paths_localedir(void)
{
    const char *env = getenv("HUASHU_LOCALEDIR");
    if (env && *env)
        return strdup(env);
    char exe[4096];
    if (program_path(exe, sizeof exe) && same_file(exe, HUASHU_BUILD_PROGRAM))
        return strdup(HUASHU_BUILD_LOCALEDIR);
    char *moved = paths_relocate(LOCALEDIR);
    struct stat st;
    if (moved && stat(moved, &st) == 0 && S_ISDIR(st.st_mode))
        return moved;
    free(moved);
    return strdup(LOCALEDIR);
}

/* The first data file rel found, skipping the file `except` (a playbook extending its
 * bundled namesake must not find itself). */
static char *find_data(const char *rel, const char *except)
{
    char *found = NULL;
    char *home = xdg_dir("XDG_DATA_HOME", ".local/share");
    char *user = home ? join(home, "/huashu", "") : NULL;
    free(home);
    if (user && (found = try_dir(user, rel, except))) {
        free(user);
        return found;
    }
    free(user);
    const char *env = getenv("HUASHU_DATA");
    if (env && *env && (found = try_dir(env, rel, except)))
        return found;
    const char *dirs = getenv("XDG_DATA_DIRS");
    char *copy = strdup(dirs && *dirs ? dirs : "/usr/local/share:/usr/share");
    for (char *save = NULL, *d = copy ? strtok_r(copy, ":", &save) : NULL; d && !found;
         d = strtok_r(NULL, ":", &save)) {
        char *sub = join(d, "/huashu", "");
        found = sub ? try_dir(sub, rel, except) : NULL;
        free(sub);
    }
    free(copy);
    char *moved = found ? NULL : paths_relocate(HUASHU_DATADIR);
    if (moved)
        found = try_dir(moved, rel, except);
    free(moved);
    if (!found)
        found = try_dir(HUASHU_DATADIR, rel, except);
    if (!found)
        found = try_dir(HUASHU_SRCDATADIR, rel, except);
    return found;
}

char *paths_find_data(const char *rel)
{
    return find_data(rel, NULL);
}

char *paths_config_file(void)
{
    char *dir = xdg_dir("XDG_CONFIG_HOME", ".config");
    char *p = dir ? join(dir, "/huashu/config.yaml", "") : NULL;
    free(dir);
    return p;
}

char *paths_state_dir(const char *sub)
{
    char *dir = xdg_dir("XDG_STATE_HOME", ".local/state");
    char *p = dir ? join(dir, "/huashu/", sub) : NULL;
    free(dir);
    return p;
}

/* True when name looks like a path rather than a playbook id. */
static bool looks_like_path(const char *name)
{
    size_t n = strlen(name);
    return strchr(name, '/') || (n > 5 && strcmp(name + n - 5, ".yaml") == 0) ||
           (n > 4 && strcmp(name + n - 4, ".yml") == 0);
}

char *paths_read_playbook(void *ctx, const char *name, const char *from, size_t *len, char **path)
{
    (void)ctx;
    char *p = NULL;
    if (looks_like_path(name)) {
        const char *slash = from && name[0] != '/' ? strrchr(from, '/') : NULL;
        if (slash) {
            p = malloc((size_t)(slash - from) + strlen(name) + 2);
            if (p)
                sprintf(p, "%.*s/%s", (int)(slash - from), from, name);
        } else {
            p = strdup(name);
        }
    } else {
        char *rel = join("playbooks/", name, ".yaml");
        p = rel ? find_data(rel, from) : NULL;
        free(rel);
    }
    char *data = p ? paths_read_file(p, len) : NULL;
    if (!data) {
        free(p);
        return NULL;
    }
    *path = p;
    return data;
}

/* ---- the playbook cache: parsed YAML kept in $XDG_CACHE_HOME/huashu/playbooks ------------ */

/* The cache file of a playbook file: named by a hash of its path; an image holds the text it
 * was made from, so a changed file is never read from a stale one. */
static char *image_path(const char *file)
{
    uint64_t h = 0xcbf29ce484222325ull; /* FNV-1a */
    for (const unsigned char *p = (const unsigned char *)file; *p; p++)
        h = (h ^ *p) * 0x100000001b3ull;
    char name[32];
    snprintf(name, sizeof name, "/%016llx.yc", (unsigned long long)h);
    char *dir = xdg_dir("XDG_CACHE_HOME", ".cache");
    char *p = dir ? join(dir, "/huashu/playbooks", name) : NULL;
    free(dir);
    return p;
}

static char *image_get(void *ctx, const char *file, size_t *len)
{
    char *path = image_path(file);
    char *image = path ? paths_read_file(path, len) : NULL;
    free(path);
    return image;
}

/* Creates each missing directory of path up to its last '/', private to the user. */
static bool make_parents(char *path)
{
    for (char *s = strchr(path + 1, '/'); s; s = strchr(s + 1, '/')) {
        *s = '\0';
        bool ok = mkdir(path, 0700) == 0 || errno == EEXIST;
        *s = '/';
        if (!ok)
            return false;
    }
    return true;
}

/* Writes the image to a temporary file beside its place, then renames it there: a reader
 * sees the old image or the new one, never half of one. */
static void image_put(void *ctx, const char *file, const char *image, size_t len)
{
    char *path = image_path(file);
    char *tmp = path ? join(path, ".XXXXXX", "") : NULL;
    int fd = tmp && make_parents(tmp) ? mkstemp(tmp) : -1;
    if (fd >= 0) {
        bool ok = true;
        for (size_t done = 0; ok && done < len;) {
            ssize_t n = write(fd, image + done, len - done);
            ok = n > 0 || (n < 0 && errno == EINTR);
            done += n > 0 ? (size_t)n : 0;
        }
        if (close(fd) != 0 || !ok || rename(tmp, path) != 0)
            unlink(tmp);
    }
    free(tmp);
    free(path);
}

static const yamldoc_cache playbook_cache = {image_get, image_put, NULL};

/* Loads a playbook; with detect, also trains its customer-message detector (OpenCC and the
 * classifier: most of a start-up's instructions, so commands that never read a customer
 * message skip it). */
static playbook *load_playbook(const char *name, bool detect, diagnostics *d)
{
    playbook_set_cache(&playbook_cache);
    size_t len;
    char *path = NULL;
    char *data = paths_read_playbook(NULL, name, NULL, &len, &path);
    if (!data) {
        diag_add(d, name, 0, 0, "cannot read playbook: %s",
                 looks_like_path(name) ? strerror(errno) : "no bundled playbook of that name");
        free(path);
        return NULL;
    }
    playbook *pb = playbook_load(path, data, len, paths_read_playbook, NULL, d);
    free(data);
    free(path);
    if (pb && detect && !scriptconv_train(pb, d)) {
        playbook_free(pb);
        return NULL;
    }
    return pb;
}

playbook *paths_load_playbook(const char *name, diagnostics *d)
{
    return load_playbook(name, true, d);
}

const char *paths_default_playbook(void)
{
    const char *vars[] = {"LC_ALL", "LC_MESSAGES", "LANG"};
    for (size_t i = 0; i < 3; i++) {
        const char *v = getenv(vars[i]);
        if (!v || !*v)
            continue;
        if (!strncmp(v, "zh_TW", 5) || !strncmp(v, "zh_HK", 5) || !strncmp(v, "zh_MO", 5))
            return "zh_TW";
        if (!strncmp(v, "en", 2))
            return "en";
        return "zh_CN";
    }
    return "zh_CN";
}

config *paths_load_config(const char *path, diagnostics *d)
{
    char *own = path ? NULL : paths_config_file();
    const char *file = path ? path : own;
    size_t len = 0;
    char why[512];
    if (file && !paths_file_trusted(file, why, sizeof why)) {
        diag_add(d, file, 0, 0, "%s", why);
        free(own);
        return config_defaults();
    }
    char *data = file ? paths_read_file(file, &len) : NULL;
    config *c;
    if (!data) {
        if (path || (file && errno != ENOENT))
            diag_add(d, file ? file : "config", 0, 0, "cannot read: %s", strerror(errno));
        c = config_defaults();
    } else {
        c = config_load(file, data, len, d);
    }
    free(data);
    free(own);
    return c;
}

static playbook *choose_playbook(const char *requested, const config *cfg, bool detect,
                                 diagnostics *d)
{
    if (requested && *requested)
        return load_playbook(requested, detect, d);
    config *own = NULL;
    if (!cfg) {
        diagnostics ignored; /* a broken config is reported by the commands that use it */
        diag_init(&ignored);
        cfg = own = paths_load_config(NULL, &ignored);
        diag_free(&ignored);
    }
    const char *name = cfg ? config_string(cfg, "playbook") : NULL;
    playbook *pb = load_playbook(name && *name ? name : paths_default_playbook(), detect, d);
    config_free(own);
    return pb;
}

playbook *paths_choose_playbook(const char *requested, const config *cfg, diagnostics *d)
{
    return choose_playbook(requested, cfg, true, d);
}

static playbook *command_playbook(const char *requested, bool detect)
{
    diagnostics d;
    diag_init(&d);
    playbook *pb = choose_playbook(requested, NULL, detect, &d);
    fputs(buf_str(&d.text), stderr);
    diag_free(&d);
    return pb;
}

playbook *paths_command_playbook(const char *requested)
{
    return command_playbook(requested, true);
}

playbook *paths_command_rules(const char *requested)
{
    return command_playbook(requested, false);
}
