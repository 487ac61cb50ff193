/*
 * enroll.c - a POC's node comes into being (init), enters the directory
 * (enroll), and leaves it (revoke).
 *
 * init pins the hub's operator key on first contact and prints its
 * fingerprint: that is the one moment a node takes the hub's word, so the
 * fingerprint must be compared out of band (or given with --operator-key).
 * enroll learns the State's root key from the certificate it publishes; from
 * then on any key record about the State not made with that key is an alarm.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "jsonutil.h"

/* Submits one envelope and checks the receipt.  A 409 that carries the
 * existing receipt (the envelope is already in the log) counts as success. */
int
submit_one(struct http_client *c, const uint8_t operator_key[32],
    const struct buf *env, struct receipt *r)
{
	struct buf resp = {0};
	uint8_t id[32];
	long status;
	json_t *j = NULL, *res, *rj;
	int rc = -1;

	sha256(id, env->p, env->len);
	if (http_call(c, "POST", "/v1/envelopes", "application/octet-stream",
	    env->p, env->len, &status, &resp) != 0)
		goto out;
	j = jparse(resp.p, resp.len);
	res = json_array_get(json_object_get(j, "results"), 0);
	rj = json_object_get(res, "receipt");
	if (rj == NULL) {
		const char *e = res ? jstr(res, "error") : NULL;
		if (e == NULL && j != NULL)
			e = jstr(j, "error");
		rs_seterr("the hub refused it (HTTP %ld): %s", status, e ? e : "no reason given");
		goto out;
	}
	if (receipt_from_json(r, rj) != 0 || receipt_verify(r, operator_key) != 0)
		goto out;
	if (memcmp(r->id, id, 32) != 0) {
		rs_seterr("the hub's receipt names another envelope");
		goto out;
	}
	rc = 0;
out:
	json_decref(j);
	buf_free(&resp);
	return rc;
}

static int
fetch_info(const char *hub, const char *ca, char *name, size_t namelen,
    uint8_t opkey[32])
{
	struct http_client *c = http_client_new(hub);
	json_t *j = NULL;
	const char *nm;
	int rc = -1;

	if (c == NULL)
		return -1;
	if (ca != NULL && *ca != '\0')
		http_client_set_ca(c, ca);
	if (http_get_json(c, "/v1/info", &j) != 0)
		goto out;
	if ((nm = jstr_req(j, "name")) == NULL || jhex32_req(j, "operator_key", opkey) != 0)
		goto out;
	snprintf(name, namelen, "%s", nm);
	rc = 0;
out:
	json_decref(j);
	http_client_free(c);
	return rc;
}

static int
write_request(struct node *n, const struct keypair *k, char *path, size_t plen)
{
	struct buf m = {0};
	uint8_t pop[64];
	json_t *j = json_object(), *langs = json_array();
	char *list = xstrdup(n->cfg.languages), *save = NULL, *text;
	int rc;

	for (char *l = strtok_r(list, ",", &save); l; l = strtok_r(NULL, ",", &save))
		json_array_append_new(langs, json_string(l));
	free(list);
	dir_pop_message(&m, n->cfg.state, k->pk, k->box_pk);
	crypto_sign_detached(pop, NULL, m.p, m.len, k->sk);
	buf_free(&m);
	json_object_set_new(j, "roster", json_string("cert-request"));
	json_object_set_new(j, "state", json_string(n->cfg.state));
	json_object_set_new(j, "device", jhex(k->pk, 32));
	json_object_set_new(j, "box_key", jhex(k->box_pk, 32));
	json_object_set_new(j, "role", json_string(n->cfg.role));
	json_object_set_new(j, "name", json_string(n->cfg.name));
	json_object_set_new(j, "email", json_string(n->cfg.email));
	json_object_set_new(j, "languages", langs);
	json_object_set_new(j, "pop", jb64(pop, 64));
	text = json_dumps(j, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	json_decref(j);
	snprintf(path, plen, "%s/request.json", n->dir);
	rc = write_file_atomic(path, text, strlen(text), 0644);
	free(text);
	return rc;
}

/* Keeps a copy of the hub's certificate in the node folder, so the node does
 * not depend on a file elsewhere staying put. */
static int
copy_ca(struct node *n, const char *ca)
{
	struct buf b = {0};
	int rc;

	if (read_file(ca, &b, 1 << 20) != 0)
		return -1;
	snprintf(n->cfg.hub_ca, sizeof(n->cfg.hub_ca), "%s/hub-ca.pem", n->dir);
	rc = write_file_atomic(n->cfg.hub_ca, b.p, b.len, 0644);
	buf_free(&b);
	return rc;
}

static int
check_field(const char *what, const char *v, size_t max)
{
	if (v == NULL || *v == '\0' || strlen(v) >= max || strchr(v, '\n') != NULL) {
		rs_seterr("%s must be one line of at most %zu characters", what, max - 1);
		return -1;
	}
	return 0;
}

int
cmd_init(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *hub, *state, *role, *name, *email, *lang, *opk, *ca;
	char path[4096], fpr[RS_FPR_LEN], ofpr[RS_FPR_LEN], *pass = NULL;
	uint8_t want[32];
	struct keypair *k = NULL;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	hub = opt_value(&o, "--hub");
	state = opt_value(&o, "--state");
	role = opt_value(&o, "--role");
	name = opt_value(&o, "--name");
	email = opt_value(&o, "--email");
	lang = opt_value(&o, "--lang");
	opk = opt_value(&o, "--operator-key");
	ca = opt_value(&o, "--hub-ca");
	rc = opts_finish(&o, "init");
	opts_free(&o);
	if (rc != 0)
		goto usage;
	rc = EXIT_USAGE;
	if (n.dir == NULL || hub == NULL || state == NULL || role == NULL ||
	    name == NULL || email == NULL) {
		usage_error("init", "--dir, --hub, --state, --role, --name and --email are required");
		goto usage;
	}
	if (!valid_state(state)) {
		usage_error("init", "\"%s\" is not a State code (two capital letters)", state);
		goto usage;
	}
	if (!dir_valid_role(role)) {
		usage_error("init", "--role must be diplomatic, technical or alternate");
		goto usage;
	}
	if (check_field("--name", name, sizeof(n.cfg.name)) != 0 ||
	    check_field("--email", email, sizeof(n.cfg.email)) != 0 ||
	    check_field("--hub", hub, sizeof(n.cfg.hub)) != 0 ||
	    (lang != NULL && check_field("--lang", lang, sizeof(n.cfg.languages)) != 0) ||
	    strchr(email, '@') == NULL) {
		usage_error("init", "%s", strchr(email, '@') ? rs_err() : "--email needs an @");
		goto usage;
	}
	if (opk != NULL && hex_decode_exact(want, 32, opk) != 0) {
		usage_error("init", "--operator-key must be 64 hex digits");
		goto usage;
	}
	rc = 1;
	snprintf(path, sizeof(path), "%s/config.json", n.dir);
	if (access(path, F_OK) == 0) {
		fprintf(stderr, "roster init: %s is already a node folder\n", n.dir);
		goto usage;
	}
	snprintf(n.cfg.hub, sizeof(n.cfg.hub), "%s", hub);
	snprintf(n.cfg.state, sizeof(n.cfg.state), "%s", state);
	snprintf(n.cfg.role, sizeof(n.cfg.role), "%s", role);
	snprintf(n.cfg.name, sizeof(n.cfg.name), "%s", name);
	snprintf(n.cfg.email, sizeof(n.cfg.email), "%s", email);
	snprintf(n.cfg.languages, sizeof(n.cfg.languages), "%s", lang ? lang : "en");
	if (fetch_info(hub, ca, n.cfg.hub_name, sizeof(n.cfg.hub_name), n.cfg.operator_key) != 0) {
		fail("init");
		goto usage;
	}
	if (opk != NULL && memcmp(want, n.cfg.operator_key, 32) != 0) {
		fprintf(stderr, "roster init: the hub at %s presents a different operator key "
		    "than --operator-key: refusing\n", hub);
		goto usage;
	}
	if (mkdir_p(n.dir, 0700) != 0 ||
	    (pass = passphrase_get(n.passfile, "New passphrase for the device key: ", 1)) == NULL ||
	    (k = keypair_new(state, 1)) == NULL) {
		fail("init");
		goto out;
	}
	memcpy(n.cfg.device, k->pk, 32);
	if (ca != NULL && copy_ca(&n, ca) != 0) {
		fail("init");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/device.key", n.dir);
	if (keyfile_write(path, KEY_DEVICE, k, pass) != 0 || config_save(&n) != 0 ||
	    store_open(&n) != 0 || write_request(&n, k, path, sizeof(path)) != 0) {
		fail("init");
		goto out;
	}
	fingerprint(fpr, k->pk);
	fingerprint(ofpr, n.cfg.operator_key);
	printf("node for %s %s POC %s created in %s\n", state, role, name, n.dir);
	printf("device fingerprint:   %s\n", fpr);
	printf("hub \"%s\" operator:  %s%s\n", n.cfg.hub_name, ofpr,
	    opk ? " (matches --operator-key)" : " (compare it out of band!)");
	printf("Next: give %s to %s's administrator, who runs\n"
	    "  roster certify --root ROOTKEY %s\n"
	    "then publish the certificate with `roster enroll --dir %s CERT`.\n",
	    path, state, path, n.dir);
	rc = 0;
out:
	secret_free(pass);
	keypair_free(k);
usage:
	node_close(&n);
	return rc;
}

static int
read_cert(const char *path, struct buf *raw)
{
	struct buf b = {0};
	const char *t;
	json_t *j;
	int rc = -1;

	if (read_file(path, &b, 1 << 20) != 0)
		return -1;
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL)
		return -1;
	if ((t = jstr(j, "roster")) == NULL || strcmp(t, "cert") != 0)
		rs_seterr("%s is not a certificate made by `roster certify`", path);
	else if (jb64_req(j, "envelope", raw) == 0)
		rc = 0;
	json_decref(j);
	return rc;
}

int
cmd_enroll(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	struct buf raw = {0};
	struct envelope e = {0};
	struct receipt r;
	struct sync_stats s;
	const char *cert;
	uint8_t dev[32];
	char fpr[RS_FPR_LEN];
	json_t *p = NULL;
	int rc = 1;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	cert = opt_positional(&o);
	if (opts_finish(&o, "enroll") != 0 || cert == NULL) {
		opts_free(&o);
		return cert ? EXIT_USAGE : usage_error("enroll", "give the CERT file");
	}
	opts_free(&o);
	if (node_open(&n, 0) != 0 || read_cert(cert, &raw) != 0 ||
	    env_parse(&e, raw.p, raw.len) != 0 || env_verify(&e) != 0) {
		fail("enroll");
		goto out;
	}
	if (strcmp(e.kind, "cert") != 0 || (p = env_payload_json(&e)) == NULL ||
	    jhex32_req(p, "device", dev) != 0 || memcmp(dev, n.cfg.device, 32) != 0 ||
	    e.state == NULL || strcmp(e.state, n.cfg.state) != 0) {
		fprintf(stderr, "roster enroll: %s is not a certificate for this node's device\n", cert);
		goto out;
	}
	if (submit_one(n.hub, n.cfg.operator_key, &raw, &r) != 0) {
		fail("enroll");
		goto out;
	}
	memcpy(n.cfg.root_key, e.key, 32);
	n.cfg.has_root = 1;
	if (config_save(&n) != 0 || sync_directory(&n, &s) != 0) {
		fail("enroll");
		goto out;
	}
	fingerprint(fpr, n.cfg.device);
	printf("%s %s POC %s is in the directory (log index %llu)\n", n.cfg.state,
	    n.cfg.role, n.cfg.name, (unsigned long long)r.index);
	printf("device fingerprint: %s\n", fpr);
	fingerprint(fpr, n.cfg.root_key);
	printf("State root key:     %s\n", fpr);
	rc = 0;
out:
	json_decref(p);
	env_free(&e);
	buf_free(&raw);
	node_close(&n);
	return rc;
}

static int
revoke_envelope(struct buf *env, const struct keypair *k, const char *state,
    const uint8_t target[32], const char *reason)
{
	json_t *hdr = json_object(), *p = json_object();
	char *text;
	int rc;

	json_object_set_new(p, "device", jhex(target, 32));
	json_object_set_new(p, "reason", json_string(reason ? reason : ""));
	text = jdump(p);
	json_decref(p);
	json_object_set_new(hdr, "kind", json_string("revoke"));
	json_object_set_new(hdr, "state", json_string(state));
	rc = env_build(env, hdr, text, strlen(text), k->pk, k->sk);
	json_decref(hdr);
	free(text);
	return rc;
}

int
cmd_revoke(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *root, *device, *hub, *reason, *ca;
	char name[ORIGIN_MAX], fpr[RS_FPR_LEN], *pass = NULL;
	uint8_t target[32], opkey[32];
	struct keypair *k = NULL;
	struct http_client *c = NULL;
	struct buf env = {0};
	struct receipt r;
	int rc = 1;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	root = opt_value(&o, "--root");
	device = opt_value(&o, "--device");
	hub = opt_value(&o, "--hub");
	reason = opt_value(&o, "--reason");
	ca = opt_value(&o, "--hub-ca");
	if (opts_finish(&o, "revoke") != 0) {
		opts_free(&o);
		node_close(&n);
		return EXIT_USAGE;
	}
	opts_free(&o);
	if (root == NULL) {
		/* A device withdraws itself. */
		if (device != NULL || hub != NULL) {
			node_close(&n);
			return usage_error("revoke", "--device and --hub go with --root");
		}
		if (node_open(&n, 1) != 0 ||
		    revoke_envelope(&env, n.key, n.cfg.state, n.key->pk, reason) != 0 ||
		    submit_one(n.hub, n.cfg.operator_key, &env, &r) != 0) {
			fail("revoke");
			goto out;
		}
		memcpy(target, n.key->pk, 32);
	} else {
		if (device == NULL || hex_decode_exact(target, 32, device) != 0) {
			node_close(&n);
			return usage_error("revoke", "--device must be the device's 64-hex-digit key "
			    "(see `roster directory --json`)");
		}
		if (hub == NULL && n.dir != NULL && config_load(&n) == 0) {
			hub = n.cfg.hub;
			if (ca == NULL && n.cfg.hub_ca[0] != '\0')
				ca = n.cfg.hub_ca;
		}
		if (hub == NULL) {
			node_close(&n);
			return usage_error("revoke", "--hub URL is required with --root");
		}
		if (fetch_info(hub, ca, name, sizeof(name), opkey) != 0 ||
		    (n.dir != NULL && n.cfg.hub[0] && memcmp(opkey, n.cfg.operator_key, 32) != 0 &&
		    (rs_seterr("the hub's operator key differs from the node's pinned key"), 1)) ||
		    (pass = passphrase_get(n.passfile, "Root key passphrase: ", 0)) == NULL ||
		    (k = keyfile_read(root, KEY_ROOT, pass)) == NULL ||
		    revoke_envelope(&env, k, k->state, target, reason) != 0 ||
		    (c = http_client_new(hub)) == NULL ||
		    (http_client_set_ca(c, ca), submit_one(c, opkey, &env, &r)) != 0) {
			fail("revoke");
			goto out;
		}
	}
	fingerprint(fpr, target);
	printf("device %s revoked at log index %llu\n", fpr, (unsigned long long)r.index);
	rc = 0;
out:
	secret_free(pass);
	keypair_free(k);
	if (c != NULL)
		http_client_free(c);
	buf_free(&env);
	node_close(&n);
	return rc;
}
