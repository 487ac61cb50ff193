/*
 * verify.c - how a node decides to believe the hub.
 *
 * A checkpoint is believed when the operator key signed it, it names this
 * hub, and it is consistent with every checkpoint the node accepted before
 * (same size means same root; otherwise a consistency proof from the smaller
 * to the larger).  Since each new checkpoint is checked against the latest,
 * and consistency is transitive, all of them form one history.  A failure
 * here is not a network hiccup: it is a signed statement contradicting
 * another, so it becomes an alarm with both statements as evidence.
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

enum node_result
checkpoint_clash(struct node *n, const struct checkpoint *cp)
{
	char *other = NULL, *ev;
	enum store_result found = store_checkpoint_other(n, cp, &other);

	if (found == STORE_ERROR)
		return NR_STORAGE;
	if (found == STORE_NOT_FOUND)
		return NR_OK;
	ev = evidence_of(cp, other);
	(void)store_alarm(n, "split-view", ev,
	    "the operator signed two different checkpoints of size %llu",
	    (unsigned long long)cp->size);
	free(ev);
	free(other);
	rs_seterr("the operator signed two different checkpoints of size %llu",
	    (unsigned long long)cp->size);
	return NR_HOSTILE;
}

enum node_result
verify_checkpoint(struct node *n, json_t *j, struct checkpoint *cp)
{
	struct stored_checkpoint latest;
	enum store_result have;
	enum node_result rc;

	if (checkpoint_from_json(cp, j, n->cfg.operator_key) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("hub sent a checkpoint this node cannot accept: %s", why);
		return NR_REFUSED;
	}
	if (strcmp(cp->origin, n->cfg.hub_name) != 0) {
		rs_seterr("checkpoint is for log \"%s\", not \"%s\"", cp->origin,
		    n->cfg.hub_name);
		rc = NR_REFUSED;
		goto bad;
	}
	if ((rc = checkpoint_clash(n, cp)) != NR_OK)
		goto bad;
	if ((have = store_checkpoint_newest(n, &latest)) == STORE_ERROR) {
		rc = NR_STORAGE;
		goto bad;
	}
	if (have == STORE_OK && latest.size != cp->size) {
		rc = consistency_check(n, latest.size, latest.root, cp->size, cp->root);
		if (rc == NR_HOSTILE) {
			char *ev = evidence_of(cp, NULL);
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			(void)store_alarm(n, "history-rewritten", ev, "%s", why);
			free(ev);
			rs_seterr("%s", why);
		}
	}
	if (have == STORE_OK)
		stored_checkpoint_free(&latest);
	if (rc != NR_OK)
		goto bad;
	if (store_checkpoint_add(n, cp) != 0) {
		rc = NR_STORAGE;
		goto bad;
	}
	return NR_OK;
bad:
	checkpoint_free(cp);
	return rc;
}

enum node_result
verify_inclusion(struct node *n, const struct checkpoint *cp, uint64_t index,
    const uint8_t id[32], int64_t time, json_t *proof)
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
	if (merkle_verify_inclusion(index, cp->size, leaf, (const uint8_t (*)[32])p,
	    np, cp->root) != 0) {
		rs_seterr("not in the log the operator signed: inclusion proof fails");
		return NR_REFUSED;
	}
	return NR_OK;
}

/*
 * Own-State check: returns 0 when the record (about this node's State) was
 * made with the State's root key, -1 with rs_err otherwise.  Before
 * enrolment the node does not know its root key and cannot judge.
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
		    memcmp(key, n->cfg.root_key, 32) == 0;
		json_decref(p);
		if (!ok) {
			rs_seterr("the operator admitted a root key for %s that %s does not hold",
			    e->state, e->state);
			return -1;
		}
	} else if (strcmp(e->kind, "cert") == 0) {
		if (memcmp(e->key, n->cfg.root_key, 32) != 0) {
			rs_seterr("a device of %s was certified by a key that is not %s's root key",
			    e->state, e->state);
			return -1;
		}
	} else if (strcmp(e->kind, "revoke") == 0) {
		p = env_payload_json(e);
		ok = memcmp(e->key, n->cfg.root_key, 32) == 0 ||
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
	if (own_state_record_ok(n, e) == 0)
		return NR_OK;
	char why[RS_ERRLEN], *eb = b64_encode(e->raw, e->raw_len);
	snprintf(why, sizeof(why), "%s", rs_err());
	(void)store_alarm(n, "foreign-key-record", eb, "%s (log index %lld)", why,
	    (long long)index);
	free(eb);
	rs_seterr("%s (log index %lld)", why, (long long)index);
	return NR_HOSTILE;
}

int
directory_load(struct node *n)
{
	n->directory = dir_new(n->cfg.operator_key);
	n->dir_index = -1;
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

int
directory_refresh(struct node *n)
{
	return store_records_each(n, NULL, n->dir_index, INT64_MAX, 0, apply_stored, n);
}

enum node_result
directory_accept(struct node *n, const struct envelope *e, int64_t index,
    int64_t time)
{
	if (dir_check(n->directory, e, index, time, 0) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		(void)store_alarm(n, "bad-directory-record", NULL,
		    "the hub logged a directory record that breaks the rules at index %lld: %s",
		    (long long)index, why);
		rs_seterr("%s", why);
		return NR_REFUSED;
	}
	(void)own_state_alarm(n, e, index);	/* alarm, but the record is in the log */
	dir_apply(n->directory, e, index);
	n->dir_index = index;
	return NR_OK;
}
