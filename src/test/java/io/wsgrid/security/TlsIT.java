package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Vertx;
import io.vertx.core.http.ClientWebSocket;
import io.vertx.core.http.HttpClient;
import io.vertx.core.http.HttpClientOptions;
import io.vertx.core.http.HttpMethod;
import io.vertx.core.http.RequestOptions;
import io.vertx.core.http.WebSocketClient;
import io.vertx.core.http.WebSocketClientOptions;
import io.vertx.core.http.WebSocketConnectOptions;
import io.vertx.core.json.JsonObject;
import io.vertx.core.net.PemTrustOptions;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.JarProcess;
import io.wsgrid.testing.Ports;
import java.io.IOException;
import java.net.Socket;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.concurrent.BlockingQueue;
import java.util.concurrent.LinkedBlockingQueue;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Test;

/**
 * TLS end to end, with fat-jar processes: two nodes and an edge serve wss:// only ({@code
 * --tls-cert}, {@code --tls-key}), the edge tunnels to the nodes over TLS trusting {@code
 * --tls-ca}, and the event bus between them is mutual TLS ({@code --cluster-tls}). A client
 * connects with wss:// through the edge and receives what a client on the other node publishes; a
 * plain ws:// or http:// connection to a TLS port is refused without harm to the process.
 */
class TlsIT {
  @Test
  void wssThroughTheEdgeAndAnEncryptedEventBus() throws Exception {
    Path dir = Files.createTempDirectory("wsgrid-tls");
    Path cert = dir.resolve("cert.pem");
    Path key = dir.resolve("key.pem");
    Process openssl =
        new ProcessBuilder(
                "openssl",
                "req",
                "-x509",
                "-newkey",
                "rsa:2048",
                "-nodes",
                "-days",
                "2",
                "-subj",
                "/CN=localhost",
                "-addext",
                "subjectAltName=IP:127.0.0.1,DNS:localhost",
                "-keyout",
                key.toString(),
                "-out",
                cert.toString())
            .redirectErrorStream(true)
            .start();
    String opensslOut = new String(openssl.getInputStream().readAllBytes(), StandardCharsets.UTF_8);
    assertThat(openssl.waitFor(60, TimeUnit.SECONDS) && openssl.exitValue() == 0)
        .as("openssl: " + opensslOut)
        .isTrue();

    String cluster = Ports.clusterName("tls");
    int hz = Ports.clusterPort();
    int p1 = Ports.free();
    int p2 = Ports.free();
    int pe = Ports.free();
    String[] tls = {
      "--tls-cert",
      cert.toString(),
      "--tls-key",
      key.toString(),
      "--tls-ca",
      cert.toString(),
      "--cluster-tls"
    };
    Vertx vertx = Vertx.vertx();
    try (JarProcess n1 =
            JarProcess.start(
                "tls-n1",
                concat(
                    new String[] {
                      "node",
                      "--port",
                      "" + p1,
                      "--name",
                      "n1",
                      "--cluster-name",
                      cluster,
                      "--cluster-port",
                      "" + hz,
                      "--instances",
                      "1"
                    },
                    tls));
        JarProcess n2 =
            JarProcess.start(
                "tls-n2",
                concat(
                    new String[] {
                      "node",
                      "--port",
                      "" + p2,
                      "--name",
                      "n2",
                      "--cluster-name",
                      cluster,
                      "--cluster-port",
                      "" + hz,
                      "--instances",
                      "1"
                    },
                    tls));
        JarProcess edge =
            JarProcess.start(
                "tls-edge",
                concat(
                    new String[] {
                      "edge",
                      "--port",
                      "" + pe,
                      "--name",
                      "e1",
                      "--cluster-name",
                      cluster,
                      "--cluster-port",
                      "" + hz,
                      "--instances",
                      "1"
                    },
                    tls))) {
      n1.awaitLog("node n1 ready: wss://127.0.0.1:" + p1, Duration.ofSeconds(90));
      n2.awaitLog("node n2 ready: wss://127.0.0.1:" + p2, Duration.ofSeconds(90));
      edge.awaitLog("edge e1 ready: wss://127.0.0.1:" + pe, Duration.ofSeconds(90));
      PemTrustOptions trust = new PemTrustOptions().addCertPath(cert.toString());
      HttpClient https =
          vertx.createHttpClient(
              new HttpClientOptions().setSsl(true).setTrustOptions(trust).setVerifyHost(true));
      Await.until(
          "the edge sees both nodes",
          Duration.ofSeconds(30),
          () ->
              get(https, pe, "/admin/nodes").contains("n2")
                  && get(https, pe, "/admin/nodes").contains("n1"));

      WebSocketClient wss =
          vertx.createWebSocketClient(
              new WebSocketClientOptions().setSsl(true).setTrustOptions(trust).setVerifyHost(true));
      BlockingQueue<JsonObject> viaEdge = new LinkedBlockingQueue<>();
      ClientWebSocket a = wss.webSocket();
      a.textMessageHandler(t -> viaEdge.add(new JsonObject(t)));
      Await.result(
          a.connect(new WebSocketConnectOptions().setHost("127.0.0.1").setPort(pe).setURI("/ws")));
      String nodeA = viaEdge.poll(15, TimeUnit.SECONDS).getString("node");
      a.writeTextMessage("{\"op\":\"subscribe\",\"channel\":\"chat.tls\",\"id\":1}");
      assertThat(viaEdge.poll(15, TimeUnit.SECONDS).getBoolean("ok")).isTrue();

      // A client straight on the other node publishes: the publication crosses the TLS event bus.
      int otherPort = nodeA.equals("n1") ? p2 : p1;
      BlockingQueue<JsonObject> direct = new LinkedBlockingQueue<>();
      ClientWebSocket b = wss.webSocket();
      b.textMessageHandler(t -> direct.add(new JsonObject(t)));
      Await.result(
          b.connect(
              new WebSocketConnectOptions().setHost("127.0.0.1").setPort(otherPort).setURI("/ws")));
      assertThat(direct.poll(15, TimeUnit.SECONDS).getString("node")).isNotEqualTo(nodeA);
      b.writeTextMessage(
          "{\"op\":\"publish\",\"channel\":\"chat.tls\",\"data\":\"over TLS\",\"id\":1}");
      JsonObject publication = viaEdge.poll(15, TimeUnit.SECONDS);
      assertThat(publication).isNotNull();
      assertThat(publication.getString("data")).isEqualTo("over TLS");

      // Plain connections to TLS ports are refused: no upgrade, no HTTP answer, and the processes
      // serve on.
      WebSocketClient plain = vertx.createWebSocketClient();
      assertThatThrownBy(
              () -> Await.result(plain.connect(pe, "127.0.0.1", "/ws"), Duration.ofSeconds(15)))
          .isInstanceOf(AssertionError.class);
      assertThat(plainHttpAnswer(pe))
          .as("a plain HTTP request to the edge's TLS port")
          .doesNotStartWith("HTTP/1.1 200");
      assertThat(plainHttpAnswer(p1))
          .as("a plain HTTP request to a node's TLS port")
          .doesNotStartWith("HTTP/1.1 200");
      assertThat(get(https, pe, "/health")).isEqualTo("ok\n");
      assertThat(get(https, p1, "/health")).isEqualTo("ok\n");
      a.writeTextMessage("{\"op\":\"ping\",\"id\":2}");
      assertThat(viaEdge.poll(15, TimeUnit.SECONDS).getBoolean("ok"))
          .as("the wss client is still served")
          .isTrue();
      assertThat(edge.log()).doesNotContain("Exception in thread");
    } finally {
      vertx.close();
    }
  }

  private static String get(HttpClient https, int port, String path) {
    return Await.result(
            https
                .request(
                    new RequestOptions()
                        .setMethod(HttpMethod.GET)
                        .setHost("127.0.0.1")
                        .setPort(port)
                        .setURI(path))
                .compose(r -> r.send())
                .compose(r -> r.body()),
            Duration.ofSeconds(15))
        .toString();
  }

  /**
   * What a plain-text HTTP request to the port gets back before the connection ends ("" when
   * nothing).
   */
  private static String plainHttpAnswer(int port) throws IOException {
    try (Socket socket = new Socket("127.0.0.1", port)) {
      socket.setSoTimeout(10_000);
      socket
          .getOutputStream()
          .write("GET /health HTTP/1.1\r\nHost: x\r\n\r\n".getBytes(StandardCharsets.US_ASCII));
      return new String(socket.getInputStream().readNBytes(64), StandardCharsets.ISO_8859_1);
    } catch (java.net.SocketException e) {
      return "";
    }
  }

  private static String[] concat(String[] a, String[] b) {
    String[] out = java.util.Arrays.copyOf(a, a.length + b.length);
    System.arraycopy(b, 0, out, a.length, b.length);
    return out;
  }
}
