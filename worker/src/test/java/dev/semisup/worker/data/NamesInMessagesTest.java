package dev.semisup.worker.data;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.formats.TarShardSource;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** A member name is the archive author's bytes: in a message for a person its escape sequences are shown, not sent. */
class NamesInMessagesTest {

  @TempDir
  Path dir;

  @Test
  void aBrokenImageOfALabeledShardIsNamedWithItsControlCharactersEscaped() throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("\u001b[2J\u001b[31mred.png", new byte[] {1, 2, 3});
    members.put("\u001b[2J\u001b[31mred.cls", DataFiles.cls(0));
    Path shard = DataFiles.tar(dir.resolve("set/shard-0.tar"), members);
    TarShardSource labeled = new TarShardSource(new TestFileBlobs(), TestFileBlobs.uri(shard), true, false,
        new ImageGeometry(3, 8), Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(labeled))
        .isInstanceOf(BadDataException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b")
            .contains("member \\x1b[2J\\x1b[31mred: corrupt image"));
  }

  @Test
  void aLabelThatIsNoNumberIsQuotedWithItsControlCharactersEscaped() throws Exception {
    Map<String, byte[]> members = new LinkedHashMap<>();
    members.put("\u001b]0;owned\u0007a.png", new byte[] {1, 2, 3});
    members.put("\u001b]0;owned\u0007a.cls", "seven\u001b[2J".getBytes(java.nio.charset.StandardCharsets.UTF_8));
    Path shard = DataFiles.tar(dir.resolve("set/shard-0.tar"), members);
    TarShardSource labeled = new TarShardSource(new TestFileBlobs(), TestFileBlobs.uri(shard), true, false,
        new ImageGeometry(3, 8), Long.MAX_VALUE);

    assertThatThrownBy(() -> Passes.readAll(labeled))
        .isInstanceOf(BadDataException.class)
        .satisfies(e -> assertThat(e.getMessage()).doesNotContain("\u001b").doesNotContain("\u0007")
            .contains("member \\x1b]0;owned\\x07a.cls holds 'seven\\x1b[2J', not a class number"));
  }
}
