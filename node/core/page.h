/*
 * page.h - one page of a feed as the hub answered it, checked as far as it
 * can be without this node's store: the checkpoint (verify.h,
 * checkpoint_check), then each record's framing, inclusion proof, payload
 * digest and signature, and for mail its decryption.  This is the part of
 * a sync pass that costs CPU and may ask the hub (a consistency proof), so
 * it runs before the store's transaction opens; what needs the store (the
 * directory's rules, sequence numbers, duplicates, completeness) is done
 * after, in the transaction (public.c, accept.c, sync.c).
 *
 * Each record's verdict is NR_OK, NR_BAD (the hub's doing: it fails its
 * proof, framing, digest or signature) or NR_REFUSED (the sender's doing:
 * a message whose payload does not open for this device), with the reason.
 */
#ifndef ROSTER_NODE_PAGE_H
#define ROSTER_NODE_PAGE_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"
#include "verify.h"

enum page_feed { FEED_PUBLIC, FEED_MAIL };

struct page_rec {
	int64_t index, time;
	int64_t pindex;			/* public feed: its public index (-1: none given) */
	json_t *served;			/* the record as served (a reference): evidence */
	struct buf raw;
	struct envelope e;
	int parsed;			/* e is the parsed envelope */
	enum node_result verdict;	/* NR_OK, NR_BAD or NR_REFUSED */
	char why[RS_ERRLEN];
	struct buf plain;		/* mail: the decrypted payload (wiped by page_free) */
};

struct page {
	enum page_feed feed;
	struct cp_check c;
	struct page_rec *r;
	size_t nr;
	int more;			/* the hub says there is more past the last record */
};

/* Checks page j of feed (records with index > after): the checkpoint, then
 * every record.  NR_OK with p filled (page_free it), every record with its
 * verdict; otherwise p is empty and: what checkpoint_check returned, or
 * NR_HOSTILE when the page cannot be read in order (a record without an
 * index or time, indexes not rising from after, an index outside the
 * checkpoint). */
enum node_result page_check(struct node *n, enum page_feed feed, json_t *j, int64_t after,
    struct page *p) __attribute__((warn_unused_result));
void page_free(struct page *p);

/* The record as served with the checkpoint and the reason: an alarm's
 * evidence (malloc'd JSON text). */
char *page_evidence(const struct page *p, const struct page_rec *r, const char *why);

#endif
