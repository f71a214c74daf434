"""MLflow and skops: a fitted pipeline logged, loaded back, and forecasting the same."""

import numpy as np
import pytest
from numpy.testing import assert_array_equal
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    CalendarFeatures,
    GRUForecaster,
    LSTMForecaster,
    WindowTransformer,
    make_supervised,
    skops_trusted_types,
)
from sklearn_rnn.datasets import load_weather

pytestmark = pytest.mark.usefixtures("torch_one_thread")


@pytest.fixture(scope="module")
def fitted_pipeline():
    """The README's pipeline with the hour of day, tiny, on the bundled data."""
    columns = ["temp", "dewp", "humid", "pressure", "wind_speed"]
    df = load_weather()[columns].iloc[:300]
    X, y = make_supervised(df, target="temp", horizon=6)
    pipe = make_pipeline(
        CalendarFeatures(["hour_of_day"]),
        WindowTransformer(24),
        LSTMForecaster(hidden_size=4, max_epochs=2, random_state=0),
    )
    return pipe.fit(X, y), X


def test_trusted_types_cover_a_fitted_pipeline(fitted_pipeline):
    sio = pytest.importorskip("skops.io")
    pipe, X = fitted_pipeline
    untrusted = sio.get_untrusted_types(data=sio.dumps(pipe))
    assert sorted(untrusted) == [
        "sklearn_rnn._calendar.CalendarFeatures",
        "sklearn_rnn._forecasters.LSTMForecaster",
        "sklearn_rnn._window.WindowTransformer",
    ]
    assert set(untrusted) <= set(skops_trusted_types())
    loaded = sio.loads(sio.dumps(pipe), trusted=skops_trusted_types())
    assert_array_equal(loaded.predict(X), pipe.predict(X))


def test_quantile_forecaster_needs_no_other_type():
    sio = pytest.importorskip("skops.io")
    rng = np.random.default_rng(0)
    windows = rng.normal(size=(60, 4, 2))
    settings = dict(hidden_size=4, max_epochs=2, random_state=0)
    model = GRUForecaster(**settings, loss="quantile", quantile=[0.1, 0.9])
    model.fit(windows, windows[:, -1, :])
    untrusted = sio.get_untrusted_types(data=sio.dumps(model))
    assert untrusted == ["sklearn_rnn._forecasters.GRUForecaster"]
    assert set(untrusted) <= set(skops_trusted_types())


def test_trusted_types_name_importable_classes():
    import importlib

    for name in skops_trusted_types():
        module, _, attribute = name.rpartition(".")
        assert isinstance(getattr(importlib.import_module(module), attribute), type)


@pytest.mark.slow
# MLflow's own remarks on type hints and environments are not ours to fix.
@pytest.mark.filterwarnings("ignore::UserWarning:mlflow.*")
def test_mlflow_log_model_round_trip(fitted_pipeline, tmp_path, monkeypatch):
    pytest.importorskip("mlflow.sklearn")
    import mlflow

    pipe, X = fitted_pipeline
    # A local file store keeps the test offline; MLflow 3 asks to opt in to it.
    monkeypatch.setenv("MLFLOW_ALLOW_FILE_STORE", "true")
    mlflow.set_tracking_uri(f"file:{tmp_path / 'mlruns'}")
    try:
        mlflow.set_experiment("forecasts")
        with mlflow.start_run():
            info = mlflow.sklearn.log_model(
                pipe, name="model", skops_trusted_types=skops_trusted_types()
            )
        loaded = mlflow.sklearn.load_model(info.model_uri)
        assert_array_equal(loaded.predict(X), pipe.predict(X))
        served = mlflow.pyfunc.load_model(info.model_uri)
        assert_array_equal(np.asarray(served.predict(X)), pipe.predict(X))
    finally:
        mlflow.set_tracking_uri(None)
