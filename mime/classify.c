/* classify - reason, category, class and status from a report's words.
 *
 * Three tables, consulted in order:
 *   1. phrases: lower-case patterns over the diagnostic text, in priority
 *      order; '*' in a pattern means "and later on".
 *   2. status: enhanced status codes (exact, then class.subject) to reasons.
 *   3. fallbacks by reply code and temporariness.
 * A new MTA's wording is a row in the first table, not a new code path.
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
  g_free (fact);
}

/* Phrases, strongest first.  Each row: reason, then patterns. */
struct classify_phrase {
  const char *reason;
  const char *const *patterns;
};

#define P(...)                                                                                               \
  (const char *const[])                                                                                      \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }

static const struct classify_phrase classify_phrases[] = {
  { "mailererror", P ("command output:", "command died with status", "procmail:", "x-unix; ",
                      "local delivery failed", "pipe to |", "exit status", "unknown mailer error",
                      "mailer error", "command failed", "couldn't create", "unable to deliver to program") },
  { "mailboxfull",
    P ("mailbox full", "mailbox is full", "mailbox is over quota", "over quota", "quota exceeded",
       "exceeded storage", "exceeds the storage", "user is over", "mailbox size limit", "mail quota",
       "disk quota", "too much mail", "mailbox would exceed", "full mailbox", "account is full",
       "mailfolder is full", "mail box full", "insufficient storage for", "exceeded his/her quota",
       "exceeded quota", "quota full", "recipient's mailbox is full", "box is full", "is over its quota",
       "overquota", "over the quota", "mailbox exceeds", "has exceeded the max", "storage limit",
       "maildir over quota", "mailbox has exceeded", "exceeds allowed size", "not enough storage",
       "out of storage", "mailbox has too many", "would be over the allowed quota",
       "is over the allowed quota", "mailbox is full", "inbox is full", "over its storage") },
  { "mesgtoobig", P ("message too big", "message too large", "message is too large", "message size exceeds",
                     "exceeds size limit", "size exceeds", "message exceeds", "too big for",
                     "message length exceeds", "exceeded maximum message size", "maximum message size",
                     "mail size limit", "message too long", "message file too big", "size limit") },
  { "exceedlimit", P ("message header size", "exceeds the maximum number", "message header exceeds") },
  { "suspend",
    P ("account disabled", "account has been disabled", "account is disabled", "mailbox disabled",
       "mailbox is disabled", "mailbox has been disabled", "account suspended", "account is suspended",
       "account has been suspended", "mailbox is inactive", "inactive account", "account inactive",
       "account is inactive", "account expired", "user suspended", "is not active", "temporarily disabled",
       "mailbox is frozen", "mailbox has been suspended", "has been frozen", "account is not active",
       "recipient suspended", "suspended", "mailbox unavailable or access denied", "this account has been",
       "mailbox is currently unavailable", "user account is unavailable", "extended inactivity", "inactive",
       "disabled", "blocked by the user") },
  { "hasmoved", P ("has moved", "address has changed", "no longer at this address", "moved to") },
  { "norelaying",
    P ("relay access denied", "relaying denied", "relay denied", "not permitted to relay",
       "relay not permitted", "relaying not permitted", "unable to relay", "relaying not allowed",
       "we do not relay", "not allowed to relay", "relaying mail to", "cannot relay", "no relaying",
       "relay prohibited", "not a gateway", "relay not allowed", "is not a permitted relay",
       "is not permitted to relay", "relaying to", "not local host") },
  { "authfailure",
    P ("spf check", "spf fail", "spf validation", "sender policy framework", "dkim", "dmarc", "5.7.26",
       "5.7.509", "sender authentication", "domain authentication", "spf record", "is not authorized to send",
       "not designated as permitted sender", "spf=fail", "spf)", "unauthenticated email", "spf ") },
  { "userunknown",
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
  { "requireptr",
    P ("reverse dns", "reverse lookup", "ptr record", "no ptr", "rdns", "reverse-dns",
       "cannot find your hostname", "cannot resolve your address", "hostname does not resolve", "has no ptr",
       "no reverse", "dns ptr", "reverse mapping", "5.7.25", "ip name lookup failed",
       "cannot find your reverse", "reverse address", "client host * has no", "unresolvable",
       "not resolve your hostname", "does not resolve to") },
  { "notcompliantrfc", P ("rfc 5322", "rfc5322", "rfc 2822", "rfc2822", "not rfc", "not compliant",
                          "duplicate header", "multiple", "improperly formatted") },
  { "badreputation", P ("reputation", "sender score") },
  { "rejected",
    P ("sender rejected", "sender address rejected", "domain of sender address", "sender verify failed",
       "sender is not allowed", "address verification failed", "invalid sender", "bad sender",
       "sender domain", "senders address rejected", "your sender address", "envelope sender",
       "sender address", "refused by recipient", "rejected by recipient", "recipient refused",
       "access denied", "sending address not accepted", "sender unknown", "unknown sender",
       "domain not found in from") },
  { "hostunknown",
    P ("unrouteable address", "host unknown", "unknown host", "host not found", "domain not found",
       "no such domain", "name service error", "domain does not exist", "unrouteable mail domain",
       "host or domain name not found", "domain name not found", "unknown domain", "illegal host/domain",
       "hostname not found", "domain is not found", "no mx record", "domain doesn't exist", "nxdomain",
       "could not be resolved", "unresolvable domain", "dns lookup failed", "no such host",
       "domain name lookup", "recipient domain", "domain unknown", "destination domain", "the domain") },
  { "notaccept", P ("does not accept mail", "null mx", "not accepting mail", "domain does not accept",
                    "accepts no mail", "does not receive mail", "mail is not accepted", "no mail accepted") },
  { "blocked", P ("spamhaus", "blocked using", "dnsbl", "blacklist", "blocklist", "black list", "block list",
                  "barracudacentral", "spamcop", "sorbs", "client host rejected", "listed in") },
  { "virusdetected", P ("virus", "infected", "malware", "malicious") },
  { "spamdetected", P ("spam", "junk mail", "unsolicited", "bulk mail", "message content rejected",
                       "content filter", "rejected as bulk", "scored too high", "classified as") },
  { "toomanyconn", P ("too many connections", "too many concurrent", "connection limit", "connection rate",
                      "too many simultaneous", "too many sessions", "too many errors") },
  { "blocked",
    P ("blocked", "blacklist", "blocklist", "black list", "block list", "listed in", "rbl", "spamhaus",
       "dnsbl", "client host rejected", "please use the smtp server of your isp", "dynamic ip",
       "dynamic address", "residential", "your ip", "ip address", "not allowed to send from",
       "barracudacentral", "sorbs", "spamcop", "dialup", "dial-up", "connection refused by", "your host",
       "your server", "service unavailable", "unauthorized") },
  { "policyviolation", P ("policy violation", "violates", "violation of", "policy reasons", "prohibited",
                          "not allowed by policy", "rejected for policy", "message not allowed", "policy") },
  { "securityerror", P ("starttls", "tls required", "must issue a", "encryption required", "certificate",
                        "authentication required", "security policy", "secure connection") },
  { "contenterror", P ("improper use of 8-bit", "invalid header", "message content", "mime", "header") },
  { "syntaxerror",
    P ("syntax error", "command unrecognized", "bad sequence", "unrecognized command", "unknown command") },
  { "systemfull",
    P ("insufficient system storage", "disk full", "out of disk", "system storage", "insufficient disk") },
  { "expired",
    P ("delivery time expired", "message expired", "retry timeout exceeded", "retry time not reached",
       "could not be delivered for", "has not been delivered", "been delayed", "delayed for", "giving up",
       "gave up", "too long in queue", "queue too long", "connection timed out", "unable to deliver in",
       "did not accept our requests", "server did not respond", "unable to deliver message after",
       "in the queue too long", "message timed out", "not reachable within",
       "could not be delivered for more than", "expired") },
  { "networkerror", P ("no route to host", "network is unreachable", "host is unreachable", "lost connection",
                       "network error", "could not connect", "unable to connect", "loop", "too many hops",
                       "hop count exceeded", "name server reply", "host name lookup failure", "dns records",
                       "unable to resolve route", "connection reset", "connection refused") },
  { "systemerror", P ("system error", "internal error", "server error", "local error", "i/o error",
                      "temporary failure", "resources", "configuration error", "misconfigured", "unavailable",
                      "try again later", "service not available", "system problem", "system config") },
  { "rejected", P ("refused", "rejected", "denied", "not allowed") },
};

/* Status codes to reasons: exact codes first, then "class.subject". */
struct classify_code {
  const char *code;
  const char *reason;
};

static const struct classify_code classify_codes[] = {
  { "5.1.0", "userunknown" },     { "5.1.1", "userunknown" },   { "5.1.2", "hostunknown" },
  { "5.1.3", "userunknown" },     { "5.1.4", "userunknown" },   { "5.1.5", "userunknown" },
  { "5.1.6", "hasmoved" },        { "5.1.7", "rejected" },      { "5.1.8", "rejected" },
  { "5.1.9", "rejected" },        { "5.1.10", "notaccept" },    { "5.2.0", "filtered" },
  { "5.2.1", "userunknown" },     { "5.2.2", "mailboxfull" },   { "5.2.3", "exceedlimit" },
  { "5.2.4", "systemerror" },     { "5.3.0", "systemerror" },   { "5.3.1", "systemfull" },
  { "5.3.2", "notaccept" },       { "5.3.3", "systemerror" },   { "5.3.4", "mesgtoobig" },
  { "5.3.5", "systemerror" },     { "5.4.0", "networkerror" },  { "5.4.1", "userunknown" },
  { "5.4.2", "networkerror" },    { "5.4.3", "systemerror" },   { "5.4.4", "hostunknown" },
  { "5.4.5", "networkerror" },    { "5.4.6", "networkerror" },  { "5.4.7", "expired" },
  { "5.5.0", "syntaxerror" },     { "5.5.1", "syntaxerror" },   { "5.5.2", "syntaxerror" },
  { "5.5.3", "exceedlimit" },     { "5.5.4", "syntaxerror" },   { "5.6.0", "contenterror" },
  { "5.6.1", "contenterror" },    { "5.7.0", "securityerror" }, { "5.7.1", "blocked" },
  { "5.7.2", "rejected" },        { "5.7.4", "securityerror" }, { "5.7.5", "securityerror" },
  { "5.7.6", "securityerror" },   { "5.7.7", "securityerror" }, { "5.7.8", "securityerror" },
  { "5.7.9", "policyviolation" }, { "5.7.13", "suspend" },      { "5.7.23", "authfailure" },
  { "5.7.25", "requireptr" },     { "5.7.26", "authfailure" },  { "5.7.27", "notaccept" },
  { "5.7.509", "authfailure" },   { "4.2.2", "mailboxfull" },   { "4.4.7", "expired" },
  { "4.4.1", "expired" },         { "4.4.2", "expired" },       { "4.3.2", "toomanyconn" },
  { "4.4.5", "systemfull" },      { "4.7.0", "blocked" },       { "4.7.1", "blocked" },
  { "4.4.6", "networkerror" },    { "4.4.3", "systemerror" },   { "4.2.0", "systemerror" },
  { "4.3.0", "systemerror" },
};

/* Sisimai-style pseudo status codes, used when a report gives none. */
static const struct classify_code classify_pseudo[] = {
  { "undefined", "900" },     { "onhold", "901" },       { "syntaxerror", "902" },
  { "filtered", "910" },      { "userunknown", "911" },  { "hostunknown", "912" },
  { "hasmoved", "916" },      { "rejected", "918" },     { "norelaying", "909" },
  { "suspend", "921" },       { "mailboxfull", "922" },  { "exceedlimit", "923" },
  { "systemerror", "930" },   { "systemfull", "931" },   { "notaccept", "932" },
  { "mesgtoobig", "934" },    { "mailererror", "939" },  { "networkerror", "944" },
  { "toomanyconn", "945" },   { "expired", "947" },      { "contenterror", "960" },
  { "securityerror", "970" }, { "blocked", "971" },      { "policyviolation", "972" },
  { "requireptr", "973" },    { "authfailure", "974" },  { "notcompliantrfc", "975" },
  { "badreputation", "976" }, { "spamdetected", "980" }, { "virusdetected", "981" },
  { "speeding", "946" },
};

/* Reason to PowerMTA bounceCat and whether it can be hard. */
struct classify_kind {
  const char *reason;
  const char *category;
  gboolean hard;   /* a permanent failure of this reason is the address's fault */
  gboolean sender; /* sender-side trouble: class ignore */
};

static const struct classify_kind classify_kinds[] = {
  { "userunknown", "bad-mailbox", TRUE, FALSE },
  { "hostunknown", "bad-domain", TRUE, FALSE },
  { "hasmoved", "bad-mailbox", TRUE, FALSE },
  { "notaccept", "bad-domain", TRUE, FALSE },
  { "suspend", "inactive-mailbox", FALSE, FALSE },
  { "mailboxfull", "quota-issues", FALSE, FALSE },
  { "exceedlimit", "quota-issues", FALSE, FALSE },
  { "mesgtoobig", "content-related", FALSE, TRUE },
  { "expired", "message-expired", FALSE, FALSE },
  { "networkerror", "no-answer-from-host", FALSE, FALSE },
  { "systemerror", "bad-configuration", FALSE, FALSE },
  { "systemfull", "bad-configuration", FALSE, FALSE },
  { "mailererror", "bad-configuration", FALSE, FALSE },
  { "toomanyconn", "bad-connection", FALSE, TRUE },
  { "norelaying", "relaying-issues", FALSE, TRUE },
  { "blocked", "policy-related", FALSE, TRUE },
  { "rejected", "invalid-sender", FALSE, TRUE },
  { "filtered", "policy-related", FALSE, FALSE },
  { "spamdetected", "spam-related", FALSE, TRUE },
  { "virusdetected", "virus-related", FALSE, TRUE },
  { "contenterror", "content-related", FALSE, TRUE },
  { "policyviolation", "policy-related", FALSE, TRUE },
  { "securityerror", "policy-related", FALSE, TRUE },
  { "authfailure", "policy-related", FALSE, TRUE },
  { "requireptr", "policy-related", FALSE, TRUE },
  { "badreputation", "spam-related", FALSE, TRUE },
  { "notcompliantrfc", "content-related", FALSE, TRUE },
  { "syntaxerror", "protocol-errors", FALSE, TRUE },
  { "speeding", "policy-related", FALSE, TRUE },
  { "onhold", "other", FALSE, FALSE },
  { "undefined", "other", FALSE, FALSE },
  { "delivered", "other", FALSE, FALSE },
  { "feedback", "other", FALSE, FALSE },
  { "vacation", "other", FALSE, FALSE },
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

/* The phrase index: for every two-byte start, the patterns (row and
 * pattern) whose first piece begins with it, so a text is scanned once
 * and only candidate patterns are compared.  Built once per process. */
struct classify_candidate {
  guint16 row;
  const char *pattern;
  gsize first_len; /* length of the pattern's first piece (up to '*') */
  gboolean star;   /* whether there is more after a '*' */
};

static GPtrArray *classify_index[65536]; /* of struct classify_candidate *; NULL when none */

/* classify_index_build - fill classify_index. */
static gsize
classify_index_build (void)
{
  for (gsize row = 0; row < G_N_ELEMENTS (classify_phrases); row++)
    for (const char *const *p = classify_phrases[row].patterns; *p != NULL; p++) {
      struct classify_candidate *c = g_new0 (struct classify_candidate, 1);
      const char *star = strchr (*p, '*');
      guint key;

      c->row = (guint16) row;
      c->pattern = *p;
      c->first_len = star != NULL ? (gsize) (star - *p) : strlen (*p);
      c->star = star != NULL;
      while (c->first_len > 0 && (*p)[c->first_len - 1] == ' ')
        c->first_len--;
      g_assert (c->first_len >= 2);
      key = (guint) (guchar) (*p)[0] << 8 | (guchar) (*p)[1];
      if (classify_index[key] == NULL)
        classify_index[key] = g_ptr_array_new ();
      g_ptr_array_add (classify_index[key], c);
    }
  return 1;
}

/* classify_by_phrase - the first reason (in table order) one of whose
 * phrases occurs in LOWER. */
static const char *
classify_by_phrase (const char *lower)
{
  static gsize built;
  gsize len = strlen (lower);
  gsize best = G_N_ELEMENTS (classify_phrases);

  if (g_once_init_enter (&built))
    g_once_init_leave (&built, classify_index_build ());
  for (gsize i = 0; i + 1 < len && best > 0; i++) {
    GPtrArray *cands = classify_index[(guint) (guchar) lower[i] << 8 | (guchar) lower[i + 1]];

    for (guint k = 0; cands != NULL && k < cands->len; k++) {
      const struct classify_candidate *c = g_ptr_array_index (cands, k);

      if (c->row >= best || i + c->first_len > len || memcmp (lower + i, c->pattern, c->first_len) != 0)
        continue;
      if (c->star && !classify_match (lower + i, c->pattern))
        continue;
      best = c->row;
    }
  }
  return best < G_N_ELEMENTS (classify_phrases) ? classify_phrases[best].reason : NULL;
}

/* classify_by_code - the reason of STATUS from the code table, or NULL. */
static const char *
classify_by_code (const char *status)
{
  if (status == NULL)
    return NULL;
  for (gsize i = 0; i < G_N_ELEMENTS (classify_codes); i++)
    if (strcmp (classify_codes[i].code, status) == 0)
      return classify_codes[i].reason;
  return NULL;
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
        && (p == text || !(g_ascii_isalnum (p[-1]) || p[-1] == '.' || p[-1] == '-' || p[-1] == ':'))
        && (p[3] == ' ' || p[3] == '-' || p[3] == '\0' || p[3] == '\n'))
      return (p[0] - '0') * 100 + (p[1] - '0') * 10 + (p[2] - '0');
  return 0;
}

/* classify_command - the SMTP command a diagnostic says the rejection
 * came after: 'R' (RCPT), 'M' (MAIL), 'D' (DATA) or 0. */
static char
classify_command (const char *lower)
{
  if (lower == NULL)
    return 0;
  if (strstr (lower, "rcpt to") != NULL || strstr (lower, "rcpt command") != NULL
      || strstr (lower, "smtp:rcpt") != NULL || strstr (lower, "recipient address rejected") != NULL
      || strstr (lower, "after rcpt") != NULL)
    return 'R';
  if (strstr (lower, "mail from") != NULL || strstr (lower, "after mail") != NULL)
    return 'M';
  if (strstr (lower, "end of data") != NULL || strstr (lower, "after data") != NULL
      || strstr (lower, "data command") != NULL)
    return 'D';
  return 0;
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

/* classify_is_one_of - whether REASON is one of NAMES. */
static gboolean
classify_is_one_of (const char *reason, const char *const *names)
{
  for (; reason != NULL && *names != NULL; names++)
    if (strcmp (reason, *names) == 0)
      return TRUE;
  return FALSE;
}

const char *
classify_reason (const char *diagnostic, const char *status, int reply_code, gboolean temporary,
                 gboolean rcpt_stage)
{
  static const char *const override_user[] = { "norelaying", "blocked",   "mailboxfull", "hasmoved",
                                               "rejected",   "notaccept", "mailererror", "suspend",
                                               "filtered",   NULL };
  static const char *const vague_codes[] = { "5.7.1", "5.7.0", "4.7.1", "4.7.0", "5.5.0", "5.3.0",
                                             "5.2.0", "5.1.0", "4.4.1", "4.3.0", "4.2.0", NULL };
  g_autofree char *lower = diagnostic != NULL ? classify_strdown (diagnostic) : NULL;
  const char *by_code = NULL;
  const char *by_text = NULL;

  if (status != NULL && status[0] == '2')
    return "delivered";
  if (status != NULL && !g_str_has_suffix (status, ".0.0") && !classify_is_one_of (status, vague_codes))
    by_code = classify_by_code (status);
  if (lower != NULL)
    by_text = classify_by_phrase (lower);
  /* a status that names a bad mailbox wins, unless the words name one of
   * a few other causes */
  if (by_code != NULL && strcmp (by_code, "userunknown") == 0)
    return by_text != NULL && classify_is_one_of (by_text, override_user) ? by_text : by_code;
  if (by_code != NULL)
    return by_code;
  if (by_text != NULL && strcmp (by_text, "userunknown") == 0 && classify_command (lower) != 'R'
      && !(status != NULL && g_str_has_prefix (status, "5.1.")) && !rcpt_stage)
    return "filtered";
  if (by_text != NULL)
    return by_text;
  by_code = classify_by_code (status);
  if (by_code != NULL)
    return by_code;
  if (temporary)
    return "expired";
  if (reply_code == 421 || reply_code == 450)
    return "expired";
  if (reply_code == 550 || reply_code == 551 || reply_code == 553)
    return "userunknown";
  if (reply_code == 552)
    return "mailboxfull";
  if (reply_code == 554)
    return "rejected";
  return (lower != NULL && *lower != '\0') ? "onhold" : "undefined";
}

/* classify_pseudo_status - "5.0.9xx" (or "4.0.9xx") for REASON. */
static char *
classify_pseudo_status (const char *reason, gboolean temporary)
{
  for (gsize i = 0; i < G_N_ELEMENTS (classify_pseudo); i++)
    if (strcmp (classify_pseudo[i].code, reason) == 0)
      return g_strdup_printf ("%c.0.%s", temporary ? '4' : '5', classify_pseudo[i].reason);
  return g_strdup_printf ("%c.0.900", temporary ? '4' : '5');
}

struct event *
classify_fact (const struct fact *fact, const char *source)
{
  struct event *e = event_new ();
  g_autofree char *status = NULL;
  gboolean temporary = fact->temporary;
  gboolean delayed_action = FALSE;
  const char *reason;
  gboolean delivered = FALSE;

  if (fact->action != NULL
      && (g_ascii_strncasecmp (fact->action, "delivered", 9) == 0
          || g_ascii_strncasecmp (fact->action, "relayed", 7) == 0
          || g_ascii_strncasecmp (fact->action, "expanded", 8) == 0))
    delivered = TRUE;
  if (fact->action != NULL && g_ascii_strncasecmp (fact->action, "delayed", 7) == 0)
    temporary = delayed_action = TRUE;
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
  if (e->reply_code >= 500 && (status == NULL || status[0] == '5') && !delayed_action)
    temporary = FALSE;

  e->address = event_field_address (fact->recipient);
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
  reason = classify_reason (fact->diagnostic, status, e->reply_code, temporary, fact->rcpt_stage);
  if (fact->family_reason != NULL && (strcmp (reason, "onhold") == 0 || strcmp (reason, "undefined") == 0))
    reason = fact->family_reason;
  e->kind = EVENT_KIND_BOUNCE;
  e->reason = g_strdup (reason);
  e->category = g_strdup (classify_category (reason));
  if (status == NULL)
    status = classify_pseudo_status (reason, temporary);
  e->status = g_steal_pointer (&status);
  {
    const struct classify_kind *k = classify_kind_of (reason);

    if (k != NULL && k->sender)
      e->klass = EVENT_CLASS_IGNORE;
    else if (e->status[0] == '5' && k != NULL && k->hard)
      e->klass = EVENT_CLASS_HARD;
    else
      e->klass = EVENT_CLASS_SOFT;
  }
  return e;
}
