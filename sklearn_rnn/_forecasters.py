"""Recurrent forecasters with the scikit-learn regressor API.

This module is the scikit-learn face only: parameters, input validation, the
baseline encoding of the target, and the fitted attributes. Everything torch
and skorch lives in :mod:`sklearn_rnn._network`, imported inside ``fit``,
``predict`` and unpickling, so constructing, cloning and grid-searching
estimators does not need it.
"""

from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin
from sklearn.utils.validation import check_is_fitted

from ._baseline import BaselineEncoding, fit_encoding, training_target
from ._compat import Interval, StrOptions, _fit_context
from ._docstrings import fill_shared_sections
from ._methods import available_if_explained, unchanged_on_failure
from ._parameters import (
    ARCHITECTURE,
    check_continuation,
    check_parameters,
    draw_seeds,
    has_quantiles,
    n_validation,
    setting,
)
from ._validation import (
    check_float32_range,
    leading_padding,
    validate_sample_weight,
    validate_target,
    validate_windows,
)

_OPTIMIZERS = {"adam", "adamw", "sgd", "rmsprop"}
_LOSSES = {"absolute_error", "squared_error", "quantile"}


class _RecurrentForecaster(RegressorMixin, BaseEstimator):
    """Shared implementation; subclasses name their recurrent cell."""

    _cell = None

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "highway": [Interval(Integral, 1, None, closed="left"), None],
        "ridge_blend": ["boolean"],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(_OPTIMIZERS), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions(_LOSSES)],
        "quantile": [Interval(Real, 0, 1, closed="neither"), list, tuple, np.ndarray],
        "baseline": [
            StrOptions({"auto"}),
            Interval(Integral, 0, None, closed="left"),
            None,
        ],
        "validation_fraction": [Interval(Real, 0, 1, closed="neither"), None],
        "patience": [Interval(Integral, 1, None, closed="left"), None],
        "shuffle": ["boolean"],
        "random_state": ["random_state"],
        "device": [StrOptions({"cpu", "cuda", "auto"})],
        "n_threads": [Interval(Integral, 1, None, closed="left"), None],
        "verbose": ["verbose"],
        "callbacks": [list, None],
        "warm_start": ["boolean"],
    }

    def __init__(
        self,
        hidden_size=32,
        *,
        num_layers=1,
        dropout=0.2,
        highway=24,
        ridge_blend=True,
        max_epochs=100,
        batch_size=512,
        lr=3e-3,
        optimizer="adam",
        weight_decay=0.0,
        loss="absolute_error",
        quantile=0.5,
        baseline="auto",
        validation_fraction=0.1,
        patience=7,
        shuffle=True,
        random_state=None,
        device="cpu",
        n_threads=None,
        verbose=0,
        callbacks=None,
        warm_start=False,
    ):
        self.hidden_size = hidden_size
        self.num_layers = num_layers
        self.dropout = dropout
        self.highway = highway
        self.ridge_blend = ridge_blend
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.loss = loss
        self.quantile = quantile
        self.baseline = baseline
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.shuffle = shuffle
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    # -- parameter checks beyond the declarative ones ----------------------

    def _name(self):
        return type(self).__name__

    def _network_config(self, X, y, quantiles):
        return {
            "cell": self._cell,
            "n_features": X.shape[2],
            "n_outputs": y.shape[1] * (len(quantiles) if quantiles else 1),
            "hidden_size": int(self.hidden_size),
            "num_layers": int(self.num_layers),
            "dropout": float(self.dropout),
            "highway": int(self.highway or 0),
        }

    def _training_spec(self, n_valid, callbacks, device, quantiles, encoding):
        from ._network import TrainingSpec

        weight_seed, dropout_seed, shuffle_seed = draw_seeds(self)
        continuing = self.warm_start and self.__sklearn_is_fitted__()
        if continuing:
            # Fresh dropout noise and shuffling order for the continued epochs.
            dropout_seed = (dropout_seed + 7919 * self.n_epochs_) % (2**31 - 1)
            shuffle_seed = (shuffle_seed, self.n_epochs_)
        return TrainingSpec(
            name=self._name(),
            loss=self.loss,
            quantiles=quantiles,
            optimizer=self.optimizer,
            weight_decay=self.weight_decay,
            lr=self.lr,
            max_epochs=int(self.max_epochs),
            batch_size=int(self.batch_size),
            shuffle=self.shuffle,
            n_valid=n_valid,
            patience=self.patience,
            callbacks=callbacks,
            device=device,
            n_threads=self.n_threads,
            verbose=self.verbose,
            weight_seed=weight_seed,
            dropout_seed=dropout_seed,
            shuffle_seed=shuffle_seed,
            input_scaling=(encoding.input_mean, encoding.input_scale),
            ridge_blend=self.ridge_blend,
        )

    # -- fit ---------------------------------------------------------------

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y, sample_weight=None):
        """Train the network on windows `X` and targets `y`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows, oldest step first, as returned by :class:`WindowTransformer`.
            Rows must be in time order: the validation tail is the last rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target of each window, for example from :func:`make_supervised`.
        sample_weight : array-like of shape (n_samples,) or None, default=None
            Non-negative weight of each window in the training loss and in early
            stopping's validation loss, for example to weight recent hours more.
            The baseline and the target scaling are fitted unweighted.

        Returns
        -------
        self : object
            The fitted forecaster.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import LSTMForecaster, WindowTransformer
        >>> series = np.sin(np.arange(200) / 6.0).reshape(-1, 1)
        >>> X = WindowTransformer(window_length=8).fit_transform(series[:-1])
        >>> y = series[1:, 0]  # the next value of each window
        >>> model = LSTMForecaster(hidden_size=8, max_epochs=5, random_state=0)
        >>> model.fit(X, y).n_epochs_
        5
        """
        with unchanged_on_failure(self):
            self._fit(X, y, sample_weight)
        return self

    def _fit(self, X, y, sample_weight):
        quantiles = check_parameters(self)
        continuing = self.warm_start and self.__sklearn_is_fitted__()
        X = validate_windows(self, X, reset=not continuing)
        y, y_1d = validate_target(y, X.shape[0], self)
        check_float32_range(X, self)
        n_pad = leading_padding(X)
        n_valid = n_validation(self, len(X))
        sample_weight = validate_sample_weight(sample_weight, len(X), n_valid, self)
        config = self._network_config(X, y, quantiles)
        from . import _network

        device = _network.resolve_device(self.device)
        callbacks = _network.check_callbacks(
            self.callbacks,
            n_valid,
            self._name(),
            f"patience={self.patience!r} and "
            f"validation_fraction={self.validation_fraction!r}",
        )
        n_train = len(X) - n_valid
        if continuing:
            check_continuation(self, config, quantiles)
            encoding, warm = self._encoding, (self.module_, self._optimizer_state)
        else:
            batch = min(int(self.batch_size), n_train)
            _network.check_memory(config, batch, X.shape[1], self._name())
            encoding = fit_encoding(X, y, n_train, self.baseline, self._name())
            warm = None
        target = training_target(encoding, X, y, self._name())
        spec = self._training_spec(n_valid, callbacks, device, quantiles, encoding)
        result = _network.fit_network(
            X, n_pad, target, sample_weight, config=config, spec=spec, warm=warm
        )
        self._store_fit(result, config, encoding, y, y_1d, quantiles, continuing)

    def _store_fit(self, result, config, encoding, y, y_1d, quantiles, continuing):
        offset = self.n_epochs_ if continuing else 0
        history = [dict(row, epoch=row["epoch"] + offset) for row in result.history]
        self.history_ = (self.history_ if continuing else []) + history
        self.n_epochs_ = len(self.history_)
        self.best_epoch_ = (
            None if result.best_epoch is None else result.best_epoch + offset
        )
        self.stop_reason_ = result.stop_reason
        self.blend_weights_ = result.blend_weights
        self.module_ = result.module
        self._module_config = config
        self._optimizer_state = result.optimizer_state
        self.callbacks_ = result.callbacks
        self.device_ = result.device
        self._encoding = encoding
        self.baseline_feature_ = encoding.feature.copy()
        self.n_outputs_ = y.shape[1]
        self._y_1d = y_1d
        self._quantile_levels = quantiles
        self._fitted_settings = {
            **{name: setting(getattr(self, name)) for name in ARCHITECTURE},
            "loss": self.loss,
            "quantiles": quantiles,
        }

    # -- predict -----------------------------------------------------------

    def _forecast(self, X):
        """Forecasts in the target's units: (n, n_outputs) or (n, n_outputs, k)."""
        check_is_fitted(self)
        X = validate_windows(self, X, reset=False)
        check_float32_range(X, self)
        n_pad = leading_padding(X)
        from . import _network

        scaled = _network.predict_windows(
            self.module_, self._module_config, X, n_pad, self.device_, self.n_threads
        ).astype(np.float64)
        levels = self._quantile_levels
        if levels is not None:
            scaled = np.sort(scaled.reshape(len(X), self.n_outputs_, len(levels)), -1)
        y_pred = self._encoding.decode(X, scaled)
        if not np.isfinite(y_pred).all():
            rows = np.flatnonzero(~np.isfinite(y_pred.reshape(len(X), -1)).all(axis=1))
            raise ValueError(
                f"{self._name()} produced non-finite forecasts for "
                f"{len(rows)} window(s), first at row(s) {rows[:5].tolist()}. Check "
                "that X is scaled like the training data."
            )
        return y_pred

    def predict(self, X):
        """Forecast the target of each window.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows, as for :meth:`fit`.

        Returns
        -------
        y_pred : ndarray of shape (n_samples,) or (n_samples, n_outputs)
            One forecast per input row, in the input order. With several
            quantiles, the level closest to 0.5, or the mean of the two levels
            equally close to it.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import LSTMForecaster, WindowTransformer
        >>> series = np.sin(np.arange(200) / 6.0).reshape(-1, 1)
        >>> X = WindowTransformer(window_length=8).fit_transform(series[:-1])
        >>> y = series[1:, 0]  # the next value of each window
        >>> model = LSTMForecaster(hidden_size=8, max_epochs=5, random_state=0)
        >>> model.fit(X, y).predict(X).shape
        (199,)
        """
        y_pred = self._forecast(X)
        levels = self._quantile_levels
        if levels is not None:
            distance = np.abs(np.asarray(levels) - 0.5)
            central = np.flatnonzero(np.isclose(distance, distance.min()))
            y_pred = y_pred[:, :, central].mean(axis=-1)
        return y_pred[:, 0] if self._y_1d else y_pred

    @available_if_explained(has_quantiles)
    def predict_quantiles(self, X):
        """Forecast every quantile of `quantile` for each window.

        Available when the forecaster was fitted with ``loss="quantile"``.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows, as for :meth:`fit`.

        Returns
        -------
        y_quantiles : ndarray of shape (n_samples, n_quantiles) or \
                (n_samples, n_outputs, n_quantiles)
            Forecast quantiles in increasing order of level (the levels are
            ``sorted(quantile)``), non-decreasing along the last axis.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import LSTMForecaster, WindowTransformer
        >>> series = np.sin(np.arange(200) / 6.0).reshape(-1, 1)
        >>> X = WindowTransformer(window_length=8).fit_transform(series[:-1])
        >>> y = series[1:, 0]  # the next value of each window
        >>> model = LSTMForecaster(
        ...     hidden_size=8, max_epochs=5, loss="quantile", quantile=[0.1, 0.9]
        ... )
        >>> bands = model.fit(X, y).predict_quantiles(X)
        >>> bands.shape, bool((bands[:, 0] <= bands[:, 1]).all())
        ((199, 2), True)
        """
        y_pred = self._forecast(X)
        return y_pred[:, 0, :] if self._y_1d else y_pred

    def score(self, X, y, sample_weight=None):
        """Return the coefficient of determination R² of the forecasts of `X`.

        As for any scikit-learn regressor, after one check: `y` must hold one
        target row per window of `X`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows, as for :meth:`fit`.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            True targets, one row per window.
        sample_weight : array-like of shape (n_samples,), default=None
            Weights of the windows in the score.

        Returns
        -------
        score : float
            R² of ``self.predict(X)`` against `y`.

        Examples
        --------
        >>> import numpy as np
        >>> from sklearn_rnn import LSTMForecaster, WindowTransformer
        >>> series = np.sin(np.arange(200) / 6.0).reshape(-1, 1)
        >>> X = WindowTransformer(window_length=8).fit_transform(series[:-1])
        >>> y = series[1:, 0]  # the next value of each window
        >>> model = LSTMForecaster(
        ...     hidden_size=8, max_epochs=30, lr=0.01, random_state=0
        ... )
        >>> bool(model.fit(X, y).score(X, y) > 0.9)
        True
        """
        from sklearn.metrics import r2_score

        y_pred = self.predict(X)
        n_rows = len(y) if hasattr(y, "__len__") else None
        if n_rows is not None and n_rows != len(y_pred):
            raise ValueError(
                f"y has {n_rows} rows, but X has {len(y_pred)} samples (windows): "
                f"{self._name()}.score compares one target per window. Pass the y "
                "made from the same rows as X, for example by make_supervised."
            )
        return r2_score(y, y_pred, sample_weight=sample_weight)

    def __sklearn_is_fitted__(self):
        # validate_data sets n_features_in_ before training starts; only a
        # trained network makes the estimator fitted.
        return hasattr(self, "module_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags

    # -- persistence: plain arrays and types, for pickle and skops alike -----

    def __getstate__(self):
        # object.__getstate__ may hand back the live __dict__: never edit it.
        state = dict(super().__getstate__())
        module = state.pop("module_", None)
        if module is not None:
            from ._network import callbacks_without_torch, module_to_arrays

            state["_module_state"] = module_to_arrays(module)
            state["callbacks_"] = callbacks_without_torch(state["callbacks_"])
        encoding = state.pop("_encoding", None)
        if encoding is not None:
            state["_encoding_arrays"] = dict(vars(encoding))
        return state

    def __setstate__(self, state):
        state = dict(state)
        arrays = state.pop("_module_state", None)
        encoding = state.pop("_encoding_arrays", None)
        super().__setstate__(state)
        if encoding is not None:
            self._encoding = BaselineEncoding(**encoding)
        if arrays is not None:
            from ._network import module_from_arrays

            self.module_, self.device_ = module_from_arrays(
                self._module_config, arrays, self.device_
            )


@fill_shared_sections
class SimpleRNNForecaster(_RecurrentForecaster):
    """Forecaster built on a simple (Elman, tanh) recurrent network.

    The recurrent layer of Keras' ``SimpleRNN``, followed by a linear head that
    maps the last hidden state to the forecast. Cheapest of the three cells;
    its memory of the past fades fastest.
    {shared_sections}{example}"""

    _cell = "rnn"


@fill_shared_sections
class LSTMForecaster(_RecurrentForecaster):
    """Forecaster built on a long short-term memory (LSTM) network.

    Stacked LSTM layers read each window oldest step first; a linear head maps
    the last hidden state to the forecast (one value per target column).
    {shared_sections}{example}"""

    _cell = "lstm"


@fill_shared_sections
class GRUForecaster(_RecurrentForecaster):
    """Forecaster built on a gated recurrent unit (GRU) network.

    Like :class:`LSTMForecaster` with a lighter gated cell: fewer parameters per
    unit, often as accurate on weather series.
    {shared_sections}{example}"""

    _cell = "gru"
