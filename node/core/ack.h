/*
 * ack.h - acknowledgements: the signed "delivered" a receiving node sends
 * by itself, the "acknowledged" a POC gives (`roster ack`, the web's
 * Acknowledge), and the "agreed" of a consultation's outcome.
 *
 * An acknowledgement is an envelope of kind ack naming the message (ref)
 * and its status in the signed header, sealed to the sender's device only,
 * with an optional note inside.  One function signs them all, so the
 * receiving path (accept.c) and the POC's own act (the command line, the
 * web) never reach into each other.
 */
#ifndef ROSTER_NODE_ACK_H
#define ROSTER_NODE_ACK_H

#include <stdint.h>

#include "node.h"

/* Signs an acknowledgement of msg_id with status ("delivered",
 * "acknowledged", "agreed"), encrypted to the sender device, into the
 * outbox inside the caller's transaction; its envelope id in *id (may be
 * NULL).  0, or -1 with rs_err. */
int ack_sign(struct node *n, const uint8_t msg_id[32], const uint8_t sender[32],
    const char *status, const char *note, uint8_t *id) __attribute__((warn_unused_result));

enum ack_result {
	ACK_SIGNED,		/* in the outbox, the message marked acknowledged */
	ACK_NOT_RECEIVED,	/* no message received with that id: only recipients ack */
	ACK_ALREADY,		/* this State acknowledged it already (or answered it) */
	ACK_FAILED,		/* rs_err says why; nothing changed */
};
/* The POC acknowledges received message id: signs "acknowledged" and marks
 * the message, in one transaction of its own.  An overdue notice is not
 * acknowledged for itself: what awaits the State's acknowledgement is the
 * message it names, so that one is acknowledged (to its sender, whether or
 * not this node holds it; the sender's node takes an acknowledgement from
 * any device its notice reached) and the notice is marked with it.  The
 * message acknowledged goes in *acked (may be NULL).  The caller flushes. */
enum ack_result ack_message(struct node *n, const uint8_t id[32], const char *note,
    uint8_t *acked) __attribute__((warn_unused_result));

#endif
