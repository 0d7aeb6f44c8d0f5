"""The trainer's own checkpoints in the step's checkpoints/ folder: model, optimizer (momentum), grad scaler,
the position in the epoch (batches done) with the epoch's loss so far, and the RNG states. Keys sort in
training order, as ObjectLayout's do ("epoch-0002.pt" < "epoch-0002.step-000000500.pt" < "epoch-0003.pt"),
so the last key listed is the newest. Rank 0 writes; each write is whole or absent (the store's puts are)."""

import io

import torch

FORMAT = "semisup-trainer-checkpoint/v1"
KEPT = 2


class Checkpoints:

    def __init__(self, store, step_folder):
        self.store = store
        self.prefix = step_folder + "/checkpoints/"

    def key(self, epochs_done, batches):
        name = f"epoch-{epochs_done:04d}.pt" if batches == 0 else f"epoch-{epochs_done:04d}.step-{batches:09d}.pt"
        return self.prefix + name

    def keys(self):
        return [k for k in self.store.list(self.prefix + "epoch-") if k.endswith(".pt")]

    def newest(self, group):
        """The newest checkpoint's key as rank 0 sees it, the same on every rank; None for a fresh step."""
        keys = self.keys() if group.leader else None
        return group.broadcast(keys[-1] if keys else None)

    def load(self, key):
        state = torch.load(io.BytesIO(self.store.get(key)), map_location="cpu")
        if state.get("format") != FORMAT:
            raise RuntimeError(f"{self.store.uri(key)}: not a {FORMAT} checkpoint")
        return state

    def save(self, state):
        buffer = io.BytesIO()
        torch.save(dict(state, format=FORMAT), buffer)
        key = self.key(state["epochsDone"], state["batches"])
        self.store.put(key, buffer.getvalue())
        for old in self.keys()[:-KEPT]:
            self.store.delete(old)
        return key
