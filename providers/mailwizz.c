/* SPDX-License-Identifier: MIT */
/* mailwizz - MailWizz API 1.x (signed requests) and 2.x (X-Api-Key)
 *
 * Actions (protocols.md 4.4):
 *   unsubscribe, all lists:  GET lists/subscribers/search-by-email-in-all-lists,
 *                            then PUT .../unsubscribe for every membership that
 *                            is neither unsubscribed nor blacklisted (a
 *                            blacklisted subscriber stays blacklisted);
 *   unsubscribe, origin list: PUT lists/L/subscribers/S/unsubscribe, looking
 *                            S up in L by email first when it is not known;
 *   record:                  POST campaigns/C/bounces (hard, soft, or internal
 *                            for a complaint) when the campaign is known;
 *   blocklist:               a hard campaign bounce, which is how MailWizz
 *                            blacklists an address.
 * A subscriber that is not known is found by email, in the campaign's list
 * (GET campaigns/C names it) when no list is known.
 *
 * API 1.x signs every request (protocols.md 4.2): HMAC-SHA1 with the
 * private key over "METHOD URL?query" where the query is PHP's
 * http_build_query of the three X-MW values and the body parameters,
 * sorted by key.
 */
#include "config.h"

#include <jansson.h>
#include <stdlib.h>
#include <string.h>

#include "provider.h"

enum mw_step { MW_SEARCH_ALL = 1, MW_SEARCH_LIST, MW_CAMPAIGN, MW_UNSUBSCRIBE, MW_BOUNCE };

struct mw_param {
  const char *key, *value;
};

/* mw_param_cmp - PHP ksort(SORT_STRING): byte order of the keys. */
static int
mw_param_cmp (gconstpointer a, gconstpointer b)
{
  return strcmp (((const struct mw_param *) a)->key, ((const struct mw_param *) b)->key);
}

/* mw_query - http_build_query of the N params, sorted by key. */
static void
mw_query (GString *out, struct mw_param *params, gsize n)
{
  qsort (params, n, sizeof *params, mw_param_cmp);
  for (gsize i = 0; i < n; i++) {
    if (i > 0)
      g_string_append_c (out, '&');
    provider_urlencode (out, params[i].key);
    g_string_append_c (out, '=');
    provider_urlencode (out, params[i].value);
  }
}

/* mw_request - METHOD on PATH with GET query parameters and body (form)
 * parameters, authenticated as the settings say. */
static void
mw_request (struct provider_job *job, const char *method, const char *path, const struct mw_param *get,
            gsize nget, const struct mw_param *form, gsize nform)
{
  const struct provider_settings *s = job->settings;
  GString *url = g_string_new (NULL);
  g_autofree char *base = provider_url (s->url, path);
  g_autofree struct mw_param *sorted_get = g_new0 (struct mw_param, nget + 1);
  g_autofree struct mw_param *signed_params = g_new0 (struct mw_param, nform + 3);
  g_autofree char *stamp = g_strdup_printf ("%" G_GINT64_FORMAT, job->now);
  const char *remote = s->remote_addr != NULL && *s->remote_addr ? s->remote_addr : "127.0.0.1";

  g_string_append (url, base);
  if (nget > 0) {
    memcpy (sorted_get, get, nget * sizeof *get);
    g_string_append_c (url, '?');
    mw_query (url, sorted_get, nget);
  }
  provider_request_new (job, method, g_strdup (url->str));
  if (nform > 0 || strcmp (method, "GET") != 0) {
    job->request.body = g_string_new (NULL);
    if (nform > 0) {
      g_autofree struct mw_param *sorted_form = g_memdup2 (form, nform * sizeof *form);

      mw_query (job->request.body, sorted_form, nform);
    }
    provider_header (job, "Content-Type", "application/x-www-form-urlencoded");
  }
  if (strcmp (method, "PUT") == 0 || strcmp (method, "DELETE") == 0)
    provider_header (job, "X-HTTP-Method-Override", method);
  if (s->api_version == 2) {
    provider_header (job, "X-Api-Key", s->api_key);
  } else {
    g_autoptr (GString) text = g_string_new (method);
    g_autofree char *signature = NULL;

    signed_params[0] = (struct mw_param){ "X-MW-PUBLIC-KEY", s->public_key };
    signed_params[1] = (struct mw_param){ "X-MW-TIMESTAMP", stamp };
    signed_params[2] = (struct mw_param){ "X-MW-REMOTE-ADDR", remote };
    if (nform > 0)
      memcpy (signed_params + 3, form, nform * sizeof *form);
    g_string_append_printf (text, " %s%c", url->str, nget > 0 && strchr (url->str, '?') ? '&' : '?');
    mw_query (text, signed_params, nform + 3);
    signature = g_compute_hmac_for_string (G_CHECKSUM_SHA1, (const guchar *) s->private_key,
                                           strlen (s->private_key), text->str, (gssize) text->len);
    provider_header (job, "X-MW-PUBLIC-KEY", s->public_key);
    provider_header (job, "X-MW-TIMESTAMP", stamp);
    provider_header (job, "X-MW-REMOTE-ADDR", remote);
    provider_header (job, "X-MW-SIGNATURE", signature);
  }
  provider_header (job, "Accept", "application/json");
  g_string_free (url, TRUE);
}

/* mw_path - the path PREFIX/A/MIDDLE[/B/SUFFIX] with A and B escaped as
 * path segments; B may be NULL (then SUFFIX is not used). */
static char *
mw_path (const char *prefix, const char *a, const char *middle, const char *b, const char *suffix)
{
  g_autofree char *ea = provider_path_segment (a);
  g_autofree char *eb = b != NULL ? provider_path_segment (b) : NULL;

  if (eb == NULL)
    return g_strconcat (prefix, "/", ea, middle, NULL);
  return g_strconcat (prefix, "/", ea, middle, "/", eb, suffix, NULL);
}

static provider_verdict
mw_search_all (struct provider_job *job)
{
  struct mw_param get[] = { { "EMAIL", job->action->address } };

  job->step = MW_SEARCH_ALL;
  mw_request (job, "GET", "lists/subscribers/search-by-email-in-all-lists", get, 1, NULL, 0);
  return PROVIDER_NEXT;
}

static provider_verdict
mw_search_list (struct provider_job *job, const char *list)
{
  struct mw_param get[] = { { "EMAIL", job->action->address } };
  g_autofree char *path = mw_path ("lists", list, "/subscribers/search-by-email", NULL, NULL);

  job->step = MW_SEARCH_LIST;
  g_free (job->found);
  job->found = g_strdup (list);
  mw_request (job, "GET", path, get, 1, NULL, 0);
  return PROVIDER_NEXT;
}

/* mw_next_unsubscribe - PUT the next "LIST\tSUBSCRIBER" of the todo list. */
static provider_verdict
mw_next_unsubscribe (struct provider_job *job)
{
  g_autofree char *item = provider_todo_pop (job);
  g_autofree char *path = NULL;
  char *tab;

  if (item == NULL) {
    if (job->note == NULL)
      provider_note (job, "unsubscribed");
    return PROVIDER_DONE;
  }
  tab = strchr (item, '\t');
  *tab = '\0';
  path = mw_path ("lists", item, "/subscribers", tab + 1, "/unsubscribe");
  job->step = MW_UNSUBSCRIBE;
  mw_request (job, "PUT", path, NULL, 0, NULL, 0);
  return PROVIDER_NEXT;
}

/* mw_bounce_type - what the campaign bounce is called. */
static const char *
mw_bounce_type (const struct provider_action *a)
{
  if (strcmp (a->action, "blocklist") == 0 || g_strcmp0 (a->reason, "hard") == 0)
    return "hard";
  if (g_strcmp0 (a->reason, "soft") == 0)
    return "soft";
  return "internal";
}

static provider_verdict
mw_bounce (struct provider_job *job, const char *subscriber)
{
  const struct provider_action *a = job->action;
  g_autofree char *path = mw_path ("campaigns", a->campaign_id, "/bounces", NULL, NULL);
  g_autofree char *message =
      g_strdup_printf ("%s%s%s (recoil)", a->status ? a->status : "", a->status ? " " : "",
                       g_strcmp0 (a->reason, "complaint") == 0 ? "complaint (feedback loop)"
                       : a->reason                             ? a->reason
                                                               : "bounce");
  struct mw_param form[] = { { "bounce_type", mw_bounce_type (a) },
                             { "message", message },
                             { "subscriber_uid", subscriber } };

  if (strlen (message) > 250)
    message[250] = '\0';
  job->step = MW_BOUNCE;
  mw_request (job, "POST", path, NULL, 0, form, G_N_ELEMENTS (form));
  return PROVIDER_NEXT;
}

/* mw_find_subscriber - the way to a subscriber uid for a campaign bounce. */
static provider_verdict
mw_find_subscriber (struct provider_job *job)
{
  const struct provider_action *a = job->action;

  if (a->subscriber_id != NULL && *a->subscriber_id)
    return mw_bounce (job, a->subscriber_id);
  if (a->list_id != NULL && *a->list_id)
    return mw_search_list (job, a->list_id);
  {
    g_autofree char *path = mw_path ("campaigns", a->campaign_id, "", NULL, NULL);

    job->step = MW_CAMPAIGN;
    mw_request (job, "GET", path, NULL, 0, NULL, 0);
    return PROVIDER_NEXT;
  }
}

static provider_verdict
mw_start (struct provider_job *job)
{
  const struct provider_action *a = job->action;
  gboolean campaign = a->campaign_id != NULL && *a->campaign_id;

  if (a->address == NULL) {
    /* a request that named list and subscriber only: that membership */
    if (a->list_id == NULL || a->subscriber_id == NULL || strcmp (a->action, "unsubscribe") != 0) {
      provider_note (job, "no address, and no list and subscriber to %s by", a->action);
      return PROVIDER_PARK;
    }
    provider_todo_push (job, g_strdup_printf ("%s\t%s", a->list_id, a->subscriber_id));
    return mw_next_unsubscribe (job);
  }

  if (strcmp (a->action, "record") == 0 || strcmp (a->action, "blocklist") == 0) {
    if (!campaign) {
      if (strcmp (a->action, "record") == 0) {
        provider_note (job, "no campaign known: MailWizz records bounces per campaign; nothing to record");
        return PROVIDER_DONE;
      }
      provider_note (job, "no campaign known: MailWizz blacklists an address through a hard campaign bounce");
      return PROVIDER_PARK;
    }
    return mw_find_subscriber (job);
  }
  if (strcmp (a->action, "unsubscribe") != 0) {
    provider_note (job, "mailwizz cannot carry out '%s'", a->action);
    return PROVIDER_PARK;
  }
  if (a->scope == PROVIDER_SCOPE_ALL_LISTS)
    return mw_search_all (job);
  if (a->list_id == NULL || *a->list_id == '\0') {
    provider_note (job, "scope origin-list, but no list is known for this address");
    return PROVIDER_PARK;
  }
  if (a->subscriber_id != NULL && *a->subscriber_id) {
    provider_todo_push (job, g_strdup_printf ("%s\t%s", a->list_id, a->subscriber_id));
    return mw_next_unsubscribe (job);
  }
  return mw_search_list (job, a->list_id);
}

/* mw_parse - the JSON object of ANSWER, or NULL (with a note). */
static json_t *
mw_parse (struct provider_job *job, const struct provider_answer *answer, const char *what)
{
  json_error_t err;
  json_t *root = json_loadb (answer->body ? answer->body : "", answer->len, 0, &err);

  if (root == NULL || !json_is_object (root)) {
    g_autofree char *excerpt = provider_body_excerpt (answer);

    provider_note (job, "%s: HTTP %ld but the answer is not a JSON object: %s", what, answer->http, excerpt);
    json_decref (root);
    return NULL;
  }
  return root;
}

/* mw_error_text - the "error" of an error answer (a string, or an object
 * of field messages); "" when absent.  Caller frees. */
static char *
mw_error_text (const struct provider_answer *answer)
{
  json_t *root = json_loadb (answer->body ? answer->body : "", answer->len, 0, NULL);
  json_t *error = root ? json_object_get (root, "error") : NULL;
  char *text;

  if (json_is_string (error))
    text = g_strdup (json_string_value (error));
  else if (error != NULL) {
    char *dumped = json_dumps (error, JSON_COMPACT);

    text = g_strdup (dumped != NULL ? dumped : "");
    free (dumped);
  } else
    text = g_strdup ("");
  json_decref (root);
  return text;
}

/* mw_success - the parsed answer when it says "status":"success", else
 * NULL and a verdict in *V. */
static json_t *
mw_success (struct provider_job *job, const struct provider_answer *answer, const char *what,
            provider_verdict *v)
{
  json_t *root;

  if ((*v = provider_http_trouble (job, answer, what)) != PROVIDER_DONE)
    return NULL;
  if ((root = mw_parse (job, answer, what)) == NULL) {
    *v = PROVIDER_RETRY;
    return NULL;
  }
  if (g_strcmp0 (json_string_value (json_object_get (root, "status")), "success") != 0) {
    g_autofree char *err = mw_error_text (answer);

    provider_note (job, "%s: status is not success: %s", what, err);
    json_decref (root);
    *v = PROVIDER_PARK;
    return NULL;
  }
  return root;
}

/* mw_stopped - a subscriber status that needs no unsubscribe. */
static gboolean
mw_stopped (const char *status)
{
  return g_strcmp0 (status, "unsubscribed") == 0 || g_strcmp0 (status, "blacklisted") == 0;
}

static provider_verdict
mw_answer (struct provider_job *job, const struct provider_answer *answer)
{
  const struct provider_action *a = job->action;
  provider_verdict v;
  json_t *root, *data;

  switch (job->step) {
  case MW_SEARCH_ALL: {
    json_t *records;
    size_t i;
    json_t *rec;
    guint skipped = 0;

    if (answer->http == 404) {
      provider_note (job, "not a subscriber of any list");
      return PROVIDER_DONE;
    }
    if ((root = mw_success (job, answer, "search-by-email-in-all-lists", &v)) == NULL)
      return v;
    data = json_object_get (root, "data");
    records = json_object_get (data, "records");
    json_array_foreach (records, i, rec)
    {
      const char *sub = json_string_value (json_object_get (rec, "subscriber_uid"));
      const char *list = json_string_value (json_object_get (json_object_get (rec, "list"), "list_uid"));

      if (sub == NULL || list == NULL)
        continue;
      if (mw_stopped (json_string_value (json_object_get (rec, "status"))))
        skipped++;
      else
        provider_todo_push (job, g_strdup_printf ("%s\t%s", list, sub));
    }
    json_decref (root);
    if (job->todo->len == 0) {
      if (skipped > 0)
        provider_note (job, "already unsubscribed or blacklisted in every list (%u)", skipped);
      else
        provider_note (job, "not a subscriber of any list");
      return PROVIDER_DONE;
    }
    provider_note (job, "unsubscribed from %u lists (%u already)", job->todo->len, skipped);
    return mw_next_unsubscribe (job);
  }
  case MW_SEARCH_LIST: {
    const char *sub, *status;

    if (answer->http == 404) {
      provider_note (job, "not a subscriber of list %s", job->found);
      return PROVIDER_DONE;
    }
    if ((root = mw_success (job, answer, "search-by-email", &v)) == NULL)
      return v;
    data = json_object_get (root, "data");
    sub = json_string_value (json_object_get (data, "subscriber_uid"));
    status = json_string_value (json_object_get (data, "status"));
    if (sub == NULL) {
      provider_note (job, "search-by-email: the answer names no subscriber_uid");
      json_decref (root);
      return PROVIDER_RETRY;
    }
    if (strcmp (a->action, "unsubscribe") == 0) {
      if (mw_stopped (status)) {
        provider_note (job, "already %s in list %s", status, job->found);
        json_decref (root);
        return PROVIDER_DONE;
      }
      provider_todo_push (job, g_strdup_printf ("%s\t%s", job->found, sub));
      json_decref (root);
      return mw_next_unsubscribe (job);
    }
    v = mw_bounce (job, sub);
    json_decref (root);
    return v;
  }
  case MW_CAMPAIGN: {
    const char *list;

    if (answer->http == 404) {
      provider_note (job, "campaign %s does not exist", a->campaign_id);
      return PROVIDER_PARK;
    }
    if ((root = mw_success (job, answer, "campaign", &v)) == NULL)
      return v;
    list = json_string_value (json_object_get (
        json_object_get (json_object_get (json_object_get (root, "data"), "record"), "list"), "list_uid"));
    if (list == NULL) {
      provider_note (job, "campaign %s: the answer names no list", a->campaign_id);
      json_decref (root);
      return PROVIDER_PARK;
    }
    v = mw_search_list (job, list);
    json_decref (root);
    return v;
  }
  case MW_UNSUBSCRIBE:
    /* 404: the list or the subscriber is gone, nothing left to unsubscribe */
    if (answer->http != 404) {
      if ((root = mw_success (job, answer, "unsubscribe", &v)) == NULL)
        return v;
      json_decref (root);
    }
    return mw_next_unsubscribe (job);
  case MW_BOUNCE:
    if (answer->http == 422) {
      g_autofree char *err = mw_error_text (answer);

      if (strstr (err, "already") != NULL) {
        provider_note (job, "bounce already recorded for campaign %s", a->campaign_id);
        return PROVIDER_DONE;
      }
    }
    if ((root = mw_success (job, answer, "campaign bounce", &v)) == NULL)
      return v;
    json_decref (root);
    provider_note (job, "%s bounce recorded for campaign %s", mw_bounce_type (a), a->campaign_id);
    return PROVIDER_DONE;
  default: provider_note (job, "mailwizz: unexpected step %d", job->step); return PROVIDER_PARK;
  }
}

const struct provider_ops provider_mailwizz_ops = { "mailwizz", mw_start, mw_answer };
