/*
 * blob.c - attachment encryption (secretstream, chunked) and the hub's
 * receiving side; see blob.h for the format and why.
 *
 * The encryptor keeps a copy of the secretstream state taken right after
 * init_push: pushing the same chunks from that copy gives the same
 * ciphertext, so a sender can make a first pass for the digest (which the
 * request signature must cover before the body is sent) and a second for the
 * upload, without a temporary file and without holding the ciphertext.
 *
 * The decryptor buffers at most one full chunk.  A full buffer is decrypted
 * only when more bytes arrive (then it cannot be the last chunk); at the end
 * whatever is buffered must be the final chunk.  So a chunk's position is
 * always known, and the secretstream nonce counter makes every reordering,
 * dropping or duplication fail the next tag.
 */
#include "blob.h"

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include "fault.h"
#include "util.h"

uint64_t
blob_cipher_size(uint64_t plain)
{
	return plain + (plain / BLOB_CHUNK + 1) * BLOB_ABYTES;
}

/* ---- encryption ------------------------------------------------------- */

int
blob_enc_init(struct blob_enc *e, int fd, uint64_t size)
{
	memset(e, 0, sizeof(*e));
	if (sodium_init() < 0) {
		rs_seterr("cannot initialise libsodium");
		return -1;
	}
	e->fd = fd;
	e->size = size;
	crypto_secretstream_xchacha20poly1305_keygen(e->key);
	if (crypto_secretstream_xchacha20poly1305_init_push(&e->st, e->header,
	    e->key) != 0) {
		rs_seterr("cannot start the attachment's encryption");
		return -1;
	}
	e->st0 = e->st;
	return 0;
}

int
blob_enc_rewind(struct blob_enc *e)
{
	if (lseek(e->fd, 0, SEEK_SET) != 0) {
		rs_seterr("cannot go back to the start of the file: %s",
		    strerror(errno));
		return -1;
	}
	e->st = e->st0;
	e->read = 0;
	e->done = 0;
	e->out_len = e->out_off = 0;
	return 0;
}

/* Reads up to BLOB_CHUNK bytes, retrying short reads; the count or -1. */
static ssize_t
read_chunk(int fd, uint8_t *p)
{
	size_t got = 0;

	while (got < BLOB_CHUNK) {
		ssize_t r = read(fd, p + got, BLOB_CHUNK - got);
		if (r < 0 && errno == EINTR)
			continue;
		if (r < 0) {
			rs_seterr("cannot read the file: %s", strerror(errno));
			return -1;
		}
		if (r == 0)
			break;
		got += (size_t)r;
	}
	return (ssize_t)got;
}

/* Encrypts the next chunk into e->out. */
static int
next_chunk(struct blob_enc *e)
{
	ssize_t n = read_chunk(e->fd, e->in);
	unsigned char tag;
	unsigned long long clen;

	if (n < 0)
		return -1;
	e->read += (uint64_t)n;
	if (e->read > e->size || (n < BLOB_CHUNK && e->read != e->size)) {
		rs_seterr("the file changed size while it was being encrypted "
		    "(expected %llu bytes)", (unsigned long long)e->size);
		return -1;
	}
	tag = n < BLOB_CHUNK ? crypto_secretstream_xchacha20poly1305_TAG_FINAL :
	    crypto_secretstream_xchacha20poly1305_TAG_MESSAGE;
	if (crypto_secretstream_xchacha20poly1305_push(&e->st, e->out, &clen,
	    e->in, (unsigned long long)n, NULL, 0, tag) != 0) {
		rs_seterr("cannot encrypt the attachment");
		return -1;
	}
	e->out_len = (size_t)clen;
	e->out_off = 0;
	e->done = tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL;
	return 0;
}

ssize_t
blob_enc_read(struct blob_enc *e, void *p, size_t max)
{
	size_t got = 0;

	while (got < max) {
		size_t n;
		if (e->out_off == e->out_len) {
			if (e->done)
				break;
			if (next_chunk(e) != 0)
				return -1;
		}
		n = e->out_len - e->out_off;
		if (n > max - got)
			n = max - got;
		memcpy((uint8_t *)p + got, e->out + e->out_off, n);
		e->out_off += n;
		got += n;
	}
	return (ssize_t)got;
}

void
blob_enc_wipe(struct blob_enc *e)
{
	sodium_memzero(e, sizeof(*e));
	e->fd = -1;
}

/* ---- decryption ------------------------------------------------------- */

int
blob_dec_init(struct blob_dec *d, const uint8_t key[BLOB_KEYBYTES],
    const uint8_t header[BLOB_HDRBYTES], uint64_t plain_size, blob_write_fn w,
    void *ud)
{
	memset(d, 0, sizeof(*d));
	if (sodium_init() < 0) {
		rs_seterr("cannot initialise libsodium");
		return -1;
	}
	d->w = w;
	d->ud = ud;
	d->plain_expected = plain_size;
	crypto_hash_sha256_init(&d->h);
	if (crypto_secretstream_xchacha20poly1305_init_pull(&d->st, header,
	    key) != 0) {
		rs_seterr("the attachment's encryption header is invalid");
		return -1;
	}
	return 0;
}

/* Decrypts the buffered chunk; final says whether it must be the last. */
static int
open_chunk(struct blob_dec *d, int final)
{
	unsigned long long mlen;
	unsigned char tag;

	d->chunks++;
	if (d->len < BLOB_ABYTES) {
		rs_seterr("the attachment is truncated (chunk %llu is %zu bytes, "
		    "shorter than its tag)", (unsigned long long)d->chunks, d->len);
		return -1;
	}
	if (crypto_secretstream_xchacha20poly1305_pull(&d->st, d->out, &mlen,
	    &tag, d->buf, d->len, NULL, 0) != 0) {
		rs_seterr("the attachment fails authentication at chunk %llu "
		    "(altered, reordered, truncated, or the wrong key)",
		    (unsigned long long)d->chunks);
		return -1;
	}
	if (tag == crypto_secretstream_xchacha20poly1305_TAG_FINAL && !final) {
		rs_seterr("the attachment has data after its final chunk "
		    "(chunk %llu)", (unsigned long long)d->chunks);
		return -1;
	}
	if (tag != crypto_secretstream_xchacha20poly1305_TAG_FINAL && final) {
		rs_seterr("the attachment is truncated (chunk %llu is not marked "
		    "final)", (unsigned long long)d->chunks);
		return -1;
	}
	d->plain += mlen;
	if (d->plain > d->plain_expected) {
		rs_seterr("the attachment is longer than the %llu bytes its "
		    "description gives", (unsigned long long)d->plain_expected);
		return -1;
	}
	d->len = 0;
	if (mlen > 0 && d->w != NULL && d->w(d->ud, d->out, (size_t)mlen) != 0)
		return -1;
	return 0;
}

int
blob_dec_update(struct blob_dec *d, const void *p, size_t n)
{
	const uint8_t *s = p;

	if (d->done) {
		rs_seterr("the attachment has data after its end");
		return -1;
	}
	d->cipher += n;
	crypto_hash_sha256_update(&d->h, s, n);
	while (n > 0) {
		size_t room;
		if (d->len == sizeof(d->buf) && open_chunk(d, 0) != 0)
			return -1;
		room = sizeof(d->buf) - d->len;
		if (room > n)
			room = n;
		memcpy(d->buf + d->len, s, room);
		d->len += room;
		s += room;
		n -= room;
	}
	return 0;
}

int
blob_dec_final(struct blob_dec *d, uint8_t sha[32])
{
	if (d->done) {
		rs_seterr("the attachment was already finished");
		return -1;
	}
	d->done = 1;
	if (open_chunk(d, 1) != 0)
		return -1;
	if (d->plain != d->plain_expected) {
		rs_seterr("the attachment is %llu bytes, not the %llu its "
		    "description gives", (unsigned long long)d->plain,
		    (unsigned long long)d->plain_expected);
		return -1;
	}
	crypto_hash_sha256_final(&d->h, sha);
	return 0;
}

void
blob_dec_wipe(struct blob_dec *d)
{
	sodium_memzero(d, sizeof(*d));
}

/* ---- parsing ---------------------------------------------------------------- */

int
blob_parse_name(const char *s, uint8_t sha[32])
{
	for (size_t i = 0; i < 64; i++)
		if (!((s[i] >= '0' && s[i] <= '9') || (s[i] >= 'a' && s[i] <= 'f')))
			return -1;
	if (s[64] != '\0')
		return -1;
	return hex_decode_exact(sha, 32, s);
}

int
blob_parse_length(const char *s, uint64_t *n)
{
	uint64_t v = 0;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		if (i == 18)
			return -1;
		v = v * 10 + (uint64_t)(s[i] - '0');
	}
	if (i == 0 || s[i] != '\0')
		return -1;
	*n = v;
	return 0;
}

static int
parse_ref(const json_t *v, uint64_t limit, struct blob_ref *r, size_t i)
{
	const json_t *sha = json_object_get(v, "sha256");
	const json_t *size = json_object_get(v, "size");

	if (!json_is_object(v) || json_object_size(v) != 2 ||
	    !json_is_string(sha) || !json_is_integer(size) ||
	    blob_parse_name(json_string_value(sha), r->sha) != 0 ||
	    json_integer_value(size) < (json_int_t)BLOB_ABYTES) {
		rs_seterr("attachment %zu in the header is malformed (expected "
		    "{\"sha256\": 64 lower-case hex digits, \"size\": ciphertext "
		    "bytes})", i + 1);
		return -1;
	}
	if ((uint64_t)json_integer_value(size) > limit) {
		rs_seterr("attachment %zu is %lld bytes, over the limit of %llu "
		    "bytes of ciphertext", i + 1, (long long)json_integer_value(size),
		    (unsigned long long)limit);
		return -1;
	}
	r->size = (uint64_t)json_integer_value(size);
	return 0;
}

int
blob_parse_list(const json_t *list, uint64_t limit, struct blob_ref *out,
    size_t *n)
{
	size_t count = json_is_array(list) ? json_array_size(list) : 0;

	*n = 0;
	if (count == 0 || count > BLOB_MAX_ATTACH) {
		rs_seterr("\"attachments\" must be a list of 1 to %d blobs",
		    BLOB_MAX_ATTACH);
		return -1;
	}
	for (size_t i = 0; i < count; i++)
		if (parse_ref(json_array_get(list, i), limit, &out[i], i) != 0)
			return -1;
	*n = count;
	return 0;
}

/* ---- the hub's side ------------------------------------------------------- */

char *
blob_path(const char *dir, const uint8_t sha[32])
{
	char hex[65];
	struct buf b = {0};

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	buf_printf(&b, "%s/%s", dir, hex);
	return (char *)buf_cstr(&b);
}

int
blob_held(const char *dir, const uint8_t sha[32], uint64_t size)
{
	char *path = blob_path(dir, sha);
	struct stat sb;
	int rc;

	if (stat(path, &sb) == 0)
		rc = S_ISREG(sb.st_mode) && (uint64_t)sb.st_size == size;
	else if (errno == ENOENT)
		rc = 0;
	else {
		rs_seterr("cannot look at %s: %s", path, strerror(errno));
		rc = -1;
	}
	free(path);
	return rc;
}

int
blob_dir_init(const char *dir, int64_t older_s)
{
	struct dirent *de;
	struct stat st;
	int64_t now = now_ms() / 1000;
	DIR *d;

	if (mkdir_p(dir, 0700) != 0)
		return -1;
	if ((d = opendir(dir)) == NULL) {
		rs_seterr("cannot open %s: %s", dir, strerror(errno));
		return -1;
	}
	while ((de = readdir(d)) != NULL) {
		if (strncmp(de->d_name, "tmp.", 4) != 0)
			continue;
		if (older_s > 0 && (fstatat(dirfd(d), de->d_name, &st, 0) != 0 ||
		    now - (int64_t)st.st_mtime < older_s))
			continue;
		if (unlinkat(dirfd(d), de->d_name, 0) != 0 && errno != ENOENT) {
			rs_seterr("cannot remove %s/%s: %s", dir, de->d_name,
			    strerror(errno));
			closedir(d);
			return -1;
		}
	}
	closedir(d);
	return 0;
}

int
blob_in_begin(struct blob_in *b, const char *dir, const uint8_t want[32],
    uint64_t limit)
{
	uint8_t rnd[12];
	char hex[25];
	struct buf path = {0};
	char *final = blob_path(dir, want);
	struct stat sb;

	memset(b, 0, sizeof(*b));
	b->fd = -1;
	b->dir = xstrdup(dir);
	memcpy(b->want, want, 32);
	b->limit = limit;
	crypto_hash_sha256_init(&b->h);
	if (stat(final, &sb) == 0 && S_ISREG(sb.st_mode)) {
		free(final);
		return 0;	/* held: hash only, write nothing */
	}
	free(final);
	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	buf_printf(&path, "%s/tmp.%s", dir, hex);
	b->tmp = (char *)buf_cstr(&path);
	b->fd = open(b->tmp, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC, 0600);
	if (b->fd < 0) {
		rs_seterr("cannot create %s: %s", b->tmp, strerror(errno));
		free(b->tmp);
		b->tmp = NULL;
		free(b->dir);
		b->dir = NULL;
		return -1;
	}
	return 0;
}

static void
in_fail(struct blob_in *b, const char *fmt, const char *what)
{
	if (b->failed)
		return;
	b->failed = 1;
	snprintf(b->err, sizeof(b->err), fmt, what);
}

static int
write_all(int fd, const uint8_t *p, size_t n)
{
	while (n > 0) {
		ssize_t w = fault_write(FAULT_BLOB) != 0 ? -1 : write(fd, p, n);
		if (w < 0 && errno == EINTR)
			continue;
		if (w < 0)
			return -1;
		p += w;
		n -= (size_t)w;
	}
	return 0;
}

void
blob_in_data(struct blob_in *b, const void *p, size_t n)
{
	if (b->failed)
		return;
	if (n > b->limit - b->got) {
		b->failed = 413;
		snprintf(b->err, sizeof(b->err), "attachment larger than the "
		    "hub's limit of %llu bytes", (unsigned long long)b->limit);
		return;
	}
	b->got += n;
	crypto_hash_sha256_update(&b->h, p, n);
	if (b->fd >= 0 && write_all(b->fd, p, n) != 0)
		in_fail(b, "cannot write the attachment to disk: %s",
		    strerror(errno));
}

static void
in_close(struct blob_in *b)
{
	if (b->fd >= 0)
		close(b->fd);
	b->fd = -1;
	if (b->tmp != NULL)
		unlink(b->tmp);
	free(b->tmp);
	free(b->dir);
	b->tmp = b->dir = NULL;
}

void
blob_in_abort(struct blob_in *b)
{
	in_close(b);
}

/* fsync, rename to the final name, fsync the folder. */
static int
commit(struct blob_in *b)
{
	char *final;
	int rc = -1;

	if (b->fd < 0)
		return 0;	/* already held */
	if (fault_write(FAULT_BLOB) != 0 || fsync(b->fd) != 0) {
		rs_seterr("cannot sync the attachment to disk: %s", strerror(errno));
		return -1;
	}
	final = blob_path(b->dir, b->want);
	if (rename(b->tmp, final) != 0)
		rs_seterr("cannot store the attachment as %s: %s", final,
		    strerror(errno));
	else if (fsync_dir(b->dir) == 0) {
		free(b->tmp);
		b->tmp = NULL;	/* now the final file: in_close keeps it */
		rc = 0;
	}
	free(final);
	return rc;
}

int
blob_in_end(struct blob_in *b, int *status)
{
	uint8_t got[32];
	int rc = -1;

	*status = 400;
	if (b->failed) {
		if (b->failed == 413)
			*status = 413;
		else
			*status = 500;
		rs_seterr("%s", b->err);
		goto out;
	}
	crypto_hash_sha256_final(&b->h, got);
	if (sodium_memcmp(got, b->want, 32) != 0) {
		rs_seterr("the attachment's SHA-256 does not match its name "
		    "(altered or truncated in transit); nothing was stored");
		goto out;
	}
	if (commit(b) != 0) {
		*status = 500;
		goto out;
	}
	rc = 0;
out:
	in_close(b);
	return rc;
}
