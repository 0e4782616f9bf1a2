/* SPDX-License-Identifier: MIT */
/* record - the per-address record and its versioned encoding.
 *
 * Layout, version 2 (integers little-endian):
 *   u8 version, u8 state, u8 ignore, u8 reserved,
 *   u32 hard, soft, ignored, complaints, unsubscribes,
 *   i64 first_bounce, last_bounce, recent[3], last_soft_day, changed,
 *   str last_status, last_reason, last_category, state_reason,
 *   u16 count, count x str acted,
 *   i64 last_event, state_event
 * where str is u16 length then bytes (0xffff = absent); see codec.h.
 * Version 1 is the same without the last two fields; it is still read.
 */
#include "config.h"

#include <string.h>

#include "codec.h"
#include "record.h"

/* clang-format off */
G_DEFINE_QUARK (recoil-record-error-quark, record_error)
/* clang-format on */

void
record_init (struct record *r)
{
  memset (r, 0, sizeof *r);
  r->last_soft_day = -1;
  r->acted = g_ptr_array_new_with_free_func (g_free);
}

void
record_clear (struct record *r)
{
  g_free (r->last_status);
  g_free (r->last_reason);
  g_free (r->last_category);
  g_free (r->state_reason);
  if (r->acted != NULL)
    g_ptr_array_unref (r->acted);
  memset (r, 0, sizeof *r);
}

static const char *const record_state_names[] = { "active", "suppressed", "unsubscribed" };

const char *
record_state_name (record_state state)
{
  return (unsigned) state < G_N_ELEMENTS (record_state_names) ? record_state_names[state] : "active";
}

gboolean
record_state_parse (const char *name, record_state *state)
{
  for (gsize i = 0; name != NULL && i < G_N_ELEMENTS (record_state_names); i++)
    if (g_ascii_strcasecmp (name, record_state_names[i]) == 0) {
      *state = (record_state) i;
      return TRUE;
    }
  return FALSE;
}

gboolean
record_acted_add (struct record *r, const char *who)
{
  for (guint i = 0; i < r->acted->len; i++)
    if (strcmp (g_ptr_array_index (r->acted, i), who) == 0)
      return FALSE;
  g_ptr_array_add (r->acted, g_strdup (who));
  return TRUE;
}

GBytes *
record_encode (const struct record *r)
{
  GByteArray *out = g_byte_array_sized_new (128);
  guint8 head[4] = { RECORD_VERSION, (guint8) r->state, r->ignore ? 1 : 0, 0 };
  guint n = r->acted != NULL ? MIN (r->acted->len, 0xffffu) : 0;

  g_byte_array_append (out, head, 4);
  codec_put_u32 (out, r->hard);
  codec_put_u32 (out, r->soft);
  codec_put_u32 (out, r->ignored);
  codec_put_u32 (out, r->complaints);
  codec_put_u32 (out, r->unsubscribes);
  codec_put_i64 (out, r->first_bounce);
  codec_put_i64 (out, r->last_bounce);
  for (int i = 0; i < 3; i++)
    codec_put_i64 (out, r->recent[i]);
  codec_put_i64 (out, r->last_soft_day);
  codec_put_i64 (out, r->changed);
  codec_put_str (out, r->last_status);
  codec_put_str (out, r->last_reason);
  codec_put_str (out, r->last_category);
  codec_put_str (out, r->state_reason);
  codec_put_u16 (out, n);
  for (guint i = 0; i < n; i++)
    codec_put_str (out, g_ptr_array_index (r->acted, i));
  codec_put_i64 (out, (gint64) r->last_event);
  codec_put_i64 (out, (gint64) r->state_event);
  return g_byte_array_free_to_bytes (out);
}

gboolean
record_decode (const void *data, gsize len, struct record *r, GError **error)
{
  struct codec_reader rd;
  guint n, version;

  record_init (r);
  codec_reader_init (&rd, data, len);
  if (len < 4) {
    g_set_error (error, RECORD_ERROR, RECORD_ERROR_CORRUPT, "record of %zu bytes is too short", len);
    return FALSE;
  }
  version = rd.p[0];
  if (version != 1 && version != RECORD_VERSION) {
    g_set_error (error, RECORD_ERROR, RECORD_ERROR_VERSION,
                 "record version %u is not known to this recoil (it reads version %u)", rd.p[0],
                 RECORD_VERSION);
    return FALSE;
  }
  if (rd.p[1] > RECORD_UNSUBSCRIBED || rd.p[2] > 1) {
    g_set_error (error, RECORD_ERROR, RECORD_ERROR_CORRUPT, "record has an invalid state");
    return FALSE;
  }
  r->state = (record_state) rd.p[1];
  r->ignore = rd.p[2] != 0;
  rd.p += 4;
  r->hard = codec_get_u32 (&rd);
  r->soft = codec_get_u32 (&rd);
  r->ignored = codec_get_u32 (&rd);
  r->complaints = codec_get_u32 (&rd);
  r->unsubscribes = codec_get_u32 (&rd);
  r->first_bounce = codec_get_i64 (&rd);
  r->last_bounce = codec_get_i64 (&rd);
  for (int i = 0; i < 3; i++)
    r->recent[i] = codec_get_i64 (&rd);
  r->last_soft_day = codec_get_i64 (&rd);
  r->changed = codec_get_i64 (&rd);
  r->last_status = codec_get_str (&rd);
  r->last_reason = codec_get_str (&rd);
  r->last_category = codec_get_str (&rd);
  r->state_reason = codec_get_str (&rd);
  n = codec_get_u16 (&rd);
  for (guint i = 0; i < n && !rd.bad; i++) {
    char *who = codec_get_str (&rd);

    if (who != NULL)
      g_ptr_array_add (r->acted, who);
  }
  if (version >= 2) {
    r->last_event = (guint64) codec_get_i64 (&rd);
    r->state_event = (guint64) codec_get_i64 (&rd);
  }
  if (!codec_done (&rd)) {
    record_clear (r);
    record_init (r);
    g_set_error (error, RECORD_ERROR, RECORD_ERROR_CORRUPT,
                 "record bytes are truncated or have trailing data");
    return FALSE;
  }
  return TRUE;
}
