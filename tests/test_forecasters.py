"""The recurrent forecasters: shapes, padding, training loop, reproducibility, errors.

Every network here is tiny (hidden_size 4, a few epochs) and runs on one torch
thread, so the whole module takes seconds.
"""

import copy
import io
import pickle
import re
import subprocess
import sys
import textwrap

import joblib
import numpy as np
import pandas as pd
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.base import clone
from sklearn.exceptions import NotFittedError
from sklearn.metrics import r2_score
from sklearn.utils._param_validation import InvalidParameterError
from skorch.callbacks import Callback

from sklearn_rnn import (
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
)

pytestmark = pytest.mark.usefixtures("torch_one_thread")

FORECASTERS = [SimpleRNNForecaster, LSTMForecaster, GRUForecaster]
CHEAP = dict(hidden_size=4, max_epochs=3, patience=None, random_state=0)
WINDOW = 5


def _series(n_rows=60, n_features=2, seed=0):
    return np.random.default_rng(seed).normal(size=(n_rows, n_features))


def _target(series):
    """A mix of the current and the previous step: learnable from a window."""
    previous = np.concatenate([[0.0], series[:-1, 1]])
    return 0.7 * series[:, 0] + 0.3 * previous


def _windows(series, window_length=WINDOW):
    return WindowTransformer(window_length=window_length).fit_transform(series)


@pytest.fixture(scope="module")
def data():
    series = _series()
    return series, _windows(series), _target(series)


@pytest.fixture(scope="module", params=FORECASTERS, ids=lambda cls: cls.__name__)
def fitted(request, torch_one_thread):
    series = _series()
    return request.param(**CHEAP).fit(_windows(series), _target(series))


class _Snapshots(Callback):
    """Keeps the module's weights at the end of every epoch."""

    def initialize(self):
        self.states = []
        return self

    def on_epoch_end(self, net, **kwargs):
        self.states.append(copy.deepcopy(net.module_.state_dict()))


class _EpochCounter(Callback):
    def initialize(self):
        self.count = 0
        return self

    def on_epoch_end(self, net, **kwargs):
        self.count += 1


def _same_weights(state, other):
    return all(np.array_equal(state[k].numpy(), other[k].numpy()) for k in state)


# -- shapes and inputs ---------------------------------------------------------


def test_three_d_windows_give_one_forecast_per_row(fitted, data):
    series, windows, y = data
    predictions = fitted.predict(windows)

    assert predictions.shape == (60,)
    assert np.isfinite(predictions).all()
    assert fitted.n_features_in_ == 2
    assert fitted.n_outputs_ == 1
    assert fitted.n_epochs_ == 3
    assert [row["epoch"] for row in fitted.history_] == [1, 2, 3]


def test_predictions_follow_the_rows(fitted, data):
    windows = np.array(data[1])
    order = np.random.default_rng(1).permutation(len(windows))
    assert_allclose(
        fitted.predict(windows[order]), fitted.predict(windows)[order], rtol=1e-6
    )


def test_number_of_timesteps_may_change_at_predict(fitted, data):
    series = data[0]
    longer = fitted.predict(_windows(series, window_length=12))
    one_step = fitted.predict(series)

    assert longer.shape == one_step.shape == (60,)
    # A 2-D X is a batch of one-step sequences.
    assert_array_equal(one_step, fitted.predict(series[:, np.newaxis, :]))


@pytest.mark.parametrize("cls", FORECASTERS, ids=lambda cls: cls.__name__)
def test_two_d_input_is_one_step_sequences(cls):
    series = _series()
    frame = pd.DataFrame(series, columns=["temp", "pressure"])
    model = cls(**CHEAP).fit(frame, _target(series))

    assert model.n_features_in_ == 2
    assert list(model.feature_names_in_) == ["temp", "pressure"]
    assert model.predict(frame).shape == (60,)


def test_padded_window_predicts_like_its_observed_part(fitted, data):
    series, windows, _ = data
    full = fitted.predict(windows)
    worst = 0.0
    for t in range(WINDOW - 1):
        observed = np.ascontiguousarray(windows[t : t + 1, WINDOW - 1 - t :])
        assert not np.isnan(observed).any()
        alone = fitted.predict(observed)[0]
        worst = max(worst, abs(alone - full[t]))
        # One padded window alone, not mixed with unpadded ones in a batch.
        assert_allclose(fitted.predict(windows[t : t + 1]), [alone], atol=1e-5)
    assert worst <= 1e-5
    # The comparison is sensitive: values in place of the padding do count.
    filled = np.nan_to_num(np.array(windows[:1]), nan=3.0)
    assert abs(fitted.predict(filled)[0] - full[0]) > 100 * max(worst, 1e-6)


@pytest.mark.parametrize(
    "rows, steps",
    [
        (slice(None), slice(None)),
        (slice(None), slice(2, None)),
        (slice(1, None), slice(None)),
        (slice(3, None), slice(1, None)),
        (slice(None, None, 2), slice(None)),
        (slice(None, None, -1), slice(-2, None)),
    ],
    ids=["all", "steps2:", "rows1:", "rows3:-steps1:", "rows::2", "reversed-last2"],
)
def test_views_and_copies_of_windows_agree(fitted, data, rows, steps):
    # Equal strides on the first two axes take a faster padding scan than
    # copies do; both must find the same padding.
    view = data[1][rows, steps]
    copied = np.array(view)
    assert_array_equal(fitted.predict(view), fitted.predict(copied))


def test_multi_output_target(data):
    series, windows, y = data
    Y = np.column_stack([y, 2 * y, -y])
    model = GRUForecaster(**CHEAP).fit(windows, Y)

    assert model.n_outputs_ == 3
    assert model.predict(windows).shape == (60, 3)
    single = GRUForecaster(**CHEAP).fit(windows, Y[:, :1])
    assert single.predict(windows).shape == (60, 1)


def test_score_is_r2(fitted, data):
    _, windows, y = data
    assert fitted.score(windows, y) == pytest.approx(
        r2_score(y, fitted.predict(windows)), rel=1e-12
    )


def test_learns_a_learnable_target():
    series = _series(n_rows=300)
    model = GRUForecaster(
        hidden_size=8, max_epochs=15, lr=0.02, patience=None, random_state=0
    )
    model.fit(_windows(series[:240]), _target(series)[:240])
    # R² on the last 60 rows, windows made from the held-out rows only.
    r2 = model.score(_windows(series[240:]), _target(series)[240:])
    assert r2 > 0.8


# -- missing values ------------------------------------------------------------


@pytest.mark.parametrize("strided", [True, False], ids=["view", "copy"])
def test_missing_value_inside_the_series_names_window_and_step(fitted, strided):
    series = _series()
    series[20] = np.nan
    windows = _windows(series)
    if not strided:
        windows = np.array(windows)
    with pytest.raises(
        ValueError,
        match=r"in window 20 at time step 4\. .*sklearn\.impute\.SimpleImputer",
    ):
        fitted.predict(windows)


@pytest.mark.parametrize(
    "position, value",
    [
        ((3, 2, 0), np.nan),
        ((3, 2, slice(None)), np.inf),
        ((7, -1, slice(None)), np.nan),
    ],
    ids=["partial-nan", "inf-step", "nan-last-step"],
)
def test_non_padding_missing_values_are_refused(data, position, value):
    windows = np.array(data[1])
    windows[position] = value
    with pytest.raises(ValueError, match="SimpleImputer"):
        LSTMForecaster(**CHEAP).fit(windows, data[2])


def test_all_missing_window_is_refused(fitted):
    series = _series()
    series[:WINDOW] = np.nan
    with pytest.raises(ValueError, match=r"no observed time step \(all NaN\)"):
        fitted.predict(_windows(series))


def test_missing_value_in_two_d_input_is_refused(fitted):
    series = _series()
    series[4, 1] = np.nan
    with pytest.raises(ValueError, match="window 4 at time step 0.*impute"):
        fitted.predict(series)


# -- training loop -------------------------------------------------------------


def test_no_validation_without_patience(fitted):
    assert all(set(row) == {"epoch", "train_loss", "dur"} for row in fitted.history_)
    assert fitted.best_epoch_ is None


def test_no_validation_fraction_trains_every_epoch_on_every_window(data):
    _, windows, y = data
    model = GRUForecaster(
        hidden_size=4,
        max_epochs=4,
        patience=1,
        validation_fraction=None,
        random_state=0,
    ).fit(windows, y)

    assert model.n_epochs_ == 4
    assert all("valid_loss" not in row for row in model.history_)
    assert model.best_epoch_ is None


def test_validation_holds_out_the_chronological_tail():
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(80, 4, 1))
    y = rng.normal(0, 0.1, size=80)
    y[-8:] += 50.0  # validation_fraction=0.1 of 80: exactly these rows.
    model = LSTMForecaster(
        hidden_size=4,
        max_epochs=3,
        patience=5,
        validation_fraction=0.1,
        random_state=0,
    ).fit(windows, y)

    for row in model.history_:
        # Standardized with the training rows (std 0.1), the tail sits ~500
        # away (the default loss is the absolute error).
        assert row["valid_loss"] > 100
        # No tail row was trained on, or the training loss would be as large.
        assert row["train_loss"] < 10


def test_early_stopping_restores_the_best_epoch():
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(80, 4, 2))
    y = rng.normal(size=80)  # Noise: validation stops improving quickly.
    model = GRUForecaster(
        hidden_size=8,
        max_epochs=60,
        lr=0.05,
        patience=3,
        validation_fraction=0.25,
        random_state=0,
        callbacks=[("snapshots", _Snapshots())],
    ).fit(windows, y)

    losses = [row["valid_loss"] for row in model.history_]
    assert model.n_epochs_ < 60
    assert model.n_epochs_ == model.best_epoch_ + 3
    assert losses[model.best_epoch_ - 1] == pytest.approx(min(losses), rel=1e-4)
    snapshots = dict(model.callbacks_)["snapshots"].states
    assert len(snapshots) == model.n_epochs_
    final = model.module_.state_dict()
    assert _same_weights(final, snapshots[model.best_epoch_ - 1])
    assert not _same_weights(final, snapshots[-1])


def test_warm_start_continues_the_fitted_network(data):
    _, windows, y = data
    model = LSTMForecaster(**{**CHEAP, "max_epochs": 2}, warm_start=True)
    before = model.fit(windows, y).predict(windows)

    # A negligible learning rate: continuing leaves the forecasts where they
    # were, whereas starting again would give the untrained network's.
    model.set_params(lr=1e-12).fit(windows, y)
    assert model.n_epochs_ == 4
    assert [row["epoch"] for row in model.history_] == [1, 2, 3, 4]
    assert_allclose(model.predict(windows), before, atol=1e-6)

    model.set_params(warm_start=False, lr=1e-3).fit(windows, y)
    assert model.n_epochs_ == 2


def test_warm_start_with_early_stopping_keeps_the_best_continued_epoch():
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(80, 4, 2))
    y = rng.normal(size=80)
    model = GRUForecaster(
        hidden_size=8,
        max_epochs=60,
        lr=0.05,
        patience=3,
        validation_fraction=0.25,
        random_state=0,
        warm_start=True,
        callbacks=[("snapshots", _Snapshots())],
    ).fit(windows, y)
    first_epochs = model.n_epochs_

    # Early stopping of a continued fit compares the continued epochs only
    # (the new data has a new validation tail) and keeps the best of them.
    model.set_params(lr=0.05, max_epochs=8).fit(windows, y)
    losses = [row["valid_loss"] for row in model.history_[first_epochs:]]
    assert model.best_epoch_ > first_epochs
    assert losses[model.best_epoch_ - first_epochs - 1] == min(losses)
    snapshots = dict(model.callbacks_)["snapshots"].states
    assert len(snapshots) == model.n_epochs_ - first_epochs
    best = snapshots[model.best_epoch_ - first_epochs - 1]
    assert _same_weights(model.module_.state_dict(), best)


def test_warm_start_refuses_a_different_number_of_outputs(data):
    _, windows, y = data
    model = GRUForecaster(**CHEAP, warm_start=True).fit(windows, y)
    with pytest.raises(
        ValueError,
        match=r"continues the fitted network of GRUForecaster, but the number of "
        r"outputs changed.*set warm_start=False",
    ):
        model.fit(windows, np.column_stack([y, y]))


def test_callbacks_are_called_every_epoch(data):
    _, windows, y = data
    named, bare = _EpochCounter(), _EpochCounter()
    model = SimpleRNNForecaster(
        **{**CHEAP, "max_epochs": 4}, callbacks=[("counter", named), bare]
    ).fit(windows, y)

    callbacks = dict(model.callbacks_)
    assert callbacks["counter"].count == 4
    assert callbacks["_EpochCounter"].count == 4
    # The constructor's instances are copied at each fit, never mutated.
    assert not hasattr(named, "count")
    assert model.get_params()["callbacks"][0] == ("counter", named)


def test_verbose_prints_a_plain_line_per_epoch(data, capsys):
    _, windows, y = data
    SimpleRNNForecaster(**CHEAP, verbose=1).fit(windows, y)
    out = capsys.readouterr().out
    lines = [line for line in out.splitlines() if line.strip()]

    assert "\x1b" not in out  # no terminal escape codes in logs
    assert [line.split()[1] for line in lines] == ["1/3", "2/3", "3/3"]
    pattern = (
        r"^epoch \d+/3  train_loss \d+\.\d{4}  elapsed \d+:\d\d  left <= \d+:\d\d$"
    )
    assert all(re.match(pattern, line) for line in lines), lines


def test_verbose_reports_early_stopping_and_validation_loss(data, capsys):
    _, windows, y = data
    params = {**CHEAP, "max_epochs": 200, "patience": 1, "lr": 0.05}
    model = SimpleRNNForecaster(**params, verbose=1).fit(windows, y)
    lines = capsys.readouterr().out.splitlines()

    assert model.stop_reason_ == "early_stopping"
    assert len(lines) == model.n_epochs_ + 1
    assert all("valid_loss" in line for line in lines[:-1])
    assert lines[-1].startswith("Stopping: the validation loss has not improved")
    assert f"keeping epoch {model.best_epoch_}" in lines[-1]


def test_verbose_zero_is_silent(data, capsys):
    _, windows, y = data
    SimpleRNNForecaster(**CHEAP, verbose=0).fit(windows, y).predict(windows)
    assert capsys.readouterr() == ("", "")


# -- reproducibility -----------------------------------------------------------


@pytest.mark.parametrize("cls", FORECASTERS, ids=lambda cls: cls.__name__)
def test_same_seed_gives_identical_predictions(cls, data):
    _, windows, y = data
    params = {**CHEAP, "dropout": 0.2, "patience": 2}
    first = cls(**params).fit(windows, y).predict(windows)
    second = cls(**params).fit(windows, y).predict(windows)
    other = cls(**{**params, "random_state": 1}).fit(windows, y).predict(windows)

    assert_array_equal(first, second)
    assert np.abs(first - other).max() > 1e-3


@pytest.mark.parametrize("random_state", [0, None])
def test_fit_leaves_the_global_random_states_alone(data, random_state):
    import torch

    _, windows, y = data
    numpy_before = np.random.get_state()  # noqa: NPY002
    torch_before = torch.get_rng_state()

    params = {**CHEAP, "random_state": random_state, "dropout": 0.2}
    LSTMForecaster(**params).fit(windows, y).predict(windows)

    numpy_after = np.random.get_state()  # noqa: NPY002
    assert_array_equal(numpy_after[1], numpy_before[1])
    assert numpy_after[2:] == numpy_before[2:]
    assert torch.equal(torch.get_rng_state(), torch_before)


def test_unseeded_fits_differ(data):
    _, windows, y = data
    params = {**CHEAP, "random_state": None}
    first = LSTMForecaster(**params).fit(windows, y).predict(windows)
    second = LSTMForecaster(**params).fit(windows, y).predict(windows)
    assert not np.array_equal(first, second)


_FIT_IN_ANY_PROCESS = textwrap.dedent(
    """
    import hashlib

    import numpy as np
    import torch

    from sklearn_rnn import LSTMForecaster, WindowTransformer

    torch.set_num_threads(1)
    series = np.random.default_rng(7).normal(size=(50, 2))
    windows = WindowTransformer(window_length=4).fit_transform(series)
    model = LSTMForecaster(
        hidden_size=4, max_epochs=2, dropout=0.1, patience=1, random_state=3
    )
    predictions = model.fit(windows, series[:, 0]).predict(windows)
    digest = hashlib.sha256(predictions.tobytes()).hexdigest()
    """
)


def test_same_seed_gives_identical_predictions_in_another_process():
    here = {}
    exec(_FIT_IN_ANY_PROCESS, here)
    result = subprocess.run(
        [sys.executable, "-c", _FIT_IN_ANY_PROCESS + "print(digest)"],
        capture_output=True,
        text=True,
        timeout=300,
        check=True,
    )
    assert result.stdout.strip() == here["digest"]


# -- cloning and persistence ---------------------------------------------------


def test_clone_and_params_round_trip(fitted):
    twin = clone(fitted)
    assert twin.get_params() == fitted.get_params()
    with pytest.raises(NotFittedError):
        twin.predict(np.zeros((2, 3, 2)))

    twin.set_params(hidden_size=6, max_epochs=1)
    assert twin.get_params()["hidden_size"] == 6
    assert fitted.get_params()["hidden_size"] == 4


def test_pickle_and_joblib_round_trips_predict_identically(fitted, data):
    windows = data[1]
    expected = fitted.predict(windows)

    restored = pickle.loads(pickle.dumps(fitted))
    assert_array_equal(restored.predict(windows), expected)

    buffer = io.BytesIO()
    joblib.dump(fitted, buffer)
    buffer.seek(0)
    assert_array_equal(joblib.load(buffer).predict(windows), expected)


def test_refitting_a_clone_reproduces_the_fit(fitted, data):
    _, windows, y = data
    again = clone(fitted).fit(windows, y)
    assert_array_equal(again.predict(windows), fitted.predict(windows))


# -- errors --------------------------------------------------------------------


@pytest.mark.parametrize(
    "params, message",
    [
        (
            {"hidden_size": 0},
            "The 'hidden_size' parameter of LSTMForecaster must be an int in the "
            "range [1, inf). Got 0 instead.",
        ),
        (
            {"lr": 0.0},
            "The 'lr' parameter of LSTMForecaster must be a float in the range "
            "(0.0, inf). Got 0.0 instead.",
        ),
        (
            {"batch_size": -1},
            "The 'batch_size' parameter of LSTMForecaster must be an int in the "
            "range [1, inf). Got -1 instead.",
        ),
        (
            {"validation_fraction": 1.0},
            "The 'validation_fraction' parameter of LSTMForecaster must be a float "
            "in the range (0.0, 1.0) or None. Got 1.0 instead.",
        ),
        (
            {"optimizer": "lbfgs"},
            "The 'optimizer' parameter of LSTMForecaster must be a str among",
        ),
        (
            {"device": "gpu"},
            "The 'device' parameter of LSTMForecaster must be a str among",
        ),
        (
            {"loss": "mse"},
            "The 'loss' parameter of LSTMForecaster must be a str among",
        ),
        (
            {"n_threads": 0},
            "The 'n_threads' parameter of LSTMForecaster must be an int in the "
            "range [1, inf) or None. Got 0 instead.",
        ),
    ],
)
def test_invalid_parameters(data, params, message):
    _, windows, y = data
    with pytest.raises(InvalidParameterError, match=re.escape(message)):
        LSTMForecaster(**params).fit(windows, y)


def test_one_dimensional_x(data):
    with pytest.raises(
        ValueError,
        match=r"got an array with 1 dimension\(s\) of shape \(60,\).*reshape",
    ):
        GRUForecaster(**CHEAP).fit(data[2], data[2])


def test_four_dimensional_x(data):
    _, windows, y = data
    with pytest.raises(
        ValueError,
        match=r"X of GRUForecaster must be 2-D \(n_samples, n_features\) or 3-D .*"
        r"got an array with 4 dimension\(s\) of shape \(60, 5, 2, 1\)",
    ):
        GRUForecaster(**CHEAP).fit(windows[..., np.newaxis], y)


@pytest.mark.parametrize("shape", [(0, 5, 2), (0, 2)])
def test_empty_x(shape):
    with pytest.raises(ValueError, match=r"Found array with 0 sample\(s\)"):
        GRUForecaster(**CHEAP).fit(np.zeros(shape), np.zeros(0))


def test_windows_without_steps(data):
    with pytest.raises(ValueError, match="at least one time step and one feature"):
        GRUForecaster(**CHEAP).fit(np.zeros((60, 0, 2)), data[2])


@pytest.mark.parametrize("ndim", [2, 3])
def test_strings_in_x(data, ndim):
    shape = (60, 2) if ndim == 2 else (60, 5, 2)
    with pytest.raises(
        ValueError, match=r"X of GRUForecaster must hold numbers.*got dtype <U3"
    ):
        GRUForecaster(**CHEAP).fit(np.full(shape, "abc"), data[2])


def test_strings_in_y(data):
    with pytest.raises(
        ValueError, match=r"y of GRUForecaster must hold numbers.*got dtype <U3"
    ):
        GRUForecaster(**CHEAP).fit(data[1], np.full(60, "abc"))


def test_missing_target(data):
    _, windows, y = data
    y = y.copy()
    y[[4, 9]] = np.nan
    with pytest.raises(
        ValueError,
        match=r"Input y contains NaN or infinity in 2 row\(s\), first at row\(s\) "
        r"\[4, 9\]",
    ):
        GRUForecaster(**CHEAP).fit(windows, y)


def test_target_length_must_match_windows(data):
    _, windows, y = data
    with pytest.raises(
        ValueError, match=r"y has 59 rows, but X has 60 samples \(windows\)"
    ):
        GRUForecaster(**CHEAP).fit(windows, y[:-1])


def test_predict_before_fit(data):
    with pytest.raises(NotFittedError, match="GRUForecaster instance is not fitted"):
        GRUForecaster().predict(data[1])


def test_predict_with_other_features(fitted, data):
    windows = data[1]
    name = type(fitted).__name__
    with pytest.raises(
        ValueError,
        match=rf"X has 3 features per time step, but {name} was fitted with 2",
    ):
        fitted.predict(np.zeros((4, 5, 3)))
    with pytest.raises(
        ValueError, match=rf"X has 1 features, but {name} is expecting 2"
    ):
        fitted.predict(windows[:, -1, :1])


def test_cuda_without_cuda(data):
    import torch

    if torch.cuda.is_available():
        pytest.skip("CUDA is available on this machine")
    with pytest.raises(
        ValueError,
        match=r"device='cuda' was requested, but CUDA is not available.*"
        r"Use device='cpu'",
    ):
        GRUForecaster(**CHEAP, device="cuda").fit(data[1], data[2])


def test_cuda_fit_matches_cpu(data):
    # Runs only where CUDA is present; the CPU-only CI skips it.
    torch = pytest.importorskip("torch")
    if not torch.cuda.is_available():
        pytest.skip("CUDA is not available on this machine")
    _, windows, y = data
    params = dict(CHEAP, validation_fraction=0.2, patience=2)
    on_gpu = LSTMForecaster(**params, device="cuda").fit(windows, y)
    on_cpu = LSTMForecaster(**params).fit(windows, y)
    assert on_gpu.device_.startswith("cuda")
    assert next(on_gpu.module_.parameters()).is_cuda
    # Same seed, same initial weights; the kernels differ, so to tolerance.
    assert_allclose(on_gpu.predict(windows), on_cpu.predict(windows), atol=1e-3)
    # A fitted GPU model pickles and predicts after unpickling.
    restored = pickle.loads(pickle.dumps(on_gpu))
    assert_allclose(restored.predict(windows), on_gpu.predict(windows), atol=1e-6)


def test_too_few_windows_for_the_validation_tail(data):
    _, windows, y = data
    with pytest.raises(
        ValueError,
        match=r"cannot hold out a validation tail: validation_fraction=0.5 of 1 "
        r"sample\(s\) leaves 0 for training.*patience=None",
    ):
        GRUForecaster(patience=2, validation_fraction=0.5).fit(windows[:1], y[:1])


@pytest.mark.parametrize("loss", ["squared_error", "absolute_error"])
def test_diverging_fit_says_when_and_what_to_do(data, loss):
    # Caught while the loss is still finite: the absolute error's bounded
    # gradients may never make it NaN while the weights run away.
    symptom = r"the training loss reached \S+ on the standardized target"
    _, windows, y = data
    model = LSTMForecaster(
        hidden_size=4,
        optimizer="sgd",
        lr=1e6,
        loss=loss,
        max_epochs=5,
        patience=None,
    )
    with pytest.raises(
        ValueError,
        match=rf"LSTMForecaster training diverged: {symptom}.* at "
        r"epoch \d+\. Use a smaller learning rate \(lr=1000000.0 now.*"
        r"check X and y for outliers",
    ):
        model.set_params(random_state=0).fit(windows, 1000 * y)
    # Nothing half-trained is left behind to predict NaN.
    with pytest.raises(NotFittedError):
        model.predict(windows)


def test_divergence_seen_in_the_validation_loss_is_reported(data):
    _, windows, y = data
    model = LSTMForecaster(
        hidden_size=4,
        optimizer="sgd",
        lr=1e20,
        loss="squared_error",
        max_epochs=1,
        batch_size=len(windows),
        patience=3,
        validation_fraction=0.2,
        random_state=0,
    )
    with pytest.raises(
        ValueError, match=r"diverged: the validation loss became (nan|inf) at epoch 1"
    ):
        model.fit(windows, y)


class _BatchWatcher(Callback):
    """Records each batch event: phase, batch size, loss, and the module's mode."""

    def initialize(self):
        self.events = []
        return self

    def on_batch_end(self, net, batch=None, training=None, loss=None, **kwargs):
        import torch

        self.events.append(
            (training, len(batch[1]), loss.detach().item(), net.module_.training)
        )
        self.threads = torch.get_num_threads()


def test_batch_hooks_and_history_record_every_batch(data):
    _, windows, y = data
    # The forecaster holds out the last ceil(fraction * n) windows.
    n_valid = -(-len(windows) * 2 // 10)
    watcher = _BatchWatcher()
    model = LSTMForecaster(
        **dict(CHEAP, batch_size=8, validation_fraction=0.2, patience=50),
        callbacks=[("watcher", watcher)],
    ).fit(windows, y)
    # The forecaster trains with a copy of the callbacks it was given.
    watcher = dict(model.callbacks_)["watcher"]
    plain = LSTMForecaster(
        **dict(CHEAP, batch_size=8, validation_fraction=0.2, patience=50)
    ).fit(windows, y)

    n_train = len(windows) - n_valid
    n_valid_batches = sum(1 for event in watcher.events if not event[0]) // 3
    per_epoch = [True] * -(-n_train // 8) + [False] * n_valid_batches
    assert [event[0] for event in watcher.events] == per_epoch * 3
    assert sum(e[1] for e in watcher.events if e[0]) == n_train * 3
    assert sum(e[1] for e in watcher.events if not e[0]) == n_valid * 3
    # The module trains in training batches and evaluates in validation ones.
    assert all(event[3] == event[0] for event in watcher.events)
    assert not model.module_.training
    # The epoch's training loss is the size-weighted mean of its batch losses.
    first = [e for e in watcher.events[: len(per_epoch)] if e[0]]
    mean = sum(e[1] * e[2] for e in first) / sum(e[1] for e in first)
    assert model.history_[0]["train_loss"] == pytest.approx(mean, rel=1e-6)
    # A listener changes nothing in the training.
    assert_array_equal(model.predict(windows), plain.predict(windows))


def test_torch_threads_are_restored(data, monkeypatch):
    import torch

    _, windows, y = data
    watcher = _BatchWatcher()
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        monkeypatch.setenv("OMP_NUM_THREADS", "1")
        model = GRUForecaster(**CHEAP, callbacks=[("watcher", watcher)])
        model.fit(windows, y)
        assert dict(model.callbacks_)["watcher"].threads == 1
        assert torch.get_num_threads() == 2
        model.predict(windows)
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_default_thread_count_ignores_the_process_budget(data, monkeypatch):
    # A network big enough for two threads gets them whatever the process was
    # granted, so a seeded fit alone and one in a joblib worker (which sets
    # OMP_NUM_THREADS=1) run the same arithmetic and give the same bits.
    import os

    import torch

    _, windows, y = data
    big = dict(hidden_size=512, max_epochs=1, batch_size=64, patience=None)
    expected = min(os.cpu_count() or 1, 2)
    before = torch.get_num_threads()
    predictions = []
    try:
        for budget, torch_setting in ((None, 2), ("1", 1)):
            if budget is None:
                monkeypatch.delenv("OMP_NUM_THREADS", raising=False)
            else:
                monkeypatch.setenv("OMP_NUM_THREADS", budget)
            torch.set_num_threads(torch_setting)
            model = LSTMForecaster(
                **big, random_state=0, callbacks=[("watcher", _BatchWatcher())]
            ).fit(windows[:64], y[:64])
            assert dict(model.callbacks_)["watcher"].threads == expected
            assert torch.get_num_threads() == torch_setting
            predictions.append(model.predict(windows[:64]))
    finally:
        torch.set_num_threads(before)
    assert_array_equal(predictions[0], predictions[1])


@pytest.mark.parametrize(
    "loss, expected", [("absolute_error", 0.0), ("squared_error", 10.0)]
)
def test_loss_picks_median_or_mean(loss, expected):
    # Nothing to learn from the inputs: the forecast is the constant that the
    # loss prefers, the median (0) for the absolute error, the mean (10) for
    # the squared error of a target that is 100 one time in ten.
    windows = np.zeros((200, 3, 1))
    y = np.where(np.arange(200) % 10 == 0, 100.0, 0.0)
    model = GRUForecaster(
        hidden_size=2,
        loss=loss,
        lr=0.05,
        max_epochs=60,
        batch_size=50,
        patience=None,
        random_state=0,
    ).fit(windows, y)
    assert_allclose(model.predict(windows[:1]), [expected], atol=1.5)


def test_warm_start_may_change_the_loss(data):
    _, windows, y = data
    model = LSTMForecaster(**CHEAP, loss="squared_error", warm_start=True)
    model.fit(windows, y)
    first = model.predict(windows)
    model.set_params(loss="absolute_error").fit(windows, y)
    assert model.n_epochs_ == 6
    # Training went on from the fitted weights, not from new ones.
    fresh = LSTMForecaster(**CHEAP, loss="absolute_error").fit(windows, y)
    assert not np.array_equal(model.predict(windows), fresh.predict(windows))
    assert not np.array_equal(model.predict(windows), first)


def _threads_in_forward(model):
    """Record torch's thread count at each forward pass of the fitted module."""
    import torch

    seen = []
    model.module_.register_forward_pre_hook(
        lambda module, args: seen.append(torch.get_num_threads())
    )
    return seen


@pytest.mark.parametrize("n_threads, expected", [(None, 1), (2, 2), (1, 1)])
def test_n_threads_in_fit_and_predict(data, n_threads, expected):
    import torch

    _, windows, y = data
    before = torch.get_num_threads()
    torch.set_num_threads(2)
    try:
        model = GRUForecaster(
            **CHEAP, n_threads=n_threads, callbacks=[("watcher", _BatchWatcher())]
        ).fit(windows, y)
        # None: the policy gives this tiny network one thread of the two.
        assert dict(model.callbacks_)["watcher"].threads == expected
        assert torch.get_num_threads() == 2
        seen = _threads_in_forward(model)
        model.predict(windows)
        assert seen and set(seen) == {expected}
        assert torch.get_num_threads() == 2
    finally:
        torch.set_num_threads(before)


def test_warm_start_loss_switch_restarts_the_early_stopping_comparison():
    t = np.arange(400)
    series = np.sin(t / 6.0)[:, None] + 0.05 * np.random.default_rng(0).normal(
        size=(400, 1)
    )
    windows = WindowTransformer(8).fit_transform(series)[7:-1]
    y = series[8:, 0]
    model = GRUForecaster(
        hidden_size=8,
        loss="squared_error",
        max_epochs=15,
        patience=3,
        lr=0.01,
        random_state=0,
        warm_start=True,
    ).fit(windows, y)
    first_epochs, before = model.n_epochs_, model.predict(windows)
    model.set_params(loss="absolute_error", max_epochs=6).fit(windows, y)
    # The absolute errors were not compared with the best squared error: the
    # continued fit kept one of its own epochs, and its weights moved.
    assert model.best_epoch_ > first_epochs
    assert not np.array_equal(model.predict(windows), before)


# -- the linear highway --------------------------------------------------------


def _batch(windows):
    import torch

    return torch.as_tensor(np.ascontiguousarray(windows), dtype=torch.float32)


def test_highway_adds_a_linear_map_of_the_last_steps(data):
    import torch

    _, windows, y = data
    model = LSTMForecaster(**CHEAP, highway=3).fit(windows, y)
    module = copy.deepcopy(model.module_)
    assert module.highway.weight.shape == (1, 3 * 2)
    # It starts at zero and is trained with the recurrent path.
    assert module.highway.weight.abs().sum() > 0

    batch = _batch(windows[WINDOW:])
    with torch.no_grad():
        full = module(batch)
        standardized = (batch - module.input_mean) / module.input_scale
        linear = module.highway(standardized[:, -3:].flatten(1))
        module.highway.weight.zero_()
        module.highway.bias.zero_()
        recurrent = module(batch)
    assert_allclose(full.numpy(), (recurrent + linear).numpy(), atol=1e-6)


def test_without_highway_there_is_no_linear_path(data):
    _, windows, y = data
    module = GRUForecaster(**CHEAP, highway=None).fit(windows, y).module_
    assert not hasattr(module, "highway")


@pytest.mark.parametrize("steps", [2, WINDOW + 3])
def test_padded_window_with_highway_predicts_like_its_observed_part(data, steps):
    _, windows, y = data
    model = GRUForecaster(**CHEAP, highway=steps).fit(windows, y)
    full = model.predict(windows)
    for t in range(WINDOW - 1):
        observed = np.ascontiguousarray(windows[t : t + 1, WINDOW - 1 - t :])
        assert_allclose(model.predict(observed), full[t : t + 1], atol=1e-5)
        assert_allclose(model.predict(windows[t : t + 1]), full[t : t + 1], atol=1e-5)
    # Steps the highway reads count: values in place of the padding change it.
    filled = np.nan_to_num(np.array(windows[:1]), nan=3.0)
    assert abs(model.predict(filled)[0] - full[0]) > 1e-4


def test_highway_fits_are_reproducible(data):
    _, windows, y = data
    first = LSTMForecaster(**CHEAP, highway=4).fit(windows, y).predict(windows)
    second = LSTMForecaster(**CHEAP, highway=4).fit(windows, y).predict(windows)
    assert_array_equal(first, second)


def test_warm_start_keeps_the_highway_and_refuses_another(data):
    _, windows, y = data
    model = LSTMForecaster(**CHEAP, highway=2, warm_start=True).fit(windows, y)
    before = model.predict(windows)
    with pytest.raises(ValueError, match=r"but highway changed since it was fitted"):
        model.set_params(highway=3).fit(windows, y)
    assert_array_equal(model.predict(windows), before)

    model.set_params(highway=2, lr=1e-12).fit(windows, y)
    assert model.n_epochs_ == 6
    assert_allclose(model.predict(windows), before, atol=1e-6)


def test_pickled_highway_predicts_identically(data):
    _, windows, y = data
    model = SimpleRNNForecaster(**CHEAP, highway=3).fit(windows, y)
    again = pickle.loads(pickle.dumps(model))
    assert_array_equal(again.predict(windows), model.predict(windows))


@pytest.mark.parametrize("value", [0, True, 1.5])
def test_invalid_highway(data, value):
    _, windows, y = data
    with pytest.raises((InvalidParameterError, TypeError), match="'highway'"):
        LSTMForecaster(**CHEAP, highway=value).fit(windows, y)
