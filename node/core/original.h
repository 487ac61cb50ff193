/*
 * original.h - the original message a forward carries, and its checks on
 * the receiving node.
 *
 * A forward carries the original itself: the signed envelope as logged,
 * its log index and time, and the content key the forwarder's device
 * unwrapped.  With these the new recipient checks, without trusting the
 * forwarder or the hub, that the original was signed by a certified
 * device, that it is in the log at that index (the inclusion proof the
 * forward carries, against the checkpoint it carries, which must be the
 * same tree as, or a prefix of, the checkpoint the forward itself was
 * verified at: a consistency proof names sizes, never the original's
 * index), that the text shown is
 * exactly what was sealed (the content key opens the ciphertext the
 * signature covers), and that forwarding it where it went kept its TLP
 * label's rules (tlp.h).  The sending side is forward.h.
 */
#ifndef ROSTER_NODE_ORIGINAL_H
#define ROSTER_NODE_ORIGINAL_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"
#include "seal.h"

#define FORWARD_MAX_ENVELOPE ((size_t)24 << 20)

/* The original: parsed envelope, index, time, content key. */
struct original {
	struct buf raw;
	struct envelope e;
	int64_t index, time;
	uint8_t key[SEAL_KEY_LEN];
	json_t *content;	/* decrypted payload */
	/* The original's inclusion proof and the operator-signed checkpoint
	 * it holds against ({"checkpoint", "sig"}), as the forwarder's node
	 * verified them: the receiver checks that checkpoint against its own
	 * view, so it asks the hub nothing that names the original. */
	json_t *proof, *checkpoint;
};

/* The original a forward's "forward" object names (parsed, not checked). */
int original_from_json(struct original *o, json_t *f) __attribute__((warn_unused_result));
/* Decrypts its content with its content key and checks its fields. */
int original_open(struct original *o) __attribute__((warn_unused_result));
void original_free(struct original *o);

/* Checks the original carried by forward e (payload m) against the log
 * (signature, signer, inclusion at cp), its content key and the TLP rules;
 * then puts {content, from, signer, index, time} in m's "original".  0, or
 * -1 with rs_err (the forward is kept with the error shown). */
int forward_verify(struct node *n, const struct checkpoint *cp,
    const struct envelope *e, json_t *m) __attribute__((warn_unused_result));

#endif
