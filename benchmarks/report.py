"""Write results.json, results.md and results.png from one run's figures."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

NAMES = {"qstash": "QStash", "onesignal": "OneSignal", "courier": "Courier"}


def markdown(results: dict[str, Any]) -> str:
    lines = [
        f"Measured {results['date']} on {results['machine']}; medians of "
        f"{results['rounds']} rounds after warm-up; the emulator in its own process. "
        "Ratios are the claims.",
        "",
    ]
    latency = results["latency"]
    lines += [
        "**1. Sequential cancel, µs per call** (lower is better)",
        "",
        "| provider | unsend | raw httpx | official SDK | unsend / httpx | unsend / SDK |",
        "| --- | ---: | ---: | ---: | ---: | ---: |",
    ]
    for provider, f in latency.items():
        us = f["microseconds_per_cancel"]
        lines.append(
            f"| {NAMES[provider]} | {us['unsend']:.0f} | {us['httpx']:.0f} | "
            f"{us['sdk']:.0f} | {f['unsend_vs_httpx']:.2f} | {f['unsend_vs_sdk']:.2f} |"
        )
    throughput = results["throughput"]
    lines += [
        "",
        f"**2. {results['throughput_cancels']:,} cancels, cancels/s** (higher is "
        "better; concurrency 50; raw aiohttp with a semaphore is the ceiling for Python here; "
        "httpx is unsend's default transport, aiohttp the one chosen by name)",
        "",
        "| provider | raw aiohttp | unsend async (httpx) | unsend sync (httpx, threads) "
        "| unsend async (aiohttp) | unsend sync (aiohttp) | unsend, caller's plain "
        "AsyncClient | naive httpx | official SDK |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for provider, f in throughput.items():
        c = f["cancels_per_second"]
        lines.append(
            f"| {NAMES[provider]} | {c['aiohttp_raw']:,} | {c['unsend_async']:,} | "
            f"{c['unsend_sync']:,} | {c.get('unsend_async_aiohttp', 0):,} | "
            f"{c.get('unsend_sync_aiohttp', 0):,} | {c['unsend_async_plain_client']:,} | "
            f"{c['httpx_naive']:,} | {c['sdk']:,} |"
        )
    lines += [
        "",
        "Share of raw aiohttp (the issue's targets: aiohttp async 0.55, aiohttp sync 0.45, "
        "the httpx default 0.20) and of the SDK:",
        "",
        "| provider | async (httpx) | sync (httpx) | async (aiohttp) | sync (aiohttp) "
        "| async (httpx) / naive httpx | async / SDK |",
        "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
    ]
    for provider, f in throughput.items():
        lines.append(
            f"| {NAMES[provider]} | {f['unsend_async_vs_aiohttp_raw']:.2f} | "
            f"{f['unsend_sync_vs_aiohttp_raw']:.2f} | "
            f"{f.get('unsend_async_aiohttp_vs_aiohttp_raw', 0):.2f} | "
            f"{f.get('unsend_sync_aiohttp_vs_aiohttp_raw', 0):.2f} | "
            f"{f['unsend_async_vs_httpx_naive']:.2f} | {f['unsend_async_vs_sdk']:.2f} |"
        )
    rate = results["rate_limit"]
    lines += [
        "",
        f"**3. Against a {rate['limit_per_second']}/s limit** (OneSignal-style 429 "
        "with Retry-After)",
        "",
        "| run | achieved / limit | answered 429 |",
        "| --- | ---: | ---: |",
    ]
    for label in [k for k in rate if k != "limit_per_second"]:
        f = rate[label]
        lines.append(
            f"| {label.replace('_', ' ')} | {f['achieved_share_of_limit']:.1%} | "
            f"{f['share_answered_429']:.2%} |"
        )
    imports = results["import_time"]
    ms = imports["milliseconds"]
    lines += [
        "",
        "**4. Import time, ms** (fresh interpreter, core-only install)",
        "",
        "| import httpx | httpx + first Client | import unsend | unsend + first "
        "Canceller | qstash | trycourier | onesignal |",
        "| ---: | ---: | ---: | ---: | ---: | ---: | ---: |",
        f"| {ms['httpx']} | {ms['httpx_first_client']} | {ms['unsend']} | "
        f"{ms['unsend_first_canceller']} | {ms['sdk_qstash']} | {ms['sdk_courier']} | "
        f"{ms['sdk_onesignal']} |",
        "",
        f"unsend / httpx: {imports['unsend_vs_httpx']}; first canceller / first httpx "
        f"client: {imports['first_canceller_vs_first_httpx_client']}",
    ]
    if "eventbridge_canceller_adds_ms" in imports:
        lines += [
            "",
            f"A first EventBridge Scheduler canceller (botocore imported, its session built): "
            f"{ms['unsend_first_eventbridge_canceller']} ms, "
            f"{imports['eventbridge_canceller_adds_ms']} ms more than a first QStash canceller.",
        ]
    memory = results["memory"]
    lines += [
        "",
        f"**5. Memory:** {memory['ids']:,} ids read lazily from a file and cancelled "
        f"in {memory['seconds']} s, peak RSS {memory['peak_rss_mb']} MB.",
        "",
        f"**6. Emulator ceiling:** {results['emulator_ceiling']['cancels_per_second']:,.0f}"
        " cancels/s from a raw 32-connection client, so no figure above is the "
        "emulator's.",
        "",
    ]
    if guard := results.get("deadline_guard"):
        lines += [
            "**7. The whole-attempt deadline guard, per call** (sync: sequential cancels "
            "through unsend's own client vs a caller's plain client, same run; async: the "
            "cancel scope alone)",
            "",
            "| provider | sync guarded µs | sync unguarded µs | guarded / unguarded |",
            "| --- | ---: | ---: | ---: |",
        ]
        for provider, row in guard["sync"].items():
            us = row["microseconds_per_cancel"]
            lines.append(
                f"| {NAMES[provider]} | {us['guarded']:,} | {us['unguarded']:,} "
                f"| {row['guarded_vs_unguarded']:.2f} |"
            )
        lines += [
            "",
            f"Async: the cancel scope costs {guard['async_scope']['microseconds_per_attempt']} µs "
            "per attempt.",
            "",
        ]
    if fleet := results.get("fleet"):
        lines += [
            f"**8. A fleet against one {fleet['limit_per_second']}/s limit** (each process "
            f"the real CLI with --max-rate {fleet['limit_per_second']}; shared: "
            "--rate-limit-storage on one redis-server)",
            "",
            "| processes | shared: achieved / limit | shared: 429s | per process: achieved / "
            "limit | per process: 429s |",
            "| ---: | ---: | ---: | ---: | ---: |",
        ]
        for shared, alone in zip(fleet["shared"], fleet["per_process"], strict=True):
            lines.append(
                f"| {shared['processes']} | {shared['achieved_share_of_limit']:.1%} | "
                f"{shared['share_answered_429']:.2%} | {alone['achieved_share_of_limit']:.1%} | "
                f"{alone['share_answered_429']:.2%} |"
            )
        lines.append("")
        if bucket := fleet.get("bucket"):
            lines += [
                f"Against a strict bucket ({bucket['rate']}/s, burst {bucket['burst']}), "
                f"{bucket['processes']} CLI processes x {bucket['cancels'] // bucket['processes']}"
                f" ids, --max-rate {bucket['max_rate']} on one redis-server: "
                f"{bucket['achieved_share_of_limit']:.1%} of the bucket's rate achieved, "
                f"{bucket['share_answered_429']:.2%} of requests answered 429, "
                f"{bucket['results']} results for {bucket['cancels']} ids.",
                "",
            ]
    if newer := results.get("newer"):
        lines += [
            "**9. The five newer providers, cancels/s** (cancel_many async vs raw aiohttp with "
            "a semaphore, concurrency 50, same run)",
            "",
            "| provider | raw aiohttp | unsend async | unsend / aiohttp |",
            "| --- | ---: | ---: | ---: |",
        ]
        for provider, row in newer.items():
            c = row["cancels_per_second"]
            lines.append(
                f"| {provider.capitalize()} | {c['aiohttp_raw']:,} | {c['unsend_async']:,} | "
                f"{row['unsend_async_vs_aiohttp_raw']:.2f} |"
            )
        lines.append("")
    if every := results.get("every_provider"):
        lines += [
            "**11. One cancel at a time, every provider, microseconds** (target: unsend <= "
            "1.05x raw httpx sending the same request; one process, the two alternating per "
            "round, the median of the rounds' ratios)",
            "",
            "| provider | unsend | raw httpx | unsend / httpx |",
            "| --- | ---: | ---: | ---: |",
        ]
        for provider, row in every.items():
            m = row["microseconds_per_cancel"]
            lines.append(
                f"| {provider} | {m['unsend']} | {m['httpx']} | {row['unsend_vs_httpx']:.2f} |"
            )
        lines.append("")
    if cost := results.get("telemetry_cost"):
        lines += [
            "**10. OpenTelemetry's cost per cancel, microseconds** (target: with the API and no "
            "SDK, <= 1.02x a cancel without it). Headline: one interpreter, unsend's telemetry "
            "on and off between batches of 300 sequential cancels, alternating. Beside it, "
            "fresh interpreters per variant, whose run-to-run spread (about 5%) is larger than "
            "the difference.",
            "",
            "| provider | telemetry off | API, no SDK | on / off | fresh: without | "
            "fresh: API, no SDK | fresh: SDK recording |",
            "| --- | ---: | ---: | ---: | ---: | ---: | ---: |",
        ]
        alone = cost.get("telemetry_calls_microseconds", {})
        for provider, row in cost.items():
            if provider == "telemetry_calls_microseconds":
                continue
            m = row["microseconds_per_cancel"]
            ab = row["in_process_microseconds"]
            lines.append(
                f"| {provider.capitalize()} | {ab['off']} | {ab['on']} | "
                f"{row['api_no_sdk_vs_without']:.3f} | {m['without_otel']} | "
                f"{m['otel_api_no_sdk']} | {m['otel_sdk_recording']} |"
            )
        if alone:
            lines += [
                "",
                f"The telemetry calls of one cancel, timed alone: "
                f"{alone['without_otel']} us without opentelemetry, "
                f"{alone['otel_api_no_sdk']} us with the API and no SDK, "
                f"{alone['otel_sdk_recording']} us recording with the SDK.",
            ]
        lines.append("")
    return "\n".join(lines)


def chart(results: dict[str, Any], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    providers = list(results["latency"])
    labels = [NAMES[p] for p in providers]
    fig, axes = plt.subplots(1, 3, figsize=(15, 4.2))

    def bars(ax: Any, series: dict[str, list[float]], title: str, ylabel: str) -> None:
        width = 0.8 / len(series)
        for n, (name, values) in enumerate(series.items()):
            ax.bar([i + n * width for i in range(len(labels))], values, width, label=name)
        ax.set_xticks([i + width * (len(series) - 1) / 2 for i in range(len(labels))], labels)
        ax.set_title(title)
        ax.set_ylabel(ylabel)
        ax.legend(fontsize=8)

    latency = results["latency"]
    bars(
        axes[0],
        {
            k: [latency[p]["microseconds_per_cancel"][k] for p in providers]
            for k in ("unsend", "httpx", "sdk")
        },
        "Sequential cancel (lower is better)",
        "µs per cancel",
    )
    throughput = results["throughput"]
    bars(
        axes[1],
        {
            k: [throughput[p]["cancels_per_second"][k] for p in providers]
            for k in ("aiohttp_raw", "unsend_async", "unsend_sync", "httpx_naive", "sdk")
        },
        f"{results['throughput_cancels']:,} cancels, concurrency 50",
        "cancels / s",
    )
    ms = results["import_time"]["milliseconds"]
    names = [
        "httpx",
        "httpx_first_client",
        "unsend",
        "unsend_first_canceller",
        "sdk_qstash",
        "sdk_courier",
        "sdk_onesignal",
    ]
    axes[2].barh(names, [ms[n] for n in names])
    axes[2].invert_yaxis()
    axes[2].set_title("Import time (lower is better)")
    axes[2].set_xlabel("ms")
    fig.suptitle(f"unsend benchmarks, {results['date']}, {results['machine']}", fontsize=10)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


def write(results: dict[str, Any], folder: Path) -> None:
    folder.mkdir(parents=True, exist_ok=True)
    (folder / "results.json").write_text(json.dumps(results, indent=2) + "\n")
    (folder / "results.md").write_text(markdown(results))
    chart(results, folder / "results.png")
