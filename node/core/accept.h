/*
 * accept.h - taking one record: the rules a record must meet, beyond what
 * page.c checked without the store (inclusion proof, framing, digest,
 * signature, decryption), to be stored, and what storing it sets off.
 *
 *   public   a public record under the rules the hub applied before
 *            appending it (lib/directory.c's dir_check, which asks
 *            lib/kinds.c for the payload's shape): step 4 of
 *            docs/protocol.md section 8; the own-State alarm; the
 *            directory updated
 *   mail     a message to this device: sender certified and in sequence,
 *            its fields checked, a forward's original checked; stored with
 *            a signed "delivered" acknowledgement, an overdue notice taken
 *            note of, an e-mail alert queued; or an acknowledgement of a
 *            message this node sent, from one of its recipients
 *
 * Each runs in the caller's transaction and returns a node_result
 * (result.h): NR_OK stored; NR_BAD when the record breaks a rule the hub
 * applies too (the hub's doing: an alarm, retried); NR_REFUSED with the
 * reason when it breaks one only this node applies (the sender's doing:
 * refused for good); NR_STORAGE when the store failed (roll back: a failed
 * write is never a refusal, so the record is taken next time).
 */
#ifndef ROSTER_NODE_ACCEPT_H
#define ROSTER_NODE_ACCEPT_H

#include <stdint.h>

#include "node.h"

struct page_rec;

/* What a sync pass took in, and what it left unresolved. */
struct sync_stats {
	int directory, messages, acks, refused, sent;
	int public;		/* public records taken */
	int alarms;		/* records kept as unresolved alarms by this pass */
	int resolved;		/* alarms resolved by this pass */
	int64_t unresolved;	/* records alarms wait for after the pass (-1: unknown) */
	uint64_t checkpoint;
};

enum node_result accept_public(struct node *n, const struct envelope *e, int64_t index,
    int64_t time, struct sync_stats *s) __attribute__((warn_unused_result));
/* r passed page.c's checks (its plaintext opened).  retake: r comes again
 * after later records of the mail were taken (an alarm retried), so its
 * sender's sequence number may be below the last one seen. */
enum node_result accept_mail(struct node *n, const struct checkpoint *cp,
    const struct page_rec *r, int retake, struct sync_stats *s)
    __attribute__((warn_unused_result));

#endif
