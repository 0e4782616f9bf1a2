/* SPDX-License-Identifier: MIT */
/* gmime-setup - starting GMime, once per process
 *
 * Two implementations, chosen at link time:
 *  - mime/gmime-setup.c (in libmime.a): g_mime_init, for programs linked
 *    against the shared GMime;
 *  - mime/gmime-static.c (linked into src/recoil ahead of libmime.a when
 *    configure links GMime statically): the same start without GMime's
 *    OpenPGP/S/MIME contexts and GIO streams, which recoil never uses, so
 *    that GPGME, GIO and their libraries stay out of the pipe binary.
 */
#ifndef RECOIL_GMIME_SETUP_H
#define RECOIL_GMIME_SETUP_H

/* gmime_setup - initialise GMime for parsing.  Not thread-safe: the caller
 * runs it once (parse.c does, under g_once). */
void gmime_setup (void);

#endif
