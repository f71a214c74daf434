"""The library's types that a skops file of a fitted model names, to trust on load."""


def skops_trusted_types():
    """Fully qualified names of this library's types, for ``skops.io.load``.

    A fitted forecaster keeps its network and optimizer state as NumPy arrays
    and plain Python values, so a skops file of a pipeline of this library's
    steps and scikit-learn's names no other type of ours. Pass the list as
    ``trusted`` to :func:`skops.io.load`, or as ``skops_trusted_types`` to
    ``mlflow.sklearn.log_model``. Types of your own in the model (a callback,
    an optimizer class passed as ``optimizer``) are not on it: check what
    :func:`skops.io.get_untrusted_types` reports before trusting it.

    Returns
    -------
    names : list of str
        Such as ``"sklearn_rnn._forecasters.LSTMForecaster"``, sorted.

    Examples
    --------
    >>> from sklearn_rnn import skops_trusted_types
    >>> skops_trusted_types()[0]
    'sklearn_rnn._calendar.CalendarFeatures'
    """
    from ._calendar import CalendarFeatures
    from ._forecasters import GRUForecaster, LSTMForecaster, SimpleRNNForecaster
    from ._window import WindowTransformer

    classes = (
        CalendarFeatures,
        GRUForecaster,
        LSTMForecaster,
        SimpleRNNForecaster,
        WindowTransformer,
    )
    return sorted(f"{cls.__module__}.{cls.__qualname__}" for cls in classes)
