"""The semisup reference trainer: a training step (teacher, student, finetune) in PyTorch, DDP across
processes, honouring the trainer contract (docs: trainer/README.md)."""
