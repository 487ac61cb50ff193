/*
 * fuzz_proof_json.c - libFuzzer target for merkle_check_json.
 *
 * The JSON proof checker is what a node runs on proofs served by a hub it
 * does not trust, so it must survive any bytes: no crash, no read past the
 * input (the text is not NUL-terminated here on purpose), and always one of
 * the three documented answers.
 */
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>

#include "merkle.h"
#include "jsonutil.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	int rc = merkle_check_json((const char *)data, size);

	jalloc_init();
	if (rc < 0 || rc > 2)
		abort();
	return 0;
}
