/*
 * checkpoint.c - the operator's signed checkpoints, made lazily.
 *
 * Signing a checkpoint per batch would cost a signature per commit whether
 * anyone asks or not; instead one is signed when somebody asks and the
 * committed size has changed since the last one.  The latest is cached under
 * a mutex (so concurrent readers share one signature) and written into meta
 * by the writer, inside its next transaction or at close, so that after a
 * restart the hub serves the same statement for the same size.
 *
 * Checkpoints are v2: besides the log's size and root they carry the public
 * size (public records below the size, from the pub table's count at
 * commit) and the public tree's root at it (docs/protocol.md section 4).
 *
 * At open the persisted checkpoint is checked against what is on disk: its
 * signature, that the log still holds every entry it covers, that the
 * tree's root at its size is its root and, for a v2, that the pub table
 * counts its public size below its size and the public tree's root there is
 * its public root.  A failure there means the stored log no longer matches
 * what the operator signed, and the hub refuses to serve rather than sign
 * a contradicting history.  A v1 checkpoint (from before the public tree)
 * is checked the same way for the main tree and then replaced by a v2 of
 * the same size, signed at the first request.
 */
#include "store.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static int
cp_refuse(struct store *s, const char *what)
{
	rs_seterr("the latest signed checkpoint in %s %s; run \"rosterd check\"",
	    s->dbpath, what);
	return -1;
}

int
cp_load(struct store *s)
{
	char *text = NULL, *sigb = NULL;
	struct buf sig = {0};
	struct checkpoint c;
	uint8_t root[32];
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (s->ops->load_checkpoint(s, &text, &sigb) != 0)
		goto out;
	if (text == NULL || sigb == NULL) {
		rc = 0;
		goto out;
	}
	if (b64_decode(&sig, sigb, strlen(sigb)) != 0 || sig.len != 64 ||
	    checkpoint_parse(&c, text, sig.p, s->op->pk) != 0) {
		cp_refuse(s, "does not verify");
		goto out;
	}
	if (c.size > store_committed(s)) {
		cp_refuse(s, "covers more entries than the log holds");
		goto out;
	}
	if (merkle_root(s->tree, c.size, root) != 0)
		goto out;
	if (memcmp(root, c.root, 32) != 0) {
		cp_refuse(s, "has a root the log does not produce");
		goto out;
	}
	if (c.version == 2) {
		uint64_t pub;
		if (s->ops->pub_size_at(s, c.size, &pub) != 0)
			goto out;
		if (pub != c.pub_size) {
			cp_refuse(s, "counts other public records than the log holds");
			goto out;
		}
		if (merkle_root(s->ptree, c.pub_size, root) != 0)
			goto out;
		if (memcmp(root, c.pub_root, 32) != 0) {
			cp_refuse(s, "has a public root the log does not produce");
			goto out;
		}
	}
	rc = 0;
	if (c.version == 2 && c.size == store_committed(s) &&
	    strcmp(c.origin, s->cfg.name) == 0) {
		s->cp = c;
		s->cp_valid = 1;
		memset(&c, 0, sizeof(c));
	}
out:
	checkpoint_free(&c);
	buf_free(&sig);
	free(text);
	free(sigb);
	return rc;
}

json_t *
cp_current(struct store *s, uint64_t *size)
{
	struct checkpoint c;
	uint8_t root[32], proot[32];
	uint64_t n, p;
	int64_t t, last;
	json_t *j;

	pthread_mutex_lock(&s->cp_mu);
	store_sizes(s, &n, &p, &last);
	if (!s->cp_valid || s->cp.size != n) {
		if (merkle_root(s->tree, n, root) != 0 ||
		    merkle_root(s->ptree, p, proot) != 0) {
			pthread_mutex_unlock(&s->cp_mu);
			return NULL;
		}
		t = now_ms();
		if (s->cp_valid && t < s->cp.time)
			t = s->cp.time;
		/* Every leaf below n has a log time at most t (protocol 4). */
		if (t < last)
			t = last;
		checkpoint_make(&c, s->cfg.name, n, root, t, p, proot, s->op->sk);
		checkpoint_free(&s->cp);
		s->cp = c;
		s->cp_valid = 1;
		s->cp_dirty = 1;
	}
	j = checkpoint_json(&s->cp);
	*size = n;
	pthread_mutex_unlock(&s->cp_mu);
	return j;
}

int
cp_persist(struct store *s)
{
	char *text, *sig;
	uint64_t size;
	int rc;

	pthread_mutex_lock(&s->cp_mu);
	if (!s->cp_valid || !s->cp_dirty) {
		pthread_mutex_unlock(&s->cp_mu);
		return 0;
	}
	text = xstrdup(s->cp.text);
	sig = b64_encode(s->cp.sig, 64);
	size = s->cp.size;
	s->cp_dirty = 0;
	pthread_mutex_unlock(&s->cp_mu);
	rc = s->ops->save_checkpoint(s, size, text, sig);
	if (rc != 0) {
		pthread_mutex_lock(&s->cp_mu);
		s->cp_dirty = 1;
		pthread_mutex_unlock(&s->cp_mu);
	}
	free(text);
	free(sig);
	return rc;
}

void
cp_free(struct store *s)
{
	checkpoint_free(&s->cp);
	s->cp_valid = 0;
}
