/*
 * node.c - opening a node: its config, its store, the device key (unlocked
 * with the passphrase unless the caller already holds it), a client for its
 * hub that signs requests with the device key, and the directory rebuilt
 * from the verified records in the store.  node_close wipes and frees it all.
 */
#include "node.h"

#include <errno.h>
#include <fcntl.h>
#include <stdlib.h>
#include <string.h>
#include <sys/file.h>
#include <time.h>
#include <unistd.h>
#include <sodium.h>

#include "catalogue.h"
#include "hubclient.h"
#include "store.h"
#include "verify.h"

int
node_open(struct node *n, int need_key)
{
	char path[4096];

	if (n->dir == NULL) {
		rs_seterr("no node folder: give --dir NODEDIR or set ROSTER_NODE_DIR");
		return -1;
	}
	if (config_load(n) != 0 || store_open(n) != 0)
		return -1;
	if (need_key && n->key == NULL) {
		char *pass = passphrase_get(n->passfile, "Device key passphrase: ", 0);
		if (pass == NULL)
			return -1;
		snprintf(path, sizeof(path), "%s/device.key", n->dir);
		n->key = keyfile_read(path, KEY_DEVICE, pass);
		secret_free(pass);
		if (n->key == NULL)
			return -1;
	}
	if ((n->hub = hub_client(&n->cfg, n->key)) == NULL)
		return -1;
	return directory_load(n);
}

int
node_open_peer(struct node *peer, const struct node *n)
{
	memset(peer, 0, sizeof(*peer));
	peer->dir = xstrdup(n->dir);
	peer->passfile = n->passfile;
	peer->cfg = n->cfg;
	peer->key = n->key;
	peer->peer = 1;
	peer->quiet = n->quiet;
	if (store_open(peer) != 0 || (peer->hub = hub_client(&peer->cfg, peer->key)) == NULL)
		return -1;
	return directory_load(peer);
}

/* NODEDIR/serve.lock: roster serve holds an exclusive lock on it while it
 * runs, so that a command beside it knows who sends the outbox. */
static int
serve_lock_fd(const struct node *n)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/serve.lock", n->dir);
	return open(path, O_RDWR | O_CREAT | O_CLOEXEC, 0600);
}

int
node_serve_lock(struct node *n)
{
	int fd = serve_lock_fd(n);

	if (fd < 0) {
		rs_seterr("cannot open %s/serve.lock: %s", n->dir, strerror(errno));
		return -1;
	}
	if (flock(fd, LOCK_EX | LOCK_NB) != 0) {
		rs_seterr("another roster serve is running on %s", n->dir);
		close(fd);
		return -1;
	}
	return fd;	/* held until the process exits */
}

int
node_served(const struct node *n)
{
	int fd = serve_lock_fd(n), held;

	if (fd < 0)
		return 0;
	held = flock(fd, LOCK_SH | LOCK_NB) != 0 && errno == EWOULDBLOCK;
	close(fd);
	return held;
}

void
node_close(struct node *n)
{
	if (!n->peer)
		keypair_free(n->key);
	n->key = NULL;
	if (n->hub)
		http_client_free(n->hub);
	n->hub = NULL;
	dir_free(n->directory);
	n->directory = NULL;
	catalogue_free(n->cat);
	n->cat = NULL;
	store_close(n);
	free(n->dir);
	n->dir = NULL;
}

const char *
node_result_name(enum node_result r)
{
	static const char *const names[] = {
		[NR_OK] = "ok", [NR_REFUSED] = "refused", [NR_RETRY] = "retry",
		[NR_HOSTILE] = "hostile hub", [NR_STORAGE] = "storage error",
		[NR_TRANSPORT] = "transport error", [NR_AGAIN] = "again",
		[NR_BAD] = "bad record",
	};

	return r >= NR_OK && r <= NR_BAD ? names[r] : "?";
}

int64_t
node_clock(void)
{
	const char *s = getenv("ROSTER_CLOCK_SKEW_MS");
	char *end;
	long long skew;

	if (s == NULL || *s == '\0')
		return now_ms();
	skew = strtoll(s, &end, 10);
	return *end == '\0' ? now_ms() + skew : now_ms();
}

void
short_id(char out[17], const uint8_t id[32])
{
	sodium_bin2hex(out, 17, id, 8);
}

const char *
time_str(int64_t ms, char *out, size_t len)
{
	time_t t = (time_t)(ms / 1000);
	struct tm tm;

	if (ms <= 0) {
		snprintf(out, len, "-");
		return out;
	}
	gmtime_r(&t, &tm);
	strftime(out, len, "%Y-%m-%d %H:%M:%SZ", &tm);
	return out;
}
