/*
 * main.c - roster, the node and CLI: picks the command.
 *
 * Every command is a function cmd_NAME(argc, argv) with argv[0] its name,
 * in the file of its family (cli.h lists them), and a page in help.c whose
 * option table it parses against.  lib/opts.c's opts_main answers --help,
 * help, --version and a mistyped command ("did you mean ...?") the same
 * way for rosterd.  Exit status: 0 success, 1 failure (including any
 * verification failure), 2 usage error.
 */
#include "cli.h"

#include <sodium.h>

#include "fault.h"
#include "jsonutil.h"

int
main(int argc, char **argv)
{
	const struct cmd_doc *cmd;
	int rc;

	if ((rc = opts_main(&roster_prog, argc, argv, &cmd)) >= 0)
		return rc;
	if (sodium_init() < 0) {
		fprintf(stderr, "roster: cannot initialise libsodium\n");
		return 1;
	}
	jalloc_init();
	fault_init();
	return cmd->run(argc - 1, argv + 1);
}
