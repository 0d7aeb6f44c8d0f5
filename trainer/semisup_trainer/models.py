"""The worker's networks (worker model/Architectures, ResidualBlock) in PyTorch, layer for layer: cnn-small and
cnn-large for 28-32 px images, resnet18/50 after He et al. with a 3x3 stem when images are at most 64 px.
Convolutions have no bias; batch-norm epsilon 1e-5 and momentum 0.1 (DJL's 0.9 on the running value)."""

import torch
from torch import nn
import torch.distributed as dist
from torch.distributed.nn.functional import all_reduce as differentiable_all_reduce

BATCH_NORM_EPSILON = 1e-5

# The process group batch-norm statistics are summed over (set by the trainer on CPU); None: the default group.
STATISTICS_GROUP = None


class GlobalBatchNorm(nn.BatchNorm2d):
    """Batch-norm whose training statistics are those of the GLOBAL batch, over every rank: a 2-rank run then
    computes what a 1-rank run with the same global batch computes. On CUDA it is replaced by torch's
    SyncBatchNorm (NCCL); this path serves CPU (gloo), where torch 1.13's SyncBatchNorm does not run.
    Statistics in two passes (mean, then squared deviations), the same arithmetic for any world size."""

    def forward(self, x):
        if not self.training or x.is_cuda:
            return super().forward(x)
        distributed = dist.is_available() and dist.is_initialized() and dist.get_world_size() > 1
        dims = (0, 2, 3)
        count = torch.tensor([float(x.shape[0] * x.shape[2] * x.shape[3])])
        x = x.float()
        group = STATISTICS_GROUP or dist.group.WORLD
        total = x.sum(dims)
        if distributed:
            total = differentiable_all_reduce(total, group=group)
            dist.all_reduce(count, group=group)
        mean = total / count
        centred = x - mean.view(1, -1, 1, 1)
        squares = (centred * centred).sum(dims)
        if distributed:
            squares = differentiable_all_reduce(squares, group=group)
        variance = squares / count
        with torch.no_grad():
            n = count.item()
            self.running_mean.mul_(1 - self.momentum).add_(self.momentum * mean.detach())
            self.running_var.mul_(1 - self.momentum).add_(self.momentum * variance.detach() * n / max(n - 1, 1))
            self.num_batches_tracked.add_(1)
        scale = torch.rsqrt(variance + self.eps) * self.weight
        return centred * scale.view(1, -1, 1, 1) + self.bias.view(1, -1, 1, 1)


def batch_norm(width):
    return GlobalBatchNorm(width, eps=BATCH_NORM_EPSILON)


def conv(in_width, out_width, kernel, stride, padding):
    return nn.Conv2d(in_width, out_width, kernel, stride=stride, padding=padding, bias=False)


def conv_bn_relu(in_width, out_width):
    return nn.Sequential(conv(in_width, out_width, 3, 1, 1), batch_norm(out_width), nn.ReLU(inplace=True))


class ResidualBlock(nn.Module):
    """relu(branch(x) + shortcut(x)) with stochastic depth as the worker's: while training the whole branch is
    dropped with probability p for the batch (one draw, from torch's generator, which the trainer seeds per
    step, so every rank drops the same blocks); at inference the branch is scaled by 1 - p."""

    def __init__(self, branch, shortcut, drop_probability):
        super().__init__()
        self.branch = branch
        self.shortcut = shortcut
        self.drop_probability = float(drop_probability)

    def forward(self, x):
        identity = self.shortcut(x)
        if self.training and self.drop_probability > 0 and float(torch.rand(1)) < self.drop_probability:
            return torch.relu(identity)
        residual = self.branch(x)
        if not self.training and self.drop_probability > 0:
            residual = residual * (1.0 - self.drop_probability)
        return torch.relu(residual + identity)


def basic_branch(in_width, width, stride):
    return nn.Sequential(conv(in_width, width, 3, stride, 1), batch_norm(width), nn.ReLU(inplace=True),
                         conv(width, width, 3, 1, 1), batch_norm(width))


def bottleneck_branch(in_width, width, stride):
    return nn.Sequential(conv(in_width, width, 1, 1, 0), batch_norm(width), nn.ReLU(inplace=True),
                         conv(width, width, 3, stride, 1), batch_norm(width), nn.ReLU(inplace=True),
                         conv(width, width * 4, 1, 1, 0), batch_norm(width * 4))


def head(layers, width, classes, dropout):
    layers += [nn.AdaptiveAvgPool2d(1), nn.Flatten()]
    if dropout > 0:
        layers.append(nn.Dropout(dropout))
    layers.append(nn.Linear(width, classes))
    return nn.Sequential(*layers)


def cnn(channels, classes, noise, widths, residual):
    layers = []
    in_width = channels
    for stage, width in enumerate(widths):
        layers.append(conv_bn_relu(in_width, width))
        if residual:
            drop = noise.stochastic_depth * (stage + 1) / len(widths)
            layers.append(ResidualBlock(basic_branch(width, width, 1), nn.Identity(), drop))
        if stage < len(widths) - 1:
            layers.append(nn.MaxPool2d(2))
        in_width = width
    return head(layers, in_width, classes, noise.dropout)


def resnet(channels, size, classes, noise, blocks, bottleneck):
    if size <= 64:
        layers = [conv_bn_relu(channels, 64)]
    else:
        layers = [conv(channels, 64, 7, 2, 3), batch_norm(64), nn.ReLU(inplace=True), nn.MaxPool2d(3, 2, 1)]
    total = sum(blocks)
    index = 0
    in_width = 64
    for stage, count in enumerate(blocks):
        width = 64 << stage
        out_width = width * 4 if bottleneck else width
        for b in range(count):
            stride = 2 if stage > 0 and b == 0 else 1
            index += 1
            drop = noise.stochastic_depth * index / total
            branch = bottleneck_branch(in_width, width, stride) if bottleneck else basic_branch(in_width, width, stride)
            shortcut = nn.Identity() if stride == 1 and in_width == out_width \
                else nn.Sequential(conv(in_width, out_width, 1, stride, 0), batch_norm(out_width))
            layers.append(ResidualBlock(branch, shortcut, drop))
            in_width = out_width
    return head(layers, in_width, classes, noise.dropout)


def build(architecture, channels, size, classes, noise):
    if architecture == "cnn-small":
        return cnn(channels, classes, noise, (32, 64, 128), False)
    if architecture == "cnn-large":
        return cnn(channels, classes, noise, (64, 128, 256), True)
    if architecture == "resnet18":
        return resnet(channels, size, classes, noise, (2, 2, 2, 2), False)
    if architecture == "resnet50":
        return resnet(channels, size, classes, noise, (3, 4, 6, 3), True)
    raise ValueError(f"unknown architecture '{architecture}'")
