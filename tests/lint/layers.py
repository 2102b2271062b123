#!/usr/bin/python3
# The folders of pam_sspr/ are layers: an object may use symbols of its
# own folder and of folders below it, never of one above or beside it.
# Within a folder, files may use each other, but not in a cycle: a file
# is a stage or a helper, and a stage that calls back into its caller is
# two stages in one. Reads `nm` of every object under BUILD/obj/<folder>/
# and prints one line per offending reference or cycle (nothing when the
# tree keeps the order).
import glob
import os
import subprocess
import sys

# Lowest first. Folders of equal rank may not use each other.
RANK = {
    "common": 0,
    "module": 1, "auth": 1, "net": 1,
    "m365": 2,
    "mail": 3, "sms": 3,
    "change": 4,
    "challenge": 5,
    "reset": 6, "enroll": 6,
    "flow": 7, "cmd": 7,
}

obj_dir = sys.argv[1]
# Objects whose source is gone (a file moved or deleted since the last
# build) are not part of the tree any more.
src_dir = sys.argv[2]
defined = {}
wanted = {}
problems = []
for path in sorted(glob.glob(os.path.join(obj_dir, "*", "*.o"))):
    name = os.path.relpath(path, obj_dir)[:-2]
    if not os.path.exists(os.path.join(src_dir, "pam_sspr", name + ".c")):
        continue
    folder = name.split("/")[0]
    if folder not in RANK:
        problems.append(f"{name}: folder {folder}/ has no place in the layers")
        continue
    out = subprocess.run(["nm", path], capture_output=True, text=True,
                         check=True).stdout
    wanted[name] = set()
    for line in out.splitlines():
        f = line.split()
        if len(f) == 3 and f[1] in "TDBRGVW":
            defined[f[2]] = name
        elif len(f) == 2 and f[0] == "U":
            wanted[name].add(f[1])

for name, symbols in sorted(wanted.items()):
    folder = name.split("/")[0]
    for sym in sorted(symbols):
        owner = defined.get(sym)
        if owner is None:
            continue
        other = owner.split("/")[0]
        if other != folder and RANK[other] >= RANK[folder]:
            problems.append(f"{name} uses {sym} of {owner}")

# Cycles between objects: Tarjan's strongly connected components over
# "uses a symbol defined in".
edges = {name: sorted({defined[sym] for sym in symbols
                       if sym in defined and defined[sym] != name})
         for name, symbols in wanted.items()}
index = {}
low = {}
stack = []
on_stack = set()


def connect(v):
    # iterative, so that a deep graph cannot hit the recursion limit
    work = [(v, 0)]
    index[v] = low[v] = len(index)
    stack.append(v)
    on_stack.add(v)
    while work:
        v, i = work.pop()
        if i < len(edges.get(v, [])):
            work.append((v, i + 1))
            w = edges[v][i]
            if w not in index:
                index[w] = low[w] = len(index)
                stack.append(w)
                on_stack.add(w)
                work.append((w, 0))
            elif w in on_stack:
                low[v] = min(low[v], index[w])
            continue
        if low[v] == index[v]:
            scc = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                scc.append(w)
                if w == v:
                    break
            if len(scc) > 1:
                problems.append("cycle between " + ", ".join(sorted(scc)))
        if work:
            u = work[-1][0]
            low[u] = min(low[u], low[v])


for name in sorted(edges):
    if name not in index:
        connect(name)

if not wanted:
    problems.append(f"no objects under {obj_dir}")
print("\n".join(problems), end="\n" if problems else "")
