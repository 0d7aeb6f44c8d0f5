package dev.semisup.worker.sampling;

/**
 * The pool images one infer shard scored and skipped (corrupt, oversized or duplicate: the count
 * infer also reports as {@code skippedImages} in its progress file), as its candidate shard's header
 * carries them, so that select sums them from the headers it reads anyway.
 */
public record ImageTotals(long scored, long skipped) {

  public ImageTotals {
    if (scored < 0 || skipped < 0) {
      throw new IllegalArgumentException("image totals must not be negative: scored " + scored + ", skipped " + skipped);
    }
  }
}
