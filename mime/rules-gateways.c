/* SPDX-License-Identifier: MIT */
/* rules-gateways - free-text bounces of mail filters and gateways:
 * Barracuda, McAfee, MessageLabs, SurfControl, MXLogic, Activehunter,
 * InterScan/Trend Micro, MailFoundry, m-FILTER, MailMarshal, Amavis,
 * Bigfoot.  One row per family; phrases are lower case. */
#include "config.h"

#include "rules.h"

const struct textbounce_family rules_gateways[] = {
  { "barracuda", L ("barracuda"), NULL, NULL, 0 },
  { "mcafee", L ("mcafee", "mxlogic"), NULL, L ("original message"), 0 },
  { "messagelabs", L ("messagelabs", "symantec.cloud"), NULL, NULL, 0,
    S ({ "no such user", "userunknown" }, { "542 ", "userunknown" }) },
  { "surfcontrol", L ("surfcontrol"), NULL, NULL, 0 },
  { "activehunter", L ("activehunter"), NULL, NULL, 0 },
  { "interscanmss", L ("interscan", "trend micro"), NULL, NULL, TEXTBOUNCE_REASON_ABOVE,
    S ({ "unable to deliver message to", "userunknown" },
       { "please check if address is correct", "userunknown" }) },
  { "mailfoundry", L ("mailfoundry"), NULL, NULL, 0 },
  { "mfilter", L ("m-filter"), NULL, L ("-------original message", "original message"), 0 },
  { "mailmarshal", L ("mailmarshal", "marshal", "the following recipients were affected"),
    L ("the following recipients were affected"), L ("additional information", "the original message"),
    TEXTBOUNCE_REASON_BEFORE_START },
  /* amavisd-new's own report, not a Received line of a returned message
   * that passed through it */
  { "amavis", L ("program amavisd-new", "amavisd-new program"), NULL, NULL, 0 },
  { "bigfoot", L ("bigfoot"), NULL, NULL, 0 },
  { NULL, NULL, NULL, NULL, 0 },
};
