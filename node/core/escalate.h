/*
 * escalate.h - deadlines: the sender's node tells a silent recipient
 * State's other POCs (escalate.c).
 */
#ifndef ROSTER_NODE_ESCALATE_H
#define ROSTER_NODE_ESCALATE_H

#include <stdint.h>

#include "node.h"

/* Sends overdue notices for this node's messages whose deadline passed
 * without an acknowledgement from a recipient State; *sent counts them.
 * 0, or -1 with rs_err. */
int escalate_due(struct node *n, int *sent) __attribute__((warn_unused_result));
/* Milliseconds until escalate_due may next have something to do. */
int64_t escalate_next_ms(struct node *n);

#endif
