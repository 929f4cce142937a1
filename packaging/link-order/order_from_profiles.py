"""Writes the link order from callgrind profiles: the executable's functions that the first
profile names, then those that each later profile adds, each name once (generate.sh explains the
phases). Within a phase the names are sorted: every function of a phase is run anyway, and
callgrind's own order changes from run to run with thread timing, so a regenerated file then
differs only by the functions that came or went.

Usage: order_from_profiles.py EXECUTABLE PROFILE...
"""
import re
import sys

# `fn=(12) name` defines a compressed name, `fn=(12)` reuses it; the same for objects (`ob=`),
# callees (`cfn=`) and their objects (`cob=`). A cost line belongs to the last `ob=` and `fn=`.
NAME_LINE = re.compile(r"^(ob|fn|cob|cfn)=\((\d+)\)(?: (.*))?$")
# callgrind marks a function's recursion levels with a suffix: `name'2`.
RECURSION = re.compile(r"'\d+$")


def functions(profile, executable):
    objects, names = {}, {}
    current_object = None
    for line in open(profile, encoding="utf-8", errors="replace"):
        match = NAME_LINE.match(line.rstrip("\n"))
        if not match:
            continue
        kind, number, name = match.groups()
        table = objects if kind.endswith("ob") else names
        if name is not None:
            table[number] = name
        if kind == "ob":
            current_object = objects[number]
        elif kind == "fn" and current_object is not None and current_object.endswith("/" + executable):
            yield RECURSION.sub("", names[number])


def main():
    executable = sys.argv[1].rsplit("/", 1)[-1]
    seen = set()
    for profile in sys.argv[2:]:
        phase = set(functions(profile, executable)) - seen
        for name in sorted(phase):
            print(name)
        seen |= phase
    if not seen:
        sys.exit(f"order_from_profiles.py: no function of {executable} in the profiles")


main()
