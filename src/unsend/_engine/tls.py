"""The one TLS context every client unsend opens shares, per process.

Loading the CA bundle is the dear part of building a client (~37 ms measured on a two-core
machine), and it is paid per context: a router over sixteen providers built sixteen. An
``ssl.SSLContext`` may be shared by threads, event loops and clients, and every client unsend owns
asks the same of it (HTTP/1.1, the default trust store), so they share one. It is built the way
httpx builds its own (certifi, or ``SSL_CERT_FILE`` / ``SSL_CERT_DIR`` when set) and built again
when those variables change.
"""

from __future__ import annotations

import functools
import os
import ssl

import httpx

__all__ = ["shared_tls_context"]


def shared_tls_context() -> ssl.SSLContext:
    """httpx's default TLS context for the environment's certificate settings, built once."""
    return _built_for(os.environ.get("SSL_CERT_FILE"), os.environ.get("SSL_CERT_DIR"))


@functools.lru_cache(maxsize=4)
def _built_for(cert_file: str | None, cert_dir: str | None) -> ssl.SSLContext:
    # The arguments are the cache's key only: httpx reads the same two variables itself.
    return httpx.create_ssl_context()
