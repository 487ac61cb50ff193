/*
 * taxii_media.c - TAXII 2.1 media types: does a client's Accept allow the
 * one representation the server has, is a request body's Content-Type
 * TAXII's, and the error object every refusal is sent as (see taxii.h).
 *
 * Accept (RFC 9110 section 12.5.1) is a list of media ranges with
 * parameters and a weight.  The representation is
 * application/taxii+json;version=2.1; a range matches it when its type and
 * subtype do (or are "*") and its parameters are version=2.1 and
 * charset=utf-8 at most.  Of the ranges that match, the most specific
 * decides (so "application/taxii+json;q=0, * / *" refuses it), and it is
 * acceptable when that range's weight is above 0.  A header that does not
 * parse is a 400, not a 406: the client said nothing we can answer.  No
 * Accept at all means anything is acceptable (RFC 9110), and we serve.
 *
 * A request body (POST objects/) must be application/taxii+json, version
 * 2.1 or no version, charset utf-8 or none; anything else is a 415.
 */
#include "taxii.h"

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>

#define MAX_PARAMS	8

struct mtype {
	char type[64], subtype[64];
	struct { char name[32], value[64]; } param[MAX_PARAMS];
	int nparam;
	int q;			/* weight in thousandths */
};

static int
tchar(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
	    (c != '\0' && strchr("!#$%&'*+-.^_`|~", c) != NULL);
}

static void
ows(const char **p)
{
	while (**p == ' ' || **p == '\t')
		(*p)++;
}

static int
token(const char **p, char *out, size_t len)
{
	size_t n = 0;

	while (tchar(**p)) {
		if (n + 1 >= len)
			return -1;
		out[n++] = *(*p)++;
	}
	out[n] = '\0';
	return n > 0 ? 0 : -1;
}

static int
quoted(const char **p, char *out, size_t len)
{
	size_t n = 0;

	if (**p != '"')
		return token(p, out, len);
	for ((*p)++; **p != '"'; (*p)++) {
		if (**p == '\0' || (unsigned char)**p < 0x20 || **p == 0x7f)
			return -1;
		if (**p == '\\' && (*++(*p) == '\0'))
			return -1;
		if (n + 1 >= len)
			return -1;
		out[n++] = **p;
	}
	(*p)++;
	out[n] = '\0';
	return 0;
}

/* "0", "0.5", "1.000": the weight in thousandths. */
static int
qvalue(const char *s, int *q)
{
	size_t n = strlen(s), i;
	int v = 0, scale = 1000;

	if (n == 0 || (s[0] != '0' && s[0] != '1') || (n > 1 && (s[1] != '.' || n > 5)))
		return -1;
	for (i = 2; i < n; i++) {
		if (s[i] < '0' || s[i] > '9')
			return -1;
		scale /= 10;
		v += (s[i] - '0') * scale;
	}
	*q = (s[0] - '0') * 1000 + v;
	return *q <= 1000 ? 0 : -1;
}

/* One media type (or range) with its parameters; *p moves past it.  With
 * weight, a "q" parameter is the weight and what follows it is ignored
 * (accept-ext). */
static int
mtype(const char **p, struct mtype *m, int weight)
{
	char name[32], value[64];

	memset(m, 0, sizeof(*m));
	m->q = 1000;
	if (token(p, m->type, sizeof(m->type)) != 0 || **p != '/')
		return -1;
	(*p)++;
	if (token(p, m->subtype, sizeof(m->subtype)) != 0)
		return -1;
	for (;;) {
		const char *save = *p;
		ows(p);
		if (**p != ';') {
			*p = save;
			return 0;
		}
		(*p)++;
		ows(p);
		if (token(p, name, sizeof(name)) != 0 || **p != '=')
			return -1;
		(*p)++;
		if (quoted(p, value, sizeof(value)) != 0)
			return -1;
		if (weight && strcasecmp(name, "q") == 0) {
			if (qvalue(value, &m->q) != 0)
				return -1;
			weight = 2;	/* accept-ext from here on */
			continue;
		}
		if (weight == 2)
			continue;
		for (int i = 0; i < m->nparam; i++)
			if (strcasecmp(m->param[i].name, name) == 0)
				return -1;
		if (m->nparam == MAX_PARAMS)
			return -1;
		snprintf(m->param[m->nparam].name, sizeof(m->param[0].name), "%s", name);
		snprintf(m->param[m->nparam].value, sizeof(m->param[0].value), "%s", value);
		m->nparam++;
	}
}

/* Whether m's parameters allow TAXII 2.1 JSON: version=2.1 and
 * charset=utf-8 at most; *versioned says version was given. */
static int
params_ok(const struct mtype *m, int *versioned)
{
	*versioned = 0;
	for (int i = 0; i < m->nparam; i++) {
		if (strcasecmp(m->param[i].name, "version") == 0) {
			if (strcmp(m->param[i].value, "2.1") != 0)
				return 0;
			*versioned = 1;
		} else if (strcasecmp(m->param[i].name, "charset") != 0 ||
		    strcasecmp(m->param[i].value, "utf-8") != 0)
			return 0;
	}
	return 1;
}

enum taxii_media
taxii_accept(const char *accept)
{
	const char *p = accept;
	int best = -1, best_q = 0, any = 0;

	if (accept == NULL)
		return TAXII_MEDIA_OK;
	if (strlen(accept) > 4096) {
		rs_seterr("the Accept header is longer than 4096 bytes");
		return TAXII_MEDIA_MALFORMED;
	}
	for (;;) {
		struct mtype m;
		int spec, versioned;
		ows(&p);
		if (*p == ',') {
			p++;
			continue;
		}
		if (*p == '\0')
			break;
		if (mtype(&p, &m, 1) != 0)
			goto malformed;
		ows(&p);
		if (*p != ',' && *p != '\0')
			goto malformed;
		any = 1;
		if (strcmp(m.type, "*") == 0 && strcmp(m.subtype, "*") == 0)
			spec = 0;
		else if (strcasecmp(m.type, "application") != 0)
			continue;
		else if (strcmp(m.subtype, "*") == 0)
			spec = 1;
		else if (strcasecmp(m.subtype, "taxii+json") == 0)
			spec = 2;
		else
			continue;
		if (!params_ok(&m, &versioned))
			continue;
		spec = spec * 2 + versioned;
		if (spec > best || (spec == best && m.q > best_q)) {
			best = spec;
			best_q = m.q;
		}
	}
	if (!any)		/* an empty header is no header */
		return TAXII_MEDIA_OK;
	if (best >= 0 && best_q > 0)
		return TAXII_MEDIA_OK;
	rs_seterr("this server answers only in %s, which the Accept header does not "
	    "allow", TAXII_MEDIA_TYPE);
	return TAXII_MEDIA_UNSUPPORTED;
malformed:
	rs_seterr("the Accept header does not parse (media ranges such as %s, separated "
	    "by commas)", TAXII_MEDIA_TYPE);
	return TAXII_MEDIA_MALFORMED;
}

enum taxii_media
taxii_content_type(const char *ct)
{
	struct mtype m;
	const char *p = ct;
	int versioned;

	if (ct == NULL) {
		rs_seterr("a request body needs Content-Type: %s", TAXII_MEDIA_TYPE);
		return TAXII_MEDIA_UNSUPPORTED;
	}
	ows(&p);
	if (mtype(&p, &m, 0) != 0 || (ows(&p), *p != '\0')) {
		rs_seterr("the Content-Type header does not parse");
		return TAXII_MEDIA_MALFORMED;
	}
	if (strcasecmp(m.type, "application") != 0 || strcasecmp(m.subtype, "taxii+json") != 0 ||
	    !params_ok(&m, &versioned)) {
		rs_seterr("Content-Type %.64s/%.64s is not %s", m.type, m.subtype,
		    TAXII_MEDIA_TYPE);
		return TAXII_MEDIA_UNSUPPORTED;
	}
	return TAXII_MEDIA_OK;
}

json_t *
taxii_error(int http_status, const char *title, const char *description)
{
	char status[16];
	json_t *e;

	snprintf(status, sizeof(status), "%d", http_status);
	e = json_pack("{s:s, s:s}", "title", title, "http_status", status);
	if (description != NULL) {
		json_t *d = json_string(description);
		if (d == NULL)	/* it quoted bytes that are not UTF-8 */
			d = json_string("(the reason quoted bytes that are not UTF-8)");
		json_object_set_new(e, "description", d);
	}
	return e;
}
