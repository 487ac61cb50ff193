/*
 * sync.c - one pass with the hub.
 *
 * 1. The outbox goes out (outbox.c).
 * 2. The public records come in (GET /v1/public, public.c): every public
 *    record in order, proved complete up to the checkpoint of the page
 *    whose public root they reach.  Below that checkpoint's size the
 *    directory is complete.
 * 3. This device's mail comes in (GET /v1/mail) up to that size; a record
 *    past it waits until the public records have caught up (the loop below
 *    reads them again, a few times at most per pass).
 * 4. Every mail record an unresolved alarm waits for is asked for again
 *    (GET /v1/mail?after=I-1&limit=1) and taken once it is served intact.
 * 5. The outbox goes out again: the "delivered" acknowledgements of the
 *    messages just taken.
 *
 * No network request is made inside a transaction.  Each page is fetched
 * and checked first (page.c, public.c: the checkpoint's consistency proof,
 * every record's proof and signature, the public leaves a gap needs), then
 * taken in one short transaction that asks the hub nothing.  If another
 * process of the node (a CLI command beside `roster serve`) took the page
 * meanwhile, the transaction sees it (NR_AGAIN), rolls back and the page is
 * fetched again.  So a hub that stalls every answer for a minute stalls
 * this pass, never the store: the web interface and `roster ack` go on.
 *
 * A record that fails a check is never skipped silently.  The hub's doing
 * (its proof, framing, digest, signature, or a rule the hub applies as
 * well) is an unresolved alarm with the record as served, the checkpoint
 * and the reason: the public feed stops before it, the mail cursor moves
 * past it and step 4 asks for it on every pass.  The sender's doing (a
 * message that does not decrypt or whose fields are wrong) is a refusal,
 * shown and final.  A failure of this node's own store is neither: the
 * transaction is rolled back and the same records are taken next time.
 */
#include "sync.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "contact.h"
#include "hubclient.h"
#include "jsonutil.h"
#include "outbox.h"
#include "policy.h"
#include "store.h"
#include "verify.h"

#define SYNC_ROUNDS	3	/* public records read again for mail that waits */
#define SYNC_AGAIN	5	/* pages checked again after another process took them */

static int64_t
mail_cursor(struct node *n)
{
	int64_t after = -1;

	(void)store_meta_get_int(n, "mail_after", &after);
	return after;
}

enum node_result
sync_page_check(struct node *n, enum page_feed feed, json_t *j, int64_t retry,
    struct sync_page *sp)
{
	enum node_result rc;

	memset(sp, 0, sizeof(*sp));
	sp->retry = retry;
	if (feed == FEED_PUBLIC) {
		assert(retry < 0);
		if ((rc = public_start(n, &sp->pl)) != NR_OK)
			return rc;
		sp->after = sp->pl.taken.last_index;
	} else
		sp->after = retry >= 0 ? retry - 1 : mail_cursor(n);
	if ((rc = page_check(n, feed, j, sp->after, &sp->p)) != NR_OK)
		return rc;
	if (feed == FEED_PUBLIC && (rc = public_plan(n, &sp->p, &sp->pl)) != NR_OK) {
		sync_page_free(sp);
		return rc;
	}
	return NR_OK;
}

void
sync_page_free(struct sync_page *sp)
{
	page_free(&sp->p);
	public_plan_free(&sp->pl);
}

static void
mail_alarm(struct node *n, const struct page *p, const struct page_rec *r,
    const char *kind, const char *why, struct sync_stats *s)
{
	char *ev = page_evidence(p, r, why);

	(void)store_alarm_record(n, kind, "mail", r->index, ev, "%s", why);
	free(ev);
	s->alarms++;
}

/* One mail record: NR_OK (taken, refused or alarmed: the cursor may pass
 * it), NR_RETRY (it waits for the directory), NR_STORAGE. */
static enum node_result
mail_one(struct node *n, const struct page *p, const struct page_rec *r, int retake,
    struct sync_stats *s)
{
	char why[RS_ERRLEN];
	int64_t below, above;
	int count;
	enum node_result rc;

	if ((uint64_t)r->index >= n->dir_size)
		return NR_RETRY;
	if (store_log_times_around(n, r->index, &below, &above) != 0)
		return NR_STORAGE;
	if (below > r->time || (above >= 0 && above < r->time)) {
		snprintf(why, sizeof(why), "the record at log index %lld has log time %lld, "
		    "%s", (long long)r->index, (long long)r->time, below > r->time ?
		    "below that of a record held at a smaller index" :
		    "above that of a record held at a larger index");
		mail_alarm(n, p, r, "log-time", why, s);
		return NR_OK;
	}
	switch ((rc = accept_mail(n, &p->c.cp, r, retake, s))) {
	case NR_OK:
		break;
	case NR_BAD:
		snprintf(why, sizeof(why), "refused the record at log index %lld: %s",
		    (long long)r->index, rs_err());
		mail_alarm(n, p, r, "bad-record", why, s);
		return NR_OK;
	case NR_REFUSED:
		if (store_refusal(n, r->index, rs_err()) != 0)
			return NR_STORAGE;
		s->refused++;
		break;
	default:
		return NR_STORAGE;	/* accept functions ask the hub nothing */
	}
	if (store_alarms_resolve(n, r->index, &count) != 0)
		return NR_STORAGE;
	s->resolved += count;
	return NR_OK;
}

static enum node_result
mail_take(struct node *n, struct sync_page *sp, struct sync_stats *s, int *more)
{
	int64_t cursor = sp->after;
	enum node_result rc;

	if (sp->retry < 0 && mail_cursor(n) != sp->after) {
		rs_seterr("another process of this node took the mail meanwhile");
		return NR_AGAIN;
	}
	if ((rc = checkpoint_accept(n, &sp->p.c)) != NR_OK)
		return rc == NR_HOSTILE ? NR_REFUSED : rc;
	s->checkpoint = sp->p.c.cp.size;
	for (size_t i = 0; i < sp->p.nr; i++) {
		const struct page_rec *r = &sp->p.r[i];
		if (sp->retry >= 0 && r->index != sp->retry)
			break;	/* not served again: the alarm stays */
		if ((rc = mail_one(n, &sp->p, r, sp->retry >= 0, s)) == NR_RETRY) {
			*more = 0;
			break;
		}
		if (rc != NR_OK)
			return rc;
		assert(r->index > cursor && (uint64_t)r->index < sp->p.c.cp.size);
		cursor = r->index;
	}
	if (sp->retry < 0 && store_meta_set_int(n, "mail_after", cursor) != 0)
		return NR_STORAGE;
	return rc == NR_RETRY ? NR_RETRY : NR_OK;
}

enum node_result
sync_page_take(struct node *n, struct sync_page *sp, struct sync_stats *s, int *more)
{
	enum node_result rc;

	*more = sp->p.more;
	if (sp->p.feed == FEED_MAIL)
		return mail_take(n, sp, s, more);
	rc = public_take(n, &sp->p, &sp->pl, s);
	if (rc == NR_OK && sp->pl.alarm != NULL)
		*more = 0;	/* the feed stops before the record that failed */
	return rc;
}

/* A page's directory records are applied to n->directory as they are
 * taken; when its transaction is rolled back instead of committed, the
 * directory is rebuilt from the store so that it forgets them too. */
static void
page_abort(struct node *n)
{
	char why[RS_ERRLEN];

	snprintf(why, sizeof(why), "%s", rs_err());
	store_rollback(n);
	dir_free(n->directory);
	n->directory = NULL;
	if (directory_load(n) != 0)
		fprintf(stderr, "roster: cannot reload the directory: %s\n", rs_err());
	rs_seterr("%s", why);
}

/* Fetches, checks and takes the pages of a feed until the hub has no
 * more (retry: the one mail record an alarm waits for).  0, with *stopped
 * set when the public feed stopped before a record that failed and
 * *waiting when mail waits for the public records; -1 with rs_err. */
static int
fetch_feed(struct node *n, enum page_feed feed, int64_t retry, struct sync_stats *s,
    int *stopped, int *waiting)
{
	int again = 0;

	for (;;) {
		struct sync_page sp;
		struct public_plan pl;
		int64_t after;
		json_t *j;
		int more;
		enum node_result rc;

		if (feed == FEED_PUBLIC) {
			if (public_start(n, &pl) != NR_OK)
				return -1;
			after = pl.taken.last_index;
		} else
			after = retry >= 0 ? retry - 1 : mail_cursor(n);
		if (hub_listing(n, feed == FEED_PUBLIC ? "/v1/public" : "/v1/mail", after,
		    retry >= 0 ? 1 : 0, &j) != 0)
			return -1;
		rc = sync_page_check(n, feed, j, retry, &sp);
		json_decref(j);
		if (rc != NR_OK)
			return -1;
		if (store_begin(n) != 0 || directory_refresh(n) != 0) {
			store_rollback(n);
			sync_page_free(&sp);
			return -1;
		}
		rc = sync_page_take(n, &sp, s, &more);
		if (feed == FEED_PUBLIC && sp.pl.alarm != NULL && rc == NR_OK)
			*stopped = 1;
		sync_page_free(&sp);
		switch (rc) {
		case NR_OK:
		case NR_RETRY:
		case NR_REFUSED:
			if (store_commit(n) != 0) {
				page_abort(n);
				return -1;
			}
			break;
		case NR_AGAIN:
			page_abort(n);
			if (++again > SYNC_AGAIN)
				return -1;
			continue;
		default:
			page_abort(n);
			return -1;
		}
		if (rc == NR_REFUSED)
			return -1;	/* the alarm is kept; rs_err says why */
		if (rc == NR_RETRY)
			*waiting = 1;
		if (!more || retry >= 0)
			return 0;
	}
}

int
sync_directory(struct node *n, struct sync_stats *s)
{
	int stopped = 0, waiting = 0;

	return fetch_feed(n, FEED_PUBLIC, -1, s, &stopped, &waiting);
}

struct pending {
	int64_t *idx;
	size_t n, cap;
};

static int
add_pending(void *ud, int64_t index)
{
	struct pending *p = ud;

	if (p->n == p->cap) {
		p->cap = p->cap ? p->cap * 2 : 16;
		p->idx = xrealloc(p->idx, p->cap * sizeof(*p->idx));
	}
	p->idx[p->n++] = index;
	return 0;
}

/* The mail records alarms wait for, each asked for again. */
static int
retry_mail(struct node *n, struct sync_stats *s)
{
	struct pending p = {0};
	int stopped = 0, waiting = 0, rc = 0;

	if (store_alarms_pending_each(n, "mail", add_pending, &p) != 0)
		return -1;
	for (size_t i = 0; i < p.n && rc == 0; i++)
		if ((uint64_t)p.idx[i] < n->dir_size)
			rc = fetch_feed(n, FEED_MAIL, p.idx[i], s, &stopped, &waiting);
	free(p.idx);
	return rc;
}

static int
flush(struct node *n, struct sync_stats *s)
{
	int sent = 0, rc = outbox_flush(n, &sent);

	s->sent += sent;
	return rc;
}

static int
sync_pass(struct node *n, struct sync_stats *s)
{
	s->unresolved = -1;
	if (flush(n, s) != 0 || policy_refresh(n, 0) != 0)
		return -1;
	for (int round = 0; round < SYNC_ROUNDS; round++) {
		int stopped = 0, waiting = 0;
		if (fetch_feed(n, FEED_PUBLIC, -1, s, &stopped, &waiting) != 0 ||
		    fetch_feed(n, FEED_MAIL, -1, s, &stopped, &waiting) != 0)
			return -1;
		if (!waiting || stopped)
			break;
	}
	if (retry_mail(n, s) != 0 || flush(n, s) != 0)
		return -1;
	s->unresolved = store_alarms_unresolved(n, 1);
	/* When this node last had all the hub had for it ("as of the last
	 * sync at ..." in roster status). */
	return store_meta_set_int(n, "synced_at", now_ms());
}

int
sync_once(struct node *n, struct sync_stats *s)
{
	int rc;

	memset(s, 0, sizeof(*s));
	rc = sync_pass(n, s);
	contact_record(n, rc == 0);	/* whether the hub answered, for every page */
	return rc;
}
