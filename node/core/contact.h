/*
 * contact.h - whether the hub can be reached and what waits to go to it,
 * as the duty officer must be told on every page and by `roster status`
 * (issue 10 item 8; contact.c).
 */
#ifndef ROSTER_NODE_CONTACT_H
#define ROSTER_NODE_CONTACT_H

#include <jansson.h>

#include "node.h"

/* Keeps what the hub client saw of the hub (its last answer, its last
 * failure and why) in the store, for the next process to read: the end of
 * a sync pass calls it. */
void contact_record(struct node *n);
/* {"reachable": bool, "last_contact": ms or null (the hub's last answer),
 * "failed"?: ms (the last failure, when after it), "error"?: "unreachable"
 * or "hub-error", "detail"?: the transport's words, "outbox": {"count":
 * envelopes without a receipt, "urgent": flash and urgent messages among
 * them, "oldest"?: when the oldest was signed}}; NULL with rs_err. */
json_t *contact_json(struct node *n);

#endif
