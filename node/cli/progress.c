/*
 * progress.c - the progress bar of `roster send --attach` and `roster
 * attachment`: drawn on stderr at most every 100 ms, when stderr is a
 * terminal or --progress asks for it, with the bytes done, the total and
 * the rate.  The label is the file's name as the sender gave it, made safe
 * for a terminal (no control characters, no bidirectional overrides).
 */
#include "cli.h"

#include <string.h>
#include <unistd.h>

#include "catalogue.h"

void
human_size(char *out, size_t len, double v)
{
	if (v >= 1024.0 * 1024 * 1024)
		snprintf(out, len, "%.1f GiB", v / (1024.0 * 1024 * 1024));
	else if (v >= 1024.0 * 1024)
		snprintf(out, len, "%.1f MiB", v / (1024.0 * 1024));
	else if (v >= 1024.0)
		snprintf(out, len, "%.1f KiB", v / 1024.0);
	else
		snprintf(out, len, "%.0f B", v);
}

static void
draw(struct progress_bar *p, uint64_t done)
{
	char a[32], b[32], r[32];
	double secs = (double)(now_ms() - p->start) / 1000.0;
	int pct = p->total > 0 ? (int)(done * 100 / p->total) : 0;

	human_size(a, sizeof(a), (double)done);
	human_size(b, sizeof(b), (double)p->total);
	human_size(r, sizeof(r), secs > 0.001 ? (double)done / secs : 0.0);
	fprintf(stderr, "\r%s  %3d%%  %s / %s  %s/s   ", p->label, pct, a, b, r);
	fflush(stderr);
	p->drawn = 1;
}

static void
on_start(void *ud, const char *label, uint64_t total)
{
	struct progress_bar *p = ud;

	snprintf(p->label, sizeof(p->label), "%s", label != NULL ? label : "?");
	cat_printable(p->label);
	p->total = total;
	p->on = p->force || isatty(2);
	p->drawn = 0;
	p->start = p->last = now_ms();
}

static void
on_step(void *ud, uint64_t done, uint64_t total)
{
	struct progress_bar *p = ud;
	int64_t t = now_ms();

	(void)total;
	if (!p->on || (p->drawn && t - p->last < 100 && done < p->total))
		return;
	p->last = t;
	draw(p, done > p->total ? p->total : done);
}

static void
on_end(void *ud, int ok)
{
	struct progress_bar *p = ud;

	if (!p->on)
		return;
	if (ok)
		draw(p, p->total);
	if (p->drawn)
		fputc('\n', stderr);
	fflush(stderr);
}

const struct transfer_progress *
progress_bar(struct progress_bar *b, int force)
{
	memset(b, 0, sizeof(*b));
	b->force = force;
	b->ops.start = on_start;
	b->ops.step = on_step;
	b->ops.end = on_end;
	b->ops.ud = b;
	return &b->ops;
}
