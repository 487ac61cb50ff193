/*
 * opts.h - the one option parser and the one help source of rosterd and
 * roster.
 *
 * Every command is described once, by a struct cmd_doc: its summary, its
 * synopsis, its prose, and a table of its options (name, argument, help).
 * From that one description come
 *   - the parsing: an option not in the table is "unknown option --dri
 *     (did you mean --dir?)", a value missing, a flag given a value, or an
 *     option given twice that may not be is said before the command runs;
 *   - the text of "PROG CMD --help" (opts_help), laid out like a man page;
 *   - the manual pages, roff, that make installs (opts_man): so the two
 *     cannot drift, and tests/e2e/test_cli.sh checks they say the same.
 *
 * Parsing happens once, up front (opts_parse); the command then takes what
 * it uses (opt_value, opt_flag, opt_positional) and opts_finish refuses
 * whatever it left, naming it: an option of the family that does not apply
 * to this form of the command is an error, never silently ignored.  A
 * command asking for an option its table lacks is a programming error
 * (assert).
 *
 * The prose of a doc is plain text with two rules, the same for the
 * terminal and for roff: lines that start with a letter or punctuation
 * flow into paragraphs (a blank line ends one); a line that starts with a
 * space is kept as it is (lists, tables, examples).
 */
#ifndef ROSTER_OPTS_H
#define ROSTER_OPTS_H

#include <stdio.h>

#define ROSTER_VERSION	"0.1"
#define ROSTER_PROTOCOL	"1"

#define OPT_REPEAT	1u	/* may be given more than once */

struct opt_spec {
	const char *name;	/* "--to"; NULL ends a table */
	const char *arg;	/* "AUDIENCE"; NULL: a flag without a value */
	unsigned flags;		/* OPT_REPEAT */
	const char *help;	/* prose */
};

struct doc_section {
	const char *title;	/* "FILES"; NULL ends the list */
	const char *text;	/* prose */
};

struct cmd_doc {
	const char *prog;	/* "roster" */
	const char *name;	/* "send"; NULL for the program's own page */
	const char *summary;	/* "send a message" */
	const char *synopsis;	/* the forms, one per line, without "PROG NAME" */
	const char *description;	/* prose */
	const struct opt_spec *opts;	/* this command's options, or NULL */
	const struct opt_spec *common;	/* options shared with others, or NULL */
	const struct doc_section *sections;	/* more, in order, or NULL */
	const char *exit_status;	/* prose; NULL: the program's */
	const char *examples;		/* prose, or NULL */
	int (*run)(int argc, char **argv);	/* argv[0] is the name */
};

/* A program: its own page, its commands (NULL-terminated), and what is
 * said about exit status when a command says nothing. */
struct prog_doc {
	const struct cmd_doc *main;
	const struct cmd_doc *const *cmds;
	const char *exit_status;
};

/* ---- parsing ---- */

enum opts_result {
	OPTS_OK = 0,
	OPTS_UNKNOWN,		/* --dri */
	OPTS_NO_VALUE,		/* --to at the end */
	OPTS_FLAG_VALUE,	/* --json=yes */
	OPTS_TWICE,		/* --to A --to B */
	OPTS_LEFT		/* opts_finish: something was not taken */
};

struct opt_hit;

struct opts {
	const struct cmd_doc *doc;
	char cmd[64];		/* "send", "consult agree": for messages */
	struct opt_hit *hits;	/* the options given, in order */
	int nhits;
	const char **pos;	/* the positional arguments, in order */
	unsigned char *pos_used;
	int npos;
};

/* Parses argv (argv[0] is the command's name) against doc's tables.  On
 * anything but OPTS_OK the usage message is already on stderr, and the
 * command exits 2 (opts_free still to be called). */
enum opts_result opts_parse(struct opts *o, const struct cmd_doc *doc, int argc,
    char **argv) __attribute__((warn_unused_result));
void opts_free(struct opts *o);

/* The next value of option name not taken yet (in the order given), or
 * NULL.  name must be in the doc's tables. */
const char *opt_value(struct opts *o, const char *name);
/* 1 if flag name was given (taking it), else 0. */
int opt_flag(struct opts *o, const char *name);
/* The next positional argument not taken yet, or NULL. */
const char *opt_positional(struct opts *o);
/* Names a form of a family in later messages ("consult" -> "consult
 * agree"). */
void opts_subcommand(struct opts *o, const char *sub);
/* OPTS_OK when everything given was taken; else says what was not (its
 * name, or "unexpected argument") and returns OPTS_LEFT. */
enum opts_result opts_finish(struct opts *o) __attribute__((warn_unused_result));

/* "PROG CMD: ..." and "(see `PROG CMD --help`)" on stderr; returns 2, the
 * exit status of a usage error. */
int opts_usage(const struct opts *o, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));
int opts_usage_for(const char *prog, const char *cmd, const char *fmt, ...)
    __attribute__((format(printf, 3, 4)));

/* The candidate closest to word, if it is close enough to be what was
 * meant (a typo, a transposition); else NULL.  cands is NULL-terminated. */
const char *opts_nearest(const char *word, const char *const *cands);
/* The same over a program's command names. */
const char *opts_nearest_cmd(const struct prog_doc *p, const char *word);
/* The command of p named name, or NULL. */
const struct cmd_doc *opts_find_cmd(const struct prog_doc *p, const char *name);

/* What both programs' main do before running a command: "PROG --help",
 * "PROG help [CMD]", "PROG help --man DIR" (the manual pages, which make
 * builds this way), "PROG --version", "PROG CMD --help", and the usage
 * error of a missing or unknown command, with the nearest name.  Returns
 * -1 with *cmd set when argv[1] is a command to run; else the exit
 * status. */
int opts_main(const struct prog_doc *p, int argc, char **argv,
    const struct cmd_doc **cmd) __attribute__((warn_unused_result));

/* ---- documentation ---- */

/* The text of "PROG --help" and "PROG CMD --help". */
void opts_help(FILE *f, const struct prog_doc *p, const struct cmd_doc *d);
/* The same as a roff manual page, section 1. */
void opts_man(FILE *f, const struct prog_doc *p, const struct cmd_doc *d);
/* Writes DIR/PROG.1 and DIR/PROG-CMD.1 for every command; 0, or -1 with
 * rs_err. */
int opts_man_write(const struct prog_doc *p, const char *dir)
    __attribute__((warn_unused_result));
/* "PROG VERSION (protocol N)". */
void opts_version(FILE *f, const char *prog);

#endif
