/*
 * accept.h - taking one record of a listing: the rules a record must meet,
 * beyond its inclusion proof and signature (which sync.c checks first), to
 * be stored, and what storing it sets off.
 *
 *   directory   a public directory record under the directory's rules
 *               (lib/directory.c, as the hub), with the own-State alarm
 *   mail        a message to this device: sender certified and in
 *               sequence, decrypted, its fields checked, a forward's
 *               original checked; stored with a signed "delivered"
 *               acknowledgement, an overdue notice taken note of, an
 *               e-mail alert queued; or an acknowledgement of a message
 *               this node sent, from one of its recipients
 *   cosign      another node's cosigned checkpoint (audit checks it)
 *   check       a communication check or an answer to one already known
 *
 * Each runs in the caller's transaction and returns a node_result
 * (result.h): NR_OK stored; NR_REFUSED with the reason (the caller records
 * the refusal and moves past); NR_RETRY when the signer may be newer than
 * this node's directory; NR_STORAGE when the store failed (roll back: a
 * failed write is never a refusal, so the record is taken next time).
 */
#ifndef ROSTER_NODE_ACCEPT_H
#define ROSTER_NODE_ACCEPT_H

#include <stdint.h>

#include "node.h"

/* What a sync pass took in. */
struct sync_stats {
	int directory, messages, acks, refused, sent;
	uint64_t checkpoint;
};

typedef enum node_result (*accept_fn)(struct node *, const struct checkpoint *,
    const struct envelope *, int64_t, int64_t, struct sync_stats *);

enum node_result accept_directory(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, int64_t index, int64_t time, struct sync_stats *s)
    __attribute__((warn_unused_result));
enum node_result accept_mail(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, int64_t index, int64_t time, struct sync_stats *s)
    __attribute__((warn_unused_result));
enum node_result accept_cosign(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, int64_t index, int64_t time, struct sync_stats *s)
    __attribute__((warn_unused_result));
enum node_result accept_check(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, int64_t index, int64_t time, struct sync_stats *s)
    __attribute__((warn_unused_result));

#endif
