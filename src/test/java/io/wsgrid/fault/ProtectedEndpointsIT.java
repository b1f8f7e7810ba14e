package io.wsgrid.fault;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonObject;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.NetNamespace;
import io.wsgrid.testing.Ports;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Comparator;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.MethodOrderer;
import org.junit.jupiter.api.Order;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.TestMethodOrder;

/**
 * Fault: the operator endpoints reached by whoever can reach the port. Node n1 and the edge run
 * with no credentials (the default), node n2 with an API key and an admin token; all bind 0.0.0.0.
 * From another host (a network namespace of the test's own, its address not loopback) n1's and the
 * edge's admin and API refuse everything, n2's answer to their credentials, the probes stay open;
 * from loopback n1 and the edge answer; a request a web page of another origin made a browser send
 * is refused even from loopback and even with the key; a multipart upload is refused before its
 * body is read and leaves nothing on disk.
 */
@TestMethodOrder(MethodOrderer.OrderAnnotation.class)
class ProtectedEndpointsIT {
  private static final String API_KEY = "fault-api-key-0123456789";
  private static final String ADMIN = "fault-admin-token-0123456789";
  private static final String PUBLISH = "{\"channel\":\"chat.protected\",\"data\":{\"n\":1}}";

  private static JarProcess n1;
  private static JarProcess n2;
  private static JarProcess edge;
  private static int p1;
  private static int p2;
  private static int pe;
  private static Path dir1;
  private static Path dir2;

  @BeforeAll
  static void start() throws IOException {
    String cluster = Ports.clusterName("protected");
    String hzPort = String.valueOf(Ports.clusterPort());
    p1 = Ports.freeOnEveryAddress();
    p2 = Ports.freeOnEveryAddress();
    pe = Ports.freeOnEveryAddress();
    // Working directories of their own: where Vert.x would put uploads (file-uploads/).
    dir1 = Files.createTempDirectory("wsgrid-n1-");
    dir2 = Files.createTempDirectory("wsgrid-n2-");
    n1 =
        JarProcess.start(
            "protected-n1",
            List.of(),
            dir1,
            "node",
            "--host",
            "0.0.0.0",
            "--port",
            "" + p1,
            "--name",
            "n1",
            "--instances",
            "1",
            "--cluster-name",
            cluster,
            "--cluster-port",
            hzPort);
    n2 =
        JarProcess.start(
            "protected-n2",
            List.of(),
            dir2,
            "node",
            "--host",
            "0.0.0.0",
            "--port",
            "" + p2,
            "--name",
            "n2",
            "--instances",
            "1",
            "--api-key",
            API_KEY,
            "--admin-token",
            ADMIN,
            "--cluster-name",
            cluster,
            "--cluster-port",
            hzPort);
    n1.awaitReady("http://127.0.0.1:" + p1 + "/ready", Duration.ofSeconds(90));
    n2.awaitReady("http://127.0.0.1:" + p2 + "/ready", Duration.ofSeconds(90));
    edge =
        JarProcess.start(
            "protected-edge",
            "edge",
            "--host",
            "0.0.0.0",
            "--port",
            "" + pe,
            "--name",
            "edge1",
            "--instances",
            "1",
            "--cluster-name",
            cluster,
            "--cluster-port",
            hzPort);
    edge.awaitReady("http://127.0.0.1:" + pe + "/ready", Duration.ofSeconds(90));
    Await.until(
        "the edge sees both nodes",
        Duration.ofSeconds(30),
        () -> Http.nodesSeen("http://127.0.0.1:" + pe).containsAll(List.of("n1", "n2")));
  }

  @AfterAll
  static void stop() throws IOException {
    for (JarProcess process : new JarProcess[] {edge, n2, n1}) {
      if (process != null) process.close();
    }
    for (Path dir : new Path[] {dir1, dir2}) {
      if (dir == null) continue;
      try (Stream<Path> files = Files.walk(dir)) {
        for (Path f : files.sorted(Comparator.reverseOrder()).toList()) Files.deleteIfExists(f);
      }
    }
  }

  @Test
  @Order(1)
  void aCrossSiteBrowserRequestIsRefusedEvenFromLoopbackAndWithTheKey() {
    String evil = "Origin: http://evil.example";
    Reply drain =
        curl(
            null,
            "POST",
            node1("/admin/drain"),
            "-H",
            evil,
            "-H",
            "Content-Type: text/plain",
            "--data",
            "x");
    assertRefused(drain, 403, "forbidden", "another origin");
    assertThat(curl(null, "GET", node1("/ready")).status())
        .as("the refused drain did nothing")
        .isEqualTo(200);
    assertRefused(
        curl(null, "POST", node1("/api/publish"), "-H", evil, "--data", PUBLISH),
        403,
        "forbidden",
        "another origin");
    assertRefused(
        curl(
            null,
            "POST",
            node2("/api/publish"),
            "-H",
            evil,
            "-H",
            "Authorization: apikey " + API_KEY,
            "--data",
            PUBLISH),
        403,
        "forbidden",
        "another origin");
    assertRefused(
        curl(
            null,
            "POST",
            node1("/api/publish"),
            "-H",
            "Sec-Fetch-Site: cross-site",
            "--data",
            PUBLISH),
        403,
        "forbidden",
        "another origin");
    assertRefused(
        curl(null, "POST", edge("/admin/rebalance"), "-H", evil),
        403,
        "forbidden",
        "another origin");
    assertRefused(
        curl(null, "POST", edge("/admin/nodes/n1/drain"), "-H", evil),
        403,
        "forbidden",
        "another origin");

    // The page this server serves (its own origin) is not cross-site.
    Reply sameOrigin =
        curl(
            null,
            "POST",
            node1("/api/publish"),
            "-H",
            "Origin: http://127.0.0.1:" + p1,
            "--data",
            PUBLISH);
    assertThat(sameOrigin.status()).as(sameOrigin.body()).isEqualTo(200);
    assertThat(rejections(node1(""), "n1", "cross_site")).isGreaterThanOrEqualTo(3);
    assertThat(rejections(edge(""), "edge1", "cross_site")).isGreaterThanOrEqualTo(2);
  }

  @Test
  @Order(2)
  void aMultipartUploadIsRefusedBeforeItsBodyIsReadAndLeavesNothingOnDisk() throws IOException {
    Path upload = Files.createTempFile("wsgrid-upload", ".bin");
    try {
      Files.write(upload, new byte[20_000]); // under the body limit (--max-frame-size, 64 KiB)
      String file = "file=@" + upload;
      assertRefused(
          curl(null, "POST", node2("/api/publish"), "-F", file), 401, "unauthorized", "API key");
      assertNothingUploaded();
      assertRefused(
          curl(
              null,
              "POST",
              node2("/api/publish"),
              "-H",
              "Authorization: apikey " + API_KEY,
              "-F",
              file),
          415,
          "bad_request",
          "multipart");
      assertRefused(
          curl(null, "POST", node1("/api/publish"), "-F", file), 415, "bad_request", "multipart");
      assertNothingUploaded();
      // A body over the limit without the key: 401, not 413, so the key was checked before reading
      // it.
      Files.write(
          upload,
          ("{\"channel\":\"chat.big\",\"data\":\"" + "x".repeat(1_000_000) + "\"}").getBytes());
      assertRefused(
          curl(null, "POST", node2("/api/publish"), "--data-binary", "@" + upload),
          401,
          "unauthorized",
          "API key");
      assertThat(
              curl(
                      null,
                      "POST",
                      node2("/api/publish"),
                      "-H",
                      "Authorization: apikey " + API_KEY,
                      "--data-binary",
                      "@" + upload)
                  .status())
          .as("with the key, the body limit")
          .isEqualTo(413);
    } finally {
      Files.deleteIfExists(upload);
    }
  }

  /**
   * Nothing under the nodes' working directories, where Vert.x Web puts uploads (file-uploads/).
   */
  private static void assertNothingUploaded() throws IOException {
    for (Path dir : List.of(dir1, dir2)) {
      try (Stream<Path> files = Files.walk(dir)) {
        assertThat(files.filter(f -> !f.equals(dir)).toList())
            .as("under the node's working directory " + dir)
            .isEmpty();
      }
    }
  }

  @Test
  @Order(3)
  void withoutCredentialsAdminAndPublishAnswerOnlyToLoopback() {
    try (NetNamespace ns = NetNamespace.create()) {
      String host = ns.hostAddress();
      String n1Far = "http://" + host + ":" + p1;
      String n2Far = "http://" + host + ":" + p2;
      String edgeFar = "http://" + host + ":" + pe;
      assertRefused(curl(ns, "POST", n1Far + "/admin/drain"), 403, "forbidden", "--admin-token");
      assertRefused(
          curl(ns, "POST", n1Far + "/api/publish", "--data", PUBLISH),
          403,
          "forbidden",
          "--api-key");
      assertRefused(curl(ns, "GET", edgeFar + "/admin/nodes"), 403, "forbidden", "--admin-token");
      assertRefused(curl(ns, "GET", edgeFar + "/admin/stream"), 403, "forbidden", "--admin-token");
      assertRefused(
          curl(ns, "POST", edgeFar + "/admin/rebalance"), 403, "forbidden", "--admin-token");
      assertRefused(
          curl(ns, "POST", edgeFar + "/admin/nodes/n1/drain"), 403, "forbidden", "--admin-token");
      for (String probe :
          List.of(
              n1Far + "/health",
              n1Far + "/ready",
              n1Far + "/metrics",
              edgeFar + "/ready",
              edgeFar + "/health")) {
        assertThat(curl(ns, "GET", probe).status())
            .as("probe " + probe + " stays open")
            .isEqualTo(200);
      }
      // With credentials configured, they open the endpoints to other hosts.
      assertRefused(
          curl(ns, "POST", n2Far + "/api/publish", "--data", PUBLISH),
          401,
          "unauthorized",
          "API key");
      assertThat(
              curl(
                      ns,
                      "POST",
                      n2Far + "/api/publish",
                      "-H",
                      "Authorization: apikey " + API_KEY,
                      "--data",
                      PUBLISH)
                  .status())
          .isEqualTo(200);
      assertRefused(curl(ns, "POST", n2Far + "/admin/drain"), 401, "unauthorized", "admin token");
      assertThat(
              curl(ns, "POST", n2Far + "/admin/none", "-H", "Authorization: Bearer " + ADMIN)
                  .status())
          .as("past the guard: no such admin endpoint")
          .isEqualTo(404);

      // On this host: loopback clients are let in, unless a proxy relayed them or they name another
      // host.
      assertThat(curl(null, "POST", node1("/api/publish"), "--data", PUBLISH).status())
          .isEqualTo(200);
      assertThat(curl(null, "GET", edge("/admin/nodes")).status()).isEqualTo(200);
      assertThat(curl(null, "POST", edge("/admin/rebalance")).status()).isEqualTo(200);
      assertRefused(
          curl(
              null,
              "POST",
              node1("/api/publish"),
              "-H",
              "X-Forwarded-For: 203.0.113.9",
              "--data",
              PUBLISH),
          403,
          "forbidden",
          "--api-key");
      assertRefused(
          curl(
              null,
              "POST",
              node1("/api/publish"),
              "-H",
              "Host: rebound.example:" + p1,
              "--data",
              PUBLISH),
          403,
          "forbidden",
          "--api-key");
      assertThat(curl(null, "GET", node1("/ready")).status())
          .as("n1 still serves: nothing drained it")
          .isEqualTo(200);
      assertThat(rejections(node1(""), "n1", "loopback_only")).isGreaterThanOrEqualTo(4);
      assertThat(rejections(edge(""), "edge1", "loopback_only")).isGreaterThanOrEqualTo(4);

      assertThat(curl(null, "POST", node1("/admin/drain")).status())
          .as("a drain from loopback")
          .isEqualTo(202);
      assertThat(n1.await(Duration.ofSeconds(60))).as("n1 drained and exited").isEqualTo(0);
    }
  }

  private static String node1(String path) {
    return "http://127.0.0.1:" + p1 + path;
  }

  private static String node2(String path) {
    return "http://127.0.0.1:" + p2 + path;
  }

  private static String edge(String path) {
    return "http://127.0.0.1:" + pe + path;
  }

  private static double rejections(String base, String member, String reason) {
    return Http.metric(base, "wsgrid_rejections_total", "node", member, "reason", reason);
  }

  private static void assertRefused(Reply reply, int status, String code, String hint) {
    assertThat(reply.status()).as(reply.body()).isEqualTo(status);
    JsonObject error = new JsonObject(reply.body()).getJsonObject("error");
    assertThat(error.getString("code")).isEqualTo(code);
    assertThat(error.getString("message")).as("the message says what to do").contains(hint);
  }

  private record Reply(int status, String body) {}

  /** curl on this host, or inside {@code ns} when given: the status and the body. */
  private static Reply curl(NetNamespace ns, String method, String url, String... options) {
    List<String> command =
        new ArrayList<>(List.of("curl", "-s", "-m", "20", "-X", method, "-w", "\n%{http_code}"));
    command.addAll(List.of(options));
    command.add(url);
    NetNamespace.Result result =
        ns == null ? NetNamespace.run(command) : ns.exec(command.toArray(String[]::new));
    String out = result.output();
    int cut = out.lastIndexOf('\n');
    if (result.code() != 0 || cut < 0)
      throw new AssertionError("curl " + url + " failed (" + result.code() + "): " + out);
    return new Reply(Integer.parseInt(out.substring(cut + 1).trim()), out.substring(0, cut));
  }
}
