"""The process group from the per-process torchrun environment (RANK, LOCAL_RANK, WORLD_SIZE, MASTER_ADDR,
MASTER_PORT): nccl on CUDA, gloo on CPU. Without WORLD_SIZE the trainer runs as one process, no group."""

import datetime
import os

import torch
import torch.distributed as dist

from .errors import BadInput


class Group:

    def __init__(self, rank, local_rank, world_size, device, timeout=None):
        self.rank = rank
        self.local_rank = local_rank
        self.world_size = world_size
        self.device = device
        self.timeout = timeout

    @property
    def distributed(self):
        return self.world_size > 1

    @property
    def leader(self):
        return self.rank == 0

    @staticmethod
    def from_env(env=os.environ):
        try:
            world = int(env.get("WORLD_SIZE", "1"))
            rank = int(env.get("RANK", "0"))
            local_rank = int(env.get("LOCAL_RANK", "0"))
            timeout = datetime.timedelta(seconds=int(env.get("SEMISUP_TRAINER_TIMEOUT_SECONDS", "1800")))
        except ValueError as e:
            raise BadInput(f"RANK, LOCAL_RANK, WORLD_SIZE and SEMISUP_TRAINER_TIMEOUT_SECONDS must be integers ({e})") from e
        if world < 1 or not 0 <= rank < world:
            raise BadInput(f"RANK {rank} outside 0..{world - 1} (WORLD_SIZE {world})")
        wants_cpu = env.get("SEMISUP_TRAINER_DEVICE") == "cpu"
        if torch.cuda.is_available() and not wants_cpu:
            torch.cuda.set_device(local_rank)
            device = torch.device("cuda", local_rank)
        else:
            device = torch.device("cpu")
        if world > 1:
            for name in ("MASTER_ADDR", "MASTER_PORT"):
                if not env.get(name):
                    raise BadInput(f"{name}: missing (WORLD_SIZE is {world}; the torchrun environment sets it)")
            dist.init_process_group("nccl" if device.type == "cuda" else "gloo", init_method="env://",
                                    rank=rank, world_size=world, timeout=timeout)
        return Group(rank, local_rank, world, device, timeout)

    def subgroup(self):
        """Another group of every rank (gloo), with the same timeout: collectives that must not interleave
        with the default group's."""
        return dist.new_group(backend="gloo", timeout=self.timeout)

    def barrier(self):
        if self.distributed:
            dist.barrier()

    def broadcast(self, value):
        """rank 0's value, on every rank."""
        if not self.distributed:
            return value
        box = [value]
        dist.broadcast_object_list(box, src=0)
        return box[0]

    def sum(self, value):
        """The sum of a float over the ranks (float64 on the wire)."""
        if not self.distributed:
            return float(value)
        t = torch.tensor([float(value)], dtype=torch.float64, device=self.device)
        dist.all_reduce(t)
        return float(t.item())

    def close(self):
        if self.distributed and dist.is_initialized():
            dist.destroy_process_group()
