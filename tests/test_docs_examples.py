"""Every Python and shell example in README.md and docs/ runs here, against the emulator.

Credentials in an example are placeholders: every provider an example builds (by class, DSN,
mapping or environment) is aimed at the emulator with its development credentials, so no
request leaves 127.0.0.1. The names an example takes as given (``courier_token``,
``stored_refs``, ``result`` ...) are bound to real values: seeded messages, refs, a result.
An example that cannot run says why just above it, ``<!-- example: skip REASON -->``; the
collector honours that, and there are few of them.
"""

from __future__ import annotations

import ast
import asyncio
import os
import re
import shlex
import shutil
import subprocess
import sys
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import attrs
import httpx
import pytest

import unsend
from unsend import _registry
from unsend.testing import EmulatorFixture

ROOT = Path(__file__).resolve().parents[1]
FILES = [ROOT / "README.md", *sorted((ROOT / "docs").rglob("*.md"))]
FENCE = re.compile(r"^```(\w+)\s*$")
SKIP = re.compile(r"^<!-- example: skip (.+) -->$")
MAX_SKIPPED = 8


@attrs.frozen
class Example:
    path: Path
    line: int
    language: str
    code: str
    skip: str | None

    @property
    def id(self) -> str:
        return f"{self.path.relative_to(ROOT)}:{self.line}"


def examples() -> Iterator[Example]:
    for path in FILES:
        lines = path.read_text().split("\n")
        i = 0
        while i < len(lines):
            fence = FENCE.match(lines[i])
            if fence and fence.group(1) in ("python", "sh"):
                start = i
                i += 1
                body: list[str] = []
                while not lines[i].startswith("```"):
                    body.append(lines[i])
                    i += 1
                before = next((text for text in reversed(lines[:start]) if text.strip()), "")
                skip = SKIP.match(before.strip())
                yield Example(
                    path, start + 1, fence.group(1), "\n".join(body), skip and skip.group(1)
                )
            i += 1


EXAMPLES = list(examples())


def test_few_examples_are_skipped() -> None:
    skipped = [e.id for e in EXAMPLES if e.skip]
    assert len(skipped) <= MAX_SKIPPED, skipped
    assert len(EXAMPLES) >= 20


def aimed(provider: unsend.Provider) -> Any:
    """A factory that ignores the credentials and hosts it is given: ``provider`` it is."""

    def build(*args: Any, **kwargs: Any) -> unsend.Provider:
        return provider

    build.__wrapped__ = type(provider)  # type: ignore[attr-defined]  # its signature, for DSNs
    build.dsn_host = getattr(type(provider), "dsn_host", None)  # type: ignore[attr-defined]
    return build


@pytest.fixture
def sandbox(
    unsend_emulator: EmulatorFixture, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> Iterator[dict[str, Any]]:
    emu = unsend_emulator
    monkeypatch.chdir(tmp_path)
    (tmp_path / "ids.txt").write_text("\n".join(emu.seed("onesignal", count=3)) + "\n")
    config = emu.config("onesignal")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.unsend]\n" + "".join(f'{k} = "{v}"\n' for k, v in config.items())
    )
    from unsend.providers import BUILTIN

    classes = {cls.name: cls.__name__ for cls in BUILTIN}
    real = {name: emu.provider(name) for name in classes}
    for name, cls in classes.items():
        factory = aimed(real[name])
        monkeypatch.setitem(_registry.BUILTINS, name, factory)
        monkeypatch.setattr(unsend, cls, factory)
    for key in [k for k in os.environ if k.startswith("UNSEND_")]:
        monkeypatch.delenv(key)
    monkeypatch.setenv("UNSEND_DSN", "qstash://TOKEN@")
    courier_ids = emu.seed("courier", count=4)
    with emu.canceller("courier") as canceller:
        result = canceller.cancel(emu.seed("courier", count=1)[0])
    refs = [f"mail:{i}" for i in emu.seed("courier", count=3)]
    refs += [f"push:{i}" for i in emu.seed("onesignal", count=2)]
    audit: list[unsend.CancelResult] = []
    pending = emu.seed("courier", count=2)

    async def ids_from_db() -> Any:
        for message_id in pending:
            yield message_id

    qstash = emu.canceller("qstash")
    client = httpx.Client()
    yield {
        "canceller": qstash,
        "httpx": httpx,
        "my_httpx_client": client,
        "provider": emu.provider("courier"),
        "ids_from_db": ids_from_db,
        "unsend": unsend,
        "emu": emu,
        "qstash_token": "TOKEN",
        "courier_token": "TOKEN",
        "onesignal_app_id": "APP_ID",
        "onesignal_api_key": "KEY",
        "token": "TOKEN",
        "app_id": "APP_ID",
        "api_key": "KEY",
        "key": "KEY",
        "courier_message_id": courier_ids[0],
        "notification_id": emu.seed("onesignal", count=1)[0],
        "ids": courier_ids[1:],
        "ids_to_withdraw": emu.seed("qstash", count=3),
        "campaign_ids": emu.seed("onesignal", count=3),
        "stored_refs": refs,
        "result": result,
        "audit": audit.append,
        "metrics": type("Metrics", (), {"record": staticmethod(audit.append)})(),
    }
    qstash.close()
    client.close()


def run_python(example: Example, namespace: dict[str, Any]) -> None:
    code = compile(example.code, example.id, "exec", flags=ast.PyCF_ALLOW_TOP_LEVEL_AWAIT)
    outcome = eval(code, namespace)  # noqa: S307 - the docs' own examples, by design
    if asyncio.iscoroutine(outcome):
        asyncio.run(outcome)


@pytest.mark.parametrize(
    "example", [e for e in EXAMPLES if e.language == "python"], ids=lambda e: e.id
)
def test_python_example(example: Example, sandbox: dict[str, Any]) -> None:
    if example.skip:
        pytest.skip(example.skip)
    run_python(example, dict(sandbox))


RAN_SHELL: dict[str, str] = {}
DSN = re.compile(r"\b(qstash|onesignal|courier|twilio|resend|sendgrid|knock|novu)://\S*@\S*")


@pytest.mark.parametrize("example", [e for e in EXAMPLES if e.language == "sh"], ids=lambda e: e.id)
def test_shell_example(example: Example, unsend_emulator: EmulatorFixture, tmp_path: Path) -> None:
    """Each ``unsend`` command line, its DSNs aimed at the emulator, in a scratch folder."""
    if example.skip:
        pytest.skip(example.skip)
    if example.code in RAN_SHELL:
        pytest.skip(f"the same lines as {RAN_SHELL[example.code]}, which ran")
    RAN_SHELL[example.code] = example.id
    emu = unsend_emulator
    ids = emu.seed("qstash", count=4)
    (tmp_path / "ids.txt").write_text("\n".join(ids[2:]) + "\n")
    (tmp_path / "pyproject.toml").write_text(
        "[tool.unsend]\n" + "".join(f'{k} = "{v}"\n' for k, v in emu.config("qstash").items())
    )
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    env["UNSEND_DSN"] = emu.dsn("qstash")
    env["PATH"] = f"{Path(sys.executable).parent}{os.pathsep}{env['PATH']}"
    cwd = tmp_path
    if "pip install" in example.code:  # the README's first command, in a copy of the tree
        cwd = tmp_path / "repo"
        ignored = shutil.ignore_patterns(".venv", ".git", "mutants", "site", "build", "__pycache__")
        shutil.copytree(ROOT, cwd, ignore=ignored)
    for line in example.code.split("\n"):
        command = line.split("#")[0].strip()
        if not command:
            continue
        command = DSN.sub(lambda m: shlex.quote(emu.dsn(m.group(1))), command)
        command = command.replace("msg_1 msg_2", " ".join(ids[:2]))
        done = subprocess.run(  # noqa: S602 - a shell example is a shell line, by design
            command, shell=True, cwd=cwd, env=env, capture_output=True, text=True, timeout=600
        )
        assert done.returncode in (0, 1), f"{command}\n{done.stdout}\n{done.stderr}"
