/*
 * forge.c - a test helper that signs what a hostile participant would sign.
 *
 * The end-to-end attack tests need envelopes no honest command makes: a
 * State's device signing 18 answers of 15 MB, a fresh envelope (the next
 * sequence number) whose payload no longer matches its digest, a root key
 * certifying a device of another State, 900 devices certified at once, a
 * request signature for a raw GET.  This program makes them with the
 * library's own code (lib/envelope.c, lib/keys.c, lib/httpsig.c,
 * lib/directory.c's proof-of-possession text), never with a copy of it, so a
 * forged envelope differs from an honest one only where the test says so.
 *
 *   forge sign (--node DIR | --root FILE | --operator HUBDIR) --kind KIND
 *         [--hdr JSON] [--payload TEXT | --payload-file F | --payload-random N]
 *         [--seq N] [--prev HEX|none] [--count N] [--advance]
 *         [--tamper signature|payload|header] [--seal-node DIR ...] [--out FILE]
 *       Signs COUNT envelopes (default 1), chained by seq and prev when the
 *       signer is a node's device (state, seq and prev are added; by default
 *       they continue the node's chain as node.db records it).  --advance
 *       also puts them in the node's outbox and moves its chain head, as
 *       `roster send` would, so the node's later envelopes follow them.
 *       Writes the envelopes concatenated to --out (a batch, as POST
 *       /v1/envelopes takes it) and prints "seq id-hex" per envelope.
 *       --seal-node (repeatable) seals the payload to that node's device, as
 *       roster send does (a fresh content key per envelope), and fills the
 *       header's "to" and "rcpt" with those nodes unless --hdr gives them.
 *       --tamper flips one byte after signing (not with --advance): the
 *       envelope then fails its signature or its payload digest.
 *   forge certs --root FILE --n N [--role ROLE] [--state XA] [--header-state XB]
 *         [--out FILE]
 *       N certificates for fresh random devices of the root key's State (or
 *       of --state: a root key certifying another State's device), each with
 *       a valid proof of possession; the header names --header-state (by
 *       default the payload's State).  Prints each device key.
 *   forge httpsig --node DIR --method M --target PATH [--body-file F]
 *       Prints the three request-signature headers, one a line, for curl -H.
 *
 * Passphrases come from ROSTER_PASSPHRASE as for roster.  Exit 0 on
 * success, 1 on failure (with a sentence), 2 on a usage error.
 */
#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"
#include "directory.h"
#include "envelope.h"
#include "httpsig.h"
#include "jsonutil.h"
#include "keys.h"
#include "seal.h"
#include "util.h"

enum forge_result { FORGE_OK = 0, FORGE_FAIL = 1, FORGE_USAGE = 2 };

#define FORGE_PAYLOAD_MAX	(256u << 20)
#define FORGE_CONFIG_MAX	(1u << 20)
#define FORGE_SEAL_MAX		64	/* --seal-node given at most this often */

struct sign_opts {
	const char *node, *root, *operator_dir;
	const char *kind, *hdr, *payload, *payload_file, *out, *tamper;
	const char *prev;
	long long seq, count, random_len, time;
	int advance;
	const char *seal_node[FORGE_SEAL_MAX];
	size_t nseal;
};

static void
usage(void)
{
	fprintf(stderr,
	    "usage: forge sign (--node DIR | --root FILE | --operator HUBDIR) --kind KIND\n"
	    "             [--hdr JSON] [--payload TEXT | --payload-file F | --payload-random N]\n"
	    "             [--seq N] [--prev HEX|none] [--count N] [--advance] [--time MS]\n"
	    "             [--tamper signature|payload|header] [--seal-node DIR ...] [--out FILE]\n"
	    "       forge certs --root FILE --n N [--role ROLE] [--state XA] [--header-state XB]\n"
	    "             [--out FILE]\n"
	    "       forge httpsig --node DIR --method M --target PATH [--body-file F]\n");
}

static int
fail(const char *what)
{
	fprintf(stderr, "forge: %s: %s\n", what, rs_err());
	return FORGE_FAIL;
}

static struct keypair *
read_key(const char *path, const char *type, int sealed)
{
	struct keypair *k;
	char *pass = NULL;

	if (sealed && (pass = passphrase_get(NULL, "passphrase: ", 0)) == NULL)
		return NULL;
	k = keyfile_read(path, type, pass);
	secret_free(pass);
	return k;
}

/* The node's State from its config.json. */
static int
node_state(const char *dir, char state[3])
{
	char path[4096];
	struct buf b = {0};
	json_t *j = NULL;
	const char *s;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/config.json", dir);
	if (read_file(path, &b, FORGE_CONFIG_MAX) != 0)
		return -1;
	if ((j = jparse(b.p, b.len)) == NULL || (s = jstr_req(j, "state")) == NULL)
		goto out;
	if (!valid_state(s)) {
		rs_seterr("%s: \"state\" is not a State code", path);
		goto out;
	}
	memcpy(state, s, 3);
	rc = 0;
out:
	json_decref(j);
	buf_free(&b);
	return rc;
}

/* A node's device as a sealing recipient, from the public half of its key
 * file (no passphrase needed), and its State from config.json. */
static int
seal_recipient(const char *dir, struct seal_recipient *r, char state[3])
{
	char path[4096];
	struct buf b = {0};
	json_t *j = NULL;
	int rc = -1;

	snprintf(path, sizeof(path), "%s/device.key", dir);
	if (read_file(path, &b, FORGE_CONFIG_MAX) != 0 || (j = jparse(b.p, b.len)) == NULL ||
	    jhex32_req(j, "sign_pk", r->device) != 0 || jhex32_req(j, "box_pk", r->box_pk) != 0 ||
	    node_state(dir, state) != 0)
		goto out;
	rc = 0;
out:
	json_decref(j);
	buf_free(&b);
	return rc;
}

/* "to" and "rcpt" of the sealed recipients, unless the header has them. */
static void
fill_audience(json_t *hdr, const struct seal_recipient *r, char (*states)[3], size_t n)
{
	json_t *to = json_array(), *rcpt = json_array();

	for (size_t i = 0; i < n; i++) {
		size_t k;
		for (k = 0; k < i && strcmp(states[k], states[i]) != 0; k++)
			;
		if (k == i)
			json_array_append_new(to, json_string(states[i]));
		json_array_append_new(rcpt, jhex(r[i].device, 32));
	}
	if (json_object_get(hdr, "to") == NULL)
		json_object_set(hdr, "to", to);
	if (json_object_get(hdr, "rcpt") == NULL)
		json_object_set(hdr, "rcpt", rcpt);
	json_decref(to);
	json_decref(rcpt);
}

static int
load_payload(const struct sign_opts *o, struct buf *p)
{
	if (o->payload_file != NULL)
		return read_file(o->payload_file, p, FORGE_PAYLOAD_MAX);
	if (o->random_len > 0) {
		if ((unsigned long long)o->random_len > FORGE_PAYLOAD_MAX) {
			rs_seterr("--payload-random is at most %u bytes", FORGE_PAYLOAD_MAX);
			return -1;
		}
		buf_reserve(p, (size_t)o->random_len);
		randombytes_buf(p->p, (size_t)o->random_len);
		p->len = (size_t)o->random_len;
		return 0;
	}
	buf_addstr(p, o->payload != NULL ? o->payload : "{}");
	return 0;
}

/* Flips one byte of the signed envelope in env: in its signature, its
 * payload (which then no longer matches the digest the header carries) or
 * its header (whose signature then fails). */
static int
tamper(struct buf *env, const char *what)
{
	uint32_t hl = get_u32be(env->p + 4);
	size_t sig = 8 + (size_t)hl, pay = sig + 64 + 4;

	if (strcmp(what, "signature") == 0)
		env->p[sig + 10] ^= 0x01;
	else if (strcmp(what, "payload") == 0 && env->len > pay)
		env->p[env->len - 1] ^= 0x01;
	else if (strcmp(what, "header") == 0) {
		/* The signer's clock: a digit of "time", so the header stays valid JSON. */
		const char *h = (const char *)env->p + 8;
		const char *t = memmem(h, hl, "\"time\":", 7);
		if (t == NULL) {
			rs_seterr("the header has no \"time\" to alter");
			return -1;
		}
		env->p[8 + (size_t)(t - h) + 8] ^= 0x01;	/* '1' <-> '0', ... */
	} else {
		rs_seterr("--tamper is signature, payload (non-empty) or header");
		return -1;
	}
	return 0;
}

static int
outbox_add(sqlite3 *db, int64_t seq, const uint8_t id[32], const char *kind,
    const struct buf *env)
{
	sqlite3_stmt *st = db_prep(db, "INSERT INTO outbox(seq, id, kind, envelope, created)"
	    " VALUES(?, ?, ?, ?, ?)");
	char *hex;
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_int64(st, 1, seq);
	sqlite3_bind_blob(st, 2, id, 32, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, kind, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, env->p, (int)env->len, SQLITE_STATIC);
	sqlite3_bind_int64(st, 5, now_ms());
	rc = db_done(db, st);
	sqlite3_finalize(st);
	if (rc != 0)
		return -1;
	hex = hex_encode(id, 32);
	rc = db_meta_set_int(db, "seq", seq) == 0 && db_meta_set_text(db, "prev", hex) == 0 ?
	    0 : -1;
	free(hex);
	return rc;
}

static int
parse_sign(int argc, char **argv, struct sign_opts *o)
{
	static const struct option longopts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "root", required_argument, NULL, 'r' },
		{ "operator", required_argument, NULL, 'O' },
		{ "kind", required_argument, NULL, 'k' },
		{ "hdr", required_argument, NULL, 'H' },
		{ "payload", required_argument, NULL, 'p' },
		{ "payload-file", required_argument, NULL, 'f' },
		{ "payload-random", required_argument, NULL, 'R' },
		{ "seq", required_argument, NULL, 's' },
		{ "prev", required_argument, NULL, 'P' },
		{ "count", required_argument, NULL, 'c' },
		{ "time", required_argument, NULL, 't' },
		{ "advance", no_argument, NULL, 'a' },
		{ "tamper", required_argument, NULL, 'x' },
		{ "out", required_argument, NULL, 'o' },
		{ "seal-node", required_argument, NULL, 'S' },
		{ NULL, 0, NULL, 0 }
	};
	int c;

	memset(o, 0, sizeof(*o));
	o->count = 1;
	o->seq = -1;
	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': o->node = optarg; break;
		case 'r': o->root = optarg; break;
		case 'O': o->operator_dir = optarg; break;
		case 'k': o->kind = optarg; break;
		case 'H': o->hdr = optarg; break;
		case 'p': o->payload = optarg; break;
		case 'f': o->payload_file = optarg; break;
		case 'R': o->random_len = atoll(optarg); break;
		case 's': o->seq = atoll(optarg); break;
		case 'P': o->prev = optarg; break;
		case 'c': o->count = atoll(optarg); break;
		case 't': o->time = atoll(optarg); break;
		case 'a': o->advance = 1; break;
		case 'x': o->tamper = optarg; break;
		case 'o': o->out = optarg; break;
		case 'S':
			if (o->nseal == FORGE_SEAL_MAX)
				return -1;
			o->seal_node[o->nseal++] = optarg;
			break;
		default: return -1;
		}
	}
	if (o->kind == NULL || o->count < 1 || optind != argc ||
	    (o->node != NULL) + (o->root != NULL) + (o->operator_dir != NULL) != 1 ||
	    (o->advance && (o->node == NULL || o->tamper != NULL)))
		return -1;
	return 0;
}

static int
cmd_sign(int argc, char **argv)
{
	struct sign_opts o;
	struct keypair *k = NULL;
	struct buf payload = {0}, env = {0}, all = {0}, sealed = {0};
	struct seal_recipient rcpt[FORGE_SEAL_MAX];
	char rstate[FORGE_SEAL_MAX][3];
	sqlite3 *db = NULL;
	char path[4096], state[3] = "", *prev = NULL;
	int64_t seq = 0;
	int rc = FORGE_FAIL;

	if (parse_sign(argc, argv, &o) != 0) {
		usage();
		return FORGE_USAGE;
	}
	if (o.node != NULL) {
		snprintf(path, sizeof(path), "%s/device.key", o.node);
		if ((k = read_key(path, KEY_DEVICE, 1)) == NULL ||
		    node_state(o.node, state) != 0)
			goto fail;
		snprintf(path, sizeof(path), "%s/node.db", o.node);
		if ((db = db_open(path, NULL)) == NULL)
			goto fail;
		if (db_meta_get_int(db, "seq", &seq) != 0)
			seq = 0;
		prev = db_meta_get_text(db, "prev");
		if (o.seq >= 0)
			seq = o.seq - 1;
		if (o.prev != NULL) {
			free(prev);
			prev = strcmp(o.prev, "none") == 0 ? NULL : xstrdup(o.prev);
		}
	} else if (o.root != NULL) {
		if ((k = read_key(o.root, KEY_ROOT, 1)) == NULL)
			goto fail;
		memcpy(state, k->state, 3);
	} else {
		snprintf(path, sizeof(path), "%s/operator.key", o.operator_dir);
		if ((k = read_key(path, KEY_OPERATOR, 0)) == NULL)
			goto fail;
	}
	if (load_payload(&o, &payload) != 0)
		goto fail;
	for (size_t i = 0; i < o.nseal; i++)
		if (seal_recipient(o.seal_node[i], &rcpt[i], rstate[i]) != 0)
			goto fail;
	if (o.advance && db_begin(db) != 0)
		goto fail;
	for (long long i = 0; i < o.count; i++) {
		json_error_t jerr;
		json_t *hdr = o.hdr ? json_loads(o.hdr, 0, &jerr) : json_object();
		uint8_t id[32];
		char *hex;

		if (hdr == NULL || !json_is_object(hdr)) {
			rs_seterr("--hdr is not a JSON object");
			json_decref(hdr);
			goto fail_tx;
		}
		json_object_set_new(hdr, "kind", json_string(o.kind));
		if (o.time > 0)
			json_object_set_new(hdr, "time", json_integer(o.time));
		if (state[0] != '\0' && json_object_get(hdr, "state") == NULL)
			json_object_set_new(hdr, "state", json_string(state));
		if (o.node != NULL) {
			json_object_set_new(hdr, "seq", json_integer(seq + 1));
			if (prev != NULL && prev[0] != '\0')
				json_object_set_new(hdr, "prev", json_string(prev));
		}
		env.len = 0;
		sealed.len = 0;
		if (o.nseal > 0) {
			fill_audience(hdr, rcpt, rstate, o.nseal);
			if (seal_encrypt(&sealed, payload.p, payload.len, rcpt, o.nseal) != 0) {
				json_decref(hdr);
				goto fail_tx;
			}
		}
		rc = o.nseal > 0 ?
		    env_build(&env, hdr, sealed.p, sealed.len, k->pk, k->sk) :
		    env_build(&env, hdr, payload.p, payload.len, k->pk, k->sk);
		json_decref(hdr);
		if (rc != 0) {
			rc = FORGE_FAIL;
			goto fail_tx;
		}
		sha256(id, env.p, env.len);
		if (o.advance && outbox_add(db, seq + 1, id, o.kind, &env) != 0)
			goto fail_tx;
		hex = hex_encode(id, 32);
		free(prev);
		prev = hex;		/* the chain goes on from the envelope as signed */
		if (o.tamper != NULL) {
			if (tamper(&env, o.tamper) != 0)
				goto fail_tx;
			sha256(id, env.p, env.len);
		}
		hex = hex_encode(id, 32);
		printf("%lld %s\n", (long long)(o.node ? seq + 1 : 0), hex);
		free(hex);
		buf_add(&all, env.p, env.len);
		seq++;
	}
	if (o.advance && db_commit(db) != 0)
		goto fail;
	if (o.out != NULL ? write_file_atomic(o.out, all.p, all.len, 0644) != 0 :
	    fwrite(all.p, 1, all.len, stdout) != all.len)
		goto fail;
	rc = FORGE_OK;
	goto out;
fail_tx:
	if (o.advance)
		db_rollback(db);
fail:
	rc = fail("sign");
out:
	free(prev);
	db_close(db);
	keypair_free(k);
	buf_free(&payload);
	buf_free(&env);
	buf_free(&all);
	buf_free(&sealed);
	return rc;
}

/* One certificate for a fresh device of the root key's State. */
static int
one_cert(struct buf *all, const struct keypair *root, const char *role,
    const char *state, const char *hstate, long long n)
{
	struct keypair *dev = keypair_new(state, 1);
	struct buf msg = {0}, env = {0};
	json_t *p = NULL, *hdr = NULL;
	uint8_t pop[64];
	char name[64], email[96], *text = NULL, *hex;
	int64_t issued = now_ms();
	int rc = -1;

	if (dev == NULL)
		return -1;
	dir_pop_message(&msg, state, dev->pk, dev->box_pk);
	crypto_sign_detached(pop, NULL, msg.p, msg.len, dev->sk);
	snprintf(name, sizeof(name), "Forged POC %lld", n);
	snprintf(email, sizeof(email), "forged%lld@example.org", n);
	p = json_object();
	json_object_set_new(p, "state", json_string(state));
	json_object_set_new(p, "device", jhex(dev->pk, 32));
	json_object_set_new(p, "box_key", jhex(dev->box_pk, 32));
	json_object_set_new(p, "role", json_string(role));
	json_object_set_new(p, "name", json_string(name));
	json_object_set_new(p, "email", json_string(email));
	json_object_set_new(p, "languages", json_pack("[s]", "en"));
	json_object_set_new(p, "pop", jb64(pop, 64));
	json_object_set_new(p, "issued", json_integer(issued));
	json_object_set_new(p, "expires", json_integer(issued + 730LL * 86400000));
	text = jdump(p);
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("cert"));
	json_object_set_new(hdr, "state", json_string(hstate));
	if (env_build(&env, hdr, text, strlen(text), root->pk, root->sk) != 0)
		goto out;
	buf_add(all, env.p, env.len);
	hex = hex_encode(dev->pk, 32);
	printf("%s\n", hex);
	free(hex);
	rc = 0;
out:
	json_decref(p);
	json_decref(hdr);
	free(text);
	buf_free(&msg);
	buf_free(&env);
	keypair_free(dev);
	return rc;
}

static int
cmd_certs(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "root", required_argument, NULL, 'r' },
		{ "n", required_argument, NULL, 'n' },
		{ "role", required_argument, NULL, 'l' },
		{ "out", required_argument, NULL, 'o' },
		{ "state", required_argument, NULL, 's' },
		{ "header-state", required_argument, NULL, 'H' },
		{ NULL, 0, NULL, 0 }
	};
	const char *rootfile = NULL, *role = "technical", *out = NULL;
	const char *state = NULL, *hstate = NULL;
	struct keypair *root = NULL;
	struct buf all = {0};
	long long n = 0;
	int c, rc = FORGE_FAIL;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'r': rootfile = optarg; break;
		case 'n': n = atoll(optarg); break;
		case 'l': role = optarg; break;
		case 'o': out = optarg; break;
		case 's': state = optarg; break;
		case 'H': hstate = optarg; break;
		default: usage(); return FORGE_USAGE;
		}
	}
	if (rootfile == NULL || n < 1 || optind != argc ||
	    (state != NULL && !valid_state(state)) || (hstate != NULL && !valid_state(hstate))) {
		usage();
		return FORGE_USAGE;
	}
	if ((root = read_key(rootfile, KEY_ROOT, 1)) == NULL)
		goto fail;
	if (state == NULL)
		state = root->state;
	if (hstate == NULL)
		hstate = state;
	for (long long i = 0; i < n; i++)
		if (one_cert(&all, root, role, state, hstate, i) != 0)
			goto fail;
	if (out != NULL ? write_file_atomic(out, all.p, all.len, 0644) != 0 :
	    fwrite(all.p, 1, all.len, stdout) != all.len)
		goto fail;
	rc = FORGE_OK;
	goto out;
fail:
	rc = fail("certs");
out:
	keypair_free(root);
	buf_free(&all);
	return rc;
}

static int
cmd_httpsig(int argc, char **argv)
{
	static const struct option longopts[] = {
		{ "node", required_argument, NULL, 'n' },
		{ "method", required_argument, NULL, 'm' },
		{ "target", required_argument, NULL, 't' },
		{ "body-file", required_argument, NULL, 'b' },
		{ NULL, 0, NULL, 0 }
	};
	const char *dir = NULL, *method = NULL, *target = NULL, *bodyfile = NULL;
	struct httpsig_headers h;
	struct keypair *k = NULL;
	struct buf body = {0};
	char path[4096];
	int c, rc = FORGE_FAIL;

	while ((c = getopt_long(argc, argv, "", longopts, NULL)) != -1) {
		switch (c) {
		case 'n': dir = optarg; break;
		case 'm': method = optarg; break;
		case 't': target = optarg; break;
		case 'b': bodyfile = optarg; break;
		default: usage(); return FORGE_USAGE;
		}
	}
	if (dir == NULL || method == NULL || target == NULL || optind != argc) {
		usage();
		return FORGE_USAGE;
	}
	snprintf(path, sizeof(path), "%s/device.key", dir);
	if ((k = read_key(path, KEY_DEVICE, 1)) == NULL ||
	    (bodyfile != NULL && read_file(bodyfile, &body, FORGE_PAYLOAD_MAX) != 0)) {
		rc = fail("httpsig");
		goto out;
	}
	httpsig_sign(&h, method, target, body.p, body.len, now_ms() / 1000, k->pk, k->sk);
	printf("Content-Digest: %s\nSignature-Input: %s\nSignature: %s\n",
	    h.digest, h.input, h.signature);
	rc = FORGE_OK;
out:
	keypair_free(k);
	buf_free(&body);
	return rc;
}

int
main(int argc, char **argv)
{
	if (sodium_init() < 0) {
		fprintf(stderr, "forge: libsodium does not initialise\n");
		return FORGE_FAIL;
	}
	if (argc < 2) {
		usage();
		return FORGE_USAGE;
	}
	optind = 2;
	if (strcmp(argv[1], "sign") == 0)
		return cmd_sign(argc, argv);
	if (strcmp(argv[1], "certs") == 0)
		return cmd_certs(argc, argv);
	if (strcmp(argv[1], "httpsig") == 0)
		return cmd_httpsig(argc, argv);
	usage();
	return FORGE_USAGE;
}
