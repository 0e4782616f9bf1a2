/* SPDX-License-Identifier: MIT */
/* gmime-setup - GMime's own start, for programs linked against its shared
 * library (see gmime-setup.h). */
#include "gmime-setup.h"

#include <gmime/gmime.h>

void
gmime_setup (void)
{
  g_mime_init ();
}
