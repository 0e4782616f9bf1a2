/* SPDX-License-Identifier: MIT */
/* textbounce - the generic free-text bounce reader.
 *
 * The text is cut into lines.  The error section runs from the family's
 * start line (or the top) to the first line where the returned message
 * begins.  Every address in the section that is not the sender's or a
 * system address is a recipient; its diagnostic is the rest of its line
 * and the lines after it, up to the next recipient or the end of the
 * paragraph.
 */
#include "config.h"

#include <string.h>

#include "anomaly.h"
#include "classify.h"
#include "textbounce.h"

#define TEXTBOUNCE_MAX_DIAG 2048
#define TEXTBOUNCE_DETECT_SPAN 6144

/* Where the returned message or trailing boilerplate starts, any family. */
static const char *const textbounce_generic_end[] = { "below this line is a copy of the message",
                                                      "this is a copy of the message",
                                                      "original message follows",
                                                      "unsent message follows",
                                                      "message follows",
                                                      "----- original message -----",
                                                      "-----original message-----",
                                                      "--- original message ---",
                                                      "original message headers",
                                                      "headers of the original message",
                                                      "content-type: message/rfc822",
                                                      "content-type: text/rfc822-headers",
                                                      "------ the header of the original",
                                                      "--- the header of the original",
                                                      "the header of the original message",
                                                      "------ original message ------",
                                                      "original-envelope-id:",
                                                      "reporting-mta:",
                                                      NULL };

/* Phrases that say the failure is being retried. */
static const char *const textbounce_temporary[] = { "this is a temporary error",
                                                    "will be retried",
                                                    "will keep trying",
                                                    "will continue trying",
                                                    "still trying",
                                                    "has been delayed",
                                                    "not yet been delivered",
                                                    "will retry",
                                                    "delivery attempts will continue",
                                                    "warning: message",
                                                    "message is delayed",
                                                    "temporary failure",
                                                    "delayed mail",
                                                    "deferred:",
                                                    NULL };

/* Header-like lines that are never a recipient line. */
static const char *const textbounce_header_lines[] = {
  "received:",       "message-id:", "from:",         "date:",         "return-path:",
  "subject:",        "reply-to:",   "sender:",       "to:",           "cc:",
  "sent:",           "bcc:",        "in-reply-to:",  "references:",   "x-",
  "dkim-signature:", "arc-",        "mime-version:", "content-",      "list-",
  "envelope-from",   "errors-to:",  "resent-",       "delivered-to:", "authentication-results:",
  "thread-",         NULL
};

/* Words before an address that make it the sender's, not a recipient's. */
static const char *const textbounce_sender_context[] = {
  "mail from",    "envelope-from", "return-path", "sender",       "from:", "from <",  "reply-to",
  "sent by",      "originator",    "message-id:", "message-id <", "helo",  "contact", "assistance",
  "send mail to", "write to",      NULL
};

/* words before an address that make it an example, advice or a guess:
 * help text ("if mike.fox@yale.edu fails, try michael.j.fox@yale.edu"),
 * and a directory's "did you mean" list of people with similar names */
static const char *const textbounce_prose_context[] = { "e.g.",
                                                        "for example",
                                                        "such as",
                                                        "try ",
                                                        "instead",
                                                        "formerly",
                                                        "did you mean",
                                                        "similar",
                                                        "possible match",
                                                        "alternatively",
                                                        "you may want",
                                                        "suggest",
                                                        "if ",
                                                        "emailing",
                                                        "finger ",
                                                        "ph -s",
                                                        NULL };

/* textbounce_has - whether LOWER contains one of PHRASES. */
static gboolean
textbounce_has (const char *lower, const char *const *phrases)
{
  for (const char *const *p = phrases; p != NULL && *p != NULL; p++)
    if (strstr (lower, *p) != NULL)
      return TRUE;
  return FALSE;
}

/* textbounce_starts - whether LOWER starts with one of PHRASES. */
static gboolean
textbounce_starts (const char *lower, const char *const *phrases)
{
  for (const char *const *p = phrases; *p != NULL; p++)
    if (g_str_has_prefix (lower, *p))
      return TRUE;
  return FALSE;
}

gboolean
textbounce_looks_like_bounce (const char *from, const char *subject)
{
  static const char *const froms[] = { "mailer-daemon",
                                       "mailer_daemon",
                                       "postmaster",
                                       "mail delivery",
                                       "mail administrator",
                                       "mail system",
                                       "mailmaster",
                                       "mail.delivery",
                                       "nobody@",
                                       "bounce",
                                       "mta@",
                                       "delivery subsystem",
                                       "internet mail",
                                       "microsoftexchange",
                                       "mailerdaemon",
                                       "mdaemon@",
                                       NULL };
  static const char *const subjects[] = {
    "undeliver", "delivery status notification", "failure notice", "returned mail", "mail delivery failed",
    "undelivered mail", "delivery failure", "nondeliverable", "non-deliverable", "delivery has failed",
    "could not be delivered", "mail system error", "delivery notification", "returned to sender",
    "mail failure", "delivery problem", "not delivered", "rejected", "bounce", "delivery report",
    "warning: could not send", "delayed mail", "error sending", "message you sent", "failed delivery",
    "returned message", "delivery error", "user unknown",
    /* Exchange's "Undeliverable:" in other languages */
    "non remis", "unzustellbar", "nicht zustellbar", "onbestelbaar", "no se puede entregar",
    "non recapitabile", "kan inte levereras", "kan ikke leveres", "niedostarczalne",
    "nedoru\xc4\x8diteln\xc3\xa9", "teslim edilemedi", NULL
  };
  g_autofree char *f = from != NULL ? g_ascii_strdown (from, -1) : NULL;
  g_autofree char *s = subject != NULL ? g_utf8_strdown (subject, -1) : NULL;

  return (f != NULL && textbounce_has (f, froms)) || (s != NULL && textbounce_has (s, subjects));
}

/* textbounce_local_char - a character of an unquoted local part. */
static gboolean
textbounce_local_char (char c)
{
  return g_ascii_isalnum (c) || (c != '\0' && strchr (".!#$%&'*+/=?^_`{|}~-", c) != NULL)
         || (unsigned char) c >= 0x80;
}

/* textbounce_domain_char - a character of a domain name. */
static gboolean
textbounce_domain_char (char c)
{
  return g_ascii_isalnum (c) || c == '.' || c == '-' || (unsigned char) c >= 0x80;
}

/* textbounce_address_at - the address around the '@' at AT in LINE (which
 * starts at BEGIN), or NULL; *START gets where it begins. */
static char *
textbounce_address_at (const char *begin, const char *at, const char **start, const char **stop)
{
  const char *l = at, *r = at + 1;
  gboolean dot = FALSE;

  while (l > begin && textbounce_local_char (l[-1]))
    l--;
  while (*r && textbounce_domain_char (*r)) {
    if (*r == '.' && textbounce_domain_char (r[1]) && r[1] != '.')
      dot = TRUE;
    r++;
  }
  /* the last label of a domain is ASCII: what follows it (a CJK greeting,
   * an Arabic comma) is text, not address */
  {
    const char *last_dot = NULL;

    for (const char *q = at + 1; q < r; q++)
      if (*q == '.')
        last_dot = q;
    if (last_dot != NULL)
      for (const char *q = last_dot + 1; q < r; q++)
        if ((unsigned char) *q >= 0x80) {
          r = q;
          break;
        }
  }
  while (r > at + 1 && (r[-1] == '.' || r[-1] == '-'))
    r--;
  while (l < at && (*l == '.' || *l == '\'' || *l == '`'))
    l++;
  /* an X.400 address's "dda:SMTP=a@b" */
  if (at - l > 5 && g_ascii_strncasecmp (l, "smtp=", 5) == 0)
    l += 5;
  if (l == at || r == at + 1 || !dot)
    return NULL;
  *start = l;
  *stop = r;
  return g_strndup (l, (gsize) (r - l));
}

/* textbounce_skipped - whether ADDRESS is the sender's or a system one. */
static gboolean
textbounce_skipped (const char *address, const struct textbounce_context *ctx, GPtrArray *senders)
{
  g_autofree char *lower = g_ascii_strdown (address, -1);

  if (g_str_has_prefix (lower, "mailer-daemon@") || g_str_has_prefix (lower, "mailer_daemon@"))
    return TRUE;
  for (const char *const *s = ctx->skip; s != NULL && *s != NULL; s++)
    if (g_ascii_strcasecmp (*s, address) == 0)
      return TRUE;
  if (ctx->last_resort != NULL && g_ascii_strcasecmp (ctx->last_resort, address) == 0)
    return TRUE;

  for (guint i = 0; i < senders->len; i++)
    if (g_ascii_strcasecmp (g_ptr_array_index (senders, i), address) == 0)
      return TRUE;
  return FALSE;
}

/* textbounce_words_before - the (at most 24) characters of LOWER_LINE
 * before OFFSET, which say whose an address is.  Caller frees. */
static char *
textbounce_words_before (const char *lower_line, gsize offset)
{
  gsize from = offset > 24 ? offset - 24 : 0;

  return g_strndup (lower_line + from, offset - from);
}

/* The lines of a text, with a lower-case copy of each: two buffers cut
 * into lines in place, and arrays of pointers into them. */
struct textbounce_lines {
  char *raw_text;
  char *lower_text;
  GPtrArray *raw;   /* of char *, into raw_text */
  GPtrArray *lower; /* of char *, into lower_text */
};

static void
textbounce_lines_split (const char *text, gsize len, struct textbounce_lines *lines)
{
  lines->raw_text = g_strndup (text, len);
  lines->lower_text = g_ascii_strdown (lines->raw_text, -1);
  lines->raw = g_ptr_array_sized_new (64);
  lines->lower = g_ptr_array_sized_new (64);
  len = strlen (lines->raw_text);
  for (gsize start = 0; start < len;) {
    char *nl = memchr (lines->raw_text + start, '\n', len - start);
    gsize end = nl != NULL ? (gsize) (nl - lines->raw_text) : len;
    gsize trim = end;

    while (trim > start && g_ascii_isspace (lines->raw_text[trim - 1]))
      trim--;
    lines->raw_text[trim] = '\0';
    lines->lower_text[trim] = '\0';
    g_ptr_array_add (lines->raw, lines->raw_text + start);
    g_ptr_array_add (lines->lower, lines->lower_text + start);
    start = end + 1;
  }
}

static void
textbounce_lines_clear (struct textbounce_lines *lines)
{
  g_ptr_array_unref (lines->raw);
  g_ptr_array_unref (lines->lower);
  g_free (lines->raw_text);
  g_free (lines->lower_text);
}

#define LOWER(i) ((const char *) g_ptr_array_index (lines->lower, (i)))
#define RAW(i) ((const char *) g_ptr_array_index (lines->raw, (i)))

/* textbounce_section - the [*FIRST, *LAST) lines of the error section. */
static void
textbounce_section (const struct textbounce_lines *lines, const struct textbounce_family *family,
                    guint *first, guint *last)
{
  guint n = lines->lower->len;

  *first = 0;
  *last = n;
  if (family != NULL && family->start != NULL)
    for (guint i = 0; i < n; i++)
      if (textbounce_has (LOWER (i), family->start)) {
        *first = i; /* the start line may name the recipient itself */
        break;
      }
  for (guint i = *first; i < n; i++)
    if (textbounce_has (LOWER (i), textbounce_generic_end) || g_str_has_prefix (LOWER (i), "received: from ")
        || g_str_has_prefix (LOWER (i), "received: by ") || g_str_has_prefix (LOWER (i), "return-path: ")
        || (family != NULL && family->end != NULL && textbounce_has (LOWER (i), family->end))) {
      *last = i;
      break;
    }
  if (*last <= *first && family != NULL && family->start != NULL) {
    /* the start line came after an end marker: read from the top */
    *first = 0;
  }
}

/* textbounce_detect - the family whose phrases match. */
/* The family tables, in the order they are tried. */
static const struct textbounce_family *const textbounce_tables[] = { rules_services, rules_gateways,
                                                                     rules_unix };

static const struct textbounce_family *
textbounce_detect (const char *from, const char *subject, const char *mailer, const char *lower_head)
{
  g_autofree char *f = g_ascii_strdown (from != NULL ? from : "", -1);
  g_autofree char *s = g_utf8_strdown (subject != NULL ? subject : "", -1);
  g_autofree char *x = g_ascii_strdown (mailer != NULL ? mailer : "", -1);

  for (gsize t = 0; t < G_N_ELEMENTS (textbounce_tables); t++)
    for (const struct textbounce_family *fam = textbounce_tables[t]; fam->name != NULL; fam++)
      for (const char *const *d = fam->detect; *d != NULL; d++) {
        if (g_str_has_prefix (*d, "from:")) {
          if (strstr (f, *d + 5) != NULL)
            return fam;
        } else if (g_str_has_prefix (*d, "subject:")) {
          if (strstr (s, *d + 8) != NULL)
            return fam;
        } else if (g_str_has_prefix (*d, "x-mailer:")) {
          if (strstr (x, *d + 9) != NULL)
            return fam;
        } else if (strstr (lower_head, *d) != NULL) {
          return fam;
        }
      }
  return NULL;
}

/* textbounce_detect_head - the lower-case start of TEXT that identifies a
 * family: up to TEXTBOUNCE_DETECT_SPAN bytes and never into a returned
 * message quoted after the report, whose words ("outlook.com", "notes",
 * a Received line through amavisd-new) say nothing about who reports. */
static char *
textbounce_detect_head (const char *text, gsize len)
{
  char *head = g_ascii_strdown (text != NULL ? text : "",
                                text != NULL ? (gssize) MIN (len, TEXTBOUNCE_DETECT_SPAN) : 0);
  char *cut = NULL;

  for (const char *const *m = textbounce_generic_end; *m != NULL; m++) {
    char *hit = strstr (head, *m);

    if (hit != NULL && (cut == NULL || hit < cut))
      cut = hit;
  }
  for (const char *const *m =
           (const char *const[]){ "\nreceived: from ", "\nreceived: by ", "\nreturn-path: ", NULL };
       *m != NULL; m++) {
    char *hit = strstr (head, *m);

    if (hit != NULL && (cut == NULL || hit < cut))
      cut = hit;
  }
  if (cut != NULL)
    *cut = '\0';
  return head;
}

const char *
textbounce_family_of (const char *from, const char *subject, const char *mailer, const char *text, gsize len)
{
  g_autofree char *head = textbounce_detect_head (text, len);
  const struct textbounce_family *family = textbounce_detect (from, subject, mailer, head);

  return family != NULL ? family->name : NULL;
}

/* textbounce_says_in - the reason of the first row of SAYS whose phrase
 * occurs in LOWER, or NULL. */
static const char *
textbounce_says_in (const struct textbounce_says *says, const char *lower, const char *status, char command)
{
  for (; says != NULL && says->phrase != NULL; says++) {
    if (says->command != 0 && says->command != command)
      continue;
    if (says->phrase[0] == '\0' ? status == NULL : strstr (lower, says->phrase) != NULL)
      return says->reason;
  }
  return NULL;
}

/* textbounce_host_is - whether HOST (lower case) is SUFFIX or ends in ".SUFFIX". */
static gboolean
textbounce_host_is (const char *host, const char *suffix)
{
  gsize h = strlen (host), n = strlen (suffix);

  return h >= n && strcmp (host + h - n, suffix) == 0 && (h == n || host[h - n - 1] == '.');
}

const char *
textbounce_says (const char *family, const char *remote_mta, const char *recipient, const char *diagnostic,
                 const char *status, char command)
{
  g_autofree char *mta = g_ascii_strdown (remote_mta != NULL ? remote_mta : "", -1);
  const char *domain = recipient != NULL ? strrchr (recipient, '@') : NULL;
  g_autofree char *rcpt_domain = g_ascii_strdown (domain != NULL ? domain + 1 : "", -1);
  const struct textbounce_says *tables[2] = { NULL, NULL };
  g_autofree char *lower = NULL;

  g_strstrip (mta);
  g_strstrip (rcpt_domain);
  for (const struct textbounce_host *h = rules_hosts; h->name != NULL && tables[0] == NULL; h++)
    for (const char *const *suffix = h->hosts; *suffix != NULL; suffix++)
      if ((*mta != '\0' && textbounce_host_is (mta, *suffix))
          || (*rcpt_domain != '\0' && textbounce_host_is (rcpt_domain, *suffix))) {
        tables[0] = h->says;
        break;
      }
  for (gsize t = 0; family != NULL && t < G_N_ELEMENTS (textbounce_tables); t++)
    for (const struct textbounce_family *fam = textbounce_tables[t]; fam->name != NULL; fam++)
      if (strcmp (fam->name, family) == 0)
        tables[1] = fam->says;
  for (gsize k = 0; k < G_N_ELEMENTS (tables); k++) {
    const char *said;

    if (tables[k] == NULL)
      continue;
    if (lower == NULL)
      lower = g_utf8_strdown (diagnostic != NULL ? diagnostic : "", -1);
    said = textbounce_says_in (tables[k], lower, status, command);
    if (said != NULL)
      return said;
  }
  return NULL;
}

/* textbounce_append - add TEXT, its leading blanks dropped, to OUT after a
 * space. */
static void
textbounce_append (GString *out, const char *text)
{
  while (*text == ' ' || *text == '\t')
    text++;
  if (*text == '\0')
    return;
  if (out->len > 0)
    g_string_append_c (out, ' ');
  g_string_append (out, text);
}

/* textbounce_finish - OUT stripped, or NULL when nothing is left. */
static char *
textbounce_finish (GString *out)
{
  g_strstrip (out->str);
  out->len = strlen (out->str);
  if (out->len == 0) {
    g_string_free (out, TRUE);
    return NULL;
  }
  return g_string_free (out, FALSE);
}

/* textbounce_collect - the diagnostic for a recipient found on line I at
 * column COL: the rest of the line and the paragraph after it, up to a
 * line holding another recipient (IS_RCPT) or LAST. */
static char *
textbounce_collect (const struct textbounce_lines *lines, guint i, const char *rest, guint last,
                    const gboolean *is_rcpt)
{
  GString *diag = g_string_new (NULL);
  gboolean seen_text = FALSE;
  guint paragraphs = 0;

  for (const char *p = rest; *p; p++)
    if (g_ascii_isalnum (*p)) {
      g_string_append (diag, rest);
      seen_text = TRUE;
      break;
    }
  for (guint j = i + 1; j < last && diag->len < TEXTBOUNCE_MAX_DIAG; j++) {
    const char *raw = RAW (j);
    const char *t = raw;

    if (is_rcpt[j])
      break;
    while (*t == ' ' || *t == '\t')
      t++;
    if (*t == '\0') {
      /* a paragraph ends the diagnostic once it holds a code; until then
       * the error may follow a paragraph below (transcripts, "because:") */
      if (seen_text && (classify_reply_in_text (diag->str) != 0 || ++paragraphs > 2))
        break;
      continue;
    }
    textbounce_append (diag, t);
    seen_text = TRUE;
  }
  return textbounce_finish (diag);
}

/* textbounce_bare_name - a recipient the report names without a domain
 * (AOL's screen names): a line of one word, no '@', under a line that
 * ends in ':' and speaks of delivery; NULL when there is none. */
static char *
textbounce_bare_name (const struct textbounce_lines *lines, guint first, guint last)
{
  for (guint i = first + 1; i < last; i++) {
    const char *t = LOWER (i);
    const char *prev = NULL;
    gsize n;

    while (*t == ' ' || *t == '\t')
      t++;
    n = strcspn (t, " \t\r");
    if (n < 2 || n > 64 || t[n + strspn (t + n, " \t\r")] != '\0' || memchr (t, '@', n) != NULL)
      continue;
    if (strspn (t, "abcdefghijklmnopqrstuvwxyz0123456789._+-") != n)
      continue;
    /* the line above, skipping blank ones */
    for (guint k = i; k > first && prev == NULL; k--) {
      const char *u = LOWER (k - 1);

      if (u[strspn (u, " \t\r")] != '\0')
        prev = u;
    }
    if (prev != NULL) {
      g_autofree char *p = g_strchomp (g_strdup (prev));

      if (g_str_has_suffix (p, ":") && (strstr (p, "deliver") != NULL || strstr (p, "recipient") != NULL))
        return g_strndup (t, n);
    }
  }
  return NULL;
}

/* textbounce_section_text - the lines [FIRST, LAST) joined by spaces, for a
 * diagnostic when no recipient line carries one; with NO_HEADERS, without
 * the header-like lines that describe a returned message ("From:",
 * "Subject:") and MIME boundaries. */
static char *
textbounce_section_text (const struct textbounce_lines *lines, guint first, guint last, gboolean no_headers)
{
  GString *s = g_string_new (NULL);

  for (guint i = first; i < last && s->len < TEXTBOUNCE_MAX_DIAG; i++) {
    const char *l = LOWER (i);

    while (*l == ' ' || *l == '\t')
      l++;
    if (no_headers && (textbounce_starts (l, textbounce_header_lines) || g_str_has_prefix (l, "--")))
      continue;
    textbounce_append (s, RAW (i));
  }
  return textbounce_finish (s);
}

/* textbounce_above - for families that write the reason first: the
 * lines above line I (up to 8, back to the previous recipient) and the
 * text before column COL of line I, or NULL. */
static char *
textbounce_above (const struct textbounce_lines *lines, guint i, gsize col, guint first,
                  const gboolean *is_rcpt)
{
  g_autofree char *before = NULL;
  g_autofree char *head = NULL;
  guint j = i;

  while (j > first && j + 8 > i && !is_rcpt[j - 1])
    j--;
  before = textbounce_section_text (lines, j, i, FALSE);
  head = g_strstrip (g_strndup (RAW (i), col));
  if (*head == '\0')
    return g_steal_pointer (&before);
  return before != NULL ? g_strjoin (" ", before, head, NULL) : g_steal_pointer (&head);
}

/* textbounce_transcript_line - what line T (trimmed, lower-case) of an SMTP
 * transcript is: 'c' a command (">>>"), 'r' a server reply ("<<<"), 's' a
 * status line ("550 <a@b>... text", "421 host (smtp)... text"), 'w' the
 * start of a conversation ("while talking to"), 0 other text. */
static char
textbounce_transcript_line (const char *t)
{
  while (*t == ' ' || *t == '\t')
    t++;
  if (g_str_has_prefix (t, ">>>"))
    return 'c';
  if (g_str_has_prefix (t, "<<<"))
    return 'r';
  if (g_str_has_prefix (t, "while talking to") || g_str_has_prefix (t, "... while talking to"))
    return 'w';
  if (g_ascii_isdigit (t[0]) && g_ascii_isdigit (t[1]) && g_ascii_isdigit (t[2])
      && (t[3] == ' ' || t[3] == '-'))
    return 's';
  return 0;
}

/* textbounce_transcript - the diagnostic of a recipient found on line I of
 * an SMTP transcript (TEXTBOUNCE_TRANSCRIPT), REST being the text after the
 * address: on a status line, that line and the replies of its conversation
 * above it; on a command line, the replies and status lines that answer
 * it. */
static char *
textbounce_transcript (const struct textbounce_lines *lines, guint i, const char *rest, guint first,
                       guint last, const gboolean *is_rcpt)
{
  GString *diag = g_string_new (NULL);
  char kind = textbounce_transcript_line (LOWER (i));

  if (kind == 'c') {
    for (guint j = i + 1; j < last && diag->len < TEXTBOUNCE_MAX_DIAG && !is_rcpt[j]; j++) {
      char k = textbounce_transcript_line (LOWER (j));
      const char *t = RAW (j);

      if (k != 'r' && k != 's')
        break;
      textbounce_append (diag, t);
    }
  } else {
    guint j = i;

    while (j > first && j + 8 > i && !is_rcpt[j - 1] && textbounce_transcript_line (LOWER (j - 1)) != 'w')
      j--;
    for (; j < i; j++)
      if (textbounce_transcript_line (LOWER (j)) == 'r')
        textbounce_append (diag, RAW (j));
    /* "<a@b>... text": the text */
    while (*rest == '>' || *rest == '.' || *rest == ':' || *rest == ' ')
      rest++;
    textbounce_append (diag, rest);
  }
  return textbounce_finish (diag);
}

/* textbounce_cap - DIAG cut to TEXTBOUNCE_MAX_DIAG bytes at a character
 * boundary: one line of a hostile report may be megabytes long. */
static char *
textbounce_cap (char *diag)
{
  if (diag != NULL && strlen (diag) > TEXTBOUNCE_MAX_DIAG) {
    gsize n = TEXTBOUNCE_MAX_DIAG;

    while (n > 0 && ((guchar) diag[n] & 0xc0) == 0x80)
      n--;
    diag[n] = '\0';
  }
  return diag;
}

/* textbounce_lead - put the words before FACT's address on its line I in
 * front of its diagnostic: "User's mailbox is full: <a@b>" says why
 * before it says who. */
static void
textbounce_lead (const struct textbounce_lines *lines, guint i, struct fact *fact)
{
  g_autofree char *who = g_ascii_strdown (fact->recipient, -1);
  const char *hit = strstr (LOWER (i), who);
  g_autofree char *lead = NULL;
  guint letters = 0;

  if (hit == NULL || hit == LOWER (i))
    return;
  {
    /* the reason sits right before the address: at most 256 bytes of it */
    gsize n = (gsize) (hit - LOWER (i));
    const char *from = RAW (i) + (n > 256 ? n - 256 : 0);

    lead = g_strndup (from, (gsize) (RAW (i) + n - from));
  }
  g_strstrip (lead);
  for (gsize n = strlen (lead); n > 0 && strchr ("<\"'([ \t", lead[n - 1]) != NULL; n--)
    lead[n - 1] = '\0';
  for (const char *p = lead; *p; p++)
    letters += g_ascii_isalpha (*p) ? 1 : 0;
  if (letters < 3)
    return;
  if (fact->diagnostic == NULL) {
    fact->diagnostic = g_steal_pointer (&lead);
    return;
  }
  {
    char *both = g_strjoin (" ", lead, fact->diagnostic, NULL);

    g_free (fact->diagnostic);
    fact->diagnostic = both;
  }
}

/* textbounce_scan - find recipients in lines [FIRST, LAST); each found
 * address goes to FOUND (char *) with its line number in LINE_OF. */
static void
textbounce_scan (const struct textbounce_lines *lines, guint first, guint last,
                 const struct textbounce_context *ctx, GPtrArray *found, GArray *line_of, GArray *col_of,
                 GPtrArray *originals)
{
  g_autoptr (GPtrArray) senders = g_ptr_array_new_with_free_func (g_free);

  for (guint i = first; i < last; i++) {
    const char *lower = LOWER (i);
    const char *raw = RAW (i);
    const char *t = lower;

    while (*t == ' ' || *t == '\t' || *t == '>')
      t++;
    if (textbounce_starts (t, textbounce_header_lines) && !g_str_has_prefix (t, "x-failed-recipients"))
      continue;
    for (const char *at = strchr (raw, '@'); at != NULL; at = strchr (at + 1, '@')) {
      const char *start, *stop;
      g_autofree char *address = textbounce_address_at (raw, at, &start, &stop);
      gboolean dup = FALSE;

      if (address == NULL)
        continue;
      /* inside a URL, a JSON document or a path: not a recipient; but
       * Exchange writes "[SMTP:a@b]" and X.400 "dda:SMTP=a@b" */
      if (start > raw && strchr ("/&=:.%+", start[-1]) != NULL && start[-1] != '\0'
          && !(start - raw >= 5 && g_ascii_strncasecmp (start - 5, "smtp", 4) == 0
               && (start[-1] == ':' || start[-1] == '=')))
        continue;
      {
        g_autofree char *before = g_strndup (lower, (gsize) (start - raw));

        if (strstr (before, "://") != NULL || strstr (before, "\":") != NULL
            || strstr (before, "arn:") != NULL)
          continue;
      }
      {
        g_autofree char *words = textbounce_words_before (lower, (gsize) (start - raw));

        /* "<a@b> (expanded from <c@d>)", on its line or the next: the
         * address first written to; Exim's "a@b\n (generated from c@d)"
         * and "(ultimately generated from c@d)" too: an alias or a forward
         * led to a@b, and c@d did not fail */
        if (strstr (words, "expanded from") != NULL || strstr (words, "generated from") != NULL) {
          guint k = found->len - 1;

          if (found->len > 0 && g_array_index (line_of, guint, k) + 1 >= i
              && g_ptr_array_index (originals, k) == NULL) {
            originals->pdata[k] = g_steal_pointer (&address);
            continue;
          }
          /* Exim's "an undisclosed address\n (generated from a@b)": the
           * alias is all that is named */
          if (strstr (words, "generated from") == NULL)
            continue;
        }
        if (textbounce_has (words, textbounce_sender_context)) {
          g_ptr_array_add (senders, g_steal_pointer (&address));
          continue;
        }
        if (textbounce_has (words, textbounce_prose_context))
          continue;
      }
      {
        /* "NAME@yale.edu", "USER@host": a placeholder in help text */
        gsize n = (gsize) (strchr (address, '@') - address);

        if ((n == 4 && (strncmp (address, "NAME", 4) == 0 || strncmp (address, "USER", 4) == 0))
            || (n == 8 && strncmp (address, "USERNAME", 8) == 0))
          continue;
      }
      if (textbounce_skipped (address, ctx, senders))
        continue;
      for (guint k = 0; k < found->len; k++)
        if (g_ascii_strcasecmp (g_ptr_array_index (found, k), address) == 0
            || (g_ptr_array_index (originals, k) != NULL
                && g_ascii_strcasecmp (g_ptr_array_index (originals, k), address) == 0))
          dup = TRUE;
      if (dup || found->len >= ctx->max_rcpts)
        continue;
      g_ptr_array_add (found, g_steal_pointer (&address));
      g_ptr_array_add (originals, NULL);
      g_array_append_val (line_of, i);
      {
        gsize col = (gsize) (stop - raw);

        g_array_append_val (col_of, col);
      }
    }
  }
}

const char *
textbounce_read (const char *text, gsize len, const struct textbounce_context *ctx, GPtrArray *facts,
                 unsigned *anomalies)
{
  struct textbounce_lines storage, *lines = &storage;
  g_autofree char *head = textbounce_detect_head (text, len);
  const struct textbounce_family *family = textbounce_detect (ctx->from, ctx->subject, ctx->mailer, head);
  g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GPtrArray) originals = g_ptr_array_new_with_free_func (g_free);
  g_autoptr (GArray) line_of = g_array_new (FALSE, FALSE, sizeof (guint));
  g_autoptr (GArray) col_of = g_array_new (FALSE, FALSE, sizeof (gsize));
  g_autofree gboolean *is_rcpt = NULL;
  g_autofree char *section_text = NULL;
  g_autofree char *to_line = NULL;
  guint first, last;
  gboolean temporary, fallback_refused = FALSE;

  if (family == NULL && !ctx->report && !textbounce_looks_like_bounce (ctx->from, ctx->subject))
    return NULL;
  textbounce_lines_split (text, len, lines);
  textbounce_section (lines, family, &first, &last);
  textbounce_scan (lines, first, last, ctx, found, line_of, col_of, originals);
  if (found->len == 0 && ctx->last_resort != NULL && ctx->original_to == NULL) {
    struct textbounce_context again = *ctx;

    again.last_resort = NULL;
    textbounce_scan (lines, first, last, &again, found, line_of, col_of, originals);
  }
  if (found->len >= ctx->max_rcpts)
    *anomalies |= ANOMALY_TOO_MANY_RCPTS;
  section_text = textbounce_section_text (lines, first, last, FALSE);
  {
    g_autofree char *lower_section = section_text != NULL ? g_utf8_strdown (section_text, -1) : g_strdup ("");
    g_autofree char *subject = g_utf8_strdown (ctx->subject != NULL ? ctx->subject : "", -1);

    temporary = (family != NULL && (family->flags & TEXTBOUNCE_TEMPORARY))
                || textbounce_has (lower_section, textbounce_temporary)
                || textbounce_has (subject, textbounce_temporary);
  }
  if (found->len == 0 && ctx->original_to == NULL)
    /* no returned message, but the report quotes its To ("Subject: ...",
     * "To: a@b" above the copy) */
    for (guint i = first; i < last && to_line == NULL; i++) {
      const char *t = LOWER (i);
      const char *at, *start, *stop;

      while (*t == ' ' || *t == '\t')
        t++;
      if (g_str_has_prefix (t, "to:") && (at = strchr (t, '@')) != NULL) {
        const char *raw = RAW (i) + (t - LOWER (i));

        to_line = textbounce_address_at (raw + 3, raw + (at - t), &start, &stop);
      }
    }
  for (const char *const *s = ctx->skip; to_line != NULL && s != NULL && *s != NULL; s++)
    if (g_ascii_strcasecmp (*s, to_line) == 0)
      g_clear_pointer (&to_line, g_free);
  if (found->len == 0 && (ctx->original_to != NULL || to_line != NULL)) {
    /* a report that names its recipient without a domain names someone:
     * the returned To is only that one when the local parts agree */
    g_autofree char *bare = textbounce_bare_name (lines, first, last);
    const char *fallback = ctx->original_to != NULL ? ctx->original_to : to_line;
    const char *at = strrchr (fallback, '@');

    if (bare != NULL
        && (at == NULL || (gsize) (at - fallback) != strlen (bare)
            || g_ascii_strncasecmp (fallback, bare, strlen (bare)) != 0))
      fallback_refused = TRUE;
  }
  if (found->len == 0 && !fallback_refused && (ctx->original_to != NULL || to_line != NULL)
      && (family == NULL || (family->flags & TEXTBOUNCE_TO_FALLBACK) || section_text != NULL)) {
    struct fact *fact = fact_new ();

    fact->recipient = g_strdup (ctx->original_to != NULL ? ctx->original_to : to_line);
    fact->diagnostic = textbounce_cap (g_strdup (section_text));
    fact->temporary = temporary;
    fact->family = family != NULL ? family->name : "generic";
    g_ptr_array_add (facts, fact);
    textbounce_lines_clear (lines);
    return fact->family;
  }
  is_rcpt = g_new0 (gboolean, lines->raw->len + 1);
  for (guint k = 0; k < line_of->len; k++)
    is_rcpt[g_array_index (line_of, guint, k)] = TRUE;
  for (guint k = 0; k < found->len; k++) {
    guint i = g_array_index (line_of, guint, k);
    gsize col = g_array_index (col_of, gsize, k);
    struct fact *fact = fact_new ();
    const char *rest = RAW (i) + col;

    fact->recipient = g_strdup (g_ptr_array_index (found, k));
    fact->original = g_strdup (g_ptr_array_index (originals, k));
    /* recipients listed on consecutive lines share the text below them */
    if (k + 1 < found->len && g_array_index (line_of, guint, k + 1) == i)
      rest = "";
    if (family != NULL && (family->flags & TEXTBOUNCE_REASON_BEFORE_START) && first > 0)
      /* the reason, stated once in the lines above the start line */
      fact->diagnostic = textbounce_section_text (lines, first > 12 ? first - 12 : 0, first, TRUE);
    else if (family != NULL && (family->flags & TEXTBOUNCE_TRANSCRIPT)
             && textbounce_transcript_line (LOWER (i)) != 0)
      fact->diagnostic = textbounce_transcript (lines, i, rest, first, last, is_rcpt);
    else {
      fact->diagnostic = textbounce_collect (lines, i, rest, last, is_rcpt);
      if (family == NULL || !(family->flags & TEXTBOUNCE_REASON_ABOVE))
        textbounce_lead (lines, i, fact);
    }
    if (family != NULL && (family->flags & TEXTBOUNCE_REASON_ABOVE)) {
      g_autofree char *who = g_ascii_strdown (fact->recipient, -1);
      const char *hit = strstr (LOWER (i), who);
      g_autofree char *above =
          textbounce_above (lines, i, hit != NULL ? (gsize) (hit - LOWER (i)) : 0, first, is_rcpt);

      if (above != NULL) {
        char *both = g_strjoin (" ", above, fact->diagnostic != NULL ? fact->diagnostic : "", NULL);

        g_free (fact->diagnostic);
        fact->diagnostic = g_strstrip (both);
      }
    }
    if (fact->diagnostic == NULL) {
      guint j = i + 1;

      while (j < last && is_rcpt[j])
        j++;
      if (j < last)
        fact->diagnostic = textbounce_collect (lines, j - 1, "", last, is_rcpt);
    }
    if (fact->diagnostic == NULL)
      fact->diagnostic = g_strdup (section_text);
    fact->diagnostic = textbounce_cap (fact->diagnostic);
    fact->temporary = temporary;
    fact->family = family != NULL ? family->name : "generic";
    fact->command = classify_command_in (section_text, fact->recipient);
    fact->onhold_status =
        family != NULL && (family->flags & TEXTBOUNCE_MAIL_ONHOLD) && fact->command == CLASSIFY_CMD_MAIL;
    g_ptr_array_add (facts, fact);
  }
  textbounce_lines_clear (lines);
  if (found->len == 0)
    return NULL;
  return family != NULL ? family->name : "generic";
}

struct textbounce_text {
  struct textbounce_lines lines;
  guint first, last; /* the report's section */
  gboolean *leads;   /* lines that start with an address */
  char *whole;       /* the text lower-cased in one piece, at the lines' offsets */
};

struct textbounce_text *
textbounce_text_new (const char *text, gsize len)
{
  struct textbounce_text *tt = g_new0 (struct textbounce_text, 1);
  struct textbounce_lines *lines = &tt->lines;

  textbounce_lines_split (text, len, lines);
  textbounce_section (lines, NULL, &tt->first, &tt->last);
  tt->whole = g_ascii_strdown (text, (gssize) len);
  tt->leads = g_new0 (gboolean, lines->raw->len + 1);
  for (guint i = tt->first; i < tt->last; i++) {
    const char *t = LOWER (i);
    const char *at;

    while (*t == ' ' || *t == '\t' || *t == '<')
      t++;
    at = strchr (t, '@');
    tt->leads[i] = at != NULL && at > t && (gsize) (at - t) == strcspn (t, " \t:<>@");
  }
  return tt;
}

void
textbounce_text_free (struct textbounce_text *tt)
{
  if (tt == NULL)
    return;
  textbounce_lines_clear (&tt->lines);
  g_free (tt->leads);
  g_free (tt->whole);
  g_free (tt);
}

/* textbounce_line_of - the line of LINES that holds position P of the
 * lower-case text (lines are consecutive in it). */
static guint
textbounce_line_of (const struct textbounce_lines *lines, const char *p)
{
  guint lo = 0, hi = lines->lower->len;

  while (hi - lo > 1) {
    guint mid = lo + (hi - lo) / 2;

    if (LOWER (mid) <= p)
      lo = mid;
    else
      hi = mid;
  }
  return lo;
}

char *
textbounce_diagnostic_in (const struct textbounce_text *tt, const char *recipient)
{
  const struct textbounce_lines *lines = &tt->lines;
  g_autofree char *lower_rcpt = recipient != NULL ? g_ascii_strdown (recipient, -1) : NULL;
  const char *from =
      tt->first < lines->lower->len ? tt->whole + (LOWER (tt->first) - lines->lower_text) : NULL;
  const char *found =
      lower_rcpt != NULL && from != NULL && *lower_rcpt != '\0' ? strstr (from, lower_rcpt) : NULL;
  /* the same place in the line-split copy */
  const char *hit = found != NULL ? lines->lower_text + (found - tt->whole) : NULL;
  guint i = hit != NULL ? textbounce_line_of (lines, hit) : tt->last;
  g_autofree gboolean *is_rcpt = NULL;

  if (i >= tt->last)
    return textbounce_section_text (lines, tt->first, tt->last, FALSE);
  /* a line that starts with another address speaks of that one */
  is_rcpt = g_new0 (gboolean, lines->raw->len + 1);
  for (guint j = tt->first; j < tt->last; j++) {
    const char *t = LOWER (j);

    while (*t == ' ' || *t == '\t' || *t == '<')
      t++;
    is_rcpt[j] = tt->leads[j] && !g_str_has_prefix (t, lower_rcpt);
  }
  {
    char *diag =
        textbounce_collect (lines, i, RAW (i) + (hit - LOWER (i)) + strlen (lower_rcpt), tt->last, is_rcpt);

    if (diag != NULL) {
      /* "addr: 550 5.5.0 ...", "addr>: ...": the separator after the
       * address is not part of what was said */
      gsize skip = strspn (diag, " \t:>;,-");

      if (skip > 0)
        memmove (diag, diag + skip, strlen (diag + skip) + 1);
      if (*diag == '\0')
        g_clear_pointer (&diag, g_free);
    }
    return diag != NULL ? diag : textbounce_section_text (lines, tt->first, tt->last, FALSE);
  }
}

/* textbounce_reply_body - line T of a transcript without its indent and
 * "<<< " mark. */
static const char *
textbounce_reply_body (const char *t)
{
  while (*t == ' ' || *t == '\t')
    t++;
  if (g_str_has_prefix (t, "<<<"))
    t += 3;
  while (*t == ' ' || *t == '\t')
    t++;
  return t;
}

char *
textbounce_reply_whole (const struct textbounce_text *tt, const char *diagnostic)
{
  const struct textbounce_lines *lines = &tt->lines;
  g_autofree char *head = NULL;
  char code[4];
  gsize head_len;
  guint i;

  while (diagnostic != NULL && (*diagnostic == ' ' || *diagnostic == '\t'))
    diagnostic++;
  if (diagnostic == NULL || !g_ascii_isdigit (diagnostic[0]) || !g_ascii_isdigit (diagnostic[1])
      || !g_ascii_isdigit (diagnostic[2]) || diagnostic[3] != '-')
    return NULL;
  memcpy (code, diagnostic, 3);
  code[3] = '\0';
  head = g_ascii_strdown (diagnostic, -1);
  g_strchomp (head);
  head_len = strlen (head);
  for (i = 0; i < lines->lower->len; i++)
    if (strncmp (textbounce_reply_body (LOWER (i)), head, head_len) == 0)
      break;
  if (i == lines->lower->len)
    return NULL;
  {
    GString *whole = g_string_new (textbounce_reply_body (RAW (i)));
    const char *status = diagnostic + 4;
    gsize status_len = strspn (status, "0123456789.");

    for (guint j = i + 1; j < lines->raw->len && whole->len < TEXTBOUNCE_MAX_DIAG; j++) {
      const char *t = textbounce_reply_body (RAW (j));
      gboolean last;

      if (strncmp (t, code, 3) != 0 || (t[3] != '-' && t[3] != ' '))
        break;
      last = t[3] == ' ';
      t += 4;
      /* the enhanced status each line repeats */
      if (status_len >= 5 && strncmp (t, status, status_len) == 0
          && (t[status_len] == ' ' || t[status_len] == '\0'))
        t += status_len;
      textbounce_append (whole, t);
      if (last) {
        g_strchomp (whole->str);
        return textbounce_cap (g_string_free (whole, FALSE));
      }
    }
    /* a reply too long to keep whole ends at the cap; one whose last line
     * never came leaves what the report said */
    if (whole->len >= TEXTBOUNCE_MAX_DIAG)
      return textbounce_cap (g_string_free (whole, FALSE));
    g_string_free (whole, TRUE);
    return NULL;
  }
}
