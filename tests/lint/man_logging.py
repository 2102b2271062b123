# Every line the module logs (the format of each pam_syslog() call in
# pam_sspr/*/*.c, and of each sspr_session_log() call, which ends in
# pam_syslog() inside PAM) is listed in pam_sspr(8), LOGGING: each of its
# fixed parts of 8 characters or more appears in the rendered page.
# Usage: python3 man_logging.py SRC_DIR; exit 1 listing what is missing.
import re, sys, glob, subprocess
src = sys.argv[1]
page = subprocess.run(["mandoc", "-Tascii", "-O", "width=1000", src + "/man/pam_sspr.8"], capture_output=True, text=True, check=True).stdout
page = re.sub(r".\x08", "", page)
# Only the LOGGING section, on one line (lines too long to wrap, so
# that no word is hyphenated).
page = page[page.index("\nLOGGING\n"):]
page = page[:page.index("\nFILES\n")]
page = " ".join(page.split())
missing = []
count = 0
for f in sorted(glob.glob(src + "/pam_sspr/*/*.c")):
    text = open(f).read()
    for m in re.finditer(r"(?:pam_syslog|sspr_session_log)\s*\(", text):
        # the arguments up to the matching parenthesis
        depth, i = 1, m.end()
        while depth and i < len(text):
            depth += {"(": 1, ")": -1}.get(text[i], 0)
            i += 1
        call = text[m.end():i - 1]
        # the format: the first run of adjacent string literals
        group = re.search(r'(?:"(?:[^"\\]|\\.)*"\s*)+', call)
        if group is None:
            continue
        fmt = "".join(re.findall(r'"((?:[^"\\]|\\.)*)"', group.group(0)))
        chunks = [c.strip(" '():;,") for c in re.split(r"%[a-z.]*[a-z]", fmt)]
        chunks = [c for c in chunks if len(c) >= 8]
        if not chunks:
            continue
        count += 1
        for c in chunks:
            c = " ".join(c.split())
            if c not in page:
                missing.append("%s: %s" % (f.rsplit("/", 1)[1], c))
for c in missing:
    print("not in pam_sspr(8) LOGGING:", c)
print("checked", count, "calls")
sys.exit(1 if missing or count < 30 else 0)
