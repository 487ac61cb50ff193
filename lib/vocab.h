/*
 * vocab.h - the one vocabulary of roster: TLP labels, urgencies, the
 * languages of the catalogues, POC roles, State codes and e-mail addresses.
 *
 * Each list is here once, in its canonical spelling and order, and every
 * part of roster (hub, node core, command line, web API) checks against it
 * and nothing else, so they cannot disagree; tests/unit/test_vocab.c holds
 * the lists to the taxonomies shipped in share/catalogue/ (tlp.json,
 * urgency.json, the languages of every label).  Kinds are lib/kinds.h's.
 *
 * What people type is normalised on input, never on the wire: "amber",
 * "TLP:AMBER" and "tlp:amber" are AMBER; "fr" is FR; "EN" is en.  A signed
 * record carries the canonical form only, and a received one in another
 * form is refused, not corrected.
 */
#ifndef ROSTER_VOCAB_H
#define ROSTER_VOCAB_H

#include <stddef.h>
#include <stdint.h>

/* TLP 2.0 labels, least restrictive first. */
#define VOCAB_NTLP	5
extern const char *const vocab_tlp[VOCAB_NTLP + 1];	/* CLEAR ... RED, NULL */

/* Urgency levels, most urgent first, and their default acknowledgement
 * deadlines (a hub's hub.json may set others). */
#define URGENCY_LEVELS 4
extern const char *const urgency_names[URGENCY_LEVELS];
extern const int64_t urgency_default_deadline_ms[URGENCY_LEVELS];

/* The six UN languages, in the UN's order, in which every catalogue label
 * and every page of the web interface exists. */
#define VOCAB_NLANGS	6
extern const char *const vocab_langs[VOCAB_NLANGS + 1];	/* ar zh en fr ru es, NULL */

/* The roles of a POC. */
#define VOCAB_NROLES	3
extern const char *const vocab_roles[VOCAB_NROLES + 1];	/* diplomatic ... , NULL */

/* The index of v in a NULL-terminated list, or -1 (v may be NULL). */
int vocab_index(const char *const *list, const char *v);

/* 0..3 for "flash".."routine", -1 for anything else. */
int urgency_index(const char *name);
int vocab_lang_ok(const char *lang);
int vocab_role_ok(const char *role);
int vocab_tlp_ok(const char *label);

/* Two-letter State code: "XA", "FR".  Upper-case letters only. */
int valid_state(const char *s);

/* ---- what a user typed, in canonical form ---- */

/* A TLP label in any case, with or without "TLP:": its canonical name
 * (one of vocab_tlp), or NULL. */
const char *vocab_tlp_norm(const char *in);
/* An urgency or role in any case: its canonical name, or NULL. */
const char *vocab_urgency_norm(const char *in);
const char *vocab_role_norm(const char *in);
/* A language of the catalogues in any case ("EN"): canonical, or NULL. */
const char *vocab_lang_norm(const char *in);
/* A State code in any case: out gets it in capitals; 0, or -1 when in is
 * not two letters. */
int vocab_state_norm(const char *in, char out[3]);
/* A comma-separated list of State codes, group:NAME and all (an audience):
 * each two-letter item in capitals, spaces dropped, the rest as given.
 * malloc'd. */
char *vocab_audience_norm(const char *in);
/* A comma-separated list of language tags (2 or 3 letters) in lower case,
 * spaces dropped; NULL with rs_err naming the first bad item. */
char *vocab_langs_norm(const char *in);

/* ---- text that others will read ---- */

/* One line of text: no control character (C0, DEL, C1), so what another
 * State wrote cannot break a line, a header or a terminal (a subject, a
 * POC's name).  Bytes only; UTF-8 is the JSON parser's check. */
int vocab_line_ok(const char *s);
/* A language tag as a signed record carries it: 2 or 3 lower-case
 * letters ("en", "fr", "fil"). */
int vocab_lang_tag_ok(const char *tag);

/* ---- e-mail addresses ---- */

/* The one check of an e-mail address, wherever one is given (a POC's
 * certificate, a web account, the alerts): local@domain, at most 253
 * bytes, printable ASCII without spaces, brackets, quotes or the other
 * characters that could smuggle a header or an SMTP command.  0, or -1
 * with rs_err starting with what. */
int vocab_email_check(const char *what, const char *addr)
    __attribute__((warn_unused_result));

#endif
