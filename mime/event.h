/* SPDX-License-Identifier: MIT */
/* event - the one data type that crosses recoil (design.md section 2)
 *
 * A reader (mime/ for mail, src/ for PowerMTA accounting records) turns its
 * input into events; identity, policy, store and dispatch look only at
 * events, never at MIME or CSV again.  This header defines the event and
 * the stable names of its enumerations, which appear in JSON output, the
 * event log and the configuration.
 */
#ifndef RECOIL_EVENT_H
#define RECOIL_EVENT_H

#include <glib.h>

typedef enum {
  EVENT_KIND_UNKNOWN = 0,
  EVENT_KIND_BOUNCE,
  EVENT_KIND_COMPLAINT,
  EVENT_KIND_UNSUBSCRIBE,
  EVENT_KIND_AUTOREPLY,
  EVENT_KIND_DELIVERED,
  EVENT_KIND_DELAYED, /* a delay warning: the MTA is still trying; never counted, never acted on */
  EVENT_KIND_COUNT
} event_kind;

/* hard and soft count against the recipient; ignore is sender-side trouble
 * (reputation, policy, content, authentication) that must never punish the
 * recipient. */
typedef enum {
  EVENT_CLASS_NONE = 0, /* not a bounce: complaints, unsubscribes, ... */
  EVENT_CLASS_HARD,
  EVENT_CLASS_SOFT,
  EVENT_CLASS_IGNORE,
  EVENT_CLASS_COUNT
} event_class;

/* Identity hints read from the returned original message, a report or an
 * accounting record (design.md section 3). */
struct event_hints {
  char *list_id;       /* X-Mw-List-Uid, X-Mailer-LID, List-Id, header_* */
  char *campaign_id;   /* X-Mw-Campaign-Uid, VERP campaign, ... */
  char *subscriber_id; /* X-Mw-Subscriber-Uid, X-Mailer-RecptId, ... */
  char *provider;      /* provider instance named by the input, if any */
  char *job_id;        /* PowerMTA jobId / X-Job */
  char *message_id;    /* Message-ID of the original message */
};

/* One event.  Every string is owned by the event and freed by event_free. */
struct event {
  event_kind kind;
  event_class klass;
  char *address;            /* who it is about; domain lower-cased; NULL if unknown */
  char *original_recipient; /* the address first written to (DSN Original-Recipient) when a
                             * forward or alias changed it into ADDRESS, or NULL */
  char *status;             /* enhanced status "5.1.1", or NULL */
  int reply_code;           /* SMTP reply code, 0 if none */
  char *diagnostic;         /* diagnostic text, or NULL */
  char *remote_mta;         /* remote MTA, or NULL */
  char *reason;             /* Sisimai reason name: "userunknown", ... */
  char *category;           /* PowerMTA bounceCat name: "bad-mailbox", ... */
  char *feedback_type;      /* ARF Feedback-Type for complaints */
  char *source;             /* "dsn", "arf", "acct-b", "heuristic:exim", ... */
  struct event_hints hints;
  gint64 time; /* when it happened, unix seconds; 0 if unknown */
};

/* event_new - an empty event of kind unknown.  Free with event_free. */
struct event *event_new (void);

/* event_free - free EVENT and everything it owns; NULL is fine. */
void event_free (struct event *event);

typedef struct event event_t;
G_DEFINE_AUTOPTR_CLEANUP_FUNC (event_t, event_free)

/* event_kind_name / event_class_name - the stable lower-case names used in
 * JSON, logs and configuration ("bounce", "hard", ...); static storage.
 * Out-of-range values give "unknown" / "none". */
const char *event_kind_name (event_kind kind);
const char *event_class_name (event_class klass);

/* event_kind_parse / event_class_parse - the inverse, case-insensitive;
 * FALSE for an unknown name. */
gboolean event_kind_parse (const char *name, event_kind *kind);
gboolean event_class_parse (const char *name, event_class *klass);

/* event_normalize_address - the form addresses are compared in: the local
 * part kept as it is (RFC 5321 2.4 leaves its case to the receiver), the
 * domain lower-cased (for SMTPUTF8 domains: NFC, then Unicode lower case)
 * without a final dot, surrounding white space and one pair of angle
 * brackets removed.  Returns NULL for anything that is not an address:
 * no '@' with text on both sides, control characters, U+FFFD (bytes lost
 * in decoding), a local part that
 * is neither a dot-atom nor a quoted string or is over 64 octets, a
 * domain that is not two or more labels of letters, digits, '-' and '_'
 * (or UTF-8) nor an address literal, over 254 octets in all (RFC 5321
 * 4.1.2, 4.5.3.1).  Caller frees with g_free. */
char *event_normalize_address (const char *address);

/* event_field_address - the address in a report field value: the part
 * after "type;" (rfc822; utf-8; ...), inside <...> when present, without
 * quotes and trailing punctuation, normalised; NULL when there is none.
 * Caller frees with g_free. */
char *event_field_address (const char *value);

#endif
