"""The reading order of the gallery, for sphinx-gallery's ``within_subsection_order``.

Listed scripts come first, in this order; a listed script that does not exist
is skipped and a script missing from the list comes after the listed ones, by
file name, so adding or renaming an example never breaks the build.
"""

TEACHING_ORDER = [
    "plot_univariate.py",
    "plot_multivariate.py",
    "plot_calendar_features.py",
    "plot_grid_search.py",
    "plot_multistep.py",
    "plot_quantile_forecast.py",
    "plot_serving.py",
]


class TeachingOrder:
    """Sort key: position in ``TEACHING_ORDER``, then the file name."""

    def __init__(self, src_dir):
        self.src_dir = src_dir

    def __call__(self, filename):
        if filename in TEACHING_ORDER:
            return (TEACHING_ORDER.index(filename), filename)
        return (len(TEACHING_ORDER), filename)

    def __repr__(self):
        # Sphinx compares the configuration between builds by its repr.
        return f"{type(self).__name__}({TEACHING_ORDER})"
