"""Backfill's workers flush the snapshot folders they stage once per run of versions, before the main
process can place them (durable before visible), and the flush works without Linux's syncfs too."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from pipeline.backfill import _replay
from pipeline.backfill._revisions import Version
from pipeline.pages import or_default
from pipeline.publish import _swap
from pipeline.store import _folder

_PAGE = """---
title: Containers support matrix in Defender for Cloud
ms.date: 01/02/2024
---
# Containers support matrix in Defender for Cloud

## Azure

| Feature | Supported resources | Linux release state | Windows release state |
| --- | --- | --- | --- |
| Feature {n} | AKS | GA | Preview |
"""


def _versions(count: int) -> list[Version]:
    return [
        Version(f"{n:040x}", f"2024-01-0{n + 1}T00:00:00Z", "articles/page.md", None, "test", _PAGE.format(n=n))
        for n in range(count)
    ]


def test_a_run_of_versions_is_flushed_once_before_it_is_returned(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    per_folder: list[Path] = []
    flushed: list[list[Path]] = []
    monkeypatch.setattr(_folder, "fsync_tree", per_folder.append)
    monkeypatch.setattr(_swap, "fsync_trees", lambda roots: flushed.append(list(roots)))
    out = _replay.build_run((_versions(3), None, or_default(None), tmp_path))
    staged = [b.staged.path for b in out if b.staged is not None]
    assert len(staged) == 3 and all(p.is_dir() for p in staged)
    assert per_folder == []  # not file by file
    assert flushed == [staged]  # every staged folder, once, before the run's results leave the worker


def _tree(root: Path) -> Path:
    (root / "datasets").mkdir(parents=True)
    (root / "meta.json").write_text("{}", encoding="utf-8")
    (root / "datasets" / "page.parquet").write_bytes(b"x")
    return root


def _count_fsyncs(monkeypatch: pytest.MonkeyPatch) -> list[int]:
    calls: list[int] = []
    real = os.fsync

    def counting(fd: int) -> None:
        calls.append(fd)
        real(fd)

    monkeypatch.setattr(os, "fsync", counting)
    return calls


def test_without_syncfs_every_file_and_folder_is_fsynced(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    roots = [_tree(tmp_path / "a"), _tree(tmp_path / "b")]
    monkeypatch.setattr(_swap, "_syncfs", lambda: None)  # a libc without syncfs (looked up once per process)
    calls = _count_fsyncs(monkeypatch)
    _swap.fsync_trees(roots)
    assert len(calls) == 2 * (2 + 2)  # per tree: two files, two folders


def test_with_syncfs_one_call_flushes_the_filesystem(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    import ctypes

    try:
        ctypes.CDLL(None, use_errno=True).syncfs  # noqa: B018 (the lookup is the check)
    except (OSError, AttributeError):
        pytest.skip("this libc has no syncfs")
    calls = _count_fsyncs(monkeypatch)
    _swap.fsync_trees([_tree(tmp_path / "a"), _tree(tmp_path / "b")])
    assert calls == []
