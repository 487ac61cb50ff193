/*
 * test_opts.c - the one option parser and help source (lib/opts.c).
 *
 * What it tries to break: an option accepted that the table does not
 * document (a mistyped one silently ignored was the old bug), a value taken
 * from the wrong place (a flag given "=value", an option at the end with
 * no value, "--" not ending the options), a repeated option losing its
 * order or a single one silently given twice, something given but never
 * taken passing opts_finish, a suggestion offered for an unrelated word,
 * the help text overflowing 80 columns or losing a kept line, and roff
 * output that a leading dot, a backslash or a hyphen could corrupt.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include "opts.h"
#include "util.h"

static const struct opt_spec opts_t[] = {
	{ "--to", "AUDIENCE", 0, "Where it goes." },
	{ "--json", NULL, 0, "As JSON." },
	{ "--field", "NAME=VALUE", OPT_REPEAT, "A field (repeatable)." },
	{ "--subject", "TEXT", 0, "The subject." },
	{ NULL, NULL, 0, NULL }
};

static const struct opt_spec common_t[] = {
	{ "--dir", "NODEDIR", 0, "The folder." },
	{ NULL, NULL, 0, NULL }
};

static const struct cmd_doc doc_t = {
	.prog = "roster", .name = "send", .summary = "send a message",
	.synopsis = "--to AUDIENCE [--json] [--field NAME=VALUE]... [--subject TEXT] "
	    "[--dir NODEDIR] [--a-very-long-option-to-wrap VALUE] ID",
	.description =
"First paragraph, written over\n"
"two lines in the source, joined when printed and wrapped at eighty columns "
"however long the source line is, because the renderer refills it.\n"
"\n"
".A line starting with a dot and a back\\slash and --hyphens.\n"
"  kept line one, exactly as written\n"
"    kept line two, indented further\n"
"Text again after kept lines.",
	.opts = opts_t,
	.common = common_t,
	.examples = "  roster send --to XB",
};

static const struct cmd_doc main_t = {
	.prog = "roster", .summary = "the program", .synopsis = "COMMAND",
};
static const struct cmd_doc *const cmds_t[] = { &doc_t, NULL };
static const struct prog_doc prog_t = { &main_t, cmds_t, "0 on success." };

static int
parse(struct opts *o, ...)
{
	char *argv[32];
	int argc = 0;
	va_list ap;

	argv[argc++] = "send";
	va_start(ap, o);
	while ((argv[argc] = va_arg(ap, char *)) != NULL)
		argc++;
	va_end(ap);
	return opts_parse(o, &doc_t, argc, argv);
}

static void
test_values(void **state)
{
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, "--to", "XB", "ID1", "--json", "--subject=a=b",
	    "--dir", "-weird", NULL), OPTS_OK);
	assert_string_equal(opt_value(&o, "--to"), "XB");
	assert_string_equal(opt_value(&o, "--subject"), "a=b");
	assert_string_equal(opt_value(&o, "--dir"), "-weird");	/* a value, not an option */
	assert_null(opt_value(&o, "--to"));			/* taken already */
	assert_int_equal(opt_flag(&o, "--json"), 1);
	assert_int_equal(opt_flag(&o, "--json"), 0);
	assert_string_equal(opt_positional(&o), "ID1");
	assert_null(opt_positional(&o));
	assert_int_equal(opts_finish(&o), OPTS_OK);
	opts_free(&o);
}

static void
test_repeat_in_order(void **state)
{
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, "--field", "a=1", "X", "--field=b=2", "--field", "c=3",
	    NULL), OPTS_OK);
	assert_string_equal(opt_value(&o, "--field"), "a=1");
	assert_string_equal(opt_value(&o, "--field"), "b=2");
	assert_string_equal(opt_value(&o, "--field"), "c=3");
	assert_null(opt_value(&o, "--field"));
	assert_string_equal(opt_positional(&o), "X");
	assert_int_equal(opts_finish(&o), OPTS_OK);
	opts_free(&o);
}

static void
test_refusals(void **state)
{
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, "--dri", "x", NULL), OPTS_UNKNOWN);
	opts_free(&o);
	assert_int_equal(parse(&o, "--dir=x", "--bogus=1", NULL), OPTS_UNKNOWN);
	opts_free(&o);
	assert_int_equal(parse(&o, "-x", NULL), OPTS_UNKNOWN);
	opts_free(&o);
	assert_int_equal(parse(&o, "--to", NULL), OPTS_NO_VALUE);
	opts_free(&o);
	assert_int_equal(parse(&o, "--json=yes", NULL), OPTS_FLAG_VALUE);
	opts_free(&o);
	assert_int_equal(parse(&o, "--to", "XB", "--to", "XC", NULL), OPTS_TWICE);
	opts_free(&o);
	assert_int_equal(parse(&o, "--json", "--json", NULL), OPTS_TWICE);
	opts_free(&o);
	/* Given, valid, but not taken by this form: refused by name. */
	assert_int_equal(parse(&o, "--to", "XB", "--json", NULL), OPTS_OK);
	assert_non_null(opt_value(&o, "--to"));
	assert_int_equal(opts_finish(&o), OPTS_LEFT);
	opts_free(&o);
	assert_int_equal(parse(&o, "A", "B", NULL), OPTS_OK);
	assert_non_null(opt_positional(&o));
	assert_int_equal(opts_finish(&o), OPTS_LEFT);
	opts_free(&o);
}

static void
test_dashdash(void **state)
{
	struct opts o;

	(void)state;
	assert_int_equal(parse(&o, "--json", "--", "--to", "-", NULL), OPTS_OK);
	assert_int_equal(opt_flag(&o, "--json"), 1);
	assert_null(opt_value(&o, "--to"));
	assert_string_equal(opt_positional(&o), "--to");
	assert_string_equal(opt_positional(&o), "-");
	assert_int_equal(opts_finish(&o), OPTS_OK);
	opts_free(&o);
}

static void
test_nearest(void **state)
{
	static const char *const opts[] = { "--dir", "--json", "--subject", "--to",
	    "--passphrase-file", NULL };
	static const char *const cmds[] = { "send", "show", "sync", "status", "serve",
	    "directory", "checkpoint", "checks", NULL };

	(void)state;
	assert_string_equal(opts_nearest("--dri", opts), "--dir");	/* swap */
	assert_string_equal(opts_nearest("--jsno", opts), "--json");
	assert_string_equal(opts_nearest("--subjet", opts), "--subject");
	assert_string_equal(opts_nearest("--passphrase", opts), "--passphrase-file");
	assert_string_equal(opts_nearest("--DIR", opts), "--dir");
	assert_string_equal(opts_nearest("sned", cmds), "send");
	assert_string_equal(opts_nearest("directroy", cmds), "directory");
	assert_string_equal(opts_nearest("checkpiont", cmds), "checkpoint");
	assert_null(opts_nearest("frobnicate", cmds));
	assert_null(opts_nearest("--zzz", opts));
	assert_null(opts_nearest("x", cmds));
	assert_null(opts_nearest("send", cmds));	/* itself: nothing to suggest */
}

/* The text of f, NUL-terminated, malloc'd. */
static char *
captured(void (*fn)(FILE *, const struct prog_doc *, const struct cmd_doc *))
{
	char *p = NULL;
	size_t n = 0;
	FILE *f = open_memstream(&p, &n);

	assert_non_null(f);
	fn(f, &prog_t, &doc_t);
	assert_int_equal(fclose(f), 0);
	return p;
}

static void
test_help_text(void **state)
{
	char *t = captured(opts_help), *line, *save = NULL;

	(void)state;
	for (line = strtok_r(t, "\n", &save); line; line = strtok_r(NULL, "\n", &save))
		assert_true(strlen(line) <= 79);
	free(t);
	t = captured(opts_help);
	assert_non_null(strstr(t, "NAME\n    roster send - send a message\n"));
	assert_non_null(strstr(t, "First paragraph, written over two lines in the source,"));
	assert_non_null(strstr(t, "\n      kept line one, exactly as written\n"));
	assert_non_null(strstr(t, "\n        kept line two, indented further\n"));
	assert_non_null(strstr(t, "\n    Text again after kept lines.\n"));
	assert_non_null(strstr(t, "\n    --field NAME=VALUE\n        A field (repeatable).\n"));
	assert_non_null(strstr(t, "\n    --dir NODEDIR\n"));		/* common ones too */
	assert_non_null(strstr(t, "EXIT STATUS\n    0 on success.\n"));
	/* A synopsis wraps under its command, not inside a bracket. */
	assert_non_null(strstr(t, "\n                [--"));
	assert_non_null(strstr(t, "[--a-very-long-option-to-wrap VALUE] ID\n"));
	assert_null(strstr(t, "NAME=\n"));
	free(t);
}

static void
test_man(void **state)
{
	char *t = captured(opts_man);

	(void)state;
	assert_non_null(strstr(t, ".TH \"ROSTER-SEND\" \"1\""));
	assert_non_null(strstr(t, ".SH NAME\nroster-send \\- send a message\n"));
	/* A leading dot is escaped; backslashes and hyphens are themselves. */
	assert_non_null(strstr(t, "\n\\&.A line starting with a dot and a back\\eslash and "
	    "\\-\\-hyphens.\n"));
	assert_null(strstr(t, "\n.A line"));
	assert_non_null(strstr(t, ".nf\n  kept line one, exactly as written\n"
	    "    kept line two, indented further\n.fi\n"));
	assert_non_null(strstr(t, ".TP\n\\fB\\-\\-to\\fR \\fIAUDIENCE\\fR\nWhere it goes.\n"));
	assert_non_null(strstr(t, ".SH \"SEE ALSO\"\n"));
	free(t);
}

static void
test_man_write(void **state)
{
	char dir[] = "/tmp/roster-opts-XXXXXX", path[256];
	struct buf b = {0};

	(void)state;
	assert_non_null(mkdtemp(dir));
	assert_int_equal(opts_man_write(&prog_t, dir), 0);
	snprintf(path, sizeof(path), "%s/roster-send.1", dir);
	assert_int_equal(read_file(path, &b, 1 << 20), 0);
	assert_non_null(strstr(buf_cstr(&b), ".SH OPTIONS"));
	buf_free(&b);
	unlink(path);
	snprintf(path, sizeof(path), "%s/roster.1", dir);
	assert_int_equal(read_file(path, &b, 1 << 20), 0);
	assert_non_null(strstr(buf_cstr(&b), ".SH COMMANDS"));
	buf_free(&b);
	unlink(path);
	assert_int_equal(rmdir(dir), 0);
	assert_int_equal(opts_man_write(&prog_t, "/proc/no/such/place"), -1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_values),
		cmocka_unit_test(test_repeat_in_order),
		cmocka_unit_test(test_refusals),
		cmocka_unit_test(test_dashdash),
		cmocka_unit_test(test_nearest),
		cmocka_unit_test(test_help_text),
		cmocka_unit_test(test_man),
		cmocka_unit_test(test_man_write),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
