"""EventBridge Scheduler against moto, an implementation of the AWS API this project did not
write: it is the judge of the signed request's shape (path, query, SigV4 headers) and of the
answers unsend reads. moto serves on 127.0.0.1 (its threaded server); boto3 makes the schedules,
as an application would."""

from __future__ import annotations

import contextlib
import socket
from collections.abc import Iterator

import pytest

import unsend

moto_server = pytest.importorskip("moto.server")
boto3 = pytest.importorskip("boto3")

KEYS = {"access_key_id": "testing", "secret_access_key": "testing-secret-key"}
TARGET = {
    "Arn": "arn:aws:lambda:us-east-1:123456789012:function:remind",
    "RoleArn": "arn:aws:iam::123456789012:role/r",
}


@pytest.fixture(scope="module")
def moto_url() -> Iterator[str]:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        port = sock.getsockname()[1]
    server = moto_server.ThreadedMotoServer(ip_address="127.0.0.1", port=port, verbose=False)
    server.start()
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        server.stop()


def _scheduler(url: str) -> object:
    return boto3.client(
        "scheduler",
        endpoint_url=url,
        region_name="us-east-1",
        aws_access_key_id=KEYS["access_key_id"],
        aws_secret_access_key=KEYS["secret_access_key"],
    )


def _create(url: str, name: str, group: str = "default", after: str = "DELETE") -> None:
    client = _scheduler(url)
    if group != "default":
        with contextlib.suppress(client.exceptions.ConflictException):  # type: ignore[attr-defined]
            client.create_schedule_group(Name=group)  # type: ignore[attr-defined]
    client.create_schedule(  # type: ignore[attr-defined]
        Name=name,
        GroupName=group,
        ScheduleExpression="at(2030-01-01T09:00:00)",
        FlexibleTimeWindow={"Mode": "OFF"},
        Target=TARGET,
        ActionAfterCompletion=after,
    )


def _names(url: str, group: str = "default") -> list[str]:
    listed = _scheduler(url).list_schedules(GroupName=group)  # type: ignore[attr-defined]
    return [s["Name"] for s in listed["Schedules"]]


@pytest.mark.parametrize(
    ("after_completion", "expected"),
    [("DELETE", unsend.Outcome.CANCELLED), ("NONE", unsend.Outcome.REQUESTED)],
)
def test_a_schedule_moto_holds_is_deleted_and_a_second_delete_is_not_found(
    moto_url: str, after_completion: str, expected: unsend.Outcome
) -> None:
    name = f"appt-{after_completion.lower()}"
    _create(moto_url, name, after=after_completion)
    provider = unsend.EventBridgeScheduler(
        **KEYS, base_url=moto_url, after_completion=after_completion
    )
    with unsend.Canceller(provider) as canceller:
        first = canceller.cancel(name)
        again = canceller.cancel(name)
    assert first.outcome is expected
    assert name not in _names(moto_url)
    assert again.outcome is unsend.Outcome.NOT_FOUND  # moto: ResourceNotFoundException, 404


def test_a_named_group_and_an_unknown_schedule(moto_url: str) -> None:
    _create(moto_url, "weekly", group="reminders")
    provider = unsend.EventBridgeScheduler(**KEYS, base_url=moto_url, after_completion="DELETE")
    with unsend.Canceller(provider) as canceller:
        assert canceller.cancel("reminders:weekly").cancelled
        assert canceller.cancel("reminders:never-made").outcome is unsend.Outcome.NOT_FOUND
        assert canceller.check().ok  # ListScheduleGroups, signed the same way
    assert "weekly" not in _names(moto_url, "reminders")


def test_boto3_and_unsend_agree(moto_url: str) -> None:
    """The official SDK's own delete, then unsend's: moto saw the first, unsend reads the 404."""
    _create(moto_url, "sdk-made")
    _scheduler(moto_url).delete_schedule(Name="sdk-made")  # type: ignore[attr-defined]
    provider = unsend.EventBridgeScheduler(**KEYS, base_url=moto_url)
    with unsend.Canceller(provider) as canceller:
        assert canceller.cancel("sdk-made").outcome is unsend.Outcome.NOT_FOUND
