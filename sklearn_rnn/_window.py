"""Sliding windows over a time series, one window per input row."""

from numbers import Integral, Real

import numpy as np
from numpy.lib.stride_tricks import sliding_window_view
from sklearn.base import BaseEstimator, TransformerMixin, _fit_context
from sklearn.utils._param_validation import Interval
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import (
    _check_feature_names_in,
    check_is_fitted,
    validate_data,
)

from ._validation import explain_text, row_chunks


def _flattening(transformer):
    return transformer.flatten


# Values per chunk of the overflow check: bounds its temporary mask.
_CHECK_CHUNK_VALUES = 1 << 16


def _check_float32_range(copied, X):
    """Raise if the float32 copy of `X` overflowed: `X` holds no infinity itself."""
    for start, block in row_chunks(copied, _CHECK_CHUNK_VALUES):
        overflow = np.isinf(block)
        if overflow.any():
            row, column = (int(i) for i in np.argwhere(overflow)[0])
            row += start
            raise ValueError(
                f"X of WindowTransformer holds {float(X[row, column]):g} at row {row}, "
                f"column {column}: windows are float32, whose largest value is "
                f"{np.finfo(np.float32).max:.4g}. Scale the series first, for "
                "example with StandardScaler before WindowTransformer."
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

    Attributes
    ----------
    n_features_in_ : int
        Number of features seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` has
        feature names that are all strings.

    See Also
    --------
    make_supervised : Aligns the target with the rows, before windowing.
    LSTMForecaster : Consumes the 3-D windows.

    Notes
    -----
    The transformer is stateless apart from the input width and names, so
    ``transform`` may be applied to any series with the same columns. Rows are
    windows of their predecessors in the array passed to ``transform``: call it
    on contiguous, time-ordered rows.

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
    """

    _parameter_constraints = {
        "window_length": [Interval(Integral, 1, None, closed="left")],
        "flatten": ["boolean"],
        "fill_value": [Real],
    }

    def __init__(self, window_length=24, *, flatten=False, fill_value=np.nan):
        self.window_length = window_length
        self.flatten = flatten
        self.fill_value = fill_value

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y=None):
        """Record the number and names of the input features.

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
        with explain_text(X, "X", self):
            validate_data(self, X, reset=True, ensure_all_finite="allow-nan")
        return self

    def transform(self, X):
        """Return one window per row of `X`, ending at that row.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_features)
            The series, contiguous rows in time order, oldest first.

        Returns
        -------
        windows : ndarray of shape (n_samples, window_length, n_features) or \
                (n_samples, window_length * n_features)
            float32 windows; 3-D and read-only unless ``flatten=True``.
        """
        check_is_fitted(self)
        with explain_text(X, "X", self):
            # float64 is kept as it is: the cast to float32 happens once, while
            # copying into the padded series, not in an intermediate copy.
            X = validate_data(
                self,
                X,
                reset=False,
                dtype=(np.float32, np.float64),
                ensure_all_finite="allow-nan",
            )
        n_samples, n_features = X.shape
        n_pad = self.window_length - 1
        padded = np.empty((n_samples + n_pad, n_features), dtype=np.float32)
        padded[:n_pad] = self.fill_value
        with np.errstate(over="ignore"):
            padded[n_pad:] = X
        if X.dtype != np.float32:
            _check_float32_range(padded[n_pad:], X)
        # sliding_window_view puts the window axis last; move it before features.
        windows = sliding_window_view(padded, self.window_length, axis=0)
        windows = windows.transpose(0, 2, 1)
        if self.flatten:
            return windows.reshape(n_samples, self.window_length * n_features)
        return windows

    @available_if(_flattening)
    def get_feature_names_out(self, input_features=None):
        """Names of the lag columns, available with ``flatten=True``.

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

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        tags.requires_fit = True
        tags.transformer_tags.preserves_dtype = ["float32"]
        return tags
