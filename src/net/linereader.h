/* linereader: JSON Lines input from a file descriptor, one bounded line at a time. */
#ifndef HUASHU_LINEREADER_H
#define HUASHU_LINEREADER_H

#include <stdbool.h>
#include <stddef.h>

typedef enum linereader_status {
    LINE_OK,       /* a complete line (without its newline) */
    LINE_TOO_LONG, /* a line over the limit was skipped whole */
    LINE_AGAIN,    /* non-blocking descriptor with no complete line yet */
    LINE_EOF,
    LINE_ERROR, /* read failed: errno is set */
} linereader_status;

typedef struct linereader {
    int fd;
    char *data;
    size_t cap, start, end; /* unread bytes are data[start..end) */
    size_t max_line;
    bool skipping; /* discarding the rest of an over-long line */
    bool eof;
    unsigned long line_number; /* of the line last returned */
} linereader;

/* Reads from fd lines of at most max_line bytes. False when out of memory. */
bool linereader_init(linereader *r, int fd, size_t max_line);
void linereader_free(linereader *r);
/* Returns the next line in line and len (valid until the next call). A last line without a
 * newline is returned at end of input. */
linereader_status linereader_next(linereader *r, const char **line, size_t *len);

#endif
