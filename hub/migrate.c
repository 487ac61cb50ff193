/*
 * migrate.c - "rosterd migrate-store --from HUBDIR --to postgresql://...":
 * moves a hub's log from SQLite to PostgreSQL.
 *
 * Through the store interface only (store.h): the source is opened as the
 * hub would open it (its trees checked, rebuilt if they must be, its
 * stored checkpoint checked against them), every row is read in index
 * order (scan) and written to the new store by the writer's own entries,
 * in batches of MIGRATE_BATCH rows, each one transaction: insert (which
 * derives the routing and public rows from the envelope's header, as the
 * sequencer does), the leaves appended to both trees, the size recorded,
 * commit.  Then the chain heads and the latest checkpoint.  No rule is run
 * again: the log is moved as it is, byte for byte, index for index, time
 * for time; rosterd check on either side judges it.
 *
 * Then it proves the move changed nothing a node could see:
 *   - both trees' roots at the final size are the source's;
 *   - every checkpoint the operator is known to have signed still holds:
 *     the stored one, and every one a node cosigned (each cosign record
 *     carries the checkpoint it verified, operator-signed), each checked
 *     against the new trees at its own size: its root, and for a v2 its
 *     public size and public root;
 *   - as many routing rows and chain heads as the source;
 *   - the new store opens as a hub opens it (edges, last leaves, stored
 *     checkpoint).
 * Only then does HUBDIR/hub.json name the database.  On any failure the
 * new database is emptied again (so a second run may start afresh) and
 * hub.json is left as it was.  hub.db and tree/ stay where they are, as a
 * backup: nothing reads them once hub.json names the database.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "jsonutil.h"
#include "pg.h"
#include "statement.h"
#include "store.h"
#include "util.h"

#define MIGRATE_BATCH	5000

struct migration {
	struct store *src, *dst;
	uint64_t n;			/* rows copied */
	int in_batch;
	struct checkpoint stored;	/* the source's latest, when it has one */
	int has_stored;
	uint64_t checkpoints;		/* verified */
};

static int
end_batch(struct migration *m)
{
	struct store *d = m->dst;

	if (!m->in_batch)
		return 0;
	m->in_batch = 0;
	if (d->ops->set_size(d, m->n) != 0 || merkle_sync(d->tree) != 0 ||
	    merkle_sync(d->ptree) != 0 || d->ops->commit(d) != 0) {
		d->ops->rollback(d);
		d->ops->end(d);
		return -1;
	}
	store_set_committed(d, m->n, d->pub_size, d->last_time);
	d->ops->end(d);
	return 0;
}

static int
begin_batch(struct migration *m)
{
	if (m->in_batch)
		return 0;
	if (m->dst->ops->begin(m->dst) != 0)
		return -1;
	m->in_batch = 1;
	return 0;
}

/* store_scan_cb: one row of the source into the new store. */
static int
copy_row(void *arg, const struct store_row *r)
{
	struct migration *m = arg;
	struct store *d = m->dst;
	struct envelope e;
	uint8_t leaf[32];
	uint64_t pub;
	int rc = -1;

	if (r->idx != m->n) {
		rs_seterr("the source's log has no row %llu (the next is %llu); "
		    "run \"rosterd check\"", (unsigned long long)m->n,
		    (unsigned long long)r->idx);
		return -1;
	}
	if (r->env == NULL || env_parse(&e, r->env, r->env_len) != 0) {
		rs_seterr("the source's envelope %llu does not parse; run \"rosterd "
		    "check\"", (unsigned long long)r->idx);
		return -1;
	}
	if (r->id_len != 32 || memcmp(r->id, e.id, 32) != 0) {
		rs_seterr("the source's row %llu has an id that is not its "
		    "envelope's; run \"rosterd check\"", (unsigned long long)r->idx);
		goto out;
	}
	if (begin_batch(m) != 0)
		goto out;
	pub = d->pub_size;
	if (d->ops->insert(d, &e, r->idx, r->time) != 0)
		goto out;
	/* The header decides what is public, on both sides: the new pub row
	 * must be the source's. */
	if ((d->pub_size != pub) != (r->pindex >= 0) ||
	    (r->pindex >= 0 && (uint64_t)r->pindex != pub)) {
		rs_seterr("row %llu is public record %lld in the source but %s in "
		    "the new store", (unsigned long long)r->idx, (long long)r->pindex,
		    d->pub_size != pub ? "another" : "not public");
		goto out;
	}
	env_leaf_hash(leaf, e.id, r->time);
	if (merkle_append(d->tree, leaf) != 0)
		goto out;
	if (d->pub_size != pub) {
		merkle_public_leaf(leaf, r->idx, e.id, r->time);
		if (merkle_append(d->ptree, leaf) != 0)
			goto out;
	}
	d->last_time = r->time;
	m->n++;
	rc = m->n % MIGRATE_BATCH == 0 ? end_batch(m) : 0;
out:
	env_free(&e);
	return rc;
}

/* store_head_cb */
static int
copy_head(void *arg, const uint8_t *device, size_t dlen, int64_t seq,
    const uint8_t *id, size_t idlen)
{
	struct migration *m = arg;

	if (dlen != 32 || idlen != 32) {
		rs_seterr("the source's chain-head table has a malformed row; run "
		    "\"rosterd check\"");
		return -1;
	}
	return m->dst->ops->set_head(m->dst, device, seq, id);
}

/* The chain heads and the stored checkpoint (the source's open checked
 * it against the source's trees). */
static int
copy_rest(struct migration *m)
{
	struct store *src = m->src, *d = m->dst;
	char *text = NULL, *sig = NULL;
	struct buf raw = {0};
	int rc = -1;

	if (begin_batch(m) != 0 || src->ops->heads(src, copy_head, m) != 0 ||
	    src->ops->load_checkpoint(src, &text, &sig) != 0)
		goto out;
	if (text != NULL) {
		if (b64_decode(&raw, sig, strlen(sig)) != 0 || raw.len != 64 ||
		    checkpoint_parse(&m->stored, text, raw.p, src->op->pk) != 0) {
			rs_seterr("the source's stored checkpoint does not verify");
			goto out;
		}
		m->has_stored = 1;
		if (d->ops->save_checkpoint(d, m->stored.size, text, sig) != 0)
			goto out;
	}
	rc = end_batch(m);
out:
	buf_free(&raw);
	free(text);
	free(sig);
	return rc;
}

/* One checkpoint the operator signed: it must hold for the new trees. */
static int
verify_checkpoint(struct migration *m, const struct checkpoint *c, const char *what)
{
	struct store *d = m->dst;
	uint8_t root[32];
	uint64_t pub;

	if (c->size > m->n) {
		rs_seterr("%s covers %llu envelopes, the log has %llu", what,
		    (unsigned long long)c->size, (unsigned long long)m->n);
		return -1;
	}
	if (merkle_root(d->tree, c->size, root) != 0)
		return -1;
	if (memcmp(root, c->root, 32) != 0) {
		rs_seterr("%s (size %llu): the new tree's root is not its root",
		    what, (unsigned long long)c->size);
		return -1;
	}
	if (c->version == 2) {
		if (d->ops->pub_size_at(d, c->size, &pub) != 0 ||
		    merkle_root(d->ptree, c->pub_size, root) != 0)
			return -1;
		if (pub != c->pub_size || memcmp(root, c->pub_root, 32) != 0) {
			rs_seterr("%s (size %llu): the new public tree is not its "
			    "public tree", what, (unsigned long long)c->size);
			return -1;
		}
	}
	m->checkpoints++;
	return 0;
}

/* store_row_cb over the cosign records: each carries a checkpoint the
 * operator signed and a node verified. */
static int
verify_cosign(void *arg, uint64_t idx, int64_t time, int64_t pindex,
    const void *env, size_t len)
{
	struct migration *m = arg;
	struct checkpoint c;
	struct envelope e;
	struct buf sig = {0};
	json_t *p = NULL;
	const char *text, *sigb;
	char what[64];
	int rc = 0;

	(void)time;
	(void)pindex;
	memset(&c, 0, sizeof(c));
	if (env_parse(&e, env, len) != 0)
		return 0;	/* rosterd check's business, not the move's */
	p = env_payload_json(&e);
	text = jstr(p, "checkpoint");
	sigb = jstr(p, "sig");
	if (text != NULL && sigb != NULL && b64_decode(&sig, sigb, strlen(sigb)) == 0 &&
	    sig.len == 64 && checkpoint_parse(&c, text, sig.p, m->src->op->pk) == 0) {
		snprintf(what, sizeof(what), "the checkpoint cosigned at %llu",
		    (unsigned long long)idx);
		rc = verify_checkpoint(m, &c, what);
	}
	checkpoint_free(&c);
	buf_free(&sig);
	json_decref(p);
	env_free(&e);
	return rc;
}

static int
verify(struct migration *m)
{
	struct store *src = m->src, *d = m->dst;
	uint8_t a[32], b[32];
	uint64_t r1, r2;

	if (merkle_root(src->tree, m->n, a) != 0 || merkle_root(d->tree, m->n, b) != 0)
		return -1;
	if (memcmp(a, b, 32) != 0) {
		rs_seterr("the new tree's root is not the source's");
		return -1;
	}
	if (merkle_root(src->ptree, src->pub_size, a) != 0 ||
	    merkle_root(d->ptree, d->pub_size, b) != 0)
		return -1;
	if (src->pub_size != d->pub_size || memcmp(a, b, 32) != 0) {
		rs_seterr("the new public tree is not the source's");
		return -1;
	}
	if (src->ops->count(src, "rcpt", &r1) != 0 || d->ops->count(d, "rcpt", &r2) != 0)
		return -1;
	if (r1 != r2) {
		rs_seterr("the new store has %llu routing rows, the source %llu",
		    (unsigned long long)r2, (unsigned long long)r1);
		return -1;
	}
	if (m->has_stored && verify_checkpoint(m, &m->stored, "the stored checkpoint") != 0)
		return -1;
	return d->ops->kind_rows(d, "cosign", m->n, verify_cosign, m);
}

struct mopts {
	const char *hubdir;
	const char *url;
};

static int
parse_migrate(int argc, char **argv, struct mopts *o)
{
	const char *pos;
	struct opts op;

	memset(o, 0, sizeof(*o));
	if (hub_opts(&op, &hdoc_migrate, argc, argv) != 0)
		return -1;
	/* --from HUBDIR, or HUBDIR as the one positional argument */
	if ((pos = opt_value(&op, "--from")) == NULL)
		pos = opt_positional(&op);
	o->url = opt_value(&op, "--to");
	if (opts_finish(&op) != OPTS_OK) {
		opts_free(&op);
		return -1;
	}
	opts_free(&op);
	if (o->url == NULL || !pg_is_url(o->url) || strlen(o->url) >= HUB_DB_MAX) {
		opts_usage_for("rosterd", "migrate-store", "--to must name the new "
		    "database, a postgresql:// URL");
		return -1;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL) {
		opts_usage_for("rosterd", "migrate-store", "%s", rs_err());
		return -1;
	}
	return 0;
}

static int
migrate(const struct mopts *o, struct hub_config *cfg)
{
	struct migration m = {0};
	struct hub_config to = *cfg;
	int created = 0, rc = -1;

	snprintf(to.db, sizeof(to.db), "%s", o->url);
	if ((m.src = store_open(o->hubdir, cfg)) == NULL)
		goto out;
	if (store_pg_create(&to, m.src->op->pk) != 0)
		goto out;
	created = 1;
	if ((m.dst = store_open(o->hubdir, &to)) == NULL ||
	    m.src->ops->scan(m.src, UINT64_MAX, copy_row, &m) != 0 ||
	    end_batch(&m) != 0 || copy_rest(&m) != 0)
		goto out;
	if (m.n != store_committed(m.src)) {
		rs_seterr("copied %llu rows of the %llu committed",
		    (unsigned long long)m.n, (unsigned long long)store_committed(m.src));
		goto out;
	}
	if (verify(&m) != 0)
		goto out;
	store_close(m.dst);
	/* As a hub opens it: edges, last leaves, the stored checkpoint. */
	if ((m.dst = store_open(o->hubdir, &to)) == NULL)
		goto out;
	snprintf(cfg->db, sizeof(cfg->db), "%s", o->url);
	if (hub_config_write(o->hubdir, cfg) != 0)
		goto out;
	printf("rosterd: moved %llu envelopes (%llu public) to %s; the root at "
	    "each of %llu checkpoints the operator signed is unchanged\n",
	    (unsigned long long)m.n, (unsigned long long)m.src->pub_size,
	    pg_redact(o->url), (unsigned long long)m.checkpoints);
	printf("rosterd: %s/hub.json now names the database; hub.db and tree/ "
	    "are left as they were, as a backup\n", o->hubdir);
	rc = 0;
out:
	if (m.in_batch) {
		m.dst->ops->rollback(m.dst);
		m.dst->ops->end(m.dst);
	}
	store_close(m.dst);
	store_close(m.src);
	checkpoint_free(&m.stored);
	if (rc != 0 && created) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if (store_pg_wipe(&to) != 0)
			fprintf(stderr, "rosterd migrate-store: cannot empty %s again "
			    "(%s): empty it before trying again\n", pg_redact(o->url),
			    rs_err());
		rs_seterr("%s", why);
	}
	return rc;
}

int
cmd_migrate_store(int argc, char **argv)
{
	struct mopts o;
	struct hub_config cfg;
	int lockfd, rc;

	if (parse_migrate(argc, argv, &o) != 0)
		return 2;
	if (hub_config_read(o.hubdir, &cfg) != 0) {
		fprintf(stderr, "rosterd migrate-store: %s\n", rs_err());
		return 1;
	}
	if (cfg.db[0] != '\0') {
		fprintf(stderr, "rosterd migrate-store: %s already keeps its log in "
		    "%s\n", o.hubdir, pg_redact(cfg.db));
		return 1;
	}
	if ((rc = hub_lock(o.hubdir, &lockfd)) != 0) {
		fprintf(stderr, "rosterd migrate-store: %s%s\n", rs_err(), rc == 1 ?
		    " (stop the hub first)" : "");
		return 1;
	}
	rc = migrate(&o, &cfg);
	hub_unlock(lockfd);
	if (rc != 0) {
		fprintf(stderr, "rosterd migrate-store: %s\n", rs_err());
		return 1;
	}
	return 0;
}
