"""How training ends, docstrings under -OO and in subclasses, one error type."""

import ast
import subprocess
import sys
from pathlib import Path

import numpy as np
import pytest
import torch
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback, EarlyStopping

from sklearn_rnn import (
    CalendarFeatures,
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
    make_supervised,
)

CHEAP = dict(hidden_size=4, max_epochs=3, random_state=0)


def _data(n=120, seed=0):
    rng = np.random.default_rng(seed)
    series = np.cumsum(rng.normal(size=(n + 5, 2)), axis=0)
    return WindowTransformer(5).fit_transform(series)[4:-1], series[5:, 0]


def test_a_user_callback_that_stops_training_ends_the_fit_normally():
    windows, y = _data()
    stop = EarlyStopping(monitor="train_loss", patience=1, threshold=10.0, sink=None)
    model = LSTMForecaster(**{**CHEAP, "max_epochs": 40}, callbacks=[stop])
    model.fit(windows, y)
    assert model.stop_reason_ == "callback"
    assert model.n_epochs_ < 40
    assert model.predict(windows).shape == (len(windows),)


def test_stop_reasons_of_the_training_loop():
    windows, y = _data()
    assert LSTMForecaster(**CHEAP).fit(windows, y).stop_reason_ == "max_epochs"
    model = LSTMForecaster(
        **{**CHEAP, "max_epochs": 300, "lr": 0.05}, patience=1, validation_fraction=0.3
    ).fit(windows, y)
    assert model.stop_reason_ == "early_stopping"
    assert model.best_epoch_ == model.n_epochs_ - 1


def test_early_stopping_restores_the_best_epoch_weights():
    windows, y = _data()
    params = {**CHEAP, "max_epochs": 300, "lr": 0.05, "patience": 2}
    stopped = GRUForecaster(**params).fit(windows, y)
    losses = [row["valid_loss"] for row in stopped.history_]
    assert stopped.best_epoch_ == 1 + int(np.argmin(losses))
    # Training for exactly best_epoch_ epochs, without stopping, gives the same net.
    plain = GRUForecaster(
        **{**params, "max_epochs": stopped.best_epoch_, "patience": 1000}
    ).fit(windows, y)
    np.testing.assert_array_equal(plain.predict(windows), stopped.predict(windows))


class _CountBatches(Callback):
    def on_train_begin(self, net, **kwargs):
        self.batches = 0

    def on_batch_end(self, net, **kwargs):
        self.batches += 1


def test_user_callbacks_see_every_batch():
    windows, y = _data()
    model = LSTMForecaster(
        **CHEAP, batch_size=10, patience=None, callbacks=[("count", _CountBatches())]
    ).fit(windows, y)
    assert dict(model.callbacks_)["count"].batches == 3 * int(np.ceil(len(y) / 10))


def test_train_and_eval_reach_every_layer_of_the_fitted_network():
    windows, y = _data()
    module = LSTMForecaster(**CHEAP, num_layers=2, dropout=0.5).fit(windows, y).module_
    for _ in range(2):  # a repeated call in the same mode is skipped: still right
        module.train()
        assert all(part.training for part in module.modules())
    module.eval()
    assert not any(part.training for part in module.modules())
    # Dropout is active again after eval -> train: two passes differ.
    module.train()
    batch = torch.from_numpy(np.ascontiguousarray(windows[:8], dtype=np.float32))
    with torch.no_grad():
        assert not torch.equal(module(batch), module(batch))
    module.eval()
    with torch.no_grad():
        assert torch.equal(module(batch), module(batch))


def test_padded_and_full_windows_train_alike_whatever_the_batch_layout():
    # Batches without padding reach the network as one tensor, batches with
    # some padding as a dict with the padding counts: both give the forecasts of
    # the padded windows' observed suffixes.
    series = np.cumsum(np.random.default_rng(1).normal(size=(80, 2)), axis=0)
    windows = WindowTransformer(6).fit_transform(series)[:-1]
    y = series[1:, 0]
    model = LSTMForecaster(**CHEAP, batch_size=4, shuffle=False).fit(windows, y)
    padded = model.predict(windows[:5])
    suffixes = [model.predict(windows[i : i + 1, 5 - i :]) for i in range(5)]
    np.testing.assert_allclose(padded, np.concatenate(suffixes), rtol=1e-5, atol=1e-6)


_WINDOWS = (
    "import numpy as np\n"
    "from sklearn.base import clone\n"
    "from sklearn_rnn import LSTMForecaster, WindowTransformer\n"
    "X = WindowTransformer(4).fit_transform(np.arange(40.0).reshape(-1, 1))\n"
    "m = clone(LSTMForecaster(hidden_size=2, max_epochs=1, random_state=0))\n"
    "print(X.shape, m.get_params()['hidden_size'])\n"
)


def _run(flag, code):
    done = subprocess.run(
        [sys.executable, flag, "-c", code], capture_output=True, text=True, timeout=120
    )
    assert done.returncode == 0, done.stderr
    return done.stdout.strip().splitlines()


def test_import_and_build_under_python_minus_OO():
    # Docstrings are None under -OO. (skorch itself cannot be imported there,
    # so fitting under -OO is out of reach; -O below fits.)
    assert _run("-OO", _WINDOWS) == ["(40, 4, 1) 2"]


def test_fit_under_python_minus_O():
    fit = "print(m.fit(X, np.arange(40.0)).predict(X).shape)\n"
    assert _run("-O", _WINDOWS + fit) == ["(40, 4, 1) 2", "(40,)"]


def test_subclasses_without_a_docstring_work():
    class MyForecaster(LSTMForecaster):
        pass

    windows, y = _data()
    model = MyForecaster(**CHEAP).fit(windows, y)
    assert model.predict(windows).shape == (len(windows),)
    assert MyForecaster.__doc__ is None


@pytest.mark.parametrize("cls", [SimpleRNNForecaster, LSTMForecaster, GRUForecaster])
def test_docstrings_have_no_placeholders_and_no_block_quote(cls):
    doc = cls.__doc__
    assert "{shared_sections}" not in doc and "{example}" not in doc
    # The extended description is a paragraph, not indented as a block quote.
    import inspect

    lines = inspect.cleandoc(doc).splitlines()
    assert lines[1] == "" and not lines[2].startswith(" ")


@pytest.mark.parametrize(
    "make",
    [
        lambda: LSTMForecaster(hidden_size=True).fit(*_data()),
        lambda: LSTMForecaster(max_epochs=2.5).fit(*_data()),
        lambda: LSTMForecaster(n_threads=True).fit(*_data()),
        lambda: LSTMForecaster(loss="quantile", quantile=np.array(1.5)).fit(*_data()),
        lambda: WindowTransformer(window_length=True).fit(np.ones((5, 1))),
        lambda: CalendarFeatures(features=["minute_of_moon"]).fit(
            __import__("pandas").DataFrame(
                {"a": range(3)},
                index=__import__("pandas").date_range("2024", periods=3, freq="h"),
            )
        ),
        lambda: make_supervised(np.ones((10, 2)), target=5),
        lambda: make_supervised(np.ones((10, 2)), target=0, horizon=0),
    ],
    ids=[
        "hidden_size",
        "max_epochs",
        "n_threads",
        "quantile",
        "window_length",
        "calendar",
        "target",
        "horizon",
    ],
)
def test_every_parameter_error_is_an_invalid_parameter_error(make):
    with pytest.raises(InvalidParameterError) as error:
        make()
    # It is a ValueError and a TypeError too, so older except clauses still work.
    assert isinstance(error.value, ValueError) and isinstance(error.value, TypeError)


def test_zero_d_array_quantile_is_a_level():
    windows, y = _data()
    model = LSTMForecaster(**CHEAP, loss="quantile", quantile=np.array(0.3))
    assert model.fit(windows, y).predict_quantiles(windows).shape == (len(y), 1)


def test_predict_quantiles_follows_what_was_fitted():
    windows, y = _data()
    model = LSTMForecaster(**CHEAP).fit(windows, y)
    assert not hasattr(model, "predict_quantiles")
    model.set_params(loss="quantile")
    with pytest.raises(AttributeError, match="fitted with loss='absolute_error'"):
        model.predict_quantiles(windows)
    with pytest.raises(AttributeError, match="Set loss='quantile'"):
        LSTMForecaster().predict_quantiles(windows)


# -- memory layouts and fill values ----------------------------------------------


def _layouts(X):
    return {
        "C": np.ascontiguousarray(X),
        "F": np.asfortranarray(X),
        "reversed strides": np.ascontiguousarray(X[::-1])[::-1],
        "strided view": X,
    }


@pytest.mark.parametrize("cls", [LSTMForecaster, SimpleRNNForecaster])
def test_every_memory_layout_gives_the_same_bits(cls):
    rng = np.random.default_rng(1)
    series = np.cumsum(rng.normal(size=(200, 3)), axis=0)
    X = WindowTransformer(6).fit_transform(series)
    y = np.c_[series[:, 0], series[:, 1]]
    reference = cls(**CHEAP).fit(np.ascontiguousarray(X), y).predict(X)
    for name, layout in _layouts(X).items():
        model = cls(**CHEAP).fit(layout, np.asfortranarray(y))
        for other in _layouts(X).values():
            np.testing.assert_array_equal(model.predict(other), reference, err_msg=name)


@pytest.mark.parametrize("fill_value", [np.inf, -np.inf, 1e39, -3.5e38])
def test_fill_values_float32_cannot_hold_are_refused(fill_value):
    with pytest.raises(InvalidParameterError, match="'fill_value' parameter"):
        WindowTransformer(3, fill_value=fill_value).fit(np.ones((5, 1)))


@pytest.mark.parametrize("fill_value", [np.nan, 0.0, -1e38])
def test_finite_and_nan_fill_values_pad(fill_value):
    windows = WindowTransformer(3, fill_value=fill_value).fit_transform(np.ones((5, 1)))
    np.testing.assert_array_equal(windows[0, :2, 0], np.float32(fill_value))


# -- the baseline encoding -------------------------------------------------------


def test_a_negated_target_still_gives_persistence():
    from sklearn_rnn._baseline import fit_encoding

    rng = np.random.default_rng(2)
    series = np.cumsum(rng.normal(size=(300, 2)), axis=0)
    X = WindowTransformer(4).fit_transform(series)[:-1]
    y = series[1:, :1]
    plain = fit_encoding(X, y, 250, "auto", "LSTMForecaster")
    negated = fit_encoding(X * [-3.0, 1.0], y, 250, "auto", "LSTMForecaster")
    assert plain.feature.tolist() == negated.feature.tolist() == [0]
    assert negated.slope[0] < 0
    np.testing.assert_allclose(
        negated.baseline(X * [-3.0, 1.0]), plain.baseline(X), atol=1e-9
    )


@pytest.mark.parametrize("baseline", ["auto", 1, None])
def test_encoding_round_trips(baseline):
    from sklearn_rnn._baseline import fit_encoding

    rng = np.random.default_rng(3)
    series = np.cumsum(rng.normal(size=(200, 3)), axis=0)
    X = WindowTransformer(5).fit_transform(series)[:-2]
    y = np.c_[series[1:-1, 0], series[2:, 2]]
    encoding = fit_encoding(X, y, 150, baseline, "GRUForecaster")
    encoded = encoding.encode(X, y)
    np.testing.assert_allclose(encoded[:150].mean(axis=0), 0, atol=1e-9)
    np.testing.assert_allclose(encoded[:150].std(axis=0), 1, atol=1e-9)
    np.testing.assert_allclose(encoding.decode(X, encoded), y, atol=1e-9)


def test_a_constant_baseline_feature_is_refused():
    windows, y = _data()
    windows = np.concatenate([windows, np.ones_like(windows[:, :, :1])], axis=2)
    with pytest.raises(ValueError, match="names feature 2, whose last time step is"):
        LSTMForecaster(**CHEAP, baseline=2).fit(windows, y)


_PACKAGE = Path(__file__).resolve().parents[1] / "sklearn_rnn"


def test_every_module_stays_under_500_lines():
    long = {
        str(path.relative_to(_PACKAGE)): n
        for path in _PACKAGE.rglob("*.py")
        if (n := len(path.read_text(encoding="utf-8").splitlines())) >= 500
    }
    assert long == {}


def test_the_estimators_fit_reads_in_under_50_lines():
    tree = ast.parse((_PACKAGE / "_forecasters.py").read_text(encoding="utf-8"))
    fits = [
        node
        for node in ast.walk(tree)
        if isinstance(node, ast.FunctionDef) and node.name == "_fit"
    ]
    assert fits and all(node.end_lineno - node.lineno + 1 < 50 for node in fits)


def test_window_transformer_takes_time_axis_checks_from_their_own_module():
    tree = ast.parse((_PACKAGE / "_window.py").read_text(encoding="utf-8"))
    sources = {
        node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)
    }
    assert "_time_axis" in sources and "_supervised" not in sources


def test_private_scikit_learn_names_come_through_the_compat_module_only():
    private = {}
    for path in _PACKAGE.rglob("*.py"):
        if path.name == "_compat.py":
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            if isinstance(node, ast.ImportFrom) and (node.module or "").startswith(
                "sklearn"
            ):
                names = [alias.name for alias in node.names]
                parts = node.module.split(".") + names
                if any(part.startswith("_") for part in parts):
                    private.setdefault(path.name, []).append(node.module)
            elif isinstance(node, ast.Import):
                for alias in node.names:
                    if alias.name.startswith("sklearn") and any(
                        part.startswith("_") for part in alias.name.split(".")
                    ):
                        private.setdefault(path.name, []).append(alias.name)
    assert private == {}
