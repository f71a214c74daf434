"""Hostile probe of the public surface: every case in its own process, classified.

Run from the repository root:

    python -m benchmarks.reliability.hostile_probe --jobs 2        # all cases
    python -m benchmarks.reliability.hostile_probe --only weather  # names with it
    python -m benchmarks.reliability.hostile_probe --limit 3       # the first three

Each case is a few lines of user code run in a fresh interpreter (with a
timeout), then classified:

- clear: an exception of a documented type (ValueError, TypeError, OSError and
  their subclasses), not raised by torch, skorch, numpy or pandas, whose message
  names the input or parameter and says what to do;
- ok: the code ran and its checks of the result held;
- unclear: any other exception (a raw library error, no name, no fix);
- silent: no exception where one was due, or a check of the result failed;
- crash: the process died (signal) or ran past the timeout.

Counts are printed, then every case that is neither clear nor ok. The exit
status is 1 if any case is unclear, silent or a crash. Each case runs as this
module from the repository root, so it imports that checkout's ``sklearn_rnn``.
"""

import argparse
import json
import re
import subprocess
import sys
import time
import traceback
from concurrent.futures import ThreadPoolExecutor
from pathlib import Path

# The repository root: each case starts there, so it imports its sklearn_rnn.
ROOT = Path(__file__).resolve().parents[2]

PRELUDE = """
import pickle
import warnings
import numpy as np
import pandas as pd
from sklearn.pipeline import make_pipeline
from sklearn.preprocessing import StandardScaler
from sklearn_rnn import (
    CalendarFeatures, GRUForecaster, LSTMForecaster, SimpleRNNForecaster,
    WindowTransformer, make_supervised,
)
from sklearn_rnn.datasets import fetch_jena_climate, load_weather

CHEAP = dict(hidden_size=4, max_epochs=2, random_state=0)
rng = np.random.default_rng(0)
series = np.cumsum(rng.normal(size=(120, 2)), axis=0)
hours = pd.date_range("2024-01-01", periods=120, freq="h")
frame = pd.DataFrame(series, index=hours, columns=["temp", "wind"])
windows = WindowTransformer(5).fit_transform(series)
y = series[:, 0].copy()


class CheckFailed(Exception):
    pass


def check(condition, detail):
    if not condition:
        raise CheckFailed(detail)


def fitted(cls=LSTMForecaster, **params):
    return cls(**{**CHEAP, **params}).fit(windows, y)


def skops_round_trip(obj):
    import skops.io as sio
    data = sio.dumps(obj)
    return sio.loads(data, trusted=sio.get_untrusted_types(data=data))


def padded_first(transformer, X):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return bool(np.isnan(transformer.transform(X)[0]).any())
"""

# A message "says what to do" when it holds one of these.
_FIX = re.compile(
    r"\b(use|pass|set|drop|fill|replace|make|scale|rescale|rename|sort|add|"
    r"select|call|check|give|reshape|aggregate|put|remove|choose|delete|"
    r"download|encode|compute|wrap|clip|fit|search|keep|leave|derive|"
    r"must be|must hold|must have|for example|such as|instead)\b",
    re.IGNORECASE,
)
_RAW_MODULES = ("torch", "skorch", "numpy", "pandas", "pyarrow", "polars")
# AttributeError: a method offered only for some settings (available_if).
_DOCUMENTED = (ValueError, TypeError, OSError, AttributeError)

CASES = []


def case(name, code, *, names=None, expect="error"):
    """Register a case. `names`: a regex the message must match (the input or
    parameter it is about); `expect`: "error", "ok" or "either"."""
    if expect != "ok" and names is None:
        raise ValueError(f"case {name!r} expects an error but names nothing")
    CASES.append({"name": name, "code": code, "names": names, "expect": expect})


def ok(name, code):
    case(name, code, expect="ok")


# -- make_supervised ---------------------------------------------------------------

ok(
    "supervised/array",
    "X, t = make_supervised(series, target=0)\n"
    "check(X.shape == (119, 2) and np.array_equal(t, series[1:, 0]), 'shift')",
)
ok(
    "supervised/horizons",
    "X, T = make_supervised(series, target=1, horizon=[1, 3])\n"
    "check(T.shape == (117, 2) and T[0, 1] == series[3, 1], 'columns')",
)
ok(
    "supervised/frame",
    "X, t = make_supervised(frame, target='temp', horizon=2)\n"
    "check(t.name == 'temp_t+2' and t.iloc[0] == frame['temp'].iloc[2], 'name')",
)
ok(
    "supervised/range-horizon",
    "X, T = make_supervised(frame, 'temp', horizon=range(1, 4))\n"
    "check(list(T.columns) == ['temp_t+1', 'temp_t+2', 'temp_t+3'], 'cols')",
)
ok(
    "supervised/float-index",
    "f = frame.set_axis(np.arange(120) * 0.1)\n"
    "for a in range(0, 100, 3): make_supervised(f.iloc[a:a + 17], 'temp')",
)
ok(
    "supervised/tz-index",
    "X, t = make_supervised(frame.tz_localize('UTC'), 'temp')\n"
    "check(str(X.index.tz) == 'UTC', 'tz')",
)
ok(
    "supervised/polars",
    "import polars as pl\n"
    "X, t = make_supervised(pl.from_pandas(frame), 'temp')\n"
    "check(t.to_list() == frame['temp'].iloc[1:].tolist(), 'values')",
)
for label, arg in [
    ("target-missing", "frame, target='pressure'"),
    ("target-position", "series, target=5"),
    ("target-bool", "series, target=True"),
    ("target-name-on-array", "series, target='temp'"),
]:
    case(f"supervised/{label}", f"make_supervised({arg})", names="target")
for label, horizon in [
    ("zero", "0"),
    ("negative", "-1"),
    ("float", "1.5"),
    ("string", "'1'"),
    ("empty", "[]"),
    ("repeated", "[1, 1]"),
    ("too-long", "120"),
    ("none", "None"),
    ("nested", "[[1, 2]]"),
]:
    case(
        f"supervised/horizon-{label}",
        f"make_supervised(series, 0, horizon={horizon})",
        names="horizon",
    )
for label, data in [
    ("none", "None"),
    ("1d", "series[:, 0]"),
    ("3d", "windows"),
    ("scalar", "3.0"),
    ("complex", "series + 1j"),
    ("datetimes", "np.array(hours).reshape(-1, 1)"),
    ("ragged", "[[1.0, 2.0], [3.0]]"),
    ("series", "frame['temp']"),
    ("lazy-polars", "__import__('polars').from_pandas(frame).lazy()"),
    ("datetime-column", "frame.reset_index(names='time')"),
    ("duplicated-columns", "frame.set_axis(['a', 'a'], axis=1)"),
    ("shuffled", "frame.sample(frac=1, random_state=0)"),
    ("reversed", "frame.iloc[::-1]"),
    ("duplicated-index", "frame.set_axis(hours.insert(3, hours[3])[:120])"),
    ("gap", "frame.drop(hours[50])"),
    ("nat-index", "frame.set_axis(hours.insert(4, pd.NaT)[:120])"),
    ("multiindex", "load_weather('all')"),
    ("float-gap", "frame.set_axis(np.arange(120) * 0.1).drop(index=[2.0])"),
    ("complex-column", "frame.assign(c=frame['temp'] + 1j)"),
]:
    target = (
        "0"
        if label in ("1d", "3d", "scalar", "complex", "ragged", "none")
        else ("'temp'")
    )
    if label == "datetimes":
        target = "0"
    case(
        f"supervised/data-{label}",
        f"make_supervised({data}, target={target})",
        names=r"\bdata\b|\bindex\b",
    )

# -- WindowTransformer -------------------------------------------------------------

ok(
    "window/values",
    "w = WindowTransformer(3).fit_transform(series)\n"
    "check(w.shape == (120, 3, 2) and np.isnan(w[0, :2]).all(), 'padding')\n"
    "check(np.allclose(w[5], series[3:6]), 'window 5')",
)
ok(
    "window/flatten-names",
    "t = WindowTransformer(2, flatten=True).fit(frame)\n"
    "check(list(t.get_feature_names_out()) == "
    "['temp_lag_1', 'wind_lag_1', 'temp_lag_0', 'wind_lag_0'], 'names')",
)
ok(
    "window/continuation",
    "t = WindowTransformer(4).fit(frame[:80])\n"
    "check(np.array_equal(t.transform(frame[80:]), "
    "WindowTransformer(4).fit(frame).transform(frame)[80:]), 'continuation')",
)
ok(
    "window/tz-continuation",
    "f = frame.tz_localize('Europe/Berlin')\n"
    "t = WindowTransformer(4).fit(f[:80])\n"
    "check(not padded_first(t, f[80:]), 'continued')",
)
ok(
    "window/array-after-frame-pads",
    "t = WindowTransformer(4).fit(frame[:80])\n"
    "check(padded_first(t, frame[80:].to_numpy()), 'array padded')",
)
ok(
    "window/tz-after-naive-pads",
    "t = WindowTransformer(4).fit(frame[:80])\n"
    "check(padded_first(t, frame[80:].tz_localize('UTC')), 'tz padded')",
)
ok(
    "window/half-hourly-pads",
    "t = WindowTransformer(4).fit(frame[:80])\n"
    "later = frame[80:].set_axis(pd.date_range(hours[80], periods=40, freq='30min'))\n"
    "check(padded_first(t, later), 'pace padded')",
)
ok(
    "window/float-index-continues",
    "f = frame.set_axis(np.arange(120) * 0.1)\n"
    "t = WindowTransformer(4).fit(f[:37])\n"
    "check(not padded_first(t, f[37:]), 'float continued')",
)
ok(
    "window/period-continues",
    "f = frame.set_axis(pd.period_range('2000-01', periods=120, freq='M'))\n"
    "t = WindowTransformer(4).fit(f[:60])\n"
    "check(not padded_first(t, f[60:]), 'period continued')",
)
ok(
    "window/float32-kept",
    "w = WindowTransformer(3).fit_transform(series.astype(np.float32))\n"
    "check(w.dtype == np.float32, 'dtype')",
)
ok(
    "window/length-one",
    "w = WindowTransformer(1).fit_transform(series)\n"
    "check(np.allclose(w[:, 0], series), 'identity')",
)
ok(
    "window/fill-zero",
    "w = WindowTransformer(3, fill_value=0.0).fit_transform(series)\n"
    "check((w[0, :2] == 0).all(), 'zeros')",
)
ok(
    "window/pickle",
    "t = WindowTransformer(4).fit(frame[:80])\n"
    "c = pickle.loads(pickle.dumps(t))\n"
    "check(np.array_equal(c.transform(frame[80:]), t.transform(frame[80:])), 'same')",
)
ok(
    "window/skops-datetime",
    "t = WindowTransformer(4).fit(frame[:80])\n"
    "c = skops_round_trip(t)\n"
    "check(np.array_equal(c.transform(frame[80:]), t.transform(frame[80:])), 'same')",
)
ok(
    "window/skops-period",
    "f = frame.set_axis(pd.period_range('2000-01', periods=120, freq='M'))\n"
    "t = WindowTransformer(4).fit(f[:80])\n"
    "check(skops_round_trip(t).last_label_ == t.last_label_, 'label')",
)
ok(
    "window/set-output-pandas",
    "t = WindowTransformer(2, flatten=True).set_output(transform='pandas')\n"
    "out = t.fit_transform(frame)\n"
    "check(list(out.columns)[-1] == 'wind_lag_0' and out.index.equals(hours), 'df')",
)
ok(
    "window/polars",
    "import polars as pl\n"
    "w = WindowTransformer(3).fit_transform(pl.from_pandas(frame))\n"
    "check(np.allclose(w[5], series[3:6]), 'polars')",
)
ok(
    "window/torch-tensor",
    "w = WindowTransformer(3).fit_transform(__import__('torch').ones(5, 2))\n"
    "check(w.shape == (5, 3, 2) and w[4].sum() == 6, 'converted')",
)
ok(
    "window/fortran",
    "w = WindowTransformer(3).fit_transform(np.asfortranarray(series))\n"
    "check(np.allclose(w[5], series[3:6]), 'fortran')",
)
for label, params in [
    ("zero", "window_length=0"),
    ("negative", "window_length=-3"),
    ("float", "window_length=2.5"),
    ("string", "window_length='3'"),
    ("bool", "window_length=True"),
    ("none", "window_length=None"),
    ("huge", "window_length=10**12"),
]:
    case(
        f"window/length-{label}",
        f"WindowTransformer({params}).fit_transform(series)",
        names="window_length",
    )
for label, params, name in [
    ("flatten-string", "flatten='yes'", "flatten"),
    ("fill-string", "fill_value='a'", "fill_value"),
    ("fill-inf", "fill_value=np.inf", "fill_value"),
    ("fill-huge", "fill_value=1e39", "fill_value"),
    ("keep-int", "keep_history=1", "keep_history"),
]:
    case(f"window/{label}", f"WindowTransformer(3, {params}).fit(series)", names=name)
for label, data in [
    ("none", "None"),
    ("1d", "series[:, 0]"),
    ("3d", "windows"),
    ("text", "np.array([['a', 'b']] * 5)"),
    ("complex", "series + 1j"),
    ("inf", "np.where(np.arange(120)[:, None] == 7, np.inf, series)"),
    ("huge", "series * 1e300"),
    ("empty", "series[:0]"),
    ("no-columns", "series[:, :0]"),
    ("datetime-column", "frame.reset_index(names='time')"),
    ("duplicated-columns", "frame.set_axis(['a', 'a'], axis=1)"),
    ("shuffled", "frame.sample(frac=1, random_state=0)"),
    ("gap", "frame.drop(hours[50])"),
    ("nat-index", "frame.set_axis(hours.insert(4, pd.NaT)[:120])"),
    ("multiindex", "load_weather('all')"),
    ("series", "frame['temp']"),
    ("lazy-polars", "__import__('polars').from_pandas(frame).lazy()"),
]:
    case(
        f"window/X-{label}",
        f"WindowTransformer(3).fit({data})",
        names=r"\bX\b|window_length",
    )
for label, code in [
    ("before-fit", "WindowTransformer(3).transform(series)"),
    ("n-features", "WindowTransformer(3).fit(series).transform(series[:, :1])"),
    ("names", "WindowTransformer(3).fit(frame).transform(frame[['wind', 'temp']])"),
    ("inf", "WindowTransformer(3).fit(series).transform(series * np.inf)"),
    ("empty", "WindowTransformer(3).fit(series).transform(series[:0])"),
    ("shuffled", "WindowTransformer(3).fit(frame).transform(frame.iloc[::-1])"),
    (
        "names-without-fit",
        "WindowTransformer(3).get_feature_names_out()",
    ),
]:
    case(
        f"window/transform-{label}",
        code,
        names=r"\bX\b|WindowTransformer|feature|flatten",
    )

# -- CalendarFeatures --------------------------------------------------------------

ok(
    "calendar/values",
    "f = frame.iloc[:7:6]\n"
    "out = CalendarFeatures(['hour_of_day']).fit_transform(f).to_numpy()\n"
    "check(np.allclose(out[1, 2:], [1.0, 0.0]), 'six o clock')",
)
ok(
    "calendar/period-index",
    "f = frame.to_period('h')\n"
    "out = CalendarFeatures().fit_transform(f)\n"
    "check(out.shape == (120, 6), 'shape')",
)
ok(
    "calendar/tz-local-hour",
    "f = frame.tz_localize('UTC').tz_convert('Asia/Tokyo')\n"
    "out = CalendarFeatures(['hour_of_day']).fit_transform(f).to_numpy()\n"
    "check(np.allclose(out[0, 2:], [np.sin(2 * np.pi * 9 / 24), "
    "np.cos(2 * np.pi * 9 / 24)]), 'tokyo 9 h')",
)
ok(
    "calendar/pandas-output",
    "out = CalendarFeatures().set_output(transform='pandas').fit_transform(frame)\n"
    "check(out.index.equals(hours) and out.shape[1] == 6, 'frame')",
)
ok(
    "calendar/skops",
    "c = CalendarFeatures().fit(frame)\n"
    "check(np.array_equal(skops_round_trip(c).transform(frame), c.transform(frame)), "
    "'same')",
)
ok(
    "calendar/rows-any-order",
    "c = CalendarFeatures().fit(frame)\n"
    "out = c.transform(frame.iloc[::-1])\n"
    "check(np.array_equal(out, c.transform(frame)[::-1]), 'reversed')",
)
for label, features in [
    ("string", "'hour_of_day'"),
    ("empty", "[]"),
    ("unknown", "['minute']"),
    ("repeated", "['hour_of_day', 'hour_of_day']"),
    ("number", "5"),
    ("none", "None"),
]:
    case(
        f"calendar/features-{label}",
        f"CalendarFeatures({features}).fit(frame)",
        names="features",
    )
for label, data in [
    ("array", "series"),
    ("range-index", "frame.reset_index(drop=True)"),
    ("datetime-column", "frame.reset_index(names='time')"),
    ("nat-index", "frame.set_axis(hours.insert(4, pd.NaT)[:120])"),
    ("text", "frame.assign(city='NY')"),
    ("inf", "frame.assign(temp=np.inf)"),
    ("empty", "frame.iloc[:0]"),
    ("clash", "frame.assign(hour_of_day_sin=1.0)"),
    ("polars", "__import__('polars').from_pandas(frame)"),
]:
    case(
        f"calendar/X-{label}",
        f"CalendarFeatures().fit_transform({data})",
        names=r"\bX\b",
    )
case(
    "calendar/transform-before-fit",
    "CalendarFeatures().transform(frame)",
    names="CalendarFeatures",
)
case(
    "calendar/transform-other-columns",
    "CalendarFeatures().fit(frame).transform(frame[['temp']])",
    names=r"\bX\b|feature",
)

# -- forecasters -------------------------------------------------------------------

FORECASTERS = ["LSTMForecaster", "GRUForecaster", "SimpleRNNForecaster"]
for cls in FORECASTERS:
    ok(
        f"{cls}/predict",
        f"m = fitted({cls})\n"
        "p = m.predict(windows)\n"
        "check(p.shape == (120,) and np.isfinite(p).all(), 'shape')",
    )
    ok(
        f"{cls}/same-seed",
        f"a = fitted({cls}).predict(windows)\n"
        f"b = fitted({cls}).predict(windows)\n"
        "check(np.array_equal(a, b), 'bit for bit')",
    )
    ok(
        f"{cls}/pickle",
        f"m = fitted({cls})\n"
        "c = pickle.loads(pickle.dumps(m))\n"
        "check(np.array_equal(c.predict(windows), m.predict(windows)), 'same')",
    )
    case(f"{cls}/hidden-zero", f"{cls}(hidden_size=0).fit(windows, y)", names="hidden")
    case(
        f"{cls}/before-fit",
        f"{cls}().predict(windows)",
        names=cls,
    )
ok(
    "forecaster/skops",
    "m = fitted()\n"
    "check(np.array_equal(skops_round_trip(m).predict(windows), m.predict(windows)), "
    "'same')",
)
ok(
    "forecaster/skops-lr-scheduler",
    "from skorch.callbacks import LRScheduler\n"
    "m = fitted(callbacks=[('lr', LRScheduler(policy='StepLR', step_size=1))])\n"
    "check(np.array_equal(skops_round_trip(m).predict(windows), m.predict(windows)), "
    "'same')",
)
ok(
    "forecaster/multi-output",
    "Y = np.column_stack([y, -y])\n"
    "m = LSTMForecaster(**CHEAP).fit(windows, Y)\n"
    "check(m.predict(windows).shape == (120, 2), 'shape')",
)
ok(
    "forecaster/quantiles",
    "m = fitted(loss='quantile', quantile=[0.1, 0.5, 0.9])\n"
    "q = m.predict_quantiles(windows)\n"
    "check(q.shape == (120, 3), 'shape')\n"
    "check(np.array_equal(m.predict(windows), q[:, 1]), 'median')",
)
ok(
    "forecaster/two-quantiles-mean",
    "m = fitted(loss='quantile', quantile=[0.1, 0.9])\n"
    "q = m.predict_quantiles(windows)\n"
    "check(np.allclose(m.predict(windows), q.mean(axis=1)), 'mean of the two')",
)
ok(
    "forecaster/quantile-0d-array",
    "m = fitted(loss='quantile', quantile=np.array(0.5))\n"
    "check(m.predict_quantiles(windows).shape == (120, 1), 'one level')",
)
ok(
    "forecaster/score",
    "check(np.isfinite(fitted().score(windows, y)), 'finite')",
)
ok(
    "forecaster/2d-rows",
    "m = LSTMForecaster(**CHEAP).fit(series, y)\n"
    "check(m.predict(series).shape == (120,), 'rows')",
)
ok(
    "forecaster/float32",
    "w = WindowTransformer(5).fit_transform(series.astype(np.float32))\n"
    "m = LSTMForecaster(**CHEAP).fit(w, y)\n"
    "check(np.isfinite(m.predict(w)).all(), 'finite')",
)
ok(
    "forecaster/fortran-same",
    "a = fitted().predict(np.asfortranarray(windows))\n"
    "b = fitted().predict(np.ascontiguousarray(windows))\n"
    "check(np.array_equal(a, b), 'layout')",
)
ok(
    "forecaster/tiny-weights",
    "a = LSTMForecaster(**CHEAP).fit(windows, y, sample_weight=np.full(120, 1e-50))\n"
    "b = LSTMForecaster(**CHEAP).fit(windows, y)\n"
    "check(np.allclose(a.predict(windows), b.predict(windows), rtol=1e-5), 'scale')",
)
ok(
    "forecaster/huge-weights",
    "a = LSTMForecaster(**CHEAP).fit(windows, y, sample_weight=np.full(120, 1e39))\n"
    "check(np.isfinite(a.predict(windows)).all(), 'finite')",
)
ok(
    "forecaster/warm-start",
    "m = fitted(warm_start=True)\n"
    "m.fit(windows, y)\n"
    "check(np.isfinite(m.predict(windows)).all(), 'finite')",
)
ok(
    "forecaster/clone-unfitted",
    "from sklearn.base import clone\n"
    "c = clone(fitted())\n"
    "check(not hasattr(c, 'module_'), 'clone')",
)
ok(
    "forecaster/predict-rows-independent",
    "m = fitted()\n"
    "check(np.allclose(m.predict(windows[50:60]), m.predict(windows)[50:60], "
    "atol=1e-6), 'rows')",
)
ok(
    "forecaster/early-stopping-callback",
    "from skorch.callbacks import EarlyStopping\n"
    "m = fitted(max_epochs=20, callbacks=[('es', EarlyStopping(patience=1))])\n"
    "check(np.isfinite(m.predict(windows)).all(), 'finite')",
)
for label, params, name in [
    ("hidden-negative", "hidden_size=-1", "hidden_size"),
    ("hidden-float", "hidden_size=1.5", "hidden_size"),
    ("hidden-string", "hidden_size='4'", "hidden_size"),
    ("layers-zero", "num_layers=0", "num_layers"),
    ("lr-zero", "lr=0", r"\blr\b"),
    ("lr-negative", "lr=-1.0", r"\blr\b"),
    ("lr-nan", "lr=float('nan')", r"\blr\b"),
    ("lr-string", "lr='fast'", r"\blr\b"),
    ("epochs-zero", "max_epochs=0", "max_epochs"),
    ("batch-zero", "batch_size=0", "batch_size"),
    ("dropout-high", "dropout=1.5", "dropout"),
    ("dropout-negative", "dropout=-0.1", "dropout"),
    ("patience-negative", "patience=-1", "patience"),
    ("validation-one", "validation_fraction=1.0", "validation_fraction"),
    ("validation-high", "validation_fraction=1.5", "validation_fraction"),
    ("loss-unknown", "loss='mse'", "loss"),
    ("quantile-high", "loss='quantile', quantile=1.5", "quantile"),
    ("quantile-repeated", "loss='quantile', quantile=[0.1, 0.1]", "quantile"),
    ("quantile-empty", "loss='quantile', quantile=[]", "quantile"),
    ("optimizer-unknown", "optimizer='foo'", "optimizer"),
    ("baseline-unknown", "baseline='foo'", "baseline"),
    ("baseline-out-of-range", "baseline=5", "baseline"),
    ("device-unknown", "device='tpu'", "device"),
    ("random-state-string", "random_state='a'", "random_state"),
    ("weight-decay-negative", "weight_decay=-1.0", "weight_decay"),
    ("callbacks-string", "callbacks='es'", "callbacks"),
    ("callbacks-short-tuple", "callbacks=[('es',)]", "callbacks"),
    (
        "callbacks-class",
        "callbacks=[('es', __import__('skorch').callbacks.EarlyStopping)]",
        "callbacks",
    ),
    ("verbose-string", "verbose='loud'", "verbose"),
    ("warm-start-string", "warm_start='yes'", "warm_start"),
]:
    params = params if "random_state" in params else params + ", random_state=0"
    case(
        f"forecaster/param-{label}",
        f"LSTMForecaster(hidden_size=4, max_epochs=2, {params}).fit(windows, y)"
        if "hidden_size" not in params and "max_epochs" not in params
        else f"LSTMForecaster({params}).fit(windows, y)",
        names=name,
    )
case(
    "forecaster/baseline-constant-column",
    "w = windows[4:].copy(); w[..., 1] = 3.0\n"
    "LSTMForecaster(**CHEAP, baseline=1).fit(w, y[4:])",
    names="baseline",
)
case(
    "forecaster/device-cuda-missing",
    "import torch\n"
    "if torch.cuda.is_available(): raise ValueError('device: a GPU is here, skip')\n"
    "LSTMForecaster(**CHEAP, device='cuda').fit(windows, y)",
    names="device",
)
for label, code, name in [
    ("y-none", "LSTMForecaster(**CHEAP).fit(windows, None)", r"\by\b"),
    ("y-length", "LSTMForecaster(**CHEAP).fit(windows, y[:-1])", r"\by\b"),
    (
        "y-nan",
        "LSTMForecaster(**CHEAP).fit(windows, np.where(y > 0, np.nan, y))",
        r"\by\b",
    ),
    ("y-inf", "LSTMForecaster(**CHEAP).fit(windows, y * np.inf)", r"\by\b"),
    (
        "y-no-columns",
        "LSTMForecaster(**CHEAP).fit(windows, y[:, None][:, :0])",
        r"\by\b",
    ),
    ("y-3d", "LSTMForecaster(**CHEAP).fit(windows, windows)", r"\by\b"),
    ("y-text", "LSTMForecaster(**CHEAP).fit(windows, np.array(['a'] * 120))", r"\by\b"),
    ("y-huge", "LSTMForecaster(**CHEAP).fit(windows, y * 1e300)", r"\by\b"),
    ("X-4d", "LSTMForecaster(**CHEAP).fit(windows[..., None], y)", r"\bX\b"),
    ("X-1d", "LSTMForecaster(**CHEAP).fit(y, y)", r"\bX\b"),
    (
        "X-text",
        "LSTMForecaster(**CHEAP).fit(np.array([['a', 'b']] * 120), y)",
        r"\bX\b",
    ),
    (
        "X-torch",
        "LSTMForecaster(**CHEAP).fit(__import__('torch').zeros(120, 5, 2), y)",
        r"\bX\b",
    ),
    ("X-complex", "LSTMForecaster(**CHEAP).fit(windows + 1j, y)", r"\bX\b"),
    ("X-none", "LSTMForecaster(**CHEAP).fit(None, y)", r"\bX\b"),
    (
        "X-list-ragged",
        "LSTMForecaster(**CHEAP).fit([[1.0, 2.0], [3.0]], [1.0, 2.0])",
        r"\bX\b",
    ),
    (
        "X-nan-inside",
        "w = np.array(windows); w[30, 2, 0] = np.nan\n"
        "LSTMForecaster(**CHEAP).fit(w, y)",
        r"\bX\b",
    ),
    (
        "X-inf-inside",
        "w = np.array(windows); w[30, 2] = np.inf\nLSTMForecaster(**CHEAP).fit(w, y)",
        r"\bX\b",
    ),
    (
        "X-all-nan-window",
        "w = np.array(windows); w[30] = np.nan\nLSTMForecaster(**CHEAP).fit(w, y)",
        r"\bX\b",
    ),
    ("X-huge", "LSTMForecaster(**CHEAP).fit(np.array(windows) * 1e300, y)", r"\bX\b"),
    ("X-empty", "LSTMForecaster(**CHEAP).fit(windows[:0], y[:0])", r"\bX\b|sample"),
    ("X-no-steps", "LSTMForecaster(**CHEAP).fit(windows[:, :0], y)", r"\bX\b"),
    (
        "X-datetime",
        "LSTMForecaster(**CHEAP).fit(np.array(hours).reshape(-1, 1, 1), y)",
        r"\bX\b",
    ),
    (
        "X-frame-datetime-column",
        "LSTMForecaster(**CHEAP).fit(frame.reset_index(names='time'), y)",
        r"\bX\b",
    ),
    ("predict-n-features", "fitted().predict(windows[..., :1])", r"\bX\b|feature"),
    ("predict-empty", "fitted().predict(windows[:0])", r"\bX\b|sample"),
    (
        "predict-nan-inside",
        "w = np.array(windows); w[30, 2, 0] = np.nan\nfitted().predict(w)",
        r"\bX\b",
    ),
    ("predict-quantiles-absolute", "fitted().predict_quantiles(windows)", "quantile"),
    (
        "predict-quantiles-after-set-params",
        "m = fitted(); m.set_params(loss='quantile'); m.predict_quantiles(windows)",
        "quantile",
    ),
    ("score-y-length", "fitted().score(windows, y[:-1])", r"\by\b"),
]:
    case(f"forecaster/{label}", code, names=name)
for label, weights in [
    ("scalar", "2.0"),
    ("nan", "np.where(np.arange(120) == 3, np.nan, 1.0)"),
    ("inf", "np.where(np.arange(120) == 3, np.inf, 1.0)"),
    ("negative", "-np.ones(120)"),
    ("length", "np.ones(7)"),
    ("all-zero", "np.zeros(120)"),
    ("zero-training", "np.where(np.arange(120) < 108, 0.0, 1.0)"),
    ("zero-validation-tail", "np.where(np.arange(120) < 108, 1.0, 0.0)"),
    ("2d", "np.ones((120, 2))"),
    ("text", "np.array(['a'] * 120)"),
    ("torch", "__import__('torch').ones(120)"),
]:
    case(
        f"forecaster/weights-{label}",
        f"LSTMForecaster(**CHEAP).fit(windows, y, sample_weight={weights})",
        names="sample_weight",
    )

# -- pipelines and model selection -------------------------------------------------

PIPE = (
    "pipe = make_pipeline(StandardScaler(), WindowTransformer(5), "
    "LSTMForecaster(**CHEAP))\n"
)
ok(
    "pipeline/fit-predict",
    "X, t = make_supervised(frame, 'temp')\n" + PIPE + "pipe.fit(X, t)\n"
    "check(pipe.predict(X).shape == (119,), 'shape')",
)
ok(
    "pipeline/pandas-continuation",
    "X, t = make_supervised(frame, 'temp')\n" + PIPE + "pipe.set_output(transform="
    "'pandas').fit(X[:90], t[:90])\n"
    "check(np.allclose(pipe.predict(X[90:]), pipe.predict(X)[90:], atol=1e-6, rtol=0), "
    "'continued')",
)
ok(
    "pipeline/calendar-skops",
    "X, t = make_supervised(frame, 'temp')\n"
    "pipe = make_pipeline(CalendarFeatures(), StandardScaler(), WindowTransformer(5), "
    "LSTMForecaster(**CHEAP)).set_output(transform='pandas').fit(X[:90], t[:90])\n"
    "c = skops_round_trip(pipe)\n"
    "check(np.array_equal(c.predict(X[90:]), pipe.predict(X[90:])), 'same')",
)
ok(
    "pipeline/pickle",
    "X, t = make_supervised(frame, 'temp')\n" + PIPE + "pipe.fit(X, t)\n"
    "c = pickle.loads(pickle.dumps(pipe))\n"
    "check(np.array_equal(c.predict(X), pipe.predict(X)), 'same')",
)
ok(
    "pipeline/cross-validate",
    "from sklearn.model_selection import TimeSeriesSplit, cross_validate\n"
    "X, t = make_supervised(frame, 'temp')\n" + PIPE + "s = cross_validate(pipe, X, t, "
    "cv=TimeSeriesSplit(3, gap=1))['test_score']\n"
    "check(np.isfinite(s).all(), 'scores')",
)
ok(
    "pipeline/grid-window-length",
    "from sklearn.model_selection import GridSearchCV, TimeSeriesSplit\n"
    "X, t = make_supervised(frame, 'temp')\n" + PIPE + "g = GridSearchCV(pipe, "
    "{'windowtransformer__window_length': [3, 6]}, cv=TimeSeriesSplit(2)).fit(X, t)\n"
    "check(g.best_params_['windowtransformer__window_length'] in (3, 6), 'best')",
)
ok(
    "pipeline/routing-recipe",
    "import sklearn\n"
    "X, t = make_supervised(frame, 'temp')\n"
    "with sklearn.config_context(enable_metadata_routing=True):\n"
    "    pipe = make_pipeline(StandardScaler().set_fit_request(sample_weight=False), "
    "WindowTransformer(5), "
    "LSTMForecaster(**CHEAP).set_fit_request(sample_weight=True))\n"
    "    pipe.fit(X, t, sample_weight=np.ones(len(t)))\n"
    "check(np.isfinite(pipe.predict(X)).all(), 'finite')",
)
case(
    "pipeline/routing-scaler-unset",
    "import sklearn\n"
    "X, t = make_supervised(frame, 'temp')\n"
    "with sklearn.config_context(enable_metadata_routing=True):\n"
    "    pipe = make_pipeline(StandardScaler(), WindowTransformer(5), "
    "LSTMForecaster(**CHEAP).set_fit_request(sample_weight=True))\n"
    "    pipe.fit(X, t, sample_weight=np.ones(len(t)))",
    names="sample_weight",
)
case(
    "pipeline/halving-on-samples",
    "from sklearn.experimental import enable_halving_search_cv  # noqa\n"
    "from sklearn.model_selection import HalvingGridSearchCV, TimeSeriesSplit\n"
    "X, t = make_supervised(frame, 'temp')\n"
    + PIPE
    + "pipe.set_output(transform='pandas')\n"
    "HalvingGridSearchCV(pipe, "
    "{'lstmforecaster__lr': [0.01, 0.02]}, cv=TimeSeriesSplit(2), min_resources=40, "
    "error_score='raise').fit(X, t)",
    names=r"\bX\b|resource",
)
case(
    "pipeline/learning-curve-shuffled",
    "from sklearn.model_selection import TimeSeriesSplit, learning_curve\n"
    "X, t = make_supervised(frame, 'temp')\n"
    + PIPE
    + "pipe.set_output(transform='pandas')\n"
    "learning_curve(pipe, X, t, "
    "cv=TimeSeriesSplit(2), shuffle=True, random_state=0, error_score='raise', "
    "train_sizes=[0.5, 1.0])",
    names=r"\bX\b|shuffle",
)
case(
    "pipeline/window-without-pandas-output-on-calendar",
    "X, t = make_supervised(frame, 'temp')\n"
    "make_pipeline(StandardScaler(), CalendarFeatures(), WindowTransformer(5), "
    "LSTMForecaster(**CHEAP)).fit(X, t)",
    names=r"\bX\b",
)
case(
    "pipeline/multiindex-frame",
    "stations = load_weather('all')\n" + PIPE + "pipe.set_output(transform='pandas')\n"
    "pipe.fit(stations, stations['temp'])",
    names=r"\bindex\b",
)

# -- datasets -----------------------------------------------------------------------

ok(
    "weather/default",
    "f = load_weather()\n"
    "check(isinstance(f.index, pd.DatetimeIndex) and not f.isna().any().any(), "
    "'clean')",
)
ok(
    "weather/all-stations",
    "f = load_weather('all')\n"
    "check(list(f.index.names) == ['station', 'time_hour'], 'multiindex')",
)
ok(
    "weather/return-X-y",
    "X, t = load_weather(return_X_y=True)\n"
    "check(t.name == 'temp' and 'temp' not in X.columns and len(X) == len(t), 'Xy')",
)
for label, params, name in [
    ("station-lower", "station='ewr'", "station"),
    ("station-unknown", "station='XXX'", "station"),
    ("station-number", "station=5", "station"),
    ("columns-string", "columns='temp'", "columns"),
    ("columns-unknown", "columns=['foo']", "columns"),
    ("columns-empty", "columns=[]", "columns"),
    ("columns-number", "columns=5", "columns"),
    ("max-gap-negative", "max_gap=-1", "max_gap"),
    ("max-gap-float", "max_gap=1.5", "max_gap"),
    ("max-gap-bool", "max_gap=True", "max_gap"),
    ("regular-grid-string", "regular_grid='yes'", "regular_grid"),
    ("return-X-y-int", "return_X_y=1", "return_X_y"),
    ("target-not-selected", "columns=['dewp'], return_X_y=True", "target"),
    ("target-alone", "columns=['temp'], return_X_y=True", "columns|target"),
]:
    case(f"weather/{label}", f"load_weather({params})", names=name)

JENA_SETUP = (
    "import tempfile, pathlib, zipfile\n"
    "home = pathlib.Path(tempfile.mkdtemp())\n"
    "def as_url(content, name='jena.zip'):\n"
    "    path = home / name\n"
    "    path.write_bytes(content)\n"
    "    return path.absolute().as_uri()\n"
    "def zipped(member, text):\n"
    "    import io\n"
    "    buffer = io.BytesIO()\n"
    "    with zipfile.ZipFile(buffer, 'w') as archive:\n"
    "        archive.writestr(member, text)\n"
    "    return buffer.getvalue()\n"
    "def serve(status, body=b''):\n"
    "    import http.server, threading\n"
    "    class Handler(http.server.BaseHTTPRequestHandler):\n"
    "        def do_GET(self):\n"
    "            self.send_response(status)\n"
    "            self.send_header('Content-Length', str(len(body)))\n"
    "            self.end_headers()\n"
    "            self.wfile.write(body)\n"
    "        def log_message(self, *args):\n"
    "            pass\n"
    "    server = http.server.HTTPServer(('127.0.0.1', 0), Handler)\n"
    "    threading.Thread(target=server.serve_forever, daemon=True).start()\n"
    "    return f'http://127.0.0.1:{server.server_port}/jena.zip'\n"
    "cache = home / 'cache'\n"
)
for label, call, name in [
    ("url-number", "fetch_jena_climate(data_home=cache, url=5)", "url"),
    ("url-ftp", "fetch_jena_climate(data_home=cache, url='ftp://x/y.zip')", "url"),
    ("url-text", "fetch_jena_climate(data_home=cache, url='not a url')", "url"),
    (
        "file-missing",
        "fetch_jena_climate(data_home=cache, url=(home / 'none.zip').as_uri())",
        r"none\.zip|url|archive",
    ),
    (
        "file-random-bytes",
        "fetch_jena_climate(data_home=cache, url=as_url(b'\\x00' * 100))",
        r"archive|zip|url",
    ),
    (
        "file-empty",
        "fetch_jena_climate(data_home=cache, url=as_url(b''))",
        r"archive|zip|url",
    ),
    (
        "file-wrong-member",
        "fetch_jena_climate(data_home=cache, "
        "url=as_url(zipped('x.csv', 'a,b\\n1,2\\n')))",
        r"archive|zip|member|csv",
    ),
    (
        "file-wrong-columns",
        "fetch_jena_climate(data_home=cache, "
        "url=as_url(zipped('jena_climate_2009_2016.csv', 'a,b\\n1,2\\n')))",
        r"archive|column",
    ),
    (
        "http-404",
        "fetch_jena_climate(data_home=cache, url=serve(404), timeout=10)",
        r"url|download|404|127\.0\.0\.1",
    ),
    (
        "http-garbage",
        "fetch_jena_climate(data_home=cache, url=serve(200, b'garbage' * 10), "
        "timeout=10)",
        r"archive|zip|url|127\.0\.0\.1",
    ),
    (
        "http-refused",
        "import socket\n"
        "s = socket.socket(); s.bind(('127.0.0.1', 0)); port = s.getsockname()[1]; "
        "s.close()\n"
        "fetch_jena_climate(data_home=cache, url=f'http://127.0.0.1:{port}/j.zip', "
        "timeout=5)",
        r"url|download|127\.0\.0\.1",
    ),
    (
        "data-home-is-file",
        "(home / 'f').write_text('x')\nfetch_jena_climate(data_home=home / 'f')",
        r"data_home|folder|directory",
    ),
    (
        "not-cached-no-download",
        "fetch_jena_climate(data_home=cache, download_if_missing=False)",
        r"download_if_missing|cache",
    ),
    ("timeout-zero", "fetch_jena_climate(data_home=cache, timeout=0)", "timeout"),
    ("timeout-string", "fetch_jena_climate(data_home=cache, timeout='a')", "timeout"),
    (
        "timeout-inf",
        "fetch_jena_climate(data_home=cache, timeout=float('inf'))",
        "timeout",
    ),
    ("hourly-string", "fetch_jena_climate(data_home=cache, hourly='yes')", "hourly"),
    ("target-unknown", "fetch_jena_climate(data_home=cache, target='T')", "target"),
    (
        "data-home-number",
        "fetch_jena_climate(data_home=5, download_if_missing=False)",
        "data_home",
    ),
]:
    case(f"jena/{label}", JENA_SETUP + call, names=name)


# -- running and classifying ---------------------------------------------------------


def _raising_module(error):
    """The top-level package of the innermost frame that raised `error`."""
    frames = traceback.extract_tb(error.__traceback__)
    if not frames:
        return ""
    filename = frames[-1].filename
    for package in (*_RAW_MODULES, "sklearn_rnn", "sklearn"):
        if f"/{package}/" in filename:
            return package
    return ""


def classify_exception(error, names):
    kind = type(error)
    module = kind.__module__.split(".")[0]
    message = str(error)
    summary = f"{kind.__name__}: {message[:300]}"
    if not isinstance(error, _DOCUMENTED) or module in _RAW_MODULES:
        return "unclear", summary
    if _raising_module(error) in ("torch", "skorch"):
        return "unclear", summary + " (raised inside torch/skorch)"
    if names and not re.search(names, message):
        return "unclear", summary + f" (does not name {names!r})"
    if not _FIX.search(message):
        return "unclear", summary + " (no fix)"
    return "clear", summary


def run_case_here(spec):
    """Run one case in this process and return its classification."""
    namespace = {}
    exec(PRELUDE, namespace)
    try:
        exec(spec["code"], namespace)
    except namespace["CheckFailed"] as failed:
        return {"status": "silent", "detail": f"check failed: {failed}"}
    except BaseException as error:  # noqa: BLE001 - classified, never swallowed
        if isinstance(error, KeyboardInterrupt):
            raise
        if spec["expect"] == "ok":
            status, detail = classify_exception(error, None)
            return {
                "status": "unclear" if status == "clear" else status,
                "detail": "expected to work: " + detail,
            }
        status, detail = classify_exception(error, spec["names"])
        return {"status": status, "detail": detail}
    if spec["expect"] == "error":
        return {"status": "silent", "detail": "no error raised"}
    return {"status": "ok", "detail": ""}


def run_case(spec, timeout):
    started = time.perf_counter()
    try:
        done = subprocess.run(
            [sys.executable, "-m", __spec__.name, "--case", spec["name"]],
            cwd=ROOT,
            capture_output=True,
            text=True,
            timeout=timeout,
            check=False,
        )
    except subprocess.TimeoutExpired:
        return {"status": "crash", "detail": f"timed out after {timeout} s"}
    seconds = time.perf_counter() - started
    lines = [line for line in done.stdout.splitlines() if line.startswith("{")]
    if done.returncode < 0 or not lines:
        tail = (done.stderr or done.stdout).strip().splitlines()[-3:]
        return {
            "status": "crash",
            "detail": f"exit status {done.returncode}: {' | '.join(tail)}",
        }
    result = json.loads(lines[-1])
    result["seconds"] = round(seconds, 1)
    return result


def main(argv=None):
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--jobs", type=int, default=2, help="parallel cases (<= 2)")
    parser.add_argument("--timeout", type=float, default=120.0, help="s per case")
    parser.add_argument("--only", help="run the cases whose name contains this")
    parser.add_argument("--limit", type=int, help="run the first N cases")
    parser.add_argument("--case", help=argparse.SUPPRESS)
    args = parser.parse_args(argv)

    by_name = {spec["name"]: spec for spec in CASES}
    if len(by_name) != len(CASES):
        raise SystemExit("two cases share a name")
    if args.case:
        import warnings

        warnings.simplefilter("ignore")
        print(json.dumps(run_case_here(by_name[args.case])))
        return 0

    selected = [c for c in CASES if not args.only or args.only in c["name"]]
    selected = selected[: args.limit] if args.limit else selected
    jobs = max(1, min(args.jobs, 2))
    started = time.perf_counter()
    with ThreadPoolExecutor(max_workers=jobs) as pool:
        results = list(pool.map(lambda c: run_case(c, args.timeout), selected))
    counts = {s: 0 for s in ("clear", "ok", "unclear", "silent", "crash")}
    for result in results:
        counts[result["status"]] += 1
    print(
        f"{len(selected)} cases: "
        + ", ".join(f"{n} {status}" for status, n in counts.items())
        + f" ({time.perf_counter() - started:.0f} s, {jobs} job(s))"
    )
    bad = [
        (spec["name"], result)
        for spec, result in zip(selected, results, strict=True)
        if result["status"] not in ("clear", "ok")
    ]
    for name, result in bad:
        print(f"  {result['status']:8} {name}: {result['detail']}")
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
