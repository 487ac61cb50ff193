/*
 * accounts.c - the node's local accounts for the web interface, and the
 * `roster user` command that manages them.
 *
 * Accounts live in node.db, in a table of their own (created here, so the
 * rest of the store does not depend on the web interface):
 *
 *   web_users  name, admin flag, language, alert e-mail, the Argon2id
 *              password hash, and the account's sealed copy of the device
 *              key (salt, nonce, secretbox; see lib/websession.h)
 *   web_reads  which messages each account has opened
 *
 * Creating an account needs the device key (the passphrase, as for any
 * command that signs) because the account gets its own sealed copy of it;
 * that is what lets a signed-in user sign with the key in a session, and
 * what ties an account to this one node.
 */
#include "web.h"

#include <stdlib.h>
#include <string.h>
#include <sodium.h>

#include "db.h"

const char *const web_langs[] = { "ar", "en", "es", "fr", "ru", "zh", NULL };

int
web_lang_ok(const char *lang)
{
	for (int i = 0; lang != NULL && web_langs[i] != NULL; i++)
		if (strcmp(lang, web_langs[i]) == 0)
			return 1;
	return 0;
}

static const char schema[] =
"CREATE TABLE IF NOT EXISTS web_users(name TEXT PRIMARY KEY, admin INTEGER NOT NULL,"
"  lang TEXT NOT NULL, email TEXT NOT NULL DEFAULT '', pwhash TEXT NOT NULL,"
"  key_salt BLOB NOT NULL, key_nonce BLOB NOT NULL, key_box BLOB NOT NULL,"
"  created INTEGER NOT NULL);"
"CREATE TABLE IF NOT EXISTS web_reads(user TEXT NOT NULL, msg_id BLOB NOT NULL,"
"  time INTEGER NOT NULL, PRIMARY KEY(user, msg_id)) WITHOUT ROWID;";

int
accounts_schema(sqlite3 *db)
{
	return db_exec(db, schema);
}

int
accounts_count(sqlite3 *db)
{
	sqlite3_stmt *st = db_prep(db, "SELECT count(*) FROM web_users");
	int n = -1;

	if (st != NULL && sqlite3_step(st) == SQLITE_ROW)
		n = sqlite3_column_int(st, 0);
	sqlite3_finalize(st);
	return n;
}

static int
copy_blob(sqlite3_stmt *st, int col, void *out, size_t len)
{
	if (sqlite3_column_bytes(st, col) != (int)len)
		return -1;
	memcpy(out, sqlite3_column_blob(st, col), len);
	return 0;
}

int
account_get(sqlite3 *db, const char *name, struct account *a)
{
	sqlite3_stmt *st = db_prep(db, "SELECT name, admin, lang, email, pwhash, key_salt,"
	    " key_nonce, key_box FROM web_users WHERE name = ?");
	int rc;

	if (st == NULL)
		return -1;
	memset(a, 0, sizeof(*a));
	sqlite3_bind_text(st, 1, name, -1, SQLITE_STATIC);
	rc = sqlite3_step(st);
	if (rc != SQLITE_ROW) {
		sqlite3_finalize(st);
		if (rc == SQLITE_DONE)
			return 1;
		rs_seterr("cannot read the accounts: %s", sqlite3_errmsg(db));
		return -1;
	}
	snprintf(a->name, sizeof(a->name), "%s", (const char *)sqlite3_column_text(st, 0));
	a->admin = sqlite3_column_int(st, 1);
	snprintf(a->lang, sizeof(a->lang), "%s", (const char *)sqlite3_column_text(st, 2));
	snprintf(a->email, sizeof(a->email), "%s", (const char *)sqlite3_column_text(st, 3));
	snprintf(a->hash, sizeof(a->hash), "%s", (const char *)sqlite3_column_text(st, 4));
	rc = copy_blob(st, 5, a->sealed.salt, sizeof(a->sealed.salt)) |
	    copy_blob(st, 6, a->sealed.nonce, sizeof(a->sealed.nonce)) |
	    copy_blob(st, 7, a->sealed.box, sizeof(a->sealed.box));
	sqlite3_finalize(st);
	if (rc != 0) {
		rs_seterr("the account %s is damaged in node.db (sealed key of the wrong size)", name);
		return -1;
	}
	return 0;
}

int
account_set_prefs(sqlite3 *db, const char *name, const char *lang, const char *email)
{
	sqlite3_stmt *st = db_prep(db, "UPDATE web_users SET lang = coalesce(?, lang),"
	    " email = coalesce(?, email) WHERE name = ?");
	int rc;

	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, lang, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 2, email, -1, SQLITE_STATIC);
	sqlite3_bind_text(st, 3, name, -1, SQLITE_STATIC);
	rc = db_done(db, st);
	sqlite3_finalize(st);
	return rc;
}

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

/* Writes (or rewrites) name's hash and sealed key. */
static int
store_account(struct node *n, const char *name, int admin, const char *lang,
    const char *email, const char *password, int update)
{
	struct ws_sealed s;
	char hash[128];
	sqlite3_stmt *st;
	int rc;

	if (ws_hash_password(hash, password) != 0 || ws_seal_key(&s, n->key, password) != 0)
		return -1;
	st = db_prep(n->db, update ?
	    "UPDATE web_users SET pwhash = ?1, key_salt = ?2, key_nonce = ?3, key_box = ?4"
	    " WHERE name = ?5" :
	    "INSERT INTO web_users(pwhash, key_salt, key_nonce, key_box, name, admin, lang,"
	    " email, created) VALUES(?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)");
	if (st == NULL)
		return -1;
	sqlite3_bind_text(st, 1, hash, -1, SQLITE_STATIC);
	sqlite3_bind_blob(st, 2, s.salt, sizeof(s.salt), SQLITE_STATIC);
	sqlite3_bind_blob(st, 3, s.nonce, sizeof(s.nonce), SQLITE_STATIC);
	sqlite3_bind_blob(st, 4, s.box, sizeof(s.box), SQLITE_STATIC);
	sqlite3_bind_text(st, 5, name, -1, SQLITE_STATIC);
	if (!update) {
		sqlite3_bind_int(st, 6, admin);
		sqlite3_bind_text(st, 7, lang, -1, SQLITE_STATIC);
		sqlite3_bind_text(st, 8, email ? email : "", -1, SQLITE_STATIC);
		sqlite3_bind_int64(st, 9, now_ms());
	}
	rc = db_done(n->db, st);
	sqlite3_finalize(st);
	return rc;
}

static int
user_add(struct node *n, const char *name, int admin, const char *lang,
    const char *email, const char *pwfile)
{
	struct account a;
	char *pw;
	int rc;

	if ((rc = account_get(n->db, name, &a)) <= 0) {
		if (rc == 0)
			rs_seterr("there is already an account %s (change its password with "
			    "`roster user passwd %s`)", name, name);
		return -1;
	}
	if ((pw = new_password(pwfile, name)) == NULL)
		return -1;
	rc = store_account(n, name, admin, lang, email, pw, 0);
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
	char *pw;
	int rc;

	if ((rc = account_get(n->db, name, &a)) != 0) {
		if (rc == 1)
			rs_seterr("no account %s (see `roster user list`)", name);
		return -1;
	}
	if ((pw = new_password(pwfile, name)) == NULL)
		return -1;
	rc = store_account(n, name, a.admin, a.lang, a.email, pw, 1);
	secret_free(pw);
	if (rc == 0)
		printf("password of %s changed; its sessions end when `roster serve` restarts "
		    "or they expire\n", name);
	return rc;
}

static int
user_list(struct node *n)
{
	sqlite3_stmt *st = db_prep(n->db, "SELECT name, admin, lang, email, created"
	    " FROM web_users ORDER BY name");
	char t[32];
	int count = 0;

	if (st == NULL)
		return -1;
	printf("%-20s %-6s %-4s %-20s %s\n", "NAME", "ADMIN", "LANG", "CREATED", "ALERT E-MAIL");
	while (sqlite3_step(st) == SQLITE_ROW) {
		printf("%-20s %-6s %-4s %-20s %s\n", sqlite3_column_text(st, 0),
		    sqlite3_column_int(st, 1) ? "yes" : "no", sqlite3_column_text(st, 2),
		    time_str(sqlite3_column_int64(st, 4), t, sizeof(t)),
		    *sqlite3_column_text(st, 3) ? (const char *)sqlite3_column_text(st, 3) : "-");
		count++;
	}
	sqlite3_finalize(st);
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
	if (!list && strcmp(sub, "add") != 0 && strcmp(sub, "passwd") != 0)
		return "unknown subcommand: give add, list or passwd";
	if (list && (name || admin || lang || email || pwfile))
		return "user list takes no name or options";
	if (!list && name == NULL)
		return "which account? give its NAME";
	if (name != NULL && !ws_valid_name(name))
		return "an account name is 1 to 32 of a-z, 0-9, '.', '_', '-', starting "
		    "with a letter or digit";
	if (strcmp(sub, "passwd") == 0 && (admin || lang || email))
		return "user passwd changes only the password";
	if (lang != NULL && !web_lang_ok(lang))
		return "--lang must be one of ar, en, es, fr, ru, zh";
	if (email != NULL && (strlen(email) > 254 || strchr(email, '@') == NULL ||
	    strpbrk(email, " \r\n\t<>") != NULL))
		return "--email must be an e-mail address";
	return NULL;
}

int
cmd_user(int argc, char **argv)
{
	struct node n = {0};
	struct opts o;
	const char *sub, *name, *lang, *email, *pwfile, *why;
	int admin, rc;

	opts_init(&o, argc, argv);
	node_common_opts(&n, &o);
	admin = opt_flag(&o, "--admin");
	lang = opt_value(&o, "--lang");
	email = opt_value(&o, "--email");
	pwfile = opt_value(&o, "--password-file");
	sub = opt_positional(&o);
	name = opt_positional(&o);
	rc = opts_finish(&o, "user");
	opts_free(&o);
	if (rc != 0) {
		rc = EXIT_USAGE;
		goto out;
	}
	if ((why = user_usage(sub, name, admin, lang, email, pwfile)) != NULL) {
		rc = usage_error("user", "%s", why);
		goto out;
	}
	if (lang == NULL)
		lang = "en";
	if (node_open(&n, strcmp(sub, "list") != 0) != 0 || accounts_schema(n.db) != 0) {
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
