/*
 * merkle.h - the append-only log's Merkle tree, RFC 9162 (CT v2) hashing.
 *
 *   leaf hash  = SHA-256(0x00 || data)
 *   node hash  = SHA-256(0x01 || left || right)
 *   empty root = SHA-256("")
 *
 * Two halves.  The verifiers (pure functions, no I/O) are what a node or a
 * third party uses to check the hub.  The tree store is what the hub uses to
 * keep the tree on disk and answer proofs quickly: one flat file per level,
 * holding the hash of every complete, aligned subtree at that level, so any
 * proof is O(log n) reads and memory stays flat however large the log grows.
 */
#ifndef ROSTER_MERKLE_H
#define ROSTER_MERKLE_H

#include <stddef.h>
#include <stdint.h>

#include "util.h"

#define MERKLE_HASH 32
#define MERKLE_MAX_PROOF 128	/* entries; enough for any 64-bit tree size */

void merkle_leaf_hash(uint8_t out[32], const void *data, size_t len);
void merkle_node_hash(uint8_t out[32], const uint8_t left[32], const uint8_t right[32]);
void merkle_empty_root(uint8_t out[32]);

/* Return 0 when the proof holds, -1 (with rs_err set to the reason) when not. */
int merkle_verify_inclusion(uint64_t index, uint64_t size, const uint8_t leaf[32],
    const uint8_t (*proof)[32], size_t nproof, const uint8_t root[32]);
/* size1 == 0 is always an error (it proves nothing); size1 == size2 holds
 * exactly when the proof is empty and root1 == root2. */
int merkle_verify_consistency(uint64_t size1, uint64_t size2,
    const uint8_t root1[32], const uint8_t root2[32],
    const uint8_t (*proof)[32], size_t nproof);

/* Root of the tree over leaves[0..n). Reference implementation, O(n). */
void merkle_root_of(uint8_t out[32], const uint8_t (*leaves)[32], uint64_t n);

/* The leaf hash of a public record (docs/protocol.md section 8):
 * H(0x00 || u64be log index || envelope id || u64be log time). */
void merkle_public_leaf(uint8_t out[32], uint64_t index, const uint8_t id[32],
    int64_t time);

/* ---- compact range ("frontier"), for verifiers ------------------------- */

/*
 * What a verifier keeps to follow a growing tree leaf by leaf without
 * keeping the leaves: the roots of the perfect subtrees that make up the
 * first size leaves, one per set bit of size, largest (leftmost) first, so
 * at most 64 hashes.  Appending a leaf merges the subtrees it completes;
 * folding the hashes right to left gives the RFC 9162 root.  Serialized as
 * "RMF1" || u64be size || popcount(size) hashes, to be kept in a store.
 */
#define MERKLE_FRONTIER_MAX	64
#define MERKLE_FRONTIER_MAGIC	"RMF1"
#define MERKLE_FRONTIER_MAXLEN	(4 + 8 + MERKLE_FRONTIER_MAX * MERKLE_HASH)

struct merkle_frontier {
	uint64_t size;
	uint8_t h[MERKLE_FRONTIER_MAX][32];
};

void merkle_frontier_init(struct merkle_frontier *f);
/* -1 with rs_err when the tree is full (2^64 - 1 leaves). */
int merkle_frontier_append(struct merkle_frontier *f, const uint8_t leaf[32])
    __attribute__((warn_unused_result));
void merkle_frontier_root(const struct merkle_frontier *f, uint8_t out[32]);
void merkle_frontier_serialize(const struct merkle_frontier *f, struct buf *out);
/* Exactly one serialized frontier in p[0..len); -1 with rs_err otherwise. */
int merkle_frontier_parse(struct merkle_frontier *f, const uint8_t *p, size_t len)
    __attribute__((warn_unused_result));

/* ---- on-disk tree (hub) ------------------------------------------------ */

struct merkle_tree;

/* Opens or creates the tree in directory dir.  committed is the size the
 * caller's database says is durable: entries beyond it (written before a crash
 * but never committed) are discarded.  Fails if the files hold fewer than
 * committed leaves (the caller then rebuilds with merkle_append). */
int merkle_open(struct merkle_tree **t, const char *dir, uint64_t committed);
void merkle_close(struct merkle_tree *t);
/* Leaves appended so far, synced or not. */
uint64_t merkle_size(struct merkle_tree *t);
/* Appends in memory; visible to merkle_root and proofs at once. */
int merkle_append(struct merkle_tree *t, const uint8_t leaf[32]);
/* Writes buffered hashes and fdatasyncs every level file. */
int merkle_sync(struct merkle_tree *t);
/* Forgets every leaf from size on (undo of an append whose commit failed). */
int merkle_truncate(struct merkle_tree *t, uint64_t size);
int merkle_root(struct merkle_tree *t, uint64_t size, uint8_t out[32]);
int merkle_leaf(struct merkle_tree *t, uint64_t index, uint8_t out[32]);
/* Leaves [index, index + n) into out, in one read where they are on disk
 * (for walks over the whole tree). */
int merkle_leaves(struct merkle_tree *t, uint64_t index, size_t n,
    uint8_t (*out)[32]);
int merkle_inclusion_proof(struct merkle_tree *t, uint64_t index, uint64_t size,
    uint8_t (*proof)[32], size_t *nproof);
int merkle_consistency_proof(struct merkle_tree *t, uint64_t size1, uint64_t size2,
    uint8_t (*proof)[32], size_t *nproof);

/*
 * A tree whose levels live elsewhere (a database): the same entries as the
 * files above, level L holding the hash of every complete aligned subtree
 * of 2^L leaves.  read fills out[i] with entry index[i] of level[i] for
 * every i < n, in one go (-1 with rs_err on failure); write stores the n
 * hashes (32 bytes each, consecutive) of level from index first on, inside
 * whatever transaction the caller of merkle_sync holds.  merkle_sync then
 * calls write and no fdatasync; the caller's commit makes them durable and
 * a rollback (followed by merkle_truncate) forgets them.  Every read a
 * proof or a root makes is one call of read.
 */
struct merkle_source {
	int (*read)(void *ctx, size_t n, const uint8_t *level,
	    const uint64_t *index, uint8_t (*out)[32]);
	int (*write)(void *ctx, int level, uint64_t first, const uint8_t *hashes,
	    size_t n);
};

/* Opens a source tree of size leaves (name is for messages), reading and
 * checking its right edge; -1 when the source lacks entries or they
 * disagree (the caller then rebuilds). */
int merkle_open_source(struct merkle_tree **t, const char *name,
    const struct merkle_source *src, void *ctx, uint64_t size)
    __attribute__((warn_unused_result));
/* Moves a source tree to size leaves, as the source now holds them (others
 * appended, or after a failed batch): unsynced leaves are forgotten, the
 * right edge is read and checked again.  On failure the tree is as it was. */
int merkle_reset(struct merkle_tree *t, uint64_t size)
    __attribute__((warn_unused_result));
/* Fetches, in one read of a source tree, every entry the inclusion proofs
 * of index[0..n) at size need, and keeps them for this thread's next proofs
 * of t until merkle_prefetch_end (a listing page: one round trip instead of
 * one per record).  Nothing for a file tree.  -1 with rs_err; the proofs
 * then read as without it. */
int merkle_prefetch(struct merkle_tree *t, const uint64_t *index, size_t n,
    uint64_t size);
void merkle_prefetch_end(struct merkle_tree *t);
/* The compact range of the tree at its size, from its right edge (no
 * reads). */
void merkle_tree_frontier(struct merkle_tree *t, struct merkle_frontier *f);

/* ---- JSON proofs (the shape of shared/testdata/merkle) ----------------- */

/* Checks one proof given as JSON text: an inclusion proof (leafIdx, treeSize,
 * root, leafHash, proof) or a consistency proof (size1, size2, root1, root2,
 * proof), byte strings in standard base64, proof may be null.  Returns 0 when
 * the proof holds, 1 when it does not, 2 when the text is not such a proof;
 * rs_err says why for 1 and 2. */
int merkle_check_json(const char *text, size_t len);

#endif
