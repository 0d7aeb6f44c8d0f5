package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/** A store nobody listens at fails fast, saying which endpoint and bucket it tried. */
class S3UnreachableTest {

  @Test
  @Timeout(5)
  void closedPortGivesAClearErrorQuickly() throws IOException {
    String endpoint = "http://127.0.0.1:" + closedPort();
    try (S3Endpoint nobody = S3Endpoint.connect(endpoint, "us-east-1", "access", "secret")) {
      S3ObjectStore store = new S3ObjectStore(nobody, "semisup");

      assertThatThrownBy(store::checkReachable)
          .isInstanceOf(IOException.class)
          .hasMessage("object store " + endpoint + " (bucket semisup) is unreachable:"
              + " Connection refused");
      assertThatThrownBy(() -> store.open("runs/r1/spec.json"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(endpoint)
          .hasMessageContaining("s3://semisup/runs/r1/spec.json");
      assertThatThrownBy(() -> new S3Blobs(nobody).list("s3://data/images/"))
          .isInstanceOf(IOException.class)
          .hasMessageContaining(endpoint)
          .hasMessageContaining("s3://data/images/");
    }
  }

  /** A small object goes as one PUT at close(); MinIO's SDK takes some seconds to give up on it. */
  @Test
  @Timeout(15)
  void streamToAClosedPortFailsWithoutHanging() throws IOException {
    String endpoint = "http://127.0.0.1:" + closedPort();
    try (S3Endpoint nobody = S3Endpoint.connect(endpoint, "us-east-1", "access", "secret")) {
      var out = new S3ObjectStore(nobody, "semisup").create("teacher/model.params");
      out.write(new byte[100]);

      assertThatThrownBy(out::close).isInstanceOf(IOException.class)
          .hasMessageContaining(endpoint)
          .hasMessageContaining("s3://semisup/teacher/model.params");
    }
  }

  /** A port that was free a moment ago; nothing listens there now. */
  private static int closedPort() throws IOException {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      return socket.getLocalPort();
    }
  }
}
