package dev.semisup.worker.data.formats;

import static dev.semisup.worker.data.DataFiles.cls;
import static dev.semisup.worker.data.DataFiles.encode;
import static dev.semisup.worker.data.DataFiles.rgb;
import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import dev.semisup.api.UserFixableError;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.decode.ImageGeometry;
import dev.semisup.worker.data.pipeline.DecodeSettings;
import dev.semisup.worker.store.Blobs;
import dev.semisup.worker.store.ObjectChangedException;
import dev.semisup.worker.store.RangedReadAhead;
import dev.semisup.worker.store.ReadAheadSettings;
import dev.semisup.worker.store.S3Blobs;
import dev.semisup.worker.store.S3Endpoint;
import dev.semisup.worker.store.S3ObjectStore;
import dev.semisup.worker.store.S3TestServer;
import dev.semisup.worker.store.StoreRetry;
import java.io.ByteArrayOutputStream;
import java.io.IOException;
import java.io.InputStream;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.concurrent.ConcurrentHashMap;
import java.util.function.LongPredicate;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.Timeout;

/**
 * A tar pool on a real S3 server (S3Proxy) read with ranges fetched ahead of the tar reader
 * against the same pool read one stream per file: the same images, ordinals and order, every
 * pool byte moved once, and a store that stops mid-pass or a pass closed early handled.
 */
class TarReadAheadTest {

  private static final ImageGeometry RGB8 = new ImageGeometry(3, 8);
  private static final DecodeSettings TWO_THREADS = new DecodeSettings(2, 16);
  private static final String POOL = "pool/";

  private static S3TestServer s3;
  private static S3ObjectStore store;
  private static StoreBlobs blobs;
  private static long poolBytes;

  @BeforeAll
  static void startServerWithPool() throws Exception {
    s3 = S3TestServer.start();
    store = new S3ObjectStore(s3.endpointClient(), s3.bucket());
    blobs = new StoreBlobs(store, new S3Blobs(s3.endpointClient()));
    Random random = new Random(27);
    int image = 0;
    for (int file = 0; file < 3; file++) {
      byte[] tar = tar(random, image, 40 + 13 * file);
      image += 40 + 13 * file;
      store.put(POOL + "shard-" + file + ".tar", tar);
      poolBytes += tar.length;
    }
  }

  @AfterAll
  static void stopServer() throws Exception {
    s3.close();
  }

  /**
   * Samples {@code first..first+count-1}: a PNG, a .cls, and a .json of a random length that
   * moves every later member's header to another offset, so ranges cut headers and data anywhere.
   */
  private static byte[] tar(Random random, int first, int count) throws IOException {
    ByteArrayOutputStream bytes = new ByteArrayOutputStream();
    try (TarArchiveOutputStream tar = new TarArchiveOutputStream(bytes)) {
      for (int i = first; i < first + count; i++) {
        byte[] padding = new byte[random.nextInt(3000)];
        random.nextBytes(padding);
        member(tar, "s" + i + ".json", padding);
        member(tar, "s" + i + ".png", encode(rgb(i, 8, 8), "png"));
        member(tar, "s" + i + ".cls", cls(i % 10));
      }
    }
    return bytes.toByteArray();
  }

  private static void member(TarArchiveOutputStream tar, String name, byte[] content) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(content.length);
    tar.putArchiveEntry(entry);
    tar.write(content);
    tar.closeArchiveEntry();
  }

  private static TarShardSource source(Blobs from, ReadAheadSettings reading) {
    return new TarShardSource(from, poolUri(), true, false, RGB8, Long.MAX_VALUE, TWO_THREADS).readingAhead(reading);
  }

  private static String poolUri() {
    return "s3://" + s3.bucket() + "/" + POOL;
  }

  /** What a consumer sees of each image: ordinal, key (file, member, byte range), label and pixels. */
  private static List<String> seen(ImageStream stream) throws IOException {
    List<String> seen = new ArrayList<>();
    try (stream) {
      for (ImageRecord image = stream.next(); image != null; image = stream.next()) {
        seen.add(image.ordinal() + " " + image.key() + " " + image.label() + " " + Arrays.toString(image.pixels()));
      }
    }
    return seen;
  }

  @Test
  @Timeout(120)
  void rangesThatCutMembersAndHeadersGiveTheSequentialPassAndMoveEachPoolByteOnce() throws IOException {
    long before = store.bytesRead();
    List<String> sequential = seen(source(blobs, ReadAheadSettings.sequential()).open(ordinal -> true));
    assertThat(sequential).hasSize(40 + 53 + 66);
    assertThat(store.bytesRead() - before).as("one stream per file moves the pool once").isEqualTo(poolBytes);

    // 512 is a tar record, 1000 and 4097 cut records and headers anywhere, 1 MiB holds a whole file.
    for (ReadAheadSettings reading : List.of(new ReadAheadSettings(2, 512), new ReadAheadSettings(3, 1000),
        new ReadAheadSettings(4, 4097), new ReadAheadSettings(8, 1 << 20))) {
      blobs.opens.clear();
      long start = store.bytesRead();
      assertThat(seen(source(blobs, reading).open(ordinal -> true))).as("read ahead by %s", reading)
          .isEqualTo(sequential);
      assertThat(store.bytesRead() - start).as("pool bytes moved by %s", reading).isEqualTo(poolBytes);
      assertThat(blobs.opens.keySet()).as("ranged reads only").allMatch(open -> open.startsWith("range "));
    }
  }

  @Test
  @Timeout(120)
  void aShardsSliceOfTheManifestReadsAheadToTheSameImages() throws IOException {
    List<PoolManifest.PoolFile> slice = new ArrayList<>();
    List<String> files = blobs.list(poolUri());
    for (int file = 1; file < files.size(); file++) {
      slice.add(new PoolManifest.PoolFile(file, files.get(file), blobs.size(files.get(file))));
    }
    LongPredicate odd = ordinal -> ordinal % 2 == 1;
    List<String> sequential = seen(source(blobs, ReadAheadSettings.sequential()).open(null, slice, odd));
    List<String> ahead = seen(source(blobs, new ReadAheadSettings(4, 1500)).open(null, slice, odd));

    assertThat(ahead).isEqualTo(sequential);
    assertThat(ahead).hasSize(26 + 33).allMatch(image -> !image.contains("shard-0.tar"));
  }

  @Test
  @Timeout(120)
  void readAheadOfOneOpensEachFileOnceAsOneStreamAsBefore() throws IOException {
    blobs.opens.clear();
    List<String> images = seen(source(blobs, new ReadAheadSettings(1, 4096)).open(ordinal -> true));

    assertThat(images).hasSize(40 + 53 + 66);
    assertThat(blobs.opens).containsOnlyKeys("whole " + poolUri() + "shard-0.tar", "whole " + poolUri() + "shard-1.tar",
        "whole " + poolUri() + "shard-2.tar").allSatisfy((open, count) -> assertThat(count).isEqualTo(1));
  }

  @Test
  @Timeout(120)
  void closingAPassEarlyStopsItsFetchesAndLeavesNoThread() throws Exception {
    ReadAheadSettings reading = new ReadAheadSettings(3, 32 << 10);
    long bound = (3L + 1) * (32 << 10);
    assertThat(poolBytes).as("a pool the bound tells from a whole pass").isGreaterThan(4 * bound);
    long before = store.bytesRead();
    try (ImageStream stream = source(blobs, reading).open(ordinal -> true)) {
      assertThat(stream.next()).isNotNull();
      assertThat(readAheadThreads()).as("fetch threads while the pass reads").isNotEmpty();
    }

    assertThat(readAheadThreads()).as("threads left by a closed pass").isEmpty();
    // The first image lies in the first range: at most (ranges + 1) x range size were ever fetched or held.
    assertThat(store.bytesRead() - before).isPositive().isLessThanOrEqualTo(bound);
  }

  @Test
  @Timeout(120)
  void aPassCutShortByItsLimitLeavesNoThread() throws Exception {
    TarShardSource firstFive = new TarShardSource(blobs, poolUri(), true, false, RGB8, 5, TWO_THREADS)
        .readingAhead(new ReadAheadSettings(4, 2048));

    assertThat(seen(firstFive.open(ordinal -> true))).hasSize(5);
    assertThat(readAheadThreads()).isEmpty();
  }

  @Test
  @Timeout(120)
  void anObjectThatChangedSinceItWasListedFailsNamingIt() throws IOException {
    String file = blobs.list(poolUri()).get(0);
    long size = blobs.size(file);
    for (long listed : new long[] {size - 10, size + 10}) {
      TarShardSource source = source(blobs, new ReadAheadSettings(3, 4096));
      List<PoolManifest.PoolFile> wrong = List.of(new PoolManifest.PoolFile(0, file, listed));

      // The user's to fix (exit 2): the Job would fail the same way at every retry.
      assertThatThrownBy(() -> seen(source.open(null, wrong, ordinal -> true))).isInstanceOf(ObjectChangedException.class)
          .isInstanceOf(UserFixableError.class).hasMessageContaining(file)
          .hasMessageContaining(listed + " bytes listed for it").hasMessageContaining("put the object back");
      assertThat(readAheadThreads()).isEmpty();
    }
  }

  /**
   * The S3 server stopped for real while a pass reads ahead: the fetches go through the store's
   * retry layer (one second's budget here), then the pass fails naming the file and the offset.
   */
  @Test
  @Timeout(120)
  void aStoreStoppedMidPassFailsThePassNamingTheFileAndOffset() throws Exception {
    S3TestServer stopping = S3TestServer.start();
    boolean stopped = false;
    String file;
    try (S3Endpoint endpoint = S3Endpoint.connect(stopping.endpoint(), S3TestServer.REGION, S3TestServer.ACCESS_KEY,
        S3TestServer.SECRET_KEY, new StoreRetry(Duration.ofSeconds(1)))) {
      S3ObjectStore pool = new S3ObjectStore(endpoint, stopping.bucket());
      Random random = new Random(5);
      for (int shard = 0; shard < 2; shard++) {
        pool.put(POOL + "shard-" + shard + ".tar", tar(random, shard * 400, 400));
      }
      StoreBlobs poolBlobs = new StoreBlobs(pool, new S3Blobs(endpoint));
      String uri = "s3://" + stopping.bucket() + "/" + POOL;
      file = uri + "shard-0.tar";
      TarShardSource source = new TarShardSource(poolBlobs, uri, true, false, RGB8, Long.MAX_VALUE, TWO_THREADS)
          .readingAhead(new ReadAheadSettings(2, 8192));

      try (ImageStream stream = source.open(ordinal -> true)) {
        assertThat(stream.next()).isNotNull();
        stopping.close();
        stopped = true;
        assertThatThrownBy(() -> {
          while (stream.next() != null) {
            // read on into the stopped store
          }
        }).isInstanceOf(IOException.class).hasMessageContaining(file).hasMessageContaining("at offset");
      }
    } finally {
      if (!stopped) {
        stopping.close();
      }
    }
    assertThat(readAheadThreads()).isEmpty();
  }

  private static List<String> readAheadThreads() {
    return Thread.getAllStackTraces().keySet().stream().filter(Thread::isAlive).map(Thread::getName)
        .filter(name -> name.startsWith(RangedReadAhead.THREAD_PREFIX)).toList();
  }

  /**
   * The pool's objects read through the run's store, so {@link S3ObjectStore#bytesRead} counts
   * every body byte a pass moves (resumed reads included); each open is tallied by kind.
   */
  private static final class StoreBlobs implements Blobs {
    final Map<String, Integer> opens = new ConcurrentHashMap<>();
    private final S3ObjectStore store;
    private final S3Blobs listing;

    StoreBlobs(S3ObjectStore store, S3Blobs listing) {
      this.store = store;
      this.listing = listing;
    }

    @Override
    public InputStream open(String uri) throws IOException {
      opens.merge("whole " + uri, 1, Integer::sum);
      return store.open(key(uri));
    }

    @Override
    public InputStream openRange(String uri, long offset, long length) throws IOException {
      opens.merge("range " + uri, 1, Integer::sum);
      return store.openRange(key(uri), offset, length);
    }

    @Override
    public List<String> list(String folderUri) throws IOException {
      return listing.list(folderUri);
    }

    @Override
    public long size(String uri) throws IOException {
      return listing.size(uri);
    }

    @Override
    public boolean remote(String uri) {
      return listing.remote(uri);
    }

    private String key(String uri) {
      String bucketPrefix = "s3://" + store.bucket() + "/";
      assertThat(uri).startsWith(bucketPrefix);
      return uri.substring(bucketPrefix.length());
    }
  }
}
