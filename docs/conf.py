"""Sphinx configuration of the sklearn-rnn documentation.

The published site is the full build (from the repository root; it runs every
gallery example for real, which takes a while)::

    python -m pip install -e ".[docs]"
    python -m sphinx -W --keep-going -b html docs docs/_build/html

CI builds it in quick mode, where every gallery example runs on a short series
with tiny networks in seconds; each page of such a build says so in a banner,
because its numbers mean nothing::

    SKLEARN_RNN_QUICK=1 python -m sphinx -W --keep-going -b html docs docs/_build/html

The build needs no network: intersphinx reads the small inventories in
``docs/_inventories`` (see ``make_inventories.py`` there).
"""

import inspect
import os
import sys
from pathlib import Path

from sklearn.base import RegressorMixin, TransformerMixin

import sklearn_rnn
import sklearn_rnn.datasets
import sklearn_rnn.utils.estimator_checks

DOCS = Path(__file__).resolve().parent

project = "sklearn-rnn"
author = "the sklearn-rnn developers"
copyright = "the sklearn-rnn developers, BSD-3-Clause"
release = sklearn_rnn.__version__
version = release

extensions = [
    "sphinx.ext.autodoc",
    "sphinx.ext.autosummary",
    "sphinx.ext.intersphinx",
    "numpydoc",
    "sphinx_gallery.gen_gallery",
    "myst_parser",
]

source_suffix = {".rst": "restructuredtext", ".md": "markdown"}
exclude_patterns = ["_build", "_inventories", "Thumbs.db", ".DS_Store"]
# The README and CONTRIBUTING live at the repository root for GitHub; the site
# has its own front page (index.md) and includes neither.

# --- API reference -----------------------------------------------------------
autosummary_generate = True
templates_path = ["_templates"]
# Classes use _templates/autosummary/class.rst: every public method, inherited
# ones included (fit, predict and score come from a private base class and
# from scikit-learn's mixins), is documented on the class's own page.
autodoc_default_options = {"members": True}
autodoc_typehints = "none"
# numpydoc's table of methods at the top of each class page links to the
# sections below it (no separate page per method).
numpydoc_show_class_members = True
numpydoc_class_members_toctree = False


def _kind(obj):
    """Section of the API page that a public name belongs to."""
    if inspect.isclass(obj) and issubclass(obj, RegressorMixin):
        return "Forecasters"
    if inspect.isclass(obj) and issubclass(obj, TransformerMixin):
        return "Transformers"
    if inspect.isclass(obj):
        return "Other classes"
    return "Functions"


def _autosummary(names, template=None):
    lines = ["", ".. autosummary::", "   :toctree: generated/"]
    if template:
        lines.append(f"   :template: {template}")
    lines += ["", *(f"   {name}" for name in names), ""]
    return lines


def write_api_page():
    """Write api.rst from the packages' ``__all__``.

    Generated rather than written by hand so that every public name, including
    ones added later, gets an entry without anyone remembering to list it.
    """
    sections = {
        "Forecasters": [],
        "Transformers": [],
        "Other classes": [],
        "Functions": [],
    }
    for name in sorted(sklearn_rnn.__all__):
        if not name.startswith("_"):
            sections[_kind(getattr(sklearn_rnn, name))].append(name)
    lines = [
        ".. This file is written by conf.py from the packages' __all__; do not edit.",
        "",
        "API reference",
        "=============",
        "",
        "Every public name of sklearn-rnn. Parameters, attributes and examples are",
        "documented on each name's page; the :doc:`user_guide` explains how the",
        "pieces fit together.",
        "",
        ".. currentmodule:: sklearn_rnn",
    ]
    for title, names in sections.items():
        if names:
            lines += ["", title, "-" * len(title), *_autosummary(names)]
    lines += [
        "",
        "Datasets",
        "--------",
        "",
        ".. currentmodule:: sklearn_rnn.datasets",
        *_autosummary(sorted(sklearn_rnn.datasets.__all__)),
        "",
        "Estimator checks",
        "----------------",
        "",
        ".. automodule:: sklearn_rnn.utils.estimator_checks",
        "   :no-members:",
        "",
        ".. currentmodule:: sklearn_rnn.utils.estimator_checks",
        *_autosummary(sorted(sklearn_rnn.utils.estimator_checks.__all__)),
    ]
    text = "\n".join(lines) + "\n"
    path = DOCS / "api.rst"
    # Rewriting an unchanged file would make Sphinx rebuild every page.
    if not path.exists() or path.read_text() != text:
        path.write_text(text)


write_api_page()

# --- Gallery -----------------------------------------------------------------
QUICK = os.environ.get("SKLEARN_RNN_QUICK", "") not in ("", "0")
sys.path.insert(0, str(DOCS))  # for _gallery_order
sphinx_gallery_conf = {
    "examples_dirs": "../examples",
    "gallery_dirs": "auto_examples",
    "filename_pattern": r"/plot_",
    # The reading order: one input, several, the hour of day, tuning, several
    # lead times, intervals, serving (docs/_gallery_order.py).
    "within_subsection_order": "_gallery_order.TeachingOrder",
    "doc_module": ("sklearn_rnn",),
    "reference_url": {"sklearn_rnn": None},
    "backreferences_dir": "generated/backreferences",
    "remove_config_comments": True,
    # Only what the scripts print is shown: no repr of a cell's last expression
    # (the return value of ax.set or ax.legend means nothing to a reader).
    "capture_repr": (),
    "show_memory": False,
    "abort_on_example_error": True,
    "plot_gallery": True,
}

# --- Cross-references to other projects --------------------------------------
intersphinx_mapping = {
    "python": ("https://docs.python.org/3/", "_inventories/python.inv"),
    "sklearn": ("https://scikit-learn.org/stable/", "_inventories/sklearn.inv"),
    "numpy": ("https://numpy.org/doc/stable/", "_inventories/numpy.inv"),
    "pandas": ("https://pandas.pydata.org/docs/", "_inventories/pandas.inv"),
    "torch": ("https://docs.pytorch.org/docs/stable/", "_inventories/torch.inv"),
    "skorch": ("https://skorch.readthedocs.io/en/stable/", "_inventories/skorch.inv"),
}
intersphinx_timeout = 1

# --- Markdown pages ----------------------------------------------------------
myst_enable_extensions = ["colon_fence"]
myst_heading_anchors = 3

# --- HTML --------------------------------------------------------------------
html_theme = "pydata_sphinx_theme"
html_title = f"sklearn-rnn {release}"
html_theme_options = {
    "navigation_with_keys": False,
    "show_toc_level": 2,
    "footer_start": ["copyright"],
    "footer_end": ["sphinx-version"],
}
if QUICK:
    html_theme_options["announcement"] = (
        "Quick build (SKLEARN_RNN_QUICK=1): the examples ran on a short series "
        "with tiny networks, so their numbers and figures mean nothing. The "
        "published site is the full build."
    )
html_static_path = []
html_show_sourcelink = False
