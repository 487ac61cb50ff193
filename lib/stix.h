/*
 * stix.h - STIX 2.1 (OASIS, 2021): a strict validator of the bundles roster
 * produces and accepts, and the primitives it and the mapping (stixmap.h)
 * share: timestamps, identifiers, UUIDv5, the TLP 2.0 markings and a parser
 * of the patterning language.
 *
 * Why strict and why a subset: a bundle that reaches a roster node from a
 * CERT's tool is about to be signed by a State's device and sent to other
 * States, and a bundle a node serves must load in any STIX 2.1 consumer.  So
 * the validator checks what the specification requires (required
 * properties, identifier and timestamp forms, references that resolve, the
 * official TLP objects exactly, patterns that parse) for the object types
 * roster maps, and only the common properties of the others, which it keeps
 * (the mapping then refuses what a roster message cannot carry).  Every
 * refusal names the object and the property:
 *
 *   objects[3] (indicator--1f0c...): "pattern": unexpected ']' at 17
 *
 * The rules, limits and choices are in docs/taxii.md.
 */
#ifndef ROSTER_STIX_H
#define ROSTER_STIX_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "util.h"

#define STIX_WUR __attribute__((warn_unused_result))

/* Limits of what the validator takes (docs/taxii.md, "Limits"). */
#define STIX_MAX_BUNDLE		((size_t)8 << 20)	/* bytes of one bundle */
#define STIX_MAX_OBJECTS	10000			/* objects in one bundle */
#define STIX_MAX_DEPTH		24			/* JSON nesting, bundle = 1 */
#define STIX_MAX_PATTERN	16384			/* bytes of one pattern */
#define STIX_MAX_PATTERN_DEPTH	16			/* nested brackets/parentheses */
#define STIX_MAX_VALUES		1000			/* literals in one pattern */

enum stix_result {
	STIX_OK = 0,
	STIX_NOT_JSON,		/* not one JSON object (syntax, duplicate key, NUL) */
	STIX_TOO_LARGE,		/* more bytes or objects than the limits */
	STIX_TOO_DEEP,		/* nested deeper than STIX_MAX_DEPTH */
	STIX_INVALID		/* JSON, but not a valid STIX 2.1 bundle */
};

/* Parses len bytes into *bundle (a new reference) and checks it as
 * stix_bundle_check does; on any refusal *bundle is NULL and rs_err names
 * the object and property (or the byte, for JSON errors). */
enum stix_result stix_bundle_parse(const void *data, size_t len,
    json_t **bundle) STIX_WUR;
/* Checks a bundle already parsed. */
enum stix_result stix_bundle_check(json_t *bundle) STIX_WUR;
/* What a TAXII 2.1 client POSTs: an envelope {"objects": [...]} ("more"
 * and "next" are allowed and ignored), or a bundle; within the same limits,
 * made into a bundle with a new random id and checked as a bundle is.  An
 * envelope must have objects (there is nothing to add otherwise). */
enum stix_result stix_envelope_parse(const void *data, size_t len,
    json_t **bundle) STIX_WUR;

/* ---- timestamps --------------------------------------------------------- */

#define STIX_TS_LEN	32

/* "YYYY-MM-DDTHH:MM:SS[.s+]Z" (RFC 3339, UTC, at most 9 fraction digits) to
 * microseconds since the Unix epoch, truncated; *digits (may be NULL) is the
 * number of fraction digits written.  0, or -1 with rs_err. */
int stix_ts_parse(const char *s, int64_t *us, int *digits) STIX_WUR;
/* The same form with digits (0, 3 or 6) fraction digits. */
void stix_ts_format(int64_t us, int digits, char out[STIX_TS_LEN]);

/* ---- identifiers -------------------------------------------------------- */

#define STIX_UUID_LEN	37		/* 36 characters and the NUL */
#define STIX_ID_MAX	300		/* type (250) "--" uuid (36) and the NUL */

/* A type name: 3 to 250 of a-z 0-9 '-', starting with a letter, no "--",
 * not ending with '-'. */
int stix_type_ok(const char *type);
/* "type--uuid" with an RFC 4122 UUID (version 1 to 5, variant 10); when
 * type is not NULL, the id's type must be it. */
int stix_id_ok(const char *id, const char *type);
/* Copies the type part of a valid id into out ("" if it is not one). */
void stix_id_type(const char *id, char *out, size_t len);

/* A random UUID (RFC 4122 version 4). */
void stix_uuid4(char out[STIX_UUID_LEN]);
/* UUIDv5 (RFC 4122 section 4.3: SHA-1 of namespace || name). */
void stix_uuid5(const uint8_t ns[16], const void *name, size_t len,
    char out[STIX_UUID_LEN]);
/* "type--" UUIDv5 of name in roster's namespace (docs/taxii.md): how every
 * object made from a message gets the same id whenever it is made. */
void stix_id_make(const char *type, const char *name, char out[STIX_ID_MAX]);

/* The fixed objects of roster (docs/taxii.md): the identity of the roster
 * software, which defines the extension; the extension-definition of roster
 * provenance; the statement marking "the sender forbids forwarding". */
#define STIX_ROSTER_IDENTITY	"identity--9f219edc-6f62-4fc1-a732-e8cd7cdeb4f9"
#define STIX_ROSTER_EXTENSION	"extension-definition--4cf5d89d-0ffb-473b-8f0c-96b72dd2b4e1"
#define STIX_NO_FORWARD_MARKING	"marking-definition--eb9a2238-7188-4878-a4c3-efa43be71da6"
#define STIX_ROSTER_CREATED	"2026-12-01T00:00:00.000Z"
extern const uint8_t stix_roster_namespace[16];

/* New references to the fixed objects. */
json_t *stix_roster_identity(void);
json_t *stix_roster_extension(void);
json_t *stix_no_forward_marking(void);

/* ---- TLP ---------------------------------------------------------------- */

/* The TLP 2.0 extension of OASIS (cti-stix-common-objects) and its five
 * marking-definition objects, whose ids are fixed by it. */
#define STIX_TLP2_EXTENSION	"extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d"

/* Rank of a roster TLP label, CLEAR 0 to RED 4; -1 for anything else. */
int stix_tlp_rank(const char *label);
/* The official TLP 2.0 marking id of a label ("AMBER+STRICT"); NULL if it
 * is not a label. */
const char *stix_tlp_marking_id(const char *label);
/* The official TLP 2.0 marking object of a label, a new reference. */
json_t *stix_tlp_marking(const char *label);
/* The label a marking id stands for: the five TLP 2.0 ids, and the four
 * STIX 2.1 TLP 1.0 ids (WHITE read as CLEAR); NULL for any other id. */
const char *stix_tlp_of_marking(const char *id);
/* 1 when o (a marking-definition) is exactly the official object of its
 * TLP id; 0 otherwise, or when its id is not a TLP id. */
int stix_tlp_official(json_t *o);

/* ---- patterns ----------------------------------------------------------- */

/* The comparison operators of the subset (docs/taxii.md, "Patterns"). */
enum stix_op {
	STIX_OP_EQ, STIX_OP_NEQ, STIX_OP_IN, STIX_OP_LIKE, STIX_OP_MATCHES,
	STIX_OP_ISSUBSET, STIX_OP_ISSUPERSET
};

/* The object paths of the subset, each the SCO property an indicator of
 * roster's list is about. */
enum stix_path {
	STIX_PATH_IPV4, STIX_PATH_IPV6, STIX_PATH_DOMAIN, STIX_PATH_URL,
	STIX_PATH_EMAIL, STIX_PATH_MD5, STIX_PATH_SHA1, STIX_PATH_SHA256,
	STIX_PATH_SHA512, STIX_PATH_N
};

enum stix_node_kind {
	STIX_N_OR,		/* a OR b (observations or comparisons) */
	STIX_N_AND,		/* a AND b */
	STIX_N_OBSERVATION,	/* [ a ] */
	STIX_N_TEST		/* path op literal(s) */
};

struct stix_node {
	enum stix_node_kind kind;
	int a, b;		/* children (node indexes), -1 when none */
	int observation;	/* OR/AND: 1 between observations, 0 inside one */
	/* STIX_N_TEST: */
	enum stix_path path;
	enum stix_op op;
	int negated;		/* NOT before the operator */
	size_t first, nvalues;	/* its literals: values[first .. first+nvalues) */
};

struct stix_pattern {
	struct stix_node *nodes;
	size_t nnodes;
	int root;
	char **values;		/* string literals, unescaped */
	size_t nvalues;
};

/* Parses a STIX pattern of the subset into p (freed by stix_pattern_free,
 * also after a failure).  -1 with rs_err naming the byte offset from 0:
 * "unexpected ']' at 17", "unsupported 'FOLLOWEDBY' at 30". Literals are
 * type-checked against their path (an IPv4 address for ipv4-addr:value). */
int stix_pattern_parse(const char *s, struct stix_pattern *p) STIX_WUR;
void stix_pattern_free(struct stix_pattern *p);

/* "type:path" of a path, as written in a pattern ("file:hashes.'SHA-256'"). */
const char *stix_path_text(enum stix_path path);
/* The SCO type of a path ("ipv4-addr", "file"). */
const char *stix_path_sco(enum stix_path path);

/* Appends a pattern string literal of v to out: quoted, with ' and \
 * escaped. */
void stix_pattern_quote(struct buf *out, const char *v);

#endif
