package dev.semisup.worker.cli;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.IOException;
import java.net.SocketException;
import org.junit.jupiter.api.Test;

class FailureMessagesTest {

  @Test
  void anIoFailureReadsAsItsMessageWithoutTheJavaType() {
    assertThat(FailureMessages.describe(new SocketException("s3://bucket/pool/shard-3.tar: Connection reset")))
        .isEqualTo("s3://bucket/pool/shard-3.tar: Connection reset");
  }

  @Test
  void aProgramErrorOrAnIoFailureWithoutMessageKeepsItsType() {
    assertThat(FailureMessages.describe(new IllegalStateException("no finetune step in round 2")))
        .isEqualTo("java.lang.IllegalStateException: no finetune step in round 2");
    assertThat(FailureMessages.describe(new IOException())).isEqualTo("java.io.IOException");
  }
}
