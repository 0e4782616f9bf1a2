/* SPDX-License-Identifier: MIT */
/* trust - recoil's trust model (see trust.h).
 *
 * STANDARDS: RFC 8601 (Authentication-Results: authserv-id, resinfo,
 * method=result, ptype.property=value, comments in parentheses); RFC 6376
 * (DKIM d= and i=); RFC 2369 3.2 (List-Unsubscribe).
 */
#include "config.h"

#include <string.h>

#include "trust.h"

/* Why an event may not act; static, as the store logs them. */
static const char trust_unsigned_rp[] = "an unsigned return path while [verp] signature = enforce";
static const char trust_bad_rp[] = "the return path's signature is not valid";
static const char trust_not_named[] = "the signed return path names another recipient";
static const char trust_unknown_local[] = "a local part at the bounce domain that no accepted scheme reads";
static const char trust_unknown_unsub[] =
    "a local part at the unsubscribe domain that no accepted scheme reads";
static const char trust_unsigned_unsub[] = "an unsigned unsubscribe address while [verp] signature = enforce";
static const char trust_bad_unsub[] = "the unsubscribe address's signature is not valid";
static const char trust_no_evidence[] =
    "not sent to a signed return path, and the returned message carries no signature of recoil's for this "
    "address";
static const char trust_plain_request[] = "an unsubscribe request that did not come to a signed unsubscribe "
                                          "address";

/* trust_domain_is - whether DOMAIN is OURS, ignoring case and final dots. */
static gboolean
trust_domain_is (const char *domain, const char *ours)
{
  gsize a, b;

  if (domain == NULL || ours == NULL)
    return FALSE;
  a = strlen (domain);
  b = strlen (ours);
  while (a > 0 && domain[a - 1] == '.')
    a--;
  while (b > 0 && ours[b - 1] == '.')
    b--;
  return a == b && a > 0 && g_ascii_strncasecmp (domain, ours, a) == 0;
}

char *
trust_signed_address (const struct conf *conf, ourdomain_which kind, const char *address, gint64 now)
{
  g_autofree char *bare = NULL, *plain = NULL;
  const char *domain = kind == OURDOMAIN_UNSUB ? conf->unsub_domain : conf->bounce_domain;
  struct ourdomain_params params;
  struct verp_result r;
  const char *at;
  char *found = NULL;
  gsize n;

  if (address == NULL || domain == NULL || conf->secret == NULL)
    return NULL;
  while (*address == ' ' || *address == '<')
    address++;
  bare = g_strdup (address);
  n = strlen (bare);
  while (n > 0 && (bare[n - 1] == '>' || bare[n - 1] == ' '))
    bare[--n] = '\0';
  plain = verp_unwrap (bare);
  at = strrchr (plain, '@');
  if (at == NULL || at == plain || !trust_domain_is (at + 1, domain))
    return NULL;
  ourdomain_params (conf, kind, now, &params);
  {
    g_autofree char *local = g_strndup (plain, (gsize) (at - plain));

    if (verp_decode (local, &params.verp, &r)) {
      if (r.scheme == VERP_SCHEME_RECOIL && r.signature == VERP_SIG_VALID && r.address != NULL)
        found = event_normalize_address (r.address);
      verp_result_clear (&r);
    }
  }
  return found;
}

/* trust_strip_comments - VALUE without RFC 8601 / RFC 5322 comments
 * (nested parentheses, backslash escapes inside them). */
static char *
trust_strip_comments (const char *value)
{
  GString *out = g_string_sized_new (strlen (value));
  int depth = 0;
  gboolean quoted = FALSE;

  for (const char *p = value; *p; p++) {
    if (depth > 0) {
      if (*p == '\\' && p[1] != '\0')
        p++;
      else if (*p == '(')
        depth++;
      else if (*p == ')')
        depth--;
      continue;
    }
    if (*p == '"')
      quoted = !quoted;
    if (!quoted && *p == '(') {
      depth = 1;
      g_string_append_c (out, ' ');
      continue;
    }
    g_string_append_c (out, *p);
  }
  return g_string_free (out, FALSE);
}

/* trust_under - whether DOMAIN is PARENT or a subdomain of it. */
static gboolean
trust_under (const char *domain, const char *parent)
{
  gsize a, b;

  if (domain == NULL || parent == NULL)
    return FALSE;
  a = strlen (domain);
  b = strlen (parent);
  if (b == 0 || a < b)
    return FALSE;
  if (g_ascii_strcasecmp (domain + a - b, parent) != 0)
    return FALSE;
  return a == b || domain[a - b - 1] == '.';
}

/* trust_in_list - whether DOMAIN is (under) one of TRUSTED. */
static gboolean
trust_in_list (const char *domain, char **trusted)
{
  for (char **t = trusted; t != NULL && *t != NULL; t++)
    if (trust_under (domain, *t))
      return TRUE;
  return FALSE;
}

/* trust_resinfo_dkim_pass - the DKIM domain of one resinfo ("dkim=pass
 * header.d=example.com header.i=@example.com"), or NULL when it is not a
 * DKIM pass.  Caller frees. */
static char *
trust_resinfo_dkim_pass (const char *resinfo)
{
  g_auto (GStrv) words = g_strsplit_set (resinfo, " \t\r\n", -1);
  gboolean pass = FALSE;
  char *domain = NULL;
  gboolean first = TRUE;

  for (char **w = words; *w != NULL; w++) {
    const char *eq;

    if (**w == '\0')
      continue;
    eq = strchr (*w, '=');
    if (first) {
      first = FALSE;
      /* method [ "/" version ] "=" result */
      if (eq == NULL || g_ascii_strncasecmp (*w, "dkim", 4) != 0 || ((*w)[4] != '=' && (*w)[4] != '/'))
        return NULL;
      pass = g_ascii_strcasecmp (eq + 1, "pass") == 0;
      if (!pass)
        return NULL;
      continue;
    }
    if (eq == NULL)
      continue;
    if (g_ascii_strncasecmp (*w, "header.d=", 9) == 0 && domain == NULL) {
      domain = g_ascii_strdown (eq + 1, -1);
    } else if (g_ascii_strncasecmp (*w, "header.i=", 9) == 0 && domain == NULL) {
      const char *at = strrchr (eq + 1, '@');

      domain = g_ascii_strdown (at != NULL ? at + 1 : eq + 1, -1);
    }
  }
  if (domain != NULL) {
    gsize n = strlen (domain);

    while (n > 0 && (domain[n - 1] == '"' || domain[n - 1] == '.'))
      domain[--n] = '\0';
    if (domain[0] == '"')
      memmove (domain, domain + 1, n);
  }
  return domain;
}

gboolean
trust_dkim_pass (const GPtrArray *auth_results, const char *authserv_id, const char *domain, char **trusted)
{
  if (auth_results == NULL || authserv_id == NULL || *authserv_id == '\0' || domain == NULL)
    return FALSE;
  for (guint i = 0; i < auth_results->len; i++) {
    g_autofree char *clean = trust_strip_comments (g_ptr_array_index (auth_results, i));
    g_auto (GStrv) parts = g_strsplit (clean, ";", -1);
    g_auto (GStrv) id = NULL;

    if (parts[0] == NULL)
      continue;
    /* authserv-id [ version ]: only our receiving MTA's word counts */
    id = g_strsplit_set (g_strstrip (parts[0]), " \t", 2);
    if (id[0] == NULL || g_ascii_strcasecmp (id[0], authserv_id) != 0)
      continue;
    for (char **p = parts + 1; *p != NULL; p++) {
      g_autofree char *signer = trust_resinfo_dkim_pass (g_strstrip (*p));

      /* the signer is trusted, and the report's From is the signer's
       * domain or under it (relaxed alignment) */
      if (signer != NULL && trust_in_list (signer, trusted) && trust_under (domain, signer))
        return TRUE;
    }
  }
  return FALSE;
}

/* trust_evidence_for - whether the returned original of RESULT carries a
 * valid recoil signature for ADDRESS (also matching ALSO, when not NULL):
 * a signed return path among its senders, or a signed unsubscribe address
 * in its List-Unsubscribe.  With ADDRESS NULL, *FOUND gets the one
 * address the signatures name (when exactly one). */
static gboolean
trust_evidence_for (const struct conf *conf, const struct parse_result *result, const char *address,
                    const char *also, gint64 now, char **found)
{
  const struct {
    const GPtrArray *values;
    ourdomain_which kind;
  } sources[] = { { result->evidence.senders, OURDOMAIN_BOUNCE },
                  { result->evidence.unsubscribe, OURDOMAIN_UNSUB } };
  g_autofree char *seen = NULL;
  gboolean several = FALSE;

  for (gsize s = 0; s < G_N_ELEMENTS (sources); s++)
    for (guint i = 0; sources[s].values != NULL && i < sources[s].values->len; i++) {
      g_autofree char *signed_for =
          trust_signed_address (conf, sources[s].kind, g_ptr_array_index (sources[s].values, i), now);

      if (signed_for == NULL)
        continue;
      if (address != NULL && (g_strcmp0 (signed_for, address) == 0 || g_strcmp0 (signed_for, also) == 0))
        return TRUE;
      if (seen == NULL)
        seen = g_steal_pointer (&signed_for);
      else if (strcmp (seen, signed_for) != 0)
        several = TRUE;
    }
  if (address == NULL && found != NULL && seen != NULL && !several) {
    *found = g_steal_pointer (&seen);
    return TRUE;
  }
  return FALSE;
}

/* trust_fill_hints - the ids decoded from an address into E. */
static void
trust_fill_hints (struct event *e, const struct verp_result *r)
{
  if (r->list_id != NULL) {
    g_free (e->hints.list_id);
    e->hints.list_id = g_strdup (r->list_id);
  }
  if (r->campaign_id != NULL) {
    g_free (e->hints.campaign_id);
    e->hints.campaign_id = g_strdup (r->campaign_id);
  }
  if (r->subscriber_id != NULL) {
    g_free (e->hints.subscriber_id);
    e->hints.subscriber_id = g_strdup (r->subscriber_id);
  }
}

/* trust_null_sender - the null sender as MTAs spell it. */
static gboolean
trust_null_sender (const char *from)
{
  return from == NULL || *from == '\0' || strcmp (from, "<>") == 0
         || g_ascii_strcasecmp (from, "MAILER-DAEMON") == 0
         || g_ascii_strncasecmp (from, "MAILER-DAEMON@", 14) == 0;
}

/* trust_set_all - every event of RESULT untrusted for WHY. */
static void
trust_set_all (struct trust_mail *out, const struct parse_result *result, const char *why)
{
  for (guint i = 0; i < out->untrusted->len; i++) {
    const struct event *e = g_ptr_array_index (result->events, i);

    /* what could act: deliveries, auto-replies and the unknown never do */
    if (e->kind == EVENT_KIND_BOUNCE || e->kind == EVENT_KIND_COMPLAINT || e->kind == EVENT_KIND_UNSUBSCRIBE)
      g_ptr_array_index (out->untrusted, i) = (gpointer) why;
  }
}

/* trust_warn_believed - the warning under signature = warn for a fact
 * enforce would not believe. */
static void
trust_warn_believed (const struct conf *conf, const struct trust_envelope *env, const char *why)
{
  if (conf->signature == CONF_SIGNATURE_WARN)
    g_warning ("mail to=<%s>: believed only because [verp] signature = warn: %s", env->to ? env->to : "",
               why);
}

/* trust_bounce_domain - mail to a local part at the bounce domain. */
static void
trust_bounce_domain (const struct conf *conf, const struct trust_envelope *env, const char *local,
                     struct parse_result *result, struct trust_mail *out)
{
  struct ourdomain_params params;
  struct verp_result r;
  g_autofree char *norm = NULL;
  guint candidates = 0;
  struct event *only = NULL, *target = NULL;
  gboolean believed;

  ourdomain_params (conf, OURDOMAIN_BOUNCE, env->now, &params);
  if (!verp_decode (local, &params.verp, &r)) {
    out->ours = FALSE;
    if (conf->signature == CONF_SIGNATURE_ENFORCE)
      trust_set_all (out, result, trust_unknown_local);
    else
      trust_warn_believed (conf, env, trust_unknown_local);
    return;
  }
  out->ours = TRUE;
  believed = ourdomain_believed (conf, &r);
  if (r.problem != NULL)
    g_info ("mail to=<%s>: %s", env->to, r.problem);
  if (!believed) {
    trust_set_all (out, result, r.signature == VERP_SIG_INVALID ? trust_bad_rp : trust_unsigned_rp);
  } else if (r.signature == VERP_SIG_ABSENT) {
    trust_warn_believed (conf, env, trust_unsigned_rp);
  }
  /* the return path names the one recipient this bounce is about: the
   * report's recipient with that address (as it failed or as it was first
   * written to), or the report's only one */
  norm = r.address != NULL ? event_normalize_address (r.address) : NULL;
  for (guint i = 0; i < result->events->len; i++) {
    struct event *e = g_ptr_array_index (result->events, i);

    if (e->kind != EVENT_KIND_BOUNCE && e->kind != EVENT_KIND_COMPLAINT && e->kind != EVENT_KIND_AUTOREPLY)
      continue;
    candidates++;
    only = e;
    if (norm != NULL && (g_strcmp0 (norm, e->address) == 0 || g_strcmp0 (norm, e->original_recipient) == 0))
      target = e;
  }
  if (target == NULL && candidates == 1)
    target = only;
  if (target != NULL && norm != NULL) {
    if (g_strcmp0 (norm, target->address) != 0) {
      g_free (target->address);
      target->address = g_strdup (norm);
    }
    out->target = target;
  }
  if (target != NULL)
    trust_fill_hints (target, &r);
  /* a signed return path speaks for its own recipient only: the others a
   * report lists are facts recoil cannot check */
  if (believed && r.signature == VERP_SIG_VALID)
    for (guint i = 0; i < result->events->len; i++) {
      struct event *e = g_ptr_array_index (result->events, i);

      if (e != target && e->address != NULL
          && (e->kind == EVENT_KIND_BOUNCE || e->kind == EVENT_KIND_COMPLAINT
              || e->kind == EVENT_KIND_UNSUBSCRIBE))
        g_ptr_array_index (out->untrusted, i) = (gpointer) trust_not_named;
    }
  verp_result_clear (&r);
}

/* trust_unsub_domain - mail to a local part at the unsubscribe domain:
 * a request for the subscriber the address names. */
static void
trust_unsub_domain (const struct conf *conf, const struct trust_envelope *env, const char *local,
                    struct parse_result *result, struct trust_mail *out)
{
  struct ourdomain_params params;
  struct verp_result r;
  struct event *e;

  ourdomain_params (conf, OURDOMAIN_UNSUB, env->now, &params);
  if (!verp_decode (local, &params.verp, &r)) {
    out->ours = FALSE;
    /* nobody is named: whatever the mail says, it requests nothing */
    if (conf->signature == CONF_SIGNATURE_ENFORCE)
      trust_set_all (out, result, trust_unknown_unsub);
    else
      trust_warn_believed (conf, env, trust_unknown_unsub);
    return;
  }
  out->ours = TRUE;
  /* bounces and auto-replies sent back to an unsubscribe address are not
   * requests (protocols.md 3.7) */
  if (trust_null_sender (env->from) || result->kind == EVENT_KIND_BOUNCE
      || result->kind == EVENT_KIND_AUTOREPLY) {
    out->why = "a bounce or auto-reply sent to an unsubscribe address";
    g_ptr_array_set_size (result->events, 0);
    g_ptr_array_set_size (out->untrusted, 0);
    verp_result_clear (&r);
    return;
  }
  g_ptr_array_set_size (result->events, 0);
  g_ptr_array_set_size (out->untrusted, 0);
  e = event_new ();
  e->kind = EVENT_KIND_UNSUBSCRIBE;
  e->source = g_strdup ("unsub-mail");
  e->reason = g_strdup ("unsubscribe");
  e->category = g_strdup ("other");
  e->address = g_strdup (r.address);
  e->diagnostic = g_strdup_printf ("List-Unsubscribe request from %s", env->from != NULL ? env->from : "<>");
  e->hints.message_id = g_strdup (result->message_id);
  trust_fill_hints (e, &r);
  g_ptr_array_add (result->events, e);
  result->kind = EVENT_KIND_UNSUBSCRIBE;
  if (!ourdomain_believed (conf, &r))
    g_ptr_array_add (out->untrusted,
                     (gpointer) (r.signature == VERP_SIG_INVALID ? trust_bad_unsub : trust_unsigned_unsub));
  else {
    g_ptr_array_add (out->untrusted, NULL);
    if (r.signature == VERP_SIG_ABSENT)
      trust_warn_believed (conf, env, trust_unsigned_unsub);
  }
  if (e->address == NULL && e->hints.subscriber_id == NULL)
    out->why = "an unsubscribe address that names nobody";
  verp_result_clear (&r);
}

/* trust_elsewhere - mail to any other address: each fact needs evidence
 * in the returned message, or a trusted reporter's DKIM pass. */
static void
trust_elsewhere (const struct conf *conf, const struct trust_envelope *env, struct parse_result *result,
                 struct trust_mail *out)
{
  gboolean reporter = trust_dkim_pass (result->evidence.auth_results, conf->authserv_id,
                                       result->evidence.reporter_domain, conf->trusted_reporters);

  for (guint i = 0; i < result->events->len; i++) {
    struct event *e = g_ptr_array_index (result->events, i);
    const char *why = NULL;

    switch (e->kind) {
    case EVENT_KIND_UNSUBSCRIBE: why = trust_plain_request; break;
    case EVENT_KIND_COMPLAINT:
    case EVENT_KIND_BOUNCE: {
      g_autofree char *found = NULL;

      if (e->address == NULL) {
        /* an anonymised complaint: the signature in the returned message
         * names the address */
        if (trust_evidence_for (conf, result, NULL, NULL, env->now, &found)) {
          e->address = g_steal_pointer (&found);
          break;
        }
        break; /* names nobody: nothing to act on anyway */
      }
      if (trust_evidence_for (conf, result, e->address, e->original_recipient, env->now, NULL))
        break;
      if (e->kind == EVENT_KIND_COMPLAINT && reporter)
        break;
      why = trust_no_evidence;
      break;
    }
    default: break;
    }
    if (why == NULL)
      continue;
    if (conf->signature == CONF_SIGNATURE_ENFORCE)
      g_ptr_array_index (out->untrusted, i) = (gpointer) why;
    else
      trust_warn_believed (conf, env, why);
  }
}

void
trust_mail (const struct conf *conf, const struct trust_envelope *env, struct parse_result *result,
            struct trust_mail *out)
{
  g_autofree char *local = NULL;

  memset (out, 0, sizeof *out);
  out->untrusted = g_ptr_array_new ();
  g_ptr_array_set_size (out->untrusted, result->events->len);
  out->which = env->to != NULL ? ourdomain_split (conf, env->to, &local) : OURDOMAIN_NONE;
  switch (out->which) {
  case OURDOMAIN_BOUNCE: trust_bounce_domain (conf, env, local, result, out); break;
  case OURDOMAIN_UNSUB: trust_unsub_domain (conf, env, local, result, out); break;
  default: trust_elsewhere (conf, env, result, out); break;
  }
}

void
trust_mail_clear (struct trust_mail *out)
{
  g_clear_pointer (&out->untrusted, g_ptr_array_unref);
}

const char *
trust_posture (const struct conf *conf)
{
  switch (conf->signature) {
  case CONF_SIGNATURE_WARN:
    return "[verp] signature = warn: unsigned return paths, and complaints, bounces and unsubscribe requests "
           "that carry no signature of recoil's, are believed with a warning; anyone who can mail the "
           "bounce, "
           "unsubscribe or feedback-loop address can suppress or unsubscribe any address.  Use it only while "
           "senders move to signed addresses, then set enforce";
  case CONF_SIGNATURE_OFF:
    return "[verp] signature = off: unsigned return paths, and complaints, bounces and unsubscribe requests "
           "that carry no signature of recoil's, are believed silently; anyone who can mail the bounce, "
           "unsubscribe or feedback-loop address can suppress or unsubscribe any address";
  default: return NULL;
  }
}
