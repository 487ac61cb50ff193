/*
 * main.c - rosterd: command dispatch.
 *
 * rosterd is one binary with five commands (init, serve, admit, group, check), each
 * in its own file; the manual pages they print for --help are in help.c.
 * This file only initialises libsodium and picks the command, so that the
 * commands can also be linked into the benchmarks (which have their own
 * main).  Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "hub.h"

static const struct command {
	const char *name;
	int (*fn)(int, char **);
} commands[] = {
	{ "init", cmd_init },
	{ "serve", cmd_serve },
	{ "admit", cmd_admit },
	{ "check", cmd_check },
	{ "group", cmd_group },
	{ "checks", cmd_checks },
	{ "ping", cmd_ping },
	{ "db", cmd_db },
	{ "migrate-store", cmd_migrate_store },
};

int
main(int argc, char **argv)
{
	if (argc < 2) {
		help_main();
		return 2;
	}
	if (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0 ||
	    strcmp(argv[1], "help") == 0) {
		help_main();
		return 0;
	}
	log_setup("rosterd", LOG_PLAIN);
	if (sodium_init() < 0) {
		fprintf(stderr, "rosterd: cannot initialise libsodium\n");
		return 1;
	}
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rosterd: unknown command \"%s\"; try \"rosterd --help\"\n",
	    argv[1]);
	return 2;
}
