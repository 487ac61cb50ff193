/*
 * stix.c - STIX 2.1 on the command line: `roster stix ID` prints a
 * message's bundle (node/core/stixstore.h), and `roster send --stix FILE`
 * sends a bundle from a CERT's tool as a message (node/core/stixsend.h).
 *
 * `roster stix` maps the message now, whatever its TLP label: the POC who
 * runs it is its recipient (the TAXII collections, which tools read, never
 * hold TLP:RED).  The bundle it prints is checked by the same validator as
 * one coming in, so a mapping error shows here rather than in a tool.
 *
 * `roster send --stix` refuses a bad bundle before anything is signed,
 * naming the object and property (the validator's and the mapping's
 * sentences, docs/taxii.md), and tells on stderr what it did not carry.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>

#include "catalogue.h"
#include "core/message.h"
#include "core/stixsend.h"
#include "core/stixstore.h"
#include "core/store.h"
#include "jsonutil.h"

/* `roster stix check FILE`: the validator and the mapping, nothing sent. */
static int
stix_check(const char *file)
{
	struct stix_draft d;
	struct buf raw = {0};
	json_t *bundle = NULL;
	int rc = 1;

	memset(&d, 0, sizeof(d));
	if (read_file(file, &raw, STIX_MAX_BUNDLE + 1) != 0) {
		fprintf(stderr, "roster stix: %s\n", rs_err());
		return 1;
	}
	if (stix_bundle_parse(raw.p, raw.len, &bundle) != STIX_OK) {
		fprintf(stderr, "roster stix: %s: %s\n", file, rs_err());
		goto out;
	}
	printf("%s: valid STIX 2.1 (%zu objects)\n", file,
	    json_array_size(json_object_get(bundle, "objects")));
	if (stix_to_draft(bundle, &d) != 0) {
		printf("%s: a message cannot carry it: %s\n", file, rs_err());
		goto out;
	}
	printf("%s: would be %s, subject %s, TLP %s%s\n", file, d.template_id ? d.template_id :
	    "a plain message", d.subject ? d.subject : "(none: give --subject)",
	    d.tlp[0] ? d.tlp : "(none)", d.no_forward ? ", not to be forwarded" : "");
	for (size_t i = 0; i < d.nkv; i++)
		printf("  --field %s\n", d.kv[i]);
	for (size_t i = 0; i < d.ndropped; i++)
		printf("  %s\n", d.dropped[i]);
	rc = 0;
out:
	stix_draft_free(&d);
	json_decref(bundle);
	buf_free(&raw);
	return rc;
}

int
cmd_stix(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *idp, *file;
	uint8_t id[32];
	json_t *bundle = NULL;
	int rc;

	if ((rc = cli_parse(&o, &doc_stix, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	idp = opt_positional(&o);
	file = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	if (idp == NULL)
		return usage_error("stix", "which message? give its ID");
	if (strcmp(idp, "check") == 0) {
		node_close(&n);
		if (file == NULL)
			return usage_error("stix", "check FILE: which bundle?");
		return stix_check(file);
	}
	if (file != NULL)
		return usage_error("stix", "one message ID (or check FILE)");
	n.quiet = 1;
	if (node_open(&n, 0) != 0 || store_message_find(&n, idp, id) != 0) {
		rc = fail("stix");
		goto out;
	}
	switch (stixstore_bundle(&n, NULL, id, &bundle)) {
	case STIX_MAP_OK:
		break;
	case STIX_MAP_SKIP:
		rc = fail("stix");	/* "an overdue notice is not mapped to STIX" */
		goto out;
	default:
		rc = fail("stix");
		goto out;
	}
	if (stix_bundle_check(bundle) != STIX_OK) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("the bundle made from the message is not valid STIX 2.1 (a bug: "
		    "please report it): %s", why);
		rc = fail("stix");
		goto out;
	}
	print_json(bundle);
	rc = 0;
out:
	json_decref(bundle);
	node_close(&n);
	return rc;
}

int
send_stix(struct node *n, struct outgoing *out, const char *file, const struct stix_send *s,
    const char *reply_to)
{
	struct stix_draft d;
	struct buf raw = {0};
	struct sent r;
	uint8_t id[32], parent[32];
	json_t *bundle = NULL;
	int rc = 1;

	memset(&d, 0, sizeof(d));
	if (s->tlp != NULL && stix_tlp_rank(s->tlp) < 0)
		return usage_error("send", "--tlp must be CLEAR, GREEN, AMBER, AMBER+STRICT or RED");
	if (s->lang != NULL && !cat_lang_ok(s->lang))
		return usage_error("send", "--lang must be one of ar, en, es, fr, ru, zh");
	if (read_file(file, &raw, STIX_MAX_BUNDLE + 1) != 0) {
		fprintf(stderr, "roster send: %s\n", rs_err());
		return 1;
	}
	if (stix_bundle_parse(raw.p, raw.len, &bundle) != STIX_OK) {
		fprintf(stderr, "roster send: %s: %s\n", file, rs_err());
		goto out;
	}
	if (node_open(n, 1) != 0) {
		rc = fail("send");
		goto out;
	}
	if (stix_compose(n, bundle, s, out, &d) != 0) {
		fprintf(stderr, "roster send: %s: %s\n", file, rs_err());
		goto out;
	}
	for (size_t i = 0; i < d.ndropped; i++)
		fprintf(stderr, "roster send: %s: %s\n", file, d.dropped[i]);
	if (reply_to != NULL) {
		if (store_message_find(n, reply_to, parent) != 0) {
			rc = fail("send");
			goto out;
		}
		out->parent = parent;
	}
	if (message_send(n, out, id, &r) != 0) {
		rc = fail("send");
		goto out;
	}
	print_sent(n, id, &r);
	rc = 0;
out:
	stix_draft_free(&d);
	json_decref(bundle);
	buf_free(&raw);
	return rc;
}
