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
 *
 * A second root key for a State that has one is everyone's business: it
 * stays unendorsed, and every node warns about the State, until the State
 * endorses it with its first key (docs/protocol.md section 2).  So the
 * operator is told so, with the first key's fingerprint, read from the
 * log (the directory as the hub replays it, through store_open_reader,
 * which reads beside a serving hub on either backend).
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "store.h"
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

/* After admitting root for state: warns when the State had a root key
 * already, naming the first one's fingerprint. */
static void
warn_second_key(const char *hubdir, const struct hub_config *cfg,
    const char *state, const uint8_t root[32])
{
	struct store *s = store_open_reader(hubdir, cfg);
	const struct directory *d = s != NULL ? s->dir : NULL;
	char fpr[RS_FPR_LEN];

	for (size_t i = 0; d != NULL && i < d->nroots; i++) {
		const struct dir_root *r = &d->roots[i];
		if (strcmp(r->state, state) != 0 || memcmp(r->key, root, 32) == 0)
			continue;
		fingerprint(fpr, r->key);
		printf("rosterd: WARNING: %s already has a root key (fingerprint %s, "
		    "admitted at log index %lld).  The key just admitted stays "
		    "unendorsed, and the devices it certifies unconfirmed, until %s "
		    "endorses it with that key; until then every node warns about "
		    "%s.\n", state, fpr, (long long)r->index, state, state);
		break;
	}
	store_close(s);
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
	warn_second_key(o.hubdir, &cfg, o.state, root);
	rc = 0;
out:
	if (rc != 0)
		fprintf(stderr, "rosterd admit: cannot admit %s: %s\n",
		    o.state, rs_err());
	buf_free(&env);
	keypair_free(op);
	return rc;
}
