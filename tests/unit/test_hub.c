/*
 * test_hub.c - rosterd end to end: the real binary, driven as an operator
 * would (init, admit, check) and over HTTP on 127.0.0.1:0 as a node would.
 *
 * Each test gets a fresh hub: a temporary HUBDIR, "rosterd serve" as a child
 * process, a State XA admitted through the CLI while the hub serves, and
 * three certified devices.  Tests then try to break a promise (replay,
 * forge, reorder, use a revoked key, lose a receipted envelope across a
 * restart or a deleted tree) and check that the hub refuses or recovers.
 * Long polling (GET /v1/mail?wait=S) is tried from threads, each a node
 * with its own client: woken by mail for its device and only that, at its
 * deadline, 200 at once on a hub of 4 threads, and answered when the hub
 * stops.
 *
 * The fixture is tests/unit/hubfx.h, shared with test_public.c.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "checkrec.h"
#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "statement.h"
#include "util.h"

#include "hubfx.h"

/* ---- tests -------------------------------------------------------------------- */

static void
test_msg_chain_accepted(void **state)
{
	struct hubfx *f = *state;
	json_t *ans;

	for (int k = 0; k < 5; k++)
		send_msg(f, 0, 1);
	send_msg(f, 1, 0);
	assert_int_equal(get(f, "/v1/info", &ans), 200);
	assert_int_equal(json_integer_value(json_object_get(ans, "size")), 1 + NDEV + 6);
	assert_string_equal(jstr(ans, "name"), "Test hub");
	json_decref(ans);
}

static void
test_replay_refused_with_receipt(void **state)
{
	struct hubfx *f = *state;
	struct buf m = {0};
	struct receipt r;
	json_t *ans;
	uint64_t idx;

	make_msg(&m, f, 0, 1);
	idx = accept_one(f, &m);
	advance(f, 0, &m);
	ans = refuse_one(f, &m, 409);
	assert_int_equal(receipt_from_json(&r, json_object_get(ans, "receipt")), 0);
	assert_int_equal(receipt_verify(&r, f->op), 0);
	assert_int_equal(r.index, idx);
	assert_non_null(strstr(jstr(ans, "error"), "already in the log"));
	json_decref(ans);
	/* a replayed certificate, too */
	buf_free(&m);
	make_cert(&m, f->root, f->dev[0].k);
	json_decref(refuse_one(f, &m, 403));
	buf_free(&m);
}

static void
test_forged_signature_refused(void **state)
{
	struct hubfx *f = *state;
	struct buf m = {0};
	json_t *ans;
	uint32_t hl;

	make_msg(&m, f, 0, 1);
	hl = get_u32be(m.p + 4);
	m.p[8 + hl + 5] ^= 0x40;	/* a signature byte */
	ans = refuse_one(f, &m, 403);
	assert_non_null(strstr(jstr(ans, "error"), "signature"));
	json_decref(ans);
	/* a valid signature by device 1 over a header naming device 0 */
	buf_free(&m);
	make_msg(&m, f, 0, 1);
	{
		struct buf dom = {0};
		hl = get_u32be(m.p + 4);
		buf_addstr(&dom, ENV_SIG_DOMAIN);
		buf_add(&dom, m.p + 8, hl);
		crypto_sign_detached(m.p + 8 + hl, NULL, dom.p, dom.len,
		    f->dev[1].k->sk);
		buf_free(&dom);
	}
	json_decref(refuse_one(f, &m, 403));
	buf_free(&m);
	/* the chain was not advanced by the refusals */
	send_msg(f, 0, 1);
}

static void
test_seq_gap_and_reorder_refused(void **state)
{
	struct hubfx *f = *state;
	struct buf m1 = {0}, m2 = {0}, m = {0};
	json_t *ans;

	make_msg(&m1, f, 0, 1);			/* seq 1 */
	advance(f, 0, &m1);
	make_msg(&m2, f, 0, 1);			/* seq 2 */
	advance(f, 0, &m2);
	ans = refuse_one(f, &m2, 409);		/* 2 before 1: reordered */
	assert_non_null(strstr(jstr(ans, "error"), "sequence"));
	json_decref(ans);
	accept_one(f, &m1);
	accept_one(f, &m2);
	/* a gap: seq 4 after 2 */
	make_msg_raw(&m, f, 0, 1, 4, f->dev[0].last, "msg");
	json_decref(refuse_one(f, &m, 409));
	buf_free(&m);
	/* right seq, wrong prev */
	make_msg_raw(&m, f, 0, 1, 3, m1.p + 8, "msg");
	ans = refuse_one(f, &m, 409);
	assert_non_null(strstr(jstr(ans, "error"), "chain"));
	json_decref(ans);
	buf_free(&m);
	/* seq 1 again with new content: a rewritten past */
	make_msg_raw(&m, f, 0, 1, 1, NULL, "msg");
	json_decref(refuse_one(f, &m, 409));
	buf_free(&m);
	send_msg(f, 0, 1);
	buf_free(&m1);
	buf_free(&m2);
}

static void
test_revoked_device_refused(void **state)
{
	struct hubfx *f = *state;
	struct buf m = {0}, r = {0};
	json_t *ans;

	send_msg(f, 2, 0);
	build(&r, json_pack("{s:s, s:s}", "kind", "revoke", "state", "XA"),
	    json_pack("{s:o, s:s}", "device", jhex(f->dev[2].k->pk, 32), "reason",
	    "lost"), f->root);
	accept_one(f, &r);
	make_msg(&m, f, 2, 0);
	ans = refuse_one(f, &m, 403);
	assert_non_null(strstr(jstr(ans, "error"), "revoked"));
	json_decref(ans);
	buf_free(&m);
	/* and no one may write to it any more: it is not a current device */
	make_msg(&m, f, 0, 2);
	ans = refuse_one(f, &m, 403);
	assert_non_null(strstr(jstr(ans, "error"), "not a current device"));
	json_decref(ans);
	buf_free(&m);
	send_msg(f, 0, 1);
	/* revoking twice is refused */
	json_decref(refuse_one(f, &r, 409));
	buf_free(&r);
}

/* The hub checks expiry at the log time it assigns: a certificate logged
 * after its own expiry is refused, and so is anything its device signs once
 * the log's clock has passed it. */
static void
test_expired_device_refused(void **state)
{
	struct hubfx *f = *state;
	struct keypair *late = keypair_new("XA", 1);
	struct buf c = {0}, m = {0};
	json_t *ans;

	make_cert_until(&c, f->root, late, now_ms() - 1000);
	ans = refuse_one(f, &c, 403);
	assert_non_null(strstr(jstr(ans, "error"), "expired"));
	json_decref(ans);
	buf_free(&c);
	keypair_free(late);

	/* Device 2 gets a new key whose certificate expires in 1.5 s. */
	keypair_free(f->dev[2].k);
	f->dev[2].k = keypair_new("XA", 1);
	f->dev[2].seq = 0;
	make_cert_until(&c, f->root, f->dev[2].k, now_ms() + 1500);
	accept_one(f, &c);
	buf_free(&c);
	send_msg(f, 2, 0);
	usleep(2000 * 1000);
	make_msg(&m, f, 2, 0);
	ans = refuse_one(f, &m, 403);
	assert_non_null(strstr(jstr(ans, "error"), "expired"));
	json_decref(ans);
	buf_free(&m);
	send_msg(f, 0, 1);	/* the others go on */
}

static void
test_unknown_kind_and_garbage(void **state)
{
	struct hubfx *f = *state;
	struct buf m = {0}, two = {0};
	json_t *ans;

	make_msg_raw(&m, f, 0, 1, f->dev[0].seq + 1, NULL, "gossip");
	ans = refuse_one(f, &m, 400);
	assert_non_null(strstr(jstr(ans, "error"), "unknown envelope kind"));
	json_decref(ans);
	/* truncated */
	ans = refuse_one(f, &m, 400);
	json_decref(ans);
	assert_int_equal(post(f, m.p, m.len - 3, &ans), 400);
	assert_non_null(strstr(jstr(ans, "error"), "truncated"));
	json_decref(ans);
	assert_int_equal(post(f, "garbage!", 8, &ans), 400);
	json_decref(ans);
	assert_int_equal(post(f, "", 0, &ans), 400);
	json_decref(ans);
	/* a good envelope followed by a truncated one: nothing appended */
	buf_free(&m);
	make_msg(&m, f, 0, 1);
	buf_add(&two, m.p, m.len);
	buf_add(&two, m.p, m.len - 10);
	assert_int_equal(post(f, two.p, two.len, &ans), 400);
	assert_non_null(strstr(jstr(ans, "error"), "envelope 2"));
	json_decref(ans);
	accept_one(f, &m);
	advance(f, 0, &m);
	buf_free(&m);
	buf_free(&two);
}

static void
test_batch_mixed(void **state)
{
	struct hubfx *f = *state;
	struct buf a = {0}, bad = {0}, b = {0}, body = {0};
	json_t *ans, *res;

	make_msg(&a, f, 0, 1);
	advance(f, 0, &a);
	make_msg_raw(&bad, f, 1, 0, 7, NULL, "msg");	/* out of sequence */
	make_msg(&b, f, 0, 1);
	advance(f, 0, &b);
	buf_add(&body, a.p, a.len);
	buf_add(&body, bad.p, bad.len);
	buf_add(&body, b.p, b.len);
	assert_int_equal(post(f, body.p, body.len, &ans), 200);
	res = json_object_get(ans, "results");
	assert_int_equal(json_array_size(res), 3);
	check_receipt(f, json_object_get(json_array_get(res, 0), "receipt"), &a);
	assert_int_equal(json_integer_value(json_object_get(json_array_get(res, 1),
	    "status")), 409);
	assert_non_null(strstr(jstr(json_array_get(res, 1), "error"), "envelope 2 of 3"));
	check_receipt(f, json_object_get(json_array_get(res, 2), "receipt"), &b);
	json_decref(ans);
	buf_free(&a);
	buf_free(&bad);
	buf_free(&b);
	buf_free(&body);
}

static void
test_listings_and_proofs(void **state)
{
	struct hubfx *f = *state;
	json_t *ans;

	for (int k = 0; k < 4; k++)
		send_msg(f, 0, 1);
	/* The public feed: the admission and the certificates, not the mail. */
	assert_int_equal(get(f, "/v1/public?after=-1", &ans), 200);
	assert_int_equal(check_listing(f, ans), 1 + NDEV);
	assert_false(json_is_true(json_object_get(ans, "more")));
	json_decref(ans);
	assert_int_equal(get(f, "/v1/public?after=1", &ans), 200);
	assert_int_equal(check_listing(f, ans), NDEV - 1);
	json_decref(ans);
	/* The listings the public feed replaced are gone (protocol.md s8). */
	assert_int_equal(get(f, "/v1/directory", &ans), 404);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/cosignatures", &ans), 404);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/checks", &ans), 404);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/proof/consistency?from=2&to=8", &ans), 200);
	assert_true(json_array_size(json_object_get(ans, "proof")) > 0);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/proof/inclusion?size=8&index=0,3,7", &ans), 200);
	assert_int_equal(json_array_size(json_object_get(ans, "proofs")), 3);
	json_decref(ans);
	/* bad input */
	assert_int_equal(get(f, "/v1/proof/inclusion?size=8&index=8", &ans), 400);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/proof/inclusion?size=99&index=1", &ans), 400);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/proof/inclusion?size=x&index=1", &ans), 400);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/proof/consistency?from=0&to=3", &ans), 400);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/proof/consistency?from=5&to=3", &ans), 400);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/public?after=1x", &ans), 400);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/nothing", &ans), 404);
	json_decref(ans);
	assert_int_equal(get(f, "/v1/envelopes", &ans), 405);
	json_decref(ans);
}

static void
test_mail_authentication(void **state)
{
	struct hubfx *f = *state;
	struct keypair *stranger = keypair_new("XA", 0);
	struct buf r = {0};
	json_t *ans;

	send_msg(f, 0, 1);
	send_msg(f, 0, 1);
	send_msg(f, 1, 2);
	assert_int_equal(get_mail(f, NULL, &ans), 401);
	json_decref(ans);
	assert_int_equal(get_mail(f, stranger, &ans), 403);
	json_decref(ans);
	assert_int_equal(get_mail(f, f->dev[1].k, &ans), 200);
	assert_int_equal(check_listing(f, ans), 2);
	json_decref(ans);
	assert_int_equal(get_mail(f, f->dev[2].k, &ans), 200);
	assert_int_equal(check_listing(f, ans), 1);
	json_decref(ans);
	assert_int_equal(get_mail(f, f->dev[0].k, &ans), 200);
	assert_int_equal(check_listing(f, ans), 0);
	json_decref(ans);
	/* revoked devices are turned away */
	build(&r, json_pack("{s:s, s:s}", "kind", "revoke", "state", "XA"),
	    json_pack("{s:o}", "device", jhex(f->dev[2].k->pk, 32)), f->root);
	accept_one(f, &r);
	assert_int_equal(get_mail(f, f->dev[2].k, &ans), 403);
	json_decref(ans);
	buf_free(&r);
	keypair_free(stranger);
}

static void
test_limits_and_paging(void **state)
{
	struct hubfx *f = *state;
	struct buf body = {0}, m = {0};
	json_t *ans, *recs;
	char target[64];
	int64_t last;

	/* more than 10,000 envelopes in one body: 413, nothing read further */
	make_msg(&m, f, 0, 1);
	for (int k = 0; k < 10001; k++)
		buf_add(&body, m.p, m.len);
	assert_int_equal(post(f, body.p, body.len, &ans), 413);
	json_decref(ans);
	buf_free(&body);
	buf_free(&m);
	/* 1,001 messages in one batch, then paged mail: 1,000 and 1 */
	for (int k = 0; k < 1001; k++) {
		make_msg(&m, f, 0, 1);
		advance(f, 0, &m);
		buf_add(&body, m.p, m.len);
		buf_free(&m);
	}
	assert_int_equal(post(f, body.p, body.len, &ans), 200);
	json_decref(ans);
	buf_free(&body);
	http_client_set_signer(f->c, f->dev[1].k->pk, f->dev[1].k->sk);
	assert_int_equal(get(f, "/v1/mail?after=-1", &ans), 200);
	recs = json_object_get(ans, "records");
	assert_int_equal(json_array_size(recs), 1000);
	assert_true(json_is_true(json_object_get(ans, "more")));
	last = json_integer_value(json_object_get(json_array_get(recs, 999), "index"));
	json_decref(ans);
	snprintf(target, sizeof(target), "/v1/mail?after=%lld", (long long)last);
	assert_int_equal(get(f, target, &ans), 200);
	assert_int_equal(check_listing(f, ans), 1);
	assert_false(json_is_true(json_object_get(ans, "more")));
	json_decref(ans);
	http_client_set_signer(f->c, NULL, NULL);
}

/* ---- communication checks -------------------------------------------------- */

/* A check by device i to devices j and k, deadline in ms from now. */
static void
make_check(struct buf *out, struct hubfx *f, int i, int j, int k, int64_t deadline)
{
	char *p = checkrec_payload(NULL, NULL);

	make_chained(out, f, i, json_pack("{s:s,s:[s],s:[o,o],s:I}", "kind", "check",
	    "to", "XA", "rcpt", jhex(f->dev[j].k->pk, 32), jhex(f->dev[k].k->pk, 32),
	    "deadline", (json_int_t)(now_ms() + deadline)), p);
	free(p);
}

static void
test_checks_paging(void **state)
{
	struct hubfx *f = *state;
	struct buf a = {0}, b = {0}, body = {0}, m = {0};
	uint8_t ida[32], idb[32], bogus[32];
	json_t *ans, *recs, *h;
	int64_t last = -1, prev = -1;
	size_t total = 0;
	char target[64];

	make_check(&a, f, 0, 1, 2, 3600000);	/* A: dev 0 asks 1 and 2 */
	accept_one(f, &a);
	advance(f, 0, &a);
	sha256(ida, a.p, a.len);
	make_check(&b, f, 1, 0, 2, 3600000);	/* B: dev 1 asks 0 and 2 */
	accept_one(f, &b);
	advance(f, 1, &b);
	sha256(idb, b.p, b.len);
	/* refused: a deadline already past, an answer with a recipient */
	make_check(&m, f, 0, 1, 2, -1000);
	json_decref(refuse_one(f, &m, 403));
	buf_free(&m);
	h = checkrec_answer_header(ida);
	json_array_append_new(json_object_get(h, "rcpt"), jhex(f->dev[0].k->pk, 32));
	make_chained(&m, f, 2, h, "{}");
	json_decref(refuse_one(f, &m, 403));
	buf_free(&m);
	/* 600 answers of dev 2 to A and 600 of dev 0 to B, interleaved (all
	 * but the first of each are duplicates: the rules allow them, the
	 * figures ignore them) */
	for (int k = 0; k < 600; k++)
		for (int who = 0; who < 2; who++) {
			int dev = who == 0 ? 2 : 0;
			make_chained(&m, f, dev, checkrec_answer_header(who == 0 ? ida : idb), "{}");
			advance(f, dev, &m);
			buf_add(&body, m.p, m.len);
			buf_free(&m);
		}
	assert_int_equal(post(f, body.p, body.len, &ans), 200);
	json_decref(ans);
	buf_free(&body);
	/* an answer to no check: logged and public, but counted nowhere */
	memset(bogus, 0x5a, 32);
	make_chained(&m, f, 1, checkrec_answer_header(bogus), "{}");
	accept_one(f, &m);
	advance(f, 1, &m);
	buf_free(&m);
	/* an answer by a device outside the audience (dev 1 to its own check
	 * B): logged and public, but not counted */
	make_chained(&m, f, 1, checkrec_answer_header(idb), "{}");
	accept_one(f, &m);
	advance(f, 1, &m);
	buf_free(&m);
	/* the public feed pages through the directory, the 2 checks and
	 * 1,202 answers, in order */
	for (int page = 0; page < 3; page++) {
		snprintf(target, sizeof(target), "/v1/public?after=%lld", (long long)last);
		assert_int_equal(get(f, target, &ans), 200);
		recs = json_object_get(ans, "records");
		total += check_listing(f, ans);
		for (size_t i = 0; i < json_array_size(recs); i++) {
			int64_t idx = json_integer_value(json_object_get(json_array_get(recs, i),
			    "index"));
			assert_true(idx > prev);
			prev = idx;
		}
		if (json_array_size(recs) > 0)
			last = prev;
		if (page == 0) {
			assert_int_equal(json_array_size(recs), 1000);
			assert_true(json_is_true(json_object_get(ans, "more")));
		} else
			assert_false(json_is_true(json_object_get(ans, "more")));
		json_decref(ans);
	}
	assert_int_equal(total, 1 + NDEV + 2 + 1202);
	/* the figures: each check answered by one of its two devices */
	assert_int_equal(get(f, "/v1/checks/report", &ans), 200);
	recs = json_object_get(json_object_get(ans, "report"), "checks");
	assert_int_equal(json_array_size(recs), 2);
	for (size_t i = 0; i < 2; i++) {
		json_t *all = json_array_get(json_object_get(json_array_get(recs, i), "rows"), 0);
		assert_int_equal(json_integer_value(json_object_get(all, "pocs")), 2);
		assert_int_equal(json_integer_value(json_object_get(all, "answered")), 1);
	}
	json_decref(ans);
	assert_int_equal(get(f, "/v1/checks/report?size=x", &ans), 400);
	json_decref(ans);
	buf_free(&a);
	buf_free(&b);
}

static void
test_reopen_keeps_everything(void **state)
{
	struct hubfx *f = *state;
	char rpath[160];
	struct buf out = {0};
	json_t *cp1, *cp2;

	for (int k = 0; k < 5; k++)
		send_msg(f, k % 2, 1 - k % 2);
	assert_int_equal(get(f, "/v1/checkpoint", &cp1), 200);
	hub_stop(f);
	write_receipts(f, rpath, sizeof(rpath));
	assert_int_equal(run(&out, "check", f->dir, "--receipts", rpath, NULL), 0);
	assert_non_null(strstr((char *)out.p, "all receipts present"));
	buf_free(&out);
	hub_start(f);
	assert_int_equal(get(f, "/v1/checkpoint", &cp2), 200);
	/* the same statement for the same size, saved across the restart */
	assert_true(json_equal(cp1, cp2));
	json_decref(cp1);
	json_decref(cp2);
	/* chains continue where they were */
	send_msg(f, 0, 1);
	send_msg(f, 1, 0);
}

/* The disk fills up under the hub: envelopes are refused with 503, nothing
 * receipted is lost, and after a restart the log is whole and chains go on
 * from the last envelope that was receipted. */
static void
test_storage_failure(void **state)
{
	struct hubfx *f = *state;
	char rpath[160], path[160];
	struct buf out = {0}, m = {0};
	struct stat st;
	json_t *ans;
	long status = 200;
	int k, refused = 0;

	send_msg(f, 0, 1);
	hub_stop(f);
	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	assert_int_equal(stat(path, &st), 0);
	hub_start_limited(f, (long)st.st_size + 256 * 1024);
	for (k = 0; k < 2000 && status == 200; k++) {
		make_msg(&m, f, 0, 1);
		status = post(f, m.p, m.len, &ans);
		if (status == 200) {
			check_receipt(f, json_object_get(json_array_get(
			    json_object_get(ans, "results"), 0), "receipt"), &m);
			advance(f, 0, &m);
		} else {
			if (status != 503)
				fprintf(stderr, "%ld: %s\n", status, jstr(ans, "error"));
			assert_int_equal(status, 503);
			assert_non_null(strstr(jstr(ans, "error"), "could not be written"));
			refused++;
		}
		json_decref(ans);
		buf_free(&m);
	}
	assert_int_equal(refused, 1);
	assert_true(k > 2);
	/* still refusing, still answering reads */
	make_msg(&m, f, 0, 1);
	assert_int_equal(post(f, m.p, m.len, &ans), 503);
	json_decref(ans);
	buf_free(&m);
	assert_int_equal(get(f, "/v1/info", &ans), 200);
	json_decref(ans);
	hub_stop(f);
	write_receipts(f, rpath, sizeof(rpath));
	assert_int_equal(run(&out, "check", f->dir, "--receipts", rpath, NULL), 0);
	assert_non_null(strstr((char *)out.p, "all receipts present"));
	buf_free(&out);
	hub_start(f);
	send_msg(f, 0, 1);		/* the chain goes on where receipts end */
	send_msg(f, 1, 0);
}

static void
test_tree_rebuilt(void **state)
{
	struct hubfx *f = *state;
	char path[160], errlog[160];
	struct buf out = {0}, err = {0};
	json_t *cp1, *cp2;
	struct checkpoint a, b;

	for (int k = 0; k < 9; k++)
		send_msg(f, 0, 1);
	assert_int_equal(get(f, "/v1/checkpoint", &cp1), 200);
	hub_stop(f);
	for (int l = 0; l < 8; l++) {
		snprintf(path, sizeof(path), "%s/tree/level-%02d", f->dir, l);
		unlink(path);
	}
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);	/* noticed */
	buf_free(&out);
	snprintf(errlog, sizeof(errlog), "%s/serve.err", f->dir);
	hub_start(f);
	assert_int_equal(get(f, "/v1/checkpoint", &cp2), 200);
	assert_int_equal(read_file(errlog, &err, 65536), 0);
	assert_non_null(strstr(buf_cstr(&err), "rebuil"));
	assert_int_equal(checkpoint_from_json(&a, cp1, f->op), 0);
	assert_int_equal(checkpoint_from_json(&b, cp2, f->op), 0);
	assert_int_equal(a.size, b.size);
	assert_memory_equal(a.root, b.root, 32);
	checkpoint_free(&a);
	checkpoint_free(&b);
	json_decref(cp1);
	json_decref(cp2);
	buf_free(&err);
	send_msg(f, 0, 1);
	hub_stop(f);
	assert_int_equal(run(&out, "check", f->dir, NULL), 0);
	buf_free(&out);
	hub_start(f);
}

/* The silent loss: one byte of one stored envelope changed.  The
 * hub refuses to start, naming it, and so does "rosterd check"; once the id
 * column is "fixed" to match, the tree's leaf no longer does. */
static void
test_check_catches_tampering(void **state)
{
	struct hubfx *f = *state;
	struct buf out = {0};

	send_msg(f, 0, 1);
	send_msg(f, 0, 1);		/* 4 is not the last row */
	hub_stop(f);
	assert_int_equal(run(&out, "check", f->dir, NULL), 0);
	buf_free(&out);
	hub_sql(f, "UPDATE log SET envelope = substr(envelope, 1, 20) || x'41' ||"
	    " substr(envelope, 22) WHERE idx = 4");
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);
	assert_non_null(strstr((char *)out.p, "envelope 4"));
	buf_free(&out);
	serve_refuses(f, "stored envelope 4 does not hash to its id");
	hub_rehash_id(f, 4);
	serve_refuses(f, "stored envelope 4 is not the Merkle tree's leaf");
}

/* A log time edited to go back: refused at start and by rosterd check. */
static void
test_log_time_back(void **state)
{
	struct hubfx *f = *state;
	struct buf out = {0};

	send_msg(f, 0, 1);
	send_msg(f, 0, 1);
	hub_stop(f);
	hub_sql(f, "UPDATE log SET time = 1 WHERE idx = 4");
	serve_refuses(f, "stored envelope 4 has a log time before its predecessor's");
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);
	assert_non_null(strstr((char *)out.p, "envelope 4: log time 1 goes back"));
	buf_free(&out);
}

static void
test_admit_cli(void **state)
{
	struct hubfx *f = *state;
	struct keypair *rb = keypair_new("XB", 0);
	char path[160];
	struct buf out = {0};

	snprintf(path, sizeof(path), "%s/xb.pub", f->dir);
	assert_int_equal(pubfile_write(path, KEY_ROOT, "XB", rb->pk), 0);
	/* while serving: refused twice over HTTP */
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XA", "--root-key",
	    path, NULL), 1);
	assert_non_null(strstr((char *)out.p, "not of XA"));
	buf_free(&out);
	/* stopped: the CLI appends directly */
	hub_stop(f);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XB", "--root-key",
	    path, NULL), 0);
	assert_non_null(strstr((char *)out.p, "at log index 4"));
	assert_null(strstr((char *)out.p, "WARNING"));	/* XB's first key */
	buf_free(&out);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XB", "--root-key",
	    path, NULL), 1);
	assert_non_null(strstr((char *)out.p, "already admitted"));
	buf_free(&out);
	hub_start(f);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XB", "--root-key",
	    path, NULL), 1);
	assert_non_null(strstr((char *)out.p, "already admitted"));
	buf_free(&out);
	/* Lower case is the same State (lib/vocab.h); not two letters is a
	 * usage error. */
	assert_int_equal(run(&out, "admit", f->dir, "--state", "xb", "--root-key",
	    path, NULL), 1);
	assert_non_null(strstr((char *)out.p, "already admitted"));
	buf_free(&out);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "x1", "--root-key",
	    path, NULL), 2);
	buf_free(&out);
	/* A second root key for XA: admitted, with a warning naming the
	 * first key's fingerprint. */
	struct keypair *ra2 = keypair_new("XA", 0);
	char fpr[RS_FPR_LEN], path2[160];
	snprintf(path2, sizeof(path2), "%s/xa2.pub", f->dir);
	assert_int_equal(pubfile_write(path2, KEY_ROOT, "XA", ra2->pk), 0);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XA", "--root-key",
	    path2, NULL), 0);
	fingerprint(fpr, f->root->pk);
	assert_non_null(strstr((char *)out.p, "WARNING: XA already has a root key"));
	assert_non_null(strstr((char *)out.p, fpr));
	buf_free(&out);
	keypair_free(ra2);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XC", "--root-key",
	    "/nonexistent.pub", NULL), 1);
	buf_free(&out);
	keypair_free(rb);
}

static void
test_cli_errors(void **state)
{
	struct hubfx *f = *state;
	struct buf out = {0};

	assert_int_equal(run(&out, "init", f->dir, "--name", "again", NULL), 1);
	assert_non_null(strstr((char *)out.p, "already initialised"));
	buf_free(&out);
	assert_int_equal(run(&out, "serve", f->dir, NULL), 1);	/* locked */
	buf_free(&out);
	assert_int_equal(run(&out, "check", f->dir, NULL), 1);	/* serving */
	buf_free(&out);
	assert_int_equal(run(&out, "--help", NULL), 0);
	assert_non_null(strstr((char *)out.p, "SYNOPSIS"));
	buf_free(&out);
	assert_int_equal(run(&out, "serve", "--help", NULL), 0);
	assert_non_null(strstr((char *)out.p, "--threads"));
	buf_free(&out);
	assert_int_equal(run(&out, "frobnicate", NULL), 2);
	buf_free(&out);
	assert_int_equal(run(&out, "init", "/tmp/roster-no-such-hub-xyz", NULL), 2);
	buf_free(&out);
}

/* ---- long polling: GET /v1/mail?wait=S (hub/mailwait.c) ------------------- */

/* One waiting node: its own client (and so its own nonces), on a thread. */
struct waiter {
	struct hubfx *f;
	const struct keypair *k;
	char target[96];
	long status;
	int ok;			/* the transfer completed */
	json_t *ans;
	int64_t took;
	pthread_t th;
};

static void *
waiter_main(void *arg)
{
	struct waiter *w = arg;
	struct http_client *c = http_client_new(w->f->url);
	struct buf out = {0};
	int64_t t0 = now_ms();

	if (c == NULL)
		return NULL;
	http_client_set_signer(c, w->k->pk, w->k->sk);
	w->ok = http_call(c, "GET", w->target, NULL, NULL, 0, &w->status,
	    &out) == 0;
	w->took = now_ms() - t0;
	if (w->ok)
		w->ans = jparse(out.p, out.len);
	buf_free(&out);
	http_client_free(c);
	return NULL;
}

static void
wait_start(struct waiter *w, struct hubfx *f, const struct keypair *k,
    const char *target)
{
	memset(w, 0, sizeof(*w));
	w->f = f;
	w->k = k;
	snprintf(w->target, sizeof(w->target), "%s", target);
	assert_int_equal(pthread_create(&w->th, NULL, waiter_main, w), 0);
}

/* Joins w; its answer must be a 200 listing that proves; returns the number
 * of records. */
static size_t
wait_join(struct waiter *w)
{
	size_t n;

	assert_int_equal(pthread_join(w->th, NULL), 0);
	assert_true(w->ok);
	assert_int_equal(w->status, 200);
	assert_non_null(w->ans);
	n = check_listing(w->f, w->ans);
	json_decref(w->ans);
	w->ans = NULL;
	return n;
}

static void
test_mail_wait_woken_by_mail(void **state)
{
	struct hubfx *f = *state;
	struct waiter b, c;
	int64_t t0;

	/* The log holds the admission and three certificates: 0..3. */
	wait_start(&b, f, f->dev[1].k, "/v1/mail?after=3&wait=10");
	wait_start(&c, f, f->dev[2].k, "/v1/mail?after=3&wait=2");
	sleep_ms(400);
	t0 = now_ms();
	send_msg(f, 0, 1);
	assert_int_equal(wait_join(&b), 1);	/* woken by the commit */
	assert_true(b.took >= 400 && now_ms() - t0 < 2000);
	assert_int_equal(wait_join(&c), 0);	/* not for C: its deadline */
	assert_true(c.took >= 1900 && c.took < 5000);
}

static void
test_mail_wait_answers_at_once(void **state)
{
	struct hubfx *f = *state;
	struct waiter b;
	json_t *ans;

	send_msg(f, 0, 1);
	wait_start(&b, f, f->dev[1].k, "/v1/mail?after=-1&wait=10");
	assert_int_equal(wait_join(&b), 1);	/* mail already there */
	assert_true(b.took < 1500);
	http_client_set_signer(f->c, f->dev[1].k->pk, f->dev[1].k->sk);
	assert_int_equal(get(f, "/v1/mail?after=-1&wait=31", &ans), 400);
	assert_non_null(strstr(jstr(ans, "error"), "wait"));
	json_decref(ans);
	assert_int_equal(get(f, "/v1/mail?after=-1&wait=-1", &ans), 400);
	json_decref(ans);
	http_client_set_signer(f->c, NULL, NULL);
	assert_int_equal(get(f, "/v1/mail?after=5&wait=10", &ans), 401);
	json_decref(ans);
}

#define WAITERS 200

/* More waiting nodes than the hub has threads (4): none holds one. */
static void
test_mail_wait_many(void **state)
{
	struct hubfx *f = *state;
	struct waiter *w = xcalloc(WAITERS, sizeof(*w));
	int64_t t0;

	/* Many waiters of two devices from one address: lift the limits a
	 * hub sets against one client (test_limits tries those). */
	hub_stop(f);
	hub_config_set(f, "max_waits_per_device", 4000);
	hub_config_set(f, "max_connections_per_address", 4096);
	hub_start(f);
	for (int i = 0; i < WAITERS; i++)
		wait_start(&w[i], f, f->dev[1 + i % 2].k, "/v1/mail?after=3&wait=20");
	sleep_ms(1500);
	t0 = now_ms();
	send_msg(f, 0, 1);
	send_msg(f, 0, 2);
	for (int i = 0; i < WAITERS; i++)
		assert_int_equal(wait_join(&w[i]), 1);
	assert_true(now_ms() - t0 < 5000);
	free(w);
}

static void
test_mail_wait_hub_stops(void **state)
{
	struct hubfx *f = *state;
	struct waiter b;
	int64_t t0;

	wait_start(&b, f, f->dev[1].k, "/v1/mail?after=3&wait=25");
	sleep_ms(400);
	t0 = now_ms();
	hub_stop(f);		/* exits 0, no sanitizer report */
	assert_int_equal(wait_join(&b), 0);	/* answered, not cut off */
	assert_true(now_ms() - t0 < 6000);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_msg_chain_accepted, setup, teardown),
		cmocka_unit_test_setup_teardown(test_replay_refused_with_receipt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_forged_signature_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_seq_gap_and_reorder_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_revoked_device_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_expired_device_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown_kind_and_garbage, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_mixed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_listings_and_proofs, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_authentication, setup, teardown),
		cmocka_unit_test_setup_teardown(test_limits_and_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_checks_paging, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen_keeps_everything, setup, teardown),
		cmocka_unit_test_setup_teardown(test_storage_failure, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tree_rebuilt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_check_catches_tampering, setup, teardown),
		cmocka_unit_test_setup_teardown(test_log_time_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_admit_cli, setup, teardown),
		cmocka_unit_test_setup_teardown(test_cli_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_wait_woken_by_mail, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_wait_answers_at_once, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_wait_many, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mail_wait_hub_stops, setup, teardown),
	};
	if (hubfx_init(argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
