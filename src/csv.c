/* SPDX-License-Identifier: MIT */
/* csv - RFC 4180 records from a stream.
 *
 * STANDARDS: RFC 4180 2 (quoted fields, "" for a quote, CRLF records; bare
 * LF accepted too).
 */
#include "config.h"

#include <errno.h>
#include <poll.h>
#include <string.h>
#include <unistd.h>

#include "csv.h"

struct csv_reader {
  int fd;
  gsize max_record;
  char buf[65536];
  gsize pos, len;
  gboolean eof;
  guint64 line;         /* lines consumed so far */
  GString *field;       /* the field being read */
  GPtrArray *partial;   /* fields of the record being read */
  gboolean quoted;      /* inside quotes */
  gboolean after_quote; /* just saw the closing quote */
  gboolean skipping;    /* dropping an over-long record to its end */
  gboolean at_start;    /* nothing of the current record read yet */
  gsize record_bytes;
  guint64 record_line;
  guint64 offset; /* bytes read from the descriptor so far */
};

struct csv_reader *
csv_reader_new (int fd, gsize max_record)
{
  struct csv_reader *r = g_new0 (struct csv_reader, 1);

  r->fd = fd;
  r->max_record = max_record;
  r->field = g_string_new (NULL);
  r->partial = g_ptr_array_new_with_free_func (g_free);
  r->at_start = TRUE;
  r->line = 1;
  return r;
}

void
csv_reader_free (struct csv_reader *r)
{
  if (r == NULL)
    return;
  g_string_free (r->field, TRUE);
  g_ptr_array_unref (r->partial);
  g_free (r);
}

/* csv_fill - read more input; 1 got data, 0 end of input, -1 timeout or
 * interrupted, -2 error. */
static int
csv_fill (struct csv_reader *r, int timeout_ms)
{
  struct pollfd pfd = { r->fd, POLLIN, 0 };
  ssize_t n;

  if (timeout_ms >= 0) {
    int rc = poll (&pfd, 1, timeout_ms);

    if (rc == 0 || (rc < 0 && errno == EINTR))
      return -1;
    if (rc < 0)
      return -2;
  }
  n = read (r->fd, r->buf, sizeof r->buf);
  if (n < 0)
    return errno == EINTR ? -1 : -2;
  if (n == 0) {
    r->eof = TRUE;
    return 0;
  }
  r->pos = 0;
  r->len = (gsize) n;
  r->offset += (guint64) n;
  return 1;
}

/* csv_end_field - the field read so far joins the record. */
static void
csv_end_field (struct csv_reader *r)
{
  g_ptr_array_add (r->partial, g_strndup (r->field->str, r->field->len));
  g_string_truncate (r->field, 0);
  r->after_quote = FALSE;
}

/* csv_reset - ready for the next record. */
static void
csv_reset (struct csv_reader *r)
{
  g_ptr_array_set_size (r->partial, 0);
  g_string_truncate (r->field, 0);
  r->quoted = r->after_quote = r->skipping = FALSE;
  r->at_start = TRUE;
  r->record_bytes = 0;
}

/* csv_take - move the finished record into FIELDS. */
static void
csv_take (struct csv_reader *r, GPtrArray *fields)
{
  g_ptr_array_set_size (fields, 0);
  for (guint i = 0; i < r->partial->len; i++)
    g_ptr_array_add (fields, g_steal_pointer (&r->partial->pdata[i]));
  g_ptr_array_set_size (r->partial, 0);
  csv_reset (r);
}

csv_status
csv_next (struct csv_reader *r, GPtrArray *fields, int timeout_ms, guint64 *line)
{
  for (;;) {
    while (r->pos < r->len) {
      char c = r->buf[r->pos++];

      if (r->at_start) {
        r->at_start = FALSE;
        r->record_line = r->line;
      }
      if (c == '\n')
        r->line++;
      if (++r->record_bytes > r->max_record && !r->skipping) {
        r->skipping = TRUE;
        g_ptr_array_set_size (r->partial, 0);
        g_string_truncate (r->field, 0);
      }
      if (r->skipping) {
        /* drop to the end of the physical line */
        if (c == '\n') {
          *line = r->record_line;
          csv_reset (r);
          return CSV_MALFORMED;
        }
        continue;
      }
      if (r->quoted) {
        if (c == '"') {
          r->quoted = FALSE;
          r->after_quote = TRUE;
        } else {
          /* the run up to the next quote, in one piece */
          const char *start = r->buf + r->pos - 1;
          const char *q = memchr (start, '"', r->len - (r->pos - 1));
          gsize run = q != NULL ? (gsize) (q - start) : r->len - (r->pos - 1);

          for (gsize k = 1; k < run; k++)
            if (start[k] == '\n')
              r->line++;
          g_string_append_len (r->field, start, (gssize) run);
          r->pos += run - 1;
          r->record_bytes += run - 1;
        }
        continue;
      }
      if (c != '"' && c != ',' && c != '\n' && c != '\r' && !r->after_quote) {
        /* an ordinary run of an unquoted field, in one piece */
        const char *start = r->buf + r->pos - 1;
        gsize run = 1;

        while (r->pos - 1 + run < r->len) {
          char d = start[run];

          if (d == '"' || d == ',' || d == '\n' || d == '\r')
            break;
          run++;
        }
        g_string_append_len (r->field, start, (gssize) run);
        r->pos += run - 1;
        r->record_bytes += run - 1;
        continue;
      }
      if (c == '"') {
        if (r->after_quote) { /* "" inside quotes */
          g_string_append_c (r->field, '"');
          r->quoted = TRUE;
          r->after_quote = FALSE;
        } else if (r->field->len == 0) {
          r->quoted = TRUE;
        } else {
          g_string_append_c (r->field, c); /* a stray quote inside an unquoted field */
        }
      } else if (c == ',') {
        csv_end_field (r);
      } else if (c == '\n') {
        if (r->field->len > 0 && r->field->str[r->field->len - 1] == '\r' && !r->after_quote)
          g_string_truncate (r->field, r->field->len - 1);
        if (r->partial->len == 0 && r->field->len == 0 && !r->after_quote) {
          csv_reset (r); /* an empty line */
          continue;
        }
        csv_end_field (r);
        *line = r->record_line;
        csv_take (r, fields);
        return CSV_RECORD;
      } else if (c == '\r' && r->after_quote) {
        /* CR of CRLF after a closing quote */
      } else {
        g_string_append_c (r->field, c);
      }
    }
    if (r->eof) {
      if (r->record_bytes == 0)
        return CSV_EOF;
      *line = r->record_line;
      if (r->quoted || r->skipping) {
        csv_reset (r);
        return CSV_MALFORMED;
      }
      if (r->field->len > 0 && r->field->str[r->field->len - 1] == '\r')
        g_string_truncate (r->field, r->field->len - 1);
      csv_end_field (r);
      csv_take (r, fields);
      return CSV_RECORD;
    }
    switch (csv_fill (r, timeout_ms)) {
    case 1:
    case 0: break;
    case -1: return CSV_TIMEOUT;
    default: return CSV_ERROR;
    }
  }
}

guint64
csv_reader_offset (const struct csv_reader *r)
{
  return r->offset;
}
