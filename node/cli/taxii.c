/*
 * taxii.c - `roster taxii collection`: the TAXII collections of this node
 * (node/core/collections.h), and the outboxes a tool writes to.
 *
 * The built-in collections (received, from-XA, group-NAME, sent) come by
 * themselves; an outbox is made here, bound to an audience and a TLP
 * label, with the urgency, subject and template fields a tool's bundle is
 * sent with when it does not say.  Its audience is checked against the
 * directory now, and again at every POST.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "core/collections.h"
#include "core/store.h"
#include "jsonutil.h"

#define MAX_FIELDS 64

struct listing {
	struct node *n;
	int json;
	json_t *all;
};

static int
print_coll(void *ud, const struct taxii_coll *c)
{
	struct listing *l = ud;
	int64_t count = store_taxii_count(l->n, c->alias);

	if (l->json) {
		json_t *j = json_pack("{s:s, s:s, s:s, s:s, s:I}", "alias", c->alias, "id",
		    c->uuid, "kind", c->kind, "title", c->title, "objects", (json_int_t)count);
		if (strcmp(c->kind, "outbox") == 0) {
			json_object_set_new(j, "to", json_string(c->to));
			json_object_set_new(j, "tlp", json_string(c->tlp));
			json_object_set_new(j, "urgency", json_string(c->urgency));
			if (c->roles[0] != '\0')
				json_object_set_new(j, "roles", json_string(c->roles));
			if (c->subject[0] != '\0')
				json_object_set_new(j, "subject", json_string(c->subject));
			json_object_set_new(j, "fields", jparse(c->fields, strlen(c->fields)));
		}
		json_array_append_new(l->all, j);
	} else
		printf("%-16s %-36s %-8s %8lld  %s\n", c->alias, c->uuid, c->kind,
		    (long long)count, c->title);
	return 0;
}

static int
coll_list(struct node *n, int json)
{
	struct listing l = { n, json, json_array() };
	int rc;

	if (coll_ensure(n, "received") != 0 || coll_ensure(n, "sent") != 0) {
		json_decref(l.all);
		return -1;
	}
	if (!json)
		printf("%-16s %-36s %-8s %8s  %s\n", "ALIAS", "ID", "KIND", "OBJECTS", "TITLE");
	rc = store_taxii_colls_each(n, print_coll, &l);
	if (rc == 0 && json)
		print_json(l.all);
	json_decref(l.all);
	return rc;
}

int
cmd_taxii(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct outbox_def d;
	const char *what, *sub, *name, *kv[MAX_FIELDS + 1];
	size_t nkv = 0;
	int write = 0, json = 0, rc;

	memset(&d, 0, sizeof(d));
	if ((rc = cli_parse(&o, &doc_taxii, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	what = opt_positional(&o);
	if ((sub = opt_positional(&o)) == NULL)
		sub = "list";
	if (what != NULL) {
		char form[48];
		snprintf(form, sizeof(form), "%s %s", what, sub);
		opts_subcommand(&o, form);
	}
	name = opt_positional(&o);
	/* each form takes its own options: another's is refused by name */
	if (strcmp(sub, "add") == 0) {
		d.name = opt_value(&o, "--name");
		d.to = opt_value(&o, "--to");
		d.roles = opt_value(&o, "--role");
		d.tlp = opt_value(&o, "--tlp");
		d.urgency = opt_value(&o, "--urgency");
		d.subject = opt_value(&o, "--subject");
		d.title = opt_value(&o, "--title");
		d.description = opt_value(&o, "--description");
		while (nkv <= MAX_FIELDS && (kv[nkv] = opt_value(&o, "--field")) != NULL)
			nkv++;
		write = opt_flag(&o, "--write");
	} else if (strcmp(sub, "list") == 0)
		json = opt_flag(&o, "--json");
	if (nkv > MAX_FIELDS) {
		opts_free(&o);
		node_close(&n);
		return usage_error("taxii", "at most %d --field options", MAX_FIELDS);
	}
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	if (what == NULL || strcmp(what, "collection") != 0)
		return usage_error("taxii", "collection add|list|remove");
	d.kv = kv;
	d.nkv = nkv;
	n.quiet = 1;
	if (strcmp(sub, "add") == 0) {
		if (d.name == NULL || d.to == NULL || d.tlp == NULL || !write)
			return usage_error("taxii", "collection add --name NAME --to AUDIENCE "
			    "--tlp LABEL --write (an added collection is an outbox: tools "
			    "write to it)");
		if (node_open(&n, 0) != 0 || coll_outbox_add(&n, &d) != 0)
			rc = fail("taxii collection add");
		else {
			char u[37];
			coll_uuid(d.name, u);
			printf("outbox %s: collection %s; what a tool POSTs there goes to %s under "
			    "TLP:%s, signed by this node\n", d.name, u, d.to, d.tlp);
		}
	} else if (strcmp(sub, "list") == 0 && name == NULL) {
		if (node_open(&n, 0) != 0 || coll_list(&n, json) != 0)
			rc = fail("taxii collection list");
	} else if (strcmp(sub, "remove") == 0 && name != NULL) {
		if (node_open(&n, 0) != 0 || store_taxii_coll_remove(&n, name) != STORE_OK)
			rc = fail("taxii collection remove");
		else
			printf("outbox %s removed (the messages sent through it stay in sent)\n",
			    name);
	} else
		rc = usage_error("taxii", "collection add|list|remove");
	node_close(&n);
	return rc;
}
