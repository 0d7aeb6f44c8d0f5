package dev.semisup.worker.train;

import static org.assertj.core.api.Assertions.assertThatCode;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.util.Optional;
import org.junit.jupiter.api.Test;

/** The guard passes every finite loss and stops at NaN or infinity, naming where and at which rate. */
class LossGuardTest {

  @Test
  void finiteLossesPass() {
    assertThatCode(() -> LossGuard.check(2.3f, 1, 1, 0.05)).doesNotThrowAnyException();
    assertThatCode(() -> LossGuard.check(Float.MAX_VALUE, 1, 1, 0.05)).doesNotThrowAnyException();
  }

  @Test
  void nanOrInfiniteLossStopsTrainingNamingEpochBatchAndRate() {
    assertThatThrownBy(() -> LossGuard.check(Float.NaN, 3, 7, 0.5))
        .isInstanceOf(LossGuard.Diverged.class)
        .hasMessage("the training loss became NaN at epoch 3, batch 7 (learning rate 0.5 at that step)");
    assertThatThrownBy(() -> LossGuard.check(Float.POSITIVE_INFINITY, 1, 2, 1e6))
        .isInstanceOf(LossGuard.Diverged.class)
        .hasMessageContaining("Infinity at epoch 1, batch 2");
  }

  @Test
  void aNonFiniteParameterAfterAnEpochStopsTrainingNamingIt() {
    assertThatCode(() -> LossGuard.checkParameters(Optional.empty(), 2, 0.05)).doesNotThrowAnyException();
    assertThatThrownBy(() -> LossGuard.checkParameters(Optional.of("conv1_weight"), 2, 0.05))
        .isInstanceOf(LossGuard.Diverged.class)
        .hasMessage("parameter conv1_weight became NaN or infinite at epoch 2, though every batch loss was finite"
            + " (learning rate 0.05 at its last step)");
  }
}
