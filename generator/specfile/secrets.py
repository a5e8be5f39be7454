"""Refuse credentials written into specs: they would be committed, and copied into out/.

Every string (keys too) of a parsed spec file is checked before the schema sees it, so a secret
is reported as such, at its line, and never echoed in a message; where a secret belongs is said
for the place it was found (`api_url_file`, `routing_key_file`, `password_env`, `${VAR}`...).
`${VAR}` references are not secrets: the exporter and `slogen apply` expand them at run time.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from typing import Any

from generator.core.errors import Loc, SpecError, format_path
from generator.specfile.yamlread import Locator

_REF = r"\$\{[A-Za-z_][A-Za-z0-9_]*\}"
# A URL scheme, starting where a word starts: without the look-behind every letter of a long
# word would start a scan to its end, quadratic time on a hostile megabyte-long value.
_SCHEME = r"(?<![a-z0-9+.-])[a-z][a-z0-9+.-]{0,30}"
_SECRET_PARAMS = (r"password|passwd|pwd|token|access_token|auth_token|api_?key|apikey|key|"
                  r"secret|client_secret|sig|signature|routing_key|integration_key|service_key|"
                  r"private_token|x-api-key|code")

# (pattern, what it is); checked in every string value and key.
_VALUE_RULES: tuple[tuple[re.Pattern[str], str], ...] = tuple(
    (re.compile(pattern, re.I if insensitive else 0), what) for pattern, what, insensitive in (
        (_SCHEME + r"://[^\s/@:?#]*:(?!" + _REF + r"@)[^\s/@?#]+@", "a URL with a password",
         True),
        (_SCHEME + r"://(?!" + _REF + r"@)[^\s/@?#:]{16,}@", "a URL with a token", True),
        (r"[?&;](?:" + _SECRET_PARAMS + r")=(?!" + _REF + r")[^&\s#]+",
         "a URL with a secret parameter", True),
        (r"hooks\.slack\.com/(?:services|workflows|triggers)/", "a Slack webhook URL", True),
        (r"discord(?:app)?\.com/api/webhooks/", "a Discord webhook URL", True),
        (r"(?:\.webhook\.office\.com/|outlook\.office(?:365)?\.com/webhook)",
         "a Microsoft Teams webhook URL", True),
        (r"events\.(?:eu\.)?pagerduty\.com/(?:integration|x-ere)/", "a PagerDuty integration URL",
         True),
        (r"hooks\.zapier\.com/hooks/catch/", "a Zapier webhook URL", True),
        (r"api\.telegram\.org/bot\d+:", "a Telegram bot token", True),
        (r"chat\.googleapis\.com/v1/spaces/[^\s]*key=", "a Google Chat webhook URL", True),
        (r"/hooks/[a-z0-9]{20,}\b", "a chat webhook URL with its token", False),
        (r"\bxox[abposr]-[A-Za-z0-9-]{8,}", "a Slack token", False),
        (r"\bxapp-\d-[A-Za-z0-9-]{8,}", "a Slack app token", False),
        (r"\bgh[pousr]_[A-Za-z0-9]{30,}", "a GitHub token", False),
        (r"\bgithub_pat_[A-Za-z0-9_]{20,}", "a GitHub token", False),
        (r"\bglpat-[A-Za-z0-9_-]{20}", "a GitLab token", False),
        (r"\b(?:AKIA|ASIA)[0-9A-Z]{16}\b", "an AWS access key", False),
        (r"\bAIza[0-9A-Za-z_-]{35}\b", "a Google API key", False),
        (r"\b(?:sk|rk)_(?:live|test)_[0-9A-Za-z]{16,}", "a Stripe key", False),
        (r"\bSG\.[\w-]{16,}\.[\w-]{16,}", "a SendGrid key", False),
        (r"\bgl(?:sa|c)_[A-Za-z0-9_=+/-]{20,}", "a Grafana token", False),
        (r"\bnpm_[A-Za-z0-9]{36}\b", "an npm token", False),
        (r"-----BEGIN [A-Z ]*PRIVATE KEY-----", "a private key", False),
        (r"\beyJ[A-Za-z0-9_-]{8,}\.eyJ[A-Za-z0-9_-]{8,}\.[A-Za-z0-9_-]{8,}", "a JSON Web Token",
         False),
        (r"\b(?:bearer|basic)\s+(?=[A-Za-z0-9._~+/-]*\d)(?=[A-Za-z0-9._~+/-]*[A-Za-z])"
         r"[A-Za-z0-9._~+/-]{12,}=*", "an Authorization header value", True),
        (r"\b(?:password|passwd|pwd)\s*=\s*(?!" + _REF + r")[^\s;'\"&]{2,}", "a password", True),
    )
)

# Keys that hold a secret when written with a literal value (their *_file / *_env forms are fine).
_SECRET_KEY = re.compile(
    r"^(?:.*[_-])?(?:password|passwd|pwd|secret|secrets|token|tokens|api[_-]?key|apikey|"
    r"access[_-]?key|secret[_-]?key|private[_-]?key|client[_-]?secret|routing[_-]?key|"
    r"integration[_-]?key|service[_-]?key|auth[_-]?token|bearer|credentials?|"
    r"webhook[_-]?url|api[_-]?url|dsn|connection[_-]?string)$", re.I)
# In label and annotation maps, `routing_key: pager` is a routing hint (Sloth's convention), so
# only names that cannot mean anything but a secret count there.
_LABEL_MAPS = {"labels", "annotations", "match"}
_STRONG_SECRET_KEY = re.compile(
    r"^(?:.*[_-])?(?:password|passwd|secret|token|api[_-]?key|apikey|client[_-]?secret|"
    r"private[_-]?key|auth[_-]?token|bearer)$", re.I)
_REFERENCE_KEY = re.compile(r"(?:_file|_env|_path|_name)$", re.I)
_NOT_SECRETS = {"true", "false", "yes", "no", "none", "null", "required", "optional"}
_ONLY_REF = re.compile(r"^\s*" + _REF + r"\s*$")


def find_inline_secrets(data: Any, locator: Locator) -> list[SpecError]:
    """One located error per place in `data` that holds a credential."""
    errors: list[SpecError] = []
    for loc, key, value in _strings(data):
        if key is not None:
            what = _value_secret(key)
            if what is not None:  # the key itself: never show it, not even in the path
                line, column = locator.find(loc, key=True)
                errors.append(SpecError(locator.file, line, column, format_path(loc[:-1]),
                                        f"a key is {what}; {_where_to(loc)}"))
                continue
            if _secret_key(key, value, in_labels=len(loc) > 1 and loc[-2] in _LABEL_MAPS):
                errors.append(locator.error(loc, _message(loc, "a secret")))
                continue
        if isinstance(value, str):
            what = _value_secret(value)
            if what is not None:
                errors.append(locator.error(loc, _message(loc, what)))
    return errors


def without_secret_paths(errors: list[SpecError], secrets: list[SpecError]) -> list[SpecError]:
    """`errors` minus those at or below a secret's path: schema messages quote values."""
    paths = {e.path for e in secrets}
    return [e for e in errors if not any(
        e.path == p or e.path.startswith((p + ".", p + "[")) for p in paths)]


def _strings(data: Any) -> Iterator[tuple[Loc, str | None, Any]]:
    """(path, key if the last step is a mapping key, value) for every node, depth first."""
    stack: list[tuple[Loc, str | None, Any]] = [((), None, data)]
    while stack:
        loc, key, node = stack.pop()
        yield loc, key, node
        if isinstance(node, dict):
            stack.extend(((*loc, str(k)), str(k), v) for k, v in reversed(node.items()))
        elif isinstance(node, list):
            stack.extend(((*loc, i), None, v) for i, v in reversed(list(enumerate(node))))


def _value_secret(text: str) -> str | None:
    if "://" not in text and len(text) < 12 and "=" not in text:
        return None  # too short for any rule below; most spec values are
    for pattern, what in _VALUE_RULES:
        if pattern.search(text):
            return what
    return None


def _secret_key(key: str, value: Any, *, in_labels: bool) -> bool:
    names = _STRONG_SECRET_KEY if in_labels else _SECRET_KEY
    if _REFERENCE_KEY.search(key) or not names.match(key):
        return False
    if isinstance(value, bool) or value is None or isinstance(value, (dict, list)):
        return False
    text = str(value).strip()
    return bool(text) and text.lower() not in _NOT_SECRETS and not _ONLY_REF.match(text)


def _message(loc: Loc, what: str) -> str:
    return f"{what} is written in the spec; {_where_to(loc)}"


def _where_to(loc: Loc) -> str:
    parts = {str(p) for p in loc}
    if "databases" in parts:
        return ("write the URL as `${DB_URL}` (or only the password as "
                "`postgresql://user:${DB_PASSWORD}@host/db`) and set the variable where the "
                "exporter runs")
    if "datasources" in parts:
        return "set `password_env: VARIABLE` and keep the password in that variable"
    if "slack" in parts:
        return "put the webhook URL in a file and name the file with `api_url_file`"
    if "pagerduty" in parts:
        return "put the routing key in a file and name the file with `routing_key_file`"
    if "email" in parts:
        return "put the SMTP password in a file and name the file with `auth_password_file`"
    if "webhook" in parts:
        return ("put the token in a file and name it with `credentials_file` (sent as a bearer "
                "token); the url itself must carry no secret")
    return ("secrets never go in specs, which are committed and copied to out/: keep it in a "
            "file or environment variable named by a `*_file` or `*_env` setting (receivers, "
            "`password_env` of datasources, `${VAR}` in database URLs)")
