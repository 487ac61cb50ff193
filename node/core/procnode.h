/*
 * procnode.h - the process (docs/protocol.md section 10) on a node: its
 * state computed from the node's own complete public feed, and the records
 * this device signs (proposals, positions, withdrawals, meetings).
 *
 * Named procnode, not process, so that "process.h" stays lib's in every
 * file of node/core.
 */
#ifndef ROSTER_NODE_PROCNODE_H
#define ROSTER_NODE_PROCNODE_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"
#include "process.h"
#include "registry.h"

/* The directory and the process as the public records below the verified
 * checkpoint make them (store_public_each, the records the node proved
 * complete), replayed through lib's rules as the hub replays its own. */
struct procnode {
	struct directory *dir;
	struct process *proc;
	struct registry *reg;	/* the registries (lib/registry.c), same replay */
	uint64_t size;		/* the verified checkpoint's log size */
	int64_t as_of;		/* its log time: outcomes are known up to it */
	/* process and registry records the rules refuse (a hub should have
	 * refused them; they are left out, as every honest reader leaves them
	 * out) */
	size_t refused;
	int64_t first_refused;	/* its log index, -1: none */
	char why[RS_ERRLEN];	/* the rule the first one broke */
	/* this device's positions receipted before the deadline that the
	 * outcome does not count (an alarm each: position-dropped) */
	size_t dropped;
};

/* 0, or -1 with rs_err (a store error, or a stored record that does not
 * parse). */
int procnode_load(struct node *n, struct procnode *pn) __attribute__((warn_unused_result));
void procnode_free(struct procnode *pn);

/* The log time views are computed at: at (>= 0) when given, else as_of;
 * never below the last record's. */
int64_t procnode_at(const struct procnode *pn, int64_t at);

/* The log time a record this device signs now is checked at: its clock,
 * never before the last record's log time nor the verified checkpoint's
 * (the hub's clock is not earlier than what it has logged). */
int64_t procnode_act_time(const struct procnode *pn);

/* A record id or a unique prefix of one (at least 8 hex digits) among the
 * matters (proposals and applications) known; -1 with rs_err. */
int procnode_find_matter(const struct procnode *pn, const char *prefix, uint8_t id[32])
    __attribute__((warn_unused_result));

/* Signs a process record of this device (hdr: the kind's fields; payload
 * JSON text) into the outbox, after checking it with the rules the hub
 * will apply, on this node's state, at the next index and at this node's
 * clock (or the last log time, if later): a refusal here is the rule's
 * sentence, and nothing is signed.  The caller flushes. */
int procnode_sign(struct node *n, const struct procnode *pn, json_t *hdr,
    const char *payload, uint8_t id[32]) __attribute__((warn_unused_result));

/* A position on matter ref: stance "object" or "support"; reason (NULL:
 * none, "no State is obliged to explain") sealed to those the body shows
 * objections to (every member's current devices, or the Chair's). */
int procnode_position(struct node *n, const struct procnode *pn, const uint8_t ref[32],
    const char *stance, const char *reason, size_t reason_len, uint8_t id[32])
    __attribute__((warn_unused_result));

/* One language version to circulate: its language and file. */
struct procnode_file {
	char lang[16];
	const char *path;
};

/* Circulates a paper (hdr kind "paper": body, meeting?) or more language
 * versions of one (hdr kind "paper-lang": paper), audience "public" or
 * "members", title (a texts object, or NULL; a paper's is required): the
 * record is checked by the rules first with the files' sizes (nothing is
 * uploaded for a record the hub would refuse), then each version is
 * encrypted and uploaded as an attachment and the record signed, its
 * header naming each blob's digest and size, its payload giving the keys
 * (public) or sealed to the body's members' current devices.  The caller
 * flushes. */
struct transfer_progress;
int procnode_paper(struct node *n, const struct procnode *pn, json_t *hdr,
    const char *audience, json_t *title, const struct procnode_file *f, size_t nf,
    const struct transfer_progress *prog, uint8_t id[32])
    __attribute__((warn_unused_result));

/* A paper id or a unique prefix of one (as procnode_find_matter). */
int procnode_find_paper(const struct procnode *pn, const char *prefix, uint8_t id[32])
    __attribute__((warn_unused_result));

/* A contribution id or a unique prefix of one. */
int procnode_find_contribution(const struct procnode *pn, const char *prefix,
    uint8_t id[32]) __attribute__((warn_unused_result));

/* An accredited organisation's written contribution to the Chair (this
 * device a stakeholder's: the application is its certificate's): each
 * version uploaded as procnode_paper does, the keys and title sealed to
 * the Chair's current devices.  body, when not NULL, must be the
 * application's.  The caller flushes. */
int procnode_contribute(struct node *n, const struct procnode *pn, const char *body,
    json_t *title, const struct procnode_file *f, size_t nf,
    const struct transfer_progress *prog, uint8_t id[32])
    __attribute__((warn_unused_result));

/* The Chair distributes contribution cid as a paper of its body (for
 * meeting, when not NULL), audience "members" or "public": the same files
 * (language, digest, size) the organisation signed, their keys opened
 * with this device's key and given again (public) or sealed to the
 * members.  Nothing is uploaded.  The caller flushes. */
int procnode_distribute(struct node *n, const struct procnode *pn, const uint8_t cid[32],
    const uint8_t *meeting, const char *audience, uint8_t id[32])
    __attribute__((warn_unused_result));

#endif
