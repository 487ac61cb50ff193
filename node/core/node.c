/*
 * node.c - opening a node: its config, its store, the device key (unlocked
 * with the passphrase unless the caller already holds it), a client for its
 * hub that signs requests with the device key, and the directory rebuilt
 * from the verified records in the store.  node_close wipes and frees it all.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <sodium.h>

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

void
node_close(struct node *n)
{
	keypair_free(n->key);
	n->key = NULL;
	if (n->hub)
		http_client_free(n->hub);
	n->hub = NULL;
	dir_free(n->directory);
	n->directory = NULL;
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
