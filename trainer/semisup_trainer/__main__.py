"""python3 -m semisup_trainer <step-id>: one training step under the trainer contract. Exit 0 done, 2 bad input
(not retried), anything else retried by restarting the whole group."""

import io
import logging
import os
import sys
import traceback

import torch

from . import data as datasets
from . import djl_parameters, models
from . import spec as specs
from .distributed import Group
from .errors import EXIT_BAD_INPUT, BadInput
from .store import open_run_store
from .training import Trainer

LOG = logging.getLogger("semisup_trainer")


def training_set(run, step, store):
    if step.stage == "student":
        if run.mixes_labeled:
            raise BadInput("spec.sampling.mixLabeled: not supported by the torch-ddp trainer; train the student "
                           "with engine djl, or set mixLabeled false")
        return datasets.PackedShards(store, step.folder("packed"), run.data, run.soft_targets)
    return datasets.read_idx(run.data.labeled, run.data, store.blobs)


def starting_state(step, store, network):
    """The fine-tune starts from its round's student: the TorchScript model.pt a torch-ddp student wrote, or the
    model.params (the worker's parameter stream) a djl student wrote, read into the same network."""
    if step.stage != "finetune":
        return None
    student = step.folder("student")
    key = student + "/model.pt"
    if store.exists(key):
        module = torch.jit.load(io.BytesIO(store.get(key)), map_location="cpu")
        state = {k: v for k, v in module.state_dict().items()}
        try:
            network().load_state_dict(state)
        except RuntimeError as e:
            raise BadInput(f"{step.id}: {store.uri(key)} is not a spec.student.architecture network for spec.data's geometry "
                           f"({str(e).splitlines()[0]})") from e
        return state
    key = student + "/model.params"
    if not store.exists(key):
        raise BadInput(f"{step.id}: no student model at {store.uri(student)} (model.pt or model.params): "
                       "run the student step first")
    try:
        return djl_parameters.state_dict(store.get(key), network(), store.uri(key))
    except djl_parameters.NotParameters as e:
        raise BadInput(f"{step.id}: {e}: the student and the fine-tune need spec.student's architecture and "
                       "spec.data's geometry") from e


def run(step_id, env):
    step = specs.Step.parse(step_id)
    run_spec = specs.load(env)
    recipe = run_spec.recipe(step)
    if run_spec.data.validation is None:
        raise BadInput("spec.data.validation: missing (a training step reports its validation accuracy)")
    store = open_run_store(run_spec.storage, env)
    if store.exists(step.folder() + "/_SUCCESS"):
        LOG.info("%s: already done (%s exists)", step.id, store.uri(step.folder() + "/_SUCCESS"))
        return
    group = Group.from_env(env)
    try:
        examples = training_set(run_spec, step, store)
        validation = (datasets.read_idx(run_spec.data.validation, run_spec.data, store.blobs, per_class=False)
                      if group.leader else None)
        data = run_spec.data
        start = starting_state(step, store, lambda: models.build(recipe.architecture, data.channels, data.image_size,
                                                                 data.classes, recipe.noise))
        LOG.info("%s: rank %d of %d on %s: %s on %d examples for %d epochs", step.id, group.rank, group.world_size,
                 group.device, recipe.architecture, len(examples), recipe.training.epochs)
        Trainer(run_spec, step, recipe, store, group, examples, validation, start,
                env.get("SEMISUP_TRAINER_PRECISION", "auto")).fit()
    finally:
        group.close()


def main(argv):
    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(levelname)s rank " + os.environ.get("RANK", "0")
                        + " %(message)s", stream=sys.stderr)
    if len(argv) != 1:
        print("usage: python3 -m semisup_trainer <step-id>  (teacher, student, finetune, or -rN of them)",
              file=sys.stderr)
        return EXIT_BAD_INPUT
    try:
        run(argv[0], os.environ)
        return 0
    except BadInput as e:
        print(f"semisup-trainer: {e}", file=sys.stderr)
        return EXIT_BAD_INPUT
    except Exception:
        traceback.print_exc()
        return 1


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
