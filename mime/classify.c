/* SPDX-License-Identifier: MIT */
/* classify - reason, category, class and status from a report's words.
 *
 * Tables:
 *   - classify_kinds: each reason's category, class and pseudo status;
 *   - classify_phrases: lower-case patterns per reason over the diagnostic
 *     ('*' in a pattern means "and later on");
 *   - classify_codes: the reason an enhanced status code names;
 *   - classify_order_smtp / classify_order_words: the order in which
 *     reasons are tried (see classify_decide).
 * A new MTA's wording is a phrase row here, or a row of its own in
 * mime/rules-*.c (textbounce_says), not a new code path.
 */
#include "config.h"

#include <string.h>

#include "classify.h"

struct fact *
fact_new (void)
{
  return g_new0 (struct fact, 1);
}

void
fact_free (struct fact *fact)
{
  if (fact == NULL)
    return;
  g_free (fact->recipient);
  g_free (fact->action);
  g_free (fact->status);
  g_free (fact->diagnostic);
  g_free (fact->remote_mta);
  g_free (fact->original);
  g_free (fact->report_status);
  g_free (fact);
}

/* The reasons: Sisimai's names, PowerMTA's bounceCat, the Sisimai-style
 * pseudo status detail used when a report gives no status, whether a
 * permanent failure of this reason is the address's fault (hard) and
 * whether it is sender-side trouble (class ignore). */
enum {
  R_UNDEFINED,
  R_ONHOLD,
  R_USERUNKNOWN,
  R_HOSTUNKNOWN,
  R_HASMOVED,
  R_NOTACCEPT,
  R_SUSPEND,
  R_MAILBOXFULL,
  R_EXCEEDLIMIT,
  R_MESGTOOBIG,
  R_FILTERED,
  R_EXPIRED,
  R_NETWORKERROR,
  R_SYSTEMERROR,
  R_SYSTEMFULL,
  R_MAILERERROR,
  R_TOOMANYCONN,
  R_NORELAYING,
  R_BLOCKED,
  R_REJECTED,
  R_SPAMDETECTED,
  R_VIRUSDETECTED,
  R_CONTENTERROR,
  R_POLICYVIOLATION,
  R_SECURITYERROR,
  R_AUTHFAILURE,
  R_REQUIREPTR,
  R_BADREPUTATION,
  R_NOTCOMPLIANTRFC,
  R_SYNTAXERROR,
  R_SPEEDING,
  R_DELIVERED,
  R_FEEDBACK,
  R_VACATION,
  R_COUNT
};

struct classify_kind {
  const char *reason;
  const char *category;
  const char *pseudo; /* detail of the x.0.9xx status */
  gboolean hard;      /* a permanent failure of this reason is the address's fault */
  gboolean sender;    /* sender-side trouble: class ignore */
};

static const struct classify_kind classify_kinds[R_COUNT] = {
  [R_UNDEFINED] = { "undefined", "other", "900", FALSE, FALSE },
  [R_ONHOLD] = { "onhold", "other", "901", FALSE, FALSE },
  [R_USERUNKNOWN] = { "userunknown", "bad-mailbox", "911", TRUE, FALSE },
  [R_HOSTUNKNOWN] = { "hostunknown", "bad-domain", "912", TRUE, FALSE },
  [R_HASMOVED] = { "hasmoved", "bad-mailbox", "916", TRUE, FALSE },
  [R_NOTACCEPT] = { "notaccept", "bad-domain", "932", TRUE, FALSE },
  [R_SUSPEND] = { "suspend", "inactive-mailbox", "921", FALSE, FALSE },
  [R_MAILBOXFULL] = { "mailboxfull", "quota-issues", "922", FALSE, FALSE },
  [R_EXCEEDLIMIT] = { "exceedlimit", "quota-issues", "923", FALSE, FALSE },
  [R_MESGTOOBIG] = { "mesgtoobig", "content-related", "934", FALSE, TRUE },
  [R_FILTERED] = { "filtered", "policy-related", "910", FALSE, FALSE },
  [R_EXPIRED] = { "expired", "message-expired", "947", FALSE, FALSE },
  [R_NETWORKERROR] = { "networkerror", "no-answer-from-host", "944", FALSE, FALSE },
  [R_SYSTEMERROR] = { "systemerror", "bad-configuration", "930", FALSE, FALSE },
  [R_SYSTEMFULL] = { "systemfull", "bad-configuration", "931", FALSE, FALSE },
  [R_MAILERERROR] = { "mailererror", "bad-configuration", "939", FALSE, FALSE },
  [R_TOOMANYCONN] = { "toomanyconn", "bad-connection", "945", FALSE, TRUE },
  [R_NORELAYING] = { "norelaying", "relaying-issues", "909", FALSE, TRUE },
  [R_BLOCKED] = { "blocked", "policy-related", "971", FALSE, TRUE },
  [R_REJECTED] = { "rejected", "invalid-sender", "918", FALSE, TRUE },
  [R_SPAMDETECTED] = { "spamdetected", "spam-related", "980", FALSE, TRUE },
  [R_VIRUSDETECTED] = { "virusdetected", "virus-related", "981", FALSE, TRUE },
  [R_CONTENTERROR] = { "contenterror", "content-related", "960", FALSE, TRUE },
  [R_POLICYVIOLATION] = { "policyviolation", "policy-related", "972", FALSE, TRUE },
  [R_SECURITYERROR] = { "securityerror", "policy-related", "970", FALSE, TRUE },
  [R_AUTHFAILURE] = { "authfailure", "policy-related", "974", FALSE, TRUE },
  [R_REQUIREPTR] = { "requireptr", "policy-related", "973", FALSE, TRUE },
  [R_BADREPUTATION] = { "badreputation", "spam-related", "976", FALSE, TRUE },
  [R_NOTCOMPLIANTRFC] = { "notcompliantrfc", "content-related", "975", FALSE, TRUE },
  [R_SYNTAXERROR] = { "syntaxerror", "protocol-errors", "902", FALSE, TRUE },
  [R_SPEEDING] = { "speeding", "policy-related", "946", FALSE, TRUE },
  [R_DELIVERED] = { "delivered", "other", "900", FALSE, FALSE },
  [R_FEEDBACK] = { "feedback", "other", "900", FALSE, FALSE },
  [R_VACATION] = { "vacation", "other", "900", FALSE, FALSE },
};

/* Phrases: for each reason, lower-case patterns that say it; '*' in a
 * pattern means "and later on".  A diagnostic is scanned once and every
 * reason with a matching phrase is noted; the decision below then weighs
 * them against the status code and the SMTP command. */
struct classify_phrase {
  int reason;
  const char *const *patterns;
};

#define P(...)                                                                                               \
  (const char *const[])                                                                                      \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }

static const struct classify_phrase classify_phrases[] = {
  { R_MAILERERROR, P ("command output:", "command died with status", "procmail:", "x-unix; ",
                      "local delivery failed", "pipe to |", "exit status", "unknown mailer error",
                      "mailer error", "command failed", "couldn't create", "unable to deliver to program") },
  { R_MAILBOXFULL,
    P ("exceeded the local limit", "messages in recipient's mailbox exceeded", "mailbox full",
       "mailbox is full", "mailbox is over quota", "over quota", "quota exceeded", "exceeded storage",
       "exceeds the storage", "user is over", "mailbox size limit", "mail quota", "disk quota",
       "too much mail", "mailbox would exceed", "full mailbox", "account is full", "mailfolder is full",
       "mail box full", "insufficient storage for", "exceeded his/her quota", "exceeded quota", "quota full",
       "recipient's mailbox is full", "box is full", "is over its quota", "overquota", "over the quota",
       "mailbox exceeds", "has exceeded the max", "storage limit", "maildir over quota",
       "mailbox has exceeded", "exceeds allowed size", "not enough storage", "out of storage",
       "mailbox has too many", "would be over the allowed quota", "is over the allowed quota",
       "inbox is full", "over its storage") },
  { R_MESGTOOBIG, P ("message too big", "message too large", "message is too large", "message size exceeds",
                     "exceeds size limit", "size exceeds", "message exceeds", "too big for",
                     "message length exceeds", "exceeded maximum message size", "maximum message size",
                     "mail size limit", "message too long", "message file too big", "size limit") },
  { R_EXCEEDLIMIT, P ("message header size", "exceeds the maximum number", "message header exceeds") },
  { R_SUSPEND,
    P ("temporary locked", "temporarily locked", "account is locked", "account disabled",
       "account has been disabled", "account is disabled", "mailbox disabled", "mailbox is disabled",
       "mailbox has been disabled", "account suspended", "account is suspended", "account has been suspended",
       "mailbox is inactive", "inactive account", "account inactive", "account is inactive",
       "account expired", "user suspended", "is not active", "temporarily disabled", "mailbox is frozen",
       "mailbox has been suspended", "has been frozen", "account is not active", "recipient suspended",
       "mailbox unavailable or access denied", "this account has been", "mailbox is currently unavailable",
       "user account is unavailable", "extended inactivity", "inactive", "disabled", "blocked by the user") },
  { R_HASMOVED, P ("has moved", "address has changed", "no longer at this address", "moved to") },
  { R_NORELAYING, P ("not configured to relay", "email address is not verified", "relay access denied",
                     "relaying denied", "relay denied", "not permitted to relay", "relay not permitted",
                     "relaying not permitted", "unable to relay", "relaying not allowed", "we do not relay",
                     "not allowed to relay", "relaying mail to", "cannot relay", "no relaying",
                     "relay prohibited", "not a gateway", "relay not allowed", "is not a permitted relay",
                     "is not permitted to relay", "relaying to", "not local host") },
  { R_AUTHFAILURE, P ("spf check", "spf fail", "spf validation", "sender policy framework", "dkim", "dmarc",
                      "5.7.26", "5.7.509", "sender authentication", "domain authentication", "spf record",
                      "is not authorized to send", "not designated as permitted sender", "spf=fail", "spf)",
                      "unauthenticated email", "spf ", "authentication information", "authentication checks",
                      "sender is unauthenticated", "senders to authenticate") },
  { R_USERUNKNOWN,
    P ("user unknown", "unknown user", "no such user", "no such mailbox", "no such recipient",
       "no such account", "no such person", "no such local user", "user not found", "user does not exist",
       "user doesn't exist", "mailbox not found", "mailbox does not exist", "mailbox doesn't exist",
       "mailbox unknown", "unknown mailbox", "recipient not found", "recipient unknown", "unknown recipient",
       "invalid recipient", "invalid mailbox", "not a valid mailbox", "account does not exist",
       "address does not exist", "unknown local part", "bad recipient", "unknown address", "address unknown",
       "recipient address rejected: user", "recipient does not exist", "not our customer",
       "this user doesn't have", "doesn't have a", "no mailbox here", "does not exist",
       "is not a valid recipient", "undeliverable address", "recipient rejected", "invalid address",
       "no mailbox", "unknown or illegal alias", "user not exist", "no such address", "unknown email address",
       "addressee unknown", "user invalid", "invalid user", "no valid recipients",
       "cannot be delivered to this user", "wasn't found at", "was not found at", "address not found",
       "email address could not be found", "account that you tried to reach", "no longer valid",
       "recipient address rejected: access denied", "mailbox unavailable", "not listed in domino directory",
       "not listed in public name", "user reject", "destination addresses were unknown",
       "is not a known user", "recipient is not local", "unknown or illegal user", "no account by that name",
       "no user by that name", "please check if address is correct", "not known here", "deactivated mailbox",
       "this address no longer accepts mail", "bad destination mailbox") },
  { R_FILTERED, P ("refused due to recipient preferences", "message rejected due to user rules",
                   "you have been blocked by the recipient", "recipient is only accepting mail from",
                   "is not accepting any mail", "this account is protected by", "resolver.rst.notauthorized",
                   "user reject", "message filtered") },
  { R_REQUIREPTR,
    P ("reverse dns", "reverse lookup", "ptr record", "no ptr", "rdns", "reverse-dns",
       "cannot find your hostname", "cannot resolve your address", "hostname does not resolve", "has no ptr",
       "no reverse", "dns ptr", "reverse mapping", "5.7.25", "ip name lookup failed",
       "cannot find your reverse", "reverse address", "client host * has no", "unresolvable",
       "not resolve your hostname", "does not resolve to") },
  { R_NOTCOMPLIANTRFC, P ("rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "not rfc", "not compliant",
                          "duplicate header", "multiple subject", "multiple from", "improperly formatted",
                          "multiple addresses in from", "valid address in from", "no from: header",
                          "no from header", "from header is missing", "'from' header is missing") },
  { R_BADREPUTATION, P ("reputation", "sender score") },
  { R_REJECTED, P ("purported responsible address", "sender was rejected", "sender rejected",
                   "sender address rejected", "domain of sender address", "sender verify failed",
                   "sender is not allowed", "address verification failed", "invalid sender", "bad sender",
                   "sender domain", "senders address rejected", "your sender address", "envelope sender",
                   "sender address", "refused by recipient", "rejected by recipient", "recipient refused",
                   "sending address not accepted", "sender unknown", "unknown sender",
                   "domain not found in from", "'send mail as'", "customfromdenied") },
  { R_HOSTUNKNOWN,
    P ("domain is not reachable", "host * not found", "unrouteable address", "host unknown", "unknown host",
       "host not found", "domain not found", "no such domain", "name service error", "domain does not exist",
       "unrouteable mail domain", "host or domain name not found", "domain name not found", "unknown domain",
       "illegal host/domain", "hostname not found", "domain is not found", "no mx record",
       "domain doesn't exist", "nxdomain", "could not be resolved", "unresolvable domain",
       "dns lookup failed", "no such host", "domain name lookup", "domain unknown") },
  { R_NOTACCEPT, P ("indicated no smtp service", "does not accept mail", "null mx", "not accepting mail",
                    "domain does not accept", "accepts no mail", "does not receive mail",
                    "mail is not accepted", "no mail accepted") },
  { R_BLOCKED, P ("not accepting connections", "spamhaus", "blocked using", "dnsbl", "blacklist", "blocklist",
                  "black list", "block list", "barracudacentral", "spamcop", "sorbs", "client host rejected",
                  "listed in", "blocked", "rbl", "please use the smtp server of your isp", "dynamic ip",
                  "dynamic address", "residential", "your ip", "ip address", "not allowed to send from",
                  "dialup", "dial-up", "connection refused by", "your host", "your server", "unauthorized",
                  "no access from", "is an open relay") },
  { R_VIRUSDETECTED, P ("virus", "infected", "malware", "malicious") },
  { R_SPAMDETECTED,
    P ("- spam", "spam detected", "detected as spam", "as spam", "is spam", "spam message", "spam content",
       "likely spam", "spam filter", "spam score", "considered spam", "suspected spam", "looks like spam",
       "spam policy", "spam)", "spam.", "spam,", "spam ", "junk mail", "unsolicited", "bulk mail",
       "message content rejected", "content filter", "rejected as bulk", "scored too high", "classified as",
       "blacklisted url", "blocklisted url", "uribl", "url in message", "blacklisted link",
       "spam classification") },
  { R_TOOMANYCONN,
    P ("too many recipients", "too many connections", "too many concurrent", "connection limit",
       "connection rate", "too many simultaneous", "too many sessions", "too many errors") },
  { R_POLICYVIOLATION,
    P ("protocol violation", "policy violation", "violates", "violation of", "policy reasons", "prohibited",
       "not allowed by policy", "rejected for policy", "message not allowed", "policy") },
  { R_SECURITYERROR, P ("unauthenticated senders not allowed", "starttls", "tls required", "must issue a",
                        "encryption required", "certificate", "authentication required", "security policy",
                        "secure connection") },
  { R_CONTENTERROR, P ("improper use of 8-bit", "invalid header", "mime") },
  { R_SYNTAXERROR,
    P ("syntax error", "command unrecognized", "bad sequence", "unrecognized command", "unknown command") },
  { R_SYSTEMFULL,
    P ("insufficient system storage", "disk full", "out of disk", "system storage", "insufficient disk") },
  { R_EXPIRED,
    P ("was not delivered within", "delivery failed * attempts", "could not find a gateway",
       "host not reachable", "envelope expired", "delivery time expired", "message expired",
       "retry timeout exceeded", "retry time not reached", "could not be delivered for",
       "has not been delivered", "been delayed", "delayed for", "giving up", "gave up", "too long in queue",
       "queue too long", "connection timed out", "unable to deliver in", "did not accept our requests",
       "server did not respond", "unable to deliver message after", "in the queue too long",
       "message timed out", "not reachable within", "could not be delivered for more than", "expired") },
  { R_NETWORKERROR,
    P ("host not found, try again", "dns error", "no route to host", "network is unreachable",
       "host is unreachable", "lost connection", "network error", "could not connect", "unable to connect",
       "loop", "too many hops", "hop count exceeded", "name server reply", "host name lookup failure",
       "dns records", "unable to resolve route", "connection reset", "connection refused") },
  { R_SYSTEMERROR, P ("transaction failed", "could not load", "system error", "internal error",
                      "server error", "local error", "i/o error", "resources", "configuration error",
                      "misconfigured", "unavailable", "try again later", "system problem", "system config") },
};

/* Status codes to the reason they name (RFC 3463 and the IANA registry's
 * meanings, in Sisimai's vocabulary).  A status not listed names none. */
struct classify_code {
  const char *code;
  int reason;
};

static const struct classify_code classify_codes[] = {
  { "5.1.0", R_USERUNKNOWN },    { "5.1.1", R_USERUNKNOWN },    { "5.1.2", R_HOSTUNKNOWN },
  { "5.1.3", R_USERUNKNOWN },    { "5.1.4", R_FILTERED },       { "5.1.6", R_HASMOVED },
  { "5.1.7", R_REJECTED },       { "5.1.8", R_REJECTED },       { "5.1.9", R_SYSTEMERROR },
  { "5.1.10", R_NOTACCEPT },     { "5.2.0", R_FILTERED },       { "5.2.1", R_FILTERED },
  { "5.2.2", R_MAILBOXFULL },    { "5.2.3", R_EXCEEDLIMIT },    { "5.2.4", R_FILTERED },
  { "5.3.0", R_SYSTEMERROR },    { "5.3.1", R_SYSTEMFULL },     { "5.3.2", R_NOTACCEPT },
  { "5.3.3", R_SYSTEMERROR },    { "5.3.4", R_MESGTOOBIG },     { "5.3.5", R_SYSTEMERROR },
  { "5.4.0", R_NETWORKERROR },   { "5.4.1", R_USERUNKNOWN },    { "5.4.3", R_SYSTEMERROR },
  { "5.4.4", R_HOSTUNKNOWN },    { "5.4.6", R_NETWORKERROR },   { "5.4.7", R_EXPIRED },
  { "5.5.3", R_TOOMANYCONN },    { "5.5.4", R_SYSTEMERROR },    { "5.5.5", R_SYSTEMERROR },
  { "5.5.6", R_SECURITYERROR },  { "5.6.0", R_CONTENTERROR },   { "5.6.1", R_CONTENTERROR },
  { "5.6.2", R_CONTENTERROR },   { "5.6.3", R_CONTENTERROR },   { "5.6.5", R_CONTENTERROR },
  { "5.6.6", R_CONTENTERROR },   { "5.6.7", R_CONTENTERROR },   { "5.6.8", R_CONTENTERROR },
  { "5.6.9", R_CONTENTERROR },   { "5.7.0", R_SECURITYERROR },  { "5.7.1", R_SECURITYERROR },
  { "5.7.2", R_SECURITYERROR },  { "5.7.3", R_SECURITYERROR },  { "5.7.4", R_SECURITYERROR },
  { "5.7.5", R_SECURITYERROR },  { "5.7.6", R_SECURITYERROR },  { "5.7.7", R_SECURITYERROR },
  { "5.7.8", R_SECURITYERROR },  { "5.7.9", R_SECURITYERROR },  { "5.7.10", R_SECURITYERROR },
  { "5.7.11", R_SECURITYERROR }, { "5.7.13", R_SUSPEND },       { "5.7.14", R_SECURITYERROR },
  { "5.7.15", R_SECURITYERROR }, { "5.7.16", R_MESGTOOBIG },    { "5.7.17", R_HASMOVED },
  { "5.7.18", R_HASMOVED },      { "5.7.19", R_SECURITYERROR }, { "5.7.20", R_AUTHFAILURE },
  { "5.7.21", R_AUTHFAILURE },   { "5.7.22", R_AUTHFAILURE },   { "5.7.23", R_AUTHFAILURE },
  { "5.7.24", R_AUTHFAILURE },   { "5.7.25", R_REQUIREPTR },    { "5.7.26", R_AUTHFAILURE },
  { "5.7.27", R_NOTACCEPT },     { "5.7.509", R_AUTHFAILURE },  { "4.1.6", R_HASMOVED },
  { "4.1.7", R_REJECTED },       { "4.1.8", R_REJECTED },       { "4.1.9", R_SYSTEMERROR },
  { "4.2.1", R_SUSPEND },        { "4.2.2", R_MAILBOXFULL },    { "4.2.3", R_EXCEEDLIMIT },
  { "4.2.4", R_FILTERED },       { "4.3.1", R_SYSTEMFULL },     { "4.3.2", R_NOTACCEPT },
  { "4.3.3", R_SYSTEMERROR },    { "4.3.5", R_SYSTEMERROR },    { "4.4.1", R_EXPIRED },
  { "4.4.2", R_NETWORKERROR },   { "4.4.4", R_NETWORKERROR },   { "4.4.5", R_SYSTEMFULL },
  { "4.4.6", R_NETWORKERROR },   { "4.4.7", R_EXPIRED },        { "4.5.3", R_SYSTEMERROR },
  { "4.5.5", R_SYSTEMERROR },    { "4.6.0", R_CONTENTERROR },   { "4.6.2", R_CONTENTERROR },
  { "4.6.5", R_CONTENTERROR },   { "4.7.1", R_BLOCKED },        { "4.7.2", R_BLOCKED },
  { "4.7.5", R_SECURITYERROR },  { "4.7.6", R_SECURITYERROR },  { "4.7.7", R_SECURITYERROR },
  { "4.7.24", R_AUTHFAILURE },   { "4.7.25", R_REQUIREPTR },
};

/* classify_kind_of - the row for REASON, or NULL. */
static const struct classify_kind *
classify_kind_of (const char *reason)
{
  for (gsize i = 0; i < G_N_ELEMENTS (classify_kinds); i++)
    if (strcmp (classify_kinds[i].reason, reason) == 0)
      return &classify_kinds[i];
  return NULL;
}

const char *
classify_category (const char *reason)
{
  const struct classify_kind *k = reason != NULL ? classify_kind_of (reason) : NULL;

  return k != NULL ? k->category : "other";
}

gboolean
classify_is_hard (const char *reason)
{
  const struct classify_kind *k = reason != NULL ? classify_kind_of (reason) : NULL;

  return k != NULL && k->hard;
}

/* classify_match - whether PATTERN ('*'-separated pieces, in order) occurs
 * in the lower-case TEXT. */
static gboolean
classify_match (const char *text, const char *pattern)
{
  const char *star = strchr (pattern, '*');
  const char *at;

  if (star == NULL)
    return strstr (text, pattern) != NULL;
  {
    gsize n = (gsize) (star - pattern);
    g_autofree char *piece = g_strndup (pattern, n);

    while (n > 0 && piece[n - 1] == ' ')
      piece[--n] = '\0';
    at = strstr (text, piece);
    if (at == NULL)
      return FALSE;
    star++;
    while (*star == ' ')
      star++;
    return classify_match (at + n, star);
  }
}

/* The phrase index: the patterns (reason and pattern) bucketed by a hash
 * of their first two bytes, so a text is scanned once and only candidate
 * patterns are compared.  Built once per process, in one allocation: the
 * start of a `recoil mail` should not pay for more. */
struct classify_candidate {
  int reason;
  const char *pattern;
  gsize first_len; /* length of the pattern's first piece (up to '*') */
  gboolean star;   /* whether there is more after a '*' */
};

#define CLASSIFY_BUCKETS 1024
#define CLASSIFY_BUCKET(a, b) ((((guint) (guchar) (a) *31u) ^ (guchar) (b)) & (CLASSIFY_BUCKETS - 1))

static struct classify_candidate *classify_cands;   /* by bucket */
static guint classify_bucket[CLASSIFY_BUCKETS + 1]; /* bucket B is [B], up to [B + 1] */

/* classify_index_build - fill classify_cands and classify_bucket. */
static gsize
classify_index_build (void)
{
  guint total = 0;
  guint fill[CLASSIFY_BUCKETS];

  for (gsize row = 0; row < G_N_ELEMENTS (classify_phrases); row++)
    for (const char *const *p = classify_phrases[row].patterns; *p != NULL; p++) {
      g_assert ((*p)[0] != '\0' && (*p)[1] != '\0');
      classify_bucket[CLASSIFY_BUCKET ((*p)[0], (*p)[1]) + 1]++;
      total++;
    }
  for (guint b = 0; b < CLASSIFY_BUCKETS; b++) {
    classify_bucket[b + 1] += classify_bucket[b];
    fill[b] = classify_bucket[b];
  }
  classify_cands = g_new0 (struct classify_candidate, total);
  for (gsize row = 0; row < G_N_ELEMENTS (classify_phrases); row++)
    for (const char *const *p = classify_phrases[row].patterns; *p != NULL; p++) {
      struct classify_candidate *c = &classify_cands[fill[CLASSIFY_BUCKET ((*p)[0], (*p)[1])]++];
      const char *star = strchr (*p, '*');

      c->reason = classify_phrases[row].reason;
      c->pattern = *p;
      c->first_len = star != NULL ? (gsize) (star - *p) : strlen (*p);
      c->star = star != NULL;
      while (c->star && c->first_len > 0 && (*p)[c->first_len - 1] == ' ')
        c->first_len--;
      g_assert (c->first_len >= 2);
    }
  return 1;
}

#define BIT(r) ((guint64) 1 << (r))

/* classify_phrase_mask - the reasons (bits) one of whose phrases occurs in
 * the lower-case LOWER.  A phrase found only inside a longer phrase of
 * another reason does not count: "domain does not exist" is about the
 * domain, not the "does not exist" of a mailbox; "blocked by the user" is
 * not a block list. */
static guint64
classify_phrase_mask (const char *lower)
{
  static gsize built;
  struct {
    gsize start, end;
    int reason;
  } hit[64];
  guint nhit = 0;
  gsize len = strlen (lower);
  guint64 mask = 0;

  if (g_once_init_enter (&built))
    g_once_init_leave (&built, classify_index_build ());
  for (gsize i = 0; i + 1 < len; i++) {
    guint b = CLASSIFY_BUCKET (lower[i], lower[i + 1]);

    for (guint k = classify_bucket[b]; k < classify_bucket[b + 1]; k++) {
      const struct classify_candidate *c = &classify_cands[k];

      if (c->pattern[0] != lower[i] || c->pattern[1] != lower[i + 1] || i + c->first_len > len
          || memcmp (lower + i, c->pattern, c->first_len) != 0)
        continue;
      if (c->star) {
        if (classify_match (lower + i, c->pattern))
          mask |= BIT (c->reason);
      } else if (nhit < G_N_ELEMENTS (hit)) {
        hit[nhit].start = i;
        hit[nhit].end = i + c->first_len;
        hit[nhit++].reason = c->reason;
      } else
        mask |= BIT (c->reason);
    }
  }
  for (guint a = 0; a < nhit; a++) {
    gboolean inside = FALSE;

    for (guint o = 0; o < nhit && !inside; o++)
      inside = hit[o].reason != hit[a].reason && hit[o].start <= hit[a].start && hit[o].end >= hit[a].end
               && hit[o].end - hit[o].start > hit[a].end - hit[a].start;
    if (!inside)
      mask |= BIT (hit[a].reason);
  }
  return mask;
}

/* classify_code_reason - the reason STATUS names (R_*), or -1.  The
 * Sisimai-style x.0.9xx codes name their reasons too. */
static int
classify_code_reason (const char *status)
{
  if (status == NULL)
    return -1;
  for (gsize i = 0; i < G_N_ELEMENTS (classify_codes); i++)
    if (strcmp (classify_codes[i].code, status) == 0)
      return classify_codes[i].reason;
  if ((status[0] == '4' || status[0] == '5') && strncmp (status + 1, ".0.9", 4) == 0)
    for (int r = 0; r < R_COUNT; r++)
      if (strcmp (classify_kinds[r].pseudo, status + 4) == 0 && r != R_DELIVERED && r != R_FEEDBACK
          && r != R_VACATION)
        return r;
  return -1;
}

/* classify_status_valid - D.S.D with class 2, 4 or 5 (RFC 3463 2). */
static gboolean
classify_status_valid (const char *s, gsize *len)
{
  const char *p = s;
  int digits;

  if (*p != '2' && *p != '4' && *p != '5')
    return FALSE;
  p++;
  if (*p++ != '.')
    return FALSE;
  for (digits = 0; g_ascii_isdigit (*p) && digits < 3; digits++)
    p++;
  if (digits == 0 || *p++ != '.')
    return FALSE;
  for (digits = 0; g_ascii_isdigit (*p) && digits < 3; digits++)
    p++;
  if (digits == 0 || g_ascii_isdigit (*p))
    return FALSE;
  *len = (gsize) (p - s);
  return TRUE;
}

char *
classify_status_in_text (const char *text)
{
  if (text == NULL)
    return NULL;
  for (const char *p = text; *p; p++) {
    gsize len;

    if ((p == text || !(g_ascii_isdigit (p[-1]) || p[-1] == '.')) && classify_status_valid (p, &len)
        && !(p[len] == '.' && g_ascii_isdigit (p[len + 1])))
      return g_strndup (p, len);
  }
  return NULL;
}

int
classify_reply_in_text (const char *text)
{
  if (text == NULL)
    return 0;
  for (const char *p = text; p[0] && p[1] && p[2]; p++)
    if ((p[0] == '2' || p[0] == '4' || p[0] == '5') && g_ascii_isdigit (p[1]) && g_ascii_isdigit (p[2])
        && (p == text || !(g_ascii_isalnum (p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == ':')
            || (p[-1] == ':' && p - text >= 2 && p[-2] == ' '))
        && (p[3] == ' ' || p[3] == '-' || p[3] == '\0' || p[3] == '\n' || p[3] == ','))
      return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
  return 0;
}

/* The SMTP commands reports name, and how.  Phrases are lower case and
 * matched on text whose white space is folded to single spaces. */
struct classify_command_phrase {
  const char *phrase;
  char command;
};

static const struct classify_command_phrase classify_command_phrases[] = {
  { "rcpt to", CLASSIFY_CMD_RCPT },
  { "rcpt command", CLASSIFY_CMD_RCPT },
  { "smtp:rcpt", CLASSIFY_CMD_RCPT },
  { "[rcpt_to]", CLASSIFY_CMD_RCPT },
  { "after rcpt", CLASSIFY_CMD_RCPT },
  { "does not like recipient", CLASSIFY_CMD_RCPT },
  { "mail from:", CLASSIFY_CMD_MAIL },
  { "mail from command", CLASSIFY_CMD_MAIL },
  { "after mail from", CLASSIFY_CMD_MAIL },
  { "smtp:mail", CLASSIFY_CMD_MAIL },
  { "didn't like our mail from", CLASSIFY_CMD_MAIL },
  { "does not like sender", CLASSIFY_CMD_MAIL },
  { "end of data", CLASSIFY_CMD_DATA },
  { "after data", CLASSIFY_CMD_DATA },
  { "data command", CLASSIFY_CMD_DATA },
  { ">>> data", CLASSIFY_CMD_DATA },
  { "smtp:data", CLASSIFY_CMD_DATA },
  { "in reply to data", CLASSIFY_CMD_DATA },
  { "failed after i sent the message", CLASSIFY_CMD_DATA },
  { "ehlo command", CLASSIFY_CMD_HELO },
  { "helo command", CLASSIFY_CMD_HELO },
  { ">>> ehlo", CLASSIFY_CMD_HELO },
  { ">>> helo", CLASSIFY_CMD_HELO },
  { "in reply to ehlo", CLASSIFY_CMD_HELO },
  { "in reply to helo", CLASSIFY_CMD_HELO },
  { "after ehlo", CLASSIFY_CMD_HELO },
  { "after helo", CLASSIFY_CMD_HELO },
  { "smtp:ehlo", CLASSIFY_CMD_HELO },
  { "smtp:helo", CLASSIFY_CMD_HELO },
  { "refused to talk to me", CLASSIFY_CMD_CONN },
  { "initial greeting", CLASSIFY_CMD_CONN },
  { "initial connection", CLASSIFY_CMD_CONN },
  { "while connecting to", CLASSIFY_CMD_CONN },
};

char *
classify_fold (const char *text)
{
  char *out = g_malloc (strlen (text) + 1);
  char *o = out;

  for (const char *p = text; *p; p++) {
    if (g_ascii_isspace (*p)) {
      if (o > out && o[-1] != ' ')
        *o++ = ' ';
      continue;
    }
    *o++ = g_ascii_tolower (*p);
  }
  *o = '\0';
  return out;
}

/* How far from a recipient's mention a command phrase still speaks of it,
 * and how much of a text is read when no recipient is named. */
#define CLASSIFY_COMMAND_WINDOW 512
#define CLASSIFY_COMMAND_HEAD 8192

/* classify_command_between - the command of the phrase in [FROM, TO) of
 * FLAT that comes first (or, with LAST, last), and its position in *AT;
 * 0 when none. */
static char
classify_command_between (const char *from, const char *to, gboolean last, const char **at)
{
  char best = 0;

  for (gsize i = 0; i < G_N_ELEMENTS (classify_command_phrases); i++) {
    const char *phrase = classify_command_phrases[i].phrase;
    gsize n = strlen (phrase);

    for (const char *p = from; p + n <= to; p++) {
      p = memchr (p, phrase[0], (gsize) (to - p));
      if (p == NULL || p + n > to)
        break;
      if (memcmp (p, phrase, n) != 0)
        continue;
      if (best == 0 || (last ? p > *at : p < *at)) {
        best = classify_command_phrases[i].command;
        *at = p;
      }
      if (!last)
        break;
    }
  }
  return best;
}

char
classify_command_near (const char *flat, const char *who)
{
  const char *at = who != NULL && *who != '\0' ? strstr (flat, who) : NULL;
  const char *hit = NULL;
  gsize len = strlen (flat);

  if (at == NULL)
    return classify_command_between (flat, flat + MIN (len, CLASSIFY_COMMAND_HEAD), FALSE, &hit);
  /* a mention after the address, before any other address, speaks of it
   * ("... (in reply to RCPT TO command)"); otherwise the nearest one
   * before it (">>> DATA" of a transcript) */
  {
    const char *from = at + strlen (who);
    const char *to = from + MIN ((gsize) (flat + len - from), CLASSIFY_COMMAND_WINDOW);
    const char *who_at = strchr (who, '@');
    const char *end = to;
    char command;

    /* up to another address; the same address again does not count */
    for (const char *p = from; p < to && (p = memchr (p, '@', (gsize) (to - p))) != NULL; p++) {
      const char *start = who_at != NULL ? p - (who_at - who) : NULL;

      if (start == NULL || start < flat || strncmp (start, who, strlen (who)) != 0) {
        end = p;
        break;
      }
    }
    command = classify_command_between (from, end, FALSE, &hit);

    if (command != 0)
      return command;
    from = at - MIN ((gsize) (at - flat), CLASSIFY_COMMAND_WINDOW);
    return classify_command_between (from, at, TRUE, &hit);
  }
}

char
classify_command_in (const char *text, const char *recipient)
{
  g_autofree char *flat = NULL;
  g_autofree char *who = NULL;

  if (text == NULL)
    return 0;
  flat = classify_fold (text);
  who = recipient != NULL ? g_ascii_strdown (recipient, -1) : NULL;
  return classify_command_near (flat, who);
}

/* classify_strdown - S lower-cased: byte by byte when it is ASCII (most
 * diagnostics), by Unicode rules otherwise. */
static char *
classify_strdown (const char *s)
{
  for (const unsigned char *p = (const unsigned char *) s; *p; p++)
    if (*p >= 0x80)
      return g_utf8_strdown (s, -1);
  return g_ascii_strdown (s, -1);
}

/* classify_reply_token - the length of the reply code that starts a line
 * of a multi-line SMTP reply at P ("550-", "550-5.7.1 ", "550 5.7.1 "),
 * or 0. */
static gsize
classify_reply_token (const char *p)
{
  gsize n = 4;

  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]) || !g_ascii_isdigit (p[2])
      || (p[3] != '-' && p[3] != ' '))
    return 0;
  if (g_ascii_isdigit (p[4]) && p[5] == '.') {
    gsize k = 6, dots = 0;

    while (g_ascii_isdigit (p[k]) || (p[k] == '.' && dots++ == 0))
      k++;
    if (dots == 1 && g_ascii_isdigit (p[k - 1]) && p[k] == ' ')
      return k + 1;
  }
  return p[3] == '-' ? n : 0;
}

/* classify_unwrap - LOWER without the reply codes that a multi-line reply
 * repeats on each of its lines once they are joined ("... with multiple
 * 550 5.7.1 addresses in from: ..."), so that a phrase broken over two
 * lines is found.  A code stays where it is first said, which is near the
 * start: only the first CLASSIFY_UNWRAP_SPAN bytes are searched for it, so
 * a hostile diagnostic costs linear time.  In place. */
#define CLASSIFY_UNWRAP_SPAN 512
static void
classify_unwrap (char *lower)
{
  gsize w = 0;

  for (gsize r = 0; lower[r] != '\0';) {
    gsize n = w > 0 && lower[w - 1] == ' ' ? classify_reply_token (lower + r) : 0;

    if (n > 0 && n < 24) {
      char token[24], other[24];
      gssize span = (gssize) MIN (w, CLASSIFY_UNWRAP_SPAN);

      memcpy (token, lower + r, n);
      token[n] = '\0';
      /* "550-" and "550 " are the same code */
      memcpy (other, token, n + 1);
      other[3] = token[3] == '-' ? ' ' : '-';
      if (g_strstr_len (lower, span, token) != NULL || g_strstr_len (lower, span, other) != NULL) {
        r += n;
        continue;
      }
    }
    lower[w++] = lower[r++];
  }
  lower[w] = '\0';
}

/* The decision.  A report's words, status and SMTP command are weighed in
 * this order:
 *   1. a reason the reader knows from the report's format wins, unless it
 *      is one of the vague ones the words may refine;
 *   2. for SMTP diagnostics (or none), each reason of classify_order_smtp
 *      in turn is tested against the status and the words (classify_holds);
 *   3. a status that names a definite reason stands;
 *   4. otherwise the words alone, in classify_order_words;
 *   5. then the status class (x.6 content, x.7 security), a mailer's own
 *      diagnostic type, a 50x reply (syntax), a delay (expired), a refusal
 *      at HELO (blocked), the vague status reason, and finally onhold (there
 *      are words) or undefined.
 * Two rules carry most of the weight: "no such user" is userunknown only
 * when the status says so or the refusal came at RCPT; after DATA it is a
 * content filter's verdict (filtered).  Sender problems are judged by the
 * command too. */
static const int classify_order_smtp[] = {
  R_MAILBOXFULL,     R_MESGTOOBIG,    R_EXCEEDLIMIT,  R_SUSPEND,  R_HASMOVED,
  R_NORELAYING,      R_AUTHFAILURE,   R_USERUNKNOWN,  R_FILTERED, R_REQUIREPTR,
  R_NOTCOMPLIANTRFC, R_BADREPUTATION, R_CONTENTERROR, R_REJECTED, R_HOSTUNKNOWN,
  R_SPAMDETECTED,    R_SPEEDING,      R_TOOMANYCONN,  R_BLOCKED,
};

static const int classify_order_words[] = {
  R_MAILBOXFULL,     R_AUTHFAILURE, R_BADREPUTATION, R_SPEEDING,      R_SPAMDETECTED, R_VIRUSDETECTED,
  R_POLICYVIOLATION, R_NORELAYING,  R_EXPIRED,       R_SYSTEMERROR,   R_NETWORKERROR, R_SUSPEND,
  R_CONTENTERROR,    R_SYSTEMFULL,  R_NOTACCEPT,     R_SECURITYERROR, R_MAILERERROR,
};

/* reasons a status or a reader may name that the words can still refine */
static const guint64 classify_vague = BIT (R_UNDEFINED) | BIT (R_ONHOLD) | BIT (R_SYSTEMERROR)
                                      | BIT (R_SECURITYERROR) | BIT (R_NETWORKERROR) | BIT (R_HOSTUNKNOWN)
                                      | BIT (R_USERUNKNOWN) | BIT (R_MAILERERROR);

struct classify_ctx {
  guint64 words;  /* reasons whose phrases occur */
  int named;      /* the reason the status names, or -1 */
  int preset;     /* the reason the reader knows, or -1 */
  int provider;   /* the reason a provider's own reply gives, or -1 */
  char command;   /* CLASSIFY_CMD_* or 0 */
  char diag_type; /* CLASSIFY_DIAG_* or 0 */
  int reply_code;
  gboolean remote; /* a remote MTA is named: the failure came over SMTP */
  gboolean delayed;
  gboolean said_something;
  char status_class;   /* '4', '5' or 0 */
  char status_subject; /* the digit after the class, or 0 */
};

/* Replies in the providers' own words, from their published catalogues;
 * each phrase is specific to its provider and decides before the general
 * phrases above.  Lower case, matched anywhere in the diagnostic; the
 * first match in this order wins. */
static const struct {
  const char *phrase;
  int reason;
} classify_provider_replies[] = {
  /* Gmail, "Gmail SMTP errors and codes",
   * https://support.google.com/a/answer/3726730 */
  { "email account that you tried to reach is over quota", R_MAILBOXFULL },
  { "inbox is out of storage space", R_MAILBOXFULL },
  { "email account that you tried to reach does not exist", R_USERUNKNOWN },
  { "email account that you tried to reach is disabled", R_SUSPEND },
  { "email account that you tried to reach is inactive", R_SUSPEND },
  { "receiving mail too quickly", R_SPEEDING },
  { "receiving mail at a rate that prevents", R_SPEEDING },
  { "unusual rate of unsolicited mail", R_BADREPUTATION },
  { "low reputation of the sending", R_BADREPUTATION },
  { "ip not in whitelist for rcpt domain", R_BLOCKED },
  { "tls required for rcpt domain", R_SECURITYERROR },
  { "not authorized to send email directly to our servers", R_BLOCKED },
  { "is likely unsolicited mail", R_SPAMDETECTED },
  { "exceeded google's message size limits", R_MESGTOOBIG },
  { "- gcdp ", R_POLICYVIOLATION },
  /* Microsoft 365, "Email non-delivery reports and SMTP errors in Exchange
   * Online", https://learn.microsoft.com/en-us/exchange/mail-flow-best-practices/
   * non-delivery-reports-in-exchange-online/non-delivery-reports-in-exchange-online */
  { "resolver.adr.recipnotfound", R_USERUNKNOWN },
  { "resolver.adr.recipientnotfound", R_USERUNKNOWN },
  { "resolver.adr.exrecipnotfound", R_USERUNKNOWN },
  { "access denied. as(", R_USERUNKNOWN },
  { "resolver.rst.notauthorized", R_FILTERED },
  { "resolver.rst.sendernotauthenticatedfor", R_FILTERED },
  { "resolver.rst.deliveryrestricted", R_FILTERED },
  { "resolver.rst.authrequired", R_FILTERED },
  { "resolver.rst.recipsizelimit", R_MESGTOOBIG },
  { "quotaexceededexception", R_MAILBOXFULL },
  { "banned sending ip", R_BLOCKED },
  { "traffic not accepted from this ip", R_BLOCKED },
  { "does not pass dmarc verification", R_AUTHFAILURE },
  { "sender policy framework violation", R_AUTHFAILURE },
  { "rate limited due to ip reputation", R_BADREPUTATION },
  { "hop count exceeded", R_NETWORKERROR },
  /* Yahoo, "SMTP error codes", https://senders.yahooinc.com/smtp-error-codes/ */
  { "[tss04]", R_BADREPUTATION },
  { "unexpected volume or user complaints", R_BADREPUTATION },
  { "[ts01]", R_BLOCKED },
  { "[ts02]", R_BLOCKED },
  { "[ts03]", R_BLOCKED },
  { "[tss09]", R_BLOCKED },
  { "[bl21]", R_BLOCKED },
  { "[bl23]", R_BLOCKED },
  { "message not accepted for policy reasons", R_POLICYVIOLATION },
  { "doesn't have a yahoo.com account", R_USERUNKNOWN },
  { "this mailbox is disabled (554.30)", R_SUSPEND },
  { "unresolvable rfc.5321 from domain", R_REJECTED },
  /* Orange and Wanadoo, their replies in French and English ("Orange
   * postmaster", https://postmaster.orange.fr/) */
  { "boite du destinataire pleine", R_MAILBOXFULL },
  { "destinataire invalide", R_USERUNKNOWN },
  { "compte du destinataire est bloque", R_SUSPEND },
  { "boite du destinataire archivee", R_SUSPEND },
  { "trop de connexions", R_TOOMANYCONN },
  { "service refuse, veuillez essayer plus tard", R_BLOCKED },
};

/* classify_provider - the reason a provider's own reply in LOWER gives, or -1. */
static int
classify_provider (const char *lower)
{
  for (gsize i = 0; i < G_N_ELEMENTS (classify_provider_replies); i++)
    if (strstr (lower, classify_provider_replies[i].phrase) != NULL)
      return classify_provider_replies[i].reason;
  return -1;
}

/* classify_before_data - whether COMMAND comes before the message is sent. */
static gboolean
classify_before_data (char command)
{
  return command == CLASSIFY_CMD_CONN || command == CLASSIFY_CMD_HELO || command == CLASSIFY_CMD_MAIL
         || command == CLASSIFY_CMD_RCPT;
}

/* classify_holds - whether reason R is the verdict for C (step 2). */
static gboolean
classify_holds (int r, const struct classify_ctx *c)
{
  static const guint64 not_a_user = BIT (R_NORELAYING) | BIT (R_BLOCKED) | BIT (R_MAILBOXFULL)
                                    | BIT (R_HASMOVED) | BIT (R_REJECTED) | BIT (R_NOTACCEPT);
  static const guint64 user_words = BIT (R_USERUNKNOWN) | BIT (R_FILTERED);
  gboolean said = (c->words & BIT (r)) != 0;

  if (c->preset == r)
    return TRUE;
  switch (r) {
  case R_MESGTOOBIG: return c->named == r || (c->named != R_EXCEEDLIMIT && said);
  case R_NORELAYING: return said && c->command != CLASSIFY_CMD_CONN && c->command != CLASSIFY_CMD_HELO;
  case R_USERUNKNOWN:
    /* a refusal at MAIL FROM is about the sender, whatever it says */
    if (c->command == CLASSIFY_CMD_MAIL)
      return FALSE;
    if (c->named == R_USERUNKNOWN)
      return (c->words & not_a_user) == 0;
    /* Microsoft answers an unknown recipient with 5.1.10, the code RFC 7505
     * gives a domain with a null MX: the words decide */
    if (c->named == R_NOTACCEPT)
      return said && (c->words & not_a_user) == 0;
    /* a local failure (no remote MTA, no reply, no SMTP command: an Exim
     * router's ":fail: Unknown user", a local mailer): the reporting MTA
     * knows its own users */
    if (!c->remote && c->reply_code == 0 && c->command == 0 && c->status_class == '5' && said
        && c->diag_type != CLASSIFY_DIAG_SMTP)
      return (c->words & not_a_user) == 0;
    return c->named != R_SUSPEND && c->command == CLASSIFY_CMD_RCPT && said;
  case R_FILTERED:
    if (c->named == R_SUSPEND)
      return FALSE;
    if (c->named == R_FILTERED)
      return (c->words & user_words) != 0;
    /* a status that names another definite cause keeps it */
    if (c->named >= 0 && (classify_vague & BIT (c->named)) == 0)
      return FALSE;
    return !classify_before_data (c->command) && (c->words & user_words) != 0;
  case R_REJECTED:
    if (c->named == r)
      return TRUE;
    if (c->command == CLASSIFY_CMD_MAIL && (said || c->named == R_USERUNKNOWN))
      return TRUE;
    if (!said)
      return FALSE;
    if (c->command == CLASSIFY_CMD_DATA)
      return c->named != R_USERUNKNOWN;
    return c->named < 0 || c->named == R_ONHOLD || c->named == R_UNDEFINED || c->named == R_SECURITYERROR
           || c->named == R_SYSTEMERROR;
  case R_HOSTUNKNOWN: return (c->named == r || said) && (c->words & BIT (R_NETWORKERROR)) == 0;
  case R_SPAMDETECTED: return c->named == r || (said && !classify_before_data (c->command));
  case R_SUSPEND:
  case R_NOTCOMPLIANTRFC:
  case R_BADREPUTATION:
  case R_CONTENTERROR:
  case R_SPEEDING: return said;
  default: return c->named == r || said;
  }
}

/* classify_decide - the verdict for C (see above). */
static int
classify_decide (const struct classify_ctx *c)
{
  if (c->provider >= 0)
    return c->provider;
  if (c->preset >= 0 && (classify_vague & BIT (c->preset)) == 0)
    return c->preset;
  if (c->diag_type == 0 || c->diag_type == CLASSIFY_DIAG_SMTP)
    for (gsize i = 0; i < G_N_ELEMENTS (classify_order_smtp); i++)
      if (classify_holds (classify_order_smtp[i], c))
        return classify_order_smtp[i];
  if (c->preset >= 0)
    return c->preset;
  if (c->named >= 0 && c->named != R_EXPIRED && (classify_vague & BIT (c->named)) == 0
      && c->diag_type == CLASSIFY_DIAG_SMTP)
    return c->named;
  for (gsize i = 0; i < G_N_ELEMENTS (classify_order_words); i++)
    if ((c->words & BIT (classify_order_words[i])) != 0)
      return classify_order_words[i];
  if (c->status_subject == '6')
    return R_CONTENTERROR;
  if (c->status_subject == '7')
    return R_SECURITYERROR;
  if (c->diag_type == CLASSIFY_DIAG_MAILER)
    return R_MAILERERROR;
  if (c->reply_code >= 500 && c->reply_code <= 507)
    return R_SYNTAXERROR;
  if (c->delayed)
    return R_EXPIRED;
  if (c->command == CLASSIFY_CMD_HELO || c->command == CLASSIFY_CMD_CONN)
    return R_BLOCKED;
  if (c->named >= 0)
    return c->named;
  return c->said_something ? R_ONHOLD : R_UNDEFINED;
}

/* classify_run - the reason for the given report values (R_*). */
static int
classify_run (const char *diagnostic, const char *status, int reply_code, gboolean delayed, char command,
              char diag_type, const char *preset, gboolean remote)
{
  g_autofree char *lower = diagnostic != NULL ? classify_strdown (diagnostic) : NULL;
  struct classify_ctx c = { 0 };

  if (status != NULL && status[0] == '2')
    return R_DELIVERED;
  if (lower != NULL)
    classify_unwrap (lower);
  c.words = lower != NULL ? classify_phrase_mask (lower) : 0;
  c.provider = lower != NULL ? classify_provider (lower) : -1;
  c.named = classify_code_reason (status);
  c.preset = -1;
  for (int r = 0; preset != NULL && r < R_COUNT; r++)
    if (strcmp (classify_kinds[r].reason, preset) == 0)
      c.preset = r;
  c.command = command;
  c.diag_type = diag_type;
  c.reply_code = reply_code;
  c.remote = remote;
  c.delayed = delayed;
  c.said_something = lower != NULL && *lower != '\0';
  if (status != NULL && (status[0] == '4' || status[0] == '5') && status[1] == '.') {
    c.status_class = status[0];
    c.status_subject = status[2];
  }
  return classify_decide (&c);
}

const char *
classify_reason (const char *diagnostic, const char *status, int reply_code, gboolean delayed, char command)
{
  return classify_kinds[classify_run (diagnostic, status, reply_code, delayed, command, 0, NULL, TRUE)]
      .reason;
}

/* classify_pseudo_status - "5.0.9xx" (or "4.0.9xx") for reason R. */
static char *
classify_pseudo_status (int r, gboolean temporary)
{
  return g_strdup_printf ("%c.0.%s", temporary ? '4' : '5', classify_kinds[r].pseudo);
}

gboolean
classify_says_expired (const char *text)
{
  /* what MTAs write when they give up after retrying: Exim ("retry
   * timeout exceeded"), Sendmail ("Message could not be delivered for 5
   * days"), OpenSMTPD ("Envelope expired"), Postfix ("message expired",
   * "too long in the queue"), Exchange ("message expired"), qmail ("I'm
   * not going to try again; this message has been in the queue too long") */
  static const char *const said[] = { "retry timeout exceeded", "could not be delivered for",
                                      "envelope expired",       "message expired",
                                      "delivery time expired",  "delivery expired",
                                      "in the queue too long",  "been in the queue too long",
                                      "too long in queue",      "too long in the queue",
                                      "maximum delivery time",  "message has expired",
                                      "expired after",          "retry period expired",
                                      "queue lifetime",         NULL };
  g_autofree char *lower = NULL;

  if (text == NULL)
    return FALSE;
  lower = g_ascii_strdown (text, -1);
  for (const char *const *p = said; *p != NULL; p++)
    if (strstr (lower, *p) != NULL)
      return TRUE;
  return FALSE;
}

/* classify_gave_up - whether FACT tells of an MTA that gave up after
 * retrying: a failure whose last answer was temporary, or words that say
 * the retries ran out (even under an Action of delayed: OpenSMTPD's
 * "Envelope expired" notice). */
static gboolean
classify_gave_up (const struct fact *fact, const char *status, int reply_code)
{
  gboolean delivered = fact->action != NULL
                       && (g_ascii_strncasecmp (fact->action, "delivered", 9) == 0
                           || g_ascii_strncasecmp (fact->action, "relayed", 7) == 0
                           || g_ascii_strncasecmp (fact->action, "expanded", 8) == 0);

  if (delivered)
    return FALSE;
  /* the recipient's own line says so (Exim, OpenSMTPD) */
  if (classify_says_expired (fact->diagnostic))
    return TRUE;
  /* the report says so, and the last answer about this one was temporary
   * (a 5xx answer is its own verdict, whatever else the report says; a
   * recipient still delayed is still being tried) */
  if (fact->action != NULL && g_ascii_strncasecmp (fact->action, "delayed", 7) == 0)
    return FALSE;
  if (!fact->gave_up)
    return FALSE;
  return (reply_code >= 400 && reply_code < 500) || (status != NULL && status[0] == '4')
         || (fact->report_status != NULL && fact->report_status[0] == '4');
}

struct event *
classify_fact (const struct fact *fact, const char *source)
{
  struct event *e = event_new ();
  g_autofree char *status = NULL;
  gboolean temporary = fact->temporary;
  gboolean delayed = FALSE;
  gboolean delivered = FALSE;
  int r;

  if (fact->action != NULL
      && (g_ascii_strncasecmp (fact->action, "delivered", 9) == 0
          || g_ascii_strncasecmp (fact->action, "relayed", 7) == 0
          || g_ascii_strncasecmp (fact->action, "expanded", 8) == 0))
    delivered = TRUE;
  if (fact->action != NULL && g_ascii_strncasecmp (fact->action, "delayed", 7) == 0)
    temporary = delayed = TRUE;
  if (fact->action == NULL && fact->temporary)
    delayed = TRUE;
  status = g_strdup (fact->status);
  if (status == NULL && fact->diagnostic != NULL)
    status = classify_status_in_text (fact->diagnostic);
  if (status != NULL && status[0] == '4')
    temporary = TRUE;
  if (status != NULL && status[0] == '2')
    delivered = TRUE;
  e->reply_code = fact->reply_code != 0 ? fact->reply_code : classify_reply_in_text (fact->diagnostic);
  if (status == NULL && e->reply_code >= 400 && e->reply_code < 500)
    temporary = TRUE;
  /* a 5xx answer about this recipient is final, whatever else the text
   * says about retries */
  if (e->reply_code >= 500 && (status == NULL || status[0] == '5') && fact->action == NULL)
    temporary = delayed = FALSE;

  e->address = event_field_address (fact->recipient);
  if (fact->original != NULL) {
    e->original_recipient = event_field_address (fact->original);
    if (e->original_recipient != NULL && e->address != NULL
        && strcmp (e->original_recipient, e->address) == 0)
      g_clear_pointer (&e->original_recipient, g_free);
  }
  e->diagnostic = g_strdup (fact->diagnostic);
  e->remote_mta = g_strdup (fact->remote_mta);
  e->source = g_strdup (source);
  if (delivered) {
    e->kind = EVENT_KIND_DELIVERED;
    e->klass = EVENT_CLASS_NONE;
    e->reason = g_strdup ("delivered");
    e->category = g_strdup ("other");
    e->status = status != NULL ? g_steal_pointer (&status) : g_strdup ("2.0.0");
    return e;
  }
  if (classify_gave_up (fact, status, e->reply_code)) {
    /* the MTA gave up: a failure of its own, not the remote's last
     * answer; that answer stays in the diagnostic */
    r = R_EXPIRED;
    e->kind = EVENT_KIND_BOUNCE;
    e->klass = EVENT_CLASS_SOFT;
    e->reason = g_strdup (classify_kinds[r].reason);
    e->category = g_strdup (classify_kinds[r].category);
    if (fact->report_status != NULL) {
      g_free (status);
      status = g_strdup (fact->report_status);
    }
    e->status = status != NULL ? g_steal_pointer (&status) : classify_pseudo_status (r, temporary);
    return e;
  }
  r = classify_run (fact->diagnostic, status, e->reply_code, delayed, fact->command, fact->diag_type,
                    fact->family_reason, fact->remote_mta != NULL);
  /* a delay warning: the MTA goes on trying, nothing has failed yet */
  e->kind = (fact->action != NULL && g_ascii_strncasecmp (fact->action, "delayed", 7) == 0)
                    || (fact->action == NULL && fact->warning)
                ? EVENT_KIND_DELAYED
                : EVENT_KIND_BOUNCE;
  e->reason = g_strdup (classify_kinds[r].reason);
  e->category = g_strdup (classify_kinds[r].category);
  if (status == NULL)
    status = classify_pseudo_status (fact->onhold_status ? R_ONHOLD : r, temporary);
  e->status = g_steal_pointer (&status);
  if (classify_kinds[r].sender)
    e->klass = EVENT_CLASS_IGNORE;
  else if (e->status[0] == '5' && classify_kinds[r].hard)
    e->klass = EVENT_CLASS_HARD;
  else
    e->klass = EVENT_CLASS_SOFT;
  return e;
}
