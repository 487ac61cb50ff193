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
 * Crash mode (--crash-every MS) is promise 7's test rather than a
 * benchmark: the hub serves on a port chosen up front, and the main thread
 * sends it SIGKILL at random intervals around MS milliseconds, each time
 * while a POST is in flight (and now and then during its start-up, while it
 * recovers), restarts it on the same port and waits until it serves
 * again.  The clients
 * tolerate transport errors and 503s: each resends the envelopes of its
 * current batch that have no receipt yet, in order, until every envelope
 * has one (a 409 "already in the log" carries the receipt the lost answer
 * had).  Every receipt is checked against the envelope it answers and
 * appended, as JSON, to the receipts file.  A 409 for a break in a chain
 * cannot happen when each device's envelopes are resent strictly in order
 * unless the log lost something it had acknowledged: it fails the run.  At
 * the end the hub is stopped cleanly, "rosterd check HUBDIR --receipts FILE"
 * must pass, and the log must hold every pre-signed envelope exactly once,
 * at the index and time of its receipt.  The last line says "crash result:
 * OK ..." or "crash result: FAILED ..."; the exit status is non-zero on any
 * discrepancy, and the hub folder is then kept for inspection.
 *
 * On PostgreSQL (--db URL, an empty database): the same, with the hub's
 * log in that database, and with --hubs N that many rosterd processes over
 * it (each a folder of its own with the operator key and hub.json; the
 * clients spread over them, client c on hub c % N).  Then a third limit is
 * measured in the same run: PostgreSQL's own commit rate, a bare INSERT and
 * COMMIT of one row in a loop on one connection, which is what the server
 * and its disk allow a writer that commits alone; the hub's group commit
 * puts many envelopes in one.  The CPU line adds the database server's
 * processes (when on this machine) to the hubs'.
 *
 * Usage: bench_ingest [-n N] [-d D] [-b B] [-c C] [-t T] [--million]
 *                     [--check] [--rosterd PATH] [--dir BASE]
 *                     [--db URL [--hubs N]]
 *                     [--crash-every MS [--min-kills K] [--receipts FILE]]
 *                     [--keep]
 *   --million   ingest 1,000,000 envelopes and report the hub's memory
 *   --check     run "rosterd check" on the result (slow: verifies all)
 *   --crash-every MS  kill -9 the hub about every MS ms during ingest
 *   --min-kills K     crash mode: kill sooner whenever the kills with
 *               POSTs in flight lag behind K times the share of envelopes
 *               receipted, so that about K or more fall during the run
 *   --receipts FILE   crash mode: where the receipts go (default: in the hub
 *               folder)
 *   --keep      keep the hub folder (it is also kept when a crash run fails)
 */
#include <arpa/inet.h>
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <netinet/in.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "pg.h"
#include "statement.h"
#include "util.h"

#define PAYLOAD_LEN	160

struct bench_opts {
	uint64_t n;
	unsigned devices;
	unsigned batch;
	unsigned clients;
	unsigned threads;
	int check;
	char rosterd[4096];
	const char *base;
	unsigned crash_ms;	/* crash mode: kill -9 about this often; 0 off */
	unsigned min_kills;	/* crash mode: kill sooner to reach this many */
	int keep;		/* keep the hub folder */
	const char *receipts;	/* crash mode: receipts file */
	const char *db;		/* PostgreSQL URL; NULL for SQLite */
	unsigned hubs;		/* rosterd processes over db */
};

#define MAX_HUBS	8

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

	/* crash mode: one entry per envelope, in sending order */
	size_t nenv;
	size_t *env_off;	/* its offset in body, plus the end */
	unsigned *env_dev;	/* its device */
	uint64_t *env_seq;
	uint8_t (*env_id)[32];
	uint8_t *have;		/* a receipt was received */
	uint64_t *rc_index;	/* ... with this index and time */
	int64_t *rc_time;
	unsigned batch;
	unsigned ndev;
	uint64_t receipts;	/* receipts received, duplicates included */
	uint64_t dup409;	/* of which from a 409 "already in the log" */
	uint64_t transport_errors, r503, posts;
	char why[600];		/* what failed */
};

static char hubdir[256];
static pid_t hub_pid;
static char listen_addr[64] = "127.0.0.1:0";
/* Further hubs over the same PostgreSQL log: HUBDIR-2, HUBDIR-3, ... */
static pid_t peer_pid[MAX_HUBS];
static char peer_url[MAX_HUBS][128];

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
	for (int i = 0; i < MAX_HUBS; i++)
		if (peer_pid[i] > 0)
			kill(peer_pid[i], SIGTERM);
	exit(1);
}

/* ---- the hub as a child process ------------------------------------------ */

/* In a child about to exec: SIGKILL it when the bench dies, however it
 * dies, so no hub outlives a killed bench.  (The signal comes when the
 * forking thread ends: children are forked by the main thread only.) */
static void
die_with_parent(void)
{
	prctl(PR_SET_PDEATHSIG, SIGKILL);
	if (getppid() == 1)
		_exit(127);
}

/* Runs rosterd with args, its standard output into the file out. */
static int
run_rosterd_to(const struct bench_opts *o, char *const args[], const char *out)
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
		int fd = open(out, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		if (fd >= 0)
			dup2(fd, 1);
		die_with_parent();
		execv(o->rosterd, argv);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static int
run_rosterd(const struct bench_opts *o, char *const args[])
{
	return run_rosterd_to(o, args, "/dev/null");
}

/* Forks "rosterd serve" on listen_addr. */
static int
spawn_hub(const struct bench_opts *o)
{
	char path[300], threads[16];

	snprintf(path, sizeof(path), "%s/serve.url", hubdir);
	snprintf(threads, sizeof(threads), "%u", o->threads);
	unlink(path);
	if ((hub_pid = fork()) < 0) {
		rs_seterr("fork: %s", strerror(errno));
		return -1;
	}
	if (hub_pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		die_with_parent();
		execl(o->rosterd, o->rosterd, "serve", hubdir, "--listen",
		    listen_addr, "--threads", threads, (char *)NULL);
		_exit(127);
	}
	return 0;
}

/* Waits until the hub spawned last serves (it publishes its URL once it
 * listens) and puts its URL in url; -1 when it exits or takes a minute. */
static int
await_hub(char *url, size_t len)
{
	char path[300];
	struct buf b = {0};
	int status;

	snprintf(path, sizeof(path), "%s/serve.url", hubdir);
	for (int i = 0; i < 6000; i++) {
		if (read_file(path, &b, 1024) == 0 && b.len > 0 && b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		if (waitpid(hub_pid, &status, WNOHANG) == hub_pid) {
			hub_pid = 0;
			rs_seterr("the hub exited while starting (%s %d)",
			    WIFEXITED(status) ? "status" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
			return -1;
		}
		usleep(10000);
	}
	if (b.len < 8) {
		buf_free(&b);
		rs_seterr("the hub did not start");
		return -1;
	}
	snprintf(url, len, "%.*s", (int)b.len - 1, (char *)b.p);
	buf_free(&b);
	return 0;
}

static void
start_hub(const struct bench_opts *o, char *url, size_t len)
{
	if (spawn_hub(o) != 0)
		die("fork");
	if (await_hub(url, len) != 0)
		die("rosterd serve");
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

/* Client c sends the envelopes of devices c, c+C, ... round-robin by seq.
 * In crash mode (crash) it also keeps the offset, device, seq and id of
 * every envelope, for resending and for checking receipts. */
static void
plan_client(struct client *cl, struct device *devs, unsigned ndev, unsigned c,
    unsigned nclients, unsigned batch, int crash)
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
	if (crash) {
		cl->env_off = xcalloc((size_t)total + 1, sizeof(*cl->env_off));
		cl->env_dev = xcalloc((size_t)total + 1, sizeof(*cl->env_dev));
		cl->env_seq = xcalloc((size_t)total + 1, sizeof(*cl->env_seq));
		cl->env_id = xcalloc((size_t)total + 1, sizeof(*cl->env_id));
		cl->have = xcalloc((size_t)total + 1, sizeof(*cl->have));
		cl->rc_index = xcalloc((size_t)total + 1, sizeof(*cl->rc_index));
		cl->rc_time = xcalloc((size_t)total + 1, sizeof(*cl->rc_time));
		cl->batch = batch;
		cl->ndev = ndev;
	}
	for (uint64_t s = 0; s < maxseq; s++) {
		for (unsigned d = c; d < ndev; d += nclients) {
			struct device *dv = &devs[d];
			if (s >= dv->count)
				continue;
			if (inbatch == 0)
				cl->batch_off[cl->nbatches] = cl->body.len;
			if (crash) {
				cl->env_off[cl->nenv] = cl->body.len;
				cl->env_dev[cl->nenv] = d;
				cl->env_seq[cl->nenv] = s + 1;
				sha256(cl->env_id[cl->nenv], dv->envs.p + dv->off[s],
				    dv->off[s + 1] - dv->off[s]);
				cl->nenv++;
			}
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
	if (crash)
		cl->env_off[cl->nenv] = cl->body.len;
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

/* ---- crash mode ----------------------------------------------------------------- */

#define CRASH_STALL_S	120.0	/* no new receipt for this long: give up */
#define CRASH_EARLY	6	/* one kill in this many falls during start-up */

static struct {
	unsigned ms;
	atomic_int stop;	/* the clients are done */
	atomic_int abort;	/* the hub could not be restarted */
	atomic_uint kills;	/* SIGKILLs sent, ... */
	unsigned early;		/* ... of which soon after a restart */
	unsigned busy;		/* ... of which with POSTs in flight */
	unsigned min_busy;	/* --min-kills */
	uint64_t total;		/* envelopes to send */
	atomic_int inflight;	/* POSTs in flight */
	atomic_uint running;	/* clients still sending */
	atomic_uint_fast64_t receipted;	/* envelopes with a receipt */
	FILE *receipts;
	pthread_mutex_t mu;	/* the receipts file */
	char why[600];		/* why the killer gave up */
} crash = { .mu = PTHREAD_MUTEX_INITIALIZER };

static int
client_fail(struct client *cl, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static int
client_fail(struct client *cl, const char *fmt, ...)
{
	va_list ap;

	if (!cl->failed) {
		va_start(ap, fmt);
		vsnprintf(cl->why, sizeof(cl->why), fmt, ap);
		va_end(ap);
	}
	cl->failed = 1;
	return -1;
}

/* Records the receipt rj, given with result status st, for envelope e: the
 * JSON goes into lines whatever it says (rosterd check will judge it), then
 * it must name envelope e and agree with any receipt e had before. */
static int
take_receipt(struct client *cl, size_t e, json_t *rj, json_int_t st,
    struct buf *lines)
{
	unsigned d = cl->env_dev[e];
	unsigned long long seq = (unsigned long long)cl->env_seq[e];
	struct receipt r;
	char *text = jdump(rj);

	buf_addstr(lines, text != NULL ? text : "null");
	buf_addstr(lines, "\n");
	free(text);
	cl->receipts++;
	if (st != 0 && st != 409)
		return client_fail(cl, "device %u seq %llu: a receipt with "
		    "status %lld", d, seq, (long long)st);
	if (receipt_from_json(&r, rj) != 0)
		return client_fail(cl, "device %u seq %llu: malformed receipt: "
		    "%s", d, seq, rs_err());
	if (memcmp(r.id, cl->env_id[e], 32) != 0)
		return client_fail(cl, "device %u seq %llu: the receipt names "
		    "another envelope", d, seq);
	if (st == 409)
		cl->dup409++;
	if (!cl->have[e]) {
		cl->have[e] = 1;
		atomic_fetch_add(&crash.receipted, 1);
		cl->rc_index[e] = r.index;
		cl->rc_time[e] = r.time;
	} else if (cl->rc_index[e] != r.index || cl->rc_time[e] != r.time)
		return client_fail(cl, "DUPLICATE: device %u seq %llu was "
		    "receipted at index %llu time %lld, and again at index %llu "
		    "time %lld", d, seq, (unsigned long long)cl->rc_index[e],
		    (long long)cl->rc_time[e], (unsigned long long)r.index,
		    (long long)r.time);
	return 0;
}

/* Takes the answer to a POST of envelopes sent[0..k): records every
 * receipt in it.  0 when what has no receipt may be sent again; -1 (with
 * cl->why) on an answer that must not happen.  An envelope refused with 409
 * for its place in the chain is expected only after an earlier envelope of
 * its device in the same body got no receipt (a 503). */
static int
crash_answer(struct client *cl, long status, const struct buf *out,
    const size_t *sent, size_t k, uint8_t *dev_failed, struct buf *lines)
{
	json_t *j = jparse(out->p, out->len), *res;
	int rc = 0;

	res = j != NULL ? json_object_get(j, "results") : NULL;
	if (!json_is_array(res)) {
		json_decref(j);
		if (status == 503) {
			cl->r503++;
			return 0;
		}
		return client_fail(cl, "status %ld without results: %.*s", status,
		    (int)(out->len < 300 ? out->len : 300),
		    out->len > 0 ? (const char *)out->p : "");
	}
	if (json_array_size(res) != k) {
		json_decref(j);
		return client_fail(cl, "%zu results for %zu envelopes",
		    json_array_size(res), k);
	}
	memset(dev_failed, 0, cl->ndev);
	for (size_t i = 0; i < k && rc == 0; i++) {
		json_t *r = json_array_get(res, i);
		json_t *rj = json_object_get(r, "receipt");
		json_int_t st = json_integer_value(json_object_get(r, "status"));
		const char *err = json_string_value(json_object_get(r, "error"));
		size_t e = sent[i];
		unsigned d = cl->env_dev[e];

		if (rj != NULL)
			rc = take_receipt(cl, e, rj, st, lines);
		else if (st == 503)
			cl->r503++;
		else if (st == 409 && !dev_failed[d])
			rc = client_fail(cl, "SEQUENCE GAP: device %u seq %llu was "
			    "refused (409) although every earlier envelope of the "
			    "device has a receipt: did the log lose an envelope it "
			    "had acknowledged? (%s)", d,
			    (unsigned long long)cl->env_seq[e], err ? err : "");
		else if (st != 409)
			rc = client_fail(cl, "device %u seq %llu refused, status "
			    "%lld: %s", d, (unsigned long long)cl->env_seq[e],
			    (long long)st, err ? err : "");
		if (rj == NULL)
			dev_failed[d] = 1;
	}
	json_decref(j);
	return rc;
}

/* Sends the client's batches; within a batch, resends what has no receipt
 * (in order) until everything has one. */
static void *
crash_client_main(void *arg)
{
	struct client *cl = arg;
	struct http_client *c = http_client_new(cl->url);
	struct buf body = {0}, out = {0}, lines = {0};
	size_t *sent = xcalloc(cl->batch, sizeof(*sent));
	uint8_t *dev_failed = xcalloc(cl->ndev, 1);
	double progress = now_s();
	long status;

	if (c == NULL)
		client_fail(cl, "client: %s", rs_err());
	for (size_t b0 = 0; b0 < cl->nenv && !cl->failed; b0 += cl->batch) {
		size_t b1 = cl->nenv - b0 > cl->batch ? b0 + cl->batch : cl->nenv;
		for (;;) {
			size_t k = 0, got = 0;
			int rc;

			body.len = 0;
			for (size_t i = b0; i < b1; i++)
				if (!cl->have[i]) {
					sent[k++] = i;
					buf_add(&body, cl->body.p + cl->env_off[i],
					    cl->env_off[i + 1] - cl->env_off[i]);
				}
			if (k == 0)
				break;
			if (atomic_load(&crash.abort)) {
				client_fail(cl, "stopped: the hub is not running");
				break;
			}
			if (now_s() - progress > CRASH_STALL_S) {
				client_fail(cl, "no new receipt for %.0f s",
				    CRASH_STALL_S);
				break;
			}
			out.len = 0;
			cl->posts++;
			atomic_fetch_add(&crash.inflight, 1);
			rc = http_call(c, "POST", "/v1/envelopes",
			    "application/octet-stream", body.p, body.len, &status,
			    &out);
			atomic_fetch_sub(&crash.inflight, 1);
			if (rc != 0) {
				cl->transport_errors++;	/* the hub is down */
				usleep(5000 + randombytes_uniform(20000));
				continue;
			}
			lines.len = 0;
			rc = crash_answer(cl, status, &out, sent, k, dev_failed,
			    &lines);
			if (lines.len > 0) {
				pthread_mutex_lock(&crash.mu);
				fwrite(lines.p, 1, lines.len, crash.receipts);
				pthread_mutex_unlock(&crash.mu);
			}
			if (rc != 0)
				break;
			for (size_t i = 0; i < k; i++)
				got += cl->have[sent[i]];
			if (got > 0)
				progress = now_s();
			else
				usleep(5000 + randombytes_uniform(20000));
		}
	}
	free(sent);
	free(dev_failed);
	buf_free(&body);
	buf_free(&out);
	buf_free(&lines);
	http_client_free(c);
	if (atomic_fetch_sub(&crash.running, 1) == 1)
		atomic_store(&crash.stop, 1);
	return NULL;
}

/* Sleeps ms milliseconds; 1 when the clients finished meanwhile. */
static int
nap_ms(unsigned ms)
{
	double end = now_s() + ms / 1000.0;

	while (now_s() < end) {
		if (atomic_load(&crash.stop))
			return 1;
		usleep(2000);
	}
	return atomic_load(&crash.stop);
}

/* SIGKILLs the hub and reaps it; -1 if it had died on its own. */
static int
kill_hub(void)
{
	int status;

	kill(hub_pid, SIGKILL);
	if (waitpid(hub_pid, &status, 0) != hub_pid) {
		rs_seterr("waitpid: %s", strerror(errno));
		return -1;
	}
	hub_pid = 0;
	crash.kills++;
	if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL) {
		rs_seterr("the hub had exited on its own (%s %d)",
		    WIFEXITED(status) ? "status" : "signal",
		    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		return -1;
	}
	return 0;
}

/* The wait before the next kill: around crash.ms, or up to a quarter of
 * it while the kills with POSTs in flight lag behind --min-kills' share of
 * the envelopes receipted so far. */
static unsigned
next_kill_ms(void)
{
	uint64_t done = atomic_load(&crash.receipted);

	if ((uint64_t)crash.busy * crash.total < (uint64_t)crash.min_busy * done)
		return randombytes_uniform(crash.ms / 4 + 1);
	return crash.ms / 2 + randombytes_uniform(crash.ms + 1);
}

/* Waits until a POST is in flight; 1 when the clients finished first. */
static int
await_post(void)
{
	while (atomic_load(&crash.inflight) == 0) {
		if (atomic_load(&crash.stop))
			return 1;
		usleep(500);
	}
	return 0;
}

/* Kills the hub at random intervals around crash.ms while the clients run,
 * each time while a POST is in flight, and restarts it on the same port.
 * One restart in CRASH_EARLY is cut short by a kill within crash.ms/4,
 * usually while the hub is still recovering, before it serves.  Runs on
 * the main thread (see die_with_parent). */
static void
kill_and_restart(const struct bench_opts *o)
{
	char url[128];

	while (!nap_ms(next_kill_ms()) && !await_post()) {
		crash.busy += atomic_load(&crash.inflight) > 0;
		if (kill_hub() != 0)
			goto fail;
		for (;;) {
			if (spawn_hub(o) != 0)
				goto fail;
			if (randombytes_uniform(CRASH_EARLY) != 0)
				break;
			usleep(1000 * randombytes_uniform(crash.ms / 4 + 1));
			crash.early++;
			if (kill_hub() != 0)
				goto fail;
		}
		if (await_hub(url, sizeof(url)) != 0)
			goto fail;
	}
	return;
fail:
	snprintf(crash.why, sizeof(crash.why), "hub, after kill %u: %s",
	    atomic_load(&crash.kills), rs_err());
	atomic_store(&crash.abort, 1);
}

/* A free loopback port, for a hub that must come back where it was. */
static int
pick_port(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int fd = socket(AF_INET, SOCK_STREAM, 0), port = -1;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (fd >= 0 && bind(fd, (struct sockaddr *)&a, len) == 0 &&
	    getsockname(fd, (struct sockaddr *)&a, &len) == 0)
		port = ntohs(a.sin_port);
	if (fd >= 0)
		close(fd);
	return port;
}

struct verdict {
	char text[2048];
	int failed;
};

static void
fail_because(struct verdict *v, const char *fmt, ...)
    __attribute__((format(printf, 2, 3)));

static void
fail_because(struct verdict *v, const char *fmt, ...)
{
	size_t used = strlen(v->text);
	va_list ap;

	if (used + 4 >= sizeof(v->text))
		return;
	if (used > 0)
		used += (size_t)snprintf(v->text + used, sizeof(v->text) - used, "; ");
	va_start(ap, fmt);
	vsnprintf(v->text + used, sizeof(v->text) - used, fmt, ap);
	va_end(ap);
	v->failed = 1;
}

/* Runs "rosterd check HUBDIR --receipts FILE", prints what it says, and
 * reads its envelope and receipt counts. */
static void
run_check(const struct bench_opts *o, const char *receipts, struct verdict *v,
    uint64_t *checked, uint64_t *present)
{
	char out[300], rpath[4096];
	char *args[] = { "check", hubdir, "--receipts", rpath, NULL };
	unsigned long long n, r;
	struct buf b = {0};
	char *line, *save = NULL;
	int rc;

	snprintf(rpath, sizeof(rpath), "%s", receipts);
	snprintf(out, sizeof(out), "%s/check.out", hubdir);
	rc = run_rosterd_to(o, args, out);
	*checked = *present = 0;
	if (read_file(out, &b, 1 << 20) == 0) {
		buf_cstr(&b);
		for (line = strtok_r((char *)b.p, "\n", &save); line != NULL;
		    line = strtok_r(NULL, "\n", &save)) {
			const char *p = strstr(line, "receipts present (");
			printf("  | %s\n", line);
			if (sscanf(line, "%llu envelopes, root", &n) == 1)
				*checked = n;
			if (p != NULL && sscanf(p, "receipts present (%llu)", &r) == 1)
				*present = r;	/* "all receipts present (N)" */
			else if (sscanf(line, "%*u envelopes, root %*[0-9a-f], "
			    "%llu receipts present", &r) == 1)
				*present = r;
		}
	}
	buf_free(&b);
	if (rc != 0)
		fail_because(v, "rosterd check --receipts failed (exit %d)", rc);
}

/* Reads the log: its rows and distinct ids, and for every pre-signed
 * envelope the row at its device and seq, which must be it, at the index
 * and time of its receipt.  *once counts those that are. */
static void
read_log(struct client *cl, unsigned nclients, const struct device *devs,
    struct verdict *v, uint64_t *rows, uint64_t *distinct, uint64_t *once)
{
	char path[300];
	sqlite3 *db = NULL;
	sqlite3_stmt *st = NULL;
	unsigned reported = 0;

	*rows = *distinct = *once = 0;
	snprintf(path, sizeof(path), "%s/hub.db", hubdir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*), count(DISTINCT id) FROM log",
	    -1, &st, NULL) != SQLITE_OK || sqlite3_step(st) != SQLITE_ROW) {
		fail_because(v, "cannot read %s: %s", path, sqlite3_errmsg(db));
		goto out;
	}
	*rows = (uint64_t)sqlite3_column_int64(st, 0);
	*distinct = (uint64_t)sqlite3_column_int64(st, 1);
	sqlite3_finalize(st);
	if (sqlite3_prepare_v2(db, "SELECT id, idx, time FROM log WHERE signer = ?"
	    " AND seq = ?", -1, &st, NULL) != SQLITE_OK) {
		fail_because(v, "cannot query the log: %s", sqlite3_errmsg(db));
		goto out;
	}
	for (unsigned c = 0; c < nclients; c++) {
		for (size_t e = 0; e < cl[c].nenv; e++) {
			const char *what = NULL;
			sqlite3_bind_blob(st, 1, devs[cl[c].env_dev[e]].k->pk, 32,
			    SQLITE_STATIC);
			sqlite3_bind_int64(st, 2, (int64_t)cl[c].env_seq[e]);
			if (sqlite3_step(st) != SQLITE_ROW)
				what = "is not in the log";
			else if (sqlite3_column_bytes(st, 0) != 32 ||
			    memcmp(sqlite3_column_blob(st, 0), cl[c].env_id[e], 32) != 0)
				what = "has another envelope in its place";
			else if (!cl[c].have[e])
				what = "is in the log but got no receipt";
			else if ((uint64_t)sqlite3_column_int64(st, 1) != cl[c].rc_index[e] ||
			    sqlite3_column_int64(st, 2) != cl[c].rc_time[e])
				what = "is not at its receipt's index and time";
			else
				(*once)++;
			if (what != NULL && reported++ < 5)
				fail_because(v, "device %u seq %llu %s", cl[c].env_dev[e],
				    (unsigned long long)cl[c].env_seq[e], what);
			sqlite3_reset(st);
		}
	}
	if (reported > 5)
		fail_because(v, "... %u envelopes in all", reported);
out:
	sqlite3_finalize(st);
	sqlite3_close(db);
}

static int
crash_run(const struct bench_opts *o, struct client *cl, const struct device *devs)
{
	char rpath[4096];
	struct verdict v = {0};
	uint64_t receipts = 0, dups = 0, terr = 0, r503 = 0, posts = 0;
	uint64_t checked, present, rows, distinct, once;
	uint64_t want_rows = o->n + o->devices + 1;
	double t0, secs;
	int status;

	if (o->receipts != NULL)
		snprintf(rpath, sizeof(rpath), "%s", o->receipts);
	else
		snprintf(rpath, sizeof(rpath), "%s/receipts.jsonl", hubdir);
	if ((crash.receipts = fopen(rpath, "w")) == NULL) {
		rs_seterr("cannot create %s: %s", rpath, strerror(errno));
		die("receipts");
	}
	crash.ms = o->crash_ms;
	crash.min_busy = o->min_kills;
	crash.total = o->n;
	t0 = now_s();
	atomic_store(&crash.running, o->clients);
	for (unsigned c = 0; c < o->clients; c++)
		if (pthread_create(&cl[c].th, NULL, crash_client_main, &cl[c]) != 0)
			die("thread");
	kill_and_restart(o);	/* until the clients are done */
	for (unsigned c = 0; c < o->clients; c++)
		pthread_join(cl[c].th, NULL);
	secs = now_s() - t0;
	if (fclose(crash.receipts) != 0)
		fail_because(&v, "cannot write %s", rpath);

	for (unsigned c = 0; c < o->clients; c++) {
		receipts += cl[c].receipts;
		dups += cl[c].dup409;
		terr += cl[c].transport_errors;
		r503 += cl[c].r503;
		posts += cl[c].posts;
		if (cl[c].failed)
			fail_because(&v, "client %u: %s", c, cl[c].why);
	}
	if (crash.why[0] != '\0')
		fail_because(&v, "%s", crash.why);
	if (hub_pid > 0) {
		kill(hub_pid, SIGTERM);
		if (waitpid(hub_pid, &status, 0) == hub_pid &&
		    (!WIFEXITED(status) || WEXITSTATUS(status) != 0))
			fail_because(&v, "the hub did not stop cleanly (%s %d)",
			    WIFEXITED(status) ? "status" : "signal",
			    WIFEXITED(status) ? WEXITSTATUS(status) : WTERMSIG(status));
		hub_pid = 0;
	}

	printf("  crash:       %llu envelopes sent through %u kill -9 of the hub "
	    "(every ~%u ms; %u with POSTs in flight, %u during a restart) in "
	    "%.1f s\n", (unsigned long long)o->n, atomic_load(&crash.kills),
	    o->crash_ms, crash.busy, crash.early, secs);
	printf("  clients:     %llu POSTs, %llu transport errors, %llu 503 "
	    "answers; %llu receipts (%llu from 409 \"already in the log\") "
	    "in %s\n", (unsigned long long)posts, (unsigned long long)terr,
	    (unsigned long long)r503, (unsigned long long)receipts,
	    (unsigned long long)dups, rpath);
	printf("  rosterd check %s --receipts %s:\n", hubdir, rpath);
	fflush(stdout);
	run_check(o, rpath, &v, &checked, &present);
	read_log(cl, o->clients, devs, &v, &rows, &distinct, &once);
	printf("  log:         %llu rows, %llu distinct ids; %llu of %llu "
	    "pre-signed envelopes there once, at their receipt's index and time\n",
	    (unsigned long long)rows, (unsigned long long)distinct,
	    (unsigned long long)once, (unsigned long long)o->n);
	if (rows != want_rows)
		fail_because(&v, "the log holds %llu envelopes, expected %llu",
		    (unsigned long long)rows, (unsigned long long)want_rows);
	if (distinct != rows)
		fail_because(&v, "%llu envelopes are in the log more than once",
		    (unsigned long long)(rows - distinct));
	if (once != o->n)
		fail_because(&v, "%llu of %llu envelopes are not in the log once "
		    "at their receipt", (unsigned long long)(o->n - once),
		    (unsigned long long)o->n);
	if (checked != rows)
		fail_because(&v, "rosterd check counted %llu envelopes",
		    (unsigned long long)checked);
	if (present != receipts)
		fail_because(&v, "rosterd check found %llu of %llu receipts",
		    (unsigned long long)present, (unsigned long long)receipts);
	if (v.failed)
		printf("  kept %s for inspection\n", hubdir);
	else if (o->keep)
		printf("  kept:        %s\n", hubdir);
	printf("crash result: %s envelopes=%llu kills=%u busy_kills=%u "
	    "receipts=%llu present=%llu log=%llu distinct=%llu once=%llu%s%s\n",
	    v.failed ? "FAILED" : "OK", (unsigned long long)o->n,
	    atomic_load(&crash.kills), crash.busy, (unsigned long long)receipts,
	    (unsigned long long)present,
	    (unsigned long long)rows, (unsigned long long)distinct,
	    (unsigned long long)once, v.failed ? ": " : "", v.text);
	fflush(stdout);
	return v.failed;
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

/* ---- several hubs, PostgreSQL's limits -------------------------------------------------- */

/* Hub k (k >= 1): a folder with hub 0's key and hub.json, serving. */
static void
start_peer(const struct bench_opts *o, unsigned k)
{
	char dir[300], cmd[2048], path[340], threads[16];
	struct buf b = {0};

	snprintf(dir, sizeof(dir), "%s-%u", hubdir, k + 1);
	snprintf(cmd, sizeof(cmd), "mkdir -p -m 0700 '%s' && cp -p '%s/hub.json' "
	    "'%s/operator.key' '%s/operator.pub' '%s/'", dir, hubdir, hubdir,
	    hubdir, dir);
	if (system(cmd) != 0) {
		rs_seterr("cannot make %s", dir);
		die("second hub");
	}
	snprintf(threads, sizeof(threads), "%u", o->threads);
	snprintf(path, sizeof(path), "%s/serve.url", dir);
	if ((peer_pid[k] = fork()) < 0)
		die("fork");
	if (peer_pid[k] == 0) {
		int fd = open("/dev/null", O_WRONLY);
		if (fd >= 0)
			dup2(fd, 1);
		die_with_parent();
		execl(o->rosterd, o->rosterd, "serve", dir, "--listen", "127.0.0.1:0",
		    "--threads", threads, (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 6000; i++) {
		if (read_file(path, &b, 1024) == 0 && b.len > 0 && b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		usleep(10000);
	}
	if (b.len < 8) {
		rs_seterr("hub %u did not start", k + 1);
		die("second hub");
	}
	snprintf(peer_url[k], sizeof(peer_url[k]), "%.*s", (int)b.len - 1, (char *)b.p);
	buf_free(&b);
}

static void
stop_peers(void)
{
	int status;

	for (int k = 1; k < MAX_HUBS; k++) {
		if (peer_pid[k] <= 0)
			continue;
		kill(peer_pid[k], SIGTERM);
		waitpid(peer_pid[k], &status, 0);
		peer_pid[k] = 0;
	}
}

/* PostgreSQL's commit rate: INSERT one row and COMMIT, in a loop, 2 s. */
static double
pg_commits_per_s(const char *url)
{
	PGconn *c = pg_connect(url);
	struct pgq q;
	uint64_t n = 0;
	double t0, end;

	if (c == NULL || pg_cmd(c, "CREATE TABLE bench_commit_probe(x bigint)", NULL) != 0)
		die("PostgreSQL commit probe");
	t0 = now_s();
	end = t0 + 2.0;
	while (now_s() < end) {
		pgq_init(&q);
		pgq_i64(&q, (int64_t)n);
		if (pg_cmd(c, "INSERT INTO bench_commit_probe VALUES ($1)", &q) != 0)
			die("PostgreSQL commit probe");
		n++;
	}
	t0 = (double)n / (now_s() - t0);
	if (pg_cmd(c, "DROP TABLE bench_commit_probe", NULL) != 0)
		die("PostgreSQL commit probe");
	pg_close(c);
	return t0;
}

/* The postmaster of the database server, when it runs on this machine: the
 * parent of a backend; 0 otherwise. */
static pid_t
pg_postmaster(const char *url)
{
	PGconn *c = pg_connect(url);
	char path[64], line[256];
	pid_t ppid = 0;
	FILE *f;

	if (c == NULL)
		return 0;
	snprintf(path, sizeof(path), "/proc/%d/status", PQbackendPID(c));
	if ((f = fopen(path, "r")) != NULL) {
		while (fgets(line, sizeof(line), f) != NULL)
			if (strncmp(line, "PPid:", 5) == 0)
				ppid = (pid_t)strtol(line + 5, NULL, 10);
		fclose(f);
	}
	pg_close(c);
	return ppid;
}

/* CPU seconds of the server: the postmaster and its children, those alive
 * (their own) and those gone (its cutime, cstime). */
static double
pg_cpu_seconds(pid_t pm)
{
	char path[300], text[1024], *p;
	unsigned long long ut, st, cut, cst;
	double total = 0;
	struct dirent *de;
	DIR *d;

	if (pm <= 0 || (d = opendir("/proc")) == NULL)
		return 0;
	while ((de = readdir(d)) != NULL) {
		struct buf b = {0};
		int pid, ppid;
		if ((pid = atoi(de->d_name)) <= 0)
			continue;
		snprintf(path, sizeof(path), "/proc/%d/stat", pid);
		if (read_file(path, &b, 4096) != 0)
			continue;
		snprintf(text, sizeof(text), "%.*s", (int)b.len, (char *)b.p);
		buf_free(&b);
		if ((p = strrchr(text, ')')) == NULL || sscanf(p + 2, "%*c %d %*d %*d %*d"
		    " %*d %*u %*u %*u %*u %*u %llu %llu %llu %llu", &ppid, &ut, &st,
		    &cut, &cst) != 5)
			continue;
		if (pid == pm)
			total += (double)(ut + st + cut + cst);
		else if (ppid == pm)
			total += (double)(ut + st);
	}
	closedir(d);
	return total / (double)sysconf(_SC_CLK_TCK);
}

/* ---- options and main --------------------------------------------------------------- */

static void
usage(void)
{
	fputs("usage: bench_ingest [-n N] [-d DEVICES] [-b BATCH] [-c CLIENTS] "
	    "[-t HUB_THREADS]\n"
	    "                    [--million] [--check] [--rosterd PATH] [--dir BASE]\n"
	    "                    [--db URL [--hubs N]]\n"
	    "                    [--crash-every MS [--min-kills K] [--receipts FILE]]\n"
	    "                    [--keep]\n"
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
parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
		{ "million", no_argument, NULL, 'M' },
		{ "check", no_argument, NULL, 'C' },
		{ "rosterd", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'D' },
		{ "crash-every", required_argument, NULL, 'K' },
		{ "receipts", required_argument, NULL, 'R' },
		{ "min-kills", required_argument, NULL, 'k' },
		{ "keep", no_argument, NULL, 'P' },
		{ "db", required_argument, NULL, 'B' },
		{ "hubs", required_argument, NULL, 'H' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *copy;
	int c;

	*o = (struct bench_opts){ .n = 200000, .devices = 64, .batch = 1000,
	    .clients = 2, .threads = 4, .base = "/tmp", .hubs = 1 };
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
		case 'K': o->crash_ms = (unsigned)num(optarg, 600000); break;
		case 'R': o->receipts = optarg; break;
		case 'k': o->min_kills = (unsigned)num(optarg, 100000); break;
		case 'P': o->keep = 1; break;
		case 'B': o->db = optarg; break;
		case 'H': o->hubs = (unsigned)num(optarg, MAX_HUBS); break;
		default: usage();
		}
	}
	if (o->devices < 2 || o->clients > o->devices) {
		fprintf(stderr, "bench_ingest: need at least 2 devices and no more "
		    "clients than devices\n");
		exit(2);
	}
	if ((o->receipts != NULL || o->min_kills > 0) && o->crash_ms == 0) {
		fprintf(stderr, "bench_ingest: --receipts and --min-kills go with "
		    "--crash-every\n");
		exit(2);
	}
	if ((o->hubs > 1 && o->db == NULL) || (o->db != NULL && o->crash_ms > 0)) {
		fprintf(stderr, "bench_ingest: --hubs needs --db, and crash mode "
		    "runs on SQLite\n");
		exit(2);
	}
	if (o->hubs > o->clients) {
		fprintf(stderr, "bench_ingest: at least one client per hub\n");
		exit(2);
	}
	if (o->crash_ms > 0 && o->crash_ms < 20) {
		fprintf(stderr, "bench_ingest: --crash-every needs at least 20 ms\n");
		exit(2);
	}
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

/* The benchmark's clients are many and on one address, and send as fast
 * as they can: the hub's section 9 limits (quotas per device, connections
 * per address, parked polls per device), meant for hostile parties, are
 * lifted in its hub.json. So is the start-up check of every stored
 * envelope, which crash mode would run at each of its many restarts
 * (rosterd check at the end checks all of it). */
static int
unlimit_hub(const char *dir)
{
	struct hub_config cfg;

	if (hub_config_read(dir, &cfg) != 0)
		return -1;
	cfg.quota_envelopes = 0;
	cfg.quota_bytes = 0;
	cfg.conn_per_address = 4096;
	cfg.waits_per_device = 4000;
	cfg.startup_check = 0;	/* crash mode restarts it again and again */
	return hub_config_write(dir, &cfg);
}

static void
setup_hub(const struct bench_opts *o, char *url, size_t ulen, struct keypair **root)
{
	char pub[300];
	char *init[] = { "init", hubdir, "--name", "bench hub", NULL, NULL, NULL };
	char *admit[] = { "admit", hubdir, "--state", "XA", "--root-key", pub, NULL };

	if (o->db != NULL) {
		init[4] = "--db";
		init[5] = (char *)o->db;
	}
	if (run_rosterd(o, init) != 0) {
		rs_seterr("rosterd init failed (is %s built? is the database empty?)",
		    o->rosterd);
		die("set-up");
	}
	if (unlimit_hub(hubdir) != 0)
		die("hub.json");
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
restart_ms(const struct bench_opts *o, char *url, size_t len)
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
	struct bench_opts o;
	struct keypair *root = NULL;
	struct device *devs;
	struct client *cl;
	char url[128];
	uint64_t accepted = 0;
	double t0, secs, rate, vps, vps0, fps, rms, hub_cpu, own_cpu, cps = 0, db_cpu = 0;
	pid_t pm = 0;
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
	if (o.crash_ms > 0) {
		int port = pick_port();
		if (port <= 0) {
			rs_seterr("no free loopback port");
			die("crash mode");
		}
		snprintf(listen_addr, sizeof(listen_addr), "127.0.0.1:%d", port);
	}
	setup_hub(&o, url, sizeof(url), &root);
	devs = xcalloc(o.devices, sizeof(*devs));
	certify(url, devs, o.devices, root);
	for (unsigned d = 0; d < o.devices; d++)
		devs[d].count = o.n / o.devices + (d < o.n % o.devices);

	for (unsigned k = 1; k < o.hubs; k++)
		start_peer(&o, k);
	printf("bench_ingest: %llu envelopes, %u devices, batches of %u, %u clients, "
	    "%u hub%s with %u threads, on %s\n", (unsigned long long)o.n, o.devices,
	    o.batch, o.clients, o.hubs, o.hubs == 1 ? "" : "s", o.threads,
	    o.db != NULL ? "PostgreSQL" : "SQLite");
	fflush(stdout);
	t0 = now_s();
	generate_all(devs, o.devices, 2);
	printf("  signed in advance in %.1f s\n", now_s() - t0);
	cl = xcalloc(o.clients, sizeof(*cl));
	for (unsigned c = 0; c < o.clients; c++) {
		plan_client(&cl[c], devs, o.devices, c, o.clients, o.batch,
		    o.crash_ms > 0);
		cl[c].url = c % o.hubs == 0 ? url : peer_url[c % o.hubs];
	}
	for (unsigned d = 0; d < o.devices; d++) {
		buf_free(&devs[d].envs);	/* the clients hold copies */
		free(devs[d].off);
	}
	if (o.crash_ms > 0) {
		failed = crash_run(&o, cl, devs);
		goto done;
	}

	for (unsigned c = 0; c < o.clients; c++)
		if (pthread_create(&cl[c].th, NULL, client_main, &cl[c]) != 0)
			die("thread");
	vps0 = verifies_per_s(2);
	if (o.db != NULL)
		pm = pg_postmaster(o.db);
	hub_cpu = cpu_seconds(hub_pid);
	for (unsigned k = 1; k < o.hubs; k++)
		hub_cpu += cpu_seconds(peer_pid[k]);
	db_cpu = pg_cpu_seconds(pm);
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

	for (unsigned k = 1; k < o.hubs; k++)
		hub_cpu -= cpu_seconds(peer_pid[k]);
	hub_cpu = cpu_seconds(hub_pid) - hub_cpu;
	db_cpu = pg_cpu_seconds(pm) - db_cpu;
	own_cpu = cpu_seconds(getpid()) - own_cpu;
	stop_peers();
	vps = verifies_per_s(2);
	if (vps0 > vps)
		vps = vps0;
	fps = fdatasyncs_per_s();
	if (o.db != NULL)
		cps = pg_commits_per_s(o.db);
	rms = restart_ms(&o, url, sizeof(url));
	stop_hub();

	printf("  ingest:      %llu envelopes accepted in %.2f s = %.0f envelopes/s "
	    "durable%s\n", (unsigned long long)accepted, secs, rate,
	    failed ? " (SOME BATCHES FAILED)" : "");
	printf("  limits:      %.0f Ed25519 verifications/s (2 threads, best of "
	    "before and after), %.0f fdatasync/s\n", vps, fps);
	if (o.db != NULL)
		printf("  limits:      %.0f PostgreSQL commits/s (INSERT + COMMIT of one "
		    "row, one connection)\n", cps);
	printf("  ratio:       envelopes/s : verifications/s = %.3f\n", rate / vps);
	if (o.db != NULL)
		printf("  ratio:       envelopes/s : PostgreSQL commits/s = %.2f (group "
		    "commit)\n", rate / cps);
	printf("  cpu:         hub%s %.1f us/envelope (%.2f cores busy), clients "
	    "%.1f us/envelope; one verification costs %.1f us of a core\n",
	    o.hubs > 1 ? "s" : "", hub_cpu * 1e6 / (double)accepted, hub_cpu / secs,
	    own_cpu * 1e6 / (double)accepted, 2e6 / vps);
	if (pm > 0)
		printf("  cpu:         PostgreSQL server %.1f us/envelope (%.2f cores "
		    "busy)\n", db_cpu * 1e6 / (double)accepted, db_cpu / secs);
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

done:
	for (unsigned c = 0; c < o.clients; c++) {
		buf_free(&cl[c].body);
		free(cl[c].batch_off);
		free(cl[c].batch_n);
		free(cl[c].env_off);
		free(cl[c].env_dev);
		free(cl[c].env_seq);
		free(cl[c].env_id);
		free(cl[c].have);
		free(cl[c].rc_index);
		free(cl[c].rc_time);
	}
	for (unsigned d = 0; d < o.devices; d++)
		keypair_free(devs[d].k);
	free(cl);
	free(devs);
	keypair_free(root);
	if (o.crash_ms > 0) {
		if (!failed && !o.keep)	/* crash_run said where it is kept */
			nftw(hubdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
		return failed;
	}
	if (o.keep)
		printf("  kept:        %s\n", hubdir);
	else
		nftw(hubdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	return failed || accepted != o.n ? 1 : 0;
}
