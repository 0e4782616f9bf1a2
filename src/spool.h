/* SPDX-License-Identifier: MIT */
/* spool - accounting records kept durably on this host until the shared
 * store takes them.
 *
 * With [recoil] store = postgresql, the long-lived accounting pipe must
 * neither block PowerMTA while the database is away nor drop what it
 * read.  So the pipe commits each batch to a small LMDB file under the
 * state directory (STATE_DIR/acct-spool) and a forwarder applies the
 * spool to the store from its head, in the order the records were read,
 * dropping each batch once the store has committed it.  A crash between
 * the two applies the batch again, which its fingerprints make harmless:
 * every record counts exactly once.
 *
 * One process forwards at a time (spool_forward_lock); any number may
 * append.
 */
#ifndef RECOIL_SPOOL_H
#define RECOIL_SPOOL_H

#include <glib.h>

#include "mime/event.h"

struct spool;

/* A batch read back from the spool: parallel arrays. */
struct spool_batch {
  GPtrArray *events;  /* of struct event *, owned */
  GPtrArray *senders; /* of char *, owned (entries may be NULL) */
  GPtrArray *origins; /* of char *, owned */
  GByteArray *fps;    /* 32 bytes per event */
  guint64 last;       /* the key of the last record, for spool_drop */
};

/* spool_open - the spool under STATE_DIR (created, mode 0700, when
 * CREATE; otherwise FALSE with no error when there is none). */
gboolean spool_open (const char *state_dir, gboolean create, struct spool **out, GError **error);

void spool_close (struct spool *s);

/* spool_append - N records (the events with their senders, origins and
 * 32-byte fingerprints) committed durably after what is there. */
gboolean spool_append (struct spool *s, guint n, struct event *const *events, char *const *senders,
                       char *const *origins, const guint8 *fps, GError **error);

/* spool_head - up to MAX records from the head into B (cleared first);
 * B->events->len == 0 when the spool is empty. */
gboolean spool_head (struct spool *s, guint max, struct spool_batch *b, GError **error);

/* spool_drop - forget every record up to and including key THROUGH. */
gboolean spool_drop (struct spool *s, guint64 through, GError **error);

/* spool_count - records in the spool (0 on trouble). */
guint64 spool_count (struct spool *s);

/* spool_forward_lock - become the one process that forwards: TRUE when
 * taken (held until spool_close). */
gboolean spool_forward_lock (struct spool *s);

/* spool_path - the spool's directory. */
const char *spool_path (const struct spool *s);

void spool_batch_init (struct spool_batch *b);
void spool_batch_clear (struct spool_batch *b);

/* spool_encode / spool_decode - one record as bytes and back (exposed for
 * the tests); decode returns FALSE for bytes that are not a record. */
GBytes *spool_encode (const struct event *e, const char *sender, const char *origin, const guint8 fp[32]);
gboolean spool_decode (const guint8 *data, gsize len, struct event **e, char **sender, char **origin,
                       guint8 fp[32]);

#endif
