package dev.semisup.worker.data.pipeline;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.io.IOException;
import java.util.ArrayList;
import java.util.List;
import java.util.Set;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.stream.Collectors;
import org.junit.jupiter.api.Test;

class OrderedDecodingTest {

  /** Reads 0..count-1; {@code failAt} throws instead of returning that item (-1: never). */
  static final class Items implements OrderedDecoding.Reader<Integer> {
    final int count;
    final int failAt;
    final AtomicInteger read = new AtomicInteger();

    Items(int count, int failAt) {
      this.count = count;
      this.failAt = failAt;
    }

    @Override
    public Integer next() throws IOException {
      int item = read.get();
      if (item == failAt) {
        throw new IOException("shard.tar: truncated at item " + item);
      }
      if (item >= count) {
        return null;
      }
      read.incrementAndGet();
      return item;
    }
  }

  /** Decodes i to 7i after a delay that varies with i, so decodes finish out of order; {@code corrupt} fail. */
  static OrderedDecoding.Decoder<Integer, Integer> slowDecoder(Set<Integer> corrupt) {
    return item -> {
      sleep((item * 7919) % 5);
      if (corrupt.contains(item)) {
        throw new IOException("image " + item + " is corrupt");
      }
      return item * 7;
    };
  }

  static List<String> drain(OrderedDecoding<Integer, Integer> pipeline) throws IOException {
    List<String> seen = new ArrayList<>();
    for (var outcome = pipeline.next(); outcome != null; outcome = pipeline.next()) {
      seen.add(outcome.item() + "=" + (outcome.failed() ? outcome.failure().getMessage() : outcome.value()));
    }
    return seen;
  }

  /** Live decode threads that were not in {@code before}. */
  static Set<String> newDecodeThreads(Set<Thread> before) {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(OrderedDecoding.THREAD_PREFIX))
        .filter(thread -> thread.isAlive() && !before.contains(thread))
        .map(Thread::getName)
        .collect(Collectors.toSet());
  }

  static Set<Thread> decodeThreads() {
    return Thread.getAllStackTraces().keySet().stream()
        .filter(thread -> thread.getName().startsWith(OrderedDecoding.THREAD_PREFIX))
        .collect(Collectors.toSet());
  }

  @Test
  void theOutcomesComeInReadOrderWhateverTheThreadCount() throws IOException {
    Set<Integer> corrupt = Set.of(50, 51, 120);
    List<String> expected = new ArrayList<>();
    for (int i = 0; i < 200; i++) {
      expected.add(i + "=" + (corrupt.contains(i) ? "image " + i + " is corrupt" : i * 7));
    }
    for (int threads : new int[] {1, 2, 4}) {
      try (OrderedDecoding<Integer, Integer> pipeline =
               new OrderedDecoding<>(new Items(200, -1), slowDecoder(corrupt), new DecodeSettings(threads, 16))) {
        assertThat(drain(pipeline)).as("%d threads", threads).isEqualTo(expected);
      }
    }
  }

  @Test
  void aSlowConsumerNeverHasMoreThanTheWindowReadOrDecodedAheadOfIt() throws IOException {
    int window = 8;
    AtomicInteger decoded = new AtomicInteger();
    AtomicInteger consumed = new AtomicInteger();
    AtomicInteger mostDecodedAhead = new AtomicInteger();
    OrderedDecoding.Decoder<Integer, Integer> counting = item -> {
      int ahead = decoded.incrementAndGet() - consumed.get();
      mostDecodedAhead.accumulateAndGet(ahead, Math::max);
      return item;
    };
    Items items = new Items(120, -1);
    int mostReadAhead = 0;
    try (OrderedDecoding<Integer, Integer> pipeline = new OrderedDecoding<>(items, counting, new DecodeSettings(4, window))) {
      for (var outcome = pipeline.next(); outcome != null; outcome = pipeline.next()) {
        mostReadAhead = Math.max(mostReadAhead, items.read.get() - consumed.get());
        assertThat(pipeline.inFlight()).isLessThan(window);
        consumed.incrementAndGet();
        sleep(2); // a model slower than the decoders
      }
    }
    assertThat(consumed.get()).isEqualTo(120);
    assertThat(mostReadAhead).as("read ahead of the consumer").isEqualTo(window);
    assertThat(mostDecodedAhead.get()).as("decoded but not yet consumed").isLessThanOrEqualTo(window).isGreaterThan(1);
  }

  @Test
  void aPassThatWantsOneItemReadsOneItem() throws IOException {
    Items items = new Items(1000, -1);
    try (OrderedDecoding<Integer, Integer> pipeline = new OrderedDecoding<>(items, item -> item, new DecodeSettings(4, 256))) {
      assertThat(pipeline.next().value()).isZero();
    }
    assertThat(items.read.get()).isEqualTo(1);
  }

  @Test
  void aReadFailureComesAfterTheItemsReadBeforeItAndEndsTheThreads() throws IOException {
    Set<Thread> before = decodeThreads();
    Items items = new Items(100, 30);
    OrderedDecoding<Integer, Integer> pipeline = new OrderedDecoding<>(items, slowDecoder(Set.of()), new DecodeSettings(4, 16));
    for (int i = 0; i < 30; i++) {
      assertThat(pipeline.next().value()).isEqualTo(i * 7);
    }
    assertThatThrownBy(pipeline::next).isInstanceOf(IOException.class).hasMessage("shard.tar: truncated at item 30");
    assertThat(newDecodeThreads(before)).as("threads left after a failure, before close").isEmpty();
    assertThatThrownBy(pipeline::next).isInstanceOf(IllegalStateException.class);
    pipeline.close();
  }

  @Test
  void aDecodeThatThrowsAnythingButAnIOExceptionFailsThePassAtItsPlaceAndEndsTheThreads() throws IOException {
    Set<Thread> before = decodeThreads();
    OrderedDecoding.Decoder<Integer, Integer> buggy = item -> {
      if (item == 5) {
        throw new IllegalStateException("a bug at item 5");
      }
      return item;
    };
    OrderedDecoding<Integer, Integer> pipeline = new OrderedDecoding<>(new Items(100, -1), buggy, new DecodeSettings(3, 16));
    for (int i = 0; i < 5; i++) {
      assertThat(pipeline.next().value()).isEqualTo(i);
    }
    assertThatThrownBy(pipeline::next).isInstanceOf(IllegalStateException.class).hasMessage("a bug at item 5");
    assertThat(newDecodeThreads(before)).isEmpty();
    pipeline.close();
  }

  @Test
  void noDecodeThreadOutlivesClose() throws IOException {
    Set<Thread> before = decodeThreads();
    OrderedDecoding<Integer, Integer> pipeline =
        new OrderedDecoding<>(new Items(10_000, -1), slowDecoder(Set.of()), new DecodeSettings(4, 64));
    for (int i = 0; i < 100; i++) {
      pipeline.next();
    }
    assertThat(newDecodeThreads(before)).as("the pass decodes on its own threads").hasSize(4);
    pipeline.close();
    assertThat(newDecodeThreads(before)).isEmpty();
    assertThatThrownBy(pipeline::next).isInstanceOf(IllegalStateException.class);
  }

  @Test
  void theEnvironmentSetsThreadsAndWindowAndABadValueNamesItsVariable() {
    DecodeSettings defaults = DecodeSettings.fromEnvironment(java.util.Map.of());
    assertThat(defaults.threads()).isEqualTo(Runtime.getRuntime().availableProcessors());
    assertThat(defaults.window()).isEqualTo(DecodeSettings.DEFAULT_WINDOW);
    assertThat(DecodeSettings.fromEnvironment(java.util.Map.of("SEMISUP_DECODE_THREADS", "3", "SEMISUP_DECODE_WINDOW", "512")))
        .isEqualTo(new DecodeSettings(3, 512));
    assertThatThrownBy(() -> DecodeSettings.fromEnvironment(java.util.Map.of("SEMISUP_DECODE_THREADS", "0")))
        .isInstanceOf(dev.semisup.worker.input.InvalidSettingException.class)
        .hasMessageStartingWith("SEMISUP_DECODE_THREADS: must be a whole number in 1..");
    assertThatThrownBy(() -> DecodeSettings.fromEnvironment(java.util.Map.of("SEMISUP_DECODE_WINDOW", "lots")))
        .isInstanceOf(dev.semisup.worker.input.InvalidSettingException.class)
        .hasMessageContaining("SEMISUP_DECODE_WINDOW").hasMessageContaining("'lots'");
  }

  static void sleep(long millis) {
    try {
      Thread.sleep(millis);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IllegalStateException(e);
    }
  }
}
