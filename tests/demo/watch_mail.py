#!/usr/bin/python3
"""The demo's mail pane: the newest message the loopback SMTP server
received (To, Subject, text) in full as it arrives, older ones one line
each.

usage: watch_mail.py MAILDIR
"""
import email
import email.policy
import os
import re
import shutil
import sys
import textwrap
import time


def width():
    return max(30, shutil.get_terminal_size((60, 20)).columns - 1)


def wrap(text):
    out = []
    for line in text.splitlines():
        out.extend(textwrap.wrap(line, width() - 2) or [""])
    return out


def read(path):
    with open(path, "rb") as f:
        msg = email.message_from_binary_file(f, policy=email.policy.default)
    part = msg.get_body(("plain",))
    body = part.get_content() if part is not None else "(no text part)"
    stamp = time.strftime("%H:%M:%S", time.localtime(os.path.getmtime(path)))
    return {"time": stamp, "to": str(msg.get("To", "")),
            "subject": str(msg.get("Subject", "")), "body": body}


INTRO = ["Mail that pam_sspr sends arrives here.",
         "Nothing leaves this computer.",
         ""]
CODE = re.compile(r"[Cc]ode is: ([0-9]{6,8})")


def intro():
    print("\n".join(INTRO), flush=True)


def show(mails):
    """The newest message, its code (if any) on top, older ones one line
    each below; the body is cut to fit the pane so nothing scrolls away."""
    w = width()
    rows = shutil.get_terminal_size((60, 20)).lines
    new = mails[-1]
    head = list(INTRO)
    head.append(("-- newest mail, " + new["time"] + " ").ljust(w, "-"))
    head.append("To:      %s" % new["to"])
    head.append("Subject: %s" % new["subject"])
    code = CODE.search(new["body"])
    if code:
        head.append(">>> The code: %s" % code.group(1))
    head.append("")
    tail = []
    if len(mails) > 1:
        tail.append("")
        tail.append("-- earlier mail ".ljust(w, "-"))
        for m in reversed(mails[-4:-1]):
            tail.append(("%s %s" % (m["time"], m["subject"]))[:w])
    body = ["  " + line for line in wrap(new["body"].strip("\n"))]
    room = max(1, rows - 1 - len(head) - len(tail))
    if len(body) > room:
        body = body[:room - 1] + ["  (...)"]
    sys.stdout.write("\033[H\033[2J")
    sys.stdout.write("\n".join(head + body + tail) + "\n")
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
