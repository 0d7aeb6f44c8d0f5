package dev.semisup.worker.stages.infer;

import dev.semisup.worker.data.formats.PoolManifest;
import dev.semisup.worker.stages.StageContext;
import java.io.IOException;
import java.time.Duration;
import java.time.Instant;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The run's pool manifest (tar and folder pools), listed exactly once: shard 0 of round 1's first infer lists the pool
 * and writes {@code pool/manifest.tsv}; every other shard (and every later round) reads it,
 * waiting for it if shard 0 has not written it yet. No other shard ever lists the pool. The write
 * is a plain all-or-nothing put of content that depends only on the pool, so a shard 0 that
 * restarts and lists again writes the same bytes.
 */
public final class PoolManifests {

  private static final Logger LOG = LoggerFactory.getLogger(PoolManifests.class);

  /** How long a shard waits for shard 0's manifest before failing (its pod is then retried). */
  static final Duration WAIT = Duration.ofMinutes(30);
  private static final long POLL_MILLIS = 2000;

  private PoolManifests() {
  }

  public static PoolManifest obtain(StageContext context) throws IOException {
    String key = context.layout().poolManifest();
    if (context.store().exists(key)) {
      return read(context, key);
    }
    if (context.shard() == 0) {
      long started = System.nanoTime();
      PoolManifest manifest = PoolManifest.list(context.spec().getData().getUnlabeled(), context.blobs());
      context.store().put(key, manifest.toBytes());
      LOG.info("listed the pool {}: {} files, {} bytes, in {} ms; manifest at {}", manifest.uri(),
          manifest.files().size(), manifest.totalBytes(), (System.nanoTime() - started) / 1_000_000,
          context.store().uri(key));
      return manifest;
    }
    Instant deadline = context.clock().instant().plus(WAIT);
    LOG.info("waiting for shard 0 to list the pool into {}", context.store().uri(key));
    while (!context.store().exists(key)) {
      if (context.clock().instant().isAfter(deadline)) {
        throw new IOException("shard " + context.shard() + ": no pool manifest at " + context.store().uri(key)
            + " after " + WAIT.toMinutes() + " minutes: shard 0 lists the pool; see its log");
      }
      try {
        Thread.sleep(POLL_MILLIS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IOException("interrupted while waiting for the pool manifest", e);
      }
    }
    return read(context, key);
  }

  private static PoolManifest read(StageContext context, String key) throws IOException {
    PoolManifest manifest = PoolManifest.parse(context.store().get(key), context.store().uri(key));
    String uri = context.spec().getData().getUnlabeled().getUri();
    if (!manifest.uri().equals(uri) || manifest.format() != context.spec().getData().getUnlabeled().getFormat()) {
      throw new IOException(context.store().uri(key) + " lists " + manifest.uri() + " (" + manifest.format()
          + "), but spec.data.unlabeled is " + uri + ": this prefix belongs to another pool");
    }
    return manifest;
  }
}
