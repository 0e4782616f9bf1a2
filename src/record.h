/* SPDX-License-Identifier: MIT */
/* record - what recoil remembers about one address, and its encoding
 *
 * A record is kept per normalised address (event_normalize_address: local
 * part as it is, domain lower-cased) in the store's `addresses` database.
 * The encoding starts with a version byte; decoding a version it does not
 * know, or bytes that do not add up, is an error rather than garbage.
 */
#ifndef RECOIL_RECORD_H
#define RECOIL_RECORD_H

#include <glib.h>

#define RECORD_VERSION 2

typedef enum {
  RECORD_ACTIVE = 0,
  RECORD_SUPPRESSED,  /* bounced or complained past a threshold */
  RECORD_UNSUBSCRIBED /* asked to be removed */
} record_state;

struct record {
  guint32 hard;         /* hard bounces counted */
  guint32 soft;         /* soft bounces counted (at most one a day, reset after a quiet window) */
  guint32 ignored;      /* sender-side bounces seen, never counted against the address */
  guint32 complaints;   /* feedback-loop complaints */
  guint32 unsubscribes; /* unsubscribe requests */
  gint64 first_bounce;  /* unix seconds, 0 if none */
  gint64 last_bounce;
  gint64 recent[3];     /* the last three bounce times, newest first */
  gint64 last_soft_day; /* day number of the last soft bounce counted, -1 if none */
  gint64 changed;       /* when the state last changed */
  record_state state;
  gboolean ignore;   /* operator's flag: never act on this address */
  char *last_status; /* owned, may be NULL */
  char *last_reason;
  char *last_category;
  char *state_reason;  /* why the state is what it is ("hard", "complaint", "import", ...) */
  GPtrArray *acted;    /* of char *: "provider" or "provider:list" it was acted on */
  guint64 last_event;  /* the event log's number of the last fact about it, 0 if none; each
                        * fact's entry names the one before ("prev"), a chain back in time */
  guint64 state_event; /* the fact that made the state what it is, 0 if none (or imported) */
};

#define RECORD_ERROR record_error_quark ()
GQuark record_error_quark (void);

typedef enum {
  RECORD_ERROR_VERSION, /* written by a newer recoil */
  RECORD_ERROR_CORRUPT  /* truncated or inconsistent bytes */
} record_error_code;

/* record_init / record_clear - an empty active record; free what R owns. */
void record_init (struct record *r);
void record_clear (struct record *r);

/* record_encode - R as bytes (version byte first).  Caller frees with
 * g_bytes_unref. */
GBytes *record_encode (const struct record *r);

/* record_decode - fill R (initialised by this call) from DATA (LEN bytes);
 * FALSE with ERROR (RECORD_ERROR_VERSION, RECORD_ERROR_CORRUPT) otherwise,
 * R then empty. */
gboolean record_decode (const void *data, gsize len, struct record *r, GError **error);

/* record_state_name / record_state_parse - "active", "suppressed",
 * "unsubscribed". */
const char *record_state_name (record_state state);
gboolean record_state_parse (const char *name, record_state *state);

/* record_acted_add - remember that WHO ("provider" or "provider:list") was
 * told about R; FALSE when it already was. */
gboolean record_acted_add (struct record *r, const char *who);

#endif
