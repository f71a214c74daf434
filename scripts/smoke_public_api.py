"""A smoke of the public API, for an environment with the declared minimum versions.

Lists and DataFrames through make_supervised, the README pipeline in
GridSearchCV with TimeSeriesSplit, pickle, and the versions in use. Run it in a
virtual environment made by ``scripts/check_floors.sh``.
"""

import pickle
import warnings

import numpy as np
import pandas as pd
import sklearn
import skorch
import torch
from sklearn.model_selection import GridSearchCV, TimeSeriesSplit
from sklearn.pipeline import make_pipeline

from sklearn_rnn import (
    CalendarFeatures,
    LSTMForecaster,
    ShortHistoryWarning,
    WindowTransformer,
    make_supervised,
)
from sklearn_rnn.datasets import load_weather


def main():
    print(
        f"numpy {np.__version__}, pandas {pd.__version__}, scikit-learn "
        f"{sklearn.__version__}, skorch {skorch.__version__}, torch {torch.__version__}"
    )
    X_list, y_list = make_supervised([[1.0, 2.0], [2.0, 3.0], [3.0, 4.0]], target=0)
    assert len(X_list) == len(y_list) == 2
    df = load_weather()[["temp", "dewp", "pressure"]].iloc[:600]
    X, y = make_supervised(df, target="temp", horizon=3)
    pipe = make_pipeline(
        CalendarFeatures(["hour_of_day"]),
        WindowTransformer(12),
        LSTMForecaster(hidden_size=8, max_epochs=2, random_state=0),
    )
    search = GridSearchCV(
        pipe,
        {"windowtransformer__window_length": [6, 12]},
        cv=TimeSeriesSplit(n_splits=2, gap=3),
    )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", ShortHistoryWarning)  # folds after a gap
        search.fit(X, y)
    restored = pickle.loads(pickle.dumps(search.best_estimator_))
    np.testing.assert_array_equal(restored.predict(X), search.predict(X))
    print("smoke of the public API: ok")


if __name__ == "__main__":
    main()
