# What both kinds of Microsoft 365 test share about the emulator
# (tests/emulator/m365.py, its control API in tests/emulator/README.md):
# starting one and talking to /_emulator/. Sourced by tests/lib/m365.sh
# (PAM sandbox tests) and tests/lib/graph_direct.sh (tests that drive the
# client directly), which each know their emulator's URL, CA and files.
# Needs tests/lib/lib.sh sourced.

EMULATOR_DIR=$SRC_DIR/tests/emulator

# emulator_spawn NAME PKI CERT TENANT: an emulator of the tenant file
# TENANT on a free loopback port, presenting PKI/CERT.pem; sets
# EMULATOR_PORT. Its log is $TMP/NAME.log (tests search it for what must
# never reach the server); it is stopped at exit. Fails, with the log on
# stderr, when it is not ready within 10 s or dies before.
emulator_spawn() {
	local name=$1 pki=$2 cert=$3 tenant=$4 pid i
	rm -f "$TMP/$name.port"
	$PY "$EMULATOR_DIR/m365.py" --cert "$pki/$cert.pem" --key "$pki/$cert.key" \
		--tenant-file "$tenant" --port 0 --ready-file "$TMP/$name.port" \
		2>>"$TMP/$name.log" &
	pid=$!
	at_exit "stop_process $pid"
	for ((i = 0; i < 100; i++)); do
		[ -s "$TMP/$name.port" ] && break
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	if [ ! -s "$TMP/$name.port" ]; then
		cat "$TMP/$name.log" >&2
		return 1
	fi
	EMULATOR_PORT=$(cat "$TMP/$name.port")
}

# emulator_call CA URL METHOD PATH [JSON]: the control API of the emulator
# at URL, over TLS checked against CA as the client's is. EMU_MAX_TIME
# (default 5) is how many seconds one request may take.
emulator_call() {
	curl -sS --max-time "${EMU_MAX_TIME:-5}" --cacert "$1" -X "$3" \
		${5:+-H 'Content-Type: application/json' --data "$5"} \
		"$2/_emulator/$4"
}

# emulator_logq EXPR <LOG: a Python expression over the request log L
# (one dict a request) read from stdin, so a check can count or compare.
emulator_logq() {
	$PY -c 'import json, sys; L = json.load(sys.stdin); print(eval(sys.argv[1]))' "$1"
}
