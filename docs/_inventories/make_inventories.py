"""Write the small intersphinx inventories that the documentation build reads.

The build runs without network access (here and in CI), so intersphinx cannot
download the ``objects.inv`` files of scikit-learn, NumPy, pandas, PyTorch,
skorch and Python. Instead this script writes, for each of them, an inventory
holding only the names our docstrings, pages and examples link to, pointing at
the public pages of that project's documentation. Every name is imported from
the installed package first, so a name that a new release removes fails here
instead of becoming a dead link.

Run it after adding a cross-reference to a name that is not listed below::

    python docs/_inventories/make_inventories.py

The ``.inv`` files it writes next to itself are committed.
"""

import importlib
import zlib
from importlib.metadata import version
from pathlib import Path

HERE = Path(__file__).resolve().parent

# project -> (inventory file, distribution name, base URL, entries).
# An entry is (name, role, page relative to the base URL). The anchor is the
# name itself for Python objects and "term-<slug>" for glossary terms, as in
# the real inventories of these projects.
SKLEARN_API = "modules/generated/{name}.html"
PROJECTS = {
    "Python": (
        "python.inv",
        None,
        "https://docs.python.org/3/",
        [
            ("AssertionError", "py:exception", "library/exceptions.html"),
            ("ValueError", "py:exception", "library/exceptions.html"),
            ("TypeError", "py:exception", "library/exceptions.html"),
            ("OSError", "py:exception", "library/exceptions.html"),
            ("ConnectionError", "py:exception", "library/exceptions.html"),
        ],
    ),
    "scikit-learn": (
        "sklearn.inv",
        "scikit-learn",
        "https://scikit-learn.org/stable/",
        [
            *(
                (name, "py:class", SKLEARN_API)
                for name in [
                    "sklearn.pipeline.Pipeline",
                    "sklearn.preprocessing.StandardScaler",
                    "sklearn.model_selection.TimeSeriesSplit",
                    "sklearn.model_selection.GridSearchCV",
                    "sklearn.model_selection.RandomizedSearchCV",
                    "sklearn.model_selection.HalvingGridSearchCV",
                    "sklearn.linear_model.Ridge",
                    "sklearn.ensemble.HistGradientBoostingRegressor",
                    "sklearn.ensemble.StackingRegressor",
                    "sklearn.ensemble.VotingRegressor",
                    "sklearn.model_selection.KFold",
                    "sklearn.impute.SimpleImputer",
                ]
            ),
            *(
                (name, "py:function", SKLEARN_API)
                for name in [
                    "sklearn.pipeline.make_pipeline",
                    "sklearn.model_selection.cross_val_score",
                    "sklearn.model_selection.cross_validate",
                    "sklearn.model_selection.cross_val_predict",
                    "sklearn.model_selection.learning_curve",
                    "sklearn.metrics.mean_absolute_error",
                    "sklearn.utils.estimator_checks.check_estimator",
                    "sklearn.utils.estimator_checks.parametrize_with_checks",
                    "sklearn.datasets.get_data_home",
                ]
            ),
            *(
                (term, "std:term", "glossary.html")
                for term in [
                    "fit",
                    "predict",
                    "transform",
                    "estimator",
                    "CV splitter",
                    "meta-estimator",
                ]
            ),
            # Sections that the docstrings of inherited methods (score,
            # set_*_request) link to: (label, "std:label", page#anchor, title).
            (
                "r2_score",
                "std:label",
                "modules/model_evaluation.html#r2-score",
                "R² score, the coefficient of determination",
            ),
            (
                "metadata_routing",
                "std:label",
                "metadata_routing.html#metadata-routing",
                "Metadata Routing",
            ),
            (
                "df_output_transform",
                "std:label",
                "modules/compose.html#df-output-transform",
                "Output of a transformer as a DataFrame",
            ),
            (
                "sphx_glr_auto_examples_miscellaneous_plot_set_output.py",
                "std:label",
                "auto_examples/miscellaneous/plot_set_output.html"
                "#sphx-glr-auto-examples-miscellaneous-plot-set-output-py",
                "Introducing the set_output API",
            ),
        ],
    ),
    "NumPy": (
        "numpy.inv",
        "numpy",
        "https://numpy.org/doc/stable/",
        [
            ("numpy.isclose", "py:function", "reference/generated/{name}.html"),
            ("numpy.array_equal", "py:function", "reference/generated/{name}.html"),
            ("numpy.ndarray", "py:class", "reference/generated/{name}.html"),
        ],
    ),
    "pandas": (
        "pandas.inv",
        "pandas",
        "https://pandas.pydata.org/docs/",
        [
            ("pandas.DataFrame", "py:class", "reference/api/{name}.html"),
            ("pandas.Series", "py:class", "reference/api/{name}.html"),
            ("pandas.DatetimeIndex", "py:class", "reference/api/{name}.html"),
        ],
    ),
    "PyTorch": (
        "torch.inv",
        "torch",
        "https://docs.pytorch.org/docs/stable/",
        [
            ("torch.nn.RNN", "py:class", "generated/{name}.html"),
            ("torch.nn.LSTM", "py:class", "generated/{name}.html"),
            ("torch.nn.GRU", "py:class", "generated/{name}.html"),
            (
                "torch.nn.utils.rnn.pack_padded_sequence",
                "py:function",
                "generated/{name}.html",
            ),
            ("torch.set_num_threads", "py:function", "generated/{name}.html"),
        ],
    ),
    "skorch": (
        "skorch.inv",
        "skorch",
        "https://skorch.readthedocs.io/en/stable/",
        [
            ("skorch.net.NeuralNet", "py:class", "net.html"),
            ("skorch.regressor.NeuralNetRegressor", "py:class", "regressor.html"),
            ("skorch.callbacks.EarlyStopping", "py:class", "callbacks.html"),
            ("skorch.history.History", "py:class", "history.html"),
        ],
    ),
}


def resolve(name):
    """Import the object ``name`` names (a dotted path or a builtin)."""
    # HalvingGridSearchCV is importable only once the experimental flag is set.
    importlib.import_module("sklearn.experimental.enable_halving_search_cv")
    if "." not in name:
        import builtins

        return getattr(builtins, name)
    module_name, _, attribute = name.rpartition(".")
    while module_name:
        try:
            module = importlib.import_module(module_name)
        except ImportError:
            module_name, _, parent = module_name.rpartition(".")
            attribute = f"{parent}.{attribute}"
            continue
        obj = module
        for part in attribute.split("."):
            obj = getattr(obj, part)
        return obj
    raise ImportError(f"cannot import {name!r}")


def inventory_line(name, role, page, title=None):
    """One line of an inventory: name, role, priority, URI, display name."""
    if role == "std:label":
        # Labels carry their section title, shown as the link text.
        return f"{name} {role} -1 {page} {title}\n"
    if role == "std:term":
        uri = f"{page}#term-{name.lower().replace(' ', '-')}"
        # Glossary terms are looked up in lower case.
        name = name.lower()
    else:
        resolve(name)  # fails loudly if the installed package lacks the name
        uri = f"{page.format(name=name)}#{name}"
    return f"{name} {role} 1 {uri} -\n"


def write_inventory(project, filename, distribution, entries):
    """Write ``filename`` in Sphinx's inventory format, version 2."""
    release = version(distribution) if distribution else "3"
    header = (
        "# Sphinx inventory version 2\n"
        f"# Project: {project}\n"
        f"# Version: {release}\n"
        "# The remainder of this file is compressed using zlib.\n"
    )
    body = "".join(inventory_line(*entry) for entry in entries)
    (HERE / filename).write_bytes(
        header.encode() + zlib.compress(body.encode(), level=9)
    )


def main():
    for project, (filename, distribution, _, entries) in PROJECTS.items():
        write_inventory(project, filename, distribution, entries)
        print(f"wrote {HERE / filename} ({len(entries)} names)")


if __name__ == "__main__":
    main()
