/*
 * util.h - the small things every part of roster needs.
 *
 * Errors: a function that can fail returns 0 (or a value >= 0) on success and
 * -1 on failure, after putting a sentence for the user into a thread-local
 * error buffer (rs_seterr).  The caller either handles the failure or passes
 * it up; whoever finally reports it prints rs_err().  One buffer per thread
 * keeps signatures short and works under libmicrohttpd's thread pool.
 *
 * Buffers: struct buf is a growable byte array.  It aborts on allocation
 * failure: roster has no sensible way to continue without memory, and a clean
 * abort is better than a half-written record.
 */
#ifndef ROSTER_UTIL_H
#define ROSTER_UTIL_H

#include <stddef.h>
#include <stdint.h>
#include <stdarg.h>

#include "vocab.h"	/* State codes and urgencies were here */

#define RS_ERRLEN 512

/* Mutation testing (scripts/mutants, docs/operations.md): MUTANT(name) is 1
 * in a build made with -DROSTER_MUTANT=name and 0 otherwise.  Each security
 * check is written "if (!MUTANT(name) && <the check fails>)", so that the
 * harness can switch it off and see whether some test notices.  Both
 * strings are constants: the compiler folds the comparison away, and an
 * ordinary build keeps every check. */
#ifndef ROSTER_MUTANT
#define ROSTER_MUTANT none
#endif
#define RS_STR_(x) #x
#define RS_STR(x) RS_STR_(x)
#define MUTANT(name) (__builtin_strcmp(RS_STR(ROSTER_MUTANT), #name) == 0)

void rs_seterr(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
const char *rs_err(void);

struct buf {
	uint8_t *p;
	size_t len;
	size_t cap;
};

void buf_reserve(struct buf *b, size_t extra);
void buf_add(struct buf *b, const void *data, size_t len);
void buf_addstr(struct buf *b, const char *s);
void buf_printf(struct buf *b, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
void buf_add_u32be(struct buf *b, uint32_t v);
void buf_add_u64be(struct buf *b, uint64_t v);
/* NUL-terminates without counting the NUL in len. */
const char *buf_cstr(struct buf *b);
void buf_free(struct buf *b);

void *xmalloc(size_t n);
void *xcalloc(size_t n, size_t size);
void *xrealloc(void *p, size_t n);
char *xstrdup(const char *s);

uint32_t get_u32be(const uint8_t *p);
uint64_t get_u64be(const uint8_t *p);
void put_u32be(uint8_t *p, uint32_t v);
void put_u64be(uint8_t *p, uint64_t v);

/* Wall-clock time in milliseconds since the Unix epoch. */
int64_t now_ms(void);

/* Hex and standard base64 (with padding).  Decoders return -1 on any
 * malformed input and never write more than outmax bytes. */
char *hex_encode(const uint8_t *in, size_t len);          /* malloc'd */
int hex_decode(uint8_t *out, size_t outmax, size_t *outlen, const char *in);
/* Decodes exactly n bytes of hex; -1 unless the string is exactly 2n digits. */
int hex_decode_exact(uint8_t *out, size_t n, const char *in);
char *b64_encode(const uint8_t *in, size_t len);          /* malloc'd */
int b64_decode(struct buf *out, const char *in, size_t inlen);

/* SHA-256 helper. */
void sha256(uint8_t out[32], const void *data, size_t len);

/* Files.  read_file refuses anything larger than max bytes.  write_file_atomic
 * writes a temporary file, fsyncs it, renames it over path and fsyncs the
 * directory, so the file is either old or new after a crash. */
int read_file(const char *path, struct buf *out, size_t max);
int write_file_atomic(const char *path, const void *data, size_t len, int mode);
int mkdir_p(const char *path, int mode);
int fsync_dir(const char *dir);
/* Reads a passphrase from a file (first line), or ROSTER_PASSPHRASE, or the
 * terminal.  Returns a sodium_malloc'd string the caller frees with
 * secret_free; NULL with rs_err set if none can be had. */
char *passphrase_get(const char *file, const char *prompt, int confirm);
void secret_free(char *s);

/* "a1b2 c3d4 ..." : the first 16 bytes of SHA-256(pk) in groups of four hex
 * digits.  Short enough to read over the phone, long enough to be unique.
 * out must hold RS_FPR_LEN bytes. */
#define RS_FPR_LEN 40
void fingerprint(char out[RS_FPR_LEN], const uint8_t pk[32]);

/* The longest acknowledgement deadline a hub may set per urgency, and the
 * rule a policy must keep (docs/protocol.md section 3, Deadlines): every
 * deadline at least 1 s and at most its urgency's maximum, and none longer
 * than that of a less urgent level (flash <= urgent <= priority <=
 * routine), so that no operator can switch escalation off by a policy.
 * The hub applies it to hub.json, every node to GET /v1/info.  0, or -1
 * with rs_err naming the rule broken.  (The urgencies are lib/vocab.h's.) */
extern const int64_t urgency_max_deadline_ms[URGENCY_LEVELS];
int deadline_policy_check(const int64_t ms[URGENCY_LEVELS])
    __attribute__((warn_unused_result));

/* A duration: digits with a unit s, m, h or d ("90s", "4h", "3d").  0 with
 * *ms set; -1 with rs_err on anything else (or more than ten years). */
int parse_duration(const char *s, int64_t *ms);

#endif
