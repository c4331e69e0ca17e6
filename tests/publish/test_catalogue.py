"""The catalogue root: pages published by the real publish, read back into one listing, one data
package and one feed, rebuilt to the same bytes, and never blocked by one broken page."""

from __future__ import annotations

import json
import shutil
from pathlib import Path

import pytest
from lxml import etree

from pipeline import pages as pages_
from pipeline import publish
from pipeline.cli import main as cli
from pipeline.errors import UsageError
from pipeline.publish import _root
from pipeline.publish.catalogue import rebuild
from tests.publish_support import meta, sample_changes, sample_frames, tree_digest

ATOM = "{http://www.w3.org/2005/Atom}"


CONTAINERS, SERVERS, STORAGE, CLOUD = (
    pages_.get(s)
    for s in ("defender-for-containers", "defender-for-servers", "defender-for-storage", "defender-for-cloud")
)
SPECS = (CLOUD, CONTAINERS, SERVERS, STORAGE)


@pytest.fixture(scope="module")
def pages(tmp_path_factory: pytest.TempPathFactory) -> Path:
    """A root with three publications: two runs of changes, one older run only, and none at all."""
    frames = sample_frames()
    root = tmp_path_factory.mktemp("catalogue") / "output"
    changes = sample_changes()
    publish.publish(root / CONTAINERS.slug, frames, changes, meta(frames))
    older = changes[changes["new_revision"] == "2222222222222222"].reset_index(drop=True)
    # the servers page published with its own spec (titles, feed id) from the same sample datasets
    publish.publish(root / SERVERS.slug, frames, older, {**meta(frames), "page": SERVERS.slug})
    publish.publish(root / STORAGE.slug, frames, None, {**meta(frames), "page": STORAGE.slug})
    return root


def _fresh(pages: Path, tmp_path: Path) -> Path:
    root = tmp_path / "output"
    shutil.copytree(pages, root)
    return root


@pytest.fixture
def root(pages: Path, tmp_path: Path) -> Path:
    root = _fresh(pages, tmp_path)
    rebuild(root, SPECS)
    return root


def _resources(root: Path) -> list[dict]:
    return json.loads((root / "datapackage.json").read_bytes())["resources"]


def test_the_root_package_is_frictionless_valid_and_covers_every_published_page(root: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    report = frictionless.validate(root / "datapackage.json")
    assert report.valid, [(t.name, e.type, e.note) for t in report.tasks for e in t.errors][:10]
    resources = _resources(root)
    per_page = {s.slug: json.loads((root / s.slug / "datapackage.json").read_bytes())["resources"] for s in SPECS[1:]}
    assert len(resources) == len(report.tasks) == sum(len(r) for r in per_page.values())
    assert len({r["name"] for r in resources}) == len(resources)
    for slug, listed in per_page.items():
        mine = [r for r in resources if r["path"].startswith(f"{slug}/")]
        assert [r["path"] for r in mine] == [f"{slug}/{r['path']}" for r in listed]
        assert [r["hash"] for r in mine] == [r["hash"] for r in listed]
        assert all(r["jsonSchema"].startswith(f"{slug}/schema/") for r in mine if "jsonSchema" in r)
    desc = json.loads((root / "datapackage.json").read_bytes())
    assert [p["slug"] for p in desc["pages"]] == [CONTAINERS.slug, SERVERS.slug, STORAGE.slug]


def test_frictionless_catches_a_page_file_changed_after_the_rebuild(root: Path) -> None:
    frictionless = pytest.importorskip("frictionless", reason="frictionless is a dev extra")
    path = root / SERVERS.slug / "latest" / "features.csv"
    path.write_bytes(path.read_bytes().replace(b"Azure", b"Azura", 1))
    assert not frictionless.validate(root / "datapackage.json").valid


def test_the_combined_feed_names_the_page_in_every_entry_newest_first_with_unique_ids(root: Path) -> None:
    feed = etree.fromstring((root / "changes.atom").read_bytes())
    assert feed.tag == f"{ATOM}feed" and feed.findtext(f"{ATOM}id") == _root.FEED_ID
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 3  # containers' two runs and servers' one; storage recorded none
    titles = [e.findtext(f"{ATOM}title") for e in entries]
    assert titles[0] == "Defender for Containers: 1 change (1 added)"
    assert sorted(t.split(":")[0] for t in titles) == ["Defender for Containers"] * 2 + ["Defender for Servers"]
    updated = [e.findtext(f"{ATOM}updated") for e in entries]
    assert updated == sorted(updated, reverse=True) and feed.findtext(f"{ATOM}updated") == updated[0]
    ids = [e.findtext(f"{ATOM}id") for e in entries]
    assert len(set(ids)) == 3
    # every entry keeps its page feed's id: a reader subscribed to both feeds sees one item
    own = set()
    for spec in (CONTAINERS, SERVERS):
        feed_of_page = etree.fromstring((root / spec.slug / "changes.atom").read_bytes())
        own |= {e.findtext(f"{ATOM}id") for e in feed_of_page.iter(f"{ATOM}entry")}
    assert set(ids) == own
    terms = [e.find(f"{ATOM}category").get("term") for e in entries]
    assert sorted(terms) == [CONTAINERS.slug, CONTAINERS.slug, SERVERS.slug]


def test_each_page_keeps_its_own_feed(pages: Path, root: Path) -> None:
    for spec in (CONTAINERS, SERVERS, STORAGE):
        assert (root / spec.slug / "changes.atom").read_bytes() == (pages / spec.slug / "changes.atom").read_bytes()


def test_the_index_lists_every_page_with_its_latest_change_and_links_that_resolve(root: Path) -> None:
    raw = (root / "index.html").read_bytes()
    page = etree.fromstring(raw)  # strict XML: well-formed or it raises
    etree.fromstring(raw, etree.HTMLParser(recover=False))
    rows = {tr.get("id"): " ".join("".join(tr.itertext()).split()) for tr in page.iter("tr") if tr.get("id")}
    assert list(rows) == [f"page-{s.slug}" for s in SPECS]
    assert "not published yet" in rows["page-defender-for-cloud"]
    assert "2025-03-30 1 change (1 added)" in rows["page-defender-for-containers"]
    assert "2025-01-10 2 changes (1 removed, 1 promoted)" in rows["page-defender-for-servers"]
    assert "no changes recorded" in rows["page-defender-for-storage"]
    assert "2025-03-30T10:00:00Z" in rows["page-defender-for-storage"]  # last checked: the page's fetch
    hrefs = [a.get("href") for a in page.iter("a")]
    for spec in (CONTAINERS, SERVERS, STORAGE):
        assert f"{spec.slug}/index.html" in hrefs
    local = [h for h in hrefs if h and not h.startswith(("http", "#"))]
    assert len(local) > 3 * 33  # every file of every page, and each page's package, feed and site
    for href in local:
        assert (root / href).is_file(), href
    for anchor in [h[1:] for h in hrefs if h and h.startswith("#")]:
        assert page.xpath(f"//*[@id='{anchor}']"), anchor


def test_the_same_pages_rebuild_to_the_same_bytes(pages: Path, tmp_path: Path) -> None:
    first, second = _fresh(pages, tmp_path / "a"), _fresh(pages, tmp_path / "b")
    rebuild(first, SPECS)
    before = tree_digest(first)
    rebuild(first, SPECS)  # again over its own output
    rebuild(second, tuple(reversed(SPECS)))  # another root, the pages given in another order
    assert tree_digest(first) == before
    for name in _root.FILES:
        assert (first / name).read_bytes() == (second / name).read_bytes() != b""


def test_a_damaged_page_is_skipped_with_one_line_and_the_others_are_listed(pages: Path, tmp_path: Path) -> None:
    root = _fresh(pages, tmp_path)
    broken = root / SERVERS.slug / "latest" / "features.csv"
    broken.write_bytes(broken.read_bytes()[:-40])
    (root / STORAGE.slug / "datapackage.json").write_text("{not json", encoding="utf-8")
    result = rebuild(root, SPECS)
    assert result.listed == [CONTAINERS.slug]
    skipped = [line for line in result.log if "skipped" in line]
    assert len(skipped) == 2 and all("\n" not in line for line in skipped)
    assert skipped[0].startswith("defender-for-servers: skipped: publish: latest/features.csv")
    assert {r["path"].split("/")[0] for r in _resources(root)} == {CONTAINERS.slug}
    assert broken.is_file()  # the page's folder is carried over as it is: only the listing leaves it out
    text = (root / "index.html").read_text(encoding="utf-8")
    assert text.count("skipped: ") == 2 and text.count("not published yet") == 1
    feed = etree.fromstring((root / "changes.atom").read_bytes())
    assert len(feed.findall(f"{ATOM}entry")) == 2


def test_pages_are_hard_linked_into_the_new_root_and_nothing_is_left_beside_it(root: Path) -> None:
    assert sorted(p.name for p in root.parent.iterdir()) == ["output"]
    again = root.parent / "again"
    shutil.copytree(root, again)
    before = (root / CONTAINERS.slug / "latest" / "features.parquet").stat().st_ino
    rebuild(root, SPECS)
    assert (root / CONTAINERS.slug / "latest" / "features.parquet").stat().st_ino == before
    assert sorted(p.name for p in root.parent.iterdir()) == ["again", "output"]


def test_a_root_killed_between_its_two_renames_comes_back(root: Path) -> None:
    old = root.parent / ".output.old-killed"
    root.rename(old)  # what a kill after "moved-old" leaves: no output/, the previous tree beside it
    result = rebuild(root, SPECS)
    assert not old.exists() and result.listed == [CONTAINERS.slug, SERVERS.slug, STORAGE.slug]
    assert any("restored output" in line for line in result.log)


def test_a_page_killed_between_its_two_renames_comes_back_before_listing(root: Path) -> None:
    (root / SERVERS.slug).rename(root / f".{SERVERS.slug}.old-killed")
    assert SERVERS.slug in rebuild(root, SPECS).listed


def test_a_folder_that_is_not_a_publication_root_is_refused(root: Path) -> None:
    (root / "notes.txt").write_text("mine", encoding="utf-8")
    before = tree_digest(root)
    with pytest.raises(UsageError, match=r"not a publication root: it holds notes\.txt"):
        rebuild(root, SPECS)
    assert tree_digest(root) == before


def test_the_single_page_layout_is_carried_over_untouched(pages: Path, tmp_path: Path) -> None:
    root = _fresh(pages, tmp_path)
    legacy = tmp_path / "legacy"
    frames = sample_frames()
    publish.publish(legacy, frames, sample_changes(), meta(frames))
    for name in ("latest", "api", "changes.md"):
        (legacy / name).rename(root / name)
    rebuild(root, SPECS)
    assert (root / "latest" / "features.csv").is_file() and (root / "changes.md").is_file()
    assert not [r for r in _resources(root) if r["path"].startswith("latest/")]


def test_the_command_rebuilds_the_root_and_reports_each_page(pages: Path, tmp_path: Path, capsys) -> None:
    root = _fresh(pages, tmp_path)
    assert cli(["catalogue", "--output", str(root)]) == 0
    err = capsys.readouterr().err
    assert (root / "index.html").is_file() and "pages listed in" in err
    assert "defender-for-cloud: not published yet" in err
    (tmp_path / "file").write_text("x", encoding="utf-8")
    assert cli(["catalogue", "--output", str(tmp_path / "file")]) == UsageError.exit_code
    assert cli(["catalogue", "--output", str(tmp_path / "empty")]) == 0  # a first run: every page unlisted
    assert "0 of" in capsys.readouterr().err


def test_an_entry_id_not_naming_its_page_gets_one_that_does() -> None:
    """A page folder published under another page's spec would repeat that page's entry ids."""
    entry = _root.Entry(id=f"{_root.TAG}defender-for-containers/revision/abc/2025", title="t", updated="2025-01-01")
    assert _root.entry_id(CONTAINERS.slug, entry) == entry.id
    derived = _root.entry_id(SERVERS.slug, entry)
    assert derived.startswith(f"{_root.TAG}defender-for-servers/entry/") and derived != entry.id
    assert derived == _root.entry_id(SERVERS.slug, entry)  # stable
