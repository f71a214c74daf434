"""Export a fitted forecaster to ONNX, forecasts included.

The network alone is not the forecaster: its outputs are changes from a
baseline (the last step of one input feature, mapped to the target's scale),
in units of the training residuals' spread, and a quantile forecaster's levels
are sorted before they are read. The exported graph holds all of it, so it
gives what ``predict`` gives. torch, onnx and onnxscript are imported only when
:func:`to_onnx` is called.
"""

import contextlib
import logging
import warnings

import numpy as np
from sklearn.utils.validation import check_is_fitted

from ._validation import check_float32_range, validate_windows

# The torch.export-based exporter writes opset 18 and later.
_MIN_OPSET = 18
_EXTRA_HINT = 'Install them with: pip install "sklearn-rnn[onnx]"'


def _check_estimator(estimator):
    from ._forecasters import _RecurrentForecaster

    if hasattr(estimator, "steps") and hasattr(estimator, "named_steps"):
        raise TypeError(
            "to_onnx exports a forecaster, not a Pipeline: the graph takes windows "
            "(n_samples, window_length, n_features), not series rows. Pass the "
            "pipeline's last step, to_onnx(pipe[-1], windows), and window the rows "
            "yourself before running the graph: windows = pipe[:-1].transform(rows)."
        )
    if not isinstance(estimator, _RecurrentForecaster):
        raise TypeError(
            "to_onnx needs a fitted SimpleRNNForecaster, LSTMForecaster or "
            f"GRUForecaster; got {type(estimator).__name__}. Other scikit-learn "
            "estimators convert with skl2onnx."
        )
    check_is_fitted(estimator)


def _check_opset(opset):
    from numbers import Integral

    if opset is None:
        return None
    if isinstance(opset, bool) or not isinstance(opset, Integral) or opset < _MIN_OPSET:
        raise ValueError(
            f"The 'opset' parameter of to_onnx must be None or an int of at least "
            f"{_MIN_OPSET}. Got {opset!r} instead."
        )
    return int(opset)


def _import_exporter():
    """Import onnx and onnxscript (torch's exporter needs both), or name the extra."""
    missing = []
    for name in ("onnx", "onnxscript"):
        try:
            __import__(name)
        except ImportError:
            missing.append(name)
    if missing:
        raise ImportError(
            f"to_onnx needs the package(s) {', '.join(missing)}, which are not "
            f"installed. {_EXTRA_HINT} (onnx, onnxscript and onnxruntime)."
        )


def _sample_windows(estimator, X):
    """Float32 windows to trace with, at least two of them (the batch stays free).

    The window length of `X` becomes the graph's: torch.export fixes the number
    of time steps of a recurrent layer.
    """
    if X is None:
        raise ValueError(
            "X of to_onnx must be sample windows (n_samples, window_length, "
            "n_features) without missing values; got None. The graph's window "
            "length is fixed by them, for example to_onnx(model, windows[-10:])."
        )
    X = validate_windows(estimator, X, reset=False)
    missing = ~np.isfinite(X).reshape(len(X), -1).all(axis=1)
    if missing.any():
        rows = np.flatnonzero(missing)
        raise ValueError(
            f"X of to_onnx holds NaN or infinite values in {len(rows)} window(s), "
            f"first at row(s) {rows[:5].tolist()}. The ONNX graph runs full windows "
            "only: the left padding that WindowTransformer adds where history is "
            "missing makes the graph forecast NaN. Pass windows with a full "
            f"history, for example X[{X.shape[1] - 1}:] of a transformed series."
        )
    check_float32_range(X, estimator)
    sample = np.ascontiguousarray(X[:2], dtype=np.float32)
    if len(sample) < 2:
        sample = np.concatenate([sample, sample])
    return sample


def _central_levels(levels):
    """The positions `predict` averages: the level(s) closest to 0.5."""
    distance = np.abs(np.asarray(levels) - 0.5)
    return np.flatnonzero(np.isclose(distance, distance.min()))


def _forecast_module(estimator):
    """A torch module from windows to forecasts (and quantiles), on the CPU."""
    import torch
    from torch import nn

    from ._network import module_from_arrays, module_to_arrays

    network, _ = module_from_arrays(
        estimator._module_config, module_to_arrays(estimator.module_), "cpu"
    )
    encoding = estimator._encoding
    levels = estimator._quantile_levels
    n_outputs = estimator.n_outputs_
    y_1d = estimator._y_1d

    def double(values):
        return torch.as_tensor(np.asarray(values, dtype=np.float64))

    class Forecast(nn.Module):
        # The decoding runs in float64, as predict's does, on the float32
        # network outputs and windows.
        def __init__(self):
            super().__init__()
            self.network = network
            no_feature = encoding.feature < 0
            self.register_buffer(
                "feature", torch.as_tensor(np.where(no_feature, 0, encoding.feature))
            )
            self.register_buffer("slope", double(encoding.slope))
            self.register_buffer("offset", double(encoding.intercept + encoding.mean))
            self.register_buffer("scale", double(encoding.scale))
            if levels is not None:
                central = torch.as_tensor(_central_levels(levels))
                self.register_buffer("central", central)

        def forward(self, windows):
            values = self.network(windows).to(torch.float64)
            # onnxruntime's recurrent operators turn NaN inputs into finite
            # numbers: mark windows with missing values explicitly.
            incomplete = ~torch.isfinite(windows).all(dim=2).all(dim=1)
            values = torch.where(incomplete[:, None], torch.nan, values)
            last = windows[:, -1, :].to(torch.float64)
            base = last[:, self.feature] * self.slope + self.offset
            if levels is None:
                forecast = values * self.scale + base
                return forecast[:, 0] if y_1d else forecast
            values = values.reshape(-1, n_outputs, len(levels))
            values = torch.sort(values, dim=-1).values
            quantiles = values * self.scale[:, None] + base[:, :, None]
            forecast = quantiles[:, :, self.central].mean(dim=-1)
            if y_1d:
                return forecast[:, 0], quantiles[:, 0, :]
            return forecast, quantiles

    return Forecast().eval()


@contextlib.contextmanager
def _quiet_exporter():
    """Keep the exporter's notes (deprecations, tracing remarks) off the screen.

    The inputs were checked before the export, and the exported graph is what
    the tests compare with predict: the exporter's remarks say nothing a user
    of this function can act on.
    """
    logger = logging.getLogger("torch.onnx")
    level = logger.level
    logger.setLevel(logging.ERROR)
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            yield
    finally:
        logger.setLevel(level)


def _metadata(model, estimator, window_length):
    import onnx

    levels = estimator._quantile_levels
    entries = {
        "estimator": type(estimator).__name__,
        "n_features": str(estimator.n_features_in_),
        "n_outputs": str(estimator.n_outputs_),
        "window_length": str(window_length),
        "quantile_levels": "" if levels is None else ",".join(map(repr, levels)),
    }
    onnx.helper.set_model_props(model, entries)
    model.doc_string = (
        f"{type(estimator).__name__} forecasts of sklearn_rnn: input 'windows' "
        "float32 (n, window_length, n_features) with full history (no NaN); "
        "output 'forecast' float64, as predict returns it"
        + ("" if levels is None else ", and 'quantiles', as predict_quantiles")
        + "."
    )


def to_onnx(estimator, X, *, opset=None):
    """Export a fitted forecaster to an ONNX model that forecasts as `predict` does.

    The graph holds the network, the input standardization, the baseline and
    the target scaling, and for a quantile forecaster the sorting of the levels
    and the choice of the central one(s): run in onnxruntime on the same windows,
    it gives what ``predict`` gives, to float32 rounding of the network.

    Parameters
    ----------
    estimator : SimpleRNNForecaster, LSTMForecaster or GRUForecaster
        A fitted forecaster (for a pipeline, its last step ``pipe[-1]``; window
        the series rows with ``pipe[:-1].transform(rows)`` before running the
        graph).
    X : array-like of shape (n_samples, window_length, n_features)
        Sample windows without missing values, such as a few training windows
        with full history. Their length becomes the graph's window length (the
        exporter fixes the number of time steps of recurrent layers); the
        number of windows stays free.
    opset : int, default=None
        ONNX opset to write, at least 18; None for the exporter's default.

    Returns
    -------
    model : onnx.ModelProto
        Input ``"windows"``: float32 of shape ``(n, window_length,
        n_features)``, any ``n``, full windows only (a window with NaN, such as
        the left padding of :class:`WindowTransformer`, gives NaN forecasts).
        Output ``"forecast"``: float64, of the shape ``predict`` returns. A
        quantile forecaster has a second output ``"quantiles"``, as
        ``predict_quantiles`` returns them.

    Raises
    ------
    ImportError
        If onnx or onnxscript is missing (the ``onnx`` extra installs them).
    TypeError
        If `estimator` is not one of the forecasters (a Pipeline included).
    sklearn.exceptions.NotFittedError
        If `estimator` is not fitted.
    ValueError
        If `X` is missing or holds NaN or infinite values, or `opset` is
        below 18.

    Examples
    --------
    >>> import numpy as np
    >>> from sklearn_rnn import GRUForecaster, to_onnx
    >>> rng = np.random.default_rng(0)
    >>> windows = rng.normal(size=(64, 5, 2))
    >>> model = GRUForecaster(hidden_size=4, max_epochs=2, random_state=0)
    >>> model = model.fit(windows, windows[:, -1, 0])
    >>> onnx_model = to_onnx(model, windows[:10])
    >>> [output.name for output in onnx_model.graph.output]
    ['forecast']
    """
    _check_estimator(estimator)
    opset = _check_opset(opset)
    _import_exporter()
    import torch

    sample = _sample_windows(estimator, X)
    module = _forecast_module(estimator)
    outputs = ["forecast"]
    if estimator._quantile_levels is not None:
        outputs.append("quantiles")
    # torch.export first, by hand: the ONNX exporter would otherwise fall back
    # to other tracers when it fails, and those may fix the batch size.
    batch = ({0: torch.export.Dim("n_windows", min=1)},)
    with _quiet_exporter(), torch.no_grad():
        program = torch.export.export(
            module, (torch.from_numpy(sample),), dynamic_shapes=batch, strict=False
        )
        program = torch.onnx.export(
            program,
            dynamo=True,
            input_names=["windows"],
            output_names=outputs,
            opset_version=opset,
            verbose=False,
            optimize=True,
        )
    model = program.model_proto
    _metadata(model, estimator, sample.shape[1])
    return model
