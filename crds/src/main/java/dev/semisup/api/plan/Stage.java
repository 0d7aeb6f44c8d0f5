package dev.semisup.api.plan;

import java.util.Locale;

/**
 * The four steps of the method, with inference and selection as separate stages, and the sampled
 * images packed into tar shards between selection and the student.
 */
public enum Stage {
  /** Train the teacher on the labeled set. */
  TEACHER,
  /** Score shard i of the unlabeled pool with the teacher; keep per-class top-K candidates. */
  INFER,
  /** Merge the shards' candidates into the sampled dataset index. */
  SELECT,
  /** Write shard i of the sampled images, in the run's shuffled order, as WebDataset-style tars. */
  PACK,
  /** Pre-train the student on the sampled index. */
  STUDENT,
  /** Fine-tune the student on the labeled set. */
  FINETUNE;

  public String wireName() {
    return name().toLowerCase(Locale.ROOT);
  }

  public boolean trains() {
    return this == TEACHER || this == STUDENT || this == FINETUNE;
  }

  public static Stage fromWireName(String name) {
    for (Stage stage : values()) {
      if (stage.wireName().equals(name)) {
        return stage;
      }
    }
    throw new IllegalArgumentException("unknown stage '" + name + "' (expected teacher, infer, select, pack, student or finetune)");
  }
}
