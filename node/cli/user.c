/*
 * user.c - `roster user`: the web interface's accounts (node/core/
 * accounts.h): add one, change its password, list them.  Adding an account
 * or changing its password needs the device key's passphrase as well as
 * the new password, because the account gets its own sealed copy of the
 * device key.
 */
#include "cli.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "catalogue.h"
#include "core/accounts.h"
#include "core/store.h"

/* The new password: --password-file's first line, else $ROSTER_PASSWORD,
 * else asked twice on the terminal.  (Not $ROSTER_PASSPHRASE: that one
 * unlocks the device key.) */
static char *
new_password(const char *file, const char *name)
{
	const char *env = getenv("ROSTER_PASSWORD");
	char prompt[96];

	if (file != NULL)
		return passphrase_get(file, NULL, 0);
	if (env != NULL) {
		char *s = sodium_malloc(strlen(env) + 1);
		if (s == NULL) {
			rs_seterr("out of protected memory");
			return NULL;
		}
		memcpy(s, env, strlen(env) + 1);
		return s;
	}
	if (getenv("ROSTER_PASSPHRASE") != NULL) {
		rs_seterr("give the account's password with --password-file FILE or "
		    "$ROSTER_PASSWORD (ROSTER_PASSPHRASE is the device key's)");
		return NULL;
	}
	snprintf(prompt, sizeof(prompt), "Password for %s: ", name);
	return passphrase_get(NULL, prompt, 1);
}

static int
user_add(struct node *n, const char *name, int admin, const char *lang,
    const char *email, const char *pwfile)
{
	struct account a;
	enum store_result found = store_account_get(n, name, &a);
	char *pw;
	int rc;

	sodium_memzero(&a, sizeof(a));
	if (found != STORE_NOT_FOUND) {
		if (found == STORE_OK)
			rs_seterr("there is already an account %s (change its password with "
			    "`roster user passwd %s`)", name, name);
		return -1;
	}
	if ((pw = new_password(pwfile, name)) == NULL)
		return -1;
	rc = account_create(n, name, admin, lang, email, pw);
	secret_free(pw);
	if (rc == 0)
		printf("account %s created (%s, language %s); sign in at the address "
		    "`roster serve` prints\n", name, admin ? "administrator" : "user", lang);
	return rc;
}

static int
user_passwd(struct node *n, const char *name, const char *pwfile)
{
	struct account a;
	enum store_result found = store_account_get(n, name, &a);
	char *pw;
	int rc;

	sodium_memzero(&a, sizeof(a));
	if (found != STORE_OK) {
		if (found == STORE_NOT_FOUND)
			rs_seterr("no account %s (see `roster user list`)", name);
		return -1;
	}
	if ((pw = new_password(pwfile, name)) == NULL)
		return -1;
	rc = account_set_password(n, name, pw);
	secret_free(pw);
	if (rc == 0)
		printf("password of %s changed; its sessions end when `roster serve` restarts "
		    "or they expire\n", name);
	return rc;
}

static int
print_account(void *ud, const char *name, int admin, const char *lang, const char *email,
    int64_t created)
{
	char t[32];

	printf("%-20s %-6s %-4s %-20s %s\n", name, admin ? "yes" : "no", lang,
	    time_str(created, t, sizeof(t)), *email ? email : "-");
	(*(int *)ud)++;
	return 0;
}

static int
user_list(struct node *n)
{
	int count = 0;

	printf("%-20s %-6s %-4s %-20s %s\n", "NAME", "ADMIN", "LANG", "CREATED", "ALERT E-MAIL");
	if (store_accounts_each(n, print_account, &count) != 0)
		return -1;
	if (count == 0)
		printf("(no accounts: the web interface is open to whoever reaches it on "
		    "loopback; `roster user add NAME` creates one)\n");
	return 0;
}

/* NULL when the command line makes sense, else what is wrong with it. */
static const char *
user_usage(const char *sub, const char *name, int admin, const char *lang,
    const char *email, const char *pwfile)
{
	int list = sub != NULL && strcmp(sub, "list") == 0;

	if (sub == NULL)
		return "what? give add, list or passwd";
	if (!list && strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0) {
		static const char *const subs[] = { "add", "list", "passwd", NULL };
		static char why[96];
		const char *near = opts_nearest(sub, subs);
		if (near == NULL)
			return "unknown subcommand: give add, list or passwd";
		snprintf(why, sizeof(why), "unknown subcommand \"%.32s\" (did you mean %s?)",
		    sub, near);
		return why;
	}
	if (list && (name || admin || lang || email || pwfile))
		return "user list takes no name or options";
	if (!list && name == NULL)
		return "which account? give its NAME";
	if (name != NULL && !ws_valid_name(name))
		return "an account name is 1 to 32 of a-z, 0-9, '.', '_', '-', starting "
		    "with a letter or digit";
	if (strcmp(sub, "passwd") == 0 && (admin || lang || email))
		return "user passwd changes only the password";
	if (lang != NULL && !cat_lang_ok(lang))
		return "--lang must be one of ar, en, es, fr, ru, zh";
	if (email != NULL && vocab_email_check("--email", email) != 0)
		return rs_err();
	return NULL;
}

int
cmd_user(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *sub, *name, *lang, *email, *pwfile, *why;
	int admin, rc;

	if ((rc = cli_parse(&o, &doc_user, argc, argv)) != 0)
		return rc;
	node_common_opts(&n, &o);
	admin = opt_flag(&o, "--admin");
	lang = opt_value(&o, "--lang");
	email = opt_value(&o, "--email");
	pwfile = opt_value(&o, "--password-file");
	sub = opt_positional(&o);
	name = opt_positional(&o);
	if ((rc = cli_finish(&o)) != 0)
		goto out;
	if (lang != NULL && vocab_lang_norm(lang) != NULL)
		lang = vocab_lang_norm(lang);		/* FR is fr */
	if ((why = user_usage(sub, name, admin, lang, email, pwfile)) != NULL) {
		rc = usage_error("user", "%s", why);
		goto out;
	}
	if (lang == NULL)
		lang = "en";
	if (node_open(&n, strcmp(sub, "list") != 0) != 0 || store_accounts_schema(&n) != 0) {
		rc = fail("user");
		goto out;
	}
	if (strcmp(sub, "list") == 0)
		rc = user_list(&n);
	else if (strcmp(sub, "add") == 0)
		rc = user_add(&n, name, admin, lang, email, pwfile);
	else
		rc = user_passwd(&n, name, pwfile);
	if (rc != 0)
		rc = fail("user");
out:
	node_close(&n);
	return rc;
}
