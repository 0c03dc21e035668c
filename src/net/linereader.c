#include "net/linereader.h"

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

bool linereader_init(linereader *r, int fd, size_t max_line)
{
    memset(r, 0, sizeof *r);
    r->fd = fd;
    r->max_line = max_line;
    r->cap = max_line + 1 < 65536 ? 65536 : max_line + 1;
    r->data = malloc(r->cap);
    return r->data != NULL;
}

void linereader_free(linereader *r)
{
    free(r->data);
    r->data = NULL;
}

/* Moves unread bytes to the front and reads more; returns bytes read, 0 at EOF, -1 on error. */
static ssize_t fill(linereader *r)
{
    if (r->start > 0) {
        memmove(r->data, r->data + r->start, r->end - r->start);
        r->end -= r->start;
        r->start = 0;
    }
    for (;;) {
        ssize_t n = read(r->fd, r->data + r->end, r->cap - r->end);
        if (n < 0 && errno == EINTR)
            continue;
        if (n > 0)
            r->end += (size_t)n;
        return n;
    }
}

linereader_status linereader_next(linereader *r, const char **line, size_t *len)
{
    for (;;) {
        char *nl = memchr(r->data + r->start, '\n', r->end - r->start);
        if (nl) {
            size_t n = (size_t)(nl - (r->data + r->start));
            const char *begin = r->data + r->start;
            r->start += n + 1;
            r->line_number++;
            if (r->skipping || n > r->max_line) {
                r->skipping = false;
                return LINE_TOO_LONG;
            }
            *line = begin;
            *len = n > 0 && begin[n - 1] == '\r' ? n - 1 : n;
            return LINE_OK;
        }
        if (r->end - r->start > r->max_line) { /* no newline within the limit */
            r->skipping = true;
            r->start = r->end;
        }
        if (r->eof) {
            if (r->start == r->end) {
                if (r->skipping) {
                    r->skipping = false;
                    r->line_number++;
                    return LINE_TOO_LONG;
                }
                return LINE_EOF;
            }
            *line = r->data + r->start;
            *len = r->end - r->start;
            r->start = r->end;
            r->line_number++;
            return r->skipping ? LINE_TOO_LONG : LINE_OK;
        }
        ssize_t got = fill(r);
        if (got == 0)
            r->eof = true;
        else if (got < 0)
            return errno == EAGAIN || errno == EWOULDBLOCK ? LINE_AGAIN : LINE_ERROR;
    }
}
