"""Configuration -> a ready ``Canceller``: mappings, environment variables, TOML files and DSNs.

Every form reduces to one flat mapping: ``provider``, the provider's own options (``token``,
``region``, ``app_id``, ``api_key``, ``base_url``, ...) and the client options below. Switching
``provider`` (and its credentials) is the only change a caller makes.

A DSN is ``provider://USER[:PASSWORD]@[HOST][?option=value&...]``: the user and password fill
the provider's required options in order, the host fills ``dsn_host`` (QStash's region)::

    qstash://TOKEN@us-east-1
    onesignal://APP_ID:API_KEY@
    courier://TOKEN@?base_url=http://127.0.0.1:8288&timeout=5&max_attempts=3

No error message ever holds a credential: values are shown only for client options.
"""

from __future__ import annotations

import difflib
import math
import os
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any, Literal, TypedDict, Unpack, overload
from urllib.parse import parse_qsl, unquote, urlsplit

import httpx

from ._client import DEFAULT_TIMEOUT, AsyncCanceller, Canceller
from ._engine.call import OnResult, OnRetry
from ._engine.clock import Clock
from ._engine.pools import Transport, check_transport
from ._engine.retry import RetryPolicy
from ._errors import ConfigError
from ._registry import ProviderSpec, provider_spec

__all__ = [
    "CLIENT_OPTIONS",
    "AsyncExtras",
    "SyncExtras",
    "build",
    "from_config",
    "from_env",
    "from_toml",
    "parse_dsn",
    "read_toml",
]


class SyncExtras(TypedDict, total=False):
    """What no configuration file can carry (objects), passed as keywords to every form, and
    ``rate_limit_storage`` and ``transport`` for every provider a router or configuration
    builds (a configuration's own setting wins)."""

    client: httpx.Client | None
    clock: Clock | None
    on_retry: OnRetry | None
    on_result: OnResult | None
    rate_limit_storage: str | None
    transport: Transport


class AsyncExtras(TypedDict, total=False):
    """``SyncExtras`` for the async client: ``client`` is an ``httpx.AsyncClient``."""

    client: httpx.AsyncClient | None
    clock: Clock | None
    on_retry: OnRetry | None
    on_result: OnResult | None
    rate_limit_storage: str | None
    transport: Transport


def _number(key: str, value: Any, *, integer: bool = False, zero_ok: bool = False) -> Any:
    try:
        if isinstance(value, bool):
            raise ValueError
        number = int(value) if integer else float(value)
    except (TypeError, ValueError):
        kind = "an integer" if integer else "a number"
        raise ConfigError(f"{key} must be {kind}, got {value!r}") from None
    if not math.isfinite(number) or number < 0 or (number == 0 and not zero_ok):
        raise ConfigError(f"{key} must be a {'' if zero_ok else 'positive '}number, got {value!r}")
    return number


def _positive(key: str, value: Any) -> Any:
    return _number(key, value)


def _storage_uri(key: str, value: Any) -> str:
    from ._engine.shared_gate import check_storage_uri

    return check_storage_uri(value, key)


def _transport(key: str, value: Any) -> Transport:
    return check_transport(value, key=key)


# Client option -> how to read it. Numbers may come as strings (environment, DSN query).
CLIENT_OPTIONS: dict[str, Callable[[str, Any], Any]] = {
    "rate_limit_storage": _storage_uri,
    "transport": _transport,
    "timeout": _positive,
    "connect_timeout": _positive,
    "max_rate": _positive,
    "max_attempts": lambda k, v: _number(k, v, integer=True),
    "deadline": _positive,
    "backoff_initial": lambda k, v: _number(k, v, zero_ok=True),
    "backoff_max": lambda k, v: _number(k, v, zero_ok=True),
    "jitter": lambda k, v: _number(k, v, zero_ok=True),
}
_DEFAULT_READ, _DEFAULT_CONNECT = 10.0, 5.0  # as DEFAULT_TIMEOUT
_RETRY_FIELDS = {
    "max_attempts": "max_attempts",
    "deadline": "deadline",
    "backoff_initial": "initial",
    "backoff_max": "max",
    "jitter": "jitter",
}


def _did_you_mean(key: str, choices: list[str]) -> str:
    close = difflib.get_close_matches(key, choices, 1)
    return f" (did you mean {close[0]!r}?)" if close else ""


def parse_dsn(dsn: str) -> dict[str, str]:
    """The flat configuration a DSN stands for."""
    if not isinstance(dsn, str) or "://" not in dsn:
        raise ConfigError("a DSN looks like provider://CREDENTIALS@[HOST][?options]")
    try:
        parts = urlsplit(dsn)
        host = parts.hostname or ""
        port = parts.port
    except ValueError:
        raise ConfigError(
            "the DSN is not a valid URL (percent-encode '@', '/' and ':' in credentials)"
        ) from None
    spec = provider_spec(parts.scheme)
    if "@" not in parts.netloc and spec.dsn_user:
        where = "[HOST]" if spec.dsn_host is not None else ""
        raise ConfigError(
            f"the DSN has no '@' after its credentials: write {spec.name}://CREDENTIALS@{where}"
            " (percent-encode '@', '/' and ':' inside them)",
            provider=spec.name,
        )
    config: dict[str, str] = {"provider": spec.name}
    credentials = [unquote(v) for v in (parts.username, parts.password) if v is not None]
    if len(credentials) > len(spec.dsn_user):
        raise ConfigError(
            f"the DSN carries more credentials than {spec.name} takes", provider=spec.name
        )
    config.update(zip(spec.dsn_user, credentials, strict=False))
    if host or port:
        if spec.dsn_host is None:
            raise ConfigError(
                f"a {spec.name} DSN takes no host: write {spec.name}://...@", provider=spec.name
            )
        config[spec.dsn_host] = host
    if parts.path not in ("", "/"):
        raise ConfigError("a DSN takes no path; put options in the query", provider=spec.name)
    for key, value in parse_qsl(parts.query, keep_blank_values=True):
        if key in config:
            raise ConfigError(f"{key} is given twice in the DSN", provider=spec.name)
        config[key] = value
    return config


def _split(config: Mapping[str, Any]) -> tuple[ProviderSpec, dict[str, Any], dict[str, Any]]:
    if not isinstance(config, Mapping):
        raise ConfigError(f"configuration must be a mapping or a DSN, got {type(config).__name__}")
    flat = dict(config)
    if "dsn" in flat:
        dsn = flat.pop("dsn")
        from_dsn = parse_dsn(dsn)
        clash = sorted(set(from_dsn) & set(flat))
        if clash:
            raise ConfigError(f"{', '.join(clash)} given both in the DSN and beside it")
        flat.update(from_dsn)
    if "provider" not in flat:
        raise ConfigError("configuration needs 'provider' (or 'dsn')")
    spec = provider_spec(flat.pop("provider"))
    provider_options: dict[str, Any] = {}
    client_options: dict[str, Any] = {}
    for key, value in flat.items():
        if key in CLIENT_OPTIONS:
            client_options[key] = CLIENT_OPTIONS[key](key, value)
        elif key in spec.options:
            if value is not None and not isinstance(value, str):
                raise ConfigError(f"{key} must be a string", provider=spec.name)
            if value not in (None, ""):
                provider_options[key] = value
        else:
            choices = [*spec.options, *CLIENT_OPTIONS]
            raise ConfigError(
                f"unknown key {key!r} for {spec.name}{_did_you_mean(key, choices)}; "
                f"{spec.name} takes {', '.join(spec.options)}, and every provider takes "
                f"{', '.join(CLIENT_OPTIONS)}",
                provider=spec.name,
            )
    return spec, provider_options, client_options


def _client_kwargs(client_options: dict[str, Any]) -> dict[str, Any]:
    timeout = DEFAULT_TIMEOUT
    if "timeout" in client_options or "connect_timeout" in client_options:
        total = client_options.get("timeout", _DEFAULT_READ)
        connect = client_options.get("connect_timeout", min(total, _DEFAULT_CONNECT))
        timeout = httpx.Timeout(total, connect=connect)
    retry_fields = {
        field: client_options[key] for key, field in _RETRY_FIELDS.items() if key in client_options
    }
    try:
        retry = RetryPolicy(**retry_fields)
    except ValueError as exc:
        raise ConfigError(str(exc)) from None
    chosen = {key: client_options[key] for key in ("transport",) if key in client_options}
    return {
        "timeout": timeout,
        "retry": retry,
        "max_rate": client_options.get("max_rate"),
        "rate_limit_storage": client_options.get("rate_limit_storage"),
        **chosen,
    }


@overload
def from_config(
    config: Mapping[str, Any] | str,
    *,
    asynchronous: Literal[False] = ...,
    **extras: Unpack[SyncExtras],
) -> Canceller: ...
@overload
def from_config(
    config: Mapping[str, Any] | str,
    *,
    asynchronous: Literal[True],
    **extras: Unpack[AsyncExtras],
) -> AsyncCanceller: ...
def from_config(
    config: Mapping[str, Any] | str, *, asynchronous: bool = False, **extras: Any
) -> Canceller | AsyncCanceller:
    """A ready canceller from a mapping or a DSN string.

    ``client``, ``clock``, ``on_retry`` and ``on_result`` are passed to the canceller.
    """
    return build(config, asynchronous, extras)


def build(
    config: Mapping[str, Any] | str, asynchronous: bool, extras: Mapping[str, Any]
) -> Canceller | AsyncCanceller:
    """The canceller a configuration stands for, with the caller's objects (``SyncExtras``)."""
    spec, provider_options, client_options = _split(
        {"dsn": config} if isinstance(config, str) else config
    )
    try:
        provider = spec.build(provider_options)
    except ConfigError:
        raise
    except (TypeError, ValueError) as exc:
        raise ConfigError(f"{spec.name}: {type(exc).__name__}", provider=spec.name) from None
    kwargs = _client_kwargs(client_options)
    for key, value in check_extras(extras, asynchronous).items():
        if key == "rate_limit_storage":
            # The configuration's own setting wins over a keyword given for every provider.
            if value is not None and kwargs.get(key) is None:
                kwargs[key] = _storage_uri(key, value)
        elif key == "transport":
            kwargs.setdefault(key, _transport(key, value))
        else:
            kwargs[key] = value
    if asynchronous:
        return AsyncCanceller(provider, **kwargs)
    return Canceller(provider, **kwargs)


def check_extras(extras: Mapping[str, Any], asynchronous: bool) -> dict[str, Any]:
    unknown = sorted(set(extras) - set(SyncExtras.__annotations__))
    if unknown:
        raise TypeError(
            f"unexpected keyword {unknown[0]!r}; expected client, clock, on_retry, on_result, "
            "rate_limit_storage, transport"
        )
    client = extras.get("client")
    wanted = httpx.AsyncClient if asynchronous else httpx.Client
    if client is not None and not isinstance(client, wanted):
        hint = "" if asynchronous else "; an httpx.AsyncClient goes with asynchronous=True"
        raise ConfigError(f"client must be an httpx.{wanted.__name__}{hint}")
    return dict(extras)


def env_config(prefix: str, environ: Mapping[str, str]) -> dict[str, str]:
    """The flat configuration under ``prefix``; every error names the variables to set."""
    found = {
        name[len(prefix) :].lower(): value
        for name, value in environ.items()
        if name.startswith(prefix) and value != ""
    }
    if "dsn" not in found and "provider" not in found:
        raise ConfigError(
            f"set {prefix}DSN (such as qstash://TOKEN@us-east-1), or {prefix}PROVIDER with its "
            f"credentials (such as {prefix}TOKEN)"
        )
    try:
        provider = parse_dsn(found["dsn"])["provider"] if "dsn" in found else found["provider"]
        spec = provider_spec(provider)
    except ConfigError as exc:
        variable = f"{prefix}DSN" if "dsn" in found else f"{prefix}PROVIDER"
        raise ConfigError(f"{variable}: {exc.message}", provider=exc.provider) from None
    known = {"dsn", "provider", *spec.options, *CLIENT_OPTIONS}
    config: dict[str, str] = {}
    for key, value in found.items():
        if key in known:
            if key in CLIENT_OPTIONS:
                CLIENT_OPTIONS[key](f"{prefix}{key.upper()}", value)  # named after its variable
            config[key] = value
            continue
        # Other variables under the prefix may belong to someone else; a near miss is a typo.
        if close := difflib.get_close_matches(key, sorted(known), 1, cutoff=0.8):
            raise ConfigError(
                f"unknown variable {prefix}{key.upper()} (did you mean {prefix}{close[0].upper()}?)"
            )
    if "dsn" not in found:
        missing = [key for key in spec.required if key not in found]
        if missing:
            names = " and ".join(f"{prefix}{key.upper()}" for key in missing)
            raise ConfigError(
                f"{spec.name} needs {names} (or all of it in {prefix}DSN)", provider=spec.name
            )
    return config


@overload
def from_env(
    prefix: str = ...,
    *,
    environ: Mapping[str, str] | None = ...,
    asynchronous: Literal[False] = ...,
    **extras: Unpack[SyncExtras],
) -> Canceller: ...
@overload
def from_env(
    prefix: str = ...,
    *,
    environ: Mapping[str, str] | None = ...,
    asynchronous: Literal[True],
    **extras: Unpack[AsyncExtras],
) -> AsyncCanceller: ...
def from_env(
    prefix: str = "UNSEND_",
    *,
    environ: Mapping[str, str] | None = None,
    asynchronous: bool = False,
    **extras: Any,
) -> Canceller | AsyncCanceller:
    """A ready canceller from ``UNSEND_DSN``, or ``UNSEND_PROVIDER`` with ``UNSEND_TOKEN`` etc."""
    config = env_config(prefix, os.environ if environ is None else environ)
    return build(config, asynchronous, extras)


def read_toml(path: str | os.PathLike[str]) -> dict[str, Any]:
    """The unsend table of a TOML file: ``[tool.unsend]`` of a pyproject, or a whole file."""
    import tomllib

    location = Path(path)
    try:
        with location.open("rb") as handle:
            data = tomllib.load(handle)
    except OSError as exc:
        raise ConfigError(f"cannot read {location}: {exc.strerror}") from None
    except tomllib.TOMLDecodeError as exc:
        raise ConfigError(f"{location} is not valid TOML: {exc}") from None
    tool = data.get("tool")
    if isinstance(tool, dict) and isinstance(tool.get("unsend"), dict):
        return dict(tool["unsend"])
    if location.name == "pyproject.toml":
        raise ConfigError(f"{location} has no [tool.unsend] table")
    return data


@overload
def from_toml(
    path: str | os.PathLike[str],
    *,
    asynchronous: Literal[False] = ...,
    **extras: Unpack[SyncExtras],
) -> Canceller: ...
@overload
def from_toml(
    path: str | os.PathLike[str], *, asynchronous: Literal[True], **extras: Unpack[AsyncExtras]
) -> AsyncCanceller: ...
def from_toml(
    path: str | os.PathLike[str], *, asynchronous: bool = False, **extras: Any
) -> Canceller | AsyncCanceller:
    """A ready canceller from a TOML file (standalone, or ``[tool.unsend]`` in a pyproject)."""
    table = read_toml(path)
    if isinstance(table.get("providers"), dict):
        raise ConfigError(
            f"{path} configures several providers ([providers.NAME]): use unsend.Router.from_toml"
        )
    return build(table, asynchronous, extras)
