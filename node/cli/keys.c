/*
 * keys.c - the State administrator's commands: keygen and certify.
 *
 * Neither needs a hub or a node folder: the root key is meant to live on an
 * offline machine.  certify reads a request file and writes a certificate
 * file (node/core/enroll.c makes and checks both).
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sodium.h>

#include "core/enroll.h"
#include "jsonutil.h"

#define CERT_DEFAULT_DAYS 730

int
cmd_keygen(int argc, char **argv)
{
	struct opts o;
	const char *out, *passfile, *given;
	struct keypair *k;
	char state[3], fpr[RS_FPR_LEN], pub[4096], *pass;
	int rc;

	if ((rc = cli_parse(&o, &doc_keygen, argc, argv)) != 0)
		return rc;
	given = opt_value(&o, "--state");
	out = opt_value(&o, "--out");
	passfile = opt_value(&o, "--passphrase-file");
	if ((rc = cli_finish(&o)) != 0)
		return rc;
	if (given == NULL || out == NULL)
		return usage_error("keygen", "--state and --out are required");
	if (vocab_state_norm(given, state) != 0)	/* fr is FR */
		return usage_error("keygen", "\"%s\" is not a State code (two letters)", given);
	if (access(out, F_OK) == 0) {
		fprintf(stderr, "roster keygen: %s exists; refusing to overwrite a key\n", out);
		return 1;
	}
	if ((pass = passphrase_get(passfile, "New passphrase for the root key: ", 1)) == NULL)
		return fail("keygen");
	if (strlen(pass) < 8) {
		secret_free(pass);
		fprintf(stderr, "roster keygen: the passphrase must have at least 8 characters\n");
		return 1;
	}
	k = keypair_new(state, 0);
	snprintf(pub, sizeof(pub), "%s.pub", out);
	rc = k == NULL || keyfile_write(out, KEY_ROOT, k, pass) != 0 ||
	    pubfile_write(pub, KEY_ROOT, state, k->pk) != 0;
	secret_free(pass);
	if (rc) {
		keypair_free(k);
		return fail("keygen");
	}
	fingerprint(fpr, k->pk);
	printf("root key of %s written to %s (public part: %s)\n", state, out, pub);
	printf("fingerprint: %s\n", fpr);
	printf("Give %s to the hub's operator for admission, and compare this\n"
	    "fingerprint with the one the operator reads back to you.\n", pub);
	keypair_free(k);
	return 0;
}

static char *
default_cert_path(const char *req)
{
	size_t n = strlen(req);
	char *out = xmalloc(n + 6);

	if (n > 5 && strcmp(req + n - 5, ".json") == 0)
		snprintf(out, n + 6, "%.*s.cert", (int)(n - 5), req);
	else
		snprintf(out, n + 6, "%s.cert", req);
	return out;
}

int
cmd_certify(int argc, char **argv)
{
	struct opts o;
	const char *root, *req, *out, *passfile, *days;
	char *outpath = NULL, *pass = NULL, fpr[RS_FPR_LEN], rfpr[RS_FPR_LEN], *text;
	uint8_t dev[32], box[32];
	struct keypair *k = NULL;
	json_t *r = NULL;
	int rc;

	if ((rc = cli_parse(&o, &doc_certify, argc, argv)) != 0)
		return rc;
	root = opt_value(&o, "--root");
	out = opt_value(&o, "--out");
	passfile = opt_value(&o, "--passphrase-file");
	days = opt_value(&o, "--valid-days");
	req = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0)
		return rc;
	if (root == NULL || req == NULL)
		return usage_error("certify", "--root ROOTKEY and a REQUEST file are required");
	long valid = days ? strtol(days, NULL, 10) : CERT_DEFAULT_DAYS;
	if (valid < 1 || valid > 3650)
		return usage_error("certify", "--valid-days must be between 1 and 3650");
	rc = 1;
	if ((r = enroll_read_request(req, dev, box)) == NULL) {
		fail("certify");
		goto out;
	}
	if ((pass = passphrase_get(passfile, "Root key passphrase: ", 0)) == NULL ||
	    (k = keyfile_read(root, KEY_ROOT, pass)) == NULL) {
		fail("certify");
		goto out;
	}
	if (strcmp(k->state, jstr(r, "state")) != 0) {
		fprintf(stderr, "roster certify: the request is for %s but this is the root key of %s\n",
		    jstr(r, "state"), k->state);
		goto out;
	}
	if ((text = enroll_certify(r, k, valid)) == NULL) {
		fail("certify");
		goto out;
	}
	outpath = out ? xstrdup(out) : default_cert_path(req);
	if (write_file_atomic(outpath, text, strlen(text), 0644) != 0) {
		free(text);
		fail("certify");
		goto out;
	}
	free(text);
	fingerprint(fpr, dev);
	fingerprint(rfpr, k->pk);
	printf("certified %s %s POC \"%s\" <%s>\n", k->state, jstr(r, "role"),
	    jstr(r, "name"), jstr(r, "email"));
	printf("device fingerprint: %s\n", fpr);
	printf("signed by root key: %s\n", rfpr);
	printf("valid for %ld days\n", valid);
	printf("certificate written to %s: the POC publishes it with `roster enroll`\n", outpath);
	rc = 0;
out:
	secret_free(pass);
	keypair_free(k);
	json_decref(r);
	free(outpath);
	return rc;
}
