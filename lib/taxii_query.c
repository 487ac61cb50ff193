/*
 * taxii_query.c - the URL parameters of TAXII 2.1's object endpoints
 * (section 3.4: added_after, limit, next, match[id|type|version|
 * spec_version]) and the filters they make (see taxii.h).
 *
 * The raw query string is parsed here, not libmicrohttpd's decoded
 * arguments, so that a parameter given twice is seen (and refused: which
 * one would the client mean?) and the whole is one function to fuzz.
 * Values are percent-decoded ('+' is a space, as HTML forms and most
 * clients' URL encoders write it).  Lists are comma-separated; every item
 * must be well formed, so a typo in match[type] is a 400 rather than an
 * empty page.  A match[] filter the endpoint does not have is refused for
 * the same reason: ignoring it would return more than the tool asked for.
 * Other parameters (a cache-buster, say) are ignored and do not enter the
 * canonical form.
 *
 * Lists are kept sorted and without repeats, and timestamps as
 * microseconds, so that the canonical form (which the next token's MAC
 * covers) is the same for "match[type]=b,a" and "match[type]=a,b,a", and
 * for 2026-01-01T00:00:00Z and 2026-01-01T00:00:00.000Z.
 */
#include "taxii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

static const struct {
	const char *name;
	unsigned bit;
} params[] = {
	{ "added_after", TAXII_Q_ADDED_AFTER },
	{ "limit", TAXII_Q_LIMIT },
	{ "next", TAXII_Q_NEXT },
	{ "match[id]", TAXII_Q_MATCH_ID },
	{ "match[type]", TAXII_Q_MATCH_TYPE },
	{ "match[version]", TAXII_Q_MATCH_VERSION },
	{ "match[spec_version]", TAXII_Q_MATCH_SPEC_VERSION },
};
#define NPARAMS	(sizeof(params) / sizeof(params[0]))

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* n bytes of s percent-decoded into a new string; NULL on a bad escape or
 * a decoded NUL. */
static char *
pct_decode(const char *s, size_t n)
{
	char *out = xmalloc(n + 1), *w = out;

	for (size_t i = 0; i < n; i++) {
		if (s[i] == '+')
			*w++ = ' ';
		else if (s[i] == '%') {
			int h, l;
			if (i + 2 >= n || (h = hexval(s[i + 1])) < 0 ||
			    (l = hexval(s[i + 2])) < 0 || (h == 0 && l == 0)) {
				free(out);
				return NULL;
			}
			*w++ = (char)(h * 16 + l);
			i += 2;
		} else
			*w++ = s[i];
	}
	*w = '\0';
	return out;
}

/* The names of the filters in allowed, for messages. */
static void
allowed_names(unsigned allowed, char *out, size_t len)
{
	size_t n = 0;

	out[0] = '\0';
	for (size_t i = 0; i < NPARAMS; i++)
		if (allowed & params[i].bit)
			n += (size_t)snprintf(out + n, n < len ? len - n : 0, "%s%s",
			    n ? ", " : "", params[i].name);
	if (n == 0)
		snprintf(out, len, "none");
}

static int
cmpstr(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

static int
cmpi64(const void *a, const void *b)
{
	int64_t x = *(const int64_t *)a, y = *(const int64_t *)b;

	return x < y ? -1 : x > y;
}

/* Sorts v and drops repeats. */
static void
sort_unique(char **v, size_t *n)
{
	size_t w = 0;

	if (*n == 0)
		return;
	qsort(v, *n, sizeof(*v), cmpstr);
	for (size_t i = 1; i < *n; i++) {
		if (strcmp(v[i], v[w]) == 0)
			free(v[i]);
		else
			v[++w] = v[i];
	}
	*n = w + 1;
}

static int
spec_version_ok(const char *s)
{
	size_t a = strspn(s, "0123456789");

	return a > 0 && a < 4 && s[a] == '.' && strspn(s + a + 1, "0123456789") ==
	    strlen(s + a + 1) && strlen(s + a + 1) > 0 && strlen(s + a + 1) < 4;
}

/* One list filter: its comma-separated items into q. */
static int
parse_list(struct taxii_query *q, unsigned bit, const char *name, char *v)
{
	char *item, *save = NULL;
	size_t count = 0, vlen = strlen(v);

	if (v[0] == ',' || v[vlen - 1] == ',' || strstr(v, ",,") != NULL) {
		rs_seterr("%s: an empty item in the list", name);
		return -1;
	}
	for (item = strtok_r(v, ",", &save); item != NULL; item = strtok_r(NULL, ",", &save)) {
		int64_t us;
		if (++count > TAXII_MAX_LIST) {
			rs_seterr("%s: more than %d items", name, TAXII_MAX_LIST);
			return -1;
		}
		switch (bit) {
		case TAXII_Q_MATCH_ID:
			if (!stix_id_ok(item, NULL)) {
				rs_seterr("%s: \"%.80s\" is not a STIX identifier", name, item);
				return -1;
			}
			q->ids = xrealloc(q->ids, (q->nids + 1) * sizeof(*q->ids));
			q->ids[q->nids++] = xstrdup(item);
			break;
		case TAXII_Q_MATCH_TYPE:
			if (!stix_type_ok(item)) {
				rs_seterr("%s: \"%.80s\" is not a STIX type name", name, item);
				return -1;
			}
			q->types = xrealloc(q->types, (q->ntypes + 1) * sizeof(*q->types));
			q->types[q->ntypes++] = xstrdup(item);
			break;
		case TAXII_Q_MATCH_VERSION:
			if (strcmp(item, "last") == 0)
				q->versions |= TAXII_V_LAST;
			else if (strcmp(item, "first") == 0)
				q->versions |= TAXII_V_FIRST;
			else if (strcmp(item, "all") == 0)
				q->versions |= TAXII_V_ALL;
			else if (stix_ts_parse(item, &us, NULL) == 0) {
				q->version_at = xrealloc(q->version_at,
				    (q->nversion_at + 1) * sizeof(*q->version_at));
				q->version_at[q->nversion_at++] = us;
			} else {
				rs_seterr("%s: \"%.40s\" is not first, last, all or a timestamp",
				    name, item);
				return -1;
			}
			break;
		default:
			if (!spec_version_ok(item)) {
				rs_seterr("%s: \"%.16s\" is not a STIX version such as 2.1", name,
				    item);
				return -1;
			}
			q->spec_versions = xrealloc(q->spec_versions,
			    (q->nspec_versions + 1) * sizeof(*q->spec_versions));
			q->spec_versions[q->nspec_versions++] = xstrdup(item);
		}
	}
	return 0;
}

static int
parse_value(struct taxii_query *q, unsigned bit, const char *name, char *v)
{
	if (v[0] == '\0') {
		rs_seterr("%s: empty", name);
		return -1;
	}
	switch (bit) {
	case TAXII_Q_ADDED_AFTER:
		if (stix_ts_parse(v, &q->added_after, NULL) != 0) {
			char why[RS_ERRLEN];
			snprintf(why, sizeof(why), "%s", rs_err());
			rs_seterr("added_after: %s", why);
			return -1;
		}
		return 0;
	case TAXII_Q_LIMIT:
		if (strspn(v, "0123456789") != strlen(v) || strlen(v) > 10 ||
		    (q->limit = strtoll(v, NULL, 10)) < 1 || q->limit > TAXII_MAX_LIMIT) {
			rs_seterr("limit: \"%.16s\" is not a whole number from 1 to %d", v,
			    TAXII_MAX_LIMIT);
			return -1;
		}
		return 0;
	case TAXII_Q_NEXT:
		if (strlen(v) > TAXII_MAX_NEXT || strspn(v, "ABCDEFGHIJKLMNOPQRSTUVWXYZ"
		    "abcdefghijklmnopqrstuvwxyz0123456789-_") != strlen(v)) {
			rs_seterr("next: not a token this server gave");
			return -1;
		}
		q->next = xstrdup(v);
		return 0;
	default:
		return parse_list(q, bit, name, v);
	}
}

static int
parse_pair(struct taxii_query *q, const char *s, size_t n, unsigned allowed)
{
	const char *eq = memchr(s, '=', n);
	char *name, *value, names[200];
	size_t k;
	int rc = -1;

	name = pct_decode(s, eq ? (size_t)(eq - s) : n);
	value = eq ? pct_decode(eq + 1, n - (size_t)(eq - s) - 1) : xstrdup("");
	if (name == NULL || value == NULL) {
		rs_seterr("the query has a bad %%-escape");
		goto out;
	}
	for (k = 0; k < NPARAMS; k++)
		if (strcmp(name, params[k].name) == 0)
			break;
	if (k == NPARAMS) {
		if (strncmp(name, "match[", 6) == 0) {
			allowed_names(allowed, names, sizeof(names));
			rs_seterr("%.64s is not a filter of TAXII 2.1 (this endpoint takes: %s)",
			    name, names);
		} else
			rc = 0;	/* not ours: ignored */
		goto out;
	}
	if (!(allowed & params[k].bit)) {
		allowed_names(allowed, names, sizeof(names));
		rs_seterr("%s is not a parameter of this endpoint (it takes: %s)", name, names);
		goto out;
	}
	if (q->given & params[k].bit) {
		rs_seterr("%s is given twice (give one, with its values separated by commas)",
		    name);
		goto out;
	}
	q->given |= params[k].bit;
	rc = parse_value(q, params[k].bit, params[k].name, value);
out:
	free(name);
	free(value);
	return rc;
}

int
taxii_query_parse(struct taxii_query *q, const char *raw, unsigned allowed)
{
	const char *p = raw;

	memset(q, 0, sizeof(*q));
	if (raw == NULL)
		return 0;
	if (strlen(raw) > TAXII_MAX_QUERY) {
		rs_seterr("the query is longer than %d bytes", TAXII_MAX_QUERY);
		return -1;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, "&");
		if (n > 0 && parse_pair(q, p, n, allowed) != 0)
			return -1;
		p += n;
		if (*p == '&')
			p++;
	}
	sort_unique(q->ids, &q->nids);
	sort_unique(q->types, &q->ntypes);
	sort_unique(q->spec_versions, &q->nspec_versions);
	if (q->nversion_at > 0) {
		size_t w = 0;
		qsort(q->version_at, q->nversion_at, sizeof(*q->version_at), cmpi64);
		for (size_t i = 1; i < q->nversion_at; i++)
			if (q->version_at[i] != q->version_at[w])
				q->version_at[++w] = q->version_at[i];
		q->nversion_at = w + 1;
	}
	return 0;
}

static void
free_list(char **v, size_t n)
{
	for (size_t i = 0; i < n; i++)
		free(v[i]);
	free(v);
}

void
taxii_query_free(struct taxii_query *q)
{
	free(q->next);
	free_list(q->ids, q->nids);
	free_list(q->types, q->ntypes);
	free_list(q->spec_versions, q->nspec_versions);
	free(q->version_at);
	memset(q, 0, sizeof(*q));
}

static void
canon_list(struct buf *out, const char *name, char **v, size_t n)
{
	buf_printf(out, "%s=", name);
	if (n == 0)
		buf_addstr(out, "-");
	for (size_t i = 0; i < n; i++)
		buf_printf(out, "%s%s", i ? "," : "", v[i]);
	buf_addstr(out, "\n");
}

void
taxii_query_canonical(const struct taxii_query *q, struct buf *out)
{
	unsigned v = q->versions;

	if (q->given & TAXII_Q_ADDED_AFTER)
		buf_printf(out, "added_after=%lld\n", (long long)q->added_after);
	else
		buf_addstr(out, "added_after=-\n");
	canon_list(out, "match[id]", q->ids, q->nids);
	canon_list(out, "match[type]", q->types, q->ntypes);
	if (v == 0 && q->nversion_at == 0)
		v = TAXII_V_LAST;	/* the default */
	buf_printf(out, "match[version]=%s%s%s", v & TAXII_V_ALL ? "all," : "",
	    v & TAXII_V_FIRST ? "first," : "", v & TAXII_V_LAST ? "last," : "");
	for (size_t i = 0; i < q->nversion_at; i++)
		buf_printf(out, "%lld,", (long long)q->version_at[i]);
	buf_addstr(out, "\n");
	canon_list(out, "match[spec_version]", q->spec_versions, q->nspec_versions);
}

static int
listed(char **v, size_t n, const char *s)
{
	return s != NULL && bsearch(&s, v, n, sizeof(*v), cmpstr) != NULL;
}

int
taxii_match_id(const struct taxii_query *q, const char *id)
{
	return q->nids == 0 || listed(q->ids, q->nids, id);
}

int
taxii_match_type(const struct taxii_query *q, const char *type)
{
	return q->ntypes == 0 || listed(q->types, q->ntypes, type);
}

int
taxii_match_version(const struct taxii_query *q, int64_t version, int is_first,
    int is_last)
{
	if (q->versions == 0 && q->nversion_at == 0)
		return is_last;
	if ((q->versions & TAXII_V_ALL) || ((q->versions & TAXII_V_FIRST) && is_first) ||
	    ((q->versions & TAXII_V_LAST) && is_last))
		return 1;
	return q->nversion_at > 0 && bsearch(&version, q->version_at, q->nversion_at,
	    sizeof(*q->version_at), cmpi64) != NULL;
}

int
taxii_match_spec_version(const struct taxii_query *q, const char *spec_version)
{
	if (q->nspec_versions == 0)
		return spec_version != NULL && strcmp(spec_version, "2.1") == 0;
	return listed(q->spec_versions, q->nspec_versions, spec_version);
}
