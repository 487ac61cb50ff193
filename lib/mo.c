/*
 * mo.c - bounds-checked GNU .mo reader (see mo.h).  Both byte orders are
 * accepted, as gettext writes the file in the byte order of the machine
 * that made it.
 */
#include "mo.h"

#include <string.h>

#include "util.h"

#define MO_MAGIC 0x950412deu

struct mo {
	const uint8_t *p;
	size_t len;
	int swap;
};

static int
u32(const struct mo *m, size_t off, uint32_t *v)
{
	uint32_t x;

	if (off > m->len || m->len - off < 4)
		return -1;
	memcpy(&x, m->p + off, 4);
	if (m->swap)
		x = __builtin_bswap32(x);
	*v = x;
	return 0;
}

/* The string of table entry i: its length and offset must lie inside the
 * file, with a NUL right after. */
static const char *
entry(const struct mo *m, uint32_t table, uint32_t i)
{
	uint32_t slen, soff;
	size_t at = (size_t)table + (size_t)i * 8;

	if (u32(m, at, &slen) != 0 || u32(m, at + 4, &soff) != 0)
		return NULL;
	if (soff > m->len || m->len - soff <= slen || m->p[soff + slen] != '\0')
		return NULL;
	return (const char *)m->p + soff;
}

int
mo_walk(const uint8_t *p, size_t len, mo_pair_fn fn, void *ctx)
{
	struct mo m = { p, len, 0 };
	uint32_t magic, rev, n, otab, ttab;

	if (len < 20) {
		rs_seterr("not a .mo catalogue: too short");
		return -1;
	}
	memcpy(&magic, p, 4);
	if (magic == __builtin_bswap32(MO_MAGIC))
		m.swap = 1;
	else if (magic != MO_MAGIC) {
		rs_seterr("not a .mo catalogue: bad magic number");
		return -1;
	}
	if (u32(&m, 4, &rev) != 0 || u32(&m, 8, &n) != 0 || u32(&m, 12, &otab) != 0 ||
	    u32(&m, 16, &ttab) != 0)
		return -1;
	if ((rev >> 16) != 0) {
		rs_seterr("unsupported .mo revision %u", rev >> 16);
		return -1;
	}
	if ((uint64_t)n * 8 > len || otab > len - (size_t)n * 8 || ttab > len - (size_t)n * 8) {
		rs_seterr("corrupt .mo catalogue: string tables outside the file");
		return -1;
	}
	for (uint32_t i = 0; i < n; i++) {
		const char *o = entry(&m, otab, i), *t = entry(&m, ttab, i);
		if (o == NULL || t == NULL) {
			rs_seterr("corrupt .mo catalogue: string %u outside the file", i);
			return -1;
		}
		if (fn(ctx, o, t) != 0)
			break;
	}
	return 0;
}
