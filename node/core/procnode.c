/*
 * procnode.c - the process on a node (see procnode.h).
 *
 * The state is computed, not kept: every command replays the public
 * records the node proved complete (below the verified checkpoint, section
 * 8) through the same calls the hub makes when it rebuilds its own at
 * start-up (the directory records by dir_apply, the process records by
 * proc_take, in log order), so there is no second copy of the process to
 * drift from the records, and an outcome is known exactly as far as the
 * node can prove that no record is missing: as_of is the log time of that
 * checkpoint, and a proposal shows "adopted" only once a checkpoint past
 * its deadline was verified complete.  The replay costs what reading the
 * records costs (bench/bench_process measures the projection).
 *
 * A process record the rules refuse cannot be in an honest hub's log (the
 * hub runs the same rules before appending).  It is left out of the state,
 * as every reader leaves it out, and counted, so the commands say so.
 *
 * Signing: a record is first checked with lib/rules.c on this state, at
 * the next log index and at this node's clock, so that what the hub would
 * refuse is said here in the rule's own words and nothing is signed; the
 * hub checks again at its log time, which is the one that counts.
 */
#include "procnode.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "audience.h"
#include "jsonutil.h"
#include "kinds.h"
#include "outbox.h"
#include "rules.h"
#include "seal.h"
#include "store.h"

static int
replay_one(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct procnode *pn = ud;
	struct envelope e;

	if (env_parse(&e, env, len) != 0) {
		rs_seterr("the node's store is damaged (record %lld): %s", (long long)idx,
		    rs_err());
		return -1;
	}
	if (kind_has(e.kind_id, KIND_DIRECTORY))
		dir_apply(pn->dir, &e, idx);
	else if (kind_has(e.kind_id, KIND_PROCESS) &&
	    proc_take(pn->proc, pn->dir, &e, idx, time) != PROC_OK) {
		if (pn->refused++ == 0) {
			pn->first_refused = idx;
			snprintf(pn->why, sizeof(pn->why), "%s", rs_err());
		}
	}
	env_free(&e);
	return 0;
}

int
procnode_load(struct node *n, struct procnode *pn)
{
	struct pub_state v;

	memset(pn, 0, sizeof(*pn));
	pn->first_refused = -1;
	if (store_pub_state_get(n, PUB_VERIFIED, &v) == STORE_ERROR)
		return -1;
	pn->dir = dir_new(n->cfg.operator_key);
	pn->proc = proc_new();
	pn->size = v.size;
	pn->as_of = store_checkpoint_time_of_size(n, v.size);
	if (store_public_each(n, v.f.size, replay_one, pn) != 0) {
		procnode_free(pn);
		return -1;
	}
	return 0;
}

void
procnode_free(struct procnode *pn)
{
	dir_free(pn->dir);
	proc_free(pn->proc);
	pn->dir = NULL;
	pn->proc = NULL;
}

int64_t
procnode_at(const struct procnode *pn, int64_t at)
{
	int64_t t = at >= 0 ? at : pn->as_of;

	return t > pn->proc->last_time ? t : pn->proc->last_time;
}

int
procnode_find_matter(const struct procnode *pn, const char *prefix, uint8_t id[32])
{
	size_t len = prefix != NULL ? strlen(prefix) : 0, found = 0;
	char hex[65];

	if (len < 8 || len > 64 || strspn(prefix, "0123456789abcdef") != len) {
		rs_seterr("\"%s\" is not a record id: give its 64 hexadecimal digits, "
		    "or the first 8 or more (lower case)", prefix ? prefix : "");
		return -1;
	}
	for (size_t i = 0; i < pn->proc->nmatters; i++) {
		sodium_bin2hex(hex, sizeof(hex), pn->proc->matters[i].id, 32);
		if (strncmp(hex, prefix, len) == 0) {
			memcpy(id, pn->proc->matters[i].id, 32);
			found++;
		}
	}
	if (found == 1)
		return 0;
	if (found == 0)
		rs_seterr("no proposal or application %s in the records this node "
		    "verified (roster sync first?)", prefix);
	else
		rs_seterr("%s is the start of %zu ids: give more digits", prefix, found);
	return -1;
}

/* The envelope outbox_add would sign now, checked by the rules. */
static int
precheck(struct node *n, const struct procnode *pn, json_t *hdr, const char *payload)
{
	json_t *h = json_deep_copy(hdr);
	struct buf env = {0};
	struct envelope e;
	int64_t seq, t = node_clock();
	char prev[65];
	int rc = -1;

	if (n->key == NULL) {
		rs_seterr("the device key is locked");
		goto out;
	}
	if (store_chain_head(n, &seq, prev) != 0)
		goto out;
	json_object_set_new(h, "state", json_string(n->cfg.state));
	json_object_set_new(h, "seq", json_integer(seq + 1));
	if (seq > 0 && prev[0] != '\0')
		json_object_set_new(h, "prev", json_string(prev));
	if (env_build(&env, h, payload, strlen(payload), n->key->pk, n->key->sk) != 0 ||
	    env_parse(&e, env.p, env.len) != 0)
		goto out;
	if (kind_validate(&e, n->cfg.operator_key) != KIND_VALID)
		;	/* rs_err says what */
	else {
		if (t < pn->proc->last_time)
			t = pn->proc->last_time;
		if (t < pn->as_of)
			t = pn->as_of;
		rc = rules_check(pn->dir, pn->proc, &e, (int64_t)pn->size, t, 0) ==
		    RULES_OK ? 0 : -1;
	}
	env_free(&e);
out:
	json_decref(h);
	buf_free(&env);
	return rc;
}

int
procnode_sign(struct node *n, const struct procnode *pn, json_t *hdr,
    const char *payload, uint8_t id[32])
{
	/* the envelope signed is the one checked: the same header time */
	json_object_set_new(hdr, "time", json_integer(node_clock()));
	if (precheck(n, pn, hdr, payload) != 0)
		return -1;
	return outbox_sign(n, hdr, payload, id);
}

/* The current devices of the States a reason is for. */
static int
reason_recipients(struct node *n, const struct procnode *pn, const struct proc_matter *m,
    struct seal_recipient **r, size_t *nr)
{
	const struct proc_body *b = &pn->proc->bodies[m->body];
	json_t *states = json_array(), *rcpt = json_array();
	struct seal_recipient *one;
	size_t none;

	*r = NULL;
	*nr = 0;
	for (size_t i = 0; i < m->members->n; i++) {
		const char *st = m->members->v[i];
		if (m->objections == PROC_SHOW_CHAIR && strcmp(st, b->chair) != 0)
			continue;
		if (audience_resolve(n, st, NULL, &one, &none, states, rcpt) != 0)
			continue;	/* a member with no current device */
		*r = xrealloc(*r, (*nr + none) * sizeof(**r));
		memcpy(*r + *nr, one, none * sizeof(*one));
		*nr += none;
		free(one);
	}
	json_decref(states);
	json_decref(rcpt);
	if (*nr == 0) {
		rs_seterr("nobody the reason is for has a current device");
		return -1;
	}
	if (*nr > SEAL_MAX_RECIPIENTS) {
		rs_seterr("%zu devices are more than a sealed reason can be for", *nr);
		free(*r);
		return -1;
	}
	return 0;
}

int
procnode_position(struct node *n, const struct procnode *pn, const uint8_t ref[32],
    const char *stance, const char *reason, size_t reason_len, uint8_t id[32])
{
	const struct proc_matter *m = proc_matter(pn->proc, ref);
	struct seal_recipient *r = NULL;
	struct buf sealed = {0};
	size_t nr = 0;
	json_t *hdr, *p = json_object();
	char *text;
	int rc = -1;

	if (m == NULL) {
		rs_seterr("no proposal or application with that id");
		json_decref(p);
		return -1;
	}
	if (reason != NULL) {
		if (reason_recipients(n, pn, m, &r, &nr) != 0 ||
		    seal_encrypt(&sealed, reason, reason_len, r, nr) != 0) {
			free(r);
			json_decref(p);
			return -1;
		}
		json_object_set_new(p, "reason", jb64(sealed.p, sealed.len));
	}
	hdr = json_pack("{s:s,s:o,s:s}", "kind", "position", "ref", jhex(ref, 32),
	    "stance", stance);
	text = jdump(p);
	rc = procnode_sign(n, pn, hdr, text, id);
	free(text);
	json_decref(hdr);
	json_decref(p);
	buf_free(&sealed);
	free(r);
	return rc;
}
