/*
 * public.c - the public feed, proved complete (docs/protocol.md section 8;
 * see public.h for the two steps).
 *
 * The node keeps two points of the feed (store.h, public_state): "taken",
 * every public record taken so far (the compact range of their leaves, the
 * last one's index and time), and "verified", the last point where the
 * compact range's root was a checkpoint's public root.  Below the
 * verified checkpoint's size the node holds every public record the hub
 * logged, in order: that is the size up to which its directory is complete
 * (n->dir_size), and mail is checked against the directory only below it
 * (sync.c).
 *
 * Why two points.  A front end that leaves a record out and lowers the
 * public index of every later one serves no gap: the node takes the later
 * records at the wrong places, and only the root at the end of the feed
 * shows it.  Those records are genuine (each is proved into the log); only
 * their places are wrong.  So the places taken since the verified point
 * are provisional: when the root fails, the node finds the first place
 * where its leaves and the hub's tree differ (a binary search of GET
 * /v1/proof/public, each answer proved against the checkpoint's public
 * root), raises the alarm public-omitted naming the log index of the
 * record that belongs there, forgets the places from the verified point on
 * and reads the feed again from there.  The records stay in the store and
 * in the directory, where they belong by their log index.
 *
 * Who is to blame.  Every check of section 8 is one an honest hub passes:
 * it appends nothing that fails them and serves what it appended intact.
 * A failure is therefore never skipped: the feed stops before the record,
 * an unresolved alarm keeps the record as served with the checkpoint and
 * the reason, and every later pass reads the feed again from there; when
 * the record is served intact it is taken and the alarm resolved.
 */
#include "public.h"

#include <assert.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "kinds.h"
#include "merkle.h"
#include "verify.h"

static void fail(struct public_plan *pl, const char *alarm, int64_t index,
    const struct page_rec *at, const char *fmt, ...) __attribute__((format(printf, 5, 6)));

/* The first failure of a page is the one that counts: the feed stops there. */
static void
fail(struct public_plan *pl, const char *alarm, int64_t index, const struct page_rec *at,
    const char *fmt, ...)
{
	va_list ap;

	if (pl->alarm != NULL)
		return;
	pl->alarm = alarm;
	pl->alarm_index = index;
	pl->at = at;
	va_start(ap, fmt);
	vsnprintf(pl->why, sizeof(pl->why), fmt, ap);
	va_end(ap);
}

enum node_result
public_start(struct node *n, struct public_plan *pl)
{
	memset(pl, 0, sizeof(*pl));
	pl->alarm_index = -1;
	if (store_pub_state_get(n, PUB_TAKEN, &pl->taken) == STORE_ERROR ||
	    store_pub_state_get(n, PUB_VERIFIED, &pl->verified) == STORE_ERROR)
		return NR_STORAGE;
	assert(pl->verified.f.size <= pl->taken.f.size);
	return NR_OK;
}

void
public_plan_free(struct public_plan *pl)
{
	free(pl->proot);
	pl->proot = NULL;
}

/* Leaf pindex of the public tree cp commits to, as the hub proves it: its
 * log index in *index and its hash in leaf.  NR_HOSTILE (rs_err) when the
 * hub will not prove it, or its proof does not lead to cp's public root. */
static enum node_result
true_leaf(struct node *n, const struct checkpoint *cp, uint64_t pindex, int64_t *index,
    uint8_t leaf[32])
{
	uint8_t proof[MERKLE_MAX_PROOF][32], id[32];
	int64_t size, psize, k, time;
	size_t np;
	json_t *j;
	enum node_result rc;

	if ((rc = hub_public_proof(n, cp->size, pindex, &j)) != NR_OK)
		return rc;
	rc = NR_HOSTILE;
	if (jint_req(j, "size", &size) != 0 || jint_req(j, "pub_size", &psize) != 0 ||
	    jint_req(j, "pindex", &k) != 0 || jint_req(j, "index", index) != 0 ||
	    jhex32_req(j, "id", id) != 0 || jint_req(j, "time", &time) != 0 ||
	    hub_proof_decode(json_object_get(j, "proof"), proof, &np) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("the hub's proof of public index %llu is malformed: %s",
		    (unsigned long long)pindex, why);
		goto out;
	}
	if ((uint64_t)size != cp->size || (uint64_t)psize != cp->pub_size ||
	    (uint64_t)k != pindex || *index < 0 || (uint64_t)*index >= cp->size) {
		rs_seterr("the hub's proof of public index %llu is not for checkpoint %llu",
		    (unsigned long long)pindex, (unsigned long long)cp->size);
		goto out;
	}
	merkle_public_leaf(leaf, (uint64_t)*index, id, time);
	if (merkle_verify_inclusion(pindex, cp->pub_size, leaf, (const uint8_t (*)[32])proof,
	    np, cp->pub_root) != 0) {
		rs_seterr("the hub's proof of public index %llu does not lead to the public "
		    "root of checkpoint %llu", (unsigned long long)pindex,
		    (unsigned long long)cp->size);
		goto out;
	}
	rc = NR_OK;
out:
	json_decref(j);
	return rc;
}

/* This node's leaf at pindex: stored, or one of the page's records. */
static int
our_leaf(struct node *n, const struct page *p, const struct public_plan *pl,
    uint64_t pindex, uint8_t leaf[32])
{
	int64_t index, time;
	uint8_t id[32];

	if (pindex >= pl->taken.f.size) {
		const struct page_rec *r = &p->r[pindex - pl->taken.f.size];
		assert(pindex - pl->taken.f.size < p->nr);
		merkle_public_leaf(leaf, (uint64_t)r->index, r->e.id, r->time);
		return 0;
	}
	if (store_public_leaf(n, (int64_t)pindex, &index, id, &time) != STORE_OK) {
		rs_seterr("the node's store has no public record at public index %llu",
		    (unsigned long long)pindex);
		return -1;
	}
	merkle_public_leaf(leaf, (uint64_t)index, id, time);
	return 0;
}

/*
 * The first count leaves this node has (the stored ones, then the page's
 * first ones) are not the first count of the hub's public tree.  The
 * leaves below the verified point are right (their root matched); find the
 * first place after it where they differ, by halving (an omission shifts
 * every later leaf, so once they differ they go on differing), and name
 * the record the hub's tree has there.  NR_OK with the failure in pl;
 * NR_TRANSPORT.
 */
static enum node_result
pinpoint(struct node *n, const struct page *p, struct public_plan *pl, uint64_t count)
{
	const struct checkpoint *cp = &p->c.cp;
	uint64_t lo = pl->verified.f.size, hi = count;
	uint8_t ours[32], theirs[32];
	int64_t index;
	enum node_result rc;

	while (lo < hi) {
		uint64_t mid = lo + (hi - lo) / 2;
		if (our_leaf(n, p, pl, mid, ours) != 0)
			return NR_STORAGE;
		if ((rc = true_leaf(n, cp, mid, &index, theirs)) == NR_TRANSPORT)
			return rc;
		if (rc != NR_OK) {
			fail(pl, "public-root", -1, NULL, "the public records the hub served do "
			    "not lead to the public root of checkpoint %llu, and %s",
			    (unsigned long long)cp->size, rs_err());
			pl->ntake = 0;
			return NR_OK;
		}
		if (memcmp(ours, theirs, 32) == 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo == count || lo >= cp->pub_size ||
	    true_leaf(n, cp, lo, &index, theirs) != NR_OK) {
		fail(pl, "public-root", -1, NULL, "the public records the hub served do not "
		    "lead to the public root of checkpoint %llu", (unsigned long long)cp->size);
		pl->ntake = 0;
		return NR_OK;
	}
	fail(pl, "public-omitted", index, NULL, "the hub left out the public record at log "
	    "index %lld (public index %llu of checkpoint %llu) and served later ones in "
	    "its place", (long long)index, (unsigned long long)lo,
	    (unsigned long long)cp->size);
	if (lo < pl->taken.f.size) {
		pl->rollback = 1;
		pl->ntake = 0;
	} else
		pl->ntake = lo - pl->taken.f.size;
	return NR_OK;
}

/* The hub's tree has a leaf at count that this node was not given: name
 * it.  prev is the log index of the last public record this node has. */
static enum node_result
missing(struct node *n, const struct page *p, struct public_plan *pl, uint64_t count,
    int64_t prev, const char *how)
{
	const struct checkpoint *cp = &p->c.cp;
	uint8_t leaf[32];
	int64_t index;
	enum node_result rc;

	if ((rc = true_leaf(n, cp, count, &index, leaf)) == NR_TRANSPORT)
		return rc;
	if (rc != NR_OK) {
		fail(pl, "public-root", -1, NULL, "the hub left out public index %llu of "
		    "checkpoint %llu (%s) and does not say which record it is: %s",
		    (unsigned long long)count, (unsigned long long)cp->size, how, rs_err());
		return NR_OK;
	}
	if (index <= prev)	/* it belongs among those this node already has */
		return pinpoint(n, p, pl, count);
	fail(pl, "public-omitted", index, NULL, "the hub left out the public record at log "
	    "index %lld (public index %llu of checkpoint %llu: %s)", (long long)index,
	    (unsigned long long)count, (unsigned long long)cp->size, how);
	return NR_OK;
}

enum node_result
public_plan(struct node *n, const struct page *p, struct public_plan *pl)
{
	const struct checkpoint *cp = &p->c.cp;
	struct merkle_frontier f = pl->taken.f;
	int64_t prev = pl->taken.last_index, prev_time = pl->taken.last_time;
	uint8_t root[32];
	size_t i;

	assert(p->feed == FEED_PUBLIC);
	if (cp->version < 2)
		return NR_OK;	/* public_take refuses it, as a downgrade if it is one */
	pl->proot = xcalloc(p->nr + 1, 32);
	for (i = 0; i < p->nr; i++) {
		const struct page_rec *r = &p->r[i];
		uint8_t leaf[32];
		/* 1. the next public index, or some were left out */
		if (r->pindex != (int64_t)f.size) {
			if (r->pindex > (int64_t)f.size) {
				enum node_result rc = missing(n, p, pl, f.size, prev,
				    "a gap in the public indexes");
				if (rc != NR_OK)
					return rc;
			} else
				fail(pl, "bad-record", r->index, r, "refused the record at log "
				    "index %lld: public index %lld where %llu was next",
				    (long long)r->index, (long long)r->pindex,
				    (unsigned long long)f.size);
			break;
		}
		/* 2. in order, inside the checkpoint, times not decreasing */
		if (r->index <= prev || (uint64_t)r->index >= cp->size ||
		    (uint64_t)r->pindex >= cp->pub_size) {
			fail(pl, "bad-record", r->index, r, "refused the record at log index "
			    "%lld: %s", (long long)r->index, r->index <= prev ?
			    "out of order" : "outside its checkpoint");
			break;
		}
		if (r->time < prev_time || r->time > cp->time) {
			fail(pl, "log-time", r->index, r, "the record at log index %lld has "
			    "log time %lld, %s", (long long)r->index, (long long)r->time,
			    r->time < prev_time ? "below that of an earlier record" :
			    "after its checkpoint's time");
			break;
		}
		/* 3. proof, framing, digest, signature, public (page.c) */
		if (r->verdict != NR_OK) {
			fail(pl, "bad-record", r->index, r, "refused the record at log index "
			    "%lld: %s", (long long)r->index, r->why);
			break;
		}
		merkle_public_leaf(leaf, (uint64_t)r->index, r->e.id, r->time);
		if (merkle_frontier_append(&f, leaf) != 0)
			return NR_STORAGE;
		merkle_frontier_root(&f, pl->proot[i]);
		prev = r->index;
		prev_time = r->time;
		pl->ntake++;
	}
	if (pl->alarm != NULL)
		return NR_OK;
	if (f.size == cp->pub_size) {
		merkle_frontier_root(&f, root);
		if (memcmp(root, cp->pub_root, 32) == 0) {
			pl->complete = 1;
			return NR_OK;
		}
		return pinpoint(n, p, pl, f.size);
	}
	if (f.size > cp->pub_size) {
		/* Only an older checkpoint may count fewer than this node has. */
		if (cp->size > (uint64_t)pl->taken.last_index)
			fail(pl, "public-root", -1, NULL, "checkpoint %llu counts %llu public "
			    "records, and this node has %llu below it",
			    (unsigned long long)cp->size, (unsigned long long)cp->pub_size,
			    (unsigned long long)f.size);
		return NR_OK;
	}
	if (!p->more)
		return missing(n, p, pl, f.size, prev, "the last page ended before it");
	return NR_OK;
}

/* ---- taking --------------------------------------------------------------------- */

/* Stores one record of the page at its public index.  NR_BAD with *kind
 * naming the alarm. */
static enum node_result
take_one(struct node *n, const struct page *p, const struct page_rec *r,
    const uint8_t proot[32], struct sync_stats *s, const char **kind)
{
	uint8_t held[32];
	int64_t below, above;
	int out_of_order = 0, count;
	enum node_result rc;

	*kind = "bad-record";
	switch (store_record_id_at(n, r->index, held)) {
	case STORE_OK:
		/* Held already (from the listings before section 8, or before
		 * the places were forgotten): only its place is new. */
		if (memcmp(held, r->e.id, 32) != 0) {
			rs_seterr("refused the record at log index %lld: this node holds another "
			    "record at that index", (long long)r->index);
			return NR_BAD;
		}
		break;
	case STORE_NOT_FOUND:
		if (store_log_times_around(n, r->index, &below, &above) != 0)
			return NR_STORAGE;
		if (below > r->time || (above >= 0 && above < r->time)) {
			*kind = "log-time";
			rs_seterr("the record at log index %lld has log time %lld, %s",
			    (long long)r->index, (long long)r->time, below > r->time ?
			    "below that of a record held at a smaller index" :
			    "above that of a record held at a larger index");
			return NR_BAD;
		}
		out_of_order = r->index < n->dir_index;
		if ((rc = accept_public(n, &r->e, r->index, r->time, s)) != NR_OK) {
			if (rc == NR_BAD) {
				char why[RS_ERRLEN];
				snprintf(why, sizeof(why), "%s", rs_err());
				rs_seterr("refused the record at log index %lld: %s",
				    (long long)r->index, why);
			}
			return rc;
		}
		break;
	default:
		return NR_STORAGE;
	}
	if (store_record_add_public(n, &r->e, r->index, r->time, p->c.cp.size, r->pindex,
	    proot) != 0)
		return NR_STORAGE;
	if (out_of_order && kind_has(r->e.kind_id, KIND_DIRECTORY)) {
		/* Taken after records of larger indexes (it was left out, then
		 * served): the directory is replayed in log order again. */
		dir_free(n->directory);
		n->directory = NULL;
		if (directory_load(n) != 0)
			return NR_STORAGE;
	}
	/* The State endorsed a root key of its own: what was signed with it
	 * is the State's (section 2), and its alarms are judged again. */
	if (strcmp(r->e.kind, "endorse") == 0 && r->e.state != NULL &&
	    strcmp(r->e.state, n->cfg.state) == 0 && own_root_key(n, r->e.key) &&
	    own_state_review(n) != 0)
		return NR_STORAGE;
	if (store_alarms_resolve(n, r->index, &count) != 0)
		return NR_STORAGE;
	s->resolved += count;
	return NR_OK;
}

static void
raise_alarm(struct node *n, const struct page *p, const char *kind, int64_t index,
    const struct page_rec *at, const char *why, struct sync_stats *s)
{
	char *ev = page_evidence(p, at, why);

	if (index >= 0)
		(void)store_alarm_record(n, kind, "public", index, ev, "%s", why);
	else
		(void)store_alarm(n, kind, ev, "%s", why);
	free(ev);
	s->alarms++;
}

/* ---- what a complete directory makes checkable ------------------------------------ */

struct advance {
	struct node *n;
	uint64_t size;
	struct sync_stats *s;
};

/* A record this node holds without a public index below the complete
 * size: mail, or a public record from before section 8 that the public
 * tree leaves out. */
static int
held_unplaced(void *ud, int64_t index, int64_t time, const uint8_t *env, size_t len)
{
	struct advance *a = ud;
	struct envelope e;
	int pub;

	(void)time;
	if (env_parse(&e, env, len) != 0)
		return 0;
	pub = record_is_public(&e);
	env_free(&e);
	if (pub) {
		(void)store_alarm_record(a->n, "public-omitted", "public", index, NULL,
		    "the public tree of checkpoint %llu leaves out the public record at log "
		    "index %lld, which this node holds from the hub's earlier listings",
		    (unsigned long long)a->size, (long long)index);
		a->s->alarms++;
	}
	return 0;
}

/* An envelope this device signed and the hub receipted below the complete
 * size: if it is public, this node must have been given it. */
static int
own_logged(void *ud, int64_t index, const uint8_t *env, size_t len, const char *receipt)
{
	struct advance *a = ud;
	struct envelope e;
	uint8_t held[32];
	enum store_result have;
	int pub;

	if (env_parse(&e, env, len) != 0)
		return 0;
	pub = record_is_public(&e);
	if (pub && (have = store_record_id_at(a->n, index, held)) != STORE_ERROR &&
	    (have == STORE_NOT_FOUND || memcmp(held, e.id, 32) != 0)) {
		(void)store_alarm_record(a->n, "public-omitted", "public", index, receipt,
		    "the hub left out this node's own %s at log index %lld, for which it "
		    "gave a signed receipt (the evidence)", e.kind, (long long)index);
		a->s->alarms++;
	}
	env_free(&e);
	return 0;
}

static int
one_cosignature(void *ud, int64_t index, int64_t time, const uint8_t *env, size_t len)
{
	struct advance *a = ud;
	struct envelope e;
	struct checkpoint cp;
	json_t *pay;
	char who[64];

	(void)index;
	(void)time;
	if (env_parse(&e, env, len) != 0)
		return 0;
	pay = env_payload_json(&e);
	if (pay != NULL && checkpoint_from_json(&cp, pay, a->n->cfg.operator_key) == 0) {
		snprintf(who, sizeof(who), "cosigned by a device of %s", e.state ? e.state : "?");
		if (checkpoint_clash(a->n, &cp, who) == NR_HOSTILE)
			a->s->alarms++;
		checkpoint_free(&cp);
	}
	json_decref(pay);
	env_free(&e);
	return 0;
}

static int
advance(struct node *n, uint64_t from, uint64_t to, struct sync_stats *s)
{
	struct advance a = { n, to, s };

	if (store_records_unindexed_each(n, (int64_t)from - 1, (int64_t)to, "msg",
	    held_unplaced, &a) != 0 ||
	    store_outbox_logged_each(n, (int64_t)from - 1, (int64_t)to, own_logged, &a) != 0 ||
	    store_records_each(n, "cosign", (int64_t)from - 1, (int64_t)to, 0,
	    one_cosignature, &a) != 0)
		return -1;
	return 0;
}

enum node_result
public_take(struct node *n, const struct page *p, const struct public_plan *pl,
    struct sync_stats *s)
{
	struct pub_state t, v;
	const char *alarm = pl->alarm, *kind;
	int64_t alarm_index = pl->alarm_index;
	const struct page_rec *at = pl->at;
	char why[RS_ERRLEN];
	int complete = pl->complete, count;
	enum node_result rc;

	snprintf(why, sizeof(why), "%s", pl->why);
	if (store_pub_state_get(n, PUB_TAKEN, &t) == STORE_ERROR ||
	    store_pub_state_get(n, PUB_VERIFIED, &v) == STORE_ERROR)
		return NR_STORAGE;
	if (t.f.size != pl->taken.f.size || t.last_index != pl->taken.last_index ||
	    v.f.size != pl->verified.f.size || v.size != pl->verified.size) {
		rs_seterr("another process of this node took public records meanwhile");
		return NR_AGAIN;
	}
	if ((rc = checkpoint_accept(n, &p->c)) != NR_OK)
		return rc == NR_HOSTILE ? NR_REFUSED : rc;
	if (p->c.cp.version < 2) {
		rs_seterr("the hub's checkpoint %llu is of version 1: it commits to no public "
		    "tree, so this node cannot tell whether it was given every public record",
		    (unsigned long long)p->c.cp.size);
		return NR_REFUSED;
	}
	s->checkpoint = p->c.cp.size;
	for (size_t i = 0; i < pl->ntake; i++) {
		const struct page_rec *r = &p->r[i];
		uint8_t leaf[32];
		rc = take_one(n, p, r, pl->proot[i], s, &kind);
		if (rc == NR_BAD) {
			alarm = kind;
			alarm_index = r->index;
			at = r;
			snprintf(why, sizeof(why), "%s", rs_err());
			complete = 0;
			break;
		}
		if (rc != NR_OK)
			return rc;
		merkle_public_leaf(leaf, (uint64_t)r->index, r->e.id, r->time);
		if (merkle_frontier_append(&t.f, leaf) != 0)
			return NR_STORAGE;
		t.last_index = r->index;
		t.last_time = r->time;
	}
	if (alarm != NULL)
		raise_alarm(n, p, alarm, alarm_index, at, why, s);
	if (pl->rollback) {
		if (store_public_forget_from(n, (int64_t)v.f.size) != 0)
			return NR_STORAGE;
		t = v;
		t.size = 0;
	}
	if (store_pub_state_put(n, PUB_TAKEN, &t) != 0)
		return NR_STORAGE;
	if (complete && (p->c.cp.size > v.size || v.f.size == 0)) {
		uint64_t from = v.size;
		assert(t.f.size == p->c.cp.pub_size);
		v = t;
		v.size = p->c.cp.size;
		if (store_pub_state_put(n, PUB_VERIFIED, &v) != 0 ||
		    store_alarms_resolve_kind(n, "public-root", &count) != 0)
			return NR_STORAGE;
		s->resolved += count;
		n->dir_size = v.size;
		if (advance(n, from, v.size, s) != 0)
			return NR_STORAGE;
	}
	return NR_OK;
}
