"""The ``unsend`` command, run as a subprocess against the emulator."""

from __future__ import annotations

import json
import os
import subprocess
import sys
import time
from pathlib import Path
from urllib.parse import quote

import httpx
import pytest

import unsend
from unsend.testing import EmulatorFixture

UNSEND = [sys.executable, "-m", "unsend.cli"]


def run(
    *args: str, stdin: str | None = None, env: dict[str, str] | None = None, timeout: float = 60
) -> subprocess.CompletedProcess[str]:
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    environ.update({"COLUMNS": "120", **(env or {})})
    return subprocess.run(
        [*UNSEND, *args],
        input=stdin,
        capture_output=True,
        text=True,
        env=environ,
        timeout=timeout,
        check=False,
    )


def dsn(
    emu: EmulatorFixture, provider: str = "courier", token: str | None = None, extra: str = ""
) -> str:
    c = emu.credentials
    secret = (
        token
        or {
            "qstash": c.qstash_token,
            "courier": c.courier_token,
            "onesignal": f"{c.onesignal_app_id}:{c.onesignal_api_key}",
        }[provider]
    )
    return f"{provider}://{secret}@?base_url={quote(emu.url, safe='')}{extra}"


def test_all_cancelled_exits_0_with_a_table(unsend_emulator: EmulatorFixture) -> None:
    ids = unsend_emulator.seed("courier", count=3)
    result = run("cancel", *ids, "--dsn", dsn(unsend_emulator))
    assert result.returncode == 0, result.stderr
    assert result.stdout.count("CANCELLED") == 3
    assert "3 message(s)" in result.stdout
    assert all(s == "cancelled" for s in unsend_emulator.states("courier").values())


def test_some_not_found_exits_1(unsend_emulator: EmulatorFixture) -> None:
    ids = unsend_emulator.seed("qstash", count=2)
    result = run("cancel", *ids, "missing-id", "--dsn", dsn(unsend_emulator, "qstash"))
    assert result.returncode == 1
    assert "NOT_FOUND" in result.stdout
    assert "missing-id" in result.stdout


def test_json_lines_one_object_per_result(unsend_emulator: EmulatorFixture) -> None:
    ids = unsend_emulator.seed("onesignal", count=4)
    delivered = unsend_emulator.seed("onesignal", state="delivered")
    result = run(
        "cancel",
        *ids,
        *delivered,
        "--json",
        "--ordered",
        "--dsn",
        dsn(unsend_emulator, "onesignal"),
    )
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert [line["message_id"] for line in lines] == ids + delivered
    assert [line["outcome"] for line in lines] == ["CANCELLED"] * 4 + ["NOT_CANCELLABLE"]
    assert lines[-1]["detail"].startswith("Notification has already been sent")
    assert set(lines[0]) >= {"provider", "cancelled", "status_code", "attempts", "elapsed", "error"}
    # exactly CancelResult.to_dict(): a line reads back as the result it was
    assert unsend.CancelResult.from_dict(lines[0]).to_dict() == lines[0]
    assert result.returncode == 1


def test_ids_from_stdin(unsend_emulator: EmulatorFixture) -> None:
    ids = unsend_emulator.seed("courier", count=25)
    stdin = "\n".join(ids) + "\n\n"
    result = run(
        "cancel",
        "--from-file",
        "-",
        "--json",
        "--concurrency",
        "4",
        "--dsn",
        dsn(unsend_emulator),
        stdin=stdin,
    )
    assert result.returncode == 0
    assert sorted(json.loads(line)["message_id"] for line in result.stdout.splitlines()) == sorted(
        ids
    )


def test_ids_from_a_file_and_config_from_toml(
    unsend_emulator: EmulatorFixture, tmp_path: Path
) -> None:
    ids = unsend_emulator.seed("qstash", count=3)
    (tmp_path / "ids.txt").write_text("\n".join(ids))
    config = tmp_path / "unsend.toml"
    config.write_text(f'dsn = "{dsn(unsend_emulator, "qstash")}"\n')
    result = run("cancel", "--from-file", str(tmp_path / "ids.txt"), "--config", str(config))
    assert result.returncode == 0, result.stderr


def test_config_from_the_environment(unsend_emulator: EmulatorFixture) -> None:
    [message_id] = unsend_emulator.seed("courier")
    result = run("cancel", message_id, env={"UNSEND_DSN": dsn(unsend_emulator)})
    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize(
    ("args", "message"),
    [
        (("cancel", "--dsn", "courier://t@"), "give message ids"),
        (("cancel", "x", "--dsn", "pigeon://t@"), "unknown provider"),
        (("cancel", "x"), "UNSEND_DSN"),
        (("cancel", "x", "--config", "/no/such/file.toml"), "cannot read"),
        (("cancel", "x", "--dsn", "courier://t@", "--concurrency", "0"), "0"),
    ],
)
def test_usage_and_configuration_errors_exit_2(args: tuple[str, ...], message: str) -> None:
    result = run(*args)
    assert result.returncode == 2
    assert message in result.stderr


def test_refused_credentials_exit_2_and_never_print_the_secret(
    unsend_emulator: EmulatorFixture,
) -> None:
    [message_id] = unsend_emulator.seed("courier")
    secret = "wrong-but-secret-token"
    result = run("cancel", message_id, "--dsn", dsn(unsend_emulator, token=secret))
    assert result.returncode == 2
    assert secret not in result.stdout + result.stderr


def test_errors_exit_3(unsend_emulator: EmulatorFixture) -> None:
    [message_id] = unsend_emulator.seed("courier")
    unsend_emulator.set_faults("courier", unavailable_rate=1.0)
    result = run(
        "cancel",
        message_id,
        "--json",
        "--dsn",
        dsn(unsend_emulator, extra="&max_attempts=2&backoff_initial=0.01"),
    )
    assert result.returncode == 3
    line = json.loads(result.stdout)
    assert (line["outcome"], line["error"]["type"], line["attempts"]) == (
        "FAILED",
        "ProviderUnavailable",
        2,
    )


def test_help_documents_exit_codes() -> None:
    result = run("cancel", "--help")
    assert result.returncode == 0
    for code in ("0  every message", "1  some", "2  usage", "3  errors"):
        assert code in result.stdout


def test_demo_exits_0_and_shows_every_registered_provider() -> None:
    from unsend._registry import provider_names
    from unsend.emulator import emulated_providers

    result = run("demo", timeout=60)
    assert result.returncode == 0, result.stdout + result.stderr
    for provider in emulated_providers():
        assert provider in result.stdout
    assert set(emulated_providers()) <= set(provider_names())
    for outcome in ("CANCELLED", "NOT_FOUND", "NOT_CANCELLABLE", "ALREADY_CANCELLED"):
        assert outcome in result.stdout
    assert "agrees with the emulator's ground truth" in result.stdout
    assert "emulator-" not in result.stdout  # the demo's credentials are masked


def test_the_emulator_command_serves_until_stopped(tmp_path: Path) -> None:
    import socket

    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    process = subprocess.Popen(
        [*UNSEND, "emulator", "--port", str(port)], stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 20
        while True:
            try:
                health = httpx.get(f"http://127.0.0.1:{port}/_emulator/health", timeout=1)
                break
            except httpx.TransportError:
                assert time.monotonic() < deadline, "the emulator did not start"
                time.sleep(0.1)
        assert set(health.json()["providers"]) >= {"qstash", "onesignal", "courier"}
    finally:
        process.terminate()
        process.wait(10)
    banner = process.stderr.read().decode() if process.stderr else ""
    # The development credentials it prints are ready to use: each DSN cancels through it.
    dsns = dict(line.strip().split("=", 1) for line in banner.splitlines() if "_DSN=" in line)
    names = unsend.emulator.emulated_providers()
    assert set(dsns) == {f"UNSEND_{name.upper()}_DSN" for name in names}
    assert len(names) >= 8
    assert all(f"base_url=http://127.0.0.1:{port}" in value for value in dsns.values())
    for value in dsns.values():
        unsend.from_config(value).close()  # each parses into a working configuration


def test_the_console_script_is_installed() -> None:
    script = Path(sys.executable).parent / "unsend"
    result = subprocess.run([str(script), "--version"], capture_output=True, text=True, check=False)
    assert result.returncode == 0
    assert "unsend" in result.stdout


def test_the_demo_and_testing_helpers_import_without_pytest() -> None:
    """`pip install 'unsend[cli,emulator]'` has no pytest: the demo must not need it."""
    code = (
        "import sys; sys.modules['pytest'] = None\n"
        "from unsend.cli import _demo\n"
        "from unsend.testing import EmulatorFixture, FakeClock\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 0, done.stderr


def test_error_texts_keep_their_brackets() -> None:
    """The install hint names extras in brackets, which rich would eat as markup."""
    code = (
        "import sys; sys.modules['starlette'] = None\n"
        "sys.argv = ['unsend', 'demo']\n"
        "from unsend.cli import main; main()\n"
    )
    done = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True)
    assert done.returncode == 2
    assert "pip install 'unsend[cli,emulator]'" in done.stderr


def test_refused_credentials_stop_the_run_at_once(unsend_emulator: EmulatorFixture) -> None:
    """A 401 on 200 ids must not send 200 requests: every other id would be refused too."""
    ids = unsend_emulator.seed("courier", count=200)
    result = run(
        "cancel",
        "--from-file",
        "-",
        "--concurrency",
        "4",
        "--dsn",
        dsn(unsend_emulator, token="wrong-token-12345"),
        stdin="\n".join(ids),
    )
    assert result.returncode == 2
    assert "stopped there: the remaining ids were not sent" in result.stderr
    sent = sum(unsend_emulator.stats()["courier"].values())
    assert 1 <= sent <= 8, f"{sent} requests for refused credentials"
    assert set(unsend_emulator.states("courier").values()) == {"scheduled"}


def test_a_dsn_without_its_at_sign_says_so() -> None:
    result = run("cancel", "x", "--dsn", "qstash://my-token-1234")
    assert result.returncode == 2
    assert "the DSN has no '@' after its credentials: write qstash://CREDENTIALS@[HOST]" in (
        result.stderr.replace("\n", " ").replace("  ", " ")
    )
    assert "my-token-1234" not in result.stderr


@pytest.mark.parametrize(
    ("seconds", "shown"),
    [
        (1.5, "1.5 s"),
        (59, "59 s"),
        (90, "1 min 30 s"),
        (3600, "1 h"),
        (28_390_600, "328 d 14 h"),
    ],
)
def test_long_waits_read_as_durations(seconds: float, shown: str) -> None:
    error = unsend.RateLimited("slow", retry_after=seconds)
    assert str(error) == f"slow; retry after {shown}"


def test_the_table_says_why_each_failure_failed(unsend_emulator: EmulatorFixture) -> None:
    emu = unsend_emulator
    (message_id,) = emu.seed("courier", count=1)
    emu.set_faults("courier", server_error_rate=1.0)
    narrow = {"COLUMNS": "80"}
    result = run("cancel", message_id, "1-unknown", "--dsn", dsn(emu), env=narrow)
    assert result.returncode == 3, result.stderr
    assert "ProviderUnavailable" in result.stdout
    assert "FAILED" in result.stdout
    assert emu.credentials.courier_token not in result.stdout


def test_refs_with_several_providers_configured(
    unsend_emulator: EmulatorFixture, tmp_path: Path
) -> None:
    emu = unsend_emulator
    config = tmp_path / "unsend.toml"
    config.write_text(
        "".join(
            f"[providers.{name}]\n"
            + "".join(f'{key} = "{value}"\n' for key, value in emu.config(provider).items())
            for name, provider in (("push", "onesignal"), ("mail", "courier"))
        )
    )
    push = emu.seed("onesignal", count=2)
    mail = emu.seed("courier", count=2)
    refs = [f"push:{i}" for i in push] + [f"mail:{i}" for i in mail]
    result = run("cancel", *refs, "sms:1", "--config", str(config), "--json")
    lines = [json.loads(line) for line in result.stdout.splitlines()]
    assert sorted(line["ref"] for line in lines) == sorted([*refs, "sms:1"])
    assert result.returncode == 1  # an unknown name is that ref's failure, as a bad id is
    assert all(s == "cancelled" for s in emu.states("onesignal").values())
    assert all(s == "cancelled" for s in emu.states("courier").values())
    from_env = run(
        "cancel",
        *[f"courier:{i}" for i in emu.seed("courier", count=2)],
        env={"UNSEND_COURIER_DSN": emu.dsn("courier")},
    )
    assert from_env.returncode == 0, from_env.stderr
    assert from_env.stdout.count("CANCELLED") == 2


def test_a_ref_goes_to_the_provider_it_names_even_beside_a_default_dsn(
    unsend_emulator: EmulatorFixture,
) -> None:
    """UNSEND_DSN (QStash) and UNSEND_<NAME>_DSN together, as EmulatorFixture.env() sets them:
    courier:ID goes to Courier, a bare id to the default, and a ref naming nothing configured
    is unroutable (exit 1), never sent to the default's provider."""
    emu = unsend_emulator
    (courier_id,) = emu.seed("courier")
    (qstash_id,) = emu.seed("qstash")
    done = run("cancel", "--json", f"courier:{courier_id}", qstash_id, env=emu.env())
    lines = [json.loads(line) for line in done.stdout.splitlines()]
    assert done.returncode == 0, done.stdout + done.stderr
    assert {(r["provider"], r["outcome"]) for r in lines} == {
        ("courier", "CANCELLED"),
        ("qstash", "CANCELLED"),
    }
    assert emu.states("courier")[courier_id] == "cancelled"
    done = run("cancel", "--json", "sms:1", env=emu.env())
    assert done.returncode == 1, done.stdout + done.stderr
    (line,) = [json.loads(line) for line in done.stdout.splitlines()]
    assert (line["outcome"], line["error"]["type"]) == ("FAILED", "ConfigError")
    assert emu.stats()["qstash"].get("404", 0) == 0  # nothing went to QStash


def test_the_fleet_routes_refs_beside_a_default_dsn(unsend_emulator: EmulatorFixture) -> None:
    from unsend.fleet import cancel_chunk
    from unsend.fleet._chunks import configured_canceller

    emu = unsend_emulator
    (courier_id,) = emu.seed("courier")
    with configured_canceller(emu.env()) as canceller:
        (result,) = cancel_chunk([f"courier:{courier_id}"], canceller=canceller)
    assert (result["provider"], result["outcome"]) == ("courier", "CANCELLED")


def test_the_table_of_a_file_shows_the_failures_and_counts_what_it_hides(
    unsend_emulator: EmulatorFixture, tmp_path: Path
) -> None:
    """More than 20 ids from a file: only those not cancelled are shown, whatever the source."""
    emu = unsend_emulator
    good = emu.seed("courier", count=30)
    unknown = [f"1-nope{i}" for i in range(5)]
    ids = tmp_path / "ids.txt"
    ids.write_text("\n".join([*good, *unknown]) + "\n")
    done = run("cancel", "--from-file", str(ids), "--dsn", dsn(emu), env={"COLUMNS": "200"})
    assert done.returncode == 1, done.stderr
    assert done.stdout.count("CANCELLED") == 0  # 30 cancelled ones are not rows
    assert done.stdout.count("NOT_FOUND") == 5
    assert "not shown" not in done.stdout
    assert "35 message(s)" in done.stdout


def test_ctrl_c_exits_130_and_every_printed_line_is_whole(
    unsend_emulator: EmulatorFixture,
) -> None:
    import signal

    emu = unsend_emulator
    ids = emu.seed("courier", count=400)
    emu.set_faults("courier", latency_ms=50, latency_rate=1.0)
    environ = {k: v for k, v in os.environ.items() if not k.startswith("UNSEND_")}
    command = [*UNSEND, "cancel", "--json", "--concurrency", "2", "--dsn", dsn(emu), *ids]
    # A job started in the background by a non-interactive shell (CI, say) inherits SIGINT
    # ignored, and Python then installs no KeyboardInterrupt handler: give the CLI the default
    # disposition a terminal would.
    process = subprocess.Popen(
        command,
        stdout=subprocess.PIPE,
        text=True,
        env=environ,
        preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL),
    )
    assert process.stdout is not None
    first = process.stdout.readline()  # it is running: interrupt it
    process.send_signal(signal.SIGINT)
    rest, _ = process.communicate(timeout=60)
    assert process.returncode == 130
    lines = [first, *rest.splitlines()]
    assert len(lines) < len(ids)
    for line in lines:
        json.loads(line)  # whole


def test_the_demo_reads_at_80_columns() -> None:
    done = run("demo", env={"COLUMNS": "80"}, timeout=60)
    assert done.returncode == 0, done.stdout + done.stderr
    assert max(len(line) for line in done.stdout.splitlines()) <= 80
    assert "Notification not" in done.stdout  # the why column has room for words
    assert "base_url=http://127.0.0.1:" in done.stdout  # the masked DSN, readable
    assert "emulator-" not in done.stdout
