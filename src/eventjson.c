/* SPDX-License-Identifier: MIT */
/* eventjson - JSON for events and parse results. */
#include "config.h"

#include "eventjson.h"

json_t *
eventjson_string (const char *value)
{
  if (value == NULL)
    return json_null ();
  if (!g_utf8_validate (value, -1, NULL)) {
    g_autofree char *valid = g_utf8_make_valid (value, -1);

    return json_string (valid);
  }
  return json_string (value);
}

/* eventjson_set - KEY to VALUE, or null. */
static void
eventjson_set (json_t *obj, const char *key, const char *value)
{
  json_object_set_new (obj, key, eventjson_string (value));
}

json_t *
eventjson_event (const struct event *e)
{
  json_t *obj = json_object ();
  json_t *hints = json_object ();

  eventjson_set (obj, "recipient", e->address);
  if (e->original_recipient != NULL)
    eventjson_set (obj, "original_recipient", e->original_recipient);
  json_object_set_new (obj, "kind", json_string (event_kind_name (e->kind)));
  json_object_set_new (obj, "class", json_string (event_class_name (e->klass)));
  json_object_set_new (obj, "hard", json_boolean (e->klass == EVENT_CLASS_HARD));
  eventjson_set (obj, "status", e->status);
  if (e->reply_code != 0)
    json_object_set_new (obj, "replycode", json_integer (e->reply_code));
  else
    json_object_set_new (obj, "replycode", json_null ());
  eventjson_set (obj, "reason", e->reason);
  eventjson_set (obj, "category", e->category);
  eventjson_set (obj, "diagnostic", e->diagnostic);
  eventjson_set (obj, "remote_mta", e->remote_mta);
  eventjson_set (obj, "feedback_type", e->feedback_type);
  eventjson_set (obj, "source", e->source);
  eventjson_set (hints, "list", e->hints.list_id);
  eventjson_set (hints, "campaign", e->hints.campaign_id);
  eventjson_set (hints, "subscriber", e->hints.subscriber_id);
  eventjson_set (hints, "job", e->hints.job_id);
  eventjson_set (hints, "message_id", e->hints.message_id);
  json_object_set_new (obj, "hints", hints);
  return obj;
}

json_t *
eventjson_result (const struct parse_result *result, const char *file)
{
  json_t *obj = json_object ();
  json_t *rcpts = json_array ();
  json_t *anomalies = json_array ();
  g_autofree const char **names = anomaly_names (result->anomalies);

  eventjson_set (obj, "file", file);
  json_object_set_new (obj, "kind", json_string (event_kind_name (result->kind)));
  eventjson_set (obj, "source", result->source);
  eventjson_set (obj, "from", result->from);
  eventjson_set (obj, "subject", result->subject);
  for (const char **n = names; *n != NULL; n++)
    json_array_append_new (anomalies, json_string (*n));
  json_object_set_new (obj, "anomalies", anomalies);
  for (guint i = 0; i < result->events->len; i++)
    json_array_append_new (rcpts, eventjson_event (g_ptr_array_index (result->events, i)));
  json_object_set_new (obj, "recipients", rcpts);
  return obj;
}
