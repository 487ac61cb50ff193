/*
 * public.h - the public feed (docs/protocol.md section 8): every public
 * record, in order, proved complete up to a checkpoint.
 *
 * A page is taken in two steps.  public_plan, with no transaction open,
 * runs checks 1 to 3 of section 8 on the records page.c checked, in order,
 * and stops at the first that fails; it folds their leaves into a copy of
 * the compact range and, when they reach the checkpoint's public size,
 * compares its root with the checkpoint's public root.  A gap, a page that
 * ends short, or a root that does not match is pinpointed by asking the
 * hub for the leaf the node needs (GET /v1/proof/public), which names the
 * log index of the record left out.  public_take, in the transaction,
 * applies check 4 (the rules), stores what passed, keeps the alarm of the
 * first failure with its evidence, and when the root matched marks the
 * directory complete up to the checkpoint's size and checks what that
 * makes checkable: the records this node held before without a public
 * index, its own receipted public records, other nodes' cosignatures.
 */
#ifndef ROSTER_NODE_PUBLIC_H
#define ROSTER_NODE_PUBLIC_H

#include <stdint.h>

#include "accept.h"
#include "page.h"
#include "store.h"

struct public_plan {
	struct pub_state taken, verified;	/* as read before the page */
	size_t ntake;			/* records of the page to take, from the first */
	uint8_t (*proot)[32];		/* per record: the public root up to it */
	int complete;			/* the records reach the checkpoint's public root */
	int rollback;			/* the records taken since the verified point are
					 * not the hub's public tree: forget their places */
	/* The first failure: its alarm kind (NULL: none), the log index it
	 * names (-1: none known), the record (NULL: none) and why. */
	const char *alarm;
	int64_t alarm_index;
	const struct page_rec *at;
	char why[RS_ERRLEN];
};

/* Where the feed stands: pl's states read (no transaction needed); the
 * page to ask for next is after pl->taken.last_index. */
enum node_result public_start(struct node *n, struct public_plan *pl)
    __attribute__((warn_unused_result));
/* Checks 1 to 3 and the public root on page p (FEED_PUBLIC, checked by
 * page_check), asking the hub for proofs of public leaves where one is
 * missing.  NR_OK with pl filled (public_plan_free it), a failure
 * included (a version 1 checkpoint plans nothing: public_take refuses
 * it); NR_TRANSPORT, NR_STORAGE. */
enum node_result public_plan(struct node *n, const struct page *p,
    struct public_plan *pl) __attribute__((warn_unused_result));
/* In the caller's transaction: NR_AGAIN when another process moved the
 * feed since public_start; NR_REFUSED when the checkpoint was refused (an
 * alarm may be stored: commit; a version 1 checkpoint, which commits to no
 * public tree, is refused, and is a downgrade alarm from a hub that signed
 * version 2); NR_STORAGE; else NR_OK, with s counting what was taken and
 * alarmed (an alarm of the page is kept: commit). */
enum node_result public_take(struct node *n, const struct page *p,
    const struct public_plan *pl, struct sync_stats *s)
    __attribute__((warn_unused_result));
void public_plan_free(struct public_plan *pl);

#endif
