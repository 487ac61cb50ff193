#!/usr/bin/env bash
# E-mail alerts through a real SMTP server on loopback (tests/e2e/smtp_sink.py,
# Debian's python3-aiosmtpd): flash and urgent messages give one alert each
# to the POC's own address, routine none; no alert carries any text of the
# message; an SMTP server that is down at first gets the alert once it is
# up; a POC whose first language is Arabic gets it in Arabic.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rt_lib.sh"

PY=/usr/bin/python3	# Debian's, which has aiosmtpd

# start_sink FOLDER [PORT]: sets SINKPORT and SINKPID.  $SINK_OPTS holds
# options for smtp_sink.py (--reject, --starttls CERT KEY, --auth U:P).
start_sink() {
	rm -f "$1.port"
	"$PY" "$TOP/tests/e2e/smtp_sink.py" ${SINK_OPTS:-} "$1" ${2:-} >"$1.port" 2>>"$1.err" &
	SINKPID=$!
	PIDS="$PIDS $SINKPID"
	for _ in $(seq 1 100); do
		[ -s "$1.port" ] && { SINKPORT=$(head -1 "$1.port"); return 0; }
		sleep 0.05
	done
	return 1
}

# wait_mail FOLDER N TIMEOUT_S: until FOLDER holds N messages.
wait_mail() {
	local end=$(( $(date +%s) + $3 ))
	while [ "$(ls "$1"/*.eml 2>/dev/null | wc -l)" -lt "$2" ]; do
		[ "$(date +%s)" -ge "$end" ] && return 1
		sleep 0.1
	done
}

# mail_check FILE ASSERTIONS...: parses the mail with Python's email package
# and evaluates each assertion (Python expressions over raw, msg, subject,
# body, hdr).
mail_check() {
	"$PY" - "$@" <<'PY'
import sys, email
from email import policy
raw = open(sys.argv[1], "rb").read()
msg = email.message_from_bytes(raw, policy=policy.default)
subject = str(msg["subject"])
body = msg.get_content()
hdr = raw.split(b"\r\n\r\n", 1)[0].decode("ascii")
for a in sys.argv[2:]:
    if not eval(a):
        print("assertion failed:", a)
        print("subject:", subject)
        print(hdr)
        print(body)
        sys.exit(1)
PY
}

check "hub serving" new_hub "Alerts hub"
for s in XA XB; do
	check "State $s enrolled" make_state "$s"
done
check "State XC admitted" make_root XC
check "XC's POC node, first language Arabic" bash -c "
	'$ROSTER' init --dir '$T/node-XC' --hub '$HUB' --state XC --role technical \
		--name 'POC XC' --email poc@xc.example --lang ar,en >/dev/null &&
	'$ROSTER' certify --root '$T/XC.root' '$T/node-XC/request.json' >/dev/null &&
	'$ROSTER' enroll --dir '$T/node-XC' '$T/node-XC/request.cert' >/dev/null"

check "an SMTP server on loopback" start_sink "$T/mail"
SMTP="smtp://127.0.0.1:$SINKPORT"

# ---- the command --------------------------------------------------------------
check_out "alerts --help explains the command" "no subject, body" "$ROSTER" alerts --help
check_out "alerts without settings says they are off" "alerts are off" node XB alerts
check_out "set without --smtp: usage error naming it" "needs --email ADDRESS and --smtp URL" \
	node XB alerts set --email poc@xb.example
check_out "... exit 2" "^2$" bash -c "'$ROSTER' alerts set --dir '$T/node-XB' --email poc@xb.example >/dev/null 2>&1; echo \$?"
check_out "a bad address is refused" "not an e-mail address" \
	node XB alerts set --email not-an-address --smtp "$SMTP"
check_out "an address smuggling a header is refused" "not allowed in an address" \
	node XB alerts set --email "$(printf 'poc@xb.example\r\nBcc: spy@evil.example')" --smtp "$SMTP"
check_out "an http URL is refused" "must start with smtp:// or smtps://" \
	node XB alerts set --email poc@xb.example --smtp http://127.0.0.1:1
check_out "--user without --password-file is refused" "go together" \
	node XB alerts set --email poc@xb.example --smtp "$SMTP" --user u
check_out "an unknown subcommand is refused" "unknown subcommand" node XB alerts bogus
check_out "test before set says what to do" "roster alerts set" node XB alerts test
check_out "set saves the settings" "alerts go to poc@xb.example through smtp://127.0.0.1" \
	node XB alerts set --email poc@xb.example --smtp "$SMTP" --node-url https://roster.xb.example
check_out "alerts shows them" "alerts to poc@xb.example through smtp://" node XB alerts
check_out "alerts test sends a test mail" "test alert sent to poc@xb.example" node XB alerts test
check "the test mail arrived" wait_mail "$T/mail" 1 5
check "the test mail is addressed and formed properly" mail_check "$T/mail/0001.eml" \
	'msg["to"] == "poc@xb.example"' '"test" in subject' '"https://roster.xb.example" in body' \
	'msg["date"] is not None and msg["message-id"] is not None' \
	'"charset=UTF-8" in hdr and "MIME-Version: 1.0" in hdr' '"=?UTF-8?B?" in hdr'
check_out "the SMTP envelope recipient is the POC's address" "to poc@xb.example" cat "$T/mail/0001.env"
rm -f "$T/mail"/*.eml "$T/mail"/*.env

# ---- flash, urgent, routine ----------------------------------------------------
check "XB runs roster serve" start_serve XB
MARK="tlp-marker-$(head -c 8 /dev/urandom | od -An -tx1 | tr -d ' \n')"
check "XA sends a flash message" send_timed XA XB flash "Flash $MARK subject" "Body $MARK flash"
FLASH=$SENT_ID
check "XA sends an urgent message" send_timed XA XB urgent "Urgent $MARK subject" "Body $MARK urgent"
URGENT=$SENT_ID
check "XA sends a routine message" send_timed XA XB routine "Routine $MARK subject" "Body $MARK routine"
check "XB's node stored the routine message" wait_stored XB "$SENT_ID" "$SENT_NS" 10
check "two alerts arrive" wait_mail "$T/mail" 2 15
sleep 2
check_out "and no third one (routine gives none)" "^2$" bash -c "ls '$T/mail'/*.eml | wc -l"
for f in "$T"/mail/*.eml; do
	check "$(basename "$f"): to the POC, formed properly" mail_check "$f" \
		'msg["to"] == "poc@xb.example"' 'msg["from"] == "roster-alerts@xb.example"' \
		'msg["date"] is not None and msg["message-id"] is not None' \
		'"Content-Type: text/plain; charset=UTF-8" in hdr' '"Subject: =?UTF-8?B?" in hdr'
	check "$(basename "$f"): no text of the message (marker, subject, body, sender)" mail_check "$f" \
		"b'$MARK' not in raw and '$MARK' not in subject and '$MARK' not in body" \
		'"Subject" not in body and "Body" not in body and "POC XA" not in body + subject' \
		'"XA" not in body + subject and "AMBER" not in body + subject'
done
check "one alert says flash, with the message's short id" bash -c "
	grep -l 'to poc@xb.example' '$T'/mail/*.env >/dev/null &&
	for f in '$T'/mail/*.eml; do '$PY' -c '
import sys, email
from email import policy
m = email.message_from_bytes(open(sys.argv[1], \"rb\").read(), policy=policy.default)
t = str(m[\"subject\"]) + m.get_content()
sys.exit(0 if \"flash\" in t and sys.argv[2] in t else 1)' \"\$f\" '${FLASH:0:16}' && exit 0; done; exit 1"
check "one alert says urgent, with the message's short id" bash -c "
	for f in '$T'/mail/*.eml; do '$PY' -c '
import sys, email
from email import policy
m = email.message_from_bytes(open(sys.argv[1], \"rb\").read(), policy=policy.default)
t = str(m[\"subject\"]) + m.get_content()
sys.exit(0 if \"urgent\" in t and sys.argv[2] in t else 1)' \"\$f\" '${URGENT:0:16}' && exit 0; done; exit 1"
check_out "roster alerts lists both as sent" "urgent .* sent 20" node XB alerts
check_out "... the flash one too" "flash .* sent 20" node XB alerts
check_out "XA, without alert settings, queued none" "no alerts" node XA alerts

# ---- settings changed while serve runs -------------------------------------------
check "alerts set while serve runs: a new node URL" \
	node XB alerts set --email poc@xb.example --smtp "$SMTP" --node-url https://new.xb.example
sleep 1.5
check "XA sends another flash message" send_timed XA XB flash "Flash again $MARK" "Body $MARK"
check "a third alert arrives" wait_mail "$T/mail" 3 15
check "it names the new node URL (serve read the settings again)" mail_check "$T/mail/0004.eml" \
	'"https://new.xb.example" in body' "'$MARK' not in subject + body"
check "alerts off while serve runs" node XB alerts off
sleep 1.5
check "XA sends a flash message" send_timed XA XB flash "Flash off $MARK" "Body $MARK"
check "XB's node stored it" wait_stored XB "$SENT_ID" "$SENT_NS" 10
sleep 1.5
check_out "no alert for it" "^3$" bash -c "ls '$T/mail'/*.eml | wc -l"

# ---- SMTP down at first; Arabic -------------------------------------------------
DOWN=$(free_port)
check "XC's alerts point at a server that is not up yet" \
	node XC alerts set --email poc@xc.example --smtp "smtp://127.0.0.1:$DOWN"
check_out "alerts test to a dead server fails with a clear error" "cannot send the alert through smtp://127.0.0.1:$DOWN" \
	node XC alerts test
check_out "... exit 1" "^1$" bash -c "'$ROSTER' alerts test --dir '$T/node-XC' >/dev/null 2>&1; echo \$?"
check "XC runs roster serve" start_serve XC
XCPID=$SERVEPID
check "XA sends a flash message to XC" send_timed XA XC flash "Flash $MARK for XC" "Body $MARK"
check "XC's node stored it" wait_stored XC "$SENT_ID" "$SENT_NS" 10
sleep 3
check_out "the alert is pending, retried" "flash .* pending, [0-9]+ attempts" node XC alerts
check_out "serve reported the failure once" "alert: cannot send" cat "$T/node-XC/serve.log"
kill -9 "$XCPID"; wait "$XCPID" 2>/dev/null
check "the SMTP server comes up (XC's node was killed meanwhile)" start_sink "$T/mail-xc" "$DOWN"
check "XC's node restarts; the queued alert survived" start_serve XC
check "the alert arrives once it is up" wait_mail "$T/mail-xc" 1 20
check "it is in Arabic, to XC's POC, without the message's text" mail_check "$T/mail-xc/0001.eml" \
	'msg["to"] == "poc@xc.example"' '"رسالة" in subject' '"فوري" in body' \
	'"Content-Language: ar" in hdr' "'$MARK' not in subject + body and b'$MARK' not in raw"
sleep 1
check_out "roster alerts shows it sent" "flash .* sent 20" node XC alerts
check_out "only one alert reached the server" "^1$" bash -c "ls '$T/mail-xc'/*.eml | wc -l"
# ---- a server that refuses the address ---------------------------------------------
SINK_OPTS=--reject check "an SMTP server that refuses every recipient" start_sink "$T/mail-reject"
check "XA's alerts go to it" node XA alerts set --email nobody@xa.example --smtp "smtp://127.0.0.1:$SINKPORT"
check_out "alerts test fails naming the server's refusal" "RCPT failed: 550" node XA alerts test
check_out "roster alerts shows the test FAILED with that reason" "test .* FAILED after 1 attempts: .*550" node XA alerts

# ---- TLS and login -------------------------------------------------------------------
openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 \
	-keyout "$T/smtp-key.pem" -out "$T/smtp-cert.pem" >/dev/null 2>&1
SINK_OPTS="--starttls $T/smtp-cert.pem $T/smtp-key.pem --auth roster:s3cret-pass" \
	check "an SMTP server with STARTTLS that requires a login" start_sink "$T/mail-tls"
TLSPORT=$SINKPORT
printf 's3cret-pass\n' >"$T/smtp.pass"
printf 'wrong-pass\n' >"$T/smtp.wrong"
check "alerts set with --user, --password-file and --smtp-ca" node XA alerts set --email poc@xa.example \
	--smtp "smtp://127.0.0.1:$TLSPORT" --user roster --password-file "$T/smtp.pass" --smtp-ca "$T/smtp-cert.pem"
check_out "alerts test logs in over TLS and sends" "test alert sent" node XA alerts test
check "... and the mail arrived" wait_mail "$T/mail-tls" 1 5
check "the password is not in config.json (only its file name)" bash -c "! grep -q s3cret '$T/node-XA/config.json'"
check "a wrong password" node XA alerts set --email poc@xa.example \
	--smtp "smtp://127.0.0.1:$TLSPORT" --user roster --password-file "$T/smtp.wrong" --smtp-ca "$T/smtp-cert.pem"
check_out "... is refused by the server, and said so" "cannot send the alert.*(Login denied|535)" node XA alerts test
check "without --smtp-ca" node XA alerts set --email poc@xa.example \
	--smtp "smtp://127.0.0.1:$TLSPORT" --user roster --password-file "$T/smtp.pass"
check_out "... the self-signed certificate is refused" "cannot send the alert.*(certificate|SSL)" node XA alerts test
check "a login towards a server without TLS" node XA alerts set --email poc@xa.example \
	--smtp "$SMTP" --user roster --password-file "$T/smtp.pass"
check_out "... is refused by roster: the password never goes in clear" "cannot send the alert.*(STARTTLS|TLS|SSL)" \
	node XA alerts test
check_out "--smtp-ca that cannot be read is a usage error" "cannot be read" \
	node XA alerts set --email poc@xa.example --smtp "$SMTP" --smtp-ca "$T/nonexistent.pem"
check_out "only one mail reached the TLS server" "^1$" bash -c "ls '$T/mail-tls'/*.eml | wc -l"

# ---- the six languages -----------------------------------------------------------
check "a third SMTP server, for XA" start_sink "$T/mail-lang"
check "XA's alerts go to it" node XA alerts set --email poc@xa.example --smtp "smtp://127.0.0.1:$SINKPORT"
i=0
for l in "en:test alert" "fr:alerte de test" "es:alerta de prueba" "ru:тестовое уведомление" \
	"zh:测试提醒" "ar:تنبيه تجريبي"; do
	i=$((i + 1))
	lang=${l%%:*} want=${l#*:}
	"$PY" -c 'import json,sys; p=sys.argv[1]; c=json.load(open(p)); c["languages"]=sys.argv[2]+",en"; json.dump(c, open(p,"w"))' \
		"$T/node-XA/config.json" "$lang"
	check "alerts test with first language $lang" node XA alerts test
	check "... arrives" wait_mail "$T/mail-lang" "$i" 5
	f=$(printf '%s/mail-lang/%04d.eml' "$T" "$i")
	check "... in $lang: subject \"roster: $want\", Content-Language $lang, lines within 78 columns" \
		mail_check "$f" "subject.endswith('$want')" "'Content-Language: $lang' in hdr" \
		'max(len(x) for x in raw.split(b"\r\n")) <= 78'
done
check "the SMTP servers reported no error" bash -c "for f in '$T'/mail*.err; do
	[ \"\$f\" = '$T/mail-tls.err' ] || [ ! -s \"\$f\" ] || { cat \"\$f\"; exit 1; }; done"
check_out "the TLS server's only error is the handshake roster refused (unknown CA)" "^1 1$" \
	bash -c "echo \$(grep -c 'session exception' '$T/mail-tls.err') \$(grep -c 'TLSV1_ALERT_UNKNOWN_CA' '$T/mail-tls.err')"
finish
