/* SPDX-License-Identifier: MIT */
/* conf - recoil's configuration: one INI file, one typed table
 *
 * The file is read with GKeyFile.  Every key recoil understands is one row
 * of a table in conf.c that gives its group, type, default, bounds, whether
 * it is a secret and a line of help.  The same table drives loading (with
 * unknown groups and keys refused), `recoil config check` (the effective
 * values, secrets masked) and conf/recoil.conf.sample.
 *
 * Groups: [recoil], [verp], [policy], [dispatch] and one [provider NAME] per campaign
 * tool instance.  Values run to the end of the line; comments go on lines of
 * their own.  Sizes take K, M or G (powers of 1024); durations take s, m, h,
 * d or w (a bare number is seconds); lists are comma-separated.
 */
#ifndef RECOIL_CONF_H
#define RECOIL_CONF_H

#include <glib.h>

#include "providers/provider.h"

#define CONF_ERROR conf_error_quark ()
GQuark conf_error_quark (void);

typedef enum {
  CONF_ERROR_READ,   /* the file cannot be read or is not a key file */
  CONF_ERROR_INVALID /* unknown group or key, bad value, out of range */
} conf_error_code;

/* [verp] signature: whether unsigned return paths are believed. */
enum conf_signature {
  CONF_SIGNATURE_ENFORCE, /* unsigned schemes are not acted on */
  CONF_SIGNATURE_WARN,    /* acted on, with a warning */
  CONF_SIGNATURE_OFF      /* acted on silently */
};

/* [recoil] store: the backend names, by index. */
extern const char *const conf_stores[];

/* [dispatch] connections. */
enum conf_connections { CONF_CONNECTIONS_KEEP_ALIVE, CONF_CONNECTIONS_CLOSE };

/* The most rows the configuration table may have, and the 64-bit words of
 * a set mask that has a bit for each. */
#define CONF_MAX_KEYS 256
#define CONF_MASK_WORDS (CONF_MAX_KEYS / 64)

struct conf {
  char *path; /* the file read, NULL for the built-in defaults */

  /* [recoil] */
  int store; /* index of conf_stores */
  char *state_dir;
  char *log;     /* "stderr", "syslog" or an absolute file name */
  int log_level; /* enum log_level */
  char *bounce_domain;
  char *unsub_domain;
  char *secret;          /* secret */
  char *secret_previous; /* secret */
  char *quarantine;      /* Maildir, or NULL */
  gint64 max_message_size;
  gint64 seen_ttl;             /* how long a message fingerprint is remembered, seconds */
  gint64 map_size;             /* initial LMDB map size, bytes */
  gint64 max_map_size;         /* the map grows up to this, bytes */
  gint64 acct_batch;           /* accounting records per transaction */
  gint64 acct_flush_ms;        /* longest a record waits before it is committed */
  gint64 lock_timeout;         /* seconds a write waits for the store's writer lock */
  gint64 event_retention;      /* seconds the event log keeps a fact */
  gint64 stats_retention;      /* seconds the daily counters are kept */
  gint64 quarantine_retention; /* seconds a quarantined message is kept */

  /* [verp] */
  char **schemes;           /* accepted at the bounce domain, in order */
  char **unsub_schemes;     /* accepted at the unsubscribe domain, in order */
  char *delimiters;         /* two characters, e.g. "+=" */
  int signature;            /* enum conf_signature */
  gint64 max_age;           /* seconds */
  char **trusted_reporters; /* feedback-loop reporter domains believed on a DKIM pass */
  char *authserv_id;        /* the receiving MTA's Authentication-Results id, or NULL */

  /* [policy] */
  gint64 hard_threshold;
  gint64 soft_threshold;
  gint64 soft_window; /* seconds */
  gint64 complaint_threshold;
  gint64 unsubscribe_threshold;
  char **hard_categories;
  char **soft_categories;

  /* [dispatch] */
  gint64 inline_deadline_ms; /* mail and acct try new actions this long; 0 = never */
  gint64 connect_timeout;    /* seconds */
  gint64 timeout;            /* seconds, one request in all */
  gint64 backoff_min;        /* seconds before the first retry */
  gint64 backoff_max;        /* longest wait between retries */
  gint64 give_up;            /* park an action failing this long after its decision */
  char *ca_file;             /* or NULL: the system's CAs */
  char *proxy;               /* or NULL */
  int connections;           /* enum conf_connections */

  /* [postgresql] */
  char *pg_conninfo;         /* libpq connection string, or NULL */
  char *pg_password_file;    /* or NULL */
  gint64 pg_connect_timeout; /* seconds */

  /* [provider NAME], in file order; owned */
  GPtrArray *providers; /* of struct provider_settings * */

  /* private: which rows were set in the file (bit i = row i of the table) */
  guint64 set_mask[CONF_MASK_WORDS];
  GPtrArray *provider_set_masks; /* of guint64[CONF_MASK_WORDS], parallel to providers */
  GPtrArray *warnings;           /* of char *: things worth a warning */
};

/* conf_new_defaults - the built-in configuration (every key at its
 * default, no providers).  Free with conf_free. */
struct conf *conf_new_defaults (void);

/* conf_load - read PATH over the built-in defaults.  On success *OUT holds a
 * new configuration (free with conf_free), possibly with warnings (see
 * conf_warnings).  On failure sets ERROR: CONF_ERROR_READ when the file
 * cannot be read or parsed as a key file, CONF_ERROR_INVALID when a group,
 * key or value is refused.  The message names the file, group and key, one
 * problem per line, every problem found. */
gboolean conf_load (const char *path, struct conf **out, GError **error);

/* conf_free - free CONF and all it owns; NULL is fine. */
void conf_free (struct conf *conf);

typedef struct conf conf_t;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (conf_t, conf_free)

/* conf_warnings - NULL-terminated list of warnings found while loading
 * (secrets in a file that others can read, relative paths); borrowed from
 * CONF. */
const char *const *conf_warnings (const struct conf *conf);

/* conf_write_effective - append the effective configuration to OUT in key
 * file syntax: keys set in the file as `key = value`, defaults as a comment
 * `# key = value (default)`, secrets as "********". */
void conf_write_effective (const struct conf *conf, GString *out);

/* conf_write_sample - append the annotated sample configuration generated
 * from the table (conf/recoil.conf.sample) to OUT. */
void conf_write_sample (GString *out);

/* conf_write_manpage - append recoil.conf(5) in man(7), generated from the
 * same table as the sample, for VERSION, to OUT. */
void conf_write_manpage (GString *out, const char *version);

/* conf_parse_size / conf_parse_duration - "25M" to bytes, "60d" to seconds;
 * FALSE on anything else (exposed for the unit tests and for options). */
gboolean conf_parse_size (const char *text, gint64 *bytes);
gboolean conf_parse_duration (const char *text, gint64 *seconds);

#endif
