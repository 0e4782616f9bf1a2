/* SPDX-License-Identifier: MIT */
/* test-event - event names and the normalised address form. */
#include "config.h"

#include "mime/event.h"

static void
test_event_names (void)
{
  for (int k = 0; k < EVENT_KIND_COUNT; k++) {
    event_kind back;

    g_assert_true (event_kind_parse (event_kind_name ((event_kind) k), &back));
    g_assert_cmpint (back, ==, k);
  }
  for (int c = 0; c < EVENT_CLASS_COUNT; c++) {
    event_class back;

    g_assert_true (event_class_parse (event_class_name ((event_class) c), &back));
    g_assert_cmpint (back, ==, c);
  }
  g_assert_cmpstr (event_kind_name (EVENT_KIND_COMPLAINT), ==, "complaint");
  g_assert_cmpstr (event_class_name (EVENT_CLASS_IGNORE), ==, "ignore");
  g_assert_cmpstr (event_kind_name ((event_kind) 99), ==, "unknown");
  g_assert_cmpstr (event_class_name ((event_class) -1), ==, "none");
  {
    event_kind k;
    event_class c;

    g_assert_true (event_kind_parse ("BOUNCE", &k));
    g_assert_cmpint (k, ==, EVENT_KIND_BOUNCE);
    g_assert_false (event_kind_parse ("bounced", &k));
    g_assert_false (event_class_parse (NULL, &c));
  }
}

struct norm_case {
  const char *in;
  const char *out; /* NULL: refused */
};

static const struct norm_case norm_cases[] = {
  { "User@Example.COM", "User@example.com" },
  { "  <Joe.User+tag@Rcpt.Example.Test>  ", "Joe.User+tag@rcpt.example.test" },
  { "\"a@b\"@Example.org", "\"a@b\"@example.org" },
  { "j\xc3\xb6rg@B\xc3\x9c"
    "CHER.example",
    "j\xc3\xb6rg@b\xc3\xbc"
    "cher.example" },
  /* decomposed u + combining diaeresis composes to the same domain */
  { "x@bu\xcc\x88"
    "cher.example",
    "x@b\xc3\xbc"
    "cher.example" },
  { "no-at-sign", NULL },
  { "@example.com", NULL },
  { "user@", NULL },
  { "us\ner@example.com", NULL },
  { "user@exa\x01mple.com", NULL },
  { "user@\xff.example", NULL },
  { "", NULL },
  /* RFC 5321 4.5.3.1: a domain's final dot is the root; lengths */
  { "user@Example.COM.", "user@example.com" },
  { "a1234567890123456789012345678901234567890123456789012345678901234@example.com", NULL },
  { "a123456789012345678901234567890123456789012345678901234567890123@example.com",
    "a123456789012345678901234567890123456789012345678901234567890123@example.com" },
  { "user@a123456789012345678901234567890123456789012345678901234567890123.example", NULL },
  /* what a parser may have taken for an address */
  { "victim@example.com (expanded from: x@y.example)", NULL },
  { "two words@example.com", NULL },
  { "a@b@example.com", NULL },
  { "user@localhost", NULL },
  { "user@.example.com", NULL },
  { "user@example..com", NULL },
  { "user@exam ple.com", NULL },
  { "user(comment)@example.com", NULL },
  { "<a@example.com>, <b@example.com>", NULL },
  { "\"unclosed@example.com", NULL },
  /* what real mailboxes look like */
  { "first.last.@docomo.ne.jp", "first.last.@docomo.ne.jp" },
  { "o'brien+list@example.ie", "o'brien+list@example.ie" },
  { "\"john doe\"@example.com", "\"john doe\"@example.com" },
  { "user@[192.0.2.1]", "user@[192.0.2.1]" },
  { "user@[IPv6:2001:db8::1]", "user@[ipv6:2001:db8::1]" },
  { "user@[not a literal]", NULL },
  { "user@under_score.example", "user@under_score.example" },
};

static void
test_event_normalize (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (norm_cases); i++) {
    g_autofree char *out = event_normalize_address (norm_cases[i].in);

    g_assert_cmpstr (out, ==, norm_cases[i].out);
  }
  g_assert_null (event_normalize_address (NULL));
}

struct field_case {
  const char *in;
  const char *out;
};

/* report field values: the address, never what a comment names */
static const struct field_case field_cases[] = {
  { "rfc822; victim@example.com", "victim@example.com" },
  { "rfc822; victim@example.com (expanded from: <alias@example.org>)", "victim@example.com" },
  { "rfc822;victim@example.com\n (expanded from:\n <alias@example.org>)", "victim@example.com" },
  { "rfc822; <victim@example.com> (from <alias@example.org>)", "victim@example.com" },
  { "(victim@example.com)", "victim@example.com" },
  { "rfc822; (nobody) (at all)", NULL },
  { "rfc822; victim@example.com (a (nested) comment)", "victim@example.com" },
  { "rfc822; x@y", NULL },
};

static void
test_event_field_address (void)
{
  for (gsize i = 0; i < G_N_ELEMENTS (field_cases); i++) {
    g_autofree char *out = event_field_address (field_cases[i].in);

    g_assert_cmpstr (out, ==, field_cases[i].out);
  }
}

static void
test_event_alloc (void)
{
  g_autoptr (event_t) e = event_new ();

  g_assert_cmpint (e->kind, ==, EVENT_KIND_UNKNOWN);
  g_assert_cmpint (e->klass, ==, EVENT_CLASS_NONE);
  e->address = g_strdup ("a@example.com");
  e->hints.list_id = g_strdup ("ab123");
  e->source = g_strdup ("dsn");
  event_free (NULL);
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/event/names", test_event_names);
  g_test_add_func ("/event/normalize", test_event_normalize);
  g_test_add_func ("/event/field-address", test_event_field_address);
  g_test_add_func ("/event/alloc", test_event_alloc);
  return g_test_run ();
}
