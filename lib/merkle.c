/*
 * merkle.c - RFC 9162 Merkle tree: hashing, verifiers, the on-disk store.
 *
 * Compact ranges.  A verifier that follows a tree leaf by leaf (a node
 * reading the public records, "rosterd check" walking the log) keeps only
 * the roots of the perfect subtrees left of the next leaf: the set bits of
 * the size say their heights, so the state is at most 64 hashes whatever
 * the size, and the root is their right fold, exactly RFC 9162's split at
 * the largest power of two.
 *
 * Verifiers.  merkle_verify_inclusion and merkle_verify_consistency follow
 * the algorithms of RFC 9162 sections 2.1.3.2 and 2.1.4.2 step by step, so a
 * reader can check them against the text.  They do no I/O and keep no state.
 *
 * The store.  The tree lives in a directory with one flat file per level:
 * "level-00" holds the leaf hashes, "level-01" the hash of every aligned pair,
 * and in general level L holds, in order, the hash of every complete aligned
 * subtree of 2^L leaves.  A tree of n leaves therefore has exactly n >> L
 * entries at level L, and the files hold about 2n hashes in all.  Why this
 * shape:
 *
 *  - Every node a proof needs is either a complete aligned subtree (one
 *    32-byte pread at a known offset) or lies on the right edge of the tree
 *    at some size n, where it is the fold of at most log2(n) complete
 *    subtrees given by the binary digits of its width.  So a root, an
 *    inclusion proof or a consistency proof for ANY size up to the current
 *    one costs O(log n) reads and hashes, and nothing but the files is needed.
 *  - Appending is append-only at every level: a new leaf completes at most
 *    one subtree per level, whose left sibling is the previous last entry of
 *    that level.  Keeping that last entry in memory makes appends free of
 *    reads.
 *  - Crash recovery is a truncation: the caller's database says how many
 *    leaves are committed, and level L is cut to committed >> L entries.
 *
 * Memory stays flat: each level has a small in-memory tail of entries not yet
 * written.  merkle_append adds to it (so roots and proofs see the leaf at
 * once); when level 0's tail reaches TAIL_FLUSH entries the tails are written
 * behind with pwrite (no fdatasync; harmless, since anything beyond the
 * committed size is cut at the next open).  merkle_sync writes the tails and
 * fdatasyncs every file written since the last sync.
 *
 * A tree held elsewhere.  The same levels can live in a database instead of
 * files (the hub's PostgreSQL store, where several processes share one
 * tree): a merkle_source reads entries and writes a level's new ones.
 * Appends, tails, roots and proofs work exactly as above; what changes is
 * where an entry below "ondisk" comes from, and that a sync hands the tails
 * to the source (inside the caller's transaction, which makes them durable)
 * instead of calling fdatasync.  Every node a proof needs is known from the
 * sizes and indexes alone, never from a hash, so a read of a source tree
 * runs twice: once recording which stored entries it would read, then,
 * after one fetch of all of them, for real (sourced()).  A proof is one
 * round trip to the database however deep the tree, and a page of records
 * each with its proof can be one too: merkle_prefetch gathers every entry
 * of the page's proofs first (on the thread that will ask for them; what
 * is fetched is immutable, being below the committed size).  A source
 * tree follows
 * what others appended with merkle_reset, which reloads and checks its
 * right edge at the new size.
 *
 * Threads.  One sequencer thread appends, syncs and truncates while many HTTP
 * threads ask for roots and proofs.  A mutex serialises the writers; a
 * writer-preferring rwlock separates readers from the short moments when the
 * writer publishes a change.  Hashing, pwrite and fdatasync happen outside
 * the exclusive lock, so readers are held up only for a few memcpys.
 */
#include "merkle.h"
#include "fault.h"
#include "util.h"

#include <assert.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <sys/stat.h>
#include <unistd.h>

#include <jansson.h>
#include <sodium.h>

#define NLEVELS		64	/* level 63 holds at most one entry */
#define TAIL_FLUSH	8192	/* level-0 entries buffered before writing */

typedef unsigned long long ull;	/* for printf */

/* ---- hashing ------------------------------------------------------------ */

void
merkle_leaf_hash(uint8_t out[32], const void *data, size_t len)
{
	crypto_hash_sha256_state st;
	const uint8_t prefix = 0x00;

	crypto_hash_sha256_init(&st);
	crypto_hash_sha256_update(&st, &prefix, 1);
	crypto_hash_sha256_update(&st, data, len);
	crypto_hash_sha256_final(&st, out);
}

void
merkle_node_hash(uint8_t out[32], const uint8_t left[32], const uint8_t right[32])
{
	uint8_t in[1 + 2 * MERKLE_HASH];

	in[0] = 0x01;
	memcpy(in + 1, left, MERKLE_HASH);
	memcpy(in + 1 + MERKLE_HASH, right, MERKLE_HASH);
	crypto_hash_sha256(out, in, sizeof(in));
}

void
merkle_empty_root(uint8_t out[32])
{
	crypto_hash_sha256(out, (const uint8_t *)"", 0);
}

/* Largest power of two strictly below n; n >= 2. */
static uint64_t
split_point(uint64_t n)
{
	return (uint64_t)1 << (63 - __builtin_clzll(n - 1));
}

static void
root_range(uint8_t out[32], const uint8_t (*leaves)[32], uint64_t n)
{
	uint8_t l[32], r[32];
	uint64_t k;

	if (n == 1) {
		memcpy(out, leaves[0], 32);
		return;
	}
	k = split_point(n);
	root_range(l, leaves, k);
	root_range(r, leaves + k, n - k);
	merkle_node_hash(out, l, r);
}

/* The definition of RFC 9162 section 2.1.1, kept independent of the store so
 * each can test the other.  Recursion depth is log2(n). */
void
merkle_root_of(uint8_t out[32], const uint8_t (*leaves)[32], uint64_t n)
{
	if (n == 0)
		merkle_empty_root(out);
	else
		root_range(out, leaves, n);
}

void
merkle_public_leaf(uint8_t out[32], uint64_t index, const uint8_t id[32],
    int64_t time)
{
	uint8_t d[8 + 32 + 8];

	put_u64be(d, index);
	memcpy(d + 8, id, 32);
	put_u64be(d + 40, (uint64_t)time);
	merkle_leaf_hash(out, d, sizeof(d));
}

/* ---- compact range ------------------------------------------------------ */

void
merkle_frontier_init(struct merkle_frontier *f)
{
	memset(f, 0, sizeof(*f));
}

int
merkle_frontier_append(struct merkle_frontier *f, const uint8_t leaf[32])
{
	uint8_t node[32];
	int n = __builtin_popcountll(f->size);

	if (f->size == UINT64_MAX) {
		rs_seterr("the compact range is full");
		return -1;
	}
	memcpy(node, leaf, 32);
	/* Each trailing one bit of size is a subtree the new leaf completes. */
	for (uint64_t s = f->size; (s & 1) != 0; s >>= 1) {
		assert(n > 0);
		n--;
		merkle_node_hash(node, f->h[n], node);
	}
	assert(n < MERKLE_FRONTIER_MAX);
	memcpy(f->h[n], node, 32);
	f->size++;
	assert(n + 1 == __builtin_popcountll(f->size));
	return 0;
}

void
merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[32])
{
	int n = __builtin_popcountll(f->size);

	if (n == 0) {
		merkle_empty_root(out);
		return;
	}
	memcpy(out, f->h[n - 1], 32);
	for (int i = n - 2; i >= 0; i--)
		merkle_node_hash(out, f->h[i], out);
}

void
merkle_frontier_serialize(const struct merkle_frontier *f, struct buf *out)
{
	int n = __builtin_popcountll(f->size);

	buf_add(out, MERKLE_FRONTIER_MAGIC, 4);
	buf_add_u64be(out, f->size);
	buf_add(out, f->h, (size_t)n * MERKLE_HASH);
}

int
merkle_frontier_parse(struct merkle_frontier *f, const uint8_t *p, size_t len)
{
	size_t n;

	merkle_frontier_init(f);
	if (len < 12 || memcmp(p, MERKLE_FRONTIER_MAGIC, 4) != 0) {
		rs_seterr("not a compact range (bad magic or too short)");
		return -1;
	}
	f->size = get_u64be(p + 4);
	n = (size_t)__builtin_popcountll(f->size);
	if (len != 12 + n * MERKLE_HASH) {
		rs_seterr("a compact range of %llu leaves has %zu hashes, not %zu "
		    "bytes' worth", (ull)f->size, n, len - 12);
		merkle_frontier_init(f);
		return -1;
	}
	memcpy(f->h, p + 12, n * MERKLE_HASH);
	return 0;
}

/* ---- verifiers ---------------------------------------------------------- */

/* Right-shifts fn and sn together until fn is odd or zero. */
static void
shift_to_odd(uint64_t *fn, uint64_t *sn)
{
	while (*fn != 0 && (*fn & 1) == 0) {
		*fn >>= 1;
		*sn >>= 1;
	}
}

int
merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
    const uint8_t (*proof)[32], size_t nproof, const uint8_t root[32])
{
	uint64_t fn, sn;
	uint8_t r[32];
	size_t i;

	if (index >= size) {
		rs_seterr("leaf index %llu is outside a tree of %llu leaves",
		    (ull)index, (ull)size);
		return -1;
	}
	if (nproof > MERKLE_MAX_PROOF) {
		rs_seterr("inclusion proof has %zu hashes, more than any tree needs",
		    nproof);
		return -1;
	}
	fn = index;
	sn = size - 1;
	memcpy(r, leaf, 32);
	for (i = 0; i < nproof; i++) {
		if (sn == 0) {
			rs_seterr("inclusion proof is longer than a tree of %llu "
			    "leaves allows", (ull)size);
			return -1;
		}
		if ((fn & 1) != 0 || fn == sn) {
			merkle_node_hash(r, proof[i], r);
			if ((fn & 1) == 0)
				shift_to_odd(&fn, &sn);
		} else
			merkle_node_hash(r, r, proof[i]);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		rs_seterr("inclusion proof is too short for a tree of %llu leaves",
		    (ull)size);
		return -1;
	}
	if (memcmp(r, root, 32) != 0) {
		rs_seterr("inclusion proof does not lead to the root");
		return -1;
	}
	return 0;
}

int
merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t root1[32], const uint8_t root2[32],
    const uint8_t (*proof)[32], size_t nproof)
{
	const uint8_t *first;
	uint8_t fr[32], sr[32];
	uint64_t fn, sn;
	size_t i;

	if (size1 == 0) {
		rs_seterr("a consistency proof from the empty tree proves nothing");
		return -1;
	}
	if (size1 > size2) {
		rs_seterr("consistency proof from %llu to %llu leaves goes backwards",
		    (ull)size1, (ull)size2);
		return -1;
	}
	if (size1 == size2) {
		if (nproof != 0) {
			rs_seterr("consistency proof between equal sizes must be empty");
			return -1;
		}
		if (memcmp(root1, root2, 32) != 0) {
			rs_seterr("two roots of the same size %llu differ", (ull)size1);
			return -1;
		}
		return 0;
	}
	if (nproof == 0) {
		rs_seterr("consistency proof from %llu to %llu leaves is empty",
		    (ull)size1, (ull)size2);
		return -1;
	}
	if (nproof > MERKLE_MAX_PROOF) {
		rs_seterr("consistency proof has %zu hashes, more than any tree "
		    "needs", nproof);
		return -1;
	}
	/* Step 2: a power-of-two first tree is itself the first node. */
	i = 0;
	if ((size1 & (size1 - 1)) == 0)
		first = root1;
	else
		first = proof[i++];
	fn = size1 - 1;
	sn = size2 - 1;
	while ((fn & 1) != 0) {
		fn >>= 1;
		sn >>= 1;
	}
	memcpy(fr, first, 32);
	memcpy(sr, first, 32);
	for (; i < nproof; i++) {
		if (sn == 0) {
			rs_seterr("consistency proof is longer than the sizes allow");
			return -1;
		}
		if ((fn & 1) != 0 || fn == sn) {
			merkle_node_hash(fr, proof[i], fr);
			merkle_node_hash(sr, proof[i], sr);
			if ((fn & 1) == 0)
				shift_to_odd(&fn, &sn);
		} else
			merkle_node_hash(sr, sr, proof[i]);
		fn >>= 1;
		sn >>= 1;
	}
	if (sn != 0) {
		rs_seterr("consistency proof is too short for %llu leaves",
		    (ull)size2);
		return -1;
	}
	if (memcmp(fr, root1, 32) != 0) {
		rs_seterr("consistency proof does not lead to the first root");
		return -1;
	}
	if (memcmp(sr, root2, 32) != 0) {
		rs_seterr("consistency proof does not lead to the second root");
		return -1;
	}
	return 0;
}

/* ---- the store ---------------------------------------------------------- */

struct level {
	int fd;			/* -1 until the file exists */
	uint64_t ondisk;	/* entries written to the file, synced or not */
	struct buf tail;	/* entries [ondisk, size >> L), not yet written */
	uint8_t last[32];	/* entry (size >> L) - 1 when there is one */
	int dirty;		/* written since the last fdatasync */
};

struct merkle_tree {
	pthread_rwlock_t lock;	/* readers vs. publishing a change */
	pthread_mutex_t wmu;	/* one writer at a time */
	const struct merkle_source *src;	/* NULL: the files of dir */
	void *src_ctx;
	char *dir;
	uint64_t size;
	int dirdirty;		/* a file was created since the last sync */
	int broken;		/* a sync failed; durability is unknown */
	struct level lv[NLEVELS];
};

static void
level_path(char *out, size_t outlen, const char *dir, int level)
{
	snprintf(out, outlen, "%s/level-%02d", dir, level);
}

static int
pread_full(int fd, void *p, size_t len, uint64_t off)
{
	uint8_t *b = p;

	while (len > 0) {
		ssize_t n = pread(fd, b, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return n == 0 ? 1 : -1;
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

static int
pwrite_full(int fd, const void *p, size_t len, uint64_t off)
{
	const uint8_t *b = p;

	while (len > 0) {
		ssize_t n = pwrite(fd, b, len, (off_t)off);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0)
			return -1;
		b += n;
		len -= (size_t)n;
		off += (uint64_t)n;
	}
	return 0;
}

/*
 * The stored entries one read of a source tree needs: first recorded (each
 * read answers zeros), then fetched in one call and looked up.  One per
 * thread, set only inside sourced().
 */
struct fetch {
	int recording;
	int all;		/* record every read, duplicates too (sorted later) */
	size_t n, cap;
	uint8_t *level;
	uint64_t *index;
	uint8_t (*h)[32];
};

static _Thread_local struct fetch *fetching;

static int
fetch_entry(struct merkle_tree *t, int level, uint64_t i, uint8_t out[32])
{
	struct fetch *f = fetching;
	size_t k;

	assert(f != NULL);	/* every read of a source tree goes through sourced() */
	for (k = 0; k < f->n && !f->all; k++)
		if (f->level[k] == level && f->index[k] == i)
			break;
	if (f->all)
		k = f->n;
	if (f->recording) {
		if (k == f->n) {
			if (f->n == f->cap) {
				f->cap = f->cap ? f->cap * 2 : 64;
				f->level = xrealloc(f->level, f->cap);
				f->index = xrealloc(f->index, f->cap * sizeof(*f->index));
			}
			f->level[f->n] = (uint8_t)level;
			f->index[f->n++] = i;
		}
		memset(out, 0, 32);
		return 0;
	}
	if (k == f->n) {
		rs_seterr("internal error: level %d entry %llu was not fetched",
		    level, (ull)i);
		return -1;
	}
	memcpy(out, f->h[k], 32);
	return 0;
}

static int
recording(void)
{
	return fetching != NULL && fetching->recording;
}

/*
 * Runs fn(t, arg), which reads entries of t: directly for a file tree; for
 * a source tree once to learn which stored entries it reads (fn must not
 * let hashes decide which entries it reads; recording() tells it to skip
 * comparisons), then again with all of them fetched by one source read.
 * The caller holds t's lock or is the writer, across both runs.
 */
/*
 * Entries fetched ahead for many proofs at once (merkle_prefetch), sorted by
 * (level, index), on this thread, for one tree.
 */
struct cache {
	struct merkle_tree *t;
	size_t n;
	uint8_t *level;
	uint64_t *index;
	uint8_t (*h)[32];
};

static _Thread_local struct cache cached;

static int
entry_cmp(uint8_t la, uint64_t ia, uint8_t lb, uint64_t ib)
{
	if (la != lb)
		return la < lb ? -1 : 1;
	return ia < ib ? -1 : ia > ib;
}

/* Entry k of the cache holding (level, index), or -1. */
static ssize_t
cache_find(uint8_t level, uint64_t index)
{
	size_t lo = 0, hi = cached.n;

	while (lo < hi) {
		size_t mid = (lo + hi) / 2;
		int c = entry_cmp(cached.level[mid], cached.index[mid], level, index);
		if (c == 0)
			return (ssize_t)mid;
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	return -1;
}

/* Fills f->h for the recorded entries: from the cache when it holds them,
 * the rest with one read of the source. */
static int
fetch_all(struct merkle_tree *t, struct fetch *f)
{
	uint8_t *lv = xmalloc(f->n), (*h)[32] = xcalloc(f->n, 32);
	uint64_t *ix = xcalloc(f->n, sizeof(*ix));
	size_t *at = xcalloc(f->n, sizeof(*at)), m = 0;
	ssize_t k;
	int rc = 0;

	f->h = xcalloc(f->n, 32);
	for (size_t i = 0; i < f->n; i++) {
		if (cached.t == t && (k = cache_find(f->level[i], f->index[i])) >= 0) {
			memcpy(f->h[i], cached.h[k], 32);
			continue;
		}
		lv[m] = f->level[i];
		ix[m] = f->index[i];
		at[m++] = i;
	}
	if (m > 0 && (rc = t->src->read(t->src_ctx, m, lv, ix, h)) == 0)
		for (size_t j = 0; j < m; j++)
			memcpy(f->h[at[j]], h[j], 32);
	free(lv);
	free(ix);
	free(h);
	free(at);
	return rc;
}

static int
sourced(struct merkle_tree *t, int (*fn)(struct merkle_tree *, void *), void *arg)
{
	struct fetch f;
	int rc;

	if (t->src == NULL)
		return fn(t, arg);
	assert(fetching == NULL);
	memset(&f, 0, sizeof(f));
	f.recording = 1;
	fetching = &f;
	rc = fn(t, arg);
	if (rc == 0 && f.n > 0)
		rc = fetch_all(t, &f);
	if (rc == 0) {
		f.recording = 0;
		rc = fn(t, arg);
	}
	fetching = NULL;
	free(f.level);
	free(f.index);
	free(f.h);
	return rc;
}

/*
 * Entry i of level L; the caller holds the lock (either kind) or is the
 * writer, and guarantees i < size >> L.
 */
static int
get_entry(struct merkle_tree *t, int level, uint64_t i, uint8_t out[32])
{
	struct level *lv = &t->lv[level];
	int rc;

	assert(level >= 0 && level < NLEVELS && i < (t->size >> level));
	if (i >= lv->ondisk) {
		uint64_t off = (i - lv->ondisk) * MERKLE_HASH;
		if (off > lv->tail.len || lv->tail.len - off < MERKLE_HASH) {
			rs_seterr("internal error: level %d entry %llu is not in "
			    "the tree", level, (ull)i);
			return -1;
		}
		memcpy(out, lv->tail.p + off, MERKLE_HASH);
		return 0;
	}
	if (t->src != NULL)
		return fetch_entry(t, level, i, out);
	rc = pread_full(lv->fd, out, MERKLE_HASH, i * MERKLE_HASH);
	if (rc != 0) {
		rs_seterr("cannot read %s/level-%02d: %s", t->dir, level,
		    rc > 0 ? "the file is shorter than expected" : strerror(errno));
		return -1;
	}
	return 0;
}

/*
 * Hash of the subtree over leaves [lo, hi), where lo is a multiple of a power
 * of two at least hi - lo (every node of an RFC 9162 proof is such a range).
 * The width's binary digits, high to low, name the complete subtrees it is
 * made of; the RFC's split at the largest power of two makes the hash their
 * right fold.
 */
static int
range_hash(struct merkle_tree *t, uint64_t lo, uint64_t hi, uint8_t out[32])
{
	uint8_t parts[NLEVELS][32];
	uint64_t w = hi - lo, pos = lo, span;
	int n = 0, j;

	if (lo >= hi || hi > t->size) {
		rs_seterr("internal error: bad subtree [%llu, %llu)", (ull)lo,
		    (ull)hi);
		return -1;
	}
	/* span: the power of two >= w; 0 when that is 2^64 (then lo = 0). */
	span = (uint64_t)1 << (63 - __builtin_clzll(w));
	if (span != w)
		span <<= 1;
	if ((lo & (span - 1)) != 0) {
		rs_seterr("internal error: bad subtree [%llu, %llu)", (ull)lo,
		    (ull)hi);
		return -1;
	}
	for (j = NLEVELS - 1; j >= 0; j--) {
		if (((w >> j) & 1) == 0)
			continue;
		if (get_entry(t, j, pos >> j, parts[n]) != 0)
			return -1;
		n++;
		pos += (uint64_t)1 << j;
	}
	memcpy(out, parts[n - 1], 32);
	for (j = n - 2; j >= 0; j--)
		merkle_node_hash(out, parts[j], out);
	return 0;
}

static void
reverse_into(uint8_t (*dst)[32], uint8_t (*src)[32], size_t n)
{
	size_t i;

	for (i = 0; i < n; i++)
		memcpy(dst[i], src[n - 1 - i], 32);
}

static void
tree_free(struct merkle_tree *t)
{
	int i;

	for (i = 0; i < NLEVELS; i++) {
		if (t->lv[i].fd >= 0)
			close(t->lv[i].fd);
		buf_free(&t->lv[i].tail);
	}
	pthread_rwlock_destroy(&t->lock);
	pthread_mutex_destroy(&t->wmu);
	free(t->dir);
	free(t);
}

static int
locks_init(struct merkle_tree *t)
{
	pthread_rwlockattr_t a;
	int rc;

	if (pthread_rwlockattr_init(&a) != 0) {
		rs_seterr("cannot initialise a lock");
		return -1;
	}
	/* glibc prefers readers by default, which could starve the sequencer. */
	pthread_rwlockattr_setkind_np(&a,
	    PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	rc = pthread_rwlock_init(&t->lock, &a);
	pthread_rwlockattr_destroy(&a);
	if (rc != 0) {
		rs_seterr("cannot initialise a lock");
		return -1;
	}
	if (pthread_mutex_init(&t->wmu, NULL) != 0) {
		pthread_rwlock_destroy(&t->lock);
		rs_seterr("cannot initialise a lock");
		return -1;
	}
	return 0;
}

/* Opens level L's file if it exists (creating level 0), and cuts it to the
 * committed size. */
static int
open_level(struct merkle_tree *t, int level, uint64_t committed)
{
	char path[4096];
	uint64_t need = committed >> level, have;
	struct stat st;
	int fd;

	level_path(path, sizeof(path), t->dir, level);
	fd = open(path, O_RDWR | O_CLOEXEC);
	if (fd < 0 && errno == ENOENT && need > 0) {
		rs_seterr("%s is missing but the database has committed %llu "
		    "leaves; the Merkle tree must be rebuilt", path, (ull)committed);
		return -1;
	}
	if (fd < 0 && errno == ENOENT && level > 0)
		return 0;	/* created when its first entry is written */
	if (fd < 0 && errno == ENOENT) {
		/* level-00 always exists: it carries the lock. */
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		t->dirdirty = 1;
	}
	if (fd < 0) {
		rs_seterr("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	t->lv[level].fd = fd;
	if (level == 0 && flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rs_seterr("cannot lock %s: %s (is another rosterd using this "
		    "directory?)", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) != 0) {
		rs_seterr("cannot stat %s: %s", path, strerror(errno));
		return -1;
	}
	have = (uint64_t)st.st_size / MERKLE_HASH;
	if (have < need) {
		rs_seterr("%s holds %llu hashes but the database has committed "
		    "%llu leaves (needing %llu there); the Merkle tree must be "
		    "rebuilt", path, (ull)have, (ull)committed, (ull)need);
		return -1;
	}
	if ((uint64_t)st.st_size != need * MERKLE_HASH &&
	    (fault_write(FAULT_TREE) != 0 ||
	    ftruncate(fd, (off_t)(need * MERKLE_HASH)) != 0)) {
		rs_seterr("cannot truncate %s: %s", path, strerror(errno));
		return -1;
	}
	t->lv[level].ondisk = need;
	return 0;
}

/*
 * Loads the last entry of every level and checks that it is the hash of the
 * last two of the level below: O(log n) work that catches level files that
 * disagree (one lost a write the others kept).
 */
static int
load_edges(struct merkle_tree *t, void *arg)
{
	uint8_t l[32], r[32], h[32];
	uint64_t c;
	int L;

	(void)arg;
	for (L = 0; L < NLEVELS; L++) {
		c = t->size >> L;
		if (c == 0)
			break;
		if (get_entry(t, L, c - 1, t->lv[L].last) != 0)
			return -1;
		if (L == 0)
			continue;
		if (get_entry(t, L - 1, 2 * c - 2, l) != 0 ||
		    get_entry(t, L - 1, 2 * c - 1, r) != 0)
			return -1;
		merkle_node_hash(h, l, r);
		if (!recording() && memcmp(h, t->lv[L].last, 32) != 0) {
			rs_seterr("the Merkle tree %s %s disagree at level %d; the "
			    "tree must be rebuilt", t->src != NULL ? "entries of" :
			    "files in", t->dir, L);
			return -1;
		}
	}
	return 0;
}

int
merkle_open(struct merkle_tree **tp, const char *dir, uint64_t committed)
{
	struct merkle_tree *t;
	int L;

	*tp = NULL;
	if (strlen(dir) > 4000) {
		rs_seterr("Merkle tree directory name is too long");
		return -1;
	}
	if (mkdir_p(dir, 0700) != 0)
		return -1;
	t = xcalloc(1, sizeof(*t));
	for (L = 0; L < NLEVELS; L++)
		t->lv[L].fd = -1;
	if (locks_init(t) != 0) {
		free(t);
		return -1;
	}
	t->dir = xstrdup(dir);
	t->size = committed;
	for (L = 0; L < NLEVELS; L++) {
		if (open_level(t, L, committed) != 0)
			goto fail;
	}
	if (load_edges(t, NULL) != 0)
		goto fail;
	if (t->dirdirty && fsync_dir(dir) != 0)
		goto fail;
	t->dirdirty = 0;
	*tp = t;
	return 0;
fail:
	tree_free(t);
	return -1;
}

int
merkle_open_source(struct merkle_tree **tp, const char *name,
    const struct merkle_source *src, void *ctx, uint64_t size)
{
	struct merkle_tree *t = xcalloc(1, sizeof(*t));
	int L;

	*tp = NULL;
	for (L = 0; L < NLEVELS; L++)
		t->lv[L].fd = -1;
	if (locks_init(t) != 0) {
		free(t);
		return -1;
	}
	t->dir = xstrdup(name);
	t->src = src;
	t->src_ctx = ctx;
	if (merkle_reset(t, size) != 0) {
		tree_free(t);
		return -1;
	}
	*tp = t;
	return 0;
}

int
merkle_reset(struct merkle_tree *t, uint64_t size)
{
	struct level old[NLEVELS];
	uint64_t old_size;
	int L, rc;

	assert(t->src != NULL);
	pthread_mutex_lock(&t->wmu);
	pthread_rwlock_wrlock(&t->lock);
	old_size = t->size;
	memcpy(old, t->lv, sizeof(old));
	t->size = size;
	for (L = 0; L < NLEVELS; L++) {
		t->lv[L].ondisk = size >> L;
		t->lv[L].tail.len = 0;
	}
	rc = sourced(t, load_edges, NULL);
	if (rc != 0) {
		/* As it was (tails included: the caller may still truncate). */
		t->size = old_size;
		for (L = 0; L < NLEVELS; L++) {
			t->lv[L].ondisk = old[L].ondisk;
			t->lv[L].tail.len = old[L].tail.len;
			memcpy(t->lv[L].last, old[L].last, 32);
		}
	} else
		t->broken = 0;
	pthread_rwlock_unlock(&t->lock);
	pthread_mutex_unlock(&t->wmu);
	return rc;
}

void
merkle_tree_frontier(struct merkle_tree *t, struct merkle_frontier *f)
{
	int n = 0;

	merkle_frontier_init(f);
	pthread_rwlock_rdlock(&t->lock);
	f->size = t->size;
	/* Bit L of the size is a perfect subtree: the last entry of level L. */
	for (int L = NLEVELS - 1; L >= 0; L--)
		if ((t->size >> L) & 1)
			memcpy(f->h[n++], t->lv[L].last, 32);
	pthread_rwlock_unlock(&t->lock);
	assert(n == __builtin_popcountll(f->size));
}

void
merkle_close(struct merkle_tree *t)
{
	if (t != NULL)
		tree_free(t);
}

uint64_t
merkle_size(struct merkle_tree *t)
{
	uint64_t n;

	pthread_rwlock_rdlock(&t->lock);
	n = t->size;
	pthread_rwlock_unlock(&t->lock);
	return n;
}

/* Creates level files that are about to receive their first entries.  The
 * writer holds wmu; the fd is published under the exclusive lock. */
static int
create_levels(struct merkle_tree *t)
{
	char path[4096];
	int L, fd;

	for (L = 0; L < NLEVELS; L++) {
		if (t->lv[L].fd >= 0 || t->lv[L].tail.len == 0)
			continue;
		level_path(path, sizeof(path), t->dir, L);
		fd = open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
		if (fd < 0) {
			rs_seterr("cannot create %s: %s", path, strerror(errno));
			return -1;
		}
		pthread_rwlock_wrlock(&t->lock);
		t->lv[L].fd = fd;
		pthread_rwlock_unlock(&t->lock);
		t->dirdirty = 1;
	}
	return 0;
}

/*
 * Writes every tail to its file (no fdatasync).  Readers keep reading the
 * tails while the writes run; only moving the boundary takes the exclusive
 * lock.  A failed write changes nothing (the next try rewrites from ondisk).
 */
static int
flush_tails(struct merkle_tree *t)
{
	int L, rc = 0;

	if (t->src == NULL && create_levels(t) != 0)
		return -1;
	pthread_rwlock_rdlock(&t->lock);
	for (L = 0; L < NLEVELS && rc == 0; L++) {
		struct level *lv = &t->lv[L];
		if (lv->tail.len == 0)
			continue;
		if (t->src != NULL)
			rc = t->src->write(t->src_ctx, L, lv->ondisk, lv->tail.p,
			    lv->tail.len / MERKLE_HASH);
		else if (fault_write(FAULT_TREE) != 0 ||
		    pwrite_full(lv->fd, lv->tail.p, lv->tail.len,
		    lv->ondisk * MERKLE_HASH) != 0) {
			rs_seterr("cannot write %s/level-%02d: %s", t->dir, L,
			    strerror(errno));
			rc = -1;
		}
	}
	pthread_rwlock_unlock(&t->lock);
	if (rc != 0)
		return -1;
	pthread_rwlock_wrlock(&t->lock);
	for (L = 0; L < NLEVELS; L++) {
		struct level *lv = &t->lv[L];
		if (lv->tail.len == 0)
			continue;
		assert(lv->tail.len % MERKLE_HASH == 0);
		lv->ondisk += lv->tail.len / MERKLE_HASH;
		lv->tail.len = 0;
		lv->dirty = 1;
		/* a tree of n leaves has n >> L entries at level L */
		assert(lv->ondisk == t->size >> L);
	}
	pthread_rwlock_unlock(&t->lock);
	return 0;
}

static int
check_usable(struct merkle_tree *t)
{
	if (t->broken) {
		rs_seterr("the Merkle tree in %s failed to sync earlier; reopen it "
		    "from the committed size", t->dir);
		return -1;
	}
	return 0;
}

int
merkle_append(struct merkle_tree *t, const uint8_t leaf[32])
{
	uint8_t nodes[NLEVELS][32];
	uint64_t i;
	int L, top;

	pthread_mutex_lock(&t->wmu);
	if (check_usable(t) != 0)
		goto fail;
	if (t->size == UINT64_MAX) {
		rs_seterr("the Merkle tree is full");
		goto fail;
	}
	if (t->lv[0].tail.len >= TAIL_FLUSH * MERKLE_HASH &&
	    flush_tails(t) != 0)
		goto fail;
	/* Leaf i completes one subtree per trailing one bit of i. */
	memcpy(nodes[0], leaf, 32);
	i = t->size;
	for (top = 0; (i & 1) != 0; top++, i >>= 1)
		merkle_node_hash(nodes[top + 1], t->lv[top].last, nodes[top]);
	pthread_rwlock_wrlock(&t->lock);
	for (L = 0; L <= top; L++) {
		buf_add(&t->lv[L].tail, nodes[L], 32);
		memcpy(t->lv[L].last, nodes[L], 32);
	}
	t->size++;
	assert(t->lv[top].ondisk + t->lv[top].tail.len / MERKLE_HASH ==
	    t->size >> top);
	pthread_rwlock_unlock(&t->lock);
	pthread_mutex_unlock(&t->wmu);
	return 0;
fail:
	pthread_mutex_unlock(&t->wmu);
	return -1;
}

int
merkle_sync(struct merkle_tree *t)
{
	int L, rc = -1;

	pthread_mutex_lock(&t->wmu);
	if (check_usable(t) != 0 || flush_tails(t) != 0)
		goto out;
	for (L = 0; L < NLEVELS && t->src == NULL; L++) {
		if (!t->lv[L].dirty)
			continue;
		if (!MUTANT(durability) && (fault_write(FAULT_TREE) != 0 ||
		    fdatasync(t->lv[L].fd) != 0)) {
			/* After a failed fdatasync the kernel may have dropped
			 * the dirty pages: retrying would lie. */
			rs_seterr("cannot sync %s/level-%02d: %s", t->dir, L,
			    strerror(errno));
			t->broken = 1;
			goto out;
		}
		t->lv[L].dirty = 0;
	}
	if (t->dirdirty) {
		if (fsync_dir(t->dir) != 0) {
			t->broken = 1;
			goto out;
		}
		t->dirdirty = 0;
	}
	rc = 0;
out:
	pthread_mutex_unlock(&t->wmu);
	return rc;
}

/* sourced() body: the last entry of every level at the tree's size. */
static int
read_edges(struct merkle_tree *t, void *arg)
{
	uint64_t c;

	(void)arg;
	for (int L = 0; L < NLEVELS; L++) {
		c = t->size >> L;
		if (c > 0 && get_entry(t, L, c - 1, t->lv[L].last) != 0)
			return -1;
	}
	return 0;
}

int
merkle_truncate(struct merkle_tree *t, uint64_t size)
{
	uint64_t c;
	int L, cut[NLEVELS], rc = 0;

	pthread_mutex_lock(&t->wmu);
	if (check_usable(t) != 0)
		goto fail;
	if (size > t->size) {
		rs_seterr("cannot truncate the Merkle tree to %llu leaves: it has "
		    "only %llu", (ull)size, (ull)t->size);
		goto fail;
	}
	pthread_rwlock_wrlock(&t->lock);
	for (L = 0; L < NLEVELS; L++) {
		struct level *lv = &t->lv[L];
		c = size >> L;
		cut[L] = 0;
		if (c >= lv->ondisk)
			lv->tail.len = (size_t)(c - lv->ondisk) * MERKLE_HASH;
		else {
			lv->ondisk = c;
			lv->tail.len = 0;
			cut[L] = 1;
		}
		assert(lv->ondisk + lv->tail.len / MERKLE_HASH == c);
	}
	t->size = size;
	pthread_rwlock_unlock(&t->lock);
	if (sourced(t, read_edges, NULL) != 0) {
		t->broken = 1;
		goto fail;
	}
	/* The files may keep stale entries past ondisk: nothing reads them and
	 * the next write overwrites them.  Cutting them keeps the directory
	 * honest for the next open; failing to is not fatal.  (A source's
	 * entries past ondisk go with the caller's rolled-back transaction.) */
	for (L = 0; L < NLEVELS && t->src == NULL; L++) {
		if (!cut[L])
			continue;
		if (fault_write(FAULT_TREE) != 0 || ftruncate(t->lv[L].fd,
		    (off_t)((size >> L) * MERKLE_HASH)) != 0) {
			rs_seterr("cannot truncate %s/level-%02d: %s", t->dir, L,
			    strerror(errno));
			rc = -1;
		}
		t->lv[L].dirty = 1;
	}
	pthread_mutex_unlock(&t->wmu);
	return rc;
fail:
	pthread_mutex_unlock(&t->wmu);
	return -1;
}

static int
check_size(struct merkle_tree *t, uint64_t size)
{
	if (size > t->size) {
		rs_seterr("the log has %llu entries, not %llu", (ull)t->size,
		    (ull)size);
		return -1;
	}
	return 0;
}

/* One read of the tree, as sourced() runs it. */
struct readop {
	enum { READ_ROOT, READ_LEAF, READ_INCLUSION, READ_CONSISTENCY } what;
	uint64_t a, b;			/* size; index; index, size; size1, size2 */
	uint8_t *out;			/* ROOT, LEAF */
	uint8_t (*top)[32];		/* proofs, top-down */
	size_t *count;
};

static int inclusion_nodes(struct merkle_tree *t, uint64_t m, uint64_t n,
    uint8_t (*top)[32], size_t *count);
static int consistency_nodes(struct merkle_tree *t, uint64_t m, uint64_t n,
    uint8_t (*top)[32], size_t *count);

static int
run_read(struct merkle_tree *t, void *arg)
{
	struct readop *op = arg;

	switch (op->what) {
	case READ_ROOT:
		return range_hash(t, 0, op->a, op->out);
	case READ_LEAF:
		return get_entry(t, 0, op->a, op->out);
	case READ_INCLUSION:
		return inclusion_nodes(t, op->a, op->b, op->top, op->count);
	case READ_CONSISTENCY:
		return consistency_nodes(t, op->a, op->b, op->top, op->count);
	}
	return -1;
}

int
merkle_root(struct merkle_tree *t, uint64_t size, uint8_t out[32])
{
	struct readop op = { .what = READ_ROOT, .a = size, .out = out };
	int rc = -1;

	pthread_rwlock_rdlock(&t->lock);
	if (check_size(t, size) != 0)
		goto out;
	if (size == 0) {
		merkle_empty_root(out);
		rc = 0;
	} else
		rc = sourced(t, run_read, &op);
out:
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

int
merkle_leaf(struct merkle_tree *t, uint64_t index, uint8_t out[32])
{
	struct readop op = { .what = READ_LEAF, .a = index, .out = out };
	int rc = -1;

	pthread_rwlock_rdlock(&t->lock);
	if (index >= t->size)
		rs_seterr("the log has no entry %llu (it has %llu)", (ull)index,
		    (ull)t->size);
	else
		rc = sourced(t, run_read, &op);
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

int
merkle_leaves(struct merkle_tree *t, uint64_t index, size_t n, uint8_t (*out)[32])
{
	struct level *lv = &t->lv[0];
	uint64_t disk = 0;
	int rc = -1;

	pthread_rwlock_rdlock(&t->lock);
	if (index > t->size || n > t->size - index) {
		rs_seterr("the log has no entries %llu to %llu (it has %llu)",
		    (ull)index, (ull)(index + n), (ull)t->size);
		goto out;
	}
	if (index < lv->ondisk)
		disk = lv->ondisk - index < n ? lv->ondisk - index : n;
	if (disk > 0 && t->src != NULL) {
		/* A source tree: the stored ones in one read. */
		uint8_t *lvs = xcalloc((size_t)disk, 1);
		uint64_t *ix = xcalloc((size_t)disk, sizeof(*ix));
		for (uint64_t i = 0; i < disk; i++)
			ix[i] = index + i;
		rc = t->src->read(t->src_ctx, (size_t)disk, lvs, ix, out);
		free(lvs);
		free(ix);
		if (rc != 0)
			goto out;
		rc = -1;
	} else if (disk > 0 && pread_full(lv->fd, out, (size_t)disk * MERKLE_HASH,
	    index * MERKLE_HASH) != 0) {
		rs_seterr("cannot read %s/level-00: %s", t->dir, strerror(errno));
		goto out;
	}
	for (uint64_t i = disk; i < n; i++)
		if (get_entry(t, 0, index + i, out[i]) != 0)
			goto out;
	rc = 0;
out:
	pthread_rwlock_unlock(&t->lock);
	return rc;
}

/* RFC 9162 2.1.3.1 PATH(m, D[0:n]), unrolled: walking down from the root,
 * each step's sibling is the next node from the top. */
static int
inclusion_nodes(struct merkle_tree *t, uint64_t m, uint64_t n,
    uint8_t (*top)[32], size_t *count)
{
	uint64_t lo = 0, hi = n, k;
	size_t c = 0;

	while (hi - lo > 1) {
		k = split_point(hi - lo);
		if (c >= MERKLE_MAX_PROOF) {
			rs_seterr("internal error: inclusion proof too long");
			return -1;
		}
		if (m < lo + k) {
			if (range_hash(t, lo + k, hi, top[c++]) != 0)
				return -1;
			hi = lo + k;
		} else {
			if (range_hash(t, lo, lo + k, top[c++]) != 0)
				return -1;
			lo += k;
		}
	}
	*count = c;
	return 0;
}

int
merkle_inclusion_proof(struct merkle_tree *t, uint64_t index, uint64_t size,
    uint8_t (*proof)[32], size_t *nproof)
{
	uint8_t top[MERKLE_MAX_PROOF][32];
	size_t c = 0;
	struct readop op = { .what = READ_INCLUSION, .top = top, .count = &c };
	int rc = -1;

	*nproof = 0;
	pthread_rwlock_rdlock(&t->lock);
	if (check_size(t, size) != 0)
		goto out;
	if (index >= size) {
		rs_seterr("leaf index %llu is outside a tree of %llu leaves",
		    (ull)index, (ull)size);
		goto out;
	}
	op.a = index;
	op.b = size;
	rc = sourced(t, run_read, &op);
out:
	pthread_rwlock_unlock(&t->lock);
	if (rc == 0) {
		reverse_into(proof, top, c);
		*nproof = c;
	}
	return rc;
}

struct sortent {
	uint8_t level;
	uint64_t index;
};

static int
sortent_cmp(const void *a, const void *b)
{
	const struct sortent *x = a, *y = b;

	return entry_cmp(x->level, x->index, y->level, y->index);
}

int
merkle_prefetch(struct merkle_tree *t, const uint64_t *index, size_t n,
    uint64_t size)
{
	uint8_t top[MERKLE_MAX_PROOF][32];
	struct sortent *all;
	struct fetch f;
	size_t c, m = 0;
	int rc = 0;

	merkle_prefetch_end(t);
	if (t->src == NULL || n == 0)
		return 0;
	assert(fetching == NULL);
	memset(&f, 0, sizeof(f));
	f.recording = 1;
	f.all = 1;	/* a page's proofs share most entries: sorted out below */
	pthread_rwlock_rdlock(&t->lock);
	fetching = &f;
	for (size_t i = 0; i < n && rc == 0; i++)
		if (index[i] < size && size <= t->size)
			rc = inclusion_nodes(t, index[i], size, top, &c);
	fetching = NULL;
	pthread_rwlock_unlock(&t->lock);
	if (rc != 0 || f.n == 0)
		goto out;
	/* Sorted and unique, for the lookups of the proofs to come. */
	all = xcalloc(f.n, sizeof(*all));
	for (size_t i = 0; i < f.n; i++) {
		all[i].level = f.level[i];
		all[i].index = f.index[i];
	}
	qsort(all, f.n, sizeof(*all), sortent_cmp);
	for (size_t i = 0; i < f.n; i++)
		if (m == 0 || sortent_cmp(&all[m - 1], &all[i]) != 0)
			all[m++] = all[i];
	cached.level = xmalloc(m);
	cached.index = xcalloc(m, sizeof(*cached.index));
	cached.h = xcalloc(m, 32);
	for (size_t i = 0; i < m; i++) {
		cached.level[i] = all[i].level;
		cached.index[i] = all[i].index;
	}
	free(all);
	if ((rc = t->src->read(t->src_ctx, m, cached.level, cached.index, cached.h)) == 0) {
		cached.t = t;
		cached.n = m;
	} else
		merkle_prefetch_end(t);
out:
	free(f.level);
	free(f.index);
	return rc;
}

void
merkle_prefetch_end(struct merkle_tree *t)
{
	(void)t;
	free(cached.level);
	free(cached.index);
	free(cached.h);
	memset(&cached, 0, sizeof(cached));
}

/* RFC 9162 2.1.4.1 SUBPROOF(m, D[0:n], true), unrolled like PATH. */
static int
consistency_nodes(struct merkle_tree *t, uint64_t m, uint64_t n,
    uint8_t (*top)[32], size_t *count)
{
	uint64_t lo = 0, hi = n, k;
	size_t c = 0;
	int b = 1;

	for (;;) {
		if (c >= MERKLE_MAX_PROOF) {
			rs_seterr("internal error: consistency proof too long");
			return -1;
		}
		if (m == hi) {
			if (!b && range_hash(t, lo, hi, top[c++]) != 0)
				return -1;
			break;
		}
		k = split_point(hi - lo);
		if (m <= lo + k) {
			if (range_hash(t, lo + k, hi, top[c++]) != 0)
				return -1;
			hi = lo + k;
		} else {
			if (range_hash(t, lo, lo + k, top[c++]) != 0)
				return -1;
			lo += k;
			b = 0;
		}
	}
	*count = c;
	return 0;
}

int
merkle_consistency_proof(struct merkle_tree *t, uint64_t size1, uint64_t size2,
    uint8_t (*proof)[32], size_t *nproof)
{
	uint8_t top[MERKLE_MAX_PROOF][32];
	size_t c = 0;
	struct readop op = { .what = READ_CONSISTENCY, .a = size1, .b = size2,
	    .top = top, .count = &c };
	int rc = -1;

	*nproof = 0;
	pthread_rwlock_rdlock(&t->lock);
	if (check_size(t, size2) != 0)
		goto out;
	if (size1 == 0 || size1 > size2) {
		rs_seterr("no consistency proof exists from %llu to %llu leaves",
		    (ull)size1, (ull)size2);
		goto out;
	}
	rc = 0;
	if (size1 < size2)
		rc = sourced(t, run_read, &op);
out:
	pthread_rwlock_unlock(&t->lock);
	if (rc == 0) {
		reverse_into(proof, top, c);
		*nproof = c;
	}
	return rc;
}

/* ---- JSON proofs -------------------------------------------------------- */

/* Results of merkle_check_json. */
#define HOLDS		0
#define FAILS		1
#define NOT_A_PROOF	2

static int
json_size(json_t *o, const char *key, uint64_t *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_integer(v) || json_integer_value(v) < 0) {
		rs_seterr("\"%s\" must be a non-negative integer", key);
		return -1;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

static int
json_bytes(json_t *o, const char *key, struct buf *out)
{
	json_t *v = json_object_get(o, key);

	if (!json_is_string(v)) {
		rs_seterr("\"%s\" must be a base64 string", key);
		return -1;
	}
	if (b64_decode(out, json_string_value(v), json_string_length(v)) != 0) {
		rs_seterr("\"%s\" is not valid base64", key);
		return -1;
	}
	return 0;
}

/* Decodes "proof" (null or an array of base64 strings).  Returns HOLDS when
 * every node is 32 bytes, FAILS when one is not, NOT_A_PROOF otherwise. */
static int
json_proof(json_t *o, uint8_t (*proof)[32], size_t *n)
{
	json_t *arr = json_object_get(o, "proof"), *v;
	struct buf b = {0};
	size_t i;
	int rc = HOLDS;

	*n = 0;
	if (json_is_null(arr))
		return HOLDS;
	if (!json_is_array(arr)) {
		rs_seterr("\"proof\" must be an array or null");
		return NOT_A_PROOF;
	}
	if (json_array_size(arr) > MERKLE_MAX_PROOF) {
		rs_seterr("\"proof\" has %zu hashes, more than any tree needs",
		    json_array_size(arr));
		return FAILS;
	}
	json_array_foreach(arr, i, v) {
		b.len = 0;
		if (!json_is_string(v) ||
		    b64_decode(&b, json_string_value(v), json_string_length(v)) != 0) {
			rs_seterr("proof[%zu] is not a base64 string", i);
			rc = NOT_A_PROOF;
			break;
		}
		if (b.len != MERKLE_HASH) {
			rs_seterr("proof[%zu] is %zu bytes, not %d", i, b.len,
			    MERKLE_HASH);
			rc = FAILS;
			break;
		}
		memcpy(proof[i], b.p, MERKLE_HASH);
	}
	buf_free(&b);
	if (rc == HOLDS)
		*n = json_array_size(arr);
	return rc;
}

static int
check_inclusion_json(json_t *o)
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	struct buf root = {0}, leaf = {0};
	uint64_t index, size;
	size_t n;
	int rc;

	if (json_size(o, "leafIdx", &index) != 0 ||
	    json_size(o, "treeSize", &size) != 0 ||
	    json_bytes(o, "root", &root) != 0 ||
	    json_bytes(o, "leafHash", &leaf) != 0) {
		rc = NOT_A_PROOF;
		goto out;
	}
	if ((rc = json_proof(o, proof, &n)) != HOLDS)
		goto out;
	rc = FAILS;
	if (leaf.len != MERKLE_HASH)
		rs_seterr("the leaf hash is %zu bytes, not %d", leaf.len,
		    MERKLE_HASH);
	else if (root.len != MERKLE_HASH)
		rs_seterr("the root is %zu bytes, not %d", root.len, MERKLE_HASH);
	else if (merkle_verify_inclusion(index, size, leaf.p,
	    (const uint8_t (*)[32])proof, n, root.p) == 0)
		rc = HOLDS;
out:
	buf_free(&root);
	buf_free(&leaf);
	return rc;
}

static int
check_consistency_json(json_t *o)
{
	uint8_t proof[MERKLE_MAX_PROOF][32];
	struct buf r1 = {0}, r2 = {0};
	uint64_t size1, size2;
	size_t n;
	int rc;

	if (json_size(o, "size1", &size1) != 0 ||
	    json_size(o, "size2", &size2) != 0 ||
	    json_bytes(o, "root1", &r1) != 0 ||
	    json_bytes(o, "root2", &r2) != 0) {
		rc = NOT_A_PROOF;
		goto out;
	}
	if ((rc = json_proof(o, proof, &n)) != HOLDS)
		goto out;
	rc = FAILS;
	if (size1 != 0 && size1 == size2) {
		/* Nothing is hashed: the roots need only be the same bytes. */
		if (n != 0)
			rs_seterr("consistency proof between equal sizes must be "
			    "empty");
		else if (r1.len != r2.len ||
		    (r1.len > 0 && memcmp(r1.p, r2.p, r1.len) != 0))
			rs_seterr("two roots of the same size %llu differ",
			    (ull)size1);
		else
			rc = HOLDS;
	} else if (size1 != 0 && size1 < size2 &&
	    (r1.len != MERKLE_HASH || r2.len != MERKLE_HASH))
		rs_seterr("a root is not %d bytes", MERKLE_HASH);
	else {
		uint8_t z[32] = {0};
		const uint8_t *p1 = r1.len == MERKLE_HASH ? r1.p : z;
		const uint8_t *p2 = r2.len == MERKLE_HASH ? r2.p : z;
		/* Here size1 == 0 or size1 > size2: the verifier says why. */
		if (merkle_verify_consistency(size1, size2, p1, p2,
		    (const uint8_t (*)[32])proof, n) == 0)
			rc = HOLDS;
	}
out:
	buf_free(&r1);
	buf_free(&r2);
	return rc;
}

/*
 * jansson stops at integers beyond 2^63 - 1, but a proof may claim a size or
 * index up to 2^64 - 1.  No log holds 2^63 leaves, so such a proof cannot
 * hold; reading the text again with numbers as reals tells whether the huge
 * number is one of the sizes (the proof fails) or something else (the text
 * is not a proof).
 */
static int
huge_size(const char *text, size_t len)
{
	const char *keys[] = { "leafIdx", "treeSize", "size1", "size2" };
	json_t *o, *v;
	size_t i;
	int rc = 0;

	o = json_loadb(text, len, JSON_REJECT_DUPLICATES |
	    JSON_DECODE_INT_AS_REAL, NULL);
	if (!json_is_object(o))
		goto out;
	for (i = 0; i < sizeof(keys) / sizeof(keys[0]); i++) {
		v = json_object_get(o, keys[i]);
		if (json_is_real(v) && json_real_value(v) >= 0x1p63) {
			rs_seterr("\"%s\" is beyond 2^63 - 1; no log is that "
			    "large", keys[i]);
			rc = 1;
		}
	}
out:
	json_decref(o);
	return rc;
}

int
merkle_check_json(const char *text, size_t len)
{
	json_error_t jerr;
	json_t *o;
	int rc;

	if (text == NULL) {
		rs_seterr("no proof given");
		return NOT_A_PROOF;
	}
	o = json_loadb(text, len, JSON_REJECT_DUPLICATES, &jerr);
	if (o == NULL) {
		if (json_error_code(&jerr) == json_error_numeric_overflow &&
		    huge_size(text, len))
			return FAILS;
		rs_seterr("proof is not valid JSON: %s (line %d)", jerr.text,
		    jerr.line);
		return NOT_A_PROOF;
	}
	if (!json_is_object(o)) {
		rs_seterr("proof must be a JSON object");
		rc = NOT_A_PROOF;
	} else if (json_object_get(o, "leafIdx") != NULL)
		rc = check_inclusion_json(o);
	else if (json_object_get(o, "size1") != NULL)
		rc = check_consistency_json(o);
	else {
		rs_seterr("proof has neither \"leafIdx\" nor \"size1\"");
		rc = NOT_A_PROOF;
	}
	json_decref(o);
	return rc;
}
