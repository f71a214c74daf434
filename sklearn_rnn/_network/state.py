"""Module and optimizer state as plain arrays and back (pickle, skops, warm start).

A fitted forecaster keeps no torch object in its pickled state: the network's
weights and the optimizer's moments travel as NumPy arrays, lists, dicts and
numbers, so that ``skops.io`` can load them with only the library's own types
to trust, and a network trained on a GPU loads where there is none.
"""

import copy

import numpy as np
import torch

from .modules import RecurrentRegressor


def module_to_arrays(module):
    """The module's state dict as NumPy arrays (on the CPU)."""
    return {
        key: value.detach().cpu().numpy() for key, value in module.state_dict().items()
    }


def module_from_arrays(config, arrays, device):
    """A :class:`RecurrentRegressor` of `config` with the weights in `arrays`.

    Returns the module, in eval mode, and the device it landed on: "cpu" when
    `device` is a GPU that this machine does not have.
    """
    if device.startswith("cuda") and not torch.cuda.is_available():
        device = "cpu"
    with torch.device("meta"):
        module = RecurrentRegressor(**config)
    module.to_empty(device=device)
    module.load_state_dict({k: torch.from_numpy(v) for k, v in arrays.items()})
    for layer in module.layers:
        layer.flatten_parameters()
    return module.eval(), device


def optimizer_state_to_arrays(state):
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


def optimizer_state_from_arrays(state):
    """The inverse of :func:`optimizer_state_to_arrays`, for ``load_state_dict``."""

    def back(value):
        return (
            torch.from_numpy(value.copy()) if isinstance(value, np.ndarray) else value
        )

    groups = []
    for group in state["param_groups"]:
        group = dict(group)
        if isinstance(group.get("betas"), list):
            group["betas"] = tuple(group["betas"])
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


def callbacks_without_torch(callbacks):
    """Copies of fitted callbacks with their live torch objects set to None.

    After training, a callback may still hold the optimizer, a learning-rate
    scheduler or tensors (skorch's ``LRScheduler`` does); those belong to a
    training run that is over, and neither pickle nor skops can store them
    faithfully. Everything else the callback recorded is kept.
    """
    cleaned = []
    for name, callback in callbacks:
        callback = copy.copy(callback)
        for attribute, value in vars(callback).items():
            if _is_torch_object(value):
                setattr(callback, attribute, None)
        cleaned.append((name, callback))
    return cleaned


def _is_torch_object(value):
    kind = value if isinstance(value, type) else type(value)
    return kind.__module__.split(".")[0] == "torch"
