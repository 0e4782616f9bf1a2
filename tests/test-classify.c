/* SPDX-License-Identifier: MIT */
/* test-classify - the classification tables: sender-side trouble is never
 * the recipient's fault, status codes and reply codes are read exactly. */
#include "config.h"

#include <string.h>

#include "mime/classify.h"
#include "mime/textbounce.h"

struct class_case {
  const char *name;
  const char *status;
  const char *diagnostic;
  const char *action;
  const char *reason;
  event_class klass;
};

static const struct class_case class_cases[] = {
  { "user-unknown", "5.1.1", "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown", NULL,
    "userunknown", EVENT_CLASS_HARD },
  { "no-such-domain", "5.1.2", "Host or domain name not found", NULL, "hostunknown", EVENT_CLASS_HARD },
  { "mailbox-full", "5.2.2", "552 5.2.2 Mailbox full", NULL, "mailboxfull", EVENT_CLASS_SOFT },
  { "delayed", "4.4.7", "Message expired", "delayed", "expired", EVENT_CLASS_SOFT },
  { "blocked-ip", "5.7.1",
    "554 5.7.1 Service unavailable; Client host [192.0.2.1] blocked using zen.spamhaus.org", NULL, "blocked",
    EVENT_CLASS_IGNORE },
  { "spf", "5.7.26",
    "550 5.7.26 Unauthenticated email from example.test is not accepted due to domain's DMARC policy", NULL,
    "authfailure", EVENT_CLASS_IGNORE },
  { "ptr", "5.7.25", "550 5.7.25 The IP address sending this message does not have a PTR record", NULL,
    "requireptr", EVENT_CLASS_IGNORE },
  { "spam", "5.7.1", "550 5.7.1 Message rejected as spam by Content Filtering", NULL, "spamdetected",
    EVENT_CLASS_IGNORE },
  { "relay", "5.7.1", "554 5.7.1 <a@example.org>: Relay access denied", NULL, "norelaying",
    EVENT_CLASS_IGNORE },
  { "sender-rejected", "5.1.8", "553 5.1.8 <news@example.test>... Domain of sender address does not exist",
    NULL, "rejected", EVENT_CLASS_IGNORE },
  { "syntax", "5.5.2", "500 5.5.2 Syntax error, command unrecognized", NULL, "syntaxerror",
    EVENT_CLASS_IGNORE },
  { "content", "5.6.0", "554 5.6.0 Improper use of 8-bit data in message header", NULL, "contenterror",
    EVENT_CLASS_IGNORE },
  { "content-rejected-is-spam", "5.6.1", "500 5.6.1 Message content rejected", NULL, "spamdetected",
    EVENT_CLASS_IGNORE },
  { "too-big", "5.3.4", "552 5.3.4 Message size exceeds fixed limit", NULL, "mesgtoobig",
    EVENT_CLASS_IGNORE },
  { "disabled", "5.2.1", "550 5.2.1 The email account that you tried to reach is disabled", NULL, "suspend",
    EVENT_CLASS_SOFT },
  { "null-mx", "5.1.10", "556 5.1.10 Recipient address has null MX", NULL, "notaccept", EVENT_CLASS_HARD },
  { "delivered", "2.0.0", "250 OK", "delivered", "delivered", EVENT_CLASS_NONE },
  { "no-status-temporary", NULL, "421 Try again later", NULL, "systemerror", EVENT_CLASS_SOFT },
  { "no-status-delay", NULL, "Delivery attempts will continue", "delayed", "expired", EVENT_CLASS_SOFT },
  { "nothing", NULL, NULL, NULL, "undefined", EVENT_CLASS_SOFT },
  { "send-mail-as", NULL,
    "The settings for your 'Send mail as' account are misconfigured or out of date. "
    "https://support.google.com/mail/?p=CustomFromDenied",
    NULL, "rejected", EVENT_CLASS_IGNORE },
  { "uribl", NULL, "550-REJECTED - Blacklisted URL in message. See http://lookup.uribl.com.", NULL,
    "spamdetected", EVENT_CLASS_IGNORE },
  { "microsoft-5.1.10", "5.1.10",
    "550 5.1.10 RESOLVER.ADR.RecipientNotFound; Recipient not found by SMTP address lookup", NULL,
    "userunknown", EVENT_CLASS_HARD },
  /* the reply codes repeated on each line of a joined multi-line reply do
   * not break a phrase; a code said once stays */
  { "wrapped-reply", "5.7.1",
    "host gmail-smtp-in.l.google.com said: 550-5.7.1 [192.0.2.1 13] Messages with multiple 550 5.7.1 "
    "addresses in From: header are not accepted. (in reply to end of DATA command)",
    NULL, "notcompliantrfc", EVENT_CLASS_IGNORE },
  { "wrapped-reply-dash", "5.7.1",
    "550-5.7.1 This message does not have authentication information or fails to 550-5.7.1 pass "
    "authentication checks. To best protect our users from spam, the message has been blocked.",
    NULL, "authfailure", EVENT_CLASS_IGNORE },
  { "code-said-once", NULL, "host mx.example.org said: 552 5.2.2 Mailbox full", NULL, "mailboxfull",
    EVENT_CLASS_SOFT },
  { "gmail-unauthenticated", "5.7.1",
    "550-5.7.1 This mail has been blocked because the sender is unauthenticated. Gmail requires all "
    "senders to authenticate with either SPF or DKIM.",
    NULL, "authfailure", EVENT_CLASS_IGNORE },
  /* a phrase inside a longer phrase of another reason does not count */
  { "domain-does-not-exist", NULL, "Domain does not exist", NULL, "hostunknown", EVENT_CLASS_HARD },
  { "security-policy", NULL, "Message refused by our security policy", NULL, "securityerror",
    EVENT_CLASS_IGNORE },
  { "blocked-by-the-user", NULL, "Sender blocked by the user", NULL, "suspend", EVENT_CLASS_SOFT },
};

/* Replies as the providers' published catalogues word them (the sources
 * are named over the table in mime/classify.c), each with the verdict the
 * catalogue's explanation gives. */
static const struct class_case provider_cases[] = {
  /* Gmail */
  { "gmail-over-quota", "4.2.2",
    "452-4.2.2 The email account that you tried to reach is over quota. Please direct the recipient to", NULL,
    "mailboxfull", EVENT_CLASS_SOFT },
  { "gmail-out-of-storage", "4.2.2", "452-4.2.2 The recipient's inbox is out of storage space.", NULL,
    "mailboxfull", EVENT_CLASS_SOFT },
  { "gmail-does-not-exist", "5.1.1",
    "550-5.1.1 The email account that you tried to reach does not exist. Please try double-checking", NULL,
    "userunknown", EVENT_CLASS_HARD },
  { "gmail-inactive", "5.2.1", "550 5.2.1 The email account that you tried to reach is inactive.", NULL,
    "suspend", EVENT_CLASS_SOFT },
  { "gmail-too-quickly", "4.2.1",
    "450-4.2.1 The user you are trying to contact is receiving mail too quickly. Please resend", NULL,
    "speeding", EVENT_CLASS_IGNORE },
  { "gmail-rate-prevents", "4.2.1",
    "450-4.2.1 The user you are trying to contact is receiving mail at a rate that prevents additional "
    "messages from being delivered.",
    NULL, "speeding", EVENT_CLASS_IGNORE },
  { "gmail-unusual-rate", "4.7.28",
    "421-4.7.28 Our system has detected an unusual rate of unsolicited mail originating from your IP "
    "address. To protect our users from spam, mail sent from your IP address has been temporarily rate "
    "limited.",
    NULL, "badreputation", EVENT_CLASS_IGNORE },
  { "gmail-not-whitelisted", "4.7.0", "421-4.7.0 IP not in whitelist for RCPT domain, closing connection.",
    NULL, "blocked", EVENT_CLASS_IGNORE },
  { "gmail-tls-required", "4.7.0", "421-4.7.0 TLS required for RCPT domain, closing connection.", NULL,
    "securityerror", EVENT_CLASS_IGNORE },
  { "gmail-ipv6-ptr", "5.7.25",
    "550-5.7.25 The IP address sending this message does not have a PTR record setup, or the corresponding "
    "forward DNS entry does not point to the sending IP.",
    NULL, "requireptr", EVENT_CLASS_IGNORE },
  { "gmail-low-reputation", "5.7.1",
    "550-5.7.1 Our system has detected that this message is likely suspicious due to the very low "
    "reputation of the sending domain.",
    NULL, "badreputation", EVENT_CLASS_IGNORE },
  { "gmail-likely-unsolicited", "5.7.1",
    "550-5.7.1 Our system has detected that this message is likely unsolicited mail. To reduce the amount "
    "of spam sent to Gmail, this message has been blocked.",
    NULL, "spamdetected", EVENT_CLASS_IGNORE },
  { "gmail-ip-not-authorized", "5.7.1",
    "550-5.7.1 The IP you're using to send mail is not authorized to send email directly to our servers.",
    NULL, "blocked", EVENT_CLASS_IGNORE },
  { "gmail-gcdp", "5.7.1", "550 5.7.1 This message violates example.com email policy. - gcdp <x> - gsmtp",
    NULL, "policyviolation", EVENT_CLASS_IGNORE },
  { "gmail-size", "5.3.4", "552-5.3.4 Your message exceeded Google's message size limits.", NULL,
    "mesgtoobig", EVENT_CLASS_IGNORE },
  /* Microsoft 365 */
  { "m365-recipnotfound", "5.1.1", "550 5.1.1 RESOLVER.ADR.RecipNotFound; not found", NULL, "userunknown",
    EVENT_CLASS_HARD },
  { "m365-access-denied-as", "5.4.1",
    "550 5.4.1 Recipient address rejected: Access denied. AS(201806281) [X.prod.outlook.com]", NULL,
    "userunknown", EVENT_CLASS_HARD },
  { "m365-banned-ip", "5.7.606",
    "550 5.7.606 Access denied, banned sending IP [192.0.2.1]. To request removal from this list", NULL,
    "blocked", EVENT_CLASS_IGNORE },
  { "m365-traffic-not-accepted", "5.7.708", "550 5.7.708 Access denied, traffic not accepted from this IP.",
    NULL, "blocked", EVENT_CLASS_IGNORE },
  { "m365-dmarc", "5.7.509",
    "550 5.7.509 Access denied, sending domain example.test does not pass DMARC verification", NULL,
    "authfailure", EVENT_CLASS_IGNORE },
  { "m365-spf", "5.7.23", "550 5.7.23 The message was rejected because of Sender Policy Framework violation",
    NULL, "authfailure", EVENT_CLASS_IGNORE },
  { "m365-rate-limited", "4.7.650",
    "451 4.7.650 The mail server [192.0.2.1] has been temporarily rate limited due to IP reputation.", NULL,
    "badreputation", EVENT_CLASS_IGNORE },
  { "m365-not-authorized", "5.7.1", "550 5.7.1 RESOLVER.RST.NotAuthorized; not authorized", NULL, "filtered",
    EVENT_CLASS_SOFT },
  { "m365-group-auth", "5.7.133",
    "550 5.7.133 RESOLVER.RST.SenderNotAuthenticatedForGroup; authentication required", NULL, "filtered",
    EVENT_CLASS_SOFT },
  { "m365-mailbox-auth", "5.7.134",
    "550 5.7.134 RESOLVER.RST.SenderNotAuthenticatedForMailbox; authentication required", NULL, "filtered",
    EVENT_CLASS_SOFT },
  { "m365-quota", "5.2.2", "554 5.2.2 mailbox full; STOREDRV.Deliver.Exception:QuotaExceededException", NULL,
    "mailboxfull", EVENT_CLASS_SOFT },
  { "m365-size", "5.2.3", "550 5.2.3 RESOLVER.RST.RecipSizeLimit; message too large for this recipient", NULL,
    "mesgtoobig", EVENT_CLASS_IGNORE },
  { "m365-hop-count", "5.4.14", "554 5.4.14 Hop count exceeded - possible mail loop ATTR34", NULL,
    "networkerror", EVENT_CLASS_SOFT },
  { "m365-not-in-allowed-senders", "5.7.124",
    "550 5.7.124 RESOLVER.RST.DeliveryRestricted; sender not in allowed-senders list", NULL, "filtered",
    EVENT_CLASS_SOFT },
  /* Yahoo */
  { "yahoo-tss04", "4.7.0",
    "421 4.7.0 [TSS04] Messages from 192.0.2.1 temporarily deferred due to unexpected volume or user "
    "complaints",
    NULL, "badreputation", EVENT_CLASS_IGNORE },
  { "yahoo-ts03", "4.7.1", "421 4.7.1 [TS03] All messages from 192.0.2.1 will be permanently deferred", NULL,
    "blocked", EVENT_CLASS_IGNORE },
  { "yahoo-bl21", "5.7.1",
    "553 5.7.1 [BL21] Connections will not be accepted from 192.0.2.1, because the ip is in Spamhaus's list",
    NULL, "blocked", EVENT_CLASS_IGNORE },
  { "yahoo-policy", "5.7.9", "554 5.7.9 Message not accepted for policy reasons.", NULL, "policyviolation",
    EVENT_CLASS_IGNORE },
  { "yahoo-no-account", "5.0.0", "554 delivery error: dd This user doesn't have a yahoo.com account", NULL,
    "userunknown", EVENT_CLASS_HARD },
  { "yahoo-disabled", "5.0.0",
    "554 delivery error: dd Sorry your message to a@example.org cannot be delivered. This mailbox is "
    "disabled (554.30)",
    NULL, "suspend", EVENT_CLASS_SOFT },
  { "yahoo-unresolvable-from", "4.0.0",
    "451 Message temporarily deferred due to unresolvable RFC.5321 from domain", NULL, "rejected",
    EVENT_CLASS_IGNORE },
  /* Orange */
  { "orange-full", "5.2.2", "552 5.2.2 Boite du destinataire pleine. Recipient mailbox full. OFR_417", NULL,
    "mailboxfull", EVENT_CLASS_SOFT },
  { "orange-invalid", "5.1.1",
    "550 5.1.1 Adresse d au moins un destinataire invalide. Invalid recipient. OFR_416", NULL, "userunknown",
    EVENT_CLASS_HARD },
  { "orange-archived", "5.2.1",
    "550 5.2.1 Boite du destinataire archivee. Archived recipient mailbox. LPN007_421", NULL, "suspend",
    EVENT_CLASS_SOFT },
  { "orange-service-refused", "4.0.0",
    "421 mwinf0000 ME Service refuse, veuillez essayer plus tard. Service refused, please try later. "
    "OFR004_104",
    NULL, "blocked", EVENT_CLASS_IGNORE },
  { "orange-too-many-connections", "4.0.0",
    "421 mwinf0000 ME Trop de connexions, veuillez verifier votre configuration. Too many connections, "
    "slow down. OFR005_102",
    NULL, "toomanyconn", EVENT_CLASS_IGNORE },
  /* RFC 3463 when the words are generic */
  { "generic-words-5.1.1", "5.1.1", "550 5.1.1 Requested action not taken", NULL, "userunknown",
    EVENT_CLASS_HARD },
  { "generic-words-5.2.2", "5.2.2", "552 5.2.2 Requested action not taken", NULL, "mailboxfull",
    EVENT_CLASS_SOFT },
  { "generic-words-5.1.2", "5.1.2", "550 5.1.2 Requested action not taken", NULL, "hostunknown",
    EVENT_CLASS_HARD },
  { "generic-words-5.3.4", "5.3.4", "552 5.3.4 Requested action aborted", NULL, "mesgtoobig",
    EVENT_CLASS_IGNORE },
};

static void
test_class (gconstpointer data)
{
  const struct class_case *c = data;
  struct fact f = { 0 };
  g_autoptr (event_t) e = NULL;

  f.recipient = (char *) "rfc822; <Someone@Example.ORG>";
  f.status = (char *) c->status;
  f.diagnostic = (char *) c->diagnostic;
  f.action = (char *) c->action;
  e = classify_fact (&f, "dsn");
  g_assert_cmpstr (e->address, ==, "Someone@example.org");
  g_assert_cmpstr (e->reason, ==, c->reason);
  g_assert_cmpint (e->klass, ==, c->klass);
  g_assert_nonnull (e->status);
  g_assert_nonnull (e->category);
  if (c->status != NULL)
    g_assert_cmpstr (e->status, ==, c->status);
  else if (strcmp (c->reason, "expired") == 0)
    g_assert_cmpstr (e->status, ==, "4.0.947");
  else if (c->diagnostic != NULL && c->diagnostic[0] == '4')
    g_assert_true (e->status[0] == '4'); /* a 4xx reply without a status stays temporary */
}

/* a diagnostic made of nothing but repeated and distinct reply codes, a
 * megabyte of them, still gets a verdict, and the words after them count */
static void
test_many_reply_codes (void)
{
  GString *diag = g_string_new ("550-5.1.1 ");
  struct fact f = { 0 };
  g_autoptr (event_t) e = NULL;

  for (guint i = 0; i < 40000; i++)
    g_string_append_printf (diag, "550-5.1.1 %u-%u.%u.%u ", 100 + i % 900, i % 10, i % 100, i % 1000);
  g_string_append (diag, "550 5.1.1 The email account that you tried to reach does not exist");
  f.recipient = (char *) "rfc822; someone@example.org";
  f.status = (char *) "5.1.1";
  f.diagnostic = diag->str;
  e = classify_fact (&f, "dsn");
  g_assert_cmpstr (e->reason, ==, "userunknown");
  g_assert_cmpint (e->klass, ==, EVENT_CLASS_HARD);
  g_string_free (diag, TRUE);
}

static void
test_status_in_text (void)
{
  static const struct {
    const char *text, *status;
  } cases[] = {
    { "550 5.1.1 user unknown", "5.1.1" },
    { "smtp; 552-5.2.2 full", "5.2.2" },
    { "(#5.5.0)", "5.5.0" },
    { "version 1.5.2.3 of x", NULL },
    { "ip 192.5.1.1 said", NULL },
    { "4.7.650 reputation", "4.7.650" },
    { "status 6.1.1", NULL },
    { "5.1.1234", NULL },
    { "", NULL },
    { "#4.4.7", "4.4.7" },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    g_autofree char *s = classify_status_in_text (cases[i].text);

    g_assert_cmpstr (s, ==, cases[i].status);
  }
  g_assert_null (classify_status_in_text (NULL));
  g_assert_cmpint (classify_reply_in_text ("host said: 550 5.1.1 nope"), ==, 550);
  g_assert_cmpint (classify_reply_in_text ("421-mx busy"), ==, 421);
  g_assert_cmpint (classify_reply_in_text ("port 25000 closed"), ==, 0);
  g_assert_cmpint (classify_reply_in_text ("id A550 x"), ==, 0);
  g_assert_cmpint (classify_reply_in_text (NULL), ==, 0);
}

/* Every reason has a category, and only bad-address reasons are hard. */
static void
test_categories (void)
{
  static const char *const hard[] = { "userunknown", "hostunknown", "hasmoved", "notaccept" };
  static const char *const soft[] = { "mailboxfull", "blocked", "spamdetected",
                                      "expired",     "suspend", "filtered" };

  for (gsize i = 0; i < G_N_ELEMENTS (hard); i++) {
    g_assert_true (classify_is_hard (hard[i]));
    g_assert_cmpstr (classify_category (hard[i]), !=, "other");
  }
  for (gsize i = 0; i < G_N_ELEMENTS (soft); i++)
    g_assert_false (classify_is_hard (soft[i]));
  g_assert_cmpstr (classify_category ("userunknown"), ==, "bad-mailbox");
  g_assert_cmpstr (classify_category ("hostunknown"), ==, "bad-domain");
  g_assert_cmpstr (classify_category ("mailboxfull"), ==, "quota-issues");
  g_assert_cmpstr (classify_category ("no-such-reason"), ==, "other");
  g_assert_cmpstr (classify_category (NULL), ==, "other");
}

/* "No such user" is the recipient's fault only when the status says so or
 * the refusal came at RCPT; after DATA (or at an unknown stage) it is a
 * filter's verdict, and a status naming another cause keeps it. */
static void
test_command_rule (void)
{
  static const struct {
    const char *status, *diagnostic;
    char command;
    const char *reason;
    event_class klass;
  } cases[] = {
    { "5.0.0", "550 <a@example.org>: User unknown", CLASSIFY_CMD_RCPT, "userunknown", EVENT_CLASS_HARD },
    { "5.0.0", "550 <a@example.org>: User unknown", CLASSIFY_CMD_DATA, "filtered", EVENT_CLASS_SOFT },
    { "5.0.0", "550 <a@example.org>: User unknown", 0, "filtered", EVENT_CLASS_SOFT },
    { "5.2.1", "550 5.2.1 <a@example.org>... User Unknown", CLASSIFY_CMD_RCPT, "userunknown",
      EVENT_CLASS_HARD },
    { "5.2.1", "550 5.2.1 <a@example.org>... User Unknown", 0, "filtered", EVENT_CLASS_SOFT },
    { "5.1.1", "550 5.1.1 <a@example.org>: Recipient address rejected: User unknown", CLASSIFY_CMD_DATA,
      "userunknown", EVENT_CLASS_HARD },
    { "5.1.1", "550 5.1.1 <a@example.org>: Mailbox full", CLASSIFY_CMD_RCPT, "mailboxfull",
      EVENT_CLASS_SOFT },
    { "5.1.8", "553 5.1.8 Domain of sender address does not exist", 0, "rejected", EVENT_CLASS_IGNORE },
    { "5.0.0", "550 Access denied", CLASSIFY_CMD_CONN, "blocked", EVENT_CLASS_IGNORE },
    { "5.0.0", "550 sender address rejected", CLASSIFY_CMD_MAIL, "rejected", EVENT_CLASS_IGNORE },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (cases); i++) {
    struct fact f = { 0 };
    g_autoptr (event_t) e = NULL;

    f.recipient = (char *) "a@example.org";
    f.status = (char *) cases[i].status;
    f.diagnostic = (char *) cases[i].diagnostic;
    f.command = cases[i].command;
    f.diag_type = CLASSIFY_DIAG_SMTP;
    e = classify_fact (&f, "dsn");
    g_assert_cmpstr (e->reason, ==, cases[i].reason);
    g_assert_cmpint (e->klass, ==, cases[i].klass);
  }
}

/* The command a report names, nearest to the recipient, across folded
 * lines; nothing when none is named. */
static void
test_command_in (void)
{
  g_assert_cmpint (
      classify_command_in ("<a@example.org>: host mx[192.0.2.1] said: 550 User unknown (in reply to\n"
                           "    RCPT TO command)",
                           "a@example.org"),
      ==, CLASSIFY_CMD_RCPT);
  g_assert_cmpint (classify_command_in ("... while talking to mx.example.org.:\n>>> DATA\n<<< 554 rejected\n"
                                        "554 5.0.0 <a@example.org>... Service unavailable",
                                        "a@example.org"),
                   ==, CLASSIFY_CMD_DATA);
  g_assert_cmpint (classify_command_in ("b@example.org: 550 no (in reply to MAIL FROM command)\n\n\n"
                                        "a@example.org: 550 no such user (in reply to RCPT TO command)",
                                        "a@example.org"),
                   ==, CLASSIFY_CMD_RCPT);
  g_assert_cmpint (
      classify_command_in ("SMTP error from remote mail server after initial connection: 554", NULL), ==,
      CLASSIFY_CMD_CONN);
  g_assert_cmpint (classify_command_in ("550 5.1.1 user unknown", "a@example.org"), ==, 0);
  g_assert_cmpint (classify_command_in (NULL, NULL), ==, 0);
  g_assert_cmpint (classify_command_in ("", "a@example.org"), ==, 0);
}

/* Hosts' and formats' own words: a host by its MTA or the recipient's
 * domain, rows limited to a command, format defaults only without a status. */
static void
test_says (void)
{
  g_assert_cmpstr (
      textbounce_says (NULL, "smtp-in.orange.fr", "x@example.org", "421 Service refuse OFR_999", NULL, 0), ==,
      "blocked");
  g_assert_cmpstr (textbounce_says (NULL, NULL, "k@facebook.com", "550 5.1.1 RCP-P2 refused", "5.1.1", 0), ==,
                   "filtered");
  g_assert_null (textbounce_says (NULL, "mx.notfacebook.com", "k@example.org", "RCP-P2", "5.1.1", 0));
  g_assert_cmpstr (textbounce_says (NULL, "mfsmax.docomo.ne.jp", "a@b.example",
                                    "550 Unknown user a@b.example", "5.0.0", CLASSIFY_CMD_DATA),
                   ==, "rejected");
  g_assert_null (textbounce_says (NULL, "mfsmax.docomo.ne.jp", "a@b.example", "550 Unknown user a@b.example",
                                  "5.0.0", CLASSIFY_CMD_RCPT));
  g_assert_cmpstr (textbounce_says ("googlegroups", NULL, "g@example.org", "not allowed to post", NULL, 0),
                   ==, "rejected");
  g_assert_null (
      textbounce_says ("googlegroups", NULL, "g@example.org", "550 5.1.1 no such user", "5.1.1", 0));
  g_assert_cmpstr (
      textbounce_says ("exchange2003", NULL, NULL, "The recipient name is not recognized", NULL, 0), ==,
      "userunknown");
  g_assert_cmpstr (
      textbounce_says (NULL, "us-smtp-inbound-1.mimecast.com", "k@example.org",
                       "550 Invalid Recipient - https://community.mimecast.com/docs/DOC-1369#550", "5.0.0",
                       0),
      ==, "userunknown");
  /* au: the reception filter's answer has no address before the colon */
  g_assert_cmpstr (
      textbounce_says (NULL, "lsean.ezweb.ne.jp", "k@ezweb.ne.jp", "550 : User unknown", "5.0.0", 0), ==,
      "filtered");
  g_assert_cmpstr (textbounce_says (NULL, "lsean.ezweb.ne.jp", "k@ezweb.ne.jp",
                                    "550 <k@ezweb.ne.jp>: User unknown", "5.0.0", 0),
                   ==, "userunknown");
  g_assert_null (textbounce_says ("no-such-family", NULL, NULL, "anything", NULL, 0));
  g_assert_null (textbounce_says (NULL, NULL, NULL, NULL, NULL, 0));
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  for (gsize i = 0; i < G_N_ELEMENTS (class_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/classify/%s", class_cases[i].name);

    g_test_add_data_func (path, &class_cases[i], test_class);
  }
  for (gsize i = 0; i < G_N_ELEMENTS (provider_cases); i++) {
    g_autofree char *path = g_strdup_printf ("/classify/provider/%s", provider_cases[i].name);

    g_test_add_data_func (path, &provider_cases[i], test_class);
  }
  g_test_add_func ("/classify/status-in-text", test_status_in_text);
  g_test_add_func ("/classify/many-reply-codes", test_many_reply_codes);
  g_test_add_func ("/classify/categories", test_categories);
  g_test_add_func ("/classify/command-rule", test_command_rule);
  g_test_add_func ("/classify/command-in", test_command_in);
  g_test_add_func ("/classify/says", test_says);
  return g_test_run ();
}
