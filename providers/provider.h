/* SPDX-License-Identifier: MIT */
/* provider - the campaign tools recoil tells about a decision
 *
 * Each provider type (MailWizz, Interspire, listmonk, a generic webhook)
 * is one `struct provider_type` in the registry and one file of its own.
 * src/ reads the `[provider NAME]` groups of the configuration into
 * `struct provider_settings` (plain data: providers/ never reads files or
 * the environment and never touches the network itself).
 *
 * The configuration sees only `struct provider_type` (provider.c: names,
 * actions, completeness checks).  The interface is small.  The dispatcher (src/dispatch.c) hands a type an
 * action in a `struct provider_job`; the type's `start` prepares the first
 * HTTP request in job->request, and its `answer` reads what came back and
 * either prepares the next request (an action may take several: look the
 * address up, then unsubscribe it from each list) or says how the action
 * ended: done, try again later, or parked for the operator.  A type keeps
 * its progress in the job, so every step is plain data in, plain data out,
 * and the unit tests drive each type without a network.
 *
 * Every action is idempotent at the provider ("already unsubscribed" and
 * "already recorded" end as done), so running an action again after a
 * crash or a lost answer is harmless.
 */
#ifndef RECOIL_PROVIDER_H
#define RECOIL_PROVIDER_H

#include <glib.h>

/* The settings of one configured provider instance.  All strings are owned
 * by whoever filled the struct (src/conf.c frees them with the config). */
struct provider_settings {
  char *name;         /* the NAME of [provider NAME] */
  char *type;         /* "mailwizz", "interspire", "listmonk", "webhook" */
  char *url;          /* API base URL, http:// or https:// */
  gint64 api_version; /* MailWizz: 1 (signed) or 2 (X-Api-Key) */
  char *public_key;   /* MailWizz 1.x */
  char *private_key;  /* MailWizz 1.x, secret */
  char *api_key;      /* MailWizz 2.x, secret */
  char *remote_addr;  /* MailWizz 1.x X-MW-REMOTE-ADDR */
  char *username;     /* Interspire, listmonk */
  char *token;        /* Interspire usertoken, listmonk token, secret */
  int auth;           /* listmonk: enum provider_auth */
  char *secret;       /* webhook HMAC key, secret */
  char **senders;     /* envelope sender patterns routed here; empty = all */
  int scope;          /* enum provider_scope */
  char **actions;     /* "unsubscribe", "blocklist", "record", "none" */
  gint64 parallel;    /* requests in flight at once */
  gint64 list_ttl;    /* Interspire: seconds the list of lists is kept */
};

enum provider_scope { PROVIDER_SCOPE_ALL_LISTS, PROVIDER_SCOPE_ORIGIN_LIST };
enum provider_auth { PROVIDER_AUTH_BASIC, PROVIDER_AUTH_TOKEN };

/* One action, as the outbox keeps it.  Strings are borrowed. */
struct provider_action {
  guint64 id;                                        /* outbox id: unique, stable across attempts */
  const char *action;                                /* "unsubscribe", "blocklist", "record" */
  int scope;                                         /* enum provider_scope */
  const char *address;                               /* normalised address */
  const char *list_id, *campaign_id, *subscriber_id; /* hints; may be NULL */
  const char *reason;                                /* "hard", "soft", "complaint", "unsubscribe" */
  const char *status;                                /* enhanced status code, may be NULL */
  gint64 created;                                    /* when the decision was taken, unix seconds */
  guint attempt;                                     /* 1 for the first try */
};

/* An HTTP request a type wants made. */
struct provider_request {
  const char *method; /* static: "GET", "POST", "PUT" */
  char *url;
  GPtrArray *headers; /* of char *, "Name: value" */
  GString *body;      /* NULL: no body */
};

/* What came back for a request. */
struct provider_answer {
  long http;        /* HTTP status; 0 when none arrived */
  const char *body; /* may be NULL when LEN is 0; not terminated */
  gsize len;
  const char *transport_error; /* why no answer arrived (connect, timeout, TLS), or NULL */
};

typedef enum {
  PROVIDER_NEXT,  /* job->request holds the next request */
  PROVIDER_DONE,  /* confirmed, or nothing to do: the action leaves the outbox */
  PROVIDER_RETRY, /* temporary trouble: try again later */
  PROVIDER_PARK   /* permanent: kept for the operator with job->note */
} provider_verdict;

/* Per-instance memory that outlives one job (Interspire's list of lists).
 * Owned by the dispatcher, one per configured provider. */
struct provider_cache {
  char **lists;       /* list ids, or NULL when not fetched */
  gint64 lists_until; /* unix seconds after which they are fetched again */
};

/* One action being carried out. */
struct provider_job {
  const struct provider_settings *settings;
  const struct provider_action *action;
  struct provider_cache *cache;
  gint64 now;                      /* wall-clock seconds, for signatures and caches */
  struct provider_request request; /* filled by start/answer for PROVIDER_NEXT */
  char *note;                      /* how it ended or what failed, for the outbox and the log */
  gint64 retry_after;              /* seconds the provider asked us to wait, 0 = none */
  /* the type's progress */
  int step;
  GPtrArray *todo; /* of char *: work items still to do (e.g. "LIST\tSUBSCRIBER") */
  char *found;     /* a value found by an earlier step */
};

/* What the configuration needs to know about a type (provider.c): plain
 * data, so that `recoil config check` and the pipe commands link none of
 * the HTTP and XML machinery. */
struct provider_type {
  const char *name; /* the word in `type =` */
  const char *summary;
  const char *const *actions; /* the actions this type can carry out, NULL-terminated */
  /* check - NULL when SETTINGS are complete for this type, else a static
   * sentence naming what is missing, e.g. "api_version 1 needs public_key". */
  const char *(*check) (const struct provider_settings *settings);
};

/* How a type carries out an action (one file per type; ops.c finds them). */
struct provider_ops {
  const char *name;
  /* start - prepare the first request of JOB; PROVIDER_DONE or
   * PROVIDER_PARK (with job->note) when there is nothing to ask. */
  provider_verdict (*start) (struct provider_job *job);
  /* answer - read the answer to job->request. */
  provider_verdict (*answer) (struct provider_job *job, const struct provider_answer *answer);
};

/* provider_type_lookup - the registered type called NAME, or NULL.
 * The result is static. */
const struct provider_type *provider_type_lookup (const char *name);

/* provider_type_names - the registered type names in registry order,
 * NULL-terminated; static storage. */
const char *const *provider_type_names (void);

/* provider_action_names - the action words a provider may be given,
 * NULL-terminated; static storage. */
const char *const *provider_action_names (void);

/* provider_supports - whether TYPE can carry out ACTION ("none" always). */
gboolean provider_supports (const struct provider_type *type, const char *action);

/* provider_job_init / provider_job_clear - a job for ACTION at SETTINGS. */
void provider_job_init (struct provider_job *job, const struct provider_settings *settings,
                        const struct provider_action *action, struct provider_cache *cache, gint64 now);
void provider_job_clear (struct provider_job *job);

/* provider_cache_clear - free what CACHE holds. */
void provider_cache_clear (struct provider_cache *cache);

/* provider_action_key - the action's idempotency key, DECIDED-ID-DIGEST
 * (the decision's unix time, the outbox id, 12 hex digits of the SHA-256
 * of the action, address, list and subscriber): the same on every attempt
 * of the action, different for any other.  Every request carries it as
 * `Idempotency-Key`; the webhook also as X-Recoil-Id and its `id`.  Caller
 * frees with g_free. */
char *provider_action_key (const struct provider_action *a);

/* --- helpers shared by the types (provider.c) --- */

/* provider_request_new - reset job->request to METHOD URL (URL is taken). */
void provider_request_new (struct provider_job *job, const char *method, char *url);

/* provider_header - add a "Name: value" header to job->request. */
void provider_header (struct provider_job *job, const char *name, const char *value);

/* provider_url - BASE without trailing slashes, "/", then PATH. */
char *provider_url (const char *base, const char *path);

/* provider_urlencode - VALUE as PHP urlencode writes it: A-Z a-z 0-9 . _ -
 * literal, space as '+', every other byte %XX (upper-case); appended to OUT. */
void provider_urlencode (GString *out, const char *value);

/* provider_path_segment - VALUE escaped for one URL path segment (RFC 3986
 * unreserved kept, the rest %XX); caller frees. */
char *provider_path_segment (const char *value);

/* provider_note - set job->note from FORMAT (control characters replaced,
 * at most 300 bytes kept). */
void provider_note (struct provider_job *job, const char *format, ...) G_GNUC_PRINTF (2, 3);

/* provider_http_trouble - the verdict for an answer that is not a success
 * by HTTP alone: no answer, 408, 425, 429 or 5xx retry; other 4xx park; a
 * note naming WHAT and the answer is set.  Returns PROVIDER_DONE for 2xx
 * (the caller reads the body). */
provider_verdict provider_http_trouble (struct provider_job *job, const struct provider_answer *answer,
                                        const char *what);

/* provider_body_excerpt - the start of an answer body fit for a note:
 * printable, at most 160 bytes; caller frees. */
char *provider_body_excerpt (const struct provider_answer *answer);

/* provider_todo_push / provider_todo_pop - the job's work items, FIFO;
 * pop returns an owned string or NULL when empty. */
void provider_todo_push (struct provider_job *job, char *item);
char *provider_todo_pop (struct provider_job *job);

/* provider_ops_lookup - the operations of the type called NAME, or NULL. */
const struct provider_ops *provider_ops_lookup (const char *name);

/* The types' operations, one file each. */
extern const struct provider_ops provider_mailwizz_ops;
extern const struct provider_ops provider_interspire_ops;
extern const struct provider_ops provider_listmonk_ops;
extern const struct provider_ops provider_webhook_ops;

#endif
