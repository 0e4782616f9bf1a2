/* SPDX-License-Identifier: MIT */
/* outbox - provider actions waiting to be carried out
 *
 * A decision becomes outbox entries in the same store transaction as the
 * record change, so no decision is ever lost between the two.  The
 * dispatcher removes an entry when the provider confirmed it, reschedules
 * it on temporary failure and parks it on a permanent one.  Entries are
 * keyed by an increasing 64-bit id and encoded with a version byte.
 */
#ifndef RECOIL_OUTBOX_H
#define RECOIL_OUTBOX_H

#include <glib.h>

#define OUTBOX_VERSION 1

struct outbox_entry {
  guint64 id;     /* assigned by the store */
  char *provider; /* [provider NAME] */
  char *action;   /* "unsubscribe", "blocklist", "record" */
  int scope;      /* enum provider_scope */
  char *address;
  char *list_id, *campaign_id, *subscriber_id; /* identity hints, may be NULL */
  char *reason;                                /* "hard", "soft", "complaint", "unsubscribe" */
  char *status;                                /* bounce status, may be NULL */
  gint64 created;
  gint64 next_try; /* unix seconds */
  guint32 attempts;
  gboolean parked; /* a permanent failure waits for the operator */
  char *answer;    /* the provider's last answer, may be NULL */
};

/* outbox_entry_clear - free what E owns. */
void outbox_entry_clear (struct outbox_entry *e);

/* outbox_entry_free - clear and free E; NULL is fine. */
void outbox_entry_free (struct outbox_entry *e);

/* outbox_encode - E as bytes (its id is the key, not part of them).
 * Caller frees with g_bytes_unref. */
GBytes *outbox_encode (const struct outbox_entry *e);

/* outbox_decode - E from DATA (LEN bytes); FALSE for an unknown version or
 * bad bytes (E then cleared). */
gboolean outbox_decode (const void *data, gsize len, struct outbox_entry *e);

#endif
