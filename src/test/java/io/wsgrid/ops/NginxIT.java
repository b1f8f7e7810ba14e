package io.wsgrid.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code conf/nginx.conf}, adjusted to the test's ports, run by Debian's Nginx in front
 * of two real nodes ({@link FrontProxyScenario}); {@code .ci/run} installs Nginx.
 */
class NginxIT {

  @Test
  void nginxInFrontOfNodesRoutesAroundADrainedNode() throws Exception {
    // no active checks in open-source Nginx: a refused connection moves the upgrade to the next
    // node
    FrontProxyScenario.run(
        "Nginx",
        "/usr/sbin/nginx",
        Duration.ZERO,
        (port, portA, portB) -> {
          Path prefix =
              Files.createDirectories(Path.of("target", "it-logs", "nginx").toAbsolutePath());
          String config =
              Files.readString(Path.of("conf/nginx.conf"))
                  .replace("listen 127.0.0.1:8091", "listen 127.0.0.1:" + port)
                  .replaceAll("(?m)^        server 127.0.0.1:8083 .*\\n", "")
                  .replace("127.0.0.1:8081", "127.0.0.1:" + portA)
                  .replace("127.0.0.1:8082", "127.0.0.1:" + portB)
                  .replace("worker_processes 1;", "worker_processes 1;\ndaemon off;");
          Path file = prefix.resolve("nginx-test.conf");
          Files.writeString(file, config);
          return new ProcessBuilder(
                  "/usr/sbin/nginx", "-p", prefix.toString(), "-c", file.toString())
              .redirectErrorStream(true)
              .redirectOutput(prefix.resolve("nginx.log").toFile())
              .start();
        });
  }
}
