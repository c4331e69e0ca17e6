"""supportmatrix tests (a package so shared helpers import as tests.corpus)."""
