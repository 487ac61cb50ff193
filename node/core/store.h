/*
 * store.h - NODEDIR/node.db behind one API: every SQL statement of the
 * node is in store*.c, and nothing else in node/ sees SQLite.
 *
 *   store.c           open, schema and migrations, transactions, the meta
 *                     table (cursors, chain head, settings), the cache of
 *                     prepared statements
 *   store_log.c       what came from the hub's log: records, checkpoints,
 *                     cosigned checkpoints agreed with, senders' sequence
 *                     numbers, refusals, alarms
 *   store_messages.c  messages sent and received, acknowledgements,
 *                     escalations, threads, consultations
 *   store_outbox.c    every envelope this device signed, and its receipt
 *   store_local.c     this node's own tables: e-mail alerts, the web
 *                     interface's accounts and what each has read
 *   store_taxii.c     the STIX objects made from messages and the TAXII
 *                     collections that hold them, tokens, status resources
 *
 * Tables (created by store_open, grown by its migrations):
 *   meta         cursors (dir_after, mail_after, checks_after,
 *                cosign_after), the device's chain head (seq, prev), the
 *                hub's deadline policy, cosigned_size, web_lang,
 *                synced_at (when a whole sync pass last succeeded)
 *   checkpoints  every checkpoint this node has accepted, verbatim
 *   records      every log record this node accepted (public records and
 *                mail), verbatim, with index and log time, the checkpoint
 *                size its inclusion was proved at, and for a public record
 *                its public index and the public root up to it (section 8)
 *   public_state the public feed as taken ("taken": every record taken so
 *                far) and as verified ("verified": the point where the
 *                public root last matched a checkpoint's): the compact
 *                range, the last record's index and time, and for
 *                "verified" the tree size up to which the directory is
 *                complete
 *   outbox       every envelope this device signed, in sequence order; idx
 *                and receipt are filled when the hub's receipt arrives
 *   messages     decrypted messages, sent and received: the listing
 *                columns, the whole decrypted payload (content), its thread
 *                parent, the acknowledgement deadline, notice, escalation,
 *                agreement and settlement
 *   escalations  overdue notices this node sent for its messages, per State
 *   acks         acknowledgements of messages this node sent
 *   senders      the last sequence number seen from each other device, and
 *                the log index it was seen at
 *   agreed       other nodes' checkpoints already shown consistent with this
 *                node's view (it only grows consistently, so once is enough)
 *   refusals     records refused for good (the sender's doing), with the reason
 *   alarms       evidence of a misbehaving hub or a foreign key record; an
 *                alarm about one record (its log index, the feed it is
 *                retried in) is resolved when the hub serves it intact
 *   alerts       e-mail alerts queued, sent or failed (alert.c)
 *   web_users, web_reads  the web interface's accounts and what each read
 *                (store_accounts_schema: only where accounts are used)
 *   stix_objects every STIX object version made from a message, as JSON
 *   stix_msgs    each logged message filed into the collections (or why not)
 *   taxii_colls  the TAXII collections: built-in ones and outboxes
 *   taxii_entries  which object is in which collection, when it was added
 *                (microseconds, unique on the node), its type, id, version
 *                and whether it is the first or last version there
 *   taxii_tokens the per-tool API tokens, by the SHA-256 of their secret
 *   taxii_status the status resource of each POST to an outbox
 *
 * Results.  A function that looks something up returns enum store_result:
 * STORE_OK, STORE_NOT_FOUND, or STORE_ERROR with rs_err; one that inserts
 * a row that must be new returns STORE_DUPLICATE when the row is already
 * there (a uniqueness constraint, and the row found), and STORE_ERROR for
 * every other failure, so that a full disk or an I/O error is never taken
 * for a duplicate.  The rest return 0 or -1 with rs_err.  Text columns come
 * back malloc'd and "" for NULL unless said otherwise.
 *
 * Statements that run for every record of a sync pass (the accept path and
 * the outbox) are prepared once and kept on the connection; they are reset
 * after each use, so none holds a read open.  A store is used by one thread
 * at a time (`roster serve` takes its lock around every use).
 *
 * The chain head advances in the same transaction that stores the signed
 * envelope in the outbox (outbox.c runs both in the caller's transaction),
 * so a crash can never make the device sign two envelopes with one
 * sequence number.
 */
#ifndef ROSTER_NODE_STORE_H
#define ROSTER_NODE_STORE_H

#include <stdint.h>
#include <jansson.h>

#include "merkle.h"
#include "node.h"

#define STORE_WUR __attribute__((warn_unused_result))

enum store_result {
	STORE_OK = 0,
	STORE_NOT_FOUND,
	STORE_DUPLICATE,
	STORE_ERROR,
};

/* ---- store.c ----------------------------------------------------------- */

/* Opens (creating and migrating) NODEDIR/node.db into n->store. */
int store_open(struct node *n) STORE_WUR;
void store_close(struct node *n);
int store_begin(struct node *n) STORE_WUR;	/* BEGIN IMMEDIATE */
int store_commit(struct node *n) STORE_WUR;
void store_rollback(struct node *n);		/* when a transaction is open */
int store_meta_get_int(struct node *n, const char *k, int64_t *v);	/* -1: none */
int store_meta_set_int(struct node *n, const char *k, int64_t v) STORE_WUR;
char *store_meta_get_text(struct node *n, const char *k);	/* malloc'd or NULL */
int store_meta_set_text(struct node *n, const char *k, const char *v) STORE_WUR;

/* ---- store_log.c: what came from the hub --------------------------------- */

/* Keeps an accepted log record verbatim (idempotent), with the checkpoint
 * size its inclusion was proved at. */
int store_record_add(struct node *n, const struct envelope *e, int64_t index,
    int64_t time, uint64_t checked) STORE_WUR;
struct stored_record {
	struct buf raw;			/* the envelope as logged */
	int64_t index, time;
	char kind[16];
};
enum store_result store_record_get(struct node *n, const uint8_t id[32],
    struct stored_record *r) STORE_WUR;
void stored_record_free(struct stored_record *r);
/* Is id a check among the accepted records? */
enum store_result store_record_is_check(struct node *n, const uint8_t id[32]) STORE_WUR;
/* The log time of the record at index (0 when unknown). */
int64_t store_record_time(struct node *n, int64_t index);
/* One more than the highest index accepted (0: none). */
int64_t store_records_size(struct node *n);
/* Calls fn for each accepted record of kind (NULL: the directory's kinds,
 * DIR_PUBLIC_KINDS_SQL) with after < index < before, in log order (or
 * newest first), until fn returns non-zero (which is returned); -1 with
 * rs_err on a store error. */
typedef int (*store_record_fn)(void *ud, int64_t index, int64_t time,
    const uint8_t *env, size_t len);
int store_records_each(struct node *n, const char *kind, int64_t after, int64_t before,
    int newest_first, store_record_fn fn, void *ud);
/* Calls fn for each public record with a public index below pub_size (the
 * verified complete feed: every public record the hub logged, in order),
 * until fn returns non-zero (which is returned); -1 with rs_err on a store
 * error. */
int store_public_each(struct node *n, uint64_t pub_size, store_record_fn fn, void *ud);
/* Every record from index from on with its id and the checkpoint size its
 * inclusion was proved at (for invariants: idx < checked, id = hash). */
typedef int (*store_proved_fn)(void *ud, int64_t index, const uint8_t *id, size_t idlen,
    const uint8_t *env, size_t len, int64_t checked);
int store_records_proved_each(struct node *n, int64_t from, store_proved_fn fn, void *ud);
/* Every envelope this node holds with a log index: records, and its own
 * receipted outbox (with the receipt's JSON text, else NULL), by index. */
typedef int (*store_leaf_fn)(void *ud, int64_t index, int64_t time,
    const uint8_t id[32], const char *receipt);
int store_leaves_each(struct node *n, store_leaf_fn fn, void *ud);

struct stored_checkpoint {
	uint64_t size;
	uint8_t root[32];
	int64_t time, seen;		/* log time; when this node accepted it */
	char *text;			/* as signed */
	uint8_t sig[64];
	int64_t count;			/* checkpoints held */
};
/* The largest checkpoint held (newest seen among equals). */
enum store_result store_checkpoint_newest(struct node *n,
    struct stored_checkpoint *c) STORE_WUR;
void stored_checkpoint_free(struct stored_checkpoint *c);
/* Every checkpoint held of one size, as signed, until fn returns non-zero
 * (which is returned); -1 with rs_err on a store error. */
typedef int (*store_signed_fn)(void *ud, const char *text, const uint8_t sig[64]);
int store_checkpoints_of_size(struct node *n, uint64_t size, store_signed_fn fn,
    void *ud);
/* Does this node hold a checkpoint of version 2 (the hub signs v2)? */
enum store_result store_checkpoint_has_v2(struct node *n) STORE_WUR;
int store_checkpoint_add(struct node *n, const struct checkpoint *cp) STORE_WUR;
/* The latest log time of a checkpoint of size this node holds (0: none):
 * the records below size are all the log had up to that time. */
int64_t store_checkpoint_time_of_size(struct node *n, uint64_t size);
/* When this node first accepted a checkpoint of size (0: never). */
int64_t store_checkpoint_seen(struct node *n, int64_t size);
/* Every checkpoint held, by size then root, until fn returns non-zero. */
typedef int (*store_checkpoint_fn)(void *ud, uint64_t size, const uint8_t root[32]);
int store_checkpoints_each(struct node *n, store_checkpoint_fn fn, void *ud);
/* Was (size, root) held, or shown consistent with this node's view? */
int store_agreed_known(struct node *n, uint64_t size, const uint8_t root[32]);
int store_agreed_add(struct node *n, uint64_t size, const uint8_t root[32]) STORE_WUR;

/* The last sequence number seen from a device (0: none) and the log index
 * it was seen at (-1: none), and their update. */
int store_sender_seq(struct node *n, const uint8_t device[32], int64_t *seq,
    int64_t *index) STORE_WUR;
int store_sender_set(struct node *n, const uint8_t device[32], int64_t seq,
    int64_t index) STORE_WUR;
/* The largest log time of a record held below index, and the smallest
 * above it (-1 when there is none). */
int store_log_times_around(struct node *n, int64_t index, int64_t *below,
    int64_t *above) STORE_WUR;

/* ---- store_log.c: the public records (docs/protocol.md section 8) -------- */

/* The id of the record held at log index: STORE_NOT_FOUND when none. */
enum store_result store_record_id_at(struct node *n, int64_t index, uint8_t id[32])
    STORE_WUR;
/* Keeps a public record with its public index and the public root over
 * the leaves up to it: a new row, or the row already held at that index
 * (the caller checked that it is the same envelope). */
int store_record_add_public(struct node *n, const struct envelope *e, int64_t index,
    int64_t time, uint64_t checked, int64_t pindex, const uint8_t proot[32]) STORE_WUR;
/* Forgets the public index of every record from pindex on (the records
 * stay: they are in the log, only their place among the public ones was
 * wrong). */
int store_public_forget_from(struct node *n, int64_t pindex) STORE_WUR;
/* The public records held with index below size and pindex below limit:
 * how many (*count) and the root of the public tree over them.
 * STORE_NOT_FOUND when there is none (count 0, the empty root). */
enum store_result store_public_below(struct node *n, int64_t size, int64_t limit,
    int64_t *count, uint8_t root[32]) STORE_WUR;
/* The public record held at pindex: its log index, id and time. */
enum store_result store_public_leaf(struct node *n, int64_t pindex, int64_t *index,
    uint8_t id[32], int64_t *time) STORE_WUR;
/* Every record held with after < index < before that has no public index,
 * except those of kind skip (NULL: none), in log order. */
int store_records_unindexed_each(struct node *n, int64_t after, int64_t before,
    const char *skip, store_record_fn fn, void *ud);

/* Where the public feed stands: the compact range of the public records
 * taken (f.size of them), the last one's log index and time (-1 and 0 when
 * none), and for PUB_VERIFIED the checkpoint size whose public root it
 * matched (the directory is complete below it). */
enum pub_which { PUB_TAKEN, PUB_VERIFIED };
struct pub_state {
	struct merkle_frontier f;
	int64_t last_index, last_time;
	uint64_t size;
};
/* STORE_NOT_FOUND leaves *st as a feed read from the start. */
enum store_result store_pub_state_get(struct node *n, enum pub_which which,
    struct pub_state *st) STORE_WUR;
int store_pub_state_put(struct node *n, enum pub_which which,
    const struct pub_state *st) STORE_WUR;

/* ---- store_log.c: refusals and alarms ------------------------------------- */

/* A record refused for good (and, unless n->quiet, a line on stderr). */
int store_refusal(struct node *n, int64_t index, const char *reason) STORE_WUR;
int64_t store_refusals_count(struct node *n);
/* Evidence of a misbehaving hub: always a line on stderr, counted in
 * n->alarms, kept once per (kind, text).  store_alarm_record is an alarm
 * about the record at log index, retried in feed ("public" or "mail"; NULL:
 * not retried): raised again after it was resolved, it is unresolved
 * again. */
int store_alarm(struct node *n, const char *kind, const char *evidence,
    const char *fmt, ...) __attribute__((format(printf, 4, 5)));
/* store_alarm with its facts as data (params, a JSON object, taken; may
 * be NULL: {"size", "index", "state", ...}), so a page says it in its
 * reader's language instead of showing the English text. */
int store_alarm_with(struct node *n, const char *kind, json_t *params,
    const char *evidence, const char *fmt, ...) __attribute__((format(printf, 5, 6)));
int store_alarm_record(struct node *n, const char *kind, const char *feed,
    int64_t index, const char *evidence, const char *fmt, ...)
    __attribute__((format(printf, 6, 7)));
/* The alarms about the record at index (kinds bad-record, public-omitted,
 * log-time), or of kind, are resolved: the record was served intact, or
 * the public root matched.  *count (may be NULL) says how many. */
int store_alarms_resolve(struct node *n, int64_t index, int *count) STORE_WUR;
int store_alarms_resolve_kind(struct node *n, const char *kind, int *count) STORE_WUR;
/* How many alarms are unresolved (records: only those about a record the
 * hub has not served intact yet); -1 on error. */
int64_t store_alarms_unresolved(struct node *n, int records);
/* The log indexes of the unresolved alarms retried in feed, ascending. */
typedef int (*store_index_fn)(void *ud, int64_t index);
int store_alarms_pending_each(struct node *n, const char *feed, store_index_fn fn,
    void *ud);
/* The unresolved alarms, oldest first (store_alarm_rows_each: all of
 * them, resolved or not, with every column). */
typedef int (*store_alarm_fn)(void *ud, int64_t row, int64_t time, const char *kind,
    const char *text, const char *evidence);
int store_alarms_each(struct node *n, store_alarm_fn fn, void *ud);
struct alarm_row {
	int64_t row, time;
	const char *kind, *text, *evidence;	/* evidence: NULL when none */
	int64_t index;				/* -1: not about one record */
	const char *feed;			/* NULL: not retried */
	int64_t resolved;			/* when; 0: unresolved */
	const char *params;			/* its facts, JSON text; NULL: none */
};
typedef int (*store_alarm_row_fn)(void *ud, const struct alarm_row *a);
int store_alarm_rows_each(struct node *n, store_alarm_row_fn fn, void *ud);

/* ---- store_messages.c -------------------------------------------------- */

/* A message to store: received (direction "in", with its log index, time
 * and the checkpoint size its inclusion was proved at) or sent ("out",
 * before any receipt).  NULL pointers are NULL columns. */
struct msg_new {
	const uint8_t *id;
	const char *direction;
	int logged;			/* index, time, checked_size are set */
	int64_t index, time, checked_size;
	const char *sender_state;
	const uint8_t *sender_device;
	const char *to_states, *rcpt;	/* JSON arrays */
	const char *urgency, *subject, *body, *tlp, *lang;
	int64_t sent;
	const char *content;		/* the whole payload, JSON */
	const uint8_t *parent;
	int has_deadline;
	int64_t deadline;
	const char *notice, *error;
};
/* STORE_DUPLICATE when a message with this id is already stored. */
enum store_result store_message_add(struct node *n, const struct msg_new *m) STORE_WUR;

/* A received message's inclusion proof (JSON array text, as served) at
 * the checkpoint size it was checked at: kept so that a forward can carry
 * it (protocol.md section 3, Forwarding).  store_message_proof: *proof
 * malloc'd; STORE_NOT_FOUND when none is kept (received before). */
int store_message_set_proof(struct node *n, const uint8_t id[32], const char *proof)
    STORE_WUR;
enum store_result store_message_proof(struct node *n, const uint8_t id[32], char **proof,
    int64_t *checked_size) STORE_WUR;

/* A stored message, every column. */
struct msg_row {
	uint8_t id[32];
	char direction[4];		/* "in" or "out" */
	char *sender_state;
	int has_sender;
	uint8_t sender_device[32];
	char *to_states, *rcpt;		/* JSON arrays as text */
	char *urgency, *subject, *body, *tlp, *lang, *error, *notice;
	char *content;			/* NULL when not stored (older version) */
	int64_t sent;
	int has_index;
	int64_t index, time;
	int has_checked;
	int64_t checked_size;		/* received: the checkpoint its proof was checked at */
	int acked;
	int has_deadline;
	int64_t deadline;
	int64_t escalated;		/* 0: not */
	int has_parent, has_agreement;
	uint8_t parent[32], agreement[32];
};
enum store_result store_message_get(struct node *n, const uint8_t id[32],
    struct msg_row *m) STORE_WUR;
void msg_row_free(struct msg_row *m);
/* The one message whose id starts with prefix (8 to 64 lower-case hex
 * digits); -1 with rs_err naming the problem otherwise. */
int store_message_find(struct node *n, const char *prefix, uint8_t id[32]) STORE_WUR;
/* How many messages start with prefix (0, 1 or more),
 * the first in id; -1 with rs_err for a malformed prefix or a store error
 * (rs_err names the problem in every case but 1). */
int store_message_match(struct node *n, const char *prefix, uint8_t id[32]) STORE_WUR;
enum store_result store_message_exists(struct node *n, const uint8_t id[32]) STORE_WUR;
/* The rcpt list (JSON text, malloc'd) of a message this node sent. */
enum store_result store_sent_rcpt(struct node *n, const uint8_t id[32], char **rcpt) STORE_WUR;
/* This State acknowledged received message id (an acknowledgement, or an
 * answer: a reply or a consultation step this node sent); nothing for a
 * message this node sent or does not hold. */
int store_message_set_acked(struct node *n, const uint8_t id[32]) STORE_WUR;
/* Our "agreed" acknowledgement ack of outcome id (and acked). */
int store_message_set_agreement(struct node *n, const uint8_t id[32],
    const uint8_t ack[32]) STORE_WUR;
int store_message_set_logged(struct node *n, const uint8_t id[32], int64_t index,
    int64_t time) STORE_WUR;
/* An overdue notice from sender about received message ref: *changed
 * says whether such a message was there to mark. */
int store_message_set_escalated(struct node *n, const uint8_t ref[32],
    const uint8_t sender[32], int64_t time, int *changed) STORE_WUR;
int store_message_set_settled(struct node *n, const uint8_t id[32], int64_t when) STORE_WUR;

/* Messages this node sent, logged, unsettled, whose deadline is at most
 * now (escalate.c): a malloc'd array. */
struct msg_due {
	uint8_t id[32];
	char urgency[16];
	int64_t time, deadline;
	char *to_states;
};
int store_messages_due(struct node *n, int64_t now, struct msg_due **out, size_t *count) STORE_WUR;
void msg_due_free(struct msg_due *d, size_t count);
/* The next time escalate_due may have something to do (INT64_MAX: none). */
int64_t store_messages_next_deadline(struct node *n, int64_t now);

/* The inbox: received messages, the unacknowledged overdue ones first,
 * then by urgency, then deadline, then newest, at most limit; read is what
 * user read (0 when user is NULL). */
struct inbox_row {
	uint8_t id[32];
	int64_t index, time;
	const char *sender_state, *urgency, *subject, *lang, *tlp, *notice, *error;
	const char *content;		/* the decrypted payload, JSON ("" when not kept) */
	int acked, read, has_deadline;
	int64_t deadline, escalated;
};
typedef int (*store_inbox_fn)(void *ud, const struct inbox_row *r);
int store_inbox_each(struct node *n, const char *user, int limit, int64_t now,
    store_inbox_fn fn, void *ud);

/* Acknowledgements of message msg (device: of that device only; status:
 * of that status only), in no particular order. */
typedef int (*store_ack_fn)(void *ud, const uint8_t device[32], const char *status,
    int64_t index, int64_t time, const char *note);
int store_acks_each(struct node *n, const uint8_t msg[32], const uint8_t *device,
    const char *status, store_ack_fn fn, void *ud);
int store_ack_add(struct node *n, const uint8_t ref[32], const uint8_t device[32],
    const char *status, int64_t index, int64_t time, const char *note) STORE_WUR;

/* The acknowledgements of message msg, which this node sent, by the rule
 * of docs/protocol.md section 3 (store.c's view "acknowledgements"): each
 * device's acknowledged or agreed acknowledgement, and each answer from a
 * State the message went to (answer: its id; how: "reply" or its
 * consultation step), by log time. */
struct ack_fact {
	const uint8_t *device;
	int64_t time, index;
	const char *how;		/* "acknowledged", "agreed", "reply", "accept", ... */
	const uint8_t *answer;		/* NULL for an acknowledgement */
	const char *note;		/* "" when none */
};
typedef int (*store_ack_fact_fn)(void *ud, const struct ack_fact *a);
int store_acknowledgements_each(struct node *n, const uint8_t msg[32],
    store_ack_fact_fn fn, void *ud);
/* The first message this node sent in answer to received message id: its
 * id, log (or sent) time and how ("reply" or the consultation step). */
enum store_result store_own_answer(struct node *n, const uint8_t id[32], uint8_t answer[32],
    int64_t *time, char *how, size_t len) STORE_WUR;
/* Was device among those an overdue notice about msg reached? */
enum store_result store_escalation_reached(struct node *n, const uint8_t msg[32],
    const uint8_t device[32]) STORE_WUR;

/* Escalations (escalate.c): the highest stage sent to state for msg (0:
 * none, -1: error), a new one, and each one so far by stage. */
int store_escalation_stage(struct node *n, const uint8_t msg[32], const char *state);
int store_escalation_add(struct node *n, const uint8_t msg[32], const char *state,
    int stage, const uint8_t notice[32], int64_t time, const char *devices) STORE_WUR;
typedef int (*store_escalation_fn)(void *ud, int stage, int64_t time,
    const uint8_t notice[32], const char *devices);
int store_escalations_each(struct node *n, const uint8_t msg[32], const char *state,
    store_escalation_fn fn, void *ud);

/* Threads: the parent of id (STORE_NOT_FOUND: none), and every message
 * below root (depth from 0) with the sender, subject, log time (or sent
 * time) and whether it is a notice, by time. */
enum store_result store_message_parent(struct node *n, const uint8_t id[32],
    uint8_t parent[32]) STORE_WUR;
typedef int (*store_thread_fn)(void *ud, const uint8_t id[32], int depth,
    const char *from, const char *subject, int64_t time, int notice);
int store_thread_each(struct node *n, const uint8_t root[32], store_thread_fn fn, void *ud);

/* Consultations (consult.c): the step of a stored message ("" when none),
 * the request it names (its own id when none) and its direction; every
 * step of the consultation request opened, by time; the requests, newest
 * first. */
enum store_result store_consult_step(struct node *n, const uint8_t id[32], char *step,
    size_t len, char *request_hex, size_t hlen, char *direction, size_t dlen) STORE_WUR;
struct consult_row {
	const uint8_t *id;
	const char *direction, *from, *step, *subject, *body, *to_states;
	int64_t time;
	int has_index;
	int64_t index;
	const uint8_t *agreement;	/* NULL: none */
};
typedef int (*store_consult_fn)(void *ud, const struct consult_row *r);
int store_consult_steps_each(struct node *n, const uint8_t request[32],
    store_consult_fn fn, void *ud);
typedef int (*store_id_fn)(void *ud, const uint8_t id[32]);
int store_consult_requests_each(struct node *n, store_id_fn fn, void *ud);

/* ---- store_outbox.c ---------------------------------------------------- */

/* The chain head: the last sequence number signed (0: none) and its
 * envelope id in hex ("" when none). */
int store_chain_head(struct node *n, int64_t *seq, char prev[65]) STORE_WUR;
/* The signed envelope with sequence number seq, and the new chain head. */
int store_outbox_add(struct node *n, int64_t seq, const uint8_t id[32], const char *kind,
    const struct buf *env) STORE_WUR;
/* Up to limit envelopes without a receipt, in sequence order. */
struct outbox_item {
	int64_t seq;
	uint8_t id[32];
};
int store_outbox_pending(struct node *n, int limit, struct outbox_item **items,
    size_t *count, struct buf *body) STORE_WUR;
int store_outbox_set_receipt(struct node *n, int64_t seq, int64_t index, int64_t time,
    const char *receipt) STORE_WUR;
/* The hub refused envelope seq for good: marks the messages from it on
 * with reason, drops them and every later unsent envelope, and puts the
 * chain head back on the last one with a receipt. */
int store_outbox_drop_from(struct node *n, int64_t seq, const char *reason) STORE_WUR;
struct outbox_row {
	int has_index;
	int64_t index, time;
	char *error;			/* "" when none */
};
enum store_result store_outbox_get(struct node *n, const uint8_t id[32],
    struct outbox_row *r) STORE_WUR;
void outbox_row_free(struct outbox_row *r);
/* What waits for the hub: envelopes without a receipt (nor a refusal), the
 * flash and urgent messages among them, and when the oldest was signed. */
int store_outbox_waiting(struct node *n, int64_t *count, int64_t *urgent, int64_t *oldest);
/* The envelope this device signed with that id. */
enum store_result store_outbox_envelope(struct node *n, const uint8_t id[32],
    struct buf *raw) STORE_WUR;
/* Every envelope of kind in the outbox, with its log time (-1: none yet). */
typedef int (*store_outbox_fn)(void *ud, const uint8_t *env, size_t len, int64_t time);
int store_outbox_each(struct node *n, const char *kind, store_outbox_fn fn, void *ud);
/* Every envelope of the outbox with a receipt for a log index in
 * (after, before), with the receipt's JSON text, by index. */
typedef int (*store_logged_fn)(void *ud, int64_t index, const uint8_t *env, size_t len,
    const char *receipt);
int store_outbox_logged_each(struct node *n, int64_t after, int64_t before,
    store_logged_fn fn, void *ud);

/* ---- store_stats.c ------------------------------------------------------- */

/* What a running node reports about itself (no content): records held and
 * the log size they reach, outbox envelopes without a receipt, received
 * messages not yet acknowledged by the POC, records refused, alarms kept,
 * e-mail alerts waiting to go and given up. */
struct node_stats {
	int64_t records, log_seen, outbox_pending, unacknowledged;
	int64_t refused, alarms, alerts_queued, alerts_failed;
};
int store_stats(struct node *n, struct node_stats *s) STORE_WUR;

/* ---- store_local.c ------------------------------------------------------- */

struct alert;
/* Queues alert a (kind, urgency, ref, rcpt) due now; a second alert of the
 * same kind and ref is ignored. */
int store_alert_add(struct node *n, const struct alert *a, int64_t now) STORE_WUR;
/* A test alert, never due for the sender thread; a->n is its row. */
int store_alert_add_test(struct node *n, struct alert *a) STORE_WUR;
/* The oldest due alert: 1 found, 0 none, -1 error. */
int store_alert_next_due(struct node *n, int64_t now, struct alert *a) STORE_WUR;
int store_alert_record(struct node *n, int64_t row, int64_t attempts, int64_t sent,
    int64_t failed, int64_t next_try, const char *error) STORE_WUR;
struct alert_row {
	int64_t created, attempts, sent, failed;	/* sent, failed: 0 when not */
	const char *kind, *urgency, *rcpt, *last_error;	/* urgency: NULL when none */
	int has_ref;
	uint8_t ref[32];
};
typedef int (*store_alert_fn)(void *ud, const struct alert_row *r);
int store_alerts_each(struct node *n, int limit, store_alert_fn fn, void *ud);

struct account;
int store_accounts_schema(struct node *n) STORE_WUR;
int store_accounts_count(struct node *n);	/* -1 on error */
enum store_result store_account_get(struct node *n, const char *name,
    struct account *a) STORE_WUR;
/* Writes (update: rewrites the password of) account a. */
int store_account_put(struct node *n, const struct account *a, int update) STORE_WUR;
int store_account_set_prefs(struct node *n, const char *name, const char *lang,
    const char *email) STORE_WUR;
typedef int (*store_account_fn)(void *ud, const char *name, int admin, const char *lang,
    const char *email, int64_t created);
int store_accounts_each(struct node *n, store_account_fn fn, void *ud);
/* What user has read. */
int store_read_mark(struct node *n, const char *user, const uint8_t id[32]) STORE_WUR;

/* Messages sent, newest first, at most 500, with delivery counts (how many
 * recipient devices delivered, and acknowledged by the rule of
 * store_acknowledgements_each). */
struct sent_row {
	uint8_t id[32];
	int has_index;
	int64_t index, time, sent;
	const char *to_states, *urgency, *subject, *tlp, *error;	/* error: NULL */
	const char *lang, *template_id, *notice;	/* template_id, notice: NULL */
	int64_t recipients, delivered, acknowledged;
};
typedef int (*store_sent_fn)(void *ud, const struct sent_row *r);
int store_sent_each(struct node *n, store_sent_fn fn, void *ud);
/* For each recipient device of each logged message sent: the message's
 * log time and the first delivered and acknowledged times (0: none; the
 * acknowledgement by the rule of store_acknowledgements_each). */
typedef int (*store_response_fn)(void *ud, int64_t time, const char *device_hex,
    int64_t delivered, int64_t acknowledged);
int store_responses_each(struct node *n, store_response_fn fn, void *ud);
/* The counters the web page polls to see that something moved. */
struct store_counters {
	int64_t messages, acks, alarms, checkpoint, records, unacknowledged, unread;
};
int store_counters(struct node *n, const char *user, struct store_counters *c) STORE_WUR;

/* ---- store_taxii.c: STIX objects, TAXII collections, tokens, status ------ */

/* A collection: built in (kind "received", "state", "group", "sent") or an
 * outbox ("outbox": audience, roles, TLP label, urgency, default fields
 * and subject, for what a tool POSTs there). */
struct taxii_coll {
	char alias[64];			/* "received", "from-XA", "group-forum", NAME */
	char uuid[37];
	char kind[16];
	char *title, *description;
	char *to, *roles, *tlp, *urgency, *subject;	/* outbox; "" otherwise */
	char *fields;			/* outbox: JSON array of "NAME=VALUE"; "[]" */
	int64_t created;
};
void taxii_coll_free(struct taxii_coll *c);
/* Adds c; STORE_DUPLICATE when its alias or uuid is taken.  if_absent:
 * an existing one is no error (built-in collections, made when first
 * used). */
enum store_result store_taxii_coll_add(struct node *n, const struct taxii_coll *c,
    int if_absent) STORE_WUR;
enum store_result store_taxii_coll_get(struct node *n, const char *uuid, const char *alias,
    struct taxii_coll *c) STORE_WUR;
/* Every collection by alias, until fn returns non-zero. */
typedef int (*store_taxii_coll_fn)(void *ud, const struct taxii_coll *c);
int store_taxii_colls_each(struct node *n, store_taxii_coll_fn fn, void *ud);
/* Removes an outbox collection and its entries (not its messages). */
enum store_result store_taxii_coll_remove(struct node *n, const char *alias) STORE_WUR;

/* The object version (id, vkey: its modified, else created, else "") as
 * JSON: its row number, stored once whatever collections hold it. */
int store_stix_object_put(struct node *n, const char *id, const char *vkey,
    const char *json, int64_t *obj) STORE_WUR;
/* Puts object obj into collection coll at date_added added (unique on the
 * node, rising), keeping the first and last flags of its id there right;
 * STORE_DUPLICATE when the collection already holds it. */
struct taxii_entry {
	const char *coll;
	int64_t added, obj, version;
	const char *type, *id, *spec;
};
enum store_result store_taxii_entry_add(struct node *n, const struct taxii_entry *e)
    STORE_WUR;
/* Removes from coll the versions of id that match (DELETE); *count says
 * how many. */
struct taxii_query;
int store_taxii_entries_delete(struct node *n, const char *coll, const char *id,
    const struct taxii_query *q, int *count) STORE_WUR;

/* A page of a collection, in ascending (date_added, obj): the entries
 * strictly after (after_added, after_obj) that pass q's match[] filters
 * (an id alone with id; every version with all_versions), at most limit,
 * with the object's JSON when want_json. */
struct taxii_filter {
	const char *coll;
	int64_t after_added, after_obj;
	const struct taxii_query *q;
	const char *id;
	int all_versions;
	int want_json;
	int limit;
};
struct taxii_row {
	int64_t added, obj, version;
	const char *id, *type, *spec, *json;	/* json: NULL unless asked */
};
typedef int (*store_taxii_fn)(void *ud, const struct taxii_row *r);
int store_taxii_page(struct node *n, const struct taxii_filter *f, store_taxii_fn fn,
    void *ud) STORE_WUR;
/* How many entries coll holds (the collections' listing does not need it;
 * the CLI's does). */
int64_t store_taxii_count(struct node *n, const char *coll);

/* Messages filed: done (result "ok", "red", "skip" or why it could not be
 * mapped, with the number of objects), and whether one was. */
int store_stix_msg_done(struct node *n, const uint8_t msg[32], const char *result,
    int64_t objects) STORE_WUR;
enum store_result store_stix_msg_filed(struct node *n, const uint8_t msg[32]) STORE_WUR;
/* Every logged message not filed yet, by log index (the backfill). */
int store_stix_unfiled_each(struct node *n, store_id_fn fn, void *ud) STORE_WUR;

/* Per-tool tokens: the SHA-256 of the secret, the collections' aliases it
 * may use (JSON array; ["*"] for all) and whether it may write. */
struct taxii_token {
	char name[64];
	uint8_t hash[32];
	char *colls;
	int write;
	int64_t created, revoked, used;	/* revoked, used: 0 when not */
};
void taxii_token_free(struct taxii_token *t);
/* STORE_DUPLICATE when a current token has the name (a revoked one is
 * replaced). */
enum store_result store_taxii_token_add(struct node *n, const struct taxii_token *t)
    STORE_WUR;
enum store_result store_taxii_token_get(struct node *n, const uint8_t hash[32],
    struct taxii_token *t) STORE_WUR;
typedef int (*store_taxii_token_fn)(void *ud, const struct taxii_token *t);
int store_taxii_tokens_each(struct node *n, store_taxii_token_fn fn, void *ud) STORE_WUR;
enum store_result store_taxii_token_revoke(struct node *n, const char *name, int64_t now)
    STORE_WUR;
int store_taxii_token_used(struct node *n, const char *name, int64_t now) STORE_WUR;

/* Status resources: one per POST (uuid), naming the collection, the
 * message it became (NULL when none), who asked, when (microseconds), and
 * the objects posted ([{"id", "version", "carried": bool, "why"}]). */
struct taxii_status {
	char uuid[37];
	char coll[64];
	int has_msg;
	uint8_t msg[32];
	char who[96];
	int64_t requested;
	char *objects;
	uint8_t digest[32];		/* of the object versions posted (post.c) */
};
void taxii_status_free(struct taxii_status *s);
int store_taxii_status_add(struct node *n, const struct taxii_status *s) STORE_WUR;
enum store_result store_taxii_status_get(struct node *n, const char *uuid,
    struct taxii_status *s) STORE_WUR;
/* The status of an earlier POST of the same object versions to coll:
 * STORE_OK with its uuid, or STORE_NOT_FOUND. */
enum store_result store_taxii_status_same(struct node *n, const char *coll,
    const uint8_t digest[32], char uuid[37]) STORE_WUR;
/* The collections message msg was POSTed to, until fn returns non-zero. */
typedef int (*store_text_fn)(void *ud, const char *text);
int store_taxii_status_colls_each(struct node *n, const uint8_t msg[32], store_text_fn fn,
    void *ud) STORE_WUR;

#endif
