/*
 * post.c - POST objects/ to an outbox: a tool's bundle becomes one roster
 * message, signed by this node, sealed to the outbox's audience, under its
 * TLP label (TAXII 2.1 section 5.5).
 *
 * What is refused, and nothing stored or sent then:
 *   403  the asker may not write here (an account, a token without
 *        --write or without this collection, a collection that is not an
 *        outbox);
 *   415  a body that is not application/taxii+json (version 2.1 or none);
 *   413  more than max_content_length (server.c) or than 10,000 objects;
 *   400  not JSON, or nested deeper than the limit;
 *   422  JSON but not valid STIX 2.1 (the validator names the object and
 *        property), or STIX a message cannot carry (stix_in.c names it), or
 *        a field the template refuses, or an audience that does not
 *        resolve: the request is understood and cannot be done.
 *
 * The same object versions POSTed again to the same outbox (a tool that
 * retries after a lost answer) are not sent again: the answer is the
 * first POST's status.  The digest is SHA-256 over the sorted lines
 * "id version" of the bundle's objects, kept with the status.
 *
 * Otherwise the message is signed and put in the outbox, and a status
 * resource recorded for it, in one transaction; the answer is 202 with the
 * status, every object pending.  The serve loop is woken to send it; when
 * the hub's receipt arrives the status is complete, each object a success
 * naming the message and its log index (or, if the hub refused it, a
 * failure with the hub's reason), and the message's own objects appear in
 * the outbox collection and in sent.  Objects a message carries in another
 * form (the TLP marking as its label, an identity as its signer) and
 * properties it does not carry are said in each object's message.
 *
 * Validation and composing, which can take a while for a large bundle,
 * run outside the front ends' lock; only signing and storing hold it.
 */
#include "taxii_impl.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "core/audience.h"
#include "core/collections.h"
#include "core/message.h"
#include "core/stixsend.h"
#include "jsonutil.h"

static int64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000000 + ts.tv_nsec / 1000;
}

/* How a message carries o (when not as its own content), for its status. */
static const char *
carried_as(json_t *o)
{
	const char *type = jstr(o, "type"), *id = jstr(o, "id");

	if (strcmp(type, "identity") == 0)
		return "carried as the message's signer: the sender is this node's State";
	if (strcmp(type, "extension-definition") == 0)
		return "not carried: the message has its own provenance";
	if (strcmp(type, "relationship") == 0)
		return "not carried as an object: the message ties its objects together";
	if (strcmp(type, "marking-definition") == 0)
		return stix_tlp_of_marking(id) != NULL || strcmp(id, STIX_NO_FORWARD_MARKING) == 0 ?
		    "carried as the message's marking" : NULL;
	return NULL;
}

/* [{"id", "version", "note"}] of the bundle's objects, with what the
 * draft says was not carried of each. */
static json_t *
status_objects(json_t *bundle, const struct stix_draft *d, const char *request_ts)
{
	json_t *out = json_array(), *o;
	size_t i;

	json_array_foreach(json_object_get(bundle, "objects"), i, o) {
		const char *v = jstr(o, "modified") ? jstr(o, "modified") : jstr(o, "created");
		char prefix[32];
		struct buf note = {0};
		const char *as = carried_as(o);
		json_t *e;

		if (as != NULL)
			buf_addstr(&note, as);
		snprintf(prefix, sizeof(prefix), "objects[%zu] ", i);
		for (size_t k = 0; k < d->ndropped; k++)
			if (strncmp(d->dropped[k], prefix, strlen(prefix)) == 0) {
				const char *colon = strstr(d->dropped[k], "): ");
				buf_printf(&note, "%s%s", note.len ? "; " : "",
				    colon ? colon + 3 : d->dropped[k]);
			}
		e = json_pack("{s:s, s:s}", "id", jstr(o, "id"), "version", v ? v : request_ts);
		if (note.len > 0)
			json_object_set_new(e, "note", json_string(buf_cstr(&note)));
		buf_free(&note);
		json_array_append_new(out, e);
	}
	return out;
}

static int
cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* SHA-256 of the sorted "id version" lines of objs (status_objects). */
static void
objects_digest(json_t *objs, uint8_t out[32])
{
	crypto_hash_sha256_state st;
	size_t n = json_array_size(objs), i;
	char **lines = xcalloc(n + 1, sizeof(*lines));
	json_t *o;

	json_array_foreach(objs, i, o) {
		struct buf b = {0};
		buf_printf(&b, "%s %s\n", jstr(o, "id"), jstr(o, "version"));
		lines[i] = xstrdup(buf_cstr(&b));
		buf_free(&b);
	}
	qsort(lines, n, sizeof(*lines), cmp_str);
	crypto_hash_sha256_init(&st);
	for (i = 0; i < n; i++) {
		crypto_hash_sha256_update(&st, (const uint8_t *)lines[i], strlen(lines[i]));
		free(lines[i]);
	}
	crypto_hash_sha256_final(&st, out);
	free(lines);
}

static json_t *
fields_of(const struct taxii_coll *coll, const char ***kv, size_t *nkv)
{
	json_t *f = jparse(coll->fields, strlen(coll->fields)), *v;
	size_t i;

	*nkv = 0;
	*kv = xcalloc(json_array_size(f) + 1, sizeof(**kv));
	json_array_foreach(f, i, v)
		if (json_is_string(v))
			(*kv)[(*nkv)++] = json_string_value(v);
	return f;
}

void
taxii_post_objects(const struct call *c, struct http_resp *resp)
{
	struct taxii *x = c->x;
	struct taxii_coll coll;
	struct taxii_status st;
	struct stix_draft d;
	struct stix_send s;
	struct outgoing o;
	struct call sc;
	json_t *bundle = NULL, *fields = NULL, *objs = NULL;
	const char **kv = NULL;
	char reqts[STIX_TS_LEN];
	uint8_t id[32];
	size_t nkv = 0;
	int r, w, rc, stored = 0;

	memset(&d, 0, sizeof(d));
	memset(&st, 0, sizeof(st));
	outgoing_init(&o);
	pthread_mutex_lock(x->lock);
	rc = taxii_collection(c, &coll, &r, &w, resp);
	pthread_mutex_unlock(x->lock);
	if (rc != 0)
		goto done;
	if (!w) {
		taxii_fail(resp, 403, "Forbidden", "%s may not write to %s (%s)", c->who->name,
		    coll.alias, strcmp(coll.kind, "outbox") != 0 ? "only an outbox takes objects" :
		    c->who->account ? "accounts read; a tool writes with a token made with "
		    "`roster token add NAME --collections ... --write`" :
		    "the token was not made with --write");
		goto out;
	}
	switch (taxii_content_type(http_req_header(c->req, "Content-Type"))) {
	case TAXII_MEDIA_OK:
		break;
	case TAXII_MEDIA_UNSUPPORTED:
		taxii_fail(resp, 415, "Unsupported Media Type", "%s", rs_err());
		goto out;
	default:
		taxii_fail(resp, 400, "Bad Content-Type", "%s", rs_err());
		goto out;
	}
	switch (stix_envelope_parse(c->body != NULL ? c->body : (const uint8_t *)"",
	    c->body_len, &bundle)) {
	case STIX_OK:
		break;
	case STIX_TOO_LARGE:
		taxii_fail(resp, 413, "Payload Too Large", "%s", rs_err());
		goto out;
	case STIX_NOT_JSON:
	case STIX_TOO_DEEP:
		taxii_fail(resp, 400, "Bad Request", "%s", rs_err());
		goto out;
	default:
		taxii_fail(resp, 422, "Not valid STIX 2.1", "%s", rs_err());
		goto out;
	}
	/* the outbox's choices over the bundle; checked as `roster send` checks */
	memset(&s, 0, sizeof(s));
	fields = fields_of(&coll, &kv, &nkv);
	s.subject = coll.subject[0] != '\0' ? coll.subject : NULL;
	s.tlp = coll.tlp;
	s.defaults = kv;
	s.ndefaults = nkv;
	o.to = coll.to;
	o.roles = coll.roles[0] != '\0' ? coll.roles : NULL;
	o.urgency = coll.urgency[0] != '\0' ? coll.urgency : "routine";
	if (stix_compose(x->n, bundle, &s, &o, &d) != 0) {
		taxii_fail(resp, 422, "Cannot be sent", "%s", rs_err());
		goto out;
	}
	st.requested = now_us();
	stix_ts_format(st.requested, 6, reqts);
	objs = status_objects(bundle, &d, reqts);
	objects_digest(objs, st.digest);

	pthread_mutex_lock(x->lock);
	switch (store_taxii_status_same(x->n, coll.alias, st.digest, st.uuid)) {
	case STORE_OK:		/* sent already: its status again, nothing sent */
		sc = *c;
		snprintf(sc.route.status, sizeof(sc.route.status), "%s", st.uuid);
		taxii_status(&sc, resp);
		pthread_mutex_unlock(x->lock);
		if (resp->status == 200)
			resp->status = 202;
		goto out;
	case STORE_NOT_FOUND:
		break;
	default:
		pthread_mutex_unlock(x->lock);
		taxii_fail(resp, 500, "Store error", "%s", rs_err());
		goto out;
	}
	if (!x->n->cfg.has_root || x->n->key == NULL) {
		pthread_mutex_unlock(x->lock);
		taxii_fail(resp, 422, "Cannot be sent", "this node is not enrolled (or its key "
		    "is not open): it cannot sign");
		goto out;
	}
	if (audience_resolve(x->n, o.to, o.roles, 0, &o.r, &o.nr, o.states, o.rcpt,
	    &o.nunconfirmed) != 0) {
		pthread_mutex_unlock(x->lock);
		taxii_fail(resp, 422, "Cannot be sent", "the outbox's audience %s: %s", coll.to,
		    rs_err());
		goto out;
	}
	stix_uuid4(st.uuid);
	snprintf(st.coll, sizeof(st.coll), "%s", coll.alias);
	snprintf(st.who, sizeof(st.who), "%s", c->who->name);
	st.objects = jdump(objs);
	if (store_begin(x->n) == 0) {
		if (message_store_txn(x->n, &o, id) == 0) {
			memcpy(st.msg, id, 32);
			st.has_msg = 1;
			if (store_taxii_status_add(x->n, &st) == 0 && store_commit(x->n) == 0)
				stored = 1;
		}
		if (!stored)
			store_rollback(x->n);
	}
	if (!stored) {
		pthread_mutex_unlock(x->lock);
		taxii_fail(resp, 500, "Cannot be stored", "%s", rs_err());
		goto out;
	}
	/* the answer is the status as GET status/ID/ would give it: pending */
	sc = *c;
	snprintf(sc.route.status, sizeof(sc.route.status), "%s", st.uuid);
	taxii_status(&sc, resp);
	pthread_mutex_unlock(x->lock);
	resp->status = 202;
	if (x->kick != NULL)
		x->kick(x->kick_arg);
out:
	taxii_coll_free(&coll);
done:
	free(st.objects);
	free(kv);
	json_decref(fields);
	json_decref(objs);
	json_decref(bundle);
	stix_draft_free(&d);
	outgoing_free(&o);
}
