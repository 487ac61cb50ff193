/*
 * stakeholder.c - "rosterd stakeholder apply" and "rosterd stakeholder
 * certify": an organisation applies through the secretariat, and once
 * accredited gets a device of its own.
 *
 * apply    records the application (an operator-signed "application"
 *          record); the body's rules then put it under the silence
 *          procedure, admit it at once, or refuse it (lib/process.c), and
 *          every node computes the same outcome from the log.
 * certify  signs, with the operator key, the certificate of the device
 *          the organisation made with `roster init --state ZZ --role
 *          stakeholder` (docs/protocol.md section 2, "A stakeholder's
 *          device"), and writes it beside the request, as `roster certify`
 *          does for a State's device; the organisation publishes it with
 *          `roster enroll`.  The certificate is checked first against the
 *          hub's records as they are (the same rules the hub will apply,
 *          lib/rules.c): a certificate for an application that is not
 *          accredited is refused here, in words, rather than at enrolment.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <sodium.h>
#include <sqlite3.h>

#include "db.h"
#include "directory.h"
#include "envelope.h"
#include "hub.h"
#include "jsonutil.h"
#include "keys.h"
#include "process.h"
#include "procopt.h"
#include "procrec.h"
#include "rules.h"
#include "util.h"

#define CERT_DEFAULT_DAYS	730

struct sh_opts {
	const char *hubdir;
	const char *body, *name, *website, *ecosoc, *about_file;
	const char *application, *out;
	const char *request;
	long days;
};

static int
parse_sh(int argc, char **argv, const char *sub, struct sh_opts *o)
{
	int apply = strcmp(sub, "apply") == 0;
	const char *pos[2], *days;
	struct opts op;
	char *end;
	int npos;

	memset(o, 0, sizeof(*o));
	o->days = CERT_DEFAULT_DAYS;
	if (hub_opts(&op, &hdoc_stakeholder, argc, argv) != 0)
		return -1;
	opts_subcommand(&op, sub);
	/* Each form takes only its own options: another's is refused by
	 * opts_finish, never ignored. */
	if (apply) {
		o->body = opt_value(&op, "--body");
		o->name = opt_value(&op, "--name");
		o->website = opt_value(&op, "--website");
		o->ecosoc = opt_value(&op, "--ecosoc");
		o->about_file = opt_value(&op, "--about-file");
	} else {
		o->application = opt_value(&op, "--application");
		o->out = opt_value(&op, "--out");
		if ((days = opt_value(&op, "--days")) != NULL) {
			o->days = strtol(days, &end, 10);
			if (end == days || *end != '\0' || o->days < 1 || o->days > 3650) {
				opts_usage(&op, "--days must be 1 to 3650");
				opts_free(&op);
				return -1;
			}
		}
	}
	/* apply: [HUBDIR]; certify: [HUBDIR] REQUEST */
	npos = op.npos < (apply ? 1 : 2) ? op.npos : (apply ? 1 : 2);
	for (int i = 0; i < npos; i++)
		pos[i] = opt_positional(&op);
	if (opts_finish(&op) != OPTS_OK) {
		opts_free(&op);
		return -1;
	}
	opts_free(&op);
	if (!apply) {
		if (npos == 0) {
			opts_usage_for("rosterd", "stakeholder certify", "name the "
			    "organisation's request.json");
			return -1;
		}
		o->request = pos[--npos];
	}
	if ((o->hubdir = hub_dir_arg(npos > 0 ? pos[0] : NULL)) == NULL) {
		opts_usage_for("rosterd", apply ? "stakeholder apply" :
		    "stakeholder certify", "%s", rs_err());
		return -1;
	}
	if (apply && (o->body == NULL || o->name == NULL || o->ecosoc == NULL)) {
		opts_usage_for("rosterd", "stakeholder apply", "--body, --name and "
		    "--ecosoc yes|no are required");
		return -1;
	}
	if (apply && strcmp(o->ecosoc, "yes") != 0 && strcmp(o->ecosoc, "no") != 0) {
		opts_usage_for("rosterd", "stakeholder apply", "--ecosoc must be yes "
		    "or no (has the organisation ECOSOC consultative status?)");
		return -1;
	}
	if (!apply && o->application == NULL) {
		opts_usage_for("rosterd", "stakeholder certify", "--application ID "
		    "(the accredited application's id) is required");
		return -1;
	}
	return 0;
}

static int
apply(const struct sh_opts *o)
{
	struct buf about = {0};
	struct receipt r;
	json_t *hdr, *p;
	char *id;
	int rc = 1;

	p = json_pack("{s:s}", "name", o->name);
	if (p == NULL) {
		fprintf(stderr, "rosterd stakeholder apply: --name is not UTF-8\n");
		return 2;
	}
	if (o->website != NULL)
		json_object_set_new(p, "website", json_string(o->website));
	if (o->about_file != NULL) {
		json_t *v;
		if (read_file(o->about_file, &about, PROC_ABOUT_MAX + 1) != 0) {
			fprintf(stderr, "rosterd stakeholder apply: --about-file: %s\n",
			    rs_err());
			json_decref(p);
			return 2;
		}
		if ((v = json_stringn((const char *)about.p, about.len)) == NULL) {
			fprintf(stderr, "rosterd stakeholder apply: --about-file: %s is "
			    "not UTF-8 text\n", o->about_file);
			json_decref(p);
			buf_free(&about);
			return 2;
		}
		json_object_set_new(p, "about", v);
	}
	hdr = json_pack("{s:s,s:s,s:b}", "kind", "application", "body", o->body,
	    "ecosoc", strcmp(o->ecosoc, "yes") == 0);
	if (operator_record(o->hubdir, hdr, p, &r) != 0)
		fprintf(stderr, "rosterd stakeholder apply: not recorded: %s\n", rs_err());
	else {
		id = hex_encode(r.id, 32);
		printf("rosterd: application of %s to %s recorded at log index %llu\n"
		    "id: %s\n", o->name, o->body, (unsigned long long)r.index, id);
		free(id);
		rc = 0;
	}
	json_decref(hdr);
	json_decref(p);
	buf_free(&about);
	return rc;
}

/* The certificate's payload from the organisation's request: its device
 * and box keys, contact and proof of possession, and the application. */
static json_t *
cert_payload(const char *path, const char *app, long days)
{
	struct buf b = {0};
	json_t *j, *p;
	const char *t;
	int64_t now = now_ms();

	if (read_file(path, &b, 1 << 20) != 0)
		return NULL;
	j = jparse(b.p, b.len);
	buf_free(&b);
	if (j == NULL)
		return NULL;
	if ((t = jstr(j, "roster")) == NULL || strcmp(t, "cert-request") != 0) {
		rs_seterr("%s is not a certification request (roster init writes "
		    "one: NODEDIR/request.json)", path);
		json_decref(j);
		return NULL;
	}
	if ((t = jstr(j, "state")) == NULL || strcmp(t, DIR_STAKEHOLDER_STATE) != 0 ||
	    (t = jstr(j, "role")) == NULL || strcmp(t, DIR_STAKEHOLDER_ROLE) != 0) {
		rs_seterr("%s is a request for a State's device: its State's root key "
		    "certifies it (roster certify); an organisation's node is made with "
		    "roster init --state %s --role %s", path, DIR_STAKEHOLDER_STATE,
		    DIR_STAKEHOLDER_ROLE);
		json_decref(j);
		return NULL;
	}
	p = json_deep_copy(j);
	json_decref(j);
	json_object_del(p, "roster");
	json_object_set_new(p, "issued", json_integer(now));
	json_object_set_new(p, "expires", json_integer(now + (int64_t)days * 86400000));
	json_object_set_new(p, "stakeholder", json_string(app));
	return p;
}

/* Would the hub take e now?  The same rules, on its records as they are. */
static int
precheck(const char *hubdir, const struct envelope *e)
{
	struct hub_state hs;
	int rc = -1;

	if (hub_state_read(hubdir, &hs) != 0)
		return -1;
	if (rules_check(hs.dir, hs.proc, e, (int64_t)hs.size,
	    hs.last_time > now_ms() ? hs.last_time : now_ms(), 0) == RULES_OK)
		rc = 0;
	hub_state_free(&hs);
	return rc;
}

static int
certify(const struct sh_opts *o)
{
	struct keypair *op = NULL;
	struct buf env = {0};
	struct envelope e;
	uint8_t app[32];
	json_t *p = NULL, *hdr = NULL, *file = NULL;
	char *text = NULL, *out = NULL, *outpath = NULL;
	int rc = 1, parsed = 0;

	if (procopt_id("--application", o->application, app) != 0) {
		fprintf(stderr, "rosterd stakeholder certify: %s\n", rs_err());
		return 2;
	}
	if ((p = cert_payload(o->request, o->application, o->days)) == NULL ||
	    (op = operator_key_read(o->hubdir)) == NULL)
		goto fail;
	text = jdump(p);
	hdr = json_pack("{s:s,s:s}", "kind", "cert", "state", DIR_STAKEHOLDER_STATE);
	if (env_build(&env, hdr, text, strlen(text), op->pk, op->sk) != 0 ||
	    env_parse(&e, env.p, env.len) != 0)
		goto fail;
	parsed = 1;
	if (precheck(o->hubdir, &e) != 0)
		goto fail;
	file = json_pack("{s:s,s:o}", "roster", "cert", "envelope", jb64(env.p, env.len));
	out = json_dumps(file, JSON_INDENT(2) | JSON_PRESERVE_ORDER);
	if (o->out != NULL)
		outpath = xstrdup(o->out);
	else {
		size_t n = strlen(o->request);
		outpath = xmalloc(n + 6);
		if (n > 5 && strcmp(o->request + n - 5, ".json") == 0)
			snprintf(outpath, n + 6, "%.*s.cert", (int)(n - 5), o->request);
		else
			snprintf(outpath, n + 6, "%s.cert", o->request);
	}
	if (out == NULL || write_file_atomic(outpath, out, strlen(out), 0644) != 0)
		goto fail;
	printf("rosterd: certificate of stakeholder device %s for application "
	    "%.16s... written to %s\n(the organisation publishes it with: roster "
	    "enroll %s)\n", jstr(p, "name"), o->application, outpath, outpath);
	rc = 0;
	goto out;
fail:
	fprintf(stderr, "rosterd stakeholder certify: %s\n", rs_err());
out:
	if (parsed)
		env_free(&e);
	json_decref(p);
	json_decref(hdr);
	json_decref(file);
	free(text);
	free(out);
	free(outpath);
	buf_free(&env);
	keypair_free(op);
	return rc;
}

int
cmd_stakeholder(int argc, char **argv)
{
	struct sh_opts o;
	const char *sub = argc > 1 ? argv[1] : NULL;

	if (sub != NULL && (strcmp(sub, "--help") == 0 || strcmp(sub, "-h") == 0)) {
		opts_help(stdout, &rosterd_prog, &hdoc_stakeholder);
		return 0;
	}
	if (sub == NULL || (strcmp(sub, "apply") != 0 && strcmp(sub, "certify") != 0)) {
		fprintf(stderr, "rosterd stakeholder: say apply or certify; try "
		    "\"rosterd stakeholder --help\"\n");
		return 2;
	}
	if (parse_sh(argc - 1, argv + 1, sub, &o) != 0)
		return 2;
	return strcmp(sub, "apply") == 0 ? apply(&o) : certify(&o);
}
