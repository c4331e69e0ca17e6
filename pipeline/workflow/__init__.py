"""What the scheduled workflow needs around a run (I/O): the run's outcome read back from the store
(``report``) and GitHub issues and releases through the ``gh`` CLI (``github``)."""
