/*
 * outbox.h - what this device signs, and its way to the hub.
 *
 * Every envelope the device signs (messages, acknowledgements, checks and
 * answers, cosignatures) gets the next sequence number and the hash of the
 * previous one, and is stored in the outbox in the transaction of whatever
 * it stands for; outbox_flush then submits what has no receipt yet, in
 * order, in batches, and keeps each receipt only when the operator's
 * signature on it verifies and it names the envelope.  If the hub refuses
 * an envelope for good (not a transport error), the chain head is rewound
 * to the last envelope it accepted and the refused ones are marked failed,
 * so one refusal cannot wedge the device.
 */
#ifndef ROSTER_NODE_OUTBOX_H
#define ROSTER_NODE_OUTBOX_H

#include <jansson.h>

#include "node.h"

/* Signs hdr (+ state, seq, prev) and payload with n->key into the outbox,
 * inside the caller's transaction; the envelope in *env and its id. */
int outbox_add(struct node *n, json_t *hdr, const void *payload, size_t len,
    struct buf *env, uint8_t id[32]) __attribute__((warn_unused_result));
/* The same in a transaction of its own. */
int outbox_sign(struct node *n, json_t *hdr, const char *payload, uint8_t id[32])
    __attribute__((warn_unused_result));
/* Submits every envelope without a receipt.  0 (with *sent, if not NULL,
 * counting the receipts taken), or -1 with rs_err: the hub could not be
 * reached (the envelopes wait for the next flush), or its answer failed
 * verification (n->alarms grew). */
int outbox_flush(struct node *n, int *sent) __attribute__((warn_unused_result));

#endif
