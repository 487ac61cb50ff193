/*
 * bench_ingest.c - how fast the hub makes envelopes durable, as a fraction
 * of what this machine can do at all.
 *
 * A throughput number alone says little (it depends on the machine), so the
 * benchmark measures, in the same run and on the same disk, the two physical
 * limits of ingest: Ed25519 verifications per second on all cores (every
 * envelope costs one verification, and the hub also signs a receipt) and
 * fdatasync per second (every commit costs at least one).  It prints
 * envelopes/s and its ratio to verifications/s.
 *
 * Set-up: a fresh hub in a temporary directory ("rosterd init"), served by
 * the real binary as a child process on 127.0.0.1:0 (so its resident memory
 * can be read from /proc), a root key for XA admitted with "rosterd admit",
 * D devices certified.  N msg envelopes (one recipient, a small payload,
 * proper seq/prev chains) are signed before the clock starts, then C client
 * threads POST them in batches of B; each client owns a disjoint set of
 * devices and sends the next batch only when the previous one is answered,
 * so every chain arrives in order.  Time runs from the first POST to the
 * last receipt: envelopes/s durable.
 *
 * Usage: bench_ingest [-n N] [-d D] [-b B] [-c C] [-t T] [--million]
 *                     [--check] [--rosterd PATH] [--dir BASE]
 *   --million   ingest 1,000,000 envelopes and report the hub's memory
 *   --check     run "rosterd check" on the result (slow: verifies all)
 */
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "util.h"

#define PAYLOAD_LEN	160

struct opts {
	uint64_t n;
	unsigned devices;
	unsigned batch;
	unsigned clients;
	unsigned threads;
	int check;
	char rosterd[4096];
	const char *base;
};

struct device {
	struct keypair *k;
	struct buf envs;	/* its envelopes, concatenated, in chain order */
	size_t *off;		/* offset of each */
	uint64_t count;
};

struct client {
	struct buf body;	/* all its envelopes in sending order */
	size_t *batch_off;	/* start of each batch, plus the end */
	size_t *batch_n;	/* envelopes in each batch */
	size_t nbatches;
	const char *url;
	uint64_t accepted;
	int failed;
	pthread_t th;
};

static char hubdir[256];
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
	fprintf(stderr, "bench_ingest: %s: %s\n", what, rs_err());
	if (hub_pid > 0)
		kill(hub_pid, SIGTERM);
	exit(1);
}

/* ---- the hub as a child process ------------------------------------------ */

static int
run_rosterd(const struct opts *o, char *const args[])
{
	char *argv[16];
	int n = 0, status;
	pid_t pid;

	argv[n++] = (char *)o->rosterd;
	for (int i = 0; args[i] != NULL && n < 15; i++)
		argv[n++] = args[i];
	argv[n] = NULL;
	if ((pid = fork()) < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execv(o->rosterd, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
start_hub(const struct opts *o, char *url, size_t len)
{
	char path[300], threads[16];
	struct buf b = {0};

	snprintf(path, sizeof(path), "%s/serve.url", hubdir);
	snprintf(threads, sizeof(threads), "%u", o->threads);
	unlink(path);
	if ((hub_pid = fork()) < 0)
		die("fork");
	if (hub_pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		execl(o->rosterd, o->rosterd, "serve", hubdir, "--listen",
		    "127.0.0.1:0", "--threads", threads, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 6000; i++) {
		if (read_file(path, &b, 1024) == 0 && b.len > 0 && b.p[b.len - 1] == '\n')
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
}

static void
stop_hub(void)
{
	int status;

	if (hub_pid <= 0)
		return;
	kill(hub_pid, SIGTERM);
	waitpid(hub_pid, &status, 0);
	hub_pid = 0;
}

static long
hub_rss_kib(const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)hub_pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			kib = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return kib;
}

/* CPU seconds (user + system) used so far by process pid. */
static double
cpu_seconds(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long long ut = 0, st = 0;
	struct buf b = {0};
	double s = -1;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if (read_file(path, &b, sizeof(text) * 4) != 0)
		return -1;
	snprintf(text, sizeof(text), "%.*s", (int)b.len, (char *)b.p);
	buf_free(&b);
	/* after "(comm)": state is field 3; utime, stime are fields 14, 15 */
	if ((p = strrchr(text, ')')) != NULL &&
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
	    &ut, &st) == 2)
		s = (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
	return s;
}

/* ---- envelopes --------------------------------------------------------------- */

static void
post_or_die(struct http_client *c, const struct buf *body, const char *what)
{
	struct buf out = {0};
	long status = 0;

	if (http_call(c, "POST", "/v1/envelopes", "application/octet-stream",
	    body->p, body->len, &status, &out) != 0)
		die(what);
	if (status != 200) {
		buf_cstr(&out);
		rs_seterr("status %ld: %.300s", status, (char *)out.p);
		die(what);
	}
	buf_free(&out);
}

static void
add_cert(struct buf *out, const struct keypair *root, const struct keypair *d)
{
	struct buf pop = {0};
	uint8_t sig[64];
	json_t *p, *h;
	char *text;

	dir_pop_message(&pop, "XA", d->pk, d->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, d->sk);
	buf_free(&pop);
	p = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:[s], s:I, s:o}",
	    "state", "XA", "device", jhex(d->pk, 32), "box_key", jhex(d->box_pk, 32),
	    "role", "technical", "name", "bench POC", "email", "poc@example.org",
	    "languages", "en", "issued", (json_int_t)now_ms(), "pop", jb64(sig, 64));
	h = json_pack("{s:s, s:s}", "kind", "cert", "state", "XA");
	text = jdump(p);
	if (env_build(out, h, text, strlen(text), root->pk, root->sk) != 0)
		die("cert");
	free(text);
	json_decref(p);
	json_decref(h);
}

struct gen {
	struct device *devs;
	unsigned ndev, first, step;
	pthread_t th;
};

/* Signs every envelope of devices first, first+step, ... */
static void *
generate(void *arg)
{
	struct gen *g = arg;
	uint8_t payload[PAYLOAD_LEN], prev[32];

	for (unsigned d = g->first; d < g->ndev; d += g->step) {
		struct device *dv = &g->devs[d];
		char *rcpt = hex_encode(g->devs[(d + 1) % g->ndev].k->pk, 32);
		dv->off = xcalloc(dv->count + 1, sizeof(*dv->off));
		for (uint64_t s = 1; s <= dv->count; s++) {
			json_t *h = json_pack("{s:s, s:s, s:I, s:[s], s:[s], s:s}",
			    "kind", "msg", "state", "XA", "seq", (json_int_t)s,
			    "to", "XA", "rcpt", rcpt, "urgency", "routine");
			if (s > 1)
				json_object_set_new(h, "prev", jhex(prev, 32));
			randombytes_buf(payload, sizeof(payload));
			dv->off[s - 1] = dv->envs.len;
			if (env_build(&dv->envs, h, payload, sizeof(payload),
			    dv->k->pk, dv->k->sk) != 0)
				die("envelope");
			sha256(prev, dv->envs.p + dv->off[s - 1],
			    dv->envs.len - dv->off[s - 1]);
			json_decref(h);
		}
		dv->off[dv->count] = dv->envs.len;
		free(rcpt);
	}
	return NULL;
}

static void
generate_all(struct device *devs, unsigned ndev, unsigned nthreads)
{
	struct gen *g = xcalloc(nthreads, sizeof(*g));

	for (unsigned t = 0; t < nthreads; t++) {
		g[t] = (struct gen){ .devs = devs, .ndev = ndev, .first = t,
		    .step = nthreads };
		if (pthread_create(&g[t].th, NULL, generate, &g[t]) != 0)
			die("thread");
	}
	for (unsigned t = 0; t < nthreads; t++)
		pthread_join(g[t].th, NULL);
	free(g);
}

/* Client c sends the envelopes of devices c, c+C, ... round-robin by seq. */
static void
plan_client(struct client *cl, struct device *devs, unsigned ndev, unsigned c,
    unsigned nclients, unsigned batch)
{
	uint64_t total = 0, maxseq = 0, inbatch = 0;
	size_t cap;

	for (unsigned d = c; d < ndev; d += nclients) {
		total += devs[d].count;
		if (devs[d].count > maxseq)
			maxseq = devs[d].count;
	}
	cap = (size_t)(total / batch + 2);
	cl->batch_off = xcalloc(cap, sizeof(*cl->batch_off));
	cl->batch_n = xcalloc(cap, sizeof(*cl->batch_n));
	for (uint64_t s = 0; s < maxseq; s++) {
		for (unsigned d = c; d < ndev; d += nclients) {
			struct device *dv = &devs[d];
			if (s >= dv->count)
				continue;
			if (inbatch == 0)
				cl->batch_off[cl->nbatches] = cl->body.len;
			buf_add(&cl->body, dv->envs.p + dv->off[s],
			    dv->off[s + 1] - dv->off[s]);
			if (++inbatch == batch) {
				cl->batch_n[cl->nbatches++] = inbatch;
				inbatch = 0;
			}
		}
	}
	if (inbatch > 0)
		cl->batch_n[cl->nbatches++] = inbatch;
	cl->batch_off[cl->nbatches] = cl->body.len;
}

/* Counts the results that carry a receipt and no error.  The hub writes an
 * accepted result as {"receipt":...}; scanning for that keeps the client's
 * CPU (which competes with the hub's on this machine) low, and a full parse
 * settles any other case. */
static uint64_t
count_accepted(const struct buf *out, size_t expect)
{
	static const char pat[] = "{\"receipt\":";
	const char *p = (const char *)out->p, *end = p + out->len;
	json_t *j, *r;
	uint64_t n = 0;
	size_t i;

	while (p != NULL && (p = memmem(p, (size_t)(end - p), pat, sizeof(pat) - 1)) != NULL) {
		n++;
		p += sizeof(pat) - 1;
	}
	if (n == expect)
		return n;
	if ((j = jparse(out->p, out->len)) == NULL)
		return 0;
	n = 0;
	json_array_foreach(json_object_get(j, "results"), i, r)
		n += json_object_get(r, "receipt") != NULL &&
		    json_object_get(r, "error") == NULL;
	json_decref(j);
	return n;
}

static atomic_int go;

static void *
client_main(void *arg)
{
	struct client *cl = arg;
	struct http_client *c = http_client_new(cl->url);
	struct buf out = {0};
	long status;

	if (c == NULL) {
		cl->failed = 1;
		return NULL;
	}
	while (!atomic_load(&go))
		;
	for (size_t b = 0; b < cl->nbatches; b++) {
		size_t off = cl->batch_off[b], len = cl->batch_off[b + 1] - off;
		out.len = 0;
		if (http_call(c, "POST", "/v1/envelopes", "application/octet-stream",
		    cl->body.p + off, len, &status, &out) != 0 || status != 200) {
			buf_cstr(&out);
			fprintf(stderr, "bench_ingest: batch %zu: status %ld: %.300s %s\n",
			    b, status, out.len ? (char *)out.p : "", rs_err());
			cl->failed = 1;
			break;
		}
		cl->accepted += count_accepted(&out, cl->batch_n[b]);
	}
	buf_free(&out);
	http_client_free(c);
	return NULL;
}

/* ---- physical limits ------------------------------------------------------------- */

struct vctx {
	double seconds;
	uint64_t count;
	pthread_t th;
};

static void *
verify_loop(void *arg)
{
	struct vctx *v = arg;
	uint8_t pk[32], sk[64], sig[64], msg[400];
	double end;

	randombytes_buf(msg, sizeof(msg));
	crypto_sign_keypair(pk, sk);
	crypto_sign_detached(sig, NULL, msg, sizeof(msg), sk);
	end = now_s() + v->seconds;
	while (now_s() < end) {
		for (int i = 0; i < 100; i++)
			if (crypto_sign_verify_detached(sig, msg, sizeof(msg), pk) != 0)
				abort();
		v->count += 100;
	}
	return NULL;
}

static double
verifies_per_s(unsigned nthreads)
{
	struct vctx *v = xcalloc(nthreads, sizeof(*v));
	double t0 = now_s(), rate;
	uint64_t total = 0;

	for (unsigned i = 0; i < nthreads; i++) {
		v[i].seconds = 2.0;
		if (pthread_create(&v[i].th, NULL, verify_loop, &v[i]) != 0)
			die("thread");
	}
	for (unsigned i = 0; i < nthreads; i++) {
		pthread_join(v[i].th, NULL);
		total += v[i].count;
	}
	rate = (double)total / (now_s() - t0);
	free(v);
	return rate;
}

static double
fdatasyncs_per_s(void)
{
	char path[300];
	uint8_t block[4096];
	uint64_t n = 0;
	double t0, end;
	int fd;

	snprintf(path, sizeof(path), "%s/fsync-probe", hubdir);
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		rs_seterr("cannot create %s", path);
		die("fdatasync probe");
	}
	randombytes_buf(block, sizeof(block));
	t0 = now_s();
	end = t0 + 2.0;
	while (now_s() < end) {
		if (pwrite(fd, block, sizeof(block), (off_t)((n % 64) * sizeof(block))) !=
		    (ssize_t)sizeof(block) || fdatasync(fd) != 0) {
			rs_seterr("write or fdatasync failed");
			die("fdatasync probe");
		}
		n++;
	}
	close(fd);
	unlink(path);
	return (double)n / (now_s() - t0);
}

/* ---- options and main --------------------------------------------------------------- */

static void
usage(void)
{
	fputs("usage: bench_ingest [-n N] [-d DEVICES] [-b BATCH] [-c CLIENTS] "
	    "[-t HUB_THREADS]\n"
	    "                    [--million] [--check] [--rosterd PATH] [--dir BASE]\n"
	    "  defaults: -n 200000 -d 64 -b 1000 -c 2 -t 4, rosterd next to bench/\n",
	    stderr);
	exit(2);
}

static unsigned long
num(const char *s, unsigned long max)
{
	char *end;
	unsigned long v = strtoul(s, &end, 10);

	if (*s == '\0' || *end != '\0' || v == 0 || v > max)
		usage();
	return v;
}

static void
parse(int argc, char **argv, struct opts *o)
{
	static const struct option lo[] = {
		{ "million", no_argument, NULL, 'M' },
		{ "check", no_argument, NULL, 'C' },
		{ "rosterd", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'D' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *copy;
	int c;

	*o = (struct opts){ .n = 200000, .devices = 64, .batch = 1000,
	    .clients = 2, .threads = 4, .base = "/tmp" };
	copy = xstrdup(argv[0]);
	snprintf(o->rosterd, sizeof(o->rosterd), "%s/../rosterd", dirname(copy));
	free(copy);
	while ((c = getopt_long(argc, argv, "n:d:b:c:t:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n': o->n = num(optarg, 100000000); break;
		case 'd': o->devices = (unsigned)num(optarg, 100000); break;
		case 'b': o->batch = (unsigned)num(optarg, 10000); break;
		case 'c': o->clients = (unsigned)num(optarg, 256); break;
		case 't': o->threads = (unsigned)num(optarg, 256); break;
		case 'M': o->n = 1000000; break;
		case 'C': o->check = 1; break;
		case 'r': snprintf(o->rosterd, sizeof(o->rosterd), "%s", optarg); break;
		case 'D': o->base = optarg; break;
		default: usage();
		}
	}
	if (o->devices < 2 || o->clients > o->devices) {
		fprintf(stderr, "bench_ingest: need at least 2 devices and no more "
		    "clients than devices\n");
		exit(2);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
setup_hub(const struct opts *o, char *url, size_t ulen, struct keypair **root)
{
	char pub[300];
	char *init[] = { "init", hubdir, "--name", "bench hub", NULL };
	char *admit[] = { "admit", hubdir, "--state", "XA", "--root-key", pub, NULL };

	if (run_rosterd(o, init) != 0) {
		rs_seterr("rosterd init failed (is %s built?)", o->rosterd);
		die("set-up");
	}
	start_hub(o, url, ulen);
	if ((*root = keypair_new("XA", 0)) == NULL)
		die("key");
	snprintf(pub, sizeof(pub), "%s/root.pub", hubdir);
	if (pubfile_write(pub, KEY_ROOT, "XA", (*root)->pk) != 0)
		die("root.pub");
	if (run_rosterd(o, admit) != 0) {
		rs_seterr("rosterd admit failed");
		die("set-up");
	}
}

static void
certify(const char *url, struct device *devs, unsigned ndev, const struct keypair *root)
{
	struct http_client *c = http_client_new(url);
	struct buf body = {0};

	if (c == NULL)
		die("client");
	for (unsigned d = 0; d < ndev; d++) {
		if ((devs[d].k = keypair_new("XA", 1)) == NULL)
			die("key");
		add_cert(&body, root, devs[d].k);
	}
	post_or_die(c, &body, "certify");
	buf_free(&body);
	http_client_free(c);
}

static double
restart_ms(const struct opts *o, char *url, size_t len)
{
	double t0;

	stop_hub();
	t0 = now_s();
	start_hub(o, url, len);
	return (now_s() - t0) * 1000.0;
}

int
main(int argc, char **argv)
{
	struct opts o;
	struct keypair *root = NULL;
	struct device *devs;
	struct client *cl;
	char url[128];
	uint64_t accepted = 0;
	double t0, secs, rate, vps, vps0, fps, rms, hub_cpu, own_cpu;
	long rss, hwm;
	int failed = 0;

	parse(argc, argv, &o);
	if (sodium_init() < 0)
		return 1;
	signal(SIGPIPE, SIG_IGN);
	snprintf(hubdir, sizeof(hubdir), "%s/roster-bench-XXXXXX", o.base);
	if (mkdtemp(hubdir) == NULL) {
		rs_seterr("%s", strerror(errno));
		die("mkdtemp");
	}
	setup_hub(&o, url, sizeof(url), &root);
	devs = xcalloc(o.devices, sizeof(*devs));
	certify(url, devs, o.devices, root);
	for (unsigned d = 0; d < o.devices; d++)
		devs[d].count = o.n / o.devices + (d < o.n % o.devices);

	printf("bench_ingest: %llu envelopes, %u devices, batches of %u, %u clients, "
	    "hub with %u threads\n", (unsigned long long)o.n, o.devices, o.batch,
	    o.clients, o.threads);
	fflush(stdout);
	t0 = now_s();
	generate_all(devs, o.devices, 2);
	printf("  signed in advance in %.1f s\n", now_s() - t0);
	cl = xcalloc(o.clients, sizeof(*cl));
	for (unsigned c = 0; c < o.clients; c++) {
		plan_client(&cl[c], devs, o.devices, c, o.clients, o.batch);
		cl[c].url = url;
	}
	for (unsigned d = 0; d < o.devices; d++) {
		buf_free(&devs[d].envs);	/* the clients hold copies */
		free(devs[d].off);
	}

	for (unsigned c = 0; c < o.clients; c++)
		if (pthread_create(&cl[c].th, NULL, client_main, &cl[c]) != 0)
			die("thread");
	vps0 = verifies_per_s(2);
	hub_cpu = cpu_seconds(hub_pid);
	own_cpu = cpu_seconds(getpid());
	t0 = now_s();
	atomic_store(&go, 1);
	for (unsigned c = 0; c < o.clients; c++) {
		pthread_join(cl[c].th, NULL);
		accepted += cl[c].accepted;
		failed |= cl[c].failed;
	}
	secs = now_s() - t0;
	rate = (double)accepted / secs;
	rss = hub_rss_kib("VmRSS");
	hwm = hub_rss_kib("VmHWM");

	hub_cpu = cpu_seconds(hub_pid) - hub_cpu;
	own_cpu = cpu_seconds(getpid()) - own_cpu;
	vps = verifies_per_s(2);
	if (vps0 > vps)
		vps = vps0;
	fps = fdatasyncs_per_s();
	rms = restart_ms(&o, url, sizeof(url));
	stop_hub();

	printf("  ingest:      %llu envelopes accepted in %.2f s = %.0f envelopes/s "
	    "durable%s\n", (unsigned long long)accepted, secs, rate,
	    failed ? " (SOME BATCHES FAILED)" : "");
	printf("  limits:      %.0f Ed25519 verifications/s (2 threads, best of "
	    "before and after), %.0f fdatasync/s\n", vps, fps);
	printf("  ratio:       envelopes/s : verifications/s = %.3f\n", rate / vps);
	printf("  cpu:         hub %.1f us/envelope (%.2f cores busy), clients "
	    "%.1f us/envelope; one verification costs %.1f us of a core\n",
	    hub_cpu * 1e6 / (double)accepted, hub_cpu / secs,
	    own_cpu * 1e6 / (double)accepted, 2e6 / vps);
	printf("  hub memory:  VmRSS %.1f MiB after ingest, peak %.1f MiB\n",
	    rss / 1024.0, hwm / 1024.0);
	printf("  restart:     %.0f ms to serve again over %llu envelopes\n", rms,
	    (unsigned long long)(accepted + o.devices + 1));
	if (o.check) {
		char *chk[] = { "check", hubdir, NULL };
		t0 = now_s();
		int rc = run_rosterd(&o, chk);
		printf("  check:       %s in %.1f s\n", rc == 0 ? "clean" : "PROBLEMS",
		    now_s() - t0);
		failed |= rc != 0;
	}
	fflush(stdout);

	for (unsigned c = 0; c < o.clients; c++) {
		buf_free(&cl[c].body);
		free(cl[c].batch_off);
		free(cl[c].batch_n);
	}
	for (unsigned d = 0; d < o.devices; d++)
		keypair_free(devs[d].k);
	free(cl);
	free(devs);
	keypair_free(root);
	nftw(hubdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return failed || accepted != o.n ? 1 : 0;
}
