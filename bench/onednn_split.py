"""Splits a training step's time into oneDNN's primitives and everything else, from a oneDNN verbose
log (ONEDNN_VERBOSE=1 / DNNL_VERBOSE=1: one line per primitive executed, with its time) and the
step line TrainingStepPhases.java or peer_training_step.py printed at the end of the same log.

Usage: python3 onednn_split.py LOG WARMUP_STEPS
A step starts at the forward convolution of the network's first layer (one input channel); the
first WARMUP_STEPS steps are left out, as the step line leaves them out.
"""
import collections
import sys


def primitives(log, warmup):
    """(ms per (primitive, propagation, problem) summed over the timed steps, the implementations
    seen per key, the number of timed steps, the step line's key=values)."""
    times, implementations = collections.defaultdict(float), collections.defaultdict(set)
    step = -1
    step_line = None
    for line in open(log, errors="replace"):
        if line.startswith("engine="):
            step_line = line.strip()
        fields = line.strip().split(",")
        if not line.startswith(("onednn_verbose", "dnnl_verbose")) or "exec" not in fields[:4]:
            continue
        # oneDNN 3.x: onednn_verbose,v1,primitive,exec,cpu,PRIMITIVE,IMPL,PROP,...; 2.x: onednn_verbose,exec,cpu,...
        at = fields.index("exec")
        primitive, implementation, prop = fields[at + 2], fields[at + 3], fields[at + 4]
        problem, ms = fields[-2], float(fields[-1])
        if primitive == "convolution" and prop == "forward_training" and "_ic1oc" in problem:
            step += 1
        if step >= warmup:
            times[(primitive, prop, problem)] += ms
            implementations[(primitive, prop, problem)].add(implementation)
    values = dict(pair.split("=") for pair in step_line.split()) if step_line else {}
    return times, implementations, step - warmup + 1, values


def main():
    times, _, timed, values = primitives(sys.argv[1], int(sys.argv[2]))
    per_kind = collections.defaultdict(float)
    for (primitive, prop, _), total in times.items():
        per_kind[f"{primitive} {prop}"] += total
    step_ms = float(values.get("step_ms", "nan"))
    inside = sum(per_kind.values()) / timed
    print(f"{values.get('engine', '?')}: {timed} steps; step {step_ms:.1f} ms = oneDNN {inside:.1f} ms"
          f" + outside oneDNN {step_ms - inside:.1f} ms")
    for kind, total in sorted(per_kind.items(), key=lambda item: -item[1]):
        print(f"  {kind:<40} {total / timed:8.1f} ms")


if __name__ == "__main__":
    main()
