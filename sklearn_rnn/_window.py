"""Sliding windows over a time series, one window per input row."""

import warnings
from numbers import Integral, Real

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import (
    check_is_fitted,
)

from ._compat import (
    Interval,
    _check_feature_names_in,
    _fit_context,
)
from ._methods import available_if_explained
from ._series import (
    WindowMemoryError,  # noqa: F401 (raised from here, importable from here)
    check_fill_value,
    check_float32_range,
    check_frame,
    check_window_length,
    empty_padded,
    validated,
)
from ._time_axis import (
    check_time_axis,
    continues,
    from_plain,
    pandas_index,
    to_plain,
)


class ShortHistoryWarning(UserWarning):
    """Windows of rows that follow the fitted series but lack their history.

    Raised by :meth:`WindowTransformer.transform` when its input neither
    continues the rows seen in ``fit`` nor starts where they started: the
    first ``window_length - 1`` windows are then padded, although the series
    had rows before them.

    Examples
    --------
    >>> import warnings
    >>> import numpy as np
    >>> import pandas as pd
    >>> from sklearn_rnn import ShortHistoryWarning, WindowTransformer
    >>> hours = pd.date_range("2013-01-01", periods=10, freq="h")
    >>> series = pd.DataFrame({"temp": np.arange(10.0)}, index=hours)
    >>> windows = WindowTransformer(3).fit(series[:5])
    >>> with warnings.catch_warnings(record=True) as caught:
    ...     warnings.simplefilter("always")
    ...     _ = windows.transform(series[7:])  # rows 5 and 6 are missing
    >>> caught[0].category is ShortHistoryWarning
    True
    >>> windows.transform(series[5:])[0, :, 0]  # continues the fitted rows
    array([3., 4., 5.], dtype=float32)
    """


def _check_flattening(transformer):
    if not transformer.flatten:
        raise AttributeError(
            "get_feature_names_out is available with WindowTransformer("
            "flatten=True) only: 3-D windows (flatten=False) have no columns to "
            "name. Set flatten=True for lag columns such as 'temp_lag_0'."
        )


class WindowTransformer(TransformerMixin, BaseEstimator):
    """Turn a time series into one window of past values per row.

    Output row ``t`` holds input rows ``t - window_length + 1`` to ``t``, oldest
    first, so the window ends at the row it belongs to and never looks ahead.
    Every input row gets exactly one window, in the input order: no row is
    dropped, which is what lets this transformer sit in a plain scikit-learn
    :class:`~sklearn.pipeline.Pipeline` (transformers may not change the number
    of samples). The first ``window_length - 1`` rows have less history; their
    windows are left-padded with ``fill_value``. NaN padding (the default) tells
    the forecasters of this package that history is missing, and they run over
    the observed part of such a window only.

    When ``transform`` gets a pandas DataFrame whose index continues the one
    seen in ``fit`` (its first label is one step after the last fitted label),
    the padding is replaced by the last ``window_length - 1`` fitted rows, so
    forecasting the rows that follow the training series uses their full
    history: ``fit(X[:n])`` then ``transform(X[n:])`` gives the windows of
    ``transform(X)[n:]``.

    The 3-D output is a read-only strided view over one padded float32 copy of
    the input: it costs ``(n_samples + window_length - 1) * n_features`` values
    of memory, not ``n_samples * window_length * n_features``.

    Parameters
    ----------
    window_length : int, default=24
        Number of time steps in each window, the current row included.
    flatten : bool, default=False
        If False, return windows of shape ``(n_samples, window_length,
        n_features)`` for the recurrent forecasters. If True, return 2-D lag
        columns of shape ``(n_samples, window_length * n_features)``, ordered
        oldest lag first, for any scikit-learn regressor; this materializes the
        windows.
    fill_value : float, default=np.nan
        Value of the left padding. Keep NaN for the recurrent forecasters and
        for estimators that handle missing values (such as
        :class:`~sklearn.ensemble.HistGradientBoostingRegressor`); use for
        example ``0.0`` after a :class:`~sklearn.preprocessing.StandardScaler`
        (the training mean) for estimators that reject NaN, such as
        :class:`~sklearn.linear_model.Ridge`.
    keep_history : bool, default=True
        If True, ``transform`` of a DataFrame whose index continues the fitted
        one starts its windows with the last fitted rows instead of padding. If
        False, every input is padded, as if it were a series of its own.

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` has
        feature names that are all strings.
    last_rows_ : ndarray of shape (min(n_samples, window_length - 1), n_features)
        The last ``window_length - 1`` rows seen during :term:`fit`, as
        float32: the history prepended to an input that continues them.
    last_label_ : object or None
        Index label of the last row seen during :term:`fit` when `X` was a
        pandas DataFrame, otherwise None.

    See Also
    --------
    make_supervised : Aligns the target with the rows, before windowing.
    CalendarFeatures : Adds the hour of day and day of year from the index.
    LSTMForecaster : Consumes the 3-D windows.

    Notes
    -----
    Rows are windows of their predecessors in the input, so the input must be
    contiguous rows in time order. A pandas DataFrame whose index is a
    DatetimeIndex, PeriodIndex, TimedeltaIndex or numeric (a RangeIndex
    included) is checked in ``fit`` and ``transform``, and each of these is an
    error: rows not in increasing order (as in a shuffled subset, which
    :class:`~sklearn.model_selection.HalvingGridSearchCV` makes with its default
    ``resource="n_samples"``: use ``resource="<step>__max_epochs"`` instead),
    the same label twice, and a gap in a regular index (one with a ``freq``,
    set or inferred by :func:`pandas.infer_freq`, or whose steps are mostly
    equal: at least half equal the median step), which a window would silently
    span: fill it first, for example with ``X.asfreq("h").interpolate()``.
    Other indexes are not checked, and NumPy arrays and polars DataFrames carry
    no index: their rows are taken as consecutive time steps. In a
    :class:`~sklearn.pipeline.Pipeline` the checks see the index only where it
    reaches this step, that is with ``pipeline.set_output(transform="pandas")``
    when steps such as a scaler come first.

    History is prepended only to a pandas DataFrame whose index continues the
    fitted one: first label equal to the last fitted label plus one step, the
    step being the ``freq`` of a DatetimeIndex or PeriodIndex, or the regular
    step of a DatetimeIndex without ``freq`` or of a numeric index. Anything
    else (arrays, polars, the fitted rows themselves, later or earlier rows)
    is padded. ``fit_transform`` never prepends. In a
    :class:`~sklearn.pipeline.Pipeline` the index reaches this step only when
    the steps before it return pandas output:
    ``pipeline.set_output(transform="pandas")``. Then ``pipeline.predict`` on
    the rows that follow the training rows gives the same forecasts as on the
    whole series. In a cross-validation fold the test rows continue the
    training rows only when the split has no gap (``TimeSeriesSplit(gap=0)``);
    with ``gap=horizon`` the first ``window_length - 1`` test rows are padded.

    With ``flatten=False`` the output is always a NumPy array, whatever
    :meth:`set_output` says, because a DataFrame cannot hold 3-D windows; this is
    what lets ``Pipeline.set_output(transform="pandas")`` configure the steps
    before it. With ``flatten=True``, ``set_output`` works as for any
    scikit-learn transformer, with column names such as ``temp_lag_23`` ...
    ``temp_lag_0``.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import WindowTransformer
    >>> X = np.arange(8.0).reshape(4, 2)
    >>> windows = WindowTransformer(window_length=3).fit_transform(X)
    >>> windows.shape
    (4, 3, 2)
    >>> windows[1]
    array([[nan, nan],
           [ 0.,  1.],
           [ 2.,  3.]], dtype=float32)
    >>> lags = WindowTransformer(window_length=2, flatten=True, fill_value=0.0)
    >>> lags.fit_transform(X)
    array([[0., 0., 0., 1.],
           [0., 1., 2., 3.],
           [2., 3., 4., 5.],
           [4., 5., 6., 7.]], dtype=float32)
    >>> lags.get_feature_names_out()
    array(['x0_lag_1', 'x1_lag_1', 'x0_lag_0', 'x1_lag_0'], dtype=object)

    Rows that continue a fitted DataFrame get their history instead of padding:

    >>> import pandas as pd
    >>> hours = pd.date_range("2024-01-01", periods=4, freq="h")
    >>> frame = pd.DataFrame(X, index=hours, columns=["temp", "wind"])
    >>> transformer = WindowTransformer(window_length=3).fit(frame[:2])
    >>> transformer.transform(frame[2:])[0]
    array([[0., 1.],
           [2., 3.],
           [4., 5.]], dtype=float32)
    """

    _parameter_constraints = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
        "fill_value": [Real],
        "keep_history": ["boolean"],
    }

    def __init__(
        self, window_length=24, *, flatten=False, fill_value=np.nan, keep_history=True
    ):
        self.window_length = window_length
        self.flatten = flatten
        self.fill_value = fill_value
        self.keep_history = keep_history

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the input features and the last ``window_length - 1`` rows.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first. May contain NaN.
        y : None
            Ignored.

        Returns
        -------
        self : WindowTransformer
            The fitted transformer.
        """
        check_window_length(self.window_length)
        check_fill_value(self.fill_value)
        check_frame(X)
        index = pandas_index(X)
        step = check_time_axis(index, "X", "WindowTransformer")
        values = validated(self, X, reset=True)
        n_history = min(len(values), self.window_length - 1)
        history = np.empty((n_history, values.shape[1]), dtype=np.float32)
        first = len(values) - n_history
        with np.errstate(over="ignore"):
            history[:] = values[first:]
        check_float32_range(history, values[first:], first_row=first)
        self.last_rows_ = history
        self.last_label_ = None if index is None or not len(index) else index[-1]
        self._history_step = step
        # The start of the fitted series: an input that starts there (or
        # earlier) is padded rightly, as the series has no rows before it.
        self._first_rows = np.array(values[:1], dtype=np.float32)
        self._first_label = None if index is None or not len(index) else index[0]
        return self

    def transform(self, X):
        """Return one window per row of `X`, ending at that row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, contiguous rows in time order, oldest first. If it is a
            DataFrame whose index continues the fitted one, its first windows
            start with the fitted rows (see Notes of the class).

        Returns
        -------
        windows : ndarray of shape (n_samples, window_length, n_features) or \
                (n_samples, window_length * n_features)
            The float32 windows, 3-D and read-only unless ``flatten=True``.
        """
        return self._windows(X, use_history=self.keep_history)

    def fit_transform(self, X, y=None):
        """Fit to `X`, then return its windows, padded at the start.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, one row per time step, oldest first. May contain NaN.
        y : None
            Ignored.

        Returns
        -------
        windows : ndarray of shape (n_samples, window_length, n_features) or \
                (n_samples, window_length * n_features)
            The float32 windows, 3-D and read-only unless ``flatten=True``.
        """
        return self.fit(X, y)._windows(X, use_history=False)

    def _windows(self, X, *, use_history):
        check_is_fitted(self)
        check_frame(X)
        index = pandas_index(X)
        step = check_time_axis(index, "X", "WindowTransformer")
        X = validated(self, X, reset=False)
        n_samples, n_features = X.shape
        n_pad = self.window_length - 1
        padded = empty_padded(n_samples + n_pad, n_features, self.window_length)
        padded[:n_pad] = self.fill_value
        fitted_step = self._history_step
        continued = use_history and continues(
            index, self.last_label_, step if fitted_step is None else fitted_step
        )
        if continued:
            # The history goes where the padding would be: still one copy.
            padded[n_pad - len(self.last_rows_) : n_pad] = self.last_rows_
        with np.errstate(over="ignore"):
            padded[n_pad:] = X
        if X.dtype != np.float32:
            check_float32_range(padded[n_pad:], X)
        if use_history and n_pad and not continued:
            self._warn_if_short_of_history(index, padded[n_pad:], n_samples)
        # sliding_window_view puts the window axis last; move it before features.
        windows = sliding_window_view(padded, self.window_length, axis=0)
        windows = windows.transpose(0, 2, 1)
        if self.flatten:
            return windows.reshape(n_samples, self.window_length * n_features)
        return windows

    def _starts_the_series(self, index, rows):
        """Whether the input starts where the fitted series starts, or before."""
        if index is not None and len(index) and self._first_label is not None:
            try:
                return bool(index[0] <= self._first_label)
            except TypeError:
                return False
        # Without labels, the first row tells: the same values as the first
        # fitted row (later rows may differ, in a what-if about the future).
        first = self._first_rows
        if not len(rows) or not len(first):
            return True
        return np.array_equal(rows[0], first[0], equal_nan=True)

    def _warn_if_short_of_history(self, index, rows, n_samples):
        if self._starts_the_series(index, rows):
            return
        n_short = min(n_samples, self.window_length - 1)
        warnings.warn(
            f"WindowTransformer.transform got {n_samples} row(s) that neither "
            "continue the rows seen in fit nor start where they started, so the "
            f"windows of the first {n_short} have fewer than window_length="
            f"{self.window_length} rows of history (padded with {self.fill_value})"
            " and their forecasts use less of the past. Pass the rows before "
            "them too and keep the forecasts you need (pipe.predict(X_recent)"
            "[-n:], with X_recent holding window_length - 1 more rows), or pass "
            "a DataFrame whose time index continues the fitted one, up to this "
            "step (steps before it must output pandas, as CalendarFeatures does, "
            "or call pipe.set_output(transform='pandas')). If these rows are a "
            "series of their own, set keep_history=False.",
            ShortHistoryWarning,
            stacklevel=3,
        )

    @available_if_explained(_check_flattening)
    def get_feature_names_out(self, input_features=None):
        """Get the names of the lag columns, available with ``flatten=True``.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, `feature_names_in_` is used, or
            ``x0, x1, ...`` when the input had no names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            ``<feature>_lag_<k>`` for ``k`` from ``window_length - 1`` down to 0,
            features varying fastest, matching the columns of ``transform``.
        """
        check_is_fitted(self)
        names = _check_feature_names_in(self, input_features)
        lags = range(self.window_length - 1, -1, -1)
        return np.asarray(
            [f"{name}_lag_{lag}" for lag in lags for name in names], dtype=object
        )

    def set_output(self, *, transform=None):
        """Set the output container of `transform` and `fit_transform`.

        The setting applies to ``flatten=True``; 3-D windows are always returned
        as a NumPy array (see Notes of the class).

        Parameters
        ----------
        transform : {"default", "pandas", "polars"}, default=None
            Output container: "default" for NumPy, "pandas" or "polars" for a
            DataFrame, None to leave the setting unchanged.

        Returns
        -------
        self : WindowTransformer
            The transformer.
        """
        if transform is None:
            return self
        # The attribute scikit-learn's output wrapping reads; set here because the
        # inherited set_output is only offered while get_feature_names_out is.
        if not hasattr(self, "_sklearn_output_config"):
            self._sklearn_output_config = {}
        self._sklearn_output_config["transform"] = transform
        return self

    # -- persistence: pandas scalars as plain values, which skops can load --------

    _PLAIN_ATTRIBUTES = ("last_label_", "_first_label", "_history_step")

    def __getstate__(self):
        # object.__getstate__ may hand back the live __dict__: never edit it.
        state = dict(super().__getstate__())
        for name in self._PLAIN_ATTRIBUTES:
            plain = to_plain(state.get(name))
            if plain is not None:
                state[f"_plain{name}"] = plain
                del state[name]
        return state

    def __setstate__(self, state):
        state = dict(state)
        for name in self._PLAIN_ATTRIBUTES:
            plain = state.pop(f"_plain{name}", None)
            if plain is not None:
                state[name] = from_plain(plain)
        super().__setstate__(state)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
