/* SPDX-License-Identifier: MIT */
/* verp - who a returned mail is about, from the address it came back to
 *
 * A bounce comes back to the envelope sender of the mail that failed, an
 * unsubscribe request to the mailto: of its List-Unsubscribe header.  When
 * the sender's mailer put the subscriber into those addresses, recoil reads
 * it back out.  The schemes:
 *
 *   recoil    recoil's own signed format (see verp/FORMAT.md): the address,
 *             optional list, campaign and subscriber ids, a day stamp and an
 *             HMAC-SHA256 tag.  Nobody without the secret can make one.
 *   postfix   Postfix/qmail VERP: prefix+user=domain (delimiters
 *             configurable); the address is split on the last '='.
 *   sentto    sentto-user=domain, from the Postfix+PHP article.
 *   mailwizz  SUBSCRIBER.LIST.CAMPAIGN, MailWizz's List-Unsubscribe
 *             extension; later ids may be absent.
 *
 * Pure functions over strings: the caller passes the secret, the clock and
 * the accepted schemes; nothing here reads configuration or the time.
 */
#ifndef RECOIL_VERP_H
#define RECOIL_VERP_H

#include <glib.h>

typedef enum {
  VERP_SCHEME_NONE = 0,
  VERP_SCHEME_RECOIL,
  VERP_SCHEME_POSTFIX,
  VERP_SCHEME_SENTTO,
  VERP_SCHEME_MAILWIZZ,
  VERP_SCHEME_COUNT
} verp_scheme;

/* Which address a signed local part is for; part of what is signed, so a
 * bounce address cannot be replayed as an unsubscribe address. */
typedef enum {
  VERP_KIND_BOUNCE = 'b', /* envelope sender (return path) */
  VERP_KIND_UNSUB = 'u'   /* List-Unsubscribe mailto: */
} verp_kind;

typedef enum {
  VERP_SIG_ABSENT = 0, /* the scheme carries no signature */
  VERP_SIG_VALID,
  VERP_SIG_INVALID /* forged, altered, stale, from the future or wrong kind */
} verp_sig;

#define VERP_ERROR verp_error_quark ()
GQuark verp_error_quark (void);

typedef enum {
  VERP_ERROR_ADDRESS, /* the address to encode is not usable */
  VERP_ERROR_ID,      /* an id is too long or empty */
  VERP_ERROR_SECRET   /* no secret */
} verp_error_code;

/* Limits. */
#define VERP_MAX_ADDRESS 254 /* RFC 5321 4.5.3.1.3 path less the brackets */
#define VERP_MAX_ID 64       /* one list, campaign or subscriber id */
#define VERP_MAX_LOCAL 1024  /* longest local part decode looks at */
#define VERP_LOCAL_LIMIT 64  /* RFC 5321 4.5.3.1.1 local-part size */

/* The optional ids carried with an address; NULL or "" means absent. */
struct verp_ids {
  const char *list;
  const char *campaign;
  const char *subscriber;
};

/* What decoding needs to know. */
struct verp_params {
  verp_kind kind;             /* the domain the address was sent to */
  const verp_scheme *schemes; /* accepted schemes, in the order tried */
  gsize n_schemes;
  char delimiters[2];          /* postfix scheme, e.g. '+', '=' */
  const char *secret;          /* current key; NULL: recoil scheme invalid */
  const char *secret_previous; /* accepted during a rotation; may be NULL */
  gint64 now;                  /* unix seconds */
  gint64 max_age;              /* oldest stamp accepted, seconds */
};

/* The result of verp_decode.  Strings are owned; clear with
 * verp_result_clear. */
struct verp_result {
  verp_scheme scheme;
  char *address; /* the subscriber address, or NULL (mailwizz) */
  char *list_id;
  char *campaign_id;
  char *subscriber_id;
  verp_sig signature;
  const char *problem;   /* static text when signature is INVALID */
  gint64 stamp_day;      /* recoil: days since 1970-01-01 UTC, else -1 */
  gboolean previous_key; /* recoil: verified with secret_previous */
};

/* verp_encode - the local part of a recoil-signed address of KIND for
 * ADDRESS (a mailbox local@domain; a quoted or UTF-8 local part and a UTF-8
 * domain are fine) with the optional IDS, stamped with DAY (days since
 * 1970-01-01 UTC) and signed with SECRET.  Returns a string of lower-case
 * letters, digits and . - _ + = ~ that the caller joins with '@' and its
 * domain, or NULL with ERROR set (VERP_ERROR_ADDRESS, VERP_ERROR_ID,
 * VERP_ERROR_SECRET).  The result may be longer than VERP_LOCAL_LIMIT for
 * long addresses or ids; see verp/FORMAT.md.  Caller frees with g_free. */
char *verp_encode (verp_kind kind, const char *address, const struct verp_ids *ids, const char *secret,
                   gint64 day, GError **error);

/* verp_decode - read LOCAL_PART (the part before '@' of an address at the
 * bounce or unsubscribe domain, in any case) with the schemes of PARAMS, in
 * their order.  The first scheme whose syntax matches decides: a local part
 * that is syntactically recoil's is reported as recoil even when its
 * signature fails, so breaking the tag never falls through to a weaker
 * scheme.  Returns FALSE (OUT cleared, scheme NONE) when no accepted
 * scheme matches.  Never fails otherwise: bad input is a result. */
gboolean verp_decode (const char *local_part, const struct verp_params *params, struct verp_result *out);

/* verp_result_clear - free what OUT owns and reset it. */
void verp_result_clear (struct verp_result *out);

/* verp_scheme_name - "recoil", "postfix", "sentto", "mailwizz", "none";
 * static storage. */
const char *verp_scheme_name (verp_scheme scheme);

/* verp_scheme_parse - the inverse, case-insensitive; FALSE if unknown. */
gboolean verp_scheme_parse (const char *name, verp_scheme *scheme);

/* verp_sig_name - "absent", "valid", "invalid"; static storage. */
const char *verp_sig_name (verp_sig sig);

/* verp_unwrap - ADDRESS without the wrappers forwarders and signing MTAs
 * put around it: BATV "prvs=TAG=local@domain" (and "btv1==TAG==local"),
 * SRS "SRS0=HASH=TT=origdomain=local@forwarder" and "SRS1=...", nested.
 * Returns a new string (a copy when there is nothing to strip); caller
 * frees with g_free. */
char *verp_unwrap (const char *address);

#endif
