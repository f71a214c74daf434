"""A user's grid-search script, timed from the shell by the grid section.

Everything a fresh ``python search.py`` pays is inside the measurement: the
interpreter, the imports, loading the data, starting loky's workers (with
``n_jobs=2``) and the search itself.

Usage: ``python -m benchmarks.performance.probes.grid_script N_JOBS ROWS EPOCHS SPLITS
GRID_JSON``.
"""

import json
import sys

from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer, make_supervised
from sklearn_rnn.datasets import load_weather


def main(n_jobs, n_rows, epochs, n_splits, grid):
    columns = ["temp", "dewp", "humid", "pressure", "wind_speed"]
    X, y = make_supervised(load_weather(columns=columns), "temp", horizon=1)
    X, y = X.iloc[:n_rows], y.iloc[:n_rows]
    pipeline = make_pipeline(
        StandardScaler(),
        WindowTransformer(24),
        LSTMForecaster(max_epochs=epochs, patience=None, random_state=0),
    )
    search = GridSearchCV(
        pipeline, grid, cv=TimeSeriesSplit(n_splits), n_jobs=n_jobs, refit=False
    )
    search.fit(X, y)
    print(json.dumps(search.cv_results_["mean_test_score"].tolist()))


if __name__ == "__main__":
    n_jobs, n_rows, epochs, n_splits = (int(a) for a in sys.argv[1:5])
    main(n_jobs, n_rows, epochs, n_splits, json.loads(sys.argv[5]))
