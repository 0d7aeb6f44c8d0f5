package dev.semisup.worker.sampling;

import java.io.IOException;

/** Where a merge sends the sampled index entries, in order: a part writer, a summary, or both. */
@FunctionalInterface
public interface CandidateSink {

  void accept(Candidate candidate) throws IOException;

  /** This sink, then the other, for each entry. */
  default CandidateSink andThen(CandidateSink other) {
    return candidate -> {
      accept(candidate);
      other.accept(candidate);
    };
  }
}
