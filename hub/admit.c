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
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "sequencer.h"
#include "store.h"
#include "util.h"

#define ADMIT_NAME_MAX	256

struct admit_opts {
	const char *hubdir;
	const char *state;
	const char *keyfile;
	const char *name;
};

static int
parse_admit(int argc, char **argv, struct admit_opts *o)
{
	static const struct option longopts[] = {
		{ "state", required_argument, NULL, 's' },
		{ "root-key", required_argument, NULL, 'k' },
		{ "name", required_argument, NULL, 'n' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	const char *pos = NULL;
	int c;

	memset(o, 0, sizeof(*o));
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:k:n:h", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			o->state = optarg;
			break;
		case 'k':
			o->keyfile = optarg;
			break;
		case 'n':
			o->name = optarg;
			break;
		case 'h':
			help_admit();
			exit(0);
		default:
			fprintf(stderr, "Try \"rosterd admit --help\".\n");
			return -1;
		}
	}
	if (optind < argc)
		pos = argv[optind++];
	if (optind < argc) {
		fprintf(stderr, "rosterd admit: unexpected argument \"%s\"\n",
		    argv[optind]);
		return -1;
	}
	if ((o->hubdir = hub_dir_arg(pos)) == NULL) {
		fprintf(stderr, "rosterd admit: %s\n", rs_err());
		return -1;
	}
	if (o->state == NULL || !valid_state(o->state)) {
		fprintf(stderr, "rosterd admit: --state must be a two-letter State "
		    "code in capitals, such as XA\n");
		return -1;
	}
	if (o->keyfile == NULL) {
		fprintf(stderr, "rosterd admit: --root-key FILE.pub is required\n");
		return -1;
	}
	if (o->name != NULL && (strlen(o->name) > ADMIT_NAME_MAX ||
	    !checkpoint_valid_origin(o->name))) {
		fprintf(stderr, "rosterd admit: --name must be 1 to %d bytes of "
		    "UTF-8 text without control characters\n", ADMIT_NAME_MAX);
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

/* The hub is not serving and we hold its lock: append ourselves. */
static int
admit_direct(const char *hubdir, const struct buf *env, struct receipt *r)
{
	struct hub_config cfg;
	struct store *s;
	struct seq_item it;
	struct seq_batch b = { .items = &it, .n = 1 };
	int rc = -1;

	memset(&it, 0, sizeof(it));
	if (hub_config_read(hubdir, &cfg) != 0 || (s = store_open(hubdir, &cfg)) == NULL)
		return -1;
	if (env_parse(&it.e, env->p, env->len) != 0)
		goto out;
	seq_process(s, &b);
	if (it.status != 0) {
		rs_seterr("%s", it.err);
		goto out;
	}
	seq_receipt(s, &it, r);
	rc = 0;
out:
	env_free(&it.e);
	store_close(s);
	return rc;
}

static char *
read_url(const char *hubdir)
{
	char *path = hub_path(hubdir, "serve.url");
	struct buf b = {0};
	char *url = NULL;

	if (read_file(path, &b, 1024) == 0) {
		buf_cstr(&b);
		b.p[strcspn((char *)b.p, "\r\n")] = '\0';
		if (strncmp((char *)b.p, "http://", 7) == 0 ||
		    strncmp((char *)b.p, "https://", 8) == 0)
			url = xstrdup((char *)b.p);
		else
			rs_seterr("%s does not hold a URL", path);
	}
	buf_free(&b);
	free(path);
	return url;
}

/* The hub is serving: go through its API. */
static int
admit_http(const char *hubdir, const struct buf *env, struct receipt *r)
{
	char *url = read_url(hubdir);
	struct http_client *c = NULL;
	struct buf out = {0};
	json_t *j = NULL, *first;
	long status = 0;
	int rc = -1;

	if (url == NULL)
		return -1;
	if ((c = http_client_new(url)) == NULL)
		goto out;
	struct hub_config cfg;
	if (hub_config_read(hubdir, &cfg) == 0 && cfg.tls_cert[0] != '\0')
		http_client_set_ca(c, cfg.tls_cert);	/* trust our own certificate */
	if (http_call(c, "POST", "/v1/envelopes", "application/octet-stream",
	    env->p, env->len, &status, &out) != 0)
		goto out;
	if ((j = jparse(out.p, out.len)) == NULL) {
		rs_seterr("the hub at %s answered %ld with something not JSON", url,
		    status);
		goto out;
	}
	if (status != 200) {
		const char *e = jstr(j, "error");
		rs_seterr("%s", e != NULL ? e : "the hub refused the admission");
		goto out;
	}
	first = json_array_get(json_object_get(j, "results"), 0);
	if (receipt_from_json(r, json_object_get(first, "receipt")) != 0)
		goto out;
	rc = 0;
out:
	json_decref(j);
	buf_free(&out);
	http_client_free(c);
	free(url);
	return rc;
}

static int
append_admission(const struct admit_opts *o, const struct buf *env,
    struct receipt *r)
{
	int lockfd, rc;

	rc = hub_lock(o->hubdir, &lockfd);
	if (rc < 0)
		return -1;
	if (rc == 1)
		return admit_http(o->hubdir, env, r);
	rc = admit_direct(o->hubdir, env, r);
	hub_unlock(lockfd);
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
	uint8_t root[32], id[32];
	char fpr[RS_FPR_LEN], *keypath = NULL;
	int rc = 1;

	if (parse_admit(argc, argv, &o) != 0)
		return 2;
	if (hub_config_read(o.hubdir, &cfg) != 0)
		goto out;
	if (read_root_key(&o, root) != 0)
		goto out;
	keypath = hub_path(o.hubdir, "operator.key");
	if ((op = keyfile_read(keypath, KEY_OPERATOR, NULL)) == NULL)
		goto out;
	if (build_admission(&o, op, root, &env) != 0)
		goto out;
	if (append_admission(&o, &env, &r) != 0)
		goto out;
	if (receipt_verify(&r, op->pk) != 0)
		goto out;
	sha256(id, env.p, env.len);
	if (memcmp(id, r.id, 32) != 0) {
		rs_seterr("the hub's receipt is for another envelope");
		goto out;
	}
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
	free(keypath);
	return rc;
}
