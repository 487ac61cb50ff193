/*
 * enroll.c - requests, certificates and revocations (see enroll.h).
 *
 * A request carries the device's keys with a proof of possession (the
 * device key's signature over the State, both keys: lib/directory.h), so
 * the administrator certifies only a key its holder controls.  The
 * certificate file holds the finished, signed cert envelope (base64), so
 * the POC's node publishes exactly what the administrator signed; both
 * are plain JSON that can travel on a USB stick.
 */
#include "enroll.h"

#include <ctype.h>
#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "jsonutil.h"

int
enroll_write_request(struct node *n, const struct keypair *k, char *path, size_t plen)
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

/* The node does not depend on a file elsewhere staying put. */
int
enroll_copy_ca(struct node *n, const char *ca)
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

json_t *
enroll_read_request(const char *path, uint8_t dev[32], uint8_t box[32])
{
	struct buf b = {0}, pop = {0}, m = {0};
	const char *t, *state, *role;
	json_t *j;

	if (read_file(path, &b, 1 << 20) != 0)
		return NULL;
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL)
		return NULL;
	if ((t = jstr(j, "roster")) == NULL || strcmp(t, "cert-request") != 0) {
		rs_seterr("%s is not a certification request", path);
		goto bad;
	}
	if ((state = jstr_req(j, "state")) == NULL || jhex32_req(j, "device", dev) != 0 ||
	    jhex32_req(j, "box_key", box) != 0 || (role = jstr_req(j, "role")) == NULL ||
	    jstr_req(j, "name") == NULL || jstr_req(j, "email") == NULL ||
	    jb64_req(j, "pop", &pop) != 0)
		goto bad;
	if (!valid_state(state) || !dir_valid_role(role)) {
		rs_seterr("request has an invalid State or role");
		goto bad;
	}
	if (dir_cert_person_check(j) != 0)	/* what the hub would refuse */
		goto bad;
	dir_pop_message(&m, state, dev, box);
	if (pop.len != 64 || crypto_sign_verify_detached(pop.p, m.p, m.len, dev) != 0) {
		rs_seterr("the request's proof of possession does not verify: it was altered "
		    "or not made by `roster init`");
		goto bad;
	}
	buf_free(&pop);
	buf_free(&m);
	return j;
bad:
	buf_free(&pop);
	buf_free(&m);
	json_decref(j);
	return NULL;
}

char *
enroll_certify(json_t *r, const struct keypair *k, long days)
{
	struct buf env = {0};
	json_t *p, *hdr, *file;
	int64_t issued = now_ms();
	char *text, *out = NULL;

	p = json_deep_copy(r);
	json_object_del(p, "roster");
	json_object_set_new(p, "issued", json_integer(issued));
	json_object_set_new(p, "expires", json_integer(issued + (int64_t)days * 86400000));
	text = jdump(p);
	json_decref(p);
	hdr = json_object();
	json_object_set_new(hdr, "kind", json_string("cert"));
	json_object_set_new(hdr, "state", json_string(k->state));
	if (env_build(&env, hdr, text, strlen(text), k->pk, k->sk) == 0) {
		file = json_object();
		json_object_set_new(file, "roster", json_string("cert"));
		json_object_set_new(file, "envelope", jb64(env.p, env.len));
		out = json_dumps(file, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
		json_decref(file);
	}
	json_decref(hdr);
	free(text);
	buf_free(&env);
	return out;
}

int
enroll_read_cert(const char *path, struct buf *raw)
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
enroll_cert_is_ours(struct node *n, const struct envelope *e)
{
	uint8_t dev[32];
	json_t *p = NULL;
	int ok;

	ok = strcmp(e->kind, "cert") == 0 && (p = env_payload_json(e)) != NULL &&
	    jhex32_req(p, "device", dev) == 0 && memcmp(dev, n->cfg.device, 32) == 0 &&
	    e->state != NULL && strcmp(e->state, n->cfg.state) == 0;
	json_decref(p);
	return ok ? 0 : -1;
}

int
enroll_revoke_envelope(struct buf *env, const struct keypair *k, const char *state,
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
enroll_endorse_envelope(struct buf *env, const struct keypair *k,
    const uint8_t root_key[32], int accept)
{
	json_t *hdr = json_object(), *p = json_object();
	char *text;
	int rc;

	json_object_set_new(p, "root_key", jhex(root_key, 32));
	json_object_set_new(p, "accept", json_boolean(accept));
	text = jdump(p);
	json_decref(p);
	json_object_set_new(hdr, "kind", json_string("endorse"));
	json_object_set_new(hdr, "state", json_string(k->state));
	rc = env_build(env, hdr, text, strlen(text), k->pk, k->sk);
	json_decref(hdr);
	free(text);
	return rc;
}

int
enroll_find_root(struct node *n, const char *state, const char *fpr,
    uint8_t key[32])
{
	char want[65], have[RS_FPR_LEN], *hex;
	size_t w = 0, found = 0;

	for (const char *p = fpr; *p != '\0' && w < sizeof(want) - 1; p++)
		if (*p != ' ')
			want[w++] = (char)tolower((unsigned char)*p);
	want[w] = '\0';
	if (w < 8) {
		rs_seterr("\"%s\" is too short to name a root key: give its fingerprint "
		    "(`roster directory`)", fpr);
		return -1;
	}
	for (size_t i = 0; i < n->directory->nroots; i++) {
		const struct dir_root *r = &n->directory->roots[i];
		size_t h = 0;
		if (strcmp(r->state, state) != 0)
			continue;
		fingerprint(have, r->key);
		for (char *q = have; *q != '\0'; q++)
			if (*q != ' ')
				have[h++] = *q;
		have[h] = '\0';
		hex = hex_encode(r->key, 32);
		if (strncmp(want, w > h ? hex : have, w) == 0) {
			memcpy(key, r->key, 32);
			found++;
		}
		free(hex);
	}
	if (found == 0) {
		rs_seterr("no root key of %s has fingerprint %s (`roster directory "
		    "--state %s` lists them)", state, fpr, state);
		return -1;
	}
	if (found > 1) {
		rs_seterr("more than one root key of %s starts with %s: give the whole "
		    "fingerprint", state, fpr);
		return -1;
	}
	return 0;
}
