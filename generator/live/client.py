"""A small client for the Prometheus HTTP API: instant and range queries, series, auth and TLS.

Settings (URL, credentials, TLS files) are passed in; only the CLI reads the environment.
Every failure becomes a `PrometheusError` whose message names the URL and the query, never
a credential.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field
from typing import Any

import requests

DEFAULT_TIMEOUT = 10.0


class PrometheusError(Exception):
    """A query failed: Prometheus rejected it or answered something unexpected."""


class PrometheusUnreachable(PrometheusError):
    """Prometheus could not be reached or did not answer in time."""


@dataclass(frozen=True)
class Settings:
    """Where Prometheus is and how to authenticate; secrets are kept out of repr."""

    url: str
    token: str | None = field(default=None, repr=False)
    username: str | None = None
    password: str | None = field(default=None, repr=False)
    ca_file: str | None = None
    insecure: bool = False
    timeout: float = DEFAULT_TIMEOUT


@dataclass(frozen=True)
class Sample:
    """One series of an instant-query result."""

    labels: Mapping[str, str]
    value: float


@dataclass(frozen=True)
class Series:
    """One series of a range-query result: (unix time, value) points in time order."""

    labels: Mapping[str, str]
    points: tuple[tuple[float, float], ...]


class PrometheusClient:
    """Query one Prometheus server over HTTP."""

    def __init__(self, settings: Settings, session: requests.Session | None = None) -> None:
        self._settings = settings
        self._base = settings.url.rstrip("/")
        self._session = session or requests.Session()
        if settings.token:
            self._session.headers["Authorization"] = f"Bearer {settings.token}"
        elif settings.username is not None:
            self._session.auth = (settings.username, settings.password or "")
        # Passed with each request: requests lets REQUESTS_CA_BUNDLE override a session's verify.
        self._verify: bool | str = False if settings.insecure else (settings.ca_file or True)

    @property
    def url(self) -> str:
        """The base URL queried."""
        return self._base

    def close(self) -> None:
        """Release the HTTP connections."""
        self._session.close()

    def __enter__(self) -> PrometheusClient:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def query(self, expr: str, at: float) -> list[Sample]:
        """Evaluate `expr` at unix time `at`; an instant vector or scalar becomes samples."""
        data = self._post("query", {"query": expr, "time": _ts(at)}, expr)
        kind, result = data.get("resultType"), data.get("result")
        if kind == "scalar" and isinstance(result, list):
            return [Sample({}, float(result[1]))]
        if kind != "vector" or not isinstance(result, list):
            raise PrometheusError(f"query {expr!r} returned a {kind}, not an instant vector")
        return [Sample(dict(r["metric"]), float(r["value"][1])) for r in result]

    def query_range(self, expr: str, start: float, end: float, step: float) -> list[Series]:
        """Evaluate `expr` every `step` seconds from `start` to `end`."""
        form = {"query": expr, "start": _ts(start), "end": _ts(end), "step": f"{step:g}"}
        data = self._post("query_range", form, expr)
        result = data.get("result")
        if data.get("resultType") != "matrix" or not isinstance(result, list):
            raise PrometheusError(f"range query {expr!r} did not return a matrix")
        return [
            Series(dict(r["metric"]), tuple((float(t), float(v)) for t, v in r["values"]))
            for r in result
        ]

    def series(self, match: str, start: float, end: float) -> list[dict[str, str]]:
        """Label sets of the series matching selector `match` with samples in [start, end]."""
        data = self._post("series", {"match[]": match, "start": _ts(start), "end": _ts(end)}, match)
        if not isinstance(data, list):
            raise PrometheusError(f"series {match!r}: unexpected answer")
        return [dict(item) for item in data]

    def _post(self, endpoint: str, form: dict[str, str], what: str) -> Any:
        """POST a form to /api/v1/<endpoint> and return the `data` member of the answer."""
        url = f"{self._base}/api/v1/{endpoint}"
        try:
            resp = self._session.post(
                url, data=form, timeout=self._settings.timeout, verify=self._verify
            )
        except requests.Timeout:
            raise PrometheusUnreachable(
                f"Prometheus at {self._base} did not answer within "
                f"{self._settings.timeout:g}s ({endpoint} {what!r})"
            ) from None
        except requests.exceptions.SSLError as exc:
            raise PrometheusUnreachable(
                f"TLS handshake with {self._base} failed: {_reason(exc)} "
                "(set PROMETHEUS_CA_FILE, or --insecure to skip verification)"
            ) from None
        except requests.ConnectionError as exc:
            raise PrometheusUnreachable(
                f"cannot reach Prometheus at {self._base}: {_reason(exc)}"
            ) from None
        return _data(resp, endpoint, what, self._base)


def _data(resp: requests.Response, endpoint: str, what: str, base: str) -> Any:
    """The `data` of a Prometheus API answer, or an error naming status and message."""
    if resp.status_code in (401, 403):
        raise PrometheusError(
            f"Prometheus at {base} refused the request ({resp.status_code}): check "
            "PROMETHEUS_TOKEN or PROMETHEUS_USERNAME/PROMETHEUS_PASSWORD"
        )
    try:
        body = resp.json()
    except ValueError:
        raise PrometheusError(
            f"{endpoint} {what!r}: {base} answered {resp.status_code} with non-JSON "
            f"(is this a Prometheus API URL?): {resp.text[:200]!r}"
        ) from None
    if not isinstance(body, dict) or body.get("status") != "success":
        message = body.get("error", resp.text[:200]) if isinstance(body, dict) else resp.text[:200]
        raise PrometheusError(f"{endpoint} {what!r} failed ({resp.status_code}): {message}")
    return body.get("data")


def _reason(exc: Exception) -> str:
    """The innermost reason of a requests error, without the noisy pool wrapper text."""
    inner: BaseException = exc
    while inner.__context__ is not None and inner.__context__ is not inner:
        inner = inner.__context__
    text = str(inner) or type(inner).__name__
    return text.split("] ", 1)[-1] if "] " in text else text


def _ts(value: float) -> str:
    """A unix time for the API, in seconds with millisecond precision."""
    if not math.isfinite(value):
        raise ValueError(f"not a time: {value}")
    return f"{value:.3f}"
