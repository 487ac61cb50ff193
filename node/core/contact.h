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
 * failure and why) in the store, for the next process to read, and when a
 * pass last completed (passed: the pass that ends now did): the end of a
 * sync pass calls it. */
void contact_record(struct node *n, int passed);
/* {"reachable": bool, "last_contact": ms or null (the hub's last answer),
 * "synced_at": ms or null (the end of the last complete sync pass: what
 * this node shows is as of then),
 * "failed"?: ms (the last failure, when after it), "error"?: "unreachable"
 * or "hub-error", "detail"?: the transport's words, "outbox": {"count":
 * envelopes without a receipt, "urgent": flash and urgent messages among
 * them, "oldest"?: when the oldest was signed}}; NULL with rs_err. */
json_t *contact_json(struct node *n);
/* When the last complete sync pass ended (ms), 0: never. */
int64_t contact_synced_at(struct node *n);

#endif
