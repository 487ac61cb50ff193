/*
 * taxii.h - the parts of a TAXII 2.1 (OASIS, 2021) server that are pure
 * functions: media-type negotiation, error objects, the query parameters
 * of the object endpoints and the opaque "next" token of pagination.
 *
 * The server (on the node, over its store) is built on these; keeping them
 * here lets them be tested and fuzzed alone.  The choices where TAXII
 * leaves room (what an absent Accept means, which unknown parameters are
 * refused, what the token binds) are in docs/taxii.md.
 */
#ifndef ROSTER_TAXII_H
#define ROSTER_TAXII_H

#include <stddef.h>
#include <stdint.h>
#include <jansson.h>

#include "stix.h"
#include "util.h"

/* The one media type of TAXII 2.1: every response, errors included. */
#define TAXII_MEDIA_TYPE	"application/taxii+json;version=2.1"

enum taxii_media {
	TAXII_MEDIA_OK = 0,
	TAXII_MEDIA_UNSUPPORTED,	/* 406 for Accept, 415 for Content-Type */
	TAXII_MEDIA_MALFORMED		/* 400: the header does not parse */
};

/* Whether a response of TAXII_MEDIA_TYPE satisfies an Accept header (RFC
 * 9110 section 12.5.1: the most specific matching range decides, q=0
 * refuses); no header accepts anything.  rs_err says why not. */
enum taxii_media taxii_accept(const char *accept) STIX_WUR;
/* Whether a request body's Content-Type is TAXII 2.1's (a version other
 * than 2.1, another type or none at all is unsupported). */
enum taxii_media taxii_content_type(const char *ct) STIX_WUR;

/* A TAXII error object {"title", "description", "http_status"}, a new
 * reference; description may be NULL. */
json_t *taxii_error(int http_status, const char *title, const char *description);

/* ---- requests: paths and credentials (taxii_req.c) ------------------------ */

enum taxii_endpoint {
	TAXII_EP_DISCOVERY,		/* /taxii2/ */
	TAXII_EP_ROOT,			/* /taxii2/ROOT/ */
	TAXII_EP_STATUS,		/* ROOT/status/ID/ */
	TAXII_EP_COLLECTIONS,		/* ROOT/collections/ */
	TAXII_EP_COLLECTION,		/* ROOT/collections/ID/ */
	TAXII_EP_OBJECTS,		/* .../ID/objects/ */
	TAXII_EP_OBJECT,		/* .../ID/objects/OBJECT/ */
	TAXII_EP_VERSIONS,		/* .../ID/objects/OBJECT/versions/ */
	TAXII_EP_MANIFEST		/* .../ID/manifest/ */
};

struct taxii_route {
	enum taxii_endpoint ep;
	char collection[37];		/* lower case */
	char status[37];		/* lower case */
	char object[STIX_ID_MAX];
};

enum taxii_route_result {
	TAXII_ROUTE_OK = 0,
	TAXII_ROUTE_NOT_FOUND		/* 404, rs_err says what was expected */
};

/* Which endpoint a (decoded) path names, with the API root called root;
 * the final '/' may be left out.  Identifiers are checked by form. */
enum taxii_route_result taxii_route_parse(const char *path, const char *root,
    struct taxii_route *r) STIX_WUR;
/* The methods an endpoint takes, for Allow and 405 ("GET, POST"). */
const char *taxii_methods(enum taxii_endpoint ep);

enum taxii_auth {
	TAXII_AUTH_NONE = 0,		/* no Authorization header */
	TAXII_AUTH_BASIC,		/* user and secret (the password) */
	TAXII_AUTH_BEARER,		/* secret alone */
	TAXII_AUTH_MALFORMED		/* another scheme, or it does not decode */
};
/* Reads an Authorization header (NULL: none) into user and secret, which
 * the caller wipes; a value longer than its buffer is malformed. */
enum taxii_auth taxii_auth_parse(const char *header, char *user, size_t ulen,
    char *secret, size_t slen);

/* ---- query parameters ----------------------------------------------------- */

#define TAXII_MAX_QUERY		8192	/* bytes of a query string */
#define TAXII_MAX_LIST		100	/* values of one match[] filter */
#define TAXII_MAX_NEXT		128	/* bytes of a next token */
#define TAXII_MAX_LIMIT		1000000000

/* The parameters, as bits. */
#define TAXII_Q_ADDED_AFTER		0x01
#define TAXII_Q_LIMIT			0x02
#define TAXII_Q_NEXT			0x04
#define TAXII_Q_MATCH_ID		0x08
#define TAXII_Q_MATCH_TYPE		0x10
#define TAXII_Q_MATCH_VERSION		0x20
#define TAXII_Q_MATCH_SPEC_VERSION	0x40

/* What each endpoint takes (TAXII 2.1 sections 5.3 to 5.8). */
#define TAXII_Q_OBJECTS		0x7f	/* GET objects/ and manifest/ */
#define TAXII_Q_OBJECT		(TAXII_Q_ADDED_AFTER | TAXII_Q_LIMIT | TAXII_Q_NEXT | \
				 TAXII_Q_MATCH_VERSION | TAXII_Q_MATCH_SPEC_VERSION)
#define TAXII_Q_VERSIONS	(TAXII_Q_ADDED_AFTER | TAXII_Q_LIMIT | TAXII_Q_NEXT | \
				 TAXII_Q_MATCH_SPEC_VERSION)
#define TAXII_Q_DELETE		(TAXII_Q_MATCH_VERSION | TAXII_Q_MATCH_SPEC_VERSION)
#define TAXII_Q_NONE		0	/* discovery, collections, status */

/* match[version] keywords, as bits. */
#define TAXII_V_LAST	0x1
#define TAXII_V_FIRST	0x2
#define TAXII_V_ALL	0x4

struct taxii_query {
	unsigned given;			/* TAXII_Q_* present in the request */
	int64_t added_after;		/* microseconds; objects added strictly after */
	int64_t limit;
	char *next;
	char **ids;			/* match[id], sorted, without repeats */
	size_t nids;
	char **types;			/* match[type], likewise */
	size_t ntypes;
	unsigned versions;		/* match[version] keywords (TAXII_V_*) */
	int64_t *version_at;		/* match[version] timestamps, sorted, microseconds */
	size_t nversion_at;
	char **spec_versions;		/* match[spec_version], sorted */
	size_t nspec_versions;
};

/* Parses a raw query string (what follows '?', percent-encoded, may be
 * NULL) for an endpoint taking the parameters in allowed.  -1 with rs_err
 * (for a 400) on a malformed value, a parameter given twice, a match[]
 * filter the endpoint does not have, or an added_after/limit/next it does
 * not take; other parameters are ignored.  q is freed by taxii_query_free
 * in every case. */
int taxii_query_parse(struct taxii_query *q, const char *raw, unsigned allowed) STIX_WUR;
void taxii_query_free(struct taxii_query *q);

/* The filters in one canonical form (without limit and next): two queries
 * select the same objects exactly when their forms are equal. */
void taxii_query_canonical(const struct taxii_query *q, struct buf *out);

/* Whether an object passes the match[] filters of q (match[version] and
 * match[spec_version] defaults: last, 2.1): for each version of one object
 * the server asks with that version's modified (or created) time, and
 * whether it is the object's first and last version. */
int taxii_match_id(const struct taxii_query *q, const char *id);
int taxii_match_type(const struct taxii_query *q, const char *type);
int taxii_match_version(const struct taxii_query *q, int64_t version, int is_first,
    int is_last);
int taxii_match_spec_version(const struct taxii_query *q, const char *spec_version);

/* ---- the next token ----------------------------------------------------------- */

/* Where a page ended: the last object's date_added and, for objects added
 * in the same microsecond, the store's sequence number. */
struct taxii_pos {
	int64_t date_added;
	int64_t seq;
};

#define TAXII_NEXT_LEN	48		/* 44 characters and the NUL */

/* The token for the page after pos, for query q on the resource named by
 * scope (the endpoint and collection, e.g. "objects /collections/ID/"):
 * pos in clear and a MAC under key over scope, q's canonical form and pos,
 * in URL-safe base64.  It holds no state, so it survives a restart as long
 * as the key does. */
void taxii_next_encode(const uint8_t key[32], const char *scope,
    const struct taxii_query *q, const struct taxii_pos *pos,
    char out[TAXII_NEXT_LEN]);

enum taxii_next_result {
	TAXII_NEXT_OK = 0,
	TAXII_NEXT_MALFORMED,		/* not a token of this server at all */
	TAXII_NEXT_MISMATCH		/* made for another query or scope, or forged */
};

/* Verifies q->next against q and scope and gives its position. */
enum taxii_next_result taxii_next_decode(const uint8_t key[32], const char *scope,
    const struct taxii_query *q, struct taxii_pos *pos) STIX_WUR;

/* The 32-byte key of the tokens, kept at path (mode 0600): read, or made
 * at random when absent (created whole or not at all, so two servers
 * starting at once agree on one key).  -1 with rs_err. */
int taxii_key_load(const char *path, uint8_t key[32]) STIX_WUR;

#endif
