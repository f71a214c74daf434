"""How many torch threads a fit or prediction runs on, and setting them safely."""

import os
import threading
from contextlib import contextmanager

import torch

# Multiply-adds per time step that one more intra-op thread needs to pay off.
_WORK_PER_THREAD = 1 << 25


def thread_count(n_threads, module, batch_size, device):
    """Torch intra-op threads for a fit or prediction of `module`, None for GPUs.

    An explicit `n_threads` is used as it is. Otherwise the budget is what
    joblib grants a worker through OMP_NUM_THREADS (torch reads it only when it
    starts), else torch's own setting, and a network takes one thread per
    ``_WORK_PER_THREAD`` multiply-adds per time step (the batch size times its
    weights), at least one. A recurrent step is a chain of small operations,
    each a parallel region whose threads meet at a barrier: on free cores a
    second thread speeds a small network up by 1.0x-1.9x, on cores busy with
    other work every barrier waits for a descheduled thread, and the same step
    was measured up to hundreds of times slower (docs/performance.md). One
    thread also makes a small fit bit-identical whatever the core count,
    ``n_jobs`` or load.
    """
    if torch.device(device).type != "cpu":
        return None
    if n_threads is not None:
        return int(n_threads)
    budget = os.environ.get("OMP_NUM_THREADS", "")
    budget = int(budget) if budget.isdigit() and int(budget) > 0 else _user_threads()
    weights = sum(p.numel() for p in module.parameters() if p.dim() == 2)
    return min(budget, max(1, batch_size * weights // _WORK_PER_THREAD))


_THREADS_LOCK = threading.Lock()
_threads_in_use = 0
_threads_before = None


def _user_threads():
    """The caller's torch thread setting, also while another fit has changed it."""
    with _THREADS_LOCK:
        return _threads_before if _threads_in_use else torch.get_num_threads()


@contextmanager
def torch_threads(count):
    """Run the block on `count` torch threads; give the caller's setting back after.

    The setting is process-wide: fits running at once in several Python threads
    share it, and the caller's value comes back when the last of them ends.
    None leaves the setting alone.
    """
    global _threads_in_use, _threads_before
    if count is None:
        yield
        return
    with _THREADS_LOCK:
        if not _threads_in_use:
            _threads_before = torch.get_num_threads()
        _threads_in_use += 1
        if torch.get_num_threads() != count:
            torch.set_num_threads(count)
    try:
        yield
    finally:
        with _THREADS_LOCK:
            _threads_in_use -= 1
            if not _threads_in_use and torch.get_num_threads() != _threads_before:
                torch.set_num_threads(_threads_before)
