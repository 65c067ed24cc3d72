"""Every built-in provider's page says, in its markdown itself (read on a repository page, not
only on the built site), its id format, its ref form, its status read and its check."""

from __future__ import annotations

from pathlib import Path

import pytest

from unsend.providers import BUILTIN

DOCS = Path(__file__).resolve().parents[1] / "docs" / "providers"


@pytest.mark.parametrize("name", [cls.name for cls in BUILTIN])
def test_the_page_says_ids_refs_status_and_check_in_plain_markdown(name: str) -> None:
    page = (DOCS / f"{name}.md").read_text()
    section = page.split("## Ids, refs and reads", 1)[1].split("\n## ", 1)[0]
    for item in ("**Message id**", "**Ref**", "**Status**", "**Check**"):
        assert item in section, f"docs/providers/{name}.md lacks {item}"
