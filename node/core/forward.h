/*
 * forward.h - forwarding a received message, within what its TLP label and
 * its sender allow, with a link every recipient can check (the receiving
 * side is original.h).
 */
#ifndef ROSTER_NODE_FORWARD_H
#define ROSTER_NODE_FORWARD_H

#include <stdint.h>

#include "message.h"
#include "node.h"
#include "store.h"
#include "tlp.h"

enum forward_result {
	FORWARD_SENT,		/* sent or queued: *r says which */
	FORWARD_FORBIDDEN,	/* its TLP label or its sender forbid it: rs_err names the rule */
	FORWARD_FAILED,		/* any other failure, rs_err says why */
};
/* Forwards received message id to an audience (as `roster send --to`).
 * FORWARD_FORBIDDEN puts the rule in *rule (may be NULL). */
enum forward_result forward_send(struct node *n, const uint8_t id[32], const char *to,
    const char *roles, const char *note, const char *lang, uint8_t newid[32],
    struct sent *r, enum tlp_rule *rule) __attribute__((warn_unused_result));

/* What the rules allow before anyone asks (the page offers only that):
 * {"allowed": bool, "targets": [States a forward of message m may go to],
 * "why"?: code when none}.  Never the original's author's State (it has
 * the message); the own State only when it has another current device.
 * The codes: tlp_rule_code's, "no-state" (the rule allows States, none is
 * left), "own-message" (this node wrote it), "notice" (an overdue notice),
 * "not-stored" (no content kept), "original-unverified" (a forward whose
 * original did not verify). */
json_t *forward_offer(struct node *n, const struct msg_row *m, json_t *content);

#endif
