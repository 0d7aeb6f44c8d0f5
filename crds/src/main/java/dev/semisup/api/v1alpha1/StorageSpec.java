package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;
import io.fabric8.generator.annotation.Size;
import io.fabric8.generator.annotation.ValidationRule;

/**
 * Where the run keeps its artifacts. Credentials are never here: only the Secret's name.
 *
 * <p>The strings the CRD's CEL rules read have a maxLength: the API server estimates a rule's cost
 * from the longest value a field can hold, and an unbounded string counts as the whole request.
 */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {

  public static final int MAX_ENDPOINT_LENGTH = 512;
  /** S3's own limit for a bucket name. */
  public static final int MAX_BUCKET_LENGTH = 63;
  public static final int MAX_PREFIX_LENGTH = 512;

  @ValidationRule(value = "self == '' || self.matches('^https?://[A-Za-z0-9]([-A-Za-z0-9.]*[A-Za-z0-9])?(:[0-9]{1,5})?/?$')",
      message = "storage.endpoint must be http(s)://host[:port], with no path, user or query")
  @Size(max = MAX_ENDPOINT_LENGTH)
  @JsonPropertyDescription("S3 endpoint, e.g. http://minio.semisup:9000; empty in local mode (a directory is the store)")
  private String endpoint;

  @ValidationRule(value = "self.matches('^[a-z0-9][a-z0-9.-]{1,61}[a-z0-9]$') && !self.contains('..')",
      message = "storage.bucket must be an S3 bucket name: 3-63 lowercase letters, digits, '.' and '-'")
  @Size(max = MAX_BUCKET_LENGTH)
  @JsonPropertyDescription("Bucket holding every run's artifacts")
  private String bucket = "semisup";

  @ValidationRule(value = "self == '' || (self.matches('^[A-Za-z0-9][A-Za-z0-9._/-]*$') && !self.contains('..')"
      + " && !self.contains('//'))",
      message = "storage.prefix must be a relative key prefix (letters, digits, '.', '_', '-', '/'; no '..' or '//')")
  @Size(max = MAX_PREFIX_LENGTH)
  @JsonPropertyDescription("Key prefix of this run; default runs/<namespace>/<name>; the operator refuses one outside"
      + " runs/<namespace>/")
  private String prefix;

  @JsonPropertyDescription("Region sent with S3 requests")
  private String region = "us-east-1";

  @JsonPropertyDescription("Secret with keys accessKey and secretKey for the endpoint")
  private String credentialsSecret;

  @JsonPropertyDescription("Adopt the artifacts at the prefix although its run marker names an earlier run of the same"
      + " namespace and name (a deleted and re-created run); default false: such a prefix fails the run")
  private Boolean reuseArtifacts = false;

  @JsonPropertyDescription("On deletion of the run: Keep its artifacts (default), or Delete every object under its"
      + " prefix (only when the prefix's run.json names this run); the operator's finalizer waits for it")
  private StorageCleanup cleanup = StorageCleanup.Keep;

  public StorageCleanup getCleanup() { return cleanup; }
  public void setCleanup(StorageCleanup cleanup) { this.cleanup = cleanup; }

  public boolean deletesArtifacts() {
    return cleanup == StorageCleanup.Delete;
  }

  public String getEndpoint() { return endpoint; }
  public void setEndpoint(String endpoint) { this.endpoint = endpoint; }
  public String getBucket() { return bucket; }
  public void setBucket(String bucket) { this.bucket = bucket; }
  public String getPrefix() { return prefix; }
  public void setPrefix(String prefix) { this.prefix = prefix; }
  public String getRegion() { return region; }
  public void setRegion(String region) { this.region = region; }
  public String getCredentialsSecret() { return credentialsSecret; }
  public void setCredentialsSecret(String credentialsSecret) { this.credentialsSecret = credentialsSecret; }
  public Boolean getReuseArtifacts() { return reuseArtifacts; }
  public void setReuseArtifacts(Boolean reuseArtifacts) { this.reuseArtifacts = reuseArtifacts; }

  public boolean reusesArtifacts() {
    return Boolean.TRUE.equals(reuseArtifacts);
  }

  /** The prefix in force: the one given, else runs/namespace/name. */
  public String resolvedPrefix(String namespace, String name) {
    if (prefix != null && !prefix.isBlank()) {
      return prefix.replaceAll("^/+|/+$", "");
    }
    return "runs/" + namespace + "/" + name;
  }
}
