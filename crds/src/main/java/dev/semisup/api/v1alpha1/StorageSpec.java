package dev.semisup.api.v1alpha1;

import com.fasterxml.jackson.annotation.JsonInclude;
import com.fasterxml.jackson.annotation.JsonPropertyDescription;

/** Where the run keeps its artifacts. Credentials are never here: only the Secret's name. */
@JsonInclude(JsonInclude.Include.NON_NULL)
public class StorageSpec {

  @JsonPropertyDescription("S3 endpoint, e.g. http://minio.semisup:9000; empty in local mode (a directory is the store)")
  private String endpoint;

  @JsonPropertyDescription("Bucket holding every run's artifacts")
  private String bucket = "semisup";

  @JsonPropertyDescription("Key prefix of this run; default runs/<namespace>/<name>")
  private String prefix;

  @JsonPropertyDescription("Region sent with S3 requests")
  private String region = "us-east-1";

  @JsonPropertyDescription("Secret with keys accessKey and secretKey for the endpoint")
  private String credentialsSecret;

  @JsonPropertyDescription("Adopt the artifacts at the prefix although its run marker names an earlier run of the same"
      + " namespace and name (a deleted and re-created run); default false: such a prefix fails the run")
  private Boolean reuseArtifacts = false;

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
