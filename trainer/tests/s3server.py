"""A real S3 server for the trainer's tests: S3Proxy (the server the worker's tests use) as a java process on
127.0.0.1, objects in memory, SigV4 with test credentials."""

import os
import socket
import subprocess
import tempfile
import time

from .java import classpath

ACCESS_KEY = "semisup-test-access"
SECRET_KEY = "semisup-test-secret-0123456789"
LOGBACK = """<configuration>
  <appender name="E" class="ch.qos.logback.core.ConsoleAppender"><target>System.err</target>
    <encoder><pattern>%level %logger %msg%n</pattern></encoder></appender>
  <root level="WARN"><appender-ref ref="E"/></root>
</configuration>"""


def free_port():
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class S3Server:

    def __init__(self):
        self.folder = tempfile.mkdtemp(prefix="semisup-trainer-s3-")
        self.port = free_port()
        self.endpoint = f"http://127.0.0.1:{self.port}"
        config = os.path.join(self.folder, "s3proxy.conf")
        with open(config, "w") as f:
            f.write(f"s3proxy.endpoint={self.endpoint}\ns3proxy.authorization=aws-v2-or-v4\n"
                    f"s3proxy.identity={ACCESS_KEY}\ns3proxy.credential={SECRET_KEY}\n"
                    "jclouds.provider=transient-nio2\njclouds.identity=unused\njclouds.credential=unused\n")
        logback = os.path.join(self.folder, "logback.xml")
        with open(logback, "w") as f:
            f.write(LOGBACK)
        self.log = open(os.path.join(self.folder, "s3proxy.log"), "wb")
        self.process = subprocess.Popen(["java", "-Xmx256m", f"-Dlogback.configurationFile={logback}", "-cp", classpath(),
                                         "org.gaul.s3proxy.Main", "--properties", config],
                                        stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 60
        while True:
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                break
            except OSError:
                if self.process.poll() is not None or time.monotonic() > deadline:
                    self.close()
                    raise RuntimeError(f"S3Proxy did not start; see {self.log.name}")
                time.sleep(0.2)

    def client(self):
        import boto3
        from botocore.config import Config
        return boto3.client("s3", endpoint_url=self.endpoint, region_name="us-east-1", aws_access_key_id=ACCESS_KEY,
                            aws_secret_access_key=SECRET_KEY, config=Config(s3={"addressing_style": "path"}))

    def env(self):
        return {"AWS_ACCESS_KEY_ID": ACCESS_KEY, "AWS_SECRET_ACCESS_KEY": SECRET_KEY}

    def close(self):
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
            self.process.wait()
        self.log.close()
