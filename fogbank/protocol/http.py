"""The HTTP request and response as the protocol layer sees them (independent of the server)."""

from __future__ import annotations

import contextlib
import os
from collections.abc import AsyncIterator, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from urllib.parse import parse_qs, parse_qsl, unquote


@dataclass(slots=True)
class Payload:
    """A request body that may have been spooled to a file because it was large or streamed."""

    data: bytes = b""
    path: Path | None = None
    length: int = 0

    @property
    def is_empty(self) -> bool:
        return not self.data and (self.path is None or self.length == 0)

    def read(self) -> bytes:
        if self.path is None:
            return self.data
        return self.path.read_bytes()

    def discard(self) -> None:
        if self.path is not None:
            with contextlib.suppress(FileNotFoundError):
                os.unlink(self.path)


@dataclass(slots=True)
class FileBody:
    """A response body read from a file range, streamed to the client in chunks."""

    path: Path
    start: int
    length: int

    async def chunks(self, size: int = 256 * 1024) -> AsyncIterator[bytes]:
        with open(self.path, "rb") as handle:
            handle.seek(self.start)
            remaining = self.length
            while remaining > 0:
                chunk = handle.read(min(size, remaining))
                if not chunk:
                    break
                remaining -= len(chunk)
                yield chunk


@dataclass(slots=True)
class HttpRequest:
    method: str
    path: str  # the raw (still percent-encoded) path
    query_string: str
    headers: dict[str, str]  # lower-case names
    body: Payload = field(default_factory=Payload)
    scheme: str = "http"
    _query: dict[str, list[str]] | None = None
    # Values derived from the request once and reused by later steps (e.g. the parsed form).
    memo: dict[str, object] = field(default_factory=dict)

    @property
    def host(self) -> str:
        return self.headers.get("host", "localhost")

    @property
    def query(self) -> dict[str, list[str]]:
        if self._query is None:
            # Most requests have no query string: skip parse_qs's setup for them.
            self._query = parse_qs(self.query_string, keep_blank_values=True) if self.query_string else {}
        return self._query

    def form(self) -> dict[str, str]:
        """Query string and (for POST) form body parameters, parsed once per request."""
        cached = self.memo.get("form")
        if cached is None:
            params = dict(parse_qsl(self.query_string, keep_blank_values=True))
            if self.method == "POST":
                params.update(parse_qsl(self.body.read().decode("utf-8", "replace"), keep_blank_values=True))
            cached = self.memo["form"] = params
        return cached  # type: ignore[return-value]

    def query_value(self, name: str) -> str | None:
        values = self.query.get(name)
        return values[0] if values else None

    @property
    def decoded_path(self) -> str:
        return unquote(self.path)

    @property
    def base_url(self) -> str:
        return f"{self.scheme}://{self.host}"


@dataclass(slots=True)
class HttpResponse:
    status: int = 200
    headers: dict[str, str] = field(default_factory=dict)
    body: bytes | FileBody | AsyncIterator[bytes] = b""
    # Headers sent once per entry after `headers`, for a name that repeats (one Set-Cookie per
    # cookie, RFC 6265 section 3); empty for almost every response, so it costs nothing then: a
    # tuple (assign a new one), as a list made per response was 0.6k instructions of S3's PutObject.
    extra_headers: Sequence[tuple[str, str]] = ()
