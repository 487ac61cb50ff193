/*
 * sequencer.c - group commit: many requests, one transaction, one sync.
 *
 * Why one thread.  Appending is inherently serial (each envelope gets the
 * next index, each device's chain must be checked against the previous
 * envelope), and durability costs one fdatasync per commit whatever the
 * commit holds.  So the expensive, parallel work (parsing, Ed25519
 * verification, receipt signing) stays on the request threads, and one
 * thread does only the serial part, for everything queued at once:
 *
 *   BEGIN
 *   for each envelope, in arrival order:
 *       rules_check (lib/rules.c: the directory's rules, sequence, hash
 *       chain, then the process's) against the directory and the process
 *       as updated by the envelopes before it in this batch;
 *       index = size, time = max(now, last time); insert log + rcpt rows
 *       (and a pub row when its header makes it a public record);
 *       rules_apply; append the leaf to the tree, and the public leaf to the
 *       public tree (in memory)
 *   write the chain heads of the devices touched
 *   merkle_sync of both trees (fdatasync), COMMIT (fsync, synchronous=FULL)
 *   publish the new committed size and public size together; wake the
 *   waiters, who sign receipts.
 *
 * Quotas (hub/quota.c): an envelope a device signs beyond its hour's
 * quota is refused with 429 and the seconds until it would fit, before the
 * rules are run; only what is appended is counted, and the operator's
 * records never are.  An envelope already in the log still gets its 409
 * and receipt, whatever the quota.
 *
 * A duplicate is noticed cheaply: an envelope already in the log always
 * fails rules_check (a device envelope repeats a used sequence number; an
 * admit, cert or revoke repeats a change already made; the process knows
 * the id of every record it took, the operator's too), so the log is
 * searched (store_lookup) only for refused envelopes, to tell "already in
 * the log" (409 with the existing receipt) from a plain refusal.
 *
 * If anything fails on the way (disk full, I/O error), the transaction is
 * rolled back, the tree cut back to the committed size, the directory and
 * the process rebuilt from the database (rules_apply ran for envelopes
 * that are now not in the log), and every item of the batch answered 503: nothing was
 * appended, and the client may retry.  Should even that rebuild fail, the
 * store is marked broken and refuses everything until restarted.
 *
 * The storage is the store's business (store.h, struct store_ops): with
 * SQLite the transaction is the database's and the trees are files; with
 * PostgreSQL, begin takes the coordination row that several processes
 * share and first catches up with their appends, the trees are rows of the
 * same transaction, and recovery reads everything again from the database
 * (store_pg_write.c).  The steps above are the same.
 */
#include "sequencer.h"

#include <assert.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "log.h"
#include "metrics.h"
#include "rules.h"
#include "util.h"

struct sequencer {
	struct store *s;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t work;
	pthread_cond_t done;
	struct seq_batch *head, *tail;
	int stop;
	seq_notify_fn notify;		/* under mu */
	void *notify_arg;
};

/* Devices whose chain head moved in this batch. */
struct heads {
	struct dir_device **v;
	size_t n, cap;
};

/* dir_check refused e: 409 when the refusal is about its place in the
 * device's chain (replayed, reordered, gap), 403 for the directory rules,
 * 400 for an unknown kind. */
static int
refusal_status(struct directory *d, const struct envelope *e)
{
	struct dir_device *dev;

	if (e->kind_id == KIND_UNKNOWN)
		return 400;
	if (!kind_has(e->kind_id, KIND_CHAINED))
		return 403;
	dev = dir_device(d, e->key);
	if (dev == NULL || dev->revoked_index >= 0 || e->state == NULL ||
	    strcmp(dev->state, e->state) != 0)
		return 403;
	if (e->seq != dev->last_seq + 1)
		return 409;
	if (dev->last_seq == 0 ? e->has_prev :
	    (!e->has_prev || memcmp(e->prev, dev->last_id, 32) != 0))
		return 409;
	return 403;
}

static void
heads_add(struct heads *h, struct dir_device *dev)
{
	if (h->n > 0 && h->v[h->n - 1] == dev)
		return;
	if (h->n == h->cap) {
		h->cap = h->cap ? h->cap * 2 : 64;
		h->v = xrealloc(h->v, h->cap * sizeof(*h->v));
	}
	h->v[h->n++] = dev;
}

static int
ptr_cmp(const void *a, const void *b)
{
	uintptr_t x = (uintptr_t)*(void *const *)a, y = (uintptr_t)*(void *const *)b;

	return x < y ? -1 : x > y;
}

static int
heads_write(struct store *s, struct heads *h)
{
	if (h->n == 0)
		return 0;
	qsort(h->v, h->n, sizeof(*h->v), ptr_cmp);
	for (size_t i = 0; i < h->n; i++) {
		struct dir_device *dev = h->v[i];
		if (i > 0 && h->v[i - 1] == dev)
			continue;
		if (s->ops->set_head(s, dev->key, dev->last_seq, dev->last_id) != 0)
			return -1;
	}
	return 0;
}

static void
item_refuse(struct seq_item *it, int status, const char *why)
{
	it->status = status;
	it->has_receipt = 0;
	snprintf(it->err, sizeof(it->err), "%.255s", why);
}

/* Marks it as a 409 duplicate when its id is stored.  1 when it was, 0 when
 * not, -1 on a database error. */
static int
check_duplicate(struct store *s, struct seq_item *it)
{
	uint64_t idx;
	int64_t t;
	int rc = s->ops->lookup(s, &it->e, &idx, &t);

	if (rc == 1) {
		it->status = 409;
		it->has_receipt = 1;
		it->index = idx;
		it->time = t;
		snprintf(it->err, sizeof(it->err),
		    "envelope already in the log at index %llu",
		    (unsigned long long)idx);
	}
	return rc;
}

/* 1 appended, 0 refused, -1 the batch must be abandoned. */
static int
sequence_one(struct store *s, struct seq_item *it, uint64_t idx, struct heads *h)
{
	const struct envelope *e = &it->e;
	struct dir_device *dev;
	uint8_t leaf[32];
	uint64_t pub;
	int64_t t, retry;
	enum rules_result verdict;
	int rc, counted;

	t = now_ms();
	if (t < s->last_time)
		t = s->last_time;
	assert(t >= s->last_time);	/* log times never decrease */
	counted = memcmp(e->key, s->op->pk, 32) != 0;	/* operator: no quota */
	if (counted && (retry = quota_check(s->quota, e->key, e->raw_len, t)) > 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if ((rc = check_duplicate(s, it)) != 0)
			return rc < 0 ? -1 : 0;
		item_refuse(it, 429, why);
		it->retry_after = retry;
		return 0;
	}
	if ((verdict = rules_check(s->dir, s->proc, s->reg, e, (int64_t)idx, t,
	    DIR_CHECK_CHAIN)) != RULES_OK) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if ((rc = check_duplicate(s, it)) != 0)
			return rc < 0 ? -1 : 0;
		item_refuse(it, verdict == RULES_DIRECTORY ?
		    refusal_status(s->dir, e) : rules_status(verdict), why);
		return 0;
	}
	pub = s->pub_size;
	rc = s->ops->insert(s, e, idx, t);
	if (rc == -2) {
		/* the chain head said the seq was free: a stale head */
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if ((rc = check_duplicate(s, it)) == 0)
			item_refuse(it, 409, why);
		return rc < 0 ? -1 : 0;
	}
	if (rc != 0)
		return -1;
	if (!kind_has(e->kind_id, KIND_DIRECTORY))	/* chain head, process */
		rules_apply(s->dir, s->proc, s->reg, e, (int64_t)idx, t);
	else {
		pthread_rwlock_wrlock(&s->dirlock);
		rules_apply(s->dir, s->proc, s->reg, e, (int64_t)idx, t);
		pthread_rwlock_unlock(&s->dirlock);
	}
	if (e->seq > 0 && (dev = dir_device(s->dir, e->key)) != NULL)
		heads_add(h, dev);
	env_leaf_hash(leaf, e->id, t);
	if (merkle_append(s->tree, leaf) != 0)
		return -1;
	if (s->pub_size != pub) {
		assert(s->pub_size == pub + 1 && record_is_public(e));
		merkle_public_leaf(leaf, idx, e->id, t);
		if (merkle_append(s->ptree, leaf) != 0)
			return -1;
	}
	s->last_time = t;
	if (counted)
		quota_charge(s->quota, e->key, e->raw_len, t);
	it->status = 0;
	it->has_receipt = 1;
	it->index = idx;
	it->time = t;
	return 1;
}

static void
fail_all(struct seq_batch *list, const char *why)
{
	for (struct seq_batch *b = list; b != NULL; b = b->next)
		for (size_t i = 0; i < b->n; i++)
			if (b->items[i].status == 0 || b->items[i].has_receipt)
				item_refuse(&b->items[i], 503, why);
}

static void
abandon(struct store *s, struct seq_batch *list, uint64_t base, uint64_t pub_base,
    int64_t last_time)
{
	char why[RS_ERRLEN];

	snprintf(why, sizeof(why), "the log could not be written, nothing was "
	    "appended: %s", rs_err());
	log_event(LOG_ERROR, "batch-failed", "%s", why);
	s->ops->rollback(s);
	s->last_time = last_time;
	s->pub_size = pub_base;
	if (s->ops->recover(s, base, pub_base) != 0) {
		log_event(LOG_ERROR, "store-broken", "cannot recover from a failed "
		    "batch (%s); refusing all further envelopes until restarted",
		    rs_err());
		s->broken = 1;
	}
	pthread_mutex_lock(&s->cp_mu);
	s->cp_dirty = s->cp_valid;
	pthread_mutex_unlock(&s->cp_mu);
	fail_all(list, why);
}

void
seq_process(struct store *s, struct seq_batch *list)
{
	uint64_t base, size, pub_base;
	int64_t last_time, t0;
	struct heads h = {0};
	int rc;

	if (s->broken) {
		fail_all(list, "the hub hit a storage error it could not undo; "
		    "it must be restarted");
		return;
	}
	/* MUTANT(receipt) commits a batch only when the next one comes, after
	 * its receipts went out. */
	if (MUTANT(receipt) && s->deferred) {
		s->deferred = 0;
		rc = s->ops->commit(s);
		s->ops->end(s);
		if (rc != 0) {
			fail_all(list, "the log could not be written");
			return;
		}
	}
	/* On a shared database, begin brings this process up to what the
	 * others appended: the batch starts from there. */
	if (s->ops->begin(s) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "the log could not be written, nothing "
		    "was appended: %s", rs_err());
		log_event(LOG_ERROR, "batch-failed", "%s", why);
		fail_all(list, why);
		return;
	}
	base = size = store_committed(s);
	pub_base = s->pub_size;
	last_time = s->last_time;
	/* Between batches the trees hold the committed log, no more: a failed
	 * batch was cut back (abandon), read again from the database (begin,
	 * on PostgreSQL, when that could not be done at once) or the store
	 * marked broken. */
	assert(merkle_size(s->tree) == base && merkle_size(s->ptree) == pub_base);
	if (cp_persist(s) != 0)
		goto fail;
	for (struct seq_batch *b = list; b != NULL; b = b->next) {
		for (size_t i = 0; i < b->n; i++) {
			if (b->items[i].status != 0)
				continue;
			if ((rc = sequence_one(s, &b->items[i], size, &h)) < 0)
				goto fail;
			size += (uint64_t)rc;
		}
	}
	t0 = metrics_clock_us();
	if (heads_write(s, &h) != 0 ||
	    (size != base && s->ops->set_size(s, size) != 0) ||
	    merkle_sync(s->tree) != 0 || merkle_sync(s->ptree) != 0 ||
	    (!MUTANT(receipt) && s->ops->commit(s) != 0))
		goto fail;
	assert(merkle_size(s->tree) == size && merkle_size(s->ptree) == s->pub_size);
	store_set_committed(s, size, s->pub_size, s->last_time);
	if (MUTANT(receipt))
		s->deferred = 1;	/* the transaction stays open */
	else
		s->ops->end(s);
	metrics_commit(metrics_clock_us() - t0, size - base);
	free(h.v);
	return;
fail:
	free(h.v);
	abandon(s, list, base, pub_base, last_time);
	s->ops->end(s);
}

/* ---- the thread ------------------------------------------------------------ */

static void *
seq_main(void *arg)
{
	struct sequencer *q = arg;
	struct seq_batch *list, *b, *next;

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (q->head == NULL && !q->stop)
			pthread_cond_wait(&q->work, &q->mu);
		if (q->head == NULL)
			break;
		list = q->head;
		q->head = q->tail = NULL;
		pthread_mutex_unlock(&q->mu);

		seq_process(q->s, list);

		pthread_mutex_lock(&q->mu);
		if (q->notify != NULL)
			q->notify(q->notify_arg, list);
		for (b = list; b != NULL; b = next) {
			next = b->next;	/* b may vanish once done is set */
			b->done = 1;
		}
		pthread_cond_broadcast(&q->done);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

struct sequencer *
seq_start(struct store *s)
{
	struct sequencer *q = xcalloc(1, sizeof(*q));

	q->s = s;
	if (pthread_mutex_init(&q->mu, NULL) != 0 ||
	    pthread_cond_init(&q->work, NULL) != 0 ||
	    pthread_cond_init(&q->done, NULL) != 0) {
		rs_seterr("cannot initialise the sequencer's locks");
		free(q);
		return NULL;
	}
	if (pthread_create(&q->th, NULL, seq_main, q) != 0) {
		rs_seterr("cannot start the sequencer thread");
		pthread_mutex_destroy(&q->mu);
		pthread_cond_destroy(&q->work);
		pthread_cond_destroy(&q->done);
		free(q);
		return NULL;
	}
	return q;
}

void
seq_stop(struct sequencer *q)
{
	if (q == NULL)
		return;
	pthread_mutex_lock(&q->mu);
	q->stop = 1;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	pthread_mutex_destroy(&q->mu);
	pthread_cond_destroy(&q->work);
	pthread_cond_destroy(&q->done);
	free(q);
}

void
seq_set_notify(struct sequencer *q, seq_notify_fn fn, void *arg)
{
	pthread_mutex_lock(&q->mu);
	q->notify = fn;
	q->notify_arg = arg;
	pthread_mutex_unlock(&q->mu);
}

void
seq_enqueue(struct sequencer *q, struct seq_batch *b)
{
	b->done = 0;
	b->next = NULL;
	pthread_mutex_lock(&q->mu);
	if (q->stop) {
		pthread_mutex_unlock(&q->mu);
		fail_all(b, "the hub is shutting down");
		b->done = 1;
		return;
	}
	if (q->tail != NULL)
		q->tail->next = b;
	else
		q->head = b;
	q->tail = b;
	pthread_cond_signal(&q->work);
	pthread_mutex_unlock(&q->mu);
}

void
seq_wait(struct sequencer *q, struct seq_batch *b)
{
	pthread_mutex_lock(&q->mu);
	while (!b->done)
		pthread_cond_wait(&q->done, &q->mu);
	pthread_mutex_unlock(&q->mu);
}

void
seq_submit(struct sequencer *q, struct seq_item *items, size_t n)
{
	struct seq_batch b = { .items = items, .n = n };

	seq_enqueue(q, &b);
	seq_wait(q, &b);
}

void
seq_receipt(struct store *s, const struct seq_item *it, struct receipt *r)
{
	receipt_make(r, it->e.id, it->index, it->time, s->op->sk);
}
