/*
 * opts.c - the option parser and the help and manual renderers of opts.h.
 *
 * Parsing: argv is read once against the command's tables.  "--name VALUE"
 * and "--name=VALUE" for an option with an argument, "--name" for a flag,
 * "--" ends the options; anything else starting with "-" is an option and
 * must be in a table.  The hits are kept in the order given, so a
 * repeatable option's values come back in that order.
 *
 * Rendering: a doc's prose is cut into blocks (flowed text, or lines kept
 * as written) by one function, next_block, which both renderers use; the
 * terminal gets the text wrapped at 80 columns, roff gets filled paragraphs
 * and no-fill blocks.  Words and their order are the same in both, which is
 * what tests/e2e/test_cli.sh compares.
 */
#include "opts.h"

#include <assert.h>
#include <errno.h>
#include <stdarg.h>
#include <stdlib.h>
#include <string.h>

#include "util.h"

#define WIDTH 79	/* columns of the terminal text */

struct opt_hit {
	const struct opt_spec *spec;
	const char *value;	/* NULL for a flag */
	int used;
};

/* ---- parsing -------------------------------------------------------------- */

static const struct opt_spec *
spec_find(const struct cmd_doc *d, const char *name, size_t len)
{
	const struct opt_spec *tabs[2] = { d->opts, d->common };

	for (int t = 0; t < 2; t++)
		for (const struct opt_spec *s = tabs[t]; s != NULL && s->name != NULL; s++)
			if (strlen(s->name) == len && strncmp(s->name, name, len) == 0)
				return s;
	return NULL;
}

/* Every option name of d, NULL-terminated, malloc'd. */
static const char **
spec_names(const struct cmd_doc *d)
{
	const struct opt_spec *tabs[2] = { d->opts, d->common };
	const char **v;
	size_t n = 0;

	for (int t = 0; t < 2; t++)
		for (const struct opt_spec *s = tabs[t]; s != NULL && s->name != NULL; s++)
			n++;
	v = xcalloc(n + 1, sizeof(*v));
	n = 0;
	for (int t = 0; t < 2; t++)
		for (const struct opt_spec *s = tabs[t]; s != NULL && s->name != NULL; s++)
			v[n++] = s->name;
	return v;
}

static void
vusage(const char *prog, const char *cmd, const char *fmt, va_list ap)
{
	fprintf(stderr, "%s%s%s: ", prog, cmd && *cmd ? " " : "", cmd ? cmd : "");
	vfprintf(stderr, fmt, ap);
	fprintf(stderr, "\n(see `%s%s%s --help`)\n", prog, cmd && *cmd ? " " : "",
	    cmd ? cmd : "");
}

int
opts_usage(const struct opts *o, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(o->doc->prog, o->cmd, fmt, ap);
	va_end(ap);
	return 2;
}

int
opts_usage_for(const char *prog, const char *cmd, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vusage(prog, cmd, fmt, ap);
	va_end(ap);
	return 2;
}

static enum opts_result
unknown(struct opts *o, const char *arg)
{
	const char **names = spec_names(o->doc);
	char word[64];
	const char *near;
	size_t n = strcspn(arg, "=");

	snprintf(word, sizeof(word), "%.*s", (int)(n < sizeof(word) ? n : sizeof(word) - 1),
	    arg);
	near = opts_nearest(word, names);
	if (near != NULL)
		opts_usage(o, "unknown option %s (did you mean %s?)", word, near);
	else
		opts_usage(o, "unknown option %s", word);
	free(names);
	return OPTS_UNKNOWN;
}

enum opts_result
opts_parse(struct opts *o, const struct cmd_doc *doc, int argc, char **argv)
{
	int dashdash = 0;

	assert(doc != NULL && argc >= 1);
	memset(o, 0, sizeof(*o));
	o->doc = doc;
	snprintf(o->cmd, sizeof(o->cmd), "%s", doc->name ? doc->name : "");
	o->hits = xcalloc((size_t)argc, sizeof(*o->hits));
	o->pos = xcalloc((size_t)argc, sizeof(*o->pos));
	o->pos_used = xcalloc((size_t)argc, 1);
	for (int i = 1; i < argc; i++) {
		const char *a = argv[i], *eq;
		const struct opt_spec *s;

		if (dashdash || a[0] != '-' || a[1] == '\0') {
			o->pos[o->npos++] = a;
			continue;
		}
		if (strcmp(a, "--") == 0) {
			dashdash = 1;
			continue;
		}
		eq = strchr(a, '=');
		if ((s = spec_find(doc, a, eq ? (size_t)(eq - a) : strlen(a))) == NULL)
			return unknown(o, a);
		if (!(s->flags & OPT_REPEAT))
			for (int k = 0; k < o->nhits; k++)
				if (o->hits[k].spec == s) {
					opts_usage(o, "%s is given twice", s->name);
					return OPTS_TWICE;
				}
		o->hits[o->nhits].spec = s;
		if (s->arg == NULL) {
			if (eq != NULL) {
				opts_usage(o, "%s takes no value", s->name);
				return OPTS_FLAG_VALUE;
			}
		} else if (eq != NULL)
			o->hits[o->nhits].value = eq + 1;
		else if (i + 1 < argc)
			o->hits[o->nhits].value = argv[++i];
		else {
			opts_usage(o, "%s needs a value (%s %s)", s->name, s->name, s->arg);
			return OPTS_NO_VALUE;
		}
		o->nhits++;
	}
	return OPTS_OK;
}

void
opts_free(struct opts *o)
{
	free(o->hits);
	free(o->pos);
	free(o->pos_used);
	o->hits = NULL;
	o->pos = NULL;
	o->pos_used = NULL;
	o->nhits = o->npos = 0;
}

const char *
opt_value(struct opts *o, const char *name)
{
	const struct opt_spec *s = spec_find(o->doc, name, strlen(name));

	/* Asking for what the table does not document is a bug. */
	assert(s != NULL && s->arg != NULL);
	for (int i = 0; i < o->nhits; i++)
		if (o->hits[i].spec == s && !o->hits[i].used) {
			o->hits[i].used = 1;
			return o->hits[i].value;
		}
	return NULL;
}

int
opt_flag(struct opts *o, const char *name)
{
	const struct opt_spec *s = spec_find(o->doc, name, strlen(name));
	int seen = 0;

	assert(s != NULL && s->arg == NULL);
	for (int i = 0; i < o->nhits; i++)
		if (o->hits[i].spec == s && !o->hits[i].used) {
			o->hits[i].used = 1;
			seen = 1;
		}
	return seen;
}

const char *
opt_positional(struct opts *o)
{
	for (int i = 0; i < o->npos; i++)
		if (!o->pos_used[i]) {
			o->pos_used[i] = 1;
			return o->pos[i];
		}
	return NULL;
}

void
opts_subcommand(struct opts *o, const char *sub)
{
	snprintf(o->cmd, sizeof(o->cmd), "%s %s", o->doc->name ? o->doc->name : "", sub);
}

enum opts_result
opts_finish(struct opts *o)
{
	for (int i = 0; i < o->nhits; i++)
		if (!o->hits[i].used) {
			opts_usage(o, "%s does not go with %s %s", o->hits[i].spec->name,
			    o->doc->prog, o->cmd);
			return OPTS_LEFT;
		}
	for (int i = 0; i < o->npos; i++)
		if (!o->pos_used[i]) {
			opts_usage(o, "unexpected argument \"%s\"", o->pos[i]);
			return OPTS_LEFT;
		}
	return OPTS_OK;
}

/* ---- did you mean --------------------------------------------------------- */

static int
lower(int c)
{
	return c >= 'A' && c <= 'Z' ? c + 32 : c;
}

/* Optimal string alignment distance (edits, a swap of neighbours counting
 * one), case-insensitive; anything over 9 is 9. */
static int
distance(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int d[33][33];

	if (la > 32 || lb > 32)
		return 9;
	for (size_t i = 0; i <= la; i++)
		d[i][0] = (int)i;
	for (size_t j = 0; j <= lb; j++)
		d[0][j] = (int)j;
	for (size_t i = 1; i <= la; i++)
		for (size_t j = 1; j <= lb; j++) {
			int cost = lower(a[i - 1]) != lower(b[j - 1]);
			int v = d[i - 1][j] + 1;
			if (d[i][j - 1] + 1 < v)
				v = d[i][j - 1] + 1;
			if (d[i - 1][j - 1] + cost < v)
				v = d[i - 1][j - 1] + cost;
			if (i > 1 && j > 1 && lower(a[i - 1]) == lower(b[j - 2]) &&
			    lower(a[i - 2]) == lower(b[j - 1]) && d[i - 2][j - 2] + 1 < v)
				v = d[i - 2][j - 2] + 1;
			d[i][j] = v;
		}
	return d[la][lb] > 9 ? 9 : d[la][lb];
}

const char *
opts_nearest(const char *word, const char *const *cands)
{
	const char *best = NULL, *prefix = NULL;
	size_t wl = strlen(word), core = wl - strspn(word, "-");
	int bestd = 9, nprefix = 0;
	/* One edit in a short word, two from five letters, three from nine. */
	int allowed = core < 5 ? 1 : core < 9 ? 2 : 3;

	for (int i = 0; cands[i] != NULL; i++) {
		int dd = distance(word, cands[i]);
		if (dd < bestd) {
			bestd = dd;
			best = cands[i];
		}
		if (core >= 3 && strlen(cands[i]) > wl && strncmp(cands[i], word, wl) == 0) {
			prefix = cands[i];
			nprefix++;
		}
	}
	/* Case alone counts as a typo: "--DIR" is --dir. */
	if (best != NULL && bestd <= allowed && strcmp(best, word) != 0)
		return best;
	return nprefix == 1 ? prefix : NULL;
}

const char *
opts_nearest_cmd(const struct prog_doc *p, const char *word)
{
	const char *names[128];
	size_t n = 0;

	for (size_t i = 0; p->cmds[i] != NULL && n + 1 < sizeof(names) / sizeof(names[0]); i++)
		names[n++] = p->cmds[i]->name;
	names[n] = NULL;
	return opts_nearest(word, names);
}

const struct cmd_doc *
opts_find_cmd(const struct prog_doc *p, const char *name)
{
	for (size_t i = 0; p->cmds[i] != NULL; i++)
		if (strcmp(p->cmds[i]->name, name) == 0)
			return p->cmds[i];
	return NULL;
}

/* ---- prose into blocks ---------------------------------------------------- */

enum block_type { BLOCK_TEXT, BLOCK_KEPT };

struct block {
	enum block_type type;
	const char *p;		/* its lines, as in the source */
	size_t len;
	int gap;		/* a blank line came before it */
};

static size_t
line_len(const char *s)
{
	return strcspn(s, "\n");
}

static int
is_blank(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] != ' ' && s[i] != '\t')
			return 0;
	return 1;
}

/* The next block of the prose at *s; 0 at the end. */
static int
next_block(const char **s, struct block *b, int first)
{
	const char *p = *s;
	int gap = 0;
	size_t n;

	while (*p != '\0' && is_blank(p, n = line_len(p))) {
		gap = 1;
		p += n + (p[n] == '\n');
	}
	if (*p == '\0') {
		*s = p;
		return 0;
	}
	b->type = p[0] == ' ' || p[0] == '\t' ? BLOCK_KEPT : BLOCK_TEXT;
	b->p = p;
	b->gap = gap && !first;
	for (;;) {
		n = line_len(p);
		p += n + (p[n] == '\n');
		if (*p == '\0')
			break;
		n = line_len(p);
		if (is_blank(p, n) || (p[0] == ' ' || p[0] == '\t') != (b->type == BLOCK_KEPT))
			break;
	}
	b->len = (size_t)(p - b->p);
	*s = p;
	return 1;
}

/* Columns a UTF-8 string takes (one per code point). */
static size_t
cols(const char *s, size_t n)
{
	size_t c = 0;

	for (size_t i = 0; i < n; i++)
		c += ((unsigned char)s[i] & 0xc0) != 0x80;
	return c;
}

/* ---- terminal text -------------------------------------------------------- */

/* Words of s (n bytes) wrapped at WIDTH, the first line starting at column
 * at (already written), the others indented by indent. */
static void
wrap(FILE *f, const char *s, size_t n, size_t at, size_t indent)
{
	size_t col = at, i = 0;
	int line_start = 1;

	while (i < n) {
		while (i < n && (s[i] == ' ' || s[i] == '\n' || s[i] == '\t'))
			i++;
		if (i >= n)
			break;
		size_t w = i;
		while (w < n && s[w] != ' ' && s[w] != '\n' && s[w] != '\t')
			w++;
		size_t wc = cols(s + i, w - i);
		if (!line_start && col + 1 + wc > WIDTH) {
			fprintf(f, "\n%*s", (int)indent, "");
			col = indent;
			line_start = 1;
		}
		if (!line_start) {
			fputc(' ', f);
			col++;
		}
		fwrite(s + i, 1, w - i, f);
		col += wc;
		line_start = 0;
		i = w;
	}
	fputc('\n', f);
}

static void
text_prose(FILE *f, const char *prose, size_t indent)
{
	struct block b;
	int first = 1;

	while (prose != NULL && next_block(&prose, &b, first)) {
		if (b.gap)
			fputc('\n', f);
		if (b.type == BLOCK_TEXT) {
			fprintf(f, "%*s", (int)indent, "");
			wrap(f, b.p, b.len, indent, indent);
		} else
			for (const char *l = b.p; l < b.p + b.len; ) {
				size_t n = line_len(l);
				fprintf(f, "%*s%.*s\n", (int)indent, "", (int)n, l);
				l += n + (l[n] == '\n');
			}
		first = 0;
	}
}

/* One synopsis form: "PROG NAME form", wrapped under its first word at
 * depth 0 of brackets, so "[--user NAME --password-file FILE]" stays
 * whole when it can. */
static void
text_form(FILE *f, const char *lead, const char *form, size_t n)
{
	size_t start = 4 + cols(lead, strlen(lead)) + 1, col = start, i = 0;
	int first = 1;

	fprintf(f, "    %s ", lead);
	while (i < n) {
		int depth = 0;
		size_t w;
		while (i < n && form[i] == ' ')
			i++;
		if (i >= n)
			break;
		for (w = i; w < n && (form[w] != ' ' || depth > 0); w++) {
			if (form[w] == '[' || form[w] == '(')
				depth++;
			else if ((form[w] == ']' || form[w] == ')') && depth > 0)
				depth--;
		}
		size_t wc = cols(form + i, w - i);
		if (!first && col + 1 + wc > WIDTH) {
			fprintf(f, "\n%*s", (int)start, "");
			col = start;
			first = 1;
		}
		if (!first) {
			fputc(' ', f);
			col++;
		}
		fwrite(form + i, 1, w - i, f);
		col += wc;
		first = 0;
		i = w;
	}
	fputc('\n', f);
}

static void
lead_of(char *out, size_t len, const struct cmd_doc *d)
{
	snprintf(out, len, "%s%s%s", d->prog, d->name ? " " : "", d->name ? d->name : "");
}

static void
text_options(FILE *f, const struct opt_spec *s)
{
	for (; s != NULL && s->name != NULL; s++) {
		fprintf(f, "    %s%s%s\n", s->name, s->arg ? " " : "", s->arg ? s->arg : "");
		text_prose(f, s->help, 8);
	}
}

void
opts_help(FILE *f, const struct prog_doc *p, const struct cmd_doc *d)
{
	char lead[96];
	const char *form;
	const struct doc_section *sec;

	lead_of(lead, sizeof(lead), d);
	fprintf(f, "NAME\n    %s - %s\n\nSYNOPSIS\n", lead, d->summary);
	for (form = d->synopsis; form != NULL && *form; ) {
		size_t n = line_len(form);
		text_form(f, lead, form, n);
		form += n + (form[n] == '\n');
	}
	if (d->description != NULL) {
		fprintf(f, "\nDESCRIPTION\n");
		text_prose(f, d->description, 4);
	}
	if (d->name == NULL) {
		size_t w = 0;
		fprintf(f, "\nCOMMANDS\n");
		for (size_t i = 0; p->cmds[i] != NULL; i++)
			if (strlen(p->cmds[i]->name) > w)
				w = strlen(p->cmds[i]->name);
		for (size_t i = 0; p->cmds[i] != NULL; i++)
			fprintf(f, "    %-*s  %s\n", (int)w, p->cmds[i]->name, p->cmds[i]->summary);
	}
	if ((d->opts != NULL && d->opts->name != NULL) ||
	    (d->common != NULL && d->common->name != NULL)) {
		fprintf(f, "\nOPTIONS\n");
		text_options(f, d->opts);
		text_options(f, d->common);
	}
	for (sec = d->sections; sec != NULL && sec->title != NULL; sec++) {
		fprintf(f, "\n%s\n", sec->title);
		text_prose(f, sec->text, 4);
	}
	fprintf(f, "\nEXIT STATUS\n");
	text_prose(f, d->exit_status ? d->exit_status : p->exit_status, 4);
	if (d->examples != NULL) {
		fprintf(f, "\nEXAMPLES\n");
		text_prose(f, d->examples, 4);
	}
}

/* ---- roff ----------------------------------------------------------------- */

/* s escaped for roff: backslashes, hyphens (so options copy as typed),
 * quotes and grave accents as themselves, a leading dot or quote. */
static void
roff_text(FILE *f, const char *s, size_t n, int line_start)
{
	for (size_t i = 0; i < n; i++) {
		char c = s[i];
		if (line_start && (c == '.' || c == '\''))
			fputs("\\&", f);
		line_start = 0;
		switch (c) {
		case '\\': fputs("\\e", f); break;
		case '-': fputs("\\-", f); break;
		case '\'': fputs("\\(aq", f); break;
		case '`': fputs("\\(ga", f); break;
		case '\n': fputc(' ', f); break;
		default: fputc(c, f);
		}
	}
}

/* Prose as roff; para is the macro that starts a new paragraph in this
 * place (".PP" in a section, ".IP" under an option). */
static void
roff_prose(FILE *f, const char *prose, const char *para)
{
	struct block b;
	int first = 1;

	while (prose != NULL && next_block(&prose, &b, first)) {
		if (b.gap)
			fprintf(f, "%s\n", para);
		else if (!first)
			fputs(".br\n", f);
		if (b.type == BLOCK_TEXT) {
			/* Words joined on one line, which roff fills. */
			int start = 1;
			for (size_t i = 0; i < b.len; ) {
				while (i < b.len && (b.p[i] == ' ' || b.p[i] == '\n'))
					i++;
				size_t w = i;
				while (w < b.len && b.p[w] != ' ' && b.p[w] != '\n')
					w++;
				if (w == i)
					break;
				if (!start)
					fputc(' ', f);
				roff_text(f, b.p + i, w - i, start);
				start = 0;
				i = w;
			}
			fputc('\n', f);
		} else {
			fputs(".nf\n", f);
			for (const char *l = b.p; l < b.p + b.len; ) {
				size_t n = line_len(l);
				roff_text(f, l, n, 1);
				fputc('\n', f);
				l += n + (l[n] == '\n');
			}
			fputs(".fi\n", f);
		}
		first = 0;
	}
}

static void
roff_upper(FILE *f, const char *s)
{
	for (; *s; s++)
		fputc(*s >= 'a' && *s <= 'z' ? *s - 32 : *s == ' ' ? '-' : *s, f);
}

static void
roff_options(FILE *f, const struct opt_spec *s)
{
	for (; s != NULL && s->name != NULL; s++) {
		fputs(".TP\n\\fB", f);
		roff_text(f, s->name, strlen(s->name), 0);
		fputs("\\fR", f);
		if (s->arg != NULL) {
			fputs(" \\fI", f);
			roff_text(f, s->arg, strlen(s->arg), 0);
			fputs("\\fR", f);
		}
		fputc('\n', f);
		roff_prose(f, s->help, ".IP");
	}
}

void
opts_man(FILE *f, const struct prog_doc *p, const struct cmd_doc *d)
{
	char lead[96];
	const char *form;
	const struct doc_section *sec;

	lead_of(lead, sizeof(lead), d);
	fputs(".\\\" Generated from the same table as --help (lib/opts.c); do not edit.\n", f);
	fputs(".TH \"", f);
	roff_upper(f, lead);
	fprintf(f, "\" \"1\" \"\" \"roster %s\" \"roster manual\"\n.nh\n.ad l\n", ROSTER_VERSION);
	fputs(".SH NAME\n", f);
	for (const char *c = lead; *c; c++)
		fputc(*c == ' ' ? '-' : *c, f);
	fputs(" \\- ", f);
	roff_text(f, d->summary, strlen(d->summary), 0);
	/* Each form a hanging paragraph, without space between them. */
	fputs("\n.SH SYNOPSIS\n.PD 0\n", f);
	for (form = d->synopsis; form != NULL && *form; ) {
		size_t n = line_len(form);
		fputs(".HP 4\n\\fB", f);
		roff_text(f, lead, strlen(lead), 1);
		fputs("\\fR ", f);
		roff_text(f, form, n, 0);
		fputc('\n', f);
		form += n + (form[n] == '\n');
	}
	fputs(".PD\n", f);
	if (d->description != NULL) {
		fputs(".SH DESCRIPTION\n", f);
		roff_prose(f, d->description, ".PP");
	}
	if (d->name == NULL) {
		fputs(".SH COMMANDS\n", f);
		for (size_t i = 0; p->cmds[i] != NULL; i++) {
			fputs(".TP\n\\fB", f);
			roff_text(f, p->cmds[i]->name, strlen(p->cmds[i]->name), 0);
			fputs("\\fR\n", f);
			roff_text(f, p->cmds[i]->summary, strlen(p->cmds[i]->summary), 1);
			fputc('\n', f);
		}
	}
	if ((d->opts != NULL && d->opts->name != NULL) ||
	    (d->common != NULL && d->common->name != NULL)) {
		fputs(".SH OPTIONS\n", f);
		roff_options(f, d->opts);
		roff_options(f, d->common);
	}
	for (sec = d->sections; sec != NULL && sec->title != NULL; sec++) {
		fprintf(f, ".SH \"%s\"\n", sec->title);
		roff_prose(f, sec->text, ".PP");
	}
	fputs(".SH \"EXIT STATUS\"\n", f);
	roff_prose(f, d->exit_status ? d->exit_status : p->exit_status, ".PP");
	if (d->examples != NULL) {
		fputs(".SH EXAMPLES\n", f);
		roff_prose(f, d->examples, ".PP");
	}
	fputs(".SH \"SEE ALSO\"\n", f);
	if (d->name != NULL)
		fprintf(f, "\\fB%s\\fR(1)\n", d->prog);
	else
		for (size_t i = 0; p->cmds[i] != NULL; i++) {
			fprintf(f, "\\fB%s\\-", d->prog);
			roff_text(f, p->cmds[i]->name, strlen(p->cmds[i]->name), 0);
			fprintf(f, "\\fR(1)%s\n", p->cmds[i + 1] != NULL ? "," : "");
		}
}

static int
man_one(const struct prog_doc *p, const struct cmd_doc *d, const char *dir)
{
	char path[4096];
	FILE *f;
	int rc;

	snprintf(path, sizeof(path), "%s/%s%s%s.1", dir, d->prog, d->name ? "-" : "",
	    d->name ? d->name : "");
	if ((f = fopen(path, "w")) == NULL) {
		rs_seterr("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	opts_man(f, p, d);
	rc = ferror(f);
	if (fclose(f) != 0 || rc != 0) {
		rs_seterr("cannot write %s: %s", path, strerror(errno));
		return -1;
	}
	return 0;
}

int
opts_man_write(const struct prog_doc *p, const char *dir)
{
	if (mkdir_p(dir, 0755) != 0 || man_one(p, p->main, dir) != 0)
		return -1;
	for (size_t i = 0; p->cmds[i] != NULL; i++)
		if (man_one(p, p->cmds[i], dir) != 0)
			return -1;
	return 0;
}

void
opts_version(FILE *f, const char *prog)
{
	fprintf(f, "%s %s (protocol %s)\n", prog, ROSTER_VERSION, ROSTER_PROTOCOL);
}

/* ---- main ----------------------------------------------------------------- */

static int
is_help(const char *a)
{
	return strcmp(a, "--help") == 0 || strcmp(a, "-h") == 0;
}

static int
no_such_command(const struct prog_doc *p, const char *name)
{
	const char *near = opts_nearest_cmd(p, name);

	if (near != NULL)
		return opts_usage_for(p->main->prog, NULL, "unknown command \"%s\" (did you "
		    "mean %s?)", name, near);
	return opts_usage_for(p->main->prog, NULL, "unknown command \"%s\"", name);
}

int
opts_main(const struct prog_doc *p, int argc, char **argv, const struct cmd_doc **cmd)
{
	const char *prog = p->main->prog;

	*cmd = NULL;
	if (argc < 2) {
		opts_help(stderr, p, p->main);
		return 2;
	}
	if (strcmp(argv[1], "help") == 0 && argc >= 3) {
		if (strcmp(argv[2], "--man") == 0) {
			if (argc != 4)
				return opts_usage_for(prog, "help", "--man needs a folder: "
				    "%s help --man DIR", prog);
			if (opts_man_write(p, argv[3]) != 0) {
				fprintf(stderr, "%s help: %s\n", prog, rs_err());
				return 1;
			}
			return 0;
		}
		if ((*cmd = opts_find_cmd(p, argv[2])) == NULL)
			return no_such_command(p, argv[2]);
		opts_help(stdout, p, *cmd);
		*cmd = NULL;
		return 0;
	}
	if (strcmp(argv[1], "help") == 0 || is_help(argv[1])) {
		opts_help(stdout, p, p->main);
		return 0;
	}
	if (strcmp(argv[1], "--version") == 0) {
		opts_version(stdout, prog);
		return 0;
	}
	if (argv[1][0] == '-')
		return opts_usage_for(prog, NULL, "unknown option %s: a command comes first",
		    argv[1]);
	if ((*cmd = opts_find_cmd(p, argv[1])) == NULL)
		return no_such_command(p, argv[1]);
	for (int i = 2; i < argc && strcmp(argv[i], "--") != 0; i++)
		if (is_help(argv[i])) {
			opts_help(stdout, p, *cmd);
			*cmd = NULL;
			return 0;
		}
	return -1;
}
