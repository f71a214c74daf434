"""
The next 24 hours at once
=========================

Forecast the temperature at Newark for each of the next 24 hours in one go,
from the last 24 hours of temperature, pressure, humidity, dew point and wind
speed, and the hour of day (its sine and cosine: a whole daily cycle lies
ahead, and ``plot_multivariate.py`` shows that the networks need to be told
where in it they are). The target has 24 columns, one per lead time; Ridge and
the recurrent forecasters predict all of them at once (direct multi-step
forecasting), while persistence repeats the last temperature for every lead
time.

The error grows with the lead time; the figure of MAE against lead time shows
how much each model keeps of its advantage over persistence as it looks
further ahead.

Run ``python examples/plot_multistep.py`` (about a minute on two cores) or
add ``--quick`` for a smoke test in seconds.
"""

# %%
# A 24-column target
# ------------------
# ``make_supervised(..., horizon=range(1, 25))`` gives ``y`` one column per
# lead time: ``temp_t+1`` to ``temp_t+24``. Row ``t`` of every column belongs to
# the same window of inputs, so the rows still line up one to one with ``X``
# and the pipelines stay ordinary scikit-learn pipelines.
from _common import (
    MULTIVARIATE_COLUMNS,
    UNITS,
    chronological_split,
    compare_models,
    fit_and_predict,
    format_table,
    load_supervised,
    mae,
    network_params,
    parse_args,
    plot_mae_by_lead,
    report,
)

args = parse_args(__doc__.strip().splitlines()[0])
HORIZON = range(1, 25)
WINDOW = 24
X, y = load_supervised(
    MULTIVARIATE_COLUMNS, HORIZON, quick=args.quick, hour_of_day=True
)
print(f"target columns: {list(y.columns[:2])} ... {list(y.columns[-1:])}")

# %%
# Split and models
# ----------------
# The same chronological 70/20/10 split and the same four models as in the
# single-step examples. The networks' linear head simply has 24 outputs; the
# library standardizes each target column with its training statistics.
split = chronological_split(len(X))
print(split.describe(X.index))
models = compare_models(WINDOW, network_params(args))
predictions, fit_seconds = fit_and_predict(models, X, y, split, n_outputs=len(HORIZON))

# %%
# Scores
# ------
# First the MAE averaged over the 24 lead times, then the test MAE at a few
# lead times. A week of 24-hours-ahead forecasts and the learning curves are
# saved as figures.
report(
    f"MAE of the temperature 1 to 24 h ahead (mean over lead times), window {WINDOW} h",
    X,
    y,
    predictions,
    fit_seconds,
    split,
    HORIZON,
    models,
    args.output_dir / "multistep",
    lead=len(HORIZON) - 1,
)
LEADS = [1, 3, 6, 12, 24]
rows = []
for name, y_pred in predictions.items():
    by_lead = mae(y.iloc[split.test], y_pred[split.test])
    rows.append([name, *(float(by_lead[HORIZON.index(h)]) for h in LEADS)])
print(f"Test MAE ({UNITS}) by lead time")
print(format_table(["model", *(f"{h} h" for h in LEADS)], rows))
print()

# %%
# Error against lead time
# -----------------------
plot_mae_by_lead(
    predictions, y, split, HORIZON, args.output_dir / "multistep_mae_by_lead.png"
)
