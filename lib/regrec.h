/*
 * regrec.h - the record shapes of the registries (docs/protocol.md section
 * 11): norm proposals, their versions and co-sponsors, checklists, national
 * reports, CII lists, terms, definitions and translations, and the
 * capacity-building requests, offers and steps; and the one field the
 * registries add to a process proposal, "adopts", which binds a decision to
 * the item it agrees.
 *
 * As lib/procrec.c for the process: this file knows what each record looks
 * like, not what the log holds.  regrec_parse reads one envelope's header
 * and, when it is plaintext, its payload; regrec_content reads a payload's
 * JSON (plaintext, or what a reader decrypted from a sealed one), so that
 * the hub, the sender's node and every reader check the same shape with the
 * same code.  Whether the norm, term, code or request it names exists is
 * lib/registry.c's.
 *
 * Public or sealed: every registry kind is a public record (section 8: a
 * leaf of the public tree, served to every node), so a hub cannot hide a
 * version of XB's CII list from one State nor slip in a record about XB
 * that XB's node does not see.  A report, a CII list, a capacity-building
 * request or offer whose author chose an audience carries a sealed payload
 * (lib/seal.h) to the devices of that audience: the hub and the other
 * States see that it exists, who wrote it, when, its version, its size and
 * which devices can open it, never what it says.  docs/registries.md says
 * why this and not mail.
 */
#ifndef ROSTER_REGREC_H
#define ROSTER_REGREC_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "envelope.h"
#include "kinds.h"
#include "procrec.h"
#include "regdata.h"

#define REG_ID_MAX		65	/* a norm or term id: data id or 64 hex, NUL */
#define REG_TITLE_MAX		512	/* bytes of a title or a term's form */
#define REG_TEXT_MAX		16384	/* bytes of a norm's or definition's text */
#define REG_NOTE_MAX		2048	/* bytes of a report entry's note */
#define REG_LONG_MAX		65536	/* a report's note, needs, an offer */
#define REG_MAX_SOURCES		32
#define REG_MAX_ENTRIES		1000	/* entries of a report */
#define REG_MAX_ACTIONS		99	/* actions of a checklist */
#define REG_MAX_SPHERES		256	/* spheres of a CII list */
#define REG_MAX_MAPS		8
#define REG_MAX_CB_LANGS	16
#define REG_MAX_AREAS		16
#define REG_MAX_VERSION		1000000

/* What a check of a registry record found.  The hub answers 400 for
 * MALFORMED and UNKNOWN, 403 for FORBIDDEN, 409 for CLOSED and DUPLICATE;
 * every refusal leaves a sentence naming the field or rule in rs_err. */
enum reg_result {
	REG_OK = 0,
	REG_MALFORMED = -1,	/* the record's own shape */
	REG_UNKNOWN = -2,	/* names a norm, term, code or record not there */
	REG_FORBIDDEN = -3,	/* the signer may not do this */
	REG_CLOSED = -4,	/* too late: agreed, closed */
	REG_DUPLICATE = -5,	/* done already */
};

enum reg_kind {
	REG_K_NONE = 0,
	REG_K_NORM,
	REG_K_NORM_VERSION,
	REG_K_COSPONSOR,
	REG_K_CHECKLIST,
	REG_K_REPORT,
	REG_K_CII,
	REG_K_TERM,
	REG_K_DEFINITION,
	REG_K_TRANSLATION,
	REG_K_CB_REQUEST,
	REG_K_CB_OFFER,
	REG_K_CB_STEP,
	REG_K_PROPOSAL,		/* the process's, for its "adopts" */
};

/*
 * The registry kinds.  Their row in lib/kinds.c is the one table that says
 * public or mail, who signs, chained, and the payload limit (all public,
 * signed by devices and chained); this table adds only what the registries
 * need beside it: which of its own kinds a name is, and whether its author
 * may choose an audience.
 */
struct reg_kind_info {
	const char *name;
	enum reg_kind kind;
	enum kind id;		/* its row in lib/kinds.c */
	int may_seal;		/* its author may choose an audience */
};

/* The entry for a registry kind name; NULL otherwise (and for "proposal",
 * which is the process's). */
const struct reg_kind_info *regrec_kind(const char *name);
/* All entries, ending with a NULL name. */
extern const struct reg_kind_info reg_kinds[];

enum reg_audience { REG_PUBLIC = 0, REG_SEALED };
enum reg_to_kind { REG_TO_ALL = 0, REG_TO_GROUP, REG_TO_LIST };
enum reg_step { REG_STEP_ACCEPT = 1, REG_STEP_COMPLETE, REG_STEP_CLOSE };
enum reg_item { REG_ITEM_NORM = 1, REG_ITEM_DEFINITION, REG_ITEM_CHECKLIST };

/* Who a sealed record is for, as its author declared it in "to". */
struct reg_to {
	enum reg_to_kind kind;
	char group[PROC_NAME_MAX];
	struct proc_states list;
};

/* A parsed record.  Fields not used by its kind are zero. */
struct reg_rec {
	enum reg_kind kind;
	char item[REG_ID_MAX];		/* "norm" (norm-version, cosponsor,
					 * checklist), "term" (definition), the
					 * adopted item's id (proposal) */
	int has_ref;			/* translation: "ref"; cb-offer, cb-step: */
	uint8_t ref[32];		/* "request" */
	int has_offer;			/* cb-step */
	uint8_t offer[32];
	char lang[PROC_LANG_MAX];	/* translation */
	int64_t version;		/* norm-version, checklist, report, cii,
					 * proposal ("adopts"); 0 when none */
	enum reg_audience audience;
	struct reg_to to;		/* sealed records */
	enum reg_step step;		/* cb-step */
	enum reg_item adopts;		/* proposal: 0 when it adopts nothing */
	json_t *payload;		/* parsed plaintext payload; NULL when sealed
					 * (and for a proposal) */
};

/* Reads e as a registry record (or a process proposal, for its "adopts").
 * REG_OK, or REG_MALFORMED with rs_err naming the field; the record is then
 * empty.  A plaintext payload's shape is checked too (regrec_content).
 * Free with regrec_free either way. */
enum reg_result regrec_parse(const struct envelope *e, struct reg_rec *r)
    __attribute__((warn_unused_result));
void regrec_free(struct reg_rec *r);

/* The shape of a payload of kind k (a plaintext one, or what a reader
 * decrypted); for a translation, target says what it translates
 * (REG_K_TERM, REG_K_DEFINITION, REG_K_NORM).  REG_OK or REG_MALFORMED with
 * rs_err naming the field. */
enum reg_result regrec_content(enum reg_kind k, json_t *payload, enum reg_kind target)
    __attribute__((warn_unused_result));

/* A norm or term id: a data id, or a record id (64 lower-case hex). */
int regrec_item_id_ok(const char *s);

/* The statuses of a report entry. */
#define REG_NSTATUS 4
extern const char *const reg_status_names[REG_NSTATUS];	/* implemented ... */
int regrec_status(const char *s);			/* index or -1 */

#endif
