/*
 * sequencer.h - the one place where envelopes enter the log.
 *
 * Request handlers parse and verify envelopes on their own threads, then
 * hand them to the sequencer and wait.  The sequencer thread takes whatever
 * is queued, from any number of requests, and appends it in one SQLite
 * transaction and one tree sync (group commit): the cost of making a batch
 * durable is paid once for all of it.  See sequencer.c.
 */
#ifndef ROSTER_HUB_SEQUENCER_H
#define ROSTER_HUB_SEQUENCER_H

#include <stddef.h>
#include <stdint.h>

#include "envelope.h"
#include "statement.h"
#include "store.h"

struct seq_item {
	struct envelope e;	/* parsed and signature-checked by the caller */
	int status;		/* in: 0 = to append; out: 0 = appended, else
				 * the HTTP status of the refusal */
	int has_receipt;	/* appended, or already in the log (409) */
	uint64_t index;		/* log index and time for the receipt */
	int64_t time;
	int64_t retry_after;	/* 429: seconds until the quota allows it */
	char err[256];
};

struct seq_batch {
	struct seq_item *items;
	size_t n;
	int done;
	struct seq_batch *next;
};

/* Appends every item with status 0 of every batch in the list, in order, in
 * one transaction; sets each item's outcome.  Writer thread only (or a
 * process holding the hub lock with no sequencer running). */
void seq_process(struct store *s, struct seq_batch *list);

struct sequencer;
struct sequencer *seq_start(struct store *s);
/* Finishes what is queued, then stops the thread. */
void seq_stop(struct sequencer *q);
/* Queues items and waits until they are durable or refused. */
void seq_submit(struct sequencer *q, struct seq_item *items, size_t n);
/* The same in two halves, so that a request can queue part of its batch
 * and verify the next part while the sequencer appends the first.  b (with
 * items and n set) must stay alive until seq_wait(b) returns; batches
 * queued by one thread are appended in the order queued. */
void seq_enqueue(struct sequencer *q, struct seq_batch *b);
void seq_wait(struct sequencer *q, struct seq_batch *b);

/* Called on the sequencer thread after each commit that appended
 * something, with the batches just processed (items with status 0 were
 * appended and are durable; the committed size is already published).
 * Long polling (mailwait.c) uses it to wake the waiting recipients.  Set
 * it before the first enqueue, clear it (NULL) before stopping whatever
 * it calls. */
typedef void (*seq_notify_fn)(void *arg, const struct seq_batch *list);
void seq_set_notify(struct sequencer *q, seq_notify_fn fn, void *arg);

/* The operator's receipt for an item with has_receipt. */
void seq_receipt(struct store *s, const struct seq_item *it, struct receipt *r);

#endif
