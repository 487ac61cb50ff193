/*
 * collections.c - the TAXII collections of a node (see collections.h).
 *
 * The built-in collections are views of what the node received and sent,
 * made when first needed; an outbox is made by its administrator (`roster
 * taxii collection add`).  Every collection has a row in taxii_colls, so
 * listing them and finding one by UUID are lookups, never scans of the
 * entries.
 *
 * TLP.  A TAXII collection is read by the tools of this State (a token's
 * or an account's), not by the named people a TLP:RED message is for, so
 * no collection holds TLP:RED (stixstore.c does not file such a message)
 * and no outbox sends it.  AMBER+STRICT and AMBER stay within the State,
 * which is the organisation the labels allow.
 */
#include "collections.h"

#include <stdlib.h>
#include <string.h>

#include "audience.h"
#include "catalogue_node.h"
#include "jsonutil.h"
#include "seal.h"
#include "stix.h"

void
coll_uuid(const char *alias, char out[37])
{
	char name[128];

	snprintf(name, sizeof(name), "taxii/collection/%s", alias);
	stix_uuid5(stix_roster_namespace, name, strlen(name), out);
}

int
coll_outbox_name_ok(const char *name)
{
	size_t n = strlen(name);

	if (n == 0 || n > COLL_NAME_MAX || !(name[0] >= 'a' && name[0] <= 'z') ||
	    strspn(name, "abcdefghijklmnopqrstuvwxyz0123456789-") != n)
		return 0;
	return strcmp(name, "received") != 0 && strcmp(name, "sent") != 0 &&
	    strncmp(name, "from-", 5) != 0 && strncmp(name, "group-", 6) != 0;
}

int
coll_tlp_allowed(const char *tlp)
{
	return stix_tlp_rank(tlp) >= 0 && strcmp(tlp, "RED") != 0;
}

int
coll_ensure(struct node *n, const char *alias)
{
	struct taxii_coll c;
	char title[128], desc[512];

	memset(&c, 0, sizeof(c));
	snprintf(c.alias, sizeof(c.alias), "%s", alias);
	if (strcmp(alias, "received") == 0) {
		snprintf(c.kind, sizeof(c.kind), "received");
		snprintf(title, sizeof(title), "Received by %s", n->cfg.state);
		snprintf(desc, sizeof(desc), "Every message %s received, as STIX 2.1: each "
		    "object made by the sending State, with the message's TLP label and "
		    "roster provenance (message id, log index, signer key). TLP:RED is "
		    "never here.", n->cfg.state);
	} else if (strcmp(alias, "sent") == 0) {
		snprintf(c.kind, sizeof(c.kind), "sent");
		snprintf(title, sizeof(title), "Sent by %s", n->cfg.state);
		snprintf(desc, sizeof(desc), "Every message this node sent, once logged, "
		    "as STIX 2.1 (TLP:RED is never here).");
	} else if (strncmp(alias, "from-", 5) == 0 && strlen(alias) == 7) {
		snprintf(c.kind, sizeof(c.kind), "state");
		snprintf(title, sizeof(title), "From %s", alias + 5);
		snprintf(desc, sizeof(desc), "What %s sent %s, as STIX 2.1 (TLP:RED is never "
		    "here).", alias + 5, n->cfg.state);
	} else if (strncmp(alias, "group-", 6) == 0 && alias[6] != '\0') {
		snprintf(c.kind, sizeof(c.kind), "group");
		snprintf(title, sizeof(title), "From group %s", alias + 6);
		snprintf(desc, sizeof(desc), "What the States of group %s sent %s while they "
		    "were its members, as STIX 2.1 (TLP:RED is never here).", alias + 6,
		    n->cfg.state);
	} else {
		rs_seterr("%s is not a built-in collection", alias);
		return -1;
	}
	coll_uuid(alias, c.uuid);
	c.title = title;
	c.description = desc;
	c.created = now_ms();
	return store_taxii_coll_add(n, &c, 1) == STORE_OK ? 0 : -1;
}

/* Each default field must be NAME=VALUE with NAME a field of the incident
 * notification (what a bundle with indicators becomes). */
static int
fields_ok(struct node *n, const char **kv, size_t nkv)
{
	struct catalogue *c = NULL;
	json_t *t, *fields, *f;
	size_t i;
	int rc = -1;

	if (nkv == 0)
		return 0;
	if (node_catalogue(n, &c) != 0)
		return -1;
	if ((t = catalogue_template(c, "incident-notification")) == NULL)
		goto out;
	fields = json_object_get(t, "fields");
	for (size_t k = 0; k < nkv; k++) {
		const char *eq = strchr(kv[k], '=');
		int known = 0;
		if (eq == NULL || eq == kv[k]) {
			rs_seterr("--field %.64s: give NAME=VALUE", kv[k]);
			goto out;
		}
		json_array_foreach(fields, i, f)
			if (jstr(f, "name") != NULL && strlen(jstr(f, "name")) == (size_t)(eq - kv[k]) &&
			    strncmp(jstr(f, "name"), kv[k], (size_t)(eq - kv[k])) == 0)
				known = 1;
		if (!known) {
			rs_seterr("--field %.*s: not a field of the incident notification "
			    "(`roster templates show incident-notification`)",
			    (int)(eq - kv[k] > 64 ? 64 : eq - kv[k]), kv[k]);
			goto out;
		}
	}
	rc = 0;
out:
	catalogue_free(c);
	return rc;
}

int
coll_outbox_add(struct node *n, const struct outbox_def *d)
{
	struct seal_recipient *r = NULL;
	size_t nr = 0;
	json_t *states = json_array(), *rcpt = json_array(), *kv = json_array();
	struct taxii_coll c;
	char title[160], subject[96];
	int rc = -1;

	memset(&c, 0, sizeof(c));
	if (!coll_outbox_name_ok(d->name)) {
		rs_seterr("--name %.64s: 1 to %d of a-z, 0-9 and '-', starting with a letter, "
		    "and not received, sent, from-... or group-...", d->name, COLL_NAME_MAX);
		goto out;
	}
	if (d->tlp == NULL || !coll_tlp_allowed(d->tlp)) {
		rs_seterr("--tlp must be CLEAR, GREEN, AMBER or AMBER+STRICT (TLP:RED is for "
		    "named recipients, and what an outbox sends is read by tools)");
		goto out;
	}
	if (d->urgency != NULL && urgency_index(d->urgency) < 0) {
		rs_seterr("--urgency must be flash, urgent, priority or routine");
		goto out;
	}
	if (d->to == NULL || (d->roles != NULL && audience_check_roles(d->roles) != 0) ||
	    audience_resolve(n, d->to, d->roles, 0, &r, &nr, states, rcpt, NULL) != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", d->to == NULL ? "give the audience" : rs_err());
		rs_seterr("--to: %s", why);
		goto out;
	}
	if (fields_ok(n, d->kv, d->nkv) != 0)
		goto out;
	for (size_t i = 0; i < d->nkv; i++)
		json_array_append_new(kv, json_string(d->kv[i]));
	snprintf(c.alias, sizeof(c.alias), "%s", d->name);
	snprintf(c.kind, sizeof(c.kind), "outbox");
	coll_uuid(d->name, c.uuid);
	snprintf(title, sizeof(title), "Outbox %s: to %s, TLP:%s", d->name, d->to, d->tlp);
	c.title = (char *)(d->title != NULL ? d->title : title);
	c.description = (char *)(d->description != NULL ? d->description :
	    "What a tool POSTs here is validated, signed by this node and sent as one "
	    "roster message; the status resource follows it to the hub's receipt.");
	c.to = (char *)d->to;
	c.roles = (char *)(d->roles != NULL ? d->roles : "");
	c.tlp = (char *)d->tlp;
	c.urgency = (char *)(d->urgency != NULL ? d->urgency : "routine");
	snprintf(subject, sizeof(subject), "Shared through outbox %s", d->name);
	c.subject = (char *)(d->subject != NULL ? d->subject : subject);
	c.fields = jdump(kv);
	c.created = now_ms();
	switch (store_taxii_coll_add(n, &c, 0)) {
	case STORE_OK:
		rc = 0;
		break;
	case STORE_DUPLICATE:
		rs_seterr("there is already a collection %s (`roster taxii collection list`)",
		    d->name);
		break;
	default:
		break;
	}
	free(c.fields);
out:
	free(r);
	json_decref(states);
	json_decref(rcpt);
	json_decref(kv);
	return rc;
}
