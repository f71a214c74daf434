"""Cyclical calendar features (hour of day, day of year) from a DatetimeIndex."""

import numpy as np
from sklearn.base import BaseEstimator, TransformerMixin
from sklearn.utils.validation import check_is_fitted, validate_data

from ._compat import InvalidParameterError, _check_feature_names_in, _get_output_config
from ._time_axis import check_no_missing_labels, check_no_time_columns, is_dataframe
from ._validation import explain_infinity, explain_shape, explain_text

_FEATURES = ("hour_of_day", "day_of_year")


def _check_features(features):
    """Return `features` as a tuple of known names, or raise naming the parameter."""
    expected = (
        "The 'features' parameter of CalendarFeatures must be a non-empty list of "
        f"distinct names among {list(_FEATURES)}"
    )
    if isinstance(features, str):
        raise InvalidParameterError(
            f"{expected}. Got the string {features!r}: use [{features!r}]."
        )
    try:
        names = tuple(features)
    except TypeError:
        raise InvalidParameterError(f"{expected}. Got {features!r}.") from None
    unknown = [name for name in names if name not in _FEATURES]
    if not names or unknown or len(set(names)) < len(names):
        raise InvalidParameterError(f"{expected}. Got {list(names)}.")
    return names


def _time_index(X):
    """The DatetimeIndex of `X` (a PeriodIndex is converted), or a clear error."""
    index = getattr(X, "index", None) if hasattr(X, "iloc") else None
    if index is not None:
        import pandas as pd

        if isinstance(index, pd.PeriodIndex | pd.DatetimeIndex):
            check_no_missing_labels(index, "X", "CalendarFeatures")
        if isinstance(index, pd.PeriodIndex):
            return index.to_timestamp()
        if isinstance(index, pd.DatetimeIndex):
            return index
        got = f"a pandas DataFrame indexed by {type(index).__name__}"
        fix = (
            "Make the time column the index first, for example "
            "X.set_index('time'), or, if a step before CalendarFeatures replaced "
            "the index, put CalendarFeatures first in the pipeline."
        )
    else:
        got = (
            f"{type(X).__module__.split('.')[0]} {type(X).__name__}, which has no index"
        )
        fix = (
            "Pass a pandas DataFrame indexed by time (polars: "
            "X.to_pandas().set_index('time')). In a pipeline, put CalendarFeatures "
            "first: steps before it return arrays, which drop the index, unless "
            'the pipeline has set_output(transform="pandas").'
        )
    raise ValueError(
        "X of CalendarFeatures must be a pandas DataFrame with a DatetimeIndex "
        f"(the time of each row); got {got}. {fix}"
    )


def _fraction_of_day(index):
    return (index.hour + index.minute / 60 + index.second / 3600) / 24


def _cycle_positions(index, feature):
    """Where each row sits in the cycle, from 0 (start) to 1 (the next start)."""
    fraction = np.asarray(_fraction_of_day(index), dtype=np.float64)
    if feature == "hour_of_day":
        return fraction
    days_in_year = np.where(index.is_leap_year, 366, 365)
    return (np.asarray(index.day_of_year) - 1 + fraction) / days_in_year


def _output_names(features):
    return [f"{feature}_{part}" for feature in features for part in ("sin", "cos")]


class CalendarFeatures(TransformerMixin, BaseEstimator):
    """Append cyclical hour-of-day and day-of-year columns from a DatetimeIndex.

    Each calendar cycle becomes two columns, the sine and the cosine of its
    angle, so that 23:00 sits next to 00:00 and 31 December next to 1 January,
    as a network or a linear model needs them. The input columns pass through
    unchanged, first; the new columns follow, in the order of `features`.

    The time of each row is read from the index, so the input must be a pandas
    DataFrame with a :class:`~pandas.DatetimeIndex` (a
    :class:`~pandas.PeriodIndex` is converted to its start times). Put this
    transformer first in a pipeline. Its output is a DataFrame with the input's
    index, so a :class:`WindowTransformer` right after it still checks the time
    order and continues the fitted rows.

    Parameters
    ----------
    features : list of {"hour_of_day", "day_of_year"}, \
            default=("hour_of_day", "day_of_year")
        Which cycles to add. ``"hour_of_day"`` is the time of day, minutes and
        seconds included, over 24 hours; ``"day_of_year"`` the time of year
        over 365 days (366 in leap years).

    Attributes
    ----------
    n_features_in_ : int
        Number of input columns seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of the input columns seen during :term:`fit`, when they are all
        strings.

    See Also
    --------
    WindowTransformer : Windows over the rows, after the calendar columns.

    Notes
    -----
    The features depend only on each row's own timestamp: ``fit`` learns
    nothing but the input columns, and rows may come in any order. Time zones
    are kept: the hour of day of a tz-aware index is its local hour.

    Examples
    --------
    >>> import pandas as pd
    >>> from sklearn_rnn import CalendarFeatures
    >>> hours = pd.date_range("2024-01-01", periods=3, freq="6h")
    >>> X = pd.DataFrame({"temp": [1.0, 2.0, 3.0]}, index=hours)
    >>> calendar = CalendarFeatures(features=["hour_of_day"])
    >>> calendar.set_output(transform="pandas").fit_transform(X).round(3)
                         temp  hour_of_day_sin  hour_of_day_cos
    2024-01-01 00:00:00   1.0              0.0              1.0
    2024-01-01 06:00:00   2.0              1.0              0.0
    2024-01-01 12:00:00   3.0              0.0             -1.0
    >>> CalendarFeatures().fit(X).get_feature_names_out()
    array(['temp', 'hour_of_day_sin', 'hour_of_day_cos', 'day_of_year_sin',
           'day_of_year_cos'], dtype=object)
    """

    def __init__(self, features=_FEATURES):
        self.features = features

    def fit(self, X, y=None):
        """Check `X` and record its columns.

        Parameters
        ----------
        X : pandas DataFrame of shape (n_samples, n_features)
            Numeric columns, indexed by a DatetimeIndex.
        y : None
            Ignored.

        Returns
        -------
        self : CalendarFeatures
            The fitted transformer.
        """
        features = _check_features(self.features)
        # Shape and dtype first, with scikit-learn's wording, then the index.
        self._validated(X, reset=True)
        _time_index(X)
        names = getattr(self, "feature_names_in_", ())
        clashes = sorted(set(names) & set(_output_names(features)))
        if clashes:
            raise ValueError(
                f"X of CalendarFeatures already has the column(s) {clashes} that "
                "CalendarFeatures would add. Drop or rename them first, or leave "
                "those cycles out of 'features'."
            )
        return self

    def transform(self, X):
        """Return the columns of `X` followed by the calendar columns.

        Parameters
        ----------
        X : pandas DataFrame of shape (n_samples, n_features)
            Numeric columns, indexed by a DatetimeIndex.

        Returns
        -------
        X_out : pandas DataFrame of shape (n_samples, n_features + 2 * len(features))
            The input columns, then sine and cosine of each cycle, with the
            index of `X`, so that the next step of a pipeline still sees the
            time index (``set_output(transform="polars")`` gives a polars
            DataFrame instead).
        """
        check_is_fitted(self)
        features = _check_features(self.features)
        values = self._validated(X, reset=False)
        index = _time_index(X)
        angles = [2 * np.pi * _cycle_positions(index, f) for f in features]
        calendar = [part(angle) for angle in angles for part in (np.sin, np.cos)]
        out = np.column_stack([values, *calendar]).astype(values.dtype, copy=False)
        if _get_output_config("transform", self)["dense"] != "default":
            return out  # scikit-learn wraps it in the container asked for
        import pandas as pd

        # The index is what the next step (WindowTransformer) reads the time
        # order and the continuation of the fitted rows from: keep it.
        return pd.DataFrame(out, index=X.index, columns=self.get_feature_names_out())

    def get_feature_names_out(self, input_features=None):
        """Get the output column names: the input names, then the calendar ones.

        Parameters
        ----------
        input_features : array-like of str or None, default=None
            Input feature names. If None, `feature_names_in_` is used, or
            ``x0, x1, ...`` when the input had no string names.

        Returns
        -------
        feature_names_out : ndarray of str objects
            The input names, then ``<feature>_sin`` and ``<feature>_cos`` for
            each of `features`.
        """
        check_is_fitted(self)
        names = list(_check_feature_names_in(self, input_features))
        added = _output_names(_check_features(self.features))
        return np.asarray(names + added, dtype=object)

    def _validated(self, X, *, reset):
        if is_dataframe(X):
            check_no_time_columns(X, "X", "CalendarFeatures")
        with (
            explain_text(X, "X", self),
            explain_shape(),
            explain_infinity(X, "X", self),
        ):
            return validate_data(
                self,
                X,
                reset=reset,
                dtype=(np.float64, np.float32),
                ensure_all_finite="allow-nan",
            )

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.allow_nan = True
        return tags
