package io.wsgrid.client;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.node.Node;
import io.wsgrid.security.AuthSettings;
import io.wsgrid.security.ChannelRules;
import io.wsgrid.security.SecuritySettings;
import io.wsgrid.security.TlsSettings;
import io.wsgrid.session.SessionLimits;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.NodeScript;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.Tokens;
import java.time.Duration;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Both clients surface a refusal instead of crashing or looping: on a node that takes only tokens
 * and lets no client subscribe to {@code secret.*}, a refused subscribe fails the Java future and
 * rejects the wsgrid.js promise, reaches the error callback, and leaves the connection and the
 * other channels alone; a promise left without a handler does not end Node.js; a client the node
 * closes with 1008 (a bad token) reconnects with a growing backoff, not in a loop.
 */
class ClientRefusalIT {
  static final JsonObject RULES =
      new JsonObject(
          """
      {"permissions": [
        {"pattern": "secret.*", "subscribe": "nobody", "publish": "nobody", "presence": "nobody"},
        {"pattern": "*", "subscribe": "user", "publish": "user", "presence": "user"}
      ]}""");

  static TestNodes cluster;
  static Vertx vertx;
  static Node node;
  static Tokens tokens;

  @BeforeAll
  static void start() {
    vertx = Vertx.vertx();
    tokens = Tokens.hs256(vertx, Tokens.SECRET);
    cluster = new TestNodes("refusal");
    node =
        cluster.start(
            "refusal",
            1,
            1,
            SessionLimits.of(65536, 4 << 20),
            new SecuritySettings(
                new AuthSettings(Tokens.SECRET, null, null, null, false, null, null, List.of()),
                ChannelRules.fromConfig(RULES),
                TlsSettings.NONE));
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    Await.result(vertx.close());
  }

  @Test
  void javaClientFailsARefusedSubscribeAndKeepsTheOthers() {
    List<WsgridException> errors = new CopyOnWriteArrayList<>();
    List<JsonObject> received = new CopyOnWriteArrayList<>();
    WsgridClient client =
        Await.result(
            WsgridClient.connect(
                vertx,
                node.settings().wsUrl() + "?token=" + tokens.sign("alice", 600),
                Backoff.defaults()));
    client.onError(errors::add);
    Future<JsonObject> refused = client.subscribe("secret.a", received::add);
    Future<JsonObject> allowed = client.subscribe("open.a", received::add);
    Await.result(allowed);
    Await.until("the refused subscribe fails", Duration.ofSeconds(10), refused::isComplete);
    assertThat(refused.failed()).isTrue();
    assertThat(refused.cause()).isInstanceOf(WsgridException.class);
    WsgridException refusal = (WsgridException) refused.cause();
    assertThat(refusal.code()).isEqualTo("forbidden");
    assertThat(refusal.channel()).isEqualTo("secret.a");
    assertThat(refusal.retryable()).isFalse();
    assertThat(errors)
        .extracting(WsgridException::code, WsgridException::channel)
        .containsExactly(org.assertj.core.groups.Tuple.tuple("forbidden", "secret.a"));

    Http.publish(
        node.settings().httpUrl() + "/api/publish",
        new JsonObject().put("channel", "open.a").put("data", 1));
    Await.until("the allowed channel delivers", Duration.ofSeconds(10), () -> received.size() == 1);
    assertThat(client.reconnects()).isZero();
    Await.result(client.close());
  }

  @Test
  void wsgridJsRejectsARefusedSubscribeWithoutEndingNodeJs() throws Exception {
    NodeScript.assumeAvailable();
    JsonObject config =
        new JsonObject()
            .put("urls", new JsonArray().add(node.settings().wsUrl()))
            .put("options", new JsonObject().put("token", tokens.sign("bob", 600)));
    try (NodeScript js =
        NodeScript.start("client.js", node.settings().httpUrl(), config.encode())) {
      js.await("STARTED ", Duration.ofSeconds(30));
      // A refused subscribe whose promise nobody handles: with --unhandled-rejections=strict that
      // would end the process.
      js.send(new JsonObject().put("cmd", "ignore").put("channel", "secret.ignored"));
      js.await("ERROR ", Duration.ofSeconds(30), e -> e.contains("secret.ignored"));
      js.send(
          new JsonObject()
              .put("cmd", "subscribe")
              .put("channels", new JsonArray().add("secret.b").add("open.b")));
      JsonObject subscribed = new JsonObject(js.await("SUBSCRIBED ", Duration.ofSeconds(30)));
      assertThat(subscribed.getInteger("ok")).isEqualTo(1);
      assertThat(subscribed.getJsonArray("refused"))
          .containsExactly(new JsonObject().put("channel", "secret.b").put("code", "forbidden"));
      // onerror too, before the promises settled
      assertThat(js.linesStartingWith("ERROR "))
          .map(l -> new JsonObject(l.substring("ERROR ".length())))
          .extracting(e -> e.getString("channel") + " " + e.getString("code"))
          .containsExactly("secret.ignored forbidden", "secret.b forbidden");

      Http.publish(
          node.settings().httpUrl() + "/api/publish",
          new JsonObject().put("channel", "open.b").put("data", 7));
      Await.until(
          "open.b delivers to wsgrid.js",
          Duration.ofSeconds(30),
          () -> {
            js.send(new JsonObject().put("cmd", "report"));
            JsonObject report = new JsonObject(js.await("REPORT ", Duration.ofSeconds(30)));
            return new JsonArray()
                .add(7)
                .equals(report.getJsonObject("received").getJsonArray("open.b"));
          });
      assertThat(js.process().isAlive()).as("Node.js still runs:\n" + js.output()).isTrue();
      assertThat(js.linesStartingWith("OPEN ")).as("one connection, no reconnect").hasSize(1);
    }
  }

  @Test
  void wsgridJsClosedWith1008BacksOffInsteadOfLooping() throws Exception {
    NodeScript.assumeAvailable();
    JsonObject config =
        new JsonObject()
            .put("urls", new JsonArray().add(node.settings().wsUrl()))
            .put(
                "options",
                new JsonObject()
                    .put("token", "not-a-jwt")
                    .put("baseDelay", 100)
                    .put("maxDelay", 10_000));
    try (NodeScript js =
        NodeScript.start("client.js", node.settings().httpUrl(), config.encode())) {
      js.await("STARTED ", Duration.ofSeconds(30));
      JsonObject error = new JsonObject(js.await("ERROR ", Duration.ofSeconds(30)));
      assertThat(error.getString("code")).isEqualTo("policy_violation");
      assertThat(error.getString("message")).contains("1008");
      long watchedFrom = System.nanoTime();
      Thread.sleep(8_000);
      int opened = js.linesStartingWith("OPEN ").size();
      System.out.printf(
          "wsgrid.js refused with 1008 at every connection opened %d sockets in %d ms%n",
          opened, (System.nanoTime() - watchedFrom) / 1_000_000 + 1_000);
      // With the backoff growing after each refusal (ceilings 0.1, 0.2, 0.4 … 10 s) about 7
      // attempts fit; a
      // backoff that starts over at each connection (waits of 0-100 ms) makes over 50.
      assertThat(opened).as("sockets opened in ~9 s:\n" + js.output()).isBetween(2, 15);
      assertThat(js.process().isAlive()).isTrue();
    }
  }
}
