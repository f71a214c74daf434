"""
Next-hour temperature from past temperature
===========================================

The first lab of the lecture: forecast the temperature at Newark airport one
hour ahead from the temperatures of the last 24 hours, and compare

* persistence (the next hour is as warm as this one),
* Ridge regression on the 24 past values,
* :class:`~sklearn_rnn.SimpleRNNForecaster` and
* :class:`~sklearn_rnn.LSTMForecaster`

on the last tenth of 2013, which none of them sees while fitting.

Run ``python examples/plot_univariate.py`` (about a minute on two cores) or
add ``--quick`` for a smoke test in seconds.
"""

# %%
# Data: one column, one target
# ----------------------------
# ``load_weather`` returns the bundled hourly 2013 record of Newark (EWR) as a
# gap-free hourly series. :func:`~sklearn_rnn.make_supervised` pairs each hour
# with the temperature one hour later, once and up front, so no pipeline step
# ever has to shift ``y`` or drop rows. ``X`` keeps the temperature itself as
# the only input.
from _common import (
    chronological_split,
    compare_models,
    fit_and_predict,
    load_supervised,
    network_params,
    parse_args,
    report,
)

args = parse_args(__doc__.strip().splitlines()[0])
HORIZON = 1
WINDOW = 24
X, y = load_supervised(["temp"], HORIZON, quick=args.quick)

# %%
# A chronological split
# ---------------------
# The first 70 % of the hours train the models, the next 20 % validate them and
# the last 10 % test them. The parts follow each other in time: the test hours
# come after everything the models learned from.
split = chronological_split(len(X))
print(split.describe(X.index))

# %%
# Four models, the same windows
# -----------------------------
# Each learned model is a pipeline: a StandardScaler, then a
# :class:`~sklearn_rnn.WindowTransformer` that gives every hour the window of
# the 24 hours that end with it, then the regressor. Because the scaler sits
# inside the pipeline, it is fitted on the training rows only; the validation
# and test hours are scaled with training statistics, as they would be in
# production. Ridge reads the windows flattened into 24 lag columns (padded
# with 0.0, the training mean, since Ridge rejects NaN); the networks read them
# as sequences, oldest hour first.
#
# The networks hold out the last 10 % of their training rows
# (``validation_fraction``) to stop when the loss there stops improving, and
# keep the weights of their best epoch. The models are fitted on the training
# rows; then each forecasts every hour of the year, so the first test windows
# can reach back into the validation hours (windows only look backwards).
models = compare_models(WINDOW, network_params(args))
predictions, fit_seconds = fit_and_predict(models, X, y, split)

# %%
# Scores and figures
# ------------------
# The table gives the mean absolute error in °F and in standardized units
# (divided by the standard deviation of the training temperatures), on the
# validation and on the test hours. The figures show a week of test forecasts
# against the observed temperature, and the learning curves of the two
# networks: the loss on their training rows and on the held-out tail that early
# stopping watches.
report(
    f"MAE of the temperature {HORIZON} h ahead from the last {WINDOW} h of temperature",
    X,
    y,
    predictions,
    fit_seconds,
    split,
    HORIZON,
    models,
    args.output_dir / "univariate",
)
