/* SPDX-License-Identifier: MIT */
/* policy - thresholds, windows, flags and routing. */
#include "config.h"

#include <string.h>

#include "policy.h"
#include "providers/provider.h"

#define DAY 86400

void
policy_rules_from_conf (const struct conf *conf, struct policy_rules *rules)
{
  rules->hard_threshold = conf->hard_threshold;
  rules->soft_threshold = conf->soft_threshold;
  rules->soft_window = conf->soft_window;
  rules->complaint_threshold = conf->complaint_threshold;
  rules->unsubscribe_threshold = conf->unsubscribe_threshold;
}

/* policy_note_bounce - the bounce facts of E into R. */
static void
policy_note_bounce (struct record *r, const struct event *e, gint64 now)
{
  if (r->first_bounce == 0)
    r->first_bounce = now;
  r->last_bounce = now;
  memmove (&r->recent[1], &r->recent[0], 2 * sizeof r->recent[0]);
  r->recent[0] = now;
  g_free (r->last_status);
  r->last_status = g_strdup (e->status);
  g_free (r->last_reason);
  r->last_reason = g_strdup (e->reason);
  g_free (r->last_category);
  r->last_category = g_strdup (e->category);
}

struct policy_decision
policy_apply (const struct policy_rules *rules, struct record *r, const struct event *e, gint64 now)
{
  struct policy_decision d = { POLICY_NONE, NULL, FALSE, FALSE, FALSE };
  gint64 day = now / DAY;

  switch (e->kind) {
  case EVENT_KIND_BOUNCE:
    policy_note_bounce (r, e, now);
    if (e->klass == EVENT_CLASS_IGNORE) {
      r->ignored++;
      break;
    }
    if (e->klass == EVENT_CLASS_HARD) {
      r->hard++;
      d.counted = TRUE;
      if (r->hard >= rules->hard_threshold) {
        d.outcome = POLICY_SUPPRESS;
        d.why = "hard";
      }
      break;
    }
    /* soft: forgotten after a quiet window, counted once a day */
    if (r->last_soft_day >= 0 && (day - r->last_soft_day) * DAY > rules->soft_window)
      r->soft = 0;
    if (r->last_soft_day != day) {
      r->soft++;
      r->last_soft_day = day;
      d.counted = TRUE;
    }
    if (r->soft >= rules->soft_threshold) {
      d.outcome = POLICY_SUPPRESS;
      d.why = "soft";
    }
    break;
  case EVENT_KIND_COMPLAINT:
    if (e->klass == EVENT_CLASS_IGNORE)
      break;
    r->complaints++;
    d.counted = TRUE;
    if (r->complaints >= rules->complaint_threshold) {
      d.outcome = POLICY_SUPPRESS;
      d.why = "complaint";
    }
    break;
  case EVENT_KIND_UNSUBSCRIBE:
    r->unsubscribes++;
    d.counted = TRUE;
    if (r->unsubscribes >= rules->unsubscribe_threshold) {
      d.outcome = POLICY_UNSUBSCRIBE;
      d.why = "unsubscribe";
    }
    break;
  default: break;
  }
  if (d.outcome == POLICY_NONE)
    return d;
  if (r->ignore) {
    d.ignored = TRUE;
    d.outcome = POLICY_NONE;
    return d;
  }
  if (r->state != RECORD_ACTIVE && (r->state == RECORD_UNSUBSCRIBED || d.outcome == POLICY_SUPPRESS)) {
    d.repeat = TRUE;
    return d;
  }
  r->state = d.outcome == POLICY_UNSUBSCRIBE ? RECORD_UNSUBSCRIBED : RECORD_SUPPRESSED;
  r->changed = now;
  g_free (r->state_reason);
  r->state_reason = g_strdup (d.why);
  return d;
}

/* policy_sender_matches - whether SENDER matches one of PATTERNS (shell
 * wildcards, case-insensitive); no patterns match everything. */
static gboolean
policy_sender_matches (char **patterns, const char *sender)
{
  g_autofree char *lower = NULL;

  if (patterns == NULL || patterns[0] == NULL)
    return TRUE;
  if (sender == NULL)
    return FALSE;
  lower = g_ascii_strdown (sender, -1);
  for (char **p = patterns; *p != NULL; p++) {
    g_autofree char *pl = g_ascii_strdown (*p, -1);

    if (g_pattern_match_simple (pl, lower))
      return TRUE;
  }
  return FALSE;
}

/* The order a provider is given its actions in. */
static const char *const policy_action_order[] = { "record", "blocklist", "unsubscribe", NULL };

void
policy_route (const struct conf *conf, const struct event *e, const char *sender, const struct record *r,
              const struct policy_decision *decision, GPtrArray *out)
{
  if (decision->outcome == POLICY_NONE || decision->repeat)
    return;
  for (guint i = 0; i < conf->providers->len; i++) {
    const struct provider_settings *p = g_ptr_array_index (conf->providers, i);
    gboolean named = e->hints.provider != NULL && g_ascii_strcasecmp (e->hints.provider, p->name) == 0;

    if (e->hints.provider != NULL && !named)
      continue;
    if (!named && !policy_sender_matches (p->senders, sender))
      continue;
    /* the bounce is recorded before the address is blocked or unsubscribed,
     * so that tools which blacklist on a hard bounce show it as such */
    for (const char *const *a = policy_action_order; *a != NULL; a++) {
      struct policy_action *act;
      g_autofree char *who = g_strdup_printf ("%s:%s", p->name, *a);
      gboolean already = FALSE;

      if (p->actions == NULL || !g_strv_contains ((const char *const *) p->actions, *a))
        continue;
      /* unsubscribe requests are not bounces or complaints to record */
      if (strcmp (*a, "record") == 0 && e->kind != EVENT_KIND_BOUNCE && e->kind != EVENT_KIND_COMPLAINT)
        continue;
      for (guint k = 0; r != NULL && k < r->acted->len; k++)
        if (strcmp (g_ptr_array_index (r->acted, k), who) == 0)
          already = TRUE;
      if (already)
        continue;
      act = g_new0 (struct policy_action, 1);
      act->provider = p->name;
      act->action = *a;
      act->scope = p->scope;
      g_ptr_array_add (out, act);
    }
  }
}
