"""The pipeline's one exception tree.

Every failure a user can cause or meet (bad input, an unreachable page, a
failed audit) is raised as a subclass of :class:`PipelineError`; the CLI turns
it into one line on stderr and an exit code, in one place (``pipeline.cli``).

    PipelineError
    ├── UsageError            bad command-line arguments or paths       (exit 2)
    ├── FetchError            the page could not be fetched              (exit 3)
    │   ├── OfflineError      no network at all (run falls back to a snapshot)
    │   ├── HostNotAllowed    a URL or redirect hop left the allow-list
    │   ├── BodyTooLarge      the body passed the size cap while streaming
    │   └── HTTPStatusError   4xx, or 5xx/429 after the retries
    ├── ExtractError          the bytes are not the article we expect    (exit 4)
    ├── NormaliseError        a table could not be made tidy            (exit 4)
    ├── ValidationFailed      the datasets failed their expectations     (exit 5)
    ├── SnapshotError         the snapshot store is unreadable/corrupt   (exit 6)
    ├── PublishError          output/ could not be rebuilt and swapped   (exit 7)
    ├── AlertError            an alert target could not be configured    (exit 8)
    └── StoreBusy             another run holds the store's run lock     (exit 9)

Each error carries the ``stage`` it came from and, where it helps a person,
the ``table``/``row`` it is about.
"""

from __future__ import annotations


class PipelineError(Exception):
    """Base of every error the pipeline raises on purpose."""

    stage = "pipeline"
    exit_code = 1

    def __init__(
        self,
        message: str,
        *,
        table: int | str | None = None,
        row: int | None = None,
    ) -> None:
        super().__init__(message)
        self.message = message
        self.table = table
        self.row = row

    def __str__(self) -> str:
        where = []
        if self.table is not None:
            where.append(f"table {self.table}")
        if self.row is not None:
            where.append(f"row {self.row}")
        suffix = f" ({', '.join(where)})" if where else ""
        return f"{self.message}{suffix}"

    def one_line(self) -> str:
        """The message the CLI prints: stage, then the reason, on one line."""
        text = " ".join(str(self).split())
        return f"{self.stage}: {text}"


class UsageError(PipelineError):
    stage = "usage"
    exit_code = 2


class FetchError(PipelineError):
    stage = "fetch"
    exit_code = 3


class OfflineError(FetchError):
    """The network is unreachable (DNS or routing): nothing to retry."""


class HostNotAllowed(FetchError):
    pass


class BodyTooLarge(FetchError):
    pass


class HTTPStatusError(FetchError):
    def __init__(self, message: str, *, status: int) -> None:
        super().__init__(message)
        self.status = status


class ExtractError(PipelineError):
    stage = "extract"
    exit_code = 4


class NormaliseError(PipelineError):
    stage = "normalise"
    exit_code = 4


class ValidationFailed(PipelineError):
    stage = "validate"
    exit_code = 5

    def __init__(self, message: str, *, failed: list[str] | None = None, report: object = None) -> None:
        super().__init__(message)
        self.failed = failed or []
        self.report = report


class SnapshotError(PipelineError):
    stage = "snapshots"
    exit_code = 6


class PublishError(PipelineError):
    stage = "publish"
    exit_code = 7


class AlertError(PipelineError):
    stage = "alerts"
    exit_code = 8


class StoreBusy(PipelineError):
    """Another run holds the snapshot store: not a failure of the pipeline (no health alert)."""

    stage = "busy"
    exit_code = 9
