"""The Java side of the tests (S3Proxy, the worker) from the trainer module's test classpath: the file named by
SEMISUP_TEST_JAVA_CLASSPATH (mvn verify writes target/test.classpath), else made here with mvn."""

import os
import subprocess

MODULE = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def classpath():
    named = os.environ.get("SEMISUP_TEST_JAVA_CLASSPATH")
    path = named or os.path.join(MODULE, "target", "test.classpath")
    if not named and not os.path.exists(path):
        subprocess.run(["mvn", "-B", "-ntp", "-q", "-f", os.path.join(MODULE, "pom.xml"), "generate-test-resources"],
                       check=True)
    with open(path) as f:
        return f.read().strip()


def run_source(source, *args):
    """Runs a single-file Java program of this folder with the classpath; its output on failure."""
    env = dict(os.environ, OPT_OUT_TRACKING="true", DJL_OFFLINE="true")
    result = subprocess.run(["java", "-Xmx1g", "-cp", classpath(), os.path.join(MODULE, "tests", source), *args],
                            capture_output=True, text=True, env=env, timeout=300)
    if result.returncode != 0:
        raise AssertionError(f"{source} {' '.join(args)} failed ({result.returncode}):\n{result.stdout}\n{result.stderr}")
