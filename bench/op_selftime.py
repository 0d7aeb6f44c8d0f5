"""Two Chrome traces of the same training steps (TrainingStepProfile.java's and
peer_training_profile.py's) side by side: each operator's self time (its time less that of the
operators it called) in ms per step, the largest first, and the sums.

Usage: python3 op_selftime.py DJL_TRACE PYTORCH_TRACE STEPS [ROWS]
"""
import collections
import json
import sys


def self_times(trace):
    with open(trace) as file:
        loaded = json.load(file)
    events = [e for e in (loaded["traceEvents"] if isinstance(loaded, dict) else loaded)
              if e.get("ph") == "X" and "dur" in e]
    by_thread = collections.defaultdict(list)
    for event in events:
        by_thread[(event.get("pid"), event.get("tid"))].append(event)
    times, calls = collections.defaultdict(float), collections.Counter()
    for thread in by_thread.values():
        thread.sort(key=lambda e: (float(e["ts"]), -float(e["dur"])))
        open_events = []  # (start, duration, name) of the events enclosing the current one
        for event in thread:
            start, duration = float(event["ts"]), float(event["dur"])
            while open_events and open_events[-1][0] + open_events[-1][1] <= start:
                open_events.pop()
            if open_events:
                times[open_events[-1][2]] -= duration
            times[event["name"]] += duration
            calls[event["name"]] += 1
            open_events.append((start, duration, event["name"]))
    return times, calls


def main():
    djl, peer, steps = self_times(sys.argv[1]), self_times(sys.argv[2]), float(sys.argv[3])
    rows = int(sys.argv[4]) if len(sys.argv) > 4 else 25
    names = sorted(set(djl[0]) | set(peer[0]), key=lambda n: -max(djl[0].get(n, 0), peer[0].get(n, 0)))
    print(f"| operator (self time) | DJL ms/step | DJL calls/step | PyTorch ms/step | PyTorch calls/step |")
    print("| --- | --- | --- | --- | --- |")
    for name in names[:rows]:
        print(f"| `{name}` | {djl[0].get(name, 0) / 1000 / steps:.1f} | {djl[1].get(name, 0) / steps:.0f}"
              f" | {peer[0].get(name, 0) / 1000 / steps:.1f} | {peer[1].get(name, 0) / steps:.0f} |")
    print(f"| all operators | {sum(djl[0].values()) / 1000 / steps:.1f} | | {sum(peer[0].values()) / 1000 / steps:.1f} | |")


if __name__ == "__main__":
    main()
