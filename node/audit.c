/*
 * audit.c - roster audit (is the hub honest?) and roster proof check.
 *
 * The audit re-derives every claim from signed data and proofs rather than
 * trusting what sync recorded: the consistency of every pair of successive
 * checkpoints, the inclusion of every envelope this node sent or received
 * against the newest checkpoint, the authorship of every key record about
 * this node's State, and every cosignature against this node's view.  Each
 * check prints one line, "ok" or "FAIL"; any FAIL makes the exit status 1.
 * Only a clean audit cosigns: a node vouches only for what it verified.
 */
#include "node.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "db.h"
#include "jsonutil.h"
#include "merkle.h"

#define PROOF_BATCH 500

struct report {
	int failures;
};

static void
line(struct report *r, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
line(struct report *r, int ok, const char *fmt, ...)
{
	va_list ap;

	printf("%s ", ok ? "ok  " : "FAIL");
	va_start(ap, fmt);
	vprintf(fmt, ap);
	va_end(ap);
	printf("\n");
	if (!ok)
		r->failures++;
}

static int
latest(struct node *n, struct checkpoint *cp)
{
	json_t *j;
	int rc;

	if (http_get_json(n->hub, "/v1/checkpoint", &j) != 0)
		return -1;
	rc = verify_checkpoint(n, j, cp);
	json_decref(j);
	return rc;
}

static void
audit_consistency(struct node *n, struct report *r)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT size, root FROM checkpoints ORDER BY size, root");
	uint64_t psize = 0, first = 0;
	uint8_t proot[32];
	int count = 0, bad = 0;

	if (st == NULL) {
		line(r, 0, "cannot read the checkpoints this node has seen: %s", rs_err());
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		uint64_t size = (uint64_t)sqlite3_column_int64(st, 0);
		const uint8_t *root = sqlite3_column_blob(st, 1);
		if (count > 0) {
			int rc = consistency_check(n, psize, proot, size, root);
			if (rc != 0) {
				line(r, 0, "checkpoints %llu and %llu: %s", (unsigned long long)psize,
				    (unsigned long long)size, rs_err());
				bad++;
			}
		} else
			first = size;
		psize = size;
		memcpy(proot, root, 32);
		count++;
	}
	sqlite3_finalize(st);
	if (bad == 0)
		line(r, 1, "consistency of the %d checkpoint%s seen (sizes %llu to %llu)",
		    count, count == 1 ? "" : "s", (unsigned long long)first,
		    (unsigned long long)psize);
}

struct leaf {
	int64_t index, time;
	uint8_t id[32];
};

static int
check_batch(struct node *n, const struct checkpoint *cp, struct leaf *l, size_t count,
    struct report *r)
{
	struct buf target = {0};
	json_t *j, *proofs, *p;
	size_t i;
	int bad = 0;

	buf_printf(&target, "/v1/proof/inclusion?size=%llu&index=", (unsigned long long)cp->size);
	for (i = 0; i < count; i++)
		buf_printf(&target, "%s%lld", i ? "," : "", (long long)l[i].index);
	if (http_get_json(n->hub, buf_cstr(&target), &j) != 0) {
		buf_free(&target);
		line(r, 0, "cannot fetch inclusion proofs: %s", rs_err());
		return -1;
	}
	buf_free(&target);
	proofs = json_object_get(j, "proofs");
	for (i = 0; i < count; i++) {
		p = json_array_get(proofs, i);
		int64_t idx;
		if (p == NULL || jint_req(p, "index", &idx) != 0 || idx != l[i].index ||
		    verify_inclusion(n, cp, (uint64_t)l[i].index, l[i].id, l[i].time,
		    json_object_get(p, "proof")) != 0) {
			line(r, 0, "envelope at log index %lld is not in the log the operator "
			    "signed: %s", (long long)l[i].index, p ? rs_err() : "no proof given");
			bad++;
		}
	}
	json_decref(j);
	return bad;
}

static void
audit_inclusion(struct node *n, const struct checkpoint *cp, struct report *r)
{
	sqlite3_stmt *st = db_prep(n->db,
	    "SELECT idx, time, id, NULL FROM records UNION"
	    " SELECT idx, time, id, receipt FROM outbox WHERE idx IS NOT NULL ORDER BY 1");
	struct leaf batch[PROOF_BATCH];
	size_t nb = 0;
	int total = 0, bad = 0;

	if (st == NULL) {
		line(r, 0, "cannot read stored envelopes: %s", rs_err());
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct leaf *l = &batch[nb];
		l->index = sqlite3_column_int64(st, 0);
		l->time = sqlite3_column_int64(st, 1);
		memcpy(l->id, sqlite3_column_blob(st, 2), 32);
		if (sqlite3_column_type(st, 3) != SQLITE_NULL) {
			struct receipt rc;
			json_t *rj = jparse(sqlite3_column_text(st, 3),
			    (size_t)sqlite3_column_bytes(st, 3));
			if (receipt_from_json(&rc, rj) != 0 ||
			    receipt_verify(&rc, n->cfg.operator_key) != 0 ||
			    memcmp(rc.id, l->id, 32) != 0 || (int64_t)rc.index != l->index) {
				line(r, 0, "stored receipt for log index %lld does not verify",
				    (long long)l->index);
				bad++;
			}
			json_decref(rj);
		}
		if ((uint64_t)l->index >= cp->size) {
			line(r, 0, "envelope at log index %lld is beyond the newest checkpoint (%llu)",
			    (long long)l->index, (unsigned long long)cp->size);
			bad++;
			continue;
		}
		total++;
		if (++nb == PROOF_BATCH) {
			bad += check_batch(n, cp, batch, nb, r) != 0;
			nb = 0;
		}
	}
	sqlite3_finalize(st);
	if (nb > 0)
		bad += check_batch(n, cp, batch, nb, r) != 0;
	if (bad == 0)
		line(r, 1, "inclusion of the %d envelope%s this node sent or received, "
		    "against checkpoint %llu", total, total == 1 ? "" : "s",
		    (unsigned long long)cp->size);
}

static void
audit_own_state(struct node *n, struct report *r)
{
	sqlite3_stmt *st;
	int roots = 0, certs = 0, revokes = 0, bad = 0;

	if (!n->cfg.has_root) {
		line(r, 0, "this node is not enrolled, so it cannot tell %s's key records "
		    "from foreign ones", n->cfg.state);
		return;
	}
	st = db_prep(n->db, "SELECT idx, envelope FROM records"
	    " WHERE kind IN " DIR_PUBLIC_KINDS_SQL " ORDER BY idx");
	if (st == NULL) {
		line(r, 0, "cannot read directory records: %s", rs_err());
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct envelope e;
		if (env_parse(&e, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)) != 0)
			continue;
		if (e.state != NULL && strcmp(e.state, n->cfg.state) == 0) {
			roots += strcmp(e.kind, "admit") == 0;
			certs += strcmp(e.kind, "cert") == 0;
			revokes += strcmp(e.kind, "revoke") == 0;
			if (own_state_alarm(n, &e, sqlite3_column_int64(st, 0)) != 0) {
				line(r, 0, "%s", rs_err());
				bad++;
			}
		}
		env_free(&e);
	}
	sqlite3_finalize(st);
	if (bad == 0)
		line(r, 1, "key records about %s: %d root key admission%s, %d device "
		    "certificate%s, %d revocation%s, all made with %s's own key", n->cfg.state,
		    roots, roots == 1 ? "" : "s", certs, certs == 1 ? "" : "s", revokes,
		    revokes == 1 ? "" : "s", n->cfg.state);
}

/* Was (size, root) already seen by this node, or shown consistent with its
 * view before? */
static int
known_agreed(struct node *n, const struct checkpoint *c)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT 1 FROM agreed WHERE size = ?1 AND root = ?2"
	    " UNION ALL SELECT 1 FROM checkpoints WHERE size = ?1 AND root = ?2");
	int found = 0;

	if (st == NULL)
		return 0;
	sqlite3_bind_int64(st, 1, (int64_t)c->size);
	sqlite3_bind_blob(st, 2, c->root, 32, SQLITE_STATIC);
	found = sqlite3_step(st) == SQLITE_ROW;
	sqlite3_finalize(st);
	return found;
}

/* Does a checkpoint someone else cosigned fit this node's view? */
static int
fits_view(struct node *n, const struct checkpoint *c, const struct checkpoint *mine)
{
	sqlite3_stmt *st;
	int rc;

	if (known_agreed(n, c))
		return 0;
	if ((rc = checkpoint_clash(n, c)) != 0)
		return rc;
	rc = consistency_check(n, c->size, c->root, mine->size, mine->root);
	if (rc == 0 && (st = db_prep(n->db, "INSERT OR IGNORE INTO agreed(size, root)"
	    " VALUES(?, ?)")) != NULL) {
		sqlite3_bind_int64(st, 1, (int64_t)c->size);
		sqlite3_bind_blob(st, 2, c->root, 32, SQLITE_STATIC);
		db_done(n->db, st);
		sqlite3_finalize(st);
	}
	return rc;
}

static void
audit_cosignatures(struct node *n, const struct checkpoint *mine, struct report *r)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT idx, envelope FROM records"
	    " WHERE kind = 'cosign' ORDER BY idx");
	int count = 0, bad = 0;

	if (st == NULL) {
		line(r, 0, "cannot read cosignatures: %s", rs_err());
		return;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		struct envelope e;
		struct checkpoint c;
		json_t *p;
		if (env_parse(&e, sqlite3_column_blob(st, 1),
		    (size_t)sqlite3_column_bytes(st, 1)) != 0)
			continue;
		p = env_payload_json(&e);
		if (p != NULL && checkpoint_from_json(&c, p, n->cfg.operator_key) == 0) {
			int rc = fits_view(n, &c, mine);
			if (rc == -2) {
				char fpr[RS_FPR_LEN];
				fingerprint(fpr, e.key);
				line(r, 0, "split view: a device of %s (%s) cosigned checkpoint %llu, "
				    "which contradicts this node's view: %s", e.state, fpr,
				    (unsigned long long)c.size, rs_err());
				store_alarm(n, "split-view", NULL, "cosigned checkpoint %llu by a "
				    "device of %s contradicts this node's view",
				    (unsigned long long)c.size, e.state);
				bad++;
			} else if (rc != 0) {
				line(r, 0, "cannot check a cosignature: %s", rs_err());
				bad++;
			}
			checkpoint_free(&c);
			count++;
		}
		json_decref(p);
		env_free(&e);
	}
	sqlite3_finalize(st);
	if (bad == 0)
		line(r, 1, "%d cosignature%s by other nodes agree with this node's view",
		    count, count == 1 ? "" : "s");
}

/*
 * A checkpoint another State's node verified, passed out of band (`roster
 * checkpoint` there, e-mail, a phone call reading the root): the check that
 * does not depend on the hub relaying cosignatures honestly.
 */
static void
audit_witness(struct node *n, const char *path, const struct checkpoint *mine,
    struct report *r)
{
	struct buf b = {0};
	struct checkpoint c;
	json_t *j = NULL;
	int rc;

	if (read_file(path, &b, 65536) != 0 || (j = jparse(b.p, b.len)) == NULL ||
	    checkpoint_from_json(&c, j, n->cfg.operator_key) != 0) {
		line(r, 0, "witness checkpoint %s: %s", path, rs_err());
		goto out;
	}
	rc = fits_view(n, &c, mine);
	if (rc == -2) {
		char *ev = jdump(j);
		store_alarm(n, "split-view", ev, "checkpoint %llu from %s contradicts this "
		    "node's view", (unsigned long long)c.size, path);
		free(ev);
		line(r, 0, "split view: witness checkpoint %llu (%s) contradicts this node's "
		    "view: %s", (unsigned long long)c.size, path, rs_err());
	} else if (rc != 0)
		line(r, 0, "cannot check witness checkpoint %s: %s", path, rs_err());
	else
		line(r, 1, "witness checkpoint %llu (%s) agrees with this node's view",
		    (unsigned long long)c.size, path);
	checkpoint_free(&c);
out:
	json_decref(j);
	buf_free(&b);
}

static void
audit_alarms(struct node *n, struct report *r)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT time, kind, text FROM alarms ORDER BY n");
	char t[32];
	int count = 0;

	if (st == NULL)
		return;
	while (sqlite3_step(st) == SQLITE_ROW) {
		line(r, 0, "alarm raised %s (%s): %s",
		    time_str(sqlite3_column_int64(st, 0), t, sizeof(t)),
		    sqlite3_column_text(st, 1), sqlite3_column_text(st, 2));
		count++;
	}
	sqlite3_finalize(st);
	if (count == 0)
		line(r, 1, "no alarms recorded");
}

static int
cosign(struct node *n, const struct checkpoint *cp)
{
	int64_t done = -1;
	struct buf env = {0};
	struct sync_stats s = {0};
	uint8_t id[32];
	json_t *hdr, *p;
	char *text;
	int rc;

	db_meta_get_int(n->db, "cosigned_size", &done);
	if (done == (int64_t)cp->size)
		return 0;
	p = checkpoint_json(cp);
	text = jdump(p);
	json_decref(p);
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("cosign"));
	rc = db_begin(n->db) != 0 ||
	    store_outbox_add(n, hdr, text, strlen(text), &env, id) != 0 ||
	    db_meta_set_int(n->db, "cosigned_size", (int64_t)cp->size) != 0 ||
	    db_commit(n->db) != 0;
	if (rc)
		db_rollback(n->db);
	json_decref(hdr);
	free(text);
	buf_free(&env);
	if (rc)
		return -1;
	return outbox_flush(n, &s);
}

int
cmd_audit(int argc, char **argv)
{
	struct node n = {0};
	struct report r = {0};
	struct sync_stats s;
	struct checkpoint cp;
	struct opts o;
	char fpr[RS_FPR_LEN];
	const char *witness;
	int nocosign, rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	nocosign = opt_flag(&o, "--no-cosign");
	witness = opt_value(&o, "--witness");
	rc = opts_finish(&o, "audit");
	opts_free(&o);
	if (rc != 0)
		return EXIT_USAGE;
	if (node_open(&n, 1) != 0) {
		rc = fail("audit");
		goto out;
	}
	n.quiet = 1;
	fingerprint(fpr, n.cfg.device);
	printf("audit of hub \"%s\" by %s %s device %s\n", n.cfg.hub_name, n.cfg.state,
	    n.cfg.role, fpr);
	if (sync_once(&n, &s) != 0 || sync_cosignatures(&n, &s) != 0)
		line(&r, 0, "sync with the hub: %s", rs_err());
	else if (s.refused > 0)
		line(&r, 0, "%d record%s refused during sync (see `roster show`/stderr)",
		    s.refused, s.refused == 1 ? "" : "s");
	if (latest(&n, &cp) != 0) {
		line(&r, 0, "newest checkpoint: %s", rs_err());
		audit_consistency(&n, &r);
		audit_alarms(&n, &r);
		goto done;
	}
	fingerprint(fpr, n.cfg.operator_key);
	line(&r, 1, "checkpoint %llu signed by the operator key %s", (unsigned long long)cp.size, fpr);
	audit_consistency(&n, &r);
	audit_inclusion(&n, &cp, &r);
	audit_own_state(&n, &r);
	audit_cosignatures(&n, &cp, &r);
	if (witness != NULL)
		audit_witness(&n, witness, &cp, &r);
	audit_alarms(&n, &r);
	if (r.failures == 0 && !nocosign) {
		if (cosign(&n, &cp) == 0)
			line(&r, 1, "cosigned checkpoint %llu", (unsigned long long)cp.size);
		else
			line(&r, 0, "cosigning checkpoint %llu: %s", (unsigned long long)cp.size, rs_err());
	}
	checkpoint_free(&cp);
done:
	printf("%s: %d problem%s\n", r.failures ? "AUDIT FAILED" : "audit passed",
	    r.failures, r.failures == 1 ? "" : "s");
	rc = r.failures ? 1 : 0;
out:
	node_close(&n);
	return rc;
}

int
cmd_alarms(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	sqlite3_stmt *st;
	json_t *arr = json_array();
	char t[32];
	int json, evidence, rc, count = 0;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	json = opt_flag(&o, "--json");
	evidence = opt_flag(&o, "--evidence");
	rc = opts_finish(&o, "alarms");
	opts_free(&o);
	if (rc != 0) {
		json_decref(arr);
		return EXIT_USAGE;
	}
	if (node_open(&n, 0) != 0 || (st = db_prep(n.db, "SELECT n, time, kind, text,"
	    " evidence FROM alarms ORDER BY n")) == NULL) {
		rc = fail("alarms");
		goto out;
	}
	while (sqlite3_step(st) == SQLITE_ROW) {
		const char *ev = (const char *)sqlite3_column_text(st, 4);
		count++;
		if (json) {
			json_array_append_new(arr, json_pack("{s:I,s:I,s:s,s:s,s:s?}",
			    "n", (json_int_t)sqlite3_column_int64(st, 0),
			    "time", (json_int_t)sqlite3_column_int64(st, 1),
			    "kind", sqlite3_column_text(st, 2), "text", sqlite3_column_text(st, 3),
			    "evidence", ev));
			continue;
		}
		printf("#%lld  %s  %s\n      %s\n", (long long)sqlite3_column_int64(st, 0),
		    time_str(sqlite3_column_int64(st, 1), t, sizeof(t)),
		    sqlite3_column_text(st, 2), sqlite3_column_text(st, 3));
		if (evidence && ev != NULL)
			printf("      evidence: %s\n", ev);
	}
	sqlite3_finalize(st);
	if (json) {
		char *text = json_dumps(arr, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		puts(text);
		free(text);
	} else if (count == 0)
		printf("no alarms: nothing this node verified contradicts itself\n");
	rc = count > 0 ? 1 : 0;
out:
	json_decref(arr);
	node_close(&n);
	return rc;
}

int
cmd_checkpoint(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	sqlite3_stmt *st;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	rc = opts_finish(&o, "checkpoint");
	opts_free(&o);
	if (rc != 0)
		return EXIT_USAGE;
	if (node_open(&n, 0) != 0) {
		rc = fail("checkpoint");
		goto out;
	}
	st = db_prep(n.db, "SELECT text, sig FROM checkpoints ORDER BY size DESC LIMIT 1");
	rc = 1;
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		json_t *j = json_object();
		json_object_set_new(j, "checkpoint", json_string((const char *)
		    sqlite3_column_text(st, 0)));
		json_object_set_new(j, "sig", jb64(sqlite3_column_blob(st, 1), 64));
		char *text = json_dumps(j, JSON_INDENT(2));
		puts(text);
		free(text);
		json_decref(j);
		rc = 0;
	} else
		fprintf(stderr, "roster checkpoint: this node has not verified any "
		    "checkpoint yet (run `roster sync`)\n");
	sqlite3_finalize(st);
out:
	node_close(&n);
	return rc;
}

int
cmd_proof(int argc, char **argv)
{
	struct buf b = {0};
	int rc;

	if (argc != 3 || strcmp(argv[1], "check") != 0) {
		usage_error("proof", "usage: roster proof check FILE.json");
		return 2;
	}
	if (read_file(argv[2], &b, 16u << 20) != 0) {
		fprintf(stderr, "roster proof: %s\n", rs_err());
		return 2;
	}
	rc = merkle_check_json((const char *)b.p, b.len);
	buf_free(&b);
	if (rc == 0)
		printf("proof holds\n");
	else if (rc == 1)
		printf("proof does not hold: %s\n", rs_err());
	else
		fprintf(stderr, "roster proof: %s: %s\n", argv[2], rs_err());
	return rc;
}
