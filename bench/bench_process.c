/*
 * bench_process.c - how long a fresh node takes to compute every outcome of
 * the process and the paper report from the log, against what verifying
 * the same records costs at all.
 *
 * A node that replays the log verifies every record's signature (Ed25519)
 * anyway, so that is the physical limit measured in the same run: the
 * Ed25519 verifications of exactly these records (over the same signed
 * bytes env_verify checks: the domain and the header), on one core.  The
 * projection is what lib/ adds on top, also on one core: framing, header
 * JSON and payload digest (env_parse), the rules and their application
 * (dir_check/dir_apply for the directory, proc_take for the process), and
 * the views (proc_view of everything, serialized with proc_dump).  The
 * figure is the ratio of the two rates, projection / verification: at 1 or
 * more the projection is never the slow part (the aim: 0.8).
 *
 * The log: S States (default 193), each with a root key and one device;
 * one body with all of them as members; M meetings; P proposals by the
 * Chair, each followed by Q positions of distinct member States (support,
 * with an objection now and then); N papers of three languages each, and
 * for each a record adding three more.  Defaults: 10,000 proposals,
 * 200,000 positions, 5,000 papers.  Records are signed before the clock
 * starts; log times are 1 ms apart.  The view is computed twice, from two
 * fresh replays, and must be byte for byte the same.
 *
 * Usage: bench_process [-s STATES] [-p PROPOSALS] [-q POSITIONS_PER]
 *                      [-n PAPERS] [-m MEETINGS]
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <sodium.h>

#include "blob.h"
#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procview.h"
#include "util.h"

#define T0 1800000000000LL
#define DAY 86400000LL

struct rec {
	struct buf raw;
	int dir;			/* a directory record */
	const uint8_t *pk;		/* its signer */
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
	fprintf(stderr, "bench_process: %s: %s\n", what, rs_err());
	exit(1);
}

/* Signs and appends a record at the next index, log time = index ms. */
static uint8_t *
add(const struct keypair *k, const char *state, json_t *hdr, json_t *payload, int dir)
{
	struct rec *r;
	char *p = jdump(payload);

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
	if (!dir && k->has_box)
		json_object_set_new(hdr, "seq", json_integer((json_int_t)nrecs + 1));
	json_object_set_new(hdr, "time", json_integer(r->time));
	if (env_build(&r->raw, hdr, p, strlen(p), k->pk, k->sk) != 0)
		die("env_build");
	r->dir = dir;
	r->pk = k->pk;
	free(p);
	json_decref(hdr);
	json_decref(payload);
	nrecs++;
	return r->raw.p;
}

static void
id_of(uint8_t id[32], size_t i)
{
	sha256(id, recs[i].raw.p, recs[i].raw.len);
}

static json_t *
files(const char *a, const char *b, const char *c, size_t n)
{
	const char *langs[3] = { a, b, c };
	json_t *arr = json_array();
	uint8_t sha[32];

	for (int i = 0; i < 3; i++) {
		char tag[64];
		snprintf(tag, sizeof(tag), "%s-%zu", langs[i], n);
		sha256(sha, tag, strlen(tag));
		json_array_append_new(arr, json_pack("{s:s,s:o,s:I}", "lang", langs[i],
		    "sha256", jhex(sha, 32), "size", (json_int_t)blob_cipher_size(200000)));
	}
	return arr;
}

static json_t *
descs(void)
{
	uint8_t z[32] = {0};
	json_t *a = json_array();

	for (int i = 0; i < 3; i++)
		json_array_append_new(a, json_pack("{s:s,s:s,s:o,s:o}", "name", "paper.pdf",
		    "type", "application/pdf", "key", jb64(z, 32), "header", jb64(z, 24)));
	return a;
}

/* The records of one fresh replay, or just their signatures. */
struct timing {
	double parse, rules, views;
	size_t view_bytes;
	char *view;
};

static void
project(struct timing *t)
{
	struct directory *d = NULL;
	struct process *p = proc_new();
	double t0, t1 = 0, tparse = 0;
	json_t *v;

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
		} else if (proc_take(p, d, &e, recs[i].index, recs[i].time) != PROC_OK)
			die("proc_take");
		env_free(&e);
	}
	t1 = now_s();
	v = proc_view(p, recs[nrecs - 1].time + 100 * DAY, NULL);
	t->view = proc_dump(v);
	json_decref(v);
	t->views = now_s() - t1;
	t->parse = tparse;
	t->rules = t1 - t0 - tparse;
	t->view_bytes = strlen(t->view);
	proc_free(p);
	dir_free(d);
}

/* Ed25519 over the bytes env_verify checks, for every record. */
static double
verify_all(void)
{
	static const char domain[] = ENV_SIG_DOMAIN;
	struct buf m = {0};
	double t0 = now_s();

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

int
main(int argc, char **argv)
{
	long S = 193, P = 10000, Q = 20, N = 5000, M = 100;
	struct keypair *op, **root, **dev;
	char (*code)[3];
	size_t first_meeting, nprop = 0, npos = 0, npaper = 0, nlang = 0;
	uint8_t id[32];
	struct timing a, b;
	double v, t;
	int c;

	while ((c = getopt(argc, argv, "s:p:q:n:m:h")) != -1)
		switch (c) {
		case 's': S = atol(optarg); break;
		case 'p': P = atol(optarg); break;
		case 'q': Q = atol(optarg); break;
		case 'n': N = atol(optarg); break;
		case 'm': M = atol(optarg); break;
		default:
			fprintf(stderr, "usage: bench_process [-s STATES] [-p PROPOSALS] "
			    "[-q POSITIONS_PER] [-n PAPERS] [-m MEETINGS]\n");
			return 2;
		}
	if (S < 2 || S > 26 * 26 || Q >= S || P < 1 || M < 1 || N < 0)
		die("bad sizes");
	if (sodium_init() < 0)
		die("sodium_init");

	op = keypair_new(NULL, 0);
	root = xcalloc((size_t)S, sizeof(*root));
	dev = xcalloc((size_t)S, sizeof(*dev));
	code = xcalloc((size_t)S, 3);
	for (long i = 0; i < S; i++) {
		code[i][0] = (char)('A' + i / 26);
		code[i][1] = (char)('A' + i % 26);
		root[i] = keypair_new(code[i], 0);
		dev[i] = keypair_new(code[i], 1);
		if (root[i] == NULL || dev[i] == NULL)
			die("keypair_new");
		add(op, code[i], json_pack("{s:s}", "kind", "admit"), json_pack("{s:s,s:o}",
		    "state", code[i], "root_key", jhex(root[i]->pk, 32)), 1);
	}
	for (long i = 0; i < S; i++) {
		struct buf pm = {0};
		uint8_t sig[64];
		dir_pop_message(&pm, code[i], dev[i]->pk, dev[i]->box_pk);
		crypto_sign_detached(sig, NULL, pm.p, pm.len, dev[i]->sk);
		buf_free(&pm);
		add(root[i], code[i], json_pack("{s:s}", "kind", "cert"),
		    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", code[i], "device",
		    jhex(dev[i]->pk, 32), "box_key", jhex(dev[i]->box_pk, 32), "role",
		    "diplomatic", "name", "POC", "email", "poc@example.org", "pop",
		    jb64(sig, 64)), 1);
	}
	add(op, NULL, json_pack("{s:s,s:s}", "kind", "body", "body", "oewg"),
	    json_pack("{s:s,s:s,s:{s:s}}", "chair", code[0], "members", "all",
	    "title", "en", "Open-ended working group"), 0);
	first_meeting = nrecs;
	for (long i = 0; i < M; i++)
		add(dev[0], code[0], json_pack("{s:s,s:s,s:I,s:I}", "kind", "meeting",
		    "body", "oewg", "start", (json_int_t)(T0 + (i + 1) * DAY), "end",
		    (json_int_t)(T0 + (i + 1) * DAY + DAY / 2)), json_pack("{s:{s:s}}",
		    "title", "en", "Session"), 0);

	/* proposals with their positions; a paper every P/N proposals */
	for (long j = 0; j < P; j++) {
		size_t pi;
		add(dev[0], code[0], json_pack("{s:s,s:s,s:s,s:s}", "kind", "proposal",
		    "body", "oewg", "audience", "public", "lang", "en"),
		    json_pack("{s:{s:s,s:s}}", "text", "en", "The working group decides to "
		    "hold an intersessional meeting on confidence-building measures.",
		    "fr", "Le groupe de travail décide de tenir une réunion intersessions "
		    "sur les mesures de confiance."), 0);
		pi = nrecs - 1;
		nprop++;
		id_of(id, pi);
		for (long k = 0; k < Q; k++) {
			long s = 1 + (j * 7 + k * 11) % (S - 1);
			add(dev[s], code[s], json_pack("{s:s,s:o,s:s}", "kind", "position",
			    "ref", jhex(id, 32), "stance", (j + k) % 97 == 0 ? "object" :
			    "support"), json_object(), 0);
			npos++;
		}
		if (N > 0 && (long)npaper < N && j % (P / N > 0 ? P / N : 1) == 0) {
			long by = (long)npaper % S;
			uint8_t mid[32];
			id_of(mid, first_meeting + (size_t)((long)npaper % M));
			add(dev[by], code[by], json_pack("{s:s,s:s,s:s,s:o,s:o}", "kind",
			    "paper", "body", "oewg", "audience", "public", "meeting",
			    jhex(mid, 32), "files", files("en", "fr", "es", npaper)),
			    json_pack("{s:{s:s},s:o}", "title", "en", "Paper", "files",
			    descs()), 0);
			npaper++;
		}
	}
	/* three more languages for every paper */
	for (size_t i = 0, k = 0; i < nrecs && k < npaper; i++) {
		const char *kind;
		struct envelope e;
		if (env_parse(&e, recs[i].raw.p, recs[i].raw.len) != 0)
			die("env_parse");
		kind = e.kind;
		if (strcmp(kind, "paper") == 0) {
			long by = (long)k % S;
			add(dev[by], code[by], json_pack("{s:s,s:o,s:s,s:o}", "kind",
			    "paper-lang", "paper", jhex(e.id, 32), "audience", "public",
			    "files", files("ar", "zh", "ru", k)), json_pack("{s:o}", "files",
			    descs()), 0);
			k++;
			nlang++;
		}
		env_free(&e);
	}

	printf("bench_process: %ld States, %zu proposals, %zu positions, %zu papers "
	    "(+%zu language records), %ld meetings: %zu records\n", S, nprop, npos,
	    npaper, nlang, M, nrecs);
	v = verify_all();
	project(&a);
	project(&b);
	if (strcmp(a.view, b.view) != 0)
		die("two replays gave different views");
	t = a.parse + a.rules + a.views;
	printf("  limit:      Ed25519 verification of the same records: %.0f/s "
	    "(%.3f s, one core)\n", (double)nrecs / v, v);
	printf("  projection: %.0f records/s (%.3f s, one core): parse %.3f s, rules "
	    "and apply %.3f s, views %.3f s (%zu bytes of JSON)\n", (double)nrecs / t, t,
	    a.parse, a.rules, a.views, a.view_bytes);
	printf("  ratio projection/verification: %.2f (aim: 0.8 or more)\n", v / t);
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
	keypair_free(op);
	return 0;
}
