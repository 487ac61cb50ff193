/*
 * enroll.c - roster init, enroll, revoke and endorse: a POC's node comes
 * into being, enters the directory, and leaves it; a State decides on a
 * second root key (the files and records are node/core/enroll.c's).
 *
 * init pins the hub's operator key on first contact and prints its
 * fingerprint: that is the one moment a node takes the hub's word, so the
 * fingerprint must be compared out of band (or given with --operator-key).
 * enroll learns the State's root key from the certificate it publishes; from
 * then on any key record about the State not made with that key is an alarm.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "core/enroll.h"
#include "core/hubclient.h"
#include "core/store.h"
#include "core/sync.h"
#include "jsonutil.h"

static int
check_field(const char *what, const char *v, size_t max)
{
	if (v == NULL || *v == '\0' || strlen(v) >= max || !vocab_line_ok(v)) {
		rs_seterr("%s must be one line of at most %zu bytes, without control "
		    "characters", what, max - 1);
		return -1;
	}
	return 0;
}

/* After init: a State the hub has not admitted cannot enrol yet; say so
 * now rather than at roster enroll.  Reads the verified directory with a
 * node opened afresh, as any command would. */
static void
warn_not_admitted(const char *dir, const char *state)
{
	struct node m = {0};
	struct sync_stats s;
	int admitted = 0;

	m.dir = xstrdup(dir);
	m.quiet = 1;
	if (node_open(&m, 0) != 0 || sync_directory(&m, &s) != 0) {
		warn("init", "cannot read the hub's directory to check that %s is "
		    "admitted (%s)", state, rs_err());
		node_close(&m);
		return;
	}
	for (size_t i = 0; i < m.directory->nroots; i++)
		admitted |= strcmp(m.directory->roots[i].state, state) == 0;
	if (!admitted)
		warn("init", "the hub has not admitted a root key for %s yet: roster "
		    "enroll will be refused until its operator runs rosterd admit "
		    "--state %s (check the State code)", state, state);
	node_close(&m);
}

int
cmd_init(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *hub, *given, *role, *name, *email, *lang, *opk, *ca;
	char path[4096], fpr[RS_FPR_LEN], ofpr[RS_FPR_LEN], *pass = NULL, state[3];
	char *langs = NULL;
	uint8_t want[32];
	struct keypair *k = NULL;
	int rc;

	if ((rc = cli_parse(&o, &doc_init, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	hub = opt_value(&o, "--hub");
	given = opt_value(&o, "--state");
	role = opt_value(&o, "--role");
	name = opt_value(&o, "--name");
	email = opt_value(&o, "--email");
	lang = opt_value(&o, "--lang");
	opk = opt_value(&o, "--operator-key");
	ca = opt_value(&o, "--hub-ca");
	if ((rc = cli_finish(&o)) != 0)
		goto usage;
	rc = EXIT_USAGE;
	if (n.dir == NULL || hub == NULL || given == NULL || role == NULL ||
	    name == NULL || email == NULL) {
		usage_error("init", "--dir, --hub, --state, --role, --name and --email are required");
		goto usage;
	}
	if (vocab_state_norm(given, state) != 0) {	/* fr is FR */
		usage_error("init", "\"%s\" is not a State code (two letters)", given);
		goto usage;
	}
	/* an accredited organisation's node: State code ZZ, role stakeholder,
	 * certified by the operator (rosterd stakeholder certify) */
	if (strcasecmp(role, DIR_STAKEHOLDER_ROLE) == 0)
		role = DIR_STAKEHOLDER_ROLE;
	else
		role = vocab_role_norm(role);	/* Technical is technical */
	if (role == NULL || (strcmp(state, DIR_STAKEHOLDER_STATE) == 0) !=
	    (strcmp(role, DIR_STAKEHOLDER_ROLE) == 0)) {
		usage_error("init", "--role must be diplomatic, technical or alternate "
		    "(or, with --state %s only, %s)", DIR_STAKEHOLDER_STATE,
		    DIR_STAKEHOLDER_ROLE);
		goto usage;
	}
	if (lang != NULL && (lang = langs = vocab_langs_norm(lang)) == NULL) {
		usage_error("init", "--lang: %s", rs_err());
		goto usage;
	}
	if (check_field("--name", name, sizeof(n.cfg.name)) != 0 ||
	    check_field("--email", email, sizeof(n.cfg.email)) != 0 ||
	    check_field("--hub", hub, sizeof(n.cfg.hub)) != 0 ||
	    (lang != NULL && check_field("--lang", lang, sizeof(n.cfg.languages)) != 0) ||
	    vocab_email_check("--email", email) != 0) {
		usage_error("init", "%s", rs_err());
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
	if (hub_fetch_info(hub, ca, n.cfg.hub_name, sizeof(n.cfg.hub_name),
	    n.cfg.operator_key) != 0) {
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
	if (ca != NULL && enroll_copy_ca(&n, ca) != 0) {
		fail("init");
		goto out;
	}
	snprintf(path, sizeof(path), "%s/device.key", n.dir);
	if (keyfile_write(path, KEY_DEVICE, k, pass) != 0 || config_save(&n) != 0 ||
	    store_open(&n) != 0 || enroll_write_request(&n, k, path, sizeof(path)) != 0) {
		fail("init");
		goto out;
	}
	fingerprint(fpr, k->pk);
	fingerprint(ofpr, n.cfg.operator_key);
	printf("node for %s %s POC %s created in %s\n", state, role, name, n.dir);
	printf("device fingerprint:   %s\n", fpr);
	printf("hub \"%s\" operator:  %s%s\n", n.cfg.hub_name, ofpr,
	    opk ? " (matches --operator-key)" : " (compare it out of band!)");
	if (strcmp(state, DIR_STAKEHOLDER_STATE) == 0)
		printf("Next: give %s to the hub's operator, who, once the organisation's\n"
		    "application is accredited, runs\n"
		    "  rosterd stakeholder certify HUBDIR --application ID %s\n"
		    "then publish the certificate with `roster enroll --dir %s CERT`.\n",
		    path, path, n.dir);
	else
		printf("Next: give %s to %s's administrator, who runs\n"
		    "  roster certify --root ROOTKEY %s\n"
		    "then publish the certificate with `roster enroll --dir %s CERT`.\n",
		    path, state, path, n.dir);
	fflush(stdout);
	if (strcmp(state, DIR_STAKEHOLDER_STATE) != 0)
		warn_not_admitted(n.dir, state);
	rc = 0;
out:
	secret_free(pass);
	keypair_free(k);
usage:
	free(langs);
	node_close(&n);
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
	char fpr[RS_FPR_LEN];
	int rc = 1;

	if ((rc = cli_parse(&o, &doc_enroll, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	cert = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0 ||
	    (cert == NULL && (rc = usage_error("enroll", "give the CERT file")) != 0)) {
		node_close(&n);
		return rc;
	}
	rc = 1;
	if (node_open(&n, 0) != 0 || enroll_read_cert(cert, &raw) != 0 ||
	    env_parse(&e, raw.p, raw.len) != 0 || env_verify(&e) != 0) {
		fail("enroll");
		goto out;
	}
	if (enroll_cert_is_ours(&n, &e) != 0) {
		fprintf(stderr, "roster enroll: %s is not a certificate for this node's device\n", cert);
		goto out;
	}
	if (hub_submit_one(n.hub, n.cfg.operator_key, &raw, &r) != 0) {
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
	env_free(&e);
	buf_free(&raw);
	node_close(&n);
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

	if ((rc = cli_parse(&o, &doc_revoke, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	root = opt_value(&o, "--root");
	device = opt_value(&o, "--device");
	hub = opt_value(&o, "--hub");
	reason = opt_value(&o, "--reason");
	ca = opt_value(&o, "--hub-ca");
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	rc = 1;
	if (root == NULL) {
		/* A device withdraws itself. */
		if (device != NULL || hub != NULL) {
			node_close(&n);
			return usage_error("revoke", "--device and --hub go with --root");
		}
		if (node_open(&n, 1) != 0 ||
		    enroll_revoke_envelope(&env, n.key, n.cfg.state, n.key->pk, reason) != 0 ||
		    hub_submit_one(n.hub, n.cfg.operator_key, &env, &r) != 0) {
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
		if (hub_fetch_info(hub, ca, name, sizeof(name), opkey) != 0 ||
		    (n.dir != NULL && n.cfg.hub[0] && memcmp(opkey, n.cfg.operator_key, 32) != 0 &&
		    (rs_seterr("the hub's operator key differs from the node's pinned key"), 1)) ||
		    (pass = passphrase_get(n.passfile, "Root key passphrase: ", 0)) == NULL ||
		    (k = keyfile_read(root, KEY_ROOT, pass)) == NULL ||
		    enroll_revoke_envelope(&env, k, k->state, target, reason) != 0 ||
		    (c = hub_client_url(hub, ca)) == NULL ||
		    hub_submit_one(c, opkey, &env, &r) != 0) {
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

/*
 * roster endorse: the State's administrator decides on a root key admitted
 * for the State after its first (protocol.md section 2), with a root key
 * the directory holds endorsed.  The key decided on is named by its public
 * key file (--key) or its fingerprint, looked up in this node's directory.
 */
int
cmd_endorse(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *root, *keyfile, *fpr, *decided;
	char st[3], pfpr[RS_FPR_LEN], *pass = NULL;
	uint8_t target[32];
	struct keypair *k = NULL;
	struct buf env = {0};
	struct receipt r;
	int accept, reject, rc = 1;

	if ((rc = cli_parse(&o, &doc_endorse, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	root = opt_value(&o, "--root");
	keyfile = opt_value(&o, "--key");
	accept = opt_flag(&o, "--accept");
	reject = opt_flag(&o, "--reject");
	fpr = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0) {
		node_close(&n);
		return rc;
	}
	rc = 1;
	if (root == NULL || accept == reject || (keyfile == NULL) == (fpr == NULL)) {
		node_close(&n);
		return usage_error("endorse", "give --root ROOTKEY, the key decided on "
		    "(--key FILE.pub or its fingerprint) and --accept or --reject");
	}
	if (node_open(&n, 0) != 0) {
		fail("endorse");
		goto out;
	}
	if (keyfile != NULL) {
		if (pubfile_read(keyfile, KEY_ROOT, st, target) != 0) {
			fail("endorse");
			goto out;
		}
	} else {
		struct sync_stats s;
		if (sync_directory(&n, &s) != 0)
			fprintf(stderr, "roster: warning: cannot refresh the directory (%s); "
			    "using the copy verified earlier\n", rs_err());
	}
	if ((pass = passphrase_get(n.passfile, "Root key passphrase: ", 0)) == NULL ||
	    (k = keyfile_read(root, KEY_ROOT, pass)) == NULL ||
	    (fpr != NULL && enroll_find_root(&n, k->state, fpr, target) != 0) ||
	    enroll_endorse_envelope(&env, k, target, accept) != 0 ||
	    hub_submit_one(n.hub, n.cfg.operator_key, &env, &r) != 0) {
		fail("endorse");
		goto out;
	}
	fingerprint(pfpr, target);
	decided = accept ? "endorsed: its devices are confirmed" :
	    "disowned, for good: its devices are no longer current";
	printf("root key %s of %s %s (log index %llu)\n", pfpr, k->state, decided,
	    (unsigned long long)r.index);
	rc = 0;
out:
	secret_free(pass);
	keypair_free(k);
	buf_free(&env);
	node_close(&n);
	return rc;
}
