/*
 * taxii_next.c - the opaque "next" token of TAXII 2.1 pagination, and the
 * key it is made under (see taxii.h).
 *
 * A page of objects ends at a position: the date_added of its last object
 * and, for objects added in the same microsecond, the store's sequence
 * number; the next page starts strictly after it, in ascending
 * (date_added, seq).  The token carries that position in clear (it is no
 * secret: the X-TAXII-Date-Added-Last header says as much) and a MAC over
 * it, the resource (scope) and the query's canonical form, under a key
 * kept in the node's folder:
 *
 *   token = base64url( 0x01 || u64be date_added || u64be seq || tag[16] )
 *   tag   = BLAKE2b-128, keyed, of "roster-taxii-next-v1\0" ||
 *           u32be len(scope) || scope || u32be len(canon) || canon ||
 *           the first 17 bytes of the token
 *
 * So the server keeps no paging state at all (a restart, or another
 * server process over the same store and key, continues any walk), a
 * token cannot be forged or moved to another collection or another set of
 * filters, and the server still re-checks it against the query it came
 * with.  limit is not bound: a client may change its page size as it goes.
 */
#include "taxii.h"
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <sodium.h>

#define TOKEN_BYTES	33
#define TOKEN_VERSION	1
#define TAG_BYTES	16

static void
tag(const uint8_t key[32], const char *scope, const struct taxii_query *q,
    const uint8_t head[TOKEN_BYTES - TAG_BYTES], uint8_t out[TAG_BYTES])
{
	static const char domain[] = "roster-taxii-next-v1";
	crypto_generichash_state st;
	struct buf canon = {0};
	uint8_t len[4];

	taxii_query_canonical(q, &canon);
	crypto_generichash_init(&st, key, 32, TAG_BYTES);
	crypto_generichash_update(&st, (const uint8_t *)domain, sizeof(domain));
	put_u32be(len, (uint32_t)strlen(scope));
	crypto_generichash_update(&st, len, 4);
	crypto_generichash_update(&st, (const uint8_t *)scope, strlen(scope));
	put_u32be(len, (uint32_t)canon.len);
	crypto_generichash_update(&st, len, 4);
	crypto_generichash_update(&st, canon.p ? canon.p : (const uint8_t *)"", canon.len);
	crypto_generichash_update(&st, head, TOKEN_BYTES - TAG_BYTES);
	crypto_generichash_final(&st, out, TAG_BYTES);
	buf_free(&canon);
}

void
taxii_next_encode(const uint8_t key[32], const char *scope, const struct taxii_query *q,
    const struct taxii_pos *pos, char out[TAXII_NEXT_LEN])
{
	uint8_t t[TOKEN_BYTES];

	t[0] = TOKEN_VERSION;
	put_u64be(t + 1, (uint64_t)pos->date_added);
	put_u64be(t + 9, (uint64_t)pos->seq);
	tag(key, scope, q, t, t + TOKEN_BYTES - TAG_BYTES);
	sodium_bin2base64(out, TAXII_NEXT_LEN, t, sizeof(t),
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING);
}

enum taxii_next_result
taxii_next_decode(const uint8_t key[32], const char *scope, const struct taxii_query *q,
    struct taxii_pos *pos)
{
	uint8_t t[TOKEN_BYTES], want[TAG_BYTES];
	size_t n = 0;
	const char *end;

	if (q->next == NULL || strlen(q->next) != sodium_base64_ENCODED_LEN(TOKEN_BYTES,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) - 1 ||
	    sodium_base642bin(t, sizeof(t), q->next, strlen(q->next), NULL, &n, &end,
	    sodium_base64_VARIANT_URLSAFE_NO_PADDING) != 0 || n != TOKEN_BYTES ||
	    *end != '\0' || t[0] != TOKEN_VERSION) {
		rs_seterr("next: not a token this server gave");
		return TAXII_NEXT_MALFORMED;
	}
	tag(key, scope, q, t, want);
	if (sodium_memcmp(want, t + TOKEN_BYTES - TAG_BYTES, TAG_BYTES) != 0) {
		rs_seterr("next: the token was given for another query or collection (repeat "
		    "the query it came with, changing only limit)");
		return TAXII_NEXT_MISMATCH;
	}
	pos->date_added = (int64_t)get_u64be(t + 1);
	pos->seq = (int64_t)get_u64be(t + 9);
	return TAXII_NEXT_OK;
}

static int
read_key(const char *path, uint8_t key[32])
{
	struct buf b = {0};

	if (read_file(path, &b, 64) != 0)
		return -1;
	if (b.len != 32) {
		rs_seterr("%s: not a 32-byte key (%zu bytes); remove it to make a new one, "
		    "which ends every walk under way", path, b.len);
		buf_free(&b);
		return -1;
	}
	memcpy(key, b.p, 32);
	sodium_memzero(b.p, b.len);
	buf_free(&b);
	return 0;
}

int
taxii_key_load(const char *path, uint8_t key[32])
{
	char tmp[4096], dir[4096];
	uint8_t fresh[32], r[8];
	char *rh;
	int fd, rc = -1;

	if (access(path, F_OK) == 0)
		return read_key(path, key);
	/* a whole file under a temporary name, then linked to path: link fails
	 * if another process got there first, and its key is the one */
	randombytes_buf(r, sizeof(r));
	rh = hex_encode(r, sizeof(r));
	snprintf(tmp, sizeof(tmp), "%s.tmp.%s", path, rh);
	free(rh);
	randombytes_buf(fresh, sizeof(fresh));
	if ((fd = open(tmp, O_WRONLY | O_CREAT | O_EXCL, 0600)) < 0) {
		rs_seterr("%s: %s", tmp, strerror(errno));
		goto out;
	}
	if (fault_write(FAULT_FILE) != 0 ||
	    write(fd, fresh, sizeof(fresh)) != (ssize_t)sizeof(fresh) ||
	    fault_write(FAULT_FILE) != 0 || fsync(fd) != 0) {
		rs_seterr("%s: %s", tmp, strerror(errno));
		close(fd);
		unlink(tmp);
		goto out;
	}
	close(fd);
	if (link(tmp, path) != 0 && errno != EEXIST) {
		rs_seterr("%s: %s", path, strerror(errno));
		unlink(tmp);
		goto out;
	}
	unlink(tmp);
	snprintf(dir, sizeof(dir), "%s", path);
	if (fsync_dir(dirname(dir)) != 0)
		goto out;
	rc = read_key(path, key);
out:
	sodium_memzero(fresh, sizeof(fresh));
	return rc;
}
