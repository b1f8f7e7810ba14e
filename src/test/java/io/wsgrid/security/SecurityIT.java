package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.edge.Edge;
import io.wsgrid.node.Node;
import io.wsgrid.session.SessionLimits;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.RawWebSocket;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.Tokens;
import io.wsgrid.testing.WsClient;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * The auth and permission matrix on real clustered nodes: node "open" takes HS256 tokens (audience
 * "wsgrid") and also anonymous sockets, with the production-like permissions and small limits; node
 * "strict" takes only RS256 tokens, so a socket without one must authenticate in its first frame.
 * API key, admin tokens on node and edge, Origin, connection and subscription limits, idle and
 * expiry closes, and the rejection metric.
 */
class SecurityIT {
  static final String API_KEY = "api-key-0123456789abcdef";
  static final String ADMIN = "admin-token-0123456789abcdef";
  static final JsonObject RULES =
      new JsonObject(
          """
      {"permissions": [
        {"pattern": "public.*", "subscribe": "anyone", "presence": "anyone", "publish": "nobody"},
        {"pattern": "user.{sub}.*", "subscribe": "user", "publish": "user", "presence": "user"},
        {"pattern": "chat.*", "subscribe": "user", "publish": "user", "presence": "user"},
        {"pattern": "*", "subscribe": "token", "publish": "token", "presence": "token"}
      ]}""");

  static TestNodes cluster;
  static Vertx vertx;
  static Node open;
  static Node strict;
  static Edge edge;
  static Tokens hs;
  static Tokens rs;
  static Path dir;
  static final HttpClient http = HttpClient.newHttpClient();

  @BeforeAll
  static void start() throws Exception {
    vertx = Vertx.vertx();
    dir = Files.createTempDirectory("wsgrid-security");
    hs = Tokens.hs256(vertx, Tokens.SECRET);
    rs = Tokens.keyPair(vertx, "RS256", dir);
    cluster = new TestNodes("security");
    SessionLimits limits = new SessionLimits(65536, 4 << 20, 3, 1000, 0, 12, 100, 1, 3, 2);
    ChannelRules rules = ChannelRules.fromConfig(RULES);
    open =
        cluster.start(
            "open",
            1,
            1,
            limits,
            new SecuritySettings(
                new AuthSettings(
                    Tokens.SECRET,
                    null,
                    "wsgrid",
                    null,
                    true,
                    API_KEY,
                    ADMIN,
                    List.of("https://app.example.com")),
                rules,
                TlsSettings.NONE));
    strict =
        cluster.start(
            "strict",
            1,
            1,
            SessionLimits.of(65536, 4 << 20).withAuthTimeout(2),
            new SecuritySettings(
                new AuthSettings(
                    null, rs.publicKeyPem().toString(), null, null, false, null, ADMIN, List.of()),
                rules,
                TlsSettings.NONE));
    edge = cluster.startEdge("edge", "least-connections", ADMIN, TlsSettings.NONE);
  }

  @AfterAll
  static void stop() throws Exception {
    cluster.close();
    vertx.close();
  }

  static int port(Node node) {
    return node.settings().port();
  }

  static String aliceToken() {
    return hs.sign(
        "alice",
        600,
        new JsonObject()
            .put("aud", "wsgrid")
            .put(
                "channels",
                new JsonObject()
                    .put("subscribe", new JsonArray().add("team.red.*"))
                    .put("publish", new JsonArray().add("team.red.chat"))));
  }

  @Test
  void upgradesWithBadTokensOrOriginsAreRefusedBeforeTheUpgrade() throws Exception {
    JsonObject aud = new JsonObject().put("aud", "wsgrid");
    record Case(String what, String query, String header, int status, String code, String words) {}
    List<Case> cases =
        List.of(
            new Case("valid", "?token=" + aliceToken(), null, 101, null, null),
            new Case("anonymous allowed here", "", null, 101, null, null),
            new Case(
                "expired",
                "?token=" + hs.sign("alice", -60, aud),
                null,
                401,
                "unauthorized",
                "expired"),
            new Case(
                "wrong signature",
                "?token="
                    + Tokens.hs256(vertx, "some-other-secret-of-32-bytes-or-more!!")
                        .sign("alice", 60, aud),
                null,
                401,
                "unauthorized",
                "signature"),
            new Case(
                "wrong audience",
                "?token=" + hs.sign("alice", 60, new JsonObject().put("aud", "billing")),
                null,
                401,
                "unauthorized",
                "audience"),
            new Case(
                "no audience",
                "?token=" + hs.sign("alice", 60),
                null,
                401,
                "unauthorized",
                "audience"),
            new Case(
                "RS256 token on an HS256 node",
                "?token=" + rs.sign("alice", 60),
                null,
                401,
                "unauthorized",
                "signature"),
            new Case("garbage", "?token=abc.def", null, 401, "unauthorized", "not a valid JWT"),
            new Case(
                "origin not allowed",
                "?token=" + aliceToken(),
                "Origin: https://evil.example.net",
                403,
                "forbidden",
                "allowed-origins"),
            new Case(
                "origin allowed",
                "?token=" + aliceToken(),
                "Origin: https://app.example.com",
                101,
                null,
                null));
    for (Case c : cases) {
      RawWebSocket.Answer answer =
          c.header == null
              ? RawWebSocket.upgrade("127.0.0.1", port(open), "/ws" + c.query)
              : RawWebSocket.upgrade("127.0.0.1", port(open), "/ws" + c.query, c.header);
      assertThat(answer.status()).as(c.what + ": " + answer.body()).isEqualTo(c.status);
      if (c.code != null) {
        JsonObject error = new JsonObject(answer.body()).getJsonObject("error");
        assertThat(error.getString("code")).as(c.what).isEqualTo(c.code);
        assertThat(error.getString("message")).as(c.what).contains(c.words);
      }
    }
    // The same refusals through the edge: the node's answer comes back to the client as is.
    RawWebSocket.Answer viaEdge =
        RawWebSocket.upgrade(
            "127.0.0.1", edge.settings().port(), "/ws?token=" + hs.sign("x", -60, aud));
    assertThat(viaEdge.status()).isEqualTo(401);
    assertThat(
            Http.metric(
                open.settings().httpUrl(),
                "wsgrid_rejections_total",
                "node",
                "open",
                "reason",
                "token_expired"))
        .isGreaterThanOrEqualTo(1);
    assertThat(
            Http.metric(
                open.settings().httpUrl(),
                "wsgrid_rejections_total",
                "node",
                "open",
                "reason",
                "origin"))
        .isEqualTo(1);
  }

  @Test
  void permissionMatrixPerNamespaceAndOp() {
    String bob = hs.sign("bob", 600, new JsonObject().put("aud", "wsgrid"));
    try (WsClient alice =
            WsClient.connect(vertx, open.settings().wsUrl() + "?token=" + aliceToken());
        WsClient b = WsClient.connect(vertx, open.settings().wsUrl() + "?token=" + bob);
        WsClient anon = WsClient.connect(vertx, open.settings().wsUrl())) {
      record Row(WsClient who, String name, String op, String channel, String expected) {}
      List<Row> rows =
          List.of(
              new Row(anon, "anonymous", "subscribe", "public.news", "ok"),
              new Row(anon, "anonymous", "presence", "public.news", "ok"),
              new Row(alice, "alice", "publish", "public.news", "forbidden"),
              new Row(anon, "anonymous", "publish", "public.news", "forbidden"),
              new Row(alice, "alice", "subscribe", "user.alice.inbox", "ok"),
              new Row(alice, "alice", "publish", "user.alice.inbox", "ok"),
              new Row(b, "bob", "subscribe", "user.alice.inbox", "forbidden"),
              new Row(b, "bob", "publish", "user.alice.inbox", "forbidden"),
              new Row(anon, "anonymous", "subscribe", "user.alice.inbox", "unauthorized"),
              new Row(b, "bob", "publish", "chat.lobby", "ok"),
              new Row(b, "bob", "presence", "chat.lobby", "ok"),
              new Row(anon, "anonymous", "publish", "chat.lobby", "unauthorized"),
              new Row(anon, "anonymous", "presence", "chat.lobby", "unauthorized"),
              new Row(alice, "alice", "subscribe", "team.red.ops", "ok"),
              new Row(alice, "alice", "publish", "team.red.chat", "ok"),
              new Row(alice, "alice", "publish", "team.red.ops", "forbidden"),
              new Row(alice, "alice", "presence", "team.red.ops", "forbidden"),
              new Row(b, "bob", "subscribe", "team.red.ops", "forbidden"));
      for (Row row : rows) {
        JsonObject request = new JsonObject().put("op", row.op).put("channel", row.channel);
        if (row.op.equals("publish")) request.put("data", "x");
        JsonObject reply = row.who.request(request);
        String got =
            reply.getBoolean("ok", false) ? "ok" : reply.getJsonObject("error").getString("code");
        assertThat(got)
            .as(row.name + " " + row.op + " " + row.channel + ": " + reply)
            .isEqualTo(row.expected);
      }
      // A fourth subscription is over --max-subscriptions 3 (alice holds user.alice.inbox and
      // team.red.ops).
      alice.subscribe("chat.a");
      JsonObject fourth =
          alice.request(new JsonObject().put("op", "subscribe").put("channel", "chat.b"));
      assertThat(fourth.getJsonObject("error").getString("code")).isEqualTo("too_large");
      assertThat(fourth.getJsonObject("error").getString("message"))
          .contains("--max-subscriptions");
      assertThat(alice.request(new JsonObject().put("op", "ping")).getBoolean("ok"))
          .as("the socket lives on")
          .isTrue();
    }
  }

  @Test
  void aSocketWithoutATokenMustAuthenticateFirst() {
    // Nothing but auth goes before auth: close 1008.
    try (WsClient c = WsClient.connect(vertx, strict.settings().wsUrl())) {
      c.send(new JsonObject().put("op", "subscribe").put("channel", "chat.x").put("id", 1));
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
      assertThat(c.closeReason()).contains("auth");
    }
    // A good first-frame token: ok with the sub, then the permissions of that user.
    try (WsClient c = WsClient.connect(vertx, strict.settings().wsUrl())) {
      JsonObject reply =
          c.request(new JsonObject().put("op", "auth").put("token", rs.sign("dave", 600)));
      assertThat(reply.getString("sub")).isEqualTo("dave");
      c.subscribe("user.dave.inbox");
      // A fresh token for another user on the same socket is refused; the socket stays.
      JsonObject other =
          c.request(new JsonObject().put("op", "auth").put("token", rs.sign("eve", 600)));
      assertThat(other.getJsonObject("error").getString("code")).isEqualTo("forbidden");
      assertThat(c.request(new JsonObject().put("op", "ping")).getBoolean("ok")).isTrue();
    }
    // An expired first-frame token: close 1008 with the reason.
    try (WsClient c = WsClient.connect(vertx, strict.settings().wsUrl())) {
      c.send(new JsonObject().put("op", "auth").put("token", rs.sign("dave", -60)).put("id", 1));
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
      assertThat(c.closeReason()).contains("expired");
    }
    // A bad ?token= on this node is a 401 before the upgrade; silence after connecting ends in
    // 1008.
    try (WsClient c = WsClient.connect(vertx, strict.settings().wsUrl())) {
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
      assertThat(c.closeReason()).contains("no auth frame within 2 s");
    } catch (Exception e) {
      throw new AssertionError(e);
    }
  }

  @Test
  void aLiveSocketIsClosedWhenItsTokenExpires() {
    // exp 1 s from now; the node allows 5 s of clock skew, so the close comes 6 s in.
    try (WsClient c =
        WsClient.connect(vertx, strict.settings().wsUrl() + "?token=" + rs.sign("frank", 1))) {
      long start = System.nanoTime();
      assertThat(c.awaitClose()).isEqualTo((short) 1008);
      assertThat(c.closeReason()).contains("token expired");
      assertThat(Duration.ofNanos(System.nanoTime() - start)).isGreaterThan(Duration.ofSeconds(3));
    }
  }

  @Test
  void deadPeersArePingedThenClosedWhileLiveOnesStay() throws Exception {
    // The raw socket never answers pings (a peer gone silent); the Vert.x client answers them.
    try (RawWebSocket silent = RawWebSocket.connect("127.0.0.1", port(open), "/ws", 64 * 1024);
        WsClient alive = WsClient.connect(vertx, open.settings().wsUrl())) {
      List<Integer> opcodes = new ArrayList<>();
      int code = -1;
      while (true) {
        RawWebSocket.Frame frame = silent.readFrame();
        opcodes.add(frame.opcode());
        if (frame.opcode() == 0x8) {
          code = ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff);
          assertThat(frame.text()).contains("idle timeout");
          break;
        }
      }
      assertThat(opcodes).as("pinged before being closed").contains(0x9);
      assertThat(code).isEqualTo(1001);
      assertThat(alive.isClosed()).isFalse();
      assertThat(alive.request(new JsonObject().put("op", "ping")).getBoolean("ok")).isTrue();
    }
  }

  @Test
  void aFullNodeAnswers503WithItsReason() throws Exception {
    List<WsClient> held = new ArrayList<>();
    try {
      RawWebSocket.Answer refused = null;
      for (int i = 0; i < 20 && refused == null; i++) {
        try {
          held.add(WsClient.connect(vertx, open.settings().wsUrl()));
        } catch (AssertionError full) {
          // Refused: read the refusal itself (the body a client library does not show).
          RawWebSocket.Answer answer = RawWebSocket.upgrade("127.0.0.1", port(open), "/ws");
          if (answer.status() == 503) refused = answer;
        }
      }
      assertThat(refused).as("refused within 20 sockets (limit 12)").isNotNull();
      assertThat(held.size()).isLessThanOrEqualTo(12);
      assertThat(new JsonObject(refused.body()).getJsonObject("error").getString("message"))
          .contains("--max-connections 12");
      assertThat(refused.head()).containsIgnoringCase("Retry-After");
    } finally {
      held.forEach(WsClient::close);
    }
  }

  @Test
  void apiKeyAndAdminTokensGuardTheirEndpoints() throws Exception {
    String publish = open.settings().httpUrl() + "/api/publish";
    String body = new JsonObject().put("channel", "public.news").put("data", 1).encode();
    assertThat(post(publish, body)).isEqualTo(401);
    assertThat(post(publish, body, "Authorization", "apikey wrong-key-0123456789")).isEqualTo(403);
    assertThat(post(publish, body, "Authorization", "apikey " + API_KEY)).isEqualTo(200);
    assertThat(post(publish, body, "X-API-Key", API_KEY)).isEqualTo(200);
    assertThat(post(publish, body, "Authorization", "Bearer " + API_KEY))
        .as("the admin scheme is not the API key's")
        .isEqualTo(401);
    // Node admin: refused without the token (with it, it would drain the node).
    assertThat(post(open.settings().httpUrl() + "/admin/drain", "")).isEqualTo(401);
    assertThat(
            post(
                open.settings().httpUrl() + "/admin/drain",
                "",
                "Authorization",
                "Bearer wrong-token-0123456789"))
        .isEqualTo(403);
    assertThat(open.isReady()).isTrue();
    // Edge admin.
    String edgeHttp = "http://127.0.0.1:" + edge.settings().port();
    assertThat(get(edgeHttp + "/admin/nodes")).isEqualTo(401);
    assertThat(get(edgeHttp + "/admin/stream")).isEqualTo(401);
    assertThat(get(edgeHttp + "/admin/nodes", "Authorization", "Bearer " + ADMIN)).isEqualTo(200);
    assertThat(get(edgeHttp + "/admin/stream", "Authorization", "Bearer " + ADMIN))
        .as("the dashboard's stream with the token")
        .isEqualTo(200);
    assertThat(
            post(edgeHttp + "/admin/rebalance", "", "Authorization", "Bearer nope-nope-nope-nope"))
        .isEqualTo(403);
    assertThat(get(edgeHttp + "/metrics")).as("operators' endpoints stay open").isEqualTo(200);
  }

  static int post(String url, String body, String... header) throws Exception {
    HttpRequest.Builder b =
        HttpRequest.newBuilder(URI.create(url)).POST(HttpRequest.BodyPublishers.ofString(body));
    if (header.length == 2) b.header(header[0], header[1]);
    return http.send(b.build(), HttpResponse.BodyHandlers.ofString()).statusCode();
  }

  static int get(String url, String... header) throws Exception {
    HttpRequest.Builder b = HttpRequest.newBuilder(URI.create(url)).timeout(Duration.ofSeconds(5));
    if (header.length == 2) b.header(header[0], header[1]);
    HttpResponse<java.io.InputStream> response =
        http.send(b.build(), HttpResponse.BodyHandlers.ofInputStream());
    response.body().close();
    return response.statusCode();
  }
}
