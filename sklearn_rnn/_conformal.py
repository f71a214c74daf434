"""Conformal prediction intervals that adapt along the rows, from truths in X."""

import math
import warnings
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, clone
from sklearn.pipeline import Pipeline
from sklearn.utils import get_tags
from sklearn.utils.validation import check_array, check_is_fitted, validate_data

from ._adaptive import (
    _check_2d,
    _continues_frame,
    _forecast,
    _frame_parts,
    _is_dataframe,
    _n_rows,
    _scores,
    _take_rows,
    _walk_aci,
    _walk_multiplicative,
    conformity_of,
    kept_rows,
    parse_horizons,
    parse_levels,
    target_values,
    window_lookback,
)
from ._compat import HasMethods, Interval, StrOptions, _fit_context
from ._window import ShortHistoryWarning


class ConformalForecaster(RegressorMixin, BaseEstimator):
    """Prediction intervals that keep their coverage as the series changes.

    Wraps a forecaster (or a pipeline ending in one) fitted on the series that
    :func:`make_supervised` aligned, and calibrates it on the latest rows of
    the data given to :meth:`fit`. :meth:`predict_interval` then walks its
    rows in time order and, with ``horizon=h``, learns from the error of row
    ``t - h`` as soon as its truth appears in row ``t`` (the target column of
    ``X``, which :func:`make_supervised` keeps as an input): adaptive
    conformal inference (Gibbs and Candès, 2021), with no look-ahead and no
    refit.

    Parameters
    ----------
    estimator : estimator object
        A regressor whose ``predict`` forecasts ``y``, for example a pipeline
        ending in :class:`LSTMForecaster`. A forecaster (or pipeline ending
        in one) with ``loss="quantile"`` and two levels, such as
        ``quantile=[0.1, 0.9]``, gives conformalized quantile regression
        (CQR): the band between its two quantile forecasts is widened or
        narrowed. Any other regressor gives an interval around its forecast
        from its absolute errors. It is cloned, never changed.
    target : str or int
        The target column, as passed to :func:`make_supervised`: its name when
        ``X`` is a DataFrame, its position otherwise.
    horizon : int or sequence of int
        The horizon(s) passed to :func:`make_supervised`. A sequence gives one
        output per horizon, each with its own interval.
    confidence_level : float or sequence of float, default=0.8
        The wanted share(s) of truths inside the interval, each in (0, 1).
    method : {"aci", "multiplicative"}, default="aci"
        How the interval adapts after each observed truth. "aci" moves the
        miscoverage level: ``alpha_t+1 = alpha_t + gamma * (alpha - err_t)``,
        where ``err_t`` is 1 when the truth fell outside and 0 otherwise, and
        takes that quantile of the calibration scores. "multiplicative"
        scales the calibrated half-width by a factor that is multiplied by
        ``exp(gamma * (err_t - alpha) / alpha)``.
    gamma : float, default=0.005
        Step size of the adaptation, in [0, 1). Larger values follow changes
        faster but give intervals whose width jumps more from hour to hour; 0
        gives the plain (split) conformal interval.
    calibration_fraction : float, default=0.2
        Share of the rows given to :meth:`fit`, at the end (the latest ones),
        held out to calibrate: the estimator is fitted on the rows before
        them, less ``max(horizon)`` rows whose targets lie in the calibration
        block.
    check_alignment : bool, default=True
        Whether :meth:`fit` verifies that ``y`` is the target column of ``X``
        `horizon` rows later, as :func:`make_supervised` builds it. The
        intervals adapt from that column, so a wrong `target` or `horizon`
        would adapt to wrong truths; leave it on for real series.

    Attributes
    ----------
    estimator_ : estimator object
        The clone of `estimator` fitted on the rows before the calibration block.
    calibration_scores_ : ndarray of shape (n_outputs, n_calibration)
        Sorted conformity scores of the calibration rows, per output: absolute
        errors for a point forecaster, ``max(low - y, y - high)`` for CQR.
    conformity_ : {"absolute_error", "cqr"}
        Which conformity score was used.
    horizons_ : tuple of int
        The horizon of each output.
    confidence_levels_ : ndarray of shape (n_levels,)
        The confidence levels, in the order given.
    n_outputs_ : int
        Number of outputs (horizons).
    n_features_in_ : int
        Number of columns of ``X`` seen in :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Column names of ``X`` seen in :term:`fit`, when it has string names.

    See Also
    --------
    make_supervised : Aligns the target with the rows; `target` and `horizon`
        repeat its arguments.

    Notes
    -----
    `method` and `gamma` are read by :meth:`predict_interval`, so
    ``set_params(gamma=...)`` on a fitted model changes the adaptation without
    a refit; the other parameters take effect at the next :meth:`fit`.

    :meth:`predict_interval` starts every call at the calibrated interval and
    adapts along the rows it is given, so its rows depend on the rows before
    them (by design: that is the adaptation); :meth:`predict` rows are
    independent. Pass rows that follow the calibration block, preceded by
    enough history for full windows; rows the estimator was fitted on have
    smaller errors and would narrow the interval. A truth that is NaN is
    skipped.

    The intervals stay bounded. With "aci" the running level is clipped to
    ``[1 / (n + 1), n / (n + 1)]`` for ``n`` calibration scores, so the
    interval's widening lies between the smallest and the largest calibration
    score (unclipped, ACI asks for an infinite interval whenever the level
    drops below zero). With "multiplicative" the factor is clipped to
    [0.2, 5]. A CQR band narrowed below zero width becomes its midpoint.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.linear_model import Ridge
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import ConformalForecaster, WindowTransformer, make_supervised
    >>> rng = np.random.default_rng(0)
    >>> series = (np.sin(np.arange(600) / 8.0) + rng.normal(0, 0.1, 600)).reshape(-1, 1)
    >>> X, y = make_supervised(series, target=0, horizon=2)
    >>> windows = WindowTransformer(8, flatten=True, fill_value=0.0)
    >>> lags = make_pipeline(windows, Ridge())
    >>> model = ConformalForecaster(lags, target=0, horizon=2).fit(X[:500], y[:500])
    >>> y_pred, y_pis = model.predict_interval(X)
    >>> y_pis.shape
    (598, 2, 1)
    >>> inside = (y >= y_pis[:, 0, 0]) & (y <= y_pis[:, 1, 0])
    >>> bool(0.7 < inside[500:].mean() < 0.95)
    True
    """

    _parameter_constraints = {
        "estimator": [HasMethods(["fit", "predict"])],
        "target": [str, Integral],
        "horizon": [
            Interval(Integral, 1, None, closed="left"),
            list,
            tuple,
            range,
            np.ndarray,
        ],
        "confidence_level": [
            Interval(Real, 0, 1, closed="neither"),
            list,
            tuple,
            np.ndarray,
        ],
        "method": [StrOptions({"aci", "multiplicative"})],
        "gamma": [Interval(Real, 0, 1, closed="left")],
        "calibration_fraction": [Interval(Real, 0, 1, closed="neither")],
        "check_alignment": ["boolean"],
    }

    def __init__(
        self,
        estimator,
        *,
        target,
        horizon,
        confidence_level=0.8,
        method="aci",
        gamma=0.005,
        calibration_fraction=0.2,
        check_alignment=True,
    ):
        self.estimator = estimator
        self.target = target
        self.horizon = horizon
        self.confidence_level = confidence_level
        self.method = method
        self.gamma = gamma
        self.calibration_fraction = calibration_fraction
        self.check_alignment = check_alignment

    # -- forecasts -----------------------------------------------------------

    def _kept_rows(self):
        """The kept rows, their step and continuing estimator, built once."""
        cached = self.__dict__.get("_kept_rows_cache")
        if cached is None:
            cached = kept_rows(self._rows_after_fit, self.estimator_)
        return cached

    def __getstate__(self):
        state = dict(super().__getstate__())
        state.pop("_kept_rows_cache", None)  # rebuilt from _rows_after_fit
        return state

    def __setstate__(self, state):
        super().__setstate__(state)
        if "_rows_after_fit" in state:
            self._kept_rows_cache = kept_rows(
                self._rows_after_fit, state.get("estimator_")
            )

    def _check_input(self, X):
        """scikit-learn's checks of the features, skipped for the fitted columns."""
        if "calibration_scores_" not in self.__dict__:
            check_is_fitted(self)
        names = getattr(self, "feature_names_in_", None)
        if not (
            names is not None
            and _is_dataframe(X)
            and len(X.columns) == len(names)
            and list(X.columns) == names.tolist()
        ):
            _check_2d(X)
            validate_data(self, X, skip_check_array=True, reset=False)

    def _forecast(self, X):
        rows_after_fit, step, continuing = self._kept_rows()
        continued = rows_after_fit is not None and _continues_frame(
            rows_after_fit, X, step
        )
        if continued and continuing is not None:
            return _forecast(continuing, self.conformity_, self.n_outputs_, X)
        if continued:
            # The estimator was fitted on the rows before `rows_after_fit`: with
            # them in front, rows that continue fit's input get their history.
            import pandas as pd

            joined = pd.concat([rows_after_fit, X])
            with warnings.catch_warnings():
                # The kept rows are only the history of X's first rows (the last
                # window's worth, when the windows' length is known): their own
                # windows are short, and get no forecast.
                warnings.simplefilter("ignore", ShortHistoryWarning)
                return _forecast(
                    self.estimator_,
                    self.conformity_,
                    self.n_outputs_,
                    joined,
                    skip=len(rows_after_fit),
                )
        return _forecast(self.estimator_, self.conformity_, self.n_outputs_, X)

    @staticmethod
    def _centre(forecast, conformity):
        return forecast.mean(axis=-1) if conformity == "cqr" else forecast

    def _shaped(self, y_pred):
        return y_pred[:, 0] if self._single_output else y_pred

    # -- fit -----------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=False)
    def fit(self, X, y, sample_weight=None, **fit_params):
        """Fit the estimator on the earlier rows, calibrate on the latest ones.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            The rows, oldest first, as :func:`make_supervised` returns them
            (with the target column).
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            The targets, as :func:`make_supervised` returns them.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Weights of the rows in the estimator's fit (the rows it is fitted
            on); passed as ``<last step>__sample_weight`` to a pipeline. The
            calibration scores are unweighted.
        **fit_params : dict
            Other parameters of the estimator's ``fit``; those with one value
            per row are cut to the rows it is fitted on.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        before = dict(self.__dict__)
        try:
            return self._fit(X, y, sample_weight, fit_params)
        except BaseException:
            self.__dict__.clear()
            self.__dict__.update(before)
            raise

    def _fit(self, X, y, sample_weight, fit_params):
        horizons, single = parse_horizons(self.horizon)
        levels = parse_levels(self.confidence_level)
        conformity = conformity_of(self.estimator)
        _check_2d(X)
        if y is None:
            raise ValueError(
                "ConformalForecaster requires y to be passed, but the target y is "
                "None. Pass the y that make_supervised returned."
            )
        validate_data(self, X, skip_check_array=True, reset=True)
        truth = target_values(X, self.target)
        n_samples = len(truth)
        y_array = check_array(
            y, ensure_2d=False, dtype=float, input_name="y", ensure_all_finite=False
        )
        if _n_rows(y_array) != n_samples:
            raise ValueError(
                f"y of ConformalForecaster has {_n_rows(y_array)} rows but X has "
                f"{n_samples}; pass the X and y that make_supervised returned."
            )
        y_2d = y_array.reshape(n_samples, -1)
        if y_2d.shape[1] != len(horizons):
            raise ValueError(
                f"y of ConformalForecaster has {y_2d.shape[1]} column(s), but "
                f"horizon={self.horizon!r} gives {len(horizons)} output(s). Pass "
                "the horizon(s) given to make_supervised."
            )
        if self.check_alignment:
            self._check_aligned(truth, y_2d, horizons)

        n_calibration = math.ceil(self.calibration_fraction * n_samples)
        n_fit = n_samples - n_calibration - max(horizons)
        # (n + 1) * level <= n: the conformal quantile is one of the n scores.
        smallest = max(math.ceil(level / (1 - level) - 1e-9) for level in levels)
        if n_fit < 1 or n_calibration < smallest:
            raise ValueError(
                f"ConformalForecaster cannot split {n_samples} sample(s) into a fit "
                f"block and a calibration block: calibration_fraction="
                f"{self.calibration_fraction} holds out {n_calibration} rows (at "
                f"least {smallest} are needed for confidence_level="
                f"{self.confidence_level!r}) and {max(horizons)} more are left "
                f"out before them, leaving {n_fit} to fit on. Pass more rows or "
                "change calibration_fraction."
            )

        fit_rows = slice(0, n_fit)
        params = {
            name: _take_rows(value, fit_rows)
            if _n_rows(value) == n_samples and not isinstance(value, str)
            else value
            for name, value in fit_params.items()
        }
        if sample_weight is not None:
            weights = np.asarray(sample_weight, dtype=float)
            if weights.shape != (n_samples,):
                raise ValueError(
                    "sample_weight of ConformalForecaster must have shape "
                    f"({n_samples},), one weight per row of X; got shape "
                    f"{weights.shape}."
                )
            key = "sample_weight"
            if isinstance(self.estimator, Pipeline):
                key = f"{self.estimator.steps[-1][0]}__sample_weight"
            params[key] = weights[fit_rows]

        estimator = clone(self.estimator).fit(
            _take_rows(X, fit_rows), _take_rows(y, fit_rows), **params
        )
        # Forecasting all rows gives the calibration rows full windows, reaching
        # back into the rows before them.
        forecast = _forecast(estimator, conformity, len(horizons), X)
        forecast = forecast[n_samples - n_calibration :]
        truths = y_2d[n_samples - n_calibration :]
        scores = _scores(forecast, truths, conformity)
        scores = [np.sort(column[np.isfinite(column)]) for column in scores.T]
        if min(len(column) for column in scores) < smallest:
            raise ValueError(
                "ConformalForecaster needs at least "
                f"{smallest} finite calibration errors per output; the forecasts "
                "or targets of the calibration rows are mostly NaN."
            )
        # A NaN target leaves its output with fewer scores; the others keep
        # their largest ones (a conservative trim) so that all stack together.
        width = min(len(column) for column in scores)
        self.estimator_ = estimator
        # Plain arrays and labels (skops stores no pandas objects).
        self._rows_after_fit = None
        if _is_dataframe(X):
            kept = X.iloc[n_fit:]
            lookback = window_lookback(estimator)
            if lookback is not None:
                kept = kept.iloc[-max(lookback - 1, 3) :]
            self._rows_after_fit = _frame_parts(kept)
        self._kept_rows_cache = kept_rows(self._rows_after_fit, estimator)
        self.conformity_ = conformity
        self.n_outputs_ = len(horizons)
        self.calibration_scores_ = np.stack([column[-width:] for column in scores])
        self.horizons_ = horizons
        self.confidence_levels_ = levels
        self._single_output = single
        return self

    def _check_aligned(self, truth, y, horizons):
        for j, h in enumerate(horizons):
            if len(truth) <= h:
                continue
            later, target = truth[h:], y[: len(truth) - h, j]
            both = np.isfinite(later) & np.isfinite(target)
            if not np.allclose(later[both], target[both], rtol=1e-6, atol=1e-9):
                row = int(np.flatnonzero(~np.isclose(later, target) & both)[0])
                raise ValueError(
                    "y of ConformalForecaster is not the target column "
                    f"{self.target!r} of X {h} row(s) later (horizon {h}): y[{row}] is "
                    f"{target[row]:g}, X's target at row {row + h} is "
                    f"{later[row]:g}. The intervals adapt from that column, so "
                    "pass the target and horizon given to make_supervised."
                )

    # -- predict -------------------------------------------------------------

    def predict(self, X):
        """The estimator's point forecast, each row on its own.

        For a two-level quantile forecaster, the midpoint of its band.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Rows as given to :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            The estimator's forecast of each row.
        """
        self._check_input(X)
        forecast = self._forecast(X)
        return self._shaped(self._centre(forecast, self.conformity_))

    def predict_interval(self, X):
        """Forecast with intervals that adapt along the rows of `X`, in order.

        The interval of row ``t`` uses the truths of rows up to ``t - h``
        (read from the target column of rows up to ``t``) and never a later
        row. Each call starts at the calibrated interval.

        Parameters
        ----------
        X : DataFrame or array-like of shape (n_samples, n_features)
            Consecutive rows, oldest first, with the target column.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            As :meth:`predict`.
        y_pis : ndarray of shape (n_samples, 2, n_levels) or \
                (n_samples, n_outputs, 2, n_levels)
            Lower (index 0) and upper (index 1) bounds per confidence level, in
            the order of `confidence_level`; the layout of MAPIE 1.x, with an
            axis for the outputs after the samples when `horizon` is a sequence.
        """
        self._check_input(X)
        truth = target_values(X, self.target)
        forecast = self._forecast(X)
        n = len(forecast)
        levels = self.confidence_levels_
        y_pis = np.empty((n, self.n_outputs_, 2, len(levels)))
        walk = _walk_aci if self.method == "aci" else _walk_multiplicative
        truths = truth.tolist()
        for j, h in enumerate(self.horizons_):
            if self.conformity_ == "cqr":
                low, high = forecast[:, j, 0].tolist(), forecast[:, j, 1].tolist()
            else:
                low = high = forecast[:, j].tolist()
            scores = self.calibration_scores_[j]
            for k, level in enumerate(levels):
                lower, upper = walk(
                    low, high, truths, h, scores, 1 - level, float(self.gamma)
                )
                y_pis[:, j, 0, k] = lower
                y_pis[:, j, 1, k] = upper
        y_pred = self._shaped(self._centre(forecast, self.conformity_))
        return y_pred, (y_pis[:, 0] if self._single_output else y_pis)

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.target_tags.multi_output = True
        tags.input_tags.allow_nan = get_tags(self.estimator).input_tags.allow_nan
        return tags
