"""Docstring text that the three forecasters share, written once.

Each forecaster's docstring holds ``{shared_sections}`` where the shared
sections (Parameters to Notes) go and ``{example}`` for its Examples;
:func:`fill_shared_sections` fills them in, explicitly, once per class. A
docstring of None (``python -OO``, or a subclass without one) is left alone.
"""

SHARED_SECTIONS = """
    Parameters
    ----------
    hidden_size : int, default=32
        Width of the recurrent state.
    num_layers : int, default=1
        Number of stacked recurrent layers.
    dropout : float, default=0.2
        Dropout probability between stacked layers and on the last hidden state,
        in [0, 1). Some dropout steadies training on a year of hourly data;
        set 0.0 to turn it off.
    highway : int or None, default=24
        Number of last time steps of each window that a linear layer (the
        "highway", as in LSTNet) maps to the forecast, added to the recurrent
        network's output and trained with it; None for none. Missing steps
        (left padding, or windows shorter than `highway`) count as zeros, the
        training mean of the standardized inputs. It helps most with many
        input columns and at long horizons (see the accuracy page).
    ridge_blend : bool, default=True
        After training, mix a ridge regression of the target on the highway's
        steps into each output's forecast, with the share (0 to 0.5, in steps
        of 0.05) that scores best on the validation tail; the ridge is then
        refitted on all windows and folded into the highway layer, so the
        network keeps its structure. Linear models of the recent steps win at
        long horizons, and the tail decides per output how much to take. Needs
        `highway`, validation (`patience` and `validation_fraction`), a point
        loss and at most 1,024 highway inputs (`highway` times the number of
        features); otherwise nothing is mixed in. The shares are in
        ``blend_weights_``.
    max_epochs : int, default=100
        Maximum number of passes over the training windows.
    batch_size : int, default=512
        Number of windows per gradient step. Large batches with a matching
        `lr` reach the accuracy of small ones in a fraction of the time on a
        year of hourly data; for a few hundred windows, take 32 and
        ``lr=1e-3``, so that each epoch still makes several steps.
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
        sequence trains one network for all of them: :meth:`predict_quantiles`
        returns all of them, sorted so that they never cross, and
        :meth:`predict` the level closest to 0.5, or the mean of the two levels
        equally close to it (the middle of the band for ``[0.1, 0.9]``).
        Ignored by the other losses.
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
    patience : int or None, default=7
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
        Torch threads during `fit` and `predict` on CPU. None picks the count
        from the network and the batch alone (small networks take one thread)
        and never from the process's budget (``OMP_NUM_THREADS``, torch's
        setting), so a seeded fit gives the same bits alone or in a joblib
        worker. An int uses exactly that many threads; under a parallel search
        of large networks, 1 keeps the workers from competing for the cores.
        Your own torch setting is restored afterwards either way.
    verbose : int, default=0
        0 is silent; 1 prints one plain line per epoch ("epoch k/N", the
        training and validation losses, elapsed time and an upper bound on the
        time left) and a line when early stopping ends training.
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
    stop_reason_ : {"max_epochs", "early_stopping", "callback"}
        Why the last fit ended: it ran `max_epochs` epochs, early stopping ended
        it, or one of `callbacks` did.
    blend_weights_ : ndarray of shape (n_outputs,) or None
        The ridge's share of each output's forecast (see `ridge_blend`), None
        when none was mixed in.
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
    and forecasts are mapped back, so `y` may be given in its own units. Each
    input feature is standardized too, inside the network, with its mean and
    standard deviation on the training windows: inputs may come in their own
    units, and no scaler is needed before :class:`WindowTransformer` (one does
    no harm). Keeping the pipeline's input a DataFrame up to
    :class:`WindowTransformer` is what lets it check the time order and give
    rows that follow the training rows their history.

    A KeyboardInterrupt (Ctrl-C) during `fit` propagates, and any failed or
    interrupted `fit` leaves the estimator as it was before the call.
"""

EXAMPLE = """
    Examples
    --------
    >>> import numpy as np
    >>> from sklearn.pipeline import make_pipeline
    >>> from sklearn_rnn import {name}, WindowTransformer, make_supervised
    >>> series = 20 + 5 * np.sin(np.arange(300) / 8.0).reshape(-1, 1)
    >>> X, y = make_supervised(series, target=0, horizon=1)
    >>> model = make_pipeline(
    ...     WindowTransformer(window_length=12),
    ...     {name}(hidden_size=16, max_epochs=20, lr=0.01, random_state=0),
    ... )
    >>> model.fit(X[:250], y[:250]).predict(X).shape
    (299,)
    >>> bool(model.score(X, y) > 0.9)
    True
"""


def fill_shared_sections(cls):
    """Class decorator: put the shared sections and the example into `cls`'s doc."""
    if cls.__doc__ is not None:
        cls.__doc__ = cls.__doc__.replace("{shared_sections}", SHARED_SECTIONS).replace(
            "{example}", EXAMPLE.format(name=cls.__name__)
        )
    return cls
