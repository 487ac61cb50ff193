/*
 * test_merkle.c - the Merkle log: verifiers against the public vectors, the
 * store against the reference root, crash semantics.
 *
 * The verifiers are checked on every inclusion and consistency vector of
 * transparency-dev/merkle (shared/testdata/merkle).  The store is then checked
 * against merkle_root_of, a direct transcription of the RFC's definition that
 * shares no code with it: if the store's roots equal the reference roots and
 * its proofs pass the vector-tested verifiers, the three agree.  A tree
 * held by a source (the hub's database) is checked the same way against an
 * in-memory source with transactions, which also counts its reads: every
 * root and proof must be one read whatever the size.  Randomness
 * is a fixed-seed generator (MERKLE_SEED overrides) so a failure repeats.
 */
#include <stdarg.h>
#include <stddef.h>
#include <setjmp.h>
#include <stdint.h>
#include <cmocka.h>

#include <ftw.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#include "merkle.h"
#include "util.h"
#include "tmpdir.h"

static uint64_t rng_state = 0x9e3779b97f4a7c15ULL;

/* splitmix64 */
static uint64_t
rnd(void)
{
	uint64_t z = (rng_state += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Uniform enough in [0, n); n > 0. */
static uint64_t
rnd_below(uint64_t n)
{
	return rnd() % n;
}

static void
make_leaf(uint8_t out[32], uint64_t i, uint64_t salt)
{
	uint8_t d[16];

	put_u64be(d, i);
	put_u64be(d + 8, salt);
	merkle_leaf_hash(out, d, sizeof(d));
}

/* ---- (a) vectors -------------------------------------------------------- */

static int nvectors, nbad;

static int
run_vector(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	struct buf b = {0};
	json_t *o, *want;
	size_t n = strlen(path);
	int rc, expect;

	if (flag != FTW_F || n < 5 || strcmp(path + n - 5, ".json") != 0)
		return 0;
	if (read_file(path, &b, 1 << 20) != 0) {
		fprintf(stderr, "%s\n", rs_err());
		nbad++;
		return 0;
	}
	/* Reals: one vector holds 2^64 - 1, beyond jansson's integers. */
	o = json_loadb((const char *)b.p, b.len, JSON_DECODE_INT_AS_REAL, NULL);
	want = o != NULL ? json_object_get(o, "wantErr") : NULL;
	if (!json_is_boolean(want)) {
		fprintf(stderr, "%s: no wantErr\n", path);
		nbad++;
	} else {
		expect = json_is_true(want) ? 1 : 0;
		rc = merkle_check_json((const char *)b.p, b.len);
		if (rc != expect) {
			fprintf(stderr, "%s: got %d, want %d (%s)\n", path, rc,
			    expect, rs_err());
			nbad++;
		}
		nvectors++;
	}
	json_decref(o);
	buf_free(&b);
	return 0;
}

static char *
vector_dir(void)
{
	const char *env = getenv("ROSTER_TESTDATA");
	const char *cand[] = { "../shared/testdata/merkle",
	    "../../shared/testdata/merkle" };
	struct stat st;
	struct buf b = {0};
	size_t i;

	if (env != NULL) {
		buf_printf(&b, "%s/merkle", env);
		if (stat(buf_cstr(&b), &st) == 0 && S_ISDIR(st.st_mode))
			return (char *)b.p;
		buf_free(&b);
	}
	for (i = 0; i < sizeof(cand) / sizeof(cand[0]); i++) {
		if (stat(cand[i], &st) == 0 && S_ISDIR(st.st_mode))
			return xstrdup(cand[i]);
	}
	return NULL;
}

static void
test_vectors(void **state)
{
	const char *sub[] = { "inclusion", "consistency" };
	char *dir = vector_dir();
	struct buf p = {0};
	size_t i;

	if (dir == NULL)
		fail_msg("Merkle test vectors not found: set ROSTER_TESTDATA "
		    "or run from the repository root");
	nvectors = nbad = 0;
	for (i = 0; i < 2; i++) {
		p.len = 0;
		buf_printf(&p, "%s/%s", dir, sub[i]);
		assert_int_equal(nftw(buf_cstr(&p), run_vector, 16, FTW_PHYS), 0);
	}
	printf("checked %d Merkle vectors from %s\n", nvectors, dir);
	buf_free(&p);
	free(dir);
	assert_true(nvectors > 100);
	assert_int_equal(nbad, 0);
}

static void
test_json_shapes(void **state)
{
	const char *notproof[] = {
		"", "[]", "{}", "null", "{\"leafIdx\":", "42",
		"{\"leafIdx\":-1,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\"}",
		"{\"leafIdx\":0,\"treeSize\":1.5,\"root\":\"\",\"leafHash\":\"\"}",
		"{\"leafIdx\":0,\"treeSize\":1,\"root\":\"!!\",\"leafHash\":\"\"}",
		"{\"leafIdx\":0,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\","
		    "\"proof\":{}}",
		"{\"leafIdx\":0,\"treeSize\":1,\"root\":\"\",\"leafHash\":\"\","
		    "\"proof\":[1]}",
		"{\"size1\":1,\"size2\":1,\"root1\":\"\"}",
		"{\"size1\":1,\"size1\":1,\"size2\":1,\"root1\":\"\",\"root2\":\"\"}",
	};
	uint8_t leaf[32];
	char *b, json[512];
	size_t i;

	for (i = 0; i < sizeof(notproof) / sizeof(notproof[0]); i++)
		assert_int_equal(merkle_check_json(notproof[i],
		    strlen(notproof[i])), 2);
	assert_int_equal(merkle_check_json(NULL, 0), 2);
	/* Not NUL-terminated: the length is what counts. */
	assert_int_equal(merkle_check_json("{}xxxx", 2), 2);

	/* A one-leaf tree: the root is the leaf, the proof empty or null. */
	make_leaf(leaf, 0, 0);
	b = b64_encode(leaf, 32);
	snprintf(json, sizeof(json), "{\"leafIdx\":0,\"treeSize\":1,"
	    "\"root\":\"%s\",\"leafHash\":\"%s\",\"proof\":null}", b, b);
	assert_int_equal(merkle_check_json(json, strlen(json)), 0);
	snprintf(json, sizeof(json), "{\"leafIdx\":0,\"treeSize\":2,"
	    "\"root\":\"%s\",\"leafHash\":\"%s\",\"proof\":null}", b, b);
	assert_int_equal(merkle_check_json(json, strlen(json)), 1);
	snprintf(json, sizeof(json), "{\"size1\":1,\"size2\":1,"
	    "\"root1\":\"%s\",\"root2\":\"%s\",\"proof\":null}", b, b);
	assert_int_equal(merkle_check_json(json, strlen(json)), 0);
	free(b);
}

static void
test_empty_root(void **state)
{
	uint8_t r[32], want[32];

	assert_int_equal(hex_decode_exact(want, 32,
	    "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855"), 0);
	merkle_empty_root(r);
	assert_memory_equal(r, want, 32);
	merkle_root_of(r, NULL, 0);
	assert_memory_equal(r, want, 32);
}

/* ---- (b) properties ----------------------------------------------------- */

/* A proof that holds, and each way of spoiling it fails. */
static void
check_inclusion(uint64_t i, uint64_t n, const uint8_t leaf[32],
    uint8_t (*proof)[32], size_t np, const uint8_t root[32], int tamper)
{
	uint8_t bad[MERKLE_MAX_PROOF + 1][32];
	size_t k;

	if (merkle_verify_inclusion(i, n, leaf, (const uint8_t (*)[32])proof,
	    np, root) != 0)
		fail_msg("inclusion %llu in %llu: %s", (unsigned long long)i,
		    (unsigned long long)n, rs_err());
	if (!tamper)
		return;
	memcpy(bad, proof, np * 32);
	if (np > 0) {
		k = rnd_below(np);
		bad[k][rnd_below(32)] ^= (uint8_t)(1 << rnd_below(8));
		assert_int_not_equal(merkle_verify_inclusion(i, n, leaf,
		    (const uint8_t (*)[32])bad, np, root), 0);
		memcpy(bad, proof, np * 32);
		/* drop the last node, then the first */
		assert_int_not_equal(merkle_verify_inclusion(i, n, leaf,
		    (const uint8_t (*)[32])bad, np - 1, root), 0);
		assert_int_not_equal(merkle_verify_inclusion(i, n, leaf,
		    (const uint8_t (*)[32])bad + 1, np - 1, root), 0);
	}
	/* add a node */
	memcpy(bad[np], leaf, 32);
	assert_int_not_equal(merkle_verify_inclusion(i, n, leaf,
	    (const uint8_t (*)[32])bad, np + 1, root), 0);
	/* wrong index */
	assert_int_not_equal(merkle_verify_inclusion(i + 1 < n ? i + 1 :
	    (i > 0 ? i - 1 : 1), n, leaf, (const uint8_t (*)[32])proof, np,
	    root), 0);
	/* wrong leaf */
	memcpy(bad[0], leaf, 32);
	bad[0][0] ^= 1;
	assert_int_not_equal(merkle_verify_inclusion(i, n, bad[0],
	    (const uint8_t (*)[32])proof, np, root), 0);
}

static void
check_consistency(uint64_t m, uint64_t n, const uint8_t r1[32],
    const uint8_t r2[32], uint8_t (*proof)[32], size_t np, int tamper)
{
	uint8_t bad[MERKLE_MAX_PROOF + 1][32];
	size_t k;

	if (merkle_verify_consistency(m, n, r1, r2,
	    (const uint8_t (*)[32])proof, np) != 0)
		fail_msg("consistency %llu -> %llu: %s", (unsigned long long)m,
		    (unsigned long long)n, rs_err());
	if (!tamper)
		return;
	memcpy(bad, proof, np * 32);
	if (np > 0) {
		k = rnd_below(np);
		bad[k][rnd_below(32)] ^= (uint8_t)(1 << rnd_below(8));
		assert_int_not_equal(merkle_verify_consistency(m, n, r1, r2,
		    (const uint8_t (*)[32])bad, np), 0);
		memcpy(bad, proof, np * 32);
		assert_int_not_equal(merkle_verify_consistency(m, n, r1, r2,
		    (const uint8_t (*)[32])bad, np - 1), 0);
		assert_int_not_equal(merkle_verify_consistency(m, n, r1, r2,
		    (const uint8_t (*)[32])bad + 1, np - 1), 0);
	}
	memcpy(bad[np], r1, 32);
	assert_int_not_equal(merkle_verify_consistency(m, n, r1, r2,
	    (const uint8_t (*)[32])bad, np + 1), 0);
	/* the first root of another size, or of another tree */
	if (m > 1)
		assert_int_not_equal(merkle_verify_consistency(m - 1, n, r1, r2,
		    (const uint8_t (*)[32])proof, np), 0);
	if (m + 1 < n)
		assert_int_not_equal(merkle_verify_consistency(m + 1, n, r1, r2,
		    (const uint8_t (*)[32])proof, np), 0);
	memcpy(bad[0], r1, 32);
	bad[0][31] ^= 0x80;
	assert_int_not_equal(merkle_verify_consistency(m, n, bad[0], r2,
	    (const uint8_t (*)[32])proof, np), 0);
}

static void
store_inclusion(struct merkle_tree *t, uint8_t (*leaves)[32], uint64_t i,
    uint64_t n, const uint8_t root[32], int tamper)
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	size_t np;

	if (merkle_inclusion_proof(t, i, n, proof, &np) != 0)
		fail_msg("inclusion proof %llu in %llu: %s",
		    (unsigned long long)i, (unsigned long long)n, rs_err());
	check_inclusion(i, n, leaves[i], proof, np, root, tamper);
}

static void
store_consistency(struct merkle_tree *t, uint64_t m, uint64_t n,
    const uint8_t r1[32], const uint8_t r2[32], int tamper)
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	size_t np;

	if (merkle_consistency_proof(t, m, n, proof, &np) != 0)
		fail_msg("consistency proof %llu -> %llu: %s",
		    (unsigned long long)m, (unsigned long long)n, rs_err());
	check_consistency(m, n, r1, r2, proof, np, tamper);
}

#define SMALL 300

/*
 * Grows one tree leaf by leaf to SMALL, syncing at random moments, and checks
 * at every size: the root, every inclusion proof, consistency proofs from a
 * sample of older sizes (all of them while small), with tampering.  Then,
 * with the full tree on disk, every proof at every older size: those read
 * the level files well past the size asked for.
 */
static void
test_small_trees(void **state)
{
	static uint8_t leaves[SMALL][32], roots[SMALL + 1][32];
	uint8_t r[32];
	struct merkle_tree *t;
	char *dir = path_in(state, "small");
	uint64_t n, i, m;

	for (i = 0; i < SMALL; i++)
		make_leaf(leaves[i], i, 1);
	for (n = 0; n <= SMALL; n++)
		merkle_root_of(roots[n], (const uint8_t (*)[32])leaves, n);
	assert_int_equal(merkle_open(&t, dir, 0), 0);
	assert_int_equal(merkle_size(t), 0);
	assert_int_equal(merkle_root(t, 0, r), 0);
	assert_memory_equal(r, roots[0], 32);
	for (n = 1; n <= SMALL; n++) {
		assert_int_equal(merkle_append(t, leaves[n - 1]), 0);
		if (rnd_below(5) == 0)
			assert_int_equal(merkle_sync(t), 0);
		assert_int_equal(merkle_size(t), n);
		assert_int_equal(merkle_root(t, n, r), 0);
		assert_memory_equal(r, roots[n], 32);
		assert_int_equal(merkle_leaf(t, n - 1, r), 0);
		assert_memory_equal(r, leaves[n - 1], 32);
		for (i = 0; i < n; i++)
			store_inclusion(t, leaves, i, n, roots[n], 1);
		for (m = 1; m <= n; m++) {
			if (n <= 64 || rnd_below(8) == 0)
				store_consistency(t, m, n, roots[m], roots[n], 1);
		}
	}
	assert_int_equal(merkle_sync(t), 0);
	for (n = 1; n <= SMALL; n++) {
		assert_int_equal(merkle_root(t, n, r), 0);
		assert_memory_equal(r, roots[n], 32);
		for (i = 0; i < n; i++)
			store_inclusion(t, leaves, i, n, roots[n], 0);
		for (m = 1; m <= n; m++)
			store_consistency(t, m, n, roots[m], roots[n], 0);
	}
	/* Out of range. */
	{
		uint8_t p[MERKLE_MAX_PROOF][32];
		size_t np;
		assert_int_equal(merkle_root(t, SMALL + 1, r), -1);
		assert_int_equal(merkle_leaf(t, SMALL, r), -1);
		assert_int_equal(merkle_inclusion_proof(t, 5, 5, p, &np), -1);
		assert_int_equal(merkle_inclusion_proof(t, 0, SMALL + 1, p, &np),
		    -1);
		assert_int_equal(merkle_consistency_proof(t, 0, 5, p, &np), -1);
		assert_int_equal(merkle_consistency_proof(t, 6, 5, p, &np), -1);
		assert_int_equal(merkle_consistency_proof(t, 5, SMALL + 1, p,
		    &np), -1);
		assert_int_equal(merkle_consistency_proof(t, 5, 5, p, &np), 0);
		assert_int_equal(np, 0);
	}
	merkle_close(t);
	free(dir);
}

/* Sizes that cross the write-behind threshold and odd shapes. */
static void
test_large_trees(void **state)
{
	uint64_t sizes[] = { 1024, 8191, 8193, 16384, 20000 + rnd_below(60000),
	    1000 + rnd_below(100000), 131073 };
	uint8_t (*leaves)[32], r[32], r1[32], r2[32];
	struct merkle_tree *t;
	char name[32], *dir;
	uint64_t n, i, j, m, s;
	size_t k;

	for (k = 0; k < sizeof(sizes) / sizeof(sizes[0]); k++) {
		n = sizes[k];
		leaves = xmalloc(n * 32);
		snprintf(name, sizeof(name), "large%zu", k);
		dir = path_in(state, name);
		assert_int_equal(merkle_open(&t, dir, 0), 0);
		for (i = 0; i < n; i++) {
			make_leaf(leaves[i], i, k + 2);
			assert_int_equal(merkle_append(t, leaves[i]), 0);
			if (rnd_below(4096) == 0)
				assert_int_equal(merkle_sync(t), 0);
		}
		merkle_root_of(r, (const uint8_t (*)[32])leaves, n);
		assert_int_equal(merkle_root(t, n, r2), 0);
		assert_memory_equal(r, r2, 32);
		/* Runs of leaves, across the written part and the tail. */
		{
			uint8_t (*run)[32] = xmalloc(4096 * 32);
			for (i = 0; i < n; i += m) {
				m = 1 + rnd_below(4096);
				if (m > n - i)
					m = n - i;
				assert_int_equal(merkle_leaves(t, i, m, run), 0);
				assert_memory_equal(run, leaves[i], m * 32);
			}
			assert_int_equal(merkle_leaves(t, n, 0, run), 0);
			assert_int_not_equal(merkle_leaves(t, n - 1, 2, run), 0);
			assert_int_not_equal(merkle_leaves(t, n + 1, 0, run), 0);
			free(run);
		}
		/* A few sizes against the O(n) reference, then many proofs
		 * against the store's own roots. */
		for (j = 0; j < 1000; j++) {
			s = 1 + rnd_below(n);
			m = 1 + rnd_below(s);
			i = rnd_below(s);
			if (j < 10) {
				merkle_root_of(r1, (const uint8_t (*)[32])leaves,
				    m);
				merkle_root_of(r2, (const uint8_t (*)[32])leaves,
				    s);
				assert_int_equal(merkle_root(t, s, r), 0);
				assert_memory_equal(r, r2, 32);
				assert_int_equal(merkle_root(t, m, r), 0);
				assert_memory_equal(r, r1, 32);
			} else {
				assert_int_equal(merkle_root(t, m, r1), 0);
				assert_int_equal(merkle_root(t, s, r2), 0);
			}
			store_inclusion(t, leaves, i, s, r2, j % 8 == 0);
			store_consistency(t, m, s, r1, r2, j % 8 == 0);
		}
		/* Reopened from disk, the tree is the same. */
		assert_int_equal(merkle_sync(t), 0);
		merkle_close(t);
		assert_int_equal(merkle_open(&t, dir, n), 0);
		assert_int_equal(merkle_size(t), n);
		merkle_root_of(r, (const uint8_t (*)[32])leaves, n);
		assert_int_equal(merkle_root(t, n, r2), 0);
		assert_memory_equal(r, r2, 32);
		i = rnd_below(n);
		store_inclusion(t, leaves, i, n, r, 1);
		merkle_close(t);
		free(dir);
		free(leaves);
	}
}

/* ---- (c) crash semantics ------------------------------------------------ */

static void
expect_root(struct merkle_tree *t, uint8_t (*leaves)[32], uint64_t n)
{
	uint8_t want[32], got[32];

	assert_int_equal(merkle_size(t), n);
	merkle_root_of(want, (const uint8_t (*)[32])leaves, n);
	assert_int_equal(merkle_root(t, n, got), 0);
	assert_memory_equal(want, got, 32);
}

static void
test_crash(void **state)
{
	enum { N = 20000 };
	uint8_t (*leaves)[32] = xmalloc(N * 32);
	struct merkle_tree *t, *t2;
	char *dir = path_in(state, "crash");
	uint8_t root[32];
	uint64_t i;

	for (i = 0; i < N; i++)
		make_leaf(leaves[i], i, 77);
	assert_int_equal(merkle_open(&t, dir, 0), 0);
	for (i = 0; i < 1000; i++)
		assert_int_equal(merkle_append(t, leaves[i]), 0);
	assert_int_equal(merkle_sync(t), 0);
	/* More than the write-behind threshold, never synced: some of it
	 * reaches the files, none of it is committed. */
	for (i = 1000; i < N; i++)
		assert_int_equal(merkle_append(t, leaves[i]), 0);
	expect_root(t, leaves, N);
	/* The directory is locked while open. */
	assert_int_equal(merkle_open(&t2, dir, 1000), -1);
	merkle_close(t);

	assert_int_equal(merkle_open(&t, dir, 1000), 0);
	expect_root(t, leaves, 1000);
	/* The uncommitted leaves are gone: a different history continues. */
	for (i = 1000; i < 1500; i++)
		make_leaf(leaves[i], i, 78);
	for (i = 1000; i < 1500; i++)
		assert_int_equal(merkle_append(t, leaves[i]), 0);
	expect_root(t, leaves, 1500);
	merkle_root_of(root, (const uint8_t (*)[32])leaves, 1500);
	store_inclusion(t, leaves, 1234, 1500, root, 1);
	assert_int_equal(merkle_sync(t), 0);
	merkle_close(t);

	/* The database claims more than the files hold. */
	assert_int_equal(merkle_open(&t, dir, 1501), -1);
	assert_non_null(strstr(rs_err(), "rebuilt"));
	assert_int_equal(merkle_open(&t, dir, 1500), 0);
	expect_root(t, leaves, 1500);
	merkle_close(t);
	/* Opening at a smaller committed size cuts the files for good. */
	assert_int_equal(merkle_open(&t, dir, 999), 0);
	expect_root(t, leaves, 999);
	merkle_close(t);
	assert_int_equal(merkle_open(&t, dir, 1000), -1);
	/* Empty directory with a committed size: rebuild needed. */
	free(dir);
	dir = path_in(state, "crash-empty");
	assert_int_equal(merkle_open(&t, dir, 5), -1);
	assert_int_equal(merkle_open(&t, dir, 0), 0);
	expect_root(t, leaves, 0);
	merkle_close(t);
	free(dir);
	free(leaves);
}

static void
test_truncate(void **state)
{
	enum { N = 12000 };
	uint8_t (*leaves)[32] = xmalloc(N * 32);
	struct merkle_tree *t;
	char *dir = path_in(state, "trunc");
	uint64_t i, cut[] = { 11999, 11000, 9000, 8192, 4097, 100, 1, 0 };
	size_t k;

	for (i = 0; i < N; i++)
		make_leaf(leaves[i], i, 5);
	assert_int_equal(merkle_open(&t, dir, 0), 0);
	for (i = 0; i < N; i++)
		assert_int_equal(merkle_append(t, leaves[i]), 0);
	assert_int_equal(merkle_sync(t), 0);
	assert_int_equal(merkle_truncate(t, N + 1), -1);
	assert_int_equal(merkle_truncate(t, N), 0);
	expect_root(t, leaves, N);
	for (k = 0; k < sizeof(cut) / sizeof(cut[0]); k++) {
		/* cut, check, grow back (half synced), check */
		assert_int_equal(merkle_truncate(t, cut[k]), 0);
		expect_root(t, leaves, cut[k]);
		for (i = cut[k]; i < N; i++) {
			assert_int_equal(merkle_append(t, leaves[i]), 0);
			if (i == (cut[k] + N) / 2)
				assert_int_equal(merkle_sync(t), 0);
		}
		expect_root(t, leaves, N);
	}
	/* Undo of unsynced appends, then a reopen at the synced size. */
	assert_int_equal(merkle_sync(t), 0);
	for (i = 0; i < 10; i++)
		make_leaf(leaves[N - 10 + i], i, 6);
	assert_int_equal(merkle_truncate(t, N - 10), 0);
	for (i = N - 10; i < N; i++)
		assert_int_equal(merkle_append(t, leaves[i]), 0);
	expect_root(t, leaves, N);
	assert_int_equal(merkle_truncate(t, N - 5), 0);
	assert_int_equal(merkle_sync(t), 0);
	merkle_close(t);
	assert_int_equal(merkle_open(&t, dir, N - 5), 0);
	expect_root(t, leaves, N - 5);
	merkle_close(t);
	free(dir);
	free(leaves);
}

/* ---- (d) a tree held by a source ------------------------------------------ */

/*
 * An in-memory database: per level, the committed entries and those written
 * by the open transaction (which only the writer's own reads could see; the
 * tree never reads them).  Writes must extend a level exactly where it
 * ends; commit keeps them, rollback drops them.
 */
struct memsrc {
	struct buf done[64];	/* committed */
	struct buf open[64];	/* this transaction's */
	unsigned reads;
	size_t read_entries;
	int fail_read;
};

static int
mem_read(void *ctx, size_t n, const uint8_t *level, const uint64_t *index,
    uint8_t (*out)[32])
{
	struct memsrc *m = ctx;

	m->reads++;
	m->read_entries += n;
	if (m->fail_read) {
		rs_seterr("the database is down");
		return -1;
	}
	for (size_t i = 0; i < n; i++) {
		struct buf *b = &m->done[level[i]];
		if ((index[i] + 1) * 32 > b->len) {
			rs_seterr("level %d entry %llu is missing", level[i],
			    (unsigned long long)index[i]);
			return -1;
		}
		memcpy(out[i], b->p + index[i] * 32, 32);
	}
	return 0;
}

static int
mem_write(void *ctx, int level, uint64_t first, const uint8_t *h, size_t n)
{
	struct memsrc *m = ctx;

	assert_int_equal(first * 32, m->done[level].len + m->open[level].len);
	buf_add(&m->open[level], h, n * 32);
	return 0;
}

static void
mem_end(struct memsrc *m, int commit)
{
	for (int L = 0; L < 64; L++) {
		if (commit)
			buf_add(&m->done[L], m->open[L].p, m->open[L].len);
		m->open[L].len = 0;
	}
}

static void
mem_free(struct memsrc *m)
{
	for (int L = 0; L < 64; L++) {
		buf_free(&m->done[L]);
		buf_free(&m->open[L]);
	}
}

static const struct merkle_source mem_ops = { mem_read, mem_write };

/* Root, every (or a sample of) inclusion proof and consistency proofs at
 * size n of source tree t, each in one read of the source. */
static void
source_check(struct merkle_tree *t, struct memsrc *m, uint8_t (*leaves)[32],
    uint64_t n, uint8_t (*roots)[32])
{
	uint8_t r[32];
	unsigned before;

	before = m->reads;
	assert_int_equal(merkle_root(t, n, r), 0);
	assert_memory_equal(r, roots[n], 32);
	assert_true(m->reads - before <= 1);
	for (uint64_t k = 0; k < (n < 40 ? n : 40); k++) {
		uint64_t i = n < 40 ? k : rnd_below(n);
		before = m->reads;
		store_inclusion(t, leaves, i, n, roots[n], k == 0);
		assert_true(m->reads - before <= 1);
	}
	for (int k = 0; k < 8 && n > 1; k++) {
		uint64_t a = 1 + rnd_below(n - 1);
		before = m->reads;
		store_consistency(t, a, n, roots[a], roots[n], k == 0);
		assert_true(m->reads - before <= 1);
	}
}

#define SRC_N 3000

/*
 * A writer grows a source tree in transactions of random sizes, some rolled
 * back (and the tree truncated, as the hub does when a commit fails); a
 * follower over the same source moves to each committed size with
 * merkle_reset.  Both give the reference roots and proofs that verify, at
 * one read each; the follower's compact range is the reference one.
 */
static void
test_source_tree(void **state)
{
	uint8_t (*leaves)[32] = xmalloc((SRC_N + 256) * 32);
	uint8_t (*roots)[32] = xmalloc((SRC_N + 257) * 32);
	struct memsrc m;
	struct merkle_tree *w, *f;
	struct merkle_frontier want, have;
	uint64_t n = 0, i;

	(void)state;
	memset(&m, 0, sizeof(m));
	for (i = 0; i < SRC_N + 256; i++)
		make_leaf(leaves[i], i, 11);
	for (i = 0; i <= SRC_N + 256; i++)
		merkle_root_of(roots[i], (const uint8_t (*)[32])leaves, i);
	assert_int_equal(merkle_open_source(&w, "writer", &mem_ops, &m, 0), 0);
	assert_int_equal(merkle_open_source(&f, "follower", &mem_ops, &m, 0), 0);
	while (n < SRC_N) {
		uint64_t k = 1 + rnd_below(n < 300 ? 7 : 200), base = n;
		int commit = rnd_below(5) != 0;
		for (i = 0; i < k; i++)
			assert_int_equal(merkle_append(w, leaves[base + i]), 0);
		/* Unsynced leaves are served from memory already. */
		source_check(w, &m, leaves, base + k, roots);
		assert_int_equal(merkle_sync(w), 0);
		mem_end(&m, commit);
		if (!commit) {
			assert_int_equal(merkle_truncate(w, base), 0);
			source_check(w, &m, leaves, base, roots);
			continue;
		}
		n = base + k;
		source_check(w, &m, leaves, n, roots);
		assert_int_equal(merkle_reset(f, n), 0);
		assert_int_equal(merkle_size(f), n);
		source_check(f, &m, leaves, n, roots);
		merkle_frontier_init(&want);
		for (i = 0; i < n; i++)
			assert_int_equal(merkle_frontier_append(&want, leaves[i]), 0);
		merkle_tree_frontier(f, &have);
		assert_int_equal(have.size, want.size);
		assert_memory_equal(have.h, want.h, 32 * (size_t)__builtin_popcountll(n));
	}
	/* Proofs at every older size read the stored levels well past it. */
	for (i = 1; i < n; i += 1 + rnd_below(97))
		source_check(f, &m, leaves, i, roots);
	/* A page's worth of proofs fetched ahead: one read, then none. */
	{
		uint64_t page[50];
		unsigned before;
		for (int k = 0; k < 50; k++)
			page[k] = rnd_below(n);
		before = m.reads;
		assert_int_equal(merkle_prefetch(f, page, 50, n), 0);
		assert_int_equal(m.reads, before + 1);
		for (int k = 0; k < 50; k++)
			store_inclusion(f, leaves, page[k], n, roots[n], k == 0);
		assert_int_equal(m.reads, before + 1);
		/* Another index still works, reading what it lacks. */
		store_inclusion(f, leaves, (page[0] + 1) % n, n, roots[n], 0);
		merkle_prefetch_end(f);
		before = m.reads;
		store_inclusion(f, leaves, page[1], n, roots[n], 0);
		assert_int_equal(m.reads, before + 1);
		/* The writer's tree is not the prefetched one: it reads. */
		assert_int_equal(merkle_prefetch(f, page, 50, n), 0);
		before = m.reads;
		store_inclusion(w, leaves, page[2], n, roots[n], 0);
		assert_int_equal(m.reads, before + 1);
		merkle_prefetch_end(f);
	}
	/* A reopened tree is the same tree. */
	merkle_close(f);
	assert_int_equal(merkle_open_source(&f, "reopened", &mem_ops, &m, n), 0);
	source_check(f, &m, leaves, n, roots);
	merkle_close(f);
	merkle_close(w);
	mem_free(&m);
	free(leaves);
	free(roots);
}

/*
 * What a source tree does when its source fails it: a read error fails the
 * proof (and leaves the tree usable), a reset that cannot read leaves the
 * tree as it was, missing entries or an edge that does not hash from the
 * level below refuse to open.
 */
static void
test_source_failures(void **state)
{
	enum { N = 1000 };
	uint8_t (*leaves)[32] = xmalloc(N * 32), r[32], proof[MERKLE_MAX_PROOF][32];
	struct memsrc m;
	struct merkle_tree *t, *t2;
	size_t np;

	(void)state;
	memset(&m, 0, sizeof(m));
	for (uint64_t i = 0; i < N; i++)
		make_leaf(leaves[i], i, 12);
	assert_int_equal(merkle_open_source(&t, "t", &mem_ops, &m, 0), 0);
	for (uint64_t i = 0; i < N; i++)
		assert_int_equal(merkle_append(t, leaves[i]), 0);
	assert_int_equal(merkle_sync(t), 0);
	mem_end(&m, 1);
	m.fail_read = 1;
	assert_int_equal(merkle_inclusion_proof(t, 3, N, proof, &np), -1);
	assert_non_null(strstr(rs_err(), "down"));
	assert_int_equal(merkle_root(t, N - 1, r), -1);
	assert_int_equal(merkle_reset(t, N), -1);
	m.fail_read = 0;
	expect_root(t, leaves, N);
	/* More leaves than the source holds. */
	assert_int_equal(merkle_open_source(&t2, "t2", &mem_ops, &m, N + 1), -1);
	assert_int_equal(merkle_reset(t, N + 1), -1);
	expect_root(t, leaves, N);
	/* An edge entry changed in the database. */
	m.done[3].p[(N / 8 - 1) * 32] ^= 1;
	assert_int_equal(merkle_open_source(&t2, "t2", &mem_ops, &m, N), -1);
	assert_non_null(strstr(rs_err(), "disagree"));
	assert_int_equal(merkle_reset(t, N), -1);
	merkle_close(t);
	mem_free(&m);
	free(leaves);
}

/* ---- threads ------------------------------------------------------------ */

#define CONC_N 30000

/*
 * Readers ask for sizes up to the last synced one: the writer truncates only
 * unsynced leaves (as the hub does when a commit fails), so those sizes stay.
 */
struct conc {
	struct merkle_tree *t;
	uint64_t synced;	/* __atomic */
	int done;		/* __atomic */
	int bad;
};

static void *
conc_reader(void *arg)
{
	struct conc *c = arg;
	uint8_t proof[MERKLE_MAX_PROOF][32], r1[32], r2[32], leaf[32];
	uint64_t s, m, i, x = (uint64_t)(uintptr_t)arg;
	size_t np;

	while (!__atomic_load_n(&c->done, __ATOMIC_ACQUIRE)) {
		x = x * 6364136223846793005ULL + 1442695040888963407ULL;
		s = __atomic_load_n(&c->synced, __ATOMIC_ACQUIRE);
		if (s > merkle_size(c->t)) {
			c->bad = 1;
			return NULL;
		}
		if (s == 0)
			continue;
		i = (x >> 20) % s;
		m = 1 + (x >> 40) % s;
		if (merkle_root(c->t, s, r2) != 0 ||
		    merkle_root(c->t, m, r1) != 0 ||
		    merkle_leaf(c->t, i, leaf) != 0 ||
		    merkle_inclusion_proof(c->t, i, s, proof, &np) != 0 ||
		    merkle_verify_inclusion(i, s, leaf,
		    (const uint8_t (*)[32])proof, np, r2) != 0 ||
		    merkle_consistency_proof(c->t, m, s, proof, &np) != 0 ||
		    merkle_verify_consistency(m, s, r1, r2,
		    (const uint8_t (*)[32])proof, np) != 0) {
			fprintf(stderr, "reader: %s\n", rs_err());
			c->bad = 1;
			return NULL;
		}
	}
	return NULL;
}

static void
test_concurrent(void **state)
{
	struct conc c = {0};
	pthread_t th[3];
	uint8_t leaf[32];
	char *dir = path_in(state, "conc");
	uint64_t i;
	int k;

	assert_int_equal(merkle_open(&c.t, dir, 0), 0);
	for (k = 0; k < 3; k++)
		assert_int_equal(pthread_create(&th[k], NULL, conc_reader, &c), 0);
	for (i = 0; i < CONC_N; i++) {
		make_leaf(leaf, i, 9);
		assert_int_equal(merkle_append(c.t, leaf), 0);
		if (i % 997 == 0) {
			assert_int_equal(merkle_sync(c.t), 0);
			__atomic_store_n(&c.synced, merkle_size(c.t),
			    __ATOMIC_RELEASE);
		}
		if (i % 997 == 500)
			assert_int_equal(merkle_truncate(c.t, i - 3), 0);
	}
	__atomic_store_n(&c.done, 1, __ATOMIC_RELEASE);
	for (k = 0; k < 3; k++)
		assert_int_equal(pthread_join(th[k], NULL), 0);
	assert_int_equal(c.bad, 0);
	merkle_close(c.t);
	free(dir);
}

/* ---- compact ranges ------------------------------------------------------ */

/* The frontier's root equals the reference root at every size, and its
 * serialized form reads back to the same state. */
static void
frontier_against(const uint8_t (*leaves)[32], uint64_t n, uint64_t check_every)
{
	struct merkle_frontier f, g;
	uint8_t want[32], have[32];
	struct buf b = {0};

	merkle_frontier_init(&f);
	merkle_frontier_root(&f, have);
	merkle_empty_root(want);
	assert_memory_equal(have, want, 32);
	for (uint64_t i = 0; i < n; i++) {
		assert_int_equal(merkle_frontier_append(&f, leaves[i]), 0);
		assert_true(f.size == i + 1);
		if ((i + 1) % check_every != 0 && i + 1 != n)
			continue;
		merkle_frontier_root(&f, have);
		merkle_root_of(want, leaves, i + 1);
		if (memcmp(have, want, 32) != 0)
			fail_msg("compact range root differs at size %llu",
			    (unsigned long long)(i + 1));
		b.len = 0;
		merkle_frontier_serialize(&f, &b);
		assert_int_equal(b.len, 12 + 32 * (size_t)__builtin_popcountll(f.size));
		assert_int_equal(merkle_frontier_parse(&g, b.p, b.len), 0);
		merkle_frontier_root(&g, have);
		assert_memory_equal(have, want, 32);
	}
	buf_free(&b);
}

static void
test_frontier(void **state)
{
	uint64_t n = 300 + 4096;
	uint8_t (*leaves)[32] = xcalloc(n, 32);

	for (uint64_t i = 0; i < n; i++)
		make_leaf(leaves[i], i, 77);
	/* Every size from 0 to 300. */
	frontier_against((const uint8_t (*)[32])leaves, 300, 1);
	/* Random larger ones, every few sizes. */
	for (int k = 0; k < 4; k++) {
		uint64_t m = 300 + rnd_below(4096);
		frontier_against((const uint8_t (*)[32])leaves, m, 1 + rnd_below(97));
	}
	free(leaves);
}

/* Serialized compact ranges that are not one: refused, state cleared. */
static void
test_frontier_parse_garbage(void **state)
{
	struct merkle_frontier f;
	uint8_t leaf[32] = {1};
	struct buf b = {0};
	uint8_t raw[MERKLE_FRONTIER_MAXLEN + 8];

	merkle_frontier_init(&f);
	for (int i = 0; i < 11; i++)	/* size 11: three hashes */
		assert_int_equal(merkle_frontier_append(&f, leaf), 0);
	merkle_frontier_serialize(&f, &b);
	assert_int_equal(b.len, 12 + 3 * 32);
	/* Every truncation and one byte more. */
	for (size_t len = 0; len < b.len; len++)
		assert_int_not_equal(merkle_frontier_parse(&f, b.p, len), 0);
	memcpy(raw, b.p, b.len);
	raw[b.len] = 0;
	assert_int_not_equal(merkle_frontier_parse(&f, raw, b.len + 1), 0);
	assert_true(f.size == 0);
	/* A size whose bits call for other hash counts. */
	memcpy(raw, b.p, b.len);
	put_u64be(raw + 4, 12);		/* two hashes */
	assert_int_not_equal(merkle_frontier_parse(&f, raw, b.len), 0);
	put_u64be(raw + 4, 15);		/* four */
	assert_int_not_equal(merkle_frontier_parse(&f, raw, b.len), 0);
	/* Bad magic. */
	memcpy(raw, b.p, b.len);
	raw[0] = 'X';
	assert_int_not_equal(merkle_frontier_parse(&f, raw, b.len), 0);
	/* The largest: 2^64 - 1 leaves, 64 hashes, and it is full. */
	memcpy(raw, MERKLE_FRONTIER_MAGIC, 4);
	put_u64be(raw + 4, UINT64_MAX);
	memset(raw + 12, 3, 64 * 32);
	assert_int_equal(merkle_frontier_parse(&f, raw, MERKLE_FRONTIER_MAXLEN), 0);
	assert_int_not_equal(merkle_frontier_append(&f, leaf), 0);
	/* The empty range. */
	put_u64be(raw + 4, 0);
	assert_int_equal(merkle_frontier_parse(&f, raw, 12), 0);
	assert_true(f.size == 0);
	buf_free(&b);
}

/* The public leaf is H(0x00 || u64be index || id || u64be time). */
static void
test_public_leaf(void **state)
{
	uint8_t id[32], want[32], have[32], d[48];

	for (int i = 0; i < 32; i++)
		id[i] = (uint8_t)i;
	put_u64be(d, 7);
	memcpy(d + 8, id, 32);
	put_u64be(d + 40, 1763820000000ULL);
	merkle_leaf_hash(want, d, sizeof(d));
	merkle_public_leaf(have, 7, id, 1763820000000LL);
	assert_memory_equal(have, want, 32);
	/* Index, id and time are each bound. */
	merkle_public_leaf(have, 8, id, 1763820000000LL);
	assert_memory_not_equal(have, want, 32);
	merkle_public_leaf(have, 7, id, 1763820000001LL);
	assert_memory_not_equal(have, want, 32);
	id[31] ^= 1;
	merkle_public_leaf(have, 7, id, 1763820000000LL);
	assert_memory_not_equal(have, want, 32);
}

int
main(void)
{
	const char *seed = getenv("MERKLE_SEED");
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_vectors),
		cmocka_unit_test(test_json_shapes),
		cmocka_unit_test(test_empty_root),
		cmocka_unit_test(test_frontier),
		cmocka_unit_test(test_frontier_parse_garbage),
		cmocka_unit_test(test_public_leaf),
		cmocka_unit_test(test_source_tree),
		cmocka_unit_test(test_source_failures),
		cmocka_unit_test_setup_teardown(test_small_trees, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_large_trees, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_crash, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_truncate, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test_setup_teardown(test_concurrent, setup_tmp,
		    teardown_tmp),
	};

	if (sodium_init() < 0)
		return 1;
	if (seed != NULL)
		rng_state = strtoull(seed, NULL, 0);
	printf("MERKLE_SEED=%llu\n", (unsigned long long)rng_state);
	return cmocka_run_group_tests(tests, NULL, NULL);
}
