"""Change alerts and pipeline-health alerts, delivered with apprise.

After a validated, published run, :func:`notify` sends ONE message with the
run's support changes (plus any earlier ones whose delivery failed) to every
target in ``SUPPORTMATRIX_ALERT_URLS`` / ``SUPPORTMATRIX_ALERT_CONFIG``. A
failing run calls :func:`health_failure` instead: a distinct "pipeline health"
message (to ``SUPPORTMATRIX_HEALTH_URLS`` if set), once per distinct failure,
and :func:`health_ok` sends one "recovered" message when a run succeeds again.

What was announced is kept in ``snapshots/alerts-state.json`` (see
:mod:`pipeline.alerts._state`): a change is sent once per revision it was
detected in; a failed delivery leaves it pending for the next run. With no
target configured, alerts are off: nothing is sent and no state is written.

Delivery failures never fail a run (the data is published; the changes stay
pending). A target apprise cannot use raises :class:`AlertError`, with the
URL masked.
"""

from __future__ import annotations

import hashlib
import logging
import os
import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from .._clock import utc_now
from ..errors import AlertError, HTTPStatusError, PipelineError, SnapshotError, ValidationFailed
from . import _message as message
from . import _state as state_file
from . import _targets as targets_mod
from ._targets import ALERT_CONFIG, ALERT_URLS, HEALTH_URLS, Delivery, Targets

if TYPE_CHECKING:
    import pandas as pd

__all__ = [
    "ALERT_CONFIG",
    "ALERT_URLS",
    "HEALTH_URLS",
    "QUIET_KINDS",
    "SITE_URL",
    "Links",
    "Outcome",
    "announceable",
    "change_message",
    "fingerprint",
    "health_failure",
    "health_ok",
    "links",
    "notify",
    "preview",
    "retry_pending",
    "send_test",
]

SITE_URL = "SUPPORTMATRIX_SITE_URL"  # public root of output/ (e.g. the GitHub Pages URL), for links in alerts
CHANGES_PAGE = "changes.md"
QUIET_KINDS = ("baseline",)  # history records that are not announced (see announceable)
_log = logging.getLogger("pipeline.alerts")


@dataclass(frozen=True)
class Links:
    page_url: str
    changes_url: str
    title: str | None = None  # what the messages call the page (its spec's alert_title)


def links(meta: Mapping[str, Any] | None, output: Path, env: Mapping[str, str] | None = None) -> Links:
    """Links for a message: the Learn page of the revision, and the published changes (the site serves
    the output root: each page's publication is in its own folder)."""
    from ..steps import page_of

    env = os.environ if env is None else env
    spec = page_of(meta)
    meta = meta or {}
    page = next((str(meta[k]) for k in ("canonical_url", "final_url") if isinstance(meta.get(k), str)), spec.url)
    site = env.get(SITE_URL, "").strip()
    published = f"{site.rstrip('/')}/{spec.slug}/{CHANGES_PAGE}" if site else str(Path(output) / CHANGES_PAGE)
    return Links(page, published, spec.alert_title)


@dataclass
class Outcome:
    sent: int = 0  # changes (or health messages) delivered
    pending: int = 0  # changes left for the next run
    line: str = ""  # one line for the run log; never contains a secret
    deliveries: list[Delivery] = field(default_factory=list)


# -- support changes ---------------------------------------------------------------


def notify(
    changes: pd.DataFrame,
    *,
    snapshots: Path,
    links: Links,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
    now: str | None = None,
) -> Outcome:
    """Announce ``changes`` (this run's) and whatever is still pending, in one message per target."""
    changes = announceable(changes)
    if not targets_mod.configured(env, config):
        n = len(changes)
        return Outcome(line=f"alerts: off (no {ALERT_URLS} or {ALERT_CONFIG}); {_n(n)} not announced" if n else "")
    now = now or utc_now()
    state = state_file.load(snapshots)
    batch, keys = _batch(changes, state, snapshots)
    if not keys:
        state_file.save(snapshots, state)
        return Outcome()
    try:
        targets = targets_mod.load("changes", env, config)
    except AlertError as exc:
        state.mark_pending(keys, now, exc.message)
        state_file.save(snapshots, state)
        raise
    if not len(batch):  # each one was undone within the window and told by a transient line already
        state.mark_delivered(keys, now)
        state_file.save(snapshots, state)
        return Outcome()
    msg = change_message(batch, links=links)
    deliveries = _send(targets, msg)
    failed = [d for d in deliveries if not d.ok]
    if failed:
        state.mark_pending(keys, now, "; ".join(f"{d.target}: {d.reason}" for d in failed))
        line = f"alerts: delivery failed ({_failures(failed)}); {_n(len(keys))} pending, retried on the next run"
        outcome = Outcome(0, len(keys), line, deliveries)
    else:
        state.mark_delivered(keys, now)
        outcome = Outcome(len(keys), 0, f"alerts: sent {_n(len(keys))} to {_targets(deliveries)}", deliveries)
    state_file.save(snapshots, state)
    return outcome


def hold(
    changes: pd.DataFrame,
    *,
    snapshots: Path,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
    now: str | None = None,
) -> None:
    """Record this run's changes as pending before anything is published, so a publish that fails or a
    crash before delivery leaves them to the next run instead of losing them."""
    changes = announceable(changes)
    if not len(changes) or not targets_mod.configured(env, config):
        return
    state = state_file.load(snapshots)
    fresh = [k for k in _keys(changes) if not state.was_delivered(*k)]
    if fresh:
        state.mark_pending(fresh, now or utc_now(), "not sent yet (held until published)", attempt=False)
        state_file.save(snapshots, state)


def announceable(changes: pd.DataFrame, also: pd.DataFrame | None = None) -> pd.DataFrame:
    """The changes people are told about (alerts, the issue and the release alike): each transient pair
    as its one event (:func:`pipeline.diff.transient.collapse`; ``also``: more history whose events hide
    pairs in ``changes``), and not the bookkeeping records of the history (a ``baseline`` says which page
    the diffs start from; it is no change of support)."""
    if not len(changes):
        return changes
    from ..diff.transient import collapse

    changes = collapse(changes, also=also)
    quiet = changes["kind"].isin(QUIET_KINDS)
    return changes[~quiet].reset_index(drop=True) if quiet.any() else changes


def retry_pending(
    *,
    snapshots: Path,
    links: Links,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
    now: str | None = None,
) -> Outcome:
    """Send what earlier runs could not deliver (an unchanged run calls this)."""
    if not targets_mod.configured(env, config) or not state_file.load(snapshots).pending:
        return Outcome()  # the common case, decided without pandas or apprise
    from ..diff import empty

    return notify(empty(), snapshots=snapshots, links=links, env=env, config=config, now=now)


def _batch(changes: pd.DataFrame, state: state_file.AlertState, snapshots: Path) -> tuple[Any, list[tuple[str, str]]]:
    """This run's undelivered changes plus the pending ones read back from the history, as told (the
    changes of a transient pair as its one event, wherever in the history the event is), and the keys
    of all of them: a change told by its transient line is delivered with it."""
    import pandas as pd

    fresh = changes[[not state.was_delivered(c, r) for c, r in _keys(changes)]] if len(changes) else changes
    wanted = [k for k in state.pending_keys() if k not in set(_keys(fresh))]
    recovered = changes.iloc[0:0]
    history = None
    if wanted:
        history = _history(snapshots)
        have = set(_keys(history))
        lost = [k for k in wanted if k not in have]
        if lost:
            _log.warning("alerts: %s pending but no longer in the change history; dropped", _n(len(lost)))
            state.drop_pending(lost)
        recovered = history[[k in set(wanted) for k in _keys(history)]]
    parts = [f for f in (recovered, fresh) if len(f)]
    if not parts:
        return changes.iloc[0:0], []
    batch = pd.concat(parts, ignore_index=True)
    batch = batch.drop_duplicates(["change_id", "new_revision", "detected_at"]).reset_index(drop=True)
    return announceable(batch, also=history), list(dict.fromkeys(_keys(batch)))


def _keys(frame: pd.DataFrame) -> list[tuple[str, str]]:
    """(change_id, occurrence): the same content hash seen again later (a page that flaps back to an
    earlier version is the same revision again) is a new event, told apart by when it was detected."""
    return [(str(c), f"{r}@{d}") for c, r, d in zip(frame["change_id"], frame["new_revision"], frame["detected_at"])]


def _history(snapshots: Path) -> pd.DataFrame:
    from ..store.snapshots import SnapshotStore

    return SnapshotStore(snapshots).changes()


def change_message(changes: pd.DataFrame, *, links: Links, limit: int = message.LIMIT) -> message.Message:
    """The title, markdown and plain-text body an alert for ``changes`` carries (the markdown body
    also serves as a GitHub issue body)."""
    return message.change_message(
        changes, page_url=links.page_url, changes_url=links.changes_url, limit=limit, page=links.title
    )


# -- pipeline health ---------------------------------------------------------------


def fingerprint(error: PipelineError) -> str:
    """What makes two failures "the same": stage, error type and its stable details (not timings)."""
    parts = [error.stage, type(error).__name__]
    if isinstance(error, ValidationFailed) and error.failed:
        parts += sorted(error.failed)
    elif isinstance(error, HTTPStatusError):
        parts.append(str(error.status))
    else:
        parts.append(re.sub(r"\d+(\.\d+)?", "#", error.message))
    return hashlib.sha256("\0".join(parts).encode("utf-8")).hexdigest()[:16]


def health_failure(
    error: PipelineError,
    *,
    snapshots: Path,
    snapshot_id: str | None = None,
    quarantined: bool = False,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
    now: str | None = None,
    page: str | None = None,
) -> Outcome:
    """Announce a failed run of the page called ``page``, once per distinct failure until a run succeeds again.

    Never raises for alert problems (the caller is already handling ``error``): they are logged.
    An alert state that cannot be read or written (damaged, or a read-only store) does not silence
    the alert: it is sent without the once-only bookkeeping, and the file is left as it was.
    """
    if not targets_mod.configured(env, config, purpose="health"):
        return Outcome()
    now = now or utc_now()
    reason = " ".join(str(error).split())
    try:
        state = state_file.load(snapshots)
    except SnapshotError:  # the run's own error line already names the file and what is wrong with it
        msg = message.health_message(
            stage=error.stage, reason=reason, since=now, snapshot=snapshot_id, quarantined=quarantined, page=page
        )
        return _send_health(msg, env, config)
    fp = fingerprint(error)
    health: dict[str, Any] = state.health if state.failing else {"status": "failing", "since": now, "announced": []}
    health.update(fingerprint=fp, stage=error.stage, reason=reason, snapshot=snapshot_id, quarantined=quarantined)
    state.health = health
    if fp in health.get("announced", []):
        _save_quietly(snapshots, state)
        return Outcome(line=f"alerts: health failure already announced (failing since {health['since']})")
    msg = message.health_message(
        stage=error.stage,
        reason=reason,
        since=health["since"],
        snapshot=snapshot_id,
        quarantined=quarantined,
        page=page,
    )
    outcome = _send_health(msg, env, config)
    if outcome.sent:
        health["announced"] = sorted({*health.get("announced", []), fp})
    _save_quietly(snapshots, state)
    return outcome


def _save_quietly(snapshots: Path, state: state_file.AlertState) -> None:
    """Save while another failure is being reported: a store that cannot be written is logged, not raised."""
    try:
        state_file.save(snapshots, state)
    except SnapshotError as exc:
        _log.warning("alerts: %s", exc.message)


def health_ok(
    *,
    snapshots: Path,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
    now: str | None = None,
    page: str | None = None,
) -> Outcome:
    """After a successful run: one "recovered" message if a failure had been announced."""
    if not targets_mod.configured(env, config, purpose="health"):
        return Outcome()
    state = state_file.load(snapshots)
    if not state.failing:
        return Outcome()
    health = state.health
    if health.get("announced"):
        msg = message.recovered_message(
            stage=str(health.get("stage")),
            reason=str(health.get("reason")),
            since=str(health.get("since")),
            now=now or utc_now(),
            page=page,
        )
        outcome = _send_health(msg, env, config)
        if not outcome.sent:
            state_file.save(snapshots, state)
            return outcome  # still "failing" in the state: the next good run says "recovered" again
    else:
        outcome = Outcome(line="alerts: pipeline healthy again (the failure was never announced)")
    state.health = {"status": "ok"}
    state_file.save(snapshots, state)
    return outcome


def _send_health(msg: message.Message, env: Mapping[str, str] | None, config: Path | None) -> Outcome:
    try:
        targets = targets_mod.load("health", env, config)
    except AlertError as exc:
        _log.warning("alerts: %s", exc.message)
        return Outcome(line=f"alerts: {exc.message}")
    deliveries = _send(targets, msg)
    failed = [d for d in deliveries if not d.ok]
    if failed:
        return Outcome(0, 0, f"alerts: health message not delivered ({_failures(failed)})", deliveries)
    return Outcome(1, 0, f"alerts: sent '{msg.title}' to {_targets(deliveries)}", deliveries)


# -- by hand: dry run and test ---------------------------------------------------------


def preview(
    *,
    snapshots: Path,
    links: Links,
    env: Mapping[str, str] | None = None,
    config: Path | None = None,
) -> str:
    """Exactly what would be sent now, with targets masked: the pending changes, or else the latest run's."""
    from ..store.snapshots import SnapshotStore

    state = state_file.load(snapshots)
    from ..diff import empty

    batch, keys = _batch(empty(), state, snapshots)
    label = f"{_n(len(keys))} pending delivery"
    if not keys:
        history, latest = _history(snapshots), SnapshotStore(snapshots).latest_good()
        if latest is not None:
            batch = announceable(history[history["new_revision"] == latest.id].reset_index(drop=True))
        label = f"nothing pending; the latest run's {_n(len(batch))} (snapshot {latest.id if latest else 'none'})"
    change_targets = targets_mod.load("changes", env, config)
    health_targets = targets_mod.load("health", env, config)
    out = [f"Change targets: {_list(change_targets)}", f"Health targets: {_list(health_targets)}", f"Changes: {label}"]
    health = state.health
    if state.failing:
        out.append(f"Health: failing since {health.get('since')} ({health.get('reason')})")
    if not len(batch):
        return "\n".join([*out, "", "Nothing would be sent."]) + "\n"
    msg = change_message(batch, links=links)
    text_only = [t for t in change_targets.items if not t.markdown]
    out += ["", f"Title: {msg.title}", "", "--- markdown body ---", msg.markdown.rstrip()]
    if text_only or not change_targets:
        out += ["", f"--- plain-text body (for {', '.join(map(str, text_only)) or 'text-only services'}) ---"]
        out.append(msg.text.rstrip())
    return "\n".join(out) + "\n"


def send_test(*, env: Mapping[str, str] | None = None, config: Path | None = None, now: str | None = None) -> Outcome:
    """Send a test message to every change and health target; raises AlertError if one fails."""
    change_targets = targets_mod.load("changes", env, config)
    health_targets = targets_mod.load("health", env, config)
    if not change_targets:
        raise AlertError(f"no alert target configured: set {ALERT_URLS} or {ALERT_CONFIG}")
    both = Targets(list(change_targets.items), change_targets.redact, change_targets.source)
    if health_targets.source != change_targets.source:
        both.items += health_targets.items
        both.redact.secrets |= health_targets.redact.secrets
    msg = message.test_message(now=now or utc_now(), targets=both.describe())
    deliveries = _send(both, msg)
    failed = [d for d in deliveries if not d.ok]
    if failed:
        raise AlertError(f"test alert not delivered: {_failures(failed)}")
    return Outcome(len(deliveries), 0, f"alerts: test message sent to {_targets(deliveries)}", deliveries)


# -- small helpers ---------------------------------------------------------------------


def _send(targets: Targets, msg: message.Message) -> list[Delivery]:
    return targets_mod.deliver(
        targets, title=msg.title, markdown=msg.markdown, text=msg.text, notify_type=msg.notify_type
    )


def _n(count: int) -> str:
    return f"{count} change{'s' if count != 1 else ''}"


def _targets(deliveries: list[Delivery]) -> str:
    return f"{len(deliveries)} target{'s' if len(deliveries) != 1 else ''}"


def _failures(failed: list[Delivery]) -> str:
    return "; ".join(f"{d.target}: {d.reason}" for d in failed)


def _list(targets: Targets) -> str:
    return ", ".join(targets.describe()) if targets else "none configured"
