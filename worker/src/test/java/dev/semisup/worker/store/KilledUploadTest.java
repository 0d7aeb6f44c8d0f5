package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;

import java.io.BufferedReader;
import java.io.InputStreamReader;
import java.nio.charset.StandardCharsets;
import java.nio.file.Path;
import java.util.List;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A worker process killed with SIGKILL in the middle of a multipart upload to the real S3 server
 * leaves no object and no _SUCCESS: nothing a later step or a restarted pod could take for done.
 */
class KilledUploadTest {

  static final String KEY = "runs/ml/killed/teacher/model.params";
  static final String SUCCESS = "runs/ml/killed/teacher/_SUCCESS";

  @Test
  @Timeout(120)
  void aWorkerKilledMidUploadLeavesNothingThatLooksDone() throws Exception {
    try (S3TestServer s3 = S3TestServer.start()) {
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      Process worker = new ProcessBuilder(java, "-Xmx256m", "-cp", System.getProperty("java.class.path"),
          UploadUntilKilled.class.getName(), s3.endpoint(), s3.bucket())
          .redirectErrorStream(true).start();
      try (BufferedReader out = new BufferedReader(new InputStreamReader(worker.getInputStream(),
          StandardCharsets.UTF_8))) {
        // The child says so once parts of the object have reached the server.
        String line;
        do {
          line = out.readLine();
        } while (line != null && !line.startsWith(UploadUntilKilled.STREAMING));
        assertThat(line).as("the child's output before it exited").isNotNull();
        assertThat(s3.openMultipartUploads(s3.bucket())).as("an upload under way").isEqualTo(1);

        worker.destroyForcibly(); // SIGKILL on Linux: no shutdown hook, no abort
        assertThat(worker.waitFor(30, TimeUnit.SECONDS)).isTrue();
        assertThat(worker.exitValue()).isEqualTo(137);
      }
      ObjectStore store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
      assertThat(store.exists(KEY)).isFalse();
      assertThat(store.exists(SUCCESS)).isFalse();
      assertThat(store.list("runs/ml/killed/")).isEqualTo(List.of());
    }
  }

  /** The worker side: streams an endless model file, then would write _SUCCESS. */
  public static final class UploadUntilKilled {

    static final String STREAMING = "STREAMING";

    public static void main(String[] args) throws Exception {
      S3Endpoint endpoint = S3Endpoint.connect(args[0], S3TestServer.REGION, S3TestServer.ACCESS_KEY,
          S3TestServer.SECRET_KEY, StoreRetry.fromEnv(System.getenv()));
      // 5 MiB parts (the S3 minimum), so parts go out early.
      S3ObjectStore store = new S3ObjectStore(endpoint, args[1], 5L << 20);
      store.write(KEY, out -> {
        byte[] chunk = new byte[1 << 20];
        for (long written = 0; ; written += chunk.length) {
          out.write(chunk);
          if (written == 12L << 20) {
            System.out.println(STREAMING);
            System.out.flush();
          }
        }
      });
      store.putString(SUCCESS, "");
    }
  }
}
