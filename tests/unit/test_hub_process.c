/*
 * test_hub_process.c - the process records through a running hub
 * (docs/protocol.md section 10): rosterd body, meeting and stakeholder,
 * POST /v1/envelopes for the States' records, and the state the hub keeps
 * across a restart.
 *
 * What it tries to break: that every refusal is a 4xx JSON error with the
 * rule's sentence and leaves the log as it was (no proposal by a State
 * that is not the Chair, no position from a non-member, twice, after a
 * withdrawal; no paper whose file the hub does not hold; no certificate for
 * an application under silence; no mail from or to a stakeholder's device),
 * and that a restarted hub, rebuilding the process from its records, still
 * refuses what it refused before.  The library's own rules are tried one by
 * one in test_process.c; this file shows the hub runs them.
 *
 * The world: the fixture's XA (devices 0, 1, 2; XA is the Chair) and XB
 * admitted here with one device.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include "hubfx.h"
#include "blob.h"
#include "kinds.h"
#include "seal.h"

struct world {
	struct hubfx *f;
	struct keypair *op, *rb;
	struct dev b;		/* XB's device */
	char body[32];
};

static struct keypair *
read_operator(struct hubfx *f)
{
	char path[128];
	struct keypair *op;

	snprintf(path, sizeof(path), "%s/operator.key", f->dir);
	op = keyfile_read(path, KEY_OPERATOR, NULL);
	assert_non_null(op);
	return op;
}

/* The log's size, from the latest checkpoint. */
static uint64_t
log_size(struct hubfx *f)
{
	struct checkpoint cp;
	json_t *ans;
	uint64_t n;

	assert_int_equal(get(f, "/v1/checkpoint", &ans), 200);
	assert_int_equal(checkpoint_from_json(&cp, ans, f->op), 0);
	n = cp.size;
	checkpoint_free(&cp);
	json_decref(ans);
	return n;
}

/* An XB certificate for k, signed by rb. */
static void
cert_xb(struct buf *out, const struct keypair *rb, const struct keypair *k)
{
	struct buf pop = {0};
	uint8_t sig[64];

	dir_pop_message(&pop, "XB", k->pk, k->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, k->sk);
	buf_free(&pop);
	build(out, json_pack("{s:s,s:s}", "kind", "cert", "state", "XB"),
	    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", "XB", "device",
	    jhex(k->pk, 32), "box_key", jhex(k->box_pk, 32), "role", "technical",
	    "name", "B", "email", "b@example.org", "pop", jb64(sig, 64)), rb);
}

static int
setup_world(void **state)
{
	struct world *w = xcalloc(1, sizeof(*w));
	struct buf out = {0}, c = {0};
	char path[128];

	assert_int_equal(setup((void **)&w->f), 0);
	w->op = read_operator(w->f);
	w->rb = keypair_new("XB", 0);
	snprintf(path, sizeof(path), "%s/rootb.pub", w->f->dir);
	assert_int_equal(pubfile_write(path, KEY_ROOT, "XB", w->rb->pk), 0);
	assert_int_equal(run(&out, "admit", w->f->dir, "--state", "XB", "--root-key",
	    path, NULL), 0);
	buf_free(&out);
	w->b.k = keypair_new("XB", 1);
	cert_xb(&c, w->rb, w->b.k);
	accept_one(w->f, &c);
	buf_free(&c);
	*state = w;
	return 0;
}

static int
teardown_world(void **state)
{
	struct world *w = *state;
	void *f = w->f;

	keypair_free(w->op);
	keypair_free(w->rb);
	keypair_free(w->b.k);
	free(w);
	return teardown(&f);
}

/* The next record of device d (of State st) with header h (stolen). */
static void
chained(struct buf *out, struct dev *d, const char *st, json_t *h, json_t *payload)
{
	char *p = jdump(payload);

	json_object_set_new(h, "state", json_string(st));
	json_object_set_new(h, "seq", json_integer(d->seq + 1));
	if (d->seq > 0)
		json_object_set_new(h, "prev", jhex(d->last, 32));
	assert_int_equal(env_build(out, h, p, strlen(p), d->k->pk, d->k->sk), 0);
	json_decref(h);
	json_decref(payload);
	free(p);
}

/* Posts a device's record: accepted (want 200: its chain moves on, its id
 * in id) or refused with want, the log unchanged. */
static void
dev_post(struct world *w, struct dev *d, const char *st, json_t *h,
    json_t *payload, long want, const char *needle, uint8_t id[32])
{
	struct buf m = {0};
	uint64_t before = log_size(w->f);
	json_t *ans;

	chained(&m, d, st, h, payload);
	if (want == 200) {
		accept_one(w->f, &m);
		d->seq++;
		sha256(d->last, m.p, m.len);
		if (id != NULL)
			sha256(id, m.p, m.len);
	} else {
		ans = refuse_one(w->f, &m, want);
		if (needle != NULL && strstr(jstr(ans, "error"), needle) == NULL)
			fail_msg("error \"%s\" does not mention \"%s\"", jstr(ans, "error"),
			    needle);
		json_decref(ans);
		assert_int_equal(log_size(w->f), before);
	}
	buf_free(&m);
}

static struct dev *
xa(struct world *w, int i)
{
	return &w->f->dev[i];
}

/* rosterd CMD with args; its output in out (caller frees). */
#define ROSTERD(out, ...) run(out, __VA_ARGS__, NULL)

/* The id a rosterd command printed ("id: <hex>"). */
static void
printed_id(const struct buf *out, uint8_t id[32])
{
	const char *p = strstr((const char *)out->p, "id: ");

	char hex[65];

	assert_non_null(p);
	memcpy(hex, p + 4, 64);
	hex[64] = '\0';
	assert_int_equal(hex_decode_exact(id, 32, hex), 0);
}

static json_t *
proposal_hdr(const char *body)
{
	return json_pack("{s:s,s:s,s:s,s:s}", "kind", "proposal", "body", body,
	    "audience", "public", "lang", "en");
}

static json_t *
position_hdr(const uint8_t ref[32], const char *stance)
{
	return json_pack("{s:s,s:o,s:s}", "kind", "position", "ref", jhex(ref, 32),
	    "stance", stance);
}

static void
test_decisions(void **state)
{
	struct world *w = *state;
	struct hubfx *f = w->f;
	struct buf out = {0};
	uint8_t pid[32], pid2[32], ghost[32];
	json_t *h;
	int rc;

	/* the body, by the operator's command; a second time refused */
	rc = ROSTERD(&out, "body", f->dir, "--name", "oewg", "--chair", "XA",
	    "--members", "XA,XB", "--title", "en=Open-ended working group",
	    "--silence", "1h");
	assert_int_equal(rc, 0);
	assert_non_null(strstr((char *)out.p, "body oewg recorded at log index"));
	buf_free(&out);
	rc = ROSTERD(&out, "body", f->dir, "--name", "oewg", "--chair", "XB",
	    "--members", "all");
	assert_int_equal(rc, 1);
	assert_non_null(strstr((char *)out.p, "exists already"));
	buf_free(&out);
	/* bad words: said before anything is signed */
	assert_int_equal(ROSTERD(&out, "body", f->dir, "--name", "Oewg", "--chair",
	    "XA", "--members", "all"), 2);
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "body", f->dir, "--name", "x", "--chair",
	    "XA", "--members", "all", "--silence", "72"), 2);
	assert_non_null(strstr((char *)out.p, "not a duration"));
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "body", f->dir, "--name", "x", "--chair",
	    "XA", "--members", "all", "--languages", "en,english"), 2);
	assert_non_null(strstr((char *)out.p, "not a language code"));
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "body", f->dir, "--name", "x", "--chair",
	    "ZZ", "--members", "all"), 2);
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "body-rules", f->dir, "--name", "nobody",
	    "--chair", "XB"), 1);
	assert_non_null(strstr((char *)out.p, "no body \"nobody\""));
	buf_free(&out);

	/* proposals: only the Chair; a silence shorter than the body's only
	 * during a meeting; an unknown body */
	dev_post(w, &w->b, "XB", proposal_hdr("oewg"), json_pack("{s:{s:s}}",
	    "text", "en", "We agree."), 403, "may not propose", NULL);
	h = proposal_hdr("oewg");
	json_object_set_new(h, "silence_ms", json_integer(60000));
	dev_post(w, xa(w, 0), "XA", h, json_pack("{s:{s:s}}", "text", "en",
	    "Quickly."), 400, "only for a proposal made during the meeting", NULL);
	dev_post(w, xa(w, 0), "XA", proposal_hdr("nobody"), json_pack("{s:{s:s}}",
	    "text", "en", "x"), 400, "no body", NULL);
	dev_post(w, xa(w, 0), "XA", proposal_hdr("oewg"), json_pack("{s:{s:s}}",
	    "text", "fr", "Pas en anglais."), 400, NULL, NULL);
	dev_post(w, xa(w, 0), "XA", proposal_hdr("oewg"), json_pack("{s:{s:s}}",
	    "text", "en", "We agree."), 200, NULL, pid);
	dev_post(w, xa(w, 0), "XA", proposal_hdr("oewg"), json_pack("{s:{s:s}}",
	    "text", "en", "And this."), 200, NULL, pid2);

	/* positions: XB supports, not twice, then objects; XA objects once */
	dev_post(w, &w->b, "XB", position_hdr(pid, "support"), json_object(), 200,
	    NULL, NULL);
	dev_post(w, &w->b, "XB", position_hdr(pid, "support"), json_object(), 409,
	    "supported already", NULL);
	dev_post(w, &w->b, "XB", position_hdr(pid, "object"), json_object(), 200,
	    NULL, NULL);
	dev_post(w, &w->b, "XB", position_hdr(pid, "object"), json_object(), 409,
	    "objected already", NULL);
	dev_post(w, xa(w, 1), "XA", position_hdr(pid, "object"), json_object(), 200,
	    NULL, NULL);
	dev_post(w, xa(w, 2), "XA", position_hdr(pid, "object"), json_object(), 409,
	    "XA objected already", NULL);
	memset(ghost, 7, 32);
	dev_post(w, &w->b, "XB", position_hdr(ghost, "object"), json_object(), 400,
	    "no proposal or application", NULL);
	/* bad input: a stance that is none, a payload field too many, too big */
	dev_post(w, &w->b, "XB", position_hdr(pid2, "veto"), json_object(), 400,
	    "stance", NULL);
	dev_post(w, &w->b, "XB", position_hdr(pid2, "object"), json_pack("{s:s}",
	    "note", "x"), 400, NULL, NULL);
	{
		char *big = xmalloc(140000);
		memset(big, 'a', 139999);
		big[139999] = '\0';
		dev_post(w, &w->b, "XB", position_hdr(pid2, "object"), json_pack("{s:s}",
		    "reason", big), 413, "at most", NULL);
		free(big);
	}
	/* a withdrawal by a State that is neither proposer nor Chair; then by
	 * the Chair, after which nothing more is taken */
	dev_post(w, &w->b, "XB", json_pack("{s:s,s:o}", "kind", "withdraw", "ref",
	    jhex(pid2, 32)), json_object(), 403, "withdraws", NULL);
	dev_post(w, xa(w, 0), "XA", json_pack("{s:s,s:o}", "kind", "withdraw", "ref",
	    jhex(pid2, 32)), json_object(), 200, NULL, NULL);
	dev_post(w, &w->b, "XB", position_hdr(pid2, "object"), json_object(), 409,
	    "withdrawn", NULL);

	/* the hub's view: the same library's, for anyone to compare */
	assert_int_equal(ROSTERD(&out, "process", f->dir, "--json"), 0);
	{
		json_t *v = jparse(out.p, out.len), *d;
		assert_non_null(v);
		d = json_array_get(json_object_get(v, "decisions"), 0);
		assert_string_equal(jstr(d, "status"), "open");
		assert_int_equal(json_integer_value(json_object_get(d, "objections")), 2);
		d = json_array_get(json_object_get(v, "decisions"), 1);
		assert_string_equal(jstr(d, "status"), "withdrawn");
		json_decref(v);
	}
	buf_free(&out);

	/* restarted, the hub rebuilds the process from its records and
	 * refuses what it refused before */
	hub_stop(f);
	hub_start(f);
	dev_post(w, xa(w, 2), "XA", position_hdr(pid, "object"), json_object(), 409,
	    "XA objected already", NULL);
	dev_post(w, &w->b, "XB", position_hdr(pid2, "support"), json_object(), 409,
	    "withdrawn", NULL);
	rc = ROSTERD(&out, "body", f->dir, "--name", "oewg", "--chair", "XB",
	    "--members", "all");
	assert_int_equal(rc, 1);
	buf_free(&out);
	/* and rosterd check replays them cleanly */
	hub_stop(f);
	assert_int_equal(ROSTERD(&out, "check", f->dir), 0);
	buf_free(&out);
	hub_start(f);
}

/* Uploads bytes as a blob, signed by k; its digest in sha. */
static void
put_blob(struct hubfx *f, const struct keypair *k, const void *p, size_t n,
    uint8_t sha[32])
{
	struct buf out = {0};
	char target[128], *hex;
	long st = 0;

	sha256(sha, p, n);
	hex = hex_encode(sha, 32);
	snprintf(target, sizeof(target), "/v1/blobs/%s", hex);
	free(hex);
	http_client_set_signer(f->c, k->pk, k->sk);
	assert_int_equal(http_call(f->c, "PUT", target, "application/octet-stream",
	    p, n, &st, &out), 0);
	http_client_set_signer(f->c, NULL, NULL);
	assert_true(st == 201 || st == 200);
	buf_free(&out);
}

/* A request as roster init writes one, for a stakeholder's device k. */
static void
write_request(const char *path, const struct keypair *k, const char *state,
    const char *role)
{
	struct buf pop = {0};
	uint8_t sig[64];
	json_t *j;
	char *t;

	dir_pop_message(&pop, state, k->pk, k->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, k->sk);
	buf_free(&pop);
	j = json_pack("{s:s,s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "roster", "cert-request",
	    "state", state, "device", jhex(k->pk, 32), "box_key", jhex(k->box_pk, 32),
	    "role", role, "name", "Cyber Peace Institute", "email",
	    "info@example.org", "pop", jb64(sig, 64));
	t = jdump(j);
	json_decref(j);
	assert_int_equal(write_file_atomic(path, t, strlen(t), 0600), 0);
	free(t);
}

static void
test_stakeholders(void **state)
{
	struct world *w = *state;
	struct hubfx *f = w->f;
	struct buf out = {0}, cert = {0}, m = {0};
	struct dev sh = { keypair_new(NULL, 1), 0, {0} };
	struct keypair *other = keypair_new(NULL, 1);
	uint8_t app[32], silent[32], blob[32], mid[32];
	char req[128], req2[128], hexapp[65], crt[160];
	size_t plain = 1000, bsize = (size_t)blob_cipher_size(plain);
	uint8_t *bytes = xcalloc(1, bsize);
	json_t *ans, *files;

	assert_int_equal(ROSTERD(&out, "body", f->dir, "--name", "oewg", "--chair",
	    "XA", "--members", "all", "--ecosoc", "admit"), 0);
	buf_free(&out);
	/* an ECOSOC organisation is admitted at once; another is under silence */
	assert_int_equal(ROSTERD(&out, "stakeholder", "apply", f->dir, "--body",
	    "oewg", "--name", "Cyber Peace Institute", "--ecosoc", "yes",
	    "--website", "https://example.org"), 0);
	printed_id(&out, app);
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "stakeholder", "apply", f->dir, "--body",
	    "oewg", "--name", "Another", "--ecosoc", "no"), 0);
	printed_id(&out, silent);
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "stakeholder", "apply", f->dir, "--body",
	    "nobody", "--name", "X", "--ecosoc", "no"), 1);
	assert_non_null(strstr((char *)out.p, "no body"));
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "stakeholder", "apply", f->dir, "--body",
	    "oewg", "--name", "X", "--ecosoc", "maybe"), 2);
	buf_free(&out);

	/* its device: certified only for an accredited application, and only
	 * a stakeholder's request */
	snprintf(req, sizeof(req), "%s/request.json", f->dir);
	snprintf(req2, sizeof(req2), "%s/request2.json", f->dir);
	write_request(req, sh.k, "ZZ", "stakeholder");
	write_request(req2, other, "XA", "technical");
	sodium_bin2hex(hexapp, sizeof(hexapp), silent, 32);
	assert_int_equal(ROSTERD(&out, "stakeholder", "certify", f->dir,
	    "--application", hexapp, req), 1);
	assert_non_null(strstr((char *)out.p, "still under silence"));
	buf_free(&out);
	sodium_bin2hex(hexapp, sizeof(hexapp), app, 32);
	assert_int_equal(ROSTERD(&out, "stakeholder", "certify", f->dir,
	    "--application", hexapp, req2), 1);
	assert_non_null(strstr((char *)out.p, "a State's device"));
	buf_free(&out);
	assert_int_equal(ROSTERD(&out, "stakeholder", "certify", f->dir,
	    "--application", hexapp, req), 0);
	buf_free(&out);
	snprintf(crt, sizeof(crt), "%s/request.cert", f->dir);
	{
		struct buf b = {0};
		json_t *j;
		assert_int_equal(read_file(crt, &b, 1 << 20), 0);
		j = jparse(b.p, b.len);
		assert_int_equal(jb64_req(j, "envelope", &cert), 0);
		json_decref(j);
		buf_free(&b);
	}
	accept_one(f, &cert);

	/* it sends no mail, receives none, proposes nothing */
	{
		json_t *hm = json_pack("{s:s,s:[s],s:[o],s:s}", "kind", "msg", "to", "XA",
		    "rcpt", jhex(xa(w, 0)->k->pk, 32), "urgency", "routine");
		char *p = "RSP1 stand-in";
		json_object_set_new(hm, "state", json_string("ZZ"));
		json_object_set_new(hm, "seq", json_integer(1));
		assert_int_equal(env_build(&m, hm, p, strlen(p), sh.k->pk, sh.k->sk), 0);
		json_decref(hm);
		ans = refuse_one(f, &m, 403);
		assert_non_null(strstr(jstr(ans, "error"), "does not sign a msg"));
		json_decref(ans);
		buf_free(&m);
	}
	{
		json_t *hm = json_pack("{s:s,s:[s],s:[o],s:s}", "kind", "msg", "to", "XA",
		    "rcpt", jhex(sh.k->pk, 32), "urgency", "routine");
		const char *p = "RSP1 stand-in";
		struct dev *d = xa(w, 0);
		json_object_set_new(hm, "state", json_string("XA"));
		json_object_set_new(hm, "seq", json_integer(d->seq + 1));
		if (d->seq > 0)
			json_object_set_new(hm, "prev", jhex(d->last, 32));
		assert_int_equal(env_build(&m, hm, p, strlen(p), d->k->pk, d->k->sk), 0);
		json_decref(hm);
		ans = refuse_one(f, &m, 403);
		assert_non_null(strstr(jstr(ans, "error"), "stakeholder's device"));
		json_decref(ans);
		buf_free(&m);
	}
	dev_post(w, &sh, "ZZ", proposal_hdr("oewg"), json_pack("{s:{s:s}}", "text",
	    "en", "x"), 403, "does not sign a proposal", NULL);

	/* a contribution: its file must be on the hub first */
	randombytes_buf(bytes, bsize);
	sha256(blob, bytes, bsize);
	files = json_pack("[{s:s,s:o,s:I}]", "lang", "en", "sha256", jhex(blob, 32),
	    "size", (json_int_t)bsize);
	{
		struct seal_recipient r;
		struct buf sealed = {0};
		struct buf env = {0};
		json_t *hc;
		memcpy(r.device, xa(w, 0)->k->pk, 32);
		memcpy(r.box_pk, xa(w, 0)->k->box_pk, 32);
		assert_int_equal(seal_encrypt(&sealed, "{}", 2, &r, 1), 0);
		for (int pass = 0; pass < 2; pass++) {
			uint64_t before = log_size(f);
			hc = json_pack("{s:s,s:s,s:o,s:O,s:s,s:I}", "kind", "contribution",
			    "body", "oewg", "application", jhex(app, 32), "files", files,
			    "state", "ZZ", "seq", (json_int_t)sh.seq + 1);
			if (sh.seq > 0)
				json_object_set_new(hc, "prev", jhex(sh.last, 32));
			assert_int_equal(env_build(&env, hc, sealed.p, sealed.len, sh.k->pk,
			    sh.k->sk), 0);
			json_decref(hc);
			if (pass == 0) {
				ans = refuse_one(f, &env, 400);
				assert_non_null(strstr(jstr(ans, "error"), "not on this hub"));
				json_decref(ans);
				assert_int_equal(log_size(f), before);
				put_blob(f, sh.k, bytes, bsize, blob);
			} else {
				accept_one(f, &env);
				sh.seq++;
				sha256(sh.last, env.p, env.len);
			}
			buf_free(&env);
		}
		buf_free(&sealed);
	}
	json_decref(files);
	/* a paper whose file the hub does not hold is refused too */
	assert_int_equal(ROSTERD(&out, "meeting", f->dir, "--body", "oewg", "--start",
	    "2040-01-10", "--end", "2040-01-12", "--title", "en=Session"), 0);
	printed_id(&out, mid);
	buf_free(&out);
	{
		uint8_t absent[32];
		memset(absent, 3, 32);
		files = json_pack("[{s:s,s:o,s:I}]", "lang", "fr", "sha256",
		    jhex(absent, 32), "size", (json_int_t)bsize);
		dev_post(w, xa(w, 0), "XA", json_pack("{s:s,s:s,s:o,s:s,s:O}", "kind",
		    "paper", "body", "oewg", "meeting", jhex(mid, 32), "audience",
		    "public", "files", files), json_pack("{s:{s:s},s:[{s:s,s:s,s:s,s:s}]}",
		    "title", "en", "Paper", "files", "name", "p.pdf", "type",
		    "application/pdf", "key", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA=",
		    "header", "AAAAAAAAAAAAAAAAAAAAAAAAAAAAAAAA"), 400, "not on this hub",
		    NULL);
		json_decref(files);
	}
	/* the operator revokes the device; it contributes no more */
	build(&m, json_pack("{s:s,s:s}", "kind", "revoke", "state", "ZZ"),
	    json_pack("{s:o}", "device", jhex(sh.k->pk, 32)), w->op);
	accept_one(f, &m);
	buf_free(&m);

	free(bytes);
	buf_free(&cert);
	keypair_free(sh.k);
	keypair_free(other);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_decisions, setup_world,
		    teardown_world),
		cmocka_unit_test_setup_teardown(test_stakeholders, setup_world,
		    teardown_world),
	};

	(void)argc;
	if (hubfx_init(argv[0]) != 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
