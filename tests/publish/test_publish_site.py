"""The feed, the changelog, the JSON API and index.html as people read them: links, anchors, dates, layout."""

from __future__ import annotations

import json
import shutil
import struct
import subprocess
from pathlib import Path

import pandas as pd
import pytest
from lxml import etree

from pipeline import publish as publishing
from tests.publish_support import meta, sample_body, sample_changes, sample_frames

ATOM = "{http://www.w3.org/2005/Atom}"
SITE_URL = "https://example.github.io/supportmatrix"
PAGE_SITE = f"{SITE_URL}/defender-for-containers"  # the site serves the output root: one folder per page


@pytest.fixture(scope="module")
def frames() -> dict[str, pd.DataFrame]:
    return sample_frames()


@pytest.fixture(scope="module")
def site(tmp_path_factory: pytest.TempPathFactory, frames: dict[str, pd.DataFrame]) -> Path:
    out = tmp_path_factory.mktemp("site") / "output"
    with pytest.MonkeyPatch.context() as mp:  # as the workflow sets it; run.py passes no site URL
        mp.setenv(publishing.SITE_URL_ENV, SITE_URL)
        publishing.publish(out, frames, sample_changes(), meta(frames))
    return out


def _html(site: Path) -> etree._Element:
    return etree.fromstring((site / "index.html").read_bytes())


def test_the_feed_links_itself_and_each_entry_to_its_run_on_the_site(site: Path, frames: dict) -> None:
    feed = etree.fromstring((site / "changes.atom").read_bytes())
    [self_link] = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
    assert self_link.get("href") == f"{PAGE_SITE}/changes.atom"
    ids = {e.get("id") for e in _html(site).iter() if e.get("id")}
    entries = feed.findall(f"{ATOM}entry")
    assert len(entries) == 2
    for entry in entries:
        [link] = entry.findall(f"{ATOM}link")  # no rel: "alternate", one per entry
        assert link.get("href").startswith(f"{PAGE_SITE}/#run-")
        assert link.get("href").split("#", 1)[1] in ids  # the anchor exists on the page
        assert frames["page"]["canonical_url"].iloc[0] in entry.findtext(f"{ATOM}content")
    assert [e.findtext(f"{ATOM}published") for e in entries] == [
        "2025-03-30T10:00:00+00:00",
        "2025-01-10T08:00:00+00:00",
    ]


def test_per_environment_feeds_hold_only_their_environment(site: Path) -> None:
    index = json.loads((site / "api/v1/index.json").read_bytes())
    feeds = [e["path"] for e in index["endpoints"] if e["path"].endswith(".atom")]
    assert "api/v1/feeds/azure.atom" in feeds
    history = sample_changes()
    for path in feeds:
        feed = etree.fromstring((site / path).read_bytes())
        slug = Path(path).stem
        env = index["environments"][slug]
        [self_link] = [link for link in feed.findall(f"{ATOM}link") if link.get("rel") == "self"]
        assert self_link.get("href") == f"{PAGE_SITE}/{path}"
        expected = history[history["environment"] == env].groupby(["detected_at", "new_revision"]).ngroups
        assert len(feed.findall(f"{ATOM}entry")) == expected, path


def test_the_json_api_serves_features_and_changes_by_day(site: Path, frames: dict) -> None:
    azure = json.loads((site / "api/v1/features/azure.json").read_bytes())
    assert azure["environment"] == "Azure"
    features = frames["features"]
    assert len(azure["features"]) == (features["environment"] == "Azure").sum()
    first = azure["features"][0]
    assert first["support"] and {"state", "state_since", "first_seen"} <= set(first["support"][0])
    history = sample_changes()
    day = json.loads((site / "api/v1/changes/2025-01-10.json").read_bytes())
    assert sorted(c["change_id"] for c in day) == sorted(
        history[history["detected_at"].str.startswith("2025-01-10")]["change_id"]
    )
    since = json.loads((site / "api/v1/changes/since/2025-03-01.json").read_bytes())
    assert {c["detected_at"] for c in since} == {"2025-03-30T10:00:00Z"}
    days = sorted(p.stem for p in (site / "api/v1/changes/since").glob("*.json"))
    assert len(days) == 31 and days[-1] == "2025-03-30"  # bounded: the month up to the published revision


def test_changes_md_is_grouped_by_detection_day(site: Path) -> None:
    text = (site / "changes.md").read_text(encoding="utf-8")
    headings = [line for line in text.splitlines() if line.startswith("## ")]
    assert [h.split(":")[0] for h in headings] == ["## 2025-03-30", "## 2025-01-10"]  # detection days, not ms.date
    assert "page date 2025-01-09" in text


def test_the_timeline_separates_labels_and_shows_page_dates_only_when_they_change(site: Path) -> None:
    runs = _html(site).findall(".//div[@class='run']")
    assert len(runs) == 2
    for run in runs:
        for li in run.iter("li"):
            kind, env = li.find("span[@class]"), li.findall("span")[1]
            assert kind.tail == " " and env.get("class") == "env", "labels are separated"
    newer = " ".join("".join(runs[0].find("div[@class='meta']").itertext()).split())
    assert "page date 2025-01-09 → 2025-03-30" in newer


def test_a_run_whose_page_date_did_not_change_shows_it_once(tmp_path: Path, frames: dict) -> None:
    history = sample_changes()
    history.loc[history["new_ms_date"] == "2025-03-30", "old_ms_date"] = "2025-03-30"
    out = tmp_path / "output"
    publishing.publish(out, frames, history, meta(frames))
    meta_line = " ".join("".join(_html(out).find(".//div[@class='run']/div[@class='meta']").itertext()).split())
    assert "page date 2025-03-30 ·" in meta_line and "→" not in meta_line


def test_a_real_diff_of_a_revised_page_reaches_the_feed_and_the_timeline(tmp_path: Path, frames: dict) -> None:
    from pipeline.diff import diff

    text = sample_body().decode("utf-8")
    old_row = "<td>Malware detection</td>\n<td>Detection of malware</td>\n<td>AKS nodes</td>\n<td>Preview</td>"
    assert old_row in text
    revised = text.replace(old_row, old_row.replace("<td>Preview</td>", "<td>GA</td>"))
    new = sample_frames(revised.replace("2025-03-30T00:00:00Z", "2025-04-02T00:00:00Z").encode("utf-8"))
    changes = diff(frames, new, meta(frames), meta(new))
    assert list(changes["kind"]) == ["promoted"]
    out = tmp_path / "output"
    publishing.publish(out, new, changes, meta(new))
    feed = etree.fromstring((out / "changes.atom").read_bytes())
    (entry,) = feed.findall(f"{ATOM}entry")
    assert f"/revision/{meta(new)['id']}/" in entry.findtext(f"{ATOM}id")
    assert "1 promoted" in entry.findtext(f"{ATOM}title")
    summary = changes["summary"].iloc[0]
    assert "Malware detection" in summary
    assert summary in etree.fromstring(entry.findtext(f"{ATOM}content"), etree.HTMLParser()).xpath("string()")
    runs = _html(out).findall(".//div[@class='run']")
    assert len(runs) == 1 and summary in " ".join("".join(runs[0].itertext()).split())
    assert summary in (out / "changes.md").read_text(encoding="utf-8")


# -- layout in a real browser (Debian's headless Chromium) ---------------------------------------------

CHROMIUM = shutil.which("chromium") or ("/usr/bin/chromium" if Path("/usr/bin/chromium").exists() else None)
needs_chromium = pytest.mark.skipif(
    CHROMIUM is None, reason="Debian's chromium is not installed (apt-get install -y chromium)"
)
# The page is measured inside an iframe of the exact width (headless Chromium's window has a minimum
# width above 400 px); the iframe's srcdoc shares the wrapper's origin, so the wrapper's script can read
# it. The site itself has no script: only this test wrapper does. The result is read back with --dump-dom.
PROBE = """<script>
const frame = document.getElementById('page');
frame.addEventListener('load', () => {
  const doc = frame.contentDocument, vw = doc.documentElement.clientWidth;
  const cells = [...doc.querySelectorAll('table.matrix td[data-label="Windows"]')];
  const wraps = [...doc.querySelectorAll('.wrap')].filter(w => w.querySelector('table.matrix'));
  const out = {
    viewport: vw,
    page_scrolls: doc.documentElement.scrollWidth > vw + 1,
    wraps_scroll: wraps.filter(w => w.scrollWidth > w.clientWidth + 1).length,
    windows_cells: cells.length,
    windows_hidden: cells.filter(c => { const r = c.getBoundingClientRect(); return r.width < 1 || r.right > vw + 1; }).length,
    row_display: frame.contentWindow.getComputedStyle(doc.querySelector('table.matrix tbody tr')).display,
  };
  const pre = document.createElement('pre'); pre.id = 'probe'; pre.textContent = JSON.stringify(out);
  document.body.appendChild(pre);
});
</script>"""


def _chromium(tmp_path: Path, width: int, *args: str) -> subprocess.CompletedProcess[str]:
    cmd = [str(CHROMIUM), "--headless", "--no-sandbox", "--disable-gpu", "--disable-background-networking"]
    cmd += ["--disable-component-update", "--disable-sync", "--no-first-run", "--hide-scrollbars"]
    cmd += [f"--user-data-dir={tmp_path / f'profile-{width}'}", f"--window-size={width},2400", *args]
    return subprocess.run(cmd, check=True, capture_output=True, text=True, timeout=180)


def _measure(site: Path, tmp_path: Path, width: int) -> dict:
    from markupsafe import escape

    html = (site / "index.html").read_text(encoding="utf-8")
    wrapper = tmp_path / f"probe-{width}.html"
    wrapper.write_text(
        f'<!DOCTYPE html><html><body style="margin:0"><iframe id="page" width="{width}" height="2400" '
        f'style="border:0" srcdoc="{escape(html)}"></iframe>{PROBE}</body></html>',
        encoding="utf-8",
    )
    dom = _chromium(tmp_path, max(width, 800), "--virtual-time-budget=5000", "--dump-dom", wrapper.as_uri()).stdout
    probe = etree.fromstring(dom.encode("utf-8"), etree.HTMLParser()).find(".//pre[@id='probe']")
    assert probe is not None, dom[-500:]
    return json.loads(probe.text)


@needs_chromium
@pytest.mark.parametrize("width", [400, 1400])
def test_index_html_screenshots_at_phone_and_desktop_width(site: Path, tmp_path: Path, width: int) -> None:
    png = tmp_path / f"index-{width}.png"
    _chromium(tmp_path, width, f"--screenshot={png}", (site / "index.html").as_uri())
    data = png.read_bytes()
    assert data[:8] == b"\x89PNG\r\n\x1a\n"
    assert struct.unpack(">II", data[16:24]) == (width, 2400)
    assert len(data) > 20_000  # a blank page compresses to a few KB; the matrix does not


@needs_chromium
def test_on_a_400px_screen_the_feature_tables_are_cards_with_every_column_visible(site: Path, tmp_path: Path) -> None:
    narrow = _measure(site, tmp_path, 400)
    assert narrow["viewport"] == 400
    assert narrow["row_display"] == "block"  # stacked cards, each cell labelled by its column
    assert not narrow["page_scrolls"] and narrow["wraps_scroll"] == 0, narrow
    assert narrow["windows_cells"] > 0 and narrow["windows_hidden"] == 0, narrow


@needs_chromium
def test_on_a_1400px_screen_the_feature_tables_stay_tables(site: Path, tmp_path: Path) -> None:
    wide = _measure(site, tmp_path, 1400)
    assert wide["row_display"] == "table-row"
    assert not wide["page_scrolls"] and wide["windows_hidden"] == 0, wide
