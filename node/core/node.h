/*
 * node.h - the node handle: one State's (or one POC's) view of the hub.
 *
 * A node holds the device keys (sealed at rest), a local store (store.h),
 * and a directory rebuilt from the public records it has verified.  It
 * trusts the hub for nothing: every checkpoint is checked against the
 * operator key and for consistency with every earlier one, every record by
 * its inclusion proof, every envelope by its signature and the directory's
 * rules (verify.h, accept.h).
 *
 * This is the bottom of node/core, the library under the command line
 * (node/cli) and the web interface (node/web).  docs/internals.md lists
 * every file of the three folders and the rule between them: cli and web
 * call core, core calls lib/, never the other way and never in a circle.
 * Each header of core is one concern; this one is the handle every other
 * takes, its configuration (NODEDIR/config.json, config.c) and opening and
 * closing it (node.c).
 */
#ifndef ROSTER_NODE_H
#define ROSTER_NODE_H

#include <pthread.h>
#include <stdint.h>
#include <jansson.h>

#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "keys.h"
#include "statement.h"
#include "util.h"

#include "result.h"

struct store;

struct node_config {
	char hub[512];
	char hub_ca[512];		/* PEM file trusted for https hubs, or "" */
	char hub_name[ORIGIN_MAX];
	uint8_t operator_key[32];
	char state[3];
	char role[16];
	char name[256];
	char email[256];
	char languages[64];		/* "en,fr" */
	uint8_t device[32];		/* this node's device key */
	uint8_t root_key[32];		/* own State's root key, learned at enroll */
	int has_root;
	double stale_after_days;	/* POCs unconfirmed this long are flagged */
	/* e-mail alerts (alert.c); alert_email "" = none */
	char alert_email[256];		/* the POC's own address */
	char smtp_url[512];		/* smtp://host:port or smtps://... */
	char smtp_from[256];		/* default: roster@<node name> */
	char smtp_user[256];
	char smtp_password_file[512];
	char smtp_ca[512];		/* PEM file trusted for the SMTP server's TLS */
	char node_url[512];		/* where the POC reads messages */
};

struct catalogue;

struct node {
	char *dir;
	const char *passfile;
	struct node_config cfg;
	struct store *store;		/* NODEDIR/node.db (store.h) */
	struct keypair *key;		/* NULL until unlocked */
	struct http_client *hub;	/* made by hubclient.c, signing with key */
	struct directory *directory;
	int64_t dir_index;		/* last directory record applied */
	uint64_t dir_read;		/* every directory record below it applied */
	uint64_t dir_size;		/* directory complete up to this log size */
	int alarms;			/* raised by this process */
	int quiet;
	/* Set by a caller that holds the store while others wait for it (the
	 * web's handlers, under the serve loop's lock): what would talk to the
	 * hub (message_send's directory refresh and flush, an agreement's
	 * flush) stores and queues instead, and the serve loop's next pass
	 * sends it.  No network I/O under the lock. */
	int offline;
	/* roster serve sets lock on the node its web interface uses: the
	 * mutex its threads hold around every use of the node.  A long
	 * transfer (an attachment download) releases it while it runs
	 * (node_unlock).  The serve loop itself runs on a node of its own
	 * (node_open_peer), holding no lock through a pass. */
	pthread_mutex_t *lock;
	int peer;			/* opened by node_open_peer: key borrowed */
	/* The catalogue last loaded, read only and shared, and the stamp of
	 * what it was loaded from (catalogue_node.c; node_close drops it). */
	struct catalogue *cat;
	uint8_t cat_stamp[32];
};

/* node.c.  Opens config, store, the device key (need_key: unlocked with the
 * passphrase unless n->key is already set), the hub client and the
 * directory.  0, or -1 with rs_err.  node_close wipes and frees it all (and
 * may be called on a node that was never opened). */
int node_open(struct node *n, int need_key) __attribute__((warn_unused_result));
void node_close(struct node *n);
/* A second handle on the node n opened, for another thread: the same
 * folder, configuration and device key (borrowed: n must outlive it), its
 * own store connection, hub client and directory.  node_close closes it
 * (and leaves the key to n).  0, or -1 with rs_err. */
int node_open_peer(struct node *peer, const struct node *n)
    __attribute__((warn_unused_result));
/* roster serve: takes NODEDIR/serve.lock for the life of the process
 * (the fd, or -1 with rs_err: another serve runs on this node).
 * node_served: does a roster serve run on this node now (then it sends
 * the outbox, and a command beside it may leave what it signed to it)? */
int node_serve_lock(struct node *n) __attribute__((warn_unused_result));
int node_served(const struct node *n);
/* Releases n->lock (when set) around a long network transfer that uses
 * nothing of n but its configuration; node_relock takes it again.  Inline,
 * so that hubclient.c (below node.c in core's layers) needs nothing of
 * node.c. */
static inline void
node_unlock(struct node *n)
{
	if (n->lock != NULL)
		(void)pthread_mutex_unlock(n->lock);
}

static inline void
node_relock(struct node *n)
{
	if (n->lock != NULL)
		(void)pthread_mutex_lock(n->lock);
}

/* This node's clock, in ms: now_ms() moved by ROSTER_CLOCK_SKEW_MS (an
 * integer, when set), the time the node writes in what it signs and the
 * "now" it checks its own records against before signing.  Nothing the
 * node verifies uses it: every rule runs on log times.  The skew lets a
 * test run a node whose clock is wrong (tests/e2e/test_process.sh) without
 * changing the machine's. */
int64_t node_clock(void);
/* A log time as "YYYY-MM-DD HH:MM:SSZ" ("-" for none) in out. */
const char *time_str(int64_t ms, char *out, size_t len);
/* The first 16 hex digits of an id, as every listing shows it. */
void short_id(char out[17], const uint8_t id[32]);

/* config.c: NODEDIR/config.json, read strictly, written atomically. */
int config_load(struct node *n) __attribute__((warn_unused_result));
int config_save(struct node *n) __attribute__((warn_unused_result));

#endif
