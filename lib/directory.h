/*
 * directory.h - who may say what: the rules of the key directory, applied to
 * the log in order.
 *
 * The directory is a projection of the log's public records:
 *   admit   (operator)          a State's root key is admitted
 *   cert    (State root key)    a POC device is certified, with role/contact
 *   revoke  (root key, or the device itself) a device is withdrawn
 *   group   (operator)          a named group of States (e.g. a regional
 *                               organisation) is defined, changed or emptied
 *   endorse (an endorsed root key of the State) a later root key of the
 *                               State is endorsed, or disowned for good
 * and the device-signed kinds (msg, ack, cosign) are checked against it:
 * signer certified, not revoked, sequence number and hash chain unbroken.
 *
 * The hub runs dir_check before appending and dir_apply after; a node
 * replays the public records it fetched, verified by inclusion proofs, to
 * rebuild the same directory and check every envelope it receives.  One
 * piece of code, so the hub and nodes cannot disagree about the rules.
 */
#ifndef ROSTER_DIRECTORY_H
#define ROSTER_DIRECTORY_H

#include <stdint.h>
#include <jansson.h>

#include "envelope.h"

/* A root key's standing (docs/protocol.md section 2, "A second root key").
 * The first root key admitted for a State is endorsed by its admission; a
 * later one is unendorsed until an endorsed root key of the State endorses
 * it or disowns it (for good). */
enum dir_root_status {
	ROOT_ENDORSED,
	ROOT_UNENDORSED,
	ROOT_DISOWNED
};

struct dir_root {
	uint8_t key[32];
	char state[3];
	int64_t index;		/* log index of the admission */
	enum dir_root_status status;
	int64_t decided_index;	/* of the endorse record that decided; -1 */
	uint8_t decided_by[32];	/* the root key that signed it (zero: none) */
};

struct dir_device {
	uint8_t key[32];
	uint8_t box[32];
	uint8_t root[32];	/* the root key that certified it */
	char state[3];
	char role[16];
	json_t *cert;		/* the cert payload (name, email, languages...) */
	int64_t cert_index;
	int64_t revoked_index;	/* -1 while current */
	int64_t expires;	/* log time (ms) after which it may not sign; 0: never */
	int64_t last_seq;	/* hash chain (hub side) */
	uint8_t last_id[32];
};

#define DIR_GROUP_NAME_MAX 32
#define DIR_GROUP_MAX_STATES 256

/* A named audience the operator defines.  The latest group record with a
 * name replaces the earlier ones; an empty list dissolves the group. */
struct dir_group {
	char name[DIR_GROUP_NAME_MAX];
	json_t *title;		/* {"en": "...", ...} or NULL */
	char (*states)[3];
	size_t nstates;
	int64_t index;		/* log index of the record that set it */
};

struct directory {
	uint8_t operator_key[32];
	struct dir_root *roots;
	size_t nroots;
	struct dir_device **devices;	/* insertion (log) order */
	size_t ndevices;
	struct dir_device **table;	/* open addressing by key */
	size_t tcap;
	struct dir_group *groups;
	size_t ngroups;
};

/* The kinds that make up the directory (KIND_DIRECTORY in lib/kinds.c), as
 * a test and as an SQL list for string concatenation.  Thin wrappers for
 * the node's code: the list must be kinds_sql(KINDS_DIRECTORY), which
 * tests/unit/test_directory.c checks. */
int dir_public_kind(const char *kind);
#define DIR_PUBLIC_KINDS_SQL "('admit', 'cert', 'revoke', 'group', 'endorse')"

#define DIR_CHECK_CHAIN 1	/* hub: enforce seq/prev of device envelopes */

struct directory *dir_new(const uint8_t operator_key[32]);
void dir_free(struct directory *d);

/* May e stand at log index with log time?  (The hub passes the index and
 * time it is about to assign; a node, those of the record it fetched.)  A
 * device revoked at a later index, or whose certificate expires later, was
 * still good for e.  Does not check e's signature (env_verify) and does not
 * change d.  -1 with rs_err naming the rule broken. */
int dir_check(struct directory *d, const struct envelope *e, int64_t index,
    int64_t time, int flags);
/* Applies e (already checked) at log index. */
void dir_apply(struct directory *d, const struct envelope *e, int64_t index);

struct dir_device *dir_device(struct directory *d, const uint8_t key[32]);
/* Is key a current device (certified, not revoked, its root key not
 * disowned) at log index? */
int dir_device_current(struct directory *d, const uint8_t key[32], int64_t index);
/* Is key an admitted root key (of state, unless NULL) that was not
 * disowned? */
int dir_is_root(struct directory *d, const char *state, const uint8_t key[32]);
/* The root key key, NULL when it was never admitted. */
struct dir_root *dir_root_of(struct directory *d, const uint8_t key[32]);
/* Is the State's set of root keys contested: has it a root key that is
 * neither endorsed nor disowned?  Every node warns about such a State. */
int dir_state_contested(struct directory *d, const char *state);
/* Is key a device certified by a root key that is not endorsed (yet)?  A
 * sender's node does not encrypt to it unless asked (section 2). */
int dir_device_unconfirmed(struct directory *d, const uint8_t key[32]);
/* The group called name, NULL when there is none (or it was dissolved). */
struct dir_group *dir_group(struct directory *d, const char *name);
int dir_group_has(const struct dir_group *g, const char *state);

/* Role names a State's device may have (diplomatic, technical, alternate). */
int dir_valid_role(const char *role);
/* The person a certificate (or its request) names, as every reader will
 * see it: name one line (vocab_line_ok), e-mail that
 * passes vocab_email_check, languages (optional) a list of language tags.
 * The hub before appending, every node replaying and `roster certify`
 * before signing all ask this.  0, or -1 with rs_err naming the field. */
int dir_cert_person_check(json_t *p) __attribute__((warn_unused_result));

/* A stakeholder's device (docs/protocol.md sections 2 and 10): certified by
 * the operator for an accredited application, with the role "stakeholder"
 * and the State code "ZZ", which no State can have (the operator cannot
 * admit a root key for it, a group cannot list it), so that nothing
 * addressed to States ever reaches such a device: it is never a recipient,
 * and it signs only the kinds whose row allows KIND_BY_STAKEHOLDER. */
#define DIR_STAKEHOLDER_ROLE	"stakeholder"
#define DIR_STAKEHOLDER_STATE	"ZZ"
int dir_is_stakeholder(const struct dir_device *dev);
/* A code a State can have: two capital letters, not DIR_STAKEHOLDER_STATE. */
int dir_state_code(const char *s);
/* Is e a certificate naming a stakeholder's application (its id in
 * application)?  Its form only: dir_check decides whether it stands. */
int dir_stakeholder_cert(const struct envelope *e, uint8_t application[32]);

/* The proof of possession a device signs in its certification request. */
void dir_pop_message(struct buf *m, const char *state, const uint8_t device[32],
    const uint8_t box[32]);

#endif
