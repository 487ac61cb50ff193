/*
 * fuzz_taxii_query.c - libFuzzer target for what a TAXII 2.1 client sends
 * before any body: the query string, the next token in it, and the Accept
 * and Content-Type headers (lib/taxii.h).
 *
 * Input, by the first byte: 'A' the rest is an Accept header, 'C' a
 * Content-Type; anything else is a raw query string, parsed for each
 * endpoint (objects, one object, versions, delete).
 *
 * Invariants that abort, for a query that parses:
 *   - its canonical form does not change when the query is parsed again
 *     with its parameters in the reverse order;
 *   - a token made for it (under a fixed key) decodes with it to the same
 *     position, and not with the same query on another resource;
 *   - its own next token, if any, decodes or is refused without harm.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "taxii.h"
#include "util.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static const uint8_t key[32] = { 9 };

static void
die(const char *what)
{
	fprintf(stderr, "fuzz_taxii_query: %s\n", what);
	abort();
}

/* The query with its &-separated parameters in the reverse order. */
static char *
reversed(const char *raw)
{
	size_t n = strlen(raw);
	char *out = xmalloc(n + 2), *w = out;
	const char *end = raw + n;

	while (end > raw) {
		const char *start = end;
		while (start > raw && start[-1] != '&')
			start--;
		if (w != out)
			*w++ = '&';
		memcpy(w, start, (size_t)(end - start));
		w += end - start;
		end = start > raw ? start - 1 : raw;
	}
	*w = '\0';
	return out;
}

static void
fuzz_query(const char *raw, unsigned allowed)
{
	struct taxii_query q, r;
	struct buf a = {0}, b = {0};
	struct taxii_pos pos = { INT64_C(1767225600123456), 77 }, got;
	char tok[TAXII_NEXT_LEN], *rev;

	if (taxii_query_parse(&q, raw, allowed) != 0) {
		taxii_query_free(&q);
		return;
	}
	(void)taxii_next_decode(key, "objects /collections/x/", &q, &got);
	taxii_query_canonical(&q, &a);
	rev = reversed(raw);
	if (taxii_query_parse(&r, rev, allowed) != 0)
		die("a query refused with its parameters reversed");
	taxii_query_canonical(&r, &b);
	if (a.len != b.len || memcmp(a.p, b.p, a.len) != 0)
		die("the order of parameters changed the canonical form");
	taxii_query_free(&r);
	free(rev);

	taxii_next_encode(key, "objects /collections/x/", &q, &pos, tok);
	free(q.next);
	q.next = xstrdup(tok);
	if (taxii_next_decode(key, "objects /collections/x/", &q, &got) != TAXII_NEXT_OK ||
	    got.date_added != pos.date_added || got.seq != pos.seq)
		die("a token does not decode with its own query");
	if (taxii_next_decode(key, "objects /collections/y/", &q, &got) == TAXII_NEXT_OK)
		die("a token decodes on another collection");
	buf_free(&a);
	buf_free(&b);
	taxii_query_free(&q);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const unsigned endpoints[] = { TAXII_Q_OBJECTS, TAXII_Q_OBJECT,
	    TAXII_Q_VERSIONS, TAXII_Q_DELETE };
	char *s = xmalloc(size + 1);

	memcpy(s, data, size);
	s[size] = '\0';
	if (size > 0 && s[0] == 'A')
		(void)taxii_accept(s + 1);
	else if (size > 0 && s[0] == 'C')
		(void)taxii_content_type(s + 1);
	else
		for (size_t i = 0; i < sizeof(endpoints) / sizeof(endpoints[0]); i++)
			fuzz_query(s, endpoints[i]);
	free(s);
	return 0;
}
