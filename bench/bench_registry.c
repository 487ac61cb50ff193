/*
 * bench_registry.c - how long a fresh node takes to rebuild the registries
 * from the log, against what verifying and decrypting the same records
 * costs at all.
 *
 * A node that replays the log must verify every record (the SHA-256 of
 * its payload, which the signed header commits to, and of the envelope,
 * its id; then Ed25519) and open every sealed record addressed to it (its
 * slot's sealed box, X25519, then XChaCha20-Poly1305 over the payload):
 * that is the physical limit, measured in the same run on one core, over
 * exactly these records.  The projection is what lib/ does, also on one core:
 * framing, header JSON and digest (env_parse), the directory's rules, the
 * registry's rules and application (reg_take: the sealed payload's slots
 * checked against the audience, the reader's slot opened, the JSON parsed
 * and every reference resolved), and the views (reg_view of everything,
 * and the comparison of one norm across the States), serialized with
 * proc_dump.  The figure is the ratio limit / projection: at 1 or more the
 * projection costs no more than the cryptography it cannot avoid.  The
 * projection includes the decryption (reg_take does it), so it is printed
 * beside the limit as well.
 *
 * The log: S States (default 193), each with a root key and one device;
 * 11 checklist records giving the agreed norms of the data 10 actions
 * each; then, for each of V versions (default 5), every State's national
 * report (11 norms x 10 actions: 110 entries with a note each) and CII
 * list (20 spheres: 18 taxonomy codes and 2 in the State's own words,
 * mapped), each sealed to the devices of A States (default: all of them;
 * the reader's among them).  Records are signed and sealed before the
 * clock starts; log times are 1 ms apart.  The node reading is the first
 * State's.  The views are computed from two fresh replays and must be byte
 * for byte the same.
 *
 * Usage: bench_registry [-s STATES] [-v VERSIONS] [-a AUDIENCE]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procview.h"
#include "regdata.h"
#include "registry.h"
#include "regview.h"
#include "seal.h"
#include "util.h"

#define T0 1800000000000LL

struct rec {
	struct buf raw;
	int dir;		/* a directory record */
	int sealed;		/* a sealed registry record */
	const uint8_t *pk;	/* its signer */
	int64_t index, time;
};

static struct rec *recs;
static size_t nrecs, caprecs;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_registry: %s: %s\n", what, rs_err());
	exit(1);
}

static void
add(const struct keypair *k, const char *state, json_t *hdr, const void *payload,
    size_t len, int dir, int sealed)
{
	struct rec *r;

	if (nrecs == caprecs) {
		caprecs = caprecs ? caprecs * 2 : 1024;
		recs = xrealloc(recs, caprecs * sizeof(*recs));
	}
	r = &recs[nrecs];
	memset(r, 0, sizeof(*r));
	r->index = (int64_t)nrecs;
	r->time = T0 + (int64_t)nrecs;
	if (state != NULL)
		json_object_set_new(hdr, "state", json_string(state));
	if (!dir)
		json_object_set_new(hdr, "seq", json_integer((json_int_t)nrecs + 1));
	json_object_set_new(hdr, "time", json_integer(r->time));
	if (env_build(&r->raw, hdr, payload, len, k->pk, k->sk) != 0)
		die("env_build");
	r->dir = dir;
	r->sealed = sealed;
	r->pk = k->pk;
	json_decref(hdr);
	nrecs++;
}

static void
add_json(const struct keypair *k, const char *state, json_t *hdr, json_t *payload,
    int dir)
{
	char *p = jdump(payload);

	add(k, state, hdr, p, strlen(p), dir, 0);
	free(p);
	json_decref(payload);
}

static const char *statuses[4] = { "implemented", "in-progress", "planned",
	"not-applicable" };

static json_t *
report(const struct regdata *d, long s, long v)
{
	json_t *e = json_array();

	for (int n = 0; n < 11; n++)
		for (int a = 1; a <= 10; a++)
			json_array_append_new(e, json_pack("{s:s,s:i,s:s,s:s}", "norm",
			    d->norms[n].id, "action", a, "status",
			    statuses[(s + n + a + v) % 4], "note",
			    "Measures in force since the last report; see the national strategy."));
	return json_pack("{s:s,s:o,s:s}", "lang", "en", "entries", e, "note",
	    "National report on the implementation of the norms.");
}

static json_t *
cii(const struct regdata *d, long s, long v)
{
	const struct reg_dtax *t1 = regdata_tax(d, "cii-nis2-annex1");
	const struct reg_dtax *t2 = regdata_tax(d, "cii-nis2-annex2");
	json_t *sp = json_array();

	for (size_t i = 0; i < t1->ncodes; i++)
		json_array_append_new(sp, json_pack("{s:s,s:s}", "taxonomy", t1->id, "code",
		    t1->codes[i].code));
	for (size_t i = 0; i < t2->ncodes; i++)
		json_array_append_new(sp, json_pack("{s:s,s:s}", "taxonomy", t2->id, "code",
		    t2->codes[i].code));
	/* version by version one sphere changes */
	json_array_remove(sp, (size_t)((s + v) % 18));
	json_array_append_new(sp, json_pack("{s:s,s:s}", "taxonomy", "cii-ru-187fz", "code",
	    v % 2 ? "mining" : "metallurgy"));
	json_array_append_new(sp, json_pack("{s:s,s:[{s:s,s:s}]}", "text",
	    "District heating networks", "maps", "taxonomy", "cii-us-ppd21", "code", "energy"));
	json_array_append_new(sp, json_pack("{s:s,s:[{s:s,s:s}]}", "text",
	    "Satellite ground stations", "maps", "taxonomy", "cii-us-ppd21", "code",
	    "communications"));
	return json_pack("{s:s,s:o,s:s}", "lang", "en", "spheres", sp, "description",
	    "The national list of spheres of critical information infrastructure.");
}

struct timing {
	double parse, rules, views;
	size_t view_bytes;
	char *view;
};

static void
project(const struct regdata *data, const struct keypair *reader, struct timing *t)
{
	struct directory *d = NULL;
	struct process *p = proc_new();
	struct registry *r = reg_new(data);
	double t0, t1, tparse = 0;
	json_t *v;

	reg_set_reader(r, reader);
	t0 = now_s();
	for (size_t i = 0; i < nrecs; i++) {
		struct envelope e;
		double a = now_s();
		if (env_parse(&e, recs[i].raw.p, recs[i].raw.len) != 0)
			die("env_parse");
		tparse += now_s() - a;
		if (d == NULL)
			d = dir_new(recs[0].pk);	/* the operator admits first */
		if (recs[i].dir) {
			if (dir_check(d, &e, recs[i].index, recs[i].time, 0) != 0)
				die("dir_check");
			dir_apply(d, &e, recs[i].index);
		} else if (reg_take(r, d, p, &e, recs[i].index, recs[i].time) != REG_OK)
			die("reg_take");
		env_free(&e);
	}
	t1 = now_s();
	v = json_pack("{s:o,s:o}", "all", reg_view(r, p, recs[nrecs - 1].time, "en"),
	    "compare", reg_view_reports(r, p, recs[nrecs - 1].time, "a70-174-13f", NULL));
	t->view = proc_dump(v);
	json_decref(v);
	t->views = now_s() - t1;
	t->parse = tparse;
	t->rules = t1 - t0 - tparse;
	t->view_bytes = strlen(t->view);
	reg_free(r);
	proc_free(p);
	dir_free(d);
}

/* What verifying a record takes at least: the SHA-256 of its payload (the
 * signed header commits to it) and of the whole envelope (its id, which
 * other records name), and Ed25519 over the bytes env_verify checks.  The
 * two parts are timed apart. */
static double
verify_all(double *hashing)
{
	static const char domain[] = ENV_SIG_DOMAIN;
	struct buf m = {0};
	uint8_t h[32];
	double t0 = now_s(), t1;

	for (size_t i = 0; i < nrecs; i++) {
		const uint8_t *raw = recs[i].raw.p;
		uint32_t hlen = get_u32be(raw + 4);
		size_t plen = get_u32be(raw + 8 + hlen + 64);
		sha256(h, raw + 8 + hlen + 64 + 4, plen);
		sha256(h, raw, recs[i].raw.len);
	}
	t1 = now_s();
	*hashing = t1 - t0;
	for (size_t i = 0; i < nrecs; i++) {
		const uint8_t *raw = recs[i].raw.p;
		uint32_t hlen = get_u32be(raw + 4);
		m.len = 0;
		buf_add(&m, domain, sizeof(domain) - 1);
		buf_add(&m, raw + 8, hlen);
		if (crypto_sign_verify_detached(raw + 8 + hlen, m.p, m.len, recs[i].pk) != 0)
			die("a signature does not verify");
	}
	buf_free(&m);
	return now_s() - t0;
}

/* Opening every sealed record for the reader: its slot's sealed box, then
 * the payload's AEAD. */
static double
decrypt_all(const struct keypair *reader, size_t *n)
{
	struct buf out = {0};
	double t0 = now_s();

	*n = 0;
	for (size_t i = 0; i < nrecs; i++) {
		const uint8_t *raw = recs[i].raw.p;
		uint32_t hlen = get_u32be(raw + 4);
		const uint8_t *pl = raw + 8 + hlen + 64 + 4;
		size_t plen = get_u32be(raw + 8 + hlen + 64);
		if (!recs[i].sealed)
			continue;
		out.len = 0;
		if (seal_decrypt(&out, pl, plen, reader) != 0)
			die("seal_decrypt");
		(*n)++;
	}
	sodium_memzero(out.p, out.cap);
	buf_free(&out);
	return now_s() - t0;
}

int
main(int argc, char **argv)
{
	long S = 193, V = 5, A = -1;
	struct keypair *op, **root, **dev;
	struct seal_recipient *rcpt;
	struct regdata *data;
	char (*code)[3];
	size_t nrep = 0, ncii = 0, ndec, sealed_bytes = 0;
	struct timing a, b;
	double v, dcr, t, setup, hashing;
	int c;

	while ((c = getopt(argc, argv, "s:v:a:h")) != -1)
		switch (c) {
		case 's': S = atol(optarg); break;
		case 'v': V = atol(optarg); break;
		case 'a': A = atol(optarg); break;
		default:
			fprintf(stderr, "usage: bench_registry [-s STATES] [-v VERSIONS] "
			    "[-a AUDIENCE]\n");
			return 2;
		}
	if (A < 0)
		A = S;
	if (S < 2 || S > 26 * 26 || V < 1 || A < 2 || A > S)
		die("bad sizes");
	if (sodium_init() < 0)
		die("sodium_init");
	if (regdata_load_shipped(&data) != 0)
		die("the registries' data (set ROSTER_SHARE)");

	setup = now_s();
	op = keypair_new(NULL, 0);
	root = xcalloc((size_t)S, sizeof(*root));
	dev = xcalloc((size_t)S, sizeof(*dev));
	code = xcalloc((size_t)S, 3);
	rcpt = xcalloc((size_t)S, sizeof(*rcpt));
	for (long i = 0; i < S; i++) {
		code[i][0] = (char)('A' + i / 26);
		code[i][1] = (char)('A' + i % 26);
		root[i] = keypair_new(code[i], 0);
		dev[i] = keypair_new(code[i], 1);
		if (root[i] == NULL || dev[i] == NULL)
			die("keypair_new");
		add_json(op, code[i], json_pack("{s:s}", "kind", "admit"), json_pack("{s:s,s:o}",
		    "state", code[i], "root_key", jhex(root[i]->pk, 32)), 1);
		memcpy(rcpt[i].device, dev[i]->pk, 32);
		memcpy(rcpt[i].box_pk, dev[i]->box_pk, 32);
	}
	for (long i = 0; i < S; i++) {
		struct buf pm = {0};
		uint8_t sig[64];
		dir_pop_message(&pm, code[i], dev[i]->pk, dev[i]->box_pk);
		crypto_sign_detached(sig, NULL, pm.p, pm.len, dev[i]->sk);
		buf_free(&pm);
		add_json(root[i], code[i], json_pack("{s:s}", "kind", "cert"),
		    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", code[i], "device",
		    jhex(dev[i]->pk, 32), "box_key", jhex(dev[i]->box_pk, 32), "role",
		    "diplomatic", "name", "POC", "email", "poc@example.org", "pop",
		    jb64(sig, 64)), 1);
	}
	/* checklists: 10 actions for each agreed norm */
	for (int n = 0; n < 11; n++) {
		json_t *acts = json_array();
		for (int k = 1; k <= 10; k++)
			json_array_append_new(acts, json_pack("{s:i,s:{s:s}}", "n", k, "title",
			    "en", "An implementation action"));
		add_json(dev[0], code[0], json_pack("{s:s,s:s,s:i}", "kind", "checklist",
		    "norm", data->norms[n].id, "version", 1), json_pack("{s:s,s:o}", "lang",
		    "en", "actions", acts), 0);
	}
	/* reports and CII lists, version by version */
	for (long ver = 1; ver <= V; ver++)
		for (long s = 0; s < S; s++)
			for (int kind = 0; kind < 2; kind++) {
				struct seal_recipient *to = xcalloc((size_t)A, sizeof(*to));
				json_t *audience = json_array(), *pl;
				struct buf sealed = {0};
				char *p;
				/* the author, the reader (State 0), then the next ones */
				to[0] = rcpt[s];
				json_array_append_new(audience, json_string(code[s]));
				for (long k = 0, n = 1; n < A; k++) {
					if (k == s)
						continue;
					to[n++] = rcpt[k];
					json_array_append_new(audience, json_string(code[k]));
				}
				pl = kind == 0 ? report(data, s, ver) : cii(data, s, ver);
				p = jdump(pl);
				json_decref(pl);
				if (seal_encrypt(&sealed, p, strlen(p), to, (size_t)A) != 0)
					die("seal_encrypt");
				free(p);
				add(dev[s], code[s], json_pack("{s:s,s:i,s:s,s:o}", "kind",
				    kind == 0 ? "report" : "cii", "version", (int)ver, "audience",
				    "sealed", "to", A == S ? json_string("all") : audience),
				    sealed.p, sealed.len, 0, 1);
				if (A == S)
					json_decref(audience);
				sealed_bytes += sealed.len;
				buf_free(&sealed);
				free(to);
				if (kind == 0)
					nrep++;
				else
					ncii++;
			}
	setup = now_s() - setup;

	printf("bench_registry: %ld States, %zu reports (110 entries each) and %zu CII "
	    "lists (20 spheres) in %ld versions, each sealed to %ld States' devices: %zu "
	    "records, %.1f MB sealed (signed and sealed in %.1f s)\n", S, nrep, ncii, V, A,
	    nrecs, (double)sealed_bytes / 1e6, setup);
	v = verify_all(&hashing);
	dcr = decrypt_all(dev[0], &ndec);
	project(data, dev[0], &a);
	project(data, dev[0], &b);
	if (strcmp(a.view, b.view) != 0)
		die("two replays gave different views");
	t = a.parse + a.rules + a.views;
	printf("  limit:      verifying the %zu records %.3f s (%.0f/s: SHA-256 of payload and "
	    "envelope %.3f s, Ed25519 %.3f s) + opening the %zu sealed for the reader "
	    "%.3f s (%.0f/s) = %.3f s (one core)\n", nrecs, v, (double)nrecs / v, hashing,
	    v - hashing, ndec, dcr, (double)ndec / dcr, v + dcr);
	printf("  projection: %.3f s (%.0f records/s, one core): parse %.3f s, rules, "
	    "decryption and apply %.3f s, views %.3f s (%zu bytes of JSON)\n", t,
	    (double)nrecs / t, a.parse, a.rules, a.views, a.view_bytes);
	printf("  ratio limit/projection: %.2f (1 or more: the projection costs no more "
	    "than the cryptography; it includes the decryption)\n", (v + dcr) / t);
	free(a.view);
	free(b.view);
	for (size_t i = 0; i < nrecs; i++)
		buf_free(&recs[i].raw);
	free(recs);
	for (long i = 0; i < S; i++) {
		keypair_free(root[i]);
		keypair_free(dev[i]);
	}
	free(root);
	free(dev);
	free(code);
	free(rcpt);
	keypair_free(op);
	regdata_free(data);
	return 0;
}
