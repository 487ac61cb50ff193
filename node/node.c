/*
 * node.c - opening a node: its config, its store, the device key (unlocked
 * with the passphrase unless the caller already holds it), a client for its
 * hub that signs requests with the device key, and the directory rebuilt
 * from the verified records in the store.  node_close wipes and frees it all.
 */
#include "node.h"

#include <stdlib.h>
#include <string.h>

#include "db.h"

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
	n->hub = http_client_new(n->cfg.hub);
	if (n->hub == NULL)
		return -1;
	if (n->cfg.hub_ca[0] != '\0')
		http_client_set_ca(n->hub, n->cfg.hub_ca);
	if (n->key != NULL)
		http_client_set_signer(n->hub, n->key->pk, n->key->sk);
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
	if (n->db)
		db_close(n->db);
	n->db = NULL;
	free(n->dir);
	n->dir = NULL;
}
