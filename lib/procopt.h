/*
 * procopt.h - what the process's commands read from their options, for
 * rosterd (bodies, meetings, applications) and roster (papers, proposals,
 * positions): dates, durations, texts in languages, members, a body's
 * rules, files by language.
 *
 * One reading for both programs, so "--start 2026-07-01T10:00Z" or
 * "--silence 72h" means the same on the operator's machine and on a
 * State's, and each mistake is said in the same words before anything is
 * signed.  The records these values go into are checked again, whole, by
 * lib/procrec.c (the shape) and lib/process.c (the rules) on the hub and on
 * every node; this file only turns words into the record's values.
 */
#ifndef ROSTER_PROCOPT_H
#define ROSTER_PROCOPT_H

#include <stdint.h>
#include <jansson.h>

/* A moment, UTC unless it says otherwise: "2026-07-01" (midnight UTC),
 * "2026-07-01T10:00Z", "2026-07-01T10:00:30Z", "2026-07-01T12:00+02:00",
 * or milliseconds since 1970.  -1 with rs_err. */
int procopt_time(const char *s, int64_t *ms) __attribute__((warn_unused_result));

/* A duration: a number and s, m, h or d ("72h", "42d"), at most 366 days.
 * -1 with rs_err naming the option. */
int procopt_duration(const char *opt, const char *s, int64_t *ms)
    __attribute__((warn_unused_result));

/* "LANG=TEXT" into texts (an object): LANG a language code, TEXT 1 to max
 * bytes, a language given once.  -1 with rs_err naming the option. */
int procopt_text(const char *opt, json_t *texts, const char *arg, size_t max)
    __attribute__((warn_unused_result));

/* "LANG=PATH" for a file option: the language (a language code, at most
 * 15 bytes) into lang, the path returned (pointing into arg); NULL with
 * rs_err. */
const char *procopt_file(const char *opt, const char *arg, char lang[16]);

/* Members: "all", "group:NAME" or "XA,XB,...", as the record's value
 * (docs/protocol.md section 10); NULL with rs_err. */
json_t *procopt_members(const char *s);

/* A list of State codes "XA,XB" (1 to 256, distinct) as a JSON array; NULL
 * with rs_err naming the option. */
json_t *procopt_states(const char *opt, const char *s);

/* One rule of a body from its option: name is "silence", "lead-time",
 * "languages", "objections", "proposers", "ecosoc" or "other", value as
 * the user wrote it; set into rules (the record's "rules" object).  -1
 * with rs_err. */
int procopt_rule(json_t *rules, const char *name, const char *value)
    __attribute__((warn_unused_result));

/* A record id: 64 hexadecimal digits.  -1 with rs_err naming what. */
int procopt_id(const char *what, const char *s, uint8_t id[32])
    __attribute__((warn_unused_result));

#endif
