/*
 * token.c - `roster token`: the API tokens of the tools that read (and
 * write to) this node's TAXII collections (node/core/tokens.h).
 *
 * A token is shown once, when it is made: the node keeps only its hash.
 * Making one asks for the device key's passphrase, as `roster user add`
 * does, because a token reads what the State received and, with --write,
 * has the running node sign messages.  Revoking one holds from the next
 * request.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "core/store.h"
#include "core/tokens.h"
#include "jsonutil.h"

static int
token_add(struct node *n, const char *name, const char *colls, int write)
{
	char secret[TOKEN_SECRET_LEN];

	if (token_create(n, name, colls, write, secret) != 0)
		return -1;
	printf("%s\n", secret);
	fflush(stdout);
	fprintf(stderr, "roster: token %s made for %s%s. It is shown only now: give it to the "
	    "tool as HTTP Basic (user %s, the token as password) or as \"Authorization: "
	    "Bearer TOKEN\", over %s.\n", name, colls, write ? ", with write" : ", read only",
	    name, "the address `roster serve` prints (/taxii2/)");
	sodium_memzero(secret, sizeof(secret));
	return 0;
}

struct listing {
	int json, count;
	json_t *all;
};

static int
print_token(void *ud, const struct taxii_token *t)
{
	struct listing *l = ud;
	json_t *colls = jparse(t->colls, strlen(t->colls)), *v;
	char created[32], used[32], revoked[32];
	struct buf list = {0};
	size_t i;

	json_array_foreach(colls, i, v)
		buf_printf(&list, "%s%s", i ? "," : "", strcmp(json_string_value(v), "*") == 0 ?
		    "all" : json_string_value(v));
	if (l->json)
		json_array_append_new(l->all, json_pack("{s:s, s:s, s:b, s:I, s:I?, s:I?}",
		    "name", t->name, "collections", buf_cstr(&list), "write", t->write,
		    "created", (json_int_t)t->created,
		    "used", t->used ? json_integer(t->used) : NULL,
		    "revoked", t->revoked ? json_integer(t->revoked) : NULL));
	else
		printf("%-20s %-5s %-20s %-20s %-20s %s\n", t->name, t->write ? "yes" : "no",
		    time_str(t->created, created, sizeof(created)),
		    t->used ? time_str(t->used, used, sizeof(used)) : "-",
		    t->revoked ? time_str(t->revoked, revoked, sizeof(revoked)) : "-",
		    buf_cstr(&list));
	buf_free(&list);
	json_decref(colls);
	l->count++;
	return 0;
}

int
cmd_token(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *sub, *name, *colls = NULL;
	int write = 0, json = 0, rc;
	struct listing l = {0};

	if ((rc = cli_parse(&o, &doc_token, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	if ((sub = opt_positional(&o)) == NULL)
		sub = "list";
	opts_subcommand(&o, sub);
	name = opt_positional(&o);
	/* each form takes its own options: another's is refused by name */
	if (strcmp(sub, "add") == 0) {
		colls = opt_value(&o, "--collections");
		write = opt_flag(&o, "--write");
	} else if (strcmp(sub, "list") == 0)
		json = opt_flag(&o, "--json");
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	if (strcmp(sub, "add") == 0) {
		if (name == NULL || colls == NULL)
			return usage_error("token", "add NAME --collections LIST|all [--write]");
		if (node_open(&n, 1) != 0 || token_add(&n, name, colls, write) != 0)
			rc = fail("token add");
	} else if (strcmp(sub, "revoke") == 0) {
		if (name == NULL)
			return usage_error("token", "revoke NAME");
		if (node_open(&n, 0) != 0 ||
		    store_taxii_token_revoke(&n, name, now_ms()) != STORE_OK)
			rc = fail("token revoke");
		else
			printf("token %s revoked: the next request with it is refused\n", name);
	} else if (strcmp(sub, "list") == 0 && name == NULL) {
		l.json = json;
		l.all = json_array();
		if (node_open(&n, 0) != 0)
			rc = fail("token list");
		else {
			if (!json)
				printf("%-20s %-5s %-20s %-20s %-20s %s\n", "NAME", "WRITE", "CREATED",
				    "LAST USED", "REVOKED", "COLLECTIONS");
			if (store_taxii_tokens_each(&n, print_token, &l) != 0)
				rc = fail("token list");
			else if (json)
				print_json(l.all);
			else if (l.count == 0)
				printf("(no tokens: `roster token add NAME --collections all` makes "
				    "one)\n");
		}
		json_decref(l.all);
	} else
		rc = usage_error("token", "add, list or revoke");
	node_close(&n);
	return rc;
}
