/*
 * quota.h - what one signer may append in a sliding hour (docs/protocol.md
 * section 9): at most N envelopes and B bytes of envelopes, so that one
 * device cannot fill the log (and every node's listings) for the others.
 *
 * The hour slides by the minute: each signer has 60 one-minute buckets,
 * and an envelope fits when the buckets of the last 60 minutes, with it,
 * stay within both limits.  A refusal says when it would fit (Retry-After).
 * The sequencer is the only caller (one thread, no lock); the counts live
 * in memory, so a restart forgets them.
 */
#ifndef ROSTER_HUB_QUOTA_H
#define ROSTER_HUB_QUOTA_H

#include <stddef.h>
#include <stdint.h>

struct quota;

/* 0 for a limit turns it off. */
struct quota *quota_new(int64_t max_envelopes, int64_t max_bytes);
void quota_free(struct quota *q);

/* Would one more envelope of len bytes signed by key at log time now (ms)
 * go over a limit?  0 when it fits; else the seconds (>= 1) until it would,
 * with rs_err naming the limit. */
int64_t quota_check(struct quota *q, const uint8_t key[32], size_t len,
    int64_t now) __attribute__((warn_unused_result));
/* Counts an appended envelope. */
void quota_charge(struct quota *q, const uint8_t key[32], size_t len, int64_t now);

#endif
