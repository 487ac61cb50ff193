/*
 * bench_proofs.c - how fast the Merkle store builds and answers, against
 * what the machine can do.
 *
 * usage: bench_proofs [N...]     (default: 1000000 10000000 leaves)
 *
 * For each N it builds a tree of N leaves in a temporary directory (syncing
 * every SYNC_EVERY leaves, as the hub does per batch), then times 100k
 * inclusion and 100k consistency proofs, generation and verification apart,
 * at the full size and at random sizes.  The physical limits are measured in
 * the same run: SHA-256 on 64-byte inputs (and on the 65-byte input of a node
 * hash), and a 32-byte pread from the page cache.  Verification needs one
 * node hash per inclusion proof entry (one or two per consistency entry), so
 * its limit is sha256/s divided by the hashes a proof needs; generation is a
 * handful of reads and at most log2(N) hashes.  The directory is removed at
 * the end.
 */
#include <fcntl.h>
#include <ftw.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "merkle.h"
#include "util.h"

#define NPROOFS		100000
#define BATCH		1000
#define SYNC_EVERY	65536

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_proofs: %s: %s\n", what, rs_err());
	exit(1);
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
leaf_of(uint8_t out[32], uint64_t i)
{
	uint8_t d[8];

	put_u64be(d, i);
	merkle_leaf_hash(out, d, sizeof(d));
}

/* ---- physical limits ---------------------------------------------------- */

/* Best of five 0.2 s runs: the limit is what the core can do at its best,
 * so a verifier can come close to it but not beat it. */
static double
sha256_rate(size_t len)
{
	uint8_t in[65] = {0}, out[32];
	double t0, t, best = 0;
	uint64_t n;

	for (int run = 0; run < 5; run++) {
		n = 0;
		t0 = now();
		do {
			for (int k = 0; k < 10000; k++) {
				crypto_hash_sha256(out, in, len);
				in[0] = out[0];
			}
			n += 10000;
		} while ((t = now() - t0) < 0.2);
		if ((double)n / t > best)
			best = (double)n / t;
	}
	return best;
}

static double
pread_rate(const char *dir, uint64_t nent)
{
	char path[4200];
	uint8_t b[32];
	double t0, t;
	uint64_t n = 0;
	int fd;

	snprintf(path, sizeof(path), "%s/level-00", dir);
	if ((fd = open(path, O_RDONLY)) < 0) {
		rs_seterr("cannot open %s", path);
		die("pread limit");
	}
	t0 = now();
	do {
		for (int k = 0; k < 10000; k++) {
			if (pread(fd, b, 32, (off_t)(rnd() % nent) * 32) != 32) {
				rs_seterr("short read from %s", path);
				die("pread limit");
			}
		}
		n += 10000;
	} while ((t = now() - t0) < 0.5);
	close(fd);
	return (double)n / t;
}

/* Node hashes merkle_verify_consistency does for this proof (its loop,
 * without the hashing). */
static uint64_t
consistency_hashes(uint64_t m, uint64_t n, size_t np)
{
	uint64_t fn = m - 1, sn = n - 1, h = 0;
	size_t i = (m & (m - 1)) == 0 ? 0 : 1;

	while (fn & 1) {
		fn >>= 1;
		sn >>= 1;
	}
	for (; i < np; i++) {
		if ((fn & 1) || fn == sn) {
			h += 2;
			if (!(fn & 1))
				while (fn != 0 && !(fn & 1)) {
					fn >>= 1;
					sn >>= 1;
				}
		} else
			h += 1;
		fn >>= 1;
		sn >>= 1;
	}
	return h;
}

/* ---- proofs ------------------------------------------------------------- */

struct job {
	uint64_t a, s;		/* index or size1; size */
	size_t np;
	uint8_t leaf[32], r1[32], r2[32];
	uint8_t proof[MERKLE_MAX_PROOF][32];
};

struct result {
	double gen, ver;	/* seconds */
	uint64_t hashes, nodes;
};

/* kind 0: inclusion, 1: consistency; full: size is n, else random. */
static void
run_proofs(struct merkle_tree *t, uint64_t n, int kind, int full,
    struct result *res)
{
	static struct job jobs[BATCH];
	double t0;
	int b, k;

	memset(res, 0, sizeof(*res));
	for (b = 0; b < NPROOFS / BATCH; b++) {
		for (k = 0; k < BATCH; k++) {
			struct job *j = &jobs[k];
			j->s = full ? n : 1 + rnd() % n;
			j->a = kind == 0 ? rnd() % j->s : 1 + rnd() % j->s;
			if (kind == 0)
				leaf_of(j->leaf, j->a);
			else if (merkle_root(t, j->a, j->r1) != 0)
				die("root");
			if (merkle_root(t, j->s, j->r2) != 0)
				die("root");
		}
		t0 = now();
		for (k = 0; k < BATCH; k++) {
			struct job *j = &jobs[k];
			if ((kind == 0 ? merkle_inclusion_proof(t, j->a, j->s,
			    j->proof, &j->np) : merkle_consistency_proof(t, j->a,
			    j->s, j->proof, &j->np)) != 0)
				die("proof");
		}
		res->gen += now() - t0;
		t0 = now();
		for (k = 0; k < BATCH; k++) {
			struct job *j = &jobs[k];
			const uint8_t (*p)[32] = (const uint8_t (*)[32])j->proof;
			if ((kind == 0 ? merkle_verify_inclusion(j->a, j->s,
			    j->leaf, p, j->np, j->r2) :
			    merkle_verify_consistency(j->a, j->s, j->r1, j->r2, p,
			    j->np)) != 0)
				die("verify");
		}
		res->ver += now() - t0;
		for (k = 0; k < BATCH; k++) {
			struct job *j = &jobs[k];
			res->nodes += j->np;
			res->hashes += kind == 0 ? j->np :
			    consistency_hashes(j->a, j->s, j->np);
		}
	}
}

static void
report(const char *what, const struct result *r, double node_rate)
{
	double gen_us = r->gen * 1e6 / NPROOFS, ver_us = r->ver * 1e6 / NPROOFS;
	double hpp = (double)r->hashes / NPROOFS;
	double limit = node_rate / (hpp > 0 ? hpp : 1);

	printf("  %-28s gen %6.2f us (%8.0f/s)  verify %6.2f us (%8.0f/s)  "
	    "%4.1f nodes, %4.1f hashes/proof; verify at %3.0f%% of the "
	    "%.0f/s limit\n", what, gen_us, 1e6 / gen_us, ver_us, 1e6 / ver_us,
	    (double)r->nodes / NPROOFS, hpp, 100.0 * (1e6 / ver_us) / limit,
	    limit);
}

static void
bench_size(uint64_t n, double node_rate)
{
	char dir[] = "/tmp/roster-bench-merkle-XXXXXX";
	uint8_t (*batch)[32] = xmalloc(SYNC_EVERY * 32), root[32];
	struct merkle_tree *t;
	struct result r;
	double t0, tb = 0, ts = 0, t1, rate, pr;
	uint64_t i, k, m, nsync = 0;

	if (mkdtemp(dir) == NULL) {
		perror("mkdtemp");
		exit(1);
	}
	if (merkle_open(&t, dir, 0) != 0)
		die("open");
	for (i = 0; i < n; i += m) {
		m = n - i < SYNC_EVERY ? n - i : SYNC_EVERY;
		for (k = 0; k < m; k++)
			leaf_of(batch[k], i + k);
		t0 = now();
		for (k = 0; k < m; k++) {
			if (merkle_append(t, batch[k]) != 0)
				die("append");
		}
		t1 = now();
		if (merkle_sync(t) != 0)
			die("sync");
		tb += t1 - t0;
		ts += now() - t1;
		nsync++;
	}
	free(batch);
	rate = (double)n / tb;
	printf("\n%llu leaves in %s\n", (unsigned long long)n, dir);
	printf("  build: append %.0f leaves/s (%.2f us/leaf; ~1 node hash per "
	    "leaf, limit %.0f/s, at %.0f%%); %llu syncs, %.2f ms each; with "
	    "syncs %.0f leaves/s\n", rate, 1e6 / rate, node_rate,
	    100.0 * rate / node_rate, (unsigned long long)nsync,
	    ts * 1e3 / (double)nsync, (double)n / (tb + ts));
	t0 = now();
	for (k = 0; k < 10000; k++) {
		if (merkle_root(t, 1 + rnd() % n, root) != 0)
			die("root");
	}
	printf("  root at a random size: %.2f us\n", (now() - t0) * 1e6 / 10000);
	pr = pread_rate(dir, n);
	printf("  32-byte pread from the page cache: %.2f us (%.0f/s)\n",
	    1e6 / pr, pr);
	run_proofs(t, n, 0, 1, &r);
	report("inclusion, full size", &r, node_rate);
	run_proofs(t, n, 0, 0, &r);
	report("inclusion, random size", &r, node_rate);
	run_proofs(t, n, 1, 1, &r);
	report("consistency, m -> full", &r, node_rate);
	run_proofs(t, n, 1, 0, &r);
	report("consistency, random m < n", &r, node_rate);
	merkle_close(t);
	if (nftw(dir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "bench_proofs: cannot remove %s\n", dir);
}

int
main(int argc, char **argv)
{
	uint64_t def[] = { 1000000, 10000000 }, *sizes = def;
	size_t nsizes = 2;
	double sha64, node_rate;
	struct rusage ru;
	int i;

	if (sodium_init() < 0)
		return 1;
	if (argc > 1) {
		sizes = xcalloc((size_t)argc - 1, sizeof(*sizes));
		for (i = 1; i < argc; i++) {
			char *end;
			unsigned long long v = strtoull(argv[i], &end, 10);
			if (*end != '\0' || v == 0) {
				fprintf(stderr, "usage: bench_proofs [N...]\n");
				return 2;
			}
			sizes[i - 1] = v;
		}
		nsizes = (size_t)argc - 1;
	}
	sha64 = sha256_rate(64);
	node_rate = sha256_rate(65);
	printf("physical limit: SHA-256 %.0f hashes/s on 64-byte inputs, "
	    "%.0f/s on 65-byte node inputs (libsodium, one core)\n", sha64,
	    node_rate);
	for (size_t s = 0; s < nsizes; s++)
		bench_size(sizes[s], node_rate);
	if (getrusage(RUSAGE_SELF, &ru) == 0)
		printf("\nmax RSS %ld MB (the store keeps no leaves in memory)\n",
		    ru.ru_maxrss / 1024);
	if (sizes != def)
		free(sizes);
	return 0;
}
