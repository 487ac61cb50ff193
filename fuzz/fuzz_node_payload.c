/*
 * fuzz_node_payload.c - libFuzzer target for what a node does with the
 * decrypted payload of a message another State's node wrote.
 *
 * A payload authenticates its sender but not its good sense: a hostile or
 * buggy node can seal any JSON at all.  This target feeds arbitrary text to
 * the code that takes a received payload apart before anything is stored:
 * message_validate (the types and limits of subject, body, TLP, thread, notice,
 * forwarding fields), then, when the payload carries a forward, the
 * forward's own parsing and checks in forward_verify: base64 of the
 * original envelope and content key, the envelope's parse and signature,
 * the directory rules against a directory holding one admitted State and
 * one device (node/core/payload.c and original.c).  The node has no hub, so the inclusion proof step stops with
 * an error instead of fetching: that part is covered by fuzz_proof_json.
 *
 * Seeds in tests/fuzz-corpus/fuzz_node_payload: ordinary payloads, a notice,
 * consultation steps, and forwards with a real, signed original.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>

#include "directory.h"
#include "envelope.h"
#include "jsonutil.h"
#include "keys.h"
#include "core/node.h"
#include "core/original.h"
#include "core/payload.h"
#include "statement.h"
#include "util.h"

int LLVMFuzzerInitialize(int *argc, char ***argv);
int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

static struct node node;
static struct checkpoint cp;

int
LLVMFuzzerInitialize(int *argc, char ***argv)
{
	uint8_t op[32];

	jalloc_init();
	(void)argc;
	(void)argv;
	if (sodium_init() < 0)
		abort();
	memset(op, 0x31, sizeof(op));
	node.directory = dir_new(op);
	snprintf(node.cfg.state, sizeof(node.cfg.state), "XB");
	node.quiet = 1;
	cp.size = 10;
	return 0;
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct envelope e;
	json_t *m;

	if (size > 256 * 1024)
		return 0;
	m = jparse(data, size);
	if (m == NULL || !json_is_object(m)) {
		json_decref(m);
		return 0;
	}
	memset(&e, 0, sizeof(e));
	e.state = "XA";
	if (message_validate(m) == 0 && json_object_get(m, "forward") != NULL &&
	    forward_verify(&node, &cp, &e, m) == 0)
		abort();	/* no hub: a forward can never fully verify here */
	json_decref(m);
	return 0;
}
