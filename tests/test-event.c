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
  g_test_add_func ("/event/alloc", test_event_alloc);
  return g_test_run ();
}
