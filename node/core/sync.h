/*
 * sync.h - one pass with the hub: the outbox out, the listings in.
 */
#ifndef ROSTER_NODE_SYNC_H
#define ROSTER_NODE_SYNC_H

#include <stdint.h>
#include <jansson.h>

#include "accept.h"
#include "node.h"

/* The listings of docs/protocol.md section 5. */
enum sync_listing { SYNC_DIRECTORY, SYNC_MAIL, SYNC_COSIGN, SYNC_CHECKS };

/* One page of a listing as the hub answered it, already parsed: verifies
 * the checkpoint, then each record (inclusion proof, envelope, signature,
 * the listing's rules, accept.h) is stored or refused, and *after moves
 * past it.  Runs in the caller's transaction.  NR_OK with *more set;
 * NR_RETRY (commit; the cursor stays before the record that needs a newer
 * directory); NR_REFUSED when the checkpoint is refused (an alarm may have
 * been stored: commit it); NR_HOSTILE when a record is malformed, out of
 * order or outside the checkpoint, and NR_STORAGE when the store fails
 * (roll back: nothing of the page is taken).  rs_err says why. */
enum node_result sync_listing_page(struct node *n, enum sync_listing which, json_t *j,
    int64_t *after, int *more, struct sync_stats *s) __attribute__((warn_unused_result));

/* The directory only; one whole pass (outbox, directory, mail, checks,
 * outbox); the cosignatures (for audit).  0, or -1 with rs_err. */
int sync_directory(struct node *n, struct sync_stats *s) __attribute__((warn_unused_result));
int sync_once(struct node *n, struct sync_stats *s) __attribute__((warn_unused_result));
int sync_cosignatures(struct node *n, struct sync_stats *s)
    __attribute__((warn_unused_result));

#endif
