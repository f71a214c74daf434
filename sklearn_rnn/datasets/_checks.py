"""Parameter checks shared by the data set loaders."""

import numpy as np


def check_bool(value, name, function):
    """Raise a TypeError unless `value` is a bool (numpy's bool included).

    Truthy stand-ins such as ``"no"``, ``1`` or ``None`` are refused: ``"no"``
    is truthy, so accepting it would do the opposite of what was asked.
    """
    if not isinstance(value, bool | np.bool_):
        raise TypeError(
            f"The {name!r} parameter of {function} must be a bool (True or "
            f"False). Got {value!r} of type {type(value).__name__} instead. "
            f"Pass {name}=True or {name}=False."
        )
