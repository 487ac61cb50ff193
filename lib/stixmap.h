/*
 * stixmap.h - a roster message as a STIX 2.1 bundle (what a node's TAXII
 * collections and `roster stix` serve), and a STIX 2.1 bundle as a roster
 * message to sign (what `roster send --stix` and a writable collection
 * send).  The tables of both directions are in docs/taxii.md.
 *
 * Out: deterministic.  Every object's id is a UUIDv5 of the message id and
 * the object's place, and every property comes from the signed message
 * (its payload, the signer's key, the header's time) or from its place in
 * the log, so the same message gives the same bytes on every node, every
 * time.  Every object carries the TLP 2.0 marking of the message and roster
 * provenance (message id, log index, signer key and fingerprint, State) in
 * roster's extension; every SDO is created_by_ref the sending State.
 *
 * In: the bundle must have passed stix_bundle_check.  It becomes a draft:
 * the template (incident-notification when the bundle describes an incident
 * or indicators), the NAME=VALUE pairs catalogue_fill takes (so the values
 * are checked and normalised by the same code as `roster send --field`),
 * subject, body, language, the strictest TLP label the bundle carries and
 * whether it forbids forwarding.  An object type, a marking or a pattern a
 * message cannot carry is refused with the object named; a property that
 * has no place in a message is dropped and listed in the draft, so the
 * sender is told.
 */
#ifndef ROSTER_STIXMAP_H
#define ROSTER_STIXMAP_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "catalogue.h"
#include "stix.h"

struct stix_source {
	const char *message_id;		/* 64 lower-case hex: the envelope id */
	int64_t log_index;		/* its index in the hub's log */
	int64_t signed_ms;		/* its header's time (when it was signed) */
	const char *state;		/* the sending State, "XA" */
	const uint8_t *signer_key;	/* the signing device's Ed25519 key, 32 bytes */
	json_t *payload;		/* the message's plaintext payload */
};

enum stix_map_result {
	STIX_MAP_OK = 0,
	STIX_MAP_SKIP,		/* not something STIX describes (an overdue notice) */
	STIX_MAP_BAD		/* the source is malformed (rs_err says how) */
};

/* The bundle of message m, a new reference in *bundle.  The template's
 * fields are checked against c first: fields that do not fit are not
 * mapped, and the report says so. */
enum stix_map_result stix_from_message(struct catalogue *c,
    const struct stix_source *m, json_t **bundle) STIX_WUR;

struct stix_draft {
	char *subject;			/* NULL when the bundle names no incident or report:
					 * the caller gives one or refuses */
	char *body;			/* "" when the bundle has no text */
	char lang[4];			/* one of the six; "en" when the bundle says none */
	char tlp[16];			/* strictest TLP label carried; "" when none */
	int no_forward;			/* the roster no-forward marking is carried */
	const char *template_id;	/* "incident-notification", or NULL */
	char **kv;			/* NAME=VALUE pairs for catalogue_fill */
	size_t nkv;
	char **dropped;			/* "objects[3] (...): name, description" */
	size_t ndropped;
};

/* The draft of a checked bundle; -1 with rs_err naming the object when it
 * holds something a roster message cannot carry.  d is freed by
 * stix_draft_free in every case. */
int stix_to_draft(json_t *bundle, struct stix_draft *d) STIX_WUR;
void stix_draft_free(struct stix_draft *d);

#endif
