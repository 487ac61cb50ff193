/*
 * enroll.h - the files a node comes into being with and the records that
 * put a device in and out of the directory: the certification request
 * (roster init), the certificate (roster certify, on the administrator's
 * offline machine), its publication (roster enroll) and a revocation.
 * enroll.c says what each checks.
 */
#ifndef ROSTER_NODE_ENROLL_H
#define ROSTER_NODE_ENROLL_H

#include <stdint.h>
#include <jansson.h>

#include "node.h"

#define ENROLL_WUR __attribute__((warn_unused_result))

/* NODEDIR/request.json for device key k (its path in path). */
int enroll_write_request(struct node *n, const struct keypair *k, char *path, size_t plen)
    ENROLL_WUR;
/* Keeps a copy of the hub's certificate as NODEDIR/hub-ca.pem (n->cfg.hub_ca). */
int enroll_copy_ca(struct node *n, const char *ca) ENROLL_WUR;
/* Reads and checks a certification request (proof of possession
 * included): its JSON, with the device's signing and box keys. */
json_t *enroll_read_request(const char *path, uint8_t dev[32], uint8_t box[32]);
/* The signed cert envelope for request r by root key k, valid for days,
 * and the file `roster certify` writes for it (text, malloc'd). */
char *enroll_certify(json_t *r, const struct keypair *k, long days);
/* The cert envelope in a certificate file. */
int enroll_read_cert(const char *path, struct buf *raw) ENROLL_WUR;
/* Checks that e (parsed, signature verified) certifies this node's device. */
int enroll_cert_is_ours(struct node *n, const struct envelope *e) ENROLL_WUR;
/* An endorsement by root key k of its State's root key root_key (accept:
 * endorsed; 0: disowned, for good; protocol.md section 2).  The directory's
 * rules (lib/directory.c) decide whether the hub takes it. */
int enroll_endorse_envelope(struct buf *env, const struct keypair *k,
    const uint8_t root_key[32], int accept) ENROLL_WUR;
/* The root key named by fpr (its 64 hex digits, or its fingerprint, spaces
 * optional) among the directory's root keys of state; -1 with rs_err when
 * none or more than one matches. */
int enroll_find_root(struct node *n, const char *state, const char *fpr,
    uint8_t key[32]) ENROLL_WUR;
/* A revocation of target by k (a device itself, or its State's root key). */
int enroll_revoke_envelope(struct buf *env, const struct keypair *k, const char *state,
    const uint8_t target[32], const char *reason) ENROLL_WUR;

#endif
