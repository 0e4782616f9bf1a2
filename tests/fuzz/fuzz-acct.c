/* SPDX-License-Identifier: MIT */
/* fuzz-acct - libFuzzer target for the accounting reader: src/csv.c (RFC
 * 4180 records from a descriptor) and src/acct.c (columns by name, records
 * into events).
 *
 * The input is the stream PowerMTA would write.  Every record read must
 * become an event, a skip or a refusal; an event's address must be an
 * address in its normalised form; nothing may read or write out of bounds
 * or leak, whatever the quoting, line ends, header changes or lengths.
 */
#include "config.h"

#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <unistd.h>

#include "acct.h"
#include "csv.h"

int LLVMFuzzerTestOneInput (const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput (const uint8_t *data, size_t size)
{
  static struct conf *conf;
  int fd = memfd_create ("acct", MFD_CLOEXEC);
  struct csv_reader *r;
  struct acct_columns *columns = NULL;
  GPtrArray *record = g_ptr_array_new_with_free_func (g_free);
  guint64 line = 0;
  csv_status st;

  if (conf == NULL)
    conf = conf_new_defaults ();
  if (fd < 0 || (size > 0 && write (fd, data, size) != (ssize_t) size) || lseek (fd, 0, SEEK_SET) != 0)
    abort ();
  /* a small record limit, so the over-long path is reached too */
  r = csv_reader_new (fd, 4096);
  while ((st = csv_next (r, record, -1, &line)) != CSV_EOF && st != CSV_ERROR) {
    struct event *e = NULL;
    const char *sender = NULL, *why = NULL;

    if (st != CSV_RECORD)
      continue;
    if (acct_is_header (record)) {
      acct_columns_free (columns);
      columns = acct_columns_new (record);
      continue;
    }
    if (columns == NULL)
      continue;
    switch (acct_record (columns, record, conf, &e, &sender, &why)) {
    case ACCT_EVENT: {
      char *again = e->address != NULL ? event_normalize_address (e->address) : NULL;

      if (e->address != NULL && (again == NULL || strcmp (again, e->address) != 0))
        abort ();
      g_free (again);
      event_free (e);
      break;
    }
    case ACCT_BAD:
      if (why == NULL)
        abort ();
      break;
    case ACCT_SKIPPED: break;
    }
  }
  acct_columns_free (columns);
  csv_reader_free (r);
  g_ptr_array_unref (record);
  close (fd);
  return 0;
}
