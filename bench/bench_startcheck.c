/*
 * bench_startcheck.c - what the hub's start-up check (hub/startcheck.c)
 * costs, against the SHA-256 throughput of the same machine.
 *
 * The check re-hashes every stored envelope and parses its header, and
 * reads both trees' leaf levels once.  Its physical limit is SHA-256 over
 * the stored bytes, which this benchmark measures in the same run
 * (libsodium's crypto_hash_sha256, one core, over the same number of bytes
 * in envelope-sized pieces), and divides by the cores the check's work pool
 * uses.  It prints the check's seconds, the limit's seconds, and their
 * ratio.
 *
 * Set-up, before the clock: a fresh hub ("rosterd init" in-process), XA's
 * root admitted and D devices certified, then N envelopes appended through
 * the sequencer (seq_process, as the serving hub does, in batches of
 * 10,000): msg envelopes with a payload of P bytes, one recipient, proper
 * seq/prev chains, and one in ten (by default) a cosign of a checkpoint the
 * operator signed, so that a tenth of the log is public.  The envelopes'
 * signatures are zeros: the sequencer does not verify them (the HTTP layer
 * does) and neither does the start-up check, so nothing measured depends
 * on them.  Then the store is closed and opened again, which runs the
 * check; the check is timed a second time on the open store, with the
 * page cache warm (what a restart of a running machine sees).
 *
 * Usage: bench_startcheck [-n N] [-d D] [-p P] [--public K] [--dir BASE]
 *                         [--keep]
 *   -n N        envelopes (default 1,000,000)
 *   -d D        devices (default 100)
 *   -p P        msg payload bytes (default 600)
 *   --public K  one envelope in K is a cosign (default 10)
 */
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "envelope.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "sequencer.h"
#include "statement.h"
#include "store.h"
#include "util.h"
#include "workpool.h"

#define BATCH 10000

struct bench_opts {
	unsigned long n, devices, payload, every;
	const char *base;
	int keep;
};

struct device {
	struct keypair *k;
	char hex[65];
	int64_t seq;
	uint8_t last[32];
};

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of this process (all threads): on a shared machine, the
 * fairer measure of work. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_startcheck: %s: %s\n", what, rs_err());
	exit(1);
}

/* An envelope with the given header text and payload and a zero signature. */
static void
frame(struct buf *out, const char *hdr, const void *payload, size_t len)
{
	uint8_t sig[64] = {0};

	buf_add(out, ENV_MAGIC, 4);
	buf_add_u32be(out, (uint32_t)strlen(hdr));
	buf_addstr(out, hdr);
	buf_add(out, sig, 64);
	buf_add_u32be(out, (uint32_t)len);
	buf_add(out, payload, len);
}

/* Appends the envelopes of body (offsets off[0..n]) through the sequencer. */
static void
append(struct store *s, const struct buf *body, const size_t *off, size_t n)
{
	struct seq_item *items = xcalloc(n, sizeof(*items));
	struct seq_batch b = { .items = items, .n = n };

	for (size_t i = 0; i < n; i++)
		if (env_parse(&items[i].e, body->p + off[i], off[i + 1] - off[i]) != 0)
			die("a generated envelope does not parse");
	seq_process(s, &b);
	for (size_t i = 0; i < n; i++) {
		if (items[i].status != 0) {
			fprintf(stderr, "bench_startcheck: envelope refused: %s\n",
			    items[i].err);
			exit(1);
		}
		env_free(&items[i].e);
	}
	free(items);
}

/* One signed record (admission, certificate) onto body. */
static void
add_signed(struct buf *body, json_t *hdr, json_t *payload, const struct keypair *k)
{
	char *p = jdump(payload);

	json_object_set_new(hdr, "state", json_string("XA"));
	if (env_build(body, hdr, p, strlen(p), k->pk, k->sk) != 0)
		die("env_build");
	free(p);
	json_decref(hdr);
	json_decref(payload);
}

static void
certify(struct buf *body, const struct keypair *root, struct device *d)
{
	struct buf m = {0};
	uint8_t pop[64];

	dir_pop_message(&m, "XA", d->k->pk, d->k->box_pk);
	crypto_sign_detached(pop, NULL, m.p, m.len, d->k->sk);
	buf_free(&m);
	add_signed(body, json_pack("{s:s}", "kind", "cert"),
	    json_pack("{s:s,s:o,s:o,s:s,s:s,s:s,s:o}", "state", "XA", "device",
	    jhex(d->k->pk, 32), "box_key", jhex(d->k->box_pk, 32), "role",
	    "technical", "name", "Bench", "email", "bench@example.org", "pop",
	    jb64(pop, 64)), root);
}

/* The next envelope of device d: a cosign (payload cos) or a msg to rcpt. */
static void
next_envelope(struct buf *out, struct device *d, const char *rcpt, int cosign,
    const uint8_t *payload, size_t plen, const char *cos, int64_t t)
{
	uint8_t digest[32], id[32];
	char *dh, prev[65 + 16] = "";
	struct buf h = {0};
	size_t start = out->len;

	if (cosign) {
		payload = (const uint8_t *)cos;
		plen = strlen(cos);
	}
	sha256(digest, payload, plen);
	dh = hex_encode(digest, 32);
	if (d->seq > 0) {
		char *ph = hex_encode(d->last, 32);
		snprintf(prev, sizeof(prev), ",\"prev\":\"%s\"", ph);
		free(ph);
	}
	buf_printf(&h, "{\"kind\":\"%s\",\"state\":\"XA\",\"seq\":%" PRId64 "%s",
	    cosign ? "cosign" : "msg", d->seq + 1, prev);
	if (!cosign)
		buf_printf(&h, ",\"to\":[\"XA\"],\"rcpt\":[\"%s\"],\"urgency\":\"routine\"",
		    rcpt);
	buf_printf(&h, ",\"v\":1,\"key\":\"%s\",\"time\":%" PRId64 ",\"payload_len\":%zu,"
	    "\"payload_sha256\":\"%s\"}", d->hex, t, plen, dh);
	frame(out, buf_cstr(&h), payload, plen);
	sha256(id, out->p + start, out->len - start);
	d->seq++;
	memcpy(d->last, id, 32);
	free(dh);
	buf_free(&h);
}

/* Seconds for SHA-256 over bytes bytes, in pieces of piece bytes, one core. */
static double
sha256_seconds(uint64_t bytes, size_t piece)
{
	uint8_t *buf = xmalloc(piece), out[32];
	uint64_t done = 0;
	double t0;

	randombytes_buf(buf, piece);
	t0 = now_s();
	while (done < bytes) {
		crypto_hash_sha256(out, buf, piece);
		buf[0] ^= out[0];
		done += piece;
	}
	free(buf);
	return now_s() - t0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_startcheck [-n N] [-d D] [-p P] [--public K] "
	    "[--dir BASE] [--keep]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "public", required_argument, NULL, 'k' },
		{ "dir", required_argument, NULL, 'D' },
		{ "keep", no_argument, NULL, 'K' },
		{ NULL, 0, NULL, 0 }
	};
	struct bench_opts o = { 1000000, 100, 600, 10, "/tmp", 0 };
	struct hub_config cfg;
	struct device *devs;
	struct keypair *op, *root;
	struct store *s;
	struct buf body = {0};
	struct checkpoint cp;
	char dir[4096], *path, *cos, *init[] = { "init", dir, "--name", "Bench hub", NULL };
	size_t *off, n = 0;
	uint8_t *payload, empty[32];
	uint64_t bytes = 0, pub;
	double t0, c0, gen, open_s, check_s, check_cpu, sha_s, sha_cpu;
	int64_t t = 1763820000000LL;
	int c, cores;

	while ((c = getopt_long(argc, argv, "n:d:p:", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o.n = strtoul(optarg, NULL, 10); break;
		case 'd': o.devices = strtoul(optarg, NULL, 10); break;
		case 'p': o.payload = strtoul(optarg, NULL, 10); break;
		case 'k': o.every = strtoul(optarg, NULL, 10); break;
		case 'D': o.base = optarg; break;
		case 'K': o.keep = 1; break;
		default: usage();
		}
	}
	if (o.n == 0 || o.devices == 0 || o.every == 0 || o.payload > (1u << 20))
		usage();
	if (sodium_init() < 0)
		return 1;
	snprintf(dir, sizeof(dir), "%s/bench-startcheck-XXXXXX", o.base);
	if (mkdtemp(dir) == NULL || rmdir(dir) != 0)
		die("mkdtemp");
	if (cmd_init(4, init) != 0)
		die("rosterd init");
	path = hub_path(dir, "operator.key");
	if ((op = keyfile_read(path, KEY_OPERATOR, NULL)) == NULL)
		die("operator key");
	free(path);
	if (hub_config_read(dir, &cfg) != 0 || (s = store_open(dir, &cfg)) == NULL)
		die("store_open");

	/* The log, before the clock. */
	t0 = now_s();
	root = keypair_new("XA", 0);
	devs = xcalloc(o.devices, sizeof(*devs));
	off = xcalloc((o.devices > BATCH ? o.devices : BATCH) + 2, sizeof(*off));
	off[n++] = body.len;
	add_signed(&body, json_pack("{s:s}", "kind", "admit"), json_pack("{s:s,s:o}",
	    "state", "XA", "root_key", jhex(root->pk, 32)), op);
	for (unsigned long i = 0; i < o.devices; i++) {
		devs[i].k = keypair_new("XA", 1);
		char *h = hex_encode(devs[i].k->pk, 32);
		snprintf(devs[i].hex, sizeof(devs[i].hex), "%s", h);
		free(h);
		off[n++] = body.len;
		certify(&body, root, &devs[i]);
	}
	off[n] = body.len;
	append(s, &body, off, n);
	body.len = 0;
	n = 0;
	merkle_empty_root(empty);
	checkpoint_make(&cp, "Bench hub", 0, empty, t, 0, empty, op->sk);
	json_t *cj = checkpoint_json(&cp);
	cos = jdump(cj);
	json_decref(cj);
	checkpoint_free(&cp);
	payload = xmalloc(o.payload);
	randombytes_buf(payload, o.payload);
	for (unsigned long i = 0; i < o.n; i++) {
		struct device *d = &devs[i % o.devices];
		off[n++] = body.len;
		next_envelope(&body, d, devs[(i + 1) % o.devices].hex,
		    i % o.every == o.every - 1, payload, o.payload, cos, t + (int64_t)i);
		if (n == BATCH || i + 1 == o.n) {
			off[n] = body.len;
			append(s, &body, off, n);
			bytes += body.len;
			body.len = 0;
			n = 0;
		}
	}
	gen = now_s() - t0;
	store_close(s);

	/* The check, at open (cold-ish: just written) and again (warm). */
	t0 = now_s();
	if ((s = store_open(dir, &cfg)) == NULL)
		die("store_open");
	open_s = now_s() - t0;
	t0 = now_s();
	c0 = cpu_s();
	if (store_check(s) != 0)
		die("store_check");
	check_s = now_s() - t0;
	check_cpu = cpu_s() - c0;
	pub = s->pub_size;
	store_close(s);

	/* The limit: SHA-256 over as many bytes, in pieces of the mean size. */
	cores = (int)sysconf(_SC_NPROCESSORS_ONLN);
	if (cores < 1)
		cores = 1;
	c0 = cpu_s();
	sha_s = sha256_seconds(bytes, (size_t)(bytes / (o.n + o.devices + 1)));
	sha_cpu = cpu_s() - c0;
	printf("log: %lu envelopes (%" PRIu64 " public), %.1f MB of envelopes, "
	    "written in %.1f s\n", o.n + o.devices + 1, pub, (double)bytes / 1e6, gen);
	printf("start-up: store_open %.2f s (with its check); the check alone, "
	    "warm: %.2f s (%.2f s of CPU)\n", open_s, check_s, check_cpu);
	printf("SHA-256 over the same bytes: %.2f s on one core (%.2f s of CPU, "
	    "%.0f MB/s of CPU), %.2f s on %d cores\n", sha_s, sha_cpu,
	    (double)bytes / 1e6 / sha_cpu, sha_s / cores, cores);
	printf("ratio: the check takes %.1fx the SHA-256 bound on %d cores "
	    "(%.1fx its CPU)\n", check_s / (sha_s / cores), cores,
	    check_cpu / sha_cpu);
	if (!o.keep) {
		char cmd[4200];
		snprintf(cmd, sizeof(cmd), "rm -rf '%s'", dir);
		if (system(cmd) != 0)
			fprintf(stderr, "bench_startcheck: cannot remove %s\n", dir);
	} else
		printf("hub kept in %s\n", dir);
	for (unsigned long i = 0; i < o.devices; i++)
		keypair_free(devs[i].k);
	free(devs);
	keypair_free(root);
	keypair_free(op);
	free(payload);
	free(off);
	free(cos);
	buf_free(&body);
	return 0;
}
