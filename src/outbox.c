/* SPDX-License-Identifier: MIT */
/* outbox - the versioned encoding of an outbox entry.
 *
 * Version 1: u8 version, u8 scope, u8 parked, u8 reserved, i64 created,
 * i64 next_try, u32 attempts, then the strings provider, action, address,
 * list, campaign, subscriber, reason, status, answer (codec.h).
 */
#include "config.h"

#include <string.h>

#include "codec.h"
#include "outbox.h"

void
outbox_entry_clear (struct outbox_entry *e)
{
  g_free (e->provider);
  g_free (e->action);
  g_free (e->address);
  g_free (e->list_id);
  g_free (e->campaign_id);
  g_free (e->subscriber_id);
  g_free (e->reason);
  g_free (e->status);
  g_free (e->answer);
  memset (e, 0, sizeof *e);
}

void
outbox_entry_free (struct outbox_entry *e)
{
  if (e == NULL)
    return;
  outbox_entry_clear (e);
  g_free (e);
}

GBytes *
outbox_encode (const struct outbox_entry *e)
{
  GByteArray *out = g_byte_array_sized_new (128);
  guint8 head[4] = { OUTBOX_VERSION, (guint8) e->scope, e->parked ? 1 : 0, 0 };

  g_byte_array_append (out, head, 4);
  codec_put_i64 (out, e->created);
  codec_put_i64 (out, e->next_try);
  codec_put_u32 (out, e->attempts);
  codec_put_str (out, e->provider);
  codec_put_str (out, e->action);
  codec_put_str (out, e->address);
  codec_put_str (out, e->list_id);
  codec_put_str (out, e->campaign_id);
  codec_put_str (out, e->subscriber_id);
  codec_put_str (out, e->reason);
  codec_put_str (out, e->status);
  codec_put_str (out, e->answer);
  return g_byte_array_free_to_bytes (out);
}

gboolean
outbox_decode (const void *data, gsize len, struct outbox_entry *e)
{
  struct codec_reader rd;

  memset (e, 0, sizeof *e);
  codec_reader_init (&rd, data, len);
  if (codec_get_u8 (&rd) != OUTBOX_VERSION)
    return FALSE;
  e->scope = (int) codec_get_u8 (&rd);
  e->parked = codec_get_u8 (&rd) != 0;
  codec_get_u8 (&rd);
  e->created = codec_get_i64 (&rd);
  e->next_try = codec_get_i64 (&rd);
  e->attempts = codec_get_u32 (&rd);
  e->provider = codec_get_str (&rd);
  e->action = codec_get_str (&rd);
  e->address = codec_get_str (&rd);
  e->list_id = codec_get_str (&rd);
  e->campaign_id = codec_get_str (&rd);
  e->subscriber_id = codec_get_str (&rd);
  e->reason = codec_get_str (&rd);
  e->status = codec_get_str (&rd);
  e->answer = codec_get_str (&rd);
  if (!codec_done (&rd) || e->provider == NULL || e->action == NULL || e->address == NULL) {
    outbox_entry_clear (e);
    return FALSE;
  }
  return TRUE;
}
