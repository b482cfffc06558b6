"""Root pytest configuration: applies to the notebooks under ``notebooks/`` (nbval).

nbval compares every stored output strictly, except images.  Glued figures are
stored by myst-nb as ``application/papermill.record/image/png``, which nbval
does not know to be an image, so their bytes (which depend on the matplotlib
and FreeType versions) would be compared.  Add that key to nbval's skip list;
text outputs stay strictly compared.  The figures themselves are checked for
byte-determinism by tests/test_figures.py.
"""

IMAGE_GLUE_KEYS = ("application/papermill.record/image/png",)


def pytest_collectstart(collector):
    if hasattr(collector, "skip_compare"):
        collector.skip_compare = tuple(collector.skip_compare) + IMAGE_GLUE_KEYS
