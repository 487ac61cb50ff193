/*
 * stix_pattern.c - a parser of the STIX 2.1 patterning language, for the
 * subset roster builds and reads (see stix.h; docs/taxii.md, "Patterns").
 *
 * The grammar is the specification's (section 9, and its ANTLR grammar
 * STIXPattern.g4), cut down to what an indicator of roster's list means:
 *
 *   pattern      = obs-or END
 *   obs-or       = obs-and *( "OR" obs-and )
 *   obs-and      = obs *( "AND" obs )
 *   obs          = "[" cmp-or "]" / "(" obs-or ")"
 *   cmp-or       = cmp-and *( "OR" cmp-and )
 *   cmp-and      = test *( "AND" test )
 *   test         = "(" cmp-or ")" / path ["NOT"] op literal
 *   op           = "=" / "==" / "!=" / "<>" / "LIKE" / "MATCHES" /
 *                  "ISSUBSET" / "ISSUPERSET" / "IN"  (IN takes a set:
 *                  "(" string *( "," string ) ")")
 *   path         = one of ipv4-addr:value, ipv6-addr:value,
 *                  domain-name:value, url:value, email-addr:value,
 *                  file:hashes.MD5, file:hashes.'SHA-1',
 *                  file:hashes.'SHA-256', file:hashes.'SHA-512'
 *   literal      = a string: '...' where \' and \\ are the only escapes
 *
 * AND binds tighter than OR, as in the specification.  What the language
 * has beyond this (FOLLOWEDBY, WITHIN, REPEATS, START/STOP, EXISTS, the
 * ordering operators, numbers, booleans, t'', h'' and b'' literals, index
 * steps, other paths, comments) is refused by name, "unsupported
 * 'FOLLOWEDBY' at 30", rather than as a syntax error, so that a CERT knows
 * its pattern is well formed but not one roster carries.  Literals are
 * type-checked against their path by the same rule the indicators field
 * uses (catalogue_indicator): [ipv4-addr:value = 'example.org'] is refused.
 *
 * Positions are byte offsets from 0.  Nesting is bounded by
 * STIX_MAX_PATTERN_DEPTH (recursion depth) and the number of comparisons
 * and literals by STIX_MAX_VALUES, so a hostile pattern costs at most
 * a few thousand nodes.
 */
#include "stix.h"

#include <assert.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "catalogue.h"

enum tok {
	T_END, T_LBRACK, T_RBRACK, T_LPAREN, T_RPAREN, T_COMMA, T_COLON, T_DOT,
	T_STRING, T_IDENT, T_EQ, T_NEQ, T_ORDER, T_OTHER
};

struct parser {
	const char *s;
	size_t pos;		/* where the current token starts */
	size_t next;		/* where the one after it starts */
	enum tok tok;
	char *text;		/* T_STRING: unescaped; T_IDENT: the word */
	int depth;
	struct stix_pattern *p;
	int failed;
};

static const struct {
	const char *sco, *first, *key, *text, *ind;
} paths[STIX_PATH_N] = {
	[STIX_PATH_IPV4] = { "ipv4-addr", "value", NULL, "ipv4-addr:value", "ip" },
	[STIX_PATH_IPV6] = { "ipv6-addr", "value", NULL, "ipv6-addr:value", "ip" },
	[STIX_PATH_DOMAIN] = { "domain-name", "value", NULL, "domain-name:value", "domain" },
	[STIX_PATH_URL] = { "url", "value", NULL, "url:value", "url" },
	[STIX_PATH_EMAIL] = { "email-addr", "value", NULL, "email-addr:value", "email" },
	[STIX_PATH_MD5] = { "file", "hashes", "MD5", "file:hashes.MD5", "md5" },
	[STIX_PATH_SHA1] = { "file", "hashes", "SHA-1", "file:hashes.'SHA-1'", "sha1" },
	[STIX_PATH_SHA256] = { "file", "hashes", "SHA-256", "file:hashes.'SHA-256'", "sha256" },
	[STIX_PATH_SHA512] = { "file", "hashes", "SHA-512", "file:hashes.'SHA-512'", "sha512" },
};

static const char *const unsupported_words[] = {
	"FOLLOWEDBY", "WITHIN", "REPEATS", "TIMES", "START", "STOP", "SECONDS",
	"EXISTS", "LAST", "true", "false", NULL
};

const char *
stix_path_text(enum stix_path path)
{
	assert(path < STIX_PATH_N);
	return paths[path].text;
}

const char *
stix_path_sco(enum stix_path path)
{
	assert(path < STIX_PATH_N);
	return paths[path].sco;
}

void
stix_pattern_quote(struct buf *out, const char *v)
{
	buf_addstr(out, "'");
	for (; *v; v++) {
		if (*v == '\'' || *v == '\\')
			buf_addstr(out, "\\");
		buf_add(out, v, 1);
	}
	buf_addstr(out, "'");
}

/* ---- errors --------------------------------------------------------------- */

static int
perr(struct parser *ps, size_t at, const char *fmt, ...)
{
	char msg[RS_ERRLEN];
	va_list ap;

	if (ps->failed)
		return -1;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	rs_seterr("%s at %zu", msg, at);
	ps->failed = 1;
	return -1;
}

/* What the current token is, for "unexpected X". */
static void
describe(struct parser *ps, char *out, size_t len)
{
	switch (ps->tok) {
	case T_END:
		snprintf(out, len, "end of pattern");
		break;
	case T_STRING:
		snprintf(out, len, "string");
		break;
	case T_IDENT:
		snprintf(out, len, "'%.32s'", ps->text);
		break;
	default: {
		size_t n = ps->next - ps->pos;
		snprintf(out, len, "'%.*s'", (int)(n > 8 ? 8 : n), ps->s + ps->pos);
	}
	}
}

static int
unexpected(struct parser *ps)
{
	char what[64];

	describe(ps, what, sizeof(what));
	return perr(ps, ps->pos, "unexpected %s", what);
}

/* ---- lexer ---------------------------------------------------------------- */

static int
ident_start(char c)
{
	return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}

static int
ident_char(char c)
{
	return ident_start(c) || (c >= '0' && c <= '9') || c == '-';
}

/* Reads the token at ps->next into the current one; -1 on a lexical error. */
static int
lex(struct parser *ps)
{
	const char *s = ps->s;
	size_t i = ps->next;
	struct buf b = {0};

	free(ps->text);
	ps->text = NULL;
	while (s[i] == ' ' || s[i] == '\t' || s[i] == '\r' || s[i] == '\n' ||
	    s[i] == '\v' || s[i] == '\f')
		i++;
	ps->pos = i;
	switch (s[i]) {
	case '\0':
		ps->tok = T_END;
		ps->next = i;
		return 0;
	case '[': ps->tok = T_LBRACK; ps->next = i + 1; return 0;
	case ']': ps->tok = T_RBRACK; ps->next = i + 1; return 0;
	case '(': ps->tok = T_LPAREN; ps->next = i + 1; return 0;
	case ')': ps->tok = T_RPAREN; ps->next = i + 1; return 0;
	case ',': ps->tok = T_COMMA; ps->next = i + 1; return 0;
	case ':': ps->tok = T_COLON; ps->next = i + 1; return 0;
	case '.': ps->tok = T_DOT; ps->next = i + 1; return 0;
	case '=':
		ps->tok = T_EQ;
		ps->next = i + (s[i + 1] == '=' ? 2 : 1);
		return 0;
	case '!':
		if (s[i + 1] != '=')
			break;
		ps->tok = T_NEQ;
		ps->next = i + 2;
		return 0;
	case '<':
		ps->tok = s[i + 1] == '>' ? T_NEQ : T_ORDER;
		ps->next = i + (s[i + 1] == '>' || s[i + 1] == '=' ? 2 : 1);
		return 0;
	case '>':
		ps->tok = T_ORDER;
		ps->next = i + (s[i + 1] == '=' ? 2 : 1);
		return 0;
	case '\'':
		for (i++; s[i] != '\''; i++) {
			if (s[i] == '\0') {
				buf_free(&b);
				return perr(ps, ps->pos, "unterminated string");
			}
			if (s[i] == '\\') {
				if (s[i + 1] != '\'' && s[i + 1] != '\\') {
					buf_free(&b);
					return perr(ps, i, "unknown escape in string (only \\' "
					    "and \\\\ are escapes)");
				}
				i++;
			}
			buf_add(&b, s + i, 1);
		}
		ps->tok = T_STRING;
		ps->text = xstrdup(buf_cstr(&b));
		buf_free(&b);
		ps->next = i + 1;
		return 0;
	default:
		break;
	}
	if (ident_start(s[i])) {
		size_t j = i;
		while (ident_char(s[j]))
			j++;
		if (j == i + 1 && strchr("thb", s[i]) != NULL && s[j] == '\'')
			return perr(ps, i, "unsupported %s literal", s[i] == 't' ?
			    "timestamp" : s[i] == 'h' ? "hex" : "binary");
		ps->tok = T_IDENT;
		ps->text = xmalloc(j - i + 1);
		memcpy(ps->text, s + i, j - i);
		ps->text[j - i] = '\0';
		ps->next = j;
		return 0;
	}
	if ((s[i] >= '0' && s[i] <= '9') || s[i] == '+' || s[i] == '-')
		return perr(ps, i, "unsupported number literal");
	return perr(ps, i, "unexpected character");
}

static int
is_word(struct parser *ps, const char *w)
{
	return ps->tok == T_IDENT && strcmp(ps->text, w) == 0;
}

/* An unsupported keyword or operator as the current token: a clear error. */
static int
unsupported_here(struct parser *ps)
{
	if (ps->tok == T_ORDER)
		return perr(ps, ps->pos, "unsupported '%.*s'", (int)(ps->next - ps->pos),
		    ps->s + ps->pos);
	for (int i = 0; ps->tok == T_IDENT && unsupported_words[i] != NULL; i++)
		if (strcmp(ps->text, unsupported_words[i]) == 0)
			return perr(ps, ps->pos, "unsupported '%s'", ps->text);
	return 0;
}

static int
expect(struct parser *ps, enum tok t)
{
	if (ps->tok != t) {
		if (unsupported_here(ps) != 0)
			return -1;
		return unexpected(ps);
	}
	return lex(ps);
}

/* ---- tree ------------------------------------------------------------------- */

static int
node(struct parser *ps, enum stix_node_kind kind, int a, int b)
{
	struct stix_pattern *p = ps->p;
	struct stix_node *n;

	p->nodes = xrealloc(p->nodes, (p->nnodes + 1) * sizeof(*p->nodes));
	n = &p->nodes[p->nnodes];
	memset(n, 0, sizeof(*n));
	n->kind = kind;
	n->a = a;
	n->b = b;
	return (int)p->nnodes++;
}

static int
enter(struct parser *ps)
{
	if (++ps->depth > STIX_MAX_PATTERN_DEPTH)
		return perr(ps, ps->pos, "nested deeper than %d", STIX_MAX_PATTERN_DEPTH);
	return 0;
}

/* ---- paths and literals ------------------------------------------------------- */

/* A path component after ':' or '.': a name without '-', or a string. */
static int
component(struct parser *ps, char *out, size_t len)
{
	size_t at = ps->pos;

	if (ps->tok == T_STRING) {
		snprintf(out, len, "%s", ps->text);
	} else if (ps->tok == T_IDENT) {
		if (strchr(ps->text, '-') != NULL)
			return perr(ps, at, "a property name with '-' must be quoted "
			    "('%.32s')", ps->text);
		snprintf(out, len, "%s", ps->text);
	} else
		return unexpected(ps);
	return lex(ps);
}

static int
path(struct parser *ps, enum stix_path *out)
{
	char type[64], first[64], key[64] = "";
	size_t at = ps->pos;
	int nkeys = 0;

	if (ps->tok != T_IDENT)
		return unsupported_here(ps) != 0 ? -1 : unexpected(ps);
	snprintf(type, sizeof(type), "%s", ps->text);
	if (lex(ps) != 0 || expect(ps, T_COLON) != 0 ||
	    component(ps, first, sizeof(first)) != 0)
		return -1;
	while (ps->tok == T_DOT || ps->tok == T_LBRACK) {
		if (ps->tok == T_LBRACK)
			return perr(ps, ps->pos, "unsupported index step");
		if (lex(ps) != 0 || component(ps, key, sizeof(key)) != 0)
			return -1;
		nkeys++;
	}
	for (int i = 0; i < STIX_PATH_N; i++)
		if (strcmp(type, paths[i].sco) == 0 && strcmp(first, paths[i].first) == 0 &&
		    ((paths[i].key == NULL && nkeys == 0) ||
		    (paths[i].key != NULL && nkeys == 1 && strcmp(key, paths[i].key) == 0))) {
			*out = (enum stix_path)i;
			return 0;
		}
	return perr(ps, at, "unsupported object path (roster reads ipv4-addr:value, "
	    "ipv6-addr:value, domain-name:value, url:value, email-addr:value and "
	    "file:hashes of MD5, SHA-1, SHA-256 or SHA-512)");
}

/* Whether literal v fits path under op; 0, or -1 with the reason. */
static int
literal_ok(struct parser *ps, size_t at, enum stix_path path, enum stix_op op,
    const char *v)
{
	char norm[4096];
	int ip = path == STIX_PATH_IPV4 || path == STIX_PATH_IPV6;

	if (op == STIX_OP_LIKE || op == STIX_OP_MATCHES)
		return 0;
	if ((op == STIX_OP_ISSUBSET || op == STIX_OP_ISSUPERSET) && !ip)
		return perr(ps, at, "%s applies to addresses, not to %s",
		    op == STIX_OP_ISSUBSET ? "ISSUBSET" : "ISSUPERSET", paths[path].text);
	if (!catalogue_indicator(paths[path].ind, v, norm, sizeof(norm)) ||
	    (path == STIX_PATH_IPV4 && strchr(v, ':') != NULL) ||
	    (path == STIX_PATH_IPV6 && strchr(v, ':') == NULL))
		return perr(ps, at, "'%.64s' is not a value of %s", v, paths[path].text);
	return 0;
}

static int
add_value(struct parser *ps, size_t at, struct stix_node *t)
{
	struct stix_pattern *p = ps->p;

	if (p->nvalues >= STIX_MAX_VALUES)
		return perr(ps, at, "more than %d values", STIX_MAX_VALUES);
	if (literal_ok(ps, at, t->path, t->op, ps->text) != 0)
		return -1;
	p->values = xrealloc(p->values, (p->nvalues + 1) * sizeof(*p->values));
	p->values[p->nvalues++] = ps->text;
	ps->text = NULL;
	t->nvalues++;
	return lex(ps);
}

/* ---- comparison expressions ------------------------------------------------------ */

static int cmp_or(struct parser *ps, int *out);

static int
test(struct parser *ps, int *out)
{
	struct stix_node *t;
	enum stix_path pth = STIX_PATH_IPV4;
	enum stix_op op;
	int negated = 0, n;

	if (ps->tok == T_LPAREN) {
		if (enter(ps) != 0 || lex(ps) != 0 || cmp_or(ps, out) != 0 ||
		    expect(ps, T_RPAREN) != 0)
			return -1;
		ps->depth--;
		return 0;
	}
	if (is_word(ps, "NOT")) {	/* only NOT EXISTS starts a test */
		if (lex(ps) != 0)
			return -1;
		if (!is_word(ps, "EXISTS"))
			return unexpected(ps);
	}
	if (is_word(ps, "EXISTS"))
		return perr(ps, ps->pos, "unsupported 'EXISTS'");
	if (path(ps, &pth) != 0)
		return -1;
	if (is_word(ps, "NOT")) {
		negated = 1;
		if (lex(ps) != 0)
			return -1;
	}
	if (ps->tok == T_EQ)
		op = STIX_OP_EQ;
	else if (ps->tok == T_NEQ)
		op = STIX_OP_NEQ;
	else if (is_word(ps, "IN"))
		op = STIX_OP_IN;
	else if (is_word(ps, "LIKE"))
		op = STIX_OP_LIKE;
	else if (is_word(ps, "MATCHES"))
		op = STIX_OP_MATCHES;
	else if (is_word(ps, "ISSUBSET"))
		op = STIX_OP_ISSUBSET;
	else if (is_word(ps, "ISSUPERSET"))
		op = STIX_OP_ISSUPERSET;
	else
		return unsupported_here(ps) != 0 ? -1 : unexpected(ps);
	n = node(ps, STIX_N_TEST, -1, -1);
	t = &ps->p->nodes[n];
	t->path = pth;
	t->op = op;
	t->negated = negated;
	t->first = ps->p->nvalues;
	if (lex(ps) != 0)
		return -1;
	if (op == STIX_OP_IN) {
		if (expect(ps, T_LPAREN) != 0)
			return -1;
		for (;;) {
			if (ps->tok != T_STRING)
				return unexpected(ps);
			/* add_value may move the node array: index it again */
			if (add_value(ps, ps->pos, &ps->p->nodes[n]) != 0)
				return -1;
			if (ps->tok != T_COMMA)
				break;
			if (lex(ps) != 0)
				return -1;
		}
		if (expect(ps, T_RPAREN) != 0)
			return -1;
	} else {
		if (ps->tok != T_STRING)
			return unsupported_here(ps) != 0 ? -1 : unexpected(ps);
		if (add_value(ps, ps->pos, t) != 0)
			return -1;
	}
	*out = n;
	return 0;
}

static int
cmp_and(struct parser *ps, int *out)
{
	int a, b;

	if (test(ps, &a) != 0)
		return -1;
	while (is_word(ps, "AND")) {
		if (lex(ps) != 0 || test(ps, &b) != 0)
			return -1;
		a = node(ps, STIX_N_AND, a, b);
	}
	*out = a;
	return 0;
}

static int
cmp_or(struct parser *ps, int *out)
{
	int a, b;

	if (cmp_and(ps, &a) != 0)
		return -1;
	while (is_word(ps, "OR")) {
		if (lex(ps) != 0 || cmp_and(ps, &b) != 0)
			return -1;
		a = node(ps, STIX_N_OR, a, b);
	}
	*out = a;
	return 0;
}

/* ---- observation expressions --------------------------------------------------- */

static int obs_or(struct parser *ps, int *out);

static int
obs(struct parser *ps, int *out)
{
	int inner;

	if (ps->tok == T_LBRACK) {
		if (enter(ps) != 0 || lex(ps) != 0 || cmp_or(ps, &inner) != 0 ||
		    expect(ps, T_RBRACK) != 0)
			return -1;
		*out = node(ps, STIX_N_OBSERVATION, inner, -1);
	} else if (ps->tok == T_LPAREN) {
		if (enter(ps) != 0 || lex(ps) != 0 || obs_or(ps, out) != 0 ||
		    expect(ps, T_RPAREN) != 0)
			return -1;
	} else
		return unsupported_here(ps) != 0 ? -1 : unexpected(ps);
	ps->depth--;
	/* a qualifier (WITHIN, REPEATS, START) after an observation */
	return unsupported_here(ps);
}

static int
obs_and(struct parser *ps, int *out)
{
	int a, b;

	if (obs(ps, &a) != 0)
		return -1;
	while (is_word(ps, "AND")) {
		if (lex(ps) != 0 || obs(ps, &b) != 0)
			return -1;
		a = node(ps, STIX_N_AND, a, b);
		ps->p->nodes[a].observation = 1;
	}
	*out = a;
	return 0;
}

static int
obs_or(struct parser *ps, int *out)
{
	int a, b;

	if (obs_and(ps, &a) != 0)
		return -1;
	while (is_word(ps, "OR")) {
		if (lex(ps) != 0 || obs_and(ps, &b) != 0)
			return -1;
		a = node(ps, STIX_N_OR, a, b);
		ps->p->nodes[a].observation = 1;
	}
	*out = a;
	return 0;
}

int
stix_pattern_parse(const char *s, struct stix_pattern *p)
{
	struct parser ps = { .s = s, .p = p };
	int rc = -1;

	memset(p, 0, sizeof(*p));
	p->root = -1;
	if (s == NULL || strlen(s) > STIX_MAX_PATTERN) {
		rs_seterr("longer than %d bytes", STIX_MAX_PATTERN);
		return -1;
	}
	if (lex(&ps) == 0 && obs_or(&ps, &p->root) == 0) {
		if (ps.tok != T_END)
			(void)(unsupported_here(&ps) != 0 || unexpected(&ps));
		else
			rc = 0;
	}
	free(ps.text);
	assert(rc != 0 || (p->root >= 0 && (size_t)p->root < p->nnodes));
	return rc;
}

void
stix_pattern_free(struct stix_pattern *p)
{
	for (size_t i = 0; i < p->nvalues; i++)
		free(p->values[i]);
	free(p->values);
	free(p->nodes);
	memset(p, 0, sizeof(*p));
	p->root = -1;
}
