package io.wsgrid.ops;

import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import org.junit.jupiter.api.Test;

/**
 * The shipped {@code conf/haproxy.cfg}, adjusted to the test's ports, run by Debian's HAProxy in
 * front of two real nodes ({@link FrontProxyScenario}); {@code .ci/run} installs HAProxy.
 */
class HaproxyIT {

  @Test
  void haproxyInFrontOfNodesFollowsDrain() throws Exception {
    // two failed /ready checks at 1 s take a node out
    FrontProxyScenario.run(
        "HAProxy",
        "/usr/sbin/haproxy",
        Duration.ofMillis(2_500),
        (port, portA, portB) -> {
          String config =
              Files.readString(Path.of("conf/haproxy.cfg"))
                  .replace("bind 127.0.0.1:8090", "bind 127.0.0.1:" + port)
                  .replaceAll("(?m)^    server n3 .*\\n", "")
                  .replace("127.0.0.1:8081", "127.0.0.1:" + portA)
                  .replace("127.0.0.1:8082", "127.0.0.1:" + portB);
          Path logs = Files.createDirectories(Path.of("target", "it-logs"));
          Path file = logs.resolve("haproxy-test.cfg");
          Files.writeString(file, config);
          return new ProcessBuilder("/usr/sbin/haproxy", "-db", "-f", file.toString())
              .redirectErrorStream(true)
              .redirectOutput(logs.resolve("haproxy.log").toFile())
              .start();
        });
  }
}
