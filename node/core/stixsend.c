/*
 * stixsend.c - a bundle from a CERT's tool as a message this node signs
 * (see stixsend.h; the mapping's table is in docs/taxii.md, "From STIX to
 * a message").
 *
 * The mapping (lib/stix_in.c) reads the bundle into a draft: a template,
 * NAME=VALUE pairs, subject, body, language, the strictest TLP label the
 * bundle carries.  Here the sender's own choices are laid over it: a
 * field the sender names (`--field`, an outbox's defaults) replaces the
 * bundle's values of that field, since the fill refuses a one-value field
 * given twice and the sender's word is the later one; a subject is the
 * sender's when the bundle gives none.  Then the same fill as `roster send
 * --template` checks every value, so a bad taxonomy code from a tool is
 * refused naming the field, exactly as a typed one would be.
 *
 * TLP.  The message goes under the sender's label, which may be stricter
 * than the bundle's but never less strict: a bundle marked AMBER sent
 * under GREEN would tell its recipients they may share what its author
 * did not allow.
 */
#include "stixsend.h"

#include <stdlib.h>
#include <string.h>

#include "jsonutil.h"

static int
named(const char *pair, const char **kv, size_t nkv)
{
	size_t len = strcspn(pair, "=");

	for (size_t i = 0; i < nkv; i++)
		if (strncmp(kv[i], pair, len) == 0 && kv[i][len] == '=')
			return 1;
	return 0;
}

int
stix_compose(struct node *n, json_t *bundle, const struct stix_send *s,
    struct outgoing *o, struct stix_draft *d)
{
	const char **kv = NULL, *tlp, *lang;
	size_t nkv = 0;
	int rc = -1;

	if (stix_to_draft(bundle, d) != 0)
		return -1;
	if (d->subject == NULL && (s->subject == NULL || s->subject[0] == '\0')) {
		rs_seterr("the bundle gives no subject: name its incident or report, or give "
		    "one (--subject; an outbox's --subject)");
		return -1;
	}
	tlp = s->tlp != NULL ? s->tlp : d->tlp[0] != '\0' ? d->tlp : "AMBER";
	if (stix_tlp_rank(tlp) < 0) {
		rs_seterr("%.20s is not a TLP label", tlp);
		return -1;
	}
	if (d->tlp[0] != '\0' && stix_tlp_rank(tlp) < stix_tlp_rank(d->tlp)) {
		rs_seterr("the bundle carries TLP:%s, which TLP:%s would loosen: send it under "
		    "TLP:%s or stricter", d->tlp, tlp, d->tlp);
		return -1;
	}
	if (d->template_id == NULL && s->nkv > 0) {	/* defaults just do not apply */
		rs_seterr("the bundle has no incident or indicator, so it is a plain message "
		    "and takes no template fields");
		return -1;
	}
	lang = s->lang != NULL ? s->lang : d->lang;
	json_object_set_new(o->payload, "subject", json_string(d->subject != NULL ?
	    d->subject : s->subject));
	json_object_set_new(o->payload, "body", json_string(d->body));
	json_object_set_new(o->payload, "tlp", json_string(tlp));
	json_object_set_new(o->payload, "lang", json_string(lang));
	if (d->no_forward || s->no_forward)
		json_object_set_new(o->payload, "no_forward", json_true());
	if (d->template_id == NULL)
		return 0;
	kv = xcalloc(d->nkv + s->nkv + s->ndefaults + 1, sizeof(*kv));
	for (size_t i = 0; i < d->nkv; i++)
		if (!named(d->kv[i], s->kv, s->nkv))
			kv[nkv++] = d->kv[i];
	for (size_t i = 0; i < s->nkv; i++)
		kv[nkv++] = s->kv[i];
	for (size_t i = 0; i < s->ndefaults; i++)
		if (!named(s->defaults[i], kv, nkv))
			kv[nkv++] = s->defaults[i];
	rc = message_fill_template(n, d->template_id, kv, nkv, lang, o->payload);
	free(kv);
	return rc;
}
