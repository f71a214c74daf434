"""numpydoc validation of every public docstring.

Everything in ``sklearn_rnn.__all__`` and ``sklearn_rnn.datasets.__all__``,
and the public methods and properties our classes define or inherit from a
class of ours, must pass numpydoc's checks, except four that the package
chooses not to follow, as scikit-learn does:

* ES01 (an extended summary) and SA01 (a See Also section);
* EX01 (an Examples section) on methods and properties: the docstrings of
  the classes carry the examples;
* RT02 (the Returns line holds only a type): returns are named, as in
  ``self : object``.
"""

import inspect

import pytest
from numpydoc import validate as numpydoc_validate

import sklearn_rnn
import sklearn_rnn.datasets

IGNORED = {"ES01", "SA01", "RT02"}
IGNORED_IN_METHODS = IGNORED | {"EX01"}


def _ours(value):
    return getattr(value, "__module__", "").startswith("sklearn_rnn")


def _public_names():
    """(qualified name, whether it is a method or property) of each object."""
    names = []
    for module in (sklearn_rnn, sklearn_rnn.datasets):
        for name in module.__all__:
            if name.startswith("__"):
                continue
            qualified = f"{module.__name__}.{name}"
            names.append((qualified, False))
            obj = getattr(module, name)
            if not inspect.isclass(obj):
                continue
            for klass in obj.__mro__:
                if not _ours(klass):
                    continue
                for attribute, value in vars(klass).items():
                    if attribute.startswith("_"):
                        continue
                    # Methods, properties and descriptors such as available_if's.
                    if callable(value) or hasattr(value, "__get__"):
                        names.append((f"{qualified}.{attribute}", True))
    return sorted(set(names))


PUBLIC = _public_names()


def test_the_public_surface_is_found():
    names = {name for name, _ in PUBLIC}
    assert "sklearn_rnn.LSTMForecaster.fit" in names
    assert "sklearn_rnn.LSTMForecaster.predict_quantiles" in names
    assert "sklearn_rnn.ConformalForecaster.predict_interval" in names
    assert "sklearn_rnn.datasets.fetch_jena_climate" in names


@pytest.mark.parametrize("name, method", PUBLIC, ids=[name for name, _ in PUBLIC])
def test_public_docstring_passes_numpydoc(name, method):
    ignored = IGNORED_IN_METHODS if method else IGNORED
    result = numpydoc_validate.validate(name)
    errors = [
        f"{code}: {message}"
        for code, message in result["errors"]
        if code not in ignored
    ]
    assert errors == [], f"{name}\n" + "\n".join(errors)
