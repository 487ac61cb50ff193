/*
 * verify.h - how a node decides to believe the hub: checkpoints, inclusion,
 * consistency, the directory replayed from verified records, and the
 * own-State check.  See verify.c for the reasoning.
 */
#ifndef ROSTER_NODE_VERIFY_H
#define ROSTER_NODE_VERIFY_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define VERIFY_WUR __attribute__((warn_unused_result))

/* Parses and checks a checkpoint the hub sent (operator signature, this
 * hub's name, same size same root, consistency with the newest held) and
 * keeps it.  NR_OK with *out filled (checkpoint_free it); otherwise *out
 * is freed and: NR_REFUSED (signature or name), NR_HOSTILE (it contradicts
 * a checkpoint held: an alarm is stored), NR_TRANSPORT (no consistency
 * proof to be had now), NR_STORAGE. */
enum node_result verify_checkpoint(struct node *n, json_t *j, struct checkpoint *out)
    VERIFY_WUR;
/* NR_OK when the proof leads from (id, time) at index to cp's root, else
 * NR_REFUSED with rs_err. */
enum node_result verify_inclusion(struct node *n, const struct checkpoint *cp,
    uint64_t index, const uint8_t id[32], int64_t time, json_t *proof) VERIFY_WUR;
/* NR_OK when the checkpoints (size1, root1) and (size2, root2) are one
 * history; NR_HOSTILE when they are not (the proof fails, or the hub
 * cannot give one); NR_TRANSPORT when the hub cannot be asked. */
enum node_result consistency_check(struct node *n, uint64_t size1, const uint8_t root1[32],
    uint64_t size2, const uint8_t root2[32]) VERIFY_WUR;
/* NR_HOSTILE (and an alarm with both statements as evidence) when this
 * node holds another checkpoint of cp's size with a different root;
 * NR_STORAGE; NR_OK otherwise. */
enum node_result checkpoint_clash(struct node *n, const struct checkpoint *cp) VERIFY_WUR;
/* NR_HOSTILE (and an alarm) when e is a key record about this node's
 * State not made with the State's root key; NR_OK otherwise. */
enum node_result own_state_alarm(struct node *n, const struct envelope *e, int64_t index);

/* The directory: rebuilt from the store (directory_load), brought up to
 * date with the directory records another process of this node stored
 * meanwhile (directory_refresh: a CLI command beside `roster serve`), and
 * one new record applied under the directory's rules (directory_accept:
 * NR_REFUSED, with an alarm, when it breaks them). */
int directory_load(struct node *n) VERIFY_WUR;
int directory_refresh(struct node *n) VERIFY_WUR;
enum node_result directory_accept(struct node *n, const struct envelope *e, int64_t index,
    int64_t time) VERIFY_WUR;

#endif
