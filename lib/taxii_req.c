/*
 * taxii_req.c - the parts of a TAXII 2.1 request that are read before any
 * store is touched: which endpoint the path names, and who the
 * Authorization header says is asking (see taxii.h).
 *
 * Paths.  TAXII 2.1 (section 4 and 5) names its resources by URL: the
 * discovery at /taxii2/, an API root below it, and under the root its
 * status resources, collections, objects, one object, its versions and
 * the manifest.  The specification writes every URL with a final '/';
 * a path without it is read the same (the resource is the same, and a
 * redirect would cost a tool a round trip), anything else is a 404 that
 * names what was expected.  Identifiers are checked here, by form (a
 * collection or status id is an RFC 4122 UUID, an object id a STIX
 * identifier), so the handlers only meet well-formed ones; UUIDs are
 * compared in lower case, as this server writes them.
 *
 * Authorization.  "Basic" (RFC 7617: base64 of user:password, the
 * password may contain ':') and "Bearer" (RFC 6750, a token alone) are
 * read; the scheme is case-insensitive, the credentials are not.  A header
 * that is neither, or does not decode, is malformed: the server answers
 * 401 as for none, since TAXII clients expect the challenge.  Secrets are
 * copied into the caller's buffers, which the caller wipes.
 */
#include "taxii.h"

#include <assert.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <sodium.h>

static int
uuid_form(const char *s, size_t n)
{
	static const char pat[] = "xxxxxxxx-xxxx-xxxx-xxxx-xxxxxxxxxxxx";

	if (n != 36)
		return 0;
	for (size_t i = 0; i < 36; i++)
		if (pat[i] == '-' ? s[i] != '-' : !((s[i] >= '0' && s[i] <= '9') ||
		    (s[i] >= 'a' && s[i] <= 'f') || (s[i] >= 'A' && s[i] <= 'F')))
			return 0;
	return 1;
}

static void
lower_copy(char *out, const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		out[i] = (s[i] >= 'A' && s[i] <= 'Z') ? (char)(s[i] - 'A' + 'a') : s[i];
	out[n] = '\0';
}

/* The next segment of *p (without '/'), and whether it was followed by a
 * '/' or was the end; *p moves past it. */
static size_t
segment(const char **p, const char **seg)
{
	size_t n = strcspn(*p, "/");

	*seg = *p;
	*p += n;
	if (**p == '/')
		(*p)++;
	return n;
}

static int
is(const char *seg, size_t n, const char *word)
{
	return n == strlen(word) && strncmp(seg, word, n) == 0;
}

enum taxii_route_result
taxii_route_parse(const char *path, const char *root, struct taxii_route *r)
{
	const char *p = path, *s;
	size_t n;

	memset(r, 0, sizeof(*r));
	if (strncmp(p, "/taxii2", 7) != 0 || (p[7] != '/' && p[7] != '\0')) {
		rs_seterr("%.80s is not a TAXII 2.1 path (they start /taxii2/)", path);
		return TAXII_ROUTE_NOT_FOUND;
	}
	p += p[7] == '/' ? 8 : 7;
	if (*p == '\0') {
		r->ep = TAXII_EP_DISCOVERY;
		return TAXII_ROUTE_OK;
	}
	n = segment(&p, &s);
	if (!is(s, n, root)) {
		rs_seterr("no API root %.*s here (the discovery at /taxii2/ lists it: /taxii2/%s/)",
		    (int)(n > 64 ? 64 : n), s, root);
		return TAXII_ROUTE_NOT_FOUND;
	}
	if (*p == '\0') {
		r->ep = TAXII_EP_ROOT;
		return TAXII_ROUTE_OK;
	}
	n = segment(&p, &s);
	if (is(s, n, "status")) {
		n = segment(&p, &s);
		if (!uuid_form(s, n) || *p != '\0')
			goto bad;
		lower_copy(r->status, s, n);
		r->ep = TAXII_EP_STATUS;
		return TAXII_ROUTE_OK;
	}
	if (!is(s, n, "collections"))
		goto bad;
	if (*p == '\0') {
		r->ep = TAXII_EP_COLLECTIONS;
		return TAXII_ROUTE_OK;
	}
	n = segment(&p, &s);
	if (!uuid_form(s, n)) {
		rs_seterr("%.*s is not a collection id (a UUID, as GET collections/ lists them)",
		    (int)(n > 64 ? 64 : n), s);
		return TAXII_ROUTE_NOT_FOUND;
	}
	lower_copy(r->collection, s, n);
	if (*p == '\0') {
		r->ep = TAXII_EP_COLLECTION;
		return TAXII_ROUTE_OK;
	}
	n = segment(&p, &s);
	if (is(s, n, "manifest") && *p == '\0') {
		r->ep = TAXII_EP_MANIFEST;
		return TAXII_ROUTE_OK;
	}
	if (!is(s, n, "objects"))
		goto bad;
	if (*p == '\0') {
		r->ep = TAXII_EP_OBJECTS;
		return TAXII_ROUTE_OK;
	}
	n = segment(&p, &s);
	if (n >= sizeof(r->object)) {
		rs_seterr("an object id is at most %zu characters", sizeof(r->object) - 1);
		return TAXII_ROUTE_NOT_FOUND;
	}
	memcpy(r->object, s, n);
	r->object[n] = '\0';
	if (!stix_id_ok(r->object, NULL)) {
		rs_seterr("%.80s is not a STIX identifier (type--UUID)", r->object);
		return TAXII_ROUTE_NOT_FOUND;
	}
	if (*p == '\0') {
		r->ep = TAXII_EP_OBJECT;
		return TAXII_ROUTE_OK;
	}
	n = segment(&p, &s);
	if (is(s, n, "versions") && *p == '\0') {
		r->ep = TAXII_EP_VERSIONS;
		return TAXII_ROUTE_OK;
	}
bad:
	rs_seterr("%.120s is not a resource of TAXII 2.1 (under /taxii2/%s/: status/ID/, "
	    "collections/, collections/ID/, .../objects/, .../objects/ID/, "
	    ".../objects/ID/versions/, .../manifest/)", path, root);
	return TAXII_ROUTE_NOT_FOUND;
}

const char *
taxii_methods(enum taxii_endpoint ep)
{
	switch (ep) {
	case TAXII_EP_OBJECTS:
		return "GET, POST";
	case TAXII_EP_OBJECT:
		return "GET, DELETE";
	default:
		return "GET";
	}
}

enum taxii_auth
taxii_auth_parse(const char *header, char *user, size_t ulen, char *secret, size_t slen)
{
	uint8_t dec[512];
	size_t n = 0, sp;
	const char *end, *cred, *colon;

	assert(ulen > 0 && slen > 0);
	user[0] = secret[0] = '\0';
	if (header == NULL)
		return TAXII_AUTH_NONE;
	sp = strcspn(header, " ");
	cred = header + sp;
	while (*cred == ' ')
		cred++;
	if (*cred == '\0')
		return TAXII_AUTH_MALFORMED;
	if (sp == 6 && strncasecmp(header, "Bearer", 6) == 0) {
		if (strlen(cred) >= slen || strcspn(cred, " \t") != strlen(cred))
			return TAXII_AUTH_MALFORMED;
		memcpy(secret, cred, strlen(cred) + 1);
		return TAXII_AUTH_BEARER;
	}
	if (sp != 5 || strncasecmp(header, "Basic", 5) != 0)
		return TAXII_AUTH_MALFORMED;
	if (sodium_base642bin(dec, sizeof(dec) - 1, cred, strlen(cred), NULL, &n, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || *end != '\0') {
		sodium_memzero(dec, sizeof(dec));
		return TAXII_AUTH_MALFORMED;
	}
	dec[n] = '\0';
	if (memchr(dec, '\0', n) != NULL || (colon = memchr(dec, ':', n)) == NULL ||
	    (size_t)(colon - (char *)dec) >= ulen ||
	    n - (size_t)(colon - (char *)dec) - 1 >= slen) {
		sodium_memzero(dec, sizeof(dec));
		return TAXII_AUTH_MALFORMED;
	}
	memcpy(user, dec, (size_t)(colon - (char *)dec));
	user[colon - (char *)dec] = '\0';
	memcpy(secret, colon + 1, n - (size_t)(colon - (char *)dec) - 1);
	secret[n - (size_t)(colon - (char *)dec) - 1] = '\0';
	sodium_memzero(dec, sizeof(dec));
	return TAXII_AUTH_BASIC;
}
