/*
 * main.c - rosterd: command dispatch.
 *
 * rosterd is one binary with a command per file (init, serve, admit, group,
 * check, ping, checks, db, migrate-store, and the process's body, body-rules, meeting,
 * stakeholder and process); their manual pages and option tables are in
 * help.c (lib/opts.h: every command parses its options from its table, so
 * its --help, its man page and what it accepts cannot differ), and
 * lib/opts.c's opts_main answers --help, help, --version and a mistyped command the
 * same way as roster.  This file only initialises libsodium and picks the
 * command, so that the commands can also be linked into the benchmarks
 * (which have their own main).  Exit status: 0 success, 1 failure, 2 usage
 * error.
 */
#include <stdio.h>

#include <sodium.h>

#include "fault.h"
#include "hub.h"
#include "jsonutil.h"

int
main(int argc, char **argv)
{
	const struct cmd_doc *cmd;
	int rc;

	if ((rc = opts_main(&rosterd_prog, argc, argv, &cmd)) >= 0)
		return rc;
	log_setup("rosterd", LOG_PLAIN);
	if (sodium_init() < 0) {
		fprintf(stderr, "rosterd: cannot initialise libsodium\n");
		return 1;
	}
	jalloc_init();
	fault_init();
	return cmd->run(argc - 1, argv + 1);
}
