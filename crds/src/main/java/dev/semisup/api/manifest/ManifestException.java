package dev.semisup.api.manifest;

import dev.semisup.api.UserFixableError;
import dev.semisup.api.validation.Problem;
import java.util.List;
import java.util.stream.Collectors;

/** A manifest that cannot be used, with every problem named by file and field path. */
public class ManifestException extends Exception implements UserFixableError {

  private final List<Problem> problems;

  public ManifestException(String source, List<Problem> problems) {
    super(source + ": invalid SemiSupervisedRun:\n" + problems.stream()
        .map(p -> "  - " + p).collect(Collectors.joining("\n")));
    this.problems = List.copyOf(problems);
  }

  public List<Problem> problems() {
    return problems;
  }
}
