package dev.semisup.worker.store;

import dev.semisup.worker.input.InvalidSettingException;
import java.io.IOException;
import java.io.InputStream;
import java.util.List;

/** Reads a URI through the Blobs of its scheme: file:// or s3://. */
public final class UriBlobs implements Blobs {

  private final Blobs files;
  private final Blobs s3;
  private final String whyNoS3;

  /** Both schemes. */
  public UriBlobs(Blobs files, Blobs s3) {
    this(files, s3, null);
  }

  private UriBlobs(Blobs files, Blobs s3, String whyNoS3) {
    this.files = files;
    this.s3 = s3;
    this.whyNoS3 = whyNoS3;
  }

  /** file:// only; an s3:// URI fails with {@code whyNoS3} (what to configure to read it). */
  public static UriBlobs filesOnly(Blobs files, String whyNoS3) {
    return new UriBlobs(files, null, whyNoS3);
  }

  @Override
  public InputStream open(String uri) throws IOException {
    return blobsFor(uri).open(uri);
  }

  @Override
  public List<String> list(String folderUri) throws IOException {
    return blobsFor(folderUri).list(folderUri);
  }

  @Override
  public long size(String uri) throws IOException {
    return blobsFor(uri).size(uri);
  }

  @Override
  public List<Sized> listSized(String folderUri) throws IOException {
    return blobsFor(folderUri).listSized(folderUri);
  }

  @Override
  public InputStream openRange(String uri, long offset, long length) throws IOException {
    return blobsFor(uri).openRange(uri, offset, length);
  }

  @Override
  public boolean remote(String uri) {
    return blobsFor(uri).remote(uri);
  }

  private Blobs blobsFor(String uri) {
    if (uri != null && uri.startsWith(FileBlobs.SCHEME)) {
      return files;
    }
    if (uri != null && uri.startsWith(S3Location.SCHEME)) {
      if (s3 == null) {
        throw new InvalidSettingException("cannot read " + uri + ": " + whyNoS3);
      }
      return s3;
    }
    throw new InvalidSettingException(
        "unsupported URI " + uri + ": data URIs are s3://bucket/key or file:///path");
  }
}
