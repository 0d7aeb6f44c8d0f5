"""oneDNN verbose logs of the same training steps, DJL's and PyTorch's (see onednn_split.py), side
by side per primitive and problem (a convolution's shape, stride and pass): ms per step on each
side over all the logs given, the difference, and the implementations each oneDNN picked; the
largest first.

Usage: python3 onednn_compare.py WARMUP_STEPS DJL_LOG[,DJL_LOG...] PYTORCH_LOG[,PYTORCH_LOG...] [ROWS]
"""
import collections
import sys

from onednn_split import primitives


def pooled(logs, warmup):
    """Times summed over several logs (rounds), implementations united, steps counted."""
    times, implementations, steps = collections.defaultdict(float), collections.defaultdict(set), 0
    for log in logs.split(","):
        log_times, log_implementations, log_steps, _ = primitives(log, warmup)
        for key, ms in log_times.items():
            times[key] += ms
            implementations[key] |= log_implementations[key]
        steps += log_steps
    return times, implementations, steps


def main():
    warmup = int(sys.argv[1])
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 20
    djl, djl_impl, djl_steps = pooled(sys.argv[2], warmup)
    peer, peer_impl, peer_steps = pooled(sys.argv[3], warmup)
    keys = sorted(set(djl) | set(peer), key=lambda k: -(djl.get(k, 0) / djl_steps + peer.get(k, 0) / peer_steps))
    print("| primitive | pass | problem | DJL ms/step | PyTorch ms/step | DJL - PyTorch | DJL implementation"
          " | PyTorch implementation |")
    print("| --- | --- | --- | --- | --- | --- | --- | --- |")
    for key in keys[:rows]:
        a, b = djl.get(key, 0) / djl_steps, peer.get(key, 0) / peer_steps
        print(f"| {key[0]} | {key[1]} | `{key[2]}` | {a:.1f} | {b:.1f} | {a - b:+.1f}"
              f" | {' '.join(sorted(djl_impl.get(key, {'-'})))} | {' '.join(sorted(peer_impl.get(key, {'-'})))} |")
    a, b = sum(djl.values()) / djl_steps, sum(peer.values()) / peer_steps
    print(f"| all | | | {a:.1f} | {b:.1f} | {a - b:+.1f} | | |")


if __name__ == "__main__":
    main()
