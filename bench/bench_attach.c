/*
 * bench_attach.c - how fast an attachment is encrypted and uploaded, and
 * downloaded and decrypted, as a fraction of what this machine can do.
 *
 * An attachment costs, on the sender, two passes of XChaCha20-Poly1305 over
 * the file (one to learn the digest the request signature covers, one to
 * send) and, on the hub, one write of the blob and an fsync.  So the bench
 * measures in the same run, on the same disk: XChaCha20-Poly1305 MB/s on one
 * core (the sender's two passes share one), and write+fsync MB/s of a file
 * of the same size in the hub's folder.  It prints the encrypt+upload and
 * download+decrypt rates and their ratios to those limits, and the hub's
 * and the bench's peak memory (the file is never held whole by either).
 *
 * Set-up, with the real binaries next to this one (or --bin DIR): a fresh
 * hub ("rosterd init", "rosterd serve" on 127.0.0.1:0 as a child process),
 * State XA's root key admitted, one POC node initialised, certified and
 * enrolled with the roster CLI; the bench then signs its requests with that
 * node's device key, as `roster send --attach` does, through the same
 * library calls (lib/blob.h, http_upload, http_download).
 *
 * Usage: bench_attach [--mib N] [--bin DIR] [--keep]   (default 48 MiB)
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "blob.h"
#include "http.h"
#include "hub.h"
#include "keys.h"
#include "util.h"

#define PASS "bench passphrase"
#define IOBUF (64 * 1024)

static char bindir[4096], top[64];
static pid_t hub_pid;

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_attach: %s: %s\n", what, rs_err());
	if (hub_pid > 0)
		kill(hub_pid, SIGTERM);
	exit(1);
}

/* Runs BINDIR/prog with args (NULL-terminated), output to /dev/null. */
static int
run(const char *prog, ...)
{
	char *argv[24], path[4200];
	va_list ap;
	int n = 1, status;
	pid_t pid;

	snprintf(path, sizeof(path), "%s/%s", bindir, prog);
	argv[0] = path;
	va_start(ap, prog);
	while (n < 23 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		execv(path, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static char *
in_top(const char *name)
{
	struct buf b = {0};

	buf_printf(&b, "%s/%s", top, name);
	return (char *)buf_cstr(&b);
}

/* The benchmark's clients are many and on one address, and send as fast
 * as they can: the hub's section 9 limits (quotas per device, connections
 * per address, parked polls per device), meant for hostile parties, are
 * lifted in its hub.json. */
static int
unlimit_hub(const char *hubdir)
{
	struct hub_config cfg;

	if (hub_config_read(hubdir, &cfg) != 0)
		return -1;
	cfg.quota_envelopes = 0;
	cfg.quota_bytes = 0;
	cfg.conn_per_address = 4096;
	cfg.waits_per_device = 4000;
	return hub_config_write(hubdir, &cfg);
}

static void
start_hub(char *url, size_t len)
{
	char *hub = in_top("hub"), *urlf = in_top("hub/serve.url"), path[4200];
	struct buf b = {0};

	if (run("rosterd", "init", hub, "--name", "bench hub", NULL) != 0) {
		rs_seterr("rosterd init failed (is %s/rosterd built?)", bindir);
		die("set-up");
	}
	if (unlimit_hub(hub) != 0)
		die("hub.json");
	snprintf(path, sizeof(path), "%s/rosterd", bindir);
	if ((hub_pid = fork()) == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(path, path, "serve", hub, "--listen", "127.0.0.1:0",
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 3000; i++) {
		if (read_file(urlf, &b, 1024) == 0 && b.len > 0 &&
		    b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		usleep(10000);
	}
	if (b.len < 8) {
		rs_seterr("the hub did not start");
		die("rosterd serve");
	}
	snprintf(url, len, "%.*s", (int)b.len - 1, (char *)b.p);
	buf_free(&b);
	free(hub);
	free(urlf);
}

/* State XA with one enrolled POC; its device key. */
static struct keypair *
make_device(const char *url)
{
	char *root = in_top("XA.root"), *rootpub = in_top("XA.root.pub");
	char *hub = in_top("hub"), *node = in_top("node");
	char *req = in_top("node/request.json"), *cert = in_top("node/request.cert");
	char *key = in_top("node/device.key");
	struct keypair *k;

	if (run("roster", "keygen", "--state", "XA", "--out", root, NULL) != 0 ||
	    run("rosterd", "admit", hub, "--state", "XA", "--root-key", rootpub,
	    NULL) != 0 ||
	    run("roster", "init", "--dir", node, "--hub", url, "--state", "XA",
	    "--role", "technical", "--name", "Bench POC", "--email",
	    "poc@xa.example", NULL) != 0 ||
	    run("roster", "certify", "--root", root, req, NULL) != 0 ||
	    run("roster", "enroll", "--dir", node, cert, NULL) != 0) {
		rs_seterr("the roster CLI failed to set up a device");
		die("set-up");
	}
	if ((k = keyfile_read(key, KEY_DEVICE, PASS)) == NULL)
		die("device key");
	free(root);
	free(rootpub);
	free(hub);
	free(node);
	free(req);
	free(cert);
	free(key);
	return k;
}

/* ---- the limits ------------------------------------------------------------ */

static double
aead_mbps(void)
{
	uint8_t *buf = xmalloc(IOBUF + 16), key[32], nonce[24];
	unsigned long long clen;
	double t0 = now_s(), t;
	size_t bytes = 0;

	randombytes_buf(key, sizeof(key));
	randombytes_buf(nonce, sizeof(nonce));
	memset(buf, 7, IOBUF);
	do {
		for (int i = 0; i < 64; i++) {
			crypto_aead_xchacha20poly1305_ietf_encrypt(buf, &clen, buf,
			    IOBUF, NULL, 0, NULL, nonce, key);
			bytes += IOBUF;
		}
	} while ((t = now_s() - t0) < 1.0);
	free(buf);
	return (double)bytes / t / 1e6;
}

static double
sha256_mbps(void)
{
	crypto_hash_sha256_state h;
	uint8_t *buf = xmalloc(IOBUF), out[32];
	double t0 = now_s(), t;
	size_t bytes = 0;

	memset(buf, 7, IOBUF);
	crypto_hash_sha256_init(&h);
	do {
		for (int i = 0; i < 64; i++) {
			crypto_hash_sha256_update(&h, buf, IOBUF);
			bytes += IOBUF;
		}
	} while ((t = now_s() - t0) < 1.0);
	crypto_hash_sha256_final(&h, out);
	free(buf);
	return (double)bytes / t / 1e6;
}

/* Writes bytes to a file in dir and fsyncs it: MB/s. */
static double
write_fsync_mbps(const char *dir, uint64_t bytes)
{
	char path[4200];
	uint8_t *buf = xmalloc(IOBUF);
	double t0, t;
	int fd;

	snprintf(path, sizeof(path), "%s/limit.tmp", dir);
	randombytes_buf(buf, IOBUF);
	t0 = now_s();
	if ((fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600)) < 0)
		die("open");
	for (uint64_t done = 0; done < bytes; done += IOBUF)
		if (write(fd, buf, IOBUF) != IOBUF) {
			rs_seterr("%s", strerror(errno));
			die("write");
		}
	if (fsync(fd) != 0)
		die("fsync");
	t = now_s() - t0;
	close(fd);
	unlink(path);
	free(buf);
	return (double)bytes / t / 1e6;
}

/* ---- the transfers ----------------------------------------------------------- */

static ssize_t
enc_read(void *ud, void *p, size_t max)
{
	return blob_enc_read(ud, p, max);
}

static double
upload(struct http_client *c, const char *file, uint64_t size,
    struct blob_enc *e, uint8_t sha[32])
{
	crypto_hash_sha256_state h;
	uint8_t *buf = xmalloc(IOBUF);
	struct buf out = {0};
	char hex[65], target[80];
	long status = 0;
	double t0 = now_s(), t;
	ssize_t r;
	int fd = open(file, O_RDONLY);

	if (fd < 0 || blob_enc_init(e, fd, size) != 0)
		die("encrypt");
	crypto_hash_sha256_init(&h);
	while ((r = blob_enc_read(e, buf, IOBUF)) > 0)
		crypto_hash_sha256_update(&h, buf, (unsigned long long)r);
	crypto_hash_sha256_final(&h, sha);
	if (r < 0 || blob_enc_rewind(e) != 0)
		die("encrypt");
	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	snprintf(target, sizeof(target), "/v1/blobs/%s", hex);
	if (http_upload(c, "PUT", target, "application/octet-stream",
	    blob_cipher_size(size), sha, enc_read, e, NULL, NULL, &status,
	    &out) != 0)
		die("upload");
	if (status != 201) {
		rs_seterr("HTTP %ld: %s", status, buf_cstr(&out));
		die("upload");
	}
	t = now_s() - t0;
	close(fd);
	free(buf);
	buf_free(&out);
	return (double)size / t / 1e6;
}

static int
discard(void *ud, const void *p, size_t n)
{
	return 0;
}

static int
dec_write(void *ud, const void *p, size_t n)
{
	return blob_dec_update(ud, p, n);
}

static double
download(struct http_client *c, uint64_t size, const struct blob_enc *e,
    const uint8_t sha[32])
{
	struct blob_dec *d = xmalloc(sizeof(*d));
	struct buf err = {0};
	char hex[65], target[80];
	uint8_t got[32];
	long status = 0;
	double t0 = now_s(), t;

	sodium_bin2hex(hex, sizeof(hex), sha, 32);
	snprintf(target, sizeof(target), "/v1/blobs/%s", hex);
	if (blob_dec_init(d, e->key, e->header, size, discard, NULL) != 0 ||
	    http_download(c, target, blob_cipher_size(size), dec_write, d, NULL,
	    NULL, &status, &err) != 0 || status != 200 ||
	    blob_dec_final(d, got) != 0 || memcmp(got, sha, 32) != 0)
		die("download");
	t = now_s() - t0;
	free(d);
	buf_free(&err);
	return (double)size / t / 1e6;
}

static long
rss_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			kib = strtol(line + strlen(field) + 1, NULL, 10);
	fclose(f);
	return kib;
}

/* Resets a process's peak RSS to its current RSS (Linux >= 4.0), so the
 * peak seen later is the transfers', not the set-up's (unlocking the device
 * key runs Argon2id, which takes 64 MiB for a moment). */
static void
reset_peak(pid_t pid)
{
	char path[64];
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/clear_refs", (int)pid);
	if ((fd = open(path, O_WRONLY)) >= 0) {
		if (write(fd, "5", 1) != 1)
			fprintf(stderr, "bench_attach: cannot reset the peak RSS "
			    "of %d; it includes the set-up\n", (int)pid);
		close(fd);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
make_file(const char *path, uint64_t bytes)
{
	uint8_t *buf = xmalloc(IOBUF);
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

	if (fd < 0)
		die("test file");
	for (uint64_t done = 0; done < bytes; done += IOBUF) {
		randombytes_buf(buf, IOBUF);
		if (write(fd, buf, IOBUF) != IOBUF)
			die("test file");
	}
	close(fd);
	free(buf);
}

int
main(int argc, char **argv)
{
	struct blob_enc *e = xmalloc(sizeof(*e));
	struct http_client *c;
	struct keypair *k;
	char url[256], self[4096], *file, *blobs;
	uint8_t digest[32];
	uint64_t mib = 48, size;
	double aead, sha, disk, up, down, up_lim, down_lim;
	long hub_before, bench_before;
	int keep = 0;

	for (int i = 1; i < argc; i++) {
		if (strcmp(argv[i], "--mib") == 0 && i + 1 < argc)
			mib = strtoull(argv[++i], NULL, 10);
		else if (strcmp(argv[i], "--bin") == 0 && i + 1 < argc)
			snprintf(bindir, sizeof(bindir), "%s", argv[++i]);
		else if (strcmp(argv[i], "--keep") == 0)
			keep = 1;
		else {
			fprintf(stderr, "usage: bench_attach [--mib N] [--bin DIR] "
			    "[--keep]\n  N: file size in MiB, 1 to 50 (the hub's "
			    "default limit); default 48\n");
			return 2;
		}
	}
	if (mib < 1 || mib > 50) {
		fprintf(stderr, "bench_attach: --mib must be 1 to 50\n");
		return 2;
	}
	if (sodium_init() < 0)
		return 1;
	if (bindir[0] == '\0') {	/* build/bench/bench_attach -> build */
		snprintf(self, sizeof(self), "%s", argv[0]);
		snprintf(bindir, sizeof(bindir), "%s/..", dirname(self));
	}
	setenv("ROSTER_PASSPHRASE", PASS, 1);
	snprintf(top, sizeof(top), "/tmp/bench-attach-XXXXXX");
	if (mkdtemp(top) == NULL)
		die("mkdtemp");
	size = mib << 20;

	start_hub(url, sizeof(url));
	k = make_device(url);
	if ((c = http_client_new(url)) == NULL)
		die("client");
	http_client_set_signer(c, k->pk, k->sk);
	file = in_top("file.bin");
	make_file(file, size);
	blobs = in_top("hub/blobs");

	aead = aead_mbps();
	sha = sha256_mbps();
	disk = write_fsync_mbps(blobs, size);
	reset_peak(hub_pid);
	reset_peak(getpid());
	hub_before = rss_kib(hub_pid, "VmHWM");
	bench_before = rss_kib(getpid(), "VmHWM");
	up = upload(c, file, size, e, digest);
	down = download(c, size, e, digest);
	/* Per byte, the sender encrypts twice and hashes once (and the hub
	 * hashes once more, in parallel); the recipient decrypts and hashes. */
	up_lim = 1.0 / (2.0 / aead + 1.0 / sha);
	down_lim = 1.0 / (1.0 / aead + 1.0 / sha);

	printf("file: %llu MiB, 64 KiB chunks\n", (unsigned long long)mib);
	printf("limit: XChaCha20-Poly1305 %.0f MB/s, SHA-256 %.0f MB/s (one "
	    "core each)\n", aead, sha);
	printf("limit: write+fsync in the hub's folder %.0f MB/s\n", disk);
	printf("limit: sender's CPU per byte (2 x XChaCha20 + SHA-256) %.0f "
	    "MB/s; recipient's (XChaCha20 + SHA-256) %.0f MB/s\n", up_lim,
	    down_lim);
	printf("encrypt+upload:   %.0f MB/s = %.2f of the sender's CPU limit, "
	    "%.2f of write+fsync\n", up, up / up_lim, up / disk);
	printf("download+decrypt: %.0f MB/s = %.2f of the recipient's CPU "
	    "limit\n", down, down / down_lim);
	printf("peak memory during the transfers: hub %ld KiB (%ld before), "
	    "sender/recipient %ld KiB (%ld before), file %llu KiB\n",
	    rss_kib(hub_pid, "VmHWM"), hub_before, rss_kib(getpid(), "VmHWM"),
	    bench_before, (unsigned long long)(size >> 10));

	kill(hub_pid, SIGTERM);
	waitpid(hub_pid, NULL, 0);
	http_client_free(c);
	keypair_free(k);
	blob_enc_wipe(e);
	free(e);
	free(file);
	free(blobs);
	if (!keep)
		nftw(top, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("kept %s\n", top);
	return 0;
}
