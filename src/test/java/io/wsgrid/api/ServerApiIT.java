package io.wsgrid.api;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.node.Node;
import io.wsgrid.security.AuthSettings;
import io.wsgrid.security.ChannelRules;
import io.wsgrid.security.SecuritySettings;
import io.wsgrid.security.TlsSettings;
import io.wsgrid.session.SessionLimits;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.Tokens;
import io.wsgrid.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.time.Duration;
import java.util.List;
import java.util.UUID;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The server API ({@code POST /api/<method>}) on two real clustered nodes, over real HTTP, with
 * real WebSocket clients of token users: each method, idempotency, a batch with a bad item, history
 * seams, cluster-wide gathering and per-user actions across nodes, and bad input.
 */
class ServerApiIT {
  static final String API_KEY = "api-key-of-the-test";
  static final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(5)).build();

  static TestNodes cluster;
  static Vertx clients;
  static Tokens tokens;
  static Node a;
  static Node b;

  record Reply(int status, String body) {
    JsonObject json() {
      return new JsonObject(body);
    }
  }

  @BeforeAll
  static void start() {
    clients = Vertx.vertx();
    tokens = Tokens.hs256(clients, Tokens.SECRET);
    cluster = new TestNodes("server-api");
    SecuritySettings security =
        new SecuritySettings(
            new AuthSettings(Tokens.SECRET, null, null, null, true, API_KEY, null, List.of()),
            ChannelRules.open(),
            TlsSettings.NONE);
    SessionLimits limits = SessionLimits.of(64 * 1024, 4 << 20).withMessageRate(0, 0);
    a = cluster.start("a", 2, 2, limits, security);
    b = cluster.start("b", 2, 2, limits, security);
    Await.until(
        "both nodes in the registry",
        Duration.ofSeconds(60),
        () -> a.hazelcast().getMap(NodeEntry.MAP).size() == 2);
  }

  @AfterAll
  static void stop() throws Exception {
    if (clients != null) Await.result(clients.close());
    if (cluster != null) cluster.close();
  }

  static Reply call(Node node, String method, String body) {
    try {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + node.settings().port() + "/api/" + method))
                  .timeout(Duration.ofSeconds(30))
                  .header("X-API-Key", API_KEY)
                  .header("Content-Type", "application/json")
                  .POST(HttpRequest.BodyPublishers.ofString(body))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      return new Reply(response.statusCode(), response.body());
    } catch (Exception e) {
      throw new AssertionError("POST /api/" + method + " failed: " + e, e);
    }
  }

  static Reply ok(Node node, String method, String body) {
    Reply reply = call(node, method, body);
    assertThat(reply.status()).as(method + " " + body + " -> " + reply.body()).isEqualTo(200);
    return reply;
  }

  static JsonArray info(Node node) {
    return ok(node, "info", "{}").json().getJsonArray("nodes");
  }

  static WsClient user(Node node, String sub) {
    return WsClient.connect(clients, node.settings().wsUrl() + "?token=" + tokens.sign(sub, 600));
  }

  static String unique(String prefix) {
    return prefix + "." + UUID.randomUUID().toString().substring(0, 8);
  }

  @Test
  void aRepeatedIdempotencyKeyGetsTheFirstReplyAndPublishesNothingAgain() {
    String channel = unique("chat.idem");
    try (WsClient subscriber = user(b, "sub")) {
      subscriber.subscribe(channel);
      String body =
          "{\"channel\":\"" + channel + "\",\"data\":{\"n\": 1e400 },\"idempotency_key\":\"k1\"}";
      Reply first = ok(a, "publish", body);
      Reply again = ok(b, "publish", body);
      assertThat(again.body()).isEqualTo(first.body());
      // The same key on another channel is another publication.
      ok(a, "publish", "{\"channel\":\"" + channel + "x\",\"data\":2,\"idempotency_key\":\"k1\"}");
      ok(a, "publish", "{\"channel\":\"" + channel + "\",\"data\":\"marker\"}");
      List<JsonObject> got = subscriber.publications(channel, 2);
      assertThat(got.get(0).getLong("offset")).isEqualTo(first.json().getLong("offset"));
      assertThat(got.get(1).getString("data")).as("nothing between").isEqualTo("marker");
      // The data kept byte for byte, as history shows it.
      assertThat(ok(a, "history", "{\"channel\":\"" + channel + "\"}").body())
          .contains("\"data\":{\"n\": 1e400 }");
    }
  }

  @Test
  void broadcastPublishesOnEveryChannelOnce() {
    String one = unique("chat.bc");
    String two = unique("plain.bc");
    try (WsClient s1 = user(a, "u1");
        WsClient s2 = user(b, "u2")) {
      s1.subscribe(one);
      s2.subscribe(two);
      String body =
          "{\"channels\":[\""
              + one
              + "\",\""
              + two
              + "\"],\"data\":[1, 2.50],\"idempotency_key\":\"b1\"}";
      Reply first = ok(a, "broadcast", body);
      JsonObject offsets = first.json().getJsonObject("offsets");
      assertThat(offsets.fieldNames()).containsExactlyInAnyOrder(one, two);
      assertThat(ok(b, "broadcast", body).body()).isEqualTo(first.body());
      ok(a, "publish", "{\"channel\":\"" + one + "\",\"data\":\"end\"}");
      ok(a, "publish", "{\"channel\":\"" + two + "\",\"data\":\"end\"}");
      assertThat(s1.publications(one, 2).stream().map(p -> p.getValue("data").toString()))
          .containsExactly("[1,2.5]", "end");
      assertThat(s2.publications(two, 2).stream().map(p -> p.getValue("data").toString()))
          .containsExactly("[1,2.5]", "end");
    }
  }

  @Test
  void aBatchAnswersEachItemInOrderAndABadItemFailsAlone() {
    String channel = unique("chat.batch");
    try (WsClient subscriber = user(b, "sub")) {
      subscriber.subscribe(channel);
      String body =
          "{\"publications\":["
              + "{\"channel\":\""
              + channel
              + "\",\"data\":\"one\"},"
              + "{\"channel\":\"bad channel!\",\"data\":1},"
              + "{\"channel\":\""
              + channel
              + "\"},"
              + "7,"
              + "{\"channel\":\""
              + channel
              + "\",\"data\":\"two\",\"idempotency_key\":\"i2\"}]}";
      JsonArray replies = ok(a, "batch", body).json().getJsonArray("replies");
      assertThat(replies).hasSize(5);
      long first = replies.getJsonObject(0).getLong("offset");
      assertThat(replies.getJsonObject(1).getJsonObject("error").getString("code"))
          .isEqualTo("bad_channel");
      assertThat(replies.getJsonObject(2).getJsonObject("error").getString("code"))
          .isEqualTo("bad_request");
      assertThat(replies.getJsonObject(3).getJsonObject("error").getString("message"))
          .contains("must be an object");
      assertThat(replies.getJsonObject(4).getLong("offset")).isEqualTo(first + 1);
      assertThat(subscriber.publications(channel, 2).stream().map(p -> p.getString("data")))
          .containsExactly("one", "two");
      // The keyed item again: its first reply, nothing published.
      JsonArray again =
          ok(
                  a,
                  "batch",
                  "{\"publications\":[{\"channel\":\""
                      + channel
                      + "\",\"data\":\"two\",\"idempotency_key\":\"i2\"}]}")
              .json()
              .getJsonArray("replies");
      assertThat(again.getJsonObject(0).getLong("offset")).isEqualTo(first + 1);
      assertThat(subscriber.poll(Duration.ofMillis(500))).isEmpty();
    }
  }

  @Test
  void historyPagesForwardAndBackAndSaysWhenSinceCannotBeServed() {
    String channel = unique("chat.hist");
    long[] offsets = new long[5];
    for (int i = 0; i < 5; i++)
      offsets[i] =
          ok(i % 2 == 0 ? a : b, "publish", "{\"channel\":\"" + channel + "\",\"data\":" + i + "}")
              .json()
              .getLong("offset");
    JsonObject all = ok(b, "history", "{\"channel\":\"" + channel + "\"}").json();
    assertThat(all.getLong("offset")).isEqualTo(offsets[4]);
    String epoch = all.getString("epoch");
    assertThat(data(all)).containsExactly(0, 1, 2, 3, 4);
    assertThat(all.containsKey("recovered")).isFalse();
    JsonObject newest =
        ok(a, "history", "{\"channel\":\"" + channel + "\",\"limit\":2,\"reverse\":true}").json();
    assertThat(data(newest)).containsExactly(4, 3);
    JsonObject after =
        ok(
                a,
                "history",
                "{\"channel\":\""
                    + channel
                    + "\",\"since\":{\"offset\":"
                    + offsets[1]
                    + ",\"epoch\":\""
                    + epoch
                    + "\"},\"limit\":2}")
            .json();
    assertThat(after.getBoolean("recovered")).isTrue();
    assertThat(data(after)).containsExactly(2, 3);
    assertThat(after.getJsonArray("publications").getJsonObject(0).getLong("offset"))
        .isEqualTo(offsets[2]);
    JsonObject otherEpoch =
        ok(
                a,
                "history",
                "{\"channel\":\""
                    + channel
                    + "\",\"since\":{\"offset\":0,\"epoch\":\"not-"
                    + epoch
                    + "\"}}")
            .json();
    assertThat(otherEpoch.getBoolean("recovered")).isFalse();
    assertThat(otherEpoch.getJsonArray("publications")).isEmpty();
    // A namespace without history: its position, no publications.
    String plain = unique("plain.hist");
    long last =
        ok(a, "publish", "{\"channel\":\"" + plain + "\",\"data\":1}").json().getLong("offset");
    JsonObject none = ok(b, "history", "{\"channel\":\"" + plain + "\"}").json();
    assertThat(none.getLong("offset")).isEqualTo(last);
    assertThat(none.getJsonArray("publications")).isEmpty();
  }

  private static List<Integer> data(JsonObject history) {
    return history.getJsonArray("publications").stream()
        .map(p -> ((JsonObject) p).getInteger("data"))
        .toList();
  }

  @Test
  void presenceAndChannelsAreGatheredFromBothNodes() {
    String room = unique("room");
    try (WsClient alice = user(a, "alice");
        WsClient bob = user(b, "bob");
        WsClient bob2 = user(b, "bob")) {
      alice.subscribe(room + ".one");
      bob.subscribe(room + ".one");
      bob2.subscribe(room + ".two");
      Await.until(
          "presence of 2 clients",
          Duration.ofSeconds(30),
          () ->
              ok(a, "presence", "{\"channel\":\"" + room + ".one\"}")
                      .json()
                      .getJsonArray("clients")
                      .size()
                  == 2);
      JsonArray clientsOfOne =
          ok(b, "presence", "{\"channel\":\"" + room + ".one\"}").json().getJsonArray("clients");
      assertThat(clientsOfOne.stream().map(c -> ((JsonObject) c).getString("user")))
          .containsExactlyInAnyOrder("alice", "bob");
      assertThat(clientsOfOne.stream().map(c -> ((JsonObject) c).getString("node")))
          .containsExactlyInAnyOrder("a", "b");
      assertThat(ok(a, "presence_stats", "{\"channel\":\"" + room + ".one\"}").json())
          .isEqualTo(new JsonObject().put("clients", 2).put("users", 2));
      JsonObject channels =
          ok(a, "channels", "{\"pattern\":\"" + room + ".*\"}").json().getJsonObject("channels");
      assertThat(channels)
          .isEqualTo(
              new JsonObject()
                  .put(room + ".one", new JsonObject().put("subscribers", 2))
                  .put(room + ".two", new JsonObject().put("subscribers", 1)));
      JsonArray nodes = info(b);
      assertThat(nodes.stream().map(n -> ((JsonObject) n).getString("id")))
          .containsExactlyInAnyOrder("a", "b");
      for (Object n : nodes) {
        JsonObject node = (JsonObject) n;
        assertThat(node.getString("state")).isEqualTo("UP");
        assertThat(node.getLong("connections")).isGreaterThanOrEqualTo(1);
        assertThat(node.getLong("subscriptions")).isGreaterThanOrEqualTo(1);
      }
    }
  }

  @Test
  void disconnectClosesTheUsersSocketsOnEveryNodeAndNoOneElses() {
    try (WsClient carolA = user(a, "carol");
        WsClient carolB = user(b, "carol");
        WsClient dave = user(a, "dave")) {
      JsonObject reply =
          ok(b, "disconnect", "{\"user\":\"carol\",\"code\":4403,\"reason\":\"banned\"}").json();
      assertThat(reply).isEqualTo(new JsonObject().put("disconnected", 2));
      assertThat(carolA.awaitClose()).isEqualTo((short) 4403);
      assertThat(carolB.awaitClose()).isEqualTo((short) 4403);
      assertThat(carolB.closeReason()).isEqualTo("banned");
      assertThat(dave.isClosed()).isFalse();
      assertThat(dave.request(new JsonObject().put("op", "ping")).getBoolean("ok")).isTrue();
    }
  }

  @Test
  void subscribeAndUnsubscribeActOnTheUsersSocketsOnEveryNode() {
    String channel = unique("news");
    try (WsClient eveA = user(a, "eve");
        WsClient eveB = user(b, "eve");
        WsClient frank = user(b, "frank")) {
      String body = "{\"user\":\"eve\",\"channel\":\"" + channel + "\"}";
      assertThat(ok(a, "subscribe", body).json()).isEqualTo(new JsonObject().put("sockets", 2));
      assertThat(ok(a, "subscribe", body).json())
          .as("already subscribed")
          .isEqualTo(new JsonObject().put("sockets", 0));
      ok(b, "publish", "{\"channel\":\"" + channel + "\",\"data\":\"hello\"}");
      assertThat(eveA.publications(channel, 1).get(0).getString("data")).isEqualTo("hello");
      assertThat(eveB.publications(channel, 1).get(0).getString("data")).isEqualTo("hello");
      assertThat(frank.poll(Duration.ofMillis(300))).isEmpty();
      assertThat(ok(b, "unsubscribe", body).json()).isEqualTo(new JsonObject().put("sockets", 2));
      ok(b, "publish", "{\"channel\":\"" + channel + "\",\"data\":\"gone\"}");
      assertThat(eveA.poll(Duration.ofMillis(500))).isEmpty();
      assertThat(eveB.poll(Duration.ofMillis(200))).isEmpty();
    }
  }

  @Test
  void badCallsGetAClearErrorWithAFittingStatus() {
    Reply unknown = call(a, "nope", "{}");
    assertThat(unknown.status()).isEqualTo(404);
    assertThat(unknown.json().getJsonObject("error").getString("code")).isEqualTo("unknown_op");
    assertThat(unknown.json().getJsonObject("error").getString("message"))
        .contains("publish, broadcast, batch, history");
    record Case(String method, String body, String code, String words) {}
    for (Case c :
        List.of(
            new Case("history", "{}", "bad_channel", "channel is missing"),
            new Case("history", "{\"channel\":\"chat.x\",\"limit\":5000}", "bad_request", "limit"),
            new Case("history", "[1]", "bad_request", "JSON object"),
            new Case(
                "publish",
                "{\"channel\":\"c\",\"data\":1,\"idempotency_key\":5}",
                "bad_request",
                "idempotency_key"),
            new Case("broadcast", "{\"channels\":[],\"data\":1}", "bad_request", "channels"),
            new Case(
                "batch", "{\"publications\":" + tooMany() + "}", "bad_request", "at most 1000"),
            new Case("disconnect", "{}", "bad_request", "needs user"),
            new Case("disconnect", "{\"user\":\"x\",\"code\":1000}", "bad_request", "4000 to 4999"),
            new Case(
                "subscribe",
                "{\"user\":\"x\",\"channel\":\"no spaces\"}",
                "bad_channel",
                "bad channel name"),
            new Case("channels", "{\"pattern\":7}", "bad_request", "pattern"))) {
      Reply reply = call(a, c.method(), c.body());
      assertThat(reply.status()).as(c.toString() + " -> " + reply.body()).isEqualTo(400);
      JsonObject error = reply.json().getJsonObject("error");
      assertThat(error.getString("code")).as(c.toString()).isEqualTo(c.code());
      assertThat(error.getString("message")).as(c.toString()).contains(c.words());
    }
  }

  private static String tooMany() {
    JsonArray list = new JsonArray();
    for (int i = 0; i < 1001; i++) list.add(new JsonObject().put("channel", "c").put("data", i));
    return list.encode();
  }

  @Test
  void everyMethodIsBehindTheApiKey() throws Exception {
    for (String method : List.of("history", "info", "disconnect", "nope")) {
      HttpResponse<String> response =
          http.send(
              HttpRequest.newBuilder(
                      URI.create("http://127.0.0.1:" + a.settings().port() + "/api/" + method))
                  .POST(HttpRequest.BodyPublishers.ofString("{\"user\":\"x\"}"))
                  .build(),
              HttpResponse.BodyHandlers.ofString());
      assertThat(response.statusCode()).as(method).isEqualTo(401);
    }
  }
}
