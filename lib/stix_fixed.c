/*
 * stix_fixed.c - the STIX objects whose ids and content are fixed (see
 * stix.h): the TLP markings published by OASIS, and roster's own identity,
 * provenance extension and no-forward marking.
 *
 * TLP 2.0: the five marking-definition objects of the OASIS TLP 2.0
 * extension (cti-stix-common-objects, extension-definition-specifications/
 * tlp-2.0, extension-definition--60a3c5c5-0d10-413e-aab3-9e08dde9e88d),
 * copied id by id from that repository's objects.  TLP 1.0: the four
 * objects STIX 2.1 itself predefines (section 7.2.1.4), read as labels when
 * a bundle from an older tool carries them (WHITE is CLEAR).  A bundle that
 * carries one of these ids must carry it exactly as published: a consumer
 * that trusts the id would otherwise read a label the object does not say.
 *
 * roster's objects are published in docs/taxii.md with the same content as
 * here; a change to any of them is a new version of the extension.
 */
#include "stix.h"

#include <stdio.h>
#include <string.h>

struct tlp {
	const char *label;	/* roster's label */
	const char *id;		/* TLP 2.0 marking id */
	const char *level;	/* the extension's tlp_2_0 value */
};

static const struct tlp tlp2[] = {
	{ "CLEAR", "marking-definition--94868c89-83c2-464b-929b-a1a8aa3c8487", "clear" },
	{ "GREEN", "marking-definition--bab4a63c-aed9-4cf5-a766-dfca5abac2bb", "green" },
	{ "AMBER", "marking-definition--55d920b0-5e8b-4f79-9ee9-91f868d9b421", "amber" },
	{ "AMBER+STRICT", "marking-definition--939a9414-2ddd-4d32-a0cd-375ea402b003",
	    "amber+strict" },
	{ "RED", "marking-definition--e828b379-4e03-4974-9ac4-e53a884c97c1", "red" },
};

static const struct tlp tlp1[] = {
	{ "CLEAR", "marking-definition--613f2e26-407d-48c7-9eca-b8e91df99dc9", "white" },
	{ "GREEN", "marking-definition--34098fce-860f-48ae-8e50-ebd3cc5e41da", "green" },
	{ "AMBER", "marking-definition--f88d31f6-486f-44da-b317-01333bde0b82", "amber" },
	{ "RED", "marking-definition--5e57c739-391a-4eb3-b6be-7d15ca92d5ed", "red" },
};

#define NTLP2	(sizeof(tlp2) / sizeof(tlp2[0]))
#define NTLP1	(sizeof(tlp1) / sizeof(tlp1[0]))

int
stix_tlp_rank(const char *label)
{
	for (size_t i = 0; label != NULL && i < NTLP2; i++)
		if (strcmp(label, tlp2[i].label) == 0)
			return (int)i;
	return -1;
}

const char *
stix_tlp_marking_id(const char *label)
{
	int r = stix_tlp_rank(label);

	return r < 0 ? NULL : tlp2[r].id;
}

static json_t *
tlp2_object(const struct tlp *t)
{
	char name[32];

	snprintf(name, sizeof(name), "TLP:%s", t->label);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:{s:{s:s, s:s}}}",
	    "type", "marking-definition", "spec_version", "2.1", "id", t->id,
	    "created", "2022-10-01T00:00:00.000Z", "name", name,
	    "extensions", STIX_TLP2_EXTENSION, "extension_type", "property-extension",
	    "tlp_2_0", t->level);
}

static json_t *
tlp1_object(const struct tlp *t)
{
	char name[32];

	snprintf(name, sizeof(name), "TLP:%s", strcmp(t->level, "white") == 0 ? "WHITE" :
	    t->label);
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}",
	    "type", "marking-definition", "spec_version", "2.1", "id", t->id,
	    "created", "2017-01-20T00:00:00.000Z", "definition_type", "tlp",
	    "name", name, "definition", "tlp", t->level);
}

json_t *
stix_tlp_marking(const char *label)
{
	int r = stix_tlp_rank(label);

	return r < 0 ? NULL : tlp2_object(&tlp2[r]);
}

const char *
stix_tlp_of_marking(const char *id)
{
	for (size_t i = 0; id != NULL && i < NTLP2; i++)
		if (strcmp(id, tlp2[i].id) == 0)
			return tlp2[i].label;
	for (size_t i = 0; id != NULL && i < NTLP1; i++)
		if (strcmp(id, tlp1[i].id) == 0)
			return tlp1[i].label;
	return NULL;
}

int
stix_tlp_official(json_t *o)
{
	const char *id = json_string_value(json_object_get(o, "id"));
	json_t *want = NULL;
	int same;

	for (size_t i = 0; id != NULL && want == NULL && i < NTLP2; i++)
		if (strcmp(id, tlp2[i].id) == 0)
			want = tlp2_object(&tlp2[i]);
	for (size_t i = 0; id != NULL && want == NULL && i < NTLP1; i++)
		if (strcmp(id, tlp1[i].id) == 0)
			want = tlp1_object(&tlp1[i]);
	if (want == NULL)
		return 0;
	same = json_equal(o, want);
	json_decref(want);
	return same;
}

/* ---- roster's own ----------------------------------------------------------- */

json_t *
stix_roster_identity(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s}",
	    "type", "identity", "spec_version", "2.1", "id", STIX_ROSTER_IDENTITY,
	    "created", STIX_ROSTER_CREATED, "modified", STIX_ROSTER_CREATED,
	    "name", "roster", "identity_class", "system",
	    "description", "roster: the nodes through which States' points of contact "
	    "for ICT-security crises exchange signed messages. It defines the roster "
	    "provenance extension and the roster no-forward marking.");
}

json_t *
stix_roster_extension(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:[s]}",
	    "type", "extension-definition", "spec_version", "2.1",
	    "id", STIX_ROSTER_EXTENSION, "created_by_ref", STIX_ROSTER_IDENTITY,
	    "created", STIX_ROSTER_CREATED, "modified", STIX_ROSTER_CREATED,
	    "name", "roster provenance",
	    "description", "Which signed roster message a STIX object was made from, "
	    "who signed it and where it is in the hub's log, so that anyone can check "
	    "the signature.",
	    "schema", "A property extension (roster docs/taxii.md, \"The roster "
	    "extension\"). Properties: message_id (required): the roster message id, "
	    "SHA-256 of the signed envelope, 64 lower-case hex digits; log_index "
	    "(required): the message's index in the hub's Merkle log, an integer from 0; "
	    "signer_key (required): the Ed25519 public key of the device that signed it, "
	    "64 lower-case hex digits; signer_fingerprint (required): that key's "
	    "fingerprint as roster shows it (the first 16 bytes of its SHA-256 in groups "
	    "of four hex digits); state (required): the two-letter code of the State "
	    "that sent it; first_seen (optional, on incidents): when the incident was "
	    "first observed, a timestamp.",
	    "version", "1.0.0", "extension_types", "property-extension");
}

json_t *
stix_no_forward_marking(void)
{
	return json_pack("{s:s, s:s, s:s, s:s, s:s, s:s, s:s, s:{s:s}}",
	    "type", "marking-definition", "spec_version", "2.1",
	    "id", STIX_NO_FORWARD_MARKING, "created_by_ref", STIX_ROSTER_IDENTITY,
	    "created", STIX_ROSTER_CREATED, "name", "roster: not to be forwarded",
	    "definition_type", "statement", "definition", "statement",
	    "The sender forbids passing this information on, whatever its TLP label.");
}
