"""Every client unsend opens shares the process's one TLS context.

Loading the CA bundle is the dear part of building a client; a router over every provider, sync
and async, httpx and aiohttp, loads it once, and loads it again only when the certificate
settings httpx reads (``SSL_CERT_FILE``) change.
"""

from __future__ import annotations

import ssl
from pathlib import Path

import anyio
import certifi
import httpx
import pytest

import unsend

from .conformance.cases import all_cases

BASE = "https://provider.invalid"  # never reached: nothing is sent


def _one_certificate(tmp_path: Path) -> Path:
    """A CA file holding only the first certificate of certifi's bundle."""
    bundle = Path(certifi.where()).read_text()
    end = "-----END CERTIFICATE-----"
    first = bundle[bundle.index("-----BEGIN CERTIFICATE-----") : bundle.index(end) + len(end)]
    path = tmp_path / "one-ca.pem"
    path.write_text(first + "\n")
    return path


def test_a_router_over_every_provider_loads_the_ca_bundle_once(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    built: list[ssl.SSLContext] = []
    create = httpx.create_ssl_context

    def counted(*args: object, **kwargs: object) -> ssl.SSLContext:
        built.append(create(*args, **kwargs))  # type: ignore[arg-type]
        return built[-1]

    monkeypatch.setattr(httpx, "create_ssl_context", counted)
    # A certificate file no earlier test used: the settings are new, so the context is built here.
    monkeypatch.setenv("SSL_CERT_FILE", str(_one_certificate(tmp_path)))
    configs = {name: case.config(BASE) for name, case in all_cases().items()}

    with unsend.Router(configs):
        pass

    async def both_transports() -> None:
        async with unsend.AsyncRouter(configs):
            pass
        async with unsend.AsyncRouter(configs, transport="aiohttp"):
            pass

    anyio.run(both_transports)
    assert len(configs) >= 16
    assert len(built) == 1
    assert built[0].cert_store_stats()["x509_ca"] == 1  # the file the variable names, read


def test_other_certificate_settings_get_their_own_context(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    from unsend._engine.tls import shared_tls_context

    monkeypatch.delenv("SSL_CERT_FILE", raising=False)
    monkeypatch.delenv("SSL_CERT_DIR", raising=False)
    default = shared_tls_context()
    assert shared_tls_context() is default
    assert default.cert_store_stats()["x509_ca"] > 1  # certifi's bundle
    monkeypatch.setenv("SSL_CERT_FILE", str(_one_certificate(tmp_path)))
    mine = shared_tls_context()
    assert mine is not default
    assert mine.cert_store_stats()["x509_ca"] == 1
    assert default.verify_mode is mine.verify_mode is ssl.CERT_REQUIRED
    assert default.check_hostname
    assert mine.check_hostname
