/*
 * verify.h - how a node decides to believe the hub: checkpoints, inclusion,
 * consistency, the directory replayed from verified records, and the
 * own-State check.  See verify.c for the reasoning.
 *
 * A checkpoint is checked in two steps so that no network request is made
 * inside a transaction: checkpoint_check (signature, hub name, and the
 * consistency proof against the newest checkpoint held, fetched from the
 * hub) runs before the caller opens its transaction; checkpoint_accept
 * (the store is still where the check left it, no downgrade, no other
 * checkpoint of its size, agreement with the public records held) runs in
 * it and asks the hub nothing.
 */
#ifndef ROSTER_NODE_VERIFY_H
#define ROSTER_NODE_VERIFY_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define VERIFY_WUR __attribute__((warn_unused_result))

/* A checkpoint the hub sent, checked as far as it can be without the
 * store's transaction, and the newest checkpoint held that it was checked
 * against (has_base 0: none was held). */
struct cp_check {
	struct checkpoint cp;
	int has_base;
	uint64_t base_size;
	uint8_t base_root[32];
};

/* Parses j, checks the operator signature and the hub's name, and proves
 * it consistent with the newest checkpoint held (GET
 * /v1/proof/consistency when their sizes differ).  NR_OK with c filled
 * (cp_check_free it); otherwise c is freed and: NR_REFUSED (signature or
 * name), NR_HOSTILE (not one history with the newest held: the alarm
 * history-rewritten is stored), NR_TRANSPORT (no proof to be had now),
 * NR_STORAGE. */
enum node_result checkpoint_check(struct node *n, json_t *j, struct cp_check *c) VERIFY_WUR;
/* In the caller's transaction, asking the hub nothing: NR_AGAIN when the
 * newest checkpoint held is no longer the one c was checked against
 * (another process took a newer one: check again); NR_HOSTILE, with an
 * alarm, for a v1 checkpoint from a hub that signed v2
 * (checkpoint-downgrade), another checkpoint of its size that is not the
 * same tree, or public records that disagree with it (split-view);
 * NR_STORAGE; NR_OK once kept. */
enum node_result checkpoint_accept(struct node *n, const struct cp_check *c) VERIFY_WUR;
void cp_check_free(struct cp_check *c);
/* Both steps, outside any transaction (audit): NR_OK with *out filled. */
enum node_result verify_checkpoint(struct node *n, json_t *j, struct checkpoint *out)
    VERIFY_WUR;

/* NR_OK when the proof leads from (id, time) at index to cp's root, else
 * NR_REFUSED with rs_err. */
enum node_result verify_inclusion(const struct checkpoint *cp, uint64_t index,
    const uint8_t id[32], int64_t time, json_t *proof) VERIFY_WUR;
/* NR_OK when the checkpoints (size1, root1) and (size2, root2) are one
 * history; NR_HOSTILE when they are not (the proof fails, or the hub
 * cannot give one); NR_TRANSPORT when the hub cannot be asked. */
enum node_result consistency_check(struct node *n, uint64_t size1, const uint8_t root1[32],
    uint64_t size2, const uint8_t root2[32]) VERIFY_WUR;
/* Does an operator-signed checkpoint agree with what this node holds,
 * asking the hub nothing?  Every checkpoint held of its size is the same
 * tree (root, and for v2 the public size and root), and when its size is at
 * most the size up to which this node holds every public record, its
 * public size is the number of them below its size and its public root
 * their root (section 8).  NR_HOSTILE (and an alarm split-view, naming
 * who, with the checkpoint as evidence) when not; NR_STORAGE; NR_OK. */
enum node_result checkpoint_clash(struct node *n, const struct checkpoint *cp,
    const char *who) VERIFY_WUR;
/* NR_HOSTILE (and an alarm) when e is a key record about this node's
 * State not made with one of the State's own root keys (own_root_key);
 * NR_OK otherwise. */
enum node_result own_state_alarm(struct node *n, const struct envelope *e, int64_t index);
/* Is key one of this node's State's own root keys: the one that certified
 * this device (n->cfg.root_key), or one endorsed since by an endorse
 * record signed with an own root key (the chain followed back)?  A key the
 * directory calls endorsed only because it was admitted first is not
 * enough: the operator could have admitted it before the State's own. */
int own_root_key(struct node *n, const uint8_t key[32]);
/* After the State endorsed one of its root keys: the foreign-key alarms
 * are resolved and every key record about the State held is judged again
 * (those still foreign raise theirs again).  0, or -1 with rs_err. */
int own_state_review(struct node *n) VERIFY_WUR;

/* The directory: rebuilt from every directory record held, in log order
 * (directory_load), and brought up to date with the records another
 * process of this node stored meanwhile (directory_refresh: a CLI command
 * beside `roster serve`). */
int directory_load(struct node *n) VERIFY_WUR;
int directory_refresh(struct node *n) VERIFY_WUR;

#endif
