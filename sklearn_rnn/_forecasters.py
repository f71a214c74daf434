"""Recurrent forecasters with the scikit-learn regressor API.

PyTorch and skorch are imported inside ``fit`` and ``predict``: constructing,
cloning and grid-searching estimators does not need them.
"""

import math
from numbers import Integral, Real

import numpy as np
from sklearn.base import BaseEstimator, RegressorMixin, _fit_context
from sklearn.utils import check_random_state
from sklearn.utils._param_validation import Interval, StrOptions
from sklearn.utils.validation import check_is_fitted

from ._validation import leading_padding, validate_target, validate_windows

_OPTIMIZERS = {"adam", "adamw", "sgd", "rmsprop"}
# Training loss name -> torch criterion class name.
_LOSSES = {"absolute_error": "L1Loss", "squared_error": "MSELoss"}

_COMMON_PARAMETERS_DOC = """
    Parameters
    ----------
    hidden_size : int, default=32
        Width of the recurrent state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.0
        Dropout probability between stacked layers and on the last hidden state,
        in [0, 1).
    max_epochs : int, default=100
        Maximum number of passes over the training windows.
    batch_size : int, default=32
        Number of windows per gradient step.
    lr : float, default=1e-3
        Learning rate of the optimizer.
    optimizer : {"adam", "adamw", "sgd", "rmsprop"} or torch optimizer class, \
            default="adam"
        Optimizer. Adam and AdamW use PyTorch's fused kernels where available.
    weight_decay : float, default=0.0
        L2 penalty (decoupled for "adamw").
    loss : {"absolute_error", "squared_error"}, default="absolute_error"
        What training minimizes, and early stopping watches, on the
        standardized target: the mean absolute error (forecasts of the median)
        or the mean squared error (forecasts of the mean). The absolute error
        gave lower test MAE and less spread between seeds on the bundled weather
        data, at 1 and 6 hours ahead (see the README).
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
        Seeds weight initialization, dropout and shuffling. An int gives
        bit-identical predictions on CPU, across processes. The caller's global
        torch and NumPy random states are left untouched.
    device : {"cpu", "cuda", "auto"}, default="cpu"
        Where to train and predict; "auto" takes CUDA when available.
    n_threads : int or None, default=None
        Torch threads during `fit` and `predict` on CPU. None takes the
        process's budget (what joblib grants a worker through OMP_NUM_THREADS,
        else torch's own setting) and gives small networks one thread, which is
        fastest on busy cores and makes their results the same bit for bit on
        any machine. An int uses exactly that many threads: on cores of your
        own, 2 or more train mid-sized networks faster (docs/performance.md),
        but results may differ in the last bits from a run with another thread
        count, and more threads than cores per worker oversubscribe a parallel
        grid search. Your own torch setting is restored afterwards either way.
    verbose : int, default=0
        0 is silent; 1 prints a table of per-epoch losses.
    callbacks : list of skorch callbacks or None, default=None
        Extra skorch callbacks (instances or ``(name, callback)`` pairs), passed
        to the training loop. They are copied at each fit; the copies used are in
        ``net_.callbacks_``.
    warm_start : bool, default=False
        If True and the estimator is fitted, continue training the fitted
        network for `max_epochs` more epochs (at the current `lr`) instead of
        starting from new weights. The target scaling and the callbacks of the
        first fit are kept; `patience` and `validation_fraction` apply to the
        new data but may not switch early stopping on or off. A new `loss`
        applies from the next epoch on (``history_`` then holds both), and early
        stopping compares only epochs of the new loss.
"""

_COMMON_ATTRIBUTES_DOC = """
    Attributes
    ----------
    net_ : skorch.NeuralNet
        The trained skorch net, for power users (its ``module_`` is the torch
        module).
    module_ : torch.nn.Module
        The trained network.
    history_ : list of dict
        One dict per epoch with ``epoch``, ``train_loss``, ``valid_loss`` (when
        validating) and ``dur`` (seconds). Losses are `loss` (mean absolute or
        mean squared error) of the standardized target.
    n_epochs_ : int
        Number of epochs run (over all fits when `warm_start` is True).
    best_epoch_ : int or None
        Epoch whose weights were kept by early stopping, None without it.
    n_features_in_ : int
        Number of features per time step seen during :term:`fit`.
    feature_names_in_ : ndarray of shape (`n_features_in_`,)
        Names of features seen during :term:`fit`. Defined only when `X` is a
        DataFrame with string column names.
    n_outputs_ : int
        Number of targets.
    device_ : str
        Device the network lives on.
"""

_COMMON_NOTES_DOC = """
    Notes
    -----
    Input `X` is 3-D, ``(n_samples, n_timesteps, n_features)``, as returned by
    :class:`WindowTransformer`; a 2-D `X` is read as a batch of one-step
    sequences. The number of time steps may differ between fit and predict.
    Leading all-NaN time steps mean missing history: the network runs over the
    observed part of such a window only, so a left-padded window predicts what
    the same window without its padding predicts. NaN or infinity anywhere else
    is an error.

    The target is standardized with the mean and standard deviation of the
    training windows before training, and predictions are mapped back, so `y`
    may be given in its own units. Inputs should be scaled, for example with a
    :class:`~sklearn.preprocessing.StandardScaler` before the
    :class:`WindowTransformer` in the pipeline.
"""


class _RecurrentForecaster(RegressorMixin, BaseEstimator):
    """Shared implementation; subclasses name their torch module."""

    _module_name = None

    _parameter_constraints = {
        "hidden_size": [Interval(Integral, 1, None, closed="left")],
        "num_layers": [Interval(Integral, 1, None, closed="left")],
        "dropout": [Interval(Real, 0, 1, closed="left")],
        "max_epochs": [Interval(Integral, 1, None, closed="left")],
        "batch_size": [Interval(Integral, 1, None, closed="left")],
        "lr": [Interval(Real, 0, None, closed="neither")],
        "optimizer": [StrOptions(_OPTIMIZERS), type],
        "weight_decay": [Interval(Real, 0, None, closed="left")],
        "loss": [StrOptions(set(_LOSSES))],
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
        dropout=0.0,
        max_epochs=100,
        batch_size=32,
        lr=1e-3,
        optimizer="adam",
        weight_decay=0.0,
        loss="absolute_error",
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
        self.max_epochs = max_epochs
        self.batch_size = batch_size
        self.lr = lr
        self.optimizer = optimizer
        self.weight_decay = weight_decay
        self.loss = loss
        self.validation_fraction = validation_fraction
        self.patience = patience
        self.shuffle = shuffle
        self.random_state = random_state
        self.device = device
        self.n_threads = n_threads
        self.verbose = verbose
        self.callbacks = callbacks
        self.warm_start = warm_start

    # -- fit ---------------------------------------------------------------

    def _n_validation(self, n_samples):
        """Number of trailing windows held out for early stopping (0 for none)."""
        if self.patience is None or self.validation_fraction is None:
            return 0
        n_valid = math.ceil(self.validation_fraction * n_samples)
        if n_samples - n_valid < 1:
            raise ValueError(
                f"{type(self).__name__} cannot hold out a validation tail: "
                f"validation_fraction={self.validation_fraction} of {n_samples} "
                f"sample(s) leaves {n_samples - n_valid} for training. Pass more "
                "windows, or set patience=None to train on all windows without "
                "early stopping."
            )
        return n_valid

    def _seeds(self):
        """Two seeds (torch, shuffling) drawn from `random_state`.

        None draws from fresh OS entropy rather than NumPy's global generator, so
        fitting never moves the caller's random state.
        """
        if self.random_state is None:
            rng = np.random.default_rng()
            return rng.integers(2**31 - 1, size=2).tolist()
        rng = check_random_state(self.random_state)
        return rng.randint(2**31 - 1, size=2).tolist()

    def _build_net(self, n_features, n_outputs, n_valid, shuffle_seed, device):
        from . import _modules, _training

        optimizer, optimizer_kwargs = _training.optimizer_class(self.optimizer)
        callbacks = [
            (
                "stop_on_divergence",
                _training.StopOnDivergence(type(self).__name__, self.lr),
            )
        ]
        if n_valid:
            callbacks.append(("early_stopping", _training.EarlyStopping(self.patience)))
        import copy

        callbacks += copy.deepcopy(self.callbacks or [])
        return _training.RecurrentNet(
            module=getattr(_modules, self._module_name),
            module__n_features=n_features,
            module__n_outputs=n_outputs,
            module__hidden_size=self.hidden_size,
            module__num_layers=self.num_layers,
            module__dropout=self.dropout,
            criterion=self._criterion(),
            optimizer=optimizer,
            lr=self.lr,
            optimizer__weight_decay=self.weight_decay,
            **{f"optimizer__{key}": value for key, value in optimizer_kwargs.items()},
            max_epochs=self.max_epochs,
            batch_size=self.batch_size,
            iterator_train=_training.WindowBatches,
            iterator_train__shuffle=self.shuffle,
            iterator_train__random_state=shuffle_seed,
            iterator_valid=_training.WindowBatches,
            iterator_valid__batch_size=max(
                self.batch_size, _training._VALID_BATCH_SIZE
            ),
            train_split=_training.TailSplit(n_valid) if n_valid else None,
            callbacks=callbacks,
            device=device,
            verbose=self.verbose,
        )

    def _criterion(self):
        import torch

        return getattr(torch.nn, _LOSSES[self.loss])

    def _continued_net(self, n_valid, shuffle_seed):
        """The fitted net, set up for `max_epochs` more epochs on the new data."""
        from . import _training

        net = self.net_
        stopper = dict(net.callbacks_).get("early_stopping")
        stopping = stopper is not None
        if stopping != bool(n_valid):
            raise ValueError(
                "warm_start=True continues the first fit's training loop, which "
                f"{'used' if stopping else 'did not use'} early stopping; now "
                f"patience={self.patience!r} and validation_fraction="
                f"{self.validation_fraction!r} ask for the opposite. Keep them, or "
                "set warm_start=False to start a new network."
            )
        params = {"max_epochs": self.max_epochs, "lr": self.lr}
        # Read by skorch when it builds the iterator; set_params would re-check
        # the whole net for a change that needs no re-initialization.
        net.iterator_train__random_state = shuffle_seed
        if stopping:
            # Set in place: set_params would re-initialize every callback and
            # forget the best epoch so far.
            stopper.patience = self.patience
            net.train_split = _training.TailSplit(n_valid)
        net.set_params(**params)
        criterion = self._criterion()
        if type(net.criterion_) is not criterion:
            # The losses hold no weights or state: swapping the instance is all
            # a change of `loss` needs, and leaves the optimizer's state alone.
            net.criterion, net.criterion_ = criterion, criterion()
            if stopping:
                # The best loss so far is in the other loss's units: start the
                # comparison afresh from the current weights.
                stopper.best_loss_, stopper.best_epoch_ = math.inf, None
        return net

    @_fit_context(prefer_skip_nested_validation=True)
    def fit(self, X, y):
        """Train the network on windows `X` and targets `y`.

        Parameters
        ----------
        X : array-like of shape (n_samples, n_timesteps, n_features) or \
                (n_samples, n_features)
            Windows, oldest step first, as returned by :class:`WindowTransformer`.
            Rows must be in time order: the validation tail is the last rows.
        y : array-like of shape (n_samples,) or (n_samples, n_outputs)
            Target of each window, for example from :func:`make_supervised`.

        Returns
        -------
        self : object
            The fitted forecaster.
        """
        continuing = self.warm_start and hasattr(self, "net_")
        X = validate_windows(self, X, reset=not continuing)
        y, y_1d = validate_target(y, X.shape[0], self)
        n_pad = leading_padding(X)
        n_valid = self._n_validation(len(X))
        if continuing and y.shape[1] != self.n_outputs_:
            raise ValueError(
                f"warm_start=True continues a network with {self.n_outputs_} "
                f"output(s), but y has {y.shape[1]}. Set warm_start=False to start "
                "a new network."
            )

        from . import _training

        # Fitted attributes are set only once training has succeeded, so a fit
        # that fails (a diverging one, say) leaves no half-fitted estimator.
        device = _training.resolve_device(self.device)
        torch_seed, shuffle_seed = self._seeds()
        if continuing:
            # Fresh dropout noise and shuffling order for the continued epochs.
            torch_seed = (torch_seed + 7919 * self.n_epochs_) % (2**31 - 1)
            shuffle_seed = (shuffle_seed, self.n_epochs_)
        n_train = len(X) - n_valid
        if continuing:
            y_mean, y_scale = self._y_mean, self._y_scale
        else:
            y_mean = y[:n_train].mean(axis=0)
            scale = y[:n_train].std(axis=0)
            y_scale = np.where(scale > 0, scale, 1.0).astype(np.float32)
        y_scaled = (y - y_mean) / y_scale
        dataset = _training.WindowDataset(
            X, n_pad, y_scaled, pin_memory=device.startswith("cuda")
        )

        with (
            _training.torch_threads(self.n_threads),
            _training.seeded(torch_seed, device),
        ):
            if continuing:
                net = self._continued_net(n_valid, shuffle_seed)
            else:
                net = self._build_net(
                    X.shape[2], y.shape[1], n_valid, shuffle_seed, device
                )
                net.initialize()
            net.partial_fit(dataset)

        self.net_ = net
        self.device_ = device
        self._y_mean, self._y_scale = y_mean, y_scale
        self.module_ = net.module_
        self.n_outputs_ = y.shape[1]
        self._y_1d = y_1d
        self.history_ = [
            {
                key: row[key]
                for key in ("epoch", "train_loss", "valid_loss", "dur")
                if key in row
            }
            for row in net.history
        ]
        self.n_epochs_ = len(self.history_)
        stopper = dict(net.callbacks_).get("early_stopping")
        self.best_epoch_ = None if stopper is None else stopper.best_epoch_
        return self

    # -- predict -----------------------------------------------------------

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
            One forecast per input row, in the input order.
        """
        check_is_fitted(self)
        X = validate_windows(self, X, reset=False)
        n_pad = leading_padding(X)
        from . import _training

        with _training.torch_threads(self.n_threads):
            scaled = _training.predict_windows(self.module_, X, n_pad, self.device_)
        y_pred = scaled.astype(np.float64) * self._y_scale + self._y_mean
        if not np.isfinite(y_pred).all():
            rows = np.flatnonzero(~np.isfinite(y_pred).all(axis=1))
            raise ValueError(
                f"{type(self).__name__} produced non-finite forecasts for "
                f"{len(rows)} window(s), first at row(s) {rows[:5].tolist()}. Check "
                "that X is scaled like the training data."
            )
        return y_pred[:, 0] if self._y_1d else y_pred

    def __sklearn_is_fitted__(self):
        # validate_data sets n_features_in_ before training starts; only a
        # trained network makes the estimator fitted.
        return hasattr(self, "net_")

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.input_tags.three_d_array = True
        tags.target_tags.multi_output = True
        return tags


def _forecaster_doc(summary, example):
    return (
        summary
        + _COMMON_PARAMETERS_DOC
        + _COMMON_ATTRIBUTES_DOC
        + """
    See Also
    --------
    WindowTransformer : Makes the windows these forecasters read.
    make_supervised : Aligns the target with the rows, once, up front.
"""
        + _COMMON_NOTES_DOC
        + example
    )


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


class SimpleRNNForecaster(_RecurrentForecaster):
    _module_name = "SimpleRNNModule"


class LSTMForecaster(_RecurrentForecaster):
    _module_name = "LSTMModule"


class GRUForecaster(_RecurrentForecaster):
    _module_name = "GRUModule"


SimpleRNNForecaster.__doc__ = _forecaster_doc(
    """Forecaster built on a simple (Elman, tanh) recurrent network.

    The recurrent layer of Keras' ``SimpleRNN``, followed by a linear head that
    maps the last hidden state to the forecast. Cheapest of the three cells;
    its memory of the past fades fastest.
""",
    _EXAMPLE.format(name="SimpleRNNForecaster"),
)
LSTMForecaster.__doc__ = _forecaster_doc(
    """Forecaster built on a long short-term memory (LSTM) network.

    Stacked LSTM layers read each window oldest step first; a linear head maps
    the last hidden state to the forecast (one value per target column).
""",
    _EXAMPLE.format(name="LSTMForecaster"),
)
GRUForecaster.__doc__ = _forecaster_doc(
    """Forecaster built on a gated recurrent unit (GRU) network.

    Like :class:`LSTMForecaster` with a lighter gated cell: fewer parameters per
    unit, often as accurate on weather series.
""",
    _EXAMPLE.format(name="GRUForecaster"),
)
