/* SPDX-License-Identifier: MIT */
/* webhook - a signed JSON document per decision, POSTed to any URL
 *
 * The document and its signature are specified in providers/WEBHOOK.md:
 * the body is one JSON object; the headers X-Recoil-Timestamp (unix
 * seconds) and X-Recoil-Signature ("v1=" and the lower-case hex
 * HMAC-SHA256, keyed with the provider's secret, of the timestamp, a dot
 * and the body) let the receiver check that recoil sent it and when.
 * Delivery is at least once: X-Recoil-Id is the same on every attempt.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

/* webhook_set - KEY = VALUE in OBJ when VALUE is set. */
static void
webhook_set (json_t *obj, const char *key, const char *value)
{
  json_object_set_new (obj, key, value != NULL && *value ? json_string (value) : json_null ());
}

static provider_verdict
webhook_start (struct provider_job *job)
{
  const struct provider_action *a = job->action;
  json_t *doc = json_object ();
  g_autoptr (GDateTime) dt = g_date_time_new_from_unix_utc (a->created);
  g_autofree char *when = g_date_time_format (dt, "%Y-%m-%dT%H:%M:%SZ");
  g_autofree char *id = provider_action_key (a);
  g_autofree char *stamp = g_strdup_printf ("%" G_GINT64_FORMAT, job->now);
  g_autofree char *mac = NULL;
  g_autofree char *signature = NULL;
  GString *signed_text;
  char *body;

  json_object_set_new (doc, "version", json_integer (1));
  json_object_set_new (doc, "id", json_string (id));
  json_object_set_new (doc, "action", json_string (a->action));
  json_object_set_new (doc, "scope",
                       json_string (a->scope == PROVIDER_SCOPE_ORIGIN_LIST ? "origin-list" : "all-lists"));
  webhook_set (doc, "address", a->address);
  webhook_set (doc, "reason", a->reason);
  webhook_set (doc, "status", a->status);
  webhook_set (doc, "list", a->list_id);
  webhook_set (doc, "campaign", a->campaign_id);
  webhook_set (doc, "subscriber", a->subscriber_id);
  json_object_set_new (doc, "decided_at", json_string (when));
  json_object_set_new (doc, "attempt", json_integer (a->attempt));
  body = json_dumps (doc, JSON_COMPACT | JSON_ENSURE_ASCII);
  json_decref (doc);

  signed_text = g_string_new (stamp);
  g_string_append_c (signed_text, '.');
  g_string_append (signed_text, body);
  mac =
      g_compute_hmac_for_string (G_CHECKSUM_SHA256, (const guchar *) job->settings->secret,
                                 strlen (job->settings->secret), signed_text->str, (gssize) signed_text->len);
  g_string_free (signed_text, TRUE);
  signature = g_strdup_printf ("v1=%s", mac);

  provider_request_new (job, "POST", g_strdup (job->settings->url));
  job->request.body = g_string_new (body);
  free (body);
  provider_header (job, "Content-Type", "application/json");
  provider_header (job, "X-Recoil-Id", id);
  provider_header (job, "X-Recoil-Timestamp", stamp);
  provider_header (job, "X-Recoil-Signature", signature);
  return PROVIDER_NEXT;
}

static provider_verdict
webhook_answer (struct provider_job *job, const struct provider_answer *answer)
{
  provider_verdict v;

  /* 409: the receiver has this id already */
  if (answer->http == 409) {
    provider_note (job, "the receiver had it already (409)");
    return PROVIDER_DONE;
  }
  if ((v = provider_http_trouble (job, answer, "webhook")) == PROVIDER_DONE)
    provider_note (job, "delivered (HTTP %ld)", answer->http);
  return v;
}

const struct provider_ops provider_webhook_ops = { "webhook", webhook_start, webhook_answer };
