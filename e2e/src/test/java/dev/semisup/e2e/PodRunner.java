package dev.semisup.e2e;

import java.io.PrintWriter;
import java.util.Map;

/** Runs one pod's container in this JVM: its arguments and environment in, its exit code out. */
@FunctionalInterface
public interface PodRunner {

  int run(String[] args, Map<String, String> env, PrintWriter out, PrintWriter err);
}
