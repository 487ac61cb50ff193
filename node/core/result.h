/*
 * result.h - what came of taking something from the hub: the outcomes of
 * verifying, accepting and syncing, by name.
 *
 * The caller's next step depends only on the outcome, so each says what
 * to do with the transaction that was open and whether to try again:
 *
 *   NR_OK          taken; commit.
 *   NR_REFUSED     breaks a rule (signature, proof, directory, this
 *                  node's own rules): refused with the reason in rs_err and
 *                  not retried.  For a listing page: its checkpoint was not
 *                  accepted (an alarm may have been stored: commit it).
 *   NR_RETRY       not yet: the record came from a device newer than this
 *                  node's directory; bring the directory up to date and
 *                  take it again.
 *   NR_HOSTILE     the hub contradicted itself or its own signed
 *                  statements (an alarm is stored with the evidence), or
 *                  sent a page that cannot be read in order: nothing of the
 *                  page is taken (roll back, keeping the alarm where the
 *                  caller says so).
 *   NR_STORAGE     this node's store failed: roll back; nothing was lost
 *                  and the next pass takes the same records again.  Never
 *                  reported as a refusal or a duplicate.
 *   NR_TRANSPORT   the hub could not be reached or did not answer: try
 *                  again later.
 */
#ifndef ROSTER_NODE_RESULT_H
#define ROSTER_NODE_RESULT_H

enum node_result {
	NR_OK = 0,
	NR_REFUSED,
	NR_RETRY,
	NR_HOSTILE,
	NR_STORAGE,
	NR_TRANSPORT,
};

/* "ok", "refused", ... (node.c). */
const char *node_result_name(enum node_result r);

#endif
