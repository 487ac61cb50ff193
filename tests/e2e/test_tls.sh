#!/usr/bin/env bash
# The hub over HTTPS with a self-signed certificate: nodes that were given
# the certificate (roster init --hub-ca) work end to end; a node that was not
# refuses to talk to the hub; plain HTTP to an HTTPS hub fails.
. "$(dirname "$0")/lib.sh"

openssl req -x509 -newkey ec -pkeyopt ec_paramgen_curve:P-256 -nodes -days 2 \
	-subj "/CN=roster test hub" -addext "subjectAltName=IP:127.0.0.1" \
	-keyout "$T/key.pem" -out "$T/cert.pem" >/dev/null 2>&1 || { bad "openssl"; finish; exit 1; }
"$ROSTERD" init "$T/hub" --name "TLS hub" >/dev/null || { bad "init"; finish; exit 1; }
python3 - "$T/hub/hub.json" "$T/cert.pem" "$T/key.pem" <<'PY'
import json, sys
c = json.load(open(sys.argv[1])); c["tls_cert"] = sys.argv[2]; c["tls_key"] = sys.argv[3]
json.dump(c, open(sys.argv[1], "w"), indent=2)
PY
check "the hub serves HTTPS" start_hub "$T/hub"
check_out "its URL says https" "^https://127.0.0.1:" echo "$HUB"
check_out "curl with the certificate gets the hub's info" '"operator_key"' curl -s --cacert "$T/cert.pem" "$HUB/v1/info"
check_fails "curl without it refuses the self-signed certificate" curl -sf "$HUB/v1/info"
check_fails "plain HTTP to the HTTPS port fails" curl -sf "${HUB/https/http}/v1/info"

check "rosterd admit reaches the running HTTPS hub" make_root XA
make_root XB
init_tls() {	# CODE
	"$ROSTER" init --dir "$T/node-$1" --hub "$HUB" --hub-ca "$T/cert.pem" --state "$1" \
		--role technical --name "POC $1" --email "poc@$1.example" >/dev/null &&
	"$ROSTER" certify --root "$T/$1.root" "$T/node-$1/request.json" >/dev/null &&
	"$ROSTER" enroll --dir "$T/node-$1" "$T/node-$1/request.cert" >/dev/null
}
check "XA's node, given the certificate, enrols over HTTPS" init_tls XA
check "XB's node too" init_tls XB
check "the certificate was copied into the node folder" test -s "$T/node-XA/hub-ca.pem"
check_out "XA sends to XB over HTTPS" "receipt verified" node XA send --to XB --subject tls --body "over tls"
check_out "XB receives it" "1 new message" node XB sync
check "XA's audit passes over HTTPS" node XA audit
check_out "a node not given the certificate refuses the hub, saying why" "certificate" \
	"$ROSTER" init --dir "$T/node-bad" --hub "$HUB" --state XA --role technical \
	--name x --email x@x.example
finish
