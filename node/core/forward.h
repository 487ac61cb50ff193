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

enum forward_result {
	FORWARD_SENT,		/* sent or queued: *r says which */
	FORWARD_FORBIDDEN,	/* its TLP label or its sender forbid it: rs_err names the rule */
	FORWARD_FAILED,		/* any other failure, rs_err says why */
};
/* Forwards received message id to an audience (as `roster send --to`). */
enum forward_result forward_send(struct node *n, const uint8_t id[32], const char *to,
    const char *roles, const char *note, const char *lang, uint8_t newid[32],
    struct sent *r) __attribute__((warn_unused_result));

#endif
