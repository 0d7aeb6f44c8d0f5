package dev.semisup.worker.input;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** Names from the data reach a terminal with their control characters visible, never acted on. */
class PrintableTest {

  @Test
  void escapeSequencesAndControlCharactersAreShownNotSent() {
    assertThat(Printable.of("\u001b]0;pwned\u0007a.png")).isEqualTo("\\x1b]0;pwned\\x07a.png");
    assertThat(Printable.of("a\rb\nc\td.png")).isEqualTo("a\\rb\\nc\\td.png");
    assertThat(Printable.of("\u009b2Jx.png")).isEqualTo("\\u009b2Jx.png");
    assertThat(Printable.of("abc\u202edcba.png")).isEqualTo("abc\\u202edcba.png");
  }

  @Test
  void aNameWithLeadingOrTrailingSpaceIsQuoted() {
    assertThat(Printable.of("s3://bucket/x.png ")).isEqualTo("'s3://bucket/x.png '");
    assertThat(Printable.of("")).isEqualTo("''");
    assertThat(Printable.of("plain/name.png")).isEqualTo("plain/name.png");
  }

  @Test
  void aMessageKeepsItsOwnLineBreaks() {
    assertThat(Printable.message("two problems:\n  a\u001b[2J\n  b")).isEqualTo("two problems:\n  a\\x1b[2J\n  b");
  }
}
