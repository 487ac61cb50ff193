/*
 * hubclient.h - every HTTP request the node makes to a hub, one function
 * per endpoint of docs/protocol.md section 5.
 *
 * Nothing else in node/ calls lib/http.h's client: so what a node asks the
 * hub, and so what the hub learns from the asking, is all in this file.
 * The functions decode the hub's answer as far as its framing goes (JSON,
 * a proof's hashes, a receipt's signature) and leave every judgement of
 * its content to the caller (verify.c, sync.c, accept.c).  Requests are
 * signed with the device key when the client has one (hub_client).
 */
#ifndef ROSTER_NODE_HUBCLIENT_H
#define ROSTER_NODE_HUBCLIENT_H

#include <stdint.h>
#include <jansson.h>

#include "merkle.h"
#include "node.h"

#define HUB_WUR __attribute__((warn_unused_result))

/* A client for cfg's hub (its CA when set) signing with key (may be NULL). */
struct http_client *hub_client(const struct node_config *cfg, const struct keypair *key);

/* A client for the hub at url (ca: a PEM file, NULL or "" for none), not
 * signing: the administrator's `roster revoke --root`. */
struct http_client *hub_client_url(const char *url, const char *ca);

/* GET /v1/info on n's hub; and, before a node exists, on the hub at url
 * (ca: a PEM file or NULL), giving its name and operator key. */
int hub_info(struct node *n, json_t **out) HUB_WUR;
int hub_fetch_info(const char *url, const char *ca, char *name, size_t namelen,
    uint8_t operator_key[32]) HUB_WUR;
/* The hub's max_attachment from /v1/info; -1 with rs_err when it does not
 * say. */
int64_t hub_max_attachment(struct node *n);
/* A proof as the hub frames one: a JSON array of at most MERKLE_MAX_PROOF
 * base64 hashes of 32 bytes.  0, or -1 with rs_err. */
int hub_proof_decode(json_t *arr, uint8_t proof[MERKLE_MAX_PROOF][32], size_t *np) HUB_WUR;
/* GET /v1/checkpoint. */
int hub_checkpoint(struct node *n, json_t **out) HUB_WUR;
/* GET /v1/proof/consistency: NR_OK with the proof; NR_HOSTILE when the hub
 * refuses to prove one operator-signed checkpoint a prefix of another
 * (4xx) or answers a malformed proof; NR_TRANSPORT otherwise. */
enum node_result hub_consistency_proof(struct node *n, uint64_t size1, uint64_t size2,
    uint8_t proof[MERKLE_MAX_PROOF][32], size_t *np) HUB_WUR;
/* GET /v1/proof/public?size=N&pindex=K: NR_OK with the answer (a new
 * reference; its content is for the caller to check); NR_HOSTILE when the
 * hub refuses (4xx: it cannot prove a leaf of a public tree it signed) or
 * answers something that is not JSON; NR_TRANSPORT otherwise. */
enum node_result hub_public_proof(struct node *n, uint64_t size, uint64_t pindex,
    json_t **out) HUB_WUR;
/* GET /v1/proof/inclusion for the records at the indexes, against the
 * checkpoint of size: the answer's "proofs" array (a new reference). */
int hub_inclusion_proofs(struct node *n, uint64_t size, const int64_t *indexes,
    size_t count, json_t **proofs) HUB_WUR;
/* GET path?after=A[&limit=L]: one page of a listing (/v1/public,
 * /v1/mail); limit 0 is the hub's default. */
int hub_listing(struct node *n, const char *path, int64_t after, int limit,
    json_t **out) HUB_WUR;
/* GET /v1/mail?after=A&wait=S on client c (the watcher's own): the raw
 * answer.  0 when an answer came (any status), -1 with rs_err. */
int hub_mail_wait(struct http_client *c, int64_t after, int wait_s, long *status,
    struct buf *body) HUB_WUR;
/* POST /v1/envelopes with concatenated envelopes: the "results" array of
 * the answer (a new reference); -1 with rs_err naming the hub's refusal. */
int hub_submit(struct node *n, const struct buf *envelopes, json_t **results) HUB_WUR;
/* POST /v1/envelopes with one envelope on client c, checking the receipt
 * (operator signature, names this envelope).  A 409 that carries the
 * existing receipt (already in the log) counts as success. */
int hub_submit_one(struct http_client *c, const uint8_t operator_key[32],
    const struct buf *env, struct receipt *r) HUB_WUR;
/* GET /v1/catalogue, bounded by CAT_MAX_DOC: the document's bytes. */
int hub_catalogue(struct node *n, struct buf *doc) HUB_WUR;
/* GET /v1/checks/report?size=&since=: the hub's "report" object. */
int hub_checks_report(struct node *n, int64_t size, int64_t since, json_t **report) HUB_WUR;
/* PUT /v1/blobs/SHA streaming len bytes from rd; GET /v1/blobs/SHA
 * streaming at most max bytes into wr, on a client of its own with n->lock
 * released meanwhile (node.h: nothing of n is used but its configuration
 * and key, copied first).  0 with *status (the body of a refusal in *err),
 * -1 with rs_err on a transport failure. */
int hub_blob_put(struct node *n, const uint8_t sha[32], uint64_t len, http_read_fn rd,
    void *rd_ud, http_progress_fn progress, void *pud, long *status,
    struct buf *err) HUB_WUR;
int hub_blob_get(struct node *n, const uint8_t sha[32], uint64_t max, http_write_fn wr,
    void *wr_ud, http_progress_fn progress, void *pud, long *status,
    struct buf *err) HUB_WUR;

#endif
