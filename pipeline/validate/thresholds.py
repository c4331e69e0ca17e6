"""Every number validation decides with, in one place (the suites in ``expectations/`` are generated from it).

Change a value here, run ``python -m pipeline.validate.suites`` to rewrite the suite JSON, and commit both;
``tests/test_validate.py`` fails while the two disagree. (Vocabularies, titles and patterns live in
``suites.py``; only numbers live here.)

Row-count bounds are a page's own (``[bounds]`` in pipeline/pages/<slug>.toml, with the revisions they come
from): a page outside them is far from anything it has ever looked like: a layout change, a partial page or
a different article.
"""

from __future__ import annotations

# -- whole-revision limits (suite "revision") ------------------------------------------------------
# "Unknown" is the state normalise gives to release-state wording it does not know (none in the
# page's history). A few are published, flagged in the summary; more means the wording changed under us.
MAX_UNKNOWN_STATES = 5
# Cell footnote markers with no definition of that marker for their table. The page itself had a
# dangling reference for a few hours on 2022-04-07 (corpus 2022-04-07_b44947e): one is flagged, more fail.
MAX_UNRESOLVED_FOOTNOTE_REFS = 1

# -- drift guards against the previous good snapshot (suite "drift") -------------------------------
# feature_support may lose at most this share of its rows in one revision (the largest real drop
# between consecutive revisions is 11.6%, 2024-01-01).
MAX_FEATURE_SUPPORT_DROP_SHARE = 0.25
# The same guard for the pages without the richer datasets (suite "matrix_drift"): the long support dataset
# may lose at most this share of its cells in one revision. No sibling page's history (catalogue 2023-2024)
# is needed to set it: it is the containers page's guard, and an authored restructure that trips it is
# confirmed against the page's markdown (pipeline.validate.restructure), a broken page is not.
MAX_SUPPORT_DROP_SHARE = 0.25
# at most this many feature_support rows may turn "Unknown" (or appear as "Unknown") at once
MAX_NEW_UNKNOWN_STATES = 3
# A matrix section (one holding feature tables) whose name is gone counts as renamed or restructured, not
# vanished, when at least this share of its cells ((column, value) pairs) is still on the page: "Azure (AKS)"
# -> "Azure" (2023-12-16), the per-environment sections of 2023-02-26. Information sections (Aspect/Details
# only) may come and go: a "(Preview)" packages section was added and removed again on 2022-07-25.
RENAMED_SECTION_KEPT_SHARE = 0.5

# -- corroboration with the authored source (pipeline.validate.corroborate) ---------------------------------
# A drift failure is published as an authored restructure only when the scraped datasets and the ones
# built from the page's own markdown (at its git_commit_id) agree this well, per dataset (shared rows
# over all rows, as multisets). Scraped HTML and rendered markdown agree exactly (1.0) on every one of
# the 192 corpus revisions (2022-03 .. 2024-12, tests/test_restructure_corpus.py); a page missing one tab
# panel that holds 9% of the rows agrees at 0.91, so anything short of near-exact agreement is a broken scrape.
MIN_SOURCE_AGREEMENT = 0.99
