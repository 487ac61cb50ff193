/*
 * kinds.h - the one table of envelope kinds.
 *
 * Everything roster knows about a kind, in one row of one table: its name,
 * who may sign it, whether a device's envelopes of it are numbered and
 * chained, whether it is a public record (docs/protocol.md section 8) or
 * mail, whether the directory replays it, whether its "rcpt" files it as
 * mail of those devices, its largest payload (section 9), and for a public
 * kind the exact shape of its payload.  The hub (before appending), every
 * node (when taking a record) and "rosterd check" ask this table and
 * nothing else, so they cannot disagree about what a kind is; code
 * compares the enum, never the name.
 *
 * Adding a kind is adding an enum value and a row (and, if the directory
 * must apply it, its rules in directory.c; if another family's rules apply
 * it, its flag and a call in lib/rules.c).
 */
#ifndef ROSTER_KINDS_H
#define ROSTER_KINDS_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

struct envelope;

enum kind {
	KIND_UNKNOWN = 0,	/* a name no row has */
	KIND_ADMIT,
	KIND_CERT,
	KIND_REVOKE,
	KIND_GROUP,
	KIND_ENDORSE,
	KIND_MSG,
	KIND_ACK,
	KIND_COSIGN,
	KIND_CHECK,
	/* the process (docs/protocol.md section 10, lib/process.c) */
	KIND_BODY,
	KIND_BODY_RULES,
	KIND_MEETING,
	KIND_PAPER,
	KIND_PAPER_LANG,
	KIND_PROPOSAL,
	KIND_POSITION,
	KIND_WITHDRAW,
	KIND_APPLICATION,
	KIND_CONTRIBUTION,
	/* the registries (docs/protocol.md section 11, lib/registry.c) */
	KIND_NORM,
	KIND_NORM_VERSION,
	KIND_COSPONSOR,
	KIND_CHECKLIST,
	KIND_REPORT,
	KIND_CII,
	KIND_TERM,
	KIND_DEFINITION,
	KIND_TRANSLATION,
	KIND_CB_REQUEST,
	KIND_CB_OFFER,
	KIND_CB_STEP,
	KIND_COUNT
};

/* Who may sign envelopes of a kind (a bit set). */
#define KIND_BY_OPERATOR	1u
#define KIND_BY_ROOT		2u	/* a State's admitted root key */
#define KIND_BY_DEVICE		4u	/* a current device of a State */
#define KIND_BY_STAKEHOLDER	8u	/* an accredited stakeholder's device */

/* What a kind is (a bit set). */
#define KIND_PUBLIC	1u	/* public record by kind (an ack: by its header) */
#define KIND_DIRECTORY	2u	/* replayed into the directory (dir_apply) */
#define KIND_CHAINED	4u	/* a device's envelopes carry seq and prev */
#define KIND_ROUTED	8u	/* filed as mail of every device in "rcpt" */
#define KIND_PROCESS	16u	/* applied by the process's rules (lib/process.c) */
#define KIND_REGISTRY	32u	/* applied by the registries' rules (lib/registry.c) */

/* A payload field of a public kind. */
enum kind_field_type {
	KF_TEXT,		/* a JSON string */
	KF_HEX32,		/* 64 lower-case hexadecimal digits */
	KF_B64,			/* standard base64 */
	KF_INT,			/* an integer */
	KF_BOOL,		/* true or false */
	KF_TEXTS,		/* an array of strings */
	KF_LANG_TEXTS		/* an object of language tag: string */
};

struct kind_field {
	const char *name;
	enum kind_field_type type;
	int required;
};

struct kind_info {
	enum kind id;
	const char *name;
	unsigned signers;	/* KIND_BY_* */
	unsigned flags;		/* KIND_PUBLIC ... */
	size_t max_payload;	/* bytes */
	/* Public kinds: the payload is a JSON object with exactly these
	 * fields (NULL-name terminated); NULL for sealed (mail) payloads. */
	const struct kind_field *fields;
	/* Further payload rules of the kind, after the fields passed; NULL
	 * when there are none.  -1 with rs_err. */
	int (*rules)(json_t *payload, const uint8_t operator_key[32]);
	/* Public kinds whose payload is plaintext or sealed as the header
	 * says (the process's): the whole record's shape, header fields
	 * included, instead of fields; NULL for the others.  -1 with rs_err. */
	int (*shape)(const struct envelope *e);
};

/* The kind called name; KIND_UNKNOWN for NULL or an unknown name. */
enum kind kind_from_name(const char *name);
/* The row of k; NULL for KIND_UNKNOWN (or anything out of range). */
const struct kind_info *kind_info(enum kind k);
/* Does kind k have flag f (KIND_PUBLIC, ...)?  0 for KIND_UNKNOWN. */
int kind_has(enum kind k, unsigned f);

/* Is e a public record (section 8)?  Its kind is public, or it is an ack
 * with "check": true (an answer to a communication check).  The header
 * alone decides, never a database column. */
int record_is_public(const struct envelope *e);

/* What kind_validate found. */
enum kind_verdict {
	KIND_VALID = 0,
	KIND_NOT_A_KIND,	/* no such kind: 400 */
	KIND_TOO_LARGE,		/* payload over the kind's limit: 413 */
	KIND_BAD_PAYLOAD	/* a public payload of the wrong shape: 400 */
};

/* The payload limit of section 9 and, for public records, the shape of the
 * payload (exact fields and types, and the kind's rules: a cosign's
 * checkpoint verifies under operator_key, an answer's payload is {}).
 * Anything but KIND_VALID comes with rs_err.  The directory's rules
 * (lib/directory.c) call it first, so the hub and every node apply it. */
enum kind_verdict kind_validate(const struct envelope *e,
    const uint8_t operator_key[32]) __attribute__((warn_unused_result));

/* SQL lists of kind names, "('msg', 'ack')", built from the table. */
enum kind_set {
	KINDS_MAIL,		/* kinds that are not public by kind */
	KINDS_DIRECTORY		/* kinds with KIND_DIRECTORY */
};
const char *kinds_sql(enum kind_set set);

#endif
