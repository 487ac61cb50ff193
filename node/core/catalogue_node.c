/*
 * catalogue_node.c - the node's catalogue (see catalogue_node.h).
 *
 * Three layers, loaded in this order under lib/catalogue's rule (a later
 * entry replaces an earlier one of the same id only with a higher
 * version): what roster ships, the State's own folder NODEDIR/catalogue/,
 * and the hub operator's document.  The hub is not trusted, so its
 * document is checked entry by entry exactly like everything else, and a
 * bad entry is skipped with a warning; the message a template produces
 * carries the template's digest, so which version was used is never in
 * doubt.  The document is stored as the hub sent it, and checked again
 * whenever it is loaded.
 *
 * Cached.  Loading checks every label of every entry in six languages,
 * which cost more than the rest of filing a received message into TAXII
 * or of answering a web page; so the node handle keeps the catalogue it
 * last loaded (n->cat) with a stamp of what it was loaded from, and a call
 * whose stamp matches takes another reference to it.  The stamp is a hash
 * of the stat() of every folder and *.json file the load reads (device,
 * inode, size, modification and change times) and of a counter that
 * catalogue_fetch bumps: a `roster templates fetch` by another process, a
 * file an administrator drops into NODEDIR/catalogue/, an upgrade of the
 * shipped files each change it, and nothing else does.  What changed in
 * the last CAT_RACY_S seconds is not trusted to show in the stamp (two
 * writes in one timestamp tick look alike), so it is loaded every time
 * until it is older.  A cached
 * catalogue is frozen (read only), so threads share it; a newer load
 * replaces the handle's slot under a mutex held only for the swap, and a
 * reader that took the old one keeps it until its catalogue_free.
 */
#include "catalogue_node.h"

#include <dirent.h>
#include <errno.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <sodium.h>

#include "hubclient.h"
#include "jsonutil.h"
#include "share.h"

static void
warn_problems(struct node *n, struct catalogue *c, size_t from)
{
	if (n->quiet)
		return;
	for (size_t i = from; i < catalogue_nproblems(c); i++)
		fprintf(stderr, "roster: warning: catalogue: %s\n", catalogue_problem(c, i));
}

static int
add_hub_doc(struct catalogue *c, const char *dir)
{
	char path[4096];
	struct buf b = {0};
	int rc;

	snprintf(path, sizeof(path), "%s/catalogue-hub.json", dir);
	if (access(path, F_OK) != 0)
		return 0;
	if (read_file(path, &b, CAT_MAX_DOC) != 0)
		return -1;
	rc = catalogue_add_doc_bytes(c, b.p, b.len, path, "hub");
	buf_free(&b);
	return rc;
}

/* Loads the catalogue afresh (what node_catalogue did before it cached). */
static int
load(struct node *n, struct catalogue **out)
{
	struct catalogue *c = catalogue_new();
	char path[4096];
	size_t before;

	*out = NULL;
	if (catalogue_load_shipped(c) != 0) {
		catalogue_free(c);
		return -1;
	}
	before = catalogue_nproblems(c);
	if (n->dir != NULL) {
		snprintf(path, sizeof(path), "%s/catalogue", n->dir);
		if (catalogue_add_dir(c, path, "node") < 0 || add_hub_doc(c, n->dir) < 0) {
			if (!n->quiet)
				fprintf(stderr, "roster: warning: catalogue: %s\n", rs_err());
		}
	}
	warn_problems(n, c, before);
	*out = c;
	return 0;
}

/* ---- the stamp ------------------------------------------------------------------ */

static atomic_uint_fast64_t fetched;	/* bumped by catalogue_fetch */
static pthread_mutex_t slot_mu = PTHREAD_MUTEX_INITIALIZER;

/* Adds what stat says of path (or that it is not there) to the stamp;
 * *newest: the latest modification or change time seen (seconds). */
static void
stamp_path(crypto_generichash_state *h, const char *path, int64_t *newest)
{
	struct stat st;
	int64_t v[7] = {0};

	if (stat(path, &st) == 0) {
		v[0] = (int64_t)st.st_dev;
		v[1] = (int64_t)st.st_ino;
		v[2] = (int64_t)st.st_size;
		v[3] = (int64_t)st.st_mtim.tv_sec;
		v[4] = (int64_t)st.st_mtim.tv_nsec;
		v[5] = (int64_t)st.st_ctim.tv_sec;
		v[6] = (int64_t)st.st_ctim.tv_nsec;
		if (v[3] > *newest)
			*newest = v[3];
		if (v[5] > *newest)
			*newest = v[5];
	} else
		v[0] = -(int64_t)errno;
	crypto_generichash_update(h, (const unsigned char *)path, strlen(path) + 1);
	crypto_generichash_update(h, (const unsigned char *)v, sizeof(v));
}

/* A catalogue folder: its two subfolders and every *.json in them, in
 * name order (as catalogue_add_dir reads them). */
static void
stamp_dir(crypto_generichash_state *h, const char *dir, int64_t *newest)
{
	static const char *const sub[] = { "taxonomies", "templates" };

	for (size_t k = 0; k < 2; k++) {
		char path[4096];
		struct dirent **names = NULL;
		int count;

		snprintf(path, sizeof(path), "%s/%s", dir, sub[k]);
		stamp_path(h, path, newest);
		if ((count = scandir(path, &names, NULL, alphasort)) < 0)
			continue;
		for (int i = 0; i < count; i++) {
			size_t len = strlen(names[i]->d_name);
			char file[4096 + 256];
			if (names[i]->d_name[0] != '.' && len >= 6 &&
			    strcmp(names[i]->d_name + len - 5, ".json") == 0) {
				snprintf(file, sizeof(file), "%s/%s", path, names[i]->d_name);
				stamp_path(h, file, newest);
			}
			free(names[i]);
		}
		free(names);
	}
}

/* The stamp of what load() reads.  *racy: something changed in the last
 * CAT_RACY_S seconds, closer to now than file systems' timestamps can
 * tell apart (a tick of a few milliseconds; FAT's 2 s), so a change in the
 * same tick as a load, keeping size and inode, would leave the stamp as it
 * was: such a stamp is not trusted (as git treats a "racily clean" file). */
#define CAT_RACY_S	3

static int
stamp(struct node *n, uint8_t out[32], int *racy)
{
	crypto_generichash_state h;
	char path[4096];
	uint64_t gen = atomic_load(&fetched);
	int64_t newest = 0;

	if (share_path(path, sizeof(path), "catalogue") != 0)
		return -1;
	crypto_generichash_init(&h, NULL, 0, 32);
	crypto_generichash_update(&h, (const unsigned char *)&gen, sizeof(gen));
	stamp_dir(&h, path, &newest);
	if (n->dir != NULL) {
		snprintf(path, sizeof(path), "%s/catalogue", n->dir);
		stamp_dir(&h, path, &newest);
		snprintf(path, sizeof(path), "%s/catalogue-hub.json", n->dir);
		stamp_path(&h, path, &newest);
	}
	crypto_generichash_final(&h, out, 32);
	*racy = newest >= (int64_t)time(NULL) - CAT_RACY_S;
	return 0;
}

int
node_catalogue(struct node *n, struct catalogue **out)
{
	struct catalogue *c;
	uint8_t st[32];
	int racy;

	*out = NULL;
	if (stamp(n, st, &racy) != 0)
		return -1;
	pthread_mutex_lock(&slot_mu);
	if (!racy && n->cat != NULL && sodium_memcmp(n->cat_stamp, st, 32) == 0) {
		*out = catalogue_ref(n->cat);
		pthread_mutex_unlock(&slot_mu);
		return 0;
	}
	pthread_mutex_unlock(&slot_mu);
	/* Loaded outside the mutex: another thread of the handle may load
	 * the same at once, and the later swap wins; both are right. */
	if (load(n, &c) != 0)
		return -1;
	catalogue_freeze(c);
	pthread_mutex_lock(&slot_mu);
	catalogue_free(n->cat);		/* a reader that took it keeps it */
	n->cat = catalogue_ref(c);
	if (racy)	/* matches no stamp: loaded again once the files settle */
		sodium_memzero(n->cat_stamp, 32);
	else
		memcpy(n->cat_stamp, st, 32);
	pthread_mutex_unlock(&slot_mu);
	*out = c;
	return 0;
}

/* The problems the hub found in its own folder, as it reports them. */
static void
hub_problems(struct node *n, const struct buf *b)
{
	json_t *j = json_loadb((const char *)b->p, b->len, 0, NULL), *p;
	size_t i;

	json_array_foreach(json_object_get(j, "problems"), i, p) {
		char s[401];
		if (!json_is_string(p) || n->quiet || i >= 100)
			continue;
		snprintf(s, sizeof(s), "%s", json_string_value(p));
		cat_printable(s);		/* a hostile hub's text */
		fprintf(stderr, "roster: warning: the hub reports: %s\n", s);
	}
	json_decref(j);
}

int
catalogue_fetch(struct node *n, struct catalogue **report)
{
	struct buf b = {0};
	struct catalogue *c = NULL;
	char path[4096];
	int rc = -1;

	if (report)
		*report = NULL;
	if (n->hub == NULL || n->dir == NULL) {
		rs_seterr("catalogue_fetch: the node is not open");
		return -1;
	}
	if (hub_catalogue(n, &b) != 0)
		goto out;
	c = catalogue_new();
	if (catalogue_load_shipped(c) != 0 ||
	    catalogue_add_doc_bytes(c, b.p, b.len, "hub catalogue", "hub") < 0)
		goto out;
	hub_problems(n, &b);
	snprintf(path, sizeof(path), "%s/catalogue-hub.json", n->dir);
	if (write_file_atomic(path, b.p, b.len, 0644) != 0)
		goto out;
	atomic_fetch_add(&fetched, 1);	/* node_catalogue loads it next time */
	rc = 0;
	if (report) {
		*report = c;
		c = NULL;
	}
out:
	catalogue_free(c);
	buf_free(&b);
	return rc;
}

const char *
node_lang(struct node *n)
{
	static char lang[8];
	const char *p = n->cfg.languages;

	while (p != NULL && *p != '\0') {
		size_t len = strcspn(p, ",");
		if (len == 2) {
			memcpy(lang, p, 2);
			lang[2] = '\0';
			if (cat_lang_ok(lang))
				return lang;
		}
		p += len;
		if (*p == ',')
			p++;
	}
	return "en";
}
