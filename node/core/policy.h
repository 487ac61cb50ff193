/*
 * policy.h - the hub's acknowledgement deadlines (docs/protocol.md section
 * 3, Deadlines), as this node keeps them.
 *
 * The policy is read from GET /v1/info by the sync pass, at most once an
 * hour, checked by the rule hub and nodes share (lib/util.c,
 * deadline_policy_check: every deadline within its bounds, none longer
 * than a less urgent one), and kept in the store.  A message takes its
 * deadline from the kept copy, so composing and signing ask the hub
 * nothing (no request inside the transaction that signs it).  A policy
 * that breaks the rule is refused: the copy kept before stays (or the
 * defaults), and the alarm deadline-policy is raised, resolved when the hub
 * serves a policy that keeps the rule again.
 */
#ifndef ROSTER_NODE_POLICY_H
#define ROSTER_NODE_POLICY_H

#include <stdint.h>

#include "node.h"

/* Reads the hub's policy when the copy kept is an hour old or more (force:
 * now).  0 (refused or not), or -1 with rs_err when the hub cannot be asked
 * or the store fails. */
int policy_refresh(struct node *n, int force) __attribute__((warn_unused_result));
/* The deadline for an urgency: the copy kept, or the default. */
int64_t policy_deadline_ms(struct node *n, const char *urgency);

#endif
