/*
 * bench_fanout.c - one flash message to every POC of every State: what it
 * costs the sender, and how long until every recipient node has read it.
 *
 * A message to "all" is encrypted once under a content key, and that key is
 * sealed to every recipient device (one crypto_box_seal, 112 bytes of
 * payload each); the header names every recipient device, and one Ed25519
 * signature covers it all.  So the sender's cost grows with the number of
 * devices, and each recipient's cost with the size of the envelope (SHA-256
 * over it twice, Ed25519 over the header) plus one sealed-box open.  The
 * physical limits are those primitives, measured in the same run.
 *
 * Set-up, with the real binaries in a temporary directory: a hub ("rosterd
 * init", "rosterd serve" on 127.0.0.1:0).  The sender, State AA's technical
 * POC, is a real node made with the CLI as tests/e2e/lib.sh does ("roster
 * keygen", "rosterd admit", "roster init", "certify", "enroll").  The other
 * States (AB, AC, ... up to --states, default 193, so AA..HK) get root keys
 * in this process, admitted by "admit" envelopes signed with the operator
 * key (HUBDIR/operator.key); every State gets --devices devices (default 3:
 * technical, diplomatic, alternate), certified by "cert" envelopes signed by
 * its root key with a real proof of possession; all POSTed in batches, and
 * every one must get a receipt.  The sender's node then syncs (its first
 * directory sync, timed) and syncs again with nothing new (the fixed cost
 * of a node command: process start, Argon2id unlock, directory refresh).
 *
 * Sender, two figures.  The real "roster send --to all --urgency flash"
 * (refreshes the directory, resolves the audience, encrypts to every other
 * device, signs, stores, submits, verifies the receipt): its wall clock and
 * CPU time.  And, in this process, the pure cost of the same message:
 * seal_encrypt to the same devices and env_build of a header like the
 * node's, best and median of five, in this thread's CPU time.
 *
 * Fan-out.  Once the message has its receipt, every recipient node's
 * receive path runs here, concurrently (--threads, default 16, taking
 * devices from a shared counter): a GET /v1/mail?after=<log size before the
 * send - 1> signed as that device (lib/httpsig), the checkpoint's signature
 * against the operator key, the record's inclusion proof against it
 * (lib/merkle.h, as node/core/verify.c does), the envelope's framing, digest and
 * signature (env_parse, env_verify, signer = the sender's device), then
 * seal_decrypt with the device's own keys and a check of the subject.  The
 * figure is the time from the first GET (and from the hub's receipt) to the
 * last device done, with per-device latency.  Real nodes add their wake-up
 * latency (long-poll or push, built separately; a periodic "roster sync"
 * today) on top; the output says so.  Because the machine may be shared,
 * the CPU time the hub and the receivers used meanwhile is printed too (the
 * hub's from /proc, each receive path's per phase from its thread's CPU
 * clock), which tells the cost apart from the waiting.
 *
 * Physical limits, measured after the fan-out with the hub idle, per second
 * of one thread's CPU time (the best of 20 windows, so that neighbours on a
 * shared machine move them as little as possible): sealed boxes per second
 * and the sign step (SHA-256 of the payload, Ed25519 sign of the real
 * header, SHA-256 of the envelope) on one core for the sender; for a
 * recipient, the crypto of one real record (SHA-256 of envelope and
 * payload, Ed25519 verify, inclusion proof, finding its slot, sealed-box
 * open, body decrypt) on one core, times the number of cores.  Each figure
 * is printed with its limit and the ratio (limit time / measured time), with
 * the hub's resident memory, the message's size and the load average (the
 * machine may be shared: the ratio moves with it).
 *
 * usage: bench_fanout [--states N] [--devices N] [--threads N]
 *                     [--rosterd PATH] [--roster PATH] [--dir BASE] [--keep]
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "db.h"
#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "seal.h"
#include "statement.h"
#include "util.h"

#define PASSPHRASE	"correct horse battery staple"
#define POST_BATCH	1000
#define SENDER		"AA"
#define REPEATS		5
#define MAX_THREADS	256
#define RCPT_HEX_COST	67	/* one "hex", in the header's rcpt list */

static const char flash_body[] =
    "Destructive malware on grid operators' control networks since 03:40 UTC; "
    "isolate, and see the indicators in the next message.";

static const char *const role_names[] = { "technical", "diplomatic", "alternate" };

struct bench_opts {
	unsigned states, devices, threads;
	const char *rosterd, *roster, *base;
	int keep;
};

/* Where a receive path's CPU time goes, in order. */
enum phase { PH_HTTP, PH_JSON, PH_B64, PH_PARSE, PH_VERIFY, PH_DECRYPT, NPHASES };
static const char *const phase_names[NPHASES] = {
	"HTTP (curl, signing the request)", "JSON parse of the answer",
	"base64 of envelope and proof",
	"envelope parse (header JSON, SHA-256 of id and payload)",
	"checkpoint + envelope signatures, inclusion proof", "unseal + decrypt"
};

/* A recipient device simulated in this process, and how its receive went. */
struct device {
	struct keypair *k;
	char state[3];
	const char *role;
	double start, done;	/* seconds, monotonic */
	size_t bytes;		/* the hub's answer */
	double cpu[NPHASES];	/* thread CPU seconds per phase */
	char err[RS_ERRLEN];
};

struct world {
	char url[256];
	char hub[600], node[600], rootfile[600];
	struct keypair *op;		/* the operator key */
	struct keypair *aa_root;	/* the sender State's root, from its file */
	struct keypair **roots;		/* of the other States */
	struct device *dev;		/* every device but the sender's */
	size_t ndev;
	uint8_t sender[32];		/* the real node's device key */
	size_t nrecords;		/* admits and certs logged */
};

/* The fan-out: shared by the receiving threads. */
struct fanout {
	struct world *w;
	char subject[80];
	int64_t after, index;
	atomic_size_t next;
};

static char tmpdir[512];
static pid_t hub_pid;
static int keep_dir;

/* ---- small things ------------------------------------------------------- */

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds of the calling thread: what a computation costs on a core,
 * whatever else the (shared) machine is doing meanwhile. */
static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
rm_entry(const char *path, const struct stat *st, int flag, struct FTW *ftw)
{
	return remove(path);
}

static void
stop_hub(void)
{
	int status;

	if (hub_pid > 0 && kill(hub_pid, SIGTERM) == 0)
		waitpid(hub_pid, &status, 0);
	hub_pid = 0;
}

static void
cleanup(void)
{
	stop_hub();
	if (tmpdir[0] == '\0')
		return;
	if (keep_dir)
		fprintf(stderr, "bench_fanout: kept %s\n", tmpdir);
	else if (nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "bench_fanout: cannot remove %s: %s\n", tmpdir,
		    strerror(errno));
	tmpdir[0] = '\0';
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_fanout: %s: %s\n", what, rs_err());
	cleanup();
	exit(1);
}

static void
on_signal(int sig)
{
	cleanup();
	_exit(128 + sig);
}

static void
in_tmp(char *out, size_t len, const char *name)
{
	if ((size_t)snprintf(out, len, "%s/%s", tmpdir, name) >= len) {
		rs_seterr("path too long: %s/%s", tmpdir, name);
		die("set-up");
	}
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return (x > y) - (x < y);
}

/* Sorts v and returns its median. */
static double
median(double *v, size_t n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

static const char *
load_average(char *out, size_t len)
{
	FILE *f = fopen("/proc/loadavg", "r");
	double a, b, c;

	snprintf(out, len, "unknown");
	if (f == NULL)
		return out;
	if (fscanf(f, "%lf %lf %lf", &a, &b, &c) == 3)
		snprintf(out, len, "%.2f %.2f %.2f", a, b, c);
	fclose(f);
	return out;
}

/* A field of /proc/PID/status in KiB, -1 when unreadable. */
static long
proc_kib(pid_t pid, const char *field)
{
	char path[64], line[256];
	size_t fl = strlen(field);
	long kib = -1;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, fl) == 0 && line[fl] == ':')
			kib = strtol(line + fl + 1, NULL, 10);
	fclose(f);
	return kib;
}

/* CPU seconds (user + system) used so far by process pid, from
 * /proc/PID/stat (fields 14 and 15, after the parenthesised name). */
static double
proc_cpu_s(pid_t pid)
{
	char path[64], text[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return -1;
	p = fgets(text, sizeof(text), f);
	fclose(f);
	if (p == NULL || (p = strrchr(text, ')')) == NULL || sscanf(p + 2,
	    "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu", &ut, &st) != 2)
		return -1;
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

/* CPU seconds (user + system) of this process, all threads. */
static double
self_cpu_s(void)
{
	struct rusage ru;

	if (getrusage(RUSAGE_SELF, &ru) != 0)
		return -1;
	return (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
}

/* ---- child processes ------------------------------------------------------ */

/* Prints the end of a log to stderr: what a failed command said. */
static void
print_tail(const char *path)
{
	struct buf b = {0};
	size_t from;

	if (read_file(path, &b, 64u << 20) == 0 && b.len > 0) {
		from = b.len > 1500 ? b.len - 1500 : 0;
		fprintf(stderr, "--- end of %s ---\n%.*s\n---\n", path,
		    (int)(b.len - from), (const char *)b.p + from);
	}
	buf_free(&b);
}

static pid_t
start_child(char *const argv[], const char *log)
{
	pid_t pid = fork();
	int fd;

	if (pid == 0) {
		fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		rs_seterr("fork: %s", strerror(errno));
	return pid;
}

/* Runs argv to the end, its output appended to DIR/logname; dies unless it
 * exits 0.  Returns its wall-clock seconds, its CPU seconds in *cpu. */
static double
run(char *const argv[], const char *logname, double *cpu)
{
	char log[600];
	struct rusage ru;
	double t0 = mono_s();
	int status;
	pid_t pid;

	in_tmp(log, sizeof(log), logname);
	if ((pid = start_child(argv, log)) < 0)
		die(argv[0]);
	while (wait4(pid, &status, 0, &ru) < 0)
		if (errno != EINTR) {
			rs_seterr("wait4: %s", strerror(errno));
			die(argv[0]);
		}
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0) {
		print_tail(log);
		rs_seterr("\"%s %s\" failed (status %d)", argv[0], argv[1], status);
		die(logname);
	}
	if (cpu != NULL)
		*cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
		    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	return mono_s() - t0;
}

static void
serve_hub(const struct bench_opts *o, struct world *w)
{
	char urlfile[700], log[600];
	char *argv[] = { (char *)o->rosterd, "serve", w->hub, "--listen", "127.0.0.1:0", NULL };
	struct buf b = {0};
	int status;

	in_tmp(log, sizeof(log), "hub.log");
	snprintf(urlfile, sizeof(urlfile), "%s/serve.url", w->hub);
	if ((hub_pid = start_child(argv, log)) < 0)
		die("rosterd serve");
	for (int i = 0; i < 3000; i++) {
		if (read_file(urlfile, &b, 1024) == 0 && b.len > 8 && b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		if (waitpid(hub_pid, &status, WNOHANG) == hub_pid) {
			hub_pid = 0;
			print_tail(log);
			rs_seterr("the hub exited at start-up");
			die("rosterd serve");
		}
		usleep(10000);
	}
	if (b.len <= 8 || b.len > sizeof(w->url)) {
		buf_free(&b);
		rs_seterr("the hub did not write %s", urlfile);
		die("rosterd serve");
	}
	snprintf(w->url, sizeof(w->url), "%.*s", (int)b.len - 1, (const char *)b.p);
	buf_free(&b);
}

/* ---- the world -------------------------------------------------------------- */

/* The i-th State code: AA, AB, ... AZ, BA, ... */
static void
state_code(char out[3], unsigned i)
{
	out[0] = (char)('A' + i / 26);
	out[1] = (char)('A' + i % 26);
	out[2] = '\0';
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

/* The sender: a real hub and a real node for AA's technical POC. */
static void
make_sender(const struct bench_opts *o, struct world *w)
{
	char pub[700], req[700], cert[700];
	char *init_hub[] = { (char *)o->rosterd, "init", w->hub, "--name", "Bench", NULL };
	char *keygen[] = { (char *)o->roster, "keygen", "--state", SENDER, "--out",
	    w->rootfile, NULL };
	char *admit[] = { (char *)o->rosterd, "admit", w->hub, "--state", SENDER,
	    "--root-key", pub, NULL };
	char *init[] = { (char *)o->roster, "init", "--dir", w->node, "--hub", w->url,
	    "--state", SENDER, "--role", "technical", "--name", "POC AA technical",
	    "--email", "technical@aa.example", "--lang", "en,fr", NULL };
	char *certify[] = { (char *)o->roster, "certify", "--root", w->rootfile, req, NULL };
	char *enroll[] = { (char *)o->roster, "enroll", "--dir", w->node, cert, NULL };
	char path[700];
	struct buf b = {0};
	json_t *j;

	in_tmp(w->hub, sizeof(w->hub), "hub");
	in_tmp(w->node, sizeof(w->node), "node-AA");
	in_tmp(w->rootfile, sizeof(w->rootfile), "AA.root");
	snprintf(pub, sizeof(pub), "%s.pub", w->rootfile);
	snprintf(req, sizeof(req), "%s/request.json", w->node);
	snprintf(cert, sizeof(cert), "%s/request.cert", w->node);
	run(init_hub, "setup.log", NULL);
	if (unlimit_hub(w->hub) != 0) {
		fprintf(stderr, "bench_fanout: %s\n", rs_err());
		exit(1);
	}
	serve_hub(o, w);
	run(keygen, "setup.log", NULL);
	run(admit, "setup.log", NULL);
	run(init, "setup.log", NULL);
	run(certify, "setup.log", NULL);
	run(enroll, "setup.log", NULL);

	if (read_file(req, &b, 1u << 20) != 0 || (j = jparse(b.p, b.len)) == NULL)
		die(req);
	buf_free(&b);
	if (jhex32_req(j, "device", w->sender) != 0)
		die(req);
	json_decref(j);
	snprintf(path, sizeof(path), "%s/operator.key", w->hub);
	if ((w->op = keyfile_read(path, KEY_OPERATOR, NULL)) == NULL)
		die(path);
	if ((w->aa_root = keyfile_read(w->rootfile, KEY_ROOT, PASSPHRASE)) == NULL)
		die(w->rootfile);
}

/* Appends an operator-signed admission of state's root key. */
static void
add_admit(struct buf *out, const struct keypair *op, const char *state,
    const uint8_t root[32])
{
	json_t *h = json_pack("{s:s, s:s}", "kind", "admit", "state", state);
	json_t *p = json_pack("{s:s, s:o, s:s}", "state", state, "root_key", jhex(root, 32),
	    "name", "bench State");
	char *text = jdump(p);

	if (env_build(out, h, text, strlen(text), op->pk, op->sk) != 0)
		die("admit envelope");
	free(text);
	json_decref(p);
	json_decref(h);
}

/* Appends root's certificate of device d, with d's proof of possession. */
static void
add_cert(struct buf *out, const struct keypair *root, const struct device *d)
{
	struct buf pop = {0};
	uint8_t sig[64];
	int64_t issued = now_ms();
	char email[48];
	json_t *p, *h;
	char *text;

	dir_pop_message(&pop, d->state, d->k->pk, d->k->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, d->k->sk);
	buf_free(&pop);
	snprintf(email, sizeof(email), "%s@%c%c.example", d->role, d->state[0] | 0x20,
	    d->state[1] | 0x20);
	p = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:[s,s], s:I, s:I, s:o}",
	    "state", d->state, "device", jhex(d->k->pk, 32), "box_key",
	    jhex(d->k->box_pk, 32), "role", d->role, "name", "bench POC", "email", email,
	    "languages", "en", "fr", "issued", (json_int_t)issued,
	    "expires", (json_int_t)(issued + 730LL * 86400000), "pop", jb64(sig, 64));
	h = json_pack("{s:s, s:s}", "kind", "cert", "state", d->state);
	text = jdump(p);
	if (p == NULL || h == NULL || env_build(out, h, text, strlen(text),
	    root->pk, root->sk) != 0)
		die("cert envelope");
	free(text);
	json_decref(p);
	json_decref(h);
}

/* POSTs count concatenated envelopes; every one must come back with a
 * receipt. */
static void
post_all(struct http_client *c, const struct buf *body, size_t count)
{
	struct buf out = {0};
	long status = 0;
	json_t *j, *res, *r;
	size_t i, ok = 0;

	if (http_call(c, "POST", "/v1/envelopes", "application/octet-stream",
	    body->p, body->len, &status, &out) != 0)
		die("POST /v1/envelopes");
	j = jparse(out.p, out.len);
	res = j ? json_object_get(j, "results") : NULL;
	json_array_foreach(res, i, r)
		ok += json_object_get(r, "receipt") != NULL;
	if (status != 200 || json_array_size(res) != count || ok != count) {
		buf_cstr(&out);
		rs_seterr("HTTP %ld, %zu of %zu receipts: %.300s", status, ok, count,
		    (const char *)out.p);
		die("POST /v1/envelopes");
	}
	json_decref(j);
	buf_free(&out);
}

/* Envelopes made by fill(i) for i in [0, n), POSTed POST_BATCH at a time. */
static void
post_batches(struct http_client *c, struct world *w, size_t n,
    void (*fill)(struct world *, struct buf *, size_t))
{
	struct buf batch = {0};
	size_t in = 0;

	for (size_t i = 0; i < n; i++) {
		fill(w, &batch, i);
		if (++in == POST_BATCH || i == n - 1) {
			post_all(c, &batch, in);
			batch.len = 0;
			in = 0;
		}
	}
	buf_free(&batch);
	w->nrecords += n;
}

/* States 1.. (AA, index 0, was admitted by the CLI). */
static void
fill_admit(struct world *w, struct buf *b, size_t i)
{
	char st[3];

	state_code(st, (unsigned)i + 1);
	add_admit(b, w->op, st, w->roots[i]->pk);
}

static void
fill_cert(struct world *w, struct buf *b, size_t i)
{
	const struct device *d = &w->dev[i];
	const struct keypair *root = strcmp(d->state, SENDER) == 0 ? w->aa_root :
	    w->roots[(d->state[0] - 'A') * 26 + (d->state[1] - 'A') - 1];

	add_cert(b, root, d);
}

/* Every State but AA gets a root key, every State its devices (AA's first,
 * its technical POC, is the real node); all logged through the hub. */
static void
make_states(const struct bench_opts *o, struct world *w)
{
	struct http_client *c = http_client_new(w->url);
	size_t nd = 0;
	char st[3];

	if (c == NULL)
		die("http client");
	w->roots = xcalloc(o->states, sizeof(*w->roots));
	w->dev = xcalloc((size_t)o->states * o->devices, sizeof(*w->dev));
	for (unsigned s = 0; s < o->states; s++) {
		state_code(st, s);
		if (s > 0 && (w->roots[s - 1] = keypair_new(st, 0)) == NULL)
			die("root key");
		for (unsigned d = s == 0 ? 1 : 0; d < o->devices; d++, nd++) {
			if ((w->dev[nd].k = keypair_new(st, 1)) == NULL)
				die("device key");
			memcpy(w->dev[nd].state, st, 3);
			w->dev[nd].role = role_names[d % 3];
		}
	}
	w->ndev = nd;
	post_batches(c, w, o->states - 1, fill_admit);
	post_batches(c, w, w->ndev, fill_cert);
	http_client_free(c);
}

static void
free_world(struct world *w, const struct bench_opts *o)
{
	for (unsigned s = 0; s + 1 < o->states; s++)
		keypair_free(w->roots[s]);
	for (size_t i = 0; i < w->ndev; i++)
		keypair_free(w->dev[i].k);
	free(w->roots);
	free(w->dev);
	keypair_free(w->op);
	keypair_free(w->aa_root);
}

/* The log's size now, from a checkpoint verified against the operator key. */
static int64_t
log_size(const struct world *w)
{
	struct http_client *c = http_client_new(w->url);
	struct checkpoint cp = {0};
	json_t *j;
	int64_t size;

	if (c == NULL || http_get_json(c, "/v1/checkpoint", &j) != 0)
		die("GET /v1/checkpoint");
	if (checkpoint_from_json(&cp, j, w->op->pk) != 0)
		die("checkpoint");
	size = (int64_t)cp.size;
	checkpoint_free(&cp);
	json_decref(j);
	http_client_free(c);
	return size;
}

/* ---- the sender --------------------------------------------------------------- */

/* The log index and time of the sender node's last receipted message. */
static void
sent_index(const struct world *w, int64_t *index, int64_t *time)
{
	char path[700];
	sqlite3_stmt *st;
	sqlite3 *db;
	int found = 0;

	snprintf(path, sizeof(path), "%s/node.db", w->node);
	if ((db = db_open(path, NULL)) == NULL)
		die(path);
	st = db_prep(db, "SELECT idx, time FROM outbox WHERE kind = 'msg' AND "
	    "receipt IS NOT NULL ORDER BY seq DESC LIMIT 1");
	if (st != NULL && sqlite3_step(st) == SQLITE_ROW) {
		*index = sqlite3_column_int64(st, 0);
		*time = sqlite3_column_int64(st, 1);
		found = 1;
	}
	sqlite3_finalize(st);
	db_close(db);
	if (!found) {
		rs_seterr("the sender's node.db holds no receipted message");
		die("roster send");
	}
}

/* The message as node/core/message.c makes it, built and signed here: returns
 * the CPU seconds of seal_encrypt and of env_build in seal_s, sign_s. */
static void
build_message(struct buf *env, const struct world *w, const struct keypair *signer,
    const struct seal_recipient *r, size_t nr, const char *subject,
    double *seal_s, double *sign_s)
{
	struct buf payload = {0};
	json_t *m, *hdr, *to, *rcpt;
	char st[3], *text;
	double t0;
	int rc;

	m = json_pack("{s:s, s:s, s:s, s:s, s:I}", "subject", subject,
	    "body", flash_body,
	    "tlp", "AMBER", "lang", "en", "sent", (json_int_t)now_ms());
	text = jdump(m);
	to = json_array();
	rcpt = json_array();
	for (size_t i = 0; i < nr; i++) {
		if (i == 0 || strcmp(w->dev[i].state, w->dev[i - 1].state) != 0) {
			memcpy(st, w->dev[i].state, 3);
			json_array_append_new(to, json_string(st));
		}
		json_array_append_new(rcpt, jhex(r[i].device, 32));
	}
	t0 = cpu_s();
	rc = seal_encrypt(&payload, text, strlen(text), r, nr);
	*seal_s = cpu_s() - t0;
	if (rc != 0)
		die("seal_encrypt");
	hdr = json_pack("{s:s, s:o, s:o, s:s, s:I, s:s, s:I}", "kind", "msg", "to", to,
	    "rcpt", rcpt, "urgency", "flash", "deadline", (json_int_t)(now_ms() + 3600000),
	    "state", SENDER, "seq", (json_int_t)2);
	t0 = cpu_s();
	rc = env_build(env, hdr, payload.p, payload.len, signer->pk, signer->sk);
	*sign_s = cpu_s() - t0;
	if (rc != 0)
		die("env_build");
	json_decref(hdr);
	json_decref(m);
	free(text);
	buf_free(&payload);
}

struct sender_figures {
	double best, median, seal_s, sign_s;	/* in-process, CPU seconds */
	double wall;				/* best wall clock */
	struct buf env;				/* the last one built */
};

static void
time_sender(const struct world *w, const struct keypair *signer, struct sender_figures *f)
{
	struct seal_recipient *r = xcalloc(w->ndev, sizeof(*r));
	double total[REPEATS], seal_s, sign_s;
	struct buf check = {0};
	struct envelope e;

	for (size_t i = 0; i < w->ndev; i++) {
		memcpy(r[i].device, w->dev[i].k->pk, 32);
		memcpy(r[i].box_pk, w->dev[i].k->box_pk, 32);
	}
	f->best = f->wall = 1e9;
	for (int i = 0; i < REPEATS; i++) {
		double t0 = mono_s();
		f->env.len = 0;
		build_message(&f->env, w, signer, r, w->ndev, "in-process", &seal_s, &sign_s);
		if (mono_s() - t0 < f->wall)
			f->wall = mono_s() - t0;
		total[i] = seal_s + sign_s;
		if (total[i] < f->best) {
			f->best = total[i];
			f->seal_s = seal_s;
			f->sign_s = sign_s;
		}
	}
	f->median = median(total, REPEATS);
	/* What was timed must be a message the last recipient can read. */
	if (env_parse(&e, f->env.p, f->env.len) != 0 || env_verify(&e) != 0 ||
	    seal_decrypt(&check, e.payload, e.payload_len, w->dev[w->ndev - 1].k) != 0)
		die("the in-process message");
	env_free(&e);
	buf_free(&check);
	free(r);
}

/* ---- the fan-out ------------------------------------------------------------------- */

static int
proof_of(json_t *arr, uint8_t (*proof)[32], size_t *n)
{
	struct buf h = {0};
	size_t i;
	json_t *v;

	if (!json_is_array(arr) || json_array_size(arr) > MERKLE_MAX_PROOF) {
		rs_seterr("\"proof\" is not an array of at most %d hashes", MERKLE_MAX_PROOF);
		return -1;
	}
	json_array_foreach(arr, i, v) {
		h.len = 0;
		if (!json_is_string(v) || b64_decode(&h, json_string_value(v),
		    json_string_length(v)) != 0 || h.len != 32) {
			buf_free(&h);
			rs_seterr("proof hash %zu is not 32 bytes of base64", i);
			return -1;
		}
		memcpy(proof[i], h.p, 32);
	}
	buf_free(&h);
	*n = json_array_size(arr);
	return 0;
}

/* Believes and reads one mail record, as a node does: inclusion in the
 * verified checkpoint, envelope digest and signature, signer, decryption. */
static int
read_record(const struct fanout *f, struct device *d, json_t *r,
    const struct checkpoint *cp)
{
	double t = cpu_s();
	uint8_t proof[MERKLE_MAX_PROOF][32], leaf[32];
	struct buf raw = {0}, plain = {0};
	struct envelope e = {0};
	int64_t index, time;
	json_t *m = NULL;
	size_t np;
	int rc = -1;

	if (jint_req(r, "index", &index) != 0 || jint_req(r, "time", &time) != 0 ||
	    jb64_req(r, "envelope", &raw) != 0 || proof_of(json_object_get(r, "proof"),
	    proof, &np) != 0)
		goto out;
	if (index != f->index) {
		rs_seterr("mail at index %lld, the message is at %lld", (long long)index,
		    (long long)f->index);
		goto out;
	}
	d->cpu[PH_B64] += cpu_s() - t;
	t = cpu_s();
	if (env_parse(&e, raw.p, raw.len) != 0)
		goto out;
	d->cpu[PH_PARSE] += cpu_s() - t;
	t = cpu_s();
	if (env_verify(&e) != 0)
		goto out;
	env_leaf_hash(leaf, e.id, time);
	if (index < 0 || merkle_verify_inclusion((uint64_t)index, cp->size, leaf,
	    (const uint8_t (*)[32])proof, np, cp->root) != 0)
		goto out;
	if (memcmp(e.key, f->w->sender, 32) != 0 || strcmp(e.kind, "msg") != 0) {
		rs_seterr("record %lld is not a msg from the sender", (long long)index);
		goto out;
	}
	d->cpu[PH_VERIFY] += cpu_s() - t;
	t = cpu_s();
	if (seal_decrypt(&plain, e.payload, e.payload_len, d->k) != 0 ||
	    (m = jparse(plain.p, plain.len)) == NULL)
		goto out;
	if (jstr(m, "subject") == NULL || strcmp(jstr(m, "subject"), f->subject) != 0) {
		rs_seterr("decrypted a message with another subject");
		goto out;
	}
	d->cpu[PH_DECRYPT] += cpu_s() - t;
	rc = 0;
out:
	json_decref(m);
	if (plain.p != NULL)
		sodium_memzero(plain.p, plain.len);
	buf_free(&plain);
	buf_free(&raw);
	env_free(&e);
	return rc;
}

/* One recipient node's receive path: fetch its mail signed as itself,
 * verify the checkpoint, read the one record. */
static int
receive_one(const struct fanout *f, struct device *d)
{
	double t = cpu_s();
	struct http_client *c = http_client_new(f->w->url);
	struct checkpoint cp = {0};
	struct buf out = {0};
	json_t *j = NULL, *recs;
	char target[64];
	long status = 0;
	int rc = -1;

	if (c == NULL)
		return -1;
	http_client_set_signer(c, d->k->pk, d->k->sk);
	snprintf(target, sizeof(target), "/v1/mail?after=%lld", (long long)f->after);
	if (http_call(c, "GET", target, NULL, NULL, 0, &status, &out) != 0)
		goto out;
	d->bytes = out.len;
	if (status != 200) {
		buf_cstr(&out);
		rs_seterr("HTTP %ld: %.200s", status, (const char *)out.p);
		goto out;
	}
	d->cpu[PH_HTTP] += cpu_s() - t;
	t = cpu_s();
	if ((j = jparse(out.p, out.len)) == NULL)
		goto out;
	d->cpu[PH_JSON] += cpu_s() - t;
	t = cpu_s();
	if (checkpoint_from_json(&cp, json_object_get(j, "checkpoint"), f->w->op->pk) != 0)
		goto out;
	d->cpu[PH_VERIFY] += cpu_s() - t;
	recs = json_object_get(j, "records");
	if (json_array_size(recs) != 1) {
		rs_seterr("%zu mail records, expected the one message",
		    json_array_size(recs));
		goto out;
	}
	rc = read_record(f, d, json_array_get(recs, 0), &cp);
out:
	t = cpu_s();
	checkpoint_free(&cp);
	json_decref(j);
	buf_free(&out);
	http_client_free(c);
	d->cpu[PH_HTTP] += cpu_s() - t;
	return rc;
}

static void *
receiver(void *arg)
{
	struct fanout *f = arg;
	size_t i;

	while ((i = atomic_fetch_add(&f->next, 1)) < f->w->ndev) {
		struct device *d = &f->w->dev[i];
		d->start = mono_s();
		if (receive_one(f, d) != 0)
			snprintf(d->err, sizeof(d->err), "%s", rs_err());
		d->done = mono_s();
	}
	return NULL;
}

/* Runs the fan-out; returns the wall-clock time of the first GET. */
static double
fan_out(struct fanout *f, unsigned nthreads)
{
	pthread_t th[MAX_THREADS];
	double t0 = mono_s();
	unsigned n = 0;

	for (; n < nthreads; n++)
		if (pthread_create(&th[n], NULL, receiver, f) != 0)
			break;
	if (n == 0) {
		rs_seterr("cannot start a thread");
		die("fan-out");
	}
	for (unsigned i = 0; i < n; i++)
		pthread_join(th[i], NULL);
	for (size_t i = 0; i < f->w->ndev; i++)
		if (f->w->dev[i].err[0] != '\0') {
			rs_seterr("%s %s device: %s", f->w->dev[i].state, f->w->dev[i].role,
			    f->w->dev[i].err);
			die("fan-out");
		}
	return t0;
}

/* ---- physical limits (one core) ------------------------------------------------------ */

/* What one step of a limit works on: the real record a recipient got. */
struct limit_ctx {
	const struct envelope *e;
	struct buf signed_msg;		/* domain || header */
	const struct keypair *k;	/* the recipient (also signs, for the sender's step) */
	int64_t index, time;
	const uint8_t (*proof)[32];
	size_t np;
	const struct checkpoint *cp;
	struct buf plain;
};

/* The sender's cost per recipient: wrap a content key in a sealed box. */
static void
step_seal(struct limit_ctx *x)
{
	uint8_t key[32] = {1}, sealed[32 + crypto_box_SEALBYTES];

	if (crypto_box_seal(sealed, key, sizeof(key), x->k->box_pk) != 0)
		die("crypto_box_seal");
}

/* The sender's cost per message: what env_build and the id cost on the real
 * envelope (SHA-256 of the payload, Ed25519 over domain and header, SHA-256
 * of the whole). */
static void
step_sign(struct limit_ctx *x)
{
	uint8_t sig[64], h[32];

	sha256(h, x->e->payload, x->e->payload_len);
	crypto_sign_detached(sig, NULL, x->signed_msg.p, x->signed_msg.len, x->k->sk);
	sha256(h, x->e->raw, x->e->raw_len);
}

/* A recipient's crypto for one record: SHA-256 of the envelope (its id) and
 * of its payload, Ed25519 verify, the inclusion proof, finding its slot and
 * opening it, decrypting the body. */
static void
step_receive(struct limit_ctx *x)
{
	uint8_t id[32], digest[32], leaf[32];

	sha256(id, x->e->raw, x->e->raw_len);
	sha256(digest, x->e->payload, x->e->payload_len);
	env_leaf_hash(leaf, id, x->time);
	x->plain.len = 0;
	if (crypto_sign_verify_detached(x->e->sig, x->signed_msg.p, x->signed_msg.len,
	    x->e->key) != 0 || merkle_verify_inclusion((uint64_t)x->index, x->cp->size, leaf,
	    x->proof, x->np, x->cp->root) != 0 ||
	    seal_decrypt(&x->plain, x->e->payload, x->e->payload_len, x->k) != 0)
		die("the limit's record does not verify");
}

/* Steps per CPU second of one core: the best of 20 windows of 50 ms of
 * this thread's CPU time, so that other work on a shared machine lowers
 * the limit as little as it can. */
static double
best_rate(void (*step)(struct limit_ctx *), struct limit_ctx *x)
{
	double best = 0, t0, t;
	long n;

	for (int w = 0; w < 20; w++) {
		n = 0;
		t0 = cpu_s();
		do {
			step(x);
			n++;
		} while ((t = cpu_s() - t0) < 0.05);
		if (n / t > best)
			best = n / t;
	}
	return best;
}

struct limits {
	double seals, signs, receives;	/* per second, one core */
	long cores;
};

/* Fetches the message again as the first recipient and measures the limits
 * on it. */
static void
measure_limits(const struct fanout *f, struct limits *l)
{
	struct http_client *c = http_client_new(f->w->url);
	const struct device *d = &f->w->dev[0];
	uint8_t proof[MERKLE_MAX_PROOF][32];
	struct limit_ctx x = { .k = d->k, .proof = (const uint8_t (*)[32])proof };
	struct checkpoint cp = {0};
	struct envelope e = {0};
	struct buf raw = {0};
	json_t *j, *r;
	char target[64];

	if (c == NULL)
		die("http client");
	http_client_set_signer(c, d->k->pk, d->k->sk);
	snprintf(target, sizeof(target), "/v1/mail?after=%lld", (long long)f->after);
	if (http_get_json(c, target, &j) != 0 ||
	    checkpoint_from_json(&cp, json_object_get(j, "checkpoint"), f->w->op->pk) != 0)
		die("GET /v1/mail");
	r = json_array_get(json_object_get(j, "records"), 0);
	if (r == NULL || jint_req(r, "index", &x.index) != 0 ||
	    jint_req(r, "time", &x.time) != 0 || jb64_req(r, "envelope", &raw) != 0 ||
	    env_parse(&e, raw.p, raw.len) != 0 ||
	    proof_of(json_object_get(r, "proof"), proof, &x.np) != 0)
		die("mail record");
	x.e = &e;
	x.cp = &cp;
	buf_addstr(&x.signed_msg, ENV_SIG_DOMAIN);
	buf_add(&x.signed_msg, e.header, e.header_len);
	l->cores = sysconf(_SC_NPROCESSORS_ONLN);
	if (l->cores < 1)
		l->cores = 1;
	l->seals = best_rate(step_seal, &x);
	l->signs = best_rate(step_sign, &x);
	l->receives = best_rate(step_receive, &x);
	buf_free(&x.signed_msg);
	buf_free(&x.plain);
	env_free(&e);
	buf_free(&raw);
	checkpoint_free(&cp);
	json_decref(j);
	http_client_free(c);
}

/* ---- options ------------------------------------------------------------------------- */

static void
usage(FILE *to, int status)
{
	fputs("usage: bench_fanout [--states N] [--devices N] [--threads N]\n"
	    "                    [--rosterd PATH] [--roster PATH] [--dir BASE] [--keep]\n"
	    "\n"
	    "Times one flash message from State AA's technical POC to every device of\n"
	    "every State: the real `roster send --to all --urgency flash` on a real\n"
	    "node, the pure encrypt+sign of the same message in this process, and the\n"
	    "fan-out: every recipient node's receive path (signed GET of its mail,\n"
	    "checkpoint signature, inclusion proof, envelope signature, decryption),\n"
	    "run concurrently here.  Each figure is printed with the physical limit\n"
	    "measured in the same run (sealed boxes and Ed25519 signatures per second\n"
	    "for the sender; verify + unseal + SHA-256 per record, per core times the\n"
	    "cores, for the fan-out) and their ratio.\n"
	    "\n"
	    "  --states N   States, coded AA, AB, ... (default 193: AA..HK; at most 676)\n"
	    "  --devices N  devices per State, with roles technical, diplomatic,\n"
	    "               alternate in turn (default 3); the header lists every\n"
	    "               recipient, so states x devices must fit in its 64 KiB\n"
	    "  --threads N  receiving threads of the fan-out (default 16, at most 256)\n"
	    "  --rosterd PATH, --roster PATH  the binaries (default ./build/rosterd,\n"
	    "               ./build/roster: run `make all benches` first)\n"
	    "  --dir BASE   where the temporary directory goes (default $TMPDIR or /tmp)\n"
	    "  --keep       keep the temporary directory (the hub is stopped anyway)\n"
	    "  -h, --help   this text\n", to);
	exit(status);
}

static unsigned
number(const char *opt, const char *s, unsigned lo, unsigned hi)
{
	char *end;
	long v;

	errno = 0;
	v = strtol(s, &end, 10);
	if (*s == '\0' || *end != '\0' || errno != 0 || v < lo || v > hi) {
		fprintf(stderr, "bench_fanout: %s must be a number from %u to %u, not \"%s\"\n",
		    opt, lo, hi, s);
		exit(2);
	}
	return (unsigned)v;
}

static void
parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
		{ "states", required_argument, NULL, 's' },
		{ "devices", required_argument, NULL, 'd' },
		{ "threads", required_argument, NULL, 't' },
		{ "rosterd", required_argument, NULL, 'r' },
		{ "roster", required_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'D' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	size_t header;
	int c;

	*o = (struct bench_opts){ .states = 193, .devices = 3, .threads = 16,
	    .rosterd = "./build/rosterd", .roster = "./build/roster",
	    .base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp" };
	while ((c = getopt_long(argc, argv, "h", lo, NULL)) != -1) {
		switch (c) {
		case 's': o->states = number("--states", optarg, 1, 676); break;
		case 'd': o->devices = number("--devices", optarg, 1, 64); break;
		case 't': o->threads = number("--threads", optarg, 1, MAX_THREADS); break;
		case 'r': o->rosterd = optarg; break;
		case 'R': o->roster = optarg; break;
		case 'D': o->base = optarg; break;
		case 'k': o->keep = 1; break;
		case 'h': usage(stdout, 0); break;
		default:
			fprintf(stderr, "Try \"bench_fanout --help\".\n");
			exit(2);
		}
	}
	if (optind != argc) {
		fprintf(stderr, "bench_fanout: unexpected argument \"%s\"; try "
		    "\"bench_fanout --help\"\n", argv[optind]);
		exit(2);
	}
	header = ((size_t)o->states * o->devices - 1) * RCPT_HEX_COST + o->states * 5 + 512;
	if (o->states * o->devices < 2 || header > ENV_MAX_HEADER) {
		fprintf(stderr, "bench_fanout: %u States x %u devices: the message needs 1 to "
		    "about %d recipients (its header lists each in %d bytes and may have "
		    "%d)\n", o->states, o->devices, (ENV_MAX_HEADER - 512) / RCPT_HEX_COST,
		    RCPT_HEX_COST, ENV_MAX_HEADER);
		exit(2);
	}
	if (access(o->rosterd, X_OK) != 0 || access(o->roster, X_OK) != 0) {
		fprintf(stderr, "bench_fanout: %s or %s is not an executable (run `make all "
		    "benches` first, or give --rosterd and --roster)\n", o->rosterd, o->roster);
		exit(2);
	}
}

static void
setup_process(const struct bench_opts *o)
{
	struct sigaction sa = { .sa_handler = on_signal };

	if (sodium_init() < 0) {
		rs_seterr("sodium_init failed");
		die("libsodium");
	}
	signal(SIGPIPE, SIG_IGN);
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0 ||
	    setenv("ROSTER_PASSPHRASE", PASSPHRASE, 1) != 0 ||
	    unsetenv("ROSTER_NODE_DIR") != 0 || unsetenv("ROSTER_HUB_DIR") != 0) {
		rs_seterr("%s", strerror(errno));
		die("set-up");
	}
	keep_dir = o->keep;
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/roster-bench-fanout-XXXXXX",
	    o->base) >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		rs_seterr("cannot make a directory under %s: %s", o->base, strerror(errno));
		tmpdir[0] = '\0';
		die("mkdtemp");
	}
}

/* ---- main -------------------------------------------------------------------------------- */

struct run_figures {
	double setup_s, first_sync_s, noop_s;
	double send_s, send_cpu;
	int64_t index, receipt_ms;
	double fan_t0, fan_end;		/* monotonic */
	int64_t fan_t0_ms;		/* wall clock at the first GET */
	long rss, hwm;			/* hub, KiB */
	unsigned threads;
	double hub_cpu, recv_cpu;	/* CPU seconds during the fan-out */
};

static void
report_sender(const struct world *w, const struct sender_figures *sf,
    const struct run_figures *rf, const struct limits *l)
{
	struct envelope e;
	double limit_s = w->ndev / l->seals + 1 / l->signs;

	if (env_parse(&e, sf->env.p, sf->env.len) != 0)
		die("envelope");
	printf("  message:     envelope %zu bytes = header %zu (lists %zu recipient devices) "
	    "+ signature 64 + payload %zu (%zu x 112 bytes of sealed key + nonce, body); "
	    "each recipient adds 112 bytes to the payload and %d to the header\n",
	    sf->env.len, e.header_len, w->ndev, e.payload_len, w->ndev, RCPT_HEX_COST);
	env_free(&e);
	printf("  sender CLI:  `roster send --to all --urgency flash` %.2f s wall, %.2f s CPU "
	    "(start, unlock, refresh, encrypt, sign, store, submit, verify the receipt)\n",
	    rf->send_s, rf->send_cpu);
	printf("               for comparison a no-op `roster sync` (start, Argon2id unlock, "
	    "refresh with nothing new) %.2f s\n", rf->noop_s);
	printf("  sender core: encrypt to %zu devices + sign, in-process: best %.1f ms CPU "
	    "(seal_encrypt %.1f ms, env_build %.1f ms), median of %d %.1f ms; "
	    "best wall clock %.1f ms\n", w->ndev, sf->best * 1e3, sf->seal_s * 1e3,
	    sf->sign_s * 1e3, REPEATS, sf->median * 1e3, sf->wall * 1e3);
	printf("  limit (one core, per CPU second): %.0f sealed boxes/s and %.0f sign steps/s "
	    "(SHA-256 payload, Ed25519 header, SHA-256 envelope) = %.1f ms; "
	    "ratio %.2f in-process, %.3f for the CLI\n", l->seals, l->signs, limit_s * 1e3,
	    limit_s / sf->best, limit_s / rf->send_s);
}

/* The receive path's CPU per device, by phase (means over the devices). */
static void
report_phases(const struct world *w)
{
	double sum[NPHASES] = {0};

	for (size_t i = 0; i < w->ndev; i++)
		for (int p = 0; p < NPHASES; p++)
			sum[p] += w->dev[i].cpu[p];
	printf("               receive path CPU a device:");
	for (int p = 0; p < NPHASES; p++)
		printf("%s %s %.2f ms", p ? "," : "", phase_names[p], sum[p] * 1e3 / w->ndev);
	printf("\n");
}

static void
report_fanout(const struct world *w, const struct run_figures *rf, const struct limits *l)
{
	double *lat = xcalloc(w->ndev, sizeof(*lat)), *own = xcalloc(w->ndev, sizeof(*own));
	double span = rf->fan_end - rf->fan_t0, limit_s, lat_med, own_med;
	double since_receipt = (rf->fan_t0_ms - rf->receipt_ms) / 1e3 + span;
	size_t bytes = 0;

	for (size_t i = 0; i < w->ndev; i++) {
		lat[i] = w->dev[i].done - rf->fan_t0;
		own[i] = w->dev[i].done - w->dev[i].start;
		bytes += w->dev[i].bytes;
	}
	lat_med = median(lat, w->ndev);
	own_med = median(own, w->ndev);
	limit_s = w->ndev / (l->receives * l->cores);
	printf("  fan-out:     %zu devices each fetched (signed GET), verified (checkpoint "
	    "signature, inclusion proof, envelope signature) and decrypted the message\n",
	    w->ndev);
	printf("               in %.3f s from the first GET (%.0f devices/s), %.3f s from "
	    "the hub's receipt (%.3f s passed before the first GET)\n", span,
	    w->ndev / span, since_receipt, since_receipt - span);
	printf("               latency from the first GET: median %.1f ms, max %.1f ms; "
	    "each device's own fetch+verify+decrypt: median %.1f ms, max %.1f ms\n",
	    lat_med * 1e3, lat[w->ndev - 1] * 1e3, own_med * 1e3, own[w->ndev - 1] * 1e3);
	printf("               the hub served %.1f MiB (%.0f KiB a device) with %u threads "
	    "receiving here\n", bytes / 1048576.0, bytes / 1024.0 / w->ndev, rf->threads);
	printf("               CPU during the fan-out: hub %.2f s (%.1f ms a request), the %zu "
	    "receive paths %.2f s (%.1f ms a device); %.2f of the %ld cores busy on average\n",
	    rf->hub_cpu, rf->hub_cpu * 1e3 / w->ndev, w->ndev, rf->recv_cpu,
	    rf->recv_cpu * 1e3 / w->ndev,
	    (rf->hub_cpu + rf->recv_cpu) / span, l->cores);
	report_phases(w);
	printf("               real nodes add their wake-up latency on top (long-poll or "
	    "push, being built separately; today the next `roster sync`)\n");
	printf("  limit (%ld core%s, per CPU second): %.0f records/s a core (SHA-256 of envelope and payload, "
	    "Ed25519 verify, proof, unseal, decrypt) x %ld = %.1f ms for %zu; ratio %.3f\n",
	    l->cores, l->cores == 1 ? "" : "s", l->receives, l->cores, limit_s * 1e3,
	    w->ndev, limit_s / span);
	printf("               on CPU alone (hub + receivers, %.2f CPU s over %ld cores) %.3f s; "
	    "ratio %.3f to the limit\n", rf->hub_cpu + rf->recv_cpu, l->cores,
	    (rf->hub_cpu + rf->recv_cpu) / l->cores,
	    limit_s * l->cores / (rf->hub_cpu + rf->recv_cpu));
	printf("  hub memory:  VmRSS %.1f MiB after the fan-out, peak %.1f MiB\n",
	    rf->rss / 1024.0, rf->hwm / 1024.0);
	free(lat);
	free(own);
}

static void
do_send(const struct bench_opts *o, struct world *w, struct fanout *f, struct run_figures *rf)
{
	uint8_t nonce[8];
	char *hex;
	char *send[] = { (char *)o->roster, "send", "--dir", w->node, "--to", "all",
	    "--urgency", "flash", "--subject", f->subject, "--body",
	    (char *)flash_body, NULL };

	randombytes_buf(nonce, sizeof(nonce));
	hex = hex_encode(nonce, sizeof(nonce));
	snprintf(f->subject, sizeof(f->subject), "FLASH bench fan-out %s", hex);
	free(hex);
	f->after = log_size(w) - 1;
	rf->send_s = run(send, "send.log", &rf->send_cpu);
	sent_index(w, &rf->index, &rf->receipt_ms);
	f->index = rf->index;
	f->w = w;
	atomic_init(&f->next, 0);
}

int
main(int argc, char **argv)
{
	struct bench_opts o;
	struct world w = {0};
	struct fanout f = {0};
	struct run_figures rf = {0};
	struct sender_figures sf = {0};
	struct limits l;
	struct keypair *signer;
	char la[64], devkey[700];
	double t0;

	parse(argc, argv, &o);
	setup_process(&o);
	printf("bench_fanout: one flash message from %s's technical POC to %u States x %u "
	    "devices, in %s (load average %s)\n", SENDER, o.states, o.devices, tmpdir,
	    load_average(la, sizeof(la)));
	fflush(stdout);

	t0 = mono_s();
	make_sender(&o, &w);
	make_states(&o, &w);
	rf.setup_s = mono_s() - t0;
	char *sync[] = { (char *)o.roster, "sync", "--dir", w.node, NULL };
	rf.first_sync_s = run(sync, "sync.log", NULL);
	rf.noop_s = run(sync, "sync.log", NULL);
	printf("  set-up:      %u States admitted, %zu devices certified in %.1f s; the "
	    "sender node's first sync (%zu directory records) %.2f s\n", o.states,
	    w.ndev + 1, rf.setup_s, w.nrecords + 2, rf.first_sync_s);
	fflush(stdout);

	snprintf(devkey, sizeof(devkey), "%s/device.key", w.node);
	if ((signer = keyfile_read(devkey, KEY_DEVICE, PASSPHRASE)) == NULL)
		die(devkey);
	time_sender(&w, signer, &sf);

	do_send(&o, &w, &f, &rf);
	rf.threads = o.threads;
	rf.hub_cpu = proc_cpu_s(hub_pid);
	rf.recv_cpu = self_cpu_s();
	rf.fan_t0_ms = now_ms();
	rf.fan_t0 = fan_out(&f, o.threads);
	rf.hub_cpu = proc_cpu_s(hub_pid) - rf.hub_cpu;
	rf.recv_cpu = self_cpu_s() - rf.recv_cpu;
	rf.fan_end = 0;
	for (size_t i = 0; i < w.ndev; i++)
		if (w.dev[i].done > rf.fan_end)
			rf.fan_end = w.dev[i].done;
	rf.rss = proc_kib(hub_pid, "VmRSS");
	rf.hwm = proc_kib(hub_pid, "VmHWM");
	measure_limits(&f, &l);
	stop_hub();

	report_sender(&w, &sf, &rf, &l);
	report_fanout(&w, &rf, &l);
	printf("  load average at the end: %s\n", load_average(la, sizeof(la)));
	fflush(stdout);

	buf_free(&sf.env);
	keypair_free(signer);
	free_world(&w, &o);
	cleanup();
	return 0;
}
