/*
 * bench_completeness.c - what it costs a node to follow a log from zero and
 * prove it was shown every public record (docs/protocol.md section 8),
 * against what one core can do at all, measured in the same run.
 *
 * usage: bench_completeness [--records N] [--public-every K] [--dir BASE]
 *   --records N       log size (default 20000; --records 1000000 for the
 *                     big figure)
 *   --public-every K  one record in K is public (default 10)
 *
 * Set-up, with the real binaries next to this one (../rosterd, ../roster):
 * a hub (rosterd init, serve on 127.0.0.1:0), State XA's root key admitted
 * and one POC node enrolled, as tests/e2e/lib.sh does.  The hub is stopped
 * and the log grown straight in hub.db to N records as one sequencer would
 * have appended them: dense indexes, rising times, one in K a public record
 * (a real group record signed with the operator key, with its pub row,
 * redefining one of GROUP_NAMES groups), the
 * others mail rows routed to nobody (random bytes: the node never fetches
 * them, as it never fetches mail not addressed to it).  The hub rebuilds
 * both trees at its next start and signs a checkpoint over the whole log.
 * The node talks to the hub through a relay in this process that counts
 * the bytes it is sent.
 *
 * Timed: `roster sync` of the node from what enrolment left (fork/exec; CPU
 * from wait4, wall clock).  Then the log grows by 1% and a second sync
 * times the cost of one new checkpoint.
 *
 * Limit, in the same run, on one core (roster sync is single-threaded): P
 * Ed25519 verifications (one per public record), SHA-256 over every public
 * envelope twice (its id, its payload digest), and P * (ceil(log2 N) + 3)
 * tree hashes of 64 bytes (an inclusion proof into the log, the public
 * leaf and its place in the public tree), at the rates this machine
 * measures now.  Bytes: the floor is the public envelopes themselves plus
 * their index and time (16 bytes each), the least the node must be sent to
 * hold them.  The load average is printed: on a shared machine the wall
 * figure moves a lot.
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <libgen.h>
#include <math.h>
#include <netinet/in.h>
#include <poll.h>
#include <pthread.h>
#include <signal.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "envelope.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "util.h"

/* The public records redefine GROUP_NAMES groups over and over (the latest
 * record of a name wins), as a long-lived log would: 100,000 distinct groups
 * would measure the directory's linear search by name instead. */
#define GROUP_NAMES	100

static char base[256], hubdir[300], nodedir[300], rosterd[4096], roster[4096];
static pid_t hub_pid;
static _Atomic int hub_port;
static _Atomic unsigned long long relayed;	/* bytes hub -> node */
static int relay_port;

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
	fprintf(stderr, "bench_completeness: %s: %s\n", what, rs_err());
	if (hub_pid > 0)
		kill(hub_pid, SIGTERM);
	exit(1);
}

/* Runs argv (quiet); its exit status, its CPU time into ru when not NULL. */
static int
run(char *const argv[], struct rusage *ru)
{
	struct rusage dummy;
	int status;
	pid_t pid = fork();

	if (pid < 0)
		return -1;
	if (pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		dup2(fd, 1);
		dup2(fd, 2);
		prctl(PR_SET_PDEATHSIG, SIGKILL);
		execv(argv[0], argv);
		_exit(127);
	}
	while (wait4(pid, &status, 0, ru ? ru : &dummy) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

static void
must(char *const argv[])
{
	if (run(argv, NULL) != 0) {
		rs_seterr("%s %s failed", argv[0], argv[1]);
		die("set-up");
	}
}

static void
start_hub(void)
{
	char path[400];
	struct buf b = {0};
	int status;

	snprintf(path, sizeof(path), "%s/serve.url", hubdir);
	unlink(path);
	if ((hub_pid = fork()) < 0)
		die("fork");
	if (hub_pid == 0) {
		char log[400];
		snprintf(log, sizeof(log), "%s/hub.log", base);
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		dup2(fd, 1);
		dup2(fd, 2);
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
	const char *colon = strrchr((char *)b.p, ':');
	hub_port = colon != NULL ? atoi(colon + 1) : 0;
	buf_free(&b);
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

/* ---- the relay: node <-> hub, counting what the hub sends --------------- */

static void *
relay_conn(void *arg)
{
	int c = (int)(intptr_t)arg, h = socket(AF_INET, SOCK_STREAM, 0);
	struct sockaddr_in a = { .sin_family = AF_INET };
	char buf[65536];

	a.sin_port = htons((uint16_t)hub_port);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (h < 0 || connect(h, (struct sockaddr *)&a, sizeof(a)) != 0)
		goto out;
	for (;;) {
		struct pollfd p[2] = { { c, POLLIN, 0 }, { h, POLLIN, 0 } };
		if (poll(p, 2, -1) < 0 && errno != EINTR)
			break;
		if (p[0].revents) {
			ssize_t k = read(c, buf, sizeof(buf));
			if (k <= 0 || write(h, buf, (size_t)k) != k)
				break;
		}
		if (p[1].revents) {
			ssize_t k = read(h, buf, sizeof(buf));
			if (k <= 0 || write(c, buf, (size_t)k) != k)
				break;
			relayed += (unsigned long long)k;
		}
	}
out:
	if (h >= 0)
		close(h);
	close(c);
	return NULL;
}

static void *
relay_accept(void *arg)
{
	int l = (int)(intptr_t)arg;

	for (;;) {
		int c = accept(l, NULL, NULL);
		pthread_t t;
		if (c < 0)
			continue;
		if (pthread_create(&t, NULL, relay_conn, (void *)(intptr_t)c) == 0)
			pthread_detach(t);
		else
			close(c);
	}
	return NULL;
}

static void
relay_start(void)
{
	struct sockaddr_in a = { .sin_family = AF_INET };
	socklen_t len = sizeof(a);
	int l = socket(AF_INET, SOCK_STREAM, 0);
	pthread_t t;

	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (l < 0 || bind(l, (struct sockaddr *)&a, sizeof(a)) != 0 || listen(l, 64) != 0 ||
	    getsockname(l, (struct sockaddr *)&a, &len) != 0 ||
	    pthread_create(&t, NULL, relay_accept, (void *)(intptr_t)l) != 0) {
		rs_seterr("relay: %s", strerror(errno));
		die("relay");
	}
	relay_port = ntohs(a.sin_port);
}

/* ---- growing the log ----------------------------------------------------- */

struct pubstats {
	uint64_t count, bytes, payload_bytes;
};

/* Appends rows [from, to) straight to hub.db; one in every K is a group
 * record signed by op.  Then the trees are removed (rebuilt at start). */
static void
grow(uint64_t from, uint64_t to, unsigned k, const struct keypair *op,
    struct pubstats *ps)
{
	char path[400], sql[160];
	sqlite3 *db;
	sqlite3_stmt *ins, *pub, *cnt;
	uint8_t env[512], id[32];
	int64_t t, pindex;
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	t = (int64_t)ts.tv_sec * 1000 - 3600 * 1000;	/* an hour ago, rising */
	snprintf(path, sizeof(path), "%s/hub.db", hubdir);
	if (sqlite3_open(path, &db) != SQLITE_OK ||
	    sqlite3_exec(db, "BEGIN", NULL, NULL, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO log(idx, id, time, kind, state, signer,"
	    " seq, envelope) VALUES(?, ?, ?, ?, NULL, ?, NULL, ?)", -1, &ins, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "INSERT INTO pub(pindex, idx) VALUES(?, ?)", -1, &pub,
	    NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT count(*), (SELECT max(time) FROM log) FROM pub",
	    -1, &cnt, NULL) != SQLITE_OK || sqlite3_step(cnt) != SQLITE_ROW) {
		rs_seterr("%s", sqlite3_errmsg(db));
		die("hub.db");
	}
	pindex = sqlite3_column_int64(cnt, 0);
	if (sqlite3_column_int64(cnt, 1) > t)
		t = sqlite3_column_int64(cnt, 1);
	sqlite3_finalize(cnt);
	for (uint64_t i = from; i < to; i++) {
		int64_t lt = t + (int64_t)((i - from) / 16);
		struct buf b = {0};
		int public = i % k == 0;
		if (public) {
			json_t *h = json_pack("{s:s,s:I}", "kind", "group", "time", (json_int_t)lt);
			char payload[80];
			int plen = snprintf(payload, sizeof(payload),
			    "{\"name\":\"g%llu\",\"states\":[\"XA\"]}",
			    (unsigned long long)(i / k % GROUP_NAMES));
			if (env_build(&b, h, payload, (size_t)plen, op->pk, op->sk) != 0)
				die("env_build");
			json_decref(h);
			ps->count++;
			ps->bytes += b.len;
			ps->payload_bytes += (uint64_t)plen;
		} else {
			randombytes_buf(env, sizeof(env));
			b.p = env;
			b.len = sizeof(env);
		}
		sha256(id, b.p, b.len);
		sqlite3_bind_int64(ins, 1, (int64_t)i);
		sqlite3_bind_blob(ins, 2, id, 32, SQLITE_STATIC);
		sqlite3_bind_int64(ins, 3, lt);
		sqlite3_bind_text(ins, 4, public ? "group" : "msg", -1, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 5, op->pk, 32, SQLITE_STATIC);
		sqlite3_bind_blob(ins, 6, b.p, (int)b.len, SQLITE_TRANSIENT);
		if (sqlite3_step(ins) != SQLITE_DONE)
			die("insert");
		sqlite3_reset(ins);
		if (public) {
			sqlite3_bind_int64(pub, 1, pindex++);
			sqlite3_bind_int64(pub, 2, (int64_t)i);
			if (sqlite3_step(pub) != SQLITE_DONE)
				die("insert pub");
			sqlite3_reset(pub);
			buf_free(&b);
		}
	}
	sqlite3_finalize(ins);
	sqlite3_finalize(pub);
	snprintf(sql, sizeof(sql), "INSERT OR REPLACE INTO meta(k, v) VALUES('size', %llu);"
	    " COMMIT", (unsigned long long)to);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK) {
		rs_seterr("%s", sqlite3_errmsg(db));
		die("commit");
	}
	sqlite3_close(db);
	snprintf(path, sizeof(path), "rm -rf '%s/tree'", hubdir);
	if (system(path) != 0)
		die("rm tree");
}

static uint64_t
log_size(void)
{
	char path[400];
	sqlite3 *db;
	sqlite3_stmt *st;
	uint64_t n = 0;

	snprintf(path, sizeof(path), "%s/hub.db", hubdir);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM log", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

/* The node holds every public record up to size with its public place,
 * and has no alarm: else the figure is of a sync that did not do the work. */
static void
node_holds(uint64_t size, uint64_t hub_pub)
{
	char path[400];
	sqlite3 *db;
	sqlite3_stmt *st;
	int64_t held = -1, alarms = -1;

	snprintf(path, sizeof(path), "%s/node.db", nodedir);
	if (sqlite3_open(path, &db) == SQLITE_OK && sqlite3_prepare_v2(db,
	    "SELECT (SELECT count(*) FROM records WHERE pindex IS NOT NULL AND idx < ?),"
	    " (SELECT count(*) FROM alarms)", -1, &st, NULL) == SQLITE_OK) {
		sqlite3_bind_int64(st, 1, (int64_t)size);
		if (sqlite3_step(st) == SQLITE_ROW) {
			held = sqlite3_column_int64(st, 0);
			alarms = sqlite3_column_int64(st, 1);
		}
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	if (held != (int64_t)hub_pub || alarms != 0) {
		rs_seterr("the node holds %lld of the %llu public records, %lld alarms",
		    (long long)held, (unsigned long long)hub_pub, (long long)alarms);
		die("after the sync");
	}
}

static uint64_t
hub_pub_count(void)
{
	char path[400];
	sqlite3 *db;
	sqlite3_stmt *st;
	uint64_t n = 0;

	snprintf(path, sizeof(path), "%s/hub.db", hubdir);
	if (sqlite3_open(path, &db) == SQLITE_OK &&
	    sqlite3_prepare_v2(db, "SELECT count(*) FROM pub", -1, &st, NULL) == SQLITE_OK) {
		if (sqlite3_step(st) == SQLITE_ROW)
			n = (uint64_t)sqlite3_column_int64(st, 0);
		sqlite3_finalize(st);
	}
	sqlite3_close(db);
	return n;
}

/* ---- the limit ----------------------------------------------------------- */

static double
verify_rate(const struct keypair *op)
{
	uint8_t m[200], sig[64];
	double t0;
	long n = 0;

	randombytes_buf(m, sizeof(m));
	crypto_sign_detached(sig, NULL, m, sizeof(m), op->sk);
	t0 = now_s();
	do {
		for (int i = 0; i < 100; i++)
			if (crypto_sign_verify_detached(sig, m, sizeof(m), op->pk) != 0)
				die("verify");
		n += 100;
	} while (now_s() - t0 < 0.5);
	return (double)n / (now_s() - t0);
}

/* SHA-256 bytes/s on len-byte inputs. */
static double
sha_rate(size_t len)
{
	uint8_t in[4096], out[32];
	double t0;
	long n = 0;

	randombytes_buf(in, sizeof(in));
	t0 = now_s();
	do {
		for (int i = 0; i < 1000; i++) {
			crypto_hash_sha256(out, in, len);
			in[0] ^= out[0];
		}
		n += 1000;
	} while (now_s() - t0 < 0.3);
	return (double)n * (double)len / (now_s() - t0);
}

/* ---- the sync ------------------------------------------------------------ */

static void
timed_sync(const char *what, const struct pubstats *ps, uint64_t size, double vrate,
    double brate, double hrate)
{
	char *sync[] = { roster, "sync", "--dir", nodedir, NULL };
	struct rusage ru;
	unsigned long long before = relayed;
	double t0 = now_s(), wall, cpu, bound, floor_b, la[3] = {0};
	int rc = run(sync, &ru);

	wall = now_s() - t0;
	if (rc != 0) {
		rs_seterr("roster sync exited %d", rc);
		die(what);
	}
	cpu = (double)ru.ru_utime.tv_sec + ru.ru_utime.tv_usec / 1e6 +
	    (double)ru.ru_stime.tv_sec + ru.ru_stime.tv_usec / 1e6;
	bound = (double)ps->count / vrate + 2.0 * (double)ps->bytes / brate +
	    (double)ps->count * (ceil(log2((double)size)) + 3) * 64.0 / hrate;
	floor_b = (double)ps->bytes + 16.0 * (double)ps->count;
	getloadavg(la, 3);
	printf("  %s: %llu public records of %llu\n", what, (unsigned long long)ps->count,
	    (unsigned long long)size);
	printf("    cpu %.2f s, wall %.2f s (load average %.2f)\n", cpu, wall, la[0]);
	printf("    limit %.3f s of one core's crypto; ratio %.3f (limit / cpu), 1 core\n",
	    bound, bound / cpu);
	printf("    bytes sent to the node %llu, floor %.0f; ratio %.2f (floor / sent)\n",
	    relayed - before, floor_b, floor_b / (double)(relayed - before));
	fflush(stdout);
	node_holds(size, hub_pub_count());
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "records", required_argument, NULL, 'n' },
		{ "public-every", required_argument, NULL, 'k' },
		{ "dir", required_argument, NULL, 'D' },
		{ NULL, 0, NULL, 0 }
	};
	const char *where = "/tmp";
	uint64_t n = 20000, size, more;
	unsigned k = 10;
	struct keypair *op;
	struct pubstats first = {0}, second = {0};
	char url[64], root[400], pubk[400], req[400], cert[400], *copy;
	double vrate, brate, hrate;
	int ch;

	copy = xstrdup(argv[0]);
	const char *bindir = dirname(copy);
	snprintf(rosterd, sizeof(rosterd), "%.4000s/../rosterd", bindir);
	snprintf(roster, sizeof(roster), "%.4000s/../roster", bindir);
	free(copy);
	while ((ch = getopt_long(argc, argv, "", lo, NULL)) != -1) {
		switch (ch) {
		case 'n': n = strtoull(optarg, NULL, 10); break;
		case 'k': k = (unsigned)strtoul(optarg, NULL, 10); break;
		case 'D': where = optarg; break;
		default:
			fprintf(stderr, "usage: bench_completeness [--records N] "
			    "[--public-every K] [--dir BASE]\n");
			return 2;
		}
	}
	if (sodium_init() < 0 || n < 100 || k < 1)
		return 2;
	signal(SIGPIPE, SIG_IGN);
	setenv("ROSTER_PASSPHRASE", "bench completeness passphrase", 1);
	unsetenv("ROSTER_NODE_DIR");
	unsetenv("ROSTER_HUB_DIR");
	snprintf(base, sizeof(base), "%s/roster-complete-XXXXXX", where);
	if (mkdtemp(base) == NULL)
		die("mkdtemp");
	snprintf(hubdir, sizeof(hubdir), "%s/hub", base);
	snprintf(nodedir, sizeof(nodedir), "%s/node", base);
	snprintf(root, sizeof(root), "%s/XA.root", base);
	snprintf(pubk, sizeof(pubk), "%s/XA.root.pub", base);
	snprintf(req, sizeof(req), "%s/request.json", nodedir);
	snprintf(cert, sizeof(cert), "%s/request.cert", nodedir);
	{
		char *init[] = { rosterd, "init", hubdir, "--name", "bench", NULL };
		struct hub_config cfg;
		must(init);
		/* the mail rows are random bytes: the start-up check would refuse them */
		if (hub_config_read(hubdir, &cfg) != 0)
			die("hub.json");
		cfg.startup_check = 0;
		if (hub_config_write(hubdir, &cfg) != 0)
			die("hub.json");
	}
	relay_start();
	start_hub();
	snprintf(url, sizeof(url), "http://127.0.0.1:%d", relay_port);
	{
		char *keygen[] = { roster, "keygen", "--state", "XA", "--out", root, NULL };
		char *admit[] = { rosterd, "admit", hubdir, "--state", "XA", "--root-key",
		    pubk, NULL };
		char *init[] = { roster, "init", "--dir", nodedir, "--hub", url, "--state",
		    "XA", "--role", "technical", "--name", "POC XA", "--email",
		    "poc@xa.example", "--lang", "en", NULL };
		char *certify[] = { roster, "certify", "--root", root, req, NULL };
		char *enroll[] = { roster, "enroll", "--dir", nodedir, cert, NULL };
		must(keygen);
		must(admit);
		must(init);
		must(certify);
		must(enroll);
	}
	stop_hub();
	if ((op = operator_key_read(hubdir)) == NULL)
		die("operator key");
	size = log_size();
	printf("bench_completeness: a node following a log of %llu records, one in %u "
	    "public\n", (unsigned long long)n, k);
	double t0 = now_s();
	grow(size, n, k, op, &first);
	printf("  log grown in hub.db in %.1f s\n", now_s() - t0);
	t0 = now_s();
	start_hub();
	printf("  hub start (trees rebuilt from the rows): %.1f s\n", now_s() - t0);
	vrate = verify_rate(op);
	brate = sha_rate(256);
	hrate = sha_rate(64);
	printf("  this machine now: %.0f Ed25519 verifies/s, SHA-256 %.0f MB/s on 256 B,"
	    " %.0f MB/s on 64 B (one core)\n", vrate, brate / 1e6, hrate / 1e6);
	timed_sync("from zero", &first, n, vrate, brate, hrate);
	stop_hub();
	more = n / 100 > 100 ? n / 100 : 100;
	grow(n, n + more, k, op, &second);
	start_hub();
	timed_sync("one new checkpoint (the log 1% longer)", &second, n + more, vrate, brate,
	    hrate);
	{
		struct pubstats none = {0};
		timed_sync("nothing new (the fixed cost of a pass: start, key unlock)", &none,
		    n + more, vrate, brate, hrate);
	}
	stop_hub();
	keypair_free(op);
	{
		char rm[400];
		snprintf(rm, sizeof(rm), "rm -rf '%s'", base);
		if (system(rm) != 0)
			return 1;
	}
	return 0;
}
