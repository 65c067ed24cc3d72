"""``EmulatorClient``: the control API from Python (``unsend.testing`` adds cancellers)."""

from __future__ import annotations

from typing import Any, Unpack

import httpx

from ._credentials import Credentials
from ._faults import FaultSettings

__all__ = ["EmulatorClient"]


class EmulatorClient:
    """Talks to a running emulator at ``url`` (its control API and its provider routes)."""

    def __init__(self, url: str, credentials: Credentials | None = None) -> None:
        self.url = url.rstrip("/")
        self.credentials = credentials if credentials is not None else Credentials()
        self._http = httpx.Client(base_url=self.url, timeout=30)

    def close(self) -> None:
        self._http.close()

    def _call(self, method: str, path: str, body: Any = None) -> Any:
        response = self._http.request(method, f"/_emulator{path}", json=body)
        if response.status_code >= 400:
            raise RuntimeError(f"emulator {method} {path}: {response.status_code} {response.text}")
        return response.json()

    # -- control ---------------------------------------------------------------------------

    def seed(
        self,
        provider: str,
        *,
        count: int = 1,
        state: str = "scheduled",
        delay: float = 3600,
        message_id: str | None = None,
        fields: dict[str, Any] | None = None,
        created_ms: int | None = None,
    ) -> list[str]:
        """Create messages directly in a state; returns their ids."""
        body = {
            "provider": provider,
            "count": count,
            "state": state,
            "delay": delay,
            "id": message_id,
            "fields": fields,
            "created_ms": created_ms,
        }
        return list(self._call("POST", "/messages", body)["ids"])

    def messages(self, provider: str | None = None) -> list[dict[str, Any]]:
        """Ground truth: every message and its state."""
        suffix = f"?provider={provider}" if provider else ""
        return list(self._call("GET", f"/messages{suffix}")["messages"])

    def states(self, provider: str) -> dict[str, str]:
        return {m["id"]: m["state"] for m in self.messages(provider)}

    def create_schedule(
        self, cron: str, destination: str, *, delay: float = 0, schedule_id: str | None = None
    ) -> str:
        """A QStash schedule, made through the QStash API as a user would; returns its id."""
        headers = {
            "Authorization": f"Bearer {self.credentials.qstash_token}",
            "Upstash-Cron": cron,
            "Upstash-Delay": f"{int(delay)}s",
        }
        if schedule_id is not None:
            headers["Upstash-Schedule-Id"] = schedule_id
        response = self._http.post(f"/v2/schedules/{destination}", headers=headers)
        response.raise_for_status()
        return str(response.json()["scheduleId"])

    def schedules(self) -> list[str]:
        """The ids of the QStash schedules that exist."""
        response = self._http.get(
            "/v2/schedules",
            headers={"Authorization": f"Bearer {self.credentials.qstash_token}"},
        )
        response.raise_for_status()
        return [s["scheduleId"] for s in response.json()]

    def now(self) -> float:
        """The virtual clock's time, in seconds since the epoch."""
        return int(self._call("GET", "/clock")["now_ms"]) / 1000

    def advance(self, seconds: float) -> int:
        """Move the virtual clock; returns how many messages were delivered."""
        return int(self._call("POST", "/clock/advance", {"seconds": seconds})["delivered"])

    def set_faults(self, provider: str, **settings: Unpack[FaultSettings]) -> dict[str, Any]:
        """Configure ``provider``'s faults and settings (every one not given is reset)."""
        return dict(self._call("PUT", f"/faults/{provider}", settings))

    def clear_faults(self, provider: str | None = None) -> None:
        names = (provider,) if provider else tuple(self._call("GET", "/health")["providers"])
        for name in names:
            self._call("DELETE", f"/faults/{name}")

    def stats(self) -> dict[str, dict[str, int]]:
        return dict(self._call("GET", "/stats"))

    def events(self, provider: str) -> list[tuple[float, str]]:
        """(server monotonic seconds, answer) of the latest cancel requests, oldest first."""
        return [
            (float(t), str(a))
            for t, a in self._call("GET", f"/events?provider={provider}")["events"]
        ]

    def reset(self) -> None:
        self._call("POST", "/reset")
