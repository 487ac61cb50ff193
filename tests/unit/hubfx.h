/*
 * hubfx.h - the fixture of the hub tests (test_hub.c, test_public.c,
 * test_limits.c): a fresh hub for each test, "rosterd serve" as a child
 * process on 127.0.0.1:0 in a temporary HUBDIR, a State XA admitted through
 * the CLI while the hub serves, and NDEV certified devices; helpers to make,
 * post and check envelopes and listings as a node would.  Header-only, so
 * that every unit test stays a single .c file; not every test uses every
 * helper.
 *
 * The binary is found next to the test's build directory
 * ($(BUILD)/tests/test_X -> $(BUILD)/rosterd), or in $ROSTERD.
 */
#ifndef ROSTER_TEST_HUBFX_H
#define ROSTER_TEST_HUBFX_H

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <poll.h>
#include <sys/socket.h>
#include <libgen.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>
#include <sqlite3.h>

#include "checkrec.h"
#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "statement.h"
#include "util.h"

#pragma GCC diagnostic push
#pragma GCC diagnostic ignored "-Wunused-function"

#define NDEV 3

static char rosterd[4096];

struct dev {
	struct keypair *k;
	int64_t seq;
	uint8_t last[32];
};

struct hubfx {
	char dir[64];
	pid_t pid;
	char url[128];
	struct http_client *c;
	uint8_t op[32];
	struct keypair *root;
	struct dev dev[NDEV];
	struct buf receipts;	/* one receipt JSON per line */
};

/* ---- processes ------------------------------------------------------------- */

/* Under ASan/UBSan the children report to stderr: make that a failure. */
static void
no_sanitizer_report(const char *text, const char *what)
{
	if (strstr(text, "Sanitizer") != NULL || strstr(text, "runtime error") != NULL) {
		fprintf(stderr, "rosterd %s:\n%s\n", what, text);
		fail_msg("rosterd %s reported a sanitizer error", what);
	}
}

/* Runs rosterd with args (NULL-terminated); stdout+stderr into out. */
static int
run(struct buf *out, ...)
{
	char *argv[16];
	int n = 0, p[2], status;
	va_list ap;
	pid_t pid;

	argv[n++] = rosterd;
	va_start(ap, out);
	while (n < 15 && (argv[n] = va_arg(ap, char *)) != NULL)
		n++;
	va_end(ap);
	argv[n] = NULL;
	assert_int_equal(pipe(p), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		close(p[0]);
		close(p[1]);
		execv(rosterd, argv);
		_exit(127);
	}
	close(p[1]);
	for (;;) {
		char tmp[4096];
		ssize_t r = read(p[0], tmp, sizeof(tmp));
		if (r < 0 && errno == EINTR)
			continue;
		if (r <= 0)
			break;
		if (out != NULL)
			buf_add(out, tmp, (size_t)r);
	}
	close(p[0]);
	assert_int_equal(waitpid(pid, &status, 0), pid);
	if (out != NULL) {
		buf_cstr(out);
		no_sanitizer_report((char *)out->p, argv[1]);
	}
	return WIFEXITED(status) ? WEXITSTATUS(status) : 128;
}

static void
sleep_ms(int ms)
{
	struct timespec ts = { ms / 1000, (long)(ms % 1000) * 1000000L };

	nanosleep(&ts, NULL);
}

static void hub_start_limited(struct hubfx *f, long fsize);

static void
hub_start(struct hubfx *f)
{
	hub_start_limited(f, 0);
}

/* Starts the hub; with fsize > 0, no file it writes may grow past fsize
 * bytes (RLIMIT_FSIZE, SIGXFSZ ignored): a full disk, on demand. */
static void
hub_start_limited(struct hubfx *f, long fsize)
{
	char urlpath[128], errlog[128];
	struct buf b = {0};

	snprintf(errlog, sizeof(errlog), "%s/serve.err", f->dir);

	snprintf(urlpath, sizeof(urlpath), "%s/serve.url", f->dir);
	unlink(urlpath);
	f->pid = fork();
	assert_true(f->pid >= 0);
	if (f->pid == 0) {
		int fd = open("/dev/null", O_WRONLY);
		int efd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(fd, 1);
		dup2(efd, 2);
		if (fsize > 0) {
			struct rlimit rl = { (rlim_t)fsize, (rlim_t)fsize };
			signal(SIGXFSZ, SIG_IGN);
			setrlimit(RLIMIT_FSIZE, &rl);
		}
		execl(rosterd, rosterd, "serve", f->dir, "--listen", "127.0.0.1:0",
		    (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 1000; i++) {
		if (read_file(urlpath, &b, 1024) == 0 && b.len > 0 &&
		    b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		sleep_ms(10);
	}
	assert_true(b.len > 8);
	snprintf(f->url, sizeof(f->url), "%.*s", (int)b.len - 1, (char *)b.p);
	buf_free(&b);
	f->c = http_client_new(f->url);
	assert_non_null(f->c);
}

static void
hub_stop(struct hubfx *f)
{
	char errlog[128];
	struct buf err = {0};
	int status;

	http_client_free(f->c);
	f->c = NULL;
	if (f->pid <= 0)
		return;
	kill(f->pid, SIGTERM);
	assert_int_equal(waitpid(f->pid, &status, 0), f->pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	f->pid = 0;
	snprintf(errlog, sizeof(errlog), "%s/serve.err", f->dir);
	assert_int_equal(read_file(errlog, &err, 1 << 20), 0);
	no_sanitizer_report(buf_cstr(&err), "serve");
	buf_free(&err);
}

/* ---- envelopes ------------------------------------------------------------- */

static void
build(struct buf *out, json_t *hdr, json_t *payload, const struct keypair *k)
{
	char *p = jdump(payload);

	assert_int_equal(env_build(out, hdr, p, strlen(p), k->pk, k->sk), 0);
	free(p);
	json_decref(hdr);
	json_decref(payload);
}

/* expires: the certificate's "expires" (ms), or 0 for none. */
static void
make_cert_until(struct buf *out, const struct keypair *root,
    const struct keypair *d, int64_t expires)
{
	struct buf pop = {0};
	uint8_t sig[64];
	json_t *p;

	dir_pop_message(&pop, "XA", d->pk, d->box_pk);
	crypto_sign_detached(sig, NULL, pop.p, pop.len, d->sk);
	buf_free(&pop);
	p = json_pack("{s:s, s:o, s:o, s:s, s:s, s:s, s:[s], s:I, s:o}",
	    "state", "XA", "device", jhex(d->pk, 32), "box_key", jhex(d->box_pk, 32),
	    "role", "technical", "name", "POC", "email", "poc@example.org",
	    "languages", "en", "issued", (json_int_t)now_ms(), "pop", jb64(sig, 64));
	if (expires != 0)
		json_object_set_new(p, "expires", json_integer(expires));
	build(out, json_pack("{s:s, s:s}", "kind", "cert", "state", "XA"), p, root);
}

static void
make_cert(struct buf *out, const struct keypair *root, const struct keypair *d)
{
	make_cert_until(out, root, d, 0);
}

/* A msg from device i to device j with an explicit seq and prev. */
static void
make_msg_raw(struct buf *out, struct hubfx *f, int i, int j, int64_t seq,
    const uint8_t *prev, const char *kind)
{
	json_t *h = json_pack("{s:s, s:s, s:I, s:[s], s:[o], s:s}", "kind", kind,
	    "state", "XA", "seq", (json_int_t)seq, "to", "XA", "rcpt",
	    jhex(f->dev[j].k->pk, 32), "urgency", "routine");
	char *p;

	if (prev != NULL)
		json_object_set_new(h, "prev", jhex(prev, 32));
	p = xstrdup("RSP1 ciphertext stand-in");
	assert_int_equal(env_build(out, h, p, strlen(p), f->dev[i].k->pk,
	    f->dev[i].k->sk), 0);
	free(p);
	json_decref(h);
}

/* The next msg in device i's chain (does not advance it: see advance). */
static void
make_msg(struct buf *out, struct hubfx *f, int i, int j)
{
	make_msg_raw(out, f, i, j, f->dev[i].seq + 1,
	    f->dev[i].seq > 0 ? f->dev[i].last : NULL, "msg");
}

static void
advance(struct hubfx *f, int i, const struct buf *env)
{
	f->dev[i].seq++;
	sha256(f->dev[i].last, env->p, env->len);
}

/* POSTs a body; returns the status and the parsed answer. */
static long
post(struct hubfx *f, const void *body, size_t len, json_t **ans)
{
	struct buf out = {0};
	long status = 0;

	assert_int_equal(http_call(f->c, "POST", "/v1/envelopes",
	    "application/octet-stream", body, len, &status, &out), 0);
	*ans = jparse(out.p, out.len);
	assert_non_null(*ans);
	buf_free(&out);
	return status;
}

static long
get(struct hubfx *f, const char *target, json_t **ans)
{
	struct buf out = {0};
	long status = 0;

	assert_int_equal(http_call(f->c, "GET", target, NULL, NULL, 0, &status,
	    &out), 0);
	*ans = jparse(out.p, out.len);
	assert_non_null(*ans);
	buf_free(&out);
	return status;
}

/* Checks a receipt against the operator key and the envelope; records it. */
static uint64_t
check_receipt(struct hubfx *f, json_t *rj, const struct buf *env)
{
	struct receipt r;
	uint8_t id[32];
	char *line;

	assert_int_equal(receipt_from_json(&r, rj), 0);
	assert_int_equal(receipt_verify(&r, f->op), 0);
	sha256(id, env->p, env->len);
	assert_memory_equal(id, r.id, 32);
	line = jdump(rj);
	buf_printf(&f->receipts, "%s\n", line);
	free(line);
	return r.index;
}

/* POSTs one envelope expecting acceptance; returns its log index. */
static uint64_t
accept_one(struct hubfx *f, const struct buf *env)
{
	json_t *ans, *r;
	uint64_t idx;
	long st = post(f, env->p, env->len, &ans);

	if (st != 200)
		fprintf(stderr, "refused: %s\n", jstr(ans, "error"));
	assert_int_equal(st, 200);
	r = json_object_get(json_array_get(json_object_get(ans, "results"), 0),
	    "receipt");
	idx = check_receipt(f, r, env);
	json_decref(ans);
	return idx;
}

/* POSTs one envelope expecting refusal with status; returns the answer. */
static json_t *
refuse_one(struct hubfx *f, const struct buf *env, long want)
{
	json_t *ans;
	long st = post(f, env->p, env->len, &ans);

	if (st != want)
		fprintf(stderr, "status %ld, wanted %ld: %s\n", st, want,
		    jstr(ans, "error"));
	assert_int_equal(st, want);
	assert_non_null(jstr(ans, "error"));
	return ans;
}

static void
send_msg(struct hubfx *f, int i, int j)
{
	struct buf m = {0};

	make_msg(&m, f, i, j);
	accept_one(f, &m);
	advance(f, i, &m);
	buf_free(&m);
}

/* ---- fixture ------------------------------------------------------------------ */

static int
setup(void **state)
{
	struct hubfx *f = xcalloc(1, sizeof(*f));
	char path[128], st[3];
	struct buf out = {0};

	snprintf(f->dir, sizeof(f->dir), "/tmp/roster-test-hub-XXXXXX");
	assert_non_null(mkdtemp(f->dir));
	assert_int_equal(run(&out, "init", f->dir, "--name", "Test hub", NULL), 0);
	assert_non_null(strstr((char *)out.p, "operator key fingerprint: "));
	buf_free(&out);
	snprintf(path, sizeof(path), "%s/operator.pub", f->dir);
	assert_int_equal(pubfile_read(path, KEY_OPERATOR, st, f->op), 0);
	hub_start(f);

	f->root = keypair_new("XA", 0);
	snprintf(path, sizeof(path), "%s/root.pub", f->dir);
	assert_int_equal(pubfile_write(path, KEY_ROOT, "XA", f->root->pk), 0);
	assert_int_equal(run(&out, "admit", f->dir, "--state", "XA", "--root-key",
	    path, "--name", "Xanadu", NULL), 0);
	assert_non_null(strstr((char *)out.p, "at log index 0"));
	buf_free(&out);
	for (int i = 0; i < NDEV; i++) {
		struct buf c = {0};
		f->dev[i].k = keypair_new("XA", 1);
		make_cert(&c, f->root, f->dev[i].k);
		assert_int_equal(accept_one(f, &c), (uint64_t)i + 1);
		buf_free(&c);
	}
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct hubfx *f = *state;
	char cmd[160];

	hub_stop(f);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", f->dir);
	if (system(cmd) != 0)
		fprintf(stderr, "cannot remove %s\n", f->dir);
	keypair_free(f->root);
	for (int i = 0; i < NDEV; i++)
		keypair_free(f->dev[i].k);
	buf_free(&f->receipts);
	free(f);
	return 0;
}

static void
write_receipts(struct hubfx *f, char *path, size_t len)
{
	snprintf(path, len, "%s/receipts.jsonl", f->dir);
	assert_int_equal(write_file_atomic(path, f->receipts.p, f->receipts.len,
	    0600), 0);
}

/* Every record of a listing proves against the listing's checkpoint. */
static size_t
check_listing(struct hubfx *f, json_t *ans)
{
	struct checkpoint cp;
	json_t *recs = json_object_get(ans, "records"), *r;
	size_t i;

	assert_int_equal(checkpoint_from_json(&cp, json_object_get(ans, "checkpoint"),
	    f->op), 0);
	assert_string_equal(cp.origin, "Test hub");
	json_array_foreach(recs, i, r) {
		struct buf env = {0}, pb = {0};
		uint8_t proof[MERKLE_MAX_PROOF][32], id[32], leaf[32];
		json_t *p = json_object_get(r, "proof"), *v;
		size_t k, np = 0;
		int64_t idx, t;

		assert_int_equal(jb64_req(r, "envelope", &env), 0);
		assert_int_equal(jint_req(r, "index", &idx), 0);
		assert_int_equal(jint_req(r, "time", &t), 0);
		assert_true((uint64_t)idx < cp.size);
		json_array_foreach(p, k, v) {
			buf_free(&pb);
			assert_int_equal(b64_decode(&pb, json_string_value(v),
			    strlen(json_string_value(v))), 0);
			assert_int_equal(pb.len, 32);
			memcpy(proof[np++], pb.p, 32);
		}
		sha256(id, env.p, env.len);
		env_leaf_hash(leaf, id, t);
		assert_int_equal(merkle_verify_inclusion((uint64_t)idx, cp.size, leaf,
		    (const uint8_t (*)[32])proof, np, cp.root), 0);
		buf_free(&env);
		buf_free(&pb);
	}
	checkpoint_free(&cp);
	return json_array_size(recs);
}

static long
get_mail(struct hubfx *f, const struct keypair *k, json_t **ans)
{
	long st;

	if (k != NULL)
		http_client_set_signer(f->c, k->pk, k->sk);
	st = get(f, "/v1/mail?after=-1", ans);
	http_client_set_signer(f->c, NULL, NULL);
	return st;
}

/* The next envelope of device i's chain with header h (stolen). */
static void
make_chained(struct buf *out, struct hubfx *f, int i, json_t *h, const char *payload)
{
	json_object_set_new(h, "state", json_string("XA"));
	json_object_set_new(h, "seq", json_integer(f->dev[i].seq + 1));
	if (f->dev[i].seq > 0)
		json_object_set_new(h, "prev", jhex(f->dev[i].last, 32));
	assert_int_equal(env_build(out, h, payload, strlen(payload), f->dev[i].k->pk,
	    f->dev[i].k->sk), 0);
	json_decref(h);
}

/* The hub (stopped) refuses to start: "rosterd serve" exits non-zero within
 * 60 s, its output naming needle. */
static void
serve_refuses(struct hubfx *f, const char *needle)
{
	char errlog[128];
	struct buf err = {0};
	int status = 0, i;
	pid_t pid;

	snprintf(errlog, sizeof(errlog), "%s/refused.err", f->dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int efd = open(errlog, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		dup2(efd, 1);
		dup2(efd, 2);
		execl(rosterd, rosterd, "serve", f->dir, "--listen", "127.0.0.1:0",
		    (char *)NULL);
		_exit(127);
	}
	for (i = 0; i < 6000; i++) {
		if (waitpid(pid, &status, WNOHANG) == pid)
			break;
		sleep_ms(10);
	}
	if (i == 6000) {
		kill(pid, SIGKILL);
		waitpid(pid, &status, 0);
		fail_msg("the hub started; it should have refused (%s)", needle);
	}
	assert_int_equal(read_file(errlog, &err, 1 << 20), 0);
	no_sanitizer_report(buf_cstr(&err), "serve");
	if (!WIFEXITED(status) || WEXITSTATUS(status) == 0 ||
	    strstr(buf_cstr(&err), needle) == NULL)
		fail_msg("rosterd serve exited %d, output \"%s\", expected a refusal "
		    "naming \"%s\"", WIFEXITED(status) ? WEXITSTATUS(status) : -1,
		    buf_cstr(&err), needle);
	buf_free(&err);
}

/* Sets key of the (stopped) hub's hub.json to the integer v. */
static void
hub_config_set(struct hubfx *f, const char *key, json_int_t v)
{
	char path[128];
	struct buf b = {0};
	json_t *j;
	char *t;

	snprintf(path, sizeof(path), "%s/hub.json", f->dir);
	assert_int_equal(read_file(path, &b, 65536), 0);
	assert_non_null(j = jparse(b.p, b.len));
	json_object_set_new(j, key, json_integer(v));
	t = jdump(j);
	assert_int_equal(write_file_atomic(path, t, strlen(t), 0600), 0);
	free(t);
	json_decref(j);
	buf_free(&b);
}

/* Runs sql on the stopped hub's database, as an operator with a shell
 * would. */
static void
hub_sql(struct hubfx *f, const char *sql)
{
	char path[128];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	if (sqlite3_exec(db, sql, NULL, NULL, NULL) != SQLITE_OK)
		fail_msg("%s: %s", sql, sqlite3_errmsg(db));
	sqlite3_close(db);
}

/* Sets the id column of log row idx to the SHA-256 of its envelope, as an
 * operator covering up an edit would. */
static void
hub_rehash_id(struct hubfx *f, int64_t idx)
{
	char path[128];
	uint8_t id[32];
	sqlite3_stmt *st;
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/hub.db", f->dir);
	assert_int_equal(sqlite3_open(path, &db), SQLITE_OK);
	assert_int_equal(sqlite3_prepare_v2(db, "SELECT envelope FROM log WHERE idx = ?",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_int64(st, 1, idx);
	assert_int_equal(sqlite3_step(st), SQLITE_ROW);
	sha256(id, sqlite3_column_blob(st, 0), (size_t)sqlite3_column_bytes(st, 0));
	sqlite3_finalize(st);
	assert_int_equal(sqlite3_prepare_v2(db, "UPDATE log SET id = ? WHERE idx = ?",
	    -1, &st, NULL), SQLITE_OK);
	sqlite3_bind_blob(st, 1, id, 32, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, idx);
	assert_int_equal(sqlite3_step(st), SQLITE_DONE);
	sqlite3_finalize(st);
	sqlite3_close(db);
}

/* The hub's stderr since it last started. */
static void
hub_stderr(struct hubfx *f, struct buf *out)
{
	char errlog[128];

	snprintf(errlog, sizeof(errlog), "%s/serve.err", f->dir);
	buf_free(out);
	assert_int_equal(read_file(errlog, out, 1 << 20), 0);
	buf_cstr(out);
}

/* A TCP connection to the hub (127.0.0.1 and the port of its URL). */
static int
hub_connect(struct hubfx *f)
{
	struct sockaddr_in a;
	const char *port = strrchr(f->url, ':');
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0 && port != NULL);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(port + 1));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* The same from another loopback address (127.0.0.N), so that the hub sees
 * another client. */
static int
hub_connect_from(struct hubfx *f, int n)
{
	struct sockaddr_in a, me;
	const char *port = strrchr(f->url, ':');
	int fd = socket(AF_INET, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0 && port != NULL);
	memset(&me, 0, sizeof(me));
	me.sin_family = AF_INET;
	me.sin_addr.s_addr = htonl(INADDR_LOOPBACK + (uint32_t)n - 1);
	assert_int_equal(bind(fd, (struct sockaddr *)&me, sizeof(me)), 0);
	memset(&a, 0, sizeof(a));
	a.sin_family = AF_INET;
	a.sin_port = htons((uint16_t)atoi(port + 1));
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	if (connect(fd, (struct sockaddr *)&a, sizeof(a)) != 0) {
		close(fd);
		return -1;
	}
	return fd;
}

/* Reads what the peer sends until it closes or timeout_ms pass in silence. */
static void
read_until_close(int fd, struct buf *out, int timeout_ms)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };
	char tmp[65536];
	ssize_t n;

	while (poll(&p, 1, timeout_ms) > 0) {
		n = read(fd, tmp, sizeof(tmp));
		if (n <= 0)
			break;
		buf_add(out, tmp, (size_t)n);
	}
	buf_cstr(out);
}

/* Sends raw bytes as one request on a new connection; the whole answer,
 * headers and body, into out.  The status, or -1 when none came. */
static int
raw_http(struct hubfx *f, const void *req, size_t len, struct buf *out)
{
	int fd = hub_connect(f), status = -1;
	const uint8_t *p = req;

	assert_true(fd >= 0);
	while (len > 0) {
		ssize_t n = write(fd, p, len);
		if (n <= 0)
			break;
		p += n;
		len -= (size_t)n;
	}
	shutdown(fd, SHUT_WR);
	read_until_close(fd, out, 10000);
	close(fd);
	if (out->len > 12 && sscanf((char *)out->p, "HTTP/1.%*d %d", &status) != 1)
		status = -1;
	return status;
}

/* Finds rosterd (beside argv0's directory, or $ROSTERD); 0 when found. */
static int
hubfx_init(const char *argv0)
{
	const char *env = getenv("ROSTERD");
	char *copy;

	if (sodium_init() < 0)
		return -1;
	if (env != NULL)
		snprintf(rosterd, sizeof(rosterd), "%s", env);
	else {
		copy = xstrdup(argv0);
		snprintf(rosterd, sizeof(rosterd), "%s/../rosterd", dirname(copy));
		free(copy);
	}
	if (access(rosterd, X_OK) != 0) {
		fprintf(stderr, "%s: %s not found (build it, or set ROSTERD)\n",
		    argv0, rosterd);
		return -1;
	}
	signal(SIGPIPE, SIG_IGN);
	return 0;
}

#pragma GCC diagnostic pop

#endif
