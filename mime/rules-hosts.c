/* SPDX-License-Identifier: MIT */
/* rules-hosts - what large receiving systems mean by their own words:
 * FrancePTT (Orange, Wanadoo, La Poste), Facebook, Mimecast, NTT docomo,
 * KDDI au, Tencent QQ, Yahoo, Spectrum.  One row per host; hosts are suffixes of the
 * remote MTA or of the recipient's domain; phrases are lower case and the
 * first match wins.  A host's codes (Orange's OFR/LPN, Facebook's RCP-)
 * name the reason more exactly than the generic phrases do. */
#include "config.h"

#include "rules.h"

const struct textbounce_host rules_hosts[] = {
  { "franceptt", L ("orange.fr", "wanadoo.fr", "laposte.net", "francetelecom.fr"),
    S ({ "recipient account is blocked", "suspend" }, { "compte du destinataire est bloque", "suspend" },
       { "ofr005_505", "systemerror" }, { "ofr_999", "blocked" }, { "lpn001_108", "blocked" },
       { "lpn000_630", "policyviolation" }) },
  { "facebook", L ("facebook.com", "fb.com"),
    S ({ "rcp-p1", "userunknown" }, { "rcp-p2", "filtered" }, { "recipient preferences", "filtered" }) },
  /* Mimecast refuses an address its customer does not have with
   * "550 Invalid Recipient" */
  { "mimecast", L ("mimecast.com"),
    S ({ "host network not allowed", "policyviolation" }, { "invalid recipient", "userunknown" }) },
  { "nttdocomo", L ("docomo.ne.jp"), S ({ "unknown user", "rejected", CLASSIFY_CMD_DATA }) },
  /* au answers mail its reception filter refuses with "550 : User unknown",
   * an address it does not have with "550 <a@b>: User unknown" */
  { "kddi", L ("ezweb.ne.jp", "au.com"),
    S ({ "550 : user unknown", "filtered" }, { "user unknown", "userunknown" }) },
  { "tencent", L ("qq.com"),
    S ({ "connection frequency limited", "toomanyconn" }, { "frequency limited", "toomanyconn" },
       { "dmarc check failed", "authfailure" }) },
  { "yahoo", L ("yahoo.com", "yahoodns.net", "yahoo.co.jp"),
    S ({ "user doesn't have a", "userunknown" }, { "user doesn\xe2\x80\x99t have a", "userunknown" }) },
  { "spectrum", L ("charter.net", "spectrum.net", "rr.com", "twc.com"),
    S ({ "aup#in-1310", "toomanyconn" }, { "aup#1310", "toomanyconn" }) },
  { NULL, NULL, NULL },
};
