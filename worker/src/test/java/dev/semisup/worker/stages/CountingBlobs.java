package dev.semisup.worker.stages;

import dev.semisup.worker.store.Blobs;
import java.io.FilterInputStream;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.atomic.AtomicLong;

/**
 * Blobs that count what a step reads: opens and listings per URI, and bytes; optionally failing
 * (as a killed pod would stop) when a given number of pool files have been opened.
 */
public final class CountingBlobs implements Blobs {

  private final Blobs blobs;
  private final String countedPrefix;
  private final Map<String, Integer> opens = new ConcurrentHashMap<>();
  private final Map<String, Integer> listings = new ConcurrentHashMap<>();
  private final AtomicLong bytes = new AtomicLong();
  private int failAtOpen = Integer.MAX_VALUE;
  private int counted;

  /** Counts opens of URIs under {@code countedPrefix} (the pool), passing everything to {@code blobs}. */
  public CountingBlobs(Blobs blobs, String countedPrefix) {
    this.blobs = blobs;
    this.countedPrefix = countedPrefix;
  }

  /** The {@code n}-th open (1-based) of a pool file throws, as if the pod were killed there. */
  public CountingBlobs failingAtOpen(int n) {
    this.failAtOpen = n;
    return this;
  }

  public Map<String, Integer> opens() {
    return Map.copyOf(opens);
  }

  public Map<String, Integer> listings() {
    return Map.copyOf(listings);
  }

  public long bytes() {
    return bytes.get();
  }

  @Override
  public InputStream open(String uri) throws IOException {
    return counted(uri, () -> blobs.open(uri));
  }

  @Override
  public InputStream openRange(String uri, long offset, long length) throws IOException {
    return counted(uri, () -> blobs.openRange(uri, offset, length));
  }

  @Override
  public List<String> list(String folderUri) throws IOException {
    listings.merge(folderUri, 1, Integer::sum);
    return blobs.list(folderUri);
  }

  @Override
  public List<Sized> listSized(String folderUri) throws IOException {
    listings.merge(folderUri, 1, Integer::sum);
    return blobs.listSized(folderUri);
  }

  @Override
  public long size(String uri) throws IOException {
    return blobs.size(uri);
  }

  @Override
  public boolean remote(String uri) {
    return blobs.remote(uri);
  }

  private interface Opener {
    InputStream open() throws IOException;
  }

  private InputStream counted(String uri, Opener opener) throws IOException {
    if (!uri.startsWith(countedPrefix)) {
      return opener.open();
    }
    synchronized (this) {
      if (++counted >= failAtOpen) {
        throw new IOException("killed: the test stops this pod at its " + failAtOpen + "th pool file");
      }
    }
    opens.merge(uri, 1, Integer::sum);
    return new FilterInputStream(opener.open()) {
      @Override
      public int read() throws IOException {
        int b = super.read();
        if (b >= 0) {
          bytes.incrementAndGet();
        }
        return b;
      }

      @Override
      public int read(byte[] buffer, int from, int length) throws IOException {
        int n = super.read(buffer, from, length);
        if (n > 0) {
          bytes.addAndGet(n);
        }
        return n;
      }
    };
  }
}
