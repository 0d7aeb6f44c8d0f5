package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Max;
import io.fabric8.generator.annotation.Min;

/** Building the sampled dataset index: top-P classes per image, top-K images per class. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class SamplingSpec {

  /** The most pods a sharded step may run: its Job names keep room for the highest index (StepJobName). */
  public static final int MAX_SHARDS = 10000;

  /**
   * Pack's default short side, in hundredths of the model's input size: a little room above it
   * for the student's crop, as ImageNet training resizes to 256 for a 224 input.
   */
  public static final int DEFAULT_PACK_MARGIN_PERCENT = 114;
  /**
   * Pack's default JPEG quality for the images it re-encodes: the highest that keeps a student
   * epoch's bytes at a third of the originals' or less on typical photos (bench/README.md, "Packed
   * images").
   */
  public static final int DEFAULT_PACK_JPEG_QUALITY = 85;

  /** How often an infer shard checkpoints its heaps when the spec leaves it out: pool files, minutes. */
  public static final int DEFAULT_CHECKPOINT_FILES = 64;
  public static final int DEFAULT_CHECKPOINT_MINUTES = 10;
  /** The largest short side pack may resize to (a side of ImageDecoder's 8192 x 8192 budget). */
  public static final int MAX_PACK_SHORT_SIDE = 8192;

  @Min(1)
  @JsonPropertyDescription("Images kept per class (the paper's K)")
  private Integer topK = 16000;

  @Min(1)
  @JsonPropertyDescription("Classes an image may be kept under (the paper's P)")
  private Integer topP = 10;

  @Min(1)
  @Max(MAX_SHARDS)
  @JsonPropertyDescription("Parallel inference pods; shard i reads its slice of the pool's files (balanced by bytes), "
      + "so all shards together read the pool once (idx and cifar pools are one file: image i goes to shard i mod shards)")
  private Integer shards = 1;

  @Min(1)
  @Max(MAX_SHARDS)
  @JsonPropertyDescription("Parallel pack pods writing the sampled images as tar shards; default: shards")
  private Integer packShards;

  // No Java default: a spec that leaves it out keeps the pack step's input hash (StepInputs).
  @Min(0)
  @Max(MAX_PACK_SHORT_SIDE)
  @JsonPropertyDescription("Pack resizes each sampled image larger than this short side down to it (aspect kept) and "
      + "re-encodes it, so a student epoch reads and decodes far fewer bytes; images at or below it are packed as they "
      + "are. 0 packs the pool's original bytes. Default: ceil(1.14 x data.imageSize), 256 for 224; at least "
      + "data.imageSize")
  private Integer packShortSide;

  @Min(1)
  @Max(100)
  @JsonPropertyDescription("JPEG quality (1-100) of the images pack resizes; grey images are stored as lossless PNG "
      + "where that is no larger. Default 85")
  private Integer packJpegQuality;

  @Min(1)
  @JsonPropertyDescription("An infer shard checkpoints its heaps after this many pool files (or checkpointMinutes)")
  private Integer checkpointFiles = DEFAULT_CHECKPOINT_FILES;

  @Min(1)
  @JsonPropertyDescription("An infer shard checkpoints its heaps at least this often, in minutes, at a file boundary")
  private Integer checkpointMinutes = DEFAULT_CHECKPOINT_MINUTES;

  @JsonPropertyDescription("balanced (the paper): top-K images per class; unbalanced: one global score threshold keeping "
      + "the topK x classes best entries over all classes (the same index size)")
  private Selection selection = Selection.BALANCED;

  @JsonPropertyDescription("Train the student on the teacher's distribution instead of the hard pseudo-label (beyond the paper)")
  private Boolean softTargets = false;

  @JsonPropertyDescription("Mix the labeled images into the student's pre-training (beyond the paper)")
  private Boolean mixLabeled = false;

  public Integer getTopK() { return topK; }
  public void setTopK(Integer topK) { this.topK = topK; }
  public Integer getTopP() { return topP; }
  public void setTopP(Integer topP) { this.topP = topP; }
  public Integer getShards() { return shards; }
  public void setShards(Integer shards) { this.shards = shards; }
  public Integer getPackShards() { return packShards; }
  public void setPackShards(Integer packShards) { this.packShards = packShards; }
  public Integer getPackShortSide() { return packShortSide; }
  public void setPackShortSide(Integer packShortSide) { this.packShortSide = packShortSide; }
  public Integer getPackJpegQuality() { return packJpegQuality; }
  public void setPackJpegQuality(Integer packJpegQuality) { this.packJpegQuality = packJpegQuality; }
  public Integer getCheckpointFiles() { return checkpointFiles; }
  public void setCheckpointFiles(Integer checkpointFiles) { this.checkpointFiles = checkpointFiles; }
  public Integer getCheckpointMinutes() { return checkpointMinutes; }
  public void setCheckpointMinutes(Integer checkpointMinutes) { this.checkpointMinutes = checkpointMinutes; }
  public Selection getSelection() { return selection; }
  public void setSelection(Selection selection) { this.selection = selection; }
  public Boolean getSoftTargets() { return softTargets; }
  public void setSoftTargets(Boolean softTargets) { this.softTargets = softTargets; }
  public Boolean getMixLabeled() { return mixLabeled; }
  public void setMixLabeled(Boolean mixLabeled) { this.mixLabeled = mixLabeled; }

  /** Pack pods: packShards when given, else as many as infer shards. */
  public int packShardsOrDefault() {
    if (packShards != null) {
      return packShards;
    }
    return shards == null ? 1 : shards;
  }

  /**
   * The short side pack resizes larger images to: packShortSide when given (0: the original bytes),
   * else ceil(1.14 x the model's input size).
   */
  public int packShortSideFor(int imageSize) {
    if (packShortSide != null) {
      return packShortSide;
    }
    return (imageSize * DEFAULT_PACK_MARGIN_PERCENT + 99) / 100;
  }

  public int checkpointFilesOrDefault() {
    return checkpointFiles == null ? DEFAULT_CHECKPOINT_FILES : checkpointFiles;
  }

  public int checkpointMinutesOrDefault() {
    return checkpointMinutes == null ? DEFAULT_CHECKPOINT_MINUTES : checkpointMinutes;
  }

  public int packJpegQualityOrDefault() {
    return packJpegQuality == null ? DEFAULT_PACK_JPEG_QUALITY : packJpegQuality;
  }

  /** True for one global threshold over all classes instead of top-K per class. */
  public boolean unbalanced() { return selection == Selection.UNBALANCED; }

  public boolean soft() { return Boolean.TRUE.equals(softTargets); }
  public boolean mixesLabeled() { return Boolean.TRUE.equals(mixLabeled); }
}
