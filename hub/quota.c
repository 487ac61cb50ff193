/*
 * quota.c - see quota.h.  Signers sit in an open-addressing table keyed by
 * the first bytes of their Ed25519 key (uniformly random), like the
 * directory's; there are a few thousand at most, and a slot is 60 buckets
 * of a minute each (about a kilobyte).  A bucket is reused when its minute
 * comes round again, so nothing ever needs expiring.
 */
#include "quota.h"

#include <assert.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define MINUTES	60
#define MINUTE_MS	60000

struct bucket {
	int64_t minute;		/* minutes since the epoch; -1: empty */
	int64_t count;
	int64_t bytes;
};

struct slot {
	uint8_t key[32];
	struct bucket b[MINUTES];
};

struct quota {
	int64_t max_envelopes, max_bytes;
	struct slot **table;
	size_t n, cap;
};

struct quota *
quota_new(int64_t max_envelopes, int64_t max_bytes)
{
	struct quota *q = xcalloc(1, sizeof(*q));

	assert(max_envelopes >= 0 && max_bytes >= 0);
	q->max_envelopes = max_envelopes;
	q->max_bytes = max_bytes;
	q->cap = 256;
	q->table = xcalloc(q->cap, sizeof(*q->table));
	return q;
}

void
quota_free(struct quota *q)
{
	if (q == NULL)
		return;
	for (size_t i = 0; i < q->cap; i++)
		free(q->table[i]);
	free(q->table);
	free(q);
}

static size_t
slot_of(const uint8_t key[32], size_t cap)
{
	uint64_t h;

	memcpy(&h, key, sizeof(h));
	return (size_t)(h & (cap - 1));
}

static struct slot *
find(struct quota *q, const uint8_t key[32])
{
	for (size_t i = slot_of(key, q->cap);; i = (i + 1) & (q->cap - 1)) {
		if (q->table[i] == NULL)
			return NULL;
		if (memcmp(q->table[i]->key, key, 32) == 0)
			return q->table[i];
	}
}

static void
put(struct slot **table, size_t cap, struct slot *s)
{
	size_t i = slot_of(s->key, cap);

	while (table[i] != NULL)
		i = (i + 1) & (cap - 1);
	table[i] = s;
}

static struct slot *
find_or_add(struct quota *q, const uint8_t key[32])
{
	struct slot *s = find(q, key), **t;

	if (s != NULL)
		return s;
	if ((q->n + 1) * 2 > q->cap) {
		t = xcalloc(q->cap * 2, sizeof(*t));
		for (size_t i = 0; i < q->cap; i++)
			if (q->table[i] != NULL)
				put(t, q->cap * 2, q->table[i]);
		free(q->table);
		q->table = t;
		q->cap *= 2;
	}
	s = xcalloc(1, sizeof(*s));
	memcpy(s->key, key, 32);
	for (int m = 0; m < MINUTES; m++)
		s->b[m].minute = -1;
	put(q->table, q->cap, s);
	q->n++;
	return s;
}

/* Is bucket b within the hour that ends with minute now_min? */
static int
live(const struct bucket *b, int64_t now_min)
{
	return b->minute >= 0 && b->minute > now_min - MINUTES && b->minute <= now_min;
}

int64_t
quota_check(struct quota *q, const uint8_t key[32], size_t len, int64_t now)
{
	int64_t now_min = now / MINUTE_MS, count = 1, bytes = (int64_t)len;
	struct slot *s = find(q, key);
	int64_t free_at;
	int over_n, over_b;

	if (s != NULL)
		for (int m = 0; m < MINUTES; m++)
			if (live(&s->b[m], now_min)) {
				count += s->b[m].count;
				bytes += s->b[m].bytes;
			}
	over_n = q->max_envelopes > 0 && count > q->max_envelopes;
	over_b = q->max_bytes > 0 && bytes > q->max_bytes;
	if (MUTANT(quota) || (!over_n && !over_b))
		return 0;
	if (over_n)
		rs_seterr("this device has signed %lld envelopes in the last hour, "
		    "the hub's quota (quota_envelopes)", (long long)count - 1);
	else
		rs_seterr("this envelope would make the device's envelopes of the "
		    "last hour %lld bytes; the hub's quota is %lld (quota_bytes)",
		    (long long)bytes, (long long)q->max_bytes);
	/* The oldest minutes leave the window first: when enough have gone. */
	free_at = now + (int64_t)MINUTES * MINUTE_MS;
	for (int64_t age = MINUTES - 1; s != NULL && age >= 0; age--) {
		const struct bucket *b = &s->b[(now_min - age) % MINUTES];
		if (b->minute != now_min - age)
			continue;
		count -= b->count;
		bytes -= b->bytes;
		if ((q->max_envelopes == 0 || count <= q->max_envelopes) &&
		    (q->max_bytes == 0 || bytes <= q->max_bytes)) {
			free_at = (b->minute + MINUTES) * MINUTE_MS;
			break;
		}
	}
	return free_at <= now ? 1 : (free_at - now + 999) / 1000;
}

void
quota_charge(struct quota *q, const uint8_t key[32], size_t len, int64_t now)
{
	int64_t now_min = now / MINUTE_MS;
	struct slot *s;
	struct bucket *b;

	if (q->max_envelopes == 0 && q->max_bytes == 0)
		return;
	s = find_or_add(q, key);
	b = &s->b[now_min % MINUTES];
	if (b->minute != now_min) {
		b->minute = now_min;
		b->count = 0;
		b->bytes = 0;
	}
	b->count++;
	b->bytes += (int64_t)len;
}
