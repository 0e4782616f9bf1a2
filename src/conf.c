/* SPDX-License-Identifier: MIT */
/* conf - the configuration table and everything it drives.
 *
 * One row per key.  Loading walks the groups and keys of the file and looks
 * each up in the table (so unknown ones are refused with the file, group and
 * key named), parses the value by the row's type and checks its bounds.
 * Defaults are written in the table as text and parsed by the same code, so
 * a default cannot disagree with what the file would accept.
 */
#include "config.h"

#include <errno.h>
#include <stddef.h>
#include <string.h>
#include <sys/stat.h>

#include "conf.h"
#include "log.h"

/* clang-format off */
G_DEFINE_QUARK (recoil-conf-error-quark, conf_error)
/* clang-format on */

typedef enum {
  CONF_STRING,   /* free text, length bounds in min/max (0 = none) */
  CONF_INT,      /* integer within min..max */
  CONF_SIZE,     /* bytes with K/M/G, within min..max */
  CONF_DURATION, /* seconds with s/m/h/d/w, within min..max */
  CONF_ENUM,     /* one of choices, stored as its index */
  CONF_LIST      /* comma-separated; each one of choices when given */
} conf_type;

enum {
  CONF_SECRET = 1 << 0,   /* masked in output; warn when others can read */
  CONF_REQUIRED = 1 << 1, /* must be set (provider groups) */
  CONF_PATH = 1 << 2      /* a file or directory name */
};

typedef enum {
  CONF_GLOBAL,  /* offset into struct conf */
  CONF_PROVIDER /* offset into struct provider_settings */
} conf_scope;

struct conf_key {
  const char *group; /* "recoil", "verp", "policy"; "provider" for [provider NAME] */
  const char *key;
  conf_type type;
  conf_scope scope;
  gsize offset;
  const char *def; /* default as it would be written; NULL = unset */
  gint64 min, max;
  const char *const *choices;
  unsigned flags;
  /* check - extra validation of a string value; NULL or a static problem */
  const char *(*check) (const char *value);
  const char *help;
};

#define G(field) CONF_GLOBAL, offsetof (struct conf, field)
#define P(field) CONF_PROVIDER, offsetof (struct provider_settings, field)
#define DAY (24 * 3600)

static const char *const conf_log_levels[] = { "error", "warning", "notice", "info", "debug", NULL };
static const char *const conf_schemes[] = { "recoil", "postfix", "sentto", "mailwizz", NULL };
static const char *const conf_signatures[] = { "enforce", "warn", "off", NULL };
static const char *const conf_scopes[] = { "all-lists", "origin-list", NULL };
static const char *const conf_auths[] = { "basic", "token", NULL };
static const char *const conf_connections[] = { "keep-alive", "close", NULL };
const char *const conf_stores[] = { "lmdb", "postgresql", NULL };
static const char *const conf_categories[] = { "bad-mailbox",       "bad-domain",      "inactive-mailbox",
                                               "routing-errors",    "quota-issues",    "no-answer-from-host",
                                               "bad-connection",    "relaying-issues", "message-expired",
                                               "policy-related",    "spam-related",    "content-related",
                                               "virus-related",     "protocol-errors", "invalid-sender",
                                               "bad-configuration", "other",           NULL };

static const char *conf_check_log (const char *value);
static const char *conf_check_domain (const char *value);
static const char *conf_check_delimiters (const char *value);
static const char *conf_check_url (const char *value);
static const char *conf_check_conninfo (const char *value);

/* The table.  Order is the order of the sample and of `config check`. */
static const struct conf_key conf_keys[] = {
  { "recoil", "store", CONF_ENUM, G (store), "lmdb", 0, 0, conf_stores, 0, NULL,
    "Where the state is kept: lmdb (one host, under state_dir) or postgresql (several hosts share it; see "
    "[postgresql])." },
  { "recoil", "state_dir", CONF_STRING, G (state_dir), "/var/lib/recoil", 1, 4096, NULL, CONF_PATH, NULL,
    "Directory of the LMDB state store (with store = postgresql: of the local spool that keeps accounting "
    "records while the database cannot be reached); created on first use with mode 0700." },
  { "recoil", "log", CONF_STRING, G (log), "syslog", 1, 4096, NULL, 0, conf_check_log,
    "Where messages go: stderr, syslog (facility mail) or an absolute file name." },
  { "recoil", "log_level", CONF_ENUM, G (log_level), "info", 0, 0, conf_log_levels, 0, NULL,
    "Most verbose level written; --debug raises it to debug." },
  { "recoil", "bounce_domain", CONF_STRING, G (bounce_domain), NULL, 1, 253, NULL, 0, conf_check_domain,
    "Domain of the return paths recoil decodes, e.g. bounces.example.com." },
  { "recoil", "unsub_domain", CONF_STRING, G (unsub_domain), NULL, 1, 253, NULL, 0, conf_check_domain,
    "Domain of the List-Unsubscribe mailto: addresses, e.g. unsub.example.com." },
  { "recoil", "secret", CONF_STRING, G (secret), NULL, 16, 1024, NULL, CONF_SECRET, NULL,
    "HMAC key for signed return paths and unsubscribe addresses (at least 16 characters; "
    "e.g. the output of `head -c 32 /dev/urandom | base64`)." },
  { "recoil", "secret_previous", CONF_STRING, G (secret_previous), NULL, 16, 1024, NULL, CONF_SECRET, NULL,
    "The key before the last rotation; still accepted when verifying." },
  { "recoil", "quarantine", CONF_STRING, G (quarantine), NULL, 1, 4096, NULL, CONF_PATH, NULL,
    "Maildir that keeps a copy of mail recoil could not use; empty = keep none." },
  { "recoil", "max_message_size", CONF_SIZE, G (max_message_size), "25M", 64 * 1024,
    G_GINT64_CONSTANT (1) << 32, NULL, 0, NULL,
    "Largest message read from stdin; the rest is drained and the message marked truncated." },
  { "recoil", "seen_ttl", CONF_DURATION, G (seen_ttl), "30d", DAY, 3650 * (gint64) DAY, NULL, 0, NULL,
    "How long a message is remembered, so that an MTA's retry is never counted twice." },
  { "recoil", "map_size", CONF_SIZE, G (map_size), "64M", 1 << 20, G_GINT64_CONSTANT (1) << 40, NULL, 0, NULL,
    "Initial size of the LMDB map; it grows when full, up to max_map_size." },
  { "recoil", "max_map_size", CONF_SIZE, G (max_map_size), "64G", 1 << 20, G_GINT64_CONSTANT (1) << 40, NULL,
    0, NULL,
    "Largest the LMDB map may grow (address space; the file grows only as it is used); beyond it recoil "
    "answers 'try later' (exit 75).  About 330 bytes per fact kept by event_retention: 1,000,000 facts a "
    "day for 90 days need some 30G." },
  { "recoil", "acct_batch", CONF_INT, G (acct_batch), "1000", 1, 100000, NULL, 0, NULL,
    "recoil acct: accounting records applied per transaction." },
  { "recoil", "acct_flush_ms", CONF_INT, G (acct_flush_ms), "500", 1, 60000, NULL, 0, NULL,
    "recoil acct: longest a record waits (milliseconds) before its batch is committed." },
  { "recoil", "event_retention", CONF_DURATION, G (event_retention), "90d", DAY, 3650 * (gint64) DAY, NULL, 0,
    NULL, "How long the event log (recoil events) keeps a fact; older ones are removed a little at a time." },
  { "recoil", "stats_retention", CONF_DURATION, G (stats_retention), "400d", DAY, 3650 * (gint64) DAY, NULL,
    0, NULL, "How long the daily counters (recoil stats) are kept." },
  { "recoil", "quarantine_retention", CONF_DURATION, G (quarantine_retention), "30d", DAY,
    3650 * (gint64) DAY, NULL, 0, NULL,
    "How long a message kept in the quarantine stays there (recoil purge removes older ones)." },
  { "recoil", "lock_timeout", CONF_DURATION, G (lock_timeout), "30s", 1, 900, NULL, 0, NULL,
    "recoil mail, retry and the operator's commands: longest wait for another process's writer lock on "
    "the state store; then exit 75 (the MTA keeps the mail and retries).  Keep it well under the MTA's "
    "time limit for the pipe (Postfix: recoil_time_limit)." },

  { "verp", "schemes", CONF_LIST, G (schemes), "recoil, postfix, sentto", 0, 0, conf_schemes, 0, NULL,
    "Return-path schemes accepted at the bounce domain, in the order they are tried." },
  { "verp", "unsub_schemes", CONF_LIST, G (unsub_schemes), "recoil, mailwizz", 0, 0, conf_schemes, 0, NULL,
    "Address schemes accepted at the unsubscribe domain, in the order they are tried." },
  { "verp", "delimiters", CONF_STRING, G (delimiters), "+=", 2, 2, NULL, 0, conf_check_delimiters,
    "Plain VERP delimiters: the one after the prefix, then the one replacing '@'." },
  { "verp", "signature", CONF_ENUM, G (signature), "enforce", 0, 0, conf_signatures, 0, NULL,
    "Unsigned schemes: enforce = never acted on, warn = acted on with a warning, off = acted on." },
  { "verp", "max_age", CONF_DURATION, G (max_age), "60d", DAY, 3650 * (gint64) DAY, NULL, 0, NULL,
    "Oldest day stamp a signed address may carry." },
  { "verp", "trusted_reporters", CONF_LIST, G (trusted_reporters), "", 0, 0, NULL, 0, NULL,
    "Feedback-loop reporters (domains, e.g. fbl.yahoo.com, hotmail.com) whose complaints act even when the "
    "reported message carries no signature of recoil's, provided the receiving MTA's Authentication-Results "
    "from authserv_id say the report's DKIM signature of that domain passed.  Empty = none." },
  { "verp", "authserv_id", CONF_STRING, G (authserv_id), NULL, 1, 255, NULL, 0, NULL,
    "The authserv-id your receiving MTA (OpenDKIM, OpenDMARC, rspamd ...) writes in Authentication-Results; "
    "only its results are believed, and it must remove incoming headers with that id." },

  { "policy", "hard_threshold", CONF_INT, G (hard_threshold), "1", 1, 1000, NULL, 0, NULL,
    "Hard bounces that suppress an address." },
  { "policy", "soft_threshold", CONF_INT, G (soft_threshold), "5", 1, 1000, NULL, 0, NULL,
    "Soft bounces, counted at most once a day, that suppress an address." },
  { "policy", "soft_window", CONF_DURATION, G (soft_window), "30d", DAY, 3650 * (gint64) DAY, NULL, 0, NULL,
    "Quiet time after which the soft bounce count is forgotten." },
  { "policy", "complaint_threshold", CONF_INT, G (complaint_threshold), "1", 1, 1000, NULL, 0, NULL,
    "Feedback-loop complaints that suppress an address." },
  { "policy", "unsubscribe_threshold", CONF_INT, G (unsubscribe_threshold), "1", 1, 1000, NULL, 0, NULL,
    "Unsubscribe requests that unsubscribe an address." },
  { "policy", "hard_categories", CONF_LIST, G (hard_categories), "bad-mailbox, bad-domain, inactive-mailbox",
    0, 0, conf_categories, 0, NULL, "PowerMTA bounce categories counted as hard bounces." },
  { "policy", "soft_categories", CONF_LIST, G (soft_categories),
    "quota-issues, no-answer-from-host, relaying-issues, routing-errors", 0, 0, conf_categories, 0, NULL,
    "PowerMTA bounce categories counted as soft bounces; all others are ignored." },

  { "dispatch", "inline_deadline_ms", CONF_INT, G (inline_deadline_ms), "3000", 0, 600000, NULL, 0, NULL,
    "recoil mail and acct: how long (milliseconds) they try new actions right away; the rest waits in the "
    "outbox for recoil retry.  0 = never inline." },
  { "dispatch", "connect_timeout", CONF_DURATION, G (connect_timeout), "5s", 1, 600, NULL, 0, NULL,
    "Longest wait for a provider's connection (and TLS handshake)." },
  { "dispatch", "timeout", CONF_DURATION, G (timeout), "20s", 1, 3600, NULL, 0, NULL,
    "Longest a single provider request may take in all." },
  { "dispatch", "backoff_min", CONF_DURATION, G (backoff_min), "1m", 1, 7 * (gint64) DAY, NULL, 0, NULL,
    "Wait before the first retry of an action that failed for a temporary reason; doubled each time." },
  { "dispatch", "backoff_max", CONF_DURATION, G (backoff_max), "6h", 1, 30 * (gint64) DAY, NULL, 0, NULL,
    "Longest wait between two retries." },
  { "dispatch", "give_up", CONF_DURATION, G (give_up), "7d", 60, 3650 * (gint64) DAY, NULL, 0, NULL,
    "An action still failing this long after its decision is parked for the operator." },
  { "dispatch", "ca_file", CONF_STRING, G (ca_file), NULL, 1, 4096, NULL, CONF_PATH, NULL,
    "CA bundle that verifies providers' TLS certificates; empty = the system's." },
  { "dispatch", "proxy", CONF_STRING, G (proxy), NULL, 1, 2048, NULL, 0, NULL,
    "HTTP(S) proxy for provider requests, e.g. http://proxy.example.com:3128; empty = none." },
  { "dispatch", "connections", CONF_ENUM, G (connections), "keep-alive", 0, 0, conf_connections, 0, NULL,
    "keep-alive reuses connections to a provider; close opens one per request." },

  { "postgresql", "conninfo", CONF_STRING, G (pg_conninfo), NULL, 1, 4096, NULL, 0, conf_check_conninfo,
    "With store = postgresql: the database, in libpq's syntax, e.g. \"host=db.example.com dbname=recoil "
    "user=recoil\" or a postgresql:// URI.  No password here: use password_file or libpq's PGPASSFILE." },
  { "postgresql", "password_file", CONF_STRING, G (pg_password_file), NULL, 1, 4096, NULL, CONF_PATH, NULL,
    "A file holding the database password (its first line); readable by the users recoil runs as, by no "
    "one else.  Empty = libpq's own ~/.pgpass or PGPASSFILE." },
  { "postgresql", "connect_timeout", CONF_DURATION, G (pg_connect_timeout), "5s", 1, 600, NULL, 0, NULL,
    "Longest wait for a connection to the database; then recoil mail exits 75 (the MTA retries) and recoil "
    "acct keeps records in its local spool." },

  { "provider", "type", CONF_ENUM, P (type), NULL, 0, 0, NULL, CONF_REQUIRED, NULL, "The campaign tool." },
  { "provider", "url", CONF_STRING, P (url), NULL, 8, 2048, NULL, CONF_REQUIRED, conf_check_url,
    "API base URL (https:// recommended)." },
  { "provider", "api_version", CONF_INT, P (api_version), "1", 1, 2, NULL, 0, NULL,
    "MailWizz: 1 signs requests with public_key and private_key, 2 sends api_key." },
  { "provider", "public_key", CONF_STRING, P (public_key), NULL, 1, 256, NULL, 0, NULL,
    "MailWizz 1.x public key." },
  { "provider", "private_key", CONF_STRING, P (private_key), NULL, 1, 256, NULL, CONF_SECRET, NULL,
    "MailWizz 1.x private key." },
  { "provider", "api_key", CONF_STRING, P (api_key), NULL, 1, 256, NULL, CONF_SECRET, NULL,
    "MailWizz 2.x API key." },
  { "provider", "remote_addr", CONF_STRING, P (remote_addr), "127.0.0.1", 1, 64, NULL, 0, NULL,
    "MailWizz 1.x: the X-MW-REMOTE-ADDR value signed with each request." },
  { "provider", "username", CONF_STRING, P (username), NULL, 1, 256, NULL, 0, NULL,
    "Interspire or listmonk API user." },
  { "provider", "token", CONF_STRING, P (token), NULL, 1, 1024, NULL, CONF_SECRET, NULL,
    "Interspire user token or listmonk API token." },
  { "provider", "auth", CONF_ENUM, P (auth), "basic", 0, 0, conf_auths, 0, NULL,
    "listmonk: HTTP Basic (username:token) or 'Authorization: token username:token'." },
  { "provider", "secret", CONF_STRING, P (secret), NULL, 16, 1024, NULL, CONF_SECRET, NULL,
    "Webhook HMAC-SHA256 key." },
  { "provider", "senders", CONF_LIST, P (senders), "", 0, 0, NULL, 0, NULL,
    "Envelope sender patterns (* and ? wildcards) routed to this provider; empty = all." },
  { "provider", "scope", CONF_ENUM, P (scope), "all-lists", 0, 0, conf_scopes, 0, NULL,
    "Unsubscribe from every list, or only from the list the mail came from." },
  { "provider", "actions", CONF_LIST, P (actions), "unsubscribe", 0, 0, NULL, 0, NULL,
    "What this provider is told when an address is suppressed: unsubscribe, blocklist, record (the bounce "
    "or complaint, in the tool's own bounce log), or none." },
  { "provider", "parallel", CONF_INT, P (parallel), "4", 1, 64, NULL, 0, NULL,
    "Requests to this provider in flight at once." },
  { "provider", "list_ttl", CONF_DURATION, P (list_ttl), "10m", 1, 7 * (gint64) DAY, NULL, 0, NULL,
    "Interspire: how long the list of lists is kept before it is fetched again." },
};

#define CONF_NKEYS G_N_ELEMENTS (conf_keys)
/* log_level is stored as the index of conf_log_levels. */
G_STATIC_ASSERT (LOG_LEVEL_ERROR == 0 && LOG_LEVEL_DEBUG == 4);
G_STATIC_ASSERT (CONF_NKEYS <= CONF_MAX_KEYS); /* set masks have CONF_MAX_KEYS bits */

/* conf_mask_has / conf_mask_add - bit I of the set mask MASK. */
static gboolean
conf_mask_has (const guint64 *mask, gsize i)
{
  return (mask[i / 64] >> (i % 64)) & 1;
}

static void
conf_mask_add (guint64 *mask, gsize i)
{
  mask[i / 64] |= G_GUINT64_CONSTANT (1) << (i % 64);
}

static const char *const conf_groups[] = { "recoil",     "verp",     "policy", "dispatch",
                                           "postgresql", "provider", NULL };

/* conf_choices - the allowed words of ROW; provider type and actions come
 * from the provider registry. */
static const char *const *
conf_choices (const struct conf_key *row)
{
  if (row->scope == CONF_PROVIDER && strcmp (row->key, "type") == 0)
    return provider_type_names ();
  if (row->scope == CONF_PROVIDER && strcmp (row->key, "actions") == 0)
    return provider_action_names ();
  return row->choices;
}

/* conf_slot - where ROW's value lives in BASE. */
static void *
conf_slot (void *base, const struct conf_key *row)
{
  return (char *) base + row->offset;
}

static const char *
conf_check_log (const char *value)
{
  if (strcmp (value, "stderr") == 0 || strcmp (value, "syslog") == 0)
    return NULL;
  if (value[0] != '/')
    return "must be stderr, syslog or an absolute file name";
  return NULL;
}

static const char *
conf_check_domain (const char *value)
{
  g_auto (GStrv) labels = NULL;

  if (!g_utf8_validate (value, -1, NULL))
    return "is not valid UTF-8";
  labels = g_strsplit (value, ".", -1);
  if (g_strv_length (labels) < 2)
    return "must be a fully qualified domain name (at least one dot)";
  for (char **l = labels; *l; l++) {
    gsize len = strlen (*l);

    if (len == 0 || len > 63)
      return "has an empty or over-long label";
    if ((*l)[0] == '-' || (*l)[len - 1] == '-')
      return "has a label that starts or ends with '-'";
    for (const char *p = *l; *p; p++)
      if (!((unsigned char) *p >= 0x80 || g_ascii_isalnum (*p) || *p == '-'))
        return "may hold only letters, digits, '-' and '.' (comments go on lines of their own)";
  }
  return NULL;
}

static const char *
conf_check_delimiters (const char *value)
{
  static const char allowed[] = "+-=_.#%~";

  if (value[0] == value[1])
    return "needs two different characters, e.g. +=";
  if (strchr (allowed, value[0]) == NULL || strchr (allowed, value[1]) == NULL)
    return "must be two of + - = _ . # % ~";
  return NULL;
}

/* conf_check_conninfo - no password in the connection string: it would
 * be shown by config check and in libpq's messages. */
static const char *
conf_check_conninfo (const char *value)
{
  g_autofree char *lower = g_ascii_strdown (value, -1);
  const char *at = strchr (lower, '@');
  const char *scheme = strstr (lower, "://");

  if (strstr (lower, "password") != NULL)
    return "holds a password; put it in password_file (or libpq's PGPASSFILE) instead";
  /* postgresql://user:password@host */
  if (scheme != NULL && at != NULL && memchr (scheme + 3, ':', (gsize) (at - scheme - 3)) != NULL)
    return "holds a password; put it in password_file (or libpq's PGPASSFILE) instead";
  return NULL;
}

static const char *
conf_check_url (const char *value)
{
  if (g_str_has_prefix (value, "https://") || g_str_has_prefix (value, "http://")) {
    for (const char *p = value; *p; p++)
      if ((unsigned char) *p <= 0x20 || *p == 0x7f)
        return "may not contain spaces or control characters";
    return NULL;
  }
  return "must start with https:// or http://";
}

/* A unit suffix and its factor; tables end with a NULL suffix. */
struct conf_unit {
  const char *suffix;
  gint64 factor;
};

/* Sizes: K, M, G (powers of 1024), optionally followed by B, any case. */
static const struct conf_unit conf_size_units[] = { { "G", G_GINT64_CONSTANT (1) << 30 },
                                                    { "M", 1 << 20 },
                                                    { "K", 1 << 10 },
                                                    { "GB", G_GINT64_CONSTANT (1) << 30 },
                                                    { "MB", 1 << 20 },
                                                    { "KB", 1 << 10 },
                                                    { "B", 1 },
                                                    { "", 1 },
                                                    { NULL, 0 } };

/* Durations: w, d, h, m, s (lower case); a bare number is seconds. */
static const struct conf_unit conf_duration_units[] = { { "w", 7 * DAY }, { "d", DAY }, { "h", 3600 },
                                                        { "m", 60 },      { "s", 1 },   { "", 1 },
                                                        { NULL, 0 } };

/* conf_parse_scaled - digits followed by one suffix of UNITS (compared
 * case-insensitively when FOLD); FALSE on anything else or on overflow. */
static gboolean
conf_parse_scaled (const char *text, const struct conf_unit *units, gboolean fold, gint64 *out)
{
  char *end = NULL;
  guint64 n;

  if (text == NULL || !g_ascii_isdigit (*text))
    return FALSE;
  errno = 0;
  n = g_ascii_strtoull (text, &end, 10);
  if (errno != 0)
    return FALSE;
  for (const struct conf_unit *u = units; u->suffix != NULL; u++)
    if (fold ? g_ascii_strcasecmp (end, u->suffix) == 0 : strcmp (end, u->suffix) == 0) {
      if (n > (guint64) G_MAXINT64 / (guint64) u->factor)
        return FALSE;
      *out = (gint64) n * u->factor;
      return TRUE;
    }
  return FALSE;
}

/* conf_format_scaled - N in the largest exact unit among the first NUNITS
 * of UNITS, or bare with BARE appended (caller frees). */
static char *
conf_format_scaled (gint64 n, const struct conf_unit *units, gsize nunits, const char *bare)
{
  for (gsize i = 0; i < nunits; i++)
    if (n != 0 && n % units[i].factor == 0)
      return g_strdup_printf ("%" G_GINT64_FORMAT "%s", n / units[i].factor, units[i].suffix);
  return g_strdup_printf ("%" G_GINT64_FORMAT "%s", n, bare);
}

gboolean
conf_parse_size (const char *text, gint64 *bytes)
{
  return conf_parse_scaled (text, conf_size_units, TRUE, bytes);
}

gboolean
conf_parse_duration (const char *text, gint64 *seconds)
{
  return conf_parse_scaled (text, conf_duration_units, FALSE, seconds);
}

/* conf_strv_index - index of WORD in CHOICES (case-insensitive), or -1. */
static int
conf_strv_index (const char *const *choices, const char *word)
{
  for (int i = 0; choices != NULL && choices[i] != NULL; i++)
    if (g_ascii_strcasecmp (choices[i], word) == 0)
      return i;
  return -1;
}

/* conf_format_size / conf_format_duration - N in its largest exact unit
 * (caller frees). */
static char *
conf_format_size (gint64 n)
{
  return conf_format_scaled (n, conf_size_units, 3, "");
}

static char *
conf_format_duration (gint64 n)
{
  return conf_format_scaled (n, conf_duration_units, 4, "s");
}

/* conf_describe_bounds - the human form of ROW's bounds, for messages. */
static char *
conf_describe_bounds (const struct conf_key *row)
{
  g_autofree char *lo = NULL;
  g_autofree char *hi = NULL;

  switch (row->type) {
  case CONF_INT: return g_strdup_printf ("%" G_GINT64_FORMAT " to %" G_GINT64_FORMAT, row->min, row->max);
  case CONF_SIZE:
    lo = conf_format_size (row->min);
    hi = conf_format_size (row->max);
    return g_strdup_printf ("%s to %s", lo, hi);
  case CONF_DURATION:
    lo = conf_format_duration (row->min);
    hi = conf_format_duration (row->max);
    return g_strdup_printf ("%s to %s", lo, hi);
  default: return g_strdup ("");
  }
}

/* conf_set_value - parse VALUE for ROW and store it in BASE.  Returns NULL
 * on success or a newly allocated problem description (caller frees). */
static char *
conf_set_value (void *base, const struct conf_key *row, const char *value)
{
  void *slot = conf_slot (base, row);
  const char *const *choices = conf_choices (row);
  const char *problem;
  gint64 n = 0;

  switch (row->type) {
  case CONF_STRING: {
    gsize len = strlen (value);
    char **dst = slot;

    if (len == 0) { /* "key =" unsets */
      g_clear_pointer (dst, g_free);
      return NULL;
    }
    if (!g_utf8_validate (value, -1, NULL))
      return g_strdup ("is not valid UTF-8");
    if (row->min > 0 && (gint64) len < row->min)
      return g_strdup_printf ("is too short (at least %" G_GINT64_FORMAT " characters)", row->min);
    if (row->max > 0 && (gint64) len > row->max)
      return g_strdup_printf ("is too long (at most %" G_GINT64_FORMAT " characters)", row->max);
    if (row->check != NULL && (problem = row->check (value)) != NULL)
      return g_strdup (problem);
    g_free (*dst);
    *dst = g_strdup (value);
    return NULL;
  }
  case CONF_INT:
  case CONF_SIZE:
  case CONF_DURATION: {
    gboolean ok;

    if (row->type == CONF_INT)
      ok = g_ascii_string_to_signed (value, 10, G_MININT64, G_MAXINT64, &n, NULL);
    else if (row->type == CONF_SIZE)
      ok = conf_parse_size (value, &n);
    else
      ok = conf_parse_duration (value, &n);
    if (!ok)
      return g_strdup_printf ("\"%s\" is not %s", value,
                              row->type == CONF_INT    ? "a whole number"
                              : row->type == CONF_SIZE ? "a size (a number with K, M or G)"
                                                       : "a duration (a number with s, m, h, d or w)");
    if (n < row->min || n > row->max) {
      g_autofree char *bounds = conf_describe_bounds (row);

      return g_strdup_printf ("%s is out of range (%s)", value, bounds);
    }
    *(gint64 *) slot = n;
    return NULL;
  }
  case CONF_ENUM: {
    int i = conf_strv_index (choices, value);

    if (i < 0) {
      g_autofree char *all = g_strjoinv (", ", (char **) choices);

      return g_strdup_printf ("\"%s\" is not one of: %s", value, all);
    }
    if (row->scope == CONF_PROVIDER && strcmp (row->key, "type") == 0) {
      char **dst = slot;

      g_free (*dst);
      *dst = g_strdup (choices[i]);
    } else {
      *(int *) slot = i;
    }
    return NULL;
  }
  case CONF_LIST: {
    g_auto (GStrv) parts = g_strsplit (value, ",", -1);
    GPtrArray *items = g_ptr_array_new_with_free_func (g_free);
    char ***dst = slot;

    for (char **p = parts; *p; p++) {
      char *item = g_strstrip (*p);
      int i;

      if (*item == '\0')
        continue;
      if (choices != NULL) {
        if ((i = conf_strv_index (choices, item)) < 0) {
          g_autofree char *all = g_strjoinv (", ", (char **) choices);
          char *msg = g_strdup_printf ("\"%s\" is not one of: %s", item, all);

          g_ptr_array_free (items, TRUE);
          return msg;
        }
        item = (char *) choices[i];
      }
      g_ptr_array_add (items, g_strdup (item));
    }
    g_ptr_array_add (items, NULL);
    g_strfreev (*dst);
    *dst = (char **) g_ptr_array_free (items, FALSE);
    return NULL;
  }
  }
  return g_strdup ("has an unknown type");
}

/* conf_apply_defaults - set every row of SCOPE in BASE to its default. */
static void
conf_apply_defaults (void *base, conf_scope scope)
{
  for (gsize i = 0; i < CONF_NKEYS; i++) {
    const struct conf_key *row = &conf_keys[i];
    g_autofree char *problem = NULL;

    if (row->scope != scope || row->def == NULL)
      continue;
    problem = conf_set_value (base, row, row->def);
    if (problem != NULL)
      g_critical ("built-in default of [%s] %s %s", row->group, row->key, problem);
  }
}

/* conf_provider_free - free one provider's settings. */
static void
conf_provider_free (gpointer data)
{
  struct provider_settings *p = data;

  if (p == NULL)
    return;
  for (gsize i = 0; i < CONF_NKEYS; i++) {
    const struct conf_key *row = &conf_keys[i];
    void *slot;

    if (row->scope != CONF_PROVIDER)
      continue;
    slot = conf_slot (p, row);
    if (row->type == CONF_STRING || (row->type == CONF_ENUM && strcmp (row->key, "type") == 0))
      g_clear_pointer ((char **) slot, g_free);
    else if (row->type == CONF_LIST)
      g_clear_pointer ((char ***) slot, g_strfreev);
  }
  g_free (p->name);
  g_free (p);
}

struct conf *
conf_new_defaults (void)
{
  struct conf *conf = g_new0 (struct conf, 1);

  conf->providers = g_ptr_array_new_with_free_func (conf_provider_free);
  conf->provider_set_masks = g_ptr_array_new_with_free_func (g_free);
  conf->warnings = g_ptr_array_new_with_free_func (g_free);
  g_ptr_array_add (conf->warnings, NULL);
  conf_apply_defaults (conf, CONF_GLOBAL);
  return conf;
}

void
conf_free (struct conf *conf)
{
  if (conf == NULL)
    return;
  for (gsize i = 0; i < CONF_NKEYS; i++) {
    const struct conf_key *row = &conf_keys[i];

    if (row->scope != CONF_GLOBAL)
      continue;
    if (row->type == CONF_STRING)
      g_clear_pointer ((char **) conf_slot (conf, row), g_free);
    else if (row->type == CONF_LIST)
      g_clear_pointer ((char ***) conf_slot (conf, row), g_strfreev);
  }
  g_ptr_array_unref (conf->providers);
  g_ptr_array_unref (conf->provider_set_masks);
  g_ptr_array_unref (conf->warnings);
  g_free (conf->path);
  g_free (conf);
}

/* conf_warn - add a warning to CONF (kept NULL-terminated). */
static void G_GNUC_PRINTF (2, 3) conf_warn (struct conf *conf, const char *fmt, ...)
{
  va_list ap;

  va_start (ap, fmt);
  g_ptr_array_remove_index (conf->warnings, conf->warnings->len - 1);
  g_ptr_array_add (conf->warnings, g_strdup_vprintf (fmt, ap));
  g_ptr_array_add (conf->warnings, NULL);
  va_end (ap);
}

const char *const *
conf_warnings (const struct conf *conf)
{
  return (const char *const *) conf->warnings->pdata;
}

/* conf_lookup - the row for KEY in GROUP ("provider" for provider groups), or
 * NULL; *INDEX gets its position. */
static const struct conf_key *
conf_lookup (const char *group, const char *key, gsize *index)
{
  for (gsize i = 0; i < CONF_NKEYS; i++)
    if (strcmp (conf_keys[i].group, group) == 0 && strcmp (conf_keys[i].key, key) == 0) {
      *index = i;
      return &conf_keys[i];
    }
  return NULL;
}

/* conf_distance - edit distance of A and B, capped for short words. */
static gsize
conf_distance (const char *a, const char *b)
{
  gsize la = strlen (a), lb = strlen (b);
  g_autofree gsize *row = NULL;

  if (la > 64 || lb > 64)
    return G_MAXSIZE;
  row = g_new (gsize, lb + 1);
  for (gsize j = 0; j <= lb; j++)
    row[j] = j;
  for (gsize i = 1; i <= la; i++) {
    gsize diag = row[0];

    row[0] = i;
    for (gsize j = 1; j <= lb; j++) {
      gsize up = row[j];
      gsize best = MIN (row[j] + 1, row[j - 1] + 1);

      best = MIN (best, diag + (g_ascii_tolower (a[i - 1]) != g_ascii_tolower (b[j - 1])));
      row[j] = best;
      diag = up;
    }
  }
  return row[lb];
}

/* conf_suggest - ", did you mean X?" for the closest key of GROUP, or "". */
static char *
conf_suggest (const char *group, const char *key)
{
  const char *best = NULL;
  gsize best_d = 3;

  for (gsize i = 0; i < CONF_NKEYS; i++) {
    gsize d;

    if (strcmp (conf_keys[i].group, group) != 0)
      continue;
    d = conf_distance (key, conf_keys[i].key);
    if (d < best_d) {
      best_d = d;
      best = conf_keys[i].key;
    }
  }
  return best != NULL ? g_strdup_printf (" (did you mean %s?)", best) : g_strdup ("");
}

/* conf_valid_provider_name - NAME of [provider NAME]: letters, digits, - _ . */
static gboolean
conf_valid_provider_name (const char *name)
{
  if (*name == '\0' || strlen (name) > 64)
    return FALSE;
  for (const char *p = name; *p; p++)
    if (!g_ascii_isalnum (*p) && *p != '-' && *p != '_' && *p != '.')
      return FALSE;
  return TRUE;
}

/* conf_has_comment - whether VALUE holds what looks like a trailing
 * comment (white space, then '#' or ';'): GKeyFile keeps it as part of the
 * value, so a secret, a pattern or a path would silently carry it. */
static gboolean
conf_has_comment (const char *value)
{
  for (const char *p = value; *p != '\0'; p++)
    if ((*p == ' ' || *p == '\t') && (p[1] == '#' || p[1] == ';'))
      return TRUE;
  return FALSE;
}

/* conf_load_group - read the keys of GROUP (table group TGROUP) from KF into
 * BASE; problems go to PROBLEMS, secrets seen set *HAS_SECRET. */
static void
conf_load_group (GKeyFile *kf, const char *path, const char *group, const char *tgroup, void *base,
                 guint64 *mask, GPtrArray *problems, gboolean *has_secret)
{
  g_auto (GStrv) keys = g_key_file_get_keys (kf, group, NULL, NULL);

  for (char **k = keys; k != NULL && *k != NULL; k++) {
    gsize index = 0;
    const struct conf_key *row = conf_lookup (tgroup, *k, &index);
    g_autofree char *value = NULL;
    g_autofree char *problem = NULL;

    if (row == NULL) {
      g_autofree char *hint = conf_suggest (tgroup, *k);

      g_ptr_array_add (problems, g_strdup_printf ("%s: [%s] %s: unknown key%s", path, group, *k, hint));
      continue;
    }
    value = g_key_file_get_value (kf, group, *k, NULL);
    if (value == NULL)
      value = g_strdup ("");
    g_strstrip (value);
    if (conf_has_comment (value)) {
      g_ptr_array_add (
          problems,
          g_strdup_printf ("%s: [%s] %s: the value holds \" #\" or \" ;\": a value runs to the end of "
                           "its line, so comments go on lines of their own",
                           path, group, *k));
      continue;
    }
    problem = conf_set_value (base, row, value);
    if (problem != NULL) {
      g_ptr_array_add (problems, g_strdup_printf ("%s: [%s] %s: %s", path, group, *k, problem));
      continue;
    }
    conf_mask_add (mask, index);
    if ((row->flags & CONF_SECRET) && *value != '\0')
      *has_secret = TRUE;
  }
}

/* conf_check_provider - required keys and the type's own completeness check. */
static void
conf_check_provider (const char *path, const char *group, struct provider_settings *p, const guint64 *mask,
                     GPtrArray *problems)
{
  const struct provider_type *type;
  const char *problem;

  for (gsize i = 0; i < CONF_NKEYS; i++)
    if (conf_keys[i].scope == CONF_PROVIDER && (conf_keys[i].flags & CONF_REQUIRED)
        && !conf_mask_has (mask, i))
      g_ptr_array_add (problems,
                       g_strdup_printf ("%s: [%s] %s: missing, and required", path, group, conf_keys[i].key));
  type = provider_type_lookup (p->type);
  if (type != NULL && (problem = type->check (p)) != NULL)
    g_ptr_array_add (problems, g_strdup_printf ("%s: [%s] %s", path, group, problem));
  for (char **a = p->actions; type != NULL && a != NULL && *a != NULL; a++)
    if (!provider_supports (type, *a))
      g_ptr_array_add (problems,
                       g_strdup_printf ("%s: [%s] actions: type %s cannot %s", path, group, type->name, *a));
}

/* conf_loopback_url - whether the host of an http:// URL is this machine
 * (localhost, 127.x.x.x, [::1]): nothing crosses a network. */
static gboolean
conf_loopback_url (const char *url)
{
  const char *host = url + strlen ("http://");
  const char *at = strpbrk (host, "@/");

  if (at != NULL && *at == '@')
    host = at + 1;
  return g_str_has_prefix (host, "localhost") || g_str_has_prefix (host, "127.")
         || g_str_has_prefix (host, "[::1]");
}

/* conf_check_paths - warn about relative paths: an MTA runs recoil in its
 * queue directory. */
static void
conf_check_paths (struct conf *conf)
{
  for (gsize i = 0; i < CONF_NKEYS; i++) {
    const struct conf_key *row = &conf_keys[i];
    const char *value;

    if (row->scope != CONF_GLOBAL || !(row->flags & CONF_PATH))
      continue;
    value = *(char **) conf_slot (conf, row);
    if (value != NULL && !g_path_is_absolute (value))
      conf_warn (conf,
                 "%s: [%s] %s: \"%s\" is relative to the working directory; an MTA runs recoil elsewhere",
                 conf->path, row->group, row->key, value);
  }
}

gboolean
conf_load (const char *path, struct conf **out, GError **error)
{
  g_autoptr (GKeyFile) kf = g_key_file_new ();
  g_autoptr (GError) kf_error = NULL;
  g_autoptr (GPtrArray) problems = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (conf_t) conf = NULL;
  g_auto (GStrv) groups = NULL;
  g_autofree char *contents = NULL;
  gsize length = 0;
  gboolean has_secret = FALSE;
  struct stat st;

  if (!g_file_get_contents (path, &contents, &length, &kf_error)) {
    g_set_error (error, CONF_ERROR, CONF_ERROR_READ, "cannot read configuration: %s", kf_error->message);
    return FALSE;
  }
  if (!g_key_file_load_from_data (kf, contents, length, G_KEY_FILE_NONE, &kf_error)) {
    g_set_error (error, CONF_ERROR, CONF_ERROR_READ, "%s: %s", path, kf_error->message);
    return FALSE;
  }

  conf = conf_new_defaults ();
  conf->path = g_strdup (path);
  groups = g_key_file_get_groups (kf, NULL);
  for (char **g = groups; *g != NULL; g++) {
    if (g_str_has_prefix (*g, "provider ") || strcmp (*g, "provider") == 0) {
      const char *name = *g + strlen ("provider");
      struct provider_settings *p;
      guint64 *mask;

      while (*name == ' ')
        name++;
      if (!conf_valid_provider_name (name)) {
        g_ptr_array_add (problems, g_strdup_printf ("%s: [%s]: a provider group is [provider NAME], NAME "
                                                    "made of letters, digits, '-', '_' and '.'",
                                                    path, *g));
        continue;
      }
      p = g_new0 (struct provider_settings, 1);
      p->name = g_strdup (name);
      conf_apply_defaults (p, CONF_PROVIDER);
      mask = g_new0 (guint64, CONF_MASK_WORDS);
      conf_load_group (kf, path, *g, "provider", p, mask, problems, &has_secret);
      conf_check_provider (path, *g, p, mask, problems);
      g_ptr_array_add (conf->providers, p);
      g_ptr_array_add (conf->provider_set_masks, mask);
    } else if (conf_strv_index (conf_groups, *g) >= 0 && strcmp (*g, "provider") != 0) {
      conf_load_group (kf, path, *g, *g, conf, conf->set_mask, problems, &has_secret);
    } else {
      g_ptr_array_add (problems,
                       g_strdup_printf ("%s: [%s]: unknown group (known: [recoil], [verp], [policy], "
                                        "[provider NAME])",
                                        path, *g));
    }
  }

  if (conf->secret_previous != NULL && conf->secret == NULL)
    g_ptr_array_add (problems, g_strdup_printf ("%s: [recoil] secret_previous: set without secret", path));
  if (conf->secret != NULL && g_strcmp0 (conf->secret, conf->secret_previous) == 0)
    g_ptr_array_add (problems, g_strdup_printf ("%s: [recoil] secret_previous: the same as secret", path));
  if (conf->bounce_domain != NULL && conf->unsub_domain != NULL
      && g_ascii_strcasecmp (conf->bounce_domain, conf->unsub_domain) == 0)
    g_ptr_array_add (problems, g_strdup_printf ("%s: [recoil] unsub_domain: the same as bounce_domain; "
                                                "unsubscribe requests need a domain of their own",
                                                path));

  if (strcmp (conf_stores[conf->store], "postgresql") == 0 && conf->pg_conninfo == NULL)
    g_ptr_array_add (problems,
                     g_strdup_printf ("%s: [recoil] store = postgresql: [postgresql] conninfo is not "
                                      "set (the database, e.g. host=db.example.com dbname=recoil "
                                      "user=recoil)",
                                      path));

  if (problems->len > 0) {
    g_autofree char *all = NULL;

    g_ptr_array_add (problems, NULL);
    all = g_strjoinv ("\n", (char **) problems->pdata);
    g_set_error_literal (error, CONF_ERROR, CONF_ERROR_INVALID, all);
    return FALSE;
  }

  if (has_secret && stat (path, &st) == 0 && (st.st_mode & S_IROTH))
    conf_warn (conf, "%s holds secrets and is readable by others; run chmod o-r %s", path, path);
  if (stat (path, &st) == 0 && (st.st_mode & (S_IWGRP | S_IWOTH)))
    conf_warn (conf,
               "%s is writable by %s: whoever can change it can point recoil at another secret or "
               "provider; run chmod go-w %s",
               path, (st.st_mode & S_IWOTH) ? "everyone" : "its group", path);
  for (guint i = 0; i < conf->providers->len; i++) {
    const struct provider_settings *p = g_ptr_array_index (conf->providers, i);

    if (p->url != NULL && g_str_has_prefix (p->url, "http://") && !conf_loopback_url (p->url))
      conf_warn (conf,
                 "%s: [provider %s] url: http:// sends the provider's credentials and the addresses in "
                 "clear over the network; use https://",
                 path, p->name);
  }
  if (conf->pg_password_file != NULL) {
    if (stat (conf->pg_password_file, &st) != 0)
      conf_warn (conf, "%s: [postgresql] password_file %s: %s", path, conf->pg_password_file,
                 g_strerror (errno));
    else if (st.st_mode & (S_IROTH | S_IWOTH))
      conf_warn (conf, "%s: [postgresql] password_file %s is open to others; run chmod o-rw %s", path,
                 conf->pg_password_file, conf->pg_password_file);
  }
  conf_check_paths (conf);
  *out = g_steal_pointer (&conf);
  return TRUE;
}

/* conf_format_value - the text form of ROW's value in BASE (caller frees). */
static char *
conf_format_value (void *base, const struct conf_key *row)
{
  void *slot = conf_slot (base, row);

  switch (row->type) {
  case CONF_STRING: {
    const char *s = *(char **) slot;

    if (s == NULL)
      return g_strdup ("");
    return (row->flags & CONF_SECRET) ? g_strdup ("********") : g_strdup (s);
  }
  case CONF_INT: return g_strdup_printf ("%" G_GINT64_FORMAT, *(gint64 *) slot);
  case CONF_SIZE: return conf_format_size (*(gint64 *) slot);
  case CONF_DURATION: return conf_format_duration (*(gint64 *) slot);
  case CONF_ENUM:
    if (row->scope == CONF_PROVIDER && strcmp (row->key, "type") == 0)
      return g_strdup (*(char **) slot != NULL ? *(char **) slot : "");
    return g_strdup (conf_choices (row)[*(int *) slot]);
  case CONF_LIST: {
    char **v = *(char ***) slot;

    return v != NULL ? g_strjoinv (", ", v) : g_strdup ("");
  }
  }
  return g_strdup ("");
}

/* conf_write_rows - effective values of the rows of table group TGROUP. */
static void
conf_write_rows (GString *out, const char *tgroup, void *base, const guint64 *mask)
{
  for (gsize i = 0; i < CONF_NKEYS; i++) {
    const struct conf_key *row = &conf_keys[i];
    g_autofree char *value = NULL;

    if (strcmp (row->group, tgroup) != 0)
      continue;
    value = conf_format_value (base, row);
    if (conf_mask_has (mask, i))
      g_string_append_printf (out, "%s =%s%s\n", row->key, *value ? " " : "", value);
    else
      g_string_append_printf (out, "# %s =%s%s (default)\n", row->key, *value ? " " : "", value);
  }
}

void
conf_write_effective (const struct conf *conf, GString *out)
{
  g_string_append_printf (out, "# effective configuration from %s\n",
                          conf->path != NULL ? conf->path : "built-in defaults");
  for (const char *const *g = conf_groups; *g != NULL; g++) {
    if (strcmp (*g, "provider") == 0)
      continue;
    g_string_append_printf (out, "\n[%s]\n", *g);
    conf_write_rows (out, *g, (void *) conf, conf->set_mask);
  }
  for (guint i = 0; i < conf->providers->len; i++) {
    struct provider_settings *p = g_ptr_array_index (conf->providers, i);
    guint64 *mask = g_ptr_array_index (conf->provider_set_masks, i);

    g_string_append_printf (out, "\n[provider %s]\n", p->name);
    conf_write_rows (out, "provider", p, mask);
  }
}

/* conf_write_wrapped - TEXT as comment lines of at most about 76 columns. */
static void
conf_write_wrapped (GString *out, const char *lead, const char *text)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  gsize col = 0;

  for (char **w = words; *w != NULL; w++) {
    if (**w == '\0')
      continue;
    if (col > 0 && col + 1 + strlen (*w) > 76) {
      g_string_append_c (out, '\n');
      col = 0;
    }
    if (col == 0) {
      g_string_append_printf (out, "%s#", lead);
      col = strlen (lead) + 1;
    }
    g_string_append_printf (out, " %s", *w);
    col += 1 + strlen (*w);
  }
  g_string_append_c (out, '\n');
}

/* conf_man_text - TEXT escaped for man(7): backslashes doubled, and a
 * line that would start with a dot or an apostrophe protected. */
static void
conf_man_text (GString *out, const char *text)
{
  for (const char *p = text; *p; p++) {
    if (*p == '\\')
      g_string_append (out, "\\e");
    else if (*p == '-')
      g_string_append (out, "\\-");
    else if ((*p == '.' || *p == '\'') && (p == text || p[-1] == '\n'))
      g_string_append_printf (out, "\\&%c", *p);
    else
      g_string_append_c (out, *p);
  }
}

/* conf_man_wrapped - TEXT as man(7) lines of at most 78 bytes. */
static void
conf_man_wrapped (GString *out, const char *text)
{
  g_auto (GStrv) words = g_strsplit (text, " ", -1);
  gsize start = out->len;

  for (char **w = words; *w != NULL; w++) {
    gsize before = out->len;

    if (**w == '\0')
      continue;
    if (before > start)
      g_string_append_c (out, ' ');
    conf_man_text (out, *w);
    if (out->len - start > 78 && before > start) {
      /* the word goes on a line of its own */
      g_string_truncate (out, before);
      g_string_append_c (out, '\n');
      start = out->len;
      conf_man_text (out, *w);
      if (out->str[start] == '.' || out->str[start] == '\'')
        g_string_insert (out, (gssize) start, "\\&");
    }
  }
  g_string_append_c (out, '\n');
}

void
conf_write_manpage (GString *out, const char *version)
{
  g_string_append_printf (out,
                          ".\\\" recoil.conf.5 - generated from recoil's configuration table by\n"
                          ".\\\" `recoil config manpage`; edit src/conf.c, then run make man.\n"
                          ".TH RECOIL.CONF 5 %s \"recoil %s\" \"File Formats Manual\"\n"
                          ".SH NAME\n"
                          "recoil.conf \\- configuration of recoil, the bounce, feedback\\-loop and\n"
                          "unsubscribe handler\n"
                          ".SH SYNOPSIS\n"
                          ".B /etc/recoil/recoil.conf\n"
                          ".SH DESCRIPTION\n"
                          "One INI file, read by every\n"
                          ".BR recoil (1)\n"
                          "command from\n"
                          ".I /etc/recoil/recoil.conf\n"
                          "unless\n"
                          ".B \\-\\-config\n"
                          "names another.\n"
                          "Groups are written\n"
                          ".BR [ group ],\n"
                          "keys\n"
                          ".IB key \" = \" value\\fR.\\fP\n"
                          "Values run to the end of the line: comments go on lines of their own.\n"
                          "Sizes take K, M or G; durations s, m, h, d or w; lists are comma\\-separated.\n"
                          "Unknown groups and keys, bad values and out\\-of\\-range numbers are refused,\n"
                          "each named with its file, group and key;\n"
                          ".B recoil config check\n"
                          "reports them all and exits 78.\n"
                          ".PP\n"
                          "Every key below is shown with its built\\-in default.\n",
                          RECOIL_RELEASE_DATE, version);
  for (const char *const *g = conf_groups; *g != NULL; g++) {
    gboolean provider = strcmp (*g, "provider") == 0;

    if (provider)
      g_string_append (out, ".SH [provider NAME]\n"
                            "One group per campaign tool instance, named by the operator (letters, digits,\n"
                            "dash and underscore), for example\n"
                            ".BR \"[provider mw]\" .\n");
    else
      g_string_append_printf (out, ".SH [%s]\n", *g);
    for (gsize i = 0; i < CONF_NKEYS; i++) {
      const struct conf_key *row = &conf_keys[i];
      const char *const *choices;
      g_autofree char *bounds = NULL;

      if (strcmp (row->group, *g) != 0)
        continue;
      choices = conf_choices (row);
      bounds = conf_describe_bounds (row);
      g_string_append (out, ".TP\n.B ");
      conf_man_text (out, row->key);
      if (row->def != NULL && *row->def != '\0') {
        g_string_append (out, "\\fR = \\fI");
        conf_man_text (out, row->def);
        g_string_append (out, "\\fR");
      }
      g_string_append_c (out, '\n');
      conf_man_wrapped (out, row->help);
      if (choices != NULL) {
        g_autofree char *all = g_strjoinv (", ", (char **) choices);

        g_autofree char *line = g_strdup_printf ("%s: %s", row->type == CONF_LIST ? "Any of" : "One of", all);

        g_string_append (out, ".br\n");
        conf_man_wrapped (out, line);
      }
      if (*bounds != '\0') {
        g_string_append (out, ".br\nRange: ");
        conf_man_text (out, bounds);
        g_string_append_c (out, '\n');
      }
      if (row->flags & CONF_SECRET)
        g_string_append (out, ".br\nA secret: keep the file readable by root and the group recoil runs\n"
                              "as only (mode 0640).\n");
      if (row->flags & CONF_REQUIRED)
        g_string_append (out, ".br\nRequired.\n");
    }
  }
  g_string_append (out, ".SH FILES\n"
                        ".TP\n.I /etc/recoil/recoil.conf\n"
                        "The configuration file.\n"
                        ".TP\n.I /var/lib/recoil\n"
                        "The default\n.BR state_dir .\n"
                        ".SH EXAMPLES\n"
                        ".EX\n"
                        "[recoil]\n"
                        "state_dir = /var/lib/recoil\n"
                        "log = syslog\n"
                        "bounce_domain = bounces.example.com\n"
                        "unsub_domain = unsub.example.com\n"
                        "secret = (head \\-c 32 /dev/urandom | base64)\n"
                        "\n"
                        "[provider mw]\n"
                        "type = mailwizz\n"
                        "url = https://mw.example.com/api\n"
                        "public_key = ...\n"
                        "private_key = ...\n"
                        ".EE\n"
                        ".SH SEE ALSO\n"
                        ".BR recoil (1)\n");
}

/* conf_write_help - the comment lines above a key in the sample. */
static void
conf_write_help (GString *out, const struct conf_key *row, const char *lead)
{
  const char *const *choices = conf_choices (row);
  g_autofree char *bounds = conf_describe_bounds (row);

  conf_write_wrapped (out, lead, row->help);
  if (choices != NULL) {
    g_autofree char *all = g_strjoinv (" | ", (char **) choices);

    g_string_append_printf (out, "%s# %s: %s\n", lead, row->type == CONF_LIST ? "any of" : "one of", all);
  }
  if (*bounds != '\0')
    g_string_append_printf (out, "%s# range: %s\n", lead, bounds);
  if (row->flags & CONF_SECRET)
    g_string_append_printf (out, "%s# secret: keep this file readable by recoil only (chmod 0640).\n", lead);
  if (row->flags & CONF_REQUIRED)
    g_string_append_printf (out, "%s# required\n", lead);
}

void
conf_write_sample (GString *out)
{
  g_string_append (out, "# recoil.conf - configuration of recoil, the bounce, feedback-loop and\n"
                        "# unsubscribe handler.  Generated from recoil's configuration table by\n"
                        "# `recoil config sample`; every key is shown at its built-in default.\n"
                        "#\n"
                        "# Values run to the end of the line: put comments on lines of their own.\n"
                        "# Sizes take K, M or G; durations s, m, h, d or w; lists are comma-separated.\n"
                        "# Check a file with `recoil config check --config FILE`.\n");
  for (const char *const *g = conf_groups; *g != NULL; g++) {
    gboolean provider = strcmp (*g, "provider") == 0;
    const char *lead = provider ? "#" : "";

    if (provider)
      g_string_append (out, "\n# One [provider NAME] group per campaign tool instance, for example:\n"
                            "#[provider mw]\n");
    else
      g_string_append_printf (out, "\n[%s]\n", *g);
    for (gsize i = 0; i < CONF_NKEYS; i++) {
      const struct conf_key *row = &conf_keys[i];

      if (strcmp (row->group, *g) != 0)
        continue;
      conf_write_help (out, row, lead);
      if (row->def != NULL && *row->def != '\0')
        g_string_append_printf (out, "%s#%s = %s\n", lead, row->key, row->def);
      else
        g_string_append_printf (out, "%s#%s =\n", lead, row->key);
    }
  }
}
