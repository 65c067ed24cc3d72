"""The benchmark harness at tiny sizes, so it keeps working. Its figures are not claims."""

from __future__ import annotations

import json
from pathlib import Path

from benchmarks.__main__ import QUICK, run

# Smaller than --quick: the sizes only need to exercise every section, not to settle.
SMOKE = {
    **QUICK,
    "throughput_cancels": 40,
    "latency_calls": 10,
    "rate_cancels": 30,
    "memory_ids": 500,
    "ceiling_cancels": 100,
    "fleet_bucket_ids": 10,
}


def test_the_harness_runs_and_writes_its_three_files(tmp_path: Path) -> None:
    results = run(SMOKE, tmp_path, log=lambda _: None)
    written = json.loads((tmp_path / "results.json").read_text())
    assert written == json.loads(json.dumps(results))
    for section in (
        "latency",
        "throughput",
        "rate_limit",
        "import_time",
        "memory",
        "emulator_ceiling",
        "deadline_guard",
        "telemetry_cost",
    ):
        assert section in written
    assert written["deadline_guard"]["sync"]["courier"]["guarded_vs_unguarded"] > 0
    for provider in ("qstash", "onesignal", "courier"):
        assert written["latency"][provider]["unsend_vs_httpx"] > 0
        assert set(written["throughput"][provider]["cancels_per_second"]) == {
            "aiohttp_raw",
            "unsend_async",
            "unsend_sync",
            "unsend_async_aiohttp",
            "unsend_sync_aiohttp",
            "unsend_async_plain_client",
            "httpx_naive",
            "sdk",
        }
        assert written["throughput"][provider]["unsend_async_vs_aiohttp_raw"] > 0
        assert written["throughput"][provider]["unsend_sync_aiohttp_vs_aiohttp_raw"] > 0
    assert written["telemetry_cost"]["courier"]["api_no_sdk_vs_without"] > 0
    assert written["memory"]["ids"] == SMOKE["memory_ids"]
    assert "Sequential cancel" in (tmp_path / "results.md").read_text()
    assert (tmp_path / "results.png").read_bytes().startswith(b"\x89PNG")
