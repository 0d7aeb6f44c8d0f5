package dev.semisup.worker.data;

import java.io.IOException;

/**
 * A labeled image source read as one shard of hard-label examples (a single-file source such as
 * idx or cifar is one unit by nature). Its images come decoded from the source's own reader.
 */
public final class SourceShard implements ExampleShard {

  private final ImageSource source;

  public SourceShard(ImageSource source) {
    this.source = source;
  }

  @Override
  public String describe() {
    return source.describe();
  }

  @Override
  public Reader open() throws IOException {
    ImageStream stream = source.open();
    return new Reader() {
      @Override
      public Encoded next() throws IOException {
        ImageRecord image = stream.next();
        if (image == null) {
          return null;
        }
        if (!image.labeled()) {
          throw new IOException(source.describe() + ": image " + image.key() + " has no label");
        }
        TrainingExample example = TrainingExample.hard(image, image.label());
        return () -> example;
      }

      @Override
      public void close() throws IOException {
        stream.close();
      }
    };
  }
}
