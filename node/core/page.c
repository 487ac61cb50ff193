/*
 * page.c - a page of a feed checked without the store (see page.h).
 *
 * Every check here depends only on the page and on keys the node holds, so
 * it can run with no transaction open, and on several records at once.
 * Nothing is judged twice: the verdicts travel with the page to the step
 * that stores it, which applies the rules that need the store.
 */
#include "page.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "jsonutil.h"
#include "kinds.h"
#include "seal.h"

static int
rcpt_has(const struct envelope *e, const uint8_t key[32])
{
	json_t *r = env_field(e, "rcpt"), *v;
	char hex[65];
	size_t i;

	sodium_bin2hex(hex, sizeof(hex), key, 32);
	json_array_foreach(r, i, v)
		if (json_is_string(v) && strcmp(json_string_value(v), hex) == 0)
			return 1;
	return 0;
}

static void
verdict(struct page_rec *r, enum node_result v, const char *why)
{
	r->verdict = v;
	snprintf(r->why, sizeof(r->why), "%s", why);
}

/* Framing, inclusion, digest, signature; for mail, that it is mail for this
 * device and opens with its key. */
static void
check_record(struct node *n, const struct page *p, struct page_rec *r)
{
	r->verdict = NR_OK;
	if (jb64_req(r->served, "envelope", &r->raw) != 0) {
		verdict(r, NR_BAD, rs_err());
		return;
	}
	if (env_parse(&r->e, r->raw.p, r->raw.len) != 0) {
		verdict(r, NR_BAD, rs_err());
		return;
	}
	r->parsed = 1;
	if (verify_inclusion(&p->c.cp, (uint64_t)r->index, r->e.id, r->time,
	    json_object_get(r->served, "proof")) != NR_OK) {
		verdict(r, NR_BAD, rs_err());
		return;
	}
	if (!MUTANT(sigcheck) && env_verify(&r->e) != 0) {
		verdict(r, NR_BAD, rs_err());
		return;
	}
	if (p->feed == FEED_PUBLIC) {
		if (!record_is_public(&r->e))
			verdict(r, NR_BAD, "a record that is not public in the public records");
		return;
	}
	if (strcmp(r->e.kind, "msg") != 0 && strcmp(r->e.kind, "ack") != 0) {
		char why[64];
		snprintf(why, sizeof(why), "unexpected %.16s record in the mail", r->e.kind);
		verdict(r, NR_BAD, why);
		return;
	}
	if (record_is_public(&r->e)) {
		verdict(r, NR_BAD, "a public record in the mail");
		return;
	}
	if (!rcpt_has(&r->e, n->cfg.device)) {
		verdict(r, NR_BAD, "not addressed to this device");
		return;
	}
	if (n->key == NULL) {
		verdict(r, NR_REFUSED, "the device key is locked");
		return;
	}
	if (seal_decrypt(&r->plain, r->e.payload, r->e.payload_len, n->key) != 0)
		verdict(r, NR_REFUSED, rs_err());
}

enum node_result
page_check(struct node *n, enum page_feed feed, json_t *j, int64_t after, struct page *p)
{
	json_t *recs, *o;
	enum node_result rc;
	int64_t prev = after;
	size_t i;

	memset(p, 0, sizeof(*p));
	p->feed = feed;
	if ((rc = checkpoint_check(n, json_object_get(j, "checkpoint"), &p->c)) != NR_OK)
		return rc;
	recs = json_object_get(j, "records");
	if (recs != NULL && !json_is_array(recs)) {
		rs_seterr("the hub's page has no list of records");
		page_free(p);
		return NR_HOSTILE;
	}
	p->r = xcalloc(json_array_size(recs) + 1, sizeof(*p->r));
	json_array_foreach(recs, i, o) {
		struct page_rec *r = &p->r[p->nr];
		if (!json_is_object(o) || jint_req(o, "index", &r->index) != 0 ||
		    jint_req(o, "time", &r->time) != 0) {
			rs_seterr("the hub's page has a record without an index or a time");
			page_free(p);
			return NR_HOSTILE;
		}
		r->pindex = -1;
		if (feed == FEED_PUBLIC && json_is_integer(json_object_get(o, "pindex")))
			r->pindex = json_integer_value(json_object_get(o, "pindex"));
		r->served = json_incref(o);
		p->nr++;
		if (feed == FEED_MAIL && r->index <= prev) {
			rs_seterr("the hub sent records out of order (index %lld after %lld)",
			    (long long)r->index, (long long)prev);
			page_free(p);
			return NR_HOSTILE;
		}
		if (feed == FEED_MAIL && (uint64_t)r->index >= p->c.cp.size) {
			/* Not refused and passed: the cursor would pass records of
			 * the log this node has not seen yet. */
			rs_seterr("the hub sent a record outside its checkpoint (index %lld, "
			    "size %llu)", (long long)r->index,
			    (unsigned long long)p->c.cp.size);
			page_free(p);
			return NR_HOSTILE;
		}
		prev = r->index;
	}
	for (i = 0; i < p->nr; i++)
		check_record(n, p, &p->r[i]);
	p->more = json_is_true(json_object_get(j, "more")) && p->nr > 0;
	return NR_OK;
}

void
page_free(struct page *p)
{
	for (size_t i = 0; i < p->nr; i++) {
		struct page_rec *r = &p->r[i];
		json_decref(r->served);
		if (r->parsed)
			env_free(&r->e);
		buf_free(&r->raw);
		if (r->plain.p != NULL)
			sodium_memzero(r->plain.p, r->plain.len);
		buf_free(&r->plain);
	}
	free(p->r);
	cp_check_free(&p->c);
	memset(p, 0, sizeof(*p));
}

char *
page_evidence(const struct page *p, const struct page_rec *r, const char *why)
{
	json_t *j = json_object();
	char *s;

	if (r != NULL && r->served != NULL)
		json_object_set(j, "record", r->served);
	json_object_set_new(j, "checkpoint", checkpoint_json(&p->c.cp));
	json_object_set_new(j, "reason", json_string(why));
	s = jdump(j);
	json_decref(j);
	return s;
}
