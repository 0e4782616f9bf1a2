/* SPDX-License-Identifier: MIT */
/* codec - bytes for the store's records. */
#include "config.h"

#include <string.h>

#include "codec.h"

void
codec_put_u16 (GByteArray *out, guint v)
{
  guint8 b[2] = { v & 0xff, (v >> 8) & 0xff };

  g_byte_array_append (out, b, 2);
}

void
codec_put_u32 (GByteArray *out, guint32 v)
{
  guint8 b[4] = { v & 0xff, (v >> 8) & 0xff, (v >> 16) & 0xff, (v >> 24) & 0xff };

  g_byte_array_append (out, b, 4);
}

void
codec_put_i64 (GByteArray *out, gint64 v)
{
  guint64 u = (guint64) v;
  guint8 b[8];

  for (int i = 0; i < 8; i++)
    b[i] = (u >> (8 * i)) & 0xff;
  g_byte_array_append (out, b, 8);
}

void
codec_put_str (GByteArray *out, const char *s)
{
  gsize len = s != NULL ? MIN (strlen (s), CODEC_NO_STRING - 1) : CODEC_NO_STRING;

  codec_put_u16 (out, (guint) len);
  if (s != NULL)
    g_byte_array_append (out, (const guint8 *) s, (guint) len);
}

void
codec_reader_init (struct codec_reader *rd, const void *data, gsize len)
{
  rd->p = data;
  rd->end = (const guint8 *) data + len;
  rd->bad = FALSE;
}

/* codec_take - N bytes, or NULL (and bad) when fewer are left. */
static const guint8 *
codec_take (struct codec_reader *rd, gsize n)
{
  const guint8 *at = rd->p;

  if (rd->bad || (gsize) (rd->end - rd->p) < n) {
    rd->bad = TRUE;
    return NULL;
  }
  rd->p += n;
  return at;
}

guint
codec_get_u8 (struct codec_reader *rd)
{
  const guint8 *b = codec_take (rd, 1);

  return b != NULL ? b[0] : 0;
}

guint
codec_get_u16 (struct codec_reader *rd)
{
  const guint8 *b = codec_take (rd, 2);

  return b != NULL ? (guint) b[0] | (guint) b[1] << 8 : 0;
}

guint32
codec_get_u32 (struct codec_reader *rd)
{
  const guint8 *b = codec_take (rd, 4);

  return b != NULL ? (guint32) b[0] | (guint32) b[1] << 8 | (guint32) b[2] << 16 | (guint32) b[3] << 24 : 0;
}

gint64
codec_get_i64 (struct codec_reader *rd)
{
  const guint8 *b = codec_take (rd, 8);
  guint64 u = 0;

  for (int i = 0; b != NULL && i < 8; i++)
    u |= (guint64) b[i] << (8 * i);
  return (gint64) u;
}

char *
codec_get_str (struct codec_reader *rd)
{
  guint len = codec_get_u16 (rd);
  const guint8 *b;

  if (rd->bad || len == CODEC_NO_STRING)
    return NULL;
  b = codec_take (rd, len);
  return b != NULL ? g_strndup ((const char *) b, len) : NULL;
}

gboolean
codec_done (const struct codec_reader *rd)
{
  return !rd->bad && rd->p == rd->end;
}
