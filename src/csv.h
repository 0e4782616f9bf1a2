/* SPDX-License-Identifier: MIT */
/* csv - a streaming RFC 4180 record reader over a file descriptor
 *
 * Quoted fields may hold commas, doubled quotes and line breaks; records
 * end with CRLF or LF.  There is no line length limit other than
 * MAX_RECORD, past which the record is skipped as malformed (and the rest
 * of the stream goes on).  Reading can wait with a timeout, so a caller fed
 * by a slow pipe can commit what it has between records.
 */
#ifndef RECOIL_CSV_H
#define RECOIL_CSV_H

#include <glib.h>

typedef enum {
  CSV_RECORD,    /* FIELDS holds a record */
  CSV_MALFORMED, /* a record was skipped (too long, or a quote never closed) */
  CSV_TIMEOUT,   /* nothing complete arrived within the timeout */
  CSV_EOF,       /* end of input */
  CSV_ERROR      /* the read failed (errno set); EINTR is returned as CSV_TIMEOUT */
} csv_status;

struct csv_reader;

/* csv_reader_new - read from FD (not closed by the reader); records over
 * MAX_RECORD bytes are skipped.  Free with csv_reader_free. */
struct csv_reader *csv_reader_new (int fd, gsize max_record);
void csv_reader_free (struct csv_reader *r);

/* csv_next - the next record into FIELDS (cleared first; of char *, owned
 * by FIELDS), waiting at most TIMEOUT_MS for input (-1: forever).  *LINE
 * gets the line number the record starts on. */
csv_status csv_next (struct csv_reader *r, GPtrArray *fields, int timeout_ms, guint64 *line);

/* csv_reader_offset - bytes read from the descriptor so far (for progress). */
guint64 csv_reader_offset (const struct csv_reader *r);

#endif
