#!/bin/bash
# mkca.sh DIR - test PKI for the Microsoft 365 emulator (see README.md).
#
# Makes in DIR:
#   ca.pem ca.key            test CA (the one the module is told to trust)
#   server.pem server.key    CN=localhost, SAN DNS:localhost,IP:127.0.0.1, signed by ca
#   rogue-ca.pem             a second, unrelated CA
#   rogue.pem rogue.key      localhost server cert signed by rogue-ca ("untrusted CA" tests)
#   client.pem client.key    self-signed RSA 2048 cert: an app's certificate credential
#
# Idempotent: a complete, valid set is left alone.  Quiet unless it fails.
set -euo pipefail

dir=${1:?usage: mkca.sh DIR}
mkdir -p "$dir"
cd "$dir"

# Parallel test runs may share DIR: serialise them.
exec 9>.mkca.lock
flock 9

complete() {
    local f
    for f in ca.pem ca.key server.pem server.key rogue-ca.pem rogue.pem rogue.key \
             client.pem client.key; do
        [ -s "$f" ] || return 1
    done
    # Still valid for a day and still chained as expected?
    openssl x509 -in server.pem -noout -checkend 86400 >/dev/null &&
        openssl x509 -in client.pem -noout -checkend 86400 >/dev/null &&
        openssl verify -CAfile ca.pem server.pem >/dev/null 2>&1 &&
        openssl verify -CAfile rogue-ca.pem rogue.pem >/dev/null 2>&1
}

complete && exit 0

work=$(mktemp -d .mkca.XXXXXX)
trap 'rm -rf "$work"' EXIT
errlog=$work/openssl.log
days=30

run() { "$@" >>"$errlog" 2>&1 || { cat "$errlog" >&2; echo "mkca.sh: failed: $*" >&2; exit 1; }; }

# ca NAME CN: a self-signed CA certificate.
ca() {
    run openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=$2" \
        -keyout "$work/$1.key" -out "$work/$1.pem" \
        -addext basicConstraints=critical,CA:TRUE -addext keyUsage=critical,keyCertSign,cRLSign
}

# server NAME CA: a localhost TLS server certificate signed by CA.
server() {
    printf 'subjectAltName=DNS:localhost,IP:127.0.0.1\nextendedKeyUsage=serverAuth\nbasicConstraints=CA:FALSE\n' \
        >"$work/ext"
    run openssl req -newkey rsa:2048 -nodes -subj /CN=localhost \
        -keyout "$work/$1.key" -out "$work/$1.csr"
    run openssl x509 -req -in "$work/$1.csr" -CA "$work/$2.pem" -CAkey "$work/$2.key" \
        -set_serial "0x$(openssl rand -hex 16)" -days "$days" -extfile "$work/ext" \
        -out "$work/$1.pem"
}

ca ca "pam_sspr test CA"
ca rogue-ca "pam_sspr rogue CA"
server server ca
server rogue rogue-ca
# The app credential: Entra only needs the public certificate, self-signed is normal.
run openssl req -x509 -newkey rsa:2048 -nodes -days "$days" -subj "/CN=pam_sspr test app" \
    -keyout "$work/client.key" -out "$work/client.pem"

chmod 600 "$work"/*.key
# Files land one by one; rename keeps each one atomic for concurrent readers.
for f in ca.key server.pem server.key rogue.pem rogue.key client.pem client.key rogue-ca.pem ca.pem; do
    mv -f "$work/$f" "$f"
done
rm -f rogue-ca.key
