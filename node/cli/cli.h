/*
 * cli.h - what the commands of `roster` share: option parsing, usage and
 * failure messages, printing, the progress bar, and the commands
 * themselves (one file per family; main.c dispatches, help.c documents).
 *
 * A command parses its options against its table (help.c), calls
 * node/core, and prints; it holds no SQL and makes no HTTP request of its
 * own.  Exit status: 0 success, 1 failure (including any verification
 * failure), 2 usage error.  Every message it prints about itself starts
 * "roster CMD: ".
 */
#ifndef ROSTER_CLI_H
#define ROSTER_CLI_H

#include <stdint.h>
#include <stdio.h>
#include <jansson.h>

#include "core/attach.h"
#include "core/node.h"
#include "opts.h"

#define EXIT_USAGE 2

struct sent;
struct outgoing;

/* Options: every command parses against its table in help.c (lib/opts.h:
 * one parser and one help source for rosterd and roster).  cli_parse is
 * opts_parse, returning 0 or EXIT_USAGE (o freed) after the message. */
int cli_parse(struct opts *o, const struct cmd_doc *doc, int argc, char **argv)
    __attribute__((warn_unused_result));
/* opts_finish, then opts_free: 0, or EXIT_USAGE after the message. */
int cli_finish(struct opts *o) __attribute__((warn_unused_result));
/* Common options: --dir (or ROSTER_NODE_DIR), --passphrase-file.  Takes
 * them from o. */
void node_common_opts(struct node *n, struct opts *o);
/* legacy_opts.c: the old lazy parser, for the commands not yet given a
 * table (help_legacy.c lists them).  Ask for what you read; lopts_finish
 * refuses the rest ("unexpected argument"), -1 after the message. */
struct lopts {
	int argc;
	char **argv;
	unsigned char *used;
};
void lopts_init(struct lopts *o, int argc, char **argv);
void lopts_free(struct lopts *o);
const char *lopt_value(struct lopts *o, const char *name);
int lopt_flag(struct lopts *o, const char *name);
const char *lopt_positional(struct lopts *o);
int lopts_finish(struct lopts *o, const char *cmd);
void lnode_common_opts(struct node *n, struct lopts *o);
/* "roster CMD: ..." and the hint to --help on stderr; returns EXIT_USAGE. */
int usage_error(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* "roster CMD: rs_err" on stderr; returns 1. */
int fail(const char *cmd);
/* "roster CMD: warning: ..." on stderr. */
void warn(const char *cmd, const char *fmt, ...) __attribute__((format(printf, 2, 3)));
/* The --json form of every listing: indented, fields in their order. */
void print_json(json_t *j);
/* What `roster send` and its kin print about a message sent: its id, the
 * States and devices, and the receipt's log index, or that it is queued. */
void print_sent(const struct node *n, const uint8_t id[32], const struct sent *r);
/* The warning about each State with a root key it has not endorsed
 * (core/roots.h), a line each, on f; how many. */
size_t print_root_warnings(struct node *n, FILE *f);

/* progress.c: the progress bar of uploads and downloads, on stderr when it
 * is a terminal (or always, with --progress); 1536 -> "1.5 KiB". */
struct progress_bar {
	struct transfer_progress ops;	/* what core calls */
	char label[64];
	int force, on, drawn;
	int64_t start, last;
	uint64_t total;
};
const struct transfer_progress *progress_bar(struct progress_bar *b, int force);
void human_size(char *out, size_t len, double v);

/* The manual (help.c): the program and one page per command. */
extern const struct prog_doc roster_prog;
extern const struct cmd_doc doc_keygen, doc_certify, doc_init, doc_enroll,
    doc_revoke, doc_send, doc_reply, doc_ack, doc_forward, doc_consult,
    doc_checks, doc_sync, doc_inbox, doc_show, doc_status, doc_directory,
    doc_audit, doc_alarms, doc_checkpoint, doc_proof, doc_attachment,
    doc_serve, doc_templates, doc_alerts, doc_user, doc_norms, doc_norm,
    doc_terms, doc_term;
extern const struct cmd_doc doc_endorse, doc_propose, doc_object, doc_support,
    doc_withdraw, doc_decisions, doc_decision, doc_meeting, doc_process,
    doc_paper, doc_contribute;	/* help_legacy.c */
extern const struct cmd_doc doc_stix, doc_token, doc_taxii;

/* The commands. */
int cmd_keygen(int argc, char **argv);		/* keys.c */
int cmd_norms(int argc, char **argv);		/* registry.c */
int cmd_norm(int argc, char **argv);
int cmd_terms(int argc, char **argv);
int cmd_term(int argc, char **argv);
int cmd_certify(int argc, char **argv);
int cmd_init(int argc, char **argv);		/* enroll.c */
int cmd_enroll(int argc, char **argv);
int cmd_revoke(int argc, char **argv);
int cmd_endorse(int argc, char **argv);
int cmd_send(int argc, char **argv);		/* send.c */
int cmd_reply(int argc, char **argv);
int cmd_ack(int argc, char **argv);
int cmd_forward(int argc, char **argv);		/* forward.c */
int cmd_consult(int argc, char **argv);		/* consult.c */
int cmd_checks(int argc, char **argv);		/* checks.c */
/* Signs and submits this POC's answer to check prefix and says how it
 * went (`roster checks answer`, `roster ack` of a check). */
int checks_answer_print(struct node *n, const char *prefix);
/* Flushes what was just signed into the outbox and says whether the hub
 * logged it (its index, the receipt verified), refused it (-1, rs_err the
 * hub's words) or it waits for the next sync (0). */
int submit(struct node *n, const char *what, const uint8_t id[32]);
int cmd_propose(int argc, char **argv);		/* process.c */
int cmd_object(int argc, char **argv);
int cmd_support(int argc, char **argv);
int cmd_withdraw(int argc, char **argv);
int cmd_decisions(int argc, char **argv);
int cmd_decision(int argc, char **argv);
int cmd_meeting(int argc, char **argv);
int cmd_process(int argc, char **argv);
int cmd_paper(int argc, char **argv);
int cmd_contribute(int argc, char **argv);
int cmd_sync(int argc, char **argv);		/* sync.c */
int cmd_inbox(int argc, char **argv);		/* show.c */
int cmd_show(int argc, char **argv);
int cmd_status(int argc, char **argv);
int cmd_directory(int argc, char **argv);
int cmd_audit(int argc, char **argv);		/* audit.c */
int cmd_checkpoint(int argc, char **argv);
int cmd_alarms(int argc, char **argv);
int cmd_proof(int argc, char **argv);
int cmd_serve(int argc, char **argv);		/* serve.c */
int cmd_attachment(int argc, char **argv);	/* attachment.c */
int cmd_alerts(int argc, char **argv);		/* alerts.c */
int cmd_templates(int argc, char **argv);	/* templates.c */
int cmd_user(int argc, char **argv);		/* user.c */
int cmd_stix(int argc, char **argv);		/* stix.c */
/* `roster send --stix FILE`: the bundle in FILE with the sender's s as
 * out's payload, then sent as `roster send` does; 0, 1 or EXIT_USAGE after
 * saying why.  n is opened here. */
struct stix_send;
int send_stix(struct node *n, struct outgoing *out, const char *file,
    const struct stix_send *s, const char *reply_to);
int cmd_token(int argc, char **argv);		/* token.c */
int cmd_taxii(int argc, char **argv);		/* taxii.c */

#endif
