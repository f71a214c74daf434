"""The ridge mixed into the trained network (``ridge_blend``).

A tiny network trained for a few epochs on a linear autoregressive series is
far from the least-squares fit, so the validation tail asks for a share of the
ridge; the tests check that the fitted module computes exactly that
mixture, and when nothing is mixed in.
"""

import pickle

import numpy as np
import pytest
from numpy.testing import assert_allclose, assert_array_equal
from sklearn.linear_model import Ridge

from sklearn_rnn import GRUForecaster, LSTMForecaster, WindowTransformer

pytestmark = pytest.mark.usefixtures("torch_one_thread")

WINDOW = 6
SETTINGS = dict(
    hidden_size=4, max_epochs=3, patience=3, validation_fraction=0.25, random_state=0
)


def _ar_series(n_rows=240, seed=0):
    rng = np.random.default_rng(seed)
    values = np.zeros((n_rows, 2))
    for t in range(2, n_rows):
        values[t, 0] = 0.6 * values[t - 1, 0] + 0.3 * values[t - 2, 1] + rng.normal()
        values[t, 1] = 0.5 * values[t - 1, 1] + rng.normal()
    return values


@pytest.fixture(scope="module")
def data():
    series = _ar_series()
    windows = WindowTransformer(window_length=WINDOW).fit_transform(series[:-2])
    # Two outputs: one and two steps ahead.
    y = np.column_stack([series[1:-1, 0], series[2:, 0]])
    return windows, y


def _highway_inputs(module, windows, steps):
    """What the highway reads: the last `steps` standardized steps, missing as 0."""
    recent = np.asarray(windows[:, -steps:], dtype=np.float64)
    mean = module.input_mean.numpy().astype(np.float64)
    scale = module.input_scale.numpy().astype(np.float64)
    recent = np.nan_to_num((recent - mean) / scale, nan=0.0)
    missing = steps - recent.shape[1]
    if missing > 0:
        recent = np.pad(recent, ((0, 0), (missing, 0), (0, 0)))
    return recent.reshape(len(recent), -1)


@pytest.mark.parametrize("steps", [3, WINDOW + 2])
def test_fitted_module_computes_the_mixture_with_the_refitted_ridge(data, steps):
    windows, y = data
    # Without the baseline the target is only standardized, and a ridge on the
    # standardized target is scikit-learn's Ridge on the target itself.
    params = dict(SETTINGS, highway=steps, baseline=None)
    plain = LSTMForecaster(**params, ridge_blend=False).fit(windows, y)
    mixed = LSTMForecaster(**params).fit(windows, y)
    share = mixed.blend_weights_
    assert share.shape == (2,)
    # At most half, on a grid of 0.05.
    assert np.all((share >= 0) & (share <= 0.5))
    assert share.max() > 0.2
    assert_allclose(share * 20, np.round(share * 20), atol=1e-9)
    # The share is the grid weight that mixes the network with a ridge fitted
    # on the training windows best on the tail, under the absolute error.
    Z = _highway_inputs(plain.module_, windows, steps)
    n_train = len(windows) - int(np.ceil(0.25 * len(windows)))
    tail = slice(n_train, None)
    first = Ridge(alpha=1.0).fit(Z[:n_train], y[:n_train]).predict(Z[tail])
    network = plain.predict(windows[tail])
    grid = np.linspace(0, 0.5, 11)
    errors = [np.abs((1 - g) * network + g * first - y[tail]).sum(0) for g in grid]
    assert_array_equal(share, grid[np.argmin(errors, axis=0)])
    # Training is the same; the ridge is then refitted on all windows,
    # validation tail included.
    ridge = Ridge(alpha=1.0).fit(Z, y).predict(Z)
    expected = (1 - share) * plain.predict(windows) + share * ridge
    assert_allclose(mixed.predict(windows), expected, rtol=1e-4, atol=1e-4)
    assert plain.blend_weights_ is None


def test_the_share_is_chosen_on_the_validation_tail(data):
    windows, y = data
    mixed = GRUForecaster(**SETTINGS).fit(windows, y)
    n_train = len(windows) - int(np.ceil(0.25 * len(windows)))
    tail = slice(n_train, None)
    plain = GRUForecaster(**SETTINGS, ridge_blend=False).fit(windows, y)
    # The fitted mixture scores at least as well as the network alone on the
    # tail it was chosen on (the ridge there is refitted, so only roughly).
    mixed_error = np.abs(mixed.predict(windows[tail]) - y[tail]).mean(axis=0)
    plain_error = np.abs(plain.predict(windows[tail]) - y[tail]).mean(axis=0)
    assert np.all(mixed_error <= plain_error * 1.02)
    assert mixed_error.mean() < plain_error.mean()


@pytest.mark.parametrize(
    "change",
    [
        dict(patience=None),
        dict(validation_fraction=None),
        dict(highway=None),
        dict(loss="quantile", quantile=[0.1, 0.9]),
        dict(ridge_blend=False),
    ],
    ids=["no patience", "no validation", "no highway", "quantile loss", "off"],
)
def test_nothing_is_mixed_in_without_its_ingredients(data, change):
    windows, y = data
    params = dict(SETTINGS, **change)
    model = LSTMForecaster(**params).fit(windows, y)
    assert model.blend_weights_ is None
    reference = LSTMForecaster(**dict(params, ridge_blend=False)).fit(windows, y)
    assert_array_equal(model.predict(windows), reference.predict(windows))


def test_zero_weight_tail_rows_do_not_move_the_mixture(data):
    windows, y = data
    weight = np.ones(len(y))
    weight[-10:] = 0.0
    corrupted = y.copy()
    corrupted[-10:] += 1e3
    first = LSTMForecaster(**SETTINGS).fit(windows, y, sample_weight=weight)
    second = LSTMForecaster(**SETTINGS).fit(windows, corrupted, sample_weight=weight)
    assert first.blend_weights_.max() > 0
    assert_array_equal(first.blend_weights_, second.blend_weights_)
    assert_allclose(second.predict(windows), first.predict(windows), atol=1e-5)


def test_mixed_fits_are_reproducible_and_pickle(data):
    windows, y = data
    first = LSTMForecaster(**SETTINGS).fit(windows, y)
    second = LSTMForecaster(**SETTINGS).fit(np.asfortranarray(windows), y)
    assert_array_equal(first.predict(windows), second.predict(windows))
    again = pickle.loads(pickle.dumps(first))
    assert_array_equal(again.predict(windows), first.predict(windows))
    assert_array_equal(again.blend_weights_, first.blend_weights_)


def test_mixed_fit_ignores_the_process_thread_setting(data):
    import torch

    windows, y = data
    before = torch.get_num_threads()
    predictions = []
    try:
        for threads in (1, 2):
            torch.set_num_threads(threads)
            model = LSTMForecaster(**SETTINGS).fit(windows, y)
            predictions.append(model.predict(windows))
            assert torch.get_num_threads() == threads
    finally:
        torch.set_num_threads(before)
    assert_array_equal(predictions[0], predictions[1])


def test_warm_start_mixes_again_from_the_fitted_module(data):
    windows, y = data
    model = LSTMForecaster(**SETTINGS, warm_start=True).fit(windows, y)
    first = model.blend_weights_.copy()
    model.set_params(max_epochs=2).fit(windows, y)
    assert model.n_epochs_ > 3
    assert model.blend_weights_.shape == first.shape


def test_too_many_highway_inputs_mix_nothing_in(data):
    windows, y = data
    # 2 features x 600 steps: 1,200 highway inputs, over the 1,024 limit.
    model = LSTMForecaster(**dict(SETTINGS, highway=600)).fit(windows, y)
    assert model.blend_weights_ is None
    assert (
        LSTMForecaster(**dict(SETTINGS, highway=512)).fit(windows, y).blend_weights_
        is not None
    )
