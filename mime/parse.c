/* SPDX-License-Identifier: MIT */
/* parse - walk a message with GMime, pick the reader, make events.
 *
 * Order (protocols.md 7.3): a feedback report (ARF, then JMRP), a delivery
 * status report, a free-text bounce, an auto-reply, an unsubscribe
 * request, else unknown.  Line ends are made LF first, so CRLF and bare CR
 * input read the same.
 *
 * STANDARDS: RFC 5322, RFC 2045-2049 (through GMime), RFC 6522
 * (multipart/report), RFC 3464, RFC 6533, RFC 5965, RFC 3834, RFC 2369.
 */
#include "config.h"

#include <string.h>

#include "arf.h"
#include "autoreply.h"
#include "classify.h"
#include "dsn.h"
#include "fields.h"
#include "gmime-setup.h"
#include "mime-autoptr.h"
#include "parse.h"
#include "sesjson.h"
#include "textbounce.h"

void
parse_limits_default (struct parse_limits *limits)
{
  limits->max_size = 25 * 1024 * 1024;
  limits->max_depth = 8;
  limits->max_parts = 256;
  limits->max_field = 16 * 1024;
  limits->max_recipients = 1000;
  limits->max_text = 1024 * 1024;
}

/* What the walk over the MIME tree collects. */
struct parse_walk {
  const struct parse_limits *limits;
  unsigned anomalies;
  guint parts;
  GString *text;          /* text/plain parts, in order */
  GString *html;          /* text/html parts, tags removed, when no plain text */
  GPtrArray *dsn;         /* of GBytes *: delivery-status bodies */
  GBytes *arf;            /* feedback-report body */
  GMimeMessage *original; /* the returned message or its headers (ref) */
};

/* parse_once_init - start GMime, once per process. */
static void
parse_once_init (void)
{
  static gsize done;

  if (g_once_init_enter (&done)) {
    gmime_setup ();
    g_once_init_leave (&done, 1);
  }
}

/* parse_normalize - a copy of DATA with CRLF and bare CR made LF and NUL
 * bytes made spaces.  Caller frees with g_free. */
static char *
parse_normalize (const char *data, gsize len, gsize *out_len, unsigned *anomalies)
{
  char *out = g_malloc (len + 1);
  gsize n = 0;

  for (gsize i = 0; i < len; i++) {
    char c = data[i];

    if (c == '\r') {
      out[n++] = '\n';
      if (i + 1 < len && data[i + 1] == '\n')
        i++;
    } else if (c == '\0') {
      out[n++] = ' ';
      *anomalies |= ANOMALY_NUL_BYTES;
    } else {
      out[n++] = c;
    }
  }
  out[n] = '\0';
  *out_len = n;
  return out;
}

/* parse_message_from - a GMimeMessage read from TEXT (LEN bytes), or NULL. */
static GMimeMessage *
parse_message_from (const char *text, gsize len)
{
  g_autoptr (GMimeStream) stream = g_mime_stream_mem_new_with_buffer (text, len);
  g_autoptr (GMimeParser) parser = g_mime_parser_new_with_stream (stream);

  g_mime_parser_set_format (parser, GMIME_FORMAT_MESSAGE);
  return g_mime_parser_construct_message (parser, NULL);
}

/* parse_part_bytes - the decoded content of PART (transfer encoding
 * undone), at most MAX bytes. */
static GBytes *
parse_part_bytes (GMimePart *part, gsize max)
{
  GMimeDataWrapper *content = g_mime_part_get_content (part);
  g_autoptr (GMimeStream) mem = NULL;
  GByteArray *array;

  if (content == NULL)
    return g_bytes_new (NULL, 0);
  mem = g_mime_stream_mem_new ();
  g_mime_data_wrapper_write_to_stream (content, mem);
  array = g_mime_stream_mem_get_byte_array (GMIME_STREAM_MEM (mem));
  return g_bytes_new (array->data, MIN (array->len, max));
}

/* parse_text_of - the text of a text part in UTF-8 (caller frees). */
static char *
parse_text_of (GMimePart *part, struct parse_walk *walk)
{
  char *text = NULL;
  const char *charset = g_mime_object_get_content_type_parameter (GMIME_OBJECT (part), "charset");

  /* bytes that are not valid in the declared (or default) charset */
  if (charset == NULL || g_ascii_strcasecmp (charset, "utf-8") == 0
      || g_ascii_strcasecmp (charset, "us-ascii") == 0) {
    g_autoptr (GBytes) raw = parse_part_bytes (part, G_MAXSIZE);
    gsize n;
    const char *d = g_bytes_get_data (raw, &n);
    gboolean ascii = charset != NULL && g_ascii_strcasecmp (charset, "us-ascii") == 0;

    for (gsize i = 0; ascii && d != NULL && i < n; i++)
      if ((unsigned char) d[i] >= 0x80) {
        walk->anomalies |= ANOMALY_BAD_CHARSET;
        break;
      }
    if (d != NULL && !g_utf8_validate_len (d, n, NULL)) {
      /* each bad byte becomes U+FFFD: dropped, "caf\xe9@example.net"
       * would read as another, real-looking address */
      walk->anomalies |= ANOMALY_BAD_CHARSET;
      return g_utf8_make_valid (d, (gssize) n);
    }
  }
  if (GMIME_IS_TEXT_PART (part))
    text = g_mime_text_part_get_text (GMIME_TEXT_PART (part));
  if (text == NULL) {
    g_autoptr (GBytes) bytes = parse_part_bytes (part, walk->limits->max_text);
    gsize n;
    const char *d = g_bytes_get_data (bytes, &n);

    text = g_strndup (d != NULL ? d : "", n);
  }
  if (!g_utf8_validate (text, -1, NULL)) {
    char *valid = g_utf8_make_valid (text, -1);

    g_free (text);
    text = valid;
    walk->anomalies |= ANOMALY_BAD_CHARSET;
  }
  return text;
}

/* parse_strip_tags - TEXT without HTML tags, block tags made newlines. */
static void
parse_strip_tags (GString *out, const char *text)
{
  gboolean in_tag = FALSE;

  for (const char *p = text; *p; p++) {
    if (*p == '<') {
      in_tag = TRUE;
      if (g_ascii_strncasecmp (p, "<br", 3) == 0 || g_ascii_strncasecmp (p, "<p", 2) == 0
          || g_ascii_strncasecmp (p, "</p", 3) == 0 || g_ascii_strncasecmp (p, "<tr", 3) == 0
          || g_ascii_strncasecmp (p, "<div", 4) == 0)
        g_string_append_c (out, '\n');
    } else if (*p == '>' && in_tag) {
      in_tag = FALSE;
    } else if (!in_tag) {
      if (g_ascii_strncasecmp (p, "&lt;", 4) == 0) {
        g_string_append_c (out, '<');
        p += 3;
      } else if (g_ascii_strncasecmp (p, "&gt;", 4) == 0) {
        g_string_append_c (out, '>');
        p += 3;
      } else if (g_ascii_strncasecmp (p, "&nbsp;", 6) == 0) {
        g_string_append_c (out, ' ');
        p += 5;
      } else if (g_ascii_strncasecmp (p, "&amp;", 5) == 0) {
        g_string_append_c (out, '&');
        p += 4;
      } else {
        g_string_append_c (out, *p);
      }
    }
  }
}

static void parse_walk_object (struct parse_walk *walk, GMimeObject *obj, guint depth);

/* parse_keep_original - remember MESSAGE as the returned original, first
 * one wins. */
static void
parse_keep_original (struct parse_walk *walk, GMimeMessage *message)
{
  if (walk->original == NULL && message != NULL)
    walk->original = g_object_ref (message);
}

/* parse_walk_part - a leaf part: report bodies, original headers, text. */
static void
parse_walk_part (struct parse_walk *walk, GMimePart *part)
{
  GMimeContentType *ct = g_mime_object_get_content_type (GMIME_OBJECT (part));
  const char *type = ct != NULL ? g_mime_content_type_get_media_type (ct) : "text";
  const char *sub = ct != NULL ? g_mime_content_type_get_media_subtype (ct) : "plain";
  const char *disposition = g_mime_object_get_disposition (GMIME_OBJECT (part));

  if (type == NULL || sub == NULL)
    return;
  if (g_ascii_strcasecmp (type, "message") == 0 || g_ascii_strcasecmp (type, "text") == 0) {
    if (g_ascii_strcasecmp (sub, "delivery-status") == 0
        || g_ascii_strcasecmp (sub, "global-delivery-status") == 0
        || g_ascii_strcasecmp (sub, "x-delivery-status") == 0) {
      g_ptr_array_add (walk->dsn, parse_part_bytes (part, walk->limits->max_text));
      return;
    }
    if (g_ascii_strcasecmp (sub, "feedback-report") == 0) {
      if (walk->arf == NULL)
        walk->arf = parse_part_bytes (part, walk->limits->max_text);
      return;
    }
    if (g_ascii_strcasecmp (sub, "rfc822-headers") == 0 || g_ascii_strcasecmp (sub, "rfc822-header") == 0
        || g_ascii_strcasecmp (sub, "global-headers") == 0 || g_ascii_strcasecmp (sub, "rfc822") == 0
        || g_ascii_strcasecmp (sub, "global") == 0) {
      /* headers only, or a message/rfc822 GMime kept opaque because of its
       * transfer encoding: decode and read it again */
      g_autoptr (GBytes) bytes = parse_part_bytes (part, walk->limits->max_text);
      gsize n;
      const char *d = g_bytes_get_data (bytes, &n);

      if (walk->original == NULL && d != NULL && n > 0) {
        g_autoptr (GMimeMessage) m = parse_message_from (d, n);

        parse_keep_original (walk, m);
      }
      return;
    }
  }
  if (g_ascii_strcasecmp (type, "text") == 0
      && (disposition == NULL || g_ascii_strcasecmp (disposition, "attachment") != 0
          || g_ascii_strcasecmp (sub, "plain") == 0)) {
    g_autofree char *text = NULL;

    if (walk->text->len >= walk->limits->max_text)
      return;
    text = parse_text_of (part, walk);
    if (g_ascii_strcasecmp (sub, "plain") == 0) {
      g_string_append (walk->text, text);
      g_string_append_c (walk->text, '\n');
    } else if (g_ascii_strcasecmp (sub, "html") == 0) {
      parse_strip_tags (walk->html, text);
      g_string_append_c (walk->html, '\n');
    }
  }
}

static void
parse_walk_object (struct parse_walk *walk, GMimeObject *obj, guint depth)
{
  if (obj == NULL)
    return;
  if (depth > walk->limits->max_depth) {
    walk->anomalies |= ANOMALY_TOO_DEEP;
    return;
  }
  if (++walk->parts > walk->limits->max_parts) {
    walk->anomalies |= ANOMALY_TOO_MANY_PARTS;
    return;
  }
  if (GMIME_IS_MULTIPART (obj)) {
    GMimeMultipart *mp = GMIME_MULTIPART (obj);
    int n = g_mime_multipart_get_count (mp);

    if (n == 0) {
      /* the boundary never appears: everything is in the prologue */
      const char *prologue = g_mime_multipart_get_prologue (mp);

      walk->anomalies |= ANOMALY_BAD_BOUNDARY;
      if (prologue != NULL && walk->text->len < walk->limits->max_text) {
        g_string_append (walk->text, prologue);
        g_string_append_c (walk->text, '\n');
      }
    }
    for (int i = 0; i < n; i++)
      parse_walk_object (walk, g_mime_multipart_get_part (mp, i), depth + 1);
  } else if (GMIME_IS_MESSAGE_PART (obj)) {
    GMimeMessage *m = g_mime_message_part_get_message (GMIME_MESSAGE_PART (obj));
    GMimeObject *body = m != NULL ? g_mime_message_get_mime_part (m) : NULL;
    GMimeContentType *ct = body != NULL ? g_mime_object_get_content_type (body) : NULL;
    const char *report = ct != NULL ? g_mime_content_type_get_parameter (ct, "report-type") : NULL;

    /* a gateway that wraps the delivery report it got in a notice of its
     * own, with no report of its own: the report inside is the one to
     * read, and its returned message is the original (a report returned
     * inside a report is only the original) */
    if (ct != NULL && walk->original == NULL && walk->dsn->len == 0 && walk->arf == NULL
        && g_mime_content_type_is_type (ct, "multipart", "report") && report != NULL
        && g_ascii_strcasecmp (report, "delivery-status") == 0)
      parse_walk_object (walk, body, depth + 1);
    else
      parse_keep_original (walk, m);
  } else if (GMIME_IS_PART (obj)) {
    parse_walk_part (walk, GMIME_PART (obj));
  }
}

/* parse_header - a header of MESSAGE, trimmed, or NULL (borrowed). */
static const char *
parse_header (GMimeMessage *message, const char *name)
{
  const char *v = message != NULL ? g_mime_object_get_header (GMIME_OBJECT (message), name) : NULL;

  if (v == NULL)
    return NULL;
  while (*v == ' ' || *v == '\t')
    v++;
  return *v != '\0' ? v : NULL;
}

/* parse_first_address - the first mailbox of header TYPE of MESSAGE,
 * normalised, or NULL (caller frees). */
static char *
parse_first_address (GMimeMessage *message, GMimeAddressType type)
{
  InternetAddressList *list;

  if (message == NULL)
    return NULL;
  list = g_mime_message_get_addresses (message, type);
  for (int i = 0; list != NULL && i < internet_address_list_length (list); i++) {
    InternetAddress *a = internet_address_list_get_address (list, i);

    if (INTERNET_ADDRESS_IS_MAILBOX (a)) {
      const char *addr = internet_address_mailbox_get_addr (INTERNET_ADDRESS_MAILBOX (a));
      char *norm = event_normalize_address (addr);

      if (norm != NULL)
        return norm;
    }
  }
  return NULL;
}

/* parse_received_for - the address of the "for <addr>" clause of the first
 * Received header of MESSAGE (the envelope recipient as the sending MTA
 * saw it), normalised, or NULL (caller frees). */
static char *
parse_received_for (GMimeMessage *message)
{
  const char *received = parse_header (message, "Received");
  const char *p;
  g_autofree char *addr = NULL;
  gsize n;

  if (received == NULL || (p = strstr (received, "for ")) == NULL)
    return NULL;
  p += 4;
  while (*p == ' ' || *p == '<')
    p++;
  n = strcspn (p, ">; \t\r\n");
  if (n == 0 || memchr (p, '@', n) == NULL)
    return NULL;
  addr = g_strndup (p, n);
  return event_normalize_address (addr);
}

/* parse_clean_id - VALUE without angle brackets and white space. */
static char *
parse_clean_id (const char *value)
{
  char *s;

  if (value == NULL)
    return NULL;
  s = g_strstrip (g_strdup (value));
  if (*s == '<') {
    char *gt = strchr (s, '>');

    if (gt != NULL)
      *gt = '\0';
    memmove (s, s + 1, strlen (s));
  }
  if (*s == '\0') {
    g_free (s);
    return NULL;
  }
  return s;
}

/* parse_hints - identity hints from the headers of the original message. */
static void
parse_hints (GMimeMessage *original, struct event_hints *hints)
{
  static const struct {
    const char *header;
    gsize offset;
  } map[] = {
    { "X-Mw-Subscriber-Uid", G_STRUCT_OFFSET (struct event_hints, subscriber_id) },
    { "X-Mw-List-Uid", G_STRUCT_OFFSET (struct event_hints, list_id) },
    { "X-Mw-Campaign-Uid", G_STRUCT_OFFSET (struct event_hints, campaign_id) },
    { "X-Mailer-RecptId", G_STRUCT_OFFSET (struct event_hints, subscriber_id) },
    { "X-Mailer-LID", G_STRUCT_OFFSET (struct event_hints, list_id) },
    { "X-Mailer-SID", G_STRUCT_OFFSET (struct event_hints, campaign_id) },
    { "List-Id", G_STRUCT_OFFSET (struct event_hints, list_id) },
    { "X-Job", G_STRUCT_OFFSET (struct event_hints, job_id) },
    { "X-Recoil-Provider", G_STRUCT_OFFSET (struct event_hints, provider) },
    { "Message-ID", G_STRUCT_OFFSET (struct event_hints, message_id) },
  };

  for (gsize i = 0; i < G_N_ELEMENTS (map); i++) {
    char **slot = (char **) G_STRUCT_MEMBER_P (hints, map[i].offset);

    if (*slot == NULL)
      *slot = parse_clean_id (parse_header (original, map[i].header));
  }
}

#define PARSE_MAX_EVIDENCE 16 /* values of one kind kept as evidence */

/* parse_add_value - VALUE (cut at MAX bytes) to ARRAY, unless it holds
 * PARSE_MAX_EVIDENCE already or VALUE is empty. */
static void
parse_add_value (GPtrArray *array, const char *value, gsize max)
{
  gsize n;

  if (value == NULL || array->len >= PARSE_MAX_EVIDENCE)
    return;
  while (*value == ' ' || *value == '\t')
    value++;
  n = strlen (value);
  while (n > 0 && g_ascii_isspace (value[n - 1]))
    n--;
  if (n > 0)
    g_ptr_array_add (array, g_strndup (value, MIN (n, max)));
}

/* parse_list_unsubscribe - the <...> URIs of a List-Unsubscribe VALUE
 * (RFC 2369 3.2): mailto: addresses (without their ?query) into MAILTO,
 * http(s) URIs into WEB. */
static void
parse_list_unsubscribe (const char *value, gsize max, GPtrArray *mailto, GPtrArray *web)
{
  const char *p = value;

  while (p != NULL && (p = strchr (p, '<')) != NULL) {
    const char *end = strchr (p, '>');
    g_autofree char *uri = NULL;

    if (end == NULL)
      break;
    uri = g_strstrip (g_strndup (p + 1, (gsize) (end - p - 1)));
    p = end + 1;
    if (g_ascii_strncasecmp (uri, "mailto:", 7) == 0) {
      char *q = strchr (uri + 7, '?');
      g_autofree char *decoded = NULL;

      if (q != NULL)
        *q = '\0';
      decoded = g_uri_unescape_string (uri + 7, NULL);
      parse_add_value (mailto, decoded != NULL ? decoded : uri + 7, max);
    } else if (g_ascii_strncasecmp (uri, "https://", 8) == 0
               || g_ascii_strncasecmp (uri, "http://", 7) == 0) {
      parse_add_value (web, uri, max);
    }
  }
}

/* parse_header_values - every value of header NAME of MESSAGE, top first,
 * into OUT. */
static void
parse_header_values (GMimeMessage *message, const char *name, gsize max, GPtrArray *out)
{
  GMimeHeaderList *list;
  int n;

  if (message == NULL)
    return;
  list = g_mime_object_get_header_list (GMIME_OBJECT (message));
  n = g_mime_header_list_get_count (list);
  for (int i = 0; i < n; i++) {
    GMimeHeader *h = g_mime_header_list_get_header_at (list, i);

    if (g_ascii_strcasecmp (g_mime_header_get_name (h), name) == 0)
      parse_add_value (out, g_mime_header_get_value (h), max);
  }
}

/* parse_report_field - the values of field NAME in the report bodies
 * (delivery-status or feedback-report) BODIES, into OUT. */
static void
parse_report_field (GPtrArray *bodies, const char *name, gsize max, GPtrArray *out)
{
  for (guint i = 0; i < bodies->len; i++) {
    gsize n;
    const char *d = g_bytes_get_data (g_ptr_array_index (bodies, i), &n);
    struct fields *f = d != NULL ? fields_parse (d, n, 1, max) : NULL;

    for (guint k = 0; f != NULL && f->groups->len > 0 && k < fields_group (f, 0)->names->len; k++)
      if (g_ascii_strcasecmp (g_ptr_array_index (fields_group (f, 0)->names, k), name) == 0) {
        const char *v = g_ptr_array_index (fields_group (f, 0)->values, k);
        const char *semi = strchr (v, ';');

        /* "rfc822; a@b" in a DSN, "<a@b>" in ARF */
        parse_add_value (out, semi != NULL && strchr (v, '@') > semi ? semi + 1 : v, max);
      }
    fields_free (f);
  }
}

/* parse_evidence - what the mail says about the message it returns, for
 * checking against recoil's signatures. */
static void
parse_evidence (struct parse_result *result, GMimeMessage *message, struct parse_walk *walk)
{
  struct parse_evidence *ev = &result->evidence;
  gsize max = walk->limits->max_field;
  g_autoptr (GPtrArray) unsub = g_ptr_array_new_with_free_func (g_free);

  parse_header_values (walk->original, "Return-Path", max, ev->senders);
  parse_report_field (walk->dsn, "X-Postfix-Sender", max, ev->senders);
  if (walk->arf != NULL) {
    g_autoptr (GPtrArray) one = g_ptr_array_new ();

    g_ptr_array_add (one, walk->arf);
    parse_report_field (one, "Original-Mail-From", max, ev->senders);
  }
  parse_header_values (walk->original, "List-Unsubscribe", max, unsub);
  for (guint i = 0; i < unsub->len; i++)
    parse_list_unsubscribe (g_ptr_array_index (unsub, i), max, ev->unsubscribe, ev->web_unsub);
  parse_header_values (message, "Authentication-Results", max, ev->auth_results);
  if (result->from != NULL && strrchr (result->from, '@') != NULL)
    ev->reporter_domain = g_ascii_strdown (strrchr (result->from, '@') + 1, -1);
}

/* parse_copy_hints - a copy of FROM into TO's empty fields. */
static void
parse_copy_hints (struct event_hints *to, const struct event_hints *from)
{
  if (to->list_id == NULL)
    to->list_id = g_strdup (from->list_id);
  if (to->campaign_id == NULL)
    to->campaign_id = g_strdup (from->campaign_id);
  if (to->subscriber_id == NULL)
    to->subscriber_id = g_strdup (from->subscriber_id);
  if (to->provider == NULL)
    to->provider = g_strdup (from->provider);
  if (to->job_id == NULL)
    to->job_id = g_strdup (from->job_id);
  if (to->message_id == NULL)
    to->message_id = g_strdup (from->message_id);
}

/* parse_inline_original - the original message quoted in TEXT after a
 * marker line (qmail, Exim, Sendmail ...), or NULL. */
static GMimeMessage *
parse_inline_original (const char *text)
{
  static const char *const markers[] = { "below this line is a copy of the message",
                                         "this is a copy of the message",
                                         "original message follows",
                                         "unsent message follows",
                                         "----- original message -----",
                                         "original message headers",
                                         "message header follows",
                                         "the header of the original message",
                                         "below is a copy of the original message",
                                         "original message:\n",
                                         NULL };
  g_autofree char *lower = g_ascii_strdown (text, -1);

  for (const char *const *m = markers; *m != NULL; m++) {
    const char *hit = strstr (lower, *m);
    const char *start;

    if (hit == NULL)
      continue;
    start = strchr (text + (hit - lower), '\n');
    if (start == NULL)
      return NULL;
    while (*start == '\n' || *start == ' ' || *start == '\t')
      start++;
    if (strchr (start, ':') == NULL)
      return NULL;
    return parse_message_from (start, strlen (start));
  }
  return NULL;
}

/* parse_add_event - add E to RESULT unless its address is already there. */
static void
parse_add_event (struct parse_result *result, struct event *e)
{
  if (e->address != NULL)
    for (guint i = 0; i < result->events->len; i++) {
      struct event *have = g_ptr_array_index (result->events, i);

      if (have->address != NULL && g_ascii_strcasecmp (have->address, e->address) == 0) {
        event_free (e);
        return;
      }
    }
  g_ptr_array_add (result->events, e);
}

/* parse_from_facts - events of FACTS with SOURCE; kind bounce unless all
 * are deliveries. */
/* parse_says_warning - whether a report (SUBJECT, its human TEXT) says it
 * is only a warning: the MTA keeps the message and goes on trying.  What
 * Postfix ("Delayed Mail (still being retried)"), Exim ("Warning: message
 * ... delayed", "No action is required on your part"), Sendmail
 * ("Warning: could not send message for past 4 hours", "Will keep trying
 * until message is N days old"), OpenSMTPD ("Delivery status notification:
 * delayed", "this is only a temporary failure report"), Exchange and
 * Google ("Delivery Status Notification (Delay)", "Delivery incomplete",
 * "will retry") write. */
static gboolean
parse_says_warning (const char *subject, const char *text)
{
  static const char *const subjects[] = { "delayed mail",
                                          "warning: message",
                                          "warning: could not send message",
                                          "delivery status notification: delayed",
                                          "delivery status notification (delay)",
                                          "delivery delayed",
                                          "message delayed",
                                          "delivery incomplete",
                                          "delayed delivery",
                                          "mail delivery delayed",
                                          NULL };
  static const char *const said[] = { "still being retried",
                                      "no action is required on your part",
                                      "will keep trying",
                                      "will continue trying",
                                      "will continue to try",
                                      "delivery attempts will continue",
                                      "this is only a temporary failure report",
                                      "do not need to re-send",
                                      "this is a warning message only",
                                      "you do not need to resend",
                                      "has not yet been delivered",
                                      "not yet been delivered",
                                      "will retry for",
                                      "will be retried",
                                      NULL };
  g_autofree char *ls = subject != NULL ? g_ascii_strdown (subject, -1) : NULL;
  g_autofree char *lt = text != NULL ? g_ascii_strdown (text, -1) : NULL;

  for (const char *const *p = subjects; ls != NULL && *p != NULL; p++)
    if (strstr (ls, *p) != NULL)
      return TRUE;
  for (const char *const *p = said; lt != NULL && *p != NULL; p++)
    if (strstr (lt, *p) != NULL)
      return TRUE;
  return FALSE;
}

static void
parse_from_facts (struct parse_result *result, GPtrArray *facts, const char *source, const char *text)
{
  /* what the report says as a whole: only a warning, or that the MTA gave
   * up (Sendmail's "Message could not be delivered for 5 days") */
  gboolean warning = parse_says_warning (result->subject, text);
  /* a warning that says what it could not do for hours ("could not be
   * delivered for more than 4 hours") still goes on trying */
  gboolean gave_up = !warning && classify_says_expired (text);

  gboolean all_delivered = facts->len > 0, all_delayed = facts->len > 0;

  for (guint i = 0; i < facts->len; i++) {
    struct fact *f = g_ptr_array_index (facts, i);
    const char *said =
        textbounce_says (f->family, f->remote_mta, f->recipient, f->diagnostic, f->status, f->command);
    struct event *e;

    if (said != NULL)
      f->family_reason = said;
    f->warning = warning;
    f->gave_up = gave_up;
    e = classify_fact (f, source);
    /* what a report gives as the recipient must be an address */
    if (e->address == NULL && f->recipient != NULL && strchr (f->recipient, '@') != NULL)
      result->anomalies |= ANOMALY_BAD_ADDRESS;

    if (e->kind != EVENT_KIND_DELIVERED)
      all_delivered = FALSE;
    if (e->kind != EVENT_KIND_DELAYED)
      all_delayed = FALSE;
    parse_add_event (result, e);
  }
  result->kind = all_delivered ? EVENT_KIND_DELIVERED : all_delayed ? EVENT_KIND_DELAYED : EVENT_KIND_BOUNCE;
  result->source = g_strdup (source);
}

/* parse_generated_from - the address TEXT says was "(generated from
 * FINAL)" or "(ultimately generated from FINAL)": Exim names the address
 * an alias or a forward led to on the line above, and its report's
 * Final-Recipient is then the alias, not the address that failed.  NULL
 * when the text says no such thing.  Caller frees. */
static char *
parse_generated_from (const char *text, const char *final)
{
  g_autofree char *lower = NULL, *want = NULL;
  const char *hit;

  if (text == NULL || final == NULL)
    return NULL;
  lower = g_ascii_strdown (text, -1);
  want = g_ascii_strdown (final, -1);
  for (const char *p = lower; (hit = strstr (p, "generated from")) != NULL; p = hit + 14) {
    const char *eol = strchr (hit, '\n');
    g_autofree char *rest = g_strndup (hit + 14, eol != NULL ? (gsize) (eol - hit - 14) : strlen (hit + 14));
    const char *line_start = hit, *prev_end, *prev_start;

    if (strstr (rest, want) == NULL)
      continue;
    /* the line above, skipping blank ones */
    while (line_start > lower && line_start[-1] != '\n')
      line_start--;
    prev_end = line_start;
    while (prev_end > lower) {
      prev_start = prev_end - 1;
      while (prev_start > lower && prev_start[-1] != '\n')
        prev_start--;
      if (prev_end - prev_start > 1) {
        g_autofree char *line =
            g_strstrip (g_strndup (text + (prev_start - lower), (gsize) (prev_end - prev_start)));
        char *space = strpbrk (line, " \t");
        char *address;

        if (space != NULL)
          *space = '\0';
        address = event_field_address (line);
        if (address != NULL && g_ascii_strcasecmp (address, final) == 0)
          g_clear_pointer (&address, g_free);
        return address;
      }
      prev_end = prev_start;
    }
  }
  return NULL;
}

/* parse_dsn - facts from the delivery-status bodies, completed from the
 * human-readable text where the report gives no diagnostic. */
static gboolean
parse_dsn (struct parse_result *result, GMimeMessage *message, struct parse_walk *walk, const char *text)
{
  g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func ((GDestroyNotify) fact_free);

  for (guint i = 0; i < walk->dsn->len; i++) {
    gsize n;
    const char *d = g_bytes_get_data (g_ptr_array_index (walk->dsn, i), &n);

    if (d != NULL)
      dsn_read (d, n, walk->limits->max_recipients, walk->limits->max_field, facts, &walk->anomalies);
  }
  if (facts->len == 0)
    return FALSE;
  for (guint i = 0; text != NULL && i < facts->len; i++) {
    struct fact *f = g_ptr_array_index (facts, i);
    g_autofree char *final = event_field_address (f->recipient);
    char *failed = parse_generated_from (text, final);

    if (failed != NULL) {
      /* the alias is the address first written to */
      g_free (f->original);
      f->original = g_steal_pointer (&final);
      g_free (f->recipient);
      f->recipient = failed;
    }
  }
  if (facts->len == 1 && text != NULL && *text != '\0') {
    /* a report whose one recipient is unusable ("@host" and the like):
     * the human-readable part may name it */
    struct fact *only = g_ptr_array_index (facts, 0);
    g_autofree char *usable = event_field_address (only->recipient);

    if (usable == NULL) {
      g_autoptr (GPtrArray) found = g_ptr_array_new_with_free_func ((GDestroyNotify) fact_free);
      const char *skip[2] = { result->from, NULL };
      struct textbounce_context ctx = { .from = parse_header (message, "From"),
                                        .subject = result->subject,
                                        .mailer = parse_header (message, "X-Mailer"),
                                        .skip = skip,
                                        .max_rcpts = walk->limits->max_recipients };
      unsigned ignored = 0;

      if (textbounce_read (text, strlen (text), &ctx, found, &ignored) != NULL && found->len == 1) {
        g_free (only->recipient);
        only->recipient = g_strdup (((struct fact *) g_ptr_array_index (found, 0))->recipient);
      }
    }
  }
  g_autofree char *flat = NULL;              /* the human text folded, for the commands it names */
  struct textbounce_text *human_text = NULL; /* the human text split into lines, once */

  for (guint i = 0; text != NULL && *text != '\0' && i < facts->len; i++) {
    struct fact *f = g_ptr_array_index (facts, i);

    /* the human-readable part often says at which command it failed */
    if (f->command == 0) {
      g_autofree char *who = f->recipient != NULL ? g_ascii_strdown (f->recipient, -1) : NULL;

      if (flat == NULL)
        flat = classify_fold (text);
      f->command = classify_command_near (flat, who);
    }
    if (f->diagnostic != NULL && strlen (f->diagnostic) > 4 && f->diagnostic[3] == '-') {
      char *whole;

      if (human_text == NULL)
        human_text = textbounce_text_new (text, strlen (text));
      if ((whole = textbounce_reply_whole (human_text, f->diagnostic)) != NULL) {
        g_free (f->diagnostic);
        f->diagnostic = whole;
      }
    }
    if (f->diagnostic == NULL) {
      if (human_text == NULL)
        human_text = textbounce_text_new (text, strlen (text));
      f->diagnostic = textbounce_diagnostic_in (human_text, f->recipient);
      /* a catch-all x.0.0 gives way to the code the words give */
      if (f->status != NULL && g_str_has_suffix (f->status, ".0.0") && f->diagnostic != NULL) {
        g_autofree char *better = classify_status_in_text (f->diagnostic);

        if (better != NULL && better[0] == f->status[0] && !g_str_has_suffix (better, ".0.0")) {
          g_free (f->status);
          f->status = g_steal_pointer (&better);
        }
      }
    }
  }
  textbounce_text_free (human_text);
  {
    const char *family =
        textbounce_family_of (parse_header (message, "From"), result->subject,
                              parse_header (message, "X-Mailer"), text, text != NULL ? strlen (text) : 0);

    for (guint i = 0; family != NULL && i < facts->len; i++)
      ((struct fact *) g_ptr_array_index (facts, i))->family = family;
  }
  parse_from_facts (result, facts, "dsn", text);
  return TRUE;
}

/* parse_embedded_dsn - the start of delivery-status fields quoted in the
 * human text (some services send the report as plain text), or NULL. */
static const char *
parse_embedded_dsn (const char *text)
{
  static const char *const starts[] = { "\nreporting-mta:", "\nfinal-recipient:", "\noriginal-recipient:",
                                        "\naction:", NULL };
  g_autofree char *lower = NULL;
  const char *best = NULL;

  if (text == NULL || strstr (text, "inal-Recipient:") == NULL)
    return NULL;
  lower = g_ascii_strdown (text, -1);
  if (strstr (lower, "\nfinal-recipient:") == NULL)
    return NULL;
  for (const char *const *s = starts; *s != NULL; s++) {
    const char *hit = strstr (lower, *s);

    if (hit != NULL && (best == NULL || hit < best))
      best = hit;
  }
  return best != NULL ? text + (best - lower) + 1 : NULL;
}

/* parse_single - RESULT is one event of KIND from SOURCE with REASON about
 * ADDRESS (taken); returns the event for further fields. */
static struct event *
parse_single (struct parse_result *result, event_kind kind, const char *source, const char *reason,
              char *address)
{
  struct event *e = event_new ();

  e->kind = kind;
  e->source = g_strdup (source);
  e->reason = g_strdup (reason);
  e->category = g_strdup ("other");
  e->address = address;
  result->kind = kind;
  result->source = g_strdup (source);
  g_ptr_array_add (result->events, e);
  return e;
}

/* parse_decide - pick the reader and fill RESULT. */
static void
parse_decide (struct parse_result *result, GMimeMessage *message, struct parse_walk *walk, const char *text,
              unsigned flags)
{
  g_autofree char *original_to = parse_first_address (walk->original, GMIME_ADDRESS_TYPE_TO);
  g_autofree char *original_from = parse_first_address (walk->original, GMIME_ADDRESS_TYPE_FROM);
  const char *jmrp = parse_header (walk->original, "X-HmXmrOriginalRecipient");

  if (original_to == NULL)
    original_to = parse_received_for (walk->original);
  {
    /* Exim and Google name the failed recipients in a header of the
     * bounce itself: a better last resort than the returned To */
    const char *failed = parse_header (message, "X-Failed-Recipients");
    char *first = NULL;

    if (failed != NULL) {
      g_auto (GStrv) list = g_strsplit (failed, ",", 2);

      first = event_field_address (list[0]);
    }
    if (first != NULL) {
      g_free (original_to);
      original_to = first;
    }
  }

  if (walk->arf != NULL) {
    gsize n;
    const char *d = g_bytes_get_data (walk->arf, &n);
    arf_read (d != NULL ? d : "", n, walk->limits->max_field, walk->limits->max_recipients,
              jmrp != NULL ? jmrp : original_to, result->events, &walk->anomalies);
    result->kind = EVENT_KIND_COMPLAINT;
    result->source = g_strdup ("arf");
    return;
  }
  if (jmrp != NULL) {
    struct event *e =
        parse_single (result, EVENT_KIND_COMPLAINT, "jmrp", "feedback", event_field_address (jmrp));

    e->feedback_type = g_strdup ("abuse");
    return;
  }
  if (walk->dsn->len == 0) {
    const char *embedded = parse_embedded_dsn (text);

    if (embedded != NULL)
      g_ptr_array_add (walk->dsn, g_bytes_new (embedded, strlen (embedded)));
  }
  if (walk->dsn->len > 0 && parse_dsn (result, message, walk, text))
    return;
  {
    g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func ((GDestroyNotify) fact_free);
    g_autoptr (GPtrArray) complaints = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);

    if (sesjson_read (text, walk->limits->max_recipients, facts, complaints)) {
      if (complaints->len > 0) {
        result->kind = EVENT_KIND_COMPLAINT;
        result->source = g_strdup ("arf");
        for (guint i = 0; i < complaints->len; i++)
          g_ptr_array_add (result->events, g_steal_pointer (&complaints->pdata[i]));
      } else {
        parse_from_facts (result, facts, "json:amazonses", NULL);
      }
      return;
    }
  }
  if (text != NULL && *text != '\0') {
    g_autoptr (GPtrArray) facts = g_ptr_array_new_with_free_func ((GDestroyNotify) fact_free);
    g_autofree char *bounce_to = parse_first_address (message, GMIME_ADDRESS_TYPE_TO);
    const char *skip[4] = { NULL, NULL, NULL, NULL };
    int n_skip = 0;

    /* NULL-terminated: no holes, or the list would end early.  The
     * original sender and the bounce's recipient are never the failed
     * recipient, unless somebody mailed himself (the returned To). */
    if (result->from != NULL)
      skip[n_skip++] = result->from;
    if (original_from != NULL && g_strcmp0 (original_from, original_to) != 0)
      skip[n_skip++] = original_from;

    struct textbounce_context ctx = { .from = parse_header (message, "From"),
                                      .subject = result->subject,
                                      .mailer = parse_header (message, "X-Mailer"),
                                      .original_to = original_to,
                                      .skip = skip,
                                      .last_resort =
                                          g_strcmp0 (bounce_to, original_to) != 0 ? bounce_to : NULL,
                                      .max_rcpts = walk->limits->max_recipients };
    const char *family;

    if (ctx.from == NULL)
      ctx.from = result->from;
    {
      const char *return_path = parse_header (message, "Return-Path");
      g_autofree char *rp = return_path != NULL ? g_ascii_strdown (return_path, -1) : NULL;

      /* not a null Return-Path alone: auto-replies have one too */
      ctx.report = walk->dsn->len > 0 || (rp != NULL && strstr (rp, "mailer-daemon") != NULL);
    }
    family = textbounce_read (text, strlen (text), &ctx, facts, &walk->anomalies);
    if (family != NULL && facts->len == 0 && strcmp (family, "generic") != 0
        && textbounce_looks_like_bounce (parse_header (message, "From"), result->subject)) {
      /* a known MTA's notice that names nobody recoil can read (AOL's
       * bare screen names): a bounce about nobody, never the sender */
      struct fact *f = fact_new ();
      struct textbounce_text *tt = textbounce_text_new (text, strlen (text));

      f->diagnostic = textbounce_diagnostic_in (tt, NULL);
      f->family = family;
      textbounce_text_free (tt);
      g_ptr_array_add (facts, f);
    }
    if (family != NULL && facts->len > 0) {
      g_autofree char *source = g_strconcat ("heuristic:", family, NULL);

      parse_from_facts (result, facts, source, text);
      return;
    }
  }
  if (message != NULL && !textbounce_looks_like_bounce (parse_header (message, "From"), result->subject)
      && autoreply_detect (message)) {
    parse_single (result, EVENT_KIND_AUTOREPLY, "autoreply", "vacation", g_strdup (result->from));
    return;
  }
  if ((flags & PARSE_EXPECT_UNSUB)
      || (result->subject != NULL
          && g_ascii_strncasecmp (g_strstrip (result->subject), "unsubscribe", 11) == 0)) {
    struct event *e = event_new ();

    e->kind = EVENT_KIND_UNSUBSCRIBE;
    e->source = g_strdup ("unsub-mail");
    e->reason = g_strdup ("unsubscribe");
    e->category = g_strdup ("other");
    e->address = g_strdup (result->from);
    result->kind = EVENT_KIND_UNSUBSCRIBE;
    result->source = g_strdup ("unsub-mail");
    g_ptr_array_add (result->events, e);
    return;
  }
  result->kind = EVENT_KIND_UNKNOWN;
}

struct parse_result *
parse_message (const char *data, gsize len, const struct parse_limits *limits, unsigned flags)
{
  struct parse_limits defaults;
  struct parse_result *result = g_new0 (struct parse_result, 1);
  struct parse_walk walk = { 0 };
  g_autofree char *buf = NULL;
  g_autoptr (GMimeMessage) message = NULL;
  g_autofree char *text = NULL;
  gsize n = 0;

  parse_once_init ();
  if (limits == NULL) {
    parse_limits_default (&defaults);
    limits = &defaults;
  }
  result->events = g_ptr_array_new_with_free_func ((GDestroyNotify) event_free);
  result->kind = EVENT_KIND_UNKNOWN;
  result->evidence.senders = g_ptr_array_new_with_free_func (g_free);
  result->evidence.unsubscribe = g_ptr_array_new_with_free_func (g_free);
  result->evidence.web_unsub = g_ptr_array_new_with_free_func (g_free);
  result->evidence.auth_results = g_ptr_array_new_with_free_func (g_free);
  if (data == NULL || len == 0) {
    result->anomalies |= ANOMALY_EMPTY;
    return result;
  }
  if (len > limits->max_size) {
    len = limits->max_size;
    result->anomalies |= ANOMALY_TOO_LARGE;
  }
  buf = parse_normalize (data, len, &n, &result->anomalies);
  {
    /* lines of nothing but white space before the headers (a gateway's
     * stray line): the message starts after them */
    gsize skip = 0, k = 0;

    while (k < n && (buf[k] == ' ' || buf[k] == '\t' || buf[k] == '\n')) {
      if (buf[k] == '\n')
        skip = k + 1;
      k++;
    }
    if (skip > 0 && skip < n) {
      memmove (buf, buf + skip, n - skip + 1);
      n -= skip;
    }
  }
  walk.limits = limits;
  walk.text = g_string_new (NULL);
  walk.html = g_string_new (NULL);
  walk.dsn = g_ptr_array_new_with_free_func ((GDestroyNotify) g_bytes_unref);
  message = parse_message_from (buf, n);
  if (message == NULL
      || g_mime_header_list_get_count (g_mime_object_get_header_list (GMIME_OBJECT (message))) == 0) {
    result->anomalies |= ANOMALY_UNPARSEABLE;
    g_string_append_len (walk.text, buf, (gssize) MIN (n, limits->max_text));
  } else {
    const char *subject = g_mime_message_get_subject (message);
    const char *mid = g_mime_message_get_message_id (message);

    result->subject = subject != NULL ? g_strdup (subject) : NULL;
    result->message_id = mid != NULL ? g_strdup (mid) : NULL;
    result->from = parse_first_address (message, GMIME_ADDRESS_TYPE_FROM);
    parse_walk_object (&walk, g_mime_message_get_mime_part (message), 0);
  }
  if (message != NULL) {
    const char *raw_subject = g_mime_object_get_header (GMIME_OBJECT (message), "Subject");

    if (raw_subject != NULL && strlen (raw_subject) > limits->max_field)
      result->anomalies |= ANOMALY_LONG_HEADER;
  }
  {
    gboolean plain = walk.text->len > 0;

    text = g_string_free (plain ? walk.text : walk.html, FALSE);
    g_string_free (plain ? walk.html : walk.text, TRUE);
  }
  if (walk.original == NULL && text != NULL)
    walk.original = parse_inline_original (text);
  parse_hints (walk.original, &result->hints);
  parse_evidence (result, message, &walk);
  parse_decide (result, message, &walk, text, flags);
  result->anomalies |= walk.anomalies;
  for (guint i = 0; i < result->events->len; i++) {
    struct event *e = g_ptr_array_index (result->events, i);

    parse_copy_hints (&e->hints, &result->hints);
    if (e->address == NULL && (e->kind == EVENT_KIND_BOUNCE || e->kind == EVENT_KIND_COMPLAINT))
      result->anomalies |= ANOMALY_NO_RECIPIENT;
  }
  g_ptr_array_unref (walk.dsn);
  g_clear_pointer (&walk.arf, g_bytes_unref);
  if (flags & PARSE_ONE_SHOT) {
    /* tearing the tree down costs a sixth of a `recoil mail`; kept here,
     * it stays reachable until the exit */
    static GMimeMessage *kept[2];

    g_clear_object (&kept[0]);
    g_clear_object (&kept[1]);
    kept[0] = g_steal_pointer (&message);
    kept[1] = g_steal_pointer (&walk.original);
  }
  g_clear_object (&walk.original);
  return result;
}

void
parse_result_free (struct parse_result *result)
{
  if (result == NULL)
    return;
  g_ptr_array_unref (result->events);
  g_free (result->source);
  g_free (result->from);
  g_free (result->subject);
  g_free (result->message_id);
  g_free (result->hints.list_id);
  g_free (result->hints.campaign_id);
  g_free (result->hints.subscriber_id);
  g_free (result->hints.provider);
  g_free (result->hints.job_id);
  g_free (result->hints.message_id);
  g_ptr_array_unref (result->evidence.senders);
  g_ptr_array_unref (result->evidence.unsubscribe);
  g_ptr_array_unref (result->evidence.web_unsub);
  g_ptr_array_unref (result->evidence.auth_results);
  g_free (result->evidence.reporter_domain);
  g_free (result);
}
