/*
 * attach.c - attachments on the node: encrypt and upload when sending,
 * download, check and decrypt when receiving ("roster attachment"), and the
 * progress bar both show.
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
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>
#include <sodium.h>

#include "blob.h"
#include "catalogue.h"
#include "db.h"
#include "jsonutil.h"
#include "seal.h"

#define IOBUF		(64 * 1024)
#define NAME_MAX_LEN	255

/* ---- progress bar --------------------------------------------------------- */

struct progress {
	const char *label;
	int on;
	int64_t start, last;
	uint64_t total;
	int drawn;
};

static void
human(char *out, size_t len, double v)
{
	if (v >= 1024.0 * 1024 * 1024)
		snprintf(out, len, "%.1f GiB", v / (1024.0 * 1024 * 1024));
	else if (v >= 1024.0 * 1024)
		snprintf(out, len, "%.1f MiB", v / (1024.0 * 1024));
	else if (v >= 1024.0)
		snprintf(out, len, "%.1f KiB", v / 1024.0);
	else
		snprintf(out, len, "%.0f B", v);
}

static void
progress_draw(struct progress *p, uint64_t done)
{
	char a[32], b[32], r[32];
	double secs = (double)(now_ms() - p->start) / 1000.0;
	int pct = p->total > 0 ? (int)(done * 100 / p->total) : 0;

	human(a, sizeof(a), (double)done);
	human(b, sizeof(b), (double)p->total);
	human(r, sizeof(r), secs > 0.001 ? (double)done / secs : 0.0);
	fprintf(stderr, "\r%s  %3d%%  %s / %s  %s/s   ", p->label, pct, a, b, r);
	fflush(stderr);
	p->drawn = 1;
}

static void
progress_cb(void *ud, uint64_t done, uint64_t total)
{
	struct progress *p = ud;
	int64_t t = now_ms();

	if (!p->on || (p->drawn && t - p->last < 100 && done < p->total))
		return;
	p->last = t;
	progress_draw(p, done > p->total ? p->total : done);
	(void)total;
}

static void
progress_start(struct progress *p, const char *label, uint64_t total, int on)
{
	memset(p, 0, sizeof(*p));
	p->label = label;
	p->total = total;
	p->on = on || isatty(2);
	p->start = p->last = now_ms();
}

static void
progress_end(struct progress *p, int ok)
{
	if (!p->on)
		return;
	if (ok)
		progress_draw(p, p->total);
	if (p->drawn)
		fputc('\n', stderr);
	fflush(stderr);
}

/* ---- small helpers ------------------------------------------------------- */

/* s, or dflt when NULL, made safe for a terminal (no control characters,
 * no bidirectional overrides): names and types come from the sender. */
static const char *
shown(char *out, size_t len, const char *s, const char *dflt)
{
	snprintf(out, len, "%s", s != NULL ? s : dflt);
	cat_printable(out);
	return out;
}

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

/* The hub's max_attachment from /v1/info; -1 when it does not say. */
static int64_t
hub_limit(struct node *n)
{
	json_t *j = NULL, *v;
	int64_t lim = -1;

	if (http_get_json(n->hub, "/v1/info", &j) != 0)
		return -1;
	v = json_object_get(j, "max_attachment");
	if (json_is_integer(v) && json_integer_value(v) >= 0)
		lim = json_integer_value(v);
	json_decref(j);
	return lim;
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
	int64_t lim = hub_limit(n);

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
    uint64_t size, const uint8_t sha[32], int progress)
{
	char hex[65], target[80];
	struct buf out = {0};
	struct progress pr;
	uint64_t clen = blob_cipher_size(size);
	long status = 0;
	int rc;

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	snprintf(target, sizeof(target), "/v1/blobs/%s", hex);
	progress_start(&pr, base_name(path), clen, progress);
	rc = http_upload(n->hub, "PUT", target, "application/octet-stream",
	    clen, sha, enc_read, e, progress_cb, &pr, &status, &out);
	progress_end(&pr, rc == 0 && (status == 200 || status == 201));
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
attach_upload(struct node *n, const char *path, int progress, json_t **desc)
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
attach_all(struct node *n, const char *const *paths, size_t np, int progress,
    json_t *payload, json_t **hdr_list)
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

void
attach_opts(struct opts *o, struct outgoing *out, const char **files)
{
	out->nattach = 0;
	while (out->nattach <= BLOB_MAX_ATTACH &&
	    (files[out->nattach] = opt_value(o, "--attach")) != NULL)
		out->nattach++;
	out->attach = files;
	out->progress = opt_flag(o, "--progress");
}

int
attach_prepare(struct node *n, struct outgoing *o)
{
	if (o->r == NULL && audience_resolve(n, o->to, o->roles, &o->r, &o->nr,
	    o->states, o->rcpt) != 0)
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
fetch_into(struct node *n, const struct desc *d, int *fd, int progress)
{
	struct blob_dec *dec = xmalloc(sizeof(*dec));
	struct buf err = {0};
	struct progress pr;
	char hex[65], target[80];
	uint8_t got[32];
	uint64_t clen = blob_cipher_size(d->size);
	long status = 0;
	int rc = -1;

	sodium_bin2hex(hex, sizeof(hex), d->sha, 32);
	snprintf(target, sizeof(target), "/v1/blobs/%s", hex);
	if (blob_dec_init(dec, d->key, d->header, d->size, write_fd, fd) != 0)
		goto out;
	char label[64];
	progress_start(&pr, shown(label, sizeof(label), d->name, "?"), clen,
	    progress);
	rc = http_download(n->hub, target, clen, dec_write, dec, progress_cb,
	    &pr, &status, &err);
	progress_end(&pr, rc == 0 && status == 200);
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
attach_download(struct node *n, json_t *desc, const char *out_path, int progress)
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

/* ---- what show tells -------------------------------------------------------- */

/* The signed header's attachment list of message id (received or sent), a
 * new reference, or NULL when it has none or cannot be read. */
json_t *
attach_listed(struct node *n, const uint8_t id[32])
{
	static const char *q[] = {
		"SELECT envelope FROM records WHERE id = ?",
		"SELECT envelope FROM outbox WHERE id = ?",
	};
	struct envelope e = {0};
	struct buf raw = {0};
	json_t *list = NULL;

	for (size_t i = 0; i < 2 && raw.len == 0; i++) {
		sqlite3_stmt *st = db_prep(n->db, q[i]);
		if (st == NULL)
			return NULL;
		sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
		if (sqlite3_step(st) == SQLITE_ROW)
			buf_add(&raw, sqlite3_column_blob(st, 0),
			    (size_t)sqlite3_column_bytes(st, 0));
		sqlite3_finalize(st);
	}
	if (raw.len > 0 && env_parse(&e, raw.p, raw.len) == 0 &&
	    json_is_array(env_field(&e, "attachments")))
		list = json_incref(env_field(&e, "attachments"));
	env_free(&e);
	buf_free(&raw);
	return list;
}

/* One line for `roster show`: how many attachments, how large. */
void
attach_show(struct node *n, const uint8_t id[32], int received)
{
	json_t *list = attach_listed(n, id), *v;
	uint64_t total = 0;
	char sz[32], sid[17];
	size_t i;

	if (list == NULL)
		return;
	json_array_foreach(list, i, v)
		total += (uint64_t)json_integer_value(json_object_get(v, "size"));
	human(sz, sizeof(sz), (double)total);
	short_id(sid, id);
	printf("\nAttachments  %zu, %s encrypted%s%s%s\n", json_array_size(list),
	    sz, received ? "; list and save them with `roster attachment " : "",
	    received ? sid : "", received ? " --list`" : "");
	json_decref(list);
}

/* ---- roster attachment ------------------------------------------------------ */

/* The message's sealed payload, decrypted, from the verified records. */
static json_t *
message_payload(struct node *n, const uint8_t id[32], struct envelope *e,
    struct buf *raw)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT envelope FROM records "
	    "WHERE id = ? AND kind = 'msg'");
	struct buf plain = {0};
	json_t *m;
	int found = 0;

	if (st == NULL)
		return NULL;
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	if (sqlite3_step(st) == SQLITE_ROW) {
		buf_add(raw, sqlite3_column_blob(st, 0),
		    (size_t)sqlite3_column_bytes(st, 0));
		found = 1;
	}
	sqlite3_finalize(st);
	if (!found) {
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
static int
matches_header(const struct envelope *e, json_t *desc, size_t i)
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

/* A safe file name in the current folder from the sender's name. */
static void
default_out(char *out, size_t len, const char *name, size_t i)
{
	size_t k = 0;

	if (name != NULL)
		name = base_name(name);
	for (; name != NULL && *name && k + 1 < len; name++) {
		unsigned char c = (unsigned char)*name;
		out[k++] = c < 0x20 || c == 0x7f || c == '\\' ? '_' : (char)c;
	}
	out[k] = '\0';
	cat_printable(out);
	while (out[0] == '.')
		memmove(out, out + 1, strlen(out));
	if (out[0] == '\0')
		snprintf(out, len, "attachment-%zu", i + 1);
}

static void
list_attachments(json_t *atts)
{
	json_t *d;
	size_t i;

	json_array_foreach(atts, i, d) {
		char sz[32], name[NAME_MAX_LEN + 1], type[128];
		human(sz, sizeof(sz), (double)json_integer_value(
		    json_object_get(d, "size")));
		printf("%zu  %s  %s  %s\n", i + 1,
		    shown(name, sizeof(name), jstr(d, "name"), "?"), sz,
		    shown(type, sizeof(type), jstr(d, "type"),
		    "application/octet-stream"));
	}
}

struct att_args {
	const char *idp, *np, *out;
	int list, progress;
};

static int
parse_index(const char *s, size_t count, size_t *i)
{
	char *end;
	long v;

	if (s == NULL) {
		if (count != 1)
			return usage_error("attachment", "the message has %zu "
			    "attachments: give which (1 to %zu); --list lists them",
			    count, count);
		*i = 0;
		return 0;
	}
	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < 1 ||
	    (size_t)v > count)
		return usage_error("attachment", "N must be a number from 1 to "
		    "%zu (the message has %zu attachment%s)", count, count,
		    count == 1 ? "" : "s");
	*i = (size_t)v - 1;
	return 0;
}

static int
attachment_run(struct node *n, const struct att_args *a)
{
	struct envelope e = {0};
	struct buf raw = {0};
	json_t *m = NULL, *atts, *d;
	uint8_t id[32];
	char out[NAME_MAX_LEN + 1], name[NAME_MAX_LEN + 1];
	size_t i = 0;
	int rc = 1;

	if (node_open(n, 1) != 0 || store_find_message(n, a->idp, id) != 0 ||
	    (m = message_payload(n, id, &e, &raw)) == NULL) {
		rc = fail("attachment");
		goto out;
	}
	atts = json_object_get(m, "attachments");
	if (!json_is_array(atts) || json_array_size(atts) == 0) {
		fprintf(stderr, "roster attachment: message %s has no attachments\n",
		    a->idp);
		goto out;
	}
	if (a->list) {
		list_attachments(atts);
		rc = 0;
		goto out;
	}
	if ((rc = parse_index(a->np, json_array_size(atts), &i)) != 0)
		goto out;
	rc = 1;
	d = json_array_get(atts, i);
	if (matches_header(&e, d, i) != 0) {
		fail("attachment");
		goto out;
	}
	default_out(out, sizeof(out), jstr(d, "name"), i);
	if (attach_download(n, d, a->out != NULL ? a->out : out, a->progress) != 0) {
		fail("attachment");
		goto out;
	}
	printf("saved %s (%" PRId64 " bytes) to %s: decrypted, every chunk "
	    "authenticated, digest as the sender signed\n",
	    shown(name, sizeof(name), jstr(d, "name"), "?"),
	    (int64_t)json_integer_value(json_object_get(d, "size")),
	    a->out != NULL ? a->out : out);
	rc = 0;
out:
	json_decref(m);
	env_free(&e);
	buf_free(&raw);
	return rc;
}

int
cmd_attachment(int argc, char **argv)
{
	struct node n = {0};
	struct att_args a = {0};
	struct opts o;
	int rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	a.out = opt_value(&o, "--out");
	a.list = opt_flag(&o, "--list");
	a.progress = opt_flag(&o, "--progress");
	a.idp = opt_positional(&o);
	a.np = opt_positional(&o);
	rc = opts_finish(&o, "attachment");
	opts_free(&o);
	if (rc != 0) {
		node_close(&n);
		return EXIT_USAGE;
	}
	if (a.idp == NULL) {
		node_close(&n);
		return usage_error("attachment", "which message? give its ID");
	}
	if (a.list && (a.out != NULL || a.np != NULL)) {
		node_close(&n);
		return usage_error("attachment", "--list takes only the message ID");
	}
	rc = attachment_run(&n, &a);
	node_close(&n);
	return rc;
}
