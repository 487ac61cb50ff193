/*
 * audit.c - the checks of `roster audit`: is the hub honest?
 *
 * The audit re-derives every claim from signed data and proofs rather than
 * trusting what sync recorded: the consistency of every pair of successive
 * checkpoints, the inclusion of every envelope this node sent or received
 * against the newest checkpoint, the authorship of every key record about
 * this node's State, and every cosignature against this node's view.  Each
 * check prints one line, "ok" or "FAIL"; any FAIL makes the exit status 1.
 * Only a clean audit cosigns: a node vouches only for what it verified.
 */
#include "audit.h"

#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "merkle.h"
#include "outbox.h"
#include "store.h"
#include "sync.h"
#include "verify.h"

#define PROOF_BATCH 500

static void
line(struct audit_report *r, int ok, const char *fmt, ...) __attribute__((format(printf, 3, 4)));

static void
line(struct audit_report *r, int ok, const char *fmt, ...)
{
	va_list ap;
	char text[2048];

	va_start(ap, fmt);
	vsnprintf(text, sizeof(text), fmt, ap);
	va_end(ap);
	r->line(r->ud, ok, text);
	if (!ok)
		r->failures++;
}

static enum node_result
latest(struct node *n, struct checkpoint *cp)
{
	enum node_result rc;
	json_t *j;

	if (hub_checkpoint(n, &j) != 0)
		return NR_TRANSPORT;
	rc = verify_checkpoint(n, j, cp);
	json_decref(j);
	return rc;
}

struct consistency {
	struct node *n;
	struct audit_report *r;
	uint64_t psize, first;
	uint8_t proot[32];
	int count, bad;
};

static int
one_checkpoint(void *ud, uint64_t size, const uint8_t root[32])
{
	struct consistency *c = ud;

	if (c->count > 0) {
		if (consistency_check(c->n, c->psize, c->proot, size, root) != NR_OK) {
			line(c->r, 0, "checkpoints %llu and %llu: %s",
			    (unsigned long long)c->psize, (unsigned long long)size, rs_err());
			c->bad++;
		}
	} else
		c->first = size;
	c->psize = size;
	memcpy(c->proot, root, 32);
	c->count++;
	return 0;
}

static void
audit_consistency(struct node *n, struct audit_report *r)
{
	struct consistency c = { .n = n, .r = r };

	if (store_checkpoints_each(n, one_checkpoint, &c) != 0) {
		line(r, 0, "cannot read the checkpoints this node has seen: %s", rs_err());
		return;
	}
	if (c.bad == 0)
		line(r, 1, "consistency of the %d checkpoint%s seen (sizes %llu to %llu)",
		    c.count, c.count == 1 ? "" : "s", (unsigned long long)c.first,
		    (unsigned long long)c.psize);
}

struct leaf {
	int64_t index, time;
	uint8_t id[32];
};

static int
check_batch(struct node *n, const struct checkpoint *cp, struct leaf *l, size_t count,
    struct audit_report *r)
{
	int64_t idxs[PROOF_BATCH] = {0};
	json_t *proofs, *p;
	size_t i;
	int bad = 0;

	for (i = 0; i < count; i++)
		idxs[i] = l[i].index;
	if (hub_inclusion_proofs(n, cp->size, idxs, count, &proofs) != 0) {
		line(r, 0, "cannot fetch inclusion proofs: %s", rs_err());
		return -1;
	}
	for (i = 0; i < count; i++) {
		p = json_array_get(proofs, i);
		int64_t idx;
		if (p == NULL || jint_req(p, "index", &idx) != 0 || idx != l[i].index ||
		    verify_inclusion(cp, (uint64_t)l[i].index, l[i].id, l[i].time,
		    json_object_get(p, "proof")) != NR_OK) {
			line(r, 0, "envelope at log index %lld is not in the log the operator "
			    "signed: %s", (long long)l[i].index, p ? rs_err() : "no proof given");
			bad++;
		}
	}
	json_decref(proofs);
	return bad;
}

struct inclusion {
	struct node *n;
	const struct checkpoint *cp;
	struct audit_report *r;
	struct leaf batch[PROOF_BATCH];
	size_t nb;
	int total, bad;
};

static int
one_leaf(void *ud, int64_t index, int64_t time, const uint8_t id[32], const char *receipt)
{
	struct inclusion *c = ud;
	struct leaf *l = &c->batch[c->nb];

	l->index = index;
	l->time = time;
	memcpy(l->id, id, 32);
	if (receipt != NULL) {
		struct receipt rc;
		json_t *rj = jparse(receipt, strlen(receipt));
		if (receipt_from_json(&rc, rj) != 0 ||
		    receipt_verify(&rc, c->n->cfg.operator_key) != 0 ||
		    memcmp(rc.id, l->id, 32) != 0 || (int64_t)rc.index != l->index) {
			line(c->r, 0, "stored receipt for log index %lld does not verify",
			    (long long)l->index);
			c->bad++;
		}
		json_decref(rj);
	}
	if ((uint64_t)l->index >= c->cp->size) {
		line(c->r, 0, "envelope at log index %lld is beyond the newest checkpoint (%llu)",
		    (long long)l->index, (unsigned long long)c->cp->size);
		c->bad++;
		return 0;
	}
	c->total++;
	if (++c->nb == PROOF_BATCH) {
		c->bad += check_batch(c->n, c->cp, c->batch, c->nb, c->r) != 0;
		c->nb = 0;
	}
	return 0;
}

static void
audit_inclusion(struct node *n, const struct checkpoint *cp, struct audit_report *r)
{
	struct inclusion *c = xcalloc(1, sizeof(*c));

	c->n = n;
	c->cp = cp;
	c->r = r;
	if (store_leaves_each(n, one_leaf, c) != 0) {
		line(r, 0, "cannot read stored envelopes: %s", rs_err());
		free(c);
		return;
	}
	if (c->nb > 0)
		c->bad += check_batch(n, cp, c->batch, c->nb, r) != 0;
	if (c->bad == 0)
		line(r, 1, "inclusion of the %d envelope%s this node sent or received, "
		    "against checkpoint %llu", c->total, c->total == 1 ? "" : "s",
		    (unsigned long long)cp->size);
	free(c);
}

struct own_state {
	struct node *n;
	struct audit_report *r;
	int roots, certs, revokes, bad;
};

static int
one_key_record(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct own_state *o = ud;
	struct envelope e;

	(void)time;
	if (env_parse(&e, env, len) != 0)
		return 0;
	if (e.state != NULL && strcmp(e.state, o->n->cfg.state) == 0) {
		o->roots += strcmp(e.kind, "admit") == 0;
		o->certs += strcmp(e.kind, "cert") == 0;
		o->revokes += strcmp(e.kind, "revoke") == 0;
		if (own_state_alarm(o->n, &e, idx) != NR_OK) {
			line(o->r, 0, "%s", rs_err());
			o->bad++;
		}
	}
	env_free(&e);
	return 0;
}

static void
audit_own_state(struct node *n, struct audit_report *r)
{
	struct own_state o = { .n = n, .r = r };

	if (!n->cfg.has_root) {
		line(r, 0, "this node is not enrolled, so it cannot tell %s's key records "
		    "from foreign ones", n->cfg.state);
		return;
	}
	if (store_records_each(n, NULL, -1, INT64_MAX, 0, one_key_record, &o) != 0) {
		line(r, 0, "cannot read directory records: %s", rs_err());
		return;
	}
	if (o.bad == 0)
		line(r, 1, "key records about %s: %d root key admission%s, %d device "
		    "certificate%s, %d revocation%s, all made with %s's own key", n->cfg.state,
		    o.roots, o.roots == 1 ? "" : "s", o.certs, o.certs == 1 ? "" : "s",
		    o.revokes, o.revokes == 1 ? "" : "s", n->cfg.state);
}

/* Does a checkpoint someone else cosigned fit this node's view? */
static enum node_result
fits_view(struct node *n, const struct checkpoint *c, const struct checkpoint *mine,
    const char *who)
{
	enum node_result rc;

	if (store_agreed_known(n, c->size, c->root))
		return NR_OK;
	if ((rc = checkpoint_clash(n, c, who)) != NR_OK)
		return rc;
	rc = consistency_check(n, c->size, c->root, mine->size, mine->root);
	if (rc == NR_OK && store_agreed_add(n, c->size, c->root) != 0)
		fprintf(stderr, "roster: cannot keep an agreed checkpoint: %s\n", rs_err());
	return rc;
}

struct cosigs {
	struct node *n;
	const struct checkpoint *mine;
	struct audit_report *r;
	int count, bad;
};

static int
one_cosignature(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct cosigs *c = ud;
	struct node *n = c->n;
	struct envelope e;
	struct checkpoint cp;
	json_t *p;

	(void)idx;
	(void)time;
	if (env_parse(&e, env, len) != 0)
		return 0;
	p = env_payload_json(&e);
	if (p != NULL && checkpoint_from_json(&cp, p, n->cfg.operator_key) == 0) {
		char who[64];
		snprintf(who, sizeof(who), "cosigned by a device of %s", e.state);
		enum node_result rc = fits_view(n, &cp, c->mine, who);
		if (rc == NR_HOSTILE) {
			char fpr[RS_FPR_LEN];
			fingerprint(fpr, e.key);
			line(c->r, 0, "split view: a device of %s (%s) cosigned checkpoint %llu, "
			    "which contradicts this node's view: %s", e.state, fpr,
			    (unsigned long long)cp.size, rs_err());
			(void)store_alarm_with(n, "split-view", json_pack("{s:I,s:s}", "size",
			    (json_int_t)cp.size, "state", e.state ? e.state : ""), NULL,
			    "cosigned checkpoint %llu by a device of %s contradicts this node's"
			    " view", (unsigned long long)cp.size, e.state);
			c->bad++;
		} else if (rc != NR_OK) {
			line(c->r, 0, "cannot check a cosignature: %s", rs_err());
			c->bad++;
		}
		checkpoint_free(&cp);
		c->count++;
	}
	json_decref(p);
	env_free(&e);
	return 0;
}

static void
audit_cosignatures(struct node *n, const struct checkpoint *mine, struct audit_report *r)
{
	struct cosigs c = { .n = n, .mine = mine, .r = r };

	if (store_records_each(n, "cosign", -1, INT64_MAX, 0, one_cosignature, &c) != 0) {
		line(r, 0, "cannot read cosignatures: %s", rs_err());
		return;
	}
	if (c.bad == 0)
		line(r, 1, "%d cosignature%s by other nodes agree with this node's view",
		    c.count, c.count == 1 ? "" : "s");
}

/*
 * A checkpoint another State's node verified, passed out of band (`roster
 * checkpoint` there, e-mail, a phone call reading the root): the check that
 * does not depend on the hub relaying cosignatures honestly.
 */
static void
audit_witness(struct node *n, const char *path, const struct checkpoint *mine,
    struct audit_report *r)
{
	struct buf b = {0};
	struct checkpoint c;
	json_t *j = NULL;
	enum node_result rc;

	if (read_file(path, &b, 65536) != 0 || (j = jparse(b.p, b.len)) == NULL ||
	    checkpoint_from_json(&c, j, n->cfg.operator_key) != 0) {
		line(r, 0, "witness checkpoint %s: %s", path, rs_err());
		goto out;
	}
	rc = fits_view(n, &c, mine, "a witness");
	if (rc == NR_HOSTILE) {
		char *ev = jdump(j);
		(void)store_alarm_with(n, "split-view", json_pack("{s:I,s:s}", "size",
		    (json_int_t)c.size, "witness", path), ev, "checkpoint %llu from %s"
		    " contradicts this node's view", (unsigned long long)c.size, path);
		free(ev);
		line(r, 0, "split view: witness checkpoint %llu (%s) contradicts this node's "
		    "view: %s", (unsigned long long)c.size, path, rs_err());
	} else if (rc != NR_OK)
		line(r, 0, "cannot check witness checkpoint %s: %s", path, rs_err());
	else
		line(r, 1, "witness checkpoint %llu (%s) agrees with this node's view",
		    (unsigned long long)c.size, path);
	checkpoint_free(&c);
out:
	json_decref(j);
	buf_free(&b);
}

struct alarms {
	struct audit_report *r;
	int open, resolved;
};

static int
one_alarm(void *ud, const struct alarm_row *a)
{
	struct alarms *al = ud;
	char t[32];

	if (a->resolved != 0) {
		al->resolved++;
		return 0;
	}
	line(al->r, 0, "alarm raised %s (%s), unresolved: %s", time_str(a->time, t, sizeof(t)),
	    a->kind, a->text);
	al->open++;
	return 0;
}

/* Every unresolved alarm, whichever pass raised it: a record the hub
 * served damaged fails every audit until it is served intact. */
static void
audit_alarms(struct node *n, struct audit_report *r)
{
	struct alarms a = { r, 0, 0 };

	if (store_alarm_rows_each(n, one_alarm, &a) != 0) {
		line(r, 0, "cannot read the alarms: %s", rs_err());
		return;
	}
	if (a.open == 0 && a.resolved == 0)
		line(r, 1, "no alarms recorded");
	else if (a.open == 0)
		line(r, 1, "no unresolved alarm (%d resolved: the hub served those records "
		    "intact again; `roster alarms` keeps the evidence)", a.resolved);
}

static int
cosign(struct node *n, const struct checkpoint *cp)
{
	int64_t done = -1;
	struct buf env = {0};
	uint8_t id[32];
	json_t *hdr, *p;
	char *text;
	int rc;

	(void)store_meta_get_int(n, "cosigned_size", &done);
	if (done == (int64_t)cp->size)
		return 0;
	p = checkpoint_json(cp);
	text = jdump(p);
	json_decref(p);
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("cosign"));
	rc = store_begin(n) != 0 ||
	    outbox_add(n, hdr, text, strlen(text), &env, id) != 0 ||
	    store_meta_set_int(n, "cosigned_size", (int64_t)cp->size) != 0 ||
	    store_commit(n) != 0;
	if (rc)
		store_rollback(n);
	json_decref(hdr);
	free(text);
	buf_free(&env);
	if (rc)
		return -1;
	return outbox_flush(n, NULL);
}

void
audit_run(struct node *n, const char *witness, int do_cosign, struct audit_report *r)
{
	struct sync_stats s;
	struct checkpoint cp;
	char fpr[RS_FPR_LEN];

	if (sync_once(n, &s) != 0)
		line(r, 0, "sync with the hub: %s", rs_err());
	else if (s.refused > 0)
		line(r, 1, "%d record%s refused during sync, the senders' doing (see stderr)",
		    s.refused, s.refused == 1 ? "" : "s");
	if (latest(n, &cp) != NR_OK) {
		line(r, 0, "newest checkpoint: %s", rs_err());
		audit_consistency(n, r);
		audit_alarms(n, r);
		return;
	}
	fingerprint(fpr, n->cfg.operator_key);
	line(r, 1, "checkpoint %llu signed by the operator key %s", (unsigned long long)cp.size,
	    fpr);
	audit_consistency(n, r);
	audit_inclusion(n, &cp, r);
	audit_own_state(n, r);
	audit_cosignatures(n, &cp, r);
	if (witness != NULL)
		audit_witness(n, witness, &cp, r);
	audit_alarms(n, r);
	if (r->failures == 0 && do_cosign) {
		if (cosign(n, &cp) == 0)
			line(r, 1, "cosigned checkpoint %llu", (unsigned long long)cp.size);
		else
			line(r, 0, "cosigning checkpoint %llu: %s", (unsigned long long)cp.size,
			    rs_err());
	}
	checkpoint_free(&cp);
}
