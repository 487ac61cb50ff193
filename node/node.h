/*
 * node.h - the node: one State's (or one POC's) view of the hub.
 *
 * A node holds the device keys (sealed at rest), a local SQLite store, and a
 * directory rebuilt from the public records it has verified.  It trusts the
 * hub for nothing: every checkpoint is checked against the operator key and
 * for consistency with every earlier one, every record by its inclusion
 * proof, every envelope by its signature and the directory's rules.
 *
 * The files of node/ split the work by concern:
 *   main.c      command dispatch and help
 *   cli.c       option parsing, usage and failure messages, formatting
 *   node.c      opening and closing a node
 *   config.c    NODEDIR/config.json
 *   store.c     NODEDIR/node.db and its queries
 *   verify.c    checkpoints, inclusion, directory replay, own-State alarms
 *   sync.c      one pass with the hub: outbox, directory, mail
 *   keycmd.c    keygen, certify (the administrator's side)
 *   enroll.c    init, enroll, revoke
 *   message.c   composing, signing and sending any message
 *   send.c      send, reply, ack
 *   audience.c  States, groups and roles to recipient devices
 *   escalate.c  deadlines and overdue notices
 *   forward.c   forwarding with a verifiable link to the original
 *   tlp.c       the TLP 2.0 forwarding rules
 *   show.c      inbox, show, status, directory listing
 *   audit.c     audit and cosigning
 *   serve.c     the long-running node and its local API
 *   attach.c    attachments: encrypt, upload, download, decrypt
 *   watch.c     serve's long poll of the hub: new mail within a second
 *   alert.c     e-mail alerts (queue, mail text, SMTP, sender thread)
 *   alertcmd.c  the `roster alerts` command
 *   web.h       the web interface: web.c, localapi.c, accounts.c,
 *               countries.c, tlp.c
 */
#ifndef ROSTER_NODE_H
#define ROSTER_NODE_H

#include <pthread.h>
#include <signal.h>
#include <stdint.h>
#include <stdio.h>
#include <jansson.h>
#include <sqlite3.h>

#include "directory.h"
#include "envelope.h"
#include "http.h"
#include "keys.h"
#include "statement.h"
#include "util.h"

#define EXIT_USAGE 2

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

struct node {
	char *dir;
	const char *passfile;
	struct node_config cfg;
	sqlite3 *db;
	struct keypair *key;		/* NULL until unlocked */
	struct http_client *hub;
	struct directory *directory;
	int64_t dir_index;		/* last directory record applied */
	uint64_t dir_size;		/* directory complete up to this log size */
	int alarms;			/* raised by this process */
	int quiet;
};

/* Option parsing shared by the commands: --name VALUE or --name=VALUE. */
struct opts {
	int argc;
	char **argv;
	unsigned char *used;
};

/* config.c */
int config_load(struct node *n);
int config_save(struct node *n);

/* store.c */
int store_open(struct node *n);
int store_alarm(struct node *n, const char *kind, const char *evidence,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
int store_refusal(struct node *n, int64_t index, const char *reason);
/* sync.c: keeps an accepted log record verbatim (idempotent), with the
 * checkpoint size its inclusion was proved at. */
int store_record(struct node *n, const struct envelope *e, int64_t index, int64_t time,
    uint64_t checked);
/* Finds a message by id prefix (hex, >= 8 digits).  0, or -1 with rs_err. */
int store_find_message(struct node *n, const char *prefix, uint8_t id[32]);
/* Signs an envelope with the device's next sequence number and chain link
 * and adds it to the outbox.  Must run inside the caller's transaction, so
 * the chain head and whatever the envelope stands for commit together. */
int store_outbox_add(struct node *n, json_t *hdr, const void *payload, size_t len,
    struct buf *env, uint8_t id[32]);

/* node.c.  need_key: unlock the device key, unless n->key is already set. */
int node_open(struct node *n, int need_key);
void node_close(struct node *n);

/* verify.c */
int verify_checkpoint(struct node *n, json_t *j, struct checkpoint *out);
int verify_inclusion(struct node *n, const struct checkpoint *cp, uint64_t index,
    const uint8_t id[32], int64_t time, json_t *proof);
int directory_load(struct node *n);
/* Applies directory records another process of this node stored meanwhile
 * (a CLI command beside `roster serve`). */
int directory_refresh(struct node *n);
int directory_accept(struct node *n, const struct envelope *e, int64_t index,
    int64_t time);
/* Alarms (and returns -1) when e is a key record about this node's State not
 * made with the State's root key. */
int own_state_alarm(struct node *n, const struct envelope *e, int64_t index);
/* -2 (and an alarm with both statements as evidence) when this node holds
 * another checkpoint of cp's size with a different root; -1 on a store
 * error; 0 otherwise. */
int checkpoint_clash(struct node *n, const struct checkpoint *cp);
/* 0 when consistent, -1 on a transport error, -2 when the proof fails. */
int consistency_check(struct node *n, uint64_t size1, const uint8_t root1[32],
    uint64_t size2, const uint8_t root2[32]);

/* sync.c */
struct sync_stats {
	int directory, messages, acks, refused, sent;
	uint64_t checkpoint;
};
/* The three listings of docs/protocol.md section 5. */
enum sync_listing { SYNC_DIRECTORY, SYNC_MAIL, SYNC_COSIGN, SYNC_CHECKS };
/* A record refused only because this node's directory is older than it:
 * the directory is brought up to date and the page taken again. */
#define RECORD_RETRY (-3)
/* One page of a listing as the hub answered it, already parsed: verifies the
 * checkpoint, then each record (inclusion proof, envelope, signature, the
 * listing's rules) is stored or refused, and *after moves past it.  Runs in
 * the caller's transaction.  0 with *more set; -1 when the checkpoint is
 * refused (an alarm may have been stored: commit it); -2 when a record is
 * malformed or out of order, or the store fails (roll back).  rs_err says
 * why. */
int sync_listing_page(struct node *n, enum sync_listing which, json_t *j,
    int64_t *after, int *more, struct sync_stats *s);
int sync_directory(struct node *n, struct sync_stats *s);
int sync_once(struct node *n, struct sync_stats *s);
int sync_cosignatures(struct node *n, struct sync_stats *s);
int outbox_flush(struct node *n, struct sync_stats *s);

/* enroll.c: submits one envelope and checks the receipt (a 409 carrying the
 * existing receipt counts as success). */
int submit_one(struct http_client *c, const uint8_t operator_key[32],
    const struct buf *env, struct receipt *r);

/* send.c: signs an acknowledgement of message msg_id, encrypted to the
 * sender device, into the outbox (inside the caller's transaction). */
int make_ack(struct node *n, const uint8_t msg_id[32], const uint8_t sender[32],
    const char *status, const char *note);
/* The same, telling the acknowledgement's own envelope id. */
int make_ack_id(struct node *n, const uint8_t msg_id[32], const uint8_t sender[32],
    const char *status, const char *note, uint8_t id[32]);

/* attach.c: attachments (docs/protocol.md, "Attachments").  attach_upload
 * encrypts and uploads one file, streaming, and gives its description for
 * the sealed payload; attach_download fetches, checks and decrypts one into
 * out_path (never over an existing file; nothing left behind on failure).
 * attach_all uploads every file, puts the descriptions in payload's
 * "attachments" and gives the header's list ({sha256, size}) in *hdr_list.
 * progress: draw a progress bar on stderr even when it is not a terminal. */
int attach_upload(struct node *n, const char *path, int progress, json_t **desc);
int attach_download(struct node *n, json_t *desc, const char *out_path, int progress);
int attach_all(struct node *n, const char *const *paths, size_t np, int progress,
    json_t *payload, json_t **hdr_list);
/* For show: the signed header's list ({sha256, size} each; new reference,
 * NULL when none), and a one-line summary on stdout. */
json_t *attach_listed(struct node *n, const uint8_t id[32]);
/* For message_send: resolves o's audience if not yet done (so a bad
 * audience fails before any upload), then uploads o->attach. */
struct outgoing;
int attach_prepare(struct node *n, struct outgoing *o);
/* --attach FILE (repeatable) and --progress into out; files has room for
 * BLOB_MAX_ATTACH + 1 (out->nattach over BLOB_MAX_ATTACH: too many). */
void attach_opts(struct opts *o, struct outgoing *out, const char **files);
void attach_show(struct node *n, const uint8_t id[32], int received);


/* show.c: the thread of message id (from its first ancestor this node
 * holds), [{id, depth, from, subject, time}] in log order. */
json_t *message_thread_json(struct node *n, const uint8_t id[32]);

/* show.c: received messages, newest first, as the API and --json give them. */
json_t *inbox_json(struct node *n, int limit);

/* audience.c: resolves "--to" (State codes, group:NAME, all) narrowed to
 * roles (NULL: every role) to recipient devices; appends the States reached
 * to states and the device keys (hex) to rcpt.  0, or -1 with rs_err. */
struct seal_recipient;
int audience_check_roles(const char *roles);
int audience_resolve(struct node *n, const char *to, const char *roles,
    struct seal_recipient **r, size_t *nr, json_t *states, json_t *rcpt);

/* checks.c: communication checks.  checks_accept takes a record of the
 * GET /v1/checks listing (a check or an answer), as sync.c's listing
 * functions do. */
struct checkpoint;
int checks_accept(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, int64_t index, int64_t time, struct sync_stats *s);
/* Is prefix the id of a check this node knows?  Then checks_answer signs
 * and submits this device's answer (for `roster ack ID`). */
int checks_is_check(struct node *n, const char *prefix);
int checks_answer(struct node *n, const char *prefix);
/* Device (hex) -> log time of its last answer to any check. */
json_t *checks_last_answers(struct node *n);
/* 1 when d answered a check or was certified within stale_after_days (or
 * is revoked); *answered is its last answer's log time or -1. */
int checks_device_fresh(struct node *n, const struct dir_device *d, json_t *last,
    int64_t *answered);
double checks_stale_days(struct node *n);
/* For the local API: sign (with n->key) a check from this device to an
 * audience ("all", group:NAME, States) with a deadline ("24h"), or this
 * device's answer to a check, into the outbox; the caller flushes.  0; for
 * an answer 1 when already answered, 2 when not asked; -1 with rs_err. */
int checks_sign_start(struct node *n, const char *to, const char *roles,
    const char *deadline, uint8_t id[32]);
int checks_sign_answer(struct node *n, const char *prefix, uint8_t id[32]);
/* How many checks ask this device and wait for its answer. */
int checks_open(struct node *n);
/* Prints the reminder naming this State's stale POCs (to f; NULL: only
 * count them); returns their count. */
int checks_remind(struct node *n, FILE *f);
/* The checks this node started or was asked (all: every check it verified),
 * and the report over every check it verified (the local API). */
json_t *checks_list_json(struct node *n, int all);
json_t *checks_report_json(struct node *n);
int cmd_checks(int argc, char **argv);
/* message.c: a message on its way out.  Set to (an audience for
 * audience_resolve) and roles, or fill r/nr/states/rcpt yourself; payload
 * holds subject, body, tlp, lang and whatever else the message carries. */
struct outgoing {
	const char *to;
	const char *roles;
	const char *urgency;
	json_t *payload;
	const uint8_t *parent;		/* thread: the message replied to */
	const char *notice;		/* NULL, or "overdue" */
	struct seal_recipient *r;
	size_t nr;
	json_t *states, *rcpt;
	/* Attachments (attach.c): the files, uploaded by message_send
	 * before signing; the header's list ({sha256, size}) lands in
	 * attachments, the descriptions in payload's "attachments". */
	const char *const *attach;
	size_t nattach;
	int progress;			/* progress bar even off a terminal */
	json_t *attachments;
};
void outgoing_init(struct outgoing *o);
void outgoing_free(struct outgoing *o);
/* The acknowledgement deadline for an urgency, from the hub's policy. */
int64_t message_deadline_ms(struct node *n, const char *urgency);
/* Signs and stores o in the outbox: in its own transaction, or in the
 * caller's. */
int message_store(struct node *n, struct outgoing *o, uint8_t id[32]);
int message_store_txn(struct node *n, struct outgoing *o, uint8_t id[32]);
/* Checks the types of a decrypted payload's fields; -1 with rs_err. */
int message_payload_check(json_t *m);

/* escalate.c: sends overdue notices for this node's messages whose
 * deadline passed without an acknowledgement from a recipient State;
 * *sent counts them.  And, on a receiving node, takes note of a notice. */
int escalate_due(struct node *n, int *sent);
/* Milliseconds until escalate_due may next have something to do. */
int64_t escalate_next_ms(struct node *n);
int notice_received(struct node *n, const struct envelope *e, json_t *m,
    int64_t time);

/* tlp.c: may a message labelled tlp (no_forward: the sender forbade it),
 * received by own_state and originally sent to original_to, be forwarded to
 * to_state?  0, or -1 with rs_err explaining the rule. */
int tlp_may_forward(const char *tlp, int no_forward, const char *own_state,
    json_t *original_to, const char *to_state);

/* forward.c: checks the original carried by a forwarded message against
 * the log (signature, signer, inclusion at cp) and its content key. */
int forward_verify(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, json_t *m);
/* Forwards received message id to an audience: 0 when sent or queued, -2
 * with rs_err naming the rule when its TLP label or sender forbid it, -1
 * with rs_err on any other failure. */
int forward_send(struct node *n, const uint8_t id[32], const char *to, const char *roles,
    const char *note, const char *lang, uint8_t newid[32]);
/* message_store, then flushes the outbox and reports the receipt. */
int message_send(struct node *n, struct outgoing *o, uint8_t id[32]);

/* send.c: who a reply to parent goes to (its sender, or for a message this
 * node sent its States; all: every State it went to), with the parent's
 * subject prefixed "Re: " and its TLP label as the reply's defaults. */
struct parent_info {
	char to[1024];
	char subject[512];
	char tlp[16];
};
int reply_audience(struct node *n, const uint8_t parent[32], int all,
    struct parent_info *p);
/* send.c: fills template id from "name=value" pairs into a message
 * payload (id, version, digest, canonical fields; the subject defaults to
 * the template's title in lang).  0, or -1 with rs_err naming the field. */
int send_fill_template(struct node *n, const char *id, const char **kv, size_t nkv,
    const char *lang, json_t *payload);
/* watch.c: the long-polling thread of `roster serve` (new mail within a
 * second).  watch_sleep sleeps up to ms, returning 1 early when the hub
 * announced mail (then sync now), 0 otherwise; w may be NULL. */
struct watch;
struct watch *watch_start(struct node *n, int64_t mail_after);
void watch_stop(struct watch *w);
void watch_set_cursor(struct watch *w, int64_t mail_after);
int watch_sleep(struct watch *w, int64_t ms, volatile sig_atomic_t *stopping);

/* alert.c: e-mail alerts without content.  alert_queue runs in the
 * caller's transaction (the one storing what triggered it); kind is
 * "message" (urgency flash or urgent: others are ignored) or "overdue" (an
 * acknowledgement not received in time); ref is the message id.  Returns
 * 0 (also when no alert is due or none is configured), -1 with rs_err on a
 * store error.  The sender thread runs beside `roster serve`, taking lock
 * around each use of the store. */
int alert_queue(struct node *n, const char *kind, const char *urgency,
    const uint8_t ref[32]);
struct alerter;
struct alerter *alert_start(struct node *n, pthread_mutex_t *lock);
void alert_stop(struct alerter *a);
void alert_kick(struct alerter *a);

/* commands */
int cmd_alerts(int argc, char **argv);
int cmd_keygen(int argc, char **argv);
int cmd_certify(int argc, char **argv);
int cmd_init(int argc, char **argv);
int cmd_enroll(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_send(int argc, char **argv);
int cmd_reply(int argc, char **argv);
int cmd_forward(int argc, char **argv);
int cmd_consult(int argc, char **argv);
/* consult.c, for the local API too: a step in the thread of request id
 * (accept, decline, propose, outcome); the other side's agreement to
 * outcome id; every step of the consultation request opened. */
int consult_reply(struct node *n, const uint8_t id[32], const char *step, const char *body,
    uint8_t newid[32]);
int consult_agree_to(struct node *n, const uint8_t id[32], const char *note, int *queued);
json_t *consult_json(struct node *n, const uint8_t request[32]);
int cmd_ack(int argc, char **argv);
int cmd_sync(int argc, char **argv);
int cmd_inbox(int argc, char **argv);
int cmd_show(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_directory(int argc, char **argv);
int cmd_audit(int argc, char **argv);
int cmd_checkpoint(int argc, char **argv);
int cmd_alarms(int argc, char **argv);
int cmd_proof(int argc, char **argv);
int cmd_serve(int argc, char **argv);
int cmd_attachment(int argc, char **argv);
int cmd_user(int argc, char **argv);	/* accounts.c */

/* cli.c: helpers for commands.  argv[0] is the command name. */
void opts_init(struct opts *o, int argc, char **argv);
void opts_free(struct opts *o);
const char *opt_value(struct opts *o, const char *name);
int opt_flag(struct opts *o, const char *name);
const char *opt_positional(struct opts *o);
/* -1 (after a usage message) when anything was left unconsumed. */
int opts_finish(struct opts *o, const char *cmd);
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
int fail(const char *what);
/* Common options: --dir (or ROSTER_NODE_DIR), --passphrase-file. Consumes
 * them from o. */
void node_common_opts(struct node *n, struct opts *o);
const char *time_str(int64_t ms, char *out, size_t len);
void short_id(char out[17], const uint8_t id[32]);

#endif
