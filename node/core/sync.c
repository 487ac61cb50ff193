/*
 * sync.c - one pass with the hub.
 *
 * 1. The outbox goes out (outbox.c).
 * 2. Four listings come in, each page with a checkpoint and an inclusion
 *    proof per record: the public directory, this device's mail, the
 *    communication checks and (for audit) the cosignatures.  What each
 *    record must meet beyond its proof and signature is accept.c.  Every
 *    record is checked before it is stored; a record that fails is refused
 *    with its reason and the cursor moves past it, so a hostile hub can
 *    make a node miss a record (which the sender sees as a missing
 *    acknowledgement) but never believe a false one.
 *    Two exceptions keep an honest record from being lost: a page whose
 *    checkpoint or framing fails is refused whole and fetched again next
 *    time, and a record refused only because this node's directory is older
 *    than it (its signer was certified after the directory was fetched) is
 *    taken again once the directory has caught up.  A failure of this
 *    node's own store is not a refusal either: the page is rolled back and
 *    taken again on the next pass.
 * 3. New messages are decrypted and answered with a signed "delivered"
 *    acknowledgement, which goes out with the outbox at the end of the pass.
 */
#include "sync.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "outbox.h"
#include "store.h"
#include "verify.h"

/* One record of a listing: its framing, inclusion proof and signature,
 * then the listing's rules. */
static enum node_result
one_record(struct node *n, const struct checkpoint *cp, json_t *r, int64_t after,
    accept_fn fn, struct sync_stats *s, int64_t *index)
{
	struct buf raw = {0};
	struct envelope e;
	int64_t time;
	enum node_result rc = NR_REFUSED;

	if (jint_req(r, "index", index) != 0 || jint_req(r, "time", &time) != 0)
		return NR_HOSTILE;
	if (*index <= after) {
		rs_seterr("the hub sent records out of order (index %lld after %lld)",
		    (long long)*index, (long long)after);
		return NR_HOSTILE;
	}
	if ((uint64_t)*index >= cp->size) {
		/* Not refused and skipped: the cursor would pass records of
		 * the log this node has not seen yet. */
		rs_seterr("the hub sent a record outside its checkpoint (index %lld, "
		    "size %llu)", (long long)*index, (unsigned long long)cp->size);
		return NR_HOSTILE;
	}
	if (jb64_req(r, "envelope", &raw) != 0)
		goto out;
	if (env_parse(&e, raw.p, raw.len) != 0)
		goto out;
	if (verify_inclusion(n, cp, (uint64_t)*index, e.id, time,
	    json_object_get(r, "proof")) == NR_OK && env_verify(&e) == 0)
		rc = fn(n, cp, &e, *index, time, s);
	env_free(&e);
out:
	buf_free(&raw);
	return rc;
}

static const accept_fn listing_fns[] = {
	[SYNC_DIRECTORY] = accept_directory,
	[SYNC_MAIL] = accept_mail,
	[SYNC_COSIGN] = accept_cosign,
	[SYNC_CHECKS] = accept_check,
};

enum node_result
sync_listing_page(struct node *n, enum sync_listing which, json_t *j,
    int64_t *after, int *more, struct sync_stats *s)
{
	int64_t index = -1;
	struct checkpoint cp;
	json_t *recs, *r;
	size_t i;
	enum node_result rc;

	assert(which >= SYNC_DIRECTORY && which <= SYNC_CHECKS);
	*more = 0;
	if ((rc = verify_checkpoint(n, json_object_get(j, "checkpoint"), &cp)) != NR_OK)
		return rc == NR_STORAGE ? NR_STORAGE : NR_REFUSED;
	s->checkpoint = cp.size;
	recs = json_object_get(j, "records");
	json_array_foreach(recs, i, r) {
		rc = one_record(n, &cp, r, *after, listing_fns[which], s, &index);
		if (rc == NR_HOSTILE || rc == NR_STORAGE || rc == NR_TRANSPORT)
			break;
		if (rc == NR_RETRY) {
			*more = 1;	/* the cursor stays before this record */
			checkpoint_free(&cp);
			return NR_RETRY;
		}
		if (rc == NR_REFUSED) {
			if (store_refusal(n, index, rs_err()) != 0) {
				rc = NR_STORAGE;
				break;
			}
			s->refused++;
		}
		assert(index > *after && (uint64_t)index < cp.size);
		*after = index;
		rc = NR_OK;
	}
	if (rc == NR_TRANSPORT)
		rc = NR_STORAGE;	/* accept functions never ask the network */
	*more = rc == NR_OK && json_is_true(json_object_get(j, "more")) &&
	    json_array_size(recs) > 0;
	if (which == SYNC_DIRECTORY && rc == NR_OK && !*more)
		n->dir_size = cp.size;
	checkpoint_free(&cp);
	return rc;
}

/* A page's directory records are applied to n->directory as they are
 * accepted; when its transaction is rolled back instead of committed, the
 * directory is rebuilt from the store so that it forgets them too. */
static void
page_abort(struct node *n)
{
	char why[RS_ERRLEN];

	snprintf(why, sizeof(why), "%s", rs_err());
	store_rollback(n);
	dir_free(n->directory);
	if (directory_load(n) != 0)
		fprintf(stderr, "roster: cannot reload the directory: %s\n", rs_err());
	rs_seterr("%s", why);
}

static int
fetch_listing(struct node *n, const char *path, const char *cursor,
    enum sync_listing which, struct sync_stats *s)
{
	for (;;) {
		int64_t after = -1, now_after = -1;
		json_t *j;
		int more;
		enum node_result rc;

		(void)store_meta_get_int(n, cursor, &after);
		if (hub_listing(n, path, after, &j) != 0)
			return -1;
		if (store_begin(n) != 0 || directory_refresh(n) != 0) {
			store_rollback(n);
			json_decref(j);
			return -1;
		}
		(void)store_meta_get_int(n, cursor, &now_after);
		if (now_after != after) {
			/* Another process of this node took this page meanwhile. */
			store_rollback(n);
			json_decref(j);
			continue;
		}
		rc = sync_listing_page(n, which, j, &after, &more, s);
		json_decref(j);
		if (rc == NR_REFUSED) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			if (store_commit(n) != 0)	/* keep the alarm */
				page_abort(n);
			rs_seterr("%s", why);
			return -1;
		}
		if ((rc != NR_OK && rc != NR_RETRY) ||
		    store_meta_set_int(n, cursor, after) != 0 || store_commit(n) != 0) {
			page_abort(n);
			return -1;
		}
		/* A record from a device newer than this node's directory: bring
		 * the directory up to date, then take the page again from it. */
		if (rc == NR_RETRY && (which == SYNC_DIRECTORY ||
		    fetch_listing(n, "/v1/directory", "dir_after", SYNC_DIRECTORY, s) != 0))
			return -1;
		if (!more)
			return 0;
	}
}

int
sync_directory(struct node *n, struct sync_stats *s)
{
	return fetch_listing(n, "/v1/directory", "dir_after", SYNC_DIRECTORY, s);
}

int
sync_cosignatures(struct node *n, struct sync_stats *s)
{
	return fetch_listing(n, "/v1/cosignatures", "cosign_after", SYNC_COSIGN, s);
}

static int
flush(struct node *n, struct sync_stats *s)
{
	int sent = 0, rc = outbox_flush(n, &sent);

	s->sent += sent;
	return rc;
}

int
sync_once(struct node *n, struct sync_stats *s)
{
	memset(s, 0, sizeof(*s));
	if (flush(n, s) != 0 || sync_directory(n, s) != 0 ||
	    fetch_listing(n, "/v1/mail", "mail_after", SYNC_MAIL, s) != 0 ||
	    fetch_listing(n, "/v1/checks", "checks_after", SYNC_CHECKS, s) != 0 ||
	    flush(n, s) != 0)
		return -1;
	/* When this node last had all the hub had for it ("as of the last
	 * sync at ..." in roster status). */
	return store_meta_set_int(n, "synced_at", now_ms());
}
