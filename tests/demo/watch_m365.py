#!/usr/bin/python3
"""The demo's Microsoft 365 pane: the emulator's requests, one line each,
and the demo account's password (a short fingerprint of it, and when it
was last changed), so a newcomer sees Microsoft 365 change.

usage: watch_m365.py LOGFILE URL CAFILE UPN
LOGFILE is the emulator's stderr, URL its address, CAFILE the CA that
signed its certificate; the account is read through its control API.
"""
import hashlib
import json
import ssl
import re
import sys
import time
import urllib.parse
import urllib.request

# What each kind of request means, in plain words.
MEANING = [
    (r"^POST /[^/]+/oauth2/v2\.0/token$", "app signs in (token)"),
    (r"^GET /v1\.0/users/[^/]+/authentication/emailMethods$", "read backup email"),
    (r"^GET /v1\.0/users/[^/]+/authentication/\w+$", "read sign-in methods"),
    (r"^GET /v1\.0/users/[^/]+$", "look up the user"),
    (r"^PATCH /v1\.0/users/[^/]+$", "set the new password"),
    (r"^POST /v1\.0/users/[^/]+/sendMail$", "send mail"),
]
LINE = re.compile(r"^m365: \S+ (\S+) (\S+) -> (\S+)")


def fingerprint(password):
    if password is None:
        return "(none)"
    return hashlib.sha256(password.encode()).hexdigest()[:12]


def account(url, ctx, upn):
    target = "%s/_emulator/users/%s" % (url, urllib.parse.quote(upn))
    try:
        with urllib.request.urlopen(target, context=ctx, timeout=3) as r:
            return json.load(r)
    except (OSError, ValueError):
        return None


def describe(line):
    m = LINE.match(line)
    if not m:
        return None
    method, target, status = m.groups()
    path = urllib.parse.unquote(target.split("?", 1)[0])
    if path.startswith("/_emulator/"):
        return None	# the demo's own look-ups, not pam_sspr
    words = "?"
    for pattern, meaning in MEANING:
        if re.match(pattern, "%s %s" % (method, path)):
            words = meaning
            break
    short = re.sub(r"^/v1\.0/users/([^@/]+)@[^/]+", r"/users/\1", path)
    short = re.sub(r"^/[^/]+/oauth2/v2\.0/token$", "/oauth2/token", short)
    return "%s %-5s %-13s %s  %s" % (
        time.strftime("%H:%M:%S"), method, short, status, words)


def show_account(rec, upn, changed):
    if rec is None:
        return
    if changed:
        print()
        print("*** Password changed in Microsoft 365 ***")
    print("Account:      %s" % upn)
    print("Password:     fingerprint %s" % fingerprint(rec.get("password")))
    print("Last changed: %s" % (rec.get("lastPasswordChangeDateTime") or "not yet"))
    print(flush=True)


def main():
    log_file, url, ca_file, upn = sys.argv[1:5]
    ctx = ssl.create_default_context(cafile=ca_file)
    print("Microsoft 365 (a local emulator)")
    print("Requests pam_sspr makes appear below.")
    print(flush=True)
    rec = None
    for _ in range(100):
        rec = account(url, ctx, upn)
        if rec is not None:
            break
        time.sleep(0.1)
    show_account(rec, upn, False)
    last = (rec or {}).get("password")
    polled = 0.0
    with open(log_file, encoding="utf-8", errors="replace") as log:
        while True:
            line = log.readline()
            if line:
                text = describe(line.rstrip("\n"))
                if text:
                    print(text, flush=True)
                continue
            if time.monotonic() - polled >= 1:
                polled = time.monotonic()
                rec = account(url, ctx, upn)
                if rec is not None and rec.get("password") != last:
                    last = rec.get("password")
                    show_account(rec, upn, True)
            time.sleep(0.2)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
