"""ONNX export: the graph forecasts as predict does, and refuses what it cannot run.

Each export takes a few seconds (torch.export traces the network), so the
networks are tiny and each test exports at most once.
"""

import sys

import numpy as np
import pytest
from numpy.testing import assert_allclose
from sklearn.exceptions import NotFittedError
from sklearn.linear_model import Ridge
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    GRUForecaster,
    LSTMForecaster,
    SimpleRNNForecaster,
    WindowTransformer,
    make_supervised,
    to_onnx,
)

ort = pytest.importorskip("onnxruntime")
pytest.importorskip("onnxscript")

pytestmark = pytest.mark.usefixtures("torch_one_thread")

WINDOW = 8
CHEAP = dict(hidden_size=4, max_epochs=3, patience=None, random_state=0)


@pytest.fixture(scope="module")
def problem(weather):
    """Windows of the shared series (padded ones included) and six horizons."""
    X, y = make_supervised(weather, "temp", horizon=range(1, 7))
    windows = WindowTransformer(WINDOW).fit_transform(X)
    return np.asarray(windows), y.to_numpy()


def _full(windows):
    return np.ascontiguousarray(windows[WINDOW - 1 :], dtype=np.float32)


def _run(model, windows):
    session = ort.InferenceSession(
        model.SerializeToString(), providers=["CPUExecutionProvider"]
    )
    names = [output.name for output in session.get_outputs()]
    values = session.run(None, {"windows": np.asarray(windows, dtype=np.float32)})
    return dict(zip(names, values, strict=True))


@pytest.mark.parametrize("cls", [SimpleRNNForecaster, LSTMForecaster, GRUForecaster])
def test_graph_forecasts_as_predict_does(cls, problem):
    windows, y = problem
    model = cls(**CHEAP).fit(windows, y)
    full = _full(windows)
    expected = model.predict(full)
    onnx_model = to_onnx(model, full[:20])

    outputs = _run(onnx_model, full)
    assert list(outputs) == ["forecast"]
    assert outputs["forecast"].shape == expected.shape == (len(full), 6)
    assert_allclose(outputs["forecast"], expected, rtol=0, atol=1e-4 * expected.std())
    # The export leaves the estimator as it was.
    np.testing.assert_array_equal(model.predict(full), expected)
    graph_input = onnx_model.graph.input[0]
    dims = graph_input.type.tensor_type.shape.dim
    assert graph_input.name == "windows"
    assert dims[0].dim_param and [d.dim_value for d in dims[1:]] == [WINDOW, 2]


def test_quantile_graph_gives_the_central_mean_and_sorted_levels(problem):
    windows, y = problem
    # Four levels: predict averages the two equally central ones, 0.4 and 0.6.
    model = GRUForecaster(**CHEAP, loss="quantile", quantile=[0.8, 0.2, 0.6, 0.4])
    model.fit(windows, y)
    full = _full(windows)
    onnx_model = to_onnx(model, full[:1])
    expected = model.predict_quantiles(full)
    outputs = _run(onnx_model, full)
    assert list(outputs) == ["forecast", "quantiles"]
    spread = expected.std()
    assert outputs["quantiles"].shape == (len(full), 6, 4)
    assert_allclose(outputs["quantiles"], expected, rtol=0, atol=1e-4 * spread)
    assert_allclose(
        outputs["forecast"], model.predict(full), rtol=0, atol=1e-4 * spread
    )
    assert (np.diff(outputs["quantiles"], axis=-1) >= 0).all()
    # One window at a time, as a service asks.
    one = _run(onnx_model, full[-1:])
    assert_allclose(one["forecast"], outputs["forecast"][-1:], rtol=0, atol=1e-6)
    assert {p.key: p.value for p in onnx_model.metadata_props}[
        "quantile_levels"
    ] == "0.2,0.4,0.6,0.8"


def test_one_dimensional_target_gives_one_forecast_per_window(problem):
    windows, y = problem
    model = LSTMForecaster(**CHEAP).fit(windows, y[:, 0])
    full = _full(windows)
    onnx_model = to_onnx(model, full)
    forecast = _run(onnx_model, full)["forecast"]
    expected = model.predict(full)
    assert forecast.shape == expected.shape == (len(full),)
    assert_allclose(forecast, expected, rtol=0, atol=1e-4 * expected.std())
    # Windows with missing history forecast NaN in the graph, never a number.
    padded = _run(onnx_model, windows[:3])["forecast"]
    assert np.isnan(padded).all()


@pytest.fixture(scope="module")
def fitted(problem):
    windows, y = problem
    return LSTMForecaster(**CHEAP).fit(windows, y)


def test_padded_sample_windows_are_refused(fitted, problem):
    windows, _ = problem
    with pytest.raises(ValueError, match=r"NaN or infinite values in 7 window\(s\)"):
        to_onnx(fitted, windows)
    with pytest.raises(ValueError, match=r"full history, for example X\[7:\]"):
        to_onnx(fitted, windows)


def test_unfitted_forecaster_is_refused(problem):
    with pytest.raises(NotFittedError, match="LSTMForecaster"):
        to_onnx(LSTMForecaster(), problem[0])


def test_pipeline_is_refused_with_the_last_step_to_pass(problem):
    pipe = make_pipeline(WindowTransformer(WINDOW), LSTMForecaster())
    with pytest.raises(TypeError, match=r"to_onnx\(pipe\[-1\], windows\)"):
        to_onnx(pipe, problem[0])


def test_other_estimators_are_refused():
    with pytest.raises(TypeError, match="got Ridge"):
        to_onnx(Ridge().fit([[0.0], [1.0]], [0.0, 1.0]), [[0.0]])


def test_wrong_sample_windows_are_refused(fitted):
    with pytest.raises(ValueError, match="must be sample windows"):
        to_onnx(fitted, None)
    with pytest.raises(ValueError, match="3 features per time step"):
        to_onnx(fitted, np.zeros((4, WINDOW, 3)))
    with pytest.raises(ValueError, match=r"0 sample\(s\)"):
        to_onnx(fitted, np.zeros((0, WINDOW, 2)))


@pytest.mark.parametrize("opset", [17, 18.5, True])
def test_bad_opset_is_refused(fitted, problem, opset):
    with pytest.raises(ValueError, match=r"'opset' parameter of to_onnx"):
        to_onnx(fitted, _full(problem[0]), opset=opset)


@pytest.mark.parametrize("package", ["onnx", "onnxscript"])
def test_missing_exporter_names_the_extra(fitted, problem, package, monkeypatch):
    monkeypatch.setitem(sys.modules, package, None)
    with pytest.raises(ImportError, match=rf"{package}.*sklearn-rnn\[onnx\]"):
        to_onnx(fitted, _full(problem[0]))
