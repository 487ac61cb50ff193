/*
 * rules.c - the rules of every record, in order (see rules.h for why they
 * are run from one place).
 *
 * The check never changes the state; apply trusts a check that passed.
 * The process's check parses the record again (procrec_parse) rather than
 * sharing a parse with the directory's: records are small and the
 * sequencer's cost is the disk's (bench/bench_ingest), and a record parsed
 * in one place for every reader keeps the families independent.  So does
 * the registries' (regrec_parse).
 *
 * A process proposal is both families' record: the process decides whether
 * it may be made, the registries whether what it "adopts" exists in the
 * version it names; both checks pass before either applies it.
 */
#include "rules.h"

#include <assert.h>

#include "kinds.h"

static enum rules_result
from_proc(enum proc_result r)
{
	switch (r) {
	case PROC_OK:
		return RULES_OK;
	case PROC_MALFORMED:
		return RULES_MALFORMED;
	case PROC_UNKNOWN:
		return RULES_UNKNOWN;
	case PROC_FORBIDDEN:
		return RULES_FORBIDDEN;
	case PROC_CLOSED:
		return RULES_CLOSED;
	case PROC_DUPLICATE:
		return RULES_DUPLICATE;
	}
	return RULES_MALFORMED;
}

static enum rules_result
from_reg(enum reg_result r)
{
	switch (r) {
	case REG_OK:
		return RULES_OK;
	case REG_MALFORMED:
		return RULES_MALFORMED;
	case REG_UNKNOWN:
		return RULES_UNKNOWN;
	case REG_FORBIDDEN:
		return RULES_FORBIDDEN;
	case REG_CLOSED:
		return RULES_CLOSED;
	case REG_DUPLICATE:
		return RULES_DUPLICATE;
	}
	return RULES_MALFORMED;
}

/* The families' rules, after the directory's. */
static enum rules_result
families_check(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time)
{
	enum rules_result rc;

	assert(p != NULL && r != NULL);
	if (kind_has(e->kind_id, KIND_PROCESS)) {
		rc = from_proc(proc_check(p, d, e, index, time));
		if (rc == RULES_OK && reg_concerns(e))
			rc = from_reg(reg_check(r, d, p, e, index, time));
		return rc;
	}
	if (kind_has(e->kind_id, KIND_REGISTRY))
		return from_reg(reg_check(r, d, p, e, index, time));
	if (e->kind_id == KIND_CERT)
		return from_proc(proc_check_cert(p, e, time));
	return RULES_OK;
}

static void
families_apply(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time)
{
	/* a proposal: the registries read p as it was for the check */
	if (reg_concerns(e))
		reg_apply(r, d, p, e, index, time);
	if (kind_has(e->kind_id, KIND_PROCESS))
		proc_apply(p, d, e, index, time);
}

enum rules_result
rules_check(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time, int flags)
{
	if (dir_check(d, e, index, time, flags) != 0)
		return RULES_DIRECTORY;
	return families_check(d, p, r, e, index, time);
}

void
rules_apply(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time)
{
	dir_apply(d, e, index);
	families_apply(d, p, r, e, index, time);
}

enum rules_result
rules_take(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time, int flags)
{
	enum rules_result rc = rules_check(d, p, r, e, index, time, flags);

	if (rc == RULES_OK)
		rules_apply(d, p, r, e, index, time);
	return rc;
}

enum rules_result
rules_replay(struct directory *d, struct process *p, struct registry *r,
    const struct envelope *e, int64_t index, int64_t time)
{
	enum rules_result rc;

	if (!kind_has(e->kind_id, KIND_PROCESS) && !kind_has(e->kind_id, KIND_REGISTRY))
		return RULES_OK;
	if ((rc = families_check(d, p, r, e, index, time)) == RULES_OK)
		families_apply(d, p, r, e, index, time);
	return rc;
}

int
rules_status(enum rules_result r)
{
	switch (r) {
	case RULES_OK:
		return 200;
	case RULES_DIRECTORY:
	case RULES_FORBIDDEN:
		return 403;
	case RULES_MALFORMED:
	case RULES_UNKNOWN:
		return 400;
	case RULES_CLOSED:
	case RULES_DUPLICATE:
		return 409;
	}
	assert(!"rules_status of an unknown result");
	return 400;
}
