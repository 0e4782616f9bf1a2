/* SPDX-License-Identifier: MIT */
/* interspire - Interspire Email Marketer's XML API (xml.php)
 *
 * Every call is one <xmlrequest> POSTed to the configured xml.php URL,
 * built with libxml2 so that values are escaped, never pasted
 * (protocols.md 5.1).  Answers are read with libxml2 with network access
 * and entity substitution off.
 *
 * Actions (protocols.md 5.2):
 *   unsubscribe, all lists: GetLists (every page: perpage=all; kept for
 *                           list_ttl), GetAllListsForEmailAddress over
 *                           them, then UnsubscribeSubscriber per list;
 *   unsubscribe, origin:    UnsubscribeSubscriber for the origin list;
 *   record:                 BounceSubscriber for the origin list, or for
 *                           every list the address is active on.
 * Interspire has no blocklist call, so `blocklist` is refused by
 * `recoil config check` for this type.
 */
#include "config.h"

#include <libxml/parser.h>
#include <libxml/tree.h>
#include <string.h>

#include "provider.h"

enum is_step { IS_LISTS = 1, IS_MEMBERSHIPS, IS_UNSUBSCRIBE, IS_BOUNCE };

/* is_request - one <xmlrequest> of TYPE/METHOD with the DETAILS given as
 * name, value pairs (a NULL value is left out), NULL-terminated. */
static void
is_request (struct provider_job *job, const char *type, const char *method, const char *const *details)
{
  const struct provider_settings *s = job->settings;
  xmlDocPtr doc = xmlNewDoc (BAD_CAST "1.0");
  xmlNodePtr root = xmlNewNode (NULL, BAD_CAST "xmlrequest");
  xmlNodePtr d;
  xmlChar *text = NULL;
  int len = 0, n = 0;

  xmlDocSetRootElement (doc, root);
  xmlNewTextChild (root, NULL, BAD_CAST "username", BAD_CAST s->username);
  xmlNewTextChild (root, NULL, BAD_CAST "usertoken", BAD_CAST s->token);
  xmlNewTextChild (root, NULL, BAD_CAST "requesttype", BAD_CAST type);
  xmlNewTextChild (root, NULL, BAD_CAST "requestmethod", BAD_CAST method);
  d = xmlNewChild (root, NULL, BAD_CAST "details", NULL);
  for (; details != NULL && details[0] != NULL; details += 2)
    if (details[1] != NULL) {
      xmlNewTextChild (d, NULL, BAD_CAST details[0], BAD_CAST details[1]);
      n++;
    }
  if (n == 0)
    xmlNodeSetContent (d, BAD_CAST " "); /* details must not be empty */
  xmlDocDumpMemoryEnc (doc, &text, &len, "UTF-8");
  provider_request_new (job, "POST", g_strdup (s->url));
  job->request.body = g_string_new_len ((const char *) text, len);
  provider_header (job, "Content-Type", "text/xml; charset=UTF-8");
  provider_header (job, "Accept", "text/xml");
  xmlFree (text);
  xmlFreeDoc (doc);
}

/* is_child - the first element child of NODE called NAME. */
static xmlNodePtr
is_child (xmlNodePtr node, const char *name)
{
  for (xmlNodePtr c = node ? node->children : NULL; c != NULL; c = c->next)
    if (c->type == XML_ELEMENT_NODE && strcmp ((const char *) c->name, name) == 0)
      return c;
  return NULL;
}

/* is_text - the trimmed text of NODE's child NAME; caller frees; NULL when absent. */
static char *
is_text (xmlNodePtr node, const char *name)
{
  xmlNodePtr c = is_child (node, name);
  xmlChar *t;
  char *out;

  if (c == NULL)
    return NULL;
  t = xmlNodeGetContent (c);
  out = g_strstrip (g_strdup (t ? (const char *) t : ""));
  xmlFree (t);
  return out;
}

/* is_read - the <response> of ANSWER.  *OK tells SUCCESS from FAILED;
 * *MESSAGE gets the errormessage.  NULL (and a verdict in *V) when the
 * answer is not one. */
static xmlDocPtr
is_read (struct provider_job *job, const struct provider_answer *answer, const char *what, gboolean *ok,
         char **message, provider_verdict *v)
{
  xmlDocPtr doc;
  xmlNodePtr root;
  g_autofree char *status = NULL;

  *message = NULL;
  if ((*v = provider_http_trouble (job, answer, what)) != PROVIDER_DONE)
    return NULL;
  doc = xmlReadMemory (answer->body ? answer->body : "", (int) MIN (answer->len, G_MAXINT), "answer.xml",
                       NULL, XML_PARSE_NONET | XML_PARSE_NOERROR | XML_PARSE_NOWARNING | XML_PARSE_NOBLANKS);
  root = doc ? xmlDocGetRootElement (doc) : NULL;
  if (root == NULL || strcmp ((const char *) root->name, "response") != 0
      || (status = is_text (root, "status")) == NULL) {
    g_autofree char *excerpt = provider_body_excerpt (answer);

    provider_note (job, "%s: HTTP %ld but the answer is not an xml.php <response>: %s", what, answer->http,
                   excerpt);
    xmlFreeDoc (doc);
    *v = PROVIDER_RETRY;
    return NULL;
  }
  *ok = g_ascii_strcasecmp (status, "SUCCESS") == 0;
  *message = is_text (root, "errormessage");
  if (*message == NULL)
    *message = g_strdup ("");
  if (!*ok
      && (strstr (*message, "Unable to check user details") != NULL || strstr (*message, "XML API") != NULL
          || strstr (*message, "invalid") != NULL)) {
    /* credentials refused, API disabled or a request it cannot read: not a
     * thing time will fix */
    provider_note (job, "%s: %s", what, *message);
    g_clear_pointer (message, g_free);
    xmlFreeDoc (doc);
    *v = PROVIDER_PARK;
    return NULL;
  }
  return doc;
}

static provider_verdict
is_get_lists (struct provider_job *job)
{
  static const char *const details[] = { "start", "0", "perpage", "all", NULL };

  job->step = IS_LISTS;
  is_request (job, "lists", "GetLists", details);
  return PROVIDER_NEXT;
}

static provider_verdict
is_memberships (struct provider_job *job)
{
  g_autofree char *ids = g_strjoinv (",", job->cache->lists);
  const char *details[] = { "email", job->action->address, "listids", ids, NULL };

  job->step = IS_MEMBERSHIPS;
  is_request (job, "subscribers", "GetAllListsForEmailAddress", details);
  return PROVIDER_NEXT;
}

/* is_next - the next "LIST\tSUBSCRIBER" of the todo list, unsubscribed or
 * bounced as the action says. */
static provider_verdict
is_next (struct provider_job *job)
{
  g_autofree char *item = provider_todo_pop (job);
  g_autofree char *when = g_strdup_printf ("%" G_GINT64_FORMAT, job->action->created);
  char *sub;

  if (item == NULL)
    return PROVIDER_DONE;
  sub = strchr (item, '\t');
  *sub++ = '\0';
  if (strcmp (job->action->action, "record") == 0) {
    const char *details[] = { "emailaddress",    job->action->address, "listid", item, "subscriberid",
                              *sub ? sub : NULL, "bouncetime",         when,     NULL };

    job->step = IS_BOUNCE;
    is_request (job, "subscribers", "BounceSubscriber", details);
  } else {
    const char *details[] = { "emailaddress", job->action->address, "listid", item,
                              "subscriberid", *sub ? sub : NULL,    NULL };

    job->step = IS_UNSUBSCRIBE;
    is_request (job, "subscribers", "UnsubscribeSubscriber", details);
  }
  g_free (job->found);
  job->found = g_strdup (item);
  return PROVIDER_NEXT;
}

static provider_verdict
is_start (struct provider_job *job)
{
  const struct provider_action *a = job->action;
  gboolean origin = a->list_id != NULL && *a->list_id;

  if (a->address == NULL) {
    provider_note (job, "%s finds subscribers by address, and none is known (only list %s, subscriber %s)",
                   "interspire", a->list_id ? a->list_id : "-", a->subscriber_id ? a->subscriber_id : "-");
    return PROVIDER_PARK;
  }
  if (strcmp (a->action, "unsubscribe") != 0 && strcmp (a->action, "record") != 0) {
    provider_note (job, "interspire cannot carry out '%s'", a->action);
    return PROVIDER_PARK;
  }
  if (strcmp (a->action, "unsubscribe") == 0 && a->scope == PROVIDER_SCOPE_ORIGIN_LIST && !origin) {
    provider_note (job, "scope origin-list, but no list is known for this address");
    return PROVIDER_PARK;
  }
  if (origin && (a->scope == PROVIDER_SCOPE_ORIGIN_LIST || strcmp (a->action, "record") == 0)) {
    provider_todo_push (job, g_strdup_printf ("%s\t", a->list_id));
    provider_note (job, "%s for list %s",
                   strcmp (a->action, "record") == 0 ? "bounce recorded" : "unsubscribed", a->list_id);
    return is_next (job);
  }
  if (job->cache->lists != NULL && job->now < job->cache->lists_until)
    return is_memberships (job);
  return is_get_lists (job);
}

static provider_verdict
is_answer (struct provider_job *job, const struct provider_answer *answer)
{
  g_autofree char *message = NULL;
  gboolean ok = FALSE;
  provider_verdict v;
  xmlDocPtr doc;
  xmlNodePtr data;

  switch (job->step) {
  case IS_LISTS: {
    GPtrArray *ids;

    if ((doc = is_read (job, answer, "GetLists", &ok, &message, &v)) == NULL)
      return v;
    if (!ok) {
      provider_note (job, "GetLists: %s", message);
      xmlFreeDoc (doc);
      return PROVIDER_RETRY;
    }
    ids = g_ptr_array_new ();
    data = is_child (xmlDocGetRootElement (doc), "data");
    for (xmlNodePtr item = data ? data->children : NULL; item != NULL; item = item->next) {
      char *id = item->type == XML_ELEMENT_NODE ? is_text (item, "listid") : NULL;

      if (id != NULL && *id)
        g_ptr_array_add (ids, id);
      else
        g_free (id);
    }
    g_ptr_array_add (ids, NULL);
    xmlFreeDoc (doc);
    g_strfreev (job->cache->lists);
    job->cache->lists = (char **) g_ptr_array_free (ids, FALSE);
    job->cache->lists_until = job->now + job->settings->list_ttl;
    if (job->cache->lists[0] == NULL) {
      provider_note (job, "the Interspire user has no lists");
      return PROVIDER_DONE;
    }
    return is_memberships (job);
  }
  case IS_MEMBERSHIPS: {
    if ((doc = is_read (job, answer, "GetAllListsForEmailAddress", &ok, &message, &v)) == NULL)
      return v;
    data = ok ? is_child (xmlDocGetRootElement (doc), "data") : NULL;
    for (xmlNodePtr item = data ? data->children : NULL; item != NULL; item = item->next) {
      g_autofree char *list = item->type == XML_ELEMENT_NODE ? is_text (item, "listid") : NULL;
      g_autofree char *sub = item->type == XML_ELEMENT_NODE ? is_text (item, "subscriberid") : NULL;

      if (list != NULL && *list)
        provider_todo_push (job, g_strdup_printf ("%s\t%s", list, sub ? sub : ""));
    }
    xmlFreeDoc (doc);
    if (job->todo->len == 0) {
      /* FAILED or no item: the address is active on none of the lists */
      provider_note (job, "not an active subscriber of any of %u lists", g_strv_length (job->cache->lists));
      return PROVIDER_DONE;
    }
    provider_note (job, "%s on %u lists",
                   strcmp (job->action->action, "record") == 0 ? "bounce recorded" : "unsubscribed",
                   job->todo->len);
    return is_next (job);
  }
  case IS_UNSUBSCRIBE:
  case IS_BOUNCE: {
    const char *what = job->step == IS_BOUNCE ? "BounceSubscriber" : "UnsubscribeSubscriber";

    if ((doc = is_read (job, answer, what, &ok, &message, &v)) == NULL)
      return v;
    xmlFreeDoc (doc);
    if (!ok && strstr (message, "not subscribed") == NULL && strstr (message, "already") == NULL
        && strstr (message, "does not exist") == NULL) {
      provider_note (job, "%s list %s: %s", what, job->found, message);
      return PROVIDER_PARK;
    }
    return is_next (job);
  }
  default: provider_note (job, "interspire: unexpected step %d", job->step); return PROVIDER_PARK;
  }
}

const struct provider_ops provider_interspire_ops = { "interspire", is_start, is_answer };
