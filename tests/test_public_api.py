from __future__ import annotations

import inspect
import typing

import pytest

import unsend


def test_all_is_sorted_and_complete() -> None:
    assert unsend.__all__ == sorted(unsend.__all__)
    public = {
        name
        for name in dir(unsend)
        if not name.startswith("_") and not inspect.ismodule(getattr(unsend, name))
    }
    assert public == set(unsend.__all__) - {"__version__"}


def test_configuration_names_load_on_first_use() -> None:
    import subprocess
    import sys

    code = (
        "import sys, unsend; assert 'unsend._config' not in sys.modules; "
        "unsend.from_config; assert 'unsend._config' in sys.modules"
    )
    assert subprocess.run([sys.executable, "-c", code], check=False).returncode == 0
    with pytest.raises(AttributeError, match="no attribute 'nope'"):
        unsend.nope  # type: ignore[attr-defined]  # noqa: B018


def test_public_names_come_from_private_modules() -> None:
    for name in unsend.__all__:
        value = getattr(unsend, name)
        if typing.get_origin(value) is not None:  # a type alias (OnRetry, OnResult)
            continue
        module = getattr(value, "__module__", "unsend")
        assert module == "unsend" or module.startswith(
            ("unsend._", "unsend.providers._", "unsend.qstash._")
        ), name


def test_every_error_is_an_unsend_error_with_a_docstring() -> None:
    errors = [
        getattr(unsend, n)
        for n in unsend.__all__
        if n.endswith(("Error", "Id", "Exceeded", "Limited", "Unavailable", "Response", "Cancel"))
    ]
    errors = [e for e in errors if isinstance(e, type) and issubclass(e, Exception)]
    assert len(errors) == 10
    for error in errors:
        assert issubclass(error, unsend.UnsendError)
        assert error.__doc__
    assert issubclass(unsend.InvalidMessageId, ValueError)
    assert issubclass(unsend.DailyLimitExceeded, unsend.RateLimited)
