/* SPDX-License-Identifier: MIT */
/* audit - one log line per applied fact (see audit.h). */
#include "config.h"

#include "audit.h"

/* audit_event - "bounce 5.1.1 userunknown, message <ID>" for E. */
static char *
audit_event (const struct event *e)
{
  GString *s = g_string_new (event_kind_name (e->kind));

  if (e->klass != EVENT_CLASS_NONE)
    g_string_append_printf (s, " (%s)", event_class_name (e->klass));
  if (e->status != NULL)
    g_string_append_printf (s, " %s", e->status);
  if (e->reason != NULL)
    g_string_append_printf (s, " %s", e->reason);
  if (e->feedback_type != NULL)
    g_string_append_printf (s, " feedback-type %s", e->feedback_type);
  if (e->hints.message_id != NULL)
    g_string_append_printf (s, ", message <%s>", e->hints.message_id);
  if (e->hints.list_id != NULL)
    g_string_append_printf (s, ", list %s", e->hints.list_id);
  if (e->hints.campaign_id != NULL)
    g_string_append_printf (s, ", campaign %s", e->hints.campaign_id);
  return g_string_free (s, FALSE);
}

void
audit_log (const struct store_item *item, const struct store_result *r)
{
  const struct event *e = item->event;
  const char *address = e->address != NULL ? e->address : "(nobody)";
  const char *origin = item->origin != NULL ? item->origin : "-";
  g_autofree char *what = audit_event (e);

  if (r->duplicate) {
    g_info ("seen before: %s about %s, from %s; nothing changed", what, address, origin);
  } else if (item->untrusted != NULL) {
    g_message ("not believed: %s about %s, from %s: %s; recorded, no action", what, address, origin,
               item->untrusted);
  } else if (r->decision.ignored) {
    g_message ("decision held back: %s would be %s (%s) but carries recoil's ignore flag; event: %s, from %s",
               address, r->decision.outcome == POLICY_UNSUBSCRIBE ? "unsubscribed" : "suppressed",
               r->decision.why != NULL ? r->decision.why : "-", what, origin);
  } else if (r->decision.outcome != POLICY_NONE && !r->decision.repeat) {
    g_message ("decision: %s %s (%s); %u provider actions queued%s%s%s; event: %s, from %s", address,
               r->decision.outcome == POLICY_UNSUBSCRIBE ? "unsubscribed" : "suppressed",
               r->decision.why != NULL ? r->decision.why : "-", r->actions, r->actions > 0 ? " (" : "",
               r->actions > 0 ? r->acted : "", r->actions > 0 ? ")" : "", what, origin);
  } else {
    g_info ("recorded: %s about %s, from %s%s", what, address, origin,
            r->decision.repeat ? "; already stopped, no new action" : "");
  }
}
