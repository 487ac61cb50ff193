/*
 * fuzz_registry.c - libFuzzer target for the registries' parsers, rules
 * and views (lib/regrec.c, lib/registry.c, lib/regview.c) and the search
 * folding (lib/regfold.c).
 *
 * A hub takes registry records from any device, every node takes them
 * from the hub's listings, and a reader decrypts sealed ones from any
 * author: all run regrec_parse, reg_check and the content rules on bytes
 * nobody vouched for.  As fuzz_process.c, the fuzzer signs each record
 * itself, from a header and a payload it chooses:
 *
 *   byte 0   bits 0-2 the signer: 0 operator, 1 XA (the Chair), 2 XB, 3 a
 *            stakeholder device (accredited), 4 XC, 5 a key nobody
 *            certified (mod 6); bit 3: seal the payload to the devices of
 *            XA and XB (the reader is XB's), as an author's node would;
 *   byte 1   the log time: the base log's last time + byte 1 hours (the
 *            base proposal's silence ends at hour 72);
 *   then     the header JSON, up to the first NUL;
 *   then     the payload bytes (the rest).
 * Other framings: "RSE1..." is one raw envelope taken at hour 1; "C" then
 * a kind byte then JSON is a payload as a reader would find it after
 * decrypting (regrec_content, reg_check_content); "S" then text is a
 * terminology search (reg_view_terms), and the folding must be idempotent.
 *
 * Every input starts from the same state, replayed into a fresh
 * directory, process and registry whose reader is XB's device: XA, XB, XC
 * and a stakeholder; body "oewg" (XA in the Chair, members XA, XB, XC); an
 * accredited application; a norm of XB and a proposal adopting it, under
 * silence; a checklist version; XB's report v1 (public) and v2 (sealed to
 * XA); XB's CII list for XA; a term and a definition of XC; a request of
 * XB.  Keys come from fixed seeds and libsodium's random bytes are made
 * deterministic (a counter reset for each input), so a sealed payload has
 * the same bytes from run to run.
 *
 * FUZZ_VERBOSE=1 prints each outcome; FUZZ_WRITE_REGISTRY_SEEDS=DIR writes
 * the seed corpus and exits.
 *
 * Invariants that abort:
 *   - reg_check and reg_take agree, and a refused record changes nothing
 *     (every view is byte for byte what it was);
 *   - what regrec_parse refuses, reg_check refuses as malformed;
 *   - a record taken is refused the second time (a proposal, by the
 *     registry or the process);
 *   - after a record is taken, a fresh replay of the base log and that
 *     record gives the same views, byte for byte;
 *   - a payload reg_check_content accepts, regrec_content accepts;
 *   - folding twice is folding once.
 */
#include <libgen.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procview.h"
#include "regdata.h"
#include "regfold.h"
#include "registry.h"
#include "regview.h"
#include "seal.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

#define T0 1800000000000LL
#define HOUR 3600000LL

enum { K_OP, K_RA, K_RB, K_RC, K_A, K_B, K_C, K_S, K_NOBODY, NKEYS };
static struct keypair keys[NKEYS];
static struct regdata *data;

#define MAXBASE 32
enum { B_PROC, B_DIR, B_INJECT, B_REG };
static struct buf base[MAXBASE];
static int base_kind[MAXBASE];
static size_t nbase;
static int64_t base_time;
static int verbose;
enum { ID_APP, ID_NORM, ID_PROPOSAL, ID_REQUEST, ID_TERM, ID_DEF, NIDS };
static uint8_t ids[NIDS][32];

/* ---- deterministic random bytes ---------------------------------------------- */

static uint64_t rng_counter;

static const char *
rng_name(void)
{
	return "fuzz-counter";
}

static uint32_t
rng_random(void)
{
	return (uint32_t)(++rng_counter * 2654435761u);
}

static void
rng_buf(void *buf, size_t n)
{
	uint8_t seed[randombytes_SEEDBYTES] = { 0 };

	memcpy(seed, &rng_counter, sizeof(rng_counter));
	rng_counter++;
	randombytes_buf_deterministic(buf, n, seed);
}

static struct randombytes_implementation rng = {
	.implementation_name = rng_name,
	.random = rng_random,
	.buf = rng_buf,
};

/* ---- records ------------------------------------------------------------------- */

static void
fatal(const char *what)
{
	fprintf(stderr, "fuzz_registry: %s: %s\n", what, rs_err());
	abort();
}

static void
seeded(struct keypair *k, int n, int box)
{
	uint8_t seed[32];

	memset(k, 0, sizeof(*k));
	memset(seed, n, sizeof(seed));
	crypto_sign_seed_keypair(k->pk, k->sk, seed);
	if (box) {
		memset(seed, n + 1, sizeof(seed));
		crypto_box_seed_keypair(k->box_pk, k->box_sk, seed);
		k->has_box = 1;
	}
}

static const char *
state_of(int k)
{
	switch (k) {
	case K_A: return "XA";
	case K_B: return "XB";
	case K_C: return "XC";
	case K_S: return "ZZ";
	case K_NOBODY: return "XB";
	default: return NULL;
	}
}

static int64_t seq;

static void
build(struct buf *out, int k, json_t *hdr, const void *payload, size_t len, int64_t t)
{
	if (state_of(k) != NULL && json_object_get(hdr, "state") == NULL)
		json_object_set_new(hdr, "state", json_string(state_of(k)));
	if (keys[k].has_box && json_object_get(hdr, "seq") == NULL)
		json_object_set_new(hdr, "seq", json_integer(++seq));
	json_object_set_new(hdr, "time", json_integer(t));
	memset(out, 0, sizeof(*out));
	if (env_build(out, hdr, payload, len, keys[k].pk, keys[k].sk) != 0)
		fatal("env_build");
	json_decref(hdr);
}

static void
build_json(struct buf *out, int k, json_t *hdr, json_t *payload, int64_t t)
{
	char *s = jdump(payload);

	build(out, k, hdr, s, strlen(s), t);
	free(s);
	json_decref(payload);
}

/* Seals plain to XA's and XB's devices and the signer's. */
static void
seal_plain(struct buf *out, int k, const void *plain, size_t len)
{
	struct seal_recipient r[3];
	size_t n = 0;
	int who[3] = { K_A, K_B, k };

	for (int i = 0; i < 3; i++) {
		if (i == 2 && (k == K_A || k == K_B || !keys[k].has_box))
			break;
		memcpy(r[n].device, keys[who[i]].pk, 32);
		memcpy(r[n].box_pk, keys[who[i]].box_pk, 32);
		n++;
	}
	memset(out, 0, sizeof(*out));
	if (seal_encrypt(out, plain, len, r, n) != 0)
		fatal("seal_encrypt");
}

static void
build_sealed(struct buf *out, int k, json_t *hdr, json_t *payload, int64_t t)
{
	struct buf sealed;
	char *s = jdump(payload);

	seal_plain(&sealed, k, s, strlen(s));
	build(out, k, hdr, sealed.p, sealed.len, t);
	buf_free(&sealed);
	free(s);
	json_decref(payload);
}

static json_t *
cert(const char *state, int k, const char *role)
{
	struct buf m = {0};
	uint8_t sig[64];

	dir_pop_message(&m, state, keys[k].pk, keys[k].box_pk);
	crypto_sign_detached(sig, NULL, m.p, m.len, keys[k].sk);
	buf_free(&m);
	return json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", state,
	    "device", jhex(keys[k].pk, 32), "box_key", jhex(keys[k].box_pk, 32),
	    "role", role, "name", "P", "email", "p@example.org", "pop", jb64(sig, 64));
}

static int64_t
base_log_time(size_t i)
{
	return T0 + (int64_t)i * 1000;
}

static void
add_base(int kind, struct buf *b, uint8_t *id)
{
	if (nbase == MAXBASE)
		fatal("base log full");
	if (id != NULL)
		sha256(id, b->p, b->len);
	base_kind[nbase] = kind;
	base[nbase++] = *b;
}

static json_t *
norm_payload(void)
{
	return json_pack("{s:s,s:{s:s,s:s},s:{s:s},s:[s]}", "lang", "en", "title", "en",
	    "Notify ICT exercises", "ru", "Уведомлять об учениях", "text", "en",
	    "States notify large ICT exercises.", "sources", "A/76/135 para 70");
}

static json_t *
report_payload(const char *status)
{
	return json_pack("{s:s,s:[{s:s,s:i,s:s},{s:s,s:s}]}", "lang", "fr", "entries",
	    "norm", "a70-174-13f", "action", 1, "status", status, "norm", "a70-174-13a",
	    "status", "planned");
}

static json_t *
cii_payload(void)
{
	return json_pack("{s:s,s:[{s:s,s:s},{s:s,s:[{s:s,s:s}]}]}", "lang", "en",
	    "spheres", "taxonomy", "cii-nis2-annex1", "code", "energy", "text",
	    "District heating", "maps", "taxonomy", "cii-us-ppd21", "code", "energy");
}

static void
make_base(void)
{
	struct buf b;
	json_t *p;
	const char *st[3] = { "XA", "XB", "XC" };
	int root[3] = { K_RA, K_RB, K_RC }, dev[3] = { K_A, K_B, K_C };

	for (int i = 0; i < 3; i++) {
		build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "admit", "state", st[i]),
		    json_pack("{s:s,s:o}", "state", st[i], "root_key",
		    jhex(keys[root[i]].pk, 32)), T0);
		add_base(B_DIR, &b, NULL);
	}
	for (int i = 0; i < 3; i++) {
		build_json(&b, root[i], json_pack("{s:s,s:s}", "kind", "cert", "state", st[i]),
		    cert(st[i], dev[i], "technical"), T0);
		add_base(B_DIR, &b, NULL);
	}
	build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "body", "body", "oewg"),
	    json_pack("{s:s,s:[s,s,s],s:{s:{s:s}}}", "chair", "XA", "members", "XA",
	    "XB", "XC", "rules", "stakeholders", "ecosoc", "admit"), T0);
	add_base(B_PROC, &b, NULL);
	build_json(&b, K_OP, json_pack("{s:s,s:s,s:b}", "kind", "application", "body",
	    "oewg", "ecosoc", 1), json_pack("{s:s}", "name", "NGO"), T0);
	add_base(B_PROC, &b, ids[ID_APP]);
	p = cert("ZZ", K_S, "stakeholder");
	json_object_set_new(p, "stakeholder", jhex(ids[ID_APP], 32));
	build_json(&b, K_OP, json_pack("{s:s,s:s}", "kind", "cert", "state", "ZZ"), p, T0);
	add_base(B_INJECT, &b, NULL);
	build_json(&b, K_B, json_pack("{s:s}", "kind", "norm"), norm_payload(), T0);
	add_base(B_REG, &b, ids[ID_NORM]);
	{
		char *hex = hex_encode(ids[ID_NORM], 32);
		build_json(&b, K_A, json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i}}", "kind",
		    "proposal", "body", "oewg", "audience", "public", "lang", "en", "adopts",
		    "item", "norm", "id", hex, "version", 1), json_pack("{s:{s:s}}", "text",
		    "en", "Agrees the norm."), T0);
		free(hex);
	}
	add_base(B_PROC, &b, ids[ID_PROPOSAL]);
	build_json(&b, K_C, json_pack("{s:s,s:s,s:i}", "kind", "checklist", "norm",
	    "a70-174-13f", "version", 1), json_pack("{s:s,s:[{s:i,s:{s:s}}]}", "lang", "en",
	    "actions", "n", 4, "title", "en", "Publish the policy"), T0);
	add_base(B_REG, &b, NULL);
	build_json(&b, K_B, json_pack("{s:s,s:i,s:s}", "kind", "report", "version", 1,
	    "audience", "public"), report_payload("planned"), T0);
	add_base(B_REG, &b, NULL);
	build_sealed(&b, K_B, json_pack("{s:s,s:i,s:s,s:[s]}", "kind", "report", "version",
	    2, "audience", "sealed", "to", "XA"), report_payload("implemented"), T0);
	add_base(B_REG, &b, NULL);
	build_sealed(&b, K_B, json_pack("{s:s,s:i,s:s,s:[s]}", "kind", "cii", "version", 1,
	    "audience", "sealed", "to", "XA"), cii_payload(), T0);
	add_base(B_REG, &b, NULL);
	build_json(&b, K_C, json_pack("{s:s}", "kind", "term"), json_pack(
	    "{s:s,s:{s:s,s:s},s:[s]}", "lang", "ru", "forms", "ru",
	    "информационное пространство", "zh", "信息空间", "sources", "A/RES/73/27 PP 16"),
	    T0);
	add_base(B_REG, &b, ids[ID_TERM]);
	build_json(&b, K_C, json_pack("{s:s,s:s}", "kind", "definition", "term",
	    "ict-environment"), json_pack("{s:s,s:{s:s}}", "lang", "en", "text", "en",
	    "Where ICTs are used."), T0);
	add_base(B_REG, &b, ids[ID_DEF]);
	build_json(&b, K_B, json_pack("{s:s,s:s}", "kind", "cb-request", "audience",
	    "public"), json_pack("{s:s,s:s,s:s,s:s,s:[s]}", "area", "incident-response",
	    "title", "CSIRT", "lang", "en", "needs", "Training.", "languages", "fr"), T0);
	add_base(B_REG, &b, ids[ID_REQUEST]);
	base_time = base_log_time(nbase - 1);
}

static int
take(struct registry *r, struct directory *d, struct process *p,
    const struct envelope *e, int kind, int64_t index, int64_t t)
{
	switch (kind) {
	case B_REG:
		return reg_take(r, d, p, e, index, t) == REG_OK ? 0 : -1;
	case B_PROC:
		if (proc_check(p, d, e, index, t) != PROC_OK ||
		    (reg_concerns(e) && reg_check(r, d, p, e, index, t) != REG_OK))
			return -1;
		proc_apply(p, d, e, index, t);
		if (reg_concerns(e))
			reg_apply(r, d, p, e, index, t);
		return 0;
	case B_DIR:
		if (dir_check(d, e, index, t, 0) != 0)
			return -1;
		/* fall through */
	default:
		dir_apply(d, e, index);
		return 0;
	}
}

static void
replay_base(struct directory **dp, struct process **pp, struct registry **rp)
{
	struct directory *d = dir_new(keys[K_OP].pk);
	struct process *p = proc_new();
	struct registry *r = reg_new(data);

	reg_set_reader(r, &keys[K_B]);
	for (size_t i = 0; i < nbase; i++) {
		struct envelope e;
		if (env_parse(&e, base[i].p, base[i].len) != 0)
			fatal("base parse");
		if (take(r, d, p, &e, base_kind[i], (int64_t)i, base_log_time(i)) != 0)
			fatal("base record");
		env_free(&e);
	}
	*dp = d;
	*pp = p;
	*rp = r;
}

static char *
views(struct registry *r, struct process *p, int64_t now)
{
	json_t *o = json_object(), *v;
	char *s;

	json_object_set_new(o, "all", reg_view(r, p, now, "ru"));
	json_object_set_new(o, "reports", reg_view_reports(r, p, now, "a70-174-13f", "XB"));
	json_object_set_new(o, "checklist", reg_view_checklist(r, p, now, "a70-174-13f"));
	v = reg_view_cii_compare(r, now, "XB", "XC", "cii-us-ppd21", "ar");
	json_object_set_new(o, "compare", v ? v : json_null());
	v = reg_view_terms(r, p, now, "пространство");
	json_object_set_new(o, "search", v ? v : json_null());
	s = proc_dump(o);
	json_decref(o);
	if (s == NULL)
		abort();
	return s;
}

static void
run(const uint8_t *raw, size_t len, int64_t t)
{
	struct directory *d, *d2;
	struct process *p, *p2;
	struct registry *r, *r2;
	struct envelope e;
	struct reg_rec rr;
	enum reg_result parsed, c, taken;
	int64_t index = (int64_t)nbase;
	char *before, *after, *again;
	int concerns;

	if (env_parse(&e, raw, len) != 0)
		return;
	concerns = reg_concerns(&e);
	replay_base(&d, &p, &r);
	before = views(r, p, t);
	parsed = regrec_parse(&e, &rr);
	regrec_free(&rr);
	c = reg_check(r, d, p, &e, index, t);
	if (parsed != REG_OK && c != REG_MALFORMED)
		abort();
	if (!concerns && c == REG_OK)
		abort();
	if (concerns && strcmp(e.kind, "proposal") == 0) {
		/* the process must take it too, as the hub would ask both */
		if (c == REG_OK && proc_check(p, d, &e, index, t) != PROC_OK)
			c = REG_FORBIDDEN;
		taken = c;
		if (c == REG_OK) {
			proc_apply(p, d, &e, index, t);
			reg_apply(r, d, p, &e, index, t);
		}
	} else
		taken = reg_take(r, d, p, &e, index, t);
	if (taken != c)
		abort();
	if (verbose)
		fprintf(stderr, "%s: %d %s\n", e.kind, taken, taken ? rs_err() : "taken");
	after = views(r, p, t);
	if (taken != REG_OK) {
		if (strcmp(before, after) != 0)
			abort();
	} else {
		/* taken again: refused (a proposal that adopts nothing is the
		 * process's to refuse) */
		if (reg_check(r, d, p, &e, index + 1, t) == REG_OK &&
		    (strcmp(e.kind, "proposal") != 0 ||
		    proc_check(p, d, &e, index + 1, t) == PROC_OK))
			abort();
		replay_base(&d2, &p2, &r2);
		if (take(r2, d2, p2, &e, strcmp(e.kind, "proposal") == 0 ? B_PROC : B_REG,
		    index, t) != 0)
			abort();
		again = views(r2, p2, t);
		if (strcmp(again, after) != 0)
			abort();
		free(again);
		free(views(r2, p2, t + 100 * HOUR));
		reg_free(r2);
		proc_free(p2);
		dir_free(d2);
	}
	free(before);
	free(after);
	reg_free(r);
	proc_free(p);
	dir_free(d);
	env_free(&e);
}

/* "C" kind-byte JSON: a payload as a reader finds it. */
static void
run_content(const uint8_t *in, size_t len)
{
	static const enum reg_kind kinds[] = { REG_K_NORM, REG_K_NORM_VERSION,
	    REG_K_CHECKLIST, REG_K_REPORT, REG_K_CII, REG_K_TERM, REG_K_DEFINITION,
	    REG_K_TRANSLATION, REG_K_CB_REQUEST, REG_K_CB_OFFER, REG_K_COSPONSOR };
	struct directory *d;
	struct process *p;
	struct registry *r;
	enum reg_kind k;
	enum reg_result rc;
	json_t *j;

	if (len < 1)
		return;
	k = kinds[in[0] % (sizeof(kinds) / sizeof(kinds[0]))];
	j = json_loadb((const char *)in + 1, len - 1, JSON_REJECT_DUPLICATES, NULL);
	if (j == NULL)
		return;
	replay_base(&d, &p, &r);
	rc = reg_check_content(r, k, j);
	if (rc == REG_OK && regrec_content(k, j, REG_K_NONE) != REG_OK)
		abort();
	if (verbose)
		fprintf(stderr, "content %d: %s\n", (int)k, rc == REG_OK ? "ok" : rs_err());
	json_decref(j);
	reg_free(r);
	proc_free(p);
	dir_free(d);
}

/* "S" text: a search, and folding twice is folding once. */
static void
run_search(const uint8_t *in, size_t len)
{
	struct directory *d;
	struct process *p;
	struct registry *r;
	char *q = xmalloc(len + 1);
	struct buf a = {0}, b = {0};
	json_t *v;

	memcpy(q, in, len);
	q[len] = '\0';
	if (reg_fold(q, &a) == 0) {
		if (reg_fold((const char *)a.p, &b) != 0 || strcmp((char *)a.p, (char *)b.p) != 0) {
			fprintf(stderr, "fold not idempotent: [%s] -> [%s] -> [%s]\n", q,
			    (char *)a.p, (char *)b.p);
			abort();
		}
		replay_base(&d, &p, &r);
		v = reg_view_terms(r, p, base_time, q);
		json_decref(v);
		reg_free(r);
		proc_free(p);
		dir_free(d);
	}
	buf_free(&a);
	buf_free(&b);
	free(q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *in, size_t size)
{
	static const int signers[6] = { K_OP, K_A, K_B, K_S, K_C, K_NOBODY };
	const uint8_t *nul;
	json_t *hdr;
	struct buf env = {0}, sealed = {0};
	int k, seal;
	int64_t t;

	rng_counter = 0;
	seq = 1000;
	if (size >= 4 && memcmp(in, "RSE1", 4) == 0) {
		uint8_t *copy = xmalloc(size);
		memcpy(copy, in, size);
		run(copy, size, base_time + HOUR);
		free(copy);
		return 0;
	}
	if (size >= 1 && in[0] == 'C') {
		run_content(in + 1, size - 1);
		return 0;
	}
	if (size >= 1 && in[0] == 'S') {
		run_search(in + 1, size - 1);
		return 0;
	}
	if (size < 2)
		return 0;
	k = signers[(in[0] & 7) % 6];
	seal = (in[0] & 8) != 0;
	t = base_time + (int64_t)in[1] * HOUR;
	in += 2;
	size -= 2;
	nul = memchr(in, 0, size);
	hdr = json_loadb((const char *)in, nul ? (size_t)(nul - in) : size,
	    JSON_REJECT_DUPLICATES, NULL);
	if (!json_is_object(hdr) || !json_is_string(json_object_get(hdr, "kind"))) {
		json_decref(hdr);
		return 0;
	}
	json_object_del(hdr, "time");
	json_object_del(hdr, "payload_len");
	json_object_del(hdr, "payload_sha256");
	json_object_del(hdr, "key");
	json_object_del(hdr, "v");
	{
		const uint8_t *pl = nul ? nul + 1 : (const uint8_t *)"";
		size_t plen = nul ? size - (size_t)(nul + 1 - in) : 0;
		if (seal) {
			seal_plain(&sealed, k, pl, plen);
			build(&env, k, hdr, sealed.p, sealed.len, t);
		} else
			build(&env, k, hdr, pl, plen, t);
	}
	run(env.p, env.len, t);
	buf_free(&env);
	buf_free(&sealed);
	return 0;
}

/* ---- the seed corpus --------------------------------------------------------- */

static void
write_bytes(const char *dir, const char *name, const struct buf *b)
{
	char path[512];

	snprintf(path, sizeof(path), "%s/%s", dir, name);
	if (write_file_atomic(path, b->p, b->len, 0644) != 0)
		fatal(path);
}

static void
seed(const char *dir, const char *name, int sel, int hours, json_t *hdr, json_t *payload)
{
	char *h = jdump(hdr), *s = jdump(payload);
	struct buf out = {0};
	uint8_t b[2] = { (uint8_t)sel, (uint8_t)hours };

	buf_add(&out, b, 2);
	buf_addstr(&out, h);
	buf_add(&out, "", 1);
	buf_addstr(&out, s);
	write_bytes(dir, name, &out);
	free(h);
	free(s);
	json_decref(hdr);
	json_decref(payload);
	buf_free(&out);
}

static void
seed_text(const char *dir, const char *name, const char *text)
{
	struct buf out = {0};

	buf_addstr(&out, text);
	write_bytes(dir, name, &out);
	buf_free(&out);
}

/* Signer selectors: 0 operator, 1 XA, 2 XB, 3 stakeholder, 4 XC, 5 nobody;
 * add 8 to seal the payload. */
static void
write_seeds(const char *dir)
{
	char norm[65], req[65], def[65], term[65], *h;
	struct buf env = {0};

	h = hex_encode(ids[ID_NORM], 32);
	snprintf(norm, sizeof(norm), "%s", h);
	free(h);
	h = hex_encode(ids[ID_REQUEST], 32);
	snprintf(req, sizeof(req), "%s", h);
	free(h);
	h = hex_encode(ids[ID_DEF], 32);
	snprintf(def, sizeof(def), "%s", h);
	free(h);
	h = hex_encode(ids[ID_TERM], 32);
	snprintf(term, sizeof(term), "%s", h);
	free(h);
	seed(dir, "norm", 4, 1, json_pack("{s:s}", "kind", "norm"), norm_payload());
	seed(dir, "norm-version", 2, 1, json_pack("{s:s,s:s,s:i}", "kind", "norm-version",
	    "norm", norm, "version", 2), json_pack("{s:{s:s},s:s}", "title", "en", "Notify",
	    "note", "Shorter."));
	seed(dir, "norm-agreed-claim", 2, 1, json_pack("{s:s}", "kind", "norm"),
	    json_pack("{s:s,s:{s:s},s:{s:s},s:[s],s:s}", "lang", "en", "title", "en", "x",
	    "text", "en", "y", "sources", "A/70/174 para 1", "status", "agreed"));
	seed(dir, "cosponsor", 4, 1, json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    norm), json_object());
	seed(dir, "cosponsor-data", 1, 1, json_pack("{s:s,s:s}", "kind", "cosponsor", "norm",
	    "ru2024-3"), json_object());
	seed(dir, "checklist", 1, 1, json_pack("{s:s,s:s,s:i}", "kind", "checklist", "norm",
	    "a70-174-13f", "version", 2), json_pack("{s:s,s:[{s:i,s:{s:s},s:{s:s}}],s:s}",
	    "lang", "fr", "actions", "n", 5, "title", "fr", "Action", "text", "fr", "Texte",
	    "note", "v2"));
	seed(dir, "report-v3", 2, 1, json_pack("{s:s,s:i,s:s}", "kind", "report", "version",
	    3, "audience", "public"), report_payload("in-progress"));
	seed(dir, "report-sealed", 8 + 2, 1, json_pack("{s:s,s:i,s:s,s:s}", "kind",
	    "report", "version", 3, "audience", "sealed", "to", "all"),
	    report_payload("not-applicable"));
	seed(dir, "report-unknown-norm", 8 + 2, 1, json_pack("{s:s,s:i,s:s,s:[s]}", "kind",
	    "report", "version", 3, "audience", "sealed", "to", "XA"), json_pack(
	    "{s:s,s:[{s:s,s:s}]}", "lang", "en", "entries", "norm", "a70-174-13q", "status",
	    "planned"));
	seed(dir, "report-by-other", 4, 1, json_pack("{s:s,s:i,s:s,s:s}", "kind", "report",
	    "version", 3, "audience", "public", "state", "XB"), report_payload("planned"));
	seed(dir, "cii-v2", 8 + 2, 1, json_pack("{s:s,s:i,s:s,s:[s]}", "kind", "cii",
	    "version", 2, "audience", "sealed", "to", "XA"), cii_payload());
	seed(dir, "cii-xc", 8 + 4, 1, json_pack("{s:s,s:i,s:s,s:[s,s]}", "kind", "cii",
	    "version", 1, "audience", "sealed", "to", "XA", "XB"), json_pack(
	    "{s:s,s:[{s:s,s:s}]}", "lang", "ru", "spheres", "taxonomy", "cii-ru-187fz", "code",
	    "atomic-energy"));
	seed(dir, "term", 1, 1, json_pack("{s:s}", "kind", "term"), json_pack(
	    "{s:s,s:{s:s},s:[s]}", "lang", "ar", "forms", "ar", "الفضاء المعلوماتي", "sources",
	    "A/RES/75/240 PP 17"));
	seed(dir, "definition", 2, 1, json_pack("{s:s,s:s}", "kind", "definition", "term",
	    term), json_pack("{s:s,s:{s:s},s:[s]}", "lang", "ru", "text", "ru",
	    "Пространство.", "sources", "A/RES/73/27 PP 18"));
	seed(dir, "translation", 3, 1, json_pack("{s:s,s:s,s:s}", "kind", "translation",
	    "ref", def, "lang", "fr"), json_pack("{s:s}", "text", "Là où les TIC sont "
	    "utilisées."));
	seed(dir, "translation-norm", 1, 1, json_pack("{s:s,s:s,s:s}", "kind", "translation",
	    "ref", norm, "lang", "zh"), json_pack("{s:s,s:s}", "title", "通报演习", "text",
	    "各国通报大型信通技术演习。"));
	seed(dir, "cb-request-no-group", 8 + 1, 1, json_pack("{s:s,s:s,s:s}", "kind",
	    "cb-request",
	    "audience", "sealed", "to", "group:none"), json_pack("{s:s,s:s,s:s,s:s,s:[s]}",
	    "area", "legislation", "title", "Law", "lang", "es", "needs", "Ayuda.",
	    "languages", "es"));
	seed(dir, "cb-offer", 4, 1, json_pack("{s:s,s:s,s:s}", "kind", "cb-offer", "request",
	    req, "audience", "public"), json_pack("{s:s,s:s,s:s,s:[s]}", "title", "Training",
	    "lang", "en", "text", "Two weeks.", "languages", "fr"));
	seed(dir, "cb-offer-standing", 3, 1, json_pack("{s:s,s:s}", "kind", "cb-offer",
	    "audience", "public"), json_pack("{s:s,s:s,s:s,s:[s],s:[s]}", "title", "Course",
	    "lang", "en", "text", "Online.", "languages", "fr", "areas", "incident-response"));
	seed(dir, "cb-offer-sealed", 8 + 1, 1, json_pack("{s:s,s:s,s:s,s:[s]}", "kind",
	    "cb-offer", "request", req, "audience", "sealed", "to", "XB"), json_pack(
	    "{s:s,s:s,s:s,s:[s]}", "title", "T", "lang", "en", "text", "x", "languages", "fr"));
	seed(dir, "cb-close", 2, 1, json_pack("{s:s,s:s,s:s}", "kind", "cb-step", "step",
	    "close", "request", req), json_object());
	seed(dir, "adopts-definition", 1, 2, json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i}}",
	    "kind", "proposal", "body", "oewg", "audience", "public", "lang", "en", "adopts",
	    "item", "definition", "id", def, "version", 1), json_pack("{s:{s:s}}", "text",
	    "en", "Agrees the definition."));
	seed(dir, "adopts-model", 1, 2, json_pack("{s:s,s:s,s:s,s:s,s:{s:s,s:s,s:i}}",
	    "kind", "proposal", "body", "oewg", "audience", "public", "lang", "en", "adopts",
	    "item", "checklist", "id", "a70-174-13b", "version", 0), json_pack("{s:{s:s}}",
	    "text", "en", "Agrees the model checklist."));
	seed(dir, "operator-norm", 0, 1, json_pack("{s:s}", "kind", "norm"), norm_payload());
	seed_text(dir, "content-cii", "C\x04{\"lang\":\"en\",\"spheres\":[{\"taxonomy\":"
	    "\"cii-ru-187fz\",\"code\":\"mining\"},{\"text\":\"Ports\",\"maps\":[{\"taxonomy\":"
	    "\"cii-ga-58-199\",\"code\":\"air-maritime-transport\"}]}]}");
	seed_text(dir, "content-report", "C\x03{\"lang\":\"en\",\"entries\":[{\"norm\":"
	    "\"a70-174-13f\",\"action\":4,\"status\":\"implemented\",\"note\":\"Done.\"}]}");
	seed_text(dir, "search-ru", "SКритическая ИНФРАСТРУКТУРА");
	seed_text(dir, "search-zh", "S關鍵資訊基礎設施");
	seed_text(dir, "search-ar", "Sالبِنْيَة التحتيّة");
	build_json(&env, K_C, json_pack("{s:s,s:s}", "kind", "cosponsor", "norm", norm),
	    json_object(), T0);
	write_bytes(dir, "raw-cosponsor", &env);
	buf_free(&env);
}

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	struct directory *d;
	struct process *p;
	struct registry *r;
	const char *out = getenv("FUZZ_WRITE_REGISTRY_SEEDS");

	jalloc_init();
	(void)argc;
	randombytes_set_implementation(&rng);
	if (sodium_init() < 0)
		abort();
	/* the shipped data: ROSTER_SHARE, else share/ here, else beside the
	 * binary's folder (build-fuzz/../share) */
	if (getenv("ROSTER_SHARE") == NULL) {
		setenv("ROSTER_SHARE", "share", 1);
		if (regdata_load_shipped(&data) != 0) {
			char up[4096], *self = xstrdup((*argv)[0]);
			snprintf(up, sizeof(up), "%s/../share", dirname(self));
			free(self);
			setenv("ROSTER_SHARE", up, 1);
		}
	}
	if (data == NULL && regdata_load_shipped(&data) != 0)
		fatal("the shipped registries' data (set ROSTER_SHARE)");
	seeded(&keys[K_OP], 0x51, 0);
	seeded(&keys[K_RA], 0x52, 0);
	seeded(&keys[K_RB], 0x53, 0);
	seeded(&keys[K_RC], 0x54, 0);
	seeded(&keys[K_A], 0x55, 1);
	seeded(&keys[K_B], 0x57, 1);
	seeded(&keys[K_C], 0x59, 1);
	seeded(&keys[K_S], 0x5b, 1);
	seeded(&keys[K_NOBODY], 0x5d, 1);
	verbose = getenv("FUZZ_VERBOSE") != NULL;
	rng_counter = 0;
	make_base();
	replay_base(&d, &p, &r);
	reg_free(r);
	proc_free(p);
	dir_free(d);
	if (out != NULL) {
		if (mkdir_p(out, 0755) != 0)
			fatal(out);
		write_seeds(out);
		exit(0);
	}
	return 0;
}
