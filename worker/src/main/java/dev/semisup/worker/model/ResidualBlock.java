package dev.semisup.worker.model;

import ai.djl.ndarray.NDArray;
import ai.djl.ndarray.NDList;
import ai.djl.ndarray.NDManager;
import ai.djl.ndarray.types.DataType;
import ai.djl.ndarray.types.Shape;
import ai.djl.nn.AbstractBlock;
import ai.djl.nn.Block;
import ai.djl.training.ParameterStore;
import ai.djl.util.PairList;

/**
 * relu(branch(x) + shortcut(x)), with stochastic depth: while training, the branch is dropped
 * with probability {@code dropProbability} (the block becomes its shortcut); at inference the
 * branch is scaled by its survival probability, as in Huang et al. 2016.
 */
public final class ResidualBlock extends AbstractBlock {

  private static final byte VERSION = 1;

  private final Block branch;
  private final Block shortcut;
  private final float dropProbability;

  public ResidualBlock(Block branch, Block shortcut, float dropProbability) {
    super(VERSION);
    this.branch = addChildBlock("branch", branch);
    this.shortcut = addChildBlock("shortcut", shortcut);
    this.dropProbability = dropProbability;
  }

  Block branch() {
    return branch;
  }

  Block shortcut() {
    return shortcut;
  }

  /** The same block (its drop probability) around other parts: the inference copy's folded ones. */
  ResidualBlock withParts(Block otherBranch, Block otherShortcut) {
    return new ResidualBlock(otherBranch, otherShortcut, dropProbability);
  }

  @Override
  protected NDList forwardInternal(ParameterStore store, NDList inputs, boolean training, PairList<String, Object> params) {
    NDArray identity = shortcut.forward(store, inputs, training, params).singletonOrThrow();
    if (training && dropProbability > 0 && skipBranch(identity.getManager())) {
      return new NDList(identity.getNDArrayInternal().relu());
    }
    NDArray residual = branch.forward(store, inputs, training, params).singletonOrThrow();
    if (!training && dropProbability > 0) {
      residual = residual.mul(1f - dropProbability);
    }
    return new NDList(residual.add(identity).getNDArrayInternal().relu());
  }

  private boolean skipBranch(NDManager manager) {
    // Drawn from the engine's generator so a seeded run drops the same blocks again.
    try (NDArray draw = manager.randomUniform(0f, 1f, new Shape(1))) {
      return draw.getFloat(0) < dropProbability;
    }
  }

  @Override
  public Shape[] getOutputShapes(Shape[] inputShapes) {
    return branch.getOutputShapes(inputShapes);
  }

  @Override
  protected void initializeChildBlocks(NDManager manager, DataType dataType, Shape... inputShapes) {
    branch.initialize(manager, dataType, inputShapes);
    shortcut.initialize(manager, dataType, inputShapes);
  }
}
