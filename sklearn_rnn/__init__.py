"""scikit-learn compatible recurrent-network forecasters built on PyTorch.

Importing this package is cheap: PyTorch and skorch are imported only when a
forecaster is fitted or unpickled.
"""

from ._calendar import CalendarFeatures
from ._conformal import ConformalForecaster
from ._forecasters import GRUForecaster, LSTMForecaster, SimpleRNNForecaster
from ._onnx import to_onnx
from ._skops import skops_trusted_types
from ._supervised import make_supervised
from ._window import ShortHistoryWarning, WindowTransformer

__version__ = "0.1.0.dev0"

__all__ = [
    "CalendarFeatures",
    "ConformalForecaster",
    "GRUForecaster",
    "LSTMForecaster",
    "ShortHistoryWarning",
    "SimpleRNNForecaster",
    "WindowTransformer",
    "make_supervised",
    "skops_trusted_types",
    "to_onnx",
    "__version__",
]
