package dev.semisup.operator.testing;

import io.fabric8.mockwebserver.http.MockResponse;
import io.fabric8.mockwebserver.http.RecordedRequest;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;

/**
 * The API server's side of "the operator dies between a Job's create and the status write": once
 * the named Job has been created, the run's next status write is answered by nothing (a reply held
 * back for minutes), so the writer is still waiting when the test kills it. The write is never
 * applied. One shot: later writes go through.
 */
public final class StatusWriteHold {

  private static final Duration FOREVER = Duration.ofMinutes(10);

  private final String jobsPath;
  private final String jobName;
  private final String statusPath;
  private final CountDownLatch reached = new CountDownLatch(1);
  private volatile boolean jobCreated;

  StatusWriteHold(String namespace, String run, String jobName) {
    this.jobsPath = "/apis/batch/v1/namespaces/" + namespace + "/jobs";
    this.jobName = jobName;
    this.statusPath = "/apis/semisup.dev/v1alpha1/namespaces/" + namespace + "/semisupervisedruns/" + run + "/status";
  }

  /** Waits until the held status write has arrived; false if it did not within the time. */
  public boolean awaitHeld(Duration within) throws InterruptedException {
    return reached.await(within.toMillis(), TimeUnit.MILLISECONDS);
  }

  public boolean held() {
    return reached.getCount() == 0;
  }

  /** The reply to {@code request} when it is the held write; null to let the API server answer. */
  MockResponse intercept(RecordedRequest request) {
    if (held()) {
      return null;
    }
    String path = request.getPath() == null ? "" : request.getPath().split("\\?")[0];
    if ("POST".equals(request.getMethod()) && path.equals(jobsPath) && request.getBody() != null
        && new String(request.getBody().getBytes(), StandardCharsets.UTF_8).contains("\"name\":\"" + jobName + "\"")) {
      jobCreated = true;
      return null;
    }
    if (jobCreated && "PUT".equals(request.getMethod()) && path.equals(statusPath)) {
      reached.countDown();
      return new MockResponse().setResponseCode(504).setBody("{}").setBodyDelay(FOREVER);
    }
    return null;
  }
}
