/*
 * main.c - rosterd: command dispatch.
 *
 * rosterd is one binary with a handful of commands (init, serve, admit,
 * group, check, ping, checks), each in its own file; their manual pages
 * and option tables are in help.c (lib/opts.h), and lib/opts.c's
 * opts_main answers --help, help, --version and a mistyped command the
 * same way as roster.  This file only initialises libsodium and picks the
 * command, so that the commands can also be linked into the benchmarks
 * (which have their own main).  Exit status: 0 success, 1 failure, 2 usage
 * error.
 */
#include <stdio.h>

#include <sodium.h>

#include "hub.h"

int
main(int argc, char **argv)
{
	const struct cmd_doc *cmd;
	int rc;

	if ((rc = opts_main(&rosterd_prog, argc, argv, &cmd)) >= 0)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "rosterd: cannot initialise libsodium\n");
		return 1;
	}
	return cmd->run(argc - 1, argv + 1);
}
