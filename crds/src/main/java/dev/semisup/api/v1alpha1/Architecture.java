package dev.semisup.api.v1alpha1;

import java.util.List;

/** Model names a spec may use for teacher and student; the worker builds each. */
public final class Architecture {

  /** Small residual CNN for 28-32 px images: fast on CPU, the demo's student. */
  public static final String CNN_SMALL = "cnn-small";
  /** The same family, wider and deeper: a teacher larger than the student. */
  public static final String CNN_LARGE = "cnn-large";
  public static final String RESNET18 = "resnet18";
  public static final String RESNET50 = "resnet50";

  public static final List<String> NAMES = List.of(CNN_SMALL, CNN_LARGE, RESNET18, RESNET50);

  private Architecture() {
  }

  public static boolean known(String name) {
    return NAMES.contains(name);
  }
}
