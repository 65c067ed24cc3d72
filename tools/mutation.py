"""Mutation testing of the core, bounded: ``python tools/mutation.py [--group G] [--sample N]
[--all]``.

Runs mutmut (configured in pyproject.toml: which modules, which fast tests, and which lines'
mutants are equivalent, each with its reason) over a deterministic sample of the mutants, the
first of every function's and one in every N after it (N=8 by default: a few minutes on two
cores), or over all
of them with ``--all``. Prints the score per module, equivalent mutants excluded (they are never
generated), and the surviving mutants to read with ``mutmut show NAME``. Exits 1 if a module of
the core scores below ``--fail-under`` (default 0: report only). Run it before a refactor.

``--group G`` (one of ``GROUPS``) mutates only that part of the core and selects only the tests
that judge it, in a copy of the tree (``build/mutation-G``): a group's run stays minutes long
however slow the rest of the selection is. Run from that folder, ``mutmut show NAME`` reads its
survivors.
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

# Each part of the core, and the tests that judge it (fast ones: no subprocess, no real service
# unless the part is about one). docs/development.md's table is one row per group.
GROUPS: dict[str, tuple[list[str], list[str]]] = {
    "outcomes": (
        [
            "src/unsend/qstash/_adapter.py",
            "src/unsend/providers/_onesignal.py",
            "src/unsend/providers/_courier.py",
            "src/unsend/providers/_responses.py",
        ],
        [
            "tests/providers",
            "tests/test_boundaries.py",
            "tests/test_edge_cases.py",
            "tests/test_client.py",
            "tests/conformance/test_no_false_cancel.py",
            "tests/conformance/test_exact_answers.py",
            "tests/test_qstash_bulk_exact.py",
        ],
    ),
    "newer-adapters": (
        [
            "src/unsend/providers/_twilio.py",
            "src/unsend/providers/_resend.py",
            "src/unsend/providers/_sendgrid.py",
            "src/unsend/providers/_knock.py",
            "src/unsend/providers/_novu.py",
            "src/unsend/providers/_base.py",
        ],
        [
            "tests/providers",
            "tests/test_boundaries.py",
            "tests/test_edge_cases.py",
            "tests/conformance/test_no_false_cancel.py",
            "tests/conformance/test_hostile_ids.py",
            "tests/conformance/test_credentials.py",
            "tests/conformance/test_exact_answers.py",
        ],
    ),
    "newest-adapters": (
        [
            "src/unsend/providers/_slack.py",
            "src/unsend/providers/_braze.py",
            "src/unsend/providers/_mailchimp.py",
            "src/unsend/providers/_brevo.py",
            "src/unsend/providers/_airship.py",
            "src/unsend/providers/_cloudtasks.py",
            "src/unsend/providers/_eventbridge.py",
            "src/unsend/providers/_sinch.py",
        ],
        [
            "tests/providers",
            "tests/test_boundaries.py",
            "tests/conformance/test_no_false_cancel.py",
            "tests/conformance/test_hostile_ids.py",
            "tests/conformance/test_credentials.py",
            "tests/conformance/test_exact_answers.py",
        ],
    ),
    "reads": (
        [
            "src/unsend/providers/_status.py",
            "src/unsend/providers/_check.py",
            "src/unsend/_engine/confirm.py",
        ],
        [
            "tests/conformance/test_status.py",
            "tests/conformance/test_check.py",
            "tests/conformance/test_confirmation.py",
            "tests/conformance/test_exact_answers.py",
            "tests/test_confirm.py",
            "tests/providers/test_read_status.py",
        ],
    ),
    "ids": (
        ["src/unsend/_ids.py", "src/unsend/_ref.py"],
        [
            "tests/test_ids.py",
            "tests/test_ref.py",
            "tests/conformance/test_hostile_ids.py",
            "tests/conformance/test_exact_answers.py",
        ],
    ),
    "retry": (
        [
            "src/unsend/_engine/retry.py",
            "src/unsend/_engine/retrying.py",
            "src/unsend/_engine/retry_after.py",
        ],
        [
            "tests/test_retry.py",
            "tests/test_retry_after.py",
            "tests/test_engine.py",
            "tests/test_boundaries.py",
        ],
    ),
    "redaction": (
        ["src/unsend/_redact.py", "src/unsend/_secret.py"],
        [
            "tests/test_redact.py",
            "tests/test_secrets.py",
            "tests/test_edge_cases.py",
            "tests/test_boundaries.py",
            "tests/conformance/test_no_credential_shown.py",
            "tests/conformance/test_credentials.py",
            "tests/providers",
            "tests/test_config.py",
            "tests/test_logging.py",
        ],
    ),
    "body-and-gate": (
        ["src/unsend/_engine/body.py", "src/unsend/_engine/gate.py"],
        ["tests/test_body.py", "tests/test_gate.py", "tests/test_engine.py"],
    ),
    "fan-out": (
        ["src/unsend/_engine/fanout.py"],
        [
            "tests/test_fanout.py",
            "tests/test_transports.py",  # the sync fan-out on aiohttp: the private loop
            "tests/test_cancel_many.py",
            "tests/conformance/test_streams.py",
            "tests/hostile/test_cancel_many_early_exit.py",
            "tests/integration/test_cancel_many_emulator.py",
            "tests/test_engine.py",
        ],
    ),
    "shared-gate": (
        ["src/unsend/_engine/shared_gate.py"],
        # Not the four CLI processes: a benchmark's shape (seconds per run), judging nothing
        # the in-process tests of the same file do not.
        [
            "tests/fleet/test_shared_gate.py",
            "tests/fleet/test_shared_gate_steps.py",
            "tests/fleet/test_shared_gate_connections.py",
            "--deselect",
            "tests/fleet/test_shared_gate.py::test_four_cli_processes_hold_the_fleet_limit",
        ],
    ),
    "bulk": (
        [
            "src/unsend/qstash/_plans.py",
            "src/unsend/qstash/_follow.py",
            "src/unsend/qstash/_actions.py",
        ],
        [
            "tests/test_bulk.py",
            "tests/test_qstash_bulk_exact.py",
            "tests/test_qstash_follow.py",
            "tests/hostile/test_qstash_bounds.py",
            "tests/integration/test_qstash_actions.py",
            "tests/integration/test_qstash_bulk.py",
            "tests/providers/test_qstash_actions.py",
        ],
    ),
    "values": (
        [
            "src/unsend/_result.py",
            "src/unsend/_wire.py",
            "src/unsend/_record.py",
            "src/unsend/providers/_urls.py",
        ],
        [
            "tests/test_wire.py",
            "tests/test_wire_refusals.py",
            "tests/providers",
            "tests/test_client.py",
            "tests/test_confirm.py",
            "tests/test_config.py",
            "tests/conformance/test_exact_answers.py",
        ],
    ),
}


REAL_SERVICES = {"shared-gate"}  # judged by tests on a real redis-server, marked slow


def _toml_list(values: list[str]) -> str:
    return "[\n" + "".join(f'  "{v}",\n' for v in values) + "]"


def _group_tree(group: str) -> Path:
    """A copy of the tracked tree whose mutmut configuration mutates and tests one group."""
    mutate, tests = GROUPS[group]
    folder = ROOT / "build" / f"mutation-{group}"
    shutil.rmtree(folder, ignore_errors=True)
    git = shutil.which("git") or "git"
    tracked = subprocess.run(
        [git, "ls-files"], cwd=ROOT, capture_output=True, text=True, check=True
    ).stdout.splitlines()
    for name in tracked:
        target = folder / name
        target.parent.mkdir(parents=True, exist_ok=True)
        if (ROOT / name).is_file():
            shutil.copy2(ROOT / name, target)
    config = (folder / "pyproject.toml").read_text()
    config = re.sub(r"(?ms)^only_mutate = \[.*?^\]", f"only_mutate = {_toml_list(mutate)}", config)
    config = re.sub(
        r"(?ms)^pytest_add_cli_args_test_selection = \[.*?^\]",
        f"pytest_add_cli_args_test_selection = {_toml_list(tests)}",
        config,
    )
    # What tests read beside tests/ (contract documents, cassettes, the benchmark harness).
    also = ["providers", "cassettes", "benchmarks", "docs", "examples"]
    config = config.replace(
        "[tool.mutmut]\n", f"[tool.mutmut]\nalso_copy = {_toml_list(also)}\n", 1
    )
    if group not in REAL_SERVICES:
        # The slow tests (subprocesses, real services) judge nothing these fast ones do not.
        config = config.replace(
            'pytest_add_cli_args = ["-n", "0",',
            'pytest_add_cli_args = ["-n", "0", "-m", "not slow",',
            1,
        )
    (folder / "pyproject.toml").write_text(config)
    return folder


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--all", action="store_true", help="every mutant, not a sample")
    parser.add_argument("--sample", type=int, default=8, help="one mutant in N (default 8)")
    parser.add_argument("--fail-under", type=float, default=0.0, help="minimum score, percent")
    parser.add_argument("--group", choices=sorted(GROUPS), help="one part of the core only")
    args = parser.parse_args(argv)

    where = ROOT if args.group is None else _group_tree(args.group)
    shutil.rmtree(where / "mutants", ignore_errors=True)
    # mutmut numbers each function's mutants from 1: taking 1, 1+N, 1+2N... samples every
    # function, the same way each run, so a sample's score compares with the last one's.
    patterns = [] if args.all else [f"*__mutmut_{n}" for n in range(1, 1000, args.sample)]
    log = where / "mutation.log"
    with log.open("w") as out:
        done = subprocess.run(
            [*MUTMUT, "run", *patterns], cwd=where, check=False, stdout=out, stderr=out
        )
    if done.returncode:
        # A run that failed (its stats phase, say) scores nothing: say so, never print nothing.
        print(f"mutmut run failed (exit {done.returncode}); see {log}", file=sys.stderr)
        return 2
    listing = subprocess.run(
        [*MUTMUT, "results", "--all", "true"], cwd=where, capture_output=True, text=True, check=True
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
