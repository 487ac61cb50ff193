/*
 * idmap.h - a map from 32-byte record ids (envelope ids: SHA-256 outputs) to
 * small values, for the projections that look records up by the id another
 * record names (a position names its proposal, a paper its meeting).
 *
 * Open addressing with linear probing over the first eight bytes of the id,
 * which are uniformly random, so no further hashing is needed; the table
 * doubles at half full.  Nothing is ever removed: the log only grows.
 */
#ifndef ROSTER_IDMAP_H
#define ROSTER_IDMAP_H

#include <stddef.h>
#include <stdint.h>

struct idmap_slot {
	uint8_t id[32];
	uint32_t tag;		/* 0: empty slot; the caller's tags are > 0 */
	uint32_t value;
};

struct idmap {
	struct idmap_slot *slots;
	size_t cap;		/* a power of two, or 0 before the first put */
	size_t n;
};

/* Adds id -> (tag, value); tag must be > 0 and id not yet present. */
void idmap_put(struct idmap *m, const uint8_t id[32], uint32_t tag, uint32_t value);
/* The slot of id, or NULL when absent. */
const struct idmap_slot *idmap_get(const struct idmap *m, const uint8_t id[32]);
void idmap_free(struct idmap *m);

#endif
