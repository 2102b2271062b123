#!/usr/bin/python3
"""The demo's text message pane: the messages the emulator's Azure
Communication Services accepted, the newest with its code on top, older
ones one line each.

usage: watch_sms.py URL CAFILE
URL is the emulator's address, CAFILE the CA that signed its
certificate; the messages are read through its control API.
"""
import json
import re
import shutil
import ssl
import sys
import textwrap
import time
import urllib.request

INTRO = ["Text messages that pam_sspr sends arrive here.",
         "Nothing leaves this computer.",
         ""]
CODE = re.compile(r"^([0-9]{6,8}) ")


def messages(url, ctx):
    try:
        with urllib.request.urlopen(url + "/_emulator/sms", context=ctx,
                                    timeout=3) as r:
            return json.load(r)
    except (OSError, ValueError):
        return None


def show(sms):
    """The newest message first, so a small pane never scrolls it away;
    older ones one line each as far as the pane has room."""
    size = shutil.get_terminal_size((60, 20))
    w = max(30, size.columns - 1)
    new = sms[-1]
    out = []
    out.append(("-- newest text message, " + new["time"][11:19] + " ").ljust(w, "-"))
    out.append("To:   %s" % new["to"])
    code = CODE.match(new["message"])
    if code:
        out.append(">>> The code: %s" % code.group(1))
    out.extend(textwrap.wrap(new["message"], w - 2, initial_indent="  ",
                             subsequent_indent="  "))
    for m in reversed(sms[:-1]):
        out.append(("earlier: %s %s" % (m["time"][11:19], m["to"]))[:w])
    sys.stdout.write("\033[H\033[2J" + "\n".join(out[:max(1, size.lines - 1)]))
    sys.stdout.flush()


def main():
    url, ca_file = sys.argv[1:3]
    ctx = ssl.create_default_context(cafile=ca_file)
    print("\n".join(INTRO), flush=True)
    seen = 0
    while True:
        sms = messages(url, ctx)
        if sms and len(sms) != seen:
            seen = len(sms)
            show(sms)
        time.sleep(0.5)


if __name__ == "__main__":
    try:
        main()
    except KeyboardInterrupt:
        pass
