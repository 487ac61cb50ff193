#!/usr/bin/env bash
# The deadline path end to end with running nodes and a real SMTP server:
# XA's `roster serve` notices that XB has not acknowledged a flash message by
# its (short) deadline, sends the overdue notice to XB's alternate, and
# e-mails XA's POC that the acknowledgement is overdue; XB's alternate's
# running node receives the notice and e-mails its POC that a message to
# their State awaits acknowledgement.  Neither mail carries any text of the
# message.
. "$(dirname "$0")/lib.sh"
. "$(dirname "$0")/rt_lib.sh"

PY=/usr/bin/python3	# Debian's, which has aiosmtpd

start_sink() {
	rm -f "$1.port"
	"$PY" "$TOP/tests/e2e/smtp_sink.py" "$1" >"$1.port" 2>>"$1.err" &
	PIDS="$PIDS $!"
	for _ in $(seq 1 100); do
		[ -s "$1.port" ] && { SINKPORT=$(head -1 "$1.port"); return 0; }
		sleep 0.05
	done
	return 1
}

# mail_with ADDRESS WORDS TIMEOUT_S: prints the first mail to ADDRESS whose
# decoded subject and body contain WORDS, waiting for it.
mail_with() {
	"$PY" - "$T/mail" "$1" "$2" "$3" <<'PY'
import email, glob, sys, time
from email import policy
folder, to, words, timeout = sys.argv[1], sys.argv[2], sys.argv[3], float(sys.argv[4])
end = time.time() + timeout
while time.time() < end:
    for env in sorted(glob.glob(folder + "/*.env")):
        if "to " + to not in open(env).read():
            continue
        eml = env[:-4] + ".eml"
        try:
            m = email.message_from_bytes(open(eml, "rb").read(), policy=policy.default)
            if words in str(m["subject"]) + m.get_content():
                print(eml)
                sys.exit(0)
        except OSError:
            pass
    time.sleep(0.2)
sys.exit(1)
PY
}

check "hub" new_hub "Escalation hub"
stop_hub
python3 - "$T/hub/hub.json" <<'PY'
import json, sys
p = sys.argv[1]; c = json.load(open(p))
c["deadlines"] = {"flash": "4s"}
json.dump(c, open(p, "w"))
PY
check "hub restarts with a 4 s flash deadline" start_hub "$T/hub"
check "XA enrolled" make_state XA
check "XB enrolled, technical" make_state XB
check "XB's alternate enrolled" make_node XB alternate -alt
check "an SMTP server on loopback" start_sink "$T/mail"
SMTP="smtp://127.0.0.1:$SINKPORT"
check "XA's POC gets alerts" node XA alerts set --email poc@xa.example --smtp "$SMTP"
check "XB's alternate gets alerts" node XB-alt alerts set --email alt@xb.example --smtp "$SMTP"
check "XA runs roster serve (its loop wakes at the deadline)" start_serve XA
check "XB's alternate runs roster serve" start_serve XB-alt

MARK="esc-marker-$RANDOM$RANDOM"
check "XA sends a flash message to XB" node XA send --to XB --urgency flash \
	--subject "Flash $MARK" --body "Body $MARK"
FL=$(last_sent XA)
F1=$(mail_with alt@xb.example "awaits acknowledgement" 30)
check "XB's alternate got an e-mail saying a message to their State awaits acknowledgement" test -n "$F1"
check "... in plain words, with the short id and no content" "$PY" - "$F1" "${FL:0:16}" "$MARK" <<'PY'
import sys, email
from email import policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=policy.default)
t = str(m["subject"]) + m.get_content()
assert "awaits acknowledgement" in t and sys.argv[2] in t and "flash" in t, t
assert sys.argv[3].encode() not in raw and "Flash" not in t, t
PY
F2=$(mail_with poc@xa.example "overdue" 30)
check "XA's POC got an e-mail saying the acknowledgement is overdue" test -n "$F2"
check "... saying the acknowledgement is overdue, without content" "$PY" - "$F2" "${FL:0:16}" "$MARK" <<'PY'
import sys, email
from email import policy
raw = open(sys.argv[1], "rb").read()
m = email.message_from_bytes(raw, policy=policy.default)
t = str(m["subject"]) + m.get_content()
assert "overdue" in t and sys.argv[2] in t, t
assert sys.argv[3].encode() not in raw, t
PY
check_out "XA's status shows the alternate reached by stage 1" "stage 1, alternates" node XA status "$FL"
check_out "XB's alternate's node marked the message escalated" "Escalated" node XB-alt show "$FL"
check_out "one alert each: XA's list has one overdue alert" "overdue" node XA alerts

finish
