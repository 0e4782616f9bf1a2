/* SPDX-License-Identifier: MIT */
/* codec - little-endian integers and length-prefixed strings for the
 * store's versioned records (record.c, outbox.c).  Readers never run past
 * the end of their bytes: a short read sets `bad` and yields zero. */
#ifndef RECOIL_CODEC_H
#define RECOIL_CODEC_H

#include <glib.h>

#define CODEC_NO_STRING 0xffff /* length that marks an absent string */

void codec_put_u16 (GByteArray *out, guint v);
void codec_put_u32 (GByteArray *out, guint32 v);
void codec_put_i64 (GByteArray *out, gint64 v);
/* codec_put_str - S (NULL allowed) as u16 length and bytes; longer strings
 * are cut at 65534 bytes. */
void codec_put_str (GByteArray *out, const char *s);

struct codec_reader {
  const guint8 *p, *end;
  gboolean bad; /* a read ran past the end */
};

void codec_reader_init (struct codec_reader *rd, const void *data, gsize len);
guint codec_get_u8 (struct codec_reader *rd);
guint codec_get_u16 (struct codec_reader *rd);
guint32 codec_get_u32 (struct codec_reader *rd);
gint64 codec_get_i64 (struct codec_reader *rd);
/* codec_get_str - a new string (caller frees with g_free) or NULL. */
char *codec_get_str (struct codec_reader *rd);
/* codec_done - TRUE when every byte was read and none was missing. */
gboolean codec_done (const struct codec_reader *rd);

#endif
