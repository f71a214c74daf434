"""What the first ``torch.optim.Adam`` of a process costs, against a second.

Prints the seconds of both constructions; run by the cold-start section.
"""

import time

import torch


def main():
    params = [torch.nn.Parameter(torch.zeros(3))]
    start = time.perf_counter()
    torch.optim.Adam(params)
    first = time.perf_counter() - start
    start = time.perf_counter()
    torch.optim.Adam(params)
    print(first, time.perf_counter() - start)


if __name__ == "__main__":
    main()
