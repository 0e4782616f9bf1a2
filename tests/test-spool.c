/* SPDX-License-Identifier: MIT */
/* test-spool - the accounting spool: records read back as written, in
 * order, across a reopen; bytes that are not a record are refused. */
#include "config.h"

#include <glib/gstdio.h>
#include <string.h>

#include "src/spool.h"

static struct event *
test_event (int i)
{
  struct event *e = event_new ();

  e->kind = EVENT_KIND_BOUNCE;
  e->klass = i % 2 ? EVENT_CLASS_SOFT : EVENT_CLASS_HARD;
  e->address = g_strdup_printf ("user%d@example.org", i);
  e->status = g_strdup ("5.1.1");
  e->reply_code = 550;
  /* an accounting field in Latin-1 stays the bytes it was */
  e->diagnostic = g_strdup ("smtp;550 caf\xe9");
  e->category = i % 3 ? g_strdup ("bad-mailbox") : NULL;
  e->source = g_strdup ("acct-b");
  e->hints.job_id = g_strdup ("mailwizz-c1");
  e->time = 1790000000 + i;
  return e;
}

static void
test_roundtrip (void)
{
  g_autoptr (event_t) e = test_event (3);
  guint8 fp[32], back_fp[32];
  struct event *back;
  char *sender, *origin;
  g_autoptr (GBytes) b = NULL;
  const guint8 *data;
  gsize len;

  for (int i = 0; i < 32; i++)
    fp[i] = (guint8) (i * 7);
  b = spool_encode (e, NULL, "stdin:4", fp);
  data = g_bytes_get_data (b, &len);
  g_assert_true (spool_decode (data, len, &back, &sender, &origin, back_fp));
  g_assert_cmpint (back->kind, ==, e->kind);
  g_assert_cmpint (back->klass, ==, e->klass);
  g_assert_cmpint (back->reply_code, ==, 550);
  g_assert_cmpint (back->time, ==, e->time);
  g_assert_cmpstr (back->address, ==, e->address);
  g_assert_cmpstr (back->diagnostic, ==, e->diagnostic);
  g_assert_null (back->category);
  g_assert_null (back->remote_mta);
  g_assert_cmpstr (back->hints.job_id, ==, "mailwizz-c1");
  g_assert_null (sender);
  g_assert_cmpstr (origin, ==, "stdin:4");
  g_assert_cmpmem (back_fp, 32, fp, 32);
  event_free (back);
  g_free (origin);

  /* every truncation, a byte too many and another version are refused */
  for (gsize cut = 0; cut < len; cut++)
    g_assert_false (spool_decode (data, cut, &back, &sender, &origin, back_fp));
  {
    g_autofree guint8 *longer = g_malloc (len + 1);
    g_autofree guint8 *other = g_memdup2 (data, len);

    memcpy (longer, data, len);
    longer[len] = 0;
    g_assert_false (spool_decode (longer, len + 1, &back, &sender, &origin, back_fp));
    other[0] = 99;
    g_assert_false (spool_decode (other, len, &back, &sender, &origin, back_fp));
    other[0] = data[0];
    other[1] = 200; /* no such kind */
    g_assert_false (spool_decode (other, len, &back, &sender, &origin, back_fp));
  }
  g_assert_null (back);
}

static void
test_order (void)
{
  g_autofree char *dir = g_dir_make_tmp ("recoil-spool-XXXXXX", NULL);
  struct spool *s = NULL;
  struct spool_batch b;
  struct event *events[10];
  char *senders[10], *origins[10];
  guint8 fps[320];
  g_autoptr (GError) error = NULL;
  guint64 first_last;

  g_assert_false (spool_open (dir, FALSE, &s, &error));
  g_assert_no_error (error);
  g_assert_true (spool_open (dir, TRUE, &s, &error));
  for (int i = 0; i < 10; i++) {
    events[i] = test_event (i);
    senders[i] = i % 2 ? g_strdup ("news@example.com") : NULL;
    origins[i] = g_strdup_printf ("stdin:%d", i + 2);
    memset (fps + 32 * i, i, 32);
  }
  g_assert_true (spool_append (s, 6, events, senders, origins, fps, &error));
  g_assert_true (spool_append (s, 4, events + 6, senders + 6, origins + 6, fps + 32 * 6, &error));
  g_assert_cmpuint (spool_count (s), ==, 10);
  spool_close (s);

  /* another process: what was committed is there, in order */
  g_assert_true (spool_open (dir, FALSE, &s, &error));
  g_assert_true (spool_forward_lock (s));
  spool_batch_init (&b);
  g_assert_true (spool_head (s, 4, &b, &error));
  g_assert_cmpuint (b.events->len, ==, 4);
  for (guint i = 0; i < 4; i++)
    g_assert_cmpstr (((struct event *) g_ptr_array_index (b.events, i))->address, ==, events[i]->address);
  first_last = b.last;
  g_assert_true (spool_drop (s, first_last, &error));
  g_assert_true (spool_head (s, 100, &b, &error));
  g_assert_cmpuint (b.events->len, ==, 6);
  g_assert_cmpstr (((struct event *) g_ptr_array_index (b.events, 0))->address, ==, "user4@example.org");
  g_assert_cmpstr (g_ptr_array_index (b.senders, 1), ==, "news@example.com");
  g_assert_null (g_ptr_array_index (b.senders, 0));
  g_assert_cmpuint (b.last, >, first_last);
  /* appended after a drop: still after what is left */
  g_assert_true (spool_append (s, 1, events, senders, origins, fps, &error));
  g_assert_true (spool_drop (s, b.last, &error));
  g_assert_true (spool_head (s, 100, &b, &error));
  g_assert_cmpuint (b.events->len, ==, 1);
  g_assert_true (spool_drop (s, b.last, &error));
  g_assert_cmpuint (spool_count (s), ==, 0);
  {
    /* one forwarder at a time */
    struct spool *other = NULL;

    g_assert_true (spool_open (dir, FALSE, &other, &error));
    g_assert_false (spool_forward_lock (other));
    spool_close (other);
  }
  spool_batch_clear (&b);
  spool_close (s);
  for (int i = 0; i < 10; i++) {
    event_free (events[i]);
    g_free (senders[i]);
    g_free (origins[i]);
  }
  {
    g_autofree char *spool = g_build_filename (dir, "acct-spool", NULL);
    g_autofree char *cmd = g_strdup_printf ("rm -rf '%s'", dir);

    g_assert_true (g_file_test (spool, G_FILE_TEST_IS_DIR));
    g_assert_cmpint (system (cmd), ==, 0);
  }
}

int
main (int argc, char **argv)
{
  g_test_init (&argc, &argv, NULL);
  g_test_add_func ("/spool/roundtrip", test_roundtrip);
  g_test_add_func ("/spool/order", test_order);
  return g_test_run ();
}
