/*
 * bench_scale.c - proof and listing latency of a real hub at a million
 * leaves, on SQLite or on PostgreSQL (--db URL, an empty database), against
 * the round trip to the database measured in the same run.
 *
 * usage: bench_scale [--db URL] [-n LEAVES] [--rosterd PATH] [--dir BASE]
 *
 * Set-up: a hub (rosterd init, its own binary), a State and one device
 * certified through the API, then LEAVES rows appended straight into the
 * store as one sequencer would have: log rows at dense indexes and
 * increasing times, one in every ROUTE_EVERY routed to the device (so that
 * its mail listing is long), the size recorded; the tree is left for the
 * hub to build from the rows at its next start (timed: that is what a hub
 * does when its tree was lost).  The rows' envelopes are random bytes: a
 * hub never parses mail to list or prove it, and these are never given to
 * a node.
 *
 * Then, over HTTP against the serving hub, one request at a time:
 *   GET /v1/proof/inclusion at the full size for random indexes,
 *   GET /v1/proof/consistency from random sizes to the full size,
 *   GET /v1/mail pages (at most 1,000 records, each with its inclusion
 *   proof; signed by the device) from random cursors,
 * each as median and 95th percentile in milliseconds.  The limit printed
 * beside them: one round trip to the database (SELECT 1 on one
 * connection; for SQLite, a 32-byte pread from the page cache), and how
 * many a request makes (on PostgreSQL a proof reads its tree entries in
 * one; a page one for its rows and one for all its proofs' entries).
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <libgen.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "pg.h"
#include "util.h"

#define ROUTE_EVERY	100	/* rows per routed one */
#define ENV_LEN		512
#define NPROOFS		400
#define NPAGES		40

static char hubdir[256];
static pid_t hub_pid;
static char rosterd[4096];

static uint64_t rng = 88172645463325252ULL;

static uint64_t
rnd(void)
{
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return rng;
}

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
	fprintf(stderr, "bench_scale: %s: %s\n", what, rs_err());
	if (hub_pid > 0)
		kill(hub_pid, SIGTERM);
	exit(1);
}

static int
run(char *const args[])
{
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(rosterd, args);
		_exit(127);
	}
	if (waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Starts "rosterd serve"; its URL into url; seconds until it served. */
static double
start_hub(char *url, size_t len)
{
	char path[300];
	struct buf b = {0};
	double t0 = now_s();
	int status;

	snprintf(path, sizeof(path), "%s/serve.url", hubdir);
	unlink(path);
	if ((hub_pid = fork()) < 0)
		die("fork");
	if (hub_pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execl(rosterd, rosterd, "serve", hubdir, "--listen", "127.0.0.1:0",
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 60000; i++) {
		if (read_file(path, &b, 1024) == 0 && b.len > 0 && b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		if (waitpid(hub_pid, &status, WNOHANG) == hub_pid) {
			hub_pid = 0;
			rs_seterr("the hub exited while starting");
			die("rosterd serve");
		}
		usleep(10000);
	}
	snprintf(url, len, "%.*s", (int)b.len - 1, (char *)b.p);
	buf_free(&b);
	return now_s() - t0;
}

static void
stop_hub(void)
{
	int status;

	if (hub_pid > 0) {
		kill(hub_pid, SIGTERM);
		waitpid(hub_pid, &status, 0);
		hub_pid = 0;
	}
}

/* ---- set-up ---------------------------------------------------------------- */

static void
certify(const char *url, const struct keypair *root, const struct keypair *d)
{
	struct http_client *c = http_client_new(url);
	struct buf env = {0}, pop = {0}, out = {0};
	uint8_t sig[64];
	json_t *p, *h;
	char *text;
	long status;

	dir_pop_message(&pop, "XA", d->pk, d->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, d->sk);
	p = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:[s], s:I, s:o}",
	    "state", "XA", "device", jhex(d->pk, 32), "box_key", jhex(d->box_pk, 32),
	    "role", "technical", "name", "bench POC", "email", "poc@example.org",
	    "languages", "en", "issued", (json_int_t)now_ms(), "pop", jb64(sig, 64));
	h = json_pack("{s:s, s:s}", "kind", "cert", "state", "XA");
	text = jdump(p);
	if (env_build(&env, h, text, strlen(text), root->pk, root->sk) != 0 ||
	    http_call(c, "POST", "/v1/envelopes", "application/octet-stream", env.p,
	    env.len, &status, &out) != 0 || status != 200)
		die("certify");
	free(text);
	json_decref(p);
	json_decref(h);
	buf_free(&env);
	buf_free(&pop);
	buf_free(&out);
	http_client_free(c);
}

/* The rows one sequencer would have appended, from index first on. */
static void
append_pg(const char *url, uint64_t first, uint64_t n, const uint8_t device[32])
{
	PGconn *c = pg_connect(url);
	struct pgcopy log, rcpt;
	uint8_t env[ENV_LEN], id[32];
	int64_t t = now_ms();
	char sql[200];

	if (c == NULL || pg_script(c, "BEGIN") != 0)
		die("database");
	pgcopy_init(&log, 8);
	pgcopy_init(&rcpt, 2);
	for (uint64_t i = first; i < first + n; i++) {
		randombytes_buf(env, sizeof(env));
		sha256(id, env, sizeof(env));
		pgcopy_row(&log);
		pgcopy_i64(&log, (int64_t)i);
		pgcopy_bytes(&log, id, 32);
		pgcopy_i64(&log, t + (int64_t)(i / 16));
		pgcopy_text(&log, "msg");
		pgcopy_text(&log, "XA");
		pgcopy_bytes(&log, device, 32);
		pgcopy_null(&log);
		pgcopy_bytes(&log, env, sizeof(env));
		if (i % ROUTE_EVERY == 0) {
			pgcopy_row(&rcpt);
			pgcopy_bytes(&rcpt, device, 32);
			pgcopy_i64(&rcpt, (int64_t)i);
		}
		if (log.b.len > ((size_t)16 << 20) || i + 1 == first + n) {
			if (pgcopy_send(c, "COPY log(idx, id, time, kind, state, signer,"
			    " seq, envelope) FROM STDIN (FORMAT binary)", &log) != 0 ||
			    pgcopy_send(c, "COPY rcpt(device, idx) FROM STDIN (FORMAT"
			    " binary)", &rcpt) != 0)
				die("COPY");
		}
	}
	snprintf(sql, sizeof(sql), "UPDATE seqlock SET size = %llu, last_time = %lld;"
	    " DELETE FROM tree; COMMIT", (unsigned long long)(first + n),
	    (long long)(t + (int64_t)((first + n - 1) / 16)));
	if (pg_script(c, sql) != 0)
		die("database");
	pgcopy_free(&log);
	pgcopy_free(&rcpt);
	pg_close(c);
}

static void
append_sqlite(uint64_t first, uint64_t n, const uint8_t device[32])
{
	char path[300];
	sqlite3 *db;
	sqlite3_stmt *ins, *route;
	uint8_t env[ENV_LEN], id[32];
	int64_t t = now_ms();

	snprintf(path, sizeof(path), "%s/hub.db", hubdir);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO log(idx, id, time, kind, state, signer,"
	    " seq, envelope) VALUES(?, ?, ?, 'msg', 'XA', ?, NULL, ?)", -1, &ins,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO rcpt(device, idx) VALUES(?, ?)", -1,
	    &route, NULL) != SQLITE_OK) {
		rs_seterr("%s", sqlite3_errmsg(db));
		die("hub.db");
	}
	for (uint64_t i = first; i < first + n; i++) {
		randombytes_buf(env, sizeof(env));
		sha256(id, env, sizeof(env));
		sqlite3_bind_int64(ins, 1, (int64_t)i);
		sqlite3_bind_blob(ins, 2, id, 32, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, t + (int64_t)(i / 16));
		sqlite3_bind_blob(ins, 4, device, 32, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 5, env, sizeof(env), SQLITE_STATIC);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert");
		sqlite3_reset(ins);
		if (i % ROUTE_EVERY == 0) {
			sqlite3_bind_blob(route, 1, device, 32, SQLITE_STATIC);
			sqlite3_bind_int64(route, 2, (int64_t)i);
			if (sqlite3_step(route) != SQLITE_DONE)
				die("insert");
			sqlite3_reset(route);
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(route);
	char sql[100];
	snprintf(sql, sizeof(sql), "UPDATE meta SET v = %llu WHERE k = 'size'; COMMIT",
	    (unsigned long long)(first + n));
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		die("commit");
	sqlite3_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s/tree'", hubdir);
	if (system(path) != 0)
		die("rm tree");
}

/* ---- measuring ---------------------------------------------------------------- */

static int
dbl_cmp(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static void
report(const char *what, double *ms, size_t n, const char *extra)
{
	qsort(ms, n, sizeof(*ms), dbl_cmp);
	printf("  %-22s median %7.2f ms, p95 %7.2f ms (%zu requests)%s\n", what,
	    ms[n / 2], ms[n * 95 / 100], n, extra);
}

static double
get_ms(struct http_client *c, const char *target, long want, struct buf *out)
{
	double t0 = now_s();
	long status;

	out->len = 0;
	if (http_call(c, "GET", target, NULL, NULL, 0, &status, out) != 0)
		die(target);
	if (status != want) {
		buf_cstr(out);
		rs_seterr("%s: status %ld: %.200s", target, status, (char *)out->p);
		die("request");
	}
	return (now_s() - t0) * 1000.0;
}

/* One round trip to the database, median of 200. */
static double
db_round_trip_ms(const char *url)
{
	double ms[200];

	if (url != NULL) {
		PGconn *c = pg_connect(url);
		if (c == NULL)
			die("database");
		for (int i = 0; i < 200; i++) {
			double t0 = now_s();
			if (pg_cmd(c, "SELECT 1", NULL) != 0)
				die("SELECT 1");
			ms[i] = (now_s() - t0) * 1000.0;
		}
		pg_close(c);
	} else {
		char path[300];
		uint8_t h[32];
		int fd;
		snprintf(path, sizeof(path), "%s/tree/level-00", hubdir);
		if ((fd = open(path, O_RDONLY)) < 0)
			die("level-00");
		for (int i = 0; i < 200; i++) {
			double t0 = now_s();
			if (pread(fd, h, 32, (off_t)(rnd() % 1000) * 32) != 32)
				die("pread");
			ms[i] = (now_s() - t0) * 1000.0;
		}
		close(fd);
	}
	qsort(ms, 200, sizeof(*ms), dbl_cmp);
	return ms[100];
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "db", required_argument, NULL, 'B' },
		{ "rosterd", required_argument, NULL, 'r' },
		{ "dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const char *db = NULL, *base = "/tmp";
	struct keypair *root, *dev;
	struct http_client *c;
	struct buf out = {0};
	char url[128], target[256], pub[300], *copy;
	double ms[NPROOFS], first_start, second_start, rt;
	uint64_t n = 1000000, size, records = 0;
	int ch;

	copy = xstrdup(argv[0]);
	snprintf(rosterd, sizeof(rosterd), "%s/../rosterd", dirname(copy));
	free(copy);
	while ((ch = getopt_long(argc, argv, "n:", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'B': db = optarg; break;
		case 'r': snprintf(rosterd, sizeof(rosterd), "%s", optarg); break;
		case 'D': base = optarg; break;
		default:
			fprintf(stderr, "usage: bench_scale [--db URL] [-n LEAVES] "
			    "[--rosterd PATH] [--dir BASE]\n");
			return 2;
		}
	}
	if (sodium_init() < 0 || n < 1000)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	snprintf(hubdir, sizeof(hubdir), "%s/roster-scale-XXXXXX", base);
	if (mkdtemp(hubdir) == NULL)
		die("mkdtemp");
	strcat(hubdir, "/hub");
	{
		char *init[] = { rosterd, "init", hubdir, "--name", "scale hub",
		    db ? "--db" : NULL, (char *)db, NULL };
		struct hub_config cfg;
		if (run(init) != 0) {
			rs_seterr("rosterd init failed (is the database empty?)");
			die("set-up");
		}
		/* The rows appended are random bytes, not envelopes: the start-up
		 * check would (rightly) refuse them. */
		if (hub_config_read(hubdir, &cfg) != 0)
			die("hub.json");
		cfg.startup_check = 0;
		if (hub_config_write(hubdir, &cfg) != 0)
			die("hub.json");
	}
	start_hub(url, sizeof(url));
	root = keypair_new("XA", 0);
	dev = keypair_new("XA", 1);
	snprintf(pub, sizeof(pub), "%s/root.pub", hubdir);
	if (root == NULL || dev == NULL || pubfile_write(pub, KEY_ROOT, "XA", root->pk) != 0)
		die("keys");
	{
		char *admit[] = { rosterd, "admit", hubdir, "--state", "XA",
		    "--root-key", pub, NULL };
		if (run(admit) != 0)
			die("admit");
	}
	certify(url, root, dev);
	stop_hub();

	printf("bench_scale: %llu leaves on %s\n", (unsigned long long)n,
	    db != NULL ? "PostgreSQL" : "SQLite");
	fflush(stdout);
	double t0 = now_s();
	if (db != NULL)
		append_pg(db, 2, n - 2, dev->pk);
	else
		append_sqlite(2, n - 2, dev->pk);
	printf("  rows appended straight to the store in %.1f s\n", now_s() - t0);
	first_start = start_hub(url, sizeof(url));
	stop_hub();
	second_start = start_hub(url, sizeof(url));
	printf("  start:       %.1f s building the tree from %llu rows, %.2f s "
	    "with it\n", first_start, (unsigned long long)n, second_start);
	rt = db_round_trip_ms(db);
	size = n;
	if ((c = http_client_new(url)) == NULL)
		die("client");
	get_ms(c, "/v1/checkpoint", 200, &out);
	for (int i = 0; i < NPROOFS; i++) {
		snprintf(target, sizeof(target), "/v1/proof/inclusion?size=%llu&index=%llu",
		    (unsigned long long)size, (unsigned long long)(rnd() % size));
		ms[i] = get_ms(c, target, 200, &out);
	}
	report("inclusion proof:", ms, NPROOFS, "");
	for (int i = 0; i < NPROOFS; i++) {
		snprintf(target, sizeof(target), "/v1/proof/consistency?from=%llu&to=%llu",
		    (unsigned long long)(1 + rnd() % (size - 1)), (unsigned long long)size);
		ms[i] = get_ms(c, target, 200, &out);
	}
	report("consistency proof:", ms, NPROOFS, "");
	http_client_set_signer(c, dev->pk, dev->sk);
	for (int i = 0; i < NPAGES; i++) {
		snprintf(target, sizeof(target), "/v1/mail?after=%llu&limit=1000",
		    (unsigned long long)(rnd() % (size / 2)));
		ms[i] = get_ms(c, target, 200, &out);
		json_t *j = jparse(out.p, out.len);
		records += json_array_size(json_object_get(j, "records"));
		json_decref(j);
	}
	snprintf(target, sizeof(target), " (%llu records a page, each proven)",
	    (unsigned long long)(records / NPAGES));
	report("mail page:", ms, NPAGES, target);
	if (db != NULL)
		printf("  limit:       %.3f ms per database round trip (SELECT 1); a "
		    "proof makes one, a page two (its rows, then every proof's tree "
		    "entries at once)\n", rt);
	else
		printf("  limit:       %.3f ms per 32-byte pread of the tree (page "
		    "cache); a proof makes about 2 log2(N), a page that per record\n", rt);
	http_client_free(c);
	stop_hub();
	buf_free(&out);
	keypair_free(root);
	keypair_free(dev);
	*strrchr(hubdir, '/') = '\0';
	snprintf(target, sizeof(target), "rm -rf '%s'", hubdir);
	if (system(target) != 0)
		fprintf(stderr, "bench_scale: cannot remove %s\n", hubdir);
	return 0;
}
