"""A small Grafana HTTP client: auth, org, retries with backoff and jitter, typed errors.

Base URL, credentials and org id are arguments; nothing here reads the environment.
"""

from __future__ import annotations

import random
import threading
import time
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any
from urllib.parse import urlsplit, urlunsplit

import requests

RETRY_STATUSES = frozenset({429, 500, 502, 503, 504})
JSON = Any


class ApplyError(Exception):
    """A failure talking to Grafana, Prometheus, Alertmanager or a ruler, in one line."""


class UrlError(ApplyError):
    """A base URL that is not one (no scheme, no host): a usage error, not a remote failure."""


def check_base_url(url: str, setting: str) -> str:
    """`url` if it is an http(s) URL with a host, else UrlError naming `setting`."""
    parts = urlsplit(url)
    if parts.scheme not in ("http", "https") or not parts.netloc:
        hint = f", e.g. http://{url}" if "://" not in url else ""
        raise UrlError(f"{setting}: {url!r} is not an http(s) URL with a host{hint}")
    return url


def shown_url(url: str) -> str:
    """`url` without any user:password@ part, for messages."""
    parts = urlsplit(url)
    host = parts.netloc.rsplit("@", 1)[-1]
    return urlunsplit((parts.scheme, host, parts.path, parts.query, parts.fragment))


class AuthError(ApplyError):
    """Credentials were refused (401) or lack permission (403)."""


class ApiError(ApplyError):
    """A non-2xx answer, carrying the status and the server's own message."""

    def __init__(self, method: str, path: str, status: int, message: str, what: str = "") -> None:
        self.method, self.path, self.status, self.message = method, path, status, message
        prefix = f"{what}: " if what else ""
        super().__init__(f"{prefix}{method} {path} -> {status}: {message}")


@dataclass(frozen=True)
class Credentials:
    """A service-account token, or a user and password for basic auth."""

    token: str | None = None
    user: str | None = None
    password: str | None = None

    def __repr__(self) -> str:
        return "Credentials(<hidden>)"  # never let a token reach a log line or traceback


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how long to retry 429, 5xx and timeouts."""

    attempts: int = 5
    base_delay: float = 0.2
    max_delay: float = 5.0
    timeout: float = 10.0


@dataclass
class HttpClient:
    """JSON over HTTP with retries; counts the requests it sends."""

    base_url: str
    credentials: Credentials = field(default_factory=Credentials)
    headers: Mapping[str, str] = field(default_factory=dict)
    retry: RetryPolicy = field(default_factory=RetryPolicy)
    sleep: Callable[[float], None] = time.sleep
    on_retry: Callable[[str], None] | None = None  # told about each retry, e.g. on a terminal
    requests_sent: int = 0
    session: requests.Session = field(default_factory=requests.Session)
    _count_lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def __post_init__(self) -> None:
        self.base_url = self.base_url.rstrip("/")
        # Reads run in parallel (state.READERS): keep a connection per reader.
        adapter = requests.adapters.HTTPAdapter(pool_connections=2, pool_maxsize=16)
        self.session.mount("http://", adapter)
        self.session.mount("https://", adapter)
        self.session.headers.update(self.headers)
        creds = self.credentials
        if creds.token:
            self.session.headers["Authorization"] = f"Bearer {creds.token}"
        elif creds.user is not None:
            self.session.auth = (creds.user, creds.password or "")

    def call(self, method: str, path: str, body: JSON = None, *, what: str = "",
             params: Mapping[str, Any] | None = None, headers: Mapping[str, str] | None = None,
             raw: str | None = None, ok_missing: bool = False) -> JSON:
        """Send one request (retrying transient failures); return the decoded JSON body.

        With `ok_missing`, a 404 returns None instead of raising.
        """
        response = self._send(method, path, body, params, headers, raw, what)
        if ok_missing and response.status_code == 404:
            return None
        if response.status_code in (401, 403):
            raise AuthError(f"{what + ': ' if what else ''}{method} {path} -> "
                            f"{response.status_code} {_message(response)}: check the credentials "
                            f"for {shown_url(self.base_url)} and the org id, and that the "
                            f"account may edit this object")
        if not 200 <= response.status_code < 300:
            raise ApiError(method, path, response.status_code, _message(response), what)
        if not response.content:
            return None
        try:
            return response.json()
        except ValueError:
            return response.text

    def _send(self, method: str, path: str, body: JSON, params: Mapping[str, Any] | None,
              headers: Mapping[str, str] | None, raw: str | None, what: str) -> requests.Response:
        url = self.base_url + path
        target = f"{what}: " if what else ""
        last = ""
        for attempt in range(self.retry.attempts):
            if attempt:
                delay = self._backoff(attempt)
                if self.on_retry is not None:
                    self.on_retry(f"{method} {shown_url(url)}: {last}; retrying in {delay:.1f}s "
                                  f"(attempt {attempt + 1} of {self.retry.attempts})")
                self.sleep(delay)
            with self._count_lock:
                self.requests_sent += 1
            try:
                response = self.session.request(
                    method, url, json=body if raw is None else None, params=params,
                    data=raw.encode() if raw is not None else None, headers=dict(headers or {}),
                    timeout=self.retry.timeout)
            except (requests.Timeout, requests.ConnectionError) as exc:
                last = _reason(exc)
                continue
            except requests.RequestException as exc:  # a malformed URL: retrying cannot help
                raise UrlError(f"{target}{method} {shown_url(url)}: {_reason(exc)}") from None
            if response.status_code not in RETRY_STATUSES:
                return response
            last = f"{response.status_code} {_message(response)}"
            retry_after = response.headers.get("Retry-After", "")
            if retry_after.isdigit():
                self.sleep(min(float(retry_after), self.retry.max_delay))
        raise ApplyError(f"{target}{method} {shown_url(url)} failed after "
                         f"{self.retry.attempts} attempts (last: {last})")

    def _backoff(self, attempt: int) -> float:
        # Full jitter: concurrent appliers that hit the same 429 spread out instead of retrying
        # in lockstep.
        cap = min(self.retry.max_delay, self.retry.base_delay * 2 ** (attempt - 1))
        return random.uniform(cap / 2, cap)


def grafana_client(base_url: str, credentials: Credentials, org_id: int | None = None,
                   retry: RetryPolicy | None = None) -> HttpClient:
    """An HttpClient set up for Grafana's API, acting in org `org_id` when given."""
    headers = {"Accept": "application/json"}
    if org_id is not None:
        headers["X-Grafana-Org-Id"] = str(org_id)
    return HttpClient(base_url, credentials, headers, retry or RetryPolicy())


_REASONS = (("Connection refused", "connection refused"), ("Name or service not known",
            "host not found"), ("nodename nor servname", "host not found"),
            ("timed out", "timed out"), ("No connection adapters", "unsupported URL"),
            ("Invalid URL", "invalid URL"), ("CERTIFICATE_VERIFY_FAILED", "TLS certificate "
            "not trusted"))


def _reason(exc: requests.RequestException) -> str:
    """A short reason for a transport failure (the exception's text is long and repetitive)."""
    text = str(exc)
    found = next((short for needle, short in _REASONS if needle in text), "")
    return f"{type(exc).__name__}: {found}" if found else type(exc).__name__


def _message(response: requests.Response) -> str:
    """Grafana's own message: `message`, else the provisioning API's `msg`, else the text."""
    try:
        data = response.json()
    except ValueError:
        return response.text.strip()[:300] or response.reason or ""
    if isinstance(data, dict):
        for key in ("message", "msg", "error"):
            if isinstance(data.get(key), str) and data[key]:
                return str(data[key])
    return str(data)[:300]
