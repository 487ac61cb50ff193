/*
 * hub.h - what the parts of rosterd share: the hub directory, its
 * configuration, its lock, and the entry points of the commands.
 *
 * A hub is one directory (HUBDIR):
 *
 *   hub.json       configuration (name, listen address, body limit, threads)
 *   operator.key   the operator's Ed25519 key, unsealed, mode 0600
 *   operator.pub   its public half, to hand to nodes
 *   hub.db         SQLite: the log, routing, chain heads, the public
 *                  records' numbering, latest checkpoint
 *   tree/          the Merkle tree, one flat file per level (lib/merkle.h)
 *   tree/public/   the public tree (docs/protocol.md section 8), the same way
 *                  (with "db": "postgresql://..." in hub.json all of these
 *                  live in that database instead, and several rosterd
 *                  processes, each with a HUBDIR of its own, may serve it)
 *   blobs/         attachments' ciphertexts, by SHA-256 (hub/blobs.c)
 *   lock           flock'ed by whoever writes the log (serve, admit)
 *   serve.url      "http://ADDR:PORT\n" while a hub is serving
 *
 * Whoever appends to the log holds an exclusive flock on HUBDIR/lock, so
 * there is never more than one writer; "rosterd admit" uses that lock to tell
 * whether a hub is serving (then it goes through HTTP like anyone else) or
 * not (then it opens the store itself).  On PostgreSQL the writers of all
 * processes take turns on the database's coordination row instead
 * (store_pg_write.c); the flock still keeps one serving process per
 * HUBDIR, so that serve.url names it.
 */
#ifndef ROSTER_HUB_H
#define ROSTER_HUB_H

#include <stddef.h>
#include <jansson.h>

#include "log.h"
#include "opts.h"
#include "statement.h"
#include "util.h"

#define HUB_DEFAULT_LISTEN	"127.0.0.1:8443"
#define HUB_DEFAULT_MAX_BODY	((size_t)16 << 20)
#define HUB_MAX_MAX_BODY	((size_t)1 << 30)
#define HUB_DEFAULT_THREADS	4
#define HUB_MAX_THREADS		256
#define HUB_LISTEN_MAX		128
#define HUB_DEFAULT_MAX_ATTACHMENT	((size_t)50 << 20)
#define HUB_MAX_MAX_ATTACHMENT		((size_t)1 << 34)
#define HUB_DB_MAX		1024
#define HUB_DEFAULT_DB_POOL	8
#define HUB_MAX_DB_POOL		256
/* Section 9: per device over a sliding hour, per address, per device. */
#define HUB_DEFAULT_QUOTA_ENVELOPES	3600
#define HUB_DEFAULT_QUOTA_BYTES		((int64_t)64 << 20)
#define HUB_DEFAULT_CONN_PER_ADDRESS	64
#define HUB_DEFAULT_HEADER_TIMEOUT_S	10
#define HUB_DEFAULT_WAITS_PER_DEVICE	4

struct hub_config {
	char name[ORIGIN_MAX];		/* the checkpoints' origin line */
	char listen[HUB_LISTEN_MAX];	/* "127.0.0.1:8443" */
	size_t max_body;		/* bytes per request body */
	unsigned threads;		/* HTTP worker threads */
	size_t max_attachment;		/* bytes per attached file */
	char tls_cert[512];		/* PEM file; "" for plain HTTP */
	char tls_key[512];		/* its private key (PEM file) */
	int64_t deadline_ms[URGENCY_LEVELS];	/* acknowledgement deadlines */
	char metrics_listen[HUB_LISTEN_MAX];	/* "" : no /metrics */
	char log_format[8];		/* "plain" (default) or "json" */
	char db[HUB_DB_MAX];		/* "" : SQLite in HUBDIR/hub.db; else a
					 * postgresql:// URL (ROSTER_HUB_DB
					 * overrides hub.json) */
	unsigned db_pool;		/* reader connections per process */
	char blobs[512];		/* "" : HUBDIR/blobs */
	int64_t quota_envelopes;	/* per device and hour; 0: none */
	int64_t quota_bytes;		/* per device and hour; 0: none */
	unsigned conn_per_address;	/* open connections from one address */
	unsigned header_timeout_s;	/* to finish a request's headers */
	unsigned waits_per_device;	/* parked long polls of one device */
	int startup_check;		/* check every stored envelope at start */
};

/* HUBDIR/name, malloc'd. */
char *hub_path(const char *hubdir, const char *name);

/* The hub directory from the positional argument or ROSTER_HUB_DIR; NULL
 * with rs_err when neither is given. */
const char *hub_dir_arg(const char *positional);

/* Defaults, then HUBDIR/hub.json over them. */
void hub_config_defaults(struct hub_config *c);
int hub_config_read(const char *hubdir, struct hub_config *c);
/* Takes "db" from ROSTER_HUB_DB when it is set (hub_config_read does). */
int hub_config_db_env(struct hub_config *c);
int hub_config_write(const char *hubdir, const struct hub_config *c);
/* Checks a hub name: 1..127 bytes, valid UTF-8, no control characters. */
/* Parses a decimal size with an optional K/M/G suffix ("16M"). */
int hub_parse_size(const char *s, size_t *out);

/* Takes HUBDIR/lock exclusively without waiting.  Returns 0 and the fd when
 * taken, 1 when another process holds it, -1 with rs_err on error. */
int hub_lock(const char *hubdir, int *fd);
void hub_unlock(int fd);

/* operator.c: the operator key (NULL with rs_err), and appending a record
 * it signed, through the serving hub or directly; 0 only with a receipt for
 * env that verifies under op. */
struct keypair;
struct buf;
struct keypair *operator_key_read(const char *hubdir);
int operator_append(const char *hubdir, const struct keypair *op,
    const struct buf *env, struct receipt *r);
/* Signs hdr and payload (JSON, not stolen) with the operator key, checks
 * the record's shape (lib/kinds.c) and appends it as operator_append. */
int operator_record(const char *hubdir, json_t *hdr, json_t *payload,
    struct receipt *r) __attribute__((warn_unused_result));

/* procshow.c: a hub's records read into the rules' state (the directory
 * and the process, replayed as the serving hub did), from one snapshot of
 * the database; works while a hub serves.  -1 with rs_err. */
struct store;
struct registry;
struct hub_state {
	struct store *store;		/* store_open_reader's; holds the rest */
	struct directory *dir;
	struct process *proc;
	struct registry *reg;
	uint64_t size;			/* the log's size */
	int64_t last_time;		/* the last record's log time */
};
int hub_state_read(const char *hubdir, struct hub_state *hs)
    __attribute__((warn_unused_result));
void hub_state_free(struct hub_state *hs);

/* Commands (argv[0] is the command name). */
int cmd_init(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_admit(int argc, char **argv);
int cmd_check(int argc, char **argv);
int cmd_group(int argc, char **argv);
int cmd_checks(int argc, char **argv);	/* checks.c */
int cmd_ping(int argc, char **argv);
int cmd_db(int argc, char **argv);	/* dbcmd.c */
int cmd_migrate_store(int argc, char **argv);	/* migrate.c */
int cmd_body(int argc, char **argv);		/* body.c */
int cmd_body_rules(int argc, char **argv);
int cmd_meeting(int argc, char **argv);		/* meeting.c */
int cmd_stakeholder(int argc, char **argv);	/* stakeholder.c */
int cmd_process(int argc, char **argv);		/* procshow.c */

/* The manual (help.c): the program and one page per command, each with
 * the option table its command parses against (lib/opts.h). */
extern const struct prog_doc rosterd_prog;
extern const struct cmd_doc hdoc_init, hdoc_serve, hdoc_admit, hdoc_group,
    hdoc_check, hdoc_ping, hdoc_checks, hdoc_db, hdoc_migrate, hdoc_body, hdoc_body_rules,
    hdoc_meeting, hdoc_stakeholder, hdoc_process;

/* Parsing a command (hubdir.c): hub_opts parses argv against doc (0, or -1
 * after the usage message, o freed); hub_opts_finish takes HUBDIR (the
 * first positional, or ROSTER_HUB_DIR) and refuses anything not taken (0,
 * or -1 after the message; o freed either way). */
int hub_opts(struct opts *o, const struct cmd_doc *doc, int argc, char **argv)
    __attribute__((warn_unused_result));
int hub_opts_finish(struct opts *o, const char **hubdir)
    __attribute__((warn_unused_result));

#endif
