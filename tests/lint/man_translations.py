#!/usr/bin/python3
"""Each translation of a manual page (man/LL/PAGE) keeps up with the
English page (man/PAGE): the names the pages set in bold -- keys,
values, options, JSON fields, commands -- are the same in both (one
only the translation has was dropped from the English page), and both
have as many sections (.SH), subsections (.SS) and tagged
paragraphs (.TP), one for each key or field. A translation that lacks
one has fallen behind.

   man_translations.py SRC_DIR

Prints one line per difference and a count last; exits 1 when there is
one. Only names count (lower case ASCII, digits, '_', '-', '.', ':' or
'/'), not headings or prose, which are translated.
"""
import os
import re
import shlex
import sys

NAME = re.compile(r"[a-z][a-z0-9_.:/-]*$")
# Which arguments of the alternating font macros are bold.
BOLD_ARGS = {".B": "all", ".BR": 0, ".BI": 0, ".RB": 1, ".IB": 1}


def bold_words(path):
    words = set()
    spans = []
    with open(path, encoding="utf-8") as f:
        text = f.read()
    text = text.replace("\\-", "-").replace("\\&", "")
    spans += [m.group(1) for m in re.finditer(r"\\fB(.*?)\\f[RPI]", text)]
    for line in text.splitlines():
        macro, _, rest = line.partition(" ")
        which = BOLD_ARGS.get(macro)
        if which is None:
            continue
        try:
            args = shlex.split(rest, posix=True)
        except ValueError:
            args = rest.split()
        for i, a in enumerate(args):
            if which == "all" or i % 2 == which:
                spans.append(a)
    # A span of one word is a name ("key =" too); several words are a
    # label of someone's user interface, which a translation translates.
    for span in spans:
        span = span.strip()
        if span.endswith(" ="):
            span = span[:-2].strip()
        span = span.rstrip(".,;:")
        if " " not in span and NAME.match(span):
            words.add(span)
    return words


def structure(path):
    with open(path, encoding="utf-8") as f:
        lines = f.read().splitlines()
    return {m: sum(1 for l in lines if l.split(" ")[0] == m)
            for m in (".SH", ".SS", ".TP")}


def main(src):
    man = os.path.join(src, "man")
    missing = 0
    for page in sorted(os.listdir(man)):
        english = os.path.join(man, page)
        if not os.path.isfile(english):
            continue
        want = bold_words(english)
        for lang in sorted(os.listdir(man)):
            translated = os.path.join(man, lang, page)
            if not os.path.isfile(translated):
                continue
            name = os.path.join(lang, page)
            have_words = bold_words(translated)
            for w in sorted(want - have_words):
                print("not in %s: %s" % (name, w))
                missing += 1
            for w in sorted(have_words - want):
                print("only in %s, not in %s: %s" % (name, page, w))
                missing += 1
            have, should = structure(translated), structure(english)
            for m in should:
                if have[m] != should[m]:
                    print("%s has %d %s, %s has %d" %
                          (name, have[m], m, page, should[m]))
                    missing += 1
    print("%d differences between the pages and their translations" %
          missing)
    return 1 if missing else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv[1]))
