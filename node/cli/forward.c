/*
 * forward.c - roster forward: passes a received message on, as its TLP
 * label and its sender allow (node/core/forward.c checks the rules and
 * builds the verifiable link to the original).
 */
#include "cli.h"

#include <stdlib.h>

#include "core/forward.h"
#include "core/store.h"

int
cmd_forward(int argc, char **argv)
{
	struct node n = {0};
	struct opts op;
	struct sent r;
	const char *idp, *note, *lang, *to, *roles;
	uint8_t id[32], newid[32];
	char *tonorm = NULL;
	int rc;

	if ((rc = cli_parse(&op, &doc_forward, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &op);
	to = opt_value(&op, "--to");
	roles = opt_value(&op, "--role");
	note = opt_value(&op, "--note");
	lang = opt_value(&op, "--lang");
	idp = opt_positional(&op);
	if ((rc = cli_finish(&op)) != 0)
		goto out;
	if (idp == NULL || to == NULL) {
		rc = usage_error("forward", "give the message ID and --to AUDIENCE");
		goto out;
	}
	if (lang != NULL && (lang = vocab_lang_norm(lang)) == NULL) {
		rc = usage_error("forward", "--lang must be one of ar, en, es, fr, ru, zh");
		goto out;
	}
	to = tonorm = vocab_audience_norm(to);
	if (node_open(&n, 1) != 0 || store_message_find(&n, idp, id) != 0 ||
	    forward_send(&n, id, to, roles, note, lang, newid, &r, NULL) != FORWARD_SENT)
		rc = fail("forward");
	else {
		print_sent(&n, newid, &r);
		rc = 0;
	}
out:
	free(tonorm);
	node_close(&n);
	return rc;
}
