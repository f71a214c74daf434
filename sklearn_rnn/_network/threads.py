"""How many torch threads a fit or prediction runs on, and setting them safely."""

import os
import threading
from contextlib import contextmanager

import torch

# Multiply-adds per time step that one more intra-op thread needs to pay off.
_WORK_PER_THREAD = 1 << 25


def thread_count(n_threads, module, batch_size, device):
    """Torch intra-op threads for a fit or prediction of `module`, None for GPUs.

    An explicit `n_threads` is used as it is. Otherwise the count depends on
    the network and the batch alone: one thread per ``_WORK_PER_THREAD``
    multiply-adds per time step (the batch size times the weights), at least
    one and at most the machine's logical cores. It never depends on the
    process's budget (``OMP_NUM_THREADS``, torch's own setting), so a seeded
    fit gives the same bits run alone, in a joblib worker or in a thread: one
    and two threads round differently, by about 1e-6. A recurrent step is a
    chain of small operations, each a parallel region whose threads meet at a
    barrier, so small networks take one thread: a second one gains little on
    free cores and, in a parallel search, competes with the other workers for
    the cores (docs/performance.md).
    """
    if torch.device(device).type != "cpu":
        return None
    if n_threads is not None:
        return int(n_threads)
    weights = sum(p.numel() for p in module.parameters() if p.dim() == 2)
    wanted = max(1, batch_size * weights // _WORK_PER_THREAD)
    return min(os.cpu_count() or 1, wanted)


_THREADS_LOCK = threading.Lock()
_threads_in_use = 0
_threads_before = None


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
