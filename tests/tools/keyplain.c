/*
 * keyplain - rewrites a device key file without its passphrase, for tests
 * that run many short commands: unsealing a key costs one Argon2id
 * derivation (about a second under the sanitizers), and a test that starts
 * hundreds of commands (tests/e2e/test_write_faults.sh) would spend most of
 * its time there.  The file format allows it ("kdf": null, lib/keys.c);
 * roster itself never writes one.
 *
 *   keyplain KEYFILE      reads with $ROSTER_PASSPHRASE, writes it back plain
 */
#include <stdio.h>
#include <stdlib.h>

#include <sodium.h>

#include "keys.h"
#include "util.h"

int
main(int argc, char **argv)
{
	struct keypair *k;

	if (argc != 2 || sodium_init() < 0) {
		fprintf(stderr, "usage: keyplain KEYFILE\n");
		return 2;
	}
	if ((k = keyfile_read(argv[1], KEY_DEVICE, getenv("ROSTER_PASSPHRASE"))) == NULL ||
	    keyfile_write(argv[1], KEY_DEVICE, k, NULL) != 0) {
		fprintf(stderr, "keyplain: %s\n", rs_err());
		keypair_free(k);
		return 1;
	}
	keypair_free(k);
	return 0;
}
