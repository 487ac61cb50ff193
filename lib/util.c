/*
 * util.c - error buffer, byte buffers, encodings, durable file writes.
 *
 * Everything here is deliberately boring.  The one subtle function is
 * write_file_atomic: temp file, fsync, rename, fsync of the directory; that is
 * the order POSIX needs for "old or new, never half" across a power loss.
 */
#include "util.h"
#include "fault.h"

#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <termios.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

static _Thread_local char errbuf[RS_ERRLEN];

void
rs_seterr(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(errbuf, sizeof(errbuf), fmt, ap);
	va_end(ap);
}

const char *
rs_err(void)
{
	return errbuf[0] ? errbuf : "unknown error";
}

void *
xmalloc(size_t n)
{
	void *p = malloc(n ? n : 1);

	if (p == NULL) {
		fprintf(stderr, "roster: out of memory\n");
		abort();
	}
	return p;
}

void *
xcalloc(size_t n, size_t size)
{
	void *p = calloc(n ? n : 1, size ? size : 1);

	if (p == NULL) {
		fprintf(stderr, "roster: out of memory\n");
		abort();
	}
	return p;
}

void *
xrealloc(void *p, size_t n)
{
	p = realloc(p, n ? n : 1);
	if (p == NULL) {
		fprintf(stderr, "roster: out of memory\n");
		abort();
	}
	return p;
}

char *
xstrdup(const char *s)
{
	size_t n = strlen(s) + 1;

	return memcpy(xmalloc(n), s, n);
}

void
buf_reserve(struct buf *b, size_t extra)
{
	size_t need;

	if (extra > SIZE_MAX - b->len - 1) {
		fprintf(stderr, "roster: buffer size overflow\n");
		abort();
	}
	need = b->len + extra + 1;
	if (need <= b->cap)
		return;
	size_t cap = b->cap ? b->cap : 64;
	while (cap < need)
		cap = cap > SIZE_MAX / 2 ? need : cap * 2;
	b->p = xrealloc(b->p, cap);
	b->cap = cap;
}

void
buf_add(struct buf *b, const void *data, size_t len)
{
	if (len == 0)
		return;
	buf_reserve(b, len);
	memcpy(b->p + b->len, data, len);
	b->len += len;
}

void
buf_addstr(struct buf *b, const char *s)
{
	buf_add(b, s, strlen(s));
}

void
buf_printf(struct buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(NULL, 0, fmt, ap);
	va_end(ap);
	if (n < 0)
		return;
	buf_reserve(b, (size_t)n);
	va_start(ap, fmt);
	vsnprintf((char *)b->p + b->len, (size_t)n + 1, fmt, ap);
	va_end(ap);
	b->len += (size_t)n;
}

void
buf_add_u32be(struct buf *b, uint32_t v)
{
	uint8_t t[4];

	put_u32be(t, v);
	buf_add(b, t, 4);
}

void
buf_add_u64be(struct buf *b, uint64_t v)
{
	uint8_t t[8];

	put_u64be(t, v);
	buf_add(b, t, 8);
}

const char *
buf_cstr(struct buf *b)
{
	buf_reserve(b, 0);
	b->p[b->len] = '\0';
	return (const char *)b->p;
}

void
buf_free(struct buf *b)
{
	free(b->p);
	b->p = NULL;
	b->len = b->cap = 0;
}

uint32_t
get_u32be(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 |
	    (uint32_t)p[2] << 8 | p[3];
}

uint64_t
get_u64be(const uint8_t *p)
{
	return (uint64_t)get_u32be(p) << 32 | get_u32be(p + 4);
}

void
put_u32be(uint8_t *p, uint32_t v)
{
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
}

void
put_u64be(uint8_t *p, uint64_t v)
{
	put_u32be(p, v >> 32);
	put_u32be(p + 4, (uint32_t)v);
}

int64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (int64_t)ts.tv_sec * 1000 + ts.tv_nsec / 1000000;
}

char *
hex_encode(const uint8_t *in, size_t len)
{
	char *out = xmalloc(len * 2 + 1);

	sodium_bin2hex(out, len * 2 + 1, in, len);
	return out;
}

int
hex_decode(uint8_t *out, size_t outmax, size_t *outlen, const char *in)
{
	size_t n;
	const char *end;

	/* Lower case only: one value, one spelling (docs/protocol.md). */
	if (strspn(in, "0123456789abcdef") != strlen(in) ||
	    sodium_hex2bin(out, outmax, in, strlen(in), NULL, &n, &end) != 0 ||
	    *end != '\0') {
		rs_seterr("malformed hex (lower-case digits only)");
		return -1;
	}
	*outlen = n;
	return 0;
}

int
hex_decode_exact(uint8_t *out, size_t n, const char *in)
{
	size_t got;

	if (in == NULL || strlen(in) != n * 2 ||
	    hex_decode(out, n, &got, in) != 0 || got != n) {
		rs_seterr("expected %zu bytes of hex", n);
		return -1;
	}
	return 0;
}

char *
b64_encode(const uint8_t *in, size_t len)
{
	size_t n = sodium_base64_ENCODED_LEN(len, sodium_base64_VARIANT_ORIGINAL);
	char *out = xmalloc(n);

	sodium_bin2base64(out, n, in, len, sodium_base64_VARIANT_ORIGINAL);
	return out;
}

int
b64_decode(struct buf *out, const char *in, size_t inlen)
{
	size_t max = inlen / 4 * 3 + 3, n;
	const char *end;

	/*
	 * libsodium 1.0.18 reads bytes 0x80-0xff as '/' and tolerates
	 * non-zero padding bits, so one value would have many spellings.
	 * Accept only the canonical one: decode, re-encode, compare.
	 */
	buf_reserve(out, max);
	if (sodium_base642bin(out->p + out->len, max, in, inlen, NULL, &n, &end,
	    sodium_base64_VARIANT_ORIGINAL) != 0 || end != in + inlen) {
		rs_seterr("malformed base64");
		return -1;
	}
	char *again = b64_encode(out->p + out->len, n);
	int canonical = strlen(again) == inlen && memcmp(again, in, inlen) == 0;
	free(again);
	if (!canonical) {
		rs_seterr("malformed base64 (not in canonical form)");
		return -1;
	}
	out->len += n;
	return 0;
}

void
sha256(uint8_t out[32], const void *data, size_t len)
{
	crypto_hash_sha256(out, data, len);
}

/*
 * On failure out is left as it was (callers return without freeing it), and
 * max counts the file's bytes, not what out held before.
 */
static int
read_fail(int fd, struct buf *out, size_t start, int fresh)
{
	close(fd);
	if (fresh)
		buf_free(out);
	else
		out->len = start;
	return -1;
}

int
read_file(const char *path, struct buf *out, size_t max)
{
	int fd = open(path, O_RDONLY | O_CLOEXEC);
	struct stat st;
	size_t start = out->len;
	int fresh = out->p == NULL;

	if (fd < 0) {
		rs_seterr("cannot open %s: %s", path, strerror(errno));
		return -1;
	}
	if (fstat(fd, &st) == 0 && S_ISREG(st.st_mode) && (size_t)st.st_size > max) {
		rs_seterr("%s is too large (%lld bytes, limit %zu)", path,
		    (long long)st.st_size, max);
		close(fd);
		return -1;
	}
	for (;;) {
		buf_reserve(out, 65536);
		ssize_t n = read(fd, out->p + out->len, 65536);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rs_seterr("cannot read %s: %s", path, strerror(errno));
			return read_fail(fd, out, start, fresh);
		}
		if (n == 0)
			break;
		out->len += (size_t)n;
		if (out->len - start > max) {
			rs_seterr("%s is too large (limit %zu bytes)", path, max);
			return read_fail(fd, out, start, fresh);
		}
	}
	close(fd);
	return 0;
}

int
fsync_dir(const char *dir)
{
	int fd = open(dir, O_RDONLY | O_DIRECTORY | O_CLOEXEC);

	if (fd < 0) {
		rs_seterr("cannot open directory %s: %s", dir, strerror(errno));
		return -1;
	}
	if (fault_write(FAULT_FILE) != 0 || fsync(fd) != 0) {
		rs_seterr("cannot sync directory %s: %s", dir, strerror(errno));
		close(fd);
		return -1;
	}
	close(fd);
	return 0;
}

int
write_file_atomic(const char *path, const void *data, size_t len, int mode)
{
	size_t plen = strlen(path);
	char *tmp = xmalloc(plen + 16), *dcopy;
	const uint8_t *p = data;
	int fd, rc = -1;

	snprintf(tmp, plen + 16, "%s.tmp%ld", path, (long)getpid());
	fd = open(tmp, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, mode);
	if (fd < 0) {
		rs_seterr("cannot create %s: %s", tmp, strerror(errno));
		free(tmp);
		return -1;
	}
	while (len > 0) {
		ssize_t n = fault_write(FAULT_FILE) != 0 ? -1 : write(fd, p, len);
		if (n < 0 && errno == EINTR)
			continue;
		if (n < 0) {
			rs_seterr("cannot write %s: %s", tmp, strerror(errno));
			goto out;
		}
		p += n;
		len -= (size_t)n;
	}
	if (fault_write(FAULT_FILE) != 0 || fsync(fd) != 0) {
		rs_seterr("cannot sync %s: %s", tmp, strerror(errno));
		goto out;
	}
	if (rename(tmp, path) != 0) {
		rs_seterr("cannot rename %s to %s: %s", tmp, path, strerror(errno));
		goto out;
	}
	dcopy = xstrdup(path);
	rc = fsync_dir(dirname(dcopy));
	free(dcopy);
out:
	close(fd);
	if (rc != 0)
		unlink(tmp);
	free(tmp);
	return rc;
}

int
mkdir_p(const char *path, int mode)
{
	char *p = xstrdup(path);

	for (char *s = p + 1; *s; s++) {
		if (*s != '/')
			continue;
		*s = '\0';
		if (mkdir(p, mode) != 0 && errno != EEXIST) {
			rs_seterr("cannot create %s: %s", p, strerror(errno));
			free(p);
			return -1;
		}
		*s = '/';
	}
	if (mkdir(p, mode) != 0 && errno != EEXIST) {
		rs_seterr("cannot create %s: %s", p, strerror(errno));
		free(p);
		return -1;
	}
	free(p);
	return 0;
}

static char *
secret_dup(const char *s, size_t n)
{
	char *out = sodium_malloc(n + 1);

	if (out == NULL) {
		rs_seterr("cannot allocate protected memory");
		return NULL;
	}
	memcpy(out, s, n);
	out[n] = '\0';
	return out;
}

static char *
read_tty_line(const char *prompt)
{
	struct termios old, quiet;
	char line[1024];
	int fd = open("/dev/tty", O_RDWR | O_CLOEXEC);
	FILE *tty;
	char *out = NULL;

	if (fd < 0) {
		rs_seterr("no passphrase: use --passphrase-file FILE or set ROSTER_PASSPHRASE");
		return NULL;
	}
	tty = fdopen(fd, "r+");
	fputs(prompt, tty);
	fflush(tty);
	tcgetattr(fd, &old);
	quiet = old;
	quiet.c_lflag &= ~(tcflag_t)ECHO;
	tcsetattr(fd, TCSAFLUSH, &quiet);
	if (fgets(line, sizeof(line), tty) != NULL) {
		line[strcspn(line, "\r\n")] = '\0';
		out = secret_dup(line, strlen(line));
	} else
		rs_seterr("no passphrase given");
	tcsetattr(fd, TCSAFLUSH, &old);
	fputs("\n", tty);
	fclose(tty);
	sodium_memzero(line, sizeof(line));
	return out;
}

char *
passphrase_get(const char *file, const char *prompt, int confirm)
{
	const char *env = getenv("ROSTER_PASSPHRASE");
	char *pw, *again;

	if (file != NULL) {
		struct buf b = {0};
		if (read_file(file, &b, 4096) != 0)
			return NULL;
		size_t n = 0;
		while (n < b.len && b.p[n] != '\n' && b.p[n] != '\r')
			n++;
		pw = secret_dup((const char *)b.p, n);
		sodium_memzero(b.p, b.len);
		buf_free(&b);
		return pw;
	}
	if (env != NULL)
		return secret_dup(env, strlen(env));
	pw = read_tty_line(prompt);
	if (pw == NULL || !confirm)
		return pw;
	again = read_tty_line("Repeat passphrase: ");
	if (again == NULL || strcmp(pw, again) != 0) {
		rs_seterr("the two passphrases differ");
		secret_free(pw);
		secret_free(again);
		return NULL;
	}
	secret_free(again);
	return pw;
}

void
secret_free(char *s)
{
	if (s != NULL)
		sodium_free(s);
}

void
fingerprint(char out[RS_FPR_LEN], const uint8_t pk[32])
{
	uint8_t h[32];
	size_t o = 0;

	sha256(h, pk, 32);
	for (int i = 0; i < 16; i += 2) {
		o += (size_t)snprintf(out + o, RS_FPR_LEN - o, "%s%02x%02x",
		    i ? " " : "", h[i], h[i + 1]);
	}
}

const int64_t urgency_max_deadline_ms[URGENCY_LEVELS] = {
	24 * 3600000LL,		/* flash: 1 day */
	3 * 24 * 3600000LL,	/* urgent: 3 days */
	14 * 24 * 3600000LL,	/* priority: 14 days */
	30 * 24 * 3600000LL	/* routine: 30 days */
};

int
deadline_policy_check(const int64_t ms[URGENCY_LEVELS])
{
	for (int i = 0; i < URGENCY_LEVELS; i++) {
		if (ms[i] < 1000 || ms[i] > urgency_max_deadline_ms[i]) {
			rs_seterr("the %s deadline (%lld ms) is outside 1 s to %lld days",
			    urgency_names[i], (long long)ms[i],
			    (long long)(urgency_max_deadline_ms[i] / 86400000));
			return -1;
		}
		if (i > 0 && ms[i] < ms[i - 1]) {
			rs_seterr("the %s deadline (%lld ms) is shorter than the %s one "
			    "(%lld ms): deadlines must not grow with urgency",
			    urgency_names[i], (long long)ms[i], urgency_names[i - 1],
			    (long long)ms[i - 1]);
			return -1;
		}
	}
	return 0;
}

int
parse_duration(const char *s, int64_t *ms)
{
	int64_t v = 0, unit;
	size_t i = 0;

	for (; s[i] >= '0' && s[i] <= '9'; i++) {
		v = v * 10 + (s[i] - '0');
		if (v > 10LL * 366 * 86400)
			goto bad;
	}
	if (i == 0 || s[i] == '\0' || s[i + 1] != '\0')
		goto bad;
	switch (s[i]) {
	case 's': unit = 1000; break;
	case 'm': unit = 60000; break;
	case 'h': unit = 3600000; break;
	case 'd': unit = 86400000; break;
	default: goto bad;
	}
	if (v * unit / 1000 > 10LL * 366 * 86400)
		goto bad;
	*ms = v * unit;
	return 0;
bad:
	rs_seterr("\"%s\" is not a duration (a number and s, m, h or d, e.g. 4h)", s);
	return -1;
}
