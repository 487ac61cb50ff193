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
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"
#include "merkle.h"

static int
proof_from_json(json_t *arr, uint8_t (*proof)[32], size_t *n)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) > MERKLE_MAX_PROOF) {
		rs_seterr("proof must be an array of at most %d hashes", MERKLE_MAX_PROOF);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		struct buf b = {0};
		if (!json_is_string(v) || b64_decode(&b, json_string_value(v),
		    json_string_length(v)) != 0 || b.len != 32) {
			buf_free(&b);
			rs_seterr("proof hash %zu is not 32 bytes of base64", i);
			return -1;
		}
		memcpy(proof[i], b.p, 32);
		buf_free(&b);
	}
	*n = json_array_size(arr);
	return 0;
}

int
consistency_check(struct node *n, uint64_t size1, const uint8_t root1[32],
    uint64_t size2, const uint8_t root2[32])
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	char target[128];
	json_t *j;
	size_t np;
	int rc;

	if (size1 == size2) {
		if (memcmp(root1, root2, 32) == 0)
			return 0;
		rs_seterr("two checkpoints of size %llu with different roots",
		    (unsigned long long)size1);
		return -2;
	}
	if (size1 > size2)
		return consistency_check(n, size2, root2, size1, root1);
	if (size1 == 0)
		return 0;	/* the empty tree is a prefix of every tree */
	snprintf(target, sizeof(target), "/v1/proof/consistency?from=%llu&to=%llu",
	    (unsigned long long)size1, (unsigned long long)size2);
	/*
	 * Both sizes come from checkpoints the operator signed, so an honest
	 * hub can always prove one a prefix of the other.  A refusal (4xx) is
	 * therefore a failed proof, e.g. a log that shrank after a rollback;
	 * only a transport error or a 5xx is a mere failure to check.
	 */
	struct buf body = {0};
	long status;
	if (http_call(n->hub, "GET", target, NULL, NULL, 0, &status, &body) != 0)
		return -1;
	j = status / 100 == 2 ? jparse(body.p, body.len) : NULL;
	buf_free(&body);
	if (status / 100 == 4) {
		rs_seterr("the hub cannot prove checkpoint %llu a prefix of checkpoint %llu "
		    "(HTTP %ld): its log was rolled back or forked",
		    (unsigned long long)size1, (unsigned long long)size2, status);
		return -2;
	}
	if (j == NULL) {
		rs_seterr("the hub did not answer a consistency proof request (HTTP %ld)", status);
		return -1;
	}
	rc = proof_from_json(json_object_get(j, "proof"), proof, &np);
	json_decref(j);
	if (rc != 0)
		return -2;
	if (merkle_verify_consistency(size1, size2, root1, root2,
	    (const uint8_t (*)[32])proof, np) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("checkpoint %llu is not a prefix of checkpoint %llu: %s",
		    (unsigned long long)size1, (unsigned long long)size2, why);
		return -2;
	}
	return 0;
}

static int
latest_checkpoint(struct node *n, uint64_t *size, uint8_t root[32])
{
	sqlite3_stmt *st = db_prep(n->db,
	    "SELECT size, root FROM checkpoints ORDER BY size DESC LIMIT 1");
	int found = 0;

	if (st == NULL)
		return -1;
	if (sqlite3_step(st) == SQLITE_ROW) {
		*size = (uint64_t)sqlite3_column_int64(st, 0);
		memcpy(root, sqlite3_column_blob(st, 1), 32);
		found = 1;
	}
	sqlite3_finalize(st);
	return found;
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

int
checkpoint_clash(struct node *n, const struct checkpoint *cp)
{
	sqlite3_stmt *st = db_prep(n->db,
	    "SELECT text FROM checkpoints WHERE size = ? AND root != ?");
	int rc = 0;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, (int64_t)cp->size);
	sqlite3_bind_blob(st, 2, cp->root, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		char *ev = evidence_of(cp, (const char *)sqlite3_column_text(st, 0));
		store_alarm(n, "split-view", ev,
		    "the operator signed two different checkpoints of size %llu",
		    (unsigned long long)cp->size);
		free(ev);
		rs_seterr("the operator signed two different checkpoints of size %llu",
		    (unsigned long long)cp->size);
		rc = -2;
	}
	sqlite3_finalize(st);
	return rc;
}

int
verify_checkpoint(struct node *n, json_t *j, struct checkpoint *cp)
{
	uint64_t lsize;
	uint8_t lroot[32];
	sqlite3_stmt *st;
	int have, rc;

	if (checkpoint_from_json(cp, j, n->cfg.operator_key) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("hub sent a checkpoint this node cannot accept: %s", why);
		return -1;
	}
	if (strcmp(cp->origin, n->cfg.hub_name) != 0) {
		rs_seterr("checkpoint is for log \"%s\", not \"%s\"", cp->origin, n->cfg.hub_name);
		goto bad;
	}
	if (checkpoint_clash(n, cp) != 0)
		goto bad;
	if ((have = latest_checkpoint(n, &lsize, lroot)) < 0)
		goto bad;
	if (have && lsize != cp->size) {
		rc = consistency_check(n, lsize, lroot, cp->size, cp->root);
		if (rc == -2) {
			char *ev = evidence_of(cp, NULL);
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			store_alarm(n, "history-rewritten", ev, "%s", why);
			free(ev);
			rs_seterr("%s", why);
		}
		if (rc != 0)
			goto bad;
	}
	st = db_prep(n->db, "INSERT OR IGNORE INTO checkpoints(size, root, time, text, sig, seen)"
	    " VALUES(?, ?, ?, ?, ?, ?)");
	if (st == NULL)
		goto bad;
	sqlite3_bind_int64(st, 1, (int64_t)cp->size);
	sqlite3_bind_blob(st, 2, cp->root, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 3, cp->time);
	sqlite3_bind_text(st, 4, cp->text, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 5, cp->sig, 64, SQLITE_STATIC);
	sqlite3_bind_int64(st, 6, now_ms());
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	if (rc != 0)
		goto bad;
	return 0;
bad:
	checkpoint_free(cp);
	return -1;
}

int
verify_inclusion(struct node *n, const struct checkpoint *cp, uint64_t index,
    const uint8_t id[32], int64_t time, json_t *proof)
{
	uint8_t p[MERKLE_MAX_PROOF][32], leaf[32];
	size_t np;

	if (index >= cp->size) {
		rs_seterr("index %llu is outside the checkpoint (size %llu)",
		    (unsigned long long)index, (unsigned long long)cp->size);
		return -1;
	}
	if (proof_from_json(proof, p, &np) != 0)
		return -1;
	env_leaf_hash(leaf, id, time);
	if (merkle_verify_inclusion(index, cp->size, leaf, (const uint8_t (*)[32])p,
	    np, cp->root) != 0) {
		rs_seterr("not in the log the operator signed: inclusion proof fails");
		return -1;
	}
	return 0;
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

int
own_state_alarm(struct node *n, const struct envelope *e, int64_t index)
{
	if (own_state_record_ok(n, e) == 0)
		return 0;
	char why[RS_ERRLEN], *eb = b64_encode(e->raw, e->raw_len);
	snprintf(why, sizeof(why), "%s", rs_err());
	store_alarm(n, "foreign-key-record", eb, "%s (log index %lld)", why, (long long)index);
	free(eb);
	rs_seterr("%s (log index %lld)", why, (long long)index);
	return -1;
}

int
directory_load(struct node *n)
{
	n->directory = dir_new(n->cfg.operator_key);
	n->dir_index = -1;
	return directory_refresh(n);
}

int
directory_refresh(struct node *n)
{
	sqlite3_stmt *st;

	st = db_prep(n->db, "SELECT idx, envelope FROM records"
	    " WHERE kind IN " DIR_PUBLIC_KINDS_SQL " AND idx > ? ORDER BY idx");
	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, n->dir_index);
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct envelope e;
		int64_t idx = sqlite3_column_int64(st, 0);
		if (env_parse(&e, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)) != 0) {
			sqlite3_finalize(st);
			rs_seterr("the node's store is damaged (record %lld): %s",
			    (long long)idx, rs_err());
			return -1;
		}
		dir_apply(n->directory, &e, idx);
		n->dir_index = idx;
		env_free(&e);
	}
	sqlite3_finalize(st);
	return 0;
}

int
directory_accept(struct node *n, const struct envelope *e, int64_t index,
    int64_t time)
{
	if (dir_check(n->directory, e, index, time, 0) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		store_alarm(n, "bad-directory-record", NULL,
		    "the hub logged a directory record that breaks the rules at index %lld: %s",
		    (long long)index, why);
		rs_seterr("%s", why);
		return -1;
	}
	own_state_alarm(n, e, index);	/* alarm, but the record is in the log */
	dir_apply(n->directory, e, index);
	n->dir_index = index;
	return 0;
}
