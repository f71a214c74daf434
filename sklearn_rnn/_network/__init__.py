"""Everything torch and skorch: the network, its training, prediction and state.

The estimators in :mod:`sklearn_rnn._forecasters` hand this package plain
arrays and settings and get plain results back; only this package imports torch
or skorch, and only when a forecaster is fitted, used or unpickled.

* :mod:`.modules`: the recurrent regressor and the memory estimate;
* :mod:`.training`: skorch's loop from public hooks, with an explicit stop reason;
* :mod:`.callbacks`: early stopping, divergence, stop records, the user's checked;
* :mod:`.inference`: batched prediction;
* :mod:`.state`: module and optimizer state as plain arrays and back;
* :mod:`.threads`: how many torch threads, set and restored safely;
* :mod:`.progress`: the verbose per-epoch line.
"""

from .callbacks import check_callbacks
from .inference import predict_windows
from .modules import check_memory
from .state import callbacks_without_torch, module_from_arrays, module_to_arrays
from .training import (
    TrainingSpec,
    fit_network,
    optimizer_class,
    resolve_device,
)

__all__ = [
    "TrainingSpec",
    "callbacks_without_torch",
    "check_callbacks",
    "check_memory",
    "fit_network",
    "module_from_arrays",
    "module_to_arrays",
    "optimizer_class",
    "predict_windows",
    "resolve_device",
]
