/*
 * bench_node_taxii.c - the node's TAXII 2.1 server at scale: pages out of a
 * million objects, and bundles in through an outbox.
 *
 * Pages.  A node store in a temporary folder is filled with --objects
 * (default 1,000,000) STIX objects in the received collection, made as the
 * mapping makes them (indicators, SCOs, relationships, observed-data,
 * reports, incidents, each with roster's provenance extension; 300 to 900
 * bytes of JSON), filed through the store API (store_stix_object_put,
 * store_taxii_entry_add) in transactions of 20,000, as stixstore.c does at
 * receipt.  The real TAXII server (node/taxii, on lib/http_server.c) then
 * serves it on 127.0.0.1, and a client in this process (libcurl, one
 * kept-alive connection, a token as Bearer) asks:
 *
 *   - --pages (default 1,000) random pages of 100 indicators:
 *     objects/?limit=100&match[type]=indicator&added_after=T with T drawn
 *     uniformly over the collection's date_added: p50 and p99 of the whole
 *     request (HTTP, auth, query parsing, the range scan, the JSON), and
 *     the server threads' CPU per request (the process's CPU time but this
 *     client thread's), which a loaded machine's wait for a core does not
 *     swell;
 *   - a full walk of the collection by next, 1,000 objects a page: the
 *     requests' own time (libcurl's total per request, summed), and the
 *     walk's wall time with this client's JSON parse of each page (a
 *     client's cost, not the server's).
 *
 * The limit is the SQLite read of the same rows, measured in the same run
 * on the same file through its own connection: the same statement the
 * store runs (the entries' range scan joined to the objects' JSON, each
 * row's text read), for the same T; and the same rows in one scan for the
 * walk.  Printed: each figure, its limit, and the ratio (measured / limit,
 * so 1.0 would be nothing but SQLite).  The node's memory is this process's
 * resident set (server and client; the client's part is small) after the
 * pages and its peak.
 *
 * Ingest (--bundles, default 20; 0 skips it).  The real binaries (--bin,
 * default build/): a hub, States XA and XC (as tests/e2e/lib.sh makes
 * them), an outbox on XA to XC under AMBER, a write token, `roster serve`
 * for XA.  Each bundle is an envelope of 1,000 indicators (one IPv4
 * address each, distinct); they are POSTed one after another and the
 * figure is indicators per second from the first POST to the last status
 * complete (the hub's receipt; each bundle is one message of 1,000
 * indicators to XC's one device), with the POSTs' own latency (validate,
 * map, fill, sign, seal, store).  The limit is the sign + encrypt bound:
 * in this process, seal_encrypt of a payload of the real message's size
 * to one device and env_build (SHA-256, Ed25519) of its header, best of
 * 20, as indicators per second.  Also printed: the CPU time the node
 * (roster serve: the POSTs, and the filing of each sent message into the
 * outbox and sent collections at its receipt) and the hub used meanwhile,
 * from /proc, since on a shared machine the wall time is mostly waiting.
 *
 * usage: bench_node_taxii [--objects N] [--pages N] [--bundles N]
 *                         [--bin DIR] [--dir BASE] [--keep]
 */
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <getopt.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>
#include <sqlite3.h>

#include "core/collections.h"
#include "core/node.h"
#include "core/store.h"
#include "core/tokens.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "seal.h"
#include "stix.h"
#include "taxii.h"
#include "taxii/taxii_server.h"

#define PASSPHRASE	"correct horse battery staple"
#define BATCH		20000
#define EXT		"extension-definition--4cf5d89d-0ffb-473b-8f0c-96b72dd2b4e1"

struct bench_opts {
	long objects, pages, bundles;
	const char *bin, *base;
	int keep;
};

static char tmpdir[512];

static double
mono_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec / 1e9;
}

static void
die(const char *what)
{
	fprintf(stderr, "bench_node_taxii: %s: %s\n", what, rs_err());
	exit(1);
}

static int
cmp_d(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(double *v, size_t n, double p)
{
	size_t k = (size_t)(p * (double)n);

	qsort(v, n, sizeof(*v), cmp_d);
	return v[k < n ? k : n - 1];
}

/* CPU seconds of the clock c (the process's, or this thread's). */
static double
cpu_s(clockid_t c)
{
	struct timespec ts;

	clock_gettime(c, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* CPU seconds (user + system) process pid has used, from /proc. */
static double
proc_cpu_s(pid_t pid)
{
	char path[64], line[1024], *p;
	unsigned long long ut = 0, st = 0;
	FILE *f;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)pid);
	if ((f = fopen(path, "r")) == NULL)
		return 0;
	if (fgets(line, sizeof(line), f) != NULL && (p = strrchr(line, ')')) != NULL)
		(void)sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %llu %llu",
		    &ut, &st);
	fclose(f);
	return (double)(ut + st) / (double)sysconf(_SC_CLK_TCK);
}

static long
proc_kib(const char *field)
{
	FILE *f = fopen("/proc/self/status", "r");
	char line[256];
	long v = -1;

	while (f != NULL && fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, field, strlen(field)) == 0)
			v = atol(line + strlen(field) + 1);
	if (f != NULL)
		fclose(f);
	return v;
}

/* ---- the million objects -------------------------------------------------------- */

static const char *const types[] = { "indicator", "ipv4-addr", "indicator", "relationship",
    "domain-name", "indicator", "observed-data", "ipv4-addr", "report", "incident" };
#define NTYPES (sizeof(types) / sizeof(types[0]))

/* Object i as the mapping would make it, into json; its id into id. */
static void
make_object(long i, char *json, size_t len, char id[STIX_ID_MAX], const char **type)
{
	char name[64], msg[65], ext[400];
	long m = i / 30;	/* 30 objects a message */

	*type = types[i % NTYPES];
	snprintf(name, sizeof(name), "bench/%ld", i);
	stix_id_make(*type, name, id);
	snprintf(msg, sizeof(msg), "%064lx", m);
	snprintf(ext, sizeof(ext), "\"extensions\":{\"" EXT "\":{\"extension_type\":"
	    "\"property-extension\",\"message_id\":\"%s\",\"log_index\":%ld,\"signer_key\":"
	    "\"%s\",\"signer_fingerprint\":\"3f2a 91c0 aa12 bb34 cc56 dd78 ee90 ff12\","
	    "\"state\":\"XA\"}}", msg, m, msg);
	if (strcmp(*type, "indicator") == 0)
		snprintf(json, len, "{\"type\":\"indicator\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created_by_ref\":\"identity--a94122ea-9092-5ffc-8bfb-55a2e1c663f2\","
		    "\"created\":\"2026-12-01T10:00:00.000Z\",\"modified\":\"2026-12-01T10:00:00.000Z\","
		    "\"name\":\"10.%ld.%ld.%ld\",\"pattern\":\"[ipv4-addr:value = '10.%ld.%ld.%ld']\","
		    "\"pattern_type\":\"stix\",\"pattern_version\":\"2.1\",\"valid_from\":"
		    "\"2026-12-01T10:00:00Z\",\"object_marking_refs\":[\"marking-definition--"
		    "55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],%s}", id, (i >> 16) & 255,
		    (i >> 8) & 255, i & 255, (i >> 16) & 255, (i >> 8) & 255, i & 255, ext);
	else if (strcmp(*type, "ipv4-addr") == 0 || strcmp(*type, "domain-name") == 0)
		snprintf(json, len, "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"value\":\"%s%ld\",\"object_marking_refs\":[\"marking-definition--"
		    "55d920b0-5e8b-4f79-9ee9-91f868d9b421\"],%s}", *type, id,
		    (*type)[0] == 'i' ? "10.0.0." : "host.example.", i % 250, ext);
	else
		snprintf(json, len, "{\"type\":\"%s\",\"spec_version\":\"2.1\",\"id\":\"%s\","
		    "\"created_by_ref\":\"identity--a94122ea-9092-5ffc-8bfb-55a2e1c663f2\","
		    "\"created\":\"2026-12-01T10:00:00.000Z\",\"modified\":\"2026-12-01T10:00:00.000Z\","
		    "\"name\":\"Bench object %ld\",\"description\":\"What a message said about it, "
		    "in a sentence or two, as a report or an incident would.\","
		    "\"object_marking_refs\":[\"marking-definition--55d920b0-5e8b-4f79-9ee9-"
		    "91f868d9b421\"],%s}", *type, id, i, ext);
}

static double
fill(struct node *n, long count, int64_t *first, int64_t *last)
{
	char json[2048], id[STIX_ID_MAX];
	const char *type;
	int64_t added = INT64_C(1798761600000000), obj;
	double t0 = mono_s();

	*first = added + 1;
	for (long i = 0; i < count; i++) {
		struct taxii_entry e;
		if (i % BATCH == 0 && store_begin(n) != 0)
			die("begin");
		make_object(i, json, sizeof(json), id, &type);
		if (store_stix_object_put(n, id, type[0] == 'i' && type[1] == 'p' ? "" :
		    strcmp(type, "domain-name") == 0 ? "" : "2026-12-01T10:00:00.000Z", json,
		    &obj) != 0)
			die("object");
		added += 1 + (i % 3);	/* about a million a second, as a busy filing */
		e = (struct taxii_entry){ .coll = "received", .added = added, .obj = obj,
		    .version = added, .type = type, .id = id, .spec = "2.1" };
		if (store_taxii_entry_add(n, &e) != STORE_OK)
			die("entry");
		if ((i % BATCH == BATCH - 1 || i == count - 1) && store_commit(n) != 0)
			die("commit");
	}
	*last = added;
	return mono_s() - t0;
}

/* ---- the client -------------------------------------------------------------------- */

struct client {
	CURL *c;
	struct curl_slist *h;
	struct buf body, hdrs;
};

static size_t
on_body(char *p, size_t s, size_t n, void *ud)
{
	buf_add(ud, p, s * n);
	return s * n;
}

static void
client_init(struct client *cl, const char *token)
{
	char auth[128];

	memset(cl, 0, sizeof(*cl));
	cl->c = curl_easy_init();
	snprintf(auth, sizeof(auth), "Authorization: Bearer %s", token);
	cl->h = curl_slist_append(NULL, auth);
	cl->h = curl_slist_append(cl->h, "Accept: " TAXII_MEDIA_TYPE);
	curl_easy_setopt(cl->c, CURLOPT_HTTPHEADER, cl->h);
	curl_easy_setopt(cl->c, CURLOPT_WRITEFUNCTION, on_body);
	curl_easy_setopt(cl->c, CURLOPT_WRITEDATA, &cl->body);
	curl_easy_setopt(cl->c, CURLOPT_HEADERFUNCTION, on_body);
	curl_easy_setopt(cl->c, CURLOPT_HEADERDATA, &cl->hdrs);
	curl_easy_setopt(cl->c, CURLOPT_TCP_NODELAY, 1L);
}

static long
client_get(struct client *cl, const char *url)
{
	long status = 0;

	cl->body.len = cl->hdrs.len = 0;
	curl_easy_setopt(cl->c, CURLOPT_URL, url);
	curl_easy_setopt(cl->c, CURLOPT_HTTPGET, 1L);
	if (curl_easy_perform(cl->c) != CURLE_OK)
		return 0;
	curl_easy_getinfo(cl->c, CURLINFO_RESPONSE_CODE, &status);
	return status;
}

static long
client_post(struct client *cl, const char *url, const struct buf *body)
{
	struct curl_slist *h = curl_slist_append(NULL, "Content-Type: " TAXII_MEDIA_TYPE);
	long status = 0;

	for (struct curl_slist *p = cl->h; p != NULL; p = p->next)
		h = curl_slist_append(h, p->data);
	cl->body.len = cl->hdrs.len = 0;
	curl_easy_setopt(cl->c, CURLOPT_URL, url);
	curl_easy_setopt(cl->c, CURLOPT_HTTPHEADER, h);
	curl_easy_setopt(cl->c, CURLOPT_POSTFIELDS, body->p);
	curl_easy_setopt(cl->c, CURLOPT_POSTFIELDSIZE, (long)body->len);
	if (curl_easy_perform(cl->c) == CURLE_OK)
		curl_easy_getinfo(cl->c, CURLINFO_RESPONSE_CODE, &status);
	curl_easy_setopt(cl->c, CURLOPT_HTTPHEADER, cl->h);
	curl_slist_free_all(h);
	return status;
}

static void
client_free(struct client *cl)
{
	curl_slist_free_all(cl->h);
	curl_easy_cleanup(cl->c);
	buf_free(&cl->body);
	buf_free(&cl->hdrs);
}

/* ---- pages ---------------------------------------------------------------------------- */

static void
ts_param(int64_t us, char out[STIX_TS_LEN])
{
	stix_ts_format(us, 6, out);
}

static const char page_sql[] =
    "SELECT e.added, e.obj, e.version, e.id, e.type, e.spec, o.json FROM taxii_entries e"
    " JOIN stix_objects o ON o.n = e.obj WHERE e.coll = ? AND (e.added, e.obj) > (?, ?)"
    " AND e.type IN (?) AND (0 OR e.last = 1) AND e.spec IN ('2.1')"
    " ORDER BY e.added, e.obj LIMIT ?";

/* The limit of one page: the store's statement, its rows read. */
static double
sql_page(sqlite3 *db, int64_t after, int limit, size_t *bytes)
{
	sqlite3_stmt *st;
	double t0 = mono_s();

	if (sqlite3_prepare_v2(db, page_sql, -1, &st, NULL) != SQLITE_OK)
		die("prepare");
	sqlite3_bind_text(st, 1, "received", -1, SQLITE_STATIC);
	sqlite3_bind_int64(st, 2, after);
	sqlite3_bind_int64(st, 3, INT64_MAX);
	sqlite3_bind_text(st, 4, "indicator", -1, SQLITE_STATIC);
	sqlite3_bind_int(st, 5, limit + 1);
	*bytes = 0;
	while (sqlite3_step(st) == SQLITE_ROW)
		*bytes += (size_t)sqlite3_column_bytes(st, 6) + strlen((const char *)
		    sqlite3_column_text(st, 3));
	sqlite3_finalize(st);
	return mono_s() - t0;
}

static void
taxii_handler(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	taxii_handle(ctx, req, resp);
}

static void
bench_pages(const struct bench_opts *o)
{
	struct node n = {0};
	pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
	struct taxii *x;
	struct http_server *srv;
	struct client cl;
	char dir[600], secret[TOKEN_SECRET_LEN], uuid[37], url[1024], ts[STIX_TS_LEN];
	char path[700];
	int64_t first, last;
	double *lat = xcalloc((size_t)o->pages, sizeof(double));
	double *lim = xcalloc((size_t)o->pages, sizeof(double));
	double t, walk, scan, wreq = 0, cpu0, self0, srvcpu;
	long walked = 0, pages = 0;
	size_t bytes, wbytes = 0;
	sqlite3 *db;
	uint8_t op[32] = {0};

	snprintf(dir, sizeof(dir), "%s/node", tmpdir);
	if (mkdir(dir, 0700) != 0)
		die("mkdir");
	n.dir = xstrdup(dir);
	snprintf(n.cfg.state, sizeof(n.cfg.state), "XB");
	n.quiet = 1;
	if (store_open(&n) != 0 || (n.directory = dir_new(op)) == NULL)
		die("store");
	printf("filing %ld objects into received...\n", o->objects);
	fflush(stdout);
	t = fill(&n, o->objects, &first, &last);
	printf("filed %ld objects in %.1f s: %.0f objects/s (store_stix_object_put + "
	    "store_taxii_entry_add, transactions of %d)\n", o->objects, t,
	    (double)o->objects / t, BATCH);
	if ((x = taxii_init(&n, &lock, 1, 0, NULL, NULL)) == NULL ||
	    token_create(&n, "bench", "all", 0, secret) != 0)
		die("taxii");
	if ((srv = http_server_start("127.0.0.1:0", 1 << 20, 4, taxii_handler, x)) == NULL ||
	    taxii_attach(x, srv) != 0)
		die("server");
	coll_uuid("received", uuid);
	client_init(&cl, secret);
	snprintf(path, sizeof(path), "%s/node.db", dir);
	if (sqlite3_open_v2(path, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK)
		die("sqlite3_open");

	/* warm both the same way: one pass over the file */
	(void)sql_page(db, first, 100, &bytes);
	cpu0 = cpu_s(CLOCK_PROCESS_CPUTIME_ID);
	self0 = cpu_s(CLOCK_THREAD_CPUTIME_ID);
	for (long i = 0; i < o->pages; i++) {
		int64_t after = first + (int64_t)((double)(last - first) *
		    ((double)randombytes_uniform(1000000) / 1e6));
		double t0;
		ts_param(after, ts);
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/taxii2/roster/collections/%s/"
		    "objects/?limit=100&match[type]=indicator&added_after=%s",
		    http_server_port(srv), uuid, ts);
		t0 = mono_s();
		if (client_get(&cl, url) != 200 || cl.body.len < 2)
			die("a page");
		lat[i] = mono_s() - t0;
		lim[i] = sql_page(db, after, 100, &bytes);
	}
	/* the server's threads' CPU: the process's but for this (client) thread */
	srvcpu = (cpu_s(CLOCK_PROCESS_CPUTIME_ID) - cpu0) - (cpu_s(CLOCK_THREAD_CPUTIME_ID) -
	    self0);
	printf("\npages of 100 indicators, added_after random, %ld pages:\n", o->pages);
	printf("  TAXII request   p50 %.3f ms   p99 %.3f ms\n", pct(lat, (size_t)o->pages, 0.5) *
	    1e3, pct(lat, (size_t)o->pages, 0.99) * 1e3);
	printf("  server CPU      %.3f ms a request, on average (auth, query, scan, JSON, "
	    "HTTP; the rest of the wall time is hand-offs between threads and waiting for a core)\n",
	    srvcpu / (double)o->pages * 1e3);
	printf("  SQLite read     p50 %.3f ms   p99 %.3f ms   (the limit: the same rows)\n",
	    pct(lim, (size_t)o->pages, 0.5) * 1e3, pct(lim, (size_t)o->pages, 0.99) * 1e3);
	printf("  ratio           p50 %.2fx      p99 %.2fx\n",
	    pct(lat, (size_t)o->pages, 0.5) / pct(lim, (size_t)o->pages, 0.5),
	    pct(lat, (size_t)o->pages, 0.99) / pct(lim, (size_t)o->pages, 0.99));
	printf("  memory          resident %ld KiB, peak %ld KiB (server and client)\n",
	    proc_kib("VmRSS:"), proc_kib("VmHWM:"));

	/* the whole collection by next */
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/taxii2/roster/collections/%s/objects/"
	    "?limit=1000", http_server_port(srv), uuid);
	t = mono_s();
	for (;;) {
		json_t *j;
		double rt;
		long st = client_get(&cl, url);
		if (st != 200)
			die("a walk's page");
		curl_easy_getinfo(cl.c, CURLINFO_TOTAL_TIME, &rt);
		wreq += rt;
		wbytes += cl.body.len;
		if ((j = jparse(cl.body.p, cl.body.len)) == NULL)
			die("a walk's page is not JSON");
		walked += (long)json_array_size(json_object_get(j, "objects"));
		pages++;
		if (!json_is_true(json_object_get(j, "more"))) {
			json_decref(j);
			break;
		}
		snprintf(url, sizeof(url), "http://127.0.0.1:%u/taxii2/roster/collections/%s/"
		    "objects/?limit=1000&next=%s", http_server_port(srv), uuid,
		    jstr(j, "next"));
		json_decref(j);
	}
	walk = mono_s() - t;
	{
		sqlite3_stmt *st;
		size_t b = 0;
		long rows = 0;
		t = mono_s();
		if (sqlite3_prepare_v2(db, "SELECT e.added, e.obj, o.json FROM taxii_entries e"
		    " JOIN stix_objects o ON o.n = e.obj WHERE e.coll = 'received'"
		    " AND e.last = 1 ORDER BY e.added, e.obj", -1, &st, NULL) != SQLITE_OK)
			die("prepare");
		while (sqlite3_step(st) == SQLITE_ROW) {
			b += (size_t)sqlite3_column_bytes(st, 2);
			rows++;
		}
		sqlite3_finalize(st);
		scan = mono_s() - t;
		printf("\nthe whole collection by next, 1000 a page: %ld objects in %ld pages, "
		    "%.2f s of requests (%.0f objects/s, %.0f MB/s of JSON); %.2f s with the "
		    "client's parse of each page\n", walked, pages, wreq, (double)walked / wreq,
		    (double)wbytes / wreq / 1e6, walk);
		printf("  SQLite scan of the same rows: %ld rows in %.2f s (%.0f rows/s; the "
		    "limit)\n", rows, scan, (double)rows / scan);
		printf("  ratio %.2fx (requests / scan)\n", wreq / scan);
		if (rows != walked)
			fprintf(stderr, "bench_node_taxii: the walk gave %ld objects, the scan %ld\n",
			    walked, rows);
		(void)b;
	}
	printf("  memory          resident %ld KiB, peak %ld KiB\n", proc_kib("VmRSS:"),
	    proc_kib("VmHWM:"));
	sqlite3_close(db);
	client_free(&cl);
	http_server_stop(srv);
	taxii_free(x);
	node_close(&n);
	free(lat);
	free(lim);
}

/* ---- ingest ------------------------------------------------------------------------------ */

static pid_t
spawn(char *const argv[], const char *log)
{
	pid_t pid = fork();

	if (pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(126);
		execv(argv[0], argv);
		_exit(127);
	}
	return pid;
}

/* Runs argv; its stdout into out (may be NULL); dies unless it exits 0. */
static void
run(char *const argv[], struct buf *out)
{
	char log[700];
	int status;
	pid_t pid;

	snprintf(log, sizeof(log), "%s/run.log", tmpdir);
	if (out != NULL) {
		int p[2];
		if (pipe(p) != 0)
			die("pipe");
		if ((pid = fork()) == 0) {
			int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);
			dup2(p[1], 1);
			dup2(fd, 2);
			close(p[0]);
			execv(argv[0], argv);
			_exit(127);
		}
		close(p[1]);
		for (;;) {
			char b[4096];
			ssize_t r = read(p[0], b, sizeof(b));
			if (r <= 0)
				break;
			buf_add(out, b, (size_t)r);
		}
		close(p[0]);
	} else
		pid = spawn(argv, log);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status) != 0) {
		rs_seterr("%s %s failed (see %s)", argv[0], argv[1], log);
		die("run");
	}
}

#define ARGV(...) ((char *[]){ __VA_ARGS__, NULL })

static void
wait_url(const char *file, char *url, size_t len)
{
	struct buf b = {0};

	for (int i = 0; i < 3000; i++) {
		if (read_file(file, &b, 1024) == 0 && b.len > 8 && b.p[b.len - 1] == '\n')
			break;
		buf_free(&b);
		usleep(10000);
	}
	if (b.len <= 8) {
		rs_seterr("%s was not written", file);
		die("serve");
	}
	snprintf(url, len, "%.*s", (int)b.len - 1, (const char *)b.p);
	buf_free(&b);
}

static void
make_state(const char *bin, const char *hub, const char *url, const char *s, char *node,
    size_t len)
{
	char roster[600], rosterd[600], key[700], pub[700], req[700], cert[700], name[32];

	snprintf(roster, sizeof(roster), "%s/roster", bin);
	snprintf(rosterd, sizeof(rosterd), "%s/rosterd", bin);
	snprintf(key, sizeof(key), "%s/%s.root", tmpdir, s);
	snprintf(pub, sizeof(pub), "%s/%s.root.pub", tmpdir, s);
	snprintf(node, len, "%s/node-%s", tmpdir, s);
	snprintf(req, sizeof(req), "%s/request.json", node);
	snprintf(cert, sizeof(cert), "%s/request.cert", node);
	snprintf(name, sizeof(name), "POC %s", s);
	run(ARGV(roster, "keygen", "--state", (char *)s, "--out", key), NULL);
	run(ARGV(rosterd, "admit", (char *)hub, "--state", (char *)s, "--root-key", pub), NULL);
	run(ARGV(roster, "init", "--dir", node, "--hub", (char *)url, "--state", (char *)s,
	    "--role", "technical", "--name", name, "--email", "poc@example.org"), NULL);
	run(ARGV(roster, "certify", "--root", key, req), NULL);
	run(ARGV(roster, "enroll", "--dir", node, cert), NULL);
}

/* The sign + encrypt bound of one message of len bytes to one device. */
static double
bound(size_t len)
{
	struct keypair *sender = keypair_new("XA", 1), *rcpt = keypair_new("XC", 1);
	struct seal_recipient r;
	uint8_t *plain = xmalloc(len);
	double best = 1e9;

	if (sender == NULL || rcpt == NULL)
		die("keypair");
	randombytes_buf(plain, len);
	memcpy(r.device, rcpt->pk, 32);
	memcpy(r.box_pk, rcpt->box_pk, 32);
	for (int k = 0; k < 20; k++) {
		struct buf sealed = {0}, env = {0};
		json_t *hdr = json_pack("{s:s, s:[s], s:[s], s:s, s:I}", "kind", "msg", "to", "XC",
		    "rcpt", "0000000000000000000000000000000000000000000000000000000000000000",
		    "urgency", "routine", "deadline", (json_int_t)0);
		double t0 = mono_s(), t1;
		if (seal_encrypt(&sealed, plain, len, &r, 1) != 0 ||
		    env_build(&env, hdr, sealed.p, sealed.len, sender->pk, sender->sk) != 0)
			die("seal");
		t1 = mono_s() - t0;
		if (t1 < best)
			best = t1;
		json_decref(hdr);
		buf_free(&sealed);
		buf_free(&env);
	}
	free(plain);
	keypair_free(sender);
	keypair_free(rcpt);
	return best;
}

static void
bench_ingest(const struct bench_opts *o)
{
	char rosterd[600], roster[600], hub[600], hubfile[700], url[256], xa[600], xc[600];
	char urlfile[700], log[700], taxii[256], api[512], dbpath[700];
	struct buf tok = {0}, body = {0};
	struct client cl;
	pid_t hubpid, servepid;
	char (*status)[37] = xcalloc((size_t)o->bundles, 37);
	double *post = xcalloc((size_t)o->bundles, sizeof(double)), t0, elapsed, b;
	double ncpu0, hcpu0, ncpu, hcpu;
	long env_len = 0;
	sqlite3 *db;
	sqlite3_stmt *st;

	snprintf(rosterd, sizeof(rosterd), "%s/rosterd", o->bin);
	snprintf(roster, sizeof(roster), "%s/roster", o->bin);
	snprintf(hub, sizeof(hub), "%s/hub", tmpdir);
	run(ARGV(rosterd, "init", hub, "--name", "bench hub"), NULL);
	/* the benches lift the hub's per-signer quotas (docs/operations.md) */
	snprintf(hubfile, sizeof(hubfile), "%s/hub.json", hub);
	{
		struct buf cfg = {0};
		json_t *j;
		if (read_file(hubfile, &cfg, 1 << 20) != 0 || (j = jparse(cfg.p, cfg.len)) == NULL)
			die("hub.json");
		json_object_set_new(j, "quota_envelopes", json_integer(1000000));
		json_object_set_new(j, "quota_bytes", json_integer(INT64_C(1) << 40));
		buf_free(&cfg);
		char *s = json_dumps(j, JSON_INDENT(2));
		if (write_file_atomic(hubfile, s, strlen(s), 0600) != 0)
			die("hub.json");
		free(s);
		json_decref(j);
	}
	snprintf(log, sizeof(log), "%s/hub.log", tmpdir);
	snprintf(urlfile, sizeof(urlfile), "%s/serve.url", hub);
	if ((hubpid = spawn(ARGV(rosterd, "serve", hub, "--listen", "127.0.0.1:0"), log)) < 0)
		die("hub");
	wait_url(urlfile, url, sizeof(url));
	make_state(o->bin, hub, url, "XA", xa, sizeof(xa));
	make_state(o->bin, hub, url, "XC", xc, sizeof(xc));
	run(ARGV(roster, "sync", "--dir", xa), NULL);
	run(ARGV(roster, "taxii", "collection", "add", "--dir", xa, "--name", "to-xc", "--to",
	    "XC", "--tlp", "AMBER", "--write", "--field", "incident_class=malicious-code",
	    "--field", "sector=energy", "--field", "impact=low", "--subject",
	    "Indicators from the bench"), NULL);
	run(ARGV(roster, "token", "add", "bench", "--dir", xa, "--collections", "to-xc",
	    "--write"), &tok);
	while (tok.len > 0 && (tok.p[tok.len - 1] == '\n'))
		tok.len--;
	buf_addstr(&tok, "");
	snprintf(log, sizeof(log), "%s/serve.log", tmpdir);
	snprintf(urlfile, sizeof(urlfile), "%s/serve.url", xa);
	if ((servepid = spawn(ARGV(roster, "serve", "--dir", xa, "--listen", "127.0.0.1:0"),
	    log)) < 0)
		die("serve");
	wait_url(urlfile, taxii, sizeof(taxii));
	{
		char u[37];
		coll_uuid("to-xc", u);
		snprintf(api, sizeof(api), "%s/taxii2/roster/collections/%s/objects/", taxii, u);
	}
	client_init(&cl, buf_cstr(&tok));
	ncpu0 = proc_cpu_s(servepid);
	hcpu0 = proc_cpu_s(hubpid);
	t0 = mono_s();
	for (long k = 0; k < o->bundles; k++) {
		double p0;
		json_t *j;
		body.len = 0;
		buf_addstr(&body, "{\"objects\": [");
		for (int i = 0; i < 1000; i++) {
			char u[STIX_UUID_LEN];
			stix_uuid4(u);
			buf_printf(&body, "%s{\"type\": \"indicator\", \"spec_version\": \"2.1\", \"id\": "
			    "\"indicator--%s\", \"created\": \"2026-12-01T00:00:00.000Z\", \"modified\": "
			    "\"2026-12-01T00:00:00.000Z\", \"name\": \"bench\", \"pattern\": "
			    "\"[ipv4-addr:value = '10.%ld.%d.%d']\", \"pattern_type\": \"stix\", "
			    "\"valid_from\": \"2026-11-30T00:00:00Z\"}", i ? ", " : "", u, k % 250,
			    i / 250, i % 250);
		}
		buf_addstr(&body, "]}");
		p0 = mono_s();
		if (client_post(&cl, api, &body) != 202 || (j = jparse(cl.body.p, cl.body.len)) ==
		    NULL) {
			fprintf(stderr, "%.*s\n", (int)cl.body.len, (const char *)cl.body.p);
			rs_seterr("a POST was not accepted");
			die("ingest");
		}
		post[k] = mono_s() - p0;
		snprintf(status[k], 37, "%s", jstr(j, "id"));
		json_decref(j);
	}
	for (long k = 0; k < o->bundles; k++)
		for (;;) {
			char su[600];
			json_t *j;
			snprintf(su, sizeof(su), "%s/taxii2/roster/status/%s/", taxii, status[k]);
			if (client_get(&cl, su) != 200 || (j = jparse(cl.body.p, cl.body.len)) == NULL)
				die("status");
			if (strcmp(jstr(j, "status"), "complete") == 0) {
				if (json_integer_value(json_object_get(j, "success_count")) != 1000) {
					rs_seterr("a bundle did not complete with 1000 successes");
					die("ingest");
				}
				json_decref(j);
				break;
			}
			json_decref(j);
			usleep(20000);
		}
	elapsed = mono_s() - t0;
	ncpu = proc_cpu_s(servepid) - ncpu0;
	hcpu = proc_cpu_s(hubpid) - hcpu0;
	snprintf(dbpath, sizeof(dbpath), "%s/node.db", xa);
	if (sqlite3_open_v2(dbpath, &db, SQLITE_OPEN_READONLY, NULL) != SQLITE_OK ||
	    sqlite3_prepare_v2(db, "SELECT max(length(envelope)) FROM outbox WHERE kind = 'msg'",
	    -1, &st, NULL) != SQLITE_OK)
		die("the outbox");
	if (sqlite3_step(st) == SQLITE_ROW)
		env_len = sqlite3_column_int64(st, 0);
	sqlite3_finalize(st);
	sqlite3_close(db);
	b = bound((size_t)env_len);
	printf("\ningest: %ld bundles of 1000 indicators POSTed to an outbox, each sent as one "
	    "message to XC:\n", o->bundles);
	printf("  first POST to last status complete  %.2f s: %.0f indicators/s\n", elapsed,
	    (double)o->bundles * 1000 / elapsed);
	printf("  a POST (validate, map, fill, sign, seal, store)  p50 %.1f ms  max %.1f ms\n",
	    pct(post, (size_t)o->bundles, 0.5) * 1e3, pct(post, (size_t)o->bundles, 1.0) * 1e3);
	printf("  CPU meanwhile: the node (roster serve) %.2f s = %.0f indicators per CPU "
	    "second, the hub %.2f s\n", ncpu, (double)o->bundles * 1000 / ncpu, hcpu);
	printf("  sign + encrypt of the %ld-byte message, one device: %.3f ms = %.0f "
	    "indicators/s (the limit)\n", env_len, b * 1e3, 1000 / b);
	printf("  ratio %.1fx\n", (1000 / b) / ((double)o->bundles * 1000 / elapsed));
	client_free(&cl);
	kill(servepid, SIGTERM);
	waitpid(servepid, NULL, 0);
	kill(hubpid, SIGTERM);
	waitpid(hubpid, NULL, 0);
	buf_free(&tok);
	buf_free(&body);
	free(status);
	free(post);
}

static int
rm_one(const char *path, const struct stat *sb, int flag, struct FTW *f)
{
	(void)sb;
	(void)flag;
	(void)f;
	return remove(path);
}

int
main(int argc, char **argv)
{
	static const struct option lo[] = {
		{ "objects", required_argument, NULL, 'o' },
		{ "pages", required_argument, NULL, 'p' },
		{ "bundles", required_argument, NULL, 'b' },
		{ "bin", required_argument, NULL, 'B' },
		{ "dir", required_argument, NULL, 'd' },
		{ "keep", no_argument, NULL, 'k' },
		{ NULL, 0, NULL, 0 },
	};
	struct bench_opts o = { 1000000, 1000, 20, "build", "/tmp", 0 };
	double load[3];
	int c;

	while ((c = getopt_long(argc, argv, "", lo, NULL)) != -1)
		switch (c) {
		case 'o': o.objects = atol(optarg); break;
		case 'p': o.pages = atol(optarg); break;
		case 'b': o.bundles = atol(optarg); break;
		case 'B': o.bin = optarg; break;
		case 'd': o.base = optarg; break;
		case 'k': o.keep = 1; break;
		default:
			fprintf(stderr, "usage: bench_node_taxii [--objects N] [--pages N] "
			    "[--bundles N] [--bin DIR] [--dir BASE] [--keep]\n");
			return 2;
		}
	if (o.objects < 1000 || o.pages < 1 || o.bundles < 0) {
		fprintf(stderr, "bench_node_taxii: --objects at least 1000, --pages at least 1\n");
		return 2;
	}
	if (sodium_init() < 0 || curl_global_init(CURL_GLOBAL_DEFAULT) != 0)
		return 1;
	setenv("ROSTER_PASSPHRASE", PASSPHRASE, 1);
	signal(SIGPIPE, SIG_IGN);
	snprintf(tmpdir, sizeof(tmpdir), "%s/bench-taxii-XXXXXX", o.base);
	if (mkdtemp(tmpdir) == NULL) {
		perror("mkdtemp");
		return 1;
	}
	if (getloadavg(load, 3) == 3)
		printf("load average %.2f %.2f %.2f on %ld cores (the machine may be shared)\n",
		    load[0], load[1], load[2], sysconf(_SC_NPROCESSORS_ONLN));
	bench_pages(&o);
	if (o.bundles > 0)
		bench_ingest(&o);
	if (!o.keep)
		nftw(tmpdir, rm_one, 16, FTW_DEPTH | FTW_PHYS);
	else
		printf("kept %s\n", tmpdir);
	curl_global_cleanup();
	return 0;
}
