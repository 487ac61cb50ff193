/*
 * audit.h - is the hub honest?  The checks of `roster audit` (audit.c),
 * each reported as one line through the caller's printer.
 */
#ifndef ROSTER_NODE_AUDIT_H
#define ROSTER_NODE_AUDIT_H

#include "node.h"

struct audit_report {
	/* One line: ok or not, and what was checked. */
	void (*line)(void *ud, int ok, const char *text);
	void *ud;
	int failures;
};

/* Syncs (mail, directory, checks, cosignatures), then checks the newest
 * checkpoint's signature, the consistency of every checkpoint seen, the
 * inclusion of every envelope sent and received, every key record about
 * this node's State, every cosignature (and, with witness, a checkpoint
 * file another State's node verified) against this node's view, and the
 * alarms; cosigns the checkpoint when everything held and cosign is set.
 * r->failures counts what did not hold. */
void audit_run(struct node *n, const char *witness, int cosign, struct audit_report *r);

#endif
