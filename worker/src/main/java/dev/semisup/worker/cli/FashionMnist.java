package dev.semisup.worker.cli;

import dev.semisup.api.v1alpha1.DataSourceSpec;
import dev.semisup.api.v1alpha1.SemiSupervisedRunSpec;
import java.io.IOException;
import java.io.InputStream;
import java.io.PrintWriter;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.time.Duration;
import java.util.HexFormat;
import java.util.Map;
import java.util.zip.GZIPInputStream;

/**
 * The demo's data: Debian's dataset-fashion-mnist puts Fashion-MNIST in
 * /usr/share/datasets/fashion-mnist. Where it is missing, the four files are downloaded from the
 * dataset's upstream address into a cache and checked against the SHA-256 of their
 * decompressed content (the gzip bytes differ between Debian and upstream, the data does not).
 */
final class FashionMnist {

  static final String DEBIAN_DIR = "/usr/share/datasets/fashion-mnist";
  static final String UPSTREAM = "http://fashion-mnist.s3-website.eu-central-1.amazonaws.com/";

  private static final Map<String, String> SHA256_OF_CONTENT = Map.of(
      "train-images-idx3-ubyte.gz", "c59f468a2f672dc815687fe0f83887768d799fd8a3f3276145d20f83aa44d888",
      "train-labels-idx1-ubyte.gz", "bad3541b69d912435c50bb6ba87bec294ff4f6a2e1246121d8633921760443d9",
      "t10k-images-idx3-ubyte.gz", "5b4141f0afbad91edebe8549f8fcffe087ea10ca49f1dbef5c9a5cd8815ce37b",
      "t10k-labels-idx1-ubyte.gz", "0402a96d92fd2663957122ceb108a494c5af83dab82d92729df917d7dec38c34");

  private FashionMnist() {
  }

  /**
   * Points every data URI of the spec that names a missing file of the Debian folder at a
   * verified copy in {@code cache}, downloading it if needed, and says what it did.
   */
  static void locate(SemiSupervisedRunSpec spec, Path cache, PrintWriter out) throws IOException {
    for (DataSourceSpec source : new DataSourceSpec[] {
        spec.getData().getLabeled(), spec.getData().getUnlabeled(), spec.getData().getValidation()}) {
      source.setUri(resolve(source.getUri(), cache, out));
      if (source.getLabelsUri() != null) {
        source.setLabelsUri(resolve(source.getLabelsUri(), cache, out));
      }
    }
  }

  private static String resolve(String uri, Path cache, PrintWriter out) throws IOException {
    String prefix = "file://" + DEBIAN_DIR + "/";
    if (!uri.startsWith(prefix)) {
      return uri;
    }
    String file = uri.substring(prefix.length());
    if (Files.isReadable(Path.of(DEBIAN_DIR, file)) || !SHA256_OF_CONTENT.containsKey(file)) {
      return uri;
    }
    Path copy = cache.resolve(file);
    if (!Files.isReadable(copy) || !SHA256_OF_CONTENT.get(file).equals(contentSha256(copy))) {
      out.println("Fashion-MNIST: " + DEBIAN_DIR + "/" + file + " is missing (apt-get install dataset-fashion-mnist);"
          + " downloading " + UPSTREAM + file);
      download(URI.create(UPSTREAM + file), copy);
      String actual = contentSha256(copy);
      if (!SHA256_OF_CONTENT.get(file).equals(actual)) {
        Files.deleteIfExists(copy);
        throw new IOException(UPSTREAM + file + ": checksum mismatch (content SHA-256 " + actual + ")");
      }
      out.println("Fashion-MNIST: " + file + " verified (SHA-256 of its content), cached in " + cache);
    } else {
      out.println("Fashion-MNIST: using the verified copy " + copy);
    }
    return copy.toUri().toString().replaceFirst("^file:/(?!/)", "file:///");
  }

  private static void download(URI uri, Path target) throws IOException {
    Files.createDirectories(target.getParent());
    Path partial = target.resolveSibling(target.getFileName() + ".partial");
    HttpClient client = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(20))
        .followRedirects(HttpClient.Redirect.NORMAL).build();
    try {
      HttpResponse<Path> response = client.send(HttpRequest.newBuilder(uri).timeout(Duration.ofMinutes(10)).build(),
          HttpResponse.BodyHandlers.ofFile(partial));
      if (response.statusCode() != 200) {
        throw new IOException(uri + ": HTTP " + response.statusCode());
      }
      Files.move(partial, target, StandardCopyOption.REPLACE_EXISTING, StandardCopyOption.ATOMIC_MOVE);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      throw new IOException(uri + ": download interrupted", e);
    } catch (IOException e) {
      Files.deleteIfExists(partial);
      throw new IOException("cannot download " + uri + ": " + e.getMessage(), e);
    }
  }

  static String contentSha256(Path gz) throws IOException {
    try (InputStream in = new GZIPInputStream(Files.newInputStream(gz))) {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      byte[] buffer = new byte[1 << 16];
      for (int n = in.read(buffer); n > 0; n = in.read(buffer)) {
        digest.update(buffer, 0, n);
      }
      return HexFormat.of().formatHex(digest.digest());
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException(e);
    }
  }
}
