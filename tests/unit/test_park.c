/*
 * test_park.c - parked requests (long polling) in lib/http_server.c.
 *
 * The handler parks GET /wait/K?ms=M under key K until key K is "ready"
 * (then it answers {"k":K,"woken":W}) or M milliseconds pass (then the
 * filled {"timeout":true} goes out).  Clients are raw sockets, so hundreds
 * can wait at once in one process.  What is tried: 600 waiting on a server
 * of 2 threads (no thread per waiter), a wake reaching exactly its keys,
 * deadlines, a wake racing a park, clients leaving while parked, and
 * stopping with parked requests.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <arpa/inet.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <sys/socket.h>
#include <unistd.h>

#include "http.h"
#include "util.h"

#define NKEYS	1024
#define MANY	600

static struct http_server *srv;
static int many = MANY;		/* fewer only if the fd limit cannot be raised */
static uint16_t port;
static atomic_int ready[NKEYS];
static atomic_int race_done;

static void
key_of(uint8_t key[32], int k)
{
	memset(key, 0, 32);
	key[0] = (uint8_t)(k >> 8);
	key[1] = (uint8_t)k;
	key[31] = 0x5a;
}

static void
handler(void *ctx, const struct http_req *req, struct http_resp *resp)
{
	const char *ms = http_req_query(req, "ms");
	uint8_t key[32];
	int k;

	if (strncmp(req->path, "/race/", 6) == 0) {
		/* The wake lands between the look and the park. */
		k = atoi(req->path + 6);
		key_of(key, k);
		if (!req->woken) {
			http_server_wake(srv, (const uint8_t (*)[32])key, 1);
			http_resp_json(resp, 200, json_pack("{s:b}", "timeout", 1));
			resp->park_until = req->since_ms + 10000;
			memcpy(resp->park_key, key, 32);
			return;
		}
		atomic_store(&race_done, 1);
		http_resp_json(resp, 200, json_pack("{s:i,s:i}", "k", k, "woken", 1));
		return;
	}
	if (strncmp(req->path, "/wait/", 6) != 0 || ms == NULL) {
		http_resp_error(resp, 404, "no");
		return;
	}
	k = atoi(req->path + 6) % NKEYS;
	if (atomic_load(&ready[k])) {
		http_resp_json(resp, 200, json_pack("{s:i,s:i}", "k", k,
		    "woken", req->woken));
		return;
	}
	key_of(key, k);
	http_resp_json(resp, 200, json_pack("{s:b}", "timeout", 1));
	resp->park_until = req->since_ms + atoi(ms);
	memcpy(resp->park_key, key, 32);
}

static int
setup(void **state)
{
	struct rlimit rl;

	/* 600 clients and the server's 600 ends, in one process. */
	if (getrlimit(RLIMIT_NOFILE, &rl) == 0 && rl.rlim_cur < 2 * MANY + 100) {
		rl.rlim_cur = rl.rlim_max;
		if (setrlimit(RLIMIT_NOFILE, &rl) != 0 || rl.rlim_cur < 2 * MANY + 100) {
			getrlimit(RLIMIT_NOFILE, &rl);
			many = ((int)rl.rlim_cur - 100) / 2 & ~1;
			fprintf(stderr, "note: file descriptor limit %d: %d waiters "
			    "instead of %d\n", (int)rl.rlim_cur, many, MANY);
		}
	}
	srv = http_server_start("127.0.0.1:0", 4096, 2, handler, NULL);
	if (srv == NULL)
		return -1;
	port = http_server_port(srv);
	return 0;
}

static int
teardown(void **state)
{
	http_server_stop(srv);
	return 0;
}

/* A connected socket that has sent GET target. */
static int
ask(const char *target)
{
	struct sockaddr_in a = { .sin_family = AF_INET, .sin_port = htons(port) };
	char req[256];
	int fd = socket(AF_INET, SOCK_STREAM, 0), n;

	assert_true(fd >= 0);
	a.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
	assert_int_equal(connect(fd, (struct sockaddr *)&a, sizeof(a)), 0);
	n = snprintf(req, sizeof(req), "GET %s HTTP/1.1\r\nHost: t\r\n"
	    "Connection: close\r\n\r\n", target);
	assert_int_equal(write(fd, req, (size_t)n), n);
	return fd;
}

/* The whole answer (until the server closes), within ms; "" on timeout. */
static char *
answer(int fd, int ms)
{
	struct buf b = {0};
	struct pollfd p = { .fd = fd, .events = POLLIN };
	int64_t end = now_ms() + ms;
	char tmp[4096];
	ssize_t n;

	for (;;) {
		int left = (int)(end - now_ms());
		if (left <= 0 || poll(&p, 1, left) <= 0)
			break;
		if ((n = read(fd, tmp, sizeof(tmp))) <= 0)
			break;
		buf_add(&b, tmp, (size_t)n);
	}
	if (b.p == NULL)
		return xstrdup("");
	buf_addstr(&b, "");
	return (char *)b.p;
}

static int
readable(int fd)
{
	struct pollfd p = { .fd = fd, .events = POLLIN };

	return poll(&p, 1, 0) > 0;
}

static void
wait_parked(size_t n)
{
	for (int i = 0; i < 500 && http_server_parked(srv) != n; i++)
		usleep(10000);
	assert_int_equal(http_server_parked(srv), n);
}

static void
test_many_waiters(void **state)
{
	static int fds[MANY];
	uint8_t (*keys)[32] = xcalloc(MANY / 2, 32);
	char target[64], want[64];
	int64_t t0;

	for (int k = 0; k < many; k++) {
		snprintf(target, sizeof(target), "/wait/%d?ms=30000", k);
		fds[k] = ask(target);
	}
	/* 600 parked on a server of 2 threads: none holds a thread. */
	wait_parked((size_t)many);
	for (int k = 0; k < many; k += 2) {
		atomic_store(&ready[k], 1);
		key_of(keys[k / 2], k);
	}
	t0 = now_ms();
	http_server_wake(srv, (const uint8_t (*)[32])keys, (size_t)many / 2);
	for (int k = 0; k < many; k += 2) {
		char *a = answer(fds[k], 5000);
		snprintf(want, sizeof(want), "{\"k\":%d,\"woken\":1}", k);
		assert_non_null(strstr(a, "200 OK"));
		assert_non_null(strstr(a, want));
		free(a);
		close(fds[k]);
	}
	assert_true(now_ms() - t0 < 5000);
	/* The others are still waiting, untouched. */
	wait_parked((size_t)many / 2);
	for (int k = 1; k < many; k += 2)
		assert_false(readable(fds[k]));
	/* A wake of keys nobody waits for changes nothing. */
	http_server_wake(srv, (const uint8_t (*)[32])keys, 1);
	wait_parked((size_t)many / 2);
	/* Clients that leave while parked are cleaned up at their deadline
	 * or at stop; here they leave and we wake them all. */
	for (int k = 1; k < many; k += 2) {
		close(fds[k]);
		atomic_store(&ready[k], 1);
		key_of(keys[k / 2], k);
	}
	http_server_wake(srv, (const uint8_t (*)[32])keys, (size_t)many / 2);
	wait_parked(0);
	free(keys);
}

static void
test_deadline(void **state)
{
	int64_t t0 = now_ms();
	int fd = ask("/wait/1000?ms=400");
	char *a = answer(fd, 5000);
	int64_t took = now_ms() - t0;

	assert_non_null(strstr(a, "{\"timeout\":true}"));
	assert_true(took >= 350 && took < 3000);
	free(a);
	close(fd);
}

static void
test_race(void **state)
{
	int64_t t0 = now_ms();
	int fd = ask("/race/1001");
	char *a = answer(fd, 5000);

	/* Not parked for 10 s: the wake that raced made it look again. */
	assert_non_null(strstr(a, "{\"k\":1001,\"woken\":1}"));
	assert_true(now_ms() - t0 < 2000);
	assert_int_equal(atomic_load(&race_done), 1);
	free(a);
	close(fd);
}

static void
test_stop_with_parked(void **state)
{
	struct http_server *keep = srv;
	int fds[50];
	char target[64];
	int64_t t0;

	srv = http_server_start("127.0.0.1:0", 4096, 2, handler, NULL);
	assert_non_null(srv);
	port = http_server_port(srv);
	for (int i = 0; i < 50; i++) {
		snprintf(target, sizeof(target), "/wait/%d?ms=60000", 900 + i % 20);
		fds[i] = ask(target);
	}
	wait_parked(50);
	close(fds[0]);		/* one client gone already */
	t0 = now_ms();
	http_server_stop(srv);
	assert_true(now_ms() - t0 < 6000);
	for (int i = 1; i < 50; i++) {
		char *a = answer(fds[i], 2000);
		assert_non_null(strstr(a, "{\"timeout\":true}"));
		free(a);
		close(fds[i]);
	}
	srv = keep;
	port = http_server_port(srv);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_many_waiters),
		cmocka_unit_test(test_deadline),
		cmocka_unit_test(test_race),
		cmocka_unit_test(test_stop_with_parked),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
