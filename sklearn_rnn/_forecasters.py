"""Recurrent forecasters with the scikit-learn regressor API.

PyTorch and skorch are imported inside ``fit`` and ``predict``: constructing,
cloning and grid-searching estimators does not need them.
"""

import copy
import math
import os
from contextlib import contextmanager
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.metaestimators import available_if
from sklearn.utils.validation import check_is_fitted

from ._target import fit_encoding
from ._validation import (
    check_float32_range,
    leading_padding,
    validate_sample_weight,
    validate_target,
    validate_windows,
)

_OPTIMIZERS = {"adam", "adamw", "sgd", "rmsprop"}
_LOSSES = {"absolute_error", "squared_error", "quantile"}
# Integer parameters: bools are ints to Python, never to a user.
_INT_PARAMETERS = (
    "hidden_size",
    "num_layers",
    "max_epochs",
    "batch_size",
    "patience",
    "n_threads",
    "highway",
)
# Parameters that shape the network or what it learns: a warm start cannot
# change them.
_ARCHITECTURE = (
    "hidden_size",
    "num_layers",
    "highway",
    "optimizer",
    "baseline",
    "device",
)

_SHARED_SECTIONS = """
    Parameters
    ----------
    hidden_size : int, default=32
        Width of the recurrent state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.2
        Dropout probability between stacked layers and on the last hidden state,
        in [0, 1). With the residual baseline, 0.2 gave lower or equal test
        error than no dropout on the bundled stations (see the accuracy page).
    highway : int or None, default=24
        Number of last time steps of each window that a linear layer (the
        "highway", as in LSTNet) maps to the forecast, added to the recurrent
        network's output and trained with it; None for none. Missing steps
        (left padding, or windows shorter than `highway`) count as zeros, the
        training mean of standardized inputs. On the bundled stations it
        lowered the error with all columns as inputs and at long horizons (see
        the accuracy page).
    max_epochs : int, default=100
        Maximum number of passes over the training windows.
    batch_size : int, default=512
        Number of windows per gradient step. Large batches with a matching
        `lr` reached the accuracy of batch 32 at ``lr=1e-3`` on the bundled
        stations in under half the CPU time.
    lr : float, default=3e-3
        Learning rate of the optimizer.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        Optimizer. Adam and AdamW use PyTorch's fused kernels.
    weight_decay : float, default=0.0
        L2 penalty (decoupled for "adamw").
    loss : {"absolute_error", "squared_error", "quantile"}, \
            default="absolute_error"
        What training minimizes, and early stopping watches: the mean absolute
        error (forecasts of the median), the mean squared error (forecasts of
        the mean), or the pinball loss of `quantile`.
    quantile : float or sequence of float, default=0.5
        With ``loss="quantile"``, the quantile(s) to forecast, each in (0, 1),
        as in :class:`~sklearn.ensemble.HistGradientBoostingRegressor`. A
        sequence trains one network for all of them: :meth:`predict` then
        returns the quantile closest to 0.5 and :meth:`predict_quantiles` all of
        them, sorted so that they never cross. Ignored by the other losses.
    baseline : "auto", int or None, default="auto"
        What the network learns. With "auto", each output's forecast is a
        baseline plus a change learned by the network: the baseline is the last
        time step of the input feature that, rescaled to the target's training
        mean and standard deviation, forecasts the target best on the training
        windows (for a target that is also an input, as :func:`make_supervised`
        keeps it, that is the target's last value: persistence). An int names
        the feature (column position in the window) for every output. None lets
        the network learn the target itself. See the user guide.
    validation_fraction : float or None, default=0.1
        Fraction of the training windows held out for early stopping: always the
        chronological tail (the latest windows), never a shuffled or leading
        slice. Used only when `patience` is set; None disables validation and
        with it early stopping, whatever `patience` says.
    patience : int or None, default=10
        Stop when the validation loss has not improved for this many epochs and
        restore the weights of the best epoch. None turns early stopping off and
        trains on all windows for `max_epochs` epochs.
    shuffle : bool, default=True
        Whether to reshuffle the training windows each epoch (after the
        validation tail has been held out).
    random_state : int, RandomState instance or None, default=None
        Seeds weight initialization, dropout and shuffling, through generators
        of the fit's own. An int gives bit-identical predictions on CPU, across
        processes, threads and joblib backends. Global random states (torch's,
        NumPy's) are never drawn from.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and predict; "auto" takes CUDA when available.
    n_threads : int or None, default=None
        Torch threads during `fit` and `predict` on CPU. None takes the
        process's budget (what joblib grants a worker through OMP_NUM_THREADS,
        else torch's own setting) and gives small networks one thread, which is
        fastest on busy cores and makes their results the same bit for bit on
        any machine. An int uses exactly that many threads. Your own torch
        setting is restored afterwards either way.
    verbose : int, default=0
        0 is silent; 1 prints a table of per-epoch losses.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances or ``(name, callback)`` pairs), passed
        to the training loop. They are copied at each fit; the copies used are
        in ``callbacks_``.
    warm_start : bool, default=False
        If True and the estimator is fitted, continue training the fitted
        network on the new data for `max_epochs` more epochs, with the current
        `lr`, `batch_size`, `weight_decay`, `dropout`, `patience`,
        `validation_fraction` and `loss` (absolute or squared error) and the
        optimizer's state. The baseline and target scaling of the first fit are
        kept. Changes that need a new network (`hidden_size`, `num_layers`,
        `highway`, `optimizer`, `baseline`, `device`, the quantiles, the number of
        features or outputs) are refused.

    Attributes
    ----------
    module_ : torch.nn.Module
        The trained network.
    history_ : list of dict
        One dict per epoch with ``epoch``, ``train_loss``, ``valid_loss`` (when
        validating) and ``dur`` (seconds), over all fits when warm starting.
        Losses are `loss` of the standardized change from the baseline.
    n_epochs_ : int
        Number of epochs run (over all fits when `warm_start` is True).
    best_epoch_ : int or None
        Epoch whose weights were kept by early stopping, None without it.
    baseline_feature_ : ndarray of shape (n_outputs,)
        Feature whose last time step is each output's baseline, -1 for none.
    callbacks_ : list of (str, callback)
        The copies of `callbacks` used in the last fit.
    n_features_in_ : int
        Number of features per time step seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` is a
        DataFrame with string column names.
    n_outputs_ : int
        Number of targets.
    device_ : str
        Device the network lives on.

    See Also
    --------
    WindowTransformer : Makes the windows these forecasters read.
    make_supervised : Aligns the target with the rows, once, up front.

    Notes
    -----
    Input `X` is 3-D, ``(n_samples, n_timesteps, n_features)``, as returned by
    :class:`WindowTransformer`; a 2-D `X` is read as a batch of one-step
    sequences. The number of time steps may differ between fit and predict.
    Leading all-NaN time steps mean missing history: the network runs over the
    observed part of such a window only, so a left-padded window predicts what
    the same window without its padding predicts. NaN or infinity anywhere else
    is an error.

    The network learns the change from the baseline (see `baseline`),
    standardized with its mean and standard deviation on the training windows,
    and forecasts are mapped back, so `y` may be given in its own units. Inputs
    should be scaled, for example with a
    :class:`~sklearn.preprocessing.StandardScaler` before the
    :class:`WindowTransformer` in the pipeline.

    A KeyboardInterrupt (Ctrl-C) during `fit` propagates, and any failed or
    interrupted `fit` leaves the estimator as it was before the call.
"""

_EXAMPLE = """
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn.preprocessing import StandardScaler
    >>> from sklearn_rnn import {name}, WindowTransformer, make_supervised
    >>> series = np.sin(np.arange(300) / 8.0).reshape(-1, 1)
    >>> X, y = make_supervised(series, target=0, horizon=1)
    >>> model = make_pipeline(
    ...     StandardScaler(),
    ...     WindowTransformer(window_length=12),
    ...     {name}(hidden_size=16, max_epochs=20, lr=0.01, random_state=0),
    ... )
    >>> model.fit(X[:250], y[:250]).predict(X[250:]).shape
    (49,)
    >>> bool(model.score(X[250:], y[250:]) > 0.9)
    True
"""


def _is_quantile(estimator):
    return estimator.loss == "quantile"


@contextmanager
def _unchanged_on_failure(estimator):
    """Give `estimator` its attributes back if the block raises (Ctrl-C too).

    Training works on a new network, or a copy of the fitted one, so restoring
    the attribute dict restores everything.
    """
    before = dict(estimator.__dict__)
    try:
        yield
    except BaseException:
        estimator.__dict__.clear()
        estimator.__dict__.update(before)
        raise


class _RecurrentForecaster(RegressorMixin, BaseEstimator):
    """Shared implementation; subclasses name their recurrent cell.

    A subclass's docstring holds ``{shared_sections}`` where the sections that
    all forecasters share (Parameters to Notes) go, and its own Examples after
    it; ``__init_subclass__`` fills them in, so each class documents itself and
    the shared text is written once.
    """

    _cell = None

    def __init_subclass__(cls, **kwargs):
        super().__init_subclass__(**kwargs)
        cls.__doc__ = cls.__doc__.replace(
            "{shared_sections}", _SHARED_SECTIONS
        ).replace("{example}", _EXAMPLE.format(name=cls.__name__))

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "highway": [Interval(Integral, 1, None, closed="left"), None],
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
        max_epochs=100,
        batch_size=512,
        lr=3e-3,
        optimizer="adam",
        weight_decay=0.0,
        loss="absolute_error",
        quantile=0.5,
        baseline="auto",
        validation_fraction=0.1,
        patience=10,
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

    def _check_parameters(self):
        for name in _INT_PARAMETERS:
            value = getattr(self, name)
            if isinstance(value, bool | np.bool_):
                raise TypeError(
                    f"The '{name}' parameter of {self._name()} must be an int; got "
                    f"the boolean {value!r}. Pass a number, such as {name}=32."
                )
        if isinstance(self.baseline, bool | np.bool_):
            raise TypeError(
                f"The 'baseline' parameter of {self._name()} must be 'auto', a "
                f"feature position or None; got the boolean {self.baseline!r}."
            )

    def _quantiles(self):
        """The quantile levels the network forecasts, or None for one value."""
        if self.loss != "quantile":
            return None
        levels = self.quantile
        single = isinstance(levels, Real) and not isinstance(levels, bool)
        levels = [levels] if single else list(levels)
        if not levels or not all(
            isinstance(q, Real) and not isinstance(q, bool) and 0 < q < 1
            for q in levels
        ):
            raise ValueError(
                f"The 'quantile' parameter of {self._name()} must be a float in "
                f"(0, 1) or a non-empty sequence of them; got {self.quantile!r}."
            )
        if len(set(levels)) < len(levels):
            raise ValueError(
                f"The 'quantile' parameter of {self._name()} must not repeat a "
                f"level; got {self.quantile!r}."
            )
        return tuple(sorted(float(q) for q in levels))

    def _check_callbacks(self, n_valid):
        from skorch.callbacks import Callback

        from ._training import RESERVED_CALLBACK_NAMES

        checked = []
        for item in self.callbacks or []:
            name, callback = item if isinstance(item, tuple) else (None, item)
            if not isinstance(callback, Callback):
                raise TypeError(
                    f"The 'callbacks' parameter of {self._name()} takes skorch "
                    "callbacks (skorch.callbacks.Callback instances) or (name, "
                    f"callback) pairs; got {item!r}."
                )
            if name in RESERVED_CALLBACK_NAMES:
                raise ValueError(
                    f"The callback name {name!r} in 'callbacks' of {self._name()} is "
                    "used by the training loop itself; choose another name."
                )
            monitor = getattr(callback, "monitor", None)
            if not n_valid and isinstance(monitor, str) and monitor.startswith("valid"):
                raise ValueError(
                    f"The callback {name or type(callback).__name__} in 'callbacks' "
                    f"of {self._name()} watches {monitor!r}, which exists only with a "
                    f"validation tail; now patience={self.patience!r} and "
                    f"validation_fraction={self.validation_fraction!r} turn "
                    "validation off. Set both, or watch 'train_loss'."
                )
            checked.append(item)
        return copy.deepcopy(checked)

    def _n_validation(self, n_samples):
        """Number of trailing windows held out for early stopping (0 for none)."""
        if self.patience is None or self.validation_fraction is None:
            return 0
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if n_samples - n_valid < 1:
            raise ValueError(
                f"{self._name()} cannot hold out a validation tail: "
                f"validation_fraction={self.validation_fraction} of {n_samples} "
                f"sample(s) leaves {n_samples - n_valid} for training. Pass more "
                "windows, or set patience=None to train on all windows without "
                "early stopping."
            )
        return n_valid

    def _seeds(self):
        """Three seeds (weights, dropout, shuffling) drawn from `random_state`.

        None draws from fresh OS entropy rather than NumPy's global generator, so
        fitting never moves the caller's random state.
        """
        if self.random_state is None:
            return np.random.default_rng().integers(2**31 - 1, size=3).tolist()
        rng = check_random_state(self.random_state)
        return rng.randint(2**31 - 1, size=3).tolist()

    def _check_continuation(self, config, quantiles):
        fitted = self._fitted_settings
        changed = [
            name
            for name in _ARCHITECTURE
            if _setting(getattr(self, name)) != fitted[name]
        ]
        if quantiles != fitted["quantiles"]:
            changed.append("loss/quantile")
        if config["n_outputs"] != self.module_.head.out_features:
            changed.append("the number of outputs")
        if changed:
            raise ValueError(
                f"warm_start=True continues the fitted network of {self._name()}, "
                f"but {', '.join(changed)} changed since it was fitted; those need a "
                "new network. Restore them, or set warm_start=False to train a new "
                "one."
            )

    def _check_size(self, config, n_steps):
        """Refuse, before allocating, a network that cannot fit in memory."""
        from ._modules import GATES, count_weights

        weights = count_weights(config)
        # Weights, gradients and two Adam moments; per batch the layers keep
        # their gates' values at every step for the backward pass.
        per_batch = (
            self.batch_size
            * n_steps
            * (config["n_features"] + GATES[config["cell"]] * config["hidden_size"])
            * config["num_layers"]
        )
        need = 4 * (4 * weights + 2 * per_batch)
        try:
            have = os.sysconf("SC_PAGE_SIZE") * os.sysconf("SC_PHYS_PAGES")
        except (ValueError, OSError, AttributeError):
            return
        if need > have:
            raise ValueError(
                f"{self._name()} with hidden_size={self.hidden_size}, num_layers="
                f"{self.num_layers} and batch_size={self.batch_size} on windows of "
                f"{n_steps} steps would need about {need / 2**30:.3g} GiB "
                f"({weights:,} weights), more than this machine's "
                f"{have / 2**30:.3g} GiB. Use a smaller hidden_size, batch_size or "
                "window_length."
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
        """
        with _unchanged_on_failure(self):
            self._fit(X, y, sample_weight)
        return self

    def _fit(self, X, y, sample_weight):
        self._check_parameters()
        quantiles = self._quantiles()
        continuing = self.warm_start and self.__sklearn_is_fitted__()
        X = validate_windows(self, X, reset=not continuing)
        y, y_1d = validate_target(y, X.shape[0], self)
        sample_weight = validate_sample_weight(sample_weight, len(X), self)
        check_float32_range(X, self)
        n_pad = leading_padding(X)
        n_valid = self._n_validation(len(X))
        callbacks = self._check_callbacks(n_valid)
        config = {
            "cell": self._cell,
            "n_features": X.shape[2],
            "n_outputs": y.shape[1] * (len(quantiles) if quantiles else 1),
            "hidden_size": int(self.hidden_size),
            "num_layers": int(self.num_layers),
            "dropout": float(self.dropout),
            "highway": int(self.highway or 0),
        }
        if continuing:
            self._check_continuation(config, quantiles)
        else:
            self._check_size(config, X.shape[1])
            if isinstance(self.baseline, Integral) and self.baseline >= X.shape[2]:
                raise ValueError(
                    f"The 'baseline' parameter of {self._name()} names feature "
                    f"{self.baseline}, but the windows have {X.shape[2]} features. "
                    f"Pass a position below {X.shape[2]}, 'auto' or None."
                )

        from . import _modules, _training

        device = _training.resolve_device(self.device)
        weight_seed, dropout_seed, shuffle_seed = self._seeds()
        n_train = len(X) - n_valid
        if continuing:
            # Fresh dropout noise and shuffling order for the continued epochs.
            dropout_seed = (dropout_seed + 7919 * self.n_epochs_) % (2**31 - 1)
            shuffle_seed = (shuffle_seed, self.n_epochs_)
            encoding = self._encoding
            module = copy.deepcopy(self.module_)
            module.p = config["dropout"]
        else:
            encoding = fit_encoding(X, y, n_train, self.baseline)
            module = _modules.build_module(config, weight_seed, device)
        target = encoding.encode(X, y)
        if not np.isfinite(target).all() or np.abs(target).max() > 1e30:
            raise ValueError(
                f"y of {self._name()} cannot be standardized: its values are too "
                "large or too spread for float32 training. Rescale y."
            )
        dataset = _training.WindowDataset(
            X, n_pad, target, sample_weight, pin_memory=device.startswith("cuda")
        )
        optimizer, optimizer_kwargs = _training.optimizer_class(
            self.optimizer, self.weight_decay, self._name()
        )
        spec = _training.TrainingSpec(
            name=self._name(),
            criterion=_training.ForecastLoss(self.loss, quantiles),
            optimizer=optimizer,
            optimizer_kwargs=optimizer_kwargs,
            lr=self.lr,
            max_epochs=int(self.max_epochs),
            batch_size=int(self.batch_size),
            valid_batch_size=max(
                int(self.batch_size),
                _training.inference_batch_size(config, X.shape[1]),
            ),
            shuffle=self.shuffle,
            shuffle_seed=shuffle_seed,
            dropout_seed=dropout_seed,
            n_valid=n_valid,
            patience=self.patience,
            callbacks=callbacks,
            device=device,
            verbose=self.verbose,
        )
        threads = _training.thread_count(
            self.n_threads, module, spec.batch_size, device
        )
        state = _optimizer_state_to_torch(self._optimizer_state) if continuing else None
        with _training.torch_threads(threads):
            result = _training.train(module, dataset, spec=spec, optimizer_state=state)

        offset = self.n_epochs_ if continuing else 0
        history = [dict(row, epoch=row["epoch"] + offset) for row in result.history]
        self.history_ = (self.history_ if continuing else []) + history
        self.n_epochs_ = len(self.history_)
        self.best_epoch_ = (
            None if result.best_epoch is None else result.best_epoch + offset
        )
        self.module_ = result.module
        self._module_config = config
        self._optimizer_state = _optimizer_state_to_numpy(result.optimizer_state)
        self.callbacks_ = result.callbacks
        self.device_ = device
        self._encoding = encoding
        self.baseline_feature_ = encoding.feature.copy()
        self.n_outputs_ = y.shape[1]
        self._y_1d = y_1d
        self._quantile_levels = quantiles
        self._fitted_settings = {
            **{name: _setting(getattr(self, name)) for name in _ARCHITECTURE},
            "quantiles": quantiles,
        }

    # -- predict -----------------------------------------------------------

    def _forecast(self, X):
        """Forecasts in the target's units: (n, n_outputs) or (n, n_outputs, k)."""
        check_is_fitted(self)
        X = validate_windows(self, X, reset=False)
        check_float32_range(X, self)
        n_pad = leading_padding(X)
        from . import _training

        scaled = _training.predict_windows(
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
            quantiles, the one closest to 0.5.
        """
        y_pred = self._forecast(X)
        levels = self._quantile_levels
        if levels is not None:
            central = int(np.argmin([abs(q - 0.5) for q in levels]))
            y_pred = y_pred[:, :, central]
        return y_pred[:, 0] if self._y_1d else y_pred

    @available_if(_is_quantile)
    def predict_quantiles(self, X):
        """Forecast every quantile of `quantile` for each window.

        Available with ``loss="quantile"``.

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
        """
        y_pred = self._forecast(X)
        return y_pred[:, 0, :] if self._y_1d else y_pred

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
            state["_module_state"] = {
                key: value.detach().cpu().numpy()
                for key, value in module.state_dict().items()
            }
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
            from ._target import TargetEncoding

            self._encoding = TargetEncoding(**encoding)
        if arrays is not None:
            self.module_ = _rebuild_module(self, arrays)


def _setting(value):
    """A parameter's value as compared between warm-started fits."""
    return value if isinstance(value, str | type | None) else int(value)


def _rebuild_module(estimator, arrays):
    import torch

    from . import _modules

    device = estimator.device_
    if device.startswith("cuda") and not torch.cuda.is_available():
        # A network trained on a GPU, loaded where there is none.
        device = estimator.device_ = "cpu"
    with torch.device("meta"):
        module = _modules.RecurrentRegressor(**estimator._module_config)
    module.to_empty(device=device)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()})
    for layer in module.layers:
        layer.flatten_parameters()
    return module.eval()


def _optimizer_state_to_numpy(state):
    """A torch optimizer state dict as lists, dicts, arrays and plain numbers."""
    per_parameter = [
        {key: _to_plain(value) for key, value in state["state"][index].items()}
        for index in sorted(state["state"])
    ]
    groups = [
        {key: _to_plain(value) for key, value in group.items()}
        for group in state["param_groups"]
    ]
    return {"state": per_parameter, "param_groups": groups}


def _optimizer_state_to_torch(state):
    import torch

    def back(value):
        return (
            torch.from_numpy(value.copy()) if isinstance(value, np.ndarray) else value
        )

    groups = []
    for group in state["param_groups"]:
        group = dict(group)
        for key in ("betas",):
            if isinstance(group.get(key), list):
                group[key] = tuple(group[key])
        groups.append(group)
    return {
        "state": {
            index: {key: back(value) for key, value in entry.items()}
            for index, entry in enumerate(state["state"])
        },
        "param_groups": groups,
    }


def _to_plain(value):
    if hasattr(value, "detach"):
        return value.detach().cpu().numpy()
    if isinstance(value, tuple):
        return list(value)
    return value


class SimpleRNNForecaster(_RecurrentForecaster):
    """Forecaster built on a simple (Elman, tanh) recurrent network.

        The recurrent layer of Keras' ``SimpleRNN``, followed by a linear head that
        maps the last hidden state to the forecast. Cheapest of the three cells;
        its memory of the past fades fastest.
    {shared_sections}{example}"""

    _cell = "rnn"


class LSTMForecaster(_RecurrentForecaster):
    """Forecaster built on a long short-term memory (LSTM) network.

        Stacked LSTM layers read each window oldest step first; a linear head maps
        the last hidden state to the forecast (one value per target column).
    {shared_sections}{example}"""

    _cell = "lstm"


class GRUForecaster(_RecurrentForecaster):
    """Forecaster built on a gated recurrent unit (GRU) network.

        Like :class:`LSTMForecaster` with a lighter gated cell: fewer parameters per
        unit, often as accurate on weather series.
    {shared_sections}{example}"""

    _cell = "gru"
