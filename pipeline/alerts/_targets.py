"""Alert targets: apprise URLs from the environment or a config file, masked, and delivery.

Everything that touches a target URL lives here, so there is one place that
knows its secrets. A URL is shown only masked (:func:`mask_url`); every text
that comes back from apprise or the HTTP stack (log records, failure reasons)
passes through a :class:`Redactor` built from the loaded targets before it
reaches our logs, errors or the state file.
"""

from __future__ import annotations

import logging
import os
import re
from collections.abc import Iterator, Mapping
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any
from urllib.parse import quote, unquote

from ..errors import AlertError

ALERT_URLS = "SUPPORTMATRIX_ALERT_URLS"
ALERT_CONFIG = "SUPPORTMATRIX_ALERT_CONFIG"
HEALTH_URLS = "SUPPORTMATRIX_HEALTH_URLS"

MASK = "****"
_log = logging.getLogger("pipeline.alerts")

# Loggers whose records can carry a target URL (apprise's own, and the HTTP stack it uses):
# while we deliver, their records are redacted and re-emitted as ours instead of propagating raw.
_TRANSPORT_LOGGERS = ("apprise", "urllib3", "requests")

_URL = re.compile(
    r"^(?P<scheme>[A-Za-z][A-Za-z0-9+.-]*)://"
    r"(?:(?P<userinfo>[^@/?#]*)@)?"
    r"(?P<netloc>[^/?#]*)"
    r"(?P<path>[^?#]*)"
    r"(?:\?(?P<query>[^#]*))?"
    r"(?:#(?P<fragment>.*))?$",
    re.DOTALL,
)
# a comma only separates URLs when another URL follows (``mailto://...?to=a@x,b@y`` keeps its comma)
_SPLIT = re.compile(r"\s+|,\s*(?=[A-Za-z][A-Za-z0-9+.-]*://)")
_HOSTNAME = re.compile(r"^(localhost|\[[0-9A-Fa-f:.]+\]|[A-Za-z0-9-]+(\.[A-Za-z0-9-]+)+)$")
_MIN_SECRET = 4  # shorter path/host pieces are not redacted inside free text (they would garble it)


def split_urls(text: str | None) -> list[str]:
    """Apprise URLs from an env value: separated by commas or whitespace."""
    return [u for u in _SPLIT.split((text or "").strip()) if u and u != ","]


def _parts(url: str) -> dict[str, str] | None:
    m = _URL.match(url.strip())
    return {k: v or "" for k, v in m.groupdict().items()} if m else None


def _host_is_name(netloc: str) -> bool:
    """True when the URL's host is a real host name (json://host/...), not a token (slack://TokenA/...)."""
    host, _, port = netloc.rpartition(":") if netloc.count(":") == 1 else (netloc, "", "")
    return bool(_HOSTNAME.match(host)) and (port == "" or port.isdigit())


def mask_url(url: str) -> str:
    """The URL with every part that may be a secret replaced by ``****``.

    Kept: the scheme, and for URLs whose host is a host name, the user name, host and port.
    Masked: the password, every path segment, a host that is not a host name (Slack, Discord
    and Telegram put tokens there). The query and fragment are dropped.
    """
    p = _parts(url)
    if p is None:
        return f"{MASK} (not a URL)"
    named = _host_is_name(p["netloc"])
    user = ""
    if p["userinfo"]:
        name, has_password, _ = p["userinfo"].partition(":")
        user = f"{name if named else MASK}{':' + MASK if has_password else ''}@"
    host = p["netloc"] if named else MASK
    path = "".join("/" + (MASK if seg else "") for seg in p["path"].split("/")[1:])
    return f"{p['scheme']}://{user}{host}{path}"


def url_secrets(url: str) -> set[str]:
    """The pieces of ``url`` that must never be shown, as they appear raw and percent-decoded."""
    p = _parts(url)
    if p is None:
        return {url.strip()} if url.strip() else set()
    named = _host_is_name(p["netloc"])
    found: set[str] = set()
    name, _, password = p["userinfo"].partition(":")
    if password:
        found.add(password)
    if name and not named:
        found.add(name)
    if not named:
        found.update({p["netloc"], *p["netloc"].split(":")})
    found.update(seg for seg in p["path"].split("/") if len(seg) >= _MIN_SECRET)
    for pair in p["query"].split("&"):
        key, _, value = pair.partition("=")
        if value and (len(value) >= 12 or re.search(r"key|token|secret|pass|pwd|auth|sig|code", key, re.I)):
            found.add(value)
    found |= {unquote(s) for s in found} | {quote(unquote(s), safe="") for s in found}
    return {s for s in found if s and (len(s) >= _MIN_SECRET or s == password)}


@dataclass
class Redactor:
    """Replaces every known secret in a text with ``****`` (longest first, so pieces don't leak)."""

    secrets: set[str] = field(default_factory=set)

    def add(self, url: str) -> None:
        self.secrets |= url_secrets(url)

    def __call__(self, text: str) -> str:
        for secret in sorted(self.secrets, key=len, reverse=True):
            text = text.replace(secret, MASK)
        return text


@dataclass
class Target:
    service: str  # apprise's service name, e.g. "Slack", "JSON"
    masked: str
    markdown: bool  # the service renders markdown or HTML (else it gets the plain-text body)
    plugin: Any  # the apprise plugin object (holds the secret; never printed)

    def __str__(self) -> str:
        return f"{self.service} {self.masked}"


@dataclass
class Targets:
    """The loaded targets for one purpose (changes or health), with the redactor that covers them."""

    items: list[Target]
    redact: Redactor
    source: str  # where they came from, for messages (env var or config path; never the URLs)

    def __bool__(self) -> bool:
        return bool(self.items)

    def describe(self) -> list[str]:
        return [str(t) for t in self.items]


def configured(env: Mapping[str, str] | None = None, config: Path | None = None, *, purpose: str = "changes") -> bool:
    """Whether any target for ``purpose`` is configured (without importing apprise: keeps quiet runs fast).

    Health messages also go to ``SUPPORTMATRIX_HEALTH_URLS`` alone, with no change targets set."""
    env = os.environ if env is None else env
    if purpose == "health" and split_urls(env.get(HEALTH_URLS)):
        return True
    return bool(split_urls(env.get(ALERT_URLS)) or config or env.get(ALERT_CONFIG))


def load(purpose: str, env: Mapping[str, str] | None = None, config: Path | None = None) -> Targets:
    """Targets for ``purpose`` ("changes" or "health"); health uses SUPPORTMATRIX_HEALTH_URLS if set.

    An empty result means alerts are off. A URL or config file apprise cannot use raises
    :class:`AlertError` naming it masked.
    """
    env = os.environ if env is None else env
    urls = split_urls(env.get(ALERT_URLS))
    config_path = config or (Path(env[ALERT_CONFIG]) if env.get(ALERT_CONFIG) else None)
    source = ALERT_URLS
    if purpose == "health" and split_urls(env.get(HEALTH_URLS)):
        urls, config_path, source = split_urls(env.get(HEALTH_URLS)), None, HEALTH_URLS
    redact = Redactor()
    for url in urls:
        redact.add(url)
    if not urls and config_path is None:
        return Targets([], redact, source)
    with quiet_transport(redact):
        plugins = _plugins(urls, config_path, redact)
    items = []
    for plugin in plugins:
        raw = str(plugin.url(privacy=False))
        redact.add(raw)
        items.append(Target(str(plugin.service_name), mask_url(raw), _renders_markdown(plugin), plugin))
    if config_path is not None:
        source = f"{source} + {config_path}" if urls else str(config_path)
    return Targets(items, redact, source)


def _plugins(urls: list[str], config_path: Path | None, redact: Redactor) -> list[Any]:
    import apprise

    asset = apprise.AppriseAsset(app_id="supportmatrix", app_desc="Defender for Cloud support matrices")
    plugins: list[Any] = []
    for index, url in enumerate(urls, 1):
        one = apprise.Apprise(asset=asset)
        if not one.add(url):
            raise AlertError(f"alert target {index} ({mask_url(url)}) is not a URL apprise can use")
        plugins.extend(one)
    if config_path is not None:
        if not config_path.is_file():
            raise AlertError(f"alert config {config_path} not found")
        cfg = apprise.AppriseConfig(asset=asset)
        if not cfg.add(str(config_path.resolve())):
            raise AlertError(f"alert config {config_path} cannot be read by apprise")
        from_config = apprise.Apprise(asset=asset)
        from_config.add(cfg)
        found = list(from_config)
        if not found:
            raise AlertError(f"alert config {config_path} names no target apprise can use")
        plugins.extend(found)
    return plugins


def _renders_markdown(plugin: Any) -> bool:
    """Whether a markdown body reaches the service as markdown or HTML (apprise converts it), rather
    than as raw text: honours a ``?format=text`` override on multi-format services."""
    import apprise

    shown = plugin.resolve_format(apprise.NotifyFormat.MARKDOWN)
    return bool(shown in (apprise.NotifyFormat.MARKDOWN, apprise.NotifyFormat.HTML))


@dataclass(frozen=True)
class Delivery:
    target: str  # masked
    ok: bool
    reason: str = ""  # redacted


def deliver(targets: Targets, *, title: str, markdown: str, text: str, notify_type: str = "info") -> list[Delivery]:
    """Send one message to each target: the markdown body where the service renders it, else the text."""
    import apprise

    results = []
    for target in targets.items:
        one = apprise.Apprise()
        one.add(target.plugin)
        body, fmt = (markdown, apprise.NotifyFormat.MARKDOWN) if target.markdown else (text, apprise.NotifyFormat.TEXT)
        with quiet_transport(targets.redact) as captured:
            try:
                ok = bool(one.notify(body=body, title=title, body_format=fmt, notify_type=notify_type))
            except Exception as exc:  # apprise reports failures per service; anything else is a failed delivery too
                ok = False
                captured.append(f"{type(exc).__name__}: {targets.redact(str(exc))}")
        reason = "" if ok else (captured[-1] if captured else "delivery failed")
        results.append(Delivery(str(target), ok, reason))
        if not ok:
            _log.info("alert to %s failed: %s", target, reason)  # the caller reports it, once
    return results


class _Capture(logging.Handler):
    def __init__(self, redact: Redactor, warnings: list[str]) -> None:
        super().__init__(logging.NOTSET)
        self.redact = redact
        self.warnings = warnings

    def emit(self, record: logging.LogRecord) -> None:
        try:
            text = self.redact(record.getMessage())
        except Exception:  # a record that cannot be formatted is dropped rather than shown raw
            return
        if record.levelno >= logging.WARNING:
            self.warnings.append(" ".join(text.split()))
        # at debug level: a failure is reported once, by deliver(), with the target it concerns
        _log.debug("%s: %s", record.name, text)


@contextmanager
def quiet_transport(redact: Redactor) -> Iterator[list[str]]:
    """Route apprise/urllib3/requests records through ``redact`` into our logger, and collect warnings."""
    warnings: list[str] = []
    handler = _Capture(redact, warnings)
    saved = []
    for name in _TRANSPORT_LOGGERS:
        logger = logging.getLogger(name)
        saved.append((logger, logger.propagate))
        logger.addHandler(handler)
        logger.propagate = False
    try:
        yield warnings
    finally:
        for logger, propagate in saved:
            logger.removeHandler(handler)
            logger.propagate = propagate
