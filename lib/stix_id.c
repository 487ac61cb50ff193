/*
 * stix_id.c - STIX 2.1 type names and identifiers, and the UUIDv5 ids roster
 * gives the objects it makes (see stix.h).
 *
 * An identifier is "type--UUID" with an RFC 4122 UUID.  roster makes every
 * object from a signed message, so it names each one by a UUIDv5 (SHA-1 of
 * a namespace and a name, RFC 4122 section 4.3) of the message id and the
 * object's place in the mapping: the same message always gives the same
 * ids, on every node, after every restart.  The namespace is roster's own
 * (STIX forbids producers to use its SCO namespace for anything but the
 * SCO-contributing-properties scheme, and roster's SCOs carry per-message
 * markings and provenance, so they are named per message too: docs/taxii.md).
 *
 * SHA-1 is here only because RFC 4122 defines UUIDv5 with it; nothing
 * relies on it for security.  libsodium has no SHA-1, so it comes from
 * OpenSSL's libcrypto.
 */
#include "stix.h"

#include <assert.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <sodium.h>

/* 44cd7546-6f29-4d75-adec-8a8e2819d1ad, drawn at random once. */
const uint8_t stix_roster_namespace[16] = {
	0x44, 0xcd, 0x75, 0x46, 0x6f, 0x29, 0x4d, 0x75,
	0xad, 0xec, 0x8a, 0x8e, 0x28, 0x19, 0xd1, 0xad
};

int
stix_type_ok(const char *t)
{
	size_t n = t ? strlen(t) : 0;

	if (n < 3 || n > 250 || t[0] < 'a' || t[0] > 'z' || t[n - 1] == '-' ||
	    strstr(t, "--") != NULL)
		return 0;
	for (size_t i = 0; i < n; i++)
		if (!((t[i] >= 'a' && t[i] <= 'z') || (t[i] >= '0' && t[i] <= '9') ||
		    t[i] == '-'))
			return 0;
	return 1;
}

static int
hexdig(char c)
{
	return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f') || (c >= 'A' && c <= 'F');
}

/* An RFC 4122 UUID in its 8-4-4-4-12 form, version 1 to 5, variant 10. */
static int
uuid_ok(const char *u)
{
	if (strlen(u) != 36)
		return 0;
	for (int i = 0; i < 36; i++) {
		if (i == 8 || i == 13 || i == 18 || i == 23) {
			if (u[i] != '-')
				return 0;
		} else if (!hexdig(u[i]))
			return 0;
	}
	return u[14] >= '1' && u[14] <= '5' && strchr("89abAB", u[19]) != NULL;
}

int
stix_id_ok(const char *id, const char *type)
{
	const char *sep;
	char t[256];

	if (id == NULL || (sep = strstr(id, "--")) == NULL || (size_t)(sep - id) >= sizeof(t))
		return 0;
	memcpy(t, id, (size_t)(sep - id));
	t[sep - id] = '\0';
	if (!stix_type_ok(t) || !uuid_ok(sep + 2))
		return 0;
	return type == NULL || strcmp(t, type) == 0;
}

void
stix_id_type(const char *id, char *out, size_t len)
{
	const char *sep;

	assert(len > 0);
	out[0] = '\0';
	if (!stix_id_ok(id, NULL) || (sep = strstr(id, "--")) == NULL ||
	    (size_t)(sep - id) >= len)
		return;
	memcpy(out, id, (size_t)(sep - id));
	out[sep - id] = '\0';
}

void
stix_uuid5(const uint8_t ns[16], const void *name, size_t len, char out[STIX_UUID_LEN])
{
	uint8_t md[EVP_MAX_MD_SIZE], *in = xmalloc(16 + len);
	unsigned mdlen = 0;

	memcpy(in, ns, 16);
	if (len > 0)
		memcpy(in + 16, name, len);
	if (EVP_Digest(in, 16 + len, md, &mdlen, EVP_sha1(), NULL) != 1 || mdlen != 20)
		abort();	/* libcrypto without SHA-1: nothing sensible to do */
	free(in);
	md[6] = (uint8_t)((md[6] & 0x0f) | 0x50);
	md[8] = (uint8_t)((md[8] & 0x3f) | 0x80);
	snprintf(out, STIX_UUID_LEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    md[0], md[1], md[2], md[3], md[4], md[5], md[6], md[7], md[8], md[9],
	    md[10], md[11], md[12], md[13], md[14], md[15]);
}

void
stix_uuid4(char out[STIX_UUID_LEN])
{
	uint8_t r[16];

	randombytes_buf(r, sizeof(r));
	r[6] = (uint8_t)((r[6] & 0x0f) | 0x40);
	r[8] = (uint8_t)((r[8] & 0x3f) | 0x80);
	snprintf(out, STIX_UUID_LEN,
	    "%02x%02x%02x%02x-%02x%02x-%02x%02x-%02x%02x-%02x%02x%02x%02x%02x%02x",
	    r[0], r[1], r[2], r[3], r[4], r[5], r[6], r[7], r[8], r[9],
	    r[10], r[11], r[12], r[13], r[14], r[15]);
}

void
stix_id_make(const char *type, const char *name, char out[STIX_ID_MAX])
{
	char u[STIX_UUID_LEN];

	assert(stix_type_ok(type));
	stix_uuid5(stix_roster_namespace, name, strlen(name), u);
	snprintf(out, STIX_ID_MAX, "%s--%s", type, u);
}
