"""A failed or interrupted fit changes nothing; hostile input gets a clear error.

Also: own random generators (concurrent fits in threads), sample weights,
persistence with skops, and the residual baseline.
"""

import pickle
import threading

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback, EarlyStopping

from sklearn_rnn import (
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
)

CHEAP = dict(hidden_size=4, max_epochs=3, random_state=0)


def _data(n=120, n_features=2, seed=0):
    rng = np.random.default_rng(seed)
    series = np.cumsum(rng.normal(size=(n + 5, n_features)), axis=0)
    windows = WindowTransformer(5).fit_transform(series)[4:-1]
    y = series[5:, 0]
    return windows, y


class _InterruptAt(Callback):
    """Ctrl-C as it arrives: in the middle of an epoch, here after a batch."""

    def __init__(self, epoch):
        self.epoch = epoch

    def on_batch_end(self, net, **kwargs):
        if len(net.history) == self.epoch:
            raise KeyboardInterrupt


def _attributes(model):
    return {k: v for k, v in vars(model).items() if k.endswith("_")}


# -- interrupted and failed fits ------------------------------------------------


def test_keyboard_interrupt_propagates_and_first_fit_leaves_nothing():
    windows, y = _data()
    model = LSTMForecaster(
        **dict(CHEAP, max_epochs=50), callbacks=[("stop", _InterruptAt(2))]
    )
    with pytest.raises(KeyboardInterrupt):
        model.fit(windows, y)
    assert not hasattr(model, "n_features_in_")
    assert not hasattr(model, "module_")


def test_keyboard_interrupt_during_refit_keeps_the_fitted_model():
    windows, y = _data()
    model = GRUForecaster(**CHEAP).fit(windows, y)
    before, history = model.predict(windows), list(model.history_)
    model.set_params(max_epochs=50, callbacks=[("stop", _InterruptAt(2))])
    with pytest.raises(KeyboardInterrupt):
        model.fit(windows[:, :, :1], y)
    assert model.n_features_in_ == 2
    assert model.history_ == history
    assert_array_equal(model.predict(windows), before)


def test_failed_refit_with_another_width_keeps_width_and_names():
    import pandas as pd

    windows, y = _data()
    frame = pd.DataFrame(windows[:, -1, :], columns=["a", "b"])
    model = SimpleRNNForecaster(**CHEAP).fit(frame, y)
    before = model.predict(frame)
    wide = np.concatenate([windows, windows], axis=2)
    with pytest.raises(ValueError, match="training diverged"):
        model.set_params(lr=1e12, loss="squared_error").fit(wide, y * 1e6)
    assert model.n_features_in_ == 2
    assert list(model.feature_names_in_) == ["a", "b"]
    assert_array_equal(model.predict(frame), before)


def test_diverging_warm_start_keeps_weights_history_and_names_the_lr_in_use():
    windows, y = _data()
    model = LSTMForecaster(**CHEAP, warm_start=True).fit(windows, y)
    before, attributes = model.predict(windows), _attributes(model)
    model.set_params(lr=1e9, loss="squared_error")
    with pytest.raises(ValueError, match=r"lr=1000000000\.0 now"):
        model.fit(windows, y * 1e3)
    assert_array_equal(model.predict(windows), before)
    assert model.history_ == attributes["history_"]
    assert model.n_epochs_ == attributes["n_epochs_"]


# -- warm start ---------------------------------------------------------------


@pytest.mark.parametrize(
    "change",
    [
        {"hidden_size": 8},
        {"num_layers": 2},
        {"optimizer": "sgd"},
        {"baseline": None},
        {"loss": "quantile"},
    ],
)
def test_warm_start_refuses_changes_that_need_a_new_network(change):
    windows, y = _data()
    model = GRUForecaster(**CHEAP, warm_start=True).fit(windows, y)
    before = model.predict(windows)
    name = next(iter(change)) if "loss" not in change else "loss/quantile"
    with pytest.raises(ValueError, match=rf"but {name} changed.*warm_start=False"):
        model.set_params(**change).fit(windows, y)
    assert_array_equal(model.predict(windows), before)


class _BatchCounter(Callback):
    def initialize(self):
        self.sizes = []
        return self

    def on_batch_end(self, net, batch=None, training=None, **kwargs):
        if training:
            self.sizes.append(len(batch[1]))


def test_warm_start_applies_batch_size_dropout_and_weight_decay():
    windows, y = _data()
    model = LSTMForecaster(
        **CHEAP, warm_start=True, patience=None, callbacks=[("count", _BatchCounter())]
    ).fit(windows, y)
    model.set_params(batch_size=64, dropout=0.5, weight_decay=0.1, max_epochs=1)
    model.fit(windows, y)
    assert dict(model.callbacks_)["count"].sizes == [64, len(windows) - 64]
    assert model.module_.p == 0.5
    assert model._optimizer_state["param_groups"][0]["weight_decay"] == 0.1


def test_warm_start_may_switch_early_stopping_on():
    windows, y = _data()
    model = GRUForecaster(**dict(CHEAP, patience=None), warm_start=True)
    model.fit(windows, y)
    assert model.best_epoch_ is None
    model.set_params(patience=2, max_epochs=30).fit(windows, y)
    assert model.best_epoch_ > 3


# -- hostile parameters ---------------------------------------------------------


@pytest.mark.parametrize("name", ["hidden_size", "max_epochs", "n_threads"])
def test_booleans_are_not_ints(name):
    windows, y = _data()
    with pytest.raises(
        InvalidParameterError, match=rf"'{name}' parameter .* Got the boolean"
    ):
        LSTMForecaster(**{**CHEAP, name: True}).fit(windows, y)


def test_numpy_ints_are_ints():
    windows, y = _data()
    model = LSTMForecaster(**{**CHEAP, "hidden_size": np.int64(4)}).fit(windows, y)
    assert model.module_.head.in_features == 4


def test_a_network_too_large_for_memory_is_refused_up_front():
    windows, y = _data()
    with pytest.raises(ValueError, match=r"would need about .* GiB .*smaller"):
        LSTMForecaster(**{**CHEAP, "hidden_size": 10**6}).fit(windows, y)


def test_optimizers_without_weight_decay_or_with_sparse_gradients():
    import torch

    windows, y = _data()
    model = GRUForecaster(**CHEAP, optimizer=torch.optim.LBFGS).fit(windows, y)
    assert np.isfinite(model.predict(windows)).all()
    with pytest.raises(ValueError, match="LBFGS takes no weight_decay"):
        GRUForecaster(**CHEAP, optimizer=torch.optim.LBFGS, weight_decay=0.1).fit(
            windows, y
        )
    with pytest.raises(ValueError, match="SparseAdam, which needs sparse gradients"):
        GRUForecaster(**CHEAP, optimizer=torch.optim.SparseAdam).fit(windows, y)


def test_callbacks_must_be_skorch_callbacks_with_free_names():
    windows, y = _data()
    with pytest.raises(TypeError, match="takes skorch callbacks"):
        GRUForecaster(**CHEAP, callbacks=[object()]).fit(windows, y)
    with pytest.raises(ValueError, match="'stop_on_divergence' .* choose another"):
        GRUForecaster(**CHEAP, callbacks=[("stop_on_divergence", _BatchCounter())]).fit(
            windows, y
        )
    with pytest.raises(ValueError, match="watches 'valid_loss'.*exists only with"):
        GRUForecaster(**dict(CHEAP, patience=None), callbacks=[EarlyStopping()]).fit(
            windows, y
        )


# -- hostile inputs -------------------------------------------------------------


def test_inputs_that_are_not_real_numbers():
    import torch

    windows, y = _data()
    model = LSTMForecaster(**CHEAP)
    tensor = torch.tensor(windows, requires_grad=True)
    with pytest.raises(TypeError, match=r"torch tensor.*detach\(\)\.cpu\(\)\.numpy"):
        model.fit(tensor, y)
    with pytest.raises(ValueError, match="rectangular array.*WindowTransformer"):
        model.fit([[[1.0]], [[1.0], [2.0]]], [1.0, 2.0])
    stamps = np.array(["2013-01-01"] * len(y), dtype="datetime64[h]").reshape(-1, 1)
    with pytest.raises(ValueError, match="got datetimes"):
        model.fit(stamps, y)
    with pytest.raises(ValueError, match="Complex data not supported.*real numbers"):
        model.fit(windows + 1j, y)
    with pytest.raises(ValueError, match="must be an array of windows"):
        model.fit(3.0, y)


def test_targets_of_the_wrong_shape():
    windows, y = _data()
    model = LSTMForecaster(**CHEAP)
    with pytest.raises(
        ValueError, match=r"y of LSTMForecaster must be 1-D .* got shape"
    ):
        model.fit(windows, y.reshape(-1, 1, 1))
    with pytest.raises(ValueError, match="has 0 columns"):
        model.fit(windows, np.zeros((len(y), 0)))


def test_values_beyond_float32_are_refused_with_the_right_cause():
    windows, y = _data()
    model = LSTMForecaster(**CHEAP)
    huge = windows.astype(np.float64)
    huge[7, 2, 1] = 1e308
    with pytest.raises(ValueError, match="X of LSTMForecaster holds 1e\\+308"):
        model.fit(huge, y)
    model.fit(windows, y)
    huge[7, 2, 1] = 1e39
    with pytest.raises(ValueError, match="largest value is 3.403e\\+38"):
        model.predict(huge)
    with pytest.raises(ValueError, match="y of LSTMForecaster"):
        LSTMForecaster(**CHEAP).fit(windows, y * 1e300)


# -- randomness and threads -------------------------------------------------------


def test_concurrent_fits_in_threads_match_sequential_ones_and_keep_global_state():
    import torch

    windows, y = _data(n=200)
    params = dict(hidden_size=8, max_epochs=4, dropout=0.3, random_state=3)
    expected = GRUForecaster(**params).fit(windows, y).predict(windows)
    torch.manual_seed(123)
    state = torch.random.get_rng_state().clone()
    threads_before = torch.get_num_threads()
    results = [None] * 4

    def work(i):
        results[i] = GRUForecaster(**params).fit(windows, y).predict(windows)

    workers = [threading.Thread(target=work, args=(i,)) for i in range(4)]
    for worker in workers:
        worker.start()
    for worker in workers:
        worker.join()
    for result in results:
        assert_array_equal(result, expected)
    assert torch.equal(torch.random.get_rng_state(), state)
    assert torch.get_num_threads() == threads_before


def test_threading_backend_grid_search_matches_sequential():
    from joblib import parallel_backend
    from sklearn.model_selection import GridSearchCV, TimeSeriesSplit

    windows, y = _data(n=160)
    search = GridSearchCV(
        LSTMForecaster(**CHEAP),
        {"hidden_size": [3, 4]},
        cv=TimeSeriesSplit(3),
        scoring="neg_mean_absolute_error",
    )
    sequential = search.fit(windows, y).cv_results_["mean_test_score"]
    with parallel_backend("threading", n_jobs=2):
        threaded = search.set_params(n_jobs=2).fit(windows, y)
    assert_array_equal(threaded.cv_results_["mean_test_score"], sequential)


# -- sample weights ---------------------------------------------------------------


def test_sample_weight_decides_which_regime_is_learned():
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(400, 3, 1))
    y = np.where(np.arange(400) < 200, 0.0, 10.0) + 0.01 * rng.normal(size=400)
    weights = (np.arange(400) >= 200).astype(float)
    params = dict(hidden_size=4, max_epochs=60, lr=0.05, batch_size=50, patience=None)
    params.update(baseline=None, random_state=0)
    model = GRUForecaster(**params).fit(windows, y, sample_weight=weights)
    # Only the second regime counts: the median forecast is 10, not 0 or 5.
    assert abs(np.median(model.predict(windows)) - 10.0) < 1.0


def test_sample_weight_validation_and_metadata_routing():
    import sklearn
    from sklearn.model_selection import cross_validate

    windows, y = _data()
    model = LSTMForecaster(**CHEAP)
    with pytest.raises(ValueError, match="non-negative; got -1"):
        model.fit(windows, y, sample_weight=-np.ones(len(y)))
    with pytest.raises(ValueError, match="one weight per window"):
        model.fit(windows, y, sample_weight=np.ones(3))
    with sklearn.config_context(enable_metadata_routing=True):
        routed = LSTMForecaster(**CHEAP).set_fit_request(sample_weight=True)
        routed.set_score_request(sample_weight=False)
        scores = cross_validate(
            routed, windows, y, params={"sample_weight": np.ones(len(y))}
        )["test_score"]
    unweighted = cross_validate(LSTMForecaster(**CHEAP), windows, y)["test_score"]
    assert np.isfinite(scores).all()
    # Unit weights give the unweighted fit's scores, bit for bit or nearly.
    np.testing.assert_allclose(scores, unweighted, rtol=1e-5)


# -- persistence ------------------------------------------------------------------


def test_skops_round_trip_gives_identical_predictions(tmp_path):
    sio = pytest.importorskip("skops.io")
    from sklearn.pipeline import make_pipeline
    from sklearn.preprocessing import StandardScaler

    rng = np.random.default_rng(0)
    series = rng.normal(size=(150, 2))
    pipe = make_pipeline(
        StandardScaler(),
        WindowTransformer(5),
        LSTMForecaster(**CHEAP, loss="quantile", quantile=[0.2, 0.8]),
    ).fit(series, series[:, 0])
    path = tmp_path / "model.skops"
    sio.dump(pipe, path)
    untrusted = sio.get_untrusted_types(file=path)
    assert sorted(untrusted) == [
        "sklearn_rnn._forecasters.LSTMForecaster",
        "sklearn_rnn._window.WindowTransformer",
    ]
    loaded = sio.load(path, trusted=untrusted)
    assert_array_equal(loaded.predict(series), pipe.predict(series))
    windows = pipe[:-1].transform(series)
    assert_array_equal(
        loaded[-1].predict_quantiles(windows), pipe[-1].predict_quantiles(windows)
    )


def test_warm_start_continues_after_pickling():
    windows, y = _data()
    model = GRUForecaster(**CHEAP, warm_start=True).fit(windows, y)
    copy = pickle.loads(pickle.dumps(model))
    model.fit(windows, y)
    copy.fit(windows, y)
    assert_array_equal(copy.predict(windows), model.predict(windows))


# -- the residual baseline ---------------------------------------------------------


def test_auto_baseline_is_persistence_of_the_target_column():
    windows, y = _data()
    scaled = windows * 3.0 + 7.0  # as a scaler would leave them
    model = LSTMForecaster(**CHEAP).fit(scaled, y)
    assert model.baseline_feature_.tolist() == [0]
    base = model._encoding.baseline(scaled)[:, 0]
    # Rescaled to the target's moments, the scaled column is the target's
    # last value again (slope 1 in the target's units).
    slope, intercept = np.polyfit(windows[:, -1, 0], base, 1)
    assert slope == pytest.approx(1.0, abs=0.1)
    assert abs(intercept) < 0.2 * y.std()


def test_baseline_none_and_int_and_multi_output():
    windows, y = _data()
    none = LSTMForecaster(**CHEAP, baseline=None).fit(windows, y)
    assert none.baseline_feature_.tolist() == [-1]
    second = LSTMForecaster(**CHEAP, baseline=1).fit(windows, y)
    assert second.baseline_feature_.tolist() == [1]
    both = LSTMForecaster(**CHEAP).fit(windows, np.column_stack([y, 2 * y + 1]))
    assert both.baseline_feature_.tolist() == [0, 0]
    # Each output has its own baseline, rescaled to that output's moments.
    assert both._encoding.slope[1] == pytest.approx(2 * both._encoding.slope[0])
    with pytest.raises(ValueError, match="names feature 5, but the windows have 2"):
        LSTMForecaster(**CHEAP, baseline=5).fit(windows, y)


def test_baseline_makes_a_random_walk_forecast_persistence():
    # The best forecast of a random walk is its last value: with the baseline,
    # even an untrained network (one tiny epoch) is close to persistence.
    windows, y = _data(n=300)
    model = GRUForecaster(hidden_size=4, max_epochs=1, lr=1e-6, random_state=0)
    error = np.abs(model.fit(windows, y).predict(windows) - y).mean()
    persistence = np.abs(windows[:, -1, 0] - y).mean()
    without = GRUForecaster(
        hidden_size=4, max_epochs=1, lr=1e-6, random_state=0, baseline=None
    )
    error_without = np.abs(without.fit(windows, y).predict(windows) - y).mean()
    assert error < 1.2 * persistence < error_without


# -- documentation ------------------------------------------------------------------


@pytest.mark.parametrize(
    "cls",
    [SimpleRNNForecaster, LSTMForecaster, GRUForecaster],
    ids=lambda c: c.__name__,
)
def test_each_forecaster_documents_every_parameter_once(cls):
    import inspect

    doc = cls.__doc__
    assert "{shared_sections}" not in doc and "{example}" not in doc
    parameters = "\n" + doc.split("Parameters\n    ----------\n")[1]
    parameters = parameters.split("Attributes")[0]
    for name in inspect.signature(cls.__init__).parameters:
        if name == "self":
            continue
        assert parameters.count(f"\n    {name} : ") == 1, name
        line = parameters.split(f"\n    {name} : ")[1].split("\n")[0]
        assert "default=" in line, name
    assert f">>> from sklearn_rnn import {cls.__name__}," in doc
