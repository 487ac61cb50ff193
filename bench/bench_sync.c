/*
 * bench_sync.c - how fast a node takes in its mail, against what one core
 * can do at all.
 *
 * `roster sync` is single-threaded.  For every message it fetches it checks
 * the record's inclusion proof (SHA-256 up the tree), the envelope id and
 * payload digest (SHA-256), the signature (Ed25519 verify), the directory
 * rules and the sender's sequence, opens the content key (sealed box) and
 * the body (XChaCha20-Poly1305), stores both, and signs a "delivered"
 * acknowledgement (sealed to the sender, Ed25519 signed) which it submits at
 * the end of the pass, verifying the hub's receipt for each.  So the
 * physical limit of a sync is the rate at which one core does that
 * cryptography; everything else (HTTP, JSON, base64, SQLite, the hub's side)
 * is overhead this benchmark makes visible as a ratio.
 *
 * Set-up, all with the real binaries in a temporary directory: a hub
 * ("rosterd init", "rosterd serve" on 127.0.0.1:0), States XA and XB each
 * with a root key ("roster keygen", "rosterd admit") and one enrolled POC
 * node ("roster init", "certify", "enroll"), as tests/e2e/lib.sh does.  XB's
 * node syncs once (directory, first checkpoint), then once more with nothing
 * new: that second run is timed as the fixed cost of a pass (process start,
 * Argon2id unlock of the device key, a few requests).
 *
 * N messages from XA to XB are then made in this process, exactly as
 * node/core/message.c and ack.c make them (sealed to XB's device as XB's request.json names
 * it, signed with XA's device key read from its key file, continuing XA's
 * seq/prev chain), and POSTed in batches of 1000; every one must get a
 * receipt.  The bench then fetches XB's mail itself, signed as XB, to time
 * the hub's side of a page apart (and to keep a sample of real records for
 * the limit).  Then "roster sync --dir XB" is timed (wall clock, fork/exec,
 * and its CPU time from wait4).  The acknowledgements it stores carry their
 * signing time ("created"), which splits the pass into start-up, receiving
 * (fetch, verify, decrypt, store, sign the ack) and submitting the acks,
 * with no instrumentation of the node.  Afterwards XB's node.db must hold
 * the N messages and N acks with receipts.
 *
 * Measured in the same run, on one core: the receive-side crypto per record
 * (on a sample of the real records, with their real proofs: SHA-256 of the
 * envelope, its payload and the proof path, Ed25519 verify, sealed-box open,
 * XChaCha20-Poly1305 decrypt), the same plus the acknowledgement's crypto
 * (seal, encrypt, sign, verify the receipt), and the fdatasync rate of the
 * temporary file system (every commit of the node's store costs at least
 * one).  The load average is printed too: on a shared machine the waiting
 * part of the figure moves a lot.
 *
 * usage: bench_sync [-n N] [--rosterd PATH] [--roster PATH] [--dir BASE]
 *                   [--wrap "CMD ARGS"] [--keep]
 *   -n N      messages (default 20000)
 *   --wrap    prefix for the timed sync, e.g. --wrap "perf record -g -o p.data"
 *   --keep    leave the temporary directory (the hub is stopped anyway)
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
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

#include "db.h"
#include "envelope.h"
#include "http.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "merkle.h"
#include "seal.h"
#include "statement.h"
#include "util.h"

#define BATCH		1000
#define SAMPLE		2000	/* records the limit is measured on */
#define PASSPHRASE	"correct horse battery staple"
#define SEAL_SLOT	(32 + 32 + crypto_box_SEALBYTES)
#define SEAL_NONCE	crypto_aead_xchacha20poly1305_ietf_NPUBBYTES
#define SEAL_AD		"roster-payload-v1"

struct bench_opts {
	long n;
	const char *rosterd, *roster, *base, *wrap;
	int keep;
};

/* One record of XB's mail as the hub served it, ready for the limit loop. */
struct rec {
	struct buf raw;			/* the envelope */
	size_t hoff, hlen, poff, plen;	/* header and payload within raw */
	struct buf signed_msg;		/* domain || header */
	uint64_t index;
	int64_t time;
	uint8_t (*proof)[32];
	size_t np;
};

struct mail {
	struct rec *r;
	size_t n;
	struct checkpoint cp;		/* of the last page (all pages share it) */
	size_t pages;
};

/* Times of the timed sync, ms since the epoch (the node's clock is ours),
 * and the CPU seconds it used. */
struct phases {
	int64_t start, first_ack, last_ack, end;
	double user, sys;
};

static char tmpdir[512];
static pid_t hub_pid;
static int keep_dir;

/* ---- small things ----------------------------------------------------- */

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
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

	if (hub_pid <= 0)
		return;
	if (kill(hub_pid, SIGTERM) == 0)
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
		fprintf(stderr, "bench_sync: kept %s\n", tmpdir);
	else if (nftw(tmpdir, rm_entry, 16, FTW_DEPTH | FTW_PHYS) != 0)
		fprintf(stderr, "bench_sync: cannot remove %s: %s\n", tmpdir, strerror(errno));
	tmpdir[0] = '\0';
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_sync: %s: %s\n", what, rs_err());
	cleanup();
	exit(1);
}

/* Interrupted: stop the hub and remove the directory before going.  Not
 * async-signal-safe in the strict sense, but the process ends right after. */
static void
on_signal(int sig)
{
	cleanup();
	_exit(128 + sig);
}

static void
path_in(char *out, size_t len, const char *name)
{
	if ((size_t)snprintf(out, len, "%s/%s", tmpdir, name) >= len) {
		rs_seterr("path too long: %s/%s", tmpdir, name);
		die("set-up");
	}
}

/* Prints the last lines of a log file to stderr (what a failed command said). */
static void
show_tail(const char *path)
{
	struct buf b = {0};
	size_t from;

	if (read_file(path, &b, 64u << 20) != 0 || b.len == 0) {
		buf_free(&b);
		return;
	}
	from = b.len > 2000 ? b.len - 2000 : 0;
	fprintf(stderr, "--- %s (end) ---\n%.*s\n---\n", path, (int)(b.len - from),
	    (const char *)b.p + from);
	buf_free(&b);
}

/* ---- child processes ---------------------------------------------------- */

static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execvp(argv[0], argv);
		_exit(127);
	}
	if (pid < 0)
		rs_seterr("fork: %s", strerror(errno));
	return pid;
}

/* Exit status of pid (-1 if it did not exit normally); its CPU use in ru
 * when ru is not NULL. */
static int
wait_exit(pid_t pid, struct rusage *ru)
{
	struct rusage dummy;
	int status;

	while (wait4(pid, &status, 0, ru ? ru : &dummy) < 0)
		if (errno != EINTR)
			return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* Runs argv to completion with its output in DIR/setup.log; dies on failure. */
static void
must_run(char *const argv[])
{
	char log[600];
	pid_t pid;
	int rc;

	path_in(log, sizeof(log), "setup.log");
	if ((pid = spawn(argv, log)) < 0)
		die(argv[0]);
	if ((rc = wait_exit(pid, NULL)) != 0) {
		show_tail(log);
		rs_seterr("\"%s %s\" exited with %d", argv[0], argv[1], rc);
		die("set-up");
	}
}

static void
start_hub(const struct bench_opts *o, char *url, size_t len)
{
	char hub[600], urlfile[700], log[600];
	char *argv[] = { (char *)o->rosterd, "serve", hub, "--listen", "127.0.0.1:0", NULL };
	struct buf b = {0};
	int status;

	path_in(hub, sizeof(hub), "hub");
	path_in(log, sizeof(log), "hub.log");
	snprintf(urlfile, sizeof(urlfile), "%s/serve.url", hub);
	if ((hub_pid = spawn(argv, log)) < 0)
		die("rosterd serve");
	for (int i = 0; i < 3000; i++) {
		if (read_file(urlfile, &b, 1024) == 0 && b.len > 0 && b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		if (waitpid(hub_pid, &status, WNOHANG) == hub_pid) {
			hub_pid = 0;
			show_tail(log);
			rs_seterr("the hub exited");
			die("rosterd serve");
		}
		usleep(10000);
	}
	if (b.len < 8 || b.len - 1 >= len) {
		buf_free(&b);
		rs_seterr("the hub did not write %s", urlfile);
		die("rosterd serve");
	}
	snprintf(url, len, "%.*s", (int)b.len - 1, (const char *)b.p);
	buf_free(&b);
}

/* ---- the world: hub, two States, two nodes ------------------------------ */

static void
make_state(const struct bench_opts *o, const char *s, const char *url)
{
	char root[600], pub[700], hub[600], node[600], req[700], cert[700];
	char name[16], email[32], rname[16], nname[16];

	snprintf(rname, sizeof(rname), "%s.root", s);
	snprintf(nname, sizeof(nname), "node-%s", s);
	path_in(root, sizeof(root), rname);
	path_in(hub, sizeof(hub), "hub");
	path_in(node, sizeof(node), nname);
	snprintf(pub, sizeof(pub), "%s.pub", root);
	snprintf(req, sizeof(req), "%s/request.json", node);
	snprintf(cert, sizeof(cert), "%s/request.cert", node);
	snprintf(name, sizeof(name), "POC %s", s);
	snprintf(email, sizeof(email), "poc@%c%c.example", s[0] | 0x20, s[1] | 0x20);

	char *keygen[] = { (char *)o->roster, "keygen", "--state", (char *)s, "--out", root, NULL };
	char *admit[] = { (char *)o->rosterd, "admit", hub, "--state", (char *)s,
	    "--root-key", pub, NULL };
	char *init[] = { (char *)o->roster, "init", "--dir", node, "--hub", (char *)url,
	    "--state", (char *)s, "--role", "technical", "--name", name, "--email", email,
	    "--lang", "en,fr", NULL };
	char *certify[] = { (char *)o->roster, "certify", "--root", root, req, NULL };
	char *enroll[] = { (char *)o->roster, "enroll", "--dir", node, cert, NULL };

	must_run(keygen);
	must_run(admit);
	must_run(init);
	must_run(certify);
	must_run(enroll);
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
make_world(const struct bench_opts *o, char *url, size_t len)
{
	char hub[600];
	char *init[] = { (char *)o->rosterd, "init", hub, "--name", "Bench", NULL };

	path_in(hub, sizeof(hub), "hub");
	must_run(init);
	if (unlimit_hub(hub) != 0) {
		fprintf(stderr, "bench_sync: %s\n", rs_err());
		exit(1);
	}
	start_hub(o, url, len);
	make_state(o, "XA", url);
	make_state(o, "XB", url);
}

/* Runs "roster sync --dir NODE" (prefixed by wrap, if not NULL) and returns
 * its wall-clock seconds; its output goes to DIR/LOGNAME. */
static double
timed_sync(const struct bench_opts *o, const char *node, const char *logname,
    const char *wrapper, struct phases *ph)
{
	char log[600], *argv[64], *wrap = wrapper ? xstrdup(wrapper) : NULL, *save = NULL;
	struct rusage ru;
	int n = 0, rc;
	double t0, secs;
	pid_t pid;

	for (char *w = wrap ? strtok_r(wrap, " ", &save) : NULL; w && n < 56;
	    w = strtok_r(NULL, " ", &save))
		argv[n++] = w;
	argv[n++] = (char *)o->roster;
	argv[n++] = "sync";
	argv[n++] = "--dir";
	argv[n++] = (char *)node;
	argv[n] = NULL;
	path_in(log, sizeof(log), logname);
	ph->start = now_ms();
	t0 = now_s();
	if ((pid = spawn(argv, log)) < 0)
		die("roster sync");
	rc = wait_exit(pid, &ru);
	secs = now_s() - t0;
	ph->end = now_ms();
	ph->user = (double)ru.ru_utime.tv_sec + (double)ru.ru_utime.tv_usec / 1e6;
	ph->sys = (double)ru.ru_stime.tv_sec + (double)ru.ru_stime.tv_usec / 1e6;
	free(wrap);
	if (rc != 0) {
		show_tail(log);
		rs_seterr("roster sync exited with %d", rc);
		die("roster sync");
	}
	return secs;
}

/* ---- keys and chain head -------------------------------------------------- */

static struct keypair *
device_key(const char *node)
{
	char path[700];
	struct keypair *k;

	snprintf(path, sizeof(path), "%s/device.key", node);
	if ((k = keyfile_read(path, KEY_DEVICE, PASSPHRASE)) == NULL)
		die(path);
	return k;
}

/* XB's device and box keys as its certificate request names them. */
static void
request_keys(const char *node, uint8_t dev[32], uint8_t box[32])
{
	char path[700];
	struct buf b = {0};
	json_t *j;

	snprintf(path, sizeof(path), "%s/request.json", node);
	if (read_file(path, &b, 1u << 20) != 0 || (j = jparse(b.p, b.len)) == NULL)
		die(path);
	buf_free(&b);
	if (jhex32_req(j, "device", dev) != 0 || jhex32_req(j, "box_key", box) != 0)
		die(path);
	json_decref(j);
}

/* XA's chain head: seq and prev from its node.db (none if it sent nothing). */
static void
chain_head(const char *node, int64_t *seq, char **prev)
{
	char path[700];
	sqlite3 *db;

	snprintf(path, sizeof(path), "%s/node.db", node);
	if ((db = db_open(path, NULL)) == NULL)
		die(path);
	if (db_meta_get_int(db, "seq", seq) != 0)
		*seq = 0;
	*prev = db_meta_get_text(db, "prev");
	if (*seq > 0 && (*prev == NULL || strlen(*prev) != 64)) {
		rs_seterr("seq is %lld but prev is missing", (long long)*seq);
		die(path);
	}
	db_close(db);
}

/* ---- messages from XA to XB ------------------------------------------------- */

static const char body_text[] =
    "Scanning of energy-sector hosts from 198.51.100.0/24 since 04:10 UTC; "
    "indicators attached in the next message. Please confirm receipt.";

/* Appends one msg envelope to out, as node/core/message.c builds it; updates the
 * chain (seq, prev). */
static void
add_message(struct buf *out, const struct keypair *xa, const struct seal_recipient *r,
    int64_t *seq, uint8_t prev[32], int has_prev)
{
	struct buf payload = {0};
	size_t start = out->len;
	char subject[64], *text;
	json_t *m, *hdr;
	int rc;

	snprintf(subject, sizeof(subject), "Bench message %lld", (long long)*seq + 1);
	m = json_pack("{s:s, s:s, s:s, s:s, s:I}", "subject", subject, "body", body_text,
	    "tlp", "AMBER", "lang", "en", "sent", (json_int_t)now_ms());
	text = jdump(m);
	json_decref(m);
	rc = seal_encrypt(&payload, text, strlen(text), r, 1);
	free(text);
	if (rc != 0)
		die("seal");
	hdr = json_pack("{s:s, s:[s], s:[o], s:s, s:s, s:I}", "kind", "msg", "to", "XB",
	    "rcpt", jhex(r->device, 32), "urgency", "routine", "state", "XA",
	    "seq", (json_int_t)(*seq + 1));
	if (hdr == NULL) {
		rs_seterr("json_pack failed");
		die("header");
	}
	if (has_prev)
		json_object_set_new(hdr, "prev", jhex(prev, 32));
	if (env_build(out, hdr, payload.p, payload.len, xa->pk, xa->sk) != 0)
		die("envelope");
	json_decref(hdr);
	buf_free(&payload);
	sha256(prev, out->p + start, out->len - start);
	(*seq)++;
}

/* POSTs a batch; every envelope must come back with a receipt. */
static void
post_batch(struct http_client *c, const struct buf *body, size_t count)
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
		ok += json_object_get(r, "receipt") != NULL && json_object_get(r, "error") == NULL;
	if (status != 200 || !json_is_array(res) || json_array_size(res) != count || ok != count) {
		buf_cstr(&out);
		rs_seterr("HTTP %ld, %zu of %zu receipts: %.300s", status, ok, count,
		    (const char *)out.p);
		die("POST /v1/envelopes");
	}
	json_decref(j);
	buf_free(&out);
}

static void
send_messages(const char *url, const char *xa_node, const char *xb_node, long n)
{
	struct keypair *xa = device_key(xa_node);
	struct http_client *c = http_client_new(url);
	struct seal_recipient r;
	struct buf batch = {0};
	uint8_t prev[32];
	int64_t seq;
	char *prevhex;
	size_t inbatch = 0;
	int has_prev;

	if (c == NULL)
		die("http client");
	request_keys(xb_node, r.device, r.box_pk);
	chain_head(xa_node, &seq, &prevhex);
	has_prev = seq > 0;
	if (has_prev && hex_decode_exact(prev, 32, prevhex) != 0) {
		rs_seterr("XA's prev is not 64 hex digits");
		die("chain head");
	}
	free(prevhex);
	for (long i = 0; i < n; i++) {
		add_message(&batch, xa, &r, &seq, prev, has_prev);
		has_prev = 1;
		if (++inbatch == BATCH || i == n - 1) {
			post_batch(c, &batch, inbatch);
			batch.len = 0;
			inbatch = 0;
		}
	}
	buf_free(&batch);
	http_client_free(c);
	keypair_free(xa);
}

/* ---- XB's mail as the hub serves it ---------------------------------------- */

static void
operator_key(struct http_client *c, uint8_t key[32])
{
	json_t *j;

	if (http_get_json(c, "/v1/info", &j) != 0 || jhex32_req(j, "operator_key", key) != 0)
		die("/v1/info");
	json_decref(j);
}

static void
keep_record(struct mail *m, json_t *r)
{
	struct rec *x;
	struct envelope e;
	json_t *p, *v;
	int64_t index;
	size_t i;

	if (m->n >= SAMPLE)
		return;
	x = &m->r[m->n];
	memset(x, 0, sizeof(*x));
	if (jb64_req(r, "envelope", &x->raw) != 0 ||
	    jint_req(r, "index", &index) != 0 || index < 0 ||
	    jint_req(r, "time", &x->time) != 0 || env_parse(&e, x->raw.p, x->raw.len) != 0)
		die("mail record");
	x->index = (uint64_t)index;
	x->hoff = (size_t)(e.header - x->raw.p);
	x->hlen = e.header_len;
	x->poff = (size_t)(e.payload - x->raw.p);
	x->plen = e.payload_len;
	buf_addstr(&x->signed_msg, ENV_SIG_DOMAIN);
	buf_add(&x->signed_msg, e.header, e.header_len);
	env_free(&e);
	p = json_object_get(r, "proof");
	x->proof = xcalloc(json_array_size(p) + 1, 32);
	json_array_foreach(p, i, v) {
		struct buf h = {0};
		if (!json_is_string(v) || b64_decode(&h, json_string_value(v),
		    json_string_length(v)) != 0 || h.len != 32)
			die("proof");
		memcpy(x->proof[i], h.p, 32);
		buf_free(&h);
	}
	x->np = json_array_size(p);
	m->n++;
}

/* Fetches every page of XB's mail, signed as XB (GET and JSON parse timed by
 * the caller), keeping a sample of the records for the limit.  Returns the
 * number of records. */
static long
fetch_mail(const char *url, const struct keypair *xb, struct mail *m)
{
	struct http_client *c = http_client_new(url);
	uint8_t opkey[32];
	int64_t after = -1;
	long total = 0;
	int more = 1;

	if (c == NULL)
		die("http client");
	operator_key(c, opkey);
	http_client_set_signer(c, xb->pk, xb->sk);
	m->r = xcalloc(SAMPLE, sizeof(*m->r));
	while (more) {
		char target[64];
		json_t *j, *recs, *r;
		size_t i;

		snprintf(target, sizeof(target), "/v1/mail?after=%lld", (long long)after);
		if (http_get_json(c, target, &j) != 0)
			die("GET /v1/mail");
		checkpoint_free(&m->cp);
		if (checkpoint_from_json(&m->cp, json_object_get(j, "checkpoint"), opkey) != 0)
			die("checkpoint");
		recs = json_object_get(j, "records");
		json_array_foreach(recs, i, r) {
			keep_record(m, r);
			if (jint_req(r, "index", &after) != 0)
				die("mail record");
			total++;
		}
		more = json_is_true(json_object_get(j, "more")) && json_array_size(recs) > 0;
		json_decref(j);
		m->pages++;
	}
	http_client_free(c);
	return total;
}

static void
free_mail(struct mail *m)
{
	for (size_t i = 0; i < m->n; i++) {
		buf_free(&m->r[i].raw);
		buf_free(&m->r[i].signed_msg);
		free(m->r[i].proof);
	}
	free(m->r);
	checkpoint_free(&m->cp);
}

/* ---- physical limits (one core) -------------------------------------------- */

/* What a node must compute to believe and read one record. */
static int
receive_crypto(const struct rec *x, const struct checkpoint *cp, const uint8_t signer[32],
    const struct keypair *k)
{
	const uint8_t *pl = x->raw.p + x->poff, *slot = pl + 6, *nonce, *ct;
	uint8_t id[32], digest[32], leaf[32], key[32], plain[1024];
	unsigned long long plen;
	size_t clen;

	sha256(id, x->raw.p, x->raw.len);
	sha256(digest, pl, x->plen);
	if (crypto_sign_verify_detached(x->raw.p + x->hoff + x->hlen, x->signed_msg.p,
	    x->signed_msg.len, signer) != 0)
		return -1;
	env_leaf_hash(leaf, id, x->time);
	if (merkle_verify_inclusion(x->index, cp->size, leaf, (const uint8_t (*)[32])x->proof,
	    x->np, cp->root) != 0)
		return -1;
	if (x->plen < 6 + SEAL_SLOT + SEAL_NONCE || memcmp(slot, k->pk, 32) != 0 ||
	    crypto_box_seal_open(key, slot + 32, SEAL_SLOT - 32, k->box_pk, k->box_sk) != 0)
		return -1;
	nonce = slot + SEAL_SLOT;
	ct = nonce + SEAL_NONCE;
	clen = x->plen - 6 - SEAL_SLOT - SEAL_NONCE;
	if (clen > sizeof(plain) || crypto_aead_xchacha20poly1305_ietf_decrypt(plain, &plen,
	    NULL, ct, clen, (const uint8_t *)SEAL_AD, strlen(SEAL_AD), nonce, key) != 0)
		return -1;
	return 0;
}

/* A signed ack (template header), a receipt and the keys for the ack loop. */
struct ackwork {
	struct buf signed_hdr;		/* domain || a real ack header */
	uint8_t receipt_sig[64], receipt_pk[32];
	char receipt[160];
	const struct keypair *xb;
	uint8_t to_box[32];
};

/* What a node computes to acknowledge one message: seal a note to the
 * sender, sign the envelope, hash it, verify the hub's receipt. */
static int
ack_crypto(const struct ackwork *w)
{
	static const char note[] = "{\"note\":\"\"}";
	uint8_t key[32], nonce[SEAL_NONCE], sealed[32 + crypto_box_SEALBYTES];
	uint8_t ct[sizeof(note) + 16], sig[64], digest[32];
	unsigned long long clen;

	crypto_aead_xchacha20poly1305_ietf_keygen(key);
	randombytes_buf(nonce, sizeof(nonce));
	if (crypto_box_seal(sealed, key, sizeof(key), w->to_box) != 0)
		return -1;
	crypto_aead_xchacha20poly1305_ietf_encrypt(ct, &clen, (const uint8_t *)note,
	    sizeof(note) - 1, (const uint8_t *)SEAL_AD, strlen(SEAL_AD), NULL, nonce, key);
	sha256(digest, ct, (size_t)clen);
	crypto_sign_detached(sig, NULL, w->signed_hdr.p, w->signed_hdr.len, w->xb->sk);
	sha256(digest, w->signed_hdr.p, w->signed_hdr.len);
	return crypto_sign_verify_detached(w->receipt_sig, (const uint8_t *)w->receipt,
	    strlen(w->receipt), w->receipt_pk);
}

static void
make_ackwork(struct ackwork *w, const struct keypair *xb, const struct keypair *xa,
    const struct rec *x)
{
	uint8_t sk[64], id[32], fake[32];
	struct buf env = {0};
	json_t *hdr;
	char *hex;

	memset(w, 0, sizeof(*w));
	w->xb = xb;
	memcpy(w->to_box, xa->box_pk, 32);
	sha256(id, x->raw.p, x->raw.len);
	randombytes_buf(fake, sizeof(fake));
	hdr = json_pack("{s:s, s:o, s:s, s:[o], s:s, s:I, s:o}", "kind", "ack",
	    "ref", jhex(id, 32), "status", "delivered", "rcpt", jhex(xa->pk, 32),
	    "state", "XB", "seq", (json_int_t)2, "prev", jhex(fake, 32));
	if (hdr == NULL || env_build(&env, hdr, fake, sizeof(fake), xb->pk, xb->sk) != 0)
		die("ack template");
	buf_addstr(&w->signed_hdr, ENV_SIG_DOMAIN);
	buf_add(&w->signed_hdr, env.p + 8, get_u32be(env.p + 4));
	json_decref(hdr);
	buf_free(&env);
	hex = hex_encode(id, 32);
	snprintf(w->receipt, sizeof(w->receipt), "roster-receipt-v1\n%s\n%d\n%lld\n",
	    hex, 20001, (long long)now_ms());
	free(hex);
	crypto_sign_keypair(w->receipt_pk, sk);
	crypto_sign_detached(w->receipt_sig, NULL, (const uint8_t *)w->receipt,
	    strlen(w->receipt), sk);
	sodium_memzero(sk, sizeof(sk));
}

/* Best of three passes over the sample: records/s of receive crypto, and
 * of receive plus ack crypto. */
static void
crypto_limits(const struct mail *m, const struct keypair *xa, const struct keypair *xb,
    double *recv_rate, double *full_rate)
{
	struct ackwork w;
	double t0, t;

	make_ackwork(&w, xb, xa, &m->r[0]);
	*recv_rate = *full_rate = 0;
	for (int pass = 0; pass < 3; pass++) {
		t0 = now_s();
		for (size_t i = 0; i < m->n; i++)
			if (receive_crypto(&m->r[i], &m->cp, xa->pk, xb) != 0) {
				rs_seterr("record %zu does not verify", i);
				die("limit");
			}
		t = now_s() - t0;
		if (m->n / t > *recv_rate)
			*recv_rate = m->n / t;
		t0 = now_s();
		for (size_t i = 0; i < m->n; i++)
			if (receive_crypto(&m->r[i], &m->cp, xa->pk, xb) != 0 || ack_crypto(&w) != 0) {
				rs_seterr("record %zu does not verify", i);
				die("limit");
			}
		t = now_s() - t0;
		if (m->n / t > *full_rate)
			*full_rate = m->n / t;
	}
	buf_free(&w.signed_hdr);
}

static double
fdatasyncs_per_s(void)
{
	char path[600];
	uint8_t block[4096];
	uint64_t n = 0;
	double t0, t, end;
	int fd;

	path_in(path, sizeof(path), "fsync-probe");
	if ((fd = open(path, O_RDWR | O_CREAT | O_TRUNC, 0600)) < 0) {
		rs_seterr("cannot create %s: %s", path, strerror(errno));
		die("fdatasync probe");
	}
	randombytes_buf(block, sizeof(block));
	t0 = now_s();
	end = t0 + 1.0;
	while (now_s() < end) {
		if (pwrite(fd, block, sizeof(block), (off_t)((n % 64) * sizeof(block))) !=
		    (ssize_t)sizeof(block) || fdatasync(fd) != 0) {
			close(fd);
			rs_seterr("write or fdatasync failed: %s", strerror(errno));
			die("fdatasync probe");
		}
		n++;
	}
	t = now_s() - t0;
	if (close(fd) != 0 || unlink(path) != 0) {
		rs_seterr("%s: %s", path, strerror(errno));
		die("fdatasync probe");
	}
	return (double)n / t;
}

/* ---- what the sync left in XB's node.db --------------------------------------- */

static int64_t
query_int(sqlite3 *db, const char *sql)
{
	sqlite3_stmt *st = db_prep(db, sql);
	int64_t v = -1;

	if (st == NULL)
		die("node.db");
	if (sqlite3_step(st) == SQLITE_ROW)
		v = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	return v;
}

/* Checks that all n messages were stored and acknowledged, and reads the ack
 * times that split the pass into phases. */
static void
check_node(const char *node, long n, struct phases *ph)
{
	char path[700];
	sqlite3 *db;
	int64_t msgs, acks;

	snprintf(path, sizeof(path), "%s/node.db", node);
	if ((db = db_open(path, NULL)) == NULL)
		die(path);
	msgs = query_int(db, "SELECT count(*) FROM messages WHERE direction = 'in'");
	acks = query_int(db, "SELECT count(*) FROM outbox WHERE kind = 'ack' AND receipt IS NOT NULL");
	ph->first_ack = query_int(db, "SELECT min(created) FROM outbox WHERE kind = 'ack'");
	ph->last_ack = query_int(db, "SELECT max(created) FROM outbox WHERE kind = 'ack'");
	db_close(db);
	if (msgs != n || acks != n) {
		rs_seterr("%lld messages stored and %lld acknowledgements with receipts, "
		    "expected %ld of each", (long long)msgs, (long long)acks, n);
		die("roster sync");
	}
}

/* ---- options and main ------------------------------------------------------------ */

static void
usage(void)
{
	fputs("usage: bench_sync [-n N] [--rosterd PATH] [--roster PATH] [--dir BASE]\n"
	    "                  [--wrap \"CMD ARGS\"] [--keep]\n"
	    "  defaults: -n 20000, ./build/rosterd, ./build/roster, --dir $TMPDIR or /tmp\n",
	    stderr);
	exit(2);
}

static void
parse(int argc, char **argv, struct bench_opts *o)
{
	static const struct option lo[] = {
		{ "rosterd", required_argument, NULL, 'r' },
		{ "roster", required_argument, NULL, 'R' },
		{ "dir", required_argument, NULL, 'D' },
		{ "wrap", required_argument, NULL, 'w' },
		{ "keep", no_argument, NULL, 'k' },
		{ "help", no_argument, NULL, 'h' },
		{ NULL, 0, NULL, 0 }
	};
	char *end;
	int c;

	*o = (struct bench_opts){ .n = 20000, .rosterd = "./build/rosterd",
	    .roster = "./build/roster", .base = getenv("TMPDIR") ? getenv("TMPDIR") : "/tmp" };
	while ((c = getopt_long(argc, argv, "n:h", lo, NULL)) != -1) {
		switch (c) {
		case 'n':
			o->n = strtol(optarg, &end, 10);
			if (*optarg == '\0' || *end != '\0' || o->n < 1 || o->n > 10000000)
				usage();
			break;
		case 'r': o->rosterd = optarg; break;
		case 'R': o->roster = optarg; break;
		case 'D': o->base = optarg; break;
		case 'w': o->wrap = optarg; break;
		case 'k': o->keep = 1; break;
		default: usage();
		}
	}
	if (optind != argc)
		usage();
	if (access(o->rosterd, X_OK) != 0 || access(o->roster, X_OK) != 0) {
		fprintf(stderr, "bench_sync: %s or %s is not an executable (run make first)\n",
		    o->rosterd, o->roster);
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
	if (sigaction(SIGINT, &sa, NULL) != 0 || sigaction(SIGTERM, &sa, NULL) != 0) {
		rs_seterr("sigaction: %s", strerror(errno));
		die("signals");
	}
	if (setenv("ROSTER_PASSPHRASE", PASSPHRASE, 1) != 0 ||
	    unsetenv("ROSTER_NODE_DIR") != 0 || unsetenv("ROSTER_HUB_DIR") != 0) {
		rs_seterr("setenv: %s", strerror(errno));
		die("environment");
	}
	keep_dir = o->keep;
	if ((size_t)snprintf(tmpdir, sizeof(tmpdir), "%s/roster-bench-sync-XXXXXX",
	    o->base) >= sizeof(tmpdir) || mkdtemp(tmpdir) == NULL) {
		rs_seterr("cannot make a directory under %s: %s", o->base, strerror(errno));
		tmpdir[0] = '\0';
		die("mkdtemp");
	}
}

/* The first three fields of /proc/loadavg, or "unknown". */
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

static void
report(long n, double secs, double fixed, const struct phases *ph, double serve_s,
    size_t pages, double recv_rate, double full_rate, double fsyncs)
{
	double rate = n / secs, net = n / (secs - fixed);

	printf("  node sync:   %ld envelopes in %.2f s = %.0f envelopes/s "
	    "(fetch + verify + decrypt + store + ack)\n", n, secs, rate);
	printf("               of which start-up to the first message %.2f s, receiving "
	    "%.2f s (%.0f/s), submitting the %ld acks %.2f s (%.0f/s)\n",
	    (ph->first_ack - ph->start) / 1000.0, (ph->last_ack - ph->first_ack) / 1000.0,
	    n * 1000.0 / (double)(ph->last_ack - ph->first_ack + 1), n,
	    (ph->end - ph->last_ack) / 1000.0, n * 1000.0 / (double)(ph->end - ph->last_ack + 1));
	printf("               CPU of the sync process %.2f s user + %.2f s system = "
	    "%.0f%% of the wall clock (the rest: waiting for the hub or the disk)\n",
	    ph->user, ph->sys, 100.0 * (ph->user + ph->sys) / secs);
	printf("               fixed cost of a pass with nothing new: %.2f s; "
	    "without it %.0f envelopes/s\n", fixed, net);
	printf("               on CPU alone (no waiting) %.0f envelopes/s; ratio %.3f to the "
	    "limit with the ack below\n", n / (ph->user + ph->sys),
	    n / (ph->user + ph->sys) / full_rate);
	printf("  hub serving: %zu pages of mail (%ld records with proofs) in %.2f s "
	    "= %.0f records/s (GET + JSON parse here)\n", pages, n, serve_s, n / serve_s);
	printf("  limit (one core): Ed25519 verify + unseal + decrypt + SHA-256 = %.0f/s; "
	    "ratio %.3f\n", recv_rate, rate / recv_rate);
	printf("  limit (one core), with the ack (seal + sign + verify receipt) = %.0f/s; "
	    "ratio %.3f (%.3f without the fixed cost)\n", full_rate, rate / full_rate,
	    net / full_rate);
	printf("  fdatasync:   %.0f/s on %s's file system (each commit of the node's "
	    "store costs at least one)\n", fsyncs, tmpdir);
}

int
main(int argc, char **argv)
{
	struct bench_opts o;
	struct keypair *xa, *xb;
	struct mail mail = {0};
	struct phases ph, noop;
	char url[256], xa_node[600], xb_node[600], la[64];
	double t0, gen_s, serve_s, fixed, secs, recv_rate, full_rate, fsyncs;
	long served;

	parse(argc, argv, &o);
	setup_process(&o);
	printf("bench_sync: %ld messages XA -> XB, one node sync, in %s (load average %s)\n",
	    o.n, tmpdir, load_average(la, sizeof(la)));
	fflush(stdout);
	make_world(&o, url, sizeof(url));
	path_in(xa_node, sizeof(xa_node), "node-XA");
	path_in(xb_node, sizeof(xb_node), "node-XB");
	timed_sync(&o, xb_node, "sync-warmup.log", NULL, &noop);
	fixed = timed_sync(&o, xb_node, "sync-noop.log", NULL, &noop);

	t0 = now_s();
	send_messages(url, xa_node, xb_node, o.n);
	gen_s = now_s() - t0;
	printf("  set-up:      %ld messages sealed, signed and accepted by the hub in %.1f s\n",
	    o.n, gen_s);
	fflush(stdout);

	xa = device_key(xa_node);
	xb = device_key(xb_node);
	t0 = now_s();
	served = fetch_mail(url, xb, &mail);
	serve_s = now_s() - t0;
	if (served != o.n) {
		rs_seterr("the hub served %ld messages, %ld were sent", served, o.n);
		die("GET /v1/mail");
	}

	secs = timed_sync(&o, xb_node, "sync.log", o.wrap, &ph);
	check_node(xb_node, o.n, &ph);
	stop_hub();

	crypto_limits(&mail, xa, xb, &recv_rate, &full_rate);
	fsyncs = fdatasyncs_per_s();
	report(o.n, secs, fixed, &ph, serve_s, mail.pages, recv_rate, full_rate, fsyncs);
	fflush(stdout);

	free_mail(&mail);
	keypair_free(xa);
	keypair_free(xb);
	cleanup();
	return 0;
}
