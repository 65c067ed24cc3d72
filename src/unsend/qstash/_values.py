"""QStash's tracked bulk action as a value: a filter-based bulk cancel running in the background."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import datetime
from typing import Any

import attrs

from .._open_enum import OpenStrEnum

__all__ = ["BulkAction", "BulkActionState"]


class BulkActionState(OpenStrEnum):
    """A bulk action's ``state``; states QStash adds later parse as pseudo-members."""

    IN_PROGRESS = "IN_PROGRESS"
    FINISHED = "FINISHED"


def _frozen_filter(value: Mapping[str, Any]) -> Mapping[str, tuple[str, ...]]:
    return {key: tuple(values) for key, values in value.items()}


@attrs.frozen
class BulkAction:
    """One bulk action (``GET /v2/bulkActions/{actionId}``). Times are aware UTC datetimes.

    ``total`` is what matched the filter when the action started; ``processed`` how many of
    those it has dealt with so far. ``filter`` maps QStash's filter names to their values.
    """

    action_id: str
    state: BulkActionState
    total: int
    processed: int
    created: datetime
    completed: datetime | None = None
    kind: str = "cancel"
    filter: Mapping[str, tuple[str, ...]] = attrs.field(
        factory=dict, converter=_frozen_filter, hash=False
    )

    @property
    def finished(self) -> bool:
        """True once QStash says FINISHED; a state this version does not know counts as running."""
        return self.state == BulkActionState.FINISHED
