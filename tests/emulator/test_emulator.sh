#!/bin/bash
# Self-test of the Microsoft 365 emulator: makes a test PKI, starts m365.py and
# checks the documented behaviours with curl.  Exit 0 = pass, 1 = fail, 77 = skip.
set -u

here=$(cd "$(dirname "$0")" && pwd)
PY=/usr/bin/python3          # Debian's, which has python3-cryptography

for tool in openssl curl flock; do
    command -v "$tool" >/dev/null || { echo "SKIP: $tool not installed"; exit 77; }
done
if ! "$PY" -c 'import cryptography' 2>/dev/null; then
    echo "SKIP: $PY with python3-cryptography not available"; exit 77
fi

tmp=$(mktemp -d)
pids=()
cleanup() {
    local p
    for p in "${pids[@]}"; do kill "$p" 2>/dev/null; done
    for p in "${pids[@]}"; do wait "$p" 2>/dev/null; done
    rm -rf "$tmp"
}
trap cleanup EXIT

failures=0
ok()   { echo "PASS: $1"; }
fail() { echo "FAIL: $1${2:+ ($2)}"; failures=$((failures + 1)); }
# check NAME COMMAND...: one line per check.
check() { local name=$1; shift; if "$@"; then ok "$name"; else fail "$name"; fi; }

"$here/mkca.sh" "$tmp/pki" || { echo "FAIL: mkca.sh"; exit 1; }
pki=$tmp/pki

TENANT=contoso.onmicrosoft.com
TENANT_ID=9188040d-6c67-4c5b-b112-36a304b66dad
CLIENT_ID=535fb089-9ff3-47b6-9bfb-4f1264799865
SECRET='s3cr3t~value.with+special&chars'
ALICE_ID=68be84bf-a585-4776-80b3-30aa5207aa22
ACS_KEY=$(head -c 32 /dev/urandom | openssl base64 -A)
HOOK_SECRET=hook-$(head -c 12 /dev/urandom | od -An -tx1 | tr -d ' \n')

cat >"$tmp/tenant.json" <<EOF
{"tenant": "$TENANT", "tenant_id": "$TENANT_ID", "client_id": "$CLIENT_ID",
 "client_secret": "$SECRET", "client_certificates": ["pki/client.pem"],
 "users": {
   "alice@$TENANT": {"id": "$ALICE_ID", "password": "OldPass#1",
                     "emailMethods": ["alice.backup@example.org"],
                     "phoneMethods": [{"phoneNumber": "+81 9012345678", "phoneType": "mobile"},
                                      {"phoneNumber": "+81 312345678", "phoneType": "office"}]},
   "bob@$TENANT": {"onPremisesSyncEnabled": true},
   "carol@$TENANT": {"isAdmin": true},
   "dave@$TENANT": {"mailbox": false}},
 "app_roles": ["User-PasswordProfile.ReadWrite.All", "UserAuthenticationMethod.Read.All",
               "Mail.Send"],
 "directory_role": "User Administrator",
 "banned_passwords": ["Password123!"],
 "groups": {"11111111-1111-4111-8111-111111111111": ["alice@$TENANT"],
            "22222222-2222-4222-8222-222222222222": ["11111111-1111-4111-8111-111111111111"],
            "33333333-3333-4333-8333-333333333333": ["22222222-2222-4222-8222-222222222222"],
            "44444444-4444-4444-8444-444444444444": ["bob@$TENANT"]},
 "acs": {"access_key": "$ACS_KEY", "senders": ["+18005550100"]},
 "sms_webhook": {"secret": "$HOOK_SECRET"}}
EOF

# start NAME CERT KEY: run an emulator, set $port once it is listening.
start() {
    rm -f "$tmp/$1.port"
    "$PY" "$here/m365.py" --cert "$2" --key "$3" --tenant-file "$tmp/tenant.json" \
        --port 0 --ready-file "$tmp/$1.port" --state-file "$tmp/$1.state" \
        2>>"$tmp/$1.log" &
    pids+=($!)
    local _
    for _ in $(seq 100); do
        [ -s "$tmp/$1.port" ] && { port=$(cat "$tmp/$1.port"); return 0; }
        kill -0 "$!" 2>/dev/null || break
        sleep 0.05
    done
    echo "FAIL: emulator $1 did not start"; cat "$tmp/$1.log"; exit 1
}

start main "$pki/server.pem" "$pki/server.key"
main_pid=${pids[-1]}
base=https://localhost:$port
TOKEN_URL=$base/$TENANT/oauth2/v2.0/token

# req ARGS...: curl with the test CA; body in $tmp/body, headers in $tmp/hdr,
# status in $code.
req() {
    code=$(curl -sS --max-time 5 --cacert "$pki/ca.pem" -o "$tmp/body" -D "$tmp/hdr" \
        -w '%{http_code}' "$@" 2>"$tmp/curl.err")
}
# jbody EXPR: evaluate a Python expression on the JSON body (bound to j).
jbody() { "$PY" -c 'import json,sys; j=json.load(open(sys.argv[1])); print(eval(sys.argv[2]))' \
    "$tmp/body" "$1" 2>/dev/null; }
header() { grep -i "^$1:" "$tmp/hdr" | head -1 | cut -d: -f2- | tr -d '\r' | sed 's/^ //'; }
b64url() { openssl base64 -A | tr '+/' '-_' | tr -d '='; }

token_secret() {
    req "$TOKEN_URL" --data-urlencode "client_id=$CLIENT_ID" \
        --data-urlencode "scope=$base/.default" --data-urlencode "client_secret=$1" \
        --data-urlencode grant_type=client_credentials
}

# jwt ALG [AUD]: a client assertion signed with the client certificate's key.
jwt() {
    local alg=$1 aud=${2:-$TOKEN_URL} now thumb head sigopts=()
    now=$(date +%s)
    if [ "$alg" = RS256 ]; then
        thumb=$(openssl x509 -in "$pki/client.pem" -outform DER | openssl dgst -sha1 -binary | b64url)
        head="{\"alg\":\"RS256\",\"typ\":\"JWT\",\"x5t\":\"$thumb\"}"
    else
        thumb=$(openssl x509 -in "$pki/client.pem" -outform DER | openssl dgst -sha256 -binary | b64url)
        head="{\"alg\":\"PS256\",\"typ\":\"JWT\",\"x5t#S256\":\"$thumb\"}"
        sigopts=(-sigopt rsa_padding_mode:pss -sigopt rsa_pss_saltlen:32)
    fi
    local h p s
    h=$(printf '%s' "$head" | b64url)
    p=$(printf '{"aud":"%s","iss":"%s","sub":"%s","jti":"%s","nbf":%d,"exp":%d}' \
        "$aud" "$CLIENT_ID" "$CLIENT_ID" "$(cat /proc/sys/kernel/random/uuid)" \
        "$now" $((now + 300)) | b64url)
    s=$(printf '%s.%s' "$h" "$p" | openssl dgst -sha256 "${sigopts[@]}" -sign "$pki/client.key" | b64url)
    printf '%s.%s.%s' "$h" "$p" "$s"
}

token_assertion() {
    req "$TOKEN_URL" --data-urlencode "client_id=$CLIENT_ID" \
        --data-urlencode "scope=https://graph.microsoft.com/.default" \
        --data-urlencode "client_assertion_type=urn:ietf:params:oauth:client-assertion-type:jwt-bearer" \
        --data-urlencode "client_assertion=$1" --data-urlencode grant_type=client_credentials
}

graph() { local method=$1 path=$2; shift 2
    req -X "$method" -H "Authorization: Bearer $TOKEN" "$base/v1.0$path" "$@"; }
patch_password() {
    graph PATCH "/users/$1" -H 'Content-Type: application/json' \
        --data "{\"passwordProfile\":{\"password\":\"$2\",\"forceChangePasswordNextSignIn\":false}}"
}

# ---------------------------------------------------------------- token endpoint
token_secret "$SECRET"
TOKEN=$(jbody 'j["access_token"]')
check "token with client secret -> 200 Bearer" \
    test "$code" = 200 -a "$(jbody 'j["token_type"], j["expires_in"]')" = "('Bearer', 3599)"
check "token response is no-store" test "$(header Cache-Control)" = "no-store, no-cache"

token_secret wrong
check "bad secret -> 401 invalid_client 7000215 with trace footer" test "$code" = 401 -a \
    "$(jbody 'j["error"], j["error_codes"], "\r\nTrace ID: " in j["error_description"]')" = \
    "('invalid_client', [7000215], True)"

req "$base/nosuchtenant.example/oauth2/v2.0/token" -d "client_id=$CLIENT_ID" \
    -d grant_type=client_credentials
check "unknown tenant -> 400 invalid_request 90002" \
    test "$code" = 400 -a "$(jbody 'j["error_codes"]')" = "[90002]"

token_assertion "$(jwt RS256)"
check "RS256 client assertion (x5t) -> 200" test "$code" = 200 -a -n "$(jbody 'j["access_token"]')"

good=$(jwt RS256)
IFS=. read -r h p s <<<"$good"
other=$(printf '{"aud":"%s","iss":"%s","sub":"%s","jti":"x","nbf":%d,"exp":%d}' "$TOKEN_URL" \
    "$CLIENT_ID" "$CLIENT_ID" "$(date +%s)" $(($(date +%s) + 60)) | b64url)
token_assertion "$h.$other.$s"
check "tampered assertion -> 400 invalid_client 700027" \
    test "$code" = 400 -a "$(jbody 'j["error"], j["error_codes"]')" = "('invalid_client', [700027])"

token_assertion "$good"
check "fresh assertion accepted once" test "$code" = 200
token_assertion "$good"
check "replayed assertion (same jti) refused" test "$code" = 400

token_assertion "$(jwt PS256)"
check "PS256 client assertion (x5t#S256) -> 200" test "$code" = 200

token_assertion "$(jwt RS256 "https://login.microsoftonline.com/$TENANT/oauth2/v2.0/token")"
check "assertion for another audience -> 400" test "$code" = 400

# ---------------------------------------------------------------- Graph
graph GET "/users/alice@$TENANT?%24select=id,userPrincipalName,onPremisesSyncEnabled,accountEnabled" \
    -H 'client-request-id: 11111111-2222-3333-4444-555555555555'
check "GET user with \$select -> selected fields, onPremisesSyncEnabled null" test "$code" = 200 -a \
    "$(jbody 'j["id"], j["accountEnabled"], j["onPremisesSyncEnabled"], "mail" in j')" = \
    "('$ALICE_ID', True, None, False)"
check "Graph echoes client-request-id and sends request-id" test \
    "$(header client-request-id)" = 11111111-2222-3333-4444-555555555555 -a -n "$(header request-id)"

graph GET "/users/nobody@$TENANT"
check "unknown user -> 404 Request_ResourceNotFound" test "$code" = 404 -a \
    "$(jbody 'j["error"]["message"]')" = "Resource 'nobody@$TENANT' does not exist or one of its queried reference-property objects are not present."

req "$base/v1.0/users/alice@$TENANT"
check "no bearer token -> 401 InvalidAuthenticationToken + WWW-Authenticate" test "$code" = 401 -a \
    "$(jbody 'j["error"]["code"]')" = InvalidAuthenticationToken -a -n "$(header WWW-Authenticate)"

patch_password "alice@$TENANT" 'weakpassword'
check "PATCH weak password -> 400 complexity message" test "$code" = 400 -a \
    "$(jbody 'j["error"]["message"]')" = "The specified password does not comply with password complexity requirements. Please provide a different password."

patch_password "alice@$TENANT" 'Password123!'
check "PATCH banned password -> 400" test "$code" = 400

patch_password "$ALICE_ID" 'N3w-Secure#Pass'
patch_code=$code
req "$base/_emulator/users/alice@$TENANT"
check "PATCH good password -> 204, state shows it" test "$patch_code" = 204 -a "$(jbody 'j["password"], bool(j["lastPasswordChangeDateTime"])')" = "('N3w-Secure#Pass', True)"
check "--state-file persisted the change" grep -q 'N3w-Secure#Pass' "$tmp/main.state"

patch_password "bob@$TENANT" 'N3w-Secure#Pass'
check "PATCH synced user -> 400 on-premises mastered" test "$code" = 400 -a \
    "$(jbody '"on-premises mastered" in j["error"]["message"]')" = True
patch_password "carol@$TENANT" 'N3w-Secure#Pass'
check "PATCH admin with only User Administrator -> 403" test "$code" = 403 -a \
    "$(jbody 'j["error"]["code"]')" = Authorization_RequestDenied

graph PATCH "/users/alice@$TENANT" -H 'Content-Type: application/json' --data '{"passwordProfile":'
check "malformed JSON -> 400 BadRequest" test "$code" = 400

head -c 1100000 /dev/zero | tr '\0' a >"$tmp/huge"
graph PATCH "/users/alice@$TENANT" -H 'Content-Type: application/json' --data-binary "@$tmp/huge"
check "body over 1 MiB -> 413" test "$code" = 413

graph GET "/users/alice@$TENANT/authentication/emailMethods"
check "emailMethods -> fixed id + address" test "$code" = 200 -a \
    "$(jbody 'j["value"][0]["id"], j["value"][0]["emailAddress"]')" = \
    "('3ddfcfc8-9383-446f-83cc-3ab9be4be18f', 'alice.backup@example.org')"

graph POST "/users/alice@$TENANT/sendMail" -H 'Content-Type: application/json' --data \
    '{"message":{"subject":"Code","body":{"contentType":"Text","content":"123456"},"toRecipients":[{"emailAddress":{"address":"alice.backup@example.org"}}]},"saveToSentItems":false}'
send_code=$code
req "$base/_emulator/outbox"
check "sendMail -> 202 and outbox holds the mail" test "$send_code" = 202 -a \
    "$(jbody 'j[-1]["to"], j[-1]["subject"], j[-1]["body"]')" = "(['alice.backup@example.org'], 'Code', '123456')"

graph POST "/users/dave@$TENANT/sendMail" -H 'Content-Type: application/json' --data \
    '{"message":{"subject":"x","toRecipients":[{"emailAddress":{"address":"a@example.org"}}]}}'
check "sendMail from user without mailbox -> 404 MailboxNotEnabledForRESTAPI" test "$code" = 404 -a \
    "$(jbody 'j["error"]["code"]')" = MailboxNotEnabledForRESTAPI

# ---------------------------------------------------------------- checkMemberGroups
G1=11111111-1111-4111-8111-111111111111
G3=33333333-3333-4333-8333-333333333333
G4=44444444-4444-4444-8444-444444444444
member_groups() { local who=$1; shift
    graph POST "/users/$who/checkMemberGroups" -H 'Content-Type: application/json' \
        --data "{\"groupIds\":[$*]}"; }
ids_json() { local i out=; for i in "$@"; do out="$out${out:+,}\"$i\""; done; echo "$out"; }
member_groups "alice@$TENANT" "$(ids_json $G1 $G4)"
check "checkMemberGroups -> 403 without GroupMember.Read.All" test "$code" = 403 -a \
    "$(jbody 'j["error"]["code"]')" = Authorization_RequestDenied
req -X PUT "$base/_emulator/app" --data \
    '{"app_roles":["User-PasswordProfile.ReadWrite.All","UserAuthenticationMethod.Read.All","Mail.Send","GroupMember.Read.All"]}'
member_groups "alice@$TENANT" "$(ids_json $G1)"
check "checkMemberGroups -> 403 with GroupMember.Read.All but no User.Read.All" test "$code" = 403
req -X PUT "$base/_emulator/app" --data \
    '{"app_roles":["User-PasswordProfile.ReadWrite.All","UserAuthenticationMethod.Read.All","Mail.Send","GroupMember.Read.All","User.Read.All"]}'
member_groups "alice@$TENANT" "$(ids_json $G1 $G4)"
check "checkMemberGroups -> the direct group only" test "$code" = 200 -a \
    "$(jbody 'j["value"]')" = "['$G1']"
member_groups "$ALICE_ID" "$(ids_json $G3)"
check "checkMemberGroups by id -> nested group, transitively" test "$code" = 200 -a \
    "$(jbody 'j["value"]')" = "['$G3']"
member_groups "carol@$TENANT" "$(ids_json $G1 $G3 $G4)"
check "checkMemberGroups -> [] for a member of none" test "$code" = 200 -a \
    "$(jbody 'j["value"]')" = "[]"
member_groups "alice@$TENANT" "$(ids_json $G1 not-a-guid)"
check "checkMemberGroups malformed id -> 400 for the whole request" test "$code" = 400 -a \
    "$(jbody 'j["error"]["code"]')" = Request_BadRequest
member_groups "alice@$TENANT" "$(ids_json $(for i in $(seq 21); do echo $G1; done))"
check "checkMemberGroups 21 ids -> 400" test "$code" = 400
member_groups "nobody@$TENANT" "$(ids_json $G1)"
check "checkMemberGroups unknown user -> 404" test "$code" = 404
req -X PUT "$base/_emulator/app" --data '{"app_roles":["Directory.Read.All"]}'
member_groups "bob@$TENANT" "$(ids_json $G4)"
check "checkMemberGroups with Directory.Read.All alone -> 200" test "$code" = 200 -a \
    "$(jbody 'j["value"]')" = "['$G4']"
req -X PUT "$base/_emulator/groups" --data "{\"$G4\": [\"$G3\"]}"
member_groups "alice@$TENANT" "$(ids_json $G1 $G4)"
check "PUT /_emulator/groups replaces the groups" test "$code" = 200 -a \
    "$(jbody 'j["value"]')" = "[]"
req -X PUT "$base/_emulator/groups" --data "{\"$G4\": [\"$G4\", \"alice@$TENANT\"]}"
member_groups "alice@$TENANT" "$(ids_json $G4)"
check "a group nested in itself ends" test "$code" = 200 -a "$(jbody 'j["value"]')" = "['$G4']"
req -X PUT "$base/_emulator/app" --data \
    '{"app_roles":["User-PasswordProfile.ReadWrite.All","UserAuthenticationMethod.Read.All","Mail.Send"]}'

# ---------------------------------------------------------------- faults and control
req -X POST "$base/_emulator/faults" --data \
    '{"faults":[{"method":"PATCH","path":"^/v1\\.0/users/","times":1,"status":429,"retry_after":2}]}'
patch_password "alice@$TENANT" 'An0ther-Secure#Pass'
check "429 fault -> Retry-After: 2, TooManyRequests" test "$code" = 429 -a \
    "$(header Retry-After)" = 2 -a "$(jbody 'j["error"]["code"]')" = TooManyRequests
patch_password "alice@$TENANT" 'An0ther-Secure#Pass'
check "fault used up -> next PATCH 204" test "$code" = 204

# A held request waits until released (or its bound), then takes its fault.
# held_patch NAME: alice's PATCH in the background; its status in $tmp/NAME.code.
held_patch() {
    curl -sS --max-time 40 --cacert "$pki/ca.pem" -o /dev/null -w '%{http_code}' -X PATCH \
        -H "Authorization: Bearer $TOKEN" -H 'Content-Type: application/json' \
        --data '{"passwordProfile":{"password":"He1d-Secure#Pass"}}' \
        "$base/v1.0/users/alice@$TENANT" >"$tmp/$1.code" 2>/dev/null &
    held_pid=$!
}
# wait_held: until GET /_emulator/held lists a request (at most 10 s).
wait_held() {
    local _
    for _ in $(seq 200); do
        req "$base/_emulator/held"
        [ "$(jbody 'len(j)')" = 1 ] && return 0
        sleep 0.05
    done
    return 1
}
req -X POST "$base/_emulator/faults" --data \
    '{"faults":[{"method":"PATCH","path":"^/v1\\.0/users/","status":403,"hold":true}]}'
check "hold: true -> held at most MAX_WAIT (30 s)" test "$code" = 200 -a "$(jbody 'j[-1]["hold"]')" = 30.0
held_patch held
wait_held
check "held PATCH -> listed by /_emulator/held" \
    test "$(jbody '[(e["method"], e["path"]) for e in j]')" = "[('PATCH', '/v1.0/users/alice@$TENANT')]"
sleep 0.5                   # not a synchronisation: nothing may happen meanwhile
check "held PATCH -> not answered until released" kill -0 "$held_pid"
req -X POST "$base/_emulator/release"
check "release -> one request released" test "$code" = 200 -a "$(jbody 'j["released"]')" = 1
wait "$held_pid"
check "released PATCH -> the fault's status (403), the password unchanged" \
    test "$(cat "$tmp/held.code")" = 403 -a "$(curl -sS --max-time 5 --cacert "$pki/ca.pem" \
    "$base/_emulator/users/alice@$TENANT" | grep -c He1d-Secure)" = 0
req "$base/_emulator/log"
check "request log: held PATCH released, 403" \
    test "$(jbody '[(e["status"], e["held"]) for e in j if "held" in e]')" = "[(403, 'released')]"
req "$base/_emulator/held"
check "released -> /_emulator/held is empty" test "$(jbody 'j')" = "[]"
req -X POST "$base/_emulator/release"
check "release with nothing held -> 0" test "$(jbody 'j["released"]')" = 0
# Unreleased, a hold ends at its bound (a number of seconds, at most MAX_WAIT).
req -X POST "$base/_emulator/faults" --data \
    '{"faults":[{"method":"PATCH","path":"^/v1\\.0/users/","status":403,"hold":0.5}]}'
start_t=$EPOCHREALTIME
patch_password "alice@$TENANT" 'He1d-Secure#Pass'
elapsed=$("$PY" -c 'import sys; print(float(sys.argv[2]) - float(sys.argv[1]) >= 0.5)' \
    "$start_t" "$EPOCHREALTIME")
req "$base/_emulator/log"
check "hold: 0.5, never released -> 403 after 0.5 s, logged as bound" \
    test "$elapsed" = True -a "$(jbody '[e["held"] for e in j if "held" in e]')" = "['released', 'bound']"
req -X POST "$base/_emulator/faults" --data '{"faults":[{"path":"^/nowhere$","hold":100}]}'
check "hold: 100 -> bounded by MAX_WAIT (30 s)" test "$(jbody 'j[-1]["hold"]')" = 30.0
req -X POST "$base/_emulator/faults" --data '{"faults":[{"path":"^/nowhere$","hold":-1}]}'
check "hold: -1 -> 400" test "$code" = 400
req -X DELETE "$base/_emulator/faults"

req -X POST "$base/_emulator/faults" --data '{"faults":[{"path":"/token$","action":"drop"}]}'
if token_secret "$SECRET"; then dropped=no; else dropped=yes; fi
check "drop fault -> curl fails without a response" test "$dropped" = yes -a "$code" = 000

req -X POST "$base/_emulator/revoke-tokens"
graph GET "/users/alice@$TENANT"
check "revoked token -> 401" test "$code" = 401

req "$base/_emulator/log"
check "request log has credential kinds" test \
    "$(jbody 'sorted({e.get("credential") for e in j if e.get("credential")})')" = \
    "['assertion-PS256', 'assertion-RS256', 'secret']"
# shellcheck disable=SC2016  # $1.. are expanded by the inner bash
check "request log and stderr carry no secrets or passwords" \
    bash -c '! grep -qF -e "$1" -e "N3w-Secure" -e "$2" "$3" "$4"' _ "$SECRET" "$TOKEN" "$tmp/body" "$tmp/main.log"

# ---------------------------------------------------------------- SMS
token_secret "$SECRET"
TOKEN=$(jbody 'j["access_token"]')
# Phone methods, as Graph lists them (fixed ids per phone type).
graph GET "/users/alice@$TENANT/authentication/phoneMethods"
check "phoneMethods: listed with their documented ids" test "$code" = 200 -a \
    "$(jbody '[(m["phoneType"], m["phoneNumber"], m["id"][:8]) for m in j["value"]]')" = \
    "[('mobile', '+81 9012345678', '3179e48a'), ('office', '+81 312345678', 'e37fc753')]"
graph GET "/users/bob@$TENANT/authentication/phoneMethods"
check "phoneMethods: none registered -> empty list" test "$code" = 200 -a "$(jbody 'j["value"]')" = "[]"

# acs_send BODY [DATE] [KEY]: POST /sms signed with the access key, the
# signature computed by openssl (not by the emulator's Python).
acs_send() {
    local body=$1 date=${2:-$(LC_ALL=C TZ=GMT date -R | sed 's/+0000$/GMT/')} key=${3:-$ACS_KEY}
    local host="localhost:$port" path="/sms?api-version=2021-03-07" hash sig hexkey
    hash=$(printf '%s' "$body" | openssl dgst -sha256 -binary | openssl base64 -A)
    hexkey=$(printf '%s' "$key" | openssl base64 -d -A | od -An -tx1 | tr -d ' \n')
    sig=$(printf 'POST\n%s\n%s;%s;%s' "$path" "$date" "$host" "$hash" |
        openssl dgst -sha256 -mac HMAC -macopt "hexkey:$hexkey" -binary | openssl base64 -A)
    req -X POST "$base$path" -H 'Content-Type: application/json' -H "x-ms-date: $date" \
        -H "x-ms-content-sha256: $hash" \
        -H "Authorization: HMAC-SHA256 SignedHeaders=x-ms-date;host;x-ms-content-sha256&Signature=$sig" \
        --data-binary "$body"
}
SMS='{"from":"+18005550100","smsRecipients":[{"to":"+819012345678"}],"message":"Code 123456"}'
acs_send "$SMS"
check "ACS send, access key: 202 with one successful result" test "$code" = 202 -a \
    "$(jbody '[(r["to"], r["httpStatusCode"], r["successful"]) for r in j["value"]]')" = \
    "[('+819012345678', 202, True)]"
acs_send "$SMS" "" "$(head -c 32 /dev/urandom | openssl base64 -A)"
check "ACS send, another key: 401" test "$code" = 401
acs_send "$SMS" "Mon, 01 Jan 2024 00:00:00 GMT"
check "ACS send, stale x-ms-date: 401" test "$code" = 401
acs_send '{"from":"+18005550199","smsRecipients":[{"to":"+819012345678"}],"message":"x"}'
check "ACS send, sender not of the resource: 400" test "$code" = 400
acs_send '{"from":"+18005550100","smsRecipients":[{"to":"09012345678"}],"message":"x"}'
check "ACS send, recipient not E.164: 400" test "$code" = 400
req -X POST "$base/sms?api-version=2021-03-07" -H "Authorization: Bearer $TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$SMS"
check "ACS send with a Graph token: 401" test "$code" = 401 -a -n "$TOKEN"
req "$TOKEN_URL" --data-urlencode "client_id=$CLIENT_ID" \
    --data-urlencode "scope=https://communication.azure.com/.default" \
    --data-urlencode "client_secret=$SECRET" --data-urlencode grant_type=client_credentials
ACS_TOKEN=$(jbody 'j["access_token"]')
check "token for https://communication.azure.com" test "$code" = 200 -a -n "$ACS_TOKEN"
req -X POST "$base/sms?api-version=2021-03-07" -H "Authorization: Bearer $ACS_TOKEN" \
    -H 'Content-Type: application/json' --data-binary "$SMS"
check "ACS send with an ACS token: 202" test "$code" = 202
req -X GET -H "Authorization: Bearer $ACS_TOKEN" "$base/v1.0/users/alice@$TENANT"
check "Graph refuses an ACS token: 401" test "$code" = 401
req -X POST "$base/_webhook/sms" -H "Authorization: Bearer $HOOK_SECRET" \
    -H 'Content-Type: application/json' --data-binary '{"to":"+819012345678","message":"Code 654321"}'
check "webhook with its secret: 202" test "$code" = 202
req -X POST "$base/_webhook/sms" -H "Authorization: Bearer wrong" \
    -H 'Content-Type: application/json' --data-binary '{"to":"+819012345678","message":"x"}'
check "webhook with a wrong secret: 401" test "$code" = 401
req "$base/_emulator/sms"
check "SMS outbox: what was accepted, by which way" test \
    "$(jbody '[(m["via"], m["auth"], m["to"], m["message"]) for m in j]')" = \
    "[('acs', 'hmac', '+819012345678', 'Code 123456'), ('acs', 'bearer', '+819012345678', 'Code 123456'), ('webhook', None, '+819012345678', 'Code 654321')]"

# ---------------------------------------------------------------- TLS trust
start rogue "$pki/rogue.pem" "$pki/rogue.key"
rogue_pid=${pids[-1]}
if req "https://localhost:$port/_emulator/log"; then trusted=yes; else trusted=no; fi
check "server with rogue-CA certificate refused by curl --cacert ca.pem" \
    test "$trusted" = no -a "$code" = 000

# SIGTERM ends a held request at once (not after its 30 s).
req -X POST "$base/_emulator/faults" --data \
    '{"faults":[{"method":"PATCH","path":"^/v1\\.0/users/","status":403,"hold":true}]}'
held_patch stopped
wait_held
held_t=$SECONDS
kill "$rogue_pid" "$main_pid"
wait "$rogue_pid" "$main_pid"
check "SIGTERM -> clean exit, ready file removed" test $? = 0 -a ! -e "$tmp/main.port"
wait "$held_pid"
check "SIGTERM -> a held request is closed at once, unanswered" \
    test "$(cat "$tmp/stopped.code")" = 000 -a $((SECONDS - held_t)) -lt 10

if [ "$failures" -ne 0 ]; then
    echo "$failures check(s) failed; emulator log:"
    cat "$tmp/main.log"
    exit 1
fi
echo "all checks passed"
