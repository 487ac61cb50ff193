/*
 * rules.h - the rules of every record, in the one order the hub and every
 * node run them.
 *
 * Four state machines are fed the log in order: the directory
 * (lib/directory.c: who signed, is the device current, its sequence and
 * chain, the directory kinds' own rules), the communication checks (inside
 * the directory's rules), the process (lib/process.c: bodies, papers,
 * decisions, stakeholders) and the registries (lib/registry.c: norms,
 * checklists, reports, terms, CII lists, capacity-building).  A record must
 * pass the directory's rules first, then its family's: a process kind the
 * process's (and a proposal that "adopts" a norm, definition or checklist
 * the registries' too), a registry kind the registries', and a
 * certificate the operator signed for a stakeholder's device the rule that
 * its application is accredited at that log time.  Calling the families
 * one by one at each call site would let the hub and the node differ in
 * the order or forget one; this file is the order, written once.
 *
 * The hub runs rules_check before it appends a record and rules_apply after
 * (hub/sequencer.c), and replays rules_take over its stored public records
 * at start-up; a node runs rules_take on every public record it takes.
 * The directory, the process and the registries must be as of the records
 * before it (the same records, applied by the same calls).  The registries
 * are over the shipped data (regdata_shipped): hub and nodes run the same.
 */
#ifndef ROSTER_RULES_H
#define ROSTER_RULES_H

#include <stdint.h>

#include "directory.h"
#include "envelope.h"
#include "process.h"
#include "registry.h"

/* What rules_check found.  Anything but RULES_OK comes with rs_err. */
enum rules_result {
	RULES_OK = 0,
	RULES_DIRECTORY,	/* dir_check refused: 403, or 409 for a break in
				 * the device's chain (the caller can tell) */
	RULES_MALFORMED,	/* 400: the record's own shape */
	RULES_UNKNOWN,		/* 400: names a body or record not in the log */
	RULES_FORBIDDEN,	/* 403: the signer may not do this */
	RULES_CLOSED,		/* 409: too late, decided or withdrawn */
	RULES_DUPLICATE		/* 409: done already */
};

/* May e stand at log index with log time?  flags are dir_check's
 * (DIR_CHECK_CHAIN on the hub).  Changes nothing. */
enum rules_result rules_check(struct directory *d, struct process *p,
    struct registry *r, const struct envelope *e, int64_t index, int64_t time,
    int flags) __attribute__((warn_unused_result));
/* Applies e, which rules_check accepted at this index and time. */
void rules_apply(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time);
/* rules_check, then rules_apply when it passed. */
enum rules_result rules_take(struct directory *d, struct process *p,
    struct registry *r, const struct envelope *e, int64_t index, int64_t time,
    int flags) __attribute__((warn_unused_result));

/* A stored public record replayed into the families (the directory's own
 * records are dir_apply'd by the caller, which took them already): a
 * process record by the process's rules (and the registries', for its
 * "adopts"), a registry record by the registries'; RULES_OK for any other
 * kind.  A refusal applies nothing. */
enum rules_result rules_replay(struct directory *d, struct process *p,
    struct registry *r, const struct envelope *e, int64_t index, int64_t time)
    __attribute__((warn_unused_result));

/* The HTTP status the hub answers for a refusal other than
 * RULES_DIRECTORY (docs/protocol.md section 10, "Refusals"). */
int rules_status(enum rules_result r);

#endif
