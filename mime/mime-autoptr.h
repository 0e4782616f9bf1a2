/* SPDX-License-Identifier: MIT */
/* mime-autoptr - g_autoptr cleanups for the GMime types recoil uses.
 * GMime 3.2.13 (Debian 12) declares none; they are all GObjects. */
#ifndef RECOIL_MIME_AUTOPTR_H
#define RECOIL_MIME_AUTOPTR_H

#include <gmime/gmime.h>

#ifndef RECOIL_GMIME_HAS_AUTOPTR
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeParser, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeStream, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeMessage, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeObject, g_object_unref)
G_DEFINE_AUTOPTR_CLEANUP_FUNC (GMimeDataWrapper, g_object_unref)
#endif

#endif
