"""``check`` for every provider, through every way a user runs it: one read-only request, the
credentials judged as a cancel judges them, nothing cancelled, no credential shown.

The emulator on 127.0.0.1 accepts its development credentials and refuses the cases' canaries;
a loopback server answers what no check may pass (a 503, an HTML page, a redirect).
"""

from __future__ import annotations

import json
import os
import subprocess
import sys
from collections.abc import Callable
from typing import Any

import anyio
import httpx
import pytest

import unsend
from unsend.testing import EmulatorFixture

from .cases import Answer, Case

Check = Callable[[dict[str, Any]], tuple[list[unsend.CheckResult], int | None]]
"""A configuration mapping -> the results shown, and the exit code (the CLI's only)."""


def _canceller(config: dict[str, Any]) -> tuple[list[unsend.CheckResult], int | None]:
    with unsend.from_config(config) as canceller:
        return [canceller.check()], None


def _async_canceller(config: dict[str, Any]) -> tuple[list[unsend.CheckResult], int | None]:
    async def main() -> unsend.CheckResult:
        async with unsend.from_config(config, asynchronous=True) as canceller:
            return await canceller.check()

    return [anyio.run(main)], None


def _router(config: dict[str, Any]) -> tuple[list[unsend.CheckResult], int | None]:
    with unsend.Router({"r": config}) as router:
        found = router.check()
    assert {r.name for r in found.values()} == {"r"}
    return list(found.values()), None


def _async_router(config: dict[str, Any]) -> tuple[list[unsend.CheckResult], int | None]:
    async def main() -> dict[str, unsend.CheckResult]:
        async with unsend.AsyncRouter({"r": config}) as router:
            return await router.check()

    return list(anyio.run(main).values()), None


def _cli(config: dict[str, Any]) -> tuple[list[unsend.CheckResult], int | None]:
    env = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    env |= {f"UNSEND_{k.upper()}": str(v) for k, v in config.items()}
    command = [sys.executable, "-m", "unsend.cli", "check", "--json"]
    done = subprocess.run(command, capture_output=True, text=True, env=env, timeout=120)
    results = []
    for line in done.stdout.splitlines():
        data = json.loads(line)
        results.append(
            unsend.CheckResult(
                data["provider"],
                data["ok"],
                data["detail"] + "\n" + done.stdout + done.stderr,
                data["status_code"],
                name=data["name"],
            )
        )
    return results, done.returncode


CHECKS: dict[str, Check] = {
    "Canceller.check": _canceller,
    "AsyncCanceller.check": _async_canceller,
    "Router.check": _router,
    "AsyncRouter.check": _async_router,
    "cli": _cli,
}


def _shown(results: list[unsend.CheckResult]) -> str:
    texts = []
    for result in results:
        texts += [repr(result), result.detail, json.dumps(result.to_dict())]
        if result.error is not None:
            texts += [str(result.error), repr(result.error)]
    return "\n".join(texts)


@pytest.mark.parametrize("checker", list(CHECKS))
def test_the_right_credentials_pass_and_nothing_is_cancelled(
    case: Case, checker: str, unsend_emulator: EmulatorFixture
) -> None:
    emu = unsend_emulator
    scheduled = emu.seed(case.name, count=2)
    results, code = CHECKS[checker](emu.config(case.name))
    (result,) = results
    assert result.ok, result.detail
    assert "credentials accepted" in result.detail
    assert code in (None, 0)
    assert {emu.states(case.name)[i] for i in scheduled} == {"scheduled"}


@pytest.mark.parametrize("checker", list(CHECKS))
def test_refused_credentials_fail_and_are_never_shown(
    case: Case, checker: str, unsend_emulator: EmulatorFixture
) -> None:
    config = case.config(unsend_emulator.url)  # the canaries: the emulator refuses them
    results, code = CHECKS[checker](config)
    (result,) = results
    assert not result.ok
    assert code in (None, 2)
    if checker != "cli":
        assert isinstance(result.error, unsend.AuthenticationError)
    shown = _shown(results)
    for secret in (*case.credentials, *case.secrets):
        for start in range(0, max(len(secret) - 7, 1)):
            assert secret[start : start + 8] not in shown


def _raw(status: int, body: bytes, *extra: tuple[str, str]) -> bytes:
    headers = (("Content-Type", "text/html"), ("Connection", "close"), *extra)
    return Answer(status, headers, body).raw()


@pytest.mark.parametrize(
    "answer",
    [
        _raw(503, b"<html>down</html>"),
        _raw(302, b"", ("Location", "https://login.example/")),
        _raw(200, b"<html>Sign in to the guest Wi-Fi</html>"),
        _raw(404, b"<html>Not Found</html>"),
    ],
    ids=["503", "redirect", "200 html page", "404 html page"],
)
def test_what_is_not_an_acceptance_never_passes(
    case: Case, answer: bytes, serve: Callable[..., Any]
) -> None:
    server = serve([[answer]])
    (result,), _ = _canceller({**case.config(server.url), "max_attempts": 1})
    assert not result.ok, result.detail
    assert result.error is not None
    assert len(server.requests) == 1  # a redirect is never followed
    # The provider's read-only check, never its cancel (Mandrill's every call is a POST).
    provider: Any = case.provider(server.url)
    check, cancel = provider.check_request(), provider.cancel_request(case.message_id)
    line = server.requests[0].split(b"\r\n", 1)[0]
    assert line.startswith(f"{check.method} ".encode() + check.url.raw_path + b" ")
    assert (check.method, check.url.raw_path) != (cancel.method, cancel.url.raw_path)


def test_a_200_page_echoing_the_credentials_never_shows_them(case: Case) -> None:
    """A 200 that is not the provider's JSON (a portal's page) quotes what it was sent: the
    adapter's own refusal of it shows none of it (before any layer above blanks it again)."""
    echoed = " ".join((*case.credentials, *case.secrets)).encode()
    provider: Any = case.provider("http://127.0.0.1:1")
    response = httpx.Response(
        200, headers={"Content-Type": "text/html"}, content=b"<html>you sent " + echoed
    )
    response.request = provider.check_request()
    with pytest.raises(unsend.UnexpectedResponse) as refused:
        provider.check_result(response)
    shown = f"{refused.value}\n{refused.value!r}"
    assert "you sent" in shown  # the excerpt is there, blanked
    for secret in (*case.credentials, *case.secrets):
        for start in range(0, max(len(secret) - 7, 1)):
            assert secret[start : start + 8] not in shown
