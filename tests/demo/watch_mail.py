#!/usr/bin/python3
"""The demo's mail pane: the newest message the loopback SMTP server
received (To, Subject, text) in full as it arrives, older ones one line
each.

usage: watch_mail.py MAILDIR
"""
import email
import email.policy
import os
import shutil
import sys
import textwrap
import time


def width():
    return max(30, shutil.get_terminal_size((60, 20)).columns - 1)


def wrap(text):
    out = []
    for line in text.splitlines():
        out.extend(textwrap.wrap(line, width()) or [""])
    return out


def read(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    part = msg.get_body(("plain",))
    body = part.get_content() if part is not None else "(no text part)"
    stamp = time.strftime("%H:%M:%S", time.localtime(os.path.getmtime(path)))
    return {"time": stamp, "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")), "body": body}


def intro():
    print("Mail sent by pam_sspr arrives here")
    print("(a loopback SMTP server: nothing leaves this computer).")
    print()


def show(mails):
    """The newest message in full, older ones one line each below."""
    sys.stdout.write("\033[H\033[2J")
    intro()
    new = mails[-1]
    w = width()
    print(("-- newest mail, " + new["time"] + " ").ljust(w, "-"))
    print("To:      %s" % new["to"])
    print("Subject: %s" % new["subject"])
    print()
    for line in wrap(new["body"].strip("\n")):
        print("  " + line)
    if len(mails) > 1:
        print()
        print("-- earlier mail ".ljust(w, "-"))
        for m in reversed(mails[-6:-1]):
            print(("%s %s" % (m["time"], m["subject"]))[:w])
    sys.stdout.flush()


def messages(maildir):
    found = []
    for sub in ("new", "cur"):
        d = os.path.join(maildir, sub)
        try:
            names = os.listdir(d)
        except FileNotFoundError:
            continue
        for n in names:
            p = os.path.join(d, n)
            try:
                found.append((os.path.getmtime(p), n, p))
            except FileNotFoundError:
                pass
    return sorted(found)


def main():
    maildir = sys.argv[1]
    intro()
    sys.stdout.flush()
    seen = set()
    mails = []
    while True:
        changed = False
        for _, name, path in messages(maildir):
            if name in seen:
                continue
            try:
                mails.append(read(path))
            except OSError:
                continue	# moved between list and read: next round
            seen.add(name)
            changed = True
        if changed:
            show(mails)
        time.sleep(0.3)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
