/*
 * blob.h - attachments: files encrypted in chunks, streamed, and stored by
 * their ciphertext's SHA-256.
 *
 * Encryption (sender's node) and decryption (recipient's node) use
 * libsodium's crypto_secretstream_xchacha20poly1305 under a fresh random key
 * per file.  The plaintext is cut into BLOB_CHUNK-byte chunks; the last one
 * (shorter, possibly empty) carries TAG_FINAL.  The blob is the chunks'
 * ciphertexts concatenated, nothing else: the secretstream header and the key
 * travel inside the message's sealed payload.  So a blob's size is a function
 * of the file's (blob_cipher_size), a truncated, reordered, altered or
 * extended blob fails a chunk's tag or the final-tag check, and nothing about
 * the file but its size is visible to the hub.
 *
 * Neither side ever holds a file whole: the encryptor reads one chunk at a
 * time and hands out ciphertext on demand (an upload's read callback); the
 * decryptor takes ciphertext in pieces of any size (a download's write
 * callback), keeps at most one chunk, and hands each authenticated plaintext
 * chunk to a writer.
 *
 * The hub side (blob_in_*) receives a blob into BLOBDIR/tmp.<random>,
 * hashing as it goes and refusing past a limit, then fsyncs and renames it to
 * BLOBDIR/<sha256 hex>.  A blob the hub already holds is hashed and not
 * written again, so uploads are idempotent.
 */
#ifndef ROSTER_BLOB_H
#define ROSTER_BLOB_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>
#include <sodium.h>

#define BLOB_CHUNK	65536
#define BLOB_ABYTES	crypto_secretstream_xchacha20poly1305_ABYTES
#define BLOB_KEYBYTES	crypto_secretstream_xchacha20poly1305_KEYBYTES
#define BLOB_HDRBYTES	crypto_secretstream_xchacha20poly1305_HEADERBYTES
#define BLOB_MAX_ATTACH	32	/* attachments per message */

/* Ciphertext size of a plain-byte file: one tag per chunk, and a final
 * chunk even when the file is a whole number of chunks (or empty). */
uint64_t blob_cipher_size(uint64_t plain);

/* ---- encryption: a file descriptor in, ciphertext out on demand ------- */

struct blob_enc {
	crypto_secretstream_xchacha20poly1305_state st, st0;
	uint8_t key[BLOB_KEYBYTES];
	uint8_t header[BLOB_HDRBYTES];
	int fd;
	uint64_t size;			/* plaintext bytes expected */
	uint64_t read;			/* plaintext bytes read so far */
	int done;			/* final chunk produced */
	uint8_t in[BLOB_CHUNK];
	uint8_t out[BLOB_CHUNK + BLOB_ABYTES];
	size_t out_len, out_off;
};

/* Starts encrypting fd (at offset 0, size bytes) under a fresh key.  The
 * struct is large: allocate it, do not put it on a small stack. */
int blob_enc_init(struct blob_enc *e, int fd, uint64_t size);
/* Back to the start: the same key, header and ciphertext again (a first pass
 * computes the digest the upload's signature covers, a second sends). */
int blob_enc_rewind(struct blob_enc *e);
/* Up to max ciphertext bytes into p.  Returns the count, 0 at the end, -1
 * with rs_err (read error, or the file changed size under us). */
ssize_t blob_enc_read(struct blob_enc *e, void *p, size_t max);
void blob_enc_wipe(struct blob_enc *e);

/* ---- decryption: ciphertext in, in any pieces; plaintext to a writer -- */

typedef int (*blob_write_fn)(void *ud, const void *p, size_t n);

struct blob_dec {
	crypto_secretstream_xchacha20poly1305_state st;
	crypto_hash_sha256_state h;
	blob_write_fn w;
	void *ud;
	uint64_t plain, plain_expected, cipher, chunks;
	int done;
	uint8_t buf[BLOB_CHUNK + BLOB_ABYTES];
	size_t len;
	uint8_t out[BLOB_CHUNK];
};

int blob_dec_init(struct blob_dec *d, const uint8_t key[BLOB_KEYBYTES],
    const uint8_t header[BLOB_HDRBYTES], uint64_t plain_size, blob_write_fn w,
    void *ud);
/* -1 with rs_err naming the chunk that failed, or what else was wrong. */
int blob_dec_update(struct blob_dec *d, const void *p, size_t n);
/* Ends the stream: the last chunk must carry the final tag and the sizes
 * must match.  Gives the ciphertext's SHA-256. */
int blob_dec_final(struct blob_dec *d, uint8_t sha[32]);
void blob_dec_wipe(struct blob_dec *d);

/* ---- parsing what the network sends about blobs ------------------------ */

struct blob_ref {
	uint8_t sha[32];
	uint64_t size;			/* ciphertext bytes */
};

/* A blob's name: exactly 64 lower-case hex digits.  0 or -1. */
int blob_parse_name(const char *s, uint8_t sha[32]);
/* A Content-Length value: 1 to 18 decimal digits, nothing else.  0 or -1. */
int blob_parse_length(const char *s, uint64_t *n);
/* A message header's "attachments": a list of 1 to BLOB_MAX_ATTACH objects
 * of exactly {"sha256": name, "size": BLOB_ABYTES..limit}.  Fills out (room
 * for BLOB_MAX_ATTACH) and *n; -1 with rs_err naming the entry at fault. */
int blob_parse_list(const json_t *list, uint64_t limit, struct blob_ref *out,
    size_t *n);

/* ---- the hub's side: receiving into a folder ---------------------------- */

struct blob_in {
	char *dir;
	char *tmp;			/* NULL when the blob is already held */
	int fd;
	uint8_t want[32];
	uint64_t got, limit;
	crypto_hash_sha256_state h;
	int failed;
	char err[256];
};

/* Prepares to receive the blob named want (its SHA-256) into dir, at most
 * limit bytes.  -1 with rs_err on a file system error. */
int blob_in_begin(struct blob_in *b, const char *dir, const uint8_t want[32],
    uint64_t limit);
/* Takes the next piece.  After a failure further pieces are dropped (the
 * request must still be read to its end); blob_in_end reports it. */
void blob_in_data(struct blob_in *b, const void *p, size_t n);
/* Checks the digest, fsyncs and renames.  Returns 0 (stored, or already
 * held), or -1 with rs_err; on failure nothing is left behind.  413 or 400
 * in *status says which kind of failure. */
int blob_in_end(struct blob_in *b, int *status);
/* Abandons a blob (connection lost): removes the temporary file. */
void blob_in_abort(struct blob_in *b);

/* Removes tmp.* files a crash may have left in dir (creating dir): all of
 * them, or, when older_s > 0 (a folder several hubs share, whose uploads
 * in flight must not go), those not written for older_s seconds. */
int blob_dir_init(const char *dir, int64_t older_s);
/* BLOBDIR/<hex>, malloc'd. */
char *blob_path(const char *dir, const uint8_t sha[32]);
/* 1 when dir holds the blob with this size, 0 when not, -1 on error. */
int blob_held(const char *dir, const uint8_t sha[32], uint64_t size);

#endif
