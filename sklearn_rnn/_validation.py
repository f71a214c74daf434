"""Input checks shared by the forecasters: window shapes, padding, targets."""

import math
from contextlib import contextmanager

import numpy as np
from sklearn.utils.validation import (
    check_array,
    validate_data,
)

from ._compat import _check_feature_names
from ._time_axis import check_no_time_columns, is_dataframe

_FLOAT_DTYPES = (np.float32, np.float64)
# Bound on the temporary boolean masks of the NaN scans (values per chunk).
_SCAN_CHUNK_VALUES = 1 << 20

_IMPUTE_HINT = (
    "Only leading all-NaN time steps (the left padding that WindowTransformer "
    "adds where history is missing) are understood; fill other missing values "
    "before windowing, for example with sklearn.impute.SimpleImputer or "
    "DataFrame.interpolate()."
)


# What numpy and scikit-learn say when text reaches a float conversion.
_TEXT_ERRORS = ("could not convert", "not compatible with arrays of bytes/strings")


@contextmanager
def explain_text(data, input_name, estimator):
    """Turn the conversion errors that text input raises into an input error."""
    try:
        yield
    except ValueError as error:
        if not any(marker in str(error) for marker in _TEXT_ERRORS):
            raise
        dtype = getattr(data, "dtype", None)
        got = "non-numeric values" if dtype is None else f"dtype {dtype}"
        raise ValueError(
            f"{input_name} of {type(estimator).__name__} must hold numbers; got "
            f"{got} ({error}). Encode or drop text columns before fitting, for "
            "example with sklearn.preprocessing.OneHotEncoder in a "
            "ColumnTransformer."
        ) from error


_EMPTY_HINT = (
    " An empty input usually comes from a slice, a filter or a date selection "
    "that matched no rows (such as df.loc['2030']): check it, or pass at least "
    "one row."
)


@contextmanager
def explain_shape(input_name="X"):
    """Add the input, the usual cause and the fix to scikit-learn's shape messages.

    scikit-learn's wording is kept first: its estimator checks look for it.
    """
    try:
        yield
    except ValueError as error:
        message = str(error)
        if "Found array with 0 sample(s)" in message:
            hint = f" {input_name} has no rows." + _EMPTY_HINT
        elif "Found array with 0 feature(s)" in message:
            hint = f" {input_name} has no columns: pass at least one feature column."
        elif "features, but" in message and "is expecting" in message:
            hint = " Pass the same columns, in the same order, as during fit."
        else:
            raise
        raise ValueError(message + hint) from None


def _infinity_position(data):
    try:
        values = np.asarray(data, dtype=np.float64)
        return tuple(int(i) for i in np.argwhere(np.isinf(values))[0])
    except (TypeError, ValueError, IndexError):
        return None


@contextmanager
def explain_infinity(data, input_name, estimator):
    """Replace scikit-learn's infinity message by one with the position and a fix."""
    try:
        yield
    except ValueError as error:
        if "contains infinity" not in str(error):
            raise
        where = _infinity_position(data)
        at = "" if where is None else f", first at row {where[0]}, column {where[-1]}"
        raise ValueError(
            # scikit-learn's opening kept: callers may match on it.
            f"Input {input_name} contains infinity{at}: {type(estimator).__name__} "
            "understands NaN as a missing value, not infinity. Replace it "
            "first, for example with X.replace([np.inf, -np.inf], np.nan) "
            "followed by X.interpolate() (or np.nan_to_num for arrays), or clip "
            "the values."
        ) from None


def row_chunks(array, max_values):
    """Yield ``(start, array[start:stop])`` over blocks of rows of `array`.

    A block holds at most `max_values` values (at least one row), so the
    temporary masks a scan makes of it stay bounded.
    """
    row_size = math.prod(array.shape[1:])
    chunk = max(1, max_values // max(1, row_size))
    for start in range(0, len(array), chunk):
        yield start, array[start : start + chunk]


def _describe_input(X, input_name, estimator):
    """Refuse inputs that numpy would turn into something other than numbers."""
    name = type(estimator).__name__
    if type(X).__module__.startswith("torch"):
        raise TypeError(
            f"{input_name} of {name} is a torch tensor; pass a NumPy array or a "
            f"DataFrame instead, for example {input_name}.detach().cpu().numpy()."
        )
    if X is None or np.isscalar(X):
        raise ValueError(
            f"{input_name} of {name} must be an array of windows "
            "(n_samples, n_timesteps, n_features) or rows (n_samples, n_features); "
            f"got {X!r}."
        )
    try:
        array = X if hasattr(X, "dtype") and hasattr(X, "ndim") else np.asarray(X)
    except ValueError as error:
        raise ValueError(
            f"{input_name} of {name} must be a rectangular array; got sequences of "
            f"different lengths ({error}). Windows must all have the same number "
            "of time steps: make them with WindowTransformer, which left-pads "
            "short history with NaN."
        ) from None
    dtype = getattr(array, "dtype", None)
    if dtype is not None and getattr(dtype, "kind", None) in ("M", "m", "c"):
        what = {"M": "datetimes", "m": "time deltas", "c": "complex numbers"}
        # scikit-learn's own wording first: its estimator checks look for it.
        prefix = "Complex data not supported: " if dtype.kind == "c" else ""
        raise ValueError(
            f"{prefix}{input_name} of {name} must hold real numbers; got "
            f"{what[dtype.kind]} (dtype {dtype}). Drop that column, or derive "
            "numeric features from it (for example CalendarFeatures for "
            "timestamps)."
        )
    return array


def validate_windows(estimator, X, *, reset):
    """Return `X` as a 3-D float array of windows, without copying 3-D input.

    A 2-D `X` is a batch of one-step sequences: ``(n_samples, 1, n_features)``.
    `n_features_in_` counts features per time step, for 2-D and 3-D input alike.
    """
    name = type(estimator).__name__
    if not hasattr(X, "columns"):
        X = _describe_input(X, "X", estimator)
    elif is_dataframe(X):
        check_no_time_columns(X, "X", name)
    if X.ndim > 3 or X.ndim < 2:
        raise ValueError(
            f"X of {name} must be 2-D (n_samples, n_features) or 3-D (n_samples, "
            "n_timesteps, n_features), such as the output of WindowTransformer; "
            f"got an array with {X.ndim} dimension(s) of shape {X.shape}. Reshape "
            "your data: a single series is one column (X.reshape(-1, 1)), to be "
            "windowed by WindowTransformer."
        )
    if X.ndim != 3:
        # Feature names, n_features_in_ and sklearn's wording for 1-D input.
        with explain_text(X, "X", estimator), explain_shape():
            X = validate_data(
                estimator, X, reset=reset, dtype=_FLOAT_DTYPES, ensure_all_finite=False
            )
        return X[:, np.newaxis, :]

    with explain_text(X, "X", estimator), explain_shape():
        X = check_array(
            X,
            dtype=_FLOAT_DTYPES,
            allow_nd=True,
            ensure_all_finite=False,
            estimator=estimator,
        )
    n_samples, n_steps, n_features = X.shape
    if n_steps == 0 or n_features == 0:
        raise ValueError(
            f"X of {name} must have at least one time step and "
            f"one feature; got windows of shape {X.shape} (n_samples, n_timesteps, "
            "n_features)."
        )
    _check_feature_names(estimator, X, reset=reset)
    if reset:
        estimator.n_features_in_ = n_features
    elif n_features != estimator.n_features_in_:
        raise ValueError(
            f"X has {n_features} features per time step, but "
            f"{name} was fitted with {estimator.n_features_in_} "
            "features. Pass the same columns as during fit."
        )
    return X


_FLOAT32_MAX = float(np.finfo(np.float32).max)


def validate_target(y, n_samples, estimator):
    """Return `y` as a 2-D float64 array with one row per window, and if it was 1-D."""
    name = type(estimator).__name__
    if y is None:
        raise ValueError(
            f"{name} requires y to be passed, but the target y is None. Pass the "
            "targets, one per window, for example as made by make_supervised."
        )
    y = _describe_input(y, "y", estimator)
    with explain_text(y, "y", estimator):
        y = check_array(
            y,
            ensure_2d=False,
            ensure_min_features=0,
            dtype=_FLOAT_DTYPES,
            ensure_all_finite=False,
            allow_nd=True,
            input_name="y",
            estimator=estimator,
        )
    if y.ndim > 2 or y.ndim == 0:
        raise ValueError(
            f"y of {name} must be 1-D (n_samples,) or 2-D (n_samples, n_outputs); "
            f"got shape {y.shape}. For several horizons, pass one column per "
            "horizon, as make_supervised(..., horizon=[1, 2, ...]) returns."
        )
    if y.ndim == 2 and y.shape[1] == 0:
        raise ValueError(
            f"y of {name} has 0 columns (shape {y.shape}); it needs at least one "
            "target column. Pass y with one column per horizon, as "
            "make_supervised returns it."
        )
    if len(y) != n_samples:
        raise ValueError(
            f"y has {len(y)} rows, but X has {n_samples} samples (windows): "
            f"{name} needs one target per window. Make X and y "
            "from the same rows, for example with make_supervised before "
            "WindowTransformer."
        )
    bad = ~np.isfinite(y.reshape(len(y), -1)).all(axis=1)
    if bad.any():
        rows = np.flatnonzero(bad)
        raise ValueError(
            f"Input y contains NaN or infinity in {len(rows)} row(s), first at "
            f"row(s) {rows[:5].tolist()}. Every training window needs an observed "
            "target: drop those rows from X and y, or fill the series before "
            "make_supervised."
        )
    y2 = y.reshape(len(y), -1).astype(np.float64, copy=False)
    spread = np.abs(y2).max() if y2.size else 0.0
    if spread > 1e15 * _FLOAT32_MAX**0.5:
        raise ValueError(
            f"y of {name} holds values up to {spread:.3g}, too large to "
            "standardize in floating point. Rescale y (for example divide it by "
            "a power of ten) and scale the forecasts back."
        )
    return y2, y.ndim == 1


def validate_sample_weight(sample_weight, n_samples, n_valid, estimator):
    """Return `sample_weight` as float64 weights of largest value 1, or None.

    Only the ratios of the weights matter (the loss is their weighted mean), so
    they are divided by the largest one: float32 training then keeps weights
    such as 1e-50 or 1e39 exactly as far apart as they were. Weights that leave
    nothing to learn from (all zero on the training windows) or nothing to
    validate on (all zero on the `n_valid` windows of the validation tail) are
    refused.
    """
    if sample_weight is None:
        return None
    name = type(estimator).__name__
    if np.isscalar(sample_weight) or type(sample_weight).__module__.startswith("torch"):
        raise ValueError(
            f"sample_weight of {name} must be an array with one weight per window "
            f"({n_samples}); got {sample_weight!r}. For equal weights pass None; "
            "for a weight per window, an array such as np.full(len(X), 2.0)."
        )
    with explain_text(sample_weight, "sample_weight", estimator):
        weights = check_array(
            sample_weight,
            ensure_2d=False,
            dtype=np.float64,
            ensure_all_finite=False,
            input_name="sample_weight",
        )
    if weights.ndim != 1 or len(weights) != n_samples:
        raise ValueError(
            f"sample_weight of {name} must be 1-D with one weight per window "
            f"({n_samples}); got shape {weights.shape}."
        )
    bad = ~np.isfinite(weights) | (weights < 0)
    if bad.any():
        row = int(np.flatnonzero(bad)[0])
        raise ValueError(
            f"sample_weight of {name} must be finite and non-negative; got "
            f"{weights[row]:g} at row {row} ({int(bad.sum())} such weight(s)). Give "
            "those windows weight 0 to leave them out, or drop them from X and y."
        )
    n_train = n_samples - n_valid
    for part, where, fix in (
        (weights[:n_train], "training windows", "to learn from"),
        (weights[n_train:], f"validation tail (the last {n_valid} windows)", ""),
    ):
        if len(part) and not part.any():
            raise ValueError(
                f"sample_weight of {name} is zero on every one of the {where}, "
                "which leaves nothing "
                + (fix or "for early stopping to watch")
                + ". Give some of them a positive weight"
                + ("." if fix else ", or set patience=None to train without it.")
            )
    return weights / weights.max()


def check_float32_range(X, estimator):
    """Refuse float64 windows with finite values beyond float32's range."""
    if X.dtype != np.float64:
        return
    parts = _sliding_source(X)
    for part in parts if parts is not None else (X,):
        for start, block in row_chunks(part, _SCAN_CHUNK_VALUES):
            with np.errstate(invalid="ignore"):
                large = (np.abs(block) > _FLOAT32_MAX) & np.isfinite(block)
            if large.any():
                where = np.argwhere(large)[0]
                raise ValueError(
                    f"X of {type(estimator).__name__} holds "
                    f"{float(block[tuple(where)]):g} (window/row {start + where[0]}): "
                    f"networks compute in float32, whose largest value is "
                    f"{_FLOAT32_MAX:.4g}. Scale the inputs, for example with "
                    "StandardScaler before WindowTransformer."
                )


def _sliding_source(X):
    """The series behind `X`, as views, if ``X[i, j]`` is ``series[i + j]``.

    Equal strides on the window and step axes mean exactly that, whatever made
    the view (WindowTransformer, slicing it, or as_strided); the whole content is
    then the first window followed by the last step of every other window. The
    two parts are returned as views, not joined, so that nothing is copied.
    Returns None for any other layout.
    """
    n_samples, n_steps = X.shape[:2]
    if n_samples < 2 or n_steps < 2 or X.strides[0] != X.strides[1]:
        return None
    return X[0], X[1:, -1]


def _raise_misplaced_nan(window, step, reason):
    raise ValueError(
        f"X contains {reason} in window {window} at time step {step}. " + _IMPUTE_HINT
    )


def _raise_infinity(window, step):
    raise ValueError(
        f"X contains infinity in window {window} at time step {step}: the networks "
        "need finite inputs (NaN only as the leading padding). Replace infinities "
        "in the series before windowing: clip them, or make them missing values "
        "(X.replace([np.inf, -np.inf], np.nan)) and fill those, for example with "
        "DataFrame.interpolate() or sklearn.impute.SimpleImputer."
    )


def _row_flags(parts):
    """Per row of the series: all features NaN, and NaN or inf that is not that.

    The rows are scanned in chunks, so the temporary masks stay small.
    """
    all_nan, bad = [], []
    for part in parts:
        for _, block in row_chunks(part, _SCAN_CHUNK_VALUES):
            isnan = np.isnan(block)
            block_all_nan = isnan.all(axis=1)
            all_nan.append(block_all_nan)
            bad.append(
                np.isinf(block).any(axis=1) | (isnan.any(axis=1) & ~block_all_nan)
            )
    return np.concatenate(all_nan), np.concatenate(bad)


def _series_row(parts, row):
    for part in parts:
        if row < len(part):
            return part[row]
        row -= len(part)
    raise IndexError(row)


def _padding_of_series(parts, n_samples, n_steps):
    all_nan, bad = _row_flags(parts)
    if bad.any():
        row = int(np.argmax(bad))
        window = max(0, row - n_steps + 1)
        if np.isinf(_series_row(parts, row)).any():
            _raise_infinity(window, row - window)
        _raise_misplaced_nan(window, row - window, "NaN in some features")
    n_leading = int(np.argmin(all_nan)) if not all_nan.all() else len(all_nan)
    if all_nan[n_leading:].any():
        row = n_leading + int(np.argmax(all_nan[n_leading:]))
        window = max(0, row - n_steps + 1)
        _raise_misplaced_nan(
            window, row - window, "a NaN time step after observed ones"
        )
    if n_leading >= n_steps:
        _raise_misplaced_nan(0, n_steps - 1, "no observed time step (all NaN)")
    n_pad = np.zeros(n_samples, dtype=np.int64)
    n_padded = min(n_leading, n_samples)
    n_pad[:n_padded] = n_leading - np.arange(n_padded)
    return n_pad


def _padding_of_windows(X):
    n_pad = np.empty(len(X), dtype=np.int64)
    for start, block in row_chunks(X, _SCAN_CHUNK_VALUES):
        isnan = np.isnan(block)
        all_nan = isnan.all(axis=2)
        bad = np.isinf(block).any(axis=2) | (isnan.any(axis=2) & ~all_nan)
        # A NaN step may only follow NaN steps; the last step must be observed.
        bad[:, 1:] |= all_nan[:, 1:] & ~all_nan[:, :-1]
        bad[:, -1] |= all_nan[:, -1]
        if bad.any():
            window, step = np.argwhere(bad)[0]
            if np.isinf(block[window, step]).any():
                _raise_infinity(start + int(window), int(step))
            _raise_misplaced_nan(
                start + int(window), int(step), "NaN or infinity that is not padding"
            )
        n_pad[start : start + len(block)] = all_nan.sum(axis=1)
    return n_pad


def leading_padding(X):
    """Count the leading all-NaN steps of each window; raise on any other NaN/inf.

    Returns
    -------
    n_pad : ndarray of shape (n_samples,), dtype int64
        Number of padding steps at the start of each window.
    """
    parts = _sliding_source(X)
    if parts is not None:
        return _padding_of_series(parts, X.shape[0], X.shape[1])
    return _padding_of_windows(X)
