/* SPDX-License-Identifier: MIT */
/* rules - the notation of the rules-*.c tables (textbounce.h's families
 * and hosts): L (...) is a NULL-terminated list of phrases, S (...) a list
 * of textbounce_says rows ending in an empty one.  Only for those files. */
#ifndef RECOIL_RULES_H
#define RECOIL_RULES_H

#include "classify.h"
#include "textbounce.h"

#define L(...)                                                                                               \
  (const char *const[])                                                                                      \
  {                                                                                                          \
    __VA_ARGS__, NULL                                                                                        \
  }
#define S(...)                                                                                               \
  (const struct textbounce_says[])                                                                           \
  {                                                                                                          \
    __VA_ARGS__,                                                                                             \
    {                                                                                                        \
      NULL, NULL, 0                                                                                          \
    }                                                                                                        \
  }

#endif
