/*
 * idmap.c - see idmap.h.  Invariant: n * 2 <= cap, so a probe always ends
 * at an empty slot.
 */
#include "idmap.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

static size_t
home(const uint8_t id[32], size_t cap)
{
	uint64_t h;

	memcpy(&h, id, sizeof(h));
	return (size_t)(h & (cap - 1));
}

static void
place(struct idmap_slot *slots, size_t cap, const struct idmap_slot *s)
{
	size_t i = home(s->id, cap);

	while (slots[i].tag != 0)
		i = (i + 1) & (cap - 1);
	slots[i] = *s;
}

void
idmap_put(struct idmap *m, const uint8_t id[32], uint32_t tag, uint32_t value)
{
	struct idmap_slot s;

	assert(tag != 0);
	assert(idmap_get(m, id) == NULL);
	if ((m->n + 1) * 2 > m->cap) {
		size_t ncap = m->cap ? m->cap * 2 : 64;
		struct idmap_slot *ns = xcalloc(ncap, sizeof(*ns));
		for (size_t i = 0; i < m->cap; i++)
			if (m->slots[i].tag != 0)
				place(ns, ncap, &m->slots[i]);
		free(m->slots);
		m->slots = ns;
		m->cap = ncap;
	}
	memcpy(s.id, id, 32);
	s.tag = tag;
	s.value = value;
	place(m->slots, m->cap, &s);
	m->n++;
}

const struct idmap_slot *
idmap_get(const struct idmap *m, const uint8_t id[32])
{
	if (m->cap == 0)
		return NULL;
	for (size_t i = home(id, m->cap);; i = (i + 1) & (m->cap - 1)) {
		const struct idmap_slot *s = &m->slots[i];
		if (s->tag == 0)
			return NULL;
		if (memcmp(s->id, id, 32) == 0)
			return s;
	}
}

void
idmap_free(struct idmap *m)
{
	free(m->slots);
	memset(m, 0, sizeof(*m));
}
