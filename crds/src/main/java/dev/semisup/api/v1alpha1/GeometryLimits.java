package dev.semisup.api.v1alpha1;

/**
 * The limits of an image geometry and its normalisation, in one place for every reader of them:
 * the schema annotations and CEL rules of {@link DataSpec} and {@link TeacherInputSpec}, the
 * {@code SpecValidator}, a model card's check, and the generated CRD reference.
 */
public final class GeometryLimits {

  public static final int MIN_IMAGE_SIZE = 8;
  public static final int MAX_IMAGE_SIZE = 1024;

  /** Grey or colour (a CEL rule on the field): the decoders write one or three channels, never two or alpha. */
  public static final String CHANNELS_RULE = "self == 1 || self == 3";
  public static final String CHANNELS_MESSAGE = "channels must be 1 or 3";

  /** Statistics of pixels scaled to [0,1]: a mean outside it is no mean of them. */
  public static final double MIN_MEAN = 0;
  public static final double MAX_MEAN = 1;

  /**
   * A std outside these turns a pixel step of 1/255 into thousands, or every image into the same
   * input: no normalisation of pixels scaled to [0,1] (whose std is at most 0.5) that a run trains with.
   */
  public static final double MIN_STD = 1e-3;
  public static final double MAX_STD = 1e3;

  private GeometryLimits() {
  }

  public static boolean allowsImageSize(int imageSize) {
    return imageSize >= MIN_IMAGE_SIZE && imageSize <= MAX_IMAGE_SIZE;
  }

  public static boolean allowsChannels(int channels) {
    return channels == 1 || channels == 3;
  }

  public static boolean allowsMean(double mean) {
    return mean >= MIN_MEAN && mean <= MAX_MEAN;
  }

  public static boolean allowsStd(double std) {
    return std >= MIN_STD && std <= MAX_STD;
  }
}
