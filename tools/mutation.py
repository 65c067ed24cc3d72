"""Mutation testing of the core, bounded: ``python tools/mutation.py [--sample N] [--all]``.

Runs mutmut (configured in pyproject.toml: which modules, which fast tests, and which lines'
mutants are equivalent, each with its reason) over a deterministic sample of the mutants, the
first of every function's and one in every N after it (N=8 by default: a few minutes on two
cores), or over all
of them with ``--all``. Prints the score per module, equivalent mutants excluded (they are never
generated), and the surviving mutants to read with ``mutmut show NAME``. Exits 1 if a module of
the core scores below ``--fail-under`` (default 0: report only). Run it before a refactor.
"""

from __future__ import annotations

import argparse
import collections
import re
import shutil
import subprocess
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
MUTMUT = [sys.executable, "-m", "mutmut"]
SCORED = {"killed", "timeout", "survived", "suspicious"}


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="every mutant, not a sample")
    parser.add_argument("--sample", type=int, default=8, help="one mutant in N (default 8)")
    parser.add_argument("--fail-under", type=float, default=0.0, help="minimum score, percent")
    args = parser.parse_args(argv)

    shutil.rmtree(ROOT / "mutants", ignore_errors=True)
    # mutmut numbers each function's mutants from 1: taking 1, 1+N, 1+2N... samples every
    # function, the same way each run, so a sample's score compares with the last one's.
    patterns = [] if args.all else [f"*__mutmut_{n}" for n in range(1, 1000, args.sample)]
    subprocess.run([*MUTMUT, "run", *patterns], cwd=ROOT, check=False, stdout=subprocess.DEVNULL)
    listing = subprocess.run(
        [*MUTMUT, "results", "--all", "true"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout

    status_by_module: dict[str, collections.Counter[str]] = collections.defaultdict(
        collections.Counter
    )
    survivors: list[str] = []
    for line in listing.splitlines():
        match = re.match(r"\s*(unsend\.[\w.]+?)\.x\S*?__mutmut_(\d+): (\w[\w ]*)", line)
        if not match:
            continue
        module, number, status = match[1], int(match[2]), match[3].strip()
        if not args.all and (number - 1) % args.sample:
            continue
        if status == "not checked":
            continue
        status_by_module[module][status] += 1
        if status == "survived":
            survivors.append(line.split(":")[0].strip())

    failed = False
    print(f"{'module':40} {'killed':>7} {'survived':>9} {'score':>7}")
    for module in sorted(status_by_module):
        counts = status_by_module[module]
        killed = counts["killed"] + counts["timeout"]
        total = killed + counts["survived"] + counts["suspicious"]
        score = 100.0 * killed / total if total else 100.0
        failed |= score < args.fail_under
        print(f"{module:40} {killed:7} {counts['survived']:9} {score:6.1f}%")
    killed_all = sum(c["killed"] + c["timeout"] for c in status_by_module.values())
    lived_all = sum(c["survived"] + c["suspicious"] for c in status_by_module.values())
    if killed_all + lived_all:
        score = 100.0 * killed_all / (killed_all + lived_all)
        print(f"{'all':40} {killed_all:7} {lived_all:9} {score:6.1f}%")
    others = collections.Counter[str]()
    for counts in status_by_module.values():
        others.update({k: v for k, v in counts.items() if k not in SCORED})
    if others:
        print("not scored:", ", ".join(f"{n} {status}" for status, n in sorted(others.items())))
    for name in survivors:
        print("survived:", name)
    return 1 if failed else 0


if __name__ == "__main__":
    sys.exit(main())
