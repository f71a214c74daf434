"""A grid search on a Dask cluster gives the same scores as a sequential one.

The cluster is a LocalCluster on 127.0.0.1 that the test starts and stops: two
worker processes with one thread each, as docs/scaling.md recommends for small
networks. Skipped when dask.distributed is not installed (``pip install
"sklearn-rnn[dask]"``).
"""

import joblib
import numpy as np
import pytest
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather

distributed = pytest.importorskip("distributed")

GRID = {
    "windowtransformer__window_length": [6, 12],
    "lstmforecaster__lr": [1e-3, 1e-2],
}


def _search():
    pipe = make_pipeline(
        StandardScaler(),
        WindowTransformer(window_length=6),
        LSTMForecaster(hidden_size=4, max_epochs=2, random_state=0),
    )
    return GridSearchCV(
        pipe,
        GRID,
        cv=TimeSeriesSplit(n_splits=2, gap=1),
        scoring="neg_mean_absolute_error",
        n_jobs=-1,
    )


def _score_columns(results):
    return {
        key: value
        for key, value in results.items()
        if key.startswith(("split", "mean_test", "std_test", "rank_test"))
    }


@pytest.mark.slow
# TimeSeriesSplit(gap=...) folds start after a gap: their first windows lack history.
@pytest.mark.filterwarnings("ignore::sklearn_rnn.ShortHistoryWarning")
def test_grid_search_on_a_local_cluster_matches_the_sequential_run(torch_one_thread):
    X, y = make_supervised(load_weather().iloc[:240], target="temp", horizon=1)
    with joblib.parallel_backend("sequential"):
        sequential = _search().fit(X, y)

    with (
        distributed.LocalCluster(
            n_workers=2,
            threads_per_worker=1,
            processes=True,
            host="127.0.0.1",
            dashboard_address=None,
        ) as cluster,
        distributed.Client(cluster) as client,
        distributed.get_task_stream(client) as tasks,
        joblib.parallel_backend("dask"),
    ):
        on_cluster = _search().fit(X, y)
        workers = set(client.scheduler_info()["workers"])

    # The fits ran in both worker processes, not in this one.
    assert len(workers) == 2
    assert {task["worker"] for task in tasks.data} == workers
    expected = _score_columns(sequential.cv_results_)
    got = _score_columns(on_cluster.cv_results_)
    assert set(got) == set(expected)
    assert len(expected["mean_test_score"]) == 4
    for key, values in expected.items():
        np.testing.assert_array_equal(got[key], values, err_msg=key)
    assert np.isfinite(expected["mean_test_score"]).all()
    assert on_cluster.best_params_ == sequential.best_params_
    np.testing.assert_array_equal(on_cluster.predict(X), sequential.predict(X))
