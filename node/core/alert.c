/*
 * alert.c - e-mail alerts to the POC, with no content of the message.
 *
 * Why e-mail at all: a flash message is useless if nobody looks at the node.
 * Why no content: e-mail crosses servers the State does not control, and a
 * message's TLP marking is the sender's to choose.  So an alert says only
 * that something awaits and how urgent it is: the urgency, the node's
 * address and a short message id (16 hex digits of the id, which the hub
 * already sees), in the POC's first language.  Never the subject, body,
 * TLP, sender State or any field of the message.
 *
 * Durable queue.  alert_queue inserts a row into node.db's alerts table in
 * the caller's transaction, the one that stores the triggering record (a
 * received flash or urgent message, from sync.c; an overdue
 * acknowledgement, from the escalation code), so a crash can neither lose
 * an alert nor raise one for a record not stored.  UNIQUE(kind, ref) makes
 * a record alert once.
 *
 * Sending.  A thread beside `roster serve` takes the node's lock only to
 * read the next due row and to record the outcome (and, every half second,
 * to adopt the alert settings from config.json, which `roster alerts set`
 * may have changed); the SMTP exchange
 * (libcurl, connect timeout 5 s, whole transfer 20 s) runs without it, so a
 * slow or dead mail server never holds up a sync pass.  A failed attempt is
 * retried with a doubling delay (2 s up to 5 min); after 48 hours the alert
 * is marked failed.  Mail goes as RFC 5322 text: Date, Message-ID, From, To,
 * an RFC 2047 encoded-word Subject, MIME UTF-8 body in base64 (so no 8-bit
 * transport is needed) and Auto-Submitted: auto-generated (RFC 3834).
 */
#include "alert.h"

#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <curl/curl.h>
#include <sodium.h>

#include "store.h"

#define SMTP_CONNECT_S		5L
#define SMTP_TOTAL_S		20L
#define RETRY_MIN_MS		2000
#define RETRY_MAX_MS		(300 * 1000)
#define IDLE_MS			500	/* the thread looks for due alerts */

/* ---- texts ------------------------------------------------------------ */

/* {U} urgency, {L} the node's address, {I} short message id. */
struct texts {
	const char *lang;
	const char *urgency[URGENCY_LEVELS];	/* in urgency_names' order */
	const char *msg_subject, *msg_body;
	const char *overdue_subject, *overdue_body;
	const char *test_subject, *test_body;
	const char *esc_subject, *esc_body;	/* an overdue notice arrived */
};

static const struct texts texts[] = {
{ "en", { "flash", "urgent", "priority", "routine" },
  "roster: a message of urgency {U} awaits you",
  "A message of urgency {U} awaits you on your roster node.\n"
  "Open your node to read it: {L}\n"
  "Message id: {I}\n\n"
  "By design, this alert carries nothing of the message itself.\n",
  "roster: an acknowledgement is overdue",
  "The acknowledgement of a message of urgency {U} that you sent is overdue.\n"
  "See your node: {L}\n"
  "Message id: {I}\n\n"
  "By design, this alert carries nothing of the message itself.\n",
  "roster: test alert",
  "This is a test of the e-mail alerts of your roster node ({L}).\n",
  "roster: a message to your State awaits acknowledgement",
  "A message of urgency {U} sent to your State has not been acknowledged by its\n"
  "deadline; the sender's node has escalated it to you.\n"
  "Open your node to read and acknowledge it: {L}\n"
  "Message id: {I}\n\n"
  "By design, this alert carries nothing of the message itself.\n" },
{ "fr", { "flash", "urgent", "prioritaire", "routine" },
  "roster : un message d'urgence « {U} » vous attend",
  "Un message d'urgence « {U} » vous attend sur votre nœud roster.\n"
  "Ouvrez votre nœud pour le lire : {L}\n"
  "Identifiant du message : {I}\n\n"
  "Par principe, cette alerte ne contient rien du message lui-même.\n",
  "roster : un accusé de réception est en retard",
  "L'accusé de réception d'un message d'urgence « {U} » que vous avez "
  "envoyé est en retard.\n"
  "Consultez votre nœud : {L}\n"
  "Identifiant du message : {I}\n\n"
  "Par principe, cette alerte ne contient rien du message lui-même.\n",
  "roster : alerte de test",
  "Ceci est un test des alertes par courriel de votre nœud roster ({L}).\n",
  "roster : un message adressé à votre État attend un accusé de réception",
  "Un message d'urgence « {U} » adressé à votre État n'a pas reçu d'accusé de\n"
  "réception dans le délai ; le nœud de l'expéditeur vous l'a signalé.\n"
  "Ouvrez votre nœud pour le lire et en accuser réception : {L}\n"
  "Identifiant du message : {I}\n\n"
  "Par principe, cette alerte ne contient rien du message lui-même.\n" },
{ "es", { "flash", "urgente", "prioritario", "rutinario" },
  "roster: le espera un mensaje de urgencia «{U}»",
  "Un mensaje de urgencia «{U}» le espera en su nodo roster.\n"
  "Abra su nodo para leerlo: {L}\n"
  "Identificador del mensaje: {I}\n\n"
  "Por principio, esta alerta no contiene nada del mensaje.\n",
  "roster: un acuse de recibo está atrasado",
  "El acuse de recibo de un mensaje de urgencia «{U}» que usted envió está "
  "atrasado.\n"
  "Consulte su nodo: {L}\n"
  "Identificador del mensaje: {I}\n\n"
  "Por principio, esta alerta no contiene nada del mensaje.\n",
  "roster: alerta de prueba",
  "Esta es una prueba de las alertas por correo electrónico de su nodo "
  "roster ({L}).\n",
  "roster: un mensaje dirigido a su Estado espera acuse de recibo",
  "Un mensaje de urgencia «{U}» dirigido a su Estado no ha recibido acuse de\n"
  "recibo en el plazo fijado; el nodo del remitente se lo ha escalado.\n"
  "Abra su nodo para leerlo y acusar recibo: {L}\n"
  "Identificador del mensaje: {I}\n\n"
  "Por principio, esta alerta no contiene nada del mensaje.\n" },
{ "ru", { "молния", "срочно", "приоритетно", "обычно" },
  "roster: вас ожидает сообщение со срочностью «{U}»",
  "На вашем узле roster вас ожидает сообщение со срочностью «{U}».\n"
  "Откройте узел, чтобы прочитать его: {L}\n"
  "Идентификатор сообщения: {I}\n\n"
  "Это уведомление намеренно не содержит ничего из самого сообщения.\n",
  "roster: подтверждение получения просрочено",
  "Подтверждение получения отправленного вами сообщения со срочностью "
  "«{U}» просрочено.\n"
  "Проверьте ваш узел: {L}\n"
  "Идентификатор сообщения: {I}\n\n"
  "Это уведомление намеренно не содержит ничего из самого сообщения.\n",
  "roster: тестовое уведомление",
  "Это проверка уведомлений по электронной почте вашего узла roster "
  "({L}).\n",
  "roster: сообщение вашему государству ожидает подтверждения",
  "Получение сообщения со срочностью «{U}», направленного вашему государству,\n"
  "не было подтверждено в срок; узел отправителя передал его вам.\n"
  "Откройте узел, чтобы прочитать его и подтвердить получение: {L}\n"
  "Идентификатор сообщения: {I}\n\n"
  "Это уведомление намеренно не содержит ничего из самого сообщения.\n" },
{ "zh", { "特急", "紧急", "优先", "常规" },
  "roster：有一条紧急程度为「{U}」的消息等待您查阅",
  "您的 roster 节点上有一条紧急程度为「{U}」的消息等待您查阅。\n"
  "请打开您的节点阅读：{L}\n"
  "消息编号：{I}\n\n"
  "按照设计，本提醒不包含该消息的任何内容。\n",
  "roster：确认回执已逾期",
  "您发送的一条紧急程度为「{U}」的消息，其确认回执已逾期。\n"
  "请查看您的节点：{L}\n"
  "消息编号：{I}\n\n"
  "按照设计，本提醒不包含该消息的任何内容。\n",
  "roster：测试提醒",
  "这是对您的 roster 节点（{L}）电子邮件提醒功能的测试。\n",
  "roster：发给贵国的一条消息等待确认",
  "发给贵国的一条紧急程度为「{U}」的消息未在期限内得到确认，发送方节点已将其升级通知您。\n"
  "请打开您的节点阅读并确认：{L}\n"
  "消息编号：{I}\n\n"
  "按照设计，本提醒不包含该消息的任何内容。\n" },
{ "ar", { "فوري", "عاجل", "ذو أولوية", "عادي" },
  "roster: رسالة في انتظارك (درجة الاستعجال: {U})",
  "توجد رسالة في انتظارك على عقدة roster الخاصة بك (درجة الاستعجال: {U}).\n"
  "افتح عقدتك لقراءتها: {L}\n"
  "معرّف الرسالة: {I}\n\n"
  "لا يتضمن هذا التنبيه، عن قصد، أي شيء من محتوى الرسالة.\n",
  "roster: تأخر إقرار بالاستلام",
  "تأخر إقرار استلام رسالة أرسلتها (درجة الاستعجال: {U}).\n"
  "راجع عقدتك: {L}\n"
  "معرّف الرسالة: {I}\n\n"
  "لا يتضمن هذا التنبيه، عن قصد، أي شيء من محتوى الرسالة.\n",
  "roster: تنبيه تجريبي",
  "هذا اختبار لتنبيهات البريد الإلكتروني من عقدة roster الخاصة بك ({L}).\n",
  "roster: رسالة موجهة إلى دولتك في انتظار الإقرار بالاستلام",
  "لم يُقَرّ في الموعد المحدد باستلام رسالة موجهة إلى دولتك (درجة الاستعجال: {U})،\n"
  "وقد أحالتها عقدة المرسل إليك.\n"
  "افتح عقدتك لقراءتها والإقرار باستلامها: {L}\n"
  "معرّف الرسالة: {I}\n\n"
  "لا يتضمن هذا التنبيه، عن قصد، أي شيء من محتوى الرسالة.\n" },
};

/* The texts for the first of "ar,en"-style languages; English otherwise. */
static const struct texts *
texts_for(const char *languages)
{
	size_t len = strcspn(languages, ",");

	for (size_t i = 0; i < sizeof(texts) / sizeof(texts[0]); i++)
		if (len == strlen(texts[i].lang) &&
		    strncmp(languages, texts[i].lang, len) == 0)
			return &texts[i];
	return &texts[0];
}

/* The urgency in the alert's language (texts' words are in
 * urgency_names' order, lib/vocab.h). */
static const char *
urgency_word(const struct texts *t, const char *urgency)
{
	int i = urgency_index(urgency);

	return i >= 0 ? t->urgency[i] : "?";
}

/* Copies template tpl into out with {U}, {L} and {I} filled in. */
static void
fill(struct buf *out, const char *tpl, const char *u, const char *l,
    const char *id)
{
	for (const char *p = tpl; *p != '\0'; p++) {
		if (p[0] == '{' && p[1] != '\0' && p[2] == '}' &&
		    strchr("ULI", p[1]) != NULL) {
			buf_addstr(out, p[1] == 'U' ? u : p[1] == 'L' ? l : id);
			p += 2;
		} else
			buf_add(out, p, 1);
	}
}

/* ---- checks ----------------------------------------------------------- */

int
alert_check_smtp_url(const char *url)
{
	if (strncmp(url, "smtp://", 7) != 0 && strncmp(url, "smtps://", 8) != 0) {
		rs_seterr("SMTP URL \"%.80s\" must start with smtp:// or smtps://",
		    url);
		return -1;
	}
	for (const char *p = url; *p; p++)
		if ((unsigned char)*p <= 0x20 || (unsigned char)*p >= 0x7f) {
			rs_seterr("SMTP URL \"%.80s\" has spaces or control "
			    "characters", url);
			return -1;
		}
	return 0;
}

/* ---- the mail --------------------------------------------------------- */

/* Length of the longest prefix of s, at most max bytes, that does not cut
 * a UTF-8 character. */
static size_t
utf8_cut(const char *s, size_t len, size_t max)
{
	size_t n;

	if (len <= max)
		return len;
	n = max;
	while (n > 0 && ((unsigned char)s[n] & 0xc0) == 0x80)
		n--;
	return n > 0 ? n : max;
}

/* "Subject: " with RFC 2047 B encoded-words of whole characters (39 bytes
 * of text make 64 characters of encoded word), one per line, folded: no
 * line passes 76 characters. */
static void
add_subject(struct buf *out, const char *subject)
{
	size_t len = strlen(subject), off = 0;

	buf_addstr(out, "Subject:");
	while (off < len) {
		size_t n = utf8_cut(subject + off, len - off, 39);
		char *b = b64_encode((const uint8_t *)subject + off, n);
		buf_printf(out, "%s=?UTF-8?B?%s?=", off == 0 ? " " : "\r\n ", b);
		free(b);
		off += n;
	}
	buf_addstr(out, "\r\n");
}

/* The body in base64, lines of 76 characters. */
static void
add_body(struct buf *out, const struct buf *text)
{
	char *b = b64_encode((const uint8_t *)text->p, text->len);
	size_t len = strlen(b);

	for (size_t i = 0; i < len; i += 76) {
		buf_add(out, b + i, len - i < 76 ? len - i : 76);
		buf_addstr(out, "\r\n");
	}
	free(b);
}

static void
add_date(struct buf *out)
{
	static const char *days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri",
	    "Sat" };
	static const char *months[] = { "Jan", "Feb", "Mar", "Apr", "May", "Jun",
	    "Jul", "Aug", "Sep", "Oct", "Nov", "Dec" };
	time_t t = time(NULL);
	struct tm tm;

	gmtime_r(&t, &tm);
	buf_printf(out, "Date: %s, %02d %s %04d %02d:%02d:%02d +0000\r\n",
	    days[tm.tm_wday], tm.tm_mday, months[tm.tm_mon], tm.tm_year + 1900,
	    tm.tm_hour, tm.tm_min, tm.tm_sec);
}

static void
add_message_id(struct buf *out, const char *from)
{
	uint8_t rnd[16];
	char hex[33];
	const char *at = strchr(from, '@');

	randombytes_buf(rnd, sizeof(rnd));
	sodium_bin2hex(hex, sizeof(hex), rnd, sizeof(rnd));
	buf_printf(out, "Message-ID: <%s.alert@%s>\r\n", hex,
	    at != NULL ? at + 1 : "roster.invalid");
}

/* The sender address: smtp_from, else roster-alerts@ the POC's domain. */
static void
from_address(const struct node_config *cfg, char *out, size_t len)
{
	const char *at = strchr(cfg->alert_email, '@');

	if (cfg->smtp_from[0] != '\0')
		snprintf(out, len, "%s", cfg->smtp_from);
	else
		snprintf(out, len, "roster-alerts@%s", at ? at + 1 : "roster.invalid");
}

int
alert_compose(const struct node_config *cfg, const char *node_url,
    const struct alert *a, struct buf *out)
{
	const struct texts *t = texts_for(cfg->languages);
	const char *u = urgency_word(t, a->urgency), *subj, *body;
	struct buf s = {0}, text = {0};
	char from[256], id[17] = "-";

	from_address(cfg, from, sizeof(from));
	if (vocab_email_check("the sender address", from) != 0 ||
	    vocab_email_check("the alert address", a->rcpt) != 0)
		return -1;
	if (a->has_ref)
		short_id(id, a->ref);
	if (strcmp(a->kind, "message") == 0) {
		subj = t->msg_subject;
		body = t->msg_body;
	} else if (strcmp(a->kind, "overdue") == 0) {
		subj = t->overdue_subject;
		body = t->overdue_body;
	} else if (strcmp(a->kind, "escalated") == 0) {
		subj = t->esc_subject;
		body = t->esc_body;
	} else {
		subj = t->test_subject;
		body = t->test_body;
	}
	fill(&s, subj, u, node_url, id);
	fill(&text, body, u, node_url, id);
	add_date(out);
	buf_printf(out, "From: %s\r\nTo: %s\r\n", from, a->rcpt);
	add_subject(out, buf_cstr(&s));
	add_message_id(out, from);
	buf_addstr(out, "MIME-Version: 1.0\r\n"
	    "Content-Type: text/plain; charset=UTF-8\r\n"
	    "Content-Transfer-Encoding: base64\r\n"
	    "Content-Language: ");
	buf_addstr(out, t->lang);
	buf_addstr(out, "\r\nAuto-Submitted: auto-generated\r\n\r\n");
	add_body(out, &text);
	buf_free(&s);
	buf_free(&text);
	return 0;
}

/* ---- SMTP ------------------------------------------------------------- */

struct upload {
	const struct buf *mail;
	size_t off;
};

static size_t
on_read(char *dst, size_t size, size_t nitems, void *arg)
{
	struct upload *u = arg;
	size_t room = size * nitems, left = u->mail->len - u->off;
	size_t n = left < room ? left : room;

	memcpy(dst, u->mail->p + u->off, n);
	u->off += n;
	return n;
}

/* The first line of file, the SMTP password. */
static char *
read_password(const char *file)
{
	struct buf b = {0};
	char *p;

	if (read_file(file, &b, 4096) != 0)
		return NULL;
	p = xstrdup(buf_cstr(&b));
	p[strcspn(p, "\r\n")] = '\0';
	sodium_memzero(b.p, b.len);
	buf_free(&b);
	return p;
}

static int
smtp_setup(CURL *h, const struct node_config *cfg, const char *from,
    struct curl_slist *rcpt, struct upload *u, char *errbuf, const char *pass)
{
	int bad = 0;

	bad |= curl_easy_setopt(h, CURLOPT_URL, cfg->smtp_url) != CURLE_OK;
#if LIBCURL_VERSION_NUM >= 0x075500
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS_STR, "smtp,smtps") != CURLE_OK;
#else
	bad |= curl_easy_setopt(h, CURLOPT_PROTOCOLS,
	    (long)(CURLPROTO_SMTP | CURLPROTO_SMTPS)) != CURLE_OK;
#endif
	bad |= curl_easy_setopt(h, CURLOPT_ERRORBUFFER, errbuf) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_NOSIGNAL, 1L) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_CONNECTTIMEOUT, SMTP_CONNECT_S) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_TIMEOUT, SMTP_TOTAL_S) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAIL_FROM, from) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_MAIL_RCPT, rcpt) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_READFUNCTION, on_read) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_READDATA, u) != CURLE_OK;
	bad |= curl_easy_setopt(h, CURLOPT_UPLOAD, 1L) != CURLE_OK;
	/* A password never crosses the network in clear. */
	bad |= curl_easy_setopt(h, CURLOPT_USE_SSL, pass != NULL ?
	    (long)CURLUSESSL_ALL : (long)CURLUSESSL_TRY) != CURLE_OK;
	if (cfg->smtp_ca[0] != '\0')
		bad |= curl_easy_setopt(h, CURLOPT_CAINFO, cfg->smtp_ca) != CURLE_OK;
	if (pass != NULL) {
		bad |= curl_easy_setopt(h, CURLOPT_USERNAME, cfg->smtp_user) != CURLE_OK;
		bad |= curl_easy_setopt(h, CURLOPT_PASSWORD, pass) != CURLE_OK;
	}
	return bad;
}

int
alert_smtp_send(const struct node_config *cfg, const char *to,
    const struct buf *mail)
{
	char from[256], mfrom[260], mto[260], errbuf[CURL_ERROR_SIZE] = "";
	struct curl_slist *rcpt = NULL;
	struct upload u = { mail, 0 };
	char *pass = NULL;
	CURLcode rc;
	CURL *h;
	int ret = -1;

	if (cfg->smtp_url[0] == '\0') {
		rs_seterr("no SMTP server configured (roster alerts set --smtp URL)");
		return -1;
	}
	if (cfg->smtp_user[0] != '\0' && (cfg->smtp_password_file[0] == '\0' ||
	    (pass = read_password(cfg->smtp_password_file)) == NULL)) {
		if (cfg->smtp_password_file[0] == '\0')
			rs_seterr("smtp_user is set but not smtp_password_file");
		return -1;
	}
	from_address(cfg, from, sizeof(from));
	snprintf(mfrom, sizeof(mfrom), "<%s>", from);
	snprintf(mto, sizeof(mto), "<%s>", to);
	if ((h = curl_easy_init()) == NULL ||
	    (rcpt = curl_slist_append(NULL, mto)) == NULL) {
		rs_seterr("cannot set up libcurl for SMTP");
		goto out;
	}
	if (smtp_setup(h, cfg, mfrom, rcpt, &u, errbuf, pass) != 0) {
		rs_seterr("this libcurl cannot send mail (SMTP options refused)");
		goto out;
	}
	if ((rc = curl_easy_perform(h)) != CURLE_OK) {
		rs_seterr("cannot send the alert through %s: %s", cfg->smtp_url,
		    errbuf[0] != '\0' ? errbuf : curl_easy_strerror(rc));
		goto out;
	}
	ret = 0;
out:
	if (pass != NULL) {
		sodium_memzero(pass, strlen(pass));
		free(pass);
	}
	curl_slist_free_all(rcpt);
	if (h != NULL)
		curl_easy_cleanup(h);
	return ret;
}

/* ---- the queue -------------------------------------------------------- */

int
alert_queue(struct node *n, const char *kind, const char *urgency,
    const uint8_t ref[32])
{
	struct alert a;

	if (n->cfg.alert_email[0] == '\0' || urgency == NULL)
		return 0;
	if (strcmp(kind, "message") == 0 && strcmp(urgency, "flash") != 0 &&
	    strcmp(urgency, "urgent") != 0)
		return 0;
	memset(&a, 0, sizeof(a));
	snprintf(a.kind, sizeof(a.kind), "%s", kind);
	snprintf(a.urgency, sizeof(a.urgency), "%s", urgency);
	memcpy(a.ref, ref, 32);
	a.has_ref = 1;
	snprintf(a.rcpt, sizeof(a.rcpt), "%s", n->cfg.alert_email);
	return store_alert_add(n, &a, now_ms());
}

int
alert_queue_test(struct node *n, struct alert *a)
{
	memset(a, 0, sizeof(*a));
	a->created = now_ms();
	snprintf(a->kind, sizeof(a->kind), "test");
	snprintf(a->urgency, sizeof(a->urgency), "routine");
	snprintf(a->rcpt, sizeof(a->rcpt), "%s", n->cfg.alert_email);
	if (store_begin(n) != 0)
		return -1;
	if (store_alert_add_test(n, a) != 0 || store_commit(n) != 0) {
		store_rollback(n);
		return -1;
	}
	return 0;
}

/* The oldest due alert: 1 found, 0 none, -1 error. */
static int
next_due(struct node *n, struct alert *a)
{
	return store_alert_next_due(n, now_ms(), a);
}

static int64_t
retry_delay(int64_t attempts)
{
	int64_t d = RETRY_MIN_MS;

	for (int64_t i = 1; i < attempts && d < RETRY_MAX_MS; i++)
		d *= 2;
	return d < RETRY_MAX_MS ? d : RETRY_MAX_MS;
}

int
alert_record(struct node *n, const struct alert *a, int ok, const char *error)
{
	int64_t now = now_ms(), tries = a->attempts + 1;
	/* a test is the command's own attempt: never retried */
	int give_up = !ok && (now - a->created > ALERT_GIVE_UP_MS ||
	    strcmp(a->kind, "test") == 0);

	return store_alert_record(n, a->n, tries, ok ? now : 0, give_up ? now : 0,
	    ok ? now : now + retry_delay(tries), ok ? NULL : error);
}

/* ---- the sender thread ------------------------------------------------- */

struct alerter {
	struct node *n;
	pthread_mutex_t *lock;		/* the node's store lock */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	int stop, kicked;
	char lasterr[RS_ERRLEN];
};

/* The alert settings as they are now in config.json (`roster alerts set`
 * may have changed them while serve runs); the rest from the node. */
static void
current_config(struct alerter *al, struct node_config *cfg, char *url,
    size_t len)
{
	struct node tmp = { .dir = al->n->dir };
	char path[4096];
	struct buf b = {0};

	*cfg = al->n->cfg;
	if (config_load(&tmp) == 0)
		*cfg = tmp.cfg;
	if (cfg->node_url[0] != '\0') {
		snprintf(url, len, "%s", cfg->node_url);
		return;
	}
	snprintf(path, sizeof(path), "%s/serve.url", al->n->dir);
	if (read_file(path, &b, 1024) == 0) {
		snprintf(url, len, "%s", buf_cstr(&b));
		url[strcspn(url, "\r\n")] = '\0';
	} else
		snprintf(url, len, "-");
	buf_free(&b);
}

/* The alert fields of fresh into the node's own config (under the lock),
 * so that alert_queue in the sync pass follows `roster alerts set/off`. */
void
alert_settings_copy(struct node_config *dst, const struct node_config *fresh)
{
	memcpy(dst->alert_email, fresh->alert_email, sizeof(dst->alert_email));
	memcpy(dst->smtp_url, fresh->smtp_url, sizeof(dst->smtp_url));
	memcpy(dst->smtp_from, fresh->smtp_from, sizeof(dst->smtp_from));
	memcpy(dst->smtp_user, fresh->smtp_user, sizeof(dst->smtp_user));
	memcpy(dst->smtp_password_file, fresh->smtp_password_file,
	    sizeof(dst->smtp_password_file));
	memcpy(dst->smtp_ca, fresh->smtp_ca, sizeof(dst->smtp_ca));
	memcpy(dst->node_url, fresh->node_url, sizeof(dst->node_url));
}

/* Sends one alert; the store is touched only under the lock. */
static int
send_one(struct alerter *al)
{
	struct node_config cfg;
	struct alert a;
	struct buf mail = {0};
	char url[512], why[RS_ERRLEN] = "";
	int found, ok;

	current_config(al, &cfg, url, sizeof(url));
	pthread_mutex_lock(al->lock);
	alert_settings_copy(&al->n->cfg, &cfg);
	found = next_due(al->n, &a);
	pthread_mutex_unlock(al->lock);
	if (found <= 0)
		return found;
	ok = alert_compose(&cfg, url, &a, &mail) == 0 &&
	    alert_smtp_send(&cfg, a.rcpt, &mail) == 0;
	buf_free(&mail);
	if (!ok) {
		snprintf(why, sizeof(why), "%s", rs_err());
		if (strcmp(why, al->lasterr) != 0)
			fprintf(stderr, "roster: alert: %s (will retry)\n", why);
		snprintf(al->lasterr, sizeof(al->lasterr), "%s", why);
	} else {
		printf("roster: alert sent to %s (%s %s)\n", a.rcpt, a.kind,
		    a.urgency);
		fflush(stdout);
		al->lasterr[0] = '\0';
	}
	pthread_mutex_lock(al->lock);
	if (alert_record(al->n, &a, ok, why) != 0)
		fprintf(stderr, "roster: alert: cannot record the attempt: %s\n",
		    rs_err());
	pthread_mutex_unlock(al->lock);
	return 1;
}

static void *
alert_main(void *arg)
{
	struct alerter *al = arg;
	struct timespec ts;

	pthread_mutex_lock(&al->mu);
	while (!al->stop) {
		pthread_mutex_unlock(&al->mu);
		int sent = send_one(al);
		pthread_mutex_lock(&al->mu);
		if (sent > 0 || al->stop)
			continue;
		if (!al->kicked) {
			int64_t t = now_ms() + IDLE_MS;
			ts.tv_sec = (time_t)(t / 1000);
			ts.tv_nsec = (long)(t % 1000) * 1000000L;
			pthread_cond_timedwait(&al->cv, &al->mu, &ts);
		}
		al->kicked = 0;
	}
	pthread_mutex_unlock(&al->mu);
	return NULL;
}

struct alerter *
alert_start(struct node *n, pthread_mutex_t *lock)
{
	struct alerter *al = xcalloc(1, sizeof(*al));

	al->n = n;
	al->lock = lock;
	if (pthread_mutex_init(&al->mu, NULL) != 0 ||
	    pthread_cond_init(&al->cv, NULL) != 0 ||
	    pthread_create(&al->th, NULL, alert_main, al) != 0) {
		rs_seterr("cannot start the alert thread");
		free(al);
		return NULL;
	}
	return al;
}

void
alert_kick(struct alerter *al)
{
	if (al == NULL)
		return;
	pthread_mutex_lock(&al->mu);
	al->kicked = 1;
	pthread_cond_signal(&al->cv);
	pthread_mutex_unlock(&al->mu);
}

void
alert_stop(struct alerter *al)
{
	if (al == NULL)
		return;
	pthread_mutex_lock(&al->mu);
	al->stop = 1;
	pthread_cond_signal(&al->cv);
	pthread_mutex_unlock(&al->mu);
	pthread_join(al->th, NULL);	/* an SMTP attempt ends within 20 s */
	pthread_mutex_destroy(&al->mu);
	pthread_cond_destroy(&al->cv);
	free(al);
}
