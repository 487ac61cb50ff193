/*
 * attach.h - attachments (docs/protocol.md, "Attachments"): encrypt and
 * upload when sending, download, check and decrypt when receiving.  See
 * attach.c for how each stays within a few hundred KiB of memory whatever
 * the file's size.
 */
#ifndef ROSTER_NODE_ATTACH_H
#define ROSTER_NODE_ATTACH_H

#include <stdint.h>
#include <jansson.h>

#include "http.h"
#include "node.h"

#define ATTACH_WUR __attribute__((warn_unused_result))

struct outgoing;

/* How a transfer's progress is shown (the command line's bar); NULL: not
 * at all.  label is the file's name as the sender gave it (not yet made
 * safe for a terminal). */
struct transfer_progress {
	void (*start)(void *ud, const char *label, uint64_t total);
	http_progress_fn step;
	void (*end)(void *ud, int ok);
	void *ud;
};

/* Encrypts and uploads one file, streaming, and gives its description for
 * the sealed payload: {name, size, type, sha256, key, header}. */
int attach_upload(struct node *n, const char *path, const struct transfer_progress *p,
    json_t **desc) ATTACH_WUR;
/* Fetches, checks and decrypts attachment desc into out_path (never over
 * an existing file; nothing left behind on failure). */
int attach_download(struct node *n, json_t *desc, const char *out_path,
    const struct transfer_progress *p) ATTACH_WUR;
/* Uploads every file, puts the descriptions in payload's "attachments"
 * and gives the header's list ({sha256, size}) in *hdr_list. */
int attach_all(struct node *n, const char *const *paths, size_t np,
    const struct transfer_progress *p, json_t *payload, json_t **hdr_list) ATTACH_WUR;
/* For message_send: resolves o's audience if not yet done (so a bad
 * audience fails before any upload), then uploads o->attach. */
int attach_prepare(struct node *n, struct outgoing *o) ATTACH_WUR;
/* The signed header's list ({sha256, size} each) of message id, received
 * or sent: a new reference, NULL when none. */
json_t *attach_listed(struct node *n, const uint8_t id[32]);
/* The sealed payload of received message id, decrypted again from the
 * verified record (so no attachment key is kept at rest outside it), with
 * the envelope in *e (its bytes in *raw); NULL with rs_err. */
json_t *attach_received_payload(struct node *n, const uint8_t id[32], struct envelope *e,
    struct buf *raw);
/* The sealed description i must name the blob the signed header lists. */
int attach_matches_header(const struct envelope *e, json_t *desc, size_t i) ATTACH_WUR;

#endif
