package dev.semisup.worker.stages.pack;

import com.fasterxml.jackson.databind.ObjectMapper;
import dev.semisup.api.plan.PlannedStep;
import dev.semisup.api.plan.Stage;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import dev.semisup.worker.data.DataSources;
import dev.semisup.worker.data.ImageRecord;
import dev.semisup.worker.data.ImageRef;
import dev.semisup.worker.data.ImageStream;
import dev.semisup.worker.data.packed.SampledImages;
import dev.semisup.worker.data.packed.TrainingReadyImages;
import dev.semisup.worker.data.packed.TrainingReadyImages.Packed;
import dev.semisup.worker.progress.ProgressReporter;
import dev.semisup.worker.sampling.Candidate;
import dev.semisup.worker.sampling.SampledIndex;
import dev.semisup.worker.stages.StageContext;
import dev.semisup.worker.stages.StageTask;
import java.io.IOException;
import java.io.InputStream;
import java.nio.charset.StandardCharsets;
import java.util.ArrayDeque;
import java.util.Arrays;
import java.util.HashMap;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ExecutionException;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.Future;
import org.apache.commons.compress.archivers.tar.TarArchiveEntry;
import org.apache.commons.compress.archivers.tar.TarArchiveOutputStream;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The pack step, one shard: writes its share of the sampled index's entries, in the run's
 * shuffled order, as a WebDataset-style tar ({@code packed/shard-SSSSS-of-NNNNN.tar}), so the
 * student streams the sampled images instead of re-reading the pool. For each entry at packed
 * position p (basename {@code %010d}, global across shards), in this order:
 * <ul>
 *   <li>{@code p.jpg|png}: the pool image made training-ready ({@link TrainingReadyImages}):
 *       shrunk to {@code spec.sampling.packShortSide} and re-encoded where it is larger, else the
 *       pool's original bytes (tar and folder pools, fetched by a ranged read of the member), or
 *       for idx/cifar pools the image as lossless 8-bit PNG; the extension names the format;
 *   <li>{@code p.cls}: the pseudo-label, ASCII decimal, no newline;
 *   <li>{@code p.json}: {@code {"ref", "score", "classes", "probabilities"}}, the teacher's top-P.
 * </ul>
 * An image kept under several classes is packed once per entry, as the paper trains on it. The
 * order is shuffled with the student's training seed. Entries whose image no longer decodes are
 * skipped and counted (their positions stay unused): {@code skippedImages} in the shard's progress file.
 *
 * <p>A ranged GET is latency-bound (tens of milliseconds for 110 KB), so {@link #IN_FLIGHT} fetches
 * run ahead of the writer, which still writes in packed order: memory is that many images.
 */
public final class PackStage implements StageTask {

  private static final Logger LOG = LoggerFactory.getLogger(PackStage.class);
  private static final ObjectMapper JSON = new ObjectMapper();
  static final int IN_FLIGHT = 16;

  @Override
  public void run(StageContext context) throws IOException {
    SemiSupervisedRunSpec spec = context.spec();
    PlannedStep step = context.step();
    PlannedStep select = context.plan().sibling(step, Stage.SELECT);
    if (!context.store().exists(context.layout().success(select))) {
      throw new IOException(select.id() + " has not finished: no " + context.store().uri(context.layout().success(select)));
    }
    long entries = JSON.readTree(context.store().get(context.layout().indexSummary(select))).get("entries").asLong();
    if (entries > Integer.MAX_VALUE - 8) {
      throw new IOException(select.id() + ": " + entries + " entries; pack orders at most 2^31 per round");
    }
    long seed = spec.getStudent().getTraining() == null || spec.getStudent().getTraining().getSeed() == null
        ? 1L : spec.getStudent().getTraining().getSeed();
    int[] order = PackedOrder.shuffled((int) entries, seed);
    long[] wanted = PackedOrder.entriesOf(order, context.shard(), step.shards());
    order = null; // 4 bytes per entry of the whole index: let it go before the images come in
    long first = PackedOrder.first(entries, context.shard(), step.shards());
    Candidate[] mine = entriesAt(context, select, wanted, first);

    SampledImages images = new SampledImages(context.blobs());
    TrainingReadyImages ready = TrainingReadyImages.of(spec);
    Map<Long, Packed> records = records(context, mine, ready);
    ProgressReporter progress = context.progress();
    long started = System.nanoTime();
    long[] written = new long[1];
    long[] missingRecords = new long[1];
    long[] imageBytes = new long[1];
    try (AheadFetches fetches = new AheadFetches(mine, images, records, ready)) {
      context.store().write(context.layout().packedShard(step, context.shard()), out -> {
        TarArchiveOutputStream tar = new TarArchiveOutputStream(out);
        tar.setLongFileMode(TarArchiveOutputStream.LONGFILE_POSIX);
        for (int i = 0; i < mine.length; i++) {
          Candidate entry = mine[i];
          ImageRef ref = ImageRef.parse(entry.key());
          Packed image = fetches.next();
          if (image == null) {
            // A record that did not decode was counted by the pool's reader; a tar member or image file, by SampledImages.
            missingRecords[0] += SampledImages.fetchable(ref) ? 0 : 1;
            continue;
          }
          String base = String.format("%010d", first + i);
          member(tar, base + "." + image.extension(), image.bytes());
          imageBytes[0] += image.bytes().length;
          member(tar, base + ".cls", Integer.toString(entry.pseudoLabel()).getBytes(StandardCharsets.US_ASCII));
          member(tar, base + ".json", JSON.writeValueAsBytes(metadata(entry)));
          written[0]++;
          if (written[0] % 256 == 0) {
            progress.images(written[0], mine.length, written[0] / Math.max((System.nanoTime() - started) / 1e9, 1e-9), null);
          }
        }
        tar.finish();
        tar.flush();
      });
    }
    long skipped = images.skipped() + missingRecords[0];
    progress.skippedImages(skipped);
    progress.finish(written[0], mine.length, written[0] / Math.max((System.nanoTime() - started) / 1e9, 1e-9));
    LOG.info("{} shard {}/{}: packed {} of {} entries (positions {}..{}), {} bytes of pool images read, {} bytes of "
        + "images written (short side {}), {} unreadable, skipped", step.id(), context.shard(), step.shards(),
        written[0], mine.length, first, first + mine.length - 1, images.bytesRead(), imageBytes[0],
        ready.keepsOriginals() ? "original" : ready.shortSide(), skipped);
  }

  /** This shard's entries by packed position, found in one forward pass over the index parts. */
  private static Candidate[] entriesAt(StageContext context, PlannedStep select, long[] wanted, long first)
      throws IOException {
    Candidate[] mine = new Candidate[wanted.length];
    List<String> parts = context.store().list(context.layout().folder(select) + "/part-");
    int next = 0;
    long entry = 0;
    for (String part : parts) {
      try (InputStream in = context.store().open(part);
           SampledIndex.Reader reader = new SampledIndex.Reader(in, context.store().uri(part))) {
        for (Candidate candidate = reader.next(); candidate != null && next < wanted.length; candidate = reader.next()) {
          if (entry == wanted[next] >>> 32) {
            mine[(int) ((wanted[next] & 0xffffffffL) - first)] = candidate;
            next++;
          }
          entry++;
        }
      }
    }
    if (next < wanted.length) {
      throw new IOException(select.id() + ": the index holds fewer entries than its summary says (" + entry + ")");
    }
    return mine;
  }

  /**
   * Images of single-file pools (idx, cifar) have no bytes of their own: one pass over the pool
   * decodes the wanted records, kept encoded (PNG unless shrunk; such pools are small by nature).
   */
  private static Map<Long, Packed> records(StageContext context, Candidate[] mine, TrainingReadyImages ready)
      throws IOException {
    long[] ordinals = Arrays.stream(mine).filter(c -> !SampledImages.fetchable(ImageRef.parse(c.key())))
        .mapToLong(Candidate::ordinal).sorted().distinct().toArray();
    Map<Long, Packed> packed = new HashMap<>();
    if (ordinals.length == 0) {
      return packed;
    }
    try (ImageStream pool = DataSources.pool(context.spec().getData(), context.blobs())
        .open(ordinal -> Arrays.binarySearch(ordinals, ordinal) >= 0)) {
      for (ImageRecord image = pool.next(); image != null; image = pool.next()) {
        packed.put(image.ordinal(), ready.ofRecord(image));
      }
    }
    return packed;
  }

  /**
   * The entries' images in packed order, with up to {@link #IN_FLIGHT} fetches (and resizes)
   * running ahead of the writer (records of idx/cifar pools are already in memory).
   */
  private static final class AheadFetches implements AutoCloseable {
    private final Candidate[] entries;
    private final SampledImages images;
    private final Map<Long, Packed> records;
    private final TrainingReadyImages ready;
    private final ExecutorService fetchers = Executors.newFixedThreadPool(IN_FLIGHT, runnable -> {
      Thread thread = new Thread(runnable, "pack-fetch");
      thread.setDaemon(true);
      return thread;
    });
    private final ArrayDeque<Future<Packed>> ahead = new ArrayDeque<>();
    private int submitted;
    private int taken;

    AheadFetches(Candidate[] entries, SampledImages images, Map<Long, Packed> records, TrainingReadyImages ready) {
      this.entries = entries;
      this.images = images;
      this.records = records;
      this.ready = ready;
    }

    /** The next entry's image, null when it does not decode; a failed fetch fails with its own exception. */
    Packed next() throws IOException {
      while (submitted < entries.length && submitted < taken + IN_FLIGHT) {
        Candidate entry = entries[submitted++];
        ImageRef ref = ImageRef.parse(entry.key());
        ahead.add(SampledImages.fetchable(ref)
            ? fetchers.submit(() -> images.fetch(ref, ref.extension().equals("png") ? "png" : "jpg", ready))
            : CompletableFuture.completedFuture(records.get(entry.ordinal())));
      }
      ImageRef ref = ImageRef.parse(entries[taken++].key());
      try {
        return ahead.poll().get();
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while fetching " + ref, e);
      } catch (ExecutionException e) {
        if (e.getCause() instanceof IOException io) {
          throw io;
        }
        throw new IOException("fetching " + ref + " failed: " + e.getCause(), e.getCause());
      }
    }

    @Override
    public void close() {
      fetchers.shutdownNow();
    }
  }

  private static Map<String, Object> metadata(Candidate entry) {
    Map<String, Object> json = new LinkedHashMap<>();
    json.put("ref", entry.key());
    json.put("score", entry.score());
    json.put("classes", entry.classes());
    json.put("probabilities", entry.probabilities());
    return json;
  }

  private static void member(TarArchiveOutputStream tar, String name, byte[] bytes) throws IOException {
    TarArchiveEntry entry = new TarArchiveEntry(name);
    entry.setSize(bytes.length);
    entry.setModTime(0);
    tar.putArchiveEntry(entry);
    tar.write(bytes);
    tar.closeArchiveEntry();
  }
}
