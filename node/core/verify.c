/*
 * verify.c - how a node decides to believe the hub.
 *
 * A checkpoint is believed when the operator key signed it, it names this
 * hub, and it is consistent with every checkpoint the node accepted before
 * (same size means the same tree: root, and for version 2 the public size
 * and public root; otherwise a consistency proof from the smaller to the
 * larger).  Since each new checkpoint is checked against the latest, and
 * consistency is transitive, all of them form one history.  A failure here
 * is not a network hiccup: it is a signed statement contradicting another,
 * so it becomes an alarm with both statements as evidence.  The proof is
 * fetched before the caller's transaction opens (checkpoint_check), and
 * what needs the store is done inside it without asking the hub anything
 * (checkpoint_accept): no transaction waits on the network.
 *
 * Once a node holds every public record up to some size (section 8,
 * public.c), every checkpoint of at most that size must count exactly
 * those records and commit to their root: a checkpoint that does not is a
 * second history of the public records, the split view that completeness
 * is about, whether the hub sent it or another node cosigned it.
 *
 * A record is believed when its inclusion proof leads from its leaf
 * (envelope id, log time) to a believed checkpoint's root.
 *
 * The directory is replayed from the believed public records; the rules are
 * lib/directory.c, the same code the hub runs.  On top of the rules a node
 * checks one thing nobody else can: that every key record about its own State
 * was made with the State's own root key.
 */
#include "verify.h"

#include <stdlib.h>
#include <string.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "merkle.h"
#include "store.h"

enum node_result
consistency_check(struct node *n, uint64_t size1, const uint8_t root1[32],
    uint64_t size2, const uint8_t root2[32])
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	enum node_result rc;
	size_t np;

	if (size1 == size2) {
		if (memcmp(root1, root2, 32) == 0)
			return NR_OK;
		rs_seterr("two checkpoints of size %llu with different roots",
		    (unsigned long long)size1);
		return NR_HOSTILE;
	}
	if (size1 > size2)
		return consistency_check(n, size2, root2, size1, root1);
	if (size1 == 0)
		return NR_OK;	/* the empty tree is a prefix of every tree */
	if ((rc = hub_consistency_proof(n, size1, size2, proof, &np)) != NR_OK)
		return rc;
	if (merkle_verify_consistency(size1, size2, root1, root2,
	    (const uint8_t (*)[32])proof, np) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("checkpoint %llu is not a prefix of checkpoint %llu: %s",
		    (unsigned long long)size1, (unsigned long long)size2, why);
		return NR_HOSTILE;
	}
	return NR_OK;
}

/* {"new": the checkpoint, "earlier": the other text} as an alarm's evidence. */
static char *
evidence_of(const struct checkpoint *a, const char *other_text)
{
	json_t *j = json_object();
	char *s;

	json_object_set_new(j, "new", checkpoint_json(a));
	if (other_text != NULL)
		json_object_set_new(j, "earlier", json_string(other_text));
	s = jdump(j);
	json_decref(j);
	return s;
}

struct same_size {
	struct node *n;
	const struct checkpoint *cp;
	char *other;		/* the first held that is not the same tree */
};

static int
one_of_size(void *ud, const char *text, const uint8_t sig[64])
{
	struct same_size *ss = ud;
	struct checkpoint held;

	if (checkpoint_parse(&held, text, sig, ss->n->cfg.operator_key) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("the node's store holds a checkpoint it cannot read: %s", why);
		return -1;
	}
	if (!checkpoint_same_tree(&held, ss->cp))
		ss->other = xstrdup(text);
	checkpoint_free(&held);
	return ss->other != NULL;
}

enum node_result
checkpoint_clash(struct node *n, const struct checkpoint *cp, const char *who)
{
	struct same_size ss = { n, cp, NULL };
	struct pub_state v;
	int64_t count;
	uint8_t root[32];
	enum store_result have;
	char *ev;
	int rc;

	if ((rc = store_checkpoints_of_size(n, cp->size, one_of_size, &ss)) < 0)
		return NR_STORAGE;
	if (ss.other != NULL) {
		ev = evidence_of(cp, ss.other);
		(void)store_alarm_with(n, "split-view", json_pack("{s:I}", "size",
		    (json_int_t)cp->size), ev, "the operator signed two different "
		    "checkpoints of size %llu (%s)", (unsigned long long)cp->size, who);
		free(ev);
		free(ss.other);
		rs_seterr("the operator signed two different checkpoints of size %llu",
		    (unsigned long long)cp->size);
		return NR_HOSTILE;
	}
	if (cp->version < 2)
		return NR_OK;
	if ((have = store_pub_state_get(n, PUB_VERIFIED, &v)) == STORE_ERROR)
		return NR_STORAGE;
	if (have != STORE_OK || cp->size > v.size)
		return NR_OK;	/* beyond what this node can tell yet */
	if (store_public_below(n, (int64_t)cp->size, (int64_t)v.f.size, &count, root) ==
	    STORE_ERROR)
		return NR_STORAGE;
	if ((uint64_t)count == cp->pub_size && memcmp(root, cp->pub_root, 32) == 0)
		return NR_OK;
	ev = evidence_of(cp, NULL);
	(void)store_alarm_with(n, "split-view", json_pack("{s:I,s:I,s:I}", "size",
	    (json_int_t)cp->size, "pub_size", (json_int_t)cp->pub_size, "held",
	    (json_int_t)count), ev, "checkpoint %llu (%s) counts %llu public "
	    "records with its public root, this node holds %lld of them with %s root",
	    (unsigned long long)cp->size, who, (unsigned long long)cp->pub_size,
	    (long long)count, (uint64_t)count == cp->pub_size ? "another" : "its");
	free(ev);
	rs_seterr("checkpoint %llu contradicts the public records this node holds below it",
	    (unsigned long long)cp->size);
	return NR_HOSTILE;
}

void
cp_check_free(struct cp_check *c)
{
	checkpoint_free(&c->cp);
	memset(c, 0, sizeof(*c));
}

enum node_result
checkpoint_check(struct node *n, json_t *j, struct cp_check *c)
{
	struct stored_checkpoint latest;
	enum store_result have;
	enum node_result rc = NR_OK;

	memset(c, 0, sizeof(*c));
	if (checkpoint_from_json(&c->cp, j, n->cfg.operator_key) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("hub sent a checkpoint this node cannot accept: %s", why);
		return NR_REFUSED;
	}
	if (strcmp(c->cp.origin, n->cfg.hub_name) != 0) {
		rs_seterr("checkpoint is for log \"%s\", not \"%s\"", c->cp.origin,
		    n->cfg.hub_name);
		cp_check_free(c);
		return NR_REFUSED;
	}
	if ((have = store_checkpoint_newest(n, &latest)) == STORE_ERROR) {
		cp_check_free(c);
		return NR_STORAGE;
	}
	if (have != STORE_OK)
		return NR_OK;
	c->has_base = 1;
	c->base_size = latest.size;
	memcpy(c->base_root, latest.root, 32);
	stored_checkpoint_free(&latest);
	if (!MUTANT(consistency) && c->base_size != c->cp.size)
		rc = consistency_check(n, c->base_size, c->base_root, c->cp.size, c->cp.root);
	if (rc == NR_HOSTILE) {
		char *ev = evidence_of(&c->cp, NULL);
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		(void)store_alarm_with(n, "history-rewritten", json_pack("{s:I,s:I}", "from",
		    (json_int_t)c->base_size, "size", (json_int_t)c->cp.size), ev, "%s", why);
		free(ev);
		rs_seterr("%s", why);
	}
	if (rc != NR_OK)
		cp_check_free(c);
	return rc;
}

enum node_result
checkpoint_accept(struct node *n, const struct cp_check *c)
{
	struct stored_checkpoint latest;
	enum store_result have;
	enum node_result rc;
	int moved;

	if ((have = store_checkpoint_newest(n, &latest)) == STORE_ERROR)
		return NR_STORAGE;
	moved = (have == STORE_OK) != c->has_base || (have == STORE_OK &&
	    (latest.size != c->base_size || memcmp(latest.root, c->base_root, 32) != 0));
	if (have == STORE_OK)
		stored_checkpoint_free(&latest);
	if (moved) {
		rs_seterr("this node took a newer checkpoint meanwhile");
		return NR_AGAIN;
	}
	if (c->cp.version < 2) {
		if ((have = store_checkpoint_has_v2(n)) == STORE_ERROR)
			return NR_STORAGE;
		if (have == STORE_OK) {
			char *ev = evidence_of(&c->cp, NULL);
			(void)store_alarm_with(n, "checkpoint-downgrade", json_pack("{s:I}",
			    "size", (json_int_t)c->cp.size), ev, "the hub signed a "
			    "version 1 checkpoint (size %llu) after signing version 2: it "
			    "commits to no public tree", (unsigned long long)c->cp.size);
			free(ev);
			rs_seterr("the hub sent a version 1 checkpoint after version 2 ones "
			    "(a downgrade): refused");
			return NR_HOSTILE;
		}
	}
	if ((rc = checkpoint_clash(n, &c->cp, "sent by the hub")) != NR_OK)
		return rc;
	return store_checkpoint_add(n, &c->cp) == 0 ? NR_OK : NR_STORAGE;
}

enum node_result
verify_checkpoint(struct node *n, json_t *j, struct checkpoint *out)
{
	struct cp_check c;
	enum node_result rc;

	memset(out, 0, sizeof(*out));
	if ((rc = checkpoint_check(n, j, &c)) != NR_OK)
		return rc;
	if ((rc = checkpoint_accept(n, &c)) != NR_OK) {
		cp_check_free(&c);
		return rc;
	}
	*out = c.cp;	/* taken over */
	return NR_OK;
}

enum node_result
verify_inclusion(const struct checkpoint *cp, uint64_t index, const uint8_t id[32],
    int64_t time, json_t *proof)
{
	uint8_t p[MERKLE_MAX_PROOF][32], leaf[32];
	size_t np;

	if (index >= cp->size) {
		rs_seterr("index %llu is outside the checkpoint (size %llu)",
		    (unsigned long long)index, (unsigned long long)cp->size);
		return NR_REFUSED;
	}
	if (hub_proof_decode(proof, p, &np) != 0)
		return NR_REFUSED;
	env_leaf_hash(leaf, id, time);
	if (!MUTANT(inclusion) && merkle_verify_inclusion(index, cp->size, leaf,
	    (const uint8_t (*)[32])p, np, cp->root) != 0) {
		rs_seterr("not in the log the operator signed: inclusion proof fails");
		return NR_REFUSED;
	}
	return NR_OK;
}

int
own_root_key(struct node *n, const uint8_t key[32])
{
	const struct dir_root *r;

	/* Each step back goes to a root decided earlier: at most nroots. */
	for (size_t hops = 0; n->directory == NULL || hops <= n->directory->nroots; hops++) {
		if (memcmp(key, n->cfg.root_key, 32) == 0)
			return 1;
		if (n->directory == NULL || (r = dir_root_of(n->directory, key)) == NULL ||
		    strcmp(r->state, n->cfg.state) != 0 || r->status != ROOT_ENDORSED ||
		    r->decided_index < 0)
			return 0;
		key = r->decided_by;
	}
	return 0;
}

/*
 * Own-State check: returns 0 when the record (about this node's State) was
 * made with one of the State's own root keys, -1 with rs_err otherwise.
 * Before enrolment the node does not know its root key and cannot judge.
 */
static int
own_state_record_ok(struct node *n, const struct envelope *e)
{
	json_t *p;
	uint8_t key[32];
	int ok = 1;

	if (!n->cfg.has_root || e->state == NULL || strcmp(e->state, n->cfg.state) != 0)
		return 0;
	if (strcmp(e->kind, "admit") == 0) {
		p = env_payload_json(e);
		ok = p != NULL && jhex32_req(p, "root_key", key) == 0 &&
		    own_root_key(n, key);
		json_decref(p);
		if (!ok) {
			rs_seterr("the operator admitted a root key for %s that %s does not hold",
			    e->state, e->state);
			return -1;
		}
	} else if (strcmp(e->kind, "endorse") == 0) {
		if (!own_root_key(n, e->key)) {
			rs_seterr("a root key of %s was endorsed or disowned by a key that is "
			    "not %s's", e->state, e->state);
			return -1;
		}
	} else if (strcmp(e->kind, "cert") == 0) {
		if (!own_root_key(n, e->key)) {
			rs_seterr("a device of %s was certified by a key that is not %s's root key",
			    e->state, e->state);
			return -1;
		}
	} else if (strcmp(e->kind, "revoke") == 0) {
		p = env_payload_json(e);
		ok = own_root_key(n, e->key) ||
		    (p != NULL && jhex32_req(p, "device", key) == 0 &&
		    memcmp(key, e->key, 32) == 0);
		json_decref(p);
		if (!ok) {
			rs_seterr("a device of %s was revoked by a key that is not %s's",
			    e->state, e->state);
			return -1;
		}
	}
	return 0;
}

enum node_result
own_state_alarm(struct node *n, const struct envelope *e, int64_t index)
{
	if (MUTANT(foreignkey) || own_state_record_ok(n, e) == 0)
		return NR_OK;
	char why[RS_ERRLEN], *eb = b64_encode(e->raw, e->raw_len);
	snprintf(why, sizeof(why), "%s", rs_err());
	(void)store_alarm_with(n, "foreign-key-record", json_pack("{s:I,s:s,s:s}", "index",
	    (json_int_t)index, "state", e->state ? e->state : "", "record", e->kind), eb,
	    "%s (log index %lld)", why, (long long)index);
	free(eb);
	rs_seterr("%s (log index %lld)", why, (long long)index);
	return NR_HOSTILE;
}

/* Judges one stored key record again (store_records_each). */
static int
review_one(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct node *n = ud;
	struct envelope e;

	(void)time;
	if (env_parse(&e, env, len) != 0)
		return 0;
	(void)own_state_alarm(n, &e, idx);
	env_free(&e);
	return 0;
}

int
own_state_review(struct node *n)
{
	if (store_alarms_resolve_kind(n, "foreign-key-record", NULL) != 0)
		return -1;
	return store_records_each(n, NULL, -1, INT64_MAX, 0, review_one, n);
}

int
directory_load(struct node *n)
{
	n->directory = dir_new(n->cfg.operator_key);
	n->dir_index = -1;
	n->dir_read = 0;
	return directory_refresh(n);
}

/* Applies one stored directory record (store_records_each). */
static int
apply_stored(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct node *n = ud;
	struct envelope e;

	(void)time;
	if (env_parse(&e, env, len) != 0) {
		rs_seterr("the node's store is damaged (record %lld): %s", (long long)idx,
		    rs_err());
		return -1;
	}
	dir_apply(n->directory, &e, idx);
	n->dir_index = idx;
	env_free(&e);
	return 0;
}

/*
 * Incremental: only the records past both the last directory record applied
 * and n->dir_read.  Below the verified size the node holds every public
 * record the hub logged (public.c), so once a read has covered them no
 * directory record can land there later; n->dir_read is that size as it was
 * before the read.  Rereading from dir_index alone read every record after
 * the last directory record on each pass (about 70 ms at 1M records).  A
 * record taken out of order (below dir_index, after it was left out) makes
 * its taker replay the directory from the start (directory_load), as before.
 */
int
directory_refresh(struct node *n)
{
	struct pub_state v;
	int64_t after = n->dir_index;

	if (store_pub_state_get(n, PUB_VERIFIED, &v) == STORE_ERROR)
		return -1;
	n->dir_size = v.size;
	if (n->dir_read > 0 && (int64_t)n->dir_read - 1 > after)
		after = (int64_t)n->dir_read - 1;
	if (store_records_each(n, NULL, after, INT64_MAX, 0, apply_stored, n) != 0)
		return -1;
	if (v.size > n->dir_read)
		n->dir_read = v.size;
	return 0;
}
