/*
 * blobs.c - the hub's attachment store (docs/protocol.md, "Attachments").
 *
 * A blob is an attachment's ciphertext (lib/blob.h), named by its SHA-256.
 * The hub cannot read it: the key travels in the message's sealed payload.
 *
 *   PUT /v1/blobs/<hex>   streamed upload, signed like every request; the
 *                         signed Content-Digest must equal the name, and the
 *                         body must hash to it.  201 when stored, 200 when
 *                         already held (idempotent).
 *   GET /v1/blobs/<hex>   signed; streams the blob from its file.
 *
 * Why streamed: a blob may be far larger than the HTTP server's max_body,
 * and holding it would make the hub's memory the limit on attachments and
 * on how many may be in flight.  The upload is refused before any body is
 * read when it has no Content-Length, announces more than the limit, or its
 * signature, nonce or device does not pass; otherwise it goes to
 * HUBDIR/blobs/tmp.<random>, hashed on the way, and is renamed to its name
 * only after the digest matched and fsync returned.  Temporary files left by
 * a crash are removed at start-up.
 *
 * A message's signed header lists its blobs ({"sha256", "size"} each); the
 * hub logs the message only if it holds every one with that size, so a
 * recipient never gets a message whose attachment the hub never had, and the
 * sender's signature binds the blobs to the message.  The same holds for
 * the language versions of a paper and of a stakeholder's contribution
 * (their header's "files", docs/protocol.md section 10).
 *
 * Several hub processes over one PostgreSQL log share one blob folder
 * ("blobs" in hub.json: a shared file system, or one machine's folder), so
 * that a message logged through one can be fetched through any other.
 * Why a folder rather than large objects in the database: blobs are
 * immutable and named by their digest, so writing one needs no
 * coordination at all (a temporary file, fsync, rename: two processes
 * storing the same blob store the same bytes), they are streamed without
 * ever being held, and keeping tens of megabytes per attachment out of
 * the database keeps its WAL, its replicas and its backups to the log.
 * What it costs: the folder must be backed up and failed over with the
 * database (docs/operations.md).
 *
 * Who may read a blob: any current device.  Blobs are ciphertext under keys
 * only the message's recipients hold; restricting reads to recipients would
 * need an index from blob to message for no gain in confidentiality.
 */
#include "blobs.h"

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "blob.h"
#include "hub.h"
#include "jsonutil.h"
#include "kinds.h"
#include "procrec.h"
#include "util.h"

struct upload {
	struct api *a;
	struct blob_in in;
	uint8_t sha[32];
};

/* HUBDIR/blobs, or the folder of "blobs" in hub.json: one that several hub
 * processes over one PostgreSQL log share (docs/operations.md). */
static char *
blobs_dir(struct api *a)
{
	if (a->s->cfg.blobs[0] != '\0')
		return xstrdup(a->s->cfg.blobs);
	return hub_path(a->s->hubdir, "blobs");
}

static uint64_t
blob_limit(struct api *a)
{
	return blob_cipher_size(a->s->cfg.max_attachment);
}

/* The 64 lower-case hex digits after the prefix; -1 after answering 400. */
static int
blob_name(const struct http_req *req, struct http_resp *resp, uint8_t sha[32])
{
	if (blob_parse_name(req->path + strlen(BLOBS_PREFIX), sha) == 0)
		return 0;
	http_resp_error(resp, 400, "a blob is named by the SHA-256 of its "
	    "content: 64 lower-case hex digits after %s", BLOBS_PREFIX);
	return -1;
}

/* Content-Length, required; -1 after answering 411 or 400. */
static int
content_length(const struct http_req *req, struct http_resp *resp,
    uint64_t *len)
{
	const char *v = http_req_header(req, "Content-Length");

	if (v == NULL) {
		http_resp_error(resp, 411, "an attachment upload needs a "
		    "Content-Length header (no chunked encoding)");
		return -1;
	}
	if (blob_parse_length(v, len) != 0) {
		http_resp_error(resp, 400, "Content-Length is not a decimal "
		    "byte count");
		return -1;
	}
	return 0;
}

/* Signature over the headers (the body comes later) and the device. */
static int
upload_auth(struct api *a, const struct http_req *req, struct http_resp *resp,
    const uint8_t sha[32])
{
	int64_t now = (int64_t)time(NULL);
	uint8_t key[32], claimed[32];
	char nonce[33];

	if (httpsig_verify_digest(req->method, req->target,
	    http_req_header(req, "Content-Digest"),
	    http_req_header(req, "Signature-Input"),
	    http_req_header(req, "Signature"), now, key, nonce, claimed) != 0) {
		http_resp_error(resp, 401, "request signature refused: %s", rs_err());
		return -1;
	}
	if (nonce_seen(a->nonces, nonce, now)) {
		http_resp_error(resp, 401, "request signature refused: this nonce "
		    "was already used (a replayed request)");
		return -1;
	}
	if (api_device_ok(a, key, resp) != 0)
		return -1;
	if (memcmp(claimed, sha, 32) != 0) {
		http_resp_error(resp, 400, "the signed Content-Digest is not the "
		    "blob's name: a blob is named by its SHA-256");
		return -1;
	}
	return 0;
}

static void *
upload_begin(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct api *a = ctx;
	struct upload *u;
	uint8_t sha[32];
	uint64_t len;
	char *dir;

	if (blob_name(req, resp, sha) != 0 || content_length(req, resp, &len) != 0)
		return NULL;
	if (a->s->cfg.max_attachment == 0) {
		http_resp_error(resp, 403, "this hub takes no attachments "
		    "(max_attachment is 0)");
		return NULL;
	}
	if (len > blob_limit(a)) {
		http_resp_error(resp, 413, "attachment too large: %llu bytes of "
		    "ciphertext, over the hub's limit of %zu bytes per file "
		    "(max_attachment; %llu bytes once encrypted)",
		    (unsigned long long)len, a->s->cfg.max_attachment,
		    (unsigned long long)blob_limit(a));
		return NULL;
	}
	if (upload_auth(a, req, resp, sha) != 0)
		return NULL;
	u = xcalloc(1, sizeof(*u));
	u->a = a;
	memcpy(u->sha, sha, 32);
	dir = blobs_dir(a);
	if (blob_in_begin(&u->in, dir, sha, len) != 0) {
		http_resp_error(resp, 500, "internal error: %s", rs_err());
		free(dir);
		free(u);
		return NULL;
	}
	free(dir);
	return u;
}

static void
upload_data(void *st, const void *p, size_t n)
{
	struct upload *u = st;

	blob_in_data(&u->in, p, n);
}

static void
upload_end(void *st, const struct http_req *req, struct http_resp *resp)
{
	struct upload *u = st;
	int held = u->in.tmp == NULL, status;
	uint64_t got = u->in.got;
	json_t *j;

	if (blob_in_end(&u->in, &status) != 0) {
		http_resp_error(resp, status, "attachment refused: %s", rs_err());
		free(u);
		return;
	}
	j = json_object();
	json_object_set_new(j, "sha256", jhex(u->sha, 32));
	json_object_set_new(j, "size", json_integer((json_int_t)got));
	json_object_set_new(j, "stored", json_boolean(!held));
	http_resp_json(resp, held ? 200 : 201, j);
	free(u);
}

static void
upload_abort(void *st)
{
	struct upload *u = st;

	blob_in_abort(&u->in);
	free(u);
}

static const struct http_stream_ops upload_ops = {
	upload_begin, upload_data, upload_end, upload_abort
};

int
blobs_serve(struct http_server *srv, struct api *a)
{
	char *dir = blobs_dir(a);
	/* A shared folder may hold other processes' uploads in flight: only
	 * those idle for ten minutes (the server's idle timeout is 60 s) are
	 * a crash's leftovers. */
	int rc = blob_dir_init(dir, a->s->cfg.blobs[0] != '\0' ? 600 : 0);

	free(dir);
	if (rc != 0)
		return -1;
	return http_server_stream(srv, "PUT", BLOBS_PREFIX, &upload_ops, a);
}

void
blobs_get(struct api *a, const struct http_req *req, struct http_resp *resp)
{
	uint8_t sha[32], key[32];
	char *dir, *path;
	struct stat sb;
	int fd;

	if (strcmp(req->method, "GET") != 0) {
		http_resp_error(resp, 405, "%s takes GET (and PUT to upload), "
		    "not %.16s", BLOBS_PREFIX, req->method);
		snprintf(resp->extra_headers, sizeof(resp->extra_headers),
		    "Allow: GET, PUT\r\n");
		return;
	}
	if (blob_name(req, resp, sha) != 0 ||
	    api_authenticate(a, req, resp, key) != 0)
		return;
	dir = blobs_dir(a);
	path = blob_path(dir, sha);
	free(dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	free(path);
	if (fd < 0) {
		if (errno == ENOENT)
			http_resp_error(resp, 404, "no such blob on this hub");
		else
			http_resp_error(resp, 500, "internal error: cannot open "
			    "the blob: %s", strerror(errno));
		return;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		close(fd);
		http_resp_error(resp, 500, "internal error: the blob is not a "
		    "regular file");
		return;
	}
	http_resp_fd(resp, 200, "application/octet-stream", fd,
	    (uint64_t)sb.st_size);
}

/* Is every blob of the list held with its size?  what names them in the
 * error ("attachment", "the fr version"). */
static int
all_held(struct api *a, const struct blob_ref *refs, size_t n,
    const char *const *names, const char *record)
{
	char *dir = blobs_dir(a), hex[65];
	int rc = 0, held;

	for (size_t i = 0; i < n && rc == 0; i++) {
		if ((held = blob_held(dir, refs[i].sha, refs[i].size)) < 0)
			rc = -1;
		else if (held == 0) {
			sodium_bin2hex(hex, sizeof(hex), refs[i].sha, 32);
			if (names != NULL)
				rs_seterr("the %s version (%.16s...) is not on this hub "
				    "with that size: upload it (PUT %s<sha256>) before "
				    "the %s", names[i], hex, BLOBS_PREFIX, record);
			else
				rs_seterr("attachment %zu (%.16s...) is not on this hub "
				    "with that size: upload it (PUT %s<sha256>) before "
				    "the %s", i + 1, hex, BLOBS_PREFIX, record);
			rc = -1;
		}
	}
	free(dir);
	return rc;
}

/* A process record's language versions (docs/protocol.md section 10,
 * "Files"): its shape was checked by kind_validate. */
static int
check_files(struct api *a, const struct envelope *e)
{
	struct proc_files f;
	struct blob_ref refs[PROC_MAX_FILES];
	const char *names[PROC_MAX_FILES];

	if (env_field(e, "files") == NULL)
		return 0;
	if (procrec_files(e, &f) != 0)
		return -1;
	for (size_t i = 0; i < f.n; i++) {
		memcpy(refs[i].sha, f.v[i].sha, 32);
		refs[i].size = f.v[i].size;
		names[i] = f.v[i].lang;
		if (refs[i].size > blob_limit(a)) {
			rs_seterr("the %s version is larger than this hub takes (%zu "
			    "bytes of file)", f.v[i].lang, a->s->cfg.max_attachment);
			return -1;
		}
	}
	return all_held(a, refs, f.n, names, e->kind);
}

int
blobs_check_msg(struct api *a, const struct envelope *e)
{
	struct blob_ref refs[BLOB_MAX_ATTACH];
	json_t *list = env_field(e, "attachments");
	size_t n;

	if (list != NULL && e->kind_id != KIND_MSG) {
		rs_seterr("only messages carry attachments");
		return -1;
	}
	if (kind_has(e->kind_id, KIND_PROCESS))
		return check_files(a, e);
	if (list == NULL)
		return 0;
	if (blob_parse_list(list, blob_limit(a), refs, &n) != 0)
		return -1;
	return all_held(a, refs, n, NULL, "message");
}
