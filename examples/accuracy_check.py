"""
Accuracy check: the figures the README reports
==============================================

Test MAE of persistence, Ridge and :class:`~sklearn_rnn.LSTMForecaster` on the
bundled Newark (EWR) series, in two settings:

* 6 hours ahead from temperature, pressure, humidity, dew point and wind speed
  (the second lab);
* 1 hour ahead from temperature alone (the first lab).

Both use a window of 24 hours and a chronological 70/20/10 split: every model
is fitted on the first 70 % of the hours, with its scaler inside the pipeline
(training statistics only); the MAE is measured on the last 10 % and given in
standardized units (divided by the standard deviation of the training target)
and in °F.

The LSTM uses the library's defaults unless ``--lstm`` overrides some, which is
how the old and the recommended defaults are compared::

    python examples/accuracy_check.py --seeds 0
    python examples/accuracy_check.py --seeds 0 --lstm '{"batch_size": 64}'

``--hour-of-day`` adds the sine and cosine of the hour as inputs to every
model; ``--early-stopping validation`` lets the LSTM stop on the validation
part of the split instead of the tail of its training rows (see below).
"""

# %%
# Options
# -------
import json
import time

import numpy as np
from _common import (
    MULTIVARIATE_COLUMNS,
    UNITS,
    chronological_split,
    format_table,
    load_supervised,
    mae,
    parse_args,
    persistence,
    recurrent_pipeline,
    ridge_pipeline,
    target_scale,
)
from sklearn.frozen import FrozenEstimator
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler

from sklearn_rnn import LSTMForecaster, WindowTransformer


def add_arguments(parser):
    parser.add_argument(
        "--lstm",
        type=json.loads,
        default={},
        help="JSON object of LSTMForecaster parameters that replace its defaults",
    )
    parser.add_argument(
        "--seeds",
        type=int,
        nargs="+",
        default=[0],
        help="random_state of the LSTM; several seeds give one row each",
    )
    parser.add_argument(
        "--early-stopping",
        choices=["tail", "validation"],
        default="tail",
        help="what the LSTM stops on: the tail of its training rows (the "
        "library's own validation_fraction) or the validation part of the split",
    )
    parser.add_argument(
        "--hour-of-day",
        action="store_true",
        help="add sin and cos of the hour of day to the inputs",
    )


args = parse_args(__doc__.strip().splitlines()[0], add_arguments=add_arguments)
lstm_params = dict(args.lstm)
if args.quick:
    lstm_params.update(hidden_size=8, max_epochs=2)
WINDOW = 24
SETTINGS = [
    ("6 h, 5 columns", MULTIVARIATE_COLUMNS, 6),
    ("1 h, temp only", ["temp"], 1),
]
print(f"LSTMForecaster parameters changed from the defaults: {lstm_params}")

# %%
# The check
# ---------
# Each model is fitted on the training rows and forecasts the whole series at
# once, so that the test windows reach back into the hours before the test
# part; windows only look backwards.
#
# With ``--early-stopping tail`` (the default) the LSTM pipeline is fitted on
# the training rows like Ridge, and the forecaster holds out the last
# ``validation_fraction`` of them for early stopping, as it does for any user.
# With ``--early-stopping validation`` it gets the training and validation rows
# and a ``validation_fraction`` that makes its held-out tail exactly the
# validation part: it still trains on the training rows only, but stops on the
# hours just before the test. The scaler is then fitted on the training rows
# beforehand and frozen, so that the inputs are still standardized with
# training statistics only.


def lstm_pipeline(params, X, split):
    """The LSTM pipeline and the rows to fit it on, for ``--early-stopping``."""
    if args.early_stopping == "tail":
        return recurrent_pipeline(LSTMForecaster(**params), WINDOW), split.train
    rows = slice(0, split.valid.stop)
    n_valid = split.valid.stop - split.valid.start
    # The forecaster holds out ceil(fraction * n) rows; half a row of slack
    # keeps float rounding from taking one row more.
    fraction = (n_valid - 0.5) / split.valid.stop
    scaler = FrozenEstimator(StandardScaler().fit(X.iloc[split.train]))
    forecaster = LSTMForecaster(**dict(params, validation_fraction=fraction))
    return make_pipeline(scaler, WindowTransformer(WINDOW), forecaster), rows


def score(label, name, y_true, y_pred, split, scale, seconds, note=""):
    """One table row: test MAE (standardized, °F), validation MAE, fit time."""
    test = float(mae(y_true[split.test], y_pred[split.test]))
    valid = float(mae(y_true[split.valid], y_pred[split.valid]))
    return [label, name, test / scale, test, valid / scale, f"{seconds:.1f}", note]


rows = []
for label, columns, horizon in SETTINGS:
    X, y = load_supervised(
        columns, horizon, quick=args.quick, hour_of_day=args.hour_of_day
    )
    split = chronological_split(len(X))
    scale = float(target_scale(y, split))
    y_true = y.to_numpy()
    rows.append(score(label, "persistence", y_true, persistence(X), split, scale, 0))
    start = time.perf_counter()
    ridge = ridge_pipeline(WINDOW).fit(X.iloc[split.train], y.iloc[split.train])
    seconds = time.perf_counter() - start
    rows.append(score(label, "Ridge", y_true, ridge.predict(X), split, scale, seconds))
    lstm_rows = []
    for seed in args.seeds:
        start = time.perf_counter()
        lstm, fit_rows = lstm_pipeline(dict(lstm_params, random_state=seed), X, split)
        lstm.fit(X.iloc[fit_rows], y.iloc[fit_rows])
        y_pred = lstm.predict(X)
        forecaster = lstm[-1]
        seconds = time.perf_counter() - start
        note = f"{forecaster.n_epochs_} epochs, best {forecaster.best_epoch_}"
        print(f"  {label}: LSTM seed {seed}, {note}, {seconds:.0f} s", flush=True)
        lstm_rows.append(
            score(
                label, f"LSTM seed {seed}", y_true, y_pred, split, scale, seconds, note
            )
        )
    rows += lstm_rows
    if len(lstm_rows) > 1:
        means = [float(np.mean([row[k] for row in lstm_rows])) for k in (2, 3, 4)]
        spread = float(np.std([row[2] for row in lstm_rows]))
        rows.append([label, "LSTM mean", *means, "", f"std {spread:.4f}"])

# %%
# The table
# ---------
print()
print(
    "Chronological 70/20/10 split, window 24 h, fitted on the training 70 %; "
    "the LSTM stops early on "
    + (
        "the last 10 % of its training rows"
        if args.early_stopping == "tail"
        else "the validation 20 %"
    )
    + (", with hour of day" if args.hour_of_day else "")
)
header = [
    "setting",
    "model",
    "test MAE std",
    f"test MAE {UNITS}",
    "valid MAE std",
    "fit s",
    "",
]
print(format_table(header, rows, precision=4))
