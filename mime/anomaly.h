/* SPDX-License-Identifier: MIT */
/* anomaly - what was wrong with a message, as a bitmask.
 *
 * Bad mail is data: a parser that meets a limit or a defect sets a bit and
 * goes on; every message still yields a result.
 */
#ifndef RECOIL_ANOMALY_H
#define RECOIL_ANOMALY_H

#include <glib.h>

typedef enum {
  ANOMALY_EMPTY = 1 << 0,          /* no bytes, or no headers */
  ANOMALY_TOO_LARGE = 1 << 1,      /* input over the size cap; the rest ignored */
  ANOMALY_TOO_DEEP = 1 << 2,       /* MIME nesting over the depth cap */
  ANOMALY_TOO_MANY_PARTS = 1 << 3, /* more parts than the cap */
  ANOMALY_LONG_HEADER = 1 << 4,    /* a header or field over the length cap */
  ANOMALY_TOO_MANY_RCPTS = 1 << 5, /* more recipients in a report than the cap */
  ANOMALY_UNPARSEABLE = 1 << 6,    /* not a MIME message at all */
  ANOMALY_BAD_CHARSET = 1 << 7,    /* text that is not valid in its charset */
  ANOMALY_NO_RECIPIENT = 1 << 8,   /* a bounce or report naming nobody */
  ANOMALY_BAD_REPORT = 1 << 9,     /* a report part without usable fields */
  ANOMALY_NUL_BYTES = 1 << 10,     /* NUL bytes in the input */
  ANOMALY_BAD_BOUNDARY = 1 << 11,  /* a multipart whose boundary never appears */
  ANOMALY_BAD_ADDRESS = 1 << 12,   /* a recipient field holds something that is not an address */
  ANOMALY_COUNT_ = 13
} anomaly;

/* anomaly_names - the names of the bits set in MASK, as a NULL-terminated
 * array of static strings ("too-large", ...); caller frees the array only,
 * with g_free. */
const char **anomaly_names (unsigned mask);

#endif
