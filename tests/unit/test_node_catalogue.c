/*
 * test_node_catalogue.c - the node's cached catalogue (node_catalogue in
 * node/core/catalogue_node.c).
 *
 * The cache is only worth having if it is never stale, so this tries to
 * make it serve an old catalogue:
 *   - a template dropped into NODEDIR/catalogue/ after a cached read is
 *     there on the next read, and one removed is gone;
 *   - a file rewritten in place, same size, same inode, right after a read
 *     (within the file system's timestamp granularity) is read again;
 *   - a new catalogue-hub.json is read;
 *   - a reader that holds a catalogue keeps it, whole, while a newer one
 *     replaces it in the handle (ASan sees any use after free);
 *   - threads reading through one handle while another rewrites the
 *     folder each see whole catalogues whose version never goes back.
 * And that it is a cache: two reads with nothing changed share one copy.
 */
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <setjmp.h>
#include <cmocka.h>

#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <sodium.h>

#include "catalogue.h"
#include "core/catalogue_node.h"
#include "jsonutil.h"
#include "share.h"
#include "tmpdir.h"

struct fixture {
	char *dir;
	struct node n;
	json_t *tmpl;		/* the shipped free-text template */
};

static int
setup(void **state)
{
	struct fixture *f = calloc(1, sizeof(*f));
	char path[4096];
	void *tmp;

	if (f == NULL || setup_tmp(&tmp) != 0)
		return -1;
	f->dir = tmp;
	f->n.dir = xstrdup(f->dir);
	f->n.quiet = 1;
	if (share_path(path, sizeof(path), "catalogue/templates/free-text.json") != 0 ||
	    (f->tmpl = json_load_file(path, 0, NULL)) == NULL)
		return -1;
	snprintf(path, sizeof(path), "%s/catalogue", f->dir);
	mkdir(path, 0755);
	snprintf(path, sizeof(path), "%s/catalogue/templates", f->dir);
	mkdir(path, 0755);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fixture *f = *state;
	void *tmp = f->dir;

	catalogue_free(f->n.cat);
	free(f->n.dir);
	json_decref(f->tmpl);
	free(f);
	return teardown_tmp(&tmp);
}

/* NODEDIR/catalogue/templates/ID.json: free-text under another id, at
 * version v; by rename (a new inode) unless in_place. */
static void
put_template(struct fixture *f, const char *id, int v, int in_place)
{
	json_t *t = json_deep_copy(f->tmpl);
	char path[4096], tmp[4200];
	FILE *fp;

	json_object_set_new(t, "id", json_string(id));
	json_object_set_new(t, "version", json_integer(v));
	snprintf(path, sizeof(path), "%s/catalogue/templates/%s.json", f->dir, id);
	snprintf(tmp, sizeof(tmp), "%s.tmp", path);
	if (in_place) {
		assert_non_null(fp = fopen(path, "r+"));
	} else
		assert_non_null(fp = fopen(tmp, "w"));
	assert_int_equal(json_dumpf(t, fp, JSON_INDENT(1) | JSON_PRESERVE_ORDER), 0);
	assert_int_equal(fclose(fp), 0);
	if (!in_place)
		assert_int_equal(rename(tmp, path), 0);
	json_decref(t);
}

static json_int_t
version_of(struct catalogue *c, const char *id)
{
	json_t *t = catalogue_template(c, id);

	return t == NULL ? 0 : json_integer_value(json_object_get(t, "version"));
}

static struct catalogue *
get(struct node *n)
{
	struct catalogue *c = NULL;

	assert_int_equal(node_catalogue(n, &c), 0);
	assert_non_null(c);
	return c;
}

static void
test_cached(void **state)
{
	struct fixture *f = *state;
	struct catalogue *a, *b;

	a = get(&f->n);
	b = get(&f->n);
	/* nothing changed, and the files are older than the racy window
	 * only after a while: read until two reads share one copy */
	for (int i = 0; i < 60 && a != b; i++) {
		catalogue_free(a);
		a = b;
		usleep(100 * 1000);
		b = get(&f->n);
	}
	assert_ptr_equal(a, b);
	assert_non_null(catalogue_template(a, "incident-notification"));
	catalogue_free(a);
	catalogue_free(b);
}

static void
test_change_seen(void **state)
{
	struct fixture *f = *state;
	struct catalogue *old, *c;
	char path[4096];
	FILE *fp;

	old = get(&f->n);
	assert_null(catalogue_template(old, "local-note"));
	/* added after a cached read: seen on the next */
	put_template(f, "local-note", 1, 0);
	c = get(&f->n);
	assert_int_equal(version_of(c, "local-note"), 1);
	/* the holder of the old one still has it, as it was */
	assert_null(catalogue_template(old, "local-note"));
	assert_non_null(catalogue_template(old, "free-text"));
	catalogue_free(old);
	/* rewritten in place at once: same size, same inode, the same
	 * timestamp tick */
	put_template(f, "local-note", 2, 1);
	catalogue_free(c);
	c = get(&f->n);
	assert_int_equal(version_of(c, "local-note"), 2);
	catalogue_free(c);
	/* and again after the racy window, when the cache is used again */
	sleep(4);
	c = get(&f->n);
	old = get(&f->n);
	assert_ptr_equal(c, old);		/* cached now */
	catalogue_free(old);
	put_template(f, "local-note", 3, 1);
	old = c;
	c = get(&f->n);
	assert_int_equal(version_of(c, "local-note"), 3);
	assert_int_equal(version_of(old, "local-note"), 2);
	catalogue_free(old);
	catalogue_free(c);
	/* removed: gone */
	snprintf(path, sizeof(path), "%s/catalogue/templates/local-note.json", f->dir);
	assert_int_equal(unlink(path), 0);
	c = get(&f->n);
	assert_null(catalogue_template(c, "local-note"));
	catalogue_free(c);
	/* the hub's document */
	{
		json_t *t = json_deep_copy(f->tmpl);
		json_t *doc = json_pack("{s:[o], s:[]}", "templates", t, "taxonomies");
		json_object_set_new(t, "id", json_string("hub-note"));
		snprintf(path, sizeof(path), "%s/catalogue-hub.json", f->dir);
		assert_non_null(fp = fopen(path, "w"));
		assert_int_equal(json_dumpf(doc, fp, 0), 0);
		assert_int_equal(fclose(fp), 0);
		json_decref(doc);
	}
	c = get(&f->n);
	assert_non_null(catalogue_template(c, "hub-note"));
	catalogue_free(c);
}

/* ---- threads ------------------------------------------------------------------ */

struct race {
	struct fixture *f;
	atomic_int stop;
	atomic_int reads;
	int bad;
};

static void *
reader(void *arg)
{
	struct race *r = arg;
	json_int_t last = 0;

	while (!atomic_load(&r->stop)) {
		struct catalogue *c = NULL;
		json_t *t, *list;
		json_int_t v;
		size_t i;
		int listed = 0;

		if (node_catalogue(&r->f->n, &c) != 0) {
			r->bad = 1;
			break;
		}
		v = version_of(c, "local-note");
		/* whole: the sorted list holds the very template looked up */
		t = catalogue_template(c, "local-note");
		list = catalogue_templates(c);
		for (i = 0; i < json_array_size(list); i++)
			if (json_array_get(list, i) == t)
				listed = 1;
		if (t == NULL || !listed || v < last)
			r->bad = 1;
		last = v;
		catalogue_free(c);
		atomic_fetch_add(&r->reads, 1);
	}
	return NULL;
}

static void
test_threads(void **state)
{
	struct fixture *f = *state;
	struct race r = { .f = f };
	pthread_t th[3];

	put_template(f, "local-note", 1, 0);
	for (int i = 0; i < 3; i++)
		assert_int_equal(pthread_create(&th[i], NULL, reader, &r), 0);
	for (int v = 2; v <= 30; v++) {
		put_template(f, "local-note", v, 0);
		usleep(20 * 1000);
	}
	atomic_store(&r.stop, 1);
	for (int i = 0; i < 3; i++)
		pthread_join(th[i], NULL);
	assert_false(r.bad);
	assert_true(atomic_load(&r.reads) > 30);
	{
		struct catalogue *c = get(&f->n);
		assert_int_equal(version_of(c, "local-note"), 30);
		catalogue_free(c);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cached, setup, teardown),
		cmocka_unit_test_setup_teardown(test_change_seen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	(void)path_in;
	if (sodium_init() < 0)
		return 1;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
