/*
 * result.h - what came of taking something from the hub: the outcomes of
 * verifying, accepting and syncing, by name.
 *
 * The caller's next step depends only on the outcome, so each says what
 * to do with the transaction that was open and whether to try again:
 *
 *   NR_OK          taken; commit.
 *   NR_REFUSED     breaks a rule of this node's own (the payload does not
 *                  decrypt, its fields are wrong, it acknowledges a message
 *                  this node did not send): the sender's doing, refused with
 *                  the reason in rs_err and not retried.  For a listing
 *                  page: its checkpoint was not accepted (an alarm may
 *                  have been stored: commit it).
 *   NR_RETRY       not yet: the record is beyond the log size up to which
 *                  this node holds every public record (its directory is
 *                  not complete there); bring the public records up to
 *                  date and take it again.
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
 *   NR_AGAIN       this node's store moved since the page was checked
 *                  (another process of the node took a page or a newer
 *                  checkpoint meanwhile): roll back, fetch and check again.
 *   NR_BAD         the record as served fails its proof, framing, digest,
 *                  signature or the rules under a verified checkpoint: the
 *                  hub's doing, since an honest hub logs nothing that fails
 *                  them and serves what it logged intact.  Kept as an
 *                  unresolved alarm with its evidence and retried on later
 *                  passes, never skipped silently (docs/protocol.md section
 *                  8).  A record that verifies but whose content breaks a
 *                  rule only the receiver applies is the sender's doing:
 *                  NR_REFUSED.
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
	NR_AGAIN,
	NR_BAD,
};

/* "ok", "refused", ... (node.c). */
const char *node_result_name(enum node_result r);

#endif
