/*
 * registry.h - the rules of the registries (norms, checklists, national
 * reports, terminology, CII lists, capacity-building), as one state machine
 * fed the log's public records in order, beside the directory and the
 * process.
 *
 * The hub runs reg_check before it appends a registry record (or a process
 * proposal: its "adopts") and reg_apply after; every node runs the same two
 * on each public record it takes, with its directory and process in the
 * same state (the records before it applied).  One piece of code, so the
 * hub and the nodes cannot disagree about who may write what, whether a
 * version follows the last, or whether a norm is agreed.
 *
 * Who may sign what (docs/protocol.md section 11):
 *   norm, term, definition, checklist   a current device of a State
 *   norm-version                        a device of the State that proposed it
 *   cosponsor                           a device of another State
 *   report, cii, cb-request             a device of the State it is about:
 *                                       "state" is the author, always
 *   translation, cb-offer               a device of a State, or of a
 *                                       stakeholder accredited at that log time
 *   cb-step                             a device of the requesting State
 * The operator signs none of them: nothing here is an operator's act.
 *
 * "Agreed" is never written: a norm version, a definition or a checklist
 * version is agreed when a process proposal whose header says "adopts" it
 * was adopted (lib/process.h: no member objected before the deadline), and
 * only from that deadline on.  A shipped norm is agreed in the consensus
 * document the data names (its "agreed_in").
 *
 * Time is the log's (the record's log time, never its signer's clock), and
 * whatever depends on a decision is computed at a log time: a norm agreed
 * at t takes no more versions or co-sponsors from t on.
 *
 * Sealed records (a report, a CII list, a request or an offer with an
 * audience) are checked by the hub on their header and framing only: every
 * device that can open one must be a current device of a State in its
 * audience (or of its author).  What they say is checked by the author's
 * node before signing and by each reader after decrypting, with the same
 * rules as a public payload: a reader that finds it wrong shows the
 * version as refused, with the reason (the author's doing, like a message
 * that does not decrypt), and the version still counts in the sequence.
 * A node that can read sealed records gives its device keys with
 * reg_set_reader; the hub gives none.
 */
#ifndef ROSTER_REGISTRY_H
#define ROSTER_REGISTRY_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "directory.h"
#include "envelope.h"
#include "idmap.h"
#include "keys.h"
#include "process.h"
#include "regdata.h"
#include "regrec.h"

/* Who wrote a record: a State, or an accredited stakeholder. */
struct reg_party {
	char state[3];			/* "" for a stakeholder */
	int stakeholder;
	uint8_t application[32];	/* the stakeholder's accredited application */
};

/* One version of a norm proposed by record, and the norm as it stood after
 * it (borrowed from this or earlier payloads). */
struct reg_nversion {
	uint8_t id[32];
	int64_t index, time;
	int version;
	json_t *payload;
	json_t *title, *text, *sources;
	const char *lang;
};

struct reg_cosponsor {
	char state[3];
	int64_t index, time;
};

struct reg_checklist {
	uint8_t id[32];
	int64_t index, time;
	char by[3];
	int version;
	json_t *payload;
};

struct reg_norm {
	long data;			/* index in the data, -1 for a record */
	char id[REG_ID_MAX];		/* the data id, or the record id in hex */
	int64_t index, time;		/* records: the norm record */
	char by[3];			/* the proposer; "" for an agreed data norm */
	struct reg_nversion *v;		/* records: version order */
	size_t nv;
	struct reg_cosponsor *co;
	size_t nco;
	struct reg_checklist *cl;	/* checklist records, version order */
	size_t ncl;
	uint64_t actions[2];		/* action numbers 1..99 any checklist has */
};

struct reg_term {
	long data;
	char id[REG_ID_MAX];
	int64_t index, time;
	char by[3];
	json_t *payload;		/* records */
};

struct reg_def {
	uint8_t id[32];
	size_t term;
	int64_t index, time;
	char by[3];
	json_t *payload;
};

struct reg_trans {
	uint8_t id[32];
	enum reg_kind target;		/* REG_K_TERM, REG_K_DEFINITION, REG_K_NORM */
	size_t ix;			/* into terms, defs or norms */
	int version;			/* a norm's version */
	char lang[PROC_LANG_MAX];
	struct reg_party by;
	int64_t index, time;
	json_t *payload;
};

/* A record that may be sealed: a report or CII list version, a request,
 * an offer. */
struct reg_doc {
	uint8_t id[32];
	int64_t index, time;
	char by[3];			/* the author State; "" for a stakeholder */
	int version;			/* reports and CII lists */
	enum reg_audience audience;
	struct reg_to to;
	size_t nslots;			/* sealed: devices that can open it */
	int readable;			/* public, or opened by this node's reader */
	json_t *content;		/* what it says, when readable and right */
	char *refused;			/* readable but wrong: why */
};

struct reg_statedocs {
	struct reg_doc *reports;
	size_t nreports;
	struct reg_doc *cii;
	size_t ncii;
};

struct reg_accept {
	size_t offer;
	int64_t index, time;
	int64_t completed_index, completed_time;	/* -1 until completed */
};

struct reg_request {
	struct reg_doc d;
	int64_t closed_index, closed_time;		/* -1 while open */
	struct reg_accept *acc;
	size_t nacc;
};

struct reg_offer {
	struct reg_doc d;
	struct reg_party by;
	long request;			/* index into reqs, -1: a standing offer */
};

/* A proposal that adopts an item if it is adopted. */
struct reg_bind {
	uint8_t matter[32];
	enum reg_item item;
	size_t ix;			/* into norms (norm, checklist) or defs */
	int version;
	int64_t index;
};

#define REG_NSTATES (26 * 26)

struct registry {
	const struct regdata *data;
	struct reg_norm *norms;		/* the data's first, then records */
	size_t nnorms;
	struct reg_term *terms;
	size_t nterms;
	struct reg_def *defs;
	size_t ndefs;
	struct reg_trans *trans;
	size_t ntrans;
	struct reg_statedocs *states[REG_NSTATES];
	struct reg_request *reqs;
	size_t nreqs;
	struct reg_offer *offers;
	size_t noffers;
	struct reg_bind *binds;
	size_t nbinds;
	struct { size_t norm; int version; } *vrefs;	/* norm-version records */
	size_t nvrefs;
	struct idmap ids;		/* record id -> (kind, index) */
	const struct keypair *reader;	/* this node's device, or NULL */
	int64_t last_index, last_time;	/* of the last record applied; -1 */
	size_t records;			/* registry records applied */
};

/* A registry over data (which must outlive it). */
struct registry *reg_new(const struct regdata *data);
/* A registry over the shipped data (regdata_shipped): the one the hub
 * and every node run.  NULL with rs_err when the data does not load. */
struct registry *reg_new_shipped(void);
void reg_free(struct registry *r);
/* The device whose sealed records this node reads (its box key opens
 * them); before the first record is applied. */
void reg_set_reader(struct registry *r, const struct keypair *k);

/* Is kind a registry kind (not counting "proposal")? */
int reg_kind(const char *kind);
/* Does reg_check have anything to say about e: a registry kind, or a
 * process proposal? */
int reg_concerns(const struct envelope *e);

/* May e stand at log index with log time, given everything applied so far
 * (d and p as of index)?  REG_OK, or the refusal with rs_err naming the
 * field or the rule broken.  Changes nothing. */
enum reg_result reg_check(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int64_t index, int64_t time)
    __attribute__((warn_unused_result));
/* Applies e, which reg_check accepted at this index and time (for a
 * proposal: before or after proc_apply, with p as it was for the check). */
void reg_apply(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int64_t index, int64_t time);
/* reg_check, then reg_apply when it passed. */
enum reg_result reg_take(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int64_t index, int64_t time)
    __attribute__((warn_unused_result));

/* What the author's node runs on a payload before it seals and signs it:
 * the shape and every reference (norm, action, taxonomy code, area) as of
 * now.  REG_OK or the refusal with rs_err. */
enum reg_result reg_check_content(struct registry *r, enum reg_kind k, json_t *payload)
    __attribute__((warn_unused_result));

/* Lookups; NULL or -1 when absent. */
long reg_norm(const struct registry *r, const char *id);
long reg_term(const struct registry *r, const char *id);
const struct reg_statedocs *reg_state(const struct registry *r, const char *state);

/* What an item came to at log time t. */
enum reg_standing {
	REG_PROPOSED = 0,
	REG_UNDER_DISCUSSION,		/* a proposal adopting it is open */
	REG_AGREED,			/* in a consensus document, or by decision */
};
/* The standing of a norm (item REG_ITEM_NORM), of its checklist
 * (REG_ITEM_CHECKLIST) or of a definition; *version is the agreed version
 * (the latest adopted), or -1. */
enum reg_standing reg_standing(const struct registry *r, struct process *p,
    enum reg_item item, size_t ix, int64_t t, int *version);

#endif
