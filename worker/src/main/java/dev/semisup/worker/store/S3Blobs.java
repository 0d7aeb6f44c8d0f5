package dev.semisup.worker.store;

import dev.semisup.worker.input.InvalidSettingException;
import io.minio.ListObjectsArgs;
import io.minio.Result;
import io.minio.StatObjectArgs;
import io.minio.messages.Item;
import java.io.FileNotFoundException;
import java.io.IOException;
import java.io.InputStream;
import java.util.ArrayList;
import java.util.List;

/** Reads s3://bucket/key URIs, in any bucket the endpoint's credentials may read. */
public final class S3Blobs implements Blobs {

  /** Pool reads are counted by whoever reads the pool (the stages' own counters), not here. */
  private static final java.util.function.LongConsumer NOT_COUNTED = bytes -> { };

  private final S3Endpoint endpoint;

  public S3Blobs(S3Endpoint endpoint) {
    this.endpoint = endpoint;
  }

  @Override
  public InputStream open(String uri) throws IOException {
    S3Location object = object(uri);
    return ResumingObjectStream.open(endpoint, object.bucket(), object.key(), NOT_COUNTED);
  }

  /** A ranged GET: only the asked bytes cross the network. */
  @Override
  public InputStream openRange(String uri, long offset, long length) throws IOException {
    S3Location object = object(uri);
    return ResumingObjectStream.openRange(endpoint, object.bucket(), object.key(), offset, length, NOT_COUNTED);
  }

  @Override
  public boolean remote(String uri) {
    return true;
  }

  /** The listing carries each object's size: one LIST page per thousand objects, no HEAD per object. */
  @Override
  public List<Sized> listSized(String folderUri) throws IOException {
    S3Location folder = S3Location.parse(folderUri);
    if (!folder.isFolder()) {
      throw new InvalidSettingException("not a folder URI (it must end with '/'): " + folderUri);
    }
    List<Sized> objects;
    try {
      objects = endpoint.retry().call(() -> {
        List<Sized> found = new ArrayList<>();
        for (Result<Item> result : endpoint.client().listObjects(ListObjectsArgs.builder()
            .bucket(folder.bucket())
            .prefix(folder.key())
            .recursive(true)
            .build())) {
          Item item = result.get();
          if (!item.isDir() && !item.objectName().endsWith("/")) {
            found.add(new Sized(folder.uri(item.objectName()), item.size()));
          }
        }
        return found;
      });
    } catch (Exception e) {
      throw S3Failures.onObject(e, endpoint.url(), folder.bucket(), folder.key());
    }
    if (objects.isEmpty()) {
      throw new FileNotFoundException(
          "no objects under " + folderUri + " (object store " + endpoint + ")");
    }
    objects.sort(java.util.Comparator.comparing(Sized::uri));
    return objects;
  }

  /** S3 has no folders: a prefix with no object under it is reported missing, as a folder would. */
  @Override
  public List<String> list(String folderUri) throws IOException {
    return listSized(folderUri).stream().map(Sized::uri).toList();
  }

  @Override
  public long size(String uri) throws IOException {
    S3Location object = object(uri);
    try {
      return endpoint.retry().call(() -> endpoint.client().statObject(
          StatObjectArgs.builder().bucket(object.bucket()).object(object.key()).build()).size());
    } catch (Exception e) {
      throw S3Failures.onObject(e, endpoint.url(), object.bucket(), object.key());
    }
  }

  private static S3Location object(String uri) {
    S3Location location = S3Location.parse(uri);
    if (location.isFolder()) {
      throw new InvalidSettingException("not an object URI (it ends with '/'): " + uri);
    }
    return location;
  }
}
