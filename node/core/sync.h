/*
 * sync.h - one pass with the hub: the outbox out, the public records and
 * the mail in.
 */
#ifndef ROSTER_NODE_SYNC_H
#define ROSTER_NODE_SYNC_H

#include <stdint.h>
#include <jansson.h>

#include "accept.h"
#include "node.h"
#include "page.h"
#include "public.h"

/* One page of a feed, checked and ready to be taken. */
struct sync_page {
	struct page p;
	struct public_plan pl;		/* FEED_PUBLIC */
	int64_t after;			/* FEED_MAIL: the cursor it was asked from */
	int64_t retry;			/* FEED_MAIL: the record retried, or -1 */
};

/* Checks page j of feed as the hub answered it, asking the hub for proofs
 * where the page needs them, with no transaction open: the public feed
 * from where this node stands, the mail from its cursor, or (retry >= 0,
 * mail) the one record at log index retry that an alarm waits for.  NR_OK
 * with sp filled (sync_page_free it); NR_REFUSED (the checkpoint is not
 * accepted), NR_HOSTILE (an alarm is stored, or the page cannot be read in
 * order), NR_TRANSPORT, NR_STORAGE. */
enum node_result sync_page_check(struct node *n, enum page_feed feed, json_t *j,
    int64_t retry, struct sync_page *sp) __attribute__((warn_unused_result));
/* Takes sp in the caller's transaction.  NR_OK with *more set (ask for
 * the next page); NR_RETRY (mail: commit; records from the first one past
 * the size up to which the directory is complete wait for the public
 * records to catch up); NR_REFUSED (the checkpoint was refused and an alarm
 * stored: commit); NR_AGAIN (another process moved the store meanwhile:
 * roll back, check again); NR_STORAGE (roll back).  Records failing a check
 * are kept as alarms or refusals in the same transaction (s counts them). */
enum node_result sync_page_take(struct node *n, struct sync_page *sp, struct sync_stats *s,
    int *more) __attribute__((warn_unused_result));
void sync_page_free(struct sync_page *sp);

/* The public records only (the directory, complete up to the newest
 * checkpoint when the hub is honest); one whole pass (outbox, public
 * records, mail, the mail records alarms wait for, outbox).  0 with s
 * filled (s->unresolved > 0: alarms wait for the hub to serve records
 * intact), or -1 with rs_err. */
int sync_directory(struct node *n, struct sync_stats *s) __attribute__((warn_unused_result));
int sync_once(struct node *n, struct sync_stats *s) __attribute__((warn_unused_result));

#endif
