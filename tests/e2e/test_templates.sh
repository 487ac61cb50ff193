#!/usr/bin/env bash
# Message templates in six languages (docs/templates.md): `roster
# templates` lists and shows them in the reader's language; the hub's
# operator adds a template and a taxonomy in HUBDIR/catalogue/, which the
# hub serves at GET /v1/catalogue and a node fetches with --refresh; a
# malformed operator file, or a garbled document on the node, is reported
# and skipped, never fatal; wrong usage exits 2.
. "$(dirname "$0")/lib.sh"

check "operator: rosterd init and serve" new_hub "Templates hub"
check "State XA with a POC node" make_state XA

# ---- listing and showing, in several languages, without and with a node
check_out "templates lists the shipped templates (en)" \
	"incident-notification +v1 +Notification of an ICT incident" "$ROSTER" templates
check_out "... and all nine of them" "^9$" bash -c "'$ROSTER' templates | wc -l"
check_out "templates --lang ru" "consultation-request +v1 +Запрос о проведении консультаций" \
	"$ROSTER" templates --lang ru
check_out "templates --lang ar" "communication-check +v1 +اختبار الاتصال" \
	"$ROSTER" templates --lang ar
check_out "show incident-notification in Russian: labels" "Затронутые секторы" \
	"$ROSTER" templates show incident-notification --lang ru
check_out "show in Russian: taxonomy choices" "energy +Энергетика" \
	"$ROSTER" templates show incident-notification --lang ru
check_out "show in Arabic: the title and a field label" "فئة الحادث" \
	"$ROSTER" templates show incident-notification --lang ar
check_out "show gives type, required and the digest" "first_seen  \(required; datetime" \
	"$ROSTER" templates show incident-notification
check_out "show gives the template digest" "^digest [0-9a-f]{64}$" \
	"$ROSTER" templates show reply
sed -i 's/"languages": "en,fr"/"languages": "fr,en"/' "$T/node-XA/config.json"
check_out "with a node, the default language is the node's first (fr)" \
	"request-assistance +v1 +Demande d'assistance" node XA templates
check "templates --json is a catalogue document" python3 -c \
	"import json,subprocess,sys; d=json.loads(subprocess.check_output([sys.argv[1],'templates','--json'])); assert len(d['templates'])==9 and len(d['taxonomies'])>=6" "$ROSTER"

# ---- filling, as send will: a preview in the reader's language
FILL="templates fill incident-notification --field incident_class=intrusions
	--field sector=energy,health --field first_seen=2026-11-22T11:30+03:00
	--field impact=severe --field indicators=ip:192.0.2.1,evil.example
	--field measures_taken=Serveurs_isolés --text-lang fr"
check_out "fill renders in Chinese, the date in UTC" "首次发现时间: 2026-11-22T08:30:00Z" \
	"$ROSTER" $FILL --lang zh
check_out "... taxonomy values in Chinese" "受影响部门: 能源; 卫生" "$ROSTER" $FILL --lang zh
check_out "... and in Arabic" "القطاعات المتضررة: الطاقة; الصحة" "$ROSTER" $FILL --lang ar
check_out "... free text keeps its language tag" "\\(fr\\) Serveurs_isolés" "$ROSTER" $FILL --lang ru
DIGEST=$("$ROSTER" templates show incident-notification | sed -n 's/^digest //p')
check "fill --json carries the template's digest and canonical values" python3 -c \
	"import json,subprocess,sys; d=json.loads(subprocess.check_output(sys.argv[1:-1])); assert d['digest']==sys.argv[-1] and d['fields']['sector']==['energy','health'] and d['fields']['measures_taken']=={'lang':'fr','text':'Serveurs_isolés'}, d" \
	"$ROSTER" $FILL --json "$DIGEST"
check_out "a bad choice is refused, naming the field and the codes" \
	'field "sector": "enrgy" is not a code of taxonomy sectors \(energy, ' \
	"$ROSTER" templates fill incident-notification --field sector=enrgy
check_fails "... exit status 1" "$ROSTER" templates fill incident-notification --field sector=enrgy
check_out "a missing required field is named" 'field "first_seen" \(First seen\) is required' \
	"$ROSTER" templates fill incident-notification --field incident_class=fraud \
	--field sector=energy --field impact=low
check_out "a date without a zone is refused" 'field "first_seen": .*no time zone' \
	"$ROSTER" templates fill incident-notification --field first_seen=2026-11-22T10:00
check_out "a bad State code is refused" 'field "affected_states": "X1" is not a two-letter State code' \
	"$ROSTER" templates fill incident-notification --field affected_states=FR,X1
check_out "a bad indicator is refused" 'field "indicators": "999.1.1.1" is not a valid ip indicator' \
	"$ROSTER" templates fill incident-notification --field indicators=ip:999.1.1.1
check_out "an unknown field is refused, listing the fields" 'unknown field "colour" in template reply \(its fields: in_reply_to, body, attachment\)' \
	"$ROSTER" templates fill reply --field colour=red

# ---- wrong usage
"$ROSTER" templates --lang de >"$T/lang.out" 2>&1
check "an unknown language exits 2" test $? -eq 2
check_out "... naming the languages" "not one of ar, zh, en, fr, ru, es" cat "$T/lang.out"
"$ROSTER" templates frobnicate >/dev/null 2>&1
check "an unknown subcommand exits 2" test $? -eq 2
"$ROSTER" templates show >/dev/null 2>&1
check "show without an id exits 2" test $? -eq 2
"$ROSTER" templates --refresh >/dev/null 2>&1
check "--refresh without a node exits 2" test $? -eq 2
check_out "show of an unknown template fails, naming it" 'no template "no-such"' \
	"$ROSTER" templates show no-such
check_fails "... with exit status 1" "$ROSTER" templates show no-such

# ---- the operator adds a taxonomy and a template
mkdir -p "$T/hub/catalogue/templates" "$T/hub/catalogue/taxonomies"
python3 - "$T/hub/catalogue" <<'PY'
import json, sys
d = sys.argv[1]
def L(ar, zh, en, fr, ru, es): return dict(ar=ar, zh=zh, en=en, fr=fr, ru=ru, es=es)
tax = {"id": "exercise-outcomes", "version": 1,
  "title": L("نتائج التمرين", "演练结果", "Exercise outcomes", "Résultats de l'exercice", "Итоги учения", "Resultados del ejercicio"),
  "values": [
    {"code": "reached", "label": L("تم الوصول", "已联系上", "Reached", "Joint", "Связь установлена", "Contactado")},
    {"code": "not-reached", "label": L("لم يتم الوصول", "未联系上", "Not reached", "Non joint", "Связь не установлена", "No contactado")}]}
tpl = {"id": "exercise-report", "version": 1,
  "title": L("تقرير عن التمرين", "演练报告", "Exercise report", "Rapport d'exercice", "Отчёт об учении", "Informe sobre el ejercicio"),
  "fields": [
    {"name": "outcome", "type": "choice", "taxonomy": "exercise-outcomes", "required": True,
     "label": L("النتيجة", "结果", "Outcome", "Résultat", "Итог", "Resultado")},
    {"name": "sector", "type": "choice", "taxonomy": "sectors", "multiple": True,
     "label": L("القطاعات", "部门", "Sectors", "Secteurs", "Секторы", "Sectores")}]}
json.dump(tax, open(d + "/taxonomies/exercise-outcomes.json", "w"), ensure_ascii=False)
json.dump(tpl, open(d + "/templates/exercise-report.json", "w"), ensure_ascii=False)
bad = json.loads(json.dumps(tpl)); bad["id"] = "broken"; del bad["fields"][0]["label"]["zh"]
json.dump(bad, open(d + "/templates/broken.json", "w"), ensure_ascii=False)
open(d + "/templates/garbage.json", "w").write('{"id": "garbage", "version": ')
PY
cp "$TOP/share/catalogue/templates/free-text.json" "$T/hub/catalogue/templates/free-text.json"

check_out "templates check accepts the operator's good files" "^ok .*exercise-report.json" \
	"$ROSTER" templates check "$T/hub/catalogue/taxonomies/exercise-outcomes.json" \
	"$T/hub/catalogue/templates/exercise-report.json"
check_out "templates check names the malformed file and what is wrong" \
	'broken.json: field "outcome": label: no "zh" text' \
	"$ROSTER" templates check "$T/hub/catalogue/taxonomies/exercise-outcomes.json" \
	"$T/hub/catalogue/templates/broken.json"
check_fails "... and exits 1" "$ROSTER" templates check \
	"$T/hub/catalogue/taxonomies/exercise-outcomes.json" "$T/hub/catalogue/templates/broken.json"
check_out "templates check: a template naming an unknown taxonomy" \
	'taxonomy "exercise-outcomes" is not in the catalogue' \
	"$ROSTER" templates check "$T/hub/catalogue/templates/exercise-report.json"

check_out "GET /v1/catalogue serves the operator's template" '"id": *"exercise-report"' \
	curl -s "$HUB/v1/catalogue"
check_out "... and names the refused files" 'catalogue/templates/garbage.json: malformed JSON' \
	curl -s "$HUB/v1/catalogue"
check_out "... an unchanged copy of a shipped template is not served (same version)" \
	'free-text\\" version 1 ignored' curl -s "$HUB/v1/catalogue"
check_fails "... without the hub's own paths" grep -q "$T/hub" <(curl -s "$HUB/v1/catalogue")
check_out "POST /v1/catalogue is refused with 405" "^405$" \
	curl -s -o /dev/null -w '%{http_code}' -X POST "$HUB/v1/catalogue"

check_out "the node refreshes: 1 template, 1 taxonomy" \
	"fetched the hub's catalogue: 1 templates, 1 taxonomies" node XA templates --refresh --lang en
check_out "... reporting the hub's malformed template, not failing" \
	'warning: the hub reports: catalogue/templates/broken.json' node XA templates --refresh
check "... exit status 0" node XA templates --refresh
check "... stored as NODEDIR/catalogue-hub.json" test -s "$T/node-XA/catalogue-hub.json"
check_out "the node lists the operator's template, marked" "exercise-report +v1 +Exercise report +\(hub\)" \
	node XA templates --lang en
check_out "... in Russian too" "exercise-report +v1 +Отчёт об учении" node XA templates --lang ru
check_out "... and shows its choices in Arabic" "not-reached +لم يتم الوصول" \
	node XA templates show exercise-report --lang ar
check_out "the shipped templates are all still there" "^10$" \
	bash -c "'$ROSTER' templates --dir '$T/node-XA' | wc -l"

# ---- the State's own addition: a higher version replaces the shipped one
mkdir -p "$T/node-XA/catalogue/templates"
python3 - "$TOP/share/catalogue/templates/free-text.json" "$T/node-XA/catalogue/templates/free-text.json" <<'PY'
import json, sys
t = json.load(open(sys.argv[1])); t["version"] = 2
t["title"]["en"] = "Free text (our edition)"
json.dump(t, open(sys.argv[2], "w"), ensure_ascii=False)
PY
check_out "a node-local template of a higher version replaces the shipped one" \
	"free-text +v2 +Free text \(our edition\) +\(node\)" node XA templates --lang en

# ---- a hostile or garbled hub document on the node is reported, not fatal
printf '{"templates": [{"id": "x\\u001b[2J", "version": 1}], "taxonomies": 7}' \
	>"$T/node-XA/catalogue-hub.json"
check_out "a garbled hub document: a warning" 'warning: catalogue: .*catalogue-hub.json' \
	node XA templates --lang en
printf '{"templates": [{"id": "x\\u001b[2J\\u0007", "version": 1}], "taxonomies": []}' \
	>"$T/node-XA/catalogue-hub.json"
check_out "a hostile hub template: a warning naming it" 'catalogue-hub.json: templates\[0\] "x\?\[2J\?"' \
	node XA templates --lang en
check_out "... and the catalogue still lists the shipped templates" \
	"incident-notification +v1" node XA templates --lang en
check_fails "... no escape character reaches the terminal" grep -q $'\033' "$T/last.out"
stop_hub
check_out "refresh with the hub down fails, naming the problem" "cannot fetch the hub's catalogue" \
	node XA templates --refresh
check_out "... and keeps the catalogue usable" "incident-notification" node XA templates

finish
