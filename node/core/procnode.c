/*
 * procnode.c - the process on a node (see procnode.h).
 *
 * The state is computed, not kept: every command replays the public
 * records the node proved complete (below the verified checkpoint, section
 * 8) through the same calls the hub makes when it rebuilds its own at
 * start-up (the directory records by dir_apply, the process and registry
 * records by rules_replay, in log order), so there is no second copy of the process to
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

#include <sys/stat.h>

#include "attach.h"
#include "blob.h"
#include "jsonutil.h"
#include "kinds.h"
#include "outbox.h"
#include "rules.h"
#include "seal.h"
#include "store.h"

/* The replay of the verified public records.  A process record the rules
 * refuse is left out, as every honest reader leaves it out, and kept as a
 * stored alarm, process-refused (one per record: alarms are kept by kind
 * and text), since a hub that logged it did not apply the rules it
 * shares with the nodes, or served a feed without a record it rests on. */
struct replay {
	struct node *n;
	struct procnode *pn;
};

static int
replay_one(void *ud, int64_t idx, int64_t time, const uint8_t *env, size_t len)
{
	struct replay *rp = ud;
	struct procnode *pn = rp->pn;
	struct envelope e;

	if (env_parse(&e, env, len) != 0) {
		rs_seterr("the node's store is damaged (record %lld): %s", (long long)idx,
		    rs_err());
		return -1;
	}
	if (kind_has(e.kind_id, KIND_DIRECTORY))
		dir_apply(pn->dir, &e, idx);
	else if (rules_replay(pn->dir, pn->proc, pn->reg, &e, idx, time) != RULES_OK) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		if (pn->refused++ == 0) {
			pn->first_refused = idx;
			snprintf(pn->why, sizeof(pn->why), "%s", why);
		}
		(void)store_alarm_record(rp->n, "process-refused", "public", idx, NULL,
		    "the hub logged a %s at log index %lld that the process rules "
		    "refuse (%s): this node leaves it out, as every node does",
		    e.kind, (long long)idx, why);
	}
	env_free(&e);
	return 0;
}

/* One of this device's own receipted records: a position logged before
 * its matter's deadline, in the part of the log the node verified
 * complete, must be one the outcome counts.  If it is not, the hub served
 * a feed without it (or refused it in the replay's eyes): an alarm, with
 * the receipt, which proves the position was logged in time. */
struct own_check {
	struct node *n;
	struct procnode *pn;
};

static int
own_position(void *ud, int64_t index, const uint8_t *env, size_t len, const char *receipt)
{
	struct own_check *c = ud;
	struct envelope e;
	struct proc_matter *m;
	uint8_t ref[32];
	int64_t time;
	int counted = 0;

	if (index >= (int64_t)c->pn->size || env_parse(&e, env, len) != 0)
		return 0;
	if (e.kind_id != KIND_POSITION || env_str(&e, "ref") == NULL ||
	    hex_decode_exact(ref, 32, env_str(&e, "ref")) != 0 ||
	    (m = proc_matter(c->pn->proc, ref)) == NULL) {
		env_free(&e);
		return 0;
	}
	{	/* the receipt's log time: the hub's signed word */
		json_t *r = receipt != NULL ? jparse(receipt, strlen(receipt)) : NULL;
		time = json_integer_value(json_object_get(r, "time"));
		json_decref(r);
	}
	for (size_t i = 0; i < m->npos; i++)
		if (m->pos[i].index == index)
			counted = 1;
	if (!counted && time > 0 && time < m->deadline) {
		char hex[65];
		sodium_bin2hex(hex, sizeof(hex), m->id, 32);
		(void)store_alarm(c->n, "position-dropped", receipt, "this State's %s "
		    "of %s, receipted at log index %lld before the deadline, is not "
		    "counted in the log this node verified: the receipt proves it "
		    "was logged in time", env_str(&e, "stance") ? env_str(&e,
		    "stance") : "position", hex, (long long)index);
		c->pn->dropped++;
	}
	env_free(&e);
	return 0;
}

int
procnode_load(struct node *n, struct procnode *pn)
{
	struct own_check c = { n, pn };
	struct replay rp = { n, pn };

	struct pub_state v;

	memset(pn, 0, sizeof(*pn));
	pn->first_refused = -1;
	if (store_pub_state_get(n, PUB_VERIFIED, &v) == STORE_ERROR)
		return -1;
	if ((pn->reg = reg_new_shipped()) == NULL)
		return -1;
	if (n->key != NULL)
		reg_set_reader(pn->reg, n->key);
	pn->dir = dir_new(n->cfg.operator_key);
	pn->proc = proc_new();
	pn->size = v.size;
	pn->as_of = store_checkpoint_time_of_size(n, v.size);
	if (store_public_each(n, v.f.size, replay_one, &rp) != 0 ||
	    store_outbox_logged_each(n, -1, (int64_t)v.size, own_position, &c) != 0) {
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
	reg_free(pn->reg);
	pn->dir = NULL;
	pn->proc = NULL;
	pn->reg = NULL;
}

int64_t
procnode_at(const struct procnode *pn, int64_t at)
{
	int64_t t = at >= 0 ? at : pn->as_of;

	return t > pn->proc->last_time ? t : pn->proc->last_time;
}

int64_t
procnode_act_time(const struct procnode *pn)
{
	int64_t t = node_clock();

	if (t < pn->proc->last_time)
		t = pn->proc->last_time;
	if (t < pn->as_of)
		t = pn->as_of;
	return t;
}

/* The one id among n (each at ids + i * stride) that prefix starts. */
static int
find_id(const char *prefix, const uint8_t *ids, size_t stride, size_t n,
    const char *what, uint8_t id[32])
{
	size_t len = prefix != NULL ? strlen(prefix) : 0, found = 0;
	char hex[65];

	if (len < 8 || len > 64 || strspn(prefix, "0123456789abcdef") != len) {
		rs_seterr("\"%s\" is not a record id: give its 64 hexadecimal digits, "
		    "or the first 8 or more (lower case)", prefix ? prefix : "");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		sodium_bin2hex(hex, sizeof(hex), ids + i * stride, 32);
		if (strncmp(hex, prefix, len) == 0) {
			memcpy(id, ids + i * stride, 32);
			found++;
		}
	}
	if (found == 1)
		return 0;
	if (found == 0)
		rs_seterr("no %s %s in the records this node verified (roster sync "
		    "first?)", what, prefix);
	else
		rs_seterr("%s is the start of %zu ids: give more digits", prefix, found);
	return -1;
}

int
procnode_find_matter(const struct procnode *pn, const char *prefix, uint8_t id[32])
{
	const struct process *p = pn->proc;

	return find_id(prefix, p->nmatters ? p->matters[0].id : NULL,
	    sizeof(p->matters[0]), p->nmatters, "proposal or application", id);
}

int
procnode_find_paper(const struct procnode *pn, const char *prefix, uint8_t id[32])
{
	const struct process *p = pn->proc;

	return find_id(prefix, p->npapers ? p->papers[0].id : NULL,
	    sizeof(p->papers[0]), p->npapers, "paper", id);
}

/* The envelope outbox_add would sign now, checked by the rules. */
static int
precheck(struct node *n, const struct procnode *pn, json_t *hdr, const void *payload,
    size_t len)
{
	json_t *h = json_deep_copy(hdr);
	struct buf env = {0};
	struct envelope e;
	int64_t seq, t;
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
	if (env_build(&env, h, payload, len, n->key->pk, n->key->sk) != 0 ||
	    env_parse(&e, env.p, env.len) != 0)
		goto out;
	if (kind_validate(&e, n->cfg.operator_key) != KIND_VALID)
		;	/* rs_err says what */
	else {
		t = procnode_act_time(pn);
		rc = rules_check(pn->dir, pn->proc, pn->reg, &e, (int64_t)pn->size, t, 0) ==
		    RULES_OK ? 0 : -1;
	}
	env_free(&e);
out:
	json_decref(h);
	buf_free(&env);
	return rc;
}

/* Signs hdr and payload into the outbox in a transaction of its own, after
 * the rules accepted them. */
static int
sign_bytes(struct node *n, const struct procnode *pn, json_t *hdr, const void *payload,
    size_t len, uint8_t id[32])
{
	struct buf env = {0};
	int rc;

	/* the envelope signed is the one checked: the same header time */
	json_object_set_new(hdr, "time", json_integer(node_clock()));
	if (precheck(n, pn, hdr, payload, len) != 0)
		return -1;
	if (store_begin(n) != 0)
		return -1;
	rc = outbox_add(n, hdr, payload, len, &env, id);
	buf_free(&env);
	if (rc != 0 || store_commit(n) != 0) {
		store_rollback(n);
		return -1;
	}
	return 0;
}

int
procnode_sign(struct node *n, const struct procnode *pn, json_t *hdr,
    const char *payload, uint8_t id[32])
{
	return sign_bytes(n, pn, hdr, payload, strlen(payload), id);
}

/* Is state a member of b by the directory d as it is now (the rule of
 * lib/process.c's members, for choosing whom to seal to)? */
static int
member_now(struct directory *d, const struct proc_body *b, const char *state)
{
	const struct dir_group *g;

	switch (b->members.kind) {
	case PROC_MEMBERS_ALL:
		return 1;
	case PROC_MEMBERS_GROUP:
		g = dir_group(d, b->members.group);
		return g != NULL && dir_group_has(g, state);
	case PROC_MEMBERS_LIST:
		for (size_t i = 0; i < b->members.list.n; i++)
			if (strcmp(b->members.list.v[i], state) == 0)
				return 1;
		return 0;
	}
	return 0;
}

/* The current devices (this one included) of the States a sealed payload
 * is for: state alone when given, else the members of b; from the
 * directory as the verified records make it. */
static int
sealed_to(struct node *n, const struct procnode *pn, const struct proc_body *b,
    const char *state, struct seal_recipient **r, size_t *nr)
{
	struct directory *d = pn->dir;
	int64_t now = node_clock();

	*r = NULL;
	*nr = 0;
	for (size_t i = 0; i < d->ndevices; i++) {
		const struct dir_device *dv = d->devices[i];
		if (dv->revoked_index >= 0 || (dv->expires != 0 && dv->expires < now) ||
		    dir_is_stakeholder(dv))
			continue;
		if (state != NULL ? strcmp(dv->state, state) != 0 :
		    !member_now(d, b, dv->state))
			continue;
		*r = xrealloc(*r, (*nr + 1) * sizeof(**r));
		memcpy((*r)[*nr].device, dv->key, 32);
		memcpy((*r)[*nr].box_pk, dv->box, 32);
		(*nr)++;
	}
	(void)n;
	if (*nr == 0) {
		rs_seterr("%s has no current device to seal to", state ? state :
		    "no member");
		return -1;
	}
	if (*nr > SEAL_MAX_RECIPIENTS) {
		rs_seterr("%zu devices are more than one sealed payload can be for", *nr);
		free(*r);
		*r = NULL;
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
		const struct proc_body *b = &pn->proc->bodies[m->body];
		if (sealed_to(n, pn, b, m->objections == PROC_SHOW_CHAIR ? b->chair : NULL,
		    &r, &nr) != 0 ||
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

int
procnode_find_contribution(const struct procnode *pn, const char *prefix, uint8_t id[32])
{
	const struct process *p = pn->proc;

	return find_id(prefix, p->ncontribs ? p->contribs[0].id : NULL,
	    sizeof(p->contribs[0]), p->ncontribs, "contribution", id);
}

/* ---- papers ---------------------------------------------------------------- */

/* The body a paper record is for: its "body", or its paper's. */
static const struct proc_body *
paper_body(const struct procnode *pn, json_t *hdr)
{
	const char *name = jstr(hdr, "body"), *ref = jstr(hdr, "paper");
	uint8_t id[32];
	const struct proc_paper *pp;

	if (name != NULL)
		return proc_body(pn->proc, name);
	if (ref == NULL || hex_decode_exact(id, 32, ref) != 0 ||
	    (pp = proc_paper(pn->proc, id)) == NULL)
		return NULL;
	return &pn->proc->bodies[pp->body];
}

/* The payload of a paper record: the keys (public), or sealed. */
/* The payload of a paper record (or a contribution's, sealed to the
 * Chair, to_chair): the keys in the clear (public), or sealed. */
static int
files_payload(struct node *n, const struct procnode *pn, const struct proc_body *b,
    const char *audience, const char *to_chair, json_t *title, json_t *keys,
    struct buf *out)
{
	json_t *p = json_object();
	struct seal_recipient *r = NULL;
	size_t nr = 0;
	char *text;
	int rc = -1;

	if (title != NULL)
		json_object_set(p, "title", title);
	json_object_set(p, "files", keys);
	text = jdump(p);
	if (strcmp(audience, "public") == 0) {
		buf_add(out, text, strlen(text));
		rc = 0;
	} else if (b == NULL)
		rs_seterr("no such body or paper");
	else if (sealed_to(n, pn, b, to_chair, &r, &nr) == 0 &&
	    seal_encrypt(out, text, strlen(text), r, nr) == 0)
		rc = 0;
	sodium_memzero(text, strlen(text));
	free(text);
	free(r);
	json_decref(p);
	return rc;
}

/* Records hdr (kind, body or paper, ...) with files f: the rules first, on
 * the files' sizes and stand-in keys (nothing is uploaded for a record the
 * hub would refuse), then the uploads and the record.  The payload is the
 * keys and title in the clear (audience "public") or sealed: to_chair's
 * devices when given, else the body's members'. */
static int
files_record(struct node *n, const struct procnode *pn, json_t *hdr,
    const struct proc_body *b, const char *audience, const char *to_chair,
    json_t *title, const struct procnode_file *f, size_t nf,
    const struct transfer_progress *prog, uint8_t id[32])
{
	json_t *files = json_array(), *keys = json_array(), *d;
	struct buf payload = {0};
	uint8_t zero[32] = {0}, zkey[32] = {0}, zhdr[24] = {0};
	int rc = -1;

	for (size_t i = 0; i < nf; i++) {
		struct stat sb;
		if (stat(f[i].path, &sb) != 0 || !S_ISREG(sb.st_mode)) {
			rs_seterr("the %s version: %s is not a file", f[i].lang, f[i].path);
			goto out;
		}
		if ((uint64_t)sb.st_size > PROC_FILE_MAX) {
			rs_seterr("the %s version is %lld bytes: a language version has "
			    "at most %llu MiB", f[i].lang, (long long)sb.st_size,
			    (unsigned long long)(PROC_FILE_MAX >> 20));
			goto out;
		}
		json_array_append_new(files, json_pack("{s:s,s:o,s:I}", "lang", f[i].lang,
		    "sha256", jhex(zero, 32), "size",
		    (json_int_t)blob_cipher_size((uint64_t)sb.st_size)));
		json_array_append_new(keys, json_pack("{s:s,s:s,s:o,s:o}", "name", "x",
		    "type", "application/octet-stream", "key", jb64(zkey, 32), "header",
		    jb64(zhdr, 24)));
	}
	json_object_set(hdr, "files", files);
	json_object_set_new(hdr, "time", json_integer(node_clock()));
	if (files_payload(n, pn, b, audience, to_chair, title, keys, &payload) != 0 ||
	    precheck(n, pn, hdr, payload.p, payload.len) != 0)
		goto out;
	buf_free(&payload);
	json_array_clear(files);
	json_array_clear(keys);
	for (size_t i = 0; i < nf; i++) {
		if (attach_upload(n, f[i].path, prog, &d) != 0)
			goto out;
		json_array_append_new(files, json_pack("{s:s,s:O,s:I}", "lang", f[i].lang,
		    "sha256", json_object_get(d, "sha256"), "size", (json_int_t)
		    blob_cipher_size((uint64_t)json_integer_value(json_object_get(d,
		    "size")))));
		json_array_append_new(keys, json_pack("{s:O,s:O,s:O,s:O}", "name",
		    json_object_get(d, "name"), "type", json_object_get(d, "type"), "key",
		    json_object_get(d, "key"), "header", json_object_get(d, "header")));
		json_decref(d);
	}
	json_object_set(hdr, "files", files);
	if (files_payload(n, pn, b, audience, to_chair, title, keys, &payload) != 0)
		goto out;
	rc = sign_bytes(n, pn, hdr, payload.p, payload.len, id);
out:
	buf_free(&payload);
	json_decref(files);
	json_decref(keys);
	return rc;
}

int
procnode_paper(struct node *n, const struct procnode *pn, json_t *hdr,
    const char *audience, json_t *title, const struct procnode_file *f, size_t nf,
    const struct transfer_progress *prog, uint8_t id[32])
{
	json_object_set_new(hdr, "audience", json_string(audience));
	return files_record(n, pn, hdr, paper_body(pn, hdr), audience, NULL, title, f,
	    nf, prog, id);
}

int
procnode_contribute(struct node *n, const struct procnode *pn, const char *body,
    json_t *title, const struct procnode_file *f, size_t nf,
    const struct transfer_progress *prog, uint8_t id[32])
{
	const struct dir_device *me = dir_device(pn->dir, n->cfg.device);
	const char *app = me != NULL ? jstr(me->cert, "stakeholder") : NULL;
	const struct proc_matter *m;
	const struct proc_body *b;
	uint8_t aid[32];
	json_t *hdr;
	int rc;

	if (app == NULL || hex_decode_exact(aid, 32, app) != 0) {
		rs_seterr("this device is not an accredited organisation's (its "
		    "certificate names no application): only they contribute; a "
		    "State circulates a paper (roster paper circulate)");
		return -1;
	}
	if ((m = proc_matter(pn->proc, aid)) == NULL) {
		rs_seterr("the application this device was certified for is not in the "
		    "records this node verified");
		return -1;
	}
	b = &pn->proc->bodies[m->body];
	if (body != NULL && strcmp(body, b->name) != 0) {
		rs_seterr("this organisation was accredited to %s, not %s", b->name, body);
		return -1;
	}
	hdr = json_pack("{s:s,s:s,s:s}", "kind", "contribution", "body", b->name,
	    "application", app);
	rc = files_record(n, pn, hdr, b, "members", b->chair, title, f, nf, prog, id);
	json_decref(hdr);
	return rc;
}

int
procnode_distribute(struct node *n, const struct procnode *pn, const uint8_t cid[32],
    const uint8_t *meeting, const char *audience, uint8_t id[32])
{
	const struct proc_contribution *c = NULL;
	const struct proc_body *b;
	struct stored_record rec = {0};
	struct envelope e;
	struct buf plain = {0}, payload = {0};
	json_t *p = NULL, *hdr = NULL, *files = json_array();
	int rc = -1, parsed = 0;

	for (size_t i = 0; i < pn->proc->ncontribs; i++)
		if (memcmp(pn->proc->contribs[i].id, cid, 32) == 0)
			c = &pn->proc->contribs[i];
	if (c == NULL) {
		rs_seterr("no contribution with that id in the records this node verified");
		goto out;
	}
	b = &pn->proc->bodies[c->body];
	if (store_record_get(n, cid, &rec) != STORE_OK ||
	    env_parse(&e, rec.raw.p, rec.raw.len) != 0)
		goto out;
	parsed = 1;
	if (seal_decrypt(&plain, e.payload, e.payload_len, n->key) != 0) {
		rs_seterr("this device cannot open the contribution (sealed to the "
		    "Chair's devices when it was sent): %s", rs_err());
		goto out;
	}
	if ((p = jparse(plain.p, plain.len)) == NULL ||
	    !json_is_array(json_object_get(p, "files")) ||
	    json_array_size(json_object_get(p, "files")) != c->files.n) {
		rs_seterr("the contribution's sealed payload does not list its files");
		goto out;
	}
	for (size_t i = 0; i < c->files.n; i++)
		json_array_append_new(files, json_pack("{s:s,s:o,s:I}", "lang",
		    c->files.v[i].lang, "sha256", jhex(c->files.v[i].sha, 32), "size",
		    (json_int_t)c->files.v[i].size));
	hdr = json_pack("{s:s,s:s,s:s,s:O,s:o}", "kind", "paper", "body", b->name,
	    "audience", audience, "files", files, "contribution", jhex(cid, 32));
	if (meeting != NULL)
		json_object_set_new(hdr, "meeting", jhex(meeting, 32));
	if (files_payload(n, pn, b, audience, NULL, json_object_get(p, "title"),
	    json_object_get(p, "files"), &payload) != 0)
		goto out;
	rc = sign_bytes(n, pn, hdr, payload.p, payload.len, id);
out:
	if (parsed)
		env_free(&e);
	stored_record_free(&rec);
	if (plain.p != NULL)
		sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
	buf_free(&payload);
	json_decref(p);
	json_decref(hdr);
	json_decref(files);
	return rc;
}
