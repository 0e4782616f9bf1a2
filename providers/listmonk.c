/* SPDX-License-Identifier: MIT */
/* listmonk - the bounce webhook and the subscriber API of listmonk
 *
 * Actions (protocols.md 6.1):
 *   record:      POST /webhooks/bounce {email, type hard|soft|complaint,
 *                campaign_uuid and subscriber_uuid when known}; listmonk
 *                applies its own bounce actions;
 *   blocklist:   find the subscriber (GET /api/subscribers?query=...), then
 *                PUT /api/subscribers/blocklist {"ids":[id]} (blocklisted,
 *                and unsubscribed from every list);
 *   unsubscribe: find the subscriber, then PUT /api/subscribers/lists
 *                {"action":"unsubscribe"} for its lists (all of them, or the
 *                origin list when that scope is configured).
 * Authentication is HTTP Basic (user:token) or "Authorization: token
 * user:token".  Answers are JSON: {"data": ...} or {"message": "..."}.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

enum lm_step { LM_BOUNCE = 1, LM_FIND, LM_BLOCKLIST, LM_UNSUBSCRIBE };

/* lm_request - METHOD on PATH with an optional JSON body (stolen). */
static void
lm_request (struct provider_job *job, const char *method, char *path, json_t *body)
{
  const struct provider_settings *s = job->settings;
  g_autofree char *pair = g_strdup_printf ("%s:%s", s->username, s->token);
  g_autofree char *auth = NULL;

  provider_request_new (job, method, provider_url (s->url, path));
  g_free (path);
  if (s->auth == PROVIDER_AUTH_TOKEN) {
    auth = g_strdup_printf ("token %s", pair);
  } else {
    g_autofree char *b64 = g_base64_encode ((const guchar *) pair, strlen (pair));

    auth = g_strdup_printf ("Basic %s", b64);
  }
  provider_header (job, "Authorization", auth);
  provider_header (job, "Accept", "application/json");
  if (body != NULL) {
    char *text = json_dumps (body, JSON_COMPACT);

    job->request.body = g_string_new (text);
    free (text);
    json_decref (body);
    provider_header (job, "Content-Type", "application/json");
  }
}

/* lm_uuid - whether S looks like a UUID (listmonk's campaign and subscriber ids). */
static gboolean
lm_uuid (const char *s)
{
  return s != NULL && g_uuid_string_is_valid (s);
}

static provider_verdict
lm_find (struct provider_job *job)
{
  GString *query = g_string_new ("subscribers.email='");
  GString *path = g_string_new ("api/subscribers?per_page=all&query=");

  /* an SQL string literal: quotes doubled */
  for (const char *p = job->action->address; *p; p++) {
    if (*p == '\'')
      g_string_append_c (query, '\'');
    g_string_append_c (query, *p);
  }
  g_string_append_c (query, '\'');
  provider_urlencode (path, query->str);
  g_string_free (query, TRUE);
  job->step = LM_FIND;
  lm_request (job, "GET", g_string_free (path, FALSE), NULL);
  return PROVIDER_NEXT;
}

static provider_verdict
lm_start (struct provider_job *job)
{
  const struct provider_action *a = job->action;

  if (a->address == NULL) {
    provider_note (job, "%s finds subscribers by address, and none is known (only list %s, subscriber %s)",
                   "listmonk", a->list_id ? a->list_id : "-", a->subscriber_id ? a->subscriber_id : "-");
    return PROVIDER_PARK;
  }
  if (strcmp (a->action, "record") == 0) {
    json_t *body = json_object ();
    const char *type = g_strcmp0 (a->reason, "complaint") == 0 ? "complaint"
                       : g_strcmp0 (a->reason, "hard") == 0    ? "hard"
                                                               : "soft";
    json_t *meta = json_object ();

    json_object_set_new (body, "email", json_string (a->address));
    if (lm_uuid (a->subscriber_id))
      json_object_set_new (body, "subscriber_uuid", json_string (a->subscriber_id));
    if (lm_uuid (a->campaign_id))
      json_object_set_new (body, "campaign_uuid", json_string (a->campaign_id));
    json_object_set_new (body, "source", json_string ("recoil"));
    json_object_set_new (body, "type", json_string (type));
    if (a->status != NULL)
      json_object_set_new (meta, "status", json_string (a->status));
    json_object_set_new (meta, "recoil_id", json_integer ((json_int_t) a->id));
    json_object_set_new (body, "meta", meta);
    job->step = LM_BOUNCE;
    lm_request (job, "POST", g_strdup ("webhooks/bounce"), body);
    return PROVIDER_NEXT;
  }
  if (strcmp (a->action, "unsubscribe") == 0 && a->scope == PROVIDER_SCOPE_ORIGIN_LIST) {
    gint64 id;

    if (a->list_id == NULL || !g_ascii_string_to_signed (a->list_id, 10, 1, G_MAXINT64, &id, NULL)) {
      provider_note (job, "scope origin-list, but no listmonk list id (a number) is known for this address");
      return PROVIDER_PARK;
    }
  }
  if (strcmp (a->action, "unsubscribe") != 0 && strcmp (a->action, "blocklist") != 0) {
    provider_note (job, "listmonk cannot carry out '%s'", a->action);
    return PROVIDER_PARK;
  }
  return lm_find (job);
}

/* lm_parse - the JSON object of a 2xx ANSWER, or NULL with a verdict in *V. */
static json_t *
lm_parse (struct provider_job *job, const struct provider_answer *answer, const char *what,
          provider_verdict *v)
{
  json_t *root;

  if ((*v = provider_http_trouble (job, answer, what)) != PROVIDER_DONE)
    return NULL;
  root = json_loadb (answer->body ? answer->body : "", answer->len, 0, NULL);
  if (root == NULL || !json_is_object (root) || json_object_get (root, "data") == NULL) {
    g_autofree char *excerpt = provider_body_excerpt (answer);

    provider_note (job, "%s: HTTP %ld but the answer has no \"data\": %s", what, answer->http, excerpt);
    json_decref (root);
    *v = PROVIDER_RETRY;
    return NULL;
  }
  return root;
}

static provider_verdict
lm_answer (struct provider_job *job, const struct provider_answer *answer)
{
  const struct provider_action *a = job->action;
  provider_verdict v;
  json_t *root;

  switch (job->step) {
  case LM_BOUNCE:
    if ((root = lm_parse (job, answer, "webhooks/bounce", &v)) == NULL)
      return v;
    json_decref (root);
    provider_note (job, "%s bounce recorded",
                   g_strcmp0 (a->reason, "complaint") == 0 ? "complaint" : a->reason);
    return PROVIDER_DONE;
  case LM_FIND: {
    json_t *results, *sub, *lists, *list, *ids, *targets;
    json_int_t id;
    size_t i;
    gint64 origin = 0;

    if ((root = lm_parse (job, answer, "subscriber search", &v)) == NULL)
      return v;
    results = json_object_get (json_object_get (root, "data"), "results");
    sub = json_array_get (results, 0);
    if (sub == NULL || !json_is_integer (json_object_get (sub, "id"))) {
      provider_note (job, "not a listmonk subscriber");
      json_decref (root);
      return PROVIDER_DONE;
    }
    id = json_integer_value (json_object_get (sub, "id"));
    ids = json_pack ("[I]", id);
    if (strcmp (a->action, "blocklist") == 0) {
      if (g_strcmp0 (json_string_value (json_object_get (sub, "status")), "blocklisted") == 0) {
        provider_note (job, "already blocklisted");
        json_decref (ids);
        json_decref (root);
        return PROVIDER_DONE;
      }
      job->step = LM_BLOCKLIST;
      lm_request (job, "PUT", g_strdup ("api/subscribers/blocklist"), json_pack ("{s:o}", "ids", ids));
      json_decref (root);
      return PROVIDER_NEXT;
    }
    if (a->scope == PROVIDER_SCOPE_ORIGIN_LIST)
      g_ascii_string_to_signed (a->list_id, 10, 1, G_MAXINT64, &origin, NULL);
    targets = json_array ();
    lists = json_object_get (sub, "lists");
    json_array_foreach (lists, i, list)
    {
      json_int_t lid = json_integer_value (json_object_get (list, "id"));

      if (g_strcmp0 (json_string_value (json_object_get (list, "subscription_status")), "unsubscribed") == 0)
        continue;
      if (origin == 0 || lid == origin)
        json_array_append_new (targets, json_integer (lid));
    }
    json_decref (root);
    if (json_array_size (targets) == 0) {
      provider_note (job, "already unsubscribed from %s", origin ? "the origin list" : "every list");
      json_decref (targets);
      json_decref (ids);
      return PROVIDER_DONE;
    }
    provider_note (job, "unsubscribed from %zu lists", json_array_size (targets));
    job->step = LM_UNSUBSCRIBE;
    lm_request (job, "PUT", g_strdup ("api/subscribers/lists"),
                json_pack ("{s:o,s:s,s:o}", "ids", ids, "action", "unsubscribe", "target_list_ids", targets));
    return PROVIDER_NEXT;
  }
  case LM_BLOCKLIST:
    if ((root = lm_parse (job, answer, "blocklist", &v)) == NULL)
      return v;
    json_decref (root);
    provider_note (job, "blocklisted");
    return PROVIDER_DONE;
  case LM_UNSUBSCRIBE:
    if ((root = lm_parse (job, answer, "unsubscribe", &v)) == NULL)
      return v;
    json_decref (root);
    return PROVIDER_DONE;
  default: provider_note (job, "listmonk: unexpected step %d", job->step); return PROVIDER_PARK;
  }
}

const struct provider_ops provider_listmonk_ops = { "listmonk", lm_start, lm_answer };
