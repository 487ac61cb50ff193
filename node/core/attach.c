/*
 * attach.c - attachments on the node: encrypt and upload when sending,
 * download, check and decrypt when receiving (`roster attachment`, the
 * web's download); how the progress is shown is the caller's
 * (struct transfer_progress).
 *
 * Sending (attach_upload): the file is encrypted with a fresh key in
 * secretstream chunks (lib/blob.h) twice over: a first pass only hashes the
 * ciphertext, because the request signature must cover the body's digest
 * before the body is sent and the hub stores the blob under that digest; a
 * second pass, from the same saved state, feeds the upload.  Neither pass
 * holds more than one chunk, so a 50 MiB file costs the sender a few hundred
 * KiB of memory, not 50 MiB.  What comes back is the description that goes
 * into the sealed payload: {name, size, type, sha256, key, header}.  The
 * message's signed header gets {sha256, size of ciphertext} only.
 *
 * Receiving (attach_download): the blob is streamed into a temporary file
 * next to the destination; each chunk is authenticated before its plaintext
 * is written, the ciphertext's SHA-256 is compared with the digest the
 * sender signed, and only then is the file linked into place (never over an
 * existing file).  Any failure removes the temporary file: a tampered or
 * truncated blob leaves nothing behind.
 *
 * The description is taken from the message's envelope as stored in the
 * records table (it was verified at sync) and decrypted again here, so no
 * key of an attachment is kept at rest outside the sealed payload.
 */
#include "attach.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "audience.h"
#include "blob.h"
#include "hubclient.h"
#include "jsonutil.h"
#include "message.h"
#include "seal.h"
#include "store.h"

#define IOBUF		(64 * 1024)
#define NAME_MAX_LEN	255

/* ---- small helpers ------------------------------------------------------- */

static const char *
base_name(const char *path)
{
	const char *s = strrchr(path, '/');

	return s != NULL ? s + 1 : path;
}

static const char *
guess_type(const char *name)
{
	static const char *types[][2] = {
		{ ".pdf", "application/pdf" }, { ".txt", "text/plain" },
		{ ".csv", "text/csv" }, { ".json", "application/json" },
		{ ".xml", "application/xml" }, { ".zip", "application/zip" },
		{ ".png", "image/png" }, { ".jpg", "image/jpeg" },
		{ ".jpeg", "image/jpeg" }, { ".gz", "application/gzip" },
		{ ".docx", "application/vnd.openxmlformats-officedocument."
		    "wordprocessingml.document" },
	};
	const char *dot = strrchr(name, '.');

	if (dot != NULL)
		for (size_t i = 0; i < sizeof(types) / sizeof(types[0]); i++)
			if (strcasecmp(dot, types[i][0]) == 0)
				return types[i][1];
	return "application/octet-stream";
}

/* The hub's error text from a JSON answer, or a generic one. */
static void
hub_refusal(const char *what, long status, const struct buf *b)
{
	json_t *j = json_loadb((const char *)b->p, b->len, 0, NULL);
	const char *e = json_is_object(j) ? jstr(j, "error") : NULL;
	char text[300];
	size_t i;

	snprintf(text, sizeof(text), "%s", e != NULL ? e : "(no error text)");
	for (i = 0; text[i]; i++)
		if ((unsigned char)text[i] < 0x20)
			text[i] = '?';
	json_decref(j);
	rs_seterr("hub refused %s (HTTP %ld): %s", what, status, text);
}

/* ---- upload --------------------------------------------------------------- */

static ssize_t
enc_read(void *ud, void *p, size_t max)
{
	return blob_enc_read(ud, p, max);
}

/* First pass: the ciphertext's SHA-256, then back to the start. */
static int
cipher_digest(struct blob_enc *e, uint8_t sha[32])
{
	crypto_hash_sha256_state h;
	uint8_t *buf = xmalloc(IOBUF);
	ssize_t r;

	crypto_hash_sha256_init(&h);
	while ((r = blob_enc_read(e, buf, IOBUF)) > 0)
		crypto_hash_sha256_update(&h, buf, (unsigned long long)r);
	free(buf);
	if (r < 0)
		return -1;
	crypto_hash_sha256_final(&h, sha);
	return blob_enc_rewind(e);
}

static int
check_size(struct node *n, const char *path, uint64_t size)
{
	int64_t lim = hub_max_attachment(n);

	if (lim < 0) {
		char why[RS_ERRLEN];
		snprintf(why, sizeof(why), "%s", rs_err());
		rs_seterr("cannot ask the hub for its attachment limit: %s", why);
		return -1;
	}
	if (lim == 0) {
		rs_seterr("the hub takes no attachments (its max_attachment is 0)");
		return -1;
	}
	if (size > (uint64_t)lim) {
		rs_seterr("%s is %" PRIu64 " bytes; the hub takes attachments of "
		    "at most %" PRId64 " bytes (%.1f MiB, its max_attachment)",
		    path, size, lim, (double)lim / (1024.0 * 1024.0));
		return -1;
	}
	return 0;
}

static json_t *
describe(const char *path, uint64_t size, const struct blob_enc *e,
    const uint8_t sha[32])
{
	json_t *d = json_object();
	const char *name = base_name(path);

	json_object_set_new(d, "name", json_stringn(name, strnlen(name,
	    NAME_MAX_LEN)));
	json_object_set_new(d, "size", json_integer((json_int_t)size));
	json_object_set_new(d, "type", json_string(guess_type(name)));
	json_object_set_new(d, "sha256", jhex(sha, 32));
	json_object_set_new(d, "key", jb64(e->key, sizeof(e->key)));
	json_object_set_new(d, "header", jb64(e->header, sizeof(e->header)));
	if (json_object_get(d, "name") == NULL) {	/* not UTF-8 */
		json_decref(d);
		rs_seterr("the file name of %s is not valid UTF-8", path);
		return NULL;
	}
	return d;
}

static int
upload_blob(struct node *n, const char *path, struct blob_enc *e,
    uint64_t size, const uint8_t sha[32], const struct transfer_progress *p)
{
	struct buf out = {0};
	uint64_t clen = blob_cipher_size(size);
	long status = 0;
	int rc;

	if (p != NULL)
		p->start(p->ud, base_name(path), clen);
	rc = hub_blob_put(n, sha, clen, enc_read, e, p != NULL ? p->step : NULL,
	    p != NULL ? p->ud : NULL, &status, &out);
	if (p != NULL)
		p->end(p->ud, rc == 0 && (status == 200 || status == 201));
	if (rc == 0 && status != 200 && status != 201) {
		char what[300];
		snprintf(what, sizeof(what), "attachment %s", base_name(path));
		hub_refusal(what, status, &out);
		rc = -1;
	}
	buf_free(&out);
	return rc;
}

int
attach_upload(struct node *n, const char *path, const struct transfer_progress *progress,
    json_t **desc)
{
	struct blob_enc *e = NULL;
	struct stat sb;
	uint8_t sha[32];
	int fd, rc = -1;

	*desc = NULL;
	if ((fd = open(path, O_RDONLY | O_CLOEXEC)) < 0) {
		rs_seterr("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &sb) != 0 || !S_ISREG(sb.st_mode)) {
		rs_seterr("%s is not a regular file", path);
		goto out;
	}
	if (check_size(n, path, (uint64_t)sb.st_size) != 0)
		goto out;
	e = xmalloc(sizeof(*e));
	if (blob_enc_init(e, fd, (uint64_t)sb.st_size) != 0 ||
	    cipher_digest(e, sha) != 0 ||
	    upload_blob(n, path, e, (uint64_t)sb.st_size, sha, progress) != 0)
		goto out;
	if ((*desc = describe(path, (uint64_t)sb.st_size, e, sha)) != NULL)
		rc = 0;
out:
	if (e != NULL) {
		blob_enc_wipe(e);
		free(e);
	}
	close(fd);
	return rc;
}

int
attach_all(struct node *n, const char *const *paths, size_t np,
    const struct transfer_progress *progress, json_t *payload, json_t **hdr_list)
{
	json_t *descs = json_array(), *list = json_array(), *d;

	*hdr_list = NULL;
	if (np > BLOB_MAX_ATTACH) {
		rs_seterr("at most %d attachments per message", BLOB_MAX_ATTACH);
		goto fail;
	}
	for (size_t i = 0; i < np; i++) {
		if (attach_upload(n, paths[i], progress, &d) != 0)
			goto fail;
		json_array_append_new(list, json_pack("{s:O,s:I}", "sha256",
		    json_object_get(d, "sha256"), "size", (json_int_t)
		    blob_cipher_size((uint64_t)json_integer_value(
		    json_object_get(d, "size")))));
		json_array_append_new(descs, d);
	}
	json_object_set_new(payload, "attachments", descs);
	*hdr_list = list;
	return 0;
fail:
	json_decref(descs);
	json_decref(list);
	return -1;
}

int
attach_prepare(struct node *n, struct outgoing *o)
{
	if (o->r == NULL && audience_resolve(n, o->to, o->roles,
	    o->unconfirmed ? AUDIENCE_UNCONFIRMED : 0, &o->r, &o->nr, o->states, o->rcpt,
	    &o->nunconfirmed) != 0)
		return -1;
	json_decref(o->attachments);
	o->attachments = NULL;
	return attach_all(n, o->attach, o->nattach, o->progress, o->payload,
	    &o->attachments);
}

/* ---- download ------------------------------------------------------------- */

struct desc {
	const char *name;
	uint64_t size;
	uint8_t sha[32];
	uint8_t key[BLOB_KEYBYTES];
	uint8_t header[BLOB_HDRBYTES];
};

static int
b64_exact(json_t *d, const char *field, uint8_t *out, size_t n)
{
	struct buf b = {0};
	int rc = -1;

	if (jb64_req(d, field, &b) == 0 && b.len == n) {
		memcpy(out, b.p, n);
		rc = 0;
	}
	if (b.p != NULL)
		sodium_memzero(b.p, b.len);
	buf_free(&b);
	return rc;
}

static int
parse_desc(json_t *d, struct desc *o)
{
	json_t *size = json_object_get(d, "size");

	memset(o, 0, sizeof(*o));
	o->name = jstr(d, "name");
	if (!json_is_object(d) || o->name == NULL || !json_is_integer(size) ||
	    json_integer_value(size) < 0 || jhex32_req(d, "sha256", o->sha) != 0 ||
	    b64_exact(d, "key", o->key, sizeof(o->key)) != 0 ||
	    b64_exact(d, "header", o->header, sizeof(o->header)) != 0) {
		rs_seterr("the attachment's description is malformed (needs name, "
		    "size, sha256, key and header)");
		return -1;
	}
	o->size = (uint64_t)json_integer_value(size);
	return 0;
}

static int
write_fd(void *ud, const void *p, size_t n)
{
	int fd = *(int *)ud;
	const uint8_t *s = p;

	while (n > 0) {
		ssize_t w = write(fd, s, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0) {
			rs_seterr("cannot write the attachment: %s", strerror(errno));
			return -1;
		}
		s += w;
		n -= (size_t)w;
	}
	return 0;
}

static int
dec_write(void *ud, const void *p, size_t n)
{
	return blob_dec_update(ud, p, n);
}

/* Streams the blob through the decryptor into fd. */
static int
fetch_into(struct node *n, const struct desc *d, int *fd, const struct transfer_progress *p)
{
	struct blob_dec *dec = xmalloc(sizeof(*dec));
	struct buf err = {0};
	uint8_t got[32];
	uint64_t clen = blob_cipher_size(d->size);
	long status = 0;
	int rc = -1;

	if (blob_dec_init(dec, d->key, d->header, d->size, write_fd, fd) != 0)
		goto out;
	if (p != NULL)
		p->start(p->ud, d->name, clen);
	rc = hub_blob_get(n, d->sha, clen, dec_write, dec, p != NULL ? p->step : NULL,
	    p != NULL ? p->ud : NULL, &status, &err);
	if (p != NULL)
		p->end(p->ud, rc == 0 && status == 200);
	if (rc != 0)
		goto out;
	rc = -1;
	if (status != 200) {
		hub_refusal("the attachment", status, &err);
		goto out;
	}
	if (blob_dec_final(dec, got) != 0)
		goto out;
	if (sodium_memcmp(got, d->sha, 32) != 0) {
		rs_seterr("the attachment's ciphertext does not match the digest "
		    "the sender signed");
		goto out;
	}
	rc = 0;
out:
	blob_dec_wipe(dec);
	free(dec);
	buf_free(&err);
	return rc;
}

/* A temporary file beside out_path; its name in *tmp (malloc'd). */
static int
open_temp(const char *out_path, char **tmp)
{
	uint8_t r[8];
	char hex[17];
	struct buf b = {0};
	int fd;

	randombytes_buf(r, sizeof(r));
	sodium_bin2hex(hex, sizeof(hex), r, sizeof(r));
	buf_printf(&b, "%s.part-%s", out_path, hex);
	*tmp = (char *)buf_cstr(&b);
	fd = open(*tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (fd < 0) {
		rs_seterr("cannot create %s: %s", *tmp, strerror(errno));
		free(*tmp);
		*tmp = NULL;
	}
	return fd;
}

int
attach_download(struct node *n, json_t *desc, const char *out_path,
    const struct transfer_progress *progress)
{
	struct desc d;
	char *tmp = NULL;
	int fd, rc = -1;

	if (parse_desc(desc, &d) != 0)
		return -1;
	if (access(out_path, F_OK) == 0) {
		rs_seterr("%s already exists; choose another name with --out",
		    out_path);
		goto out0;
	}
	if ((fd = open_temp(out_path, &tmp)) < 0)
		goto out0;
	if (fetch_into(n, &d, &fd, progress) != 0)
		goto out;
	if (fsync(fd) != 0) {
		rs_seterr("cannot sync %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (link(tmp, out_path) != 0) {
		rs_seterr("cannot create %s: %s", out_path, strerror(errno));
		goto out;
	}
	rc = 0;
out:
	close(fd);
	unlink(tmp);
	free(tmp);
out0:
	sodium_memzero(&d, sizeof(d));
	return rc;
}

/* The signed header's attachment list of message id (received or sent), a
 * new reference, or NULL when it has none or cannot be read. */
json_t *
attach_listed(struct node *n, const uint8_t id[32])
{
	struct stored_record rec;
	struct envelope e = {0};
	struct buf raw = {0};
	json_t *list = NULL;
	enum store_result found = store_record_get(n, id, &rec);

	if (found == STORE_ERROR)
		return NULL;
	if (found == STORE_OK)
		raw = rec.raw;	/* taken over */
	else if (store_outbox_envelope(n, id, &raw) == STORE_ERROR)
		return NULL;
	if (raw.len > 0 && env_parse(&e, raw.p, raw.len) == 0 &&
	    json_is_array(env_field(&e, "attachments")))
		list = json_incref(env_field(&e, "attachments"));
	env_free(&e);
	buf_free(&raw);
	return list;
}

/* The message's sealed payload, decrypted, from the verified records. */
json_t *
attach_received_payload(struct node *n, const uint8_t id[32], struct envelope *e,
    struct buf *raw)
{
	struct stored_record rec;
	struct buf plain = {0};
	enum store_result found = store_record_get(n, id, &rec);
	json_t *m;

	if (found == STORE_ERROR)
		return NULL;
	if (found == STORE_OK && strcmp(rec.kind, "msg") == 0) {
		buf_add(raw, rec.raw.p, rec.raw.len);
		stored_record_free(&rec);
	} else {
		if (found == STORE_OK)
			stored_record_free(&rec);
		rs_seterr("no received message with that id (a message this "
		    "node sent has its files where they were sent from)");
		return NULL;
	}
	if (env_parse(e, raw->p, raw->len) != 0 ||
	    seal_decrypt(&plain, e->payload, e->payload_len, n->key) != 0)
		return NULL;
	m = jparse(plain.p, plain.len);
	sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
	return m;
}

/* The sealed description i must name the blob the signed header lists. */
int
attach_matches_header(const struct envelope *e, json_t *desc, size_t i)
{
	json_t *list = env_field(e, "attachments");
	json_t *h = json_is_array(list) ? json_array_get(list, i) : NULL;
	const char *hs = h != NULL ? jstr(h, "sha256") : NULL;
	const char *ds = jstr(desc, "sha256");
	json_t *hsize = h != NULL ? json_object_get(h, "size") : NULL;
	json_t *dsize = json_object_get(desc, "size");

	if (hs == NULL || ds == NULL || strcmp(hs, ds) != 0 ||
	    !json_is_integer(hsize) || !json_is_integer(dsize) ||
	    json_integer_value(dsize) < 0 ||
	    (uint64_t)json_integer_value(hsize) !=
	    blob_cipher_size((uint64_t)json_integer_value(dsize))) {
		rs_seterr("attachment %zu: its sealed description does not match "
		    "the blob the signed header lists", i + 1);
		return -1;
	}
	return 0;
}

