/*
 * checkrec.h - communication checks ("ping tests") as log records.
 *
 * A check is an envelope of kind "check", signed either by the operator key
 * (no seq/prev: the operator is not a device) or by a current device of a
 * State (numbered and chained like a msg).  Its header names the audience
 * and the deadline:
 *
 *   {"kind":"check", "to":["XA","XB"], "rcpt":[hex device keys],
 *    "deadline": log time ms, "roles"?: "technical,...", ...}
 *
 * and its payload is plaintext JSON {"text": {"en": "...", "fr": ...}}: a
 * check carries no secret, and its figures are meant to be published, so
 * anyone may read it (see docs/checks.md for why it is not sealed).
 *
 * The answer is one signed ack of the audience device:
 *
 *   {"kind":"ack", "ref": check id hex, "status":"acknowledged",
 *    "check": true, "rcpt": []}
 *
 * with payload "{}".  The hub files answers under a routing key derived
 * from the check id (checkrec_route), so that it lists a check's answers
 * without scanning the log; the key is a hash, so it can never be a
 * device's key and answers never show up in anyone's mail.
 *
 * The rules here are the directory's (lib/directory.c calls them), so the
 * hub and every node apply the same ones.  Who answered in time is not a
 * rule of the log but a figure, computed by lib/checkstats.c.
 */
#ifndef ROSTER_CHECKREC_H
#define ROSTER_CHECKREC_H

#include <stdint.h>
#include <jansson.h>

#include "checkstats.h"
#include "directory.h"
#include "envelope.h"

#define CHECK_MAX_DEADLINE_MS	(366LL * 86400 * 1000)
#define CHECK_MIN_DEADLINE_MS	1000LL
#define CHECK_MAX_AUDIENCE	900	/* 900 keys in hex fill most of a 64 KiB header */
#define CHECK_MAX_TEXT		4096

/* Is e an answer to a check (an ack with "check": true)? */
int checkrec_is_answer(const struct envelope *e);

/* The header rules of a check (its payload is lib/kinds.c's), once its signer was found
 * allowed (operator, or a current device: dir_check does that).  -1 with
 * rs_err naming the problem. */
int checkrec_check_rules(struct directory *d, const struct envelope *e,
    int64_t index, int64_t time);
/* The rules of a check's payload beyond its shape (lib/kinds.c calls
 * it): at least one text, none over CHECK_MAX_TEXT bytes. */
int checkrec_payload_rules(json_t *payload);
/* The rules of an answer's header (its signer is checked as any ack's). */
int checkrec_answer_rules(const struct envelope *e);

/* The hub's routing key of the answers to check id. */
void checkrec_route(uint8_t out[32], const uint8_t check_id[32]);

/* "90s", "30m", "24h", "7d" (a plain number is seconds) to ms, within
 * CHECK_MIN/MAX_DEADLINE_MS.  -1 with rs_err. */
int checkrec_parse_duration(const char *s, int64_t *ms);

/* "2026-11-22" (midnight UTC) or a time in ms, for --since. */
int checkrec_parse_since(const char *s, int64_t *ms);

/* The check's payload: text in lang when given, else the standard text in
 * the six UN languages.  malloc'd JSON, or NULL with rs_err when text is
 * not UTF-8. */
char *checkrec_payload(const char *text, const char *lang);

/* The answer's header (kind, ref, status, check, rcpt); the caller adds
 * state/seq/prev through its signer. */
json_t *checkrec_answer_header(const uint8_t check_id[32]);

/* Resolves an audience against a directory: "all", "group:NAME" and State
 * codes, comma-separated, narrowed to roles (NULL: all), to the devices
 * current at log time now (not exclude, when given).  Appends State codes
 * to states and hex keys to rcpt. */
int checkrec_audience(struct directory *d, const char *to, const char *roles,
    int64_t now, const uint8_t *exclude, json_t *states, json_t *rcpt);

/* Fills c (a check of the report) from a check envelope at index/time:
 * id, deadline, signer, audience with States and roles from d.  No answers
 * yet.  -1 with rs_err when the envelope is not a well-formed check. */
int checkrec_to_stats(struct directory *d, const struct envelope *e,
    int64_t index, int64_t time, struct cs_check *c);
/* Adds an answer to c. */
void checkrec_add_answer(struct cs_check *c, const uint8_t key[32],
    int64_t index, int64_t time);
void checkrec_stats_free(struct cs_check *c);

/* The directory's groups in checkstats' form (free with
 * checkrec_groups_free). */
struct cs_group *checkrec_groups(struct directory *d, size_t *n);
void checkrec_groups_free(struct cs_group *g, size_t n);

#endif
