/*
 * hubclient.c - the node's requests to the hub (see hubclient.h).
 *
 * One function per endpoint, so the wire contract of docs/protocol.md
 * section 5 as the node uses it reads top to bottom here.  A transport
 * failure or an unreadable answer is an error with the reason in rs_err;
 * what a well-formed answer means is for the caller to judge.
 */
#include "hubclient.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "catalogue.h"
#include "jsonutil.h"

#define DEFAULT_MAX_RESPONSE	((size_t)256 << 20)

struct http_client *
hub_client(const struct node_config *cfg, const struct keypair *key)
{
	struct http_client *c = http_client_new(cfg->hub);

	if (c == NULL)
		return NULL;
	if (cfg->hub_ca[0] != '\0')
		http_client_set_ca(c, cfg->hub_ca);
	if (key != NULL)
		http_client_set_signer(c, key->pk, key->sk);
	return c;
}

struct http_client *
hub_client_url(const char *url, const char *ca)
{
	struct http_client *c = http_client_new(url);

	if (c != NULL && ca != NULL && *ca != '\0')
		http_client_set_ca(c, ca);
	return c;
}

int
hub_info(struct node *n, json_t **out)
{
	return http_get_json(n->hub, "/v1/info", out);
}

int
hub_fetch_info(const char *url, const char *ca, char *name, size_t namelen,
    uint8_t opkey[32])
{
	struct http_client *c = hub_client_url(url, ca);
	json_t *j = NULL;
	const char *nm;
	int rc = -1;

	if (c == NULL)
		return -1;
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

int64_t
hub_max_attachment(struct node *n)
{
	json_t *j = NULL, *v;
	int64_t lim = -1;

	if (hub_info(n, &j) != 0)
		return -1;
	v = json_object_get(j, "max_attachment");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		lim = json_integer_value(v);
	else
		rs_seterr("the hub's /v1/info names no max_attachment");
	json_decref(j);
	return lim;
}

int
hub_checkpoint(struct node *n, json_t **out)
{
	return http_get_json(n->hub, "/v1/checkpoint", out);
}

int
hub_proof_decode(json_t *arr, uint8_t proof[MERKLE_MAX_PROOF][32], size_t *np)
{
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) > MERKLE_MAX_PROOF) {
		rs_seterr("proof must be an array of at most %d hashes", MERKLE_MAX_PROOF);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		struct buf b = {0};
		if (!json_is_string(v) || b64_decode(&b, json_string_value(v),
		    json_string_length(v)) != 0 || b.len != 32) {
			buf_free(&b);
			rs_seterr("proof hash %zu is not 32 bytes of base64", i);
			return -1;
		}
		memcpy(proof[i], b.p, 32);
		buf_free(&b);
	}
	*np = json_array_size(arr);
	return 0;
}

enum node_result
hub_consistency_proof(struct node *n, uint64_t size1, uint64_t size2,
    uint8_t proof[MERKLE_MAX_PROOF][32], size_t *np)
{
	char target[128];
	struct buf body = {0};
	json_t *j;
	long status;
	int rc;

	snprintf(target, sizeof(target), "/v1/proof/consistency?from=%llu&to=%llu",
	    (unsigned long long)size1, (unsigned long long)size2);
	/*
	 * Both sizes come from checkpoints the operator signed, so an honest
	 * hub can always prove one a prefix of the other.  A refusal (4xx) is
	 * therefore a failed proof, e.g. a log that shrank after a rollback;
	 * only a transport error or a 5xx is a mere failure to check.
	 */
	if (http_call(n->hub, "GET", target, NULL, NULL, 0, &status, &body) != 0)
		return NR_TRANSPORT;
	j = status / 100 == 2 ? jparse(body.p, body.len) : NULL;
	buf_free(&body);
	if (status / 100 == 4) {
		rs_seterr("the hub cannot prove checkpoint %llu a prefix of checkpoint %llu "
		    "(HTTP %ld): its log was rolled back or forked",
		    (unsigned long long)size1, (unsigned long long)size2, status);
		return NR_HOSTILE;
	}
	if (j == NULL) {
		rs_seterr("the hub did not answer a consistency proof request (HTTP %ld)", status);
		return NR_TRANSPORT;
	}
	rc = hub_proof_decode(json_object_get(j, "proof"), proof, np);
	json_decref(j);
	return rc == 0 ? NR_OK : NR_HOSTILE;
}

int
hub_inclusion_proofs(struct node *n, uint64_t size, const int64_t *indexes, size_t count,
    json_t **proofs)
{
	struct buf target = {0};
	json_t *j = NULL;
	int rc;

	*proofs = NULL;
	buf_printf(&target, "/v1/proof/inclusion?size=%llu&index=", (unsigned long long)size);
	for (size_t i = 0; i < count; i++)
		buf_printf(&target, "%s%lld", i ? "," : "", (long long)indexes[i]);
	rc = http_get_json(n->hub, buf_cstr(&target), &j);
	buf_free(&target);
	if (rc != 0)
		return -1;
	*proofs = json_incref(json_object_get(j, "proofs"));
	json_decref(j);
	if (!json_is_array(*proofs)) {
		json_decref(*proofs);
		*proofs = json_array();	/* each index then has no proof */
	}
	return 0;
}

int
hub_listing(struct node *n, const char *path, int64_t after, int limit, json_t **out)
{
	char target[256];

	if (limit > 0)
		snprintf(target, sizeof(target), "%s?after=%lld&limit=%d", path,
		    (long long)after, limit);
	else
		snprintf(target, sizeof(target), "%s?after=%lld", path, (long long)after);
	return http_get_json(n->hub, target, out);
}

enum node_result
hub_public_proof(struct node *n, uint64_t size, uint64_t pindex, json_t **out)
{
	char target[128];
	struct buf body = {0};
	long status;

	*out = NULL;
	snprintf(target, sizeof(target), "/v1/proof/public?size=%llu&pindex=%llu",
	    (unsigned long long)size, (unsigned long long)pindex);
	if (http_call(n->hub, "GET", target, NULL, NULL, 0, &status, &body) != 0)
		return NR_TRANSPORT;
	if (status / 100 == 2)
		*out = jparse(body.p, body.len);
	buf_free(&body);
	/* The checkpoint of size N is the hub's own: an honest hub can prove
	 * every leaf of its public tree. */
	if (status / 100 == 4 || (status / 100 == 2 && *out == NULL)) {
		rs_seterr("the hub does not prove public index %llu of checkpoint %llu "
		    "(HTTP %ld)", (unsigned long long)pindex, (unsigned long long)size,
		    status);
		return NR_HOSTILE;
	}
	if (*out == NULL) {
		rs_seterr("the hub did not answer a public proof request (HTTP %ld)", status);
		return NR_TRANSPORT;
	}
	return NR_OK;
}

int
hub_mail_wait(struct http_client *c, int64_t after, int wait_s, long *status,
    struct buf *body)
{
	char target[128];

	snprintf(target, sizeof(target), "/v1/mail?after=%lld&wait=%d", (long long)after,
	    wait_s);
	return http_call(c, "GET", target, NULL, NULL, 0, status, body);
}

int
hub_submit(struct node *n, const struct buf *envs, json_t **results)
{
	struct buf resp = {0};
	json_t *j;
	long status;
	int rc = -1;

	*results = NULL;
	if (http_call(n->hub, "POST", "/v1/envelopes", "application/octet-stream",
	    envs->p, envs->len, &status, &resp) != 0)
		goto out;
	j = jparse(resp.p, resp.len);
	if (!json_is_array(json_object_get(j, "results"))) {
		rs_seterr("the hub refused the outbox (HTTP %ld): %s", status,
		    j && jstr(j, "error") ? jstr(j, "error") : "no results");
		json_decref(j);
		goto out;
	}
	*results = json_incref(json_object_get(j, "results"));
	json_decref(j);
	rc = 0;
out:
	buf_free(&resp);
	return rc;
}

int
hub_submit_one(struct http_client *c, const uint8_t operator_key[32],
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

int
hub_catalogue(struct node *n, struct buf *b)
{
	long status;
	int rc;

	http_client_set_max_response(n->hub, CAT_MAX_DOC);
	rc = http_call(n->hub, "GET", "/v1/catalogue", NULL, NULL, 0, &status, b);
	http_client_set_max_response(n->hub, DEFAULT_MAX_RESPONSE);
	if (rc != 0)
		return -1;
	if (status != 200) {
		json_t *j = json_loadb((const char *)b->p, b->len, 0, NULL);
		const char *e = json_string_value(json_object_get(j, "error"));
		rs_seterr("hub answered %ld to GET /v1/catalogue%s%.200s", status,
		    e ? ": " : "", e ? e : "");
		json_decref(j);
		return -1;
	}
	return 0;
}

int
hub_checks_report(struct node *n, int64_t size, int64_t since, json_t **report)
{
	char target[128];
	json_t *j = NULL;

	*report = NULL;
	snprintf(target, sizeof(target), "/v1/checks/report?size=%lld&since=%lld",
	    (long long)size, (long long)since);
	if (http_get_json(n->hub, target, &j) != 0)
		return -1;
	if (!json_is_object(json_object_get(j, "report"))) {
		json_decref(j);
		rs_seterr("the hub's report answer holds no \"report\"");
		return -1;
	}
	*report = json_incref(json_object_get(j, "report"));
	json_decref(j);
	return 0;
}

static void
blob_target(char *out, size_t len, const uint8_t sha[32])
{
	char hex[65];

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	snprintf(out, len, "/v1/blobs/%s", hex);
}

int
hub_blob_put(struct node *n, const uint8_t sha[32], uint64_t len, http_read_fn rd,
    void *rd_ud, http_progress_fn progress, void *pud, long *status, struct buf *err)
{
	char target[80];

	blob_target(target, sizeof(target), sha);
	return http_upload(n->hub, "PUT", target, "application/octet-stream", len, sha,
	    rd, rd_ud, progress, pud, status, err);
}

/*
 * A download may take minutes, and it uses nothing of the node but its
 * configuration and device key: it runs on a client of its own (keys
 * copied), with the node's lock released (roster serve's web thread holds
 * it), so that the store and the other requests do not wait for it.
 */
int
hub_blob_get(struct node *n, const uint8_t sha[32], uint64_t max, http_write_fn wr,
    void *wr_ud, http_progress_fn progress, void *pud, long *status, struct buf *err)
{
	struct http_client *c = hub_client(&n->cfg, n->key);
	char target[80];
	int rc;

	if (c == NULL)
		return -1;
	blob_target(target, sizeof(target), sha);
	node_unlock(n);
	rc = http_download(c, target, max, wr, wr_ud, progress, pud, status, err);
	node_relock(n);
	http_client_free(c);
	return rc;
}
