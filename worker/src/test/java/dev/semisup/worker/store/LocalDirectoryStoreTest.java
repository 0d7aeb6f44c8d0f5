package dev.semisup.worker.store;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.io.OutputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.BeforeEach;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class LocalDirectoryStoreTest extends ObjectStoreContract {

  @TempDir
  Path temp;
  private LocalDirectoryStore store;

  @BeforeEach
  void newStore() {
    store = new LocalDirectoryStore(temp.resolve("store"));
  }

  @Override
  ObjectStore store() {
    return store;
  }

  @Test
  void keyIsAFileUnderTheRoot() throws IOException {
    store.putString("runs/r1/teacher/metrics.json", "{}");

    Path file = temp.resolve("store/runs/r1/teacher/metrics.json");
    assertThat(file).hasContent("{}");
    assertThat(store.uri("runs/r1/teacher/metrics.json"))
        .isEqualTo(file.toUri().toString())
        .startsWith("file:///");
  }

  @Test
  void unfinishedStreamIsATemporaryFileThatIsNeverListed() throws IOException {
    OutputStream out = store.create("index/part-00000.bin");
    out.write(new byte[1000]);
    out.flush();

    try (var files = Files.list(temp.resolve("store/index"))) {
      assertThat(files.map(f -> f.getFileName().toString()))
          .singleElement().asString().startsWith(".partial-");
    }
    assertThat(store.list("")).isEmpty();

    out.close();
    try (var files = Files.list(temp.resolve("store/index"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("part-00000.bin");
    }
  }

  @Test
  void failedWriteLeavesNoTemporaryFile() throws IOException {
    store.putString("student/metrics.json", "{}");
    try {
      store.write("student/model.params", out -> {
        out.write(new byte[100_000]);
        throw new IOException("serializer failed");
      });
    } catch (IOException expected) {
      // the contract test checks the exception; here only the leftovers matter
    }

    try (var files = Files.list(temp.resolve("store/student"))) {
      assertThat(files.map(f -> f.getFileName().toString())).containsExactly("metrics.json");
    }
  }

  @Test
  void checkReachableCreatesTheDirectoryAndNamesAFileInTheWay() throws IOException {
    store.checkReachable();
    assertThat(temp.resolve("store")).isDirectory();

    Files.writeString(temp.resolve("file"), "not a directory");
    LocalDirectoryStore blocked = new LocalDirectoryStore(temp.resolve("file"));
    assertThatThrownBy(blocked::checkReachable)
        .isInstanceOf(IOException.class)
        .hasMessageContaining(temp.resolve("file").toString());
  }

  @Test
  void writesAfterCloseAreRefused() throws IOException {
    OutputStream out = store.create("a");
    out.close();
    assertThatThrownBy(() -> out.write(1))
        .isInstanceOf(IOException.class)
        .hasMessageContaining("/a");
  }
}
