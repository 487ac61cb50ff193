/*
 * main.c - rosterd: command dispatch.
 *
 * rosterd is one binary with a command per file (init, serve, admit, group,
 * check, ping, checks, and the process's body, body-rules, meeting,
 * stakeholder and process); the manual pages they print for --help are in help.c.
 * This file only initialises libsodium and picks the command, so that the
 * commands can also be linked into the benchmarks (which have their own
 * main).  Exit status: 0 success, 1 failure, 2 usage error.
 */
#include <stdio.h>
#include <string.h>

#include <sodium.h>

#include "fault.h"
#include "hub.h"
#include "jsonutil.h"

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
	{ "body", cmd_body },
	{ "body-rules", cmd_body_rules },
	{ "meeting", cmd_meeting },
	{ "stakeholder", cmd_stakeholder },
	{ "process", cmd_process },
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
	jalloc_init();
	fault_init();
	for (size_t i = 0; i < sizeof(commands) / sizeof(commands[0]); i++)
		if (strcmp(argv[1], commands[i].name) == 0)
			return commands[i].fn(argc - 1, argv + 1);
	fprintf(stderr, "rosterd: unknown command \"%s\"; try \"rosterd --help\"\n",
	    argv[1]);
	return 2;
}
