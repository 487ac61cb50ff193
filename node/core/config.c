/*
 * config.c - NODEDIR/config.json: the hub, the pinned operator key, who this
 * node is, and (after enrolment) the State root key it trusts.  Written
 * atomically; read strictly, naming any missing field.
 */
#include "node.h"

#include <stddef.h>
#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

/* Optional text fields, "" when absent: the e-mail alerts (alert.c). */
#define OPT(f) { #f, offsetof(struct node_config, f), \
	sizeof(((struct node_config *)0)->f) }
static const struct optional_field {
	const char *key;
	size_t off, len;
} optional[] = {
	OPT(alert_email), OPT(smtp_url), OPT(smtp_from), OPT(smtp_user),
	OPT(smtp_password_file), OPT(smtp_ca), OPT(node_url),
};

static int
copy_str(char *dst, size_t len, json_t *j, const char *key)
{
	const char *s = jstr_req(j, key);

	if (s == NULL)
		return -1;
	if (strlen(s) >= len) {
		rs_seterr("config field \"%s\" is too long", key);
		return -1;
	}
	memcpy(dst, s, strlen(s) + 1);
	return 0;
}

int
config_load(struct node *n)
{
	char path[4096];
	struct buf b = {0};
	struct node_config *c = &n->cfg;
	json_t *j;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/config.json", n->dir);
	if (read_file(path, &b, 1 << 20) != 0) {
		rs_seterr("%s is not a node folder (no config.json): run `roster init` first", n->dir);
		return -1;
	}
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL)
		return -1;
	memset(c, 0, sizeof(*c));
	if (copy_str(c->hub, sizeof(c->hub), j, "hub") != 0 ||
	    copy_str(c->hub_name, sizeof(c->hub_name), j, "hub_name") != 0 ||
	    jhex32_req(j, "operator_key", c->operator_key) != 0 ||
	    copy_str(c->state, sizeof(c->state), j, "state") != 0 ||
	    copy_str(c->role, sizeof(c->role), j, "role") != 0 ||
	    copy_str(c->name, sizeof(c->name), j, "name") != 0 ||
	    copy_str(c->email, sizeof(c->email), j, "email") != 0 ||
	    copy_str(c->languages, sizeof(c->languages), j, "languages") != 0 ||
	    jhex32_req(j, "device", c->device) != 0)
		goto out;
	if (jstr(j, "hub_ca") != NULL &&
	    copy_str(c->hub_ca, sizeof(c->hub_ca), j, "hub_ca") != 0)
		goto out;
	c->stale_after_days = 365;
	if (json_object_get(j, "stale_after_days") != NULL) {
		json_t *v = json_object_get(j, "stale_after_days");
		if (!json_is_number(v) || json_number_value(v) <= 0 ||
		    json_number_value(v) > 36500) {
			rs_seterr("config field \"stale_after_days\" must be a number of "
			    "days above 0 and at most 36500");
			goto out;
		}
		c->stale_after_days = json_number_value(v);
	}
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++)
		if (jstr(j, optional[i].key) != NULL &&
		    copy_str((char *)c + optional[i].off, optional[i].len, j,
		    optional[i].key) != 0)
			goto out;
	if (jstr(j, "root_key") != NULL) {
		if (jhex32_req(j, "root_key", c->root_key) != 0)
			goto out;
		c->has_root = 1;
	}
	rc = 0;
out:
	if (rc != 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("%s: %s", path, why);
	}
	json_decref(j);
	return rc;
}

int
config_save(struct node *n)
{
	char path[4096], *text;
	struct node_config *c = &n->cfg;
	json_t *j = json_object();
	int rc;

	json_object_set_new(j, "hub", json_string(c->hub));
	json_object_set_new(j, "hub_name", json_string(c->hub_name));
	if (c->hub_ca[0] != '\0')
		json_object_set_new(j, "hub_ca", json_string(c->hub_ca));
	json_object_set_new(j, "operator_key", jhex(c->operator_key, 32));
	json_object_set_new(j, "state", json_string(c->state));
	json_object_set_new(j, "role", json_string(c->role));
	json_object_set_new(j, "name", json_string(c->name));
	json_object_set_new(j, "email", json_string(c->email));
	json_object_set_new(j, "languages", json_string(c->languages));
	json_object_set_new(j, "device", jhex(c->device, 32));
	if (c->has_root)
		json_object_set_new(j, "root_key", jhex(c->root_key, 32));
	if (c->stale_after_days > 0 && c->stale_after_days != 365)
		json_object_set_new(j, "stale_after_days", json_real(c->stale_after_days));
	for (size_t i = 0; i < sizeof(optional) / sizeof(optional[0]); i++) {
		const char *v = (const char *)c + optional[i].off;
		if (v[0] != '\0')
			json_object_set_new(j, optional[i].key, json_string(v));
	}
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/config.json", n->dir);
	rc = write_file_atomic(path, text, strlen(text), 0600);
	free(text);
	return rc;
}
