/*
 * test_blob.c - attachments: the chunked secretstream encryption (lib/blob.c)
 * and the streamed HTTP transfers under it (lib/http_server.c streamed
 * routes, lib/http_client.c http_upload/http_download), on loopback.
 *
 * The encryption tests try to break what a recipient relies on: altering any
 * chunk, truncating, reordering, extending, the wrong key or header, the
 * wrong size; each must be refused with the reason.  The HTTP tests run a
 * real server whose streamed route receives into a folder with blob_in (the
 * hub's receiving code) after checking the request signature as the hub
 * does, and a real client: an upload over the limit gets 413, one whose body
 * does not match its signed digest is refused, one cut short is abandoned,
 * and in every case nothing is left on disk.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <dirent.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "blob.h"
#include "http.h"
#include "httpsig.h"
#include "util.h"
#include "tmpdir.h"

#define CCHUNK (BLOB_CHUNK + BLOB_ABYTES)

/* ---- encryption helpers ------------------------------------------------- */

struct sealed {
	struct buf c;
	uint8_t key[BLOB_KEYBYTES];
	uint8_t header[BLOB_HDRBYTES];
};

static void
fill(struct buf *b, size_t n)
{
	buf_reserve(b, n);
	randombytes_buf(b->p + b->len, n);
	b->len += n;
}

/* Writes plain to a temporary file and encrypts it into s. */
static void
seal_buf(const struct buf *plain, struct sealed *s)
{
	char path[] = "/tmp/roster-blob-XXXXXX";
	struct blob_enc *e = xmalloc(sizeof(*e));
	uint8_t tmp[10000];
	int fd = mkstemp(path);
	ssize_t r;

	assert_true(fd >= 0);
	unlink(path);
	assert_int_equal(write(fd, plain->len ? (void *)plain->p : "", plain->len),
	    (ssize_t)plain->len);
	memset(s, 0, sizeof(*s));
	assert_int_equal(blob_enc_init(e, fd, plain->len), 0);
	assert_int_equal(blob_enc_rewind(e), 0);
	while ((r = blob_enc_read(e, tmp, sizeof(tmp))) > 0)
		buf_add(&s->c, tmp, (size_t)r);
	assert_int_equal(r, 0);
	memcpy(s->key, e->key, sizeof(s->key));
	memcpy(s->header, e->header, sizeof(s->header));
	assert_int_equal(s->c.len, blob_cipher_size(plain->len));
	blob_enc_wipe(e);
	free(e);
	close(fd);
}

static int
collect(void *ud, const void *p, size_t n)
{
	buf_add(ud, p, n);
	return 0;
}

/* Decrypts c fed in pieces of piece bytes; 0 or -1 (rs_err). */
static int
open_buf(const uint8_t *c, size_t len, const uint8_t *key, const uint8_t *hdr,
    uint64_t size, size_t piece, struct buf *out)
{
	struct blob_dec *d = xmalloc(sizeof(*d));
	uint8_t sha[32], want[32];
	int rc = -1;

	if (blob_dec_init(d, key, hdr, size, collect, out) != 0)
		goto out;
	for (size_t off = 0; off < len; off += piece) {
		size_t n = len - off < piece ? len - off : piece;
		if (blob_dec_update(d, c + off, n) != 0)
			goto out;
	}
	if (blob_dec_final(d, sha) != 0)
		goto out;
	sha256(want, c, len);
	assert_memory_equal(sha, want, 32);
	rc = 0;
out:
	blob_dec_wipe(d);
	free(d);
	return rc;
}

static void
assert_refused(const struct sealed *s, const uint8_t *c, size_t len,
    uint64_t size, const char *why)
{
	struct buf out = {0};

	assert_int_equal(open_buf(c, len, s->key, s->header, size, 7000, &out), -1);
	if (strstr(rs_err(), why) == NULL)
		fail_msg("expected \"%s\" in \"%s\"", why, rs_err());
	buf_free(&out);
}

/* ---- encryption tests ----------------------------------------------------- */

static void
test_roundtrip_sizes(void **state)
{
	static const size_t sizes[] = { 0, 1, BLOB_CHUNK - 1, BLOB_CHUNK,
	    BLOB_CHUNK + 1, 3 * BLOB_CHUNK + 5 };
	static const size_t pieces[] = { 1, 17, CCHUNK, CCHUNK + 1, 1 << 20 };

	for (size_t i = 0; i < sizeof(sizes) / sizeof(sizes[0]); i++) {
		struct buf plain = {0};
		struct sealed s;
		fill(&plain, sizes[i]);
		seal_buf(&plain, &s);
		for (size_t k = 0; k < sizeof(pieces) / sizeof(pieces[0]); k++) {
			struct buf out = {0};
			if (pieces[k] == 1 && sizes[i] > BLOB_CHUNK + 1)
				continue;	/* slow, and nothing new */
			assert_int_equal(open_buf(s.c.p, s.c.len, s.key, s.header,
			    sizes[i], pieces[k], &out), 0);
			assert_int_equal(out.len, sizes[i]);
			if (sizes[i] > 0)
				assert_memory_equal(out.p, plain.p, sizes[i]);
			buf_free(&out);
		}
		buf_free(&plain);
		buf_free(&s.c);
	}
}

static void
test_rewind_gives_same_ciphertext(void **state)
{
	struct buf plain = {0}, a = {0}, b = {0};
	struct blob_enc *e = xmalloc(sizeof(*e));
	char path[] = "/tmp/roster-blob-XXXXXX";
	uint8_t tmp[4096];
	int fd = mkstemp(path);
	ssize_t r;

	unlink(path);
	fill(&plain, 2 * BLOB_CHUNK + 10);
	assert_int_equal(write(fd, plain.p, plain.len), (ssize_t)plain.len);
	assert_int_equal(blob_enc_init(e, fd, plain.len), 0);
	assert_int_equal(blob_enc_rewind(e), 0);
	while ((r = blob_enc_read(e, tmp, sizeof(tmp))) > 0)
		buf_add(&a, tmp, (size_t)r);
	assert_int_equal(blob_enc_rewind(e), 0);
	while ((r = blob_enc_read(e, tmp, sizeof(tmp))) > 0)
		buf_add(&b, tmp, (size_t)r);
	assert_int_equal(a.len, b.len);
	assert_memory_equal(a.p, b.p, a.len);
	/* A file that grew or shrank under the encryptor is refused. */
	assert_int_equal(blob_enc_init(e, fd, plain.len + 1), 0);
	assert_int_equal(blob_enc_rewind(e), 0);
	while ((r = blob_enc_read(e, tmp, sizeof(tmp))) > 0)
		;
	assert_int_equal(r, -1);
	assert_non_null(strstr(rs_err(), "changed size"));
	blob_enc_wipe(e);
	free(e);
	close(fd);
	buf_free(&plain);
	buf_free(&a);
	buf_free(&b);
}

static void
test_tamper_each_chunk(void **state)
{
	struct buf plain = {0};
	struct sealed s;
	size_t nchunks;

	fill(&plain, 4 * BLOB_CHUNK + 100);
	seal_buf(&plain, &s);
	nchunks = (s.c.len + CCHUNK - 1) / CCHUNK;
	assert_int_equal(nchunks, 5);
	for (size_t k = 0; k < nchunks; k++) {
		char why[64];
		size_t at = k * CCHUNK + (k * 7919) % (k + 1 == nchunks ?
		    s.c.len - k * CCHUNK : CCHUNK);
		s.c.p[at] ^= 0x40;
		snprintf(why, sizeof(why), "fails authentication at chunk %zu", k + 1);
		assert_refused(&s, s.c.p, s.c.len, plain.len, why);
		s.c.p[at] ^= 0x40;
	}
	buf_free(&plain);
	buf_free(&s.c);
}

static void
test_truncate_reorder_extend(void **state)
{
	struct buf plain = {0}, ext = {0}, swapped = {0};
	struct sealed s;

	fill(&plain, 3 * BLOB_CHUNK + 1000);
	seal_buf(&plain, &s);
	/* Cut at a chunk boundary: the last whole chunk is not final. */
	assert_refused(&s, s.c.p, 3 * CCHUNK, plain.len, "not marked final");
	assert_refused(&s, s.c.p, s.c.len - 1, plain.len, "fails authentication");
	assert_refused(&s, s.c.p, 5, plain.len, "truncated");
	assert_refused(&s, s.c.p, 0, plain.len, "truncated");
	/* Chunks 2 and 3 swapped. */
	buf_add(&swapped, s.c.p, s.c.len);
	memcpy(swapped.p + CCHUNK, s.c.p + 2 * CCHUNK, CCHUNK);
	memcpy(swapped.p + 2 * CCHUNK, s.c.p + CCHUNK, CCHUNK);
	assert_refused(&s, swapped.p, swapped.len, plain.len,
	    "fails authentication at chunk 2");
	/* A chunk dropped from the middle. */
	memcpy(swapped.p, s.c.p, CCHUNK);
	memcpy(swapped.p + CCHUNK, s.c.p + 2 * CCHUNK, s.c.len - 2 * CCHUNK);
	assert_refused(&s, swapped.p, s.c.len - CCHUNK, plain.len,
	    "fails authentication at chunk 2");
	/* Bytes after the final chunk. */
	buf_add(&ext, s.c.p, s.c.len);
	buf_add(&ext, "x", 1);
	assert_refused(&s, ext.p, ext.len, plain.len, "fails authentication");
	/* The wrong size in the description. */
	assert_refused(&s, s.c.p, s.c.len, plain.len + 1, "not the");
	assert_refused(&s, s.c.p, s.c.len, plain.len - 1, "longer than");
	buf_free(&plain);
	buf_free(&ext);
	buf_free(&swapped);
	buf_free(&s.c);
}

static void
test_wrong_key_or_header(void **state)
{
	struct buf plain = {0}, out = {0};
	struct sealed s;
	uint8_t key[BLOB_KEYBYTES], hdr[BLOB_HDRBYTES];

	fill(&plain, BLOB_CHUNK + 3);
	seal_buf(&plain, &s);
	memcpy(key, s.key, sizeof(key));
	key[0] ^= 1;
	assert_int_equal(open_buf(s.c.p, s.c.len, key, s.header, plain.len,
	    4096, &out), -1);
	assert_non_null(strstr(rs_err(), "chunk 1"));
	memcpy(hdr, s.header, sizeof(hdr));
	hdr[5] ^= 1;
	assert_int_equal(open_buf(s.c.p, s.c.len, s.key, hdr, plain.len, 4096,
	    &out), -1);
	assert_int_equal(out.len, 0);	/* nothing unauthenticated came out */
	buf_free(&plain);
	buf_free(&out);
	buf_free(&s.c);
}

static void
test_parse_list(void **state)
{
	struct blob_ref refs[BLOB_MAX_ATTACH];
	static const char *bad[] = {
		"[]", "{}", "[1]", "[{}]",
		"[{\"sha256\":\"00\",\"size\":100}]",
		"[{\"sha256\":\"%s\",\"size\":16}]",
		"[{\"sha256\":\"%s\",\"size\":1000001}]",
		"[{\"sha256\":\"%s\",\"size\":\"100\"}]",
		"[{\"sha256\":\"%s\",\"size\":100,\"x\":1}]",
		"[{\"sha256\":\"%S\",\"size\":100}]",
	};
	char hex[65], HEX[65], text[400];
	uint8_t sha[32];
	uint64_t n64;
	size_t n;
	json_t *j;

	memset(hex, 'a', 64);
	hex[64] = '\0';
	memset(HEX, 'A', 64);
	HEX[64] = '\0';
	snprintf(text, sizeof(text), "[{\"sha256\":\"%s\",\"size\":17},"
	    "{\"size\":1000000,\"sha256\":\"%s\"}]", hex, hex);
	j = json_loads(text, 0, NULL);
	assert_int_equal(blob_parse_list(j, 1000000, refs, &n), 0);
	assert_int_equal(n, 2);
	assert_int_equal(refs[1].size, 1000000);
	json_decref(j);
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		const char *h = strstr(bad[i], "%S") ? HEX : hex;
		char fmt[200];
		snprintf(fmt, sizeof(fmt), "%s", bad[i]);
		if (strstr(fmt, "%S"))
			strstr(fmt, "%S")[1] = 's';
		snprintf(text, sizeof(text), fmt, h);
		j = json_loads(text, 0, NULL);
		assert_non_null(j);
		assert_int_equal(blob_parse_list(j, 1000000, refs, &n), -1);
		assert_non_null(strstr(rs_err(), "attachment"));
		json_decref(j);
	}
	j = json_array();
	for (int i = 0; i <= BLOB_MAX_ATTACH; i++)
		json_array_append_new(j, json_pack("{s:s,s:i}", "sha256", hex,
		    "size", 100));
	assert_int_equal(blob_parse_list(j, 1000000, refs, &n), -1);
	json_decref(j);
	assert_int_equal(blob_parse_name(hex, sha), 0);
	assert_int_equal(blob_parse_name(HEX, sha), -1);
	hex[63] = '\0';
	assert_int_equal(blob_parse_name(hex, sha), -1);
	assert_int_equal(blob_parse_length("52428800", &n64), 0);
	assert_int_equal(n64, 52428800);
	assert_int_equal(blob_parse_length("", &n64), -1);
	assert_int_equal(blob_parse_length("12a", &n64), -1);
	assert_int_equal(blob_parse_length("-1", &n64), -1);
	assert_int_equal(blob_parse_length("9999999999999999999", &n64), -1);
}

/* ---- blob_in without HTTP ------------------------------------------------- */

static int
count_files(const char *dir)
{
	DIR *d = opendir(dir);
	struct dirent *de;
	int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (de->d_name[0] != '.')
			n++;
	closedir(d);
	return n;
}

static void
test_blob_in_limits(void **state)
{
	struct blob_in b;
	uint8_t data[1000], sha[32];
	int status;

	randombytes_buf(data, sizeof(data));
	sha256(sha, data, sizeof(data));
	/* Over the limit mid-stream: 413, nothing kept. */
	assert_int_equal(blob_in_begin(&b, *state, sha, 999), 0);
	blob_in_data(&b, data, 500);
	blob_in_data(&b, data + 500, 500);
	assert_int_equal(blob_in_end(&b, &status), -1);
	assert_int_equal(status, 413);
	assert_int_equal(count_files(*state), 0);
	/* Wrong content for the name: 400, nothing kept. */
	assert_int_equal(blob_in_begin(&b, *state, sha, 1000), 0);
	blob_in_data(&b, data, 999);
	blob_in_data(&b, "?", 1);
	assert_int_equal(blob_in_end(&b, &status), -1);
	assert_int_equal(status, 400);
	assert_int_equal(count_files(*state), 0);
	/* Abandoned: nothing kept. */
	assert_int_equal(blob_in_begin(&b, *state, sha, 1000), 0);
	blob_in_data(&b, data, 10);
	blob_in_abort(&b);
	assert_int_equal(count_files(*state), 0);
	/* Right: one file, named by the digest; again: still one. */
	for (int i = 0; i < 2; i++) {
		assert_int_equal(blob_in_begin(&b, *state, sha, 1000), 0);
		assert_true((i == 0) == (b.tmp != NULL));
		blob_in_data(&b, data, sizeof(data));
		assert_int_equal(blob_in_end(&b, &status), 0);
		assert_int_equal(count_files(*state), 1);
	}
	assert_int_equal(blob_held(*state, sha, 1000), 1);
	assert_int_equal(blob_held(*state, sha, 999), 0);
	/* A crash's leftovers go at start-up. */
	char *junk = path_in(state, "tmp.0123");
	assert_int_equal(write_file_atomic(junk, "x", 1, 0600), 0);
	assert_int_equal(count_files(*state), 2);
	assert_int_equal(blob_dir_init(*state, 0), 0);
	assert_int_equal(count_files(*state), 1);
	free(junk);
}

/* ---- streamed HTTP ---------------------------------------------------------- */

struct srvctx {
	char dir[64];
	uint64_t limit;
	uint8_t pk[32];
	struct nonce_cache *nc;
	int begun, aborted;
};

static struct srvctx S;
static struct http_server *srv;
static char base[64];
static uint8_t cpk[32], csk[64];

struct up {
	struct blob_in in;
};

static int
name_of(const char *path, const char *prefix, uint8_t sha[32])
{
	if (strncmp(path, prefix, strlen(prefix)) != 0)
		return -1;
	return hex_decode_exact(sha, 32, path + strlen(prefix));
}

static void *
up_begin(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct srvctx *c = ctx;
	const char *cl = http_req_header(req, "Content-Length");
	uint8_t sha[32], key[32], claimed[32];
	char nonce[33];
	struct up *u;

	if (name_of(req->path, "/up/", sha) != 0) {
		http_resp_error(resp, 400, "bad name");
		return NULL;
	}
	if (cl == NULL || strtoull(cl, NULL, 10) > c->limit) {
		http_resp_error(resp, cl == NULL ? 411 : 413, "too large");
		return NULL;
	}
	if (httpsig_verify_digest(req->method, req->target,
	    http_req_header(req, "Content-Digest"),
	    http_req_header(req, "Signature-Input"),
	    http_req_header(req, "Signature"), time(NULL), key, nonce,
	    claimed) != 0 || nonce_seen(c->nc, nonce, time(NULL)) ||
	    memcmp(key, c->pk, 32) != 0 || memcmp(claimed, sha, 32) != 0) {
		http_resp_error(resp, 401, "signature");
		return NULL;
	}
	__atomic_add_fetch(&S.begun, 1, __ATOMIC_SEQ_CST);
	u = xcalloc(1, sizeof(*u));
	if (blob_in_begin(&u->in, c->dir, sha, strtoull(cl, NULL, 10)) != 0) {
		free(u);
		http_resp_error(resp, 500, "%s", rs_err());
		return NULL;
	}
	return u;
}

static void
up_data(void *st, const void *p, size_t n)
{
	blob_in_data(&((struct up *)st)->in, p, n);
}

static void
up_end(void *st, const struct http_req *req, struct http_resp *resp)
{
	struct up *u = st;
	int held = u->in.tmp == NULL, status;

	if (blob_in_end(&u->in, &status) != 0)
		http_resp_error(resp, status, "refused: %s", rs_err());
	else
		http_resp_json(resp, held ? 200 : 201, json_object());
	free(u);
}

static void
up_abort(void *st)
{
	blob_in_abort(&((struct up *)st)->in);
	__atomic_add_fetch(&S.aborted, 1, __ATOMIC_SEQ_CST);
	free(st);
}

static const struct http_stream_ops ops = { up_begin, up_data, up_end, up_abort };

static void
handler(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	struct srvctx *c = ctx;
	uint8_t sha[32];
	char *path;
	int fd;

	if (name_of(req->path, "/get/", sha) != 0) {
		http_resp_error(resp, 404, "no such endpoint");
		return;
	}
	path = blob_path(c->dir, sha);
	fd = open(path, O_RDONLY);
	free(path);
	if (fd < 0) {
		http_resp_error(resp, 404, "no such blob");
		return;
	}
	http_resp_fd(resp, 200, "application/octet-stream", fd,
	    (uint64_t)lseek(fd, 0, SEEK_END));
}

static int
suite_setup(void **state)
{
	char *d = xstrdup("/tmp/roster-blobsrv-XXXXXX");

	if (sodium_init() < 0 || mkdtemp(d) == NULL)
		return -1;
	snprintf(S.dir, sizeof(S.dir), "%s", d);
	free(d);
	S.limit = 300000;
	S.nc = nonce_cache_new();
	crypto_sign_keypair(cpk, csk);
	memcpy(S.pk, cpk, 32);
	srv = http_server_start("127.0.0.1:0", 4096, 2, handler, &S);
	if (srv == NULL || http_server_stream(srv, "PUT", "/up/", &ops, &S) != 0)
		return -1;
	snprintf(base, sizeof(base), "http://127.0.0.1:%u",
	    (unsigned)http_server_port(srv));
	return 0;
}

static int
suite_teardown(void **state)
{
	void *d = xstrdup(S.dir);

	http_server_stop(srv);
	nonce_cache_free(S.nc);
	return teardown_tmp(&d);
}

struct src {
	const uint8_t *p;
	size_t len, off, fail_at;	/* fail_at: -1 after this many bytes */
	int begun0;			/* S.begun before the request */
};

static ssize_t
src_read(void *ud, void *p, size_t max)
{
	struct src *s = ud;
	size_t n = s->len - s->off < max ? s->len - s->off : max;

	if (s->fail_at > 0 && s->off + n > s->fail_at) {
		/* Fail only once the server has begun receiving, so that
		 * there is something to abandon. */
		for (int i = 0; i < 500 && __atomic_load_n(&S.begun,
		    __ATOMIC_SEQ_CST) == s->begun0; i++)
			usleep(10000);
		rs_seterr("source failed on purpose");
		return -1;
	}
	memcpy(p, s->p + s->off, n);
	s->off += n;
	return (ssize_t)n;
}

struct prog {
	uint64_t last, total;
	int calls;
};

static void
prog_cb(void *ud, uint64_t done, uint64_t total)
{
	struct prog *p = ud;

	p->last = done;
	p->total = total;
	p->calls++;
}

/* Uploads data under name sha (signed as sha); the status. */
static long
upload(const uint8_t *data, size_t len, const uint8_t sha[32], size_t fail_at,
    struct prog *pr, int *rc)
{
	struct http_client *c = http_client_new(base);
	struct src s = { data, len, 0, fail_at,
	    __atomic_load_n(&S.begun, __ATOMIC_SEQ_CST) };
	struct buf out = {0};
	char hex[65], target[80];
	long status = 0;

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	snprintf(target, sizeof(target), "/up/%s", hex);
	http_client_set_signer(c, cpk, csk);
	*rc = http_upload(c, "PUT", target, "application/octet-stream", len, sha,
	    src_read, &s, pr != NULL ? prog_cb : NULL, pr, &status, &out);
	buf_free(&out);
	http_client_free(c);
	return status;
}

static void
test_http_upload_download(void **state)
{
	struct buf plain = {0}, out = {0}, err = {0};
	struct sealed s;
	struct prog pr = {0};
	struct http_client *c;
	struct blob_dec *d = xmalloc(sizeof(*d));
	uint8_t sha[32], got[32];
	char hex[65], target[80];
	long status = 0;
	int rc;

	fill(&plain, 250000);
	seal_buf(&plain, &s);
	sha256(sha, s.c.p, s.c.len);
	assert_int_equal(upload(s.c.p, s.c.len, sha, 0, &pr, &rc), 201);
	assert_int_equal(rc, 0);
	assert_true(pr.calls > 0);
	assert_int_equal(pr.last, s.c.len);
	assert_int_equal(blob_held(S.dir, sha, s.c.len), 1);
	assert_int_equal(upload(s.c.p, s.c.len, sha, 0, NULL, &rc), 200);
	assert_int_equal(count_files(S.dir), 1);

	/* Download, streamed through the decryptor. */
	c = http_client_new(base);
	http_client_set_signer(c, cpk, csk);
	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	snprintf(target, sizeof(target), "/get/%s", hex);
	assert_int_equal(blob_dec_init(d, s.key, s.header, plain.len, collect,
	    &out), 0);
	memset(&pr, 0, sizeof(pr));
	assert_int_equal(http_download(c, target, s.c.len,
	    (http_write_fn)blob_dec_update, d, prog_cb, &pr, &status, &err), 0);
	assert_int_equal(status, 200);
	assert_int_equal(blob_dec_final(d, got), 0);
	assert_memory_equal(got, sha, 32);
	assert_int_equal(out.len, plain.len);
	assert_memory_equal(out.p, plain.p, plain.len);
	assert_int_equal(pr.last, s.c.len);
	/* More than the caller's bound is cut off. */
	assert_int_equal(blob_dec_init(d, s.key, s.header, plain.len, NULL, NULL), 0);
	assert_int_equal(http_download(c, target, s.c.len - 1,
	    (http_write_fn)blob_dec_update, d, NULL, NULL, &status, &err), -1);
	/* A missing blob: the error body, not the writer. */
	snprintf(target, sizeof(target), "/get/%064d", 0);
	assert_int_equal(http_download(c, target, 1000,
	    (http_write_fn)blob_dec_update, d, NULL, NULL, &status, &err), 0);
	assert_int_equal(status, 404);
	assert_non_null(strstr((char *)buf_cstr(&err), "no such blob"));
	http_client_free(c);
	blob_dec_wipe(d);
	free(d);
	buf_free(&plain);
	buf_free(&out);
	buf_free(&err);
	buf_free(&s.c);
	/* Leave the folder empty for the next test. */
	char *p = blob_path(S.dir, sha);
	unlink(p);
	free(p);
}

static void
test_http_refusals_leave_nothing(void **state)
{
	struct buf big = {0}, other = {0};
	uint8_t sha[32];
	int rc;

	/* Over the limit: 413 from the headers alone. */
	fill(&big, S.limit + 1);
	sha256(sha, big.p, big.len);
	assert_int_equal(upload(big.p, big.len, sha, 0, NULL, &rc), 413);
	assert_int_equal(count_files(S.dir), 0);
	/* A body that is not what the signature says: refused at the end. */
	big.len = 1000;
	sha256(sha, big.p, big.len);
	fill(&other, 1000);
	assert_int_equal(upload(other.p, other.len, sha, 0, NULL, &rc), 400);
	assert_int_equal(count_files(S.dir), 0);
	/* Signed for another digest than the name: 401 before the body. */
	uint8_t wrong[32];
	memcpy(wrong, sha, 32);
	wrong[0] ^= 1;
	{
		struct http_client *c = http_client_new(base);
		struct src s = { big.p, big.len, 0, 0, 0 };
		struct buf out = {0};
		char hex[65], target[80];
		long status = 0;
		sodium_bin2hex(hex, sizeof(hex), sha, 32);
		snprintf(target, sizeof(target), "/up/%s", hex);
		http_client_set_signer(c, cpk, csk);
		assert_int_equal(http_upload(c, "PUT", target, NULL, big.len,
		    wrong, src_read, &s, NULL, NULL, &status, &out), 0);
		assert_int_equal(status, 401);
		buf_free(&out);
		http_client_free(c);
	}
	assert_int_equal(count_files(S.dir), 0);
	/* The client gives up half way: the server abandons the file. */
	buf_free(&big);
	fill(&big, 200000);
	sha256(sha, big.p, 200000);
	int before = __atomic_load_n(&S.aborted, __ATOMIC_SEQ_CST);
	(void)upload(big.p, 200000, sha, 100000, NULL, &rc);
	assert_int_equal(rc, -1);
	assert_non_null(strstr(rs_err(), "on purpose"));
	/* libmicrohttpd (0.9.75, epoll) may not notice the client's close
	 * before the connection's idle timeout; stopping the server ends
	 * the connection now, and either way the route's abort must run
	 * and remove the temporary file. */
	for (int i = 0; i < 100 && __atomic_load_n(&S.aborted,
	    __ATOMIC_SEQ_CST) == before; i++)
		usleep(20000);
	http_server_stop(srv);
	srv = NULL;
	assert_true(__atomic_load_n(&S.aborted, __ATOMIC_SEQ_CST) > before);
	assert_int_equal(count_files(S.dir), 0);
	buf_free(&big);
	buf_free(&other);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip_sizes),
		cmocka_unit_test(test_rewind_gives_same_ciphertext),
		cmocka_unit_test(test_tamper_each_chunk),
		cmocka_unit_test(test_truncate_reorder_extend),
		cmocka_unit_test(test_wrong_key_or_header),
		cmocka_unit_test(test_parse_list),
		cmocka_unit_test_setup_teardown(test_blob_in_limits, setup_tmp,
		    teardown_tmp),
		cmocka_unit_test(test_http_upload_download),
		cmocka_unit_test(test_http_refusals_leave_nothing),
	};

	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests_name("blob", tests, suite_setup,
	    suite_teardown);
}
