/*
 * admit.c - "rosterd admit": the operator admits a State's root key.
 *
 * The admission is an ordinary envelope, signed by the operator key and
 * appended to the log like any other, so every node sees it and every State
 * can watch for admissions in its name.  There is one writer per log: when a
 * hub is serving (it holds HUBDIR/lock) the envelope is POSTed to it, like a
 * node would; otherwise this process takes the lock, opens the store and
 * runs the same sequencer code on a batch of one.  Either way the directory
 * rules (lib/directory.c) decide, and the answer is a signed receipt.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "envelope.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "util.h"

#define ADMIT_NAME_MAX	256

struct admit_opts {
	const char *hubdir;
	const char *state;	/* in capitals: points into code */
	char code[3];
	const char *keyfile;
	const char *name;
};

static int
parse_admit(int argc, char **argv, struct admit_opts *o)
{
	struct opts op;

	memset(o, 0, sizeof(*o));
	if (hub_opts(&op, &hdoc_admit, argc, argv) != 0)
		return -1;
	o->state = opt_value(&op, "--state");
	o->keyfile = opt_value(&op, "--root-key");
	o->name = opt_value(&op, "--name");
	if (hub_opts_finish(&op, &o->hubdir) != 0)
		return -1;
	if (o->state == NULL || vocab_state_norm(o->state, o->code) != 0) {
		opts_usage_for("rosterd", "admit", "--state must be a two-letter State "
		    "code, such as XA");
		return -1;
	}
	o->state = o->code;		/* xa is XA */
	if (o->keyfile == NULL) {
		opts_usage_for("rosterd", "admit", "--root-key FILE.pub is required");
		return -1;
	}
	if (o->name != NULL && (strlen(o->name) > ADMIT_NAME_MAX ||
	    !checkpoint_valid_origin(o->name))) {
		opts_usage_for("rosterd", "admit", "--name must be 1 to %d bytes of "
		    "UTF-8 text without control characters", ADMIT_NAME_MAX);
		return -1;
	}
	return 0;
}

static int
read_root_key(const struct admit_opts *o, uint8_t pk[32])
{
	char st[3];

	if (pubfile_read(o->keyfile, KEY_ROOT, st, pk) != 0)
		return -1;
	if (st[0] != '\0' && strcmp(st, o->state) != 0) {
		rs_seterr("%s is the root key of %s, not of %s", o->keyfile, st,
		    o->state);
		return -1;
	}
	return 0;
}

static int
build_admission(const struct admit_opts *o, const struct keypair *op,
    const uint8_t root[32], struct buf *out)
{
	json_t *hdr = json_object(), *p = json_object();
	char *payload;
	int rc;

	json_object_set_new(hdr, "kind", json_string("admit"));
	json_object_set_new(hdr, "state", json_string(o->state));
	json_object_set_new(p, "state", json_string(o->state));
	json_object_set_new(p, "root_key", jhex(root, 32));
	if (o->name != NULL)
		json_object_set_new(p, "name", json_string(o->name));
	payload = jdump(p);
	rc = env_build(out, hdr, payload, strlen(payload), op->pk, op->sk);
	free(payload);
	json_decref(p);
	json_decref(hdr);
	return rc;
}

int
cmd_admit(int argc, char **argv)
{
	struct admit_opts o;
	struct hub_config cfg;
	struct keypair *op = NULL;
	struct receipt r;
	struct buf env = {0};
	uint8_t root[32];
	char fpr[RS_FPR_LEN];
	int rc = 1;

	if (parse_admit(argc, argv, &o) != 0)
		return 2;
	if (hub_config_read(o.hubdir, &cfg) != 0)
		goto out;
	if (read_root_key(&o, root) != 0)
		goto out;
	if ((op = operator_key_read(o.hubdir)) == NULL)
		goto out;
	if (build_admission(&o, op, root, &env) != 0)
		goto out;
	if (operator_append(o.hubdir, op, &env, &r) != 0)
		goto out;
	fingerprint(fpr, root);
	printf("rosterd: admitted the root key of %s at log index %llu\n",
	    o.state, (unsigned long long)r.index);
	printf("root key fingerprint: %s\n", fpr);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "rosterd admit: cannot admit %s: %s\n",
		    o.state, rs_err());
	buf_free(&env);
	keypair_free(op);
	return rc;
}
