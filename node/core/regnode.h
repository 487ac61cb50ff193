/*
 * regnode.h - the registries (docs/registries.md) on a node: norms,
 * checklists, reports, terms, CII lists and capacity-building as this
 * node's own verified public records make them.
 *
 * The state is procnode's (node/core/procnode.c): one replay of the
 * records below the verified checkpoint through lib/rules.c, the directory
 * by dir_apply, the process and the registries by rules_replay, so the
 * standing of a norm ("agreed" only by a decision of a body) is computed
 * from the same process state the decisions are.  A registry record the
 * rules refuse is left out and counted there.  The views are lib/regview.c's,
 * the same code the web pages and any other node read, so two nodes that
 * verified the same records print the same --json byte for byte.
 */
#ifndef ROSTER_NODE_REGNODE_H
#define ROSTER_NODE_REGNODE_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"
#include "procnode.h"
#include "regview.h"

struct regnode {
	struct procnode pn;	/* dir, proc, reg, as_of, refused */
};

/* Replays the node's verified public records (procnode_load), with this
 * device's key as the reader of sealed records when it is unlocked.  0, or
 * -1 with rs_err. */
int regnode_load(struct node *n, struct regnode *rn) __attribute__((warn_unused_result));
void regnode_free(struct regnode *rn);

/* The log time the views are computed at: at (>= 0) or the verified
 * checkpoint's (procnode_at). */
int64_t regnode_at(const struct regnode *rn, int64_t at);

/* The norms (reg_view_norms): agreed first; f may be NULL. */
json_t *regnode_norms(const struct regnode *rn, int64_t at,
    const struct reg_norm_filter *f);
/* One norm, by its data id ("a70-174-13f"), its record id, or a unique
 * prefix of at least 8 hex digits of a record id; NULL with rs_err. */
json_t *regnode_norm(const struct regnode *rn, int64_t at, const char *id);
/* Terms matching query in any language and script (all when NULL). */
json_t *regnode_terms(const struct regnode *rn, int64_t at, const char *query);
/* One term, by id or unique prefix as for norms; NULL with rs_err. */
json_t *regnode_term(const struct regnode *rn, int64_t at, const char *id);

/* The "adopts" of a process proposal (docs/protocol.md section 11) from
 * "norm:ID[:VERSION]", "checklist:NORM:VERSION" or "definition:ID", ID
 * found as regnode_norm finds it (a definition: its record id or prefix);
 * a norm's VERSION defaults to its current one.  Whether the item can be
 * adopted is the rules' (procnode_sign checks).  NULL with rs_err. */
json_t *regnode_adopts(const struct procnode *pn, const char *arg);

/* Is status one a norm may have ("agreed", "proposed",
 * "under-discussion")? */
int regnode_norm_status_ok(const char *status);

#endif
