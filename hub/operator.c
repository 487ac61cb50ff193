/*
 * operator.c - appending the operator's own records (admissions, groups,
 * communication checks, the process's bodies, meetings and applications).
 *
 * The operator's records are ordinary envelopes signed by the operator key
 * and appended to the log like any other, so every node sees them.  There is
 * one writer per log: when a hub is serving (it holds HUBDIR/lock) the
 * envelope is POSTed to it, like a node would; otherwise this process takes
 * the lock, opens the store and runs the same sequencer code on a batch of
 * one.  Either way the directory rules (lib/directory.c) decide, and the
 * answer is a receipt, checked against the operator key before success is
 * reported.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "hub.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "kinds.h"
#include "sequencer.h"
#include "store.h"
#include "util.h"

/* The hub is not serving and we hold its lock: append ourselves. */
static int
append_direct(const char *hubdir, const struct buf *env, struct receipt *r)
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
append_http(const char *hubdir, const struct buf *env, struct receipt *r)
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
		rs_seterr("%s", e != NULL ? e : "the hub refused the record");
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

struct keypair *
operator_key_read(const char *hubdir)
{
	char *path = hub_path(hubdir, "operator.key");
	struct keypair *op = keyfile_read(path, KEY_OPERATOR, NULL);

	free(path);
	return op;
}

int
operator_append(const char *hubdir, const struct keypair *op,
    const struct buf *env, struct receipt *r)
{
	uint8_t id[32];
	int lockfd, rc;

	rc = hub_lock(hubdir, &lockfd);
	if (rc < 0)
		return -1;
	if (rc == 1)
		rc = append_http(hubdir, env, r);
	else {
		rc = append_direct(hubdir, env, r);
		hub_unlock(lockfd);
	}
	if (rc != 0)
		return -1;
	if (receipt_verify(r, op->pk) != 0)
		return -1;
	sha256(id, env->p, env->len);
	if (memcmp(id, r->id, 32) != 0) {
		rs_seterr("the hub's receipt is for another envelope");
		return -1;
	}
	return 0;
}


int
operator_record(const char *hubdir, json_t *hdr, json_t *payload,
    struct receipt *r)
{
	struct keypair *op;
	struct buf env = {0};
	struct envelope e;
	char *text = jdump(payload);
	int rc = -1;

	if ((op = operator_key_read(hubdir)) == NULL)
		goto out;
	if (env_build(&env, hdr, text, strlen(text), op->pk, op->sk) != 0)
		goto out;
	/* the record's shape, said here before anything is sent */
	if (env_parse(&e, env.p, env.len) != 0)
		goto out;
	if (kind_validate(&e, op->pk) != KIND_VALID) {
		env_free(&e);
		goto out;
	}
	env_free(&e);
	rc = operator_append(hubdir, op, &env, r);
out:
	free(text);
	buf_free(&env);
	keypair_free(op);
	return rc;
}
