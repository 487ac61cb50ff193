/*
 * fuzz_blob.c - libFuzzer target for the attachment decryptor (lib/blob.c),
 * which parses what a recipient downloads from the hub: a blob of any bytes,
 * arriving in pieces of any size.
 *
 * The first byte picks a mode (its value modulo 3):
 *   0:    the rest is the blob, decrypted under a fixed key and header and
 *         fed in pieces whose sizes come from byte 1.  Random bytes must
 *         never authenticate.
 *   1:    bytes 1-2 give a plaintext size (up to 3 chunks); that plaintext is
 *         encrypted, then the rest of the input is read as (offset, xor)
 *         pairs that alter the blob, and one more byte may cut it short.
 *         The result must be refused unless nothing changed, and when
 *         accepted must give back exactly the plaintext.
 *   2:    the rest goes to the parsers of what the hub is told about blobs:
 *         as a message header's "attachments" JSON (blob_parse_list), and
 *         as a blob name and a Content-Length (up to the first NUL).  What
 *         they accept must be within bounds and round-trip.
 * Either way: no crash, no read past a buffer, and no plaintext written for
 * a chunk that did not authenticate.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#include "blob.h"
#include "util.h"
#include "jsonutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct blob_dec dec;

static int
collect(void *ud, const void *p, size_t n)
{
	buf_add(ud, p, n);
	return 0;
}

static int
feed(const uint8_t *key, const uint8_t *hdr, uint64_t plain, const uint8_t *c,
    size_t len, size_t piece, struct buf *out)
{
	uint8_t sha[32];

	if (blob_dec_init(&dec, key, hdr, plain, collect, out) != 0)
		return -1;
	for (size_t off = 0; off < len; off += piece)
		if (blob_dec_update(&dec, c + off, len - off < piece ?
		    len - off : piece) != 0)
			return -1;
	return blob_dec_final(&dec, sha);
}

static void
raw_mode(const uint8_t *data, size_t size)
{
	uint8_t key[BLOB_KEYBYTES], hdr[BLOB_HDRBYTES];
	struct buf out = {0};
	size_t piece;

	if (size < 1)
		return;
	memset(key, 0x41, sizeof(key));
	memset(hdr, 0x42, sizeof(hdr));
	piece = (size_t)data[0] * 257 + 1;
	if (feed(key, hdr, size, data + 1, size - 1, piece, &out) == 0)
		abort();	/* random bytes authenticated */
	if (out.len > 0)
		abort();	/* plaintext of an unauthenticated chunk */
	buf_free(&out);
}

/* Encrypts plain (len bytes) into c, with e's key and header. */
static void
encrypt(struct blob_enc *e, const uint8_t *plain, size_t len, struct buf *c)
{
	char path[] = "/tmp/fuzz-blob-XXXXXX";
	uint8_t tmp[8192];
	int fd = mkstemp(path);
	ssize_t r;

	if (fd < 0)
		abort();
	unlink(path);
	if (write(fd, plain, len) != (ssize_t)len || blob_enc_init(e, fd, len) != 0 ||
	    blob_enc_rewind(e) != 0)
		abort();
	while ((r = blob_enc_read(e, tmp, sizeof(tmp))) > 0)
		buf_add(c, tmp, (size_t)r);
	if (r < 0 || c->len != blob_cipher_size(len))
		abort();
	close(fd);
}

static void
tamper_mode(const uint8_t *data, size_t size)
{
	static struct blob_enc e;
	static uint8_t plain[3 * BLOB_CHUNK + 100];
	struct buf c = {0}, orig = {0}, out = {0};
	size_t len, i = 3;
	int changed;

	if (size < 3)
		return;
	len = ((size_t)data[1] << 8 | data[2]) * 3 % sizeof(plain);
	for (size_t k = 0; k < len; k++)
		plain[k] = (uint8_t)(k * 31 + 7);
	encrypt(&e, plain, len, &c);
	buf_add(&orig, c.p, c.len);
	for (; i + 3 <= size; i += 3) {
		size_t off = ((size_t)data[i] << 8 | data[i + 1]) * 7 % c.len;
		c.p[off] ^= data[i + 2];
	}
	if (i < size && data[i] % 2 == 1)	/* cut short */
		c.len = (size_t)data[i] * 1031 % c.len;
	changed = c.len != orig.len || memcmp(c.p, orig.p, c.len) != 0;
	if (feed(e.key, e.header, len, c.p, c.len, 4096 + data[0], &out) == 0) {
		if (changed || out.len != len || (len > 0 &&
		    memcmp(out.p, plain, len) != 0))
			abort();
	} else if (!changed)
		abort();	/* an intact blob was refused */
	blob_enc_wipe(&e);
	buf_free(&orig);
	buf_free(&c);
	buf_free(&out);
}

static void
parse_mode(const uint8_t *data, size_t size)
{
	struct blob_ref refs[BLOB_MAX_ATTACH];
	char *s = xmalloc(size + 1), hex[65];
	json_t *j = json_loadb((const char *)data, size, 0, NULL);
	uint8_t sha[32];
	uint64_t n;
	size_t count;

	if (j != NULL && blob_parse_list(j, 1000000, refs, &count) == 0) {
		if (count < 1 || count > BLOB_MAX_ATTACH)
			abort();
		for (size_t i = 0; i < count; i++)
			if (refs[i].size < BLOB_ABYTES || refs[i].size > 1000000)
				abort();
	}
	json_decref(j);
	memcpy(s, data, size);
	s[size] = '\0';
	if (blob_parse_name(s, sha) == 0) {
		sodium_bin2hex(hex, sizeof(hex), sha, 32);
		if (strcmp(hex, s) != 0)
			abort();
	}
	if (blob_parse_length(s, &n) == 0 && (strlen(s) > 18 ||
	    n >= 1000000000000000000ull))
		abort();
	free(s);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	jalloc_init();
	if (sodium_init() < 0)
		abort();
	if (size < 1)
		return 0;
	if (data[0] % 3 == 0)
		raw_mode(data + 1, size - 1);
	else if (data[0] % 3 == 1)
		tamper_mode(data, size);
	else
		parse_mode(data + 1, size - 1);
	return 0;
}
