package io.wsgrid.protocol;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.node.Node;
import io.wsgrid.security.SecuritySettings;
import io.wsgrid.session.SessionLimits;
import io.wsgrid.testing.Http;
import io.wsgrid.testing.RawWebSocket;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.Map;
import java.util.Random;
import java.util.Set;
import java.util.TreeMap;
import java.util.concurrent.atomic.AtomicBoolean;
import java.util.concurrent.atomic.AtomicInteger;
import org.junit.jupiter.api.Test;

/**
 * Thousands of random and mutated frames against a running node, from a seeded generator (rerun one
 * with {@code -Dfuzz.seed=N}): random bytes, invalid UTF-8, deep JSON nesting, huge numbers and
 * strings, wrong types for each field, truncated JSON, binary and malformed frames. Each input must
 * get a reply ({@code ok} for what happens to be valid, else {@code error}) or a close with a
 * standard code; the node never dies; and a well-behaved subscriber on the same node receives every
 * publication of a backend publishing throughout, in order.
 */
class ProtocolFuzzIT {
  private static final Set<Integer> STANDARD_CLOSES = Set.of(1002, 1003, 1007, 1008, 1009);
  private static final int MAX_FRAME = 16 * 1024;
  private static final int INPUTS = 10_000;
  private static final Duration BUDGET = Duration.ofSeconds(60);

  private final long seed = Long.getLong("fuzz.seed", 20261125L);
  private final Random random = new Random(seed);
  private final Map<String, Integer> outcomes = new TreeMap<>();

  @Test
  void randomAndMutatedFramesGetAnErrorOrAStandardCloseAndHurtNoOne() throws Exception {
    Vertx vertx = Vertx.vertx();
    try (TestNodes cluster = new TestNodes("fuzz")) {
      Node node =
          cluster.start(
              "fuzz",
              2,
              2,
              SessionLimits.of(MAX_FRAME, 4 << 20).withMessageRate(0, 0),
              SecuritySettings.OPEN);
      String url = node.settings().httpUrl();
      try (WsClient good = WsClient.connect(vertx, node.settings().wsUrl())) {
        good.subscribe("good.feed");
        AtomicBoolean fuzzing = new AtomicBoolean(true);
        AtomicInteger published = new AtomicInteger();
        Thread backend =
            new Thread(
                () -> {
                  HttpClient http = HttpClient.newHttpClient();
                  long end =
                      System.nanoTime() + BUDGET.toNanos() + Duration.ofSeconds(30).toNanos();
                  while ((fuzzing.get() || published.get() < 50) && System.nanoTime() < end) {
                    int n = published.get();
                    try {
                      HttpResponse<String> r =
                          http.send(
                              HttpRequest.newBuilder(URI.create(url + "/api/publish"))
                                  .POST(
                                      HttpRequest.BodyPublishers.ofString(
                                          new JsonObject()
                                              .put("channel", "good.feed")
                                              .put("data", n)
                                              .encode()))
                                  .build(),
                              HttpResponse.BodyHandlers.ofString());
                      if (r.statusCode() == 200) published.incrementAndGet();
                      Thread.sleep(10);
                    } catch (IOException | InterruptedException e) {
                      return;
                    }
                  }
                },
                "fuzz-backend");
        backend.start();

        int tried = fuzz(node);
        fuzzing.set(false);
        backend.join(60_000);

        System.out.printf(
            "fuzz: %d inputs tried (seed %d, -Dfuzz.seed=%d to rerun); outcomes %s; %d publications during the fuzz%n",
            tried, seed, seed, outcomes, published.get());
        assertThat(tried).isGreaterThanOrEqualTo(2000);
        assertThat(outcomes)
            .as("invalid UTF-8 fails the connection (RFC 6455)")
            .containsKey("close 1007");
        assertThat(published.get()).isGreaterThan(0);
        List<JsonObject> got = good.publications("good.feed", published.get());
        for (int i = 0; i < got.size(); i++)
          assertThat(got.get(i).getInteger("data")).as("publication %d in order", i).isEqualTo(i);
        assertThat(good.request(new JsonObject().put("op", "ping")).getBoolean("ok")).isTrue();
        assertThat(node.isReady()).isTrue();
        assertThat(Http.metric(url, "wsgrid_connections"))
            .as("every fuzz socket was released")
            .isEqualTo(1);
      }
    } finally {
      vertx.close();
    }
  }

  private int fuzz(Node node) throws IOException {
    long deadline = System.nanoTime() + BUDGET.toNanos();
    RawWebSocket ws = open(node);
    int tried = 0;
    while (tried < INPUTS && System.nanoTime() < deadline) {
      Input input = next();
      tried++;
      try {
        input.send.apply(ws);
      } catch (IOException e) {
        // The node closed on an earlier frame while this one was being written: read what it said.
      }
      String outcome = answer(ws, input);
      outcomes.merge(
          outcome.startsWith("close") ? outcome : outcome.split(":")[0], 1, Integer::sum);
      if (outcome.startsWith("close")) {
        ws.close();
        ws = open(node);
      }
    }
    ws.close();
    return tried;
  }

  private static RawWebSocket open(Node node) throws IOException {
    RawWebSocket ws = RawWebSocket.connect("127.0.0.1", node.settings().port(), "/ws", 256 * 1024);
    ws.setReadTimeout(10_000);
    assertThat(ws.readFrame().text()).contains("\"connected\"");
    return ws;
  }

  /** Reads until a reply or a close: "ok", "error:<code>" or "close <code>"; anything else fails the test. */
  private static String answer(RawWebSocket ws, Input input) {
    try {
      while (true) {
        RawWebSocket.Frame frame = ws.readFrame();
        if (frame.opcode() == 0x9 || frame.opcode() == 0xA) continue; // ping, pong
        if (frame.opcode() == 0x8) {
          int code =
              frame.payload().length >= 2
                  ? ((frame.payload()[0] & 0xff) << 8) | (frame.payload()[1] & 0xff)
                  : 1005;
          assertThat(STANDARD_CLOSES).as("close code for %s", input).contains(code);
          return "close " + code;
        }
        assertThat(frame.opcode()).as("text reply to %s", input).isEqualTo(0x1);
        JsonObject reply = new JsonObject(frame.text());
        if (reply.containsKey("error")) {
          String code = reply.getJsonObject("error").getString("code");
          assertThat(reply.getJsonObject("error").getString("message"))
              .as("error message for %s", input)
              .isNotBlank();
          return "error:" + code;
        }
        if (reply.getBoolean("ok", false)) return "ok";
        // a publication of a channel a valid mutated subscribe joined: not the reply yet
      }
    } catch (IOException e) {
      throw new AssertionError(
          "no reply and no close frame for " + input + ": " + e.getMessage(), e);
    }
  }

  /** One input: how it was made (for the failure message) and how to send it. */
  private record Input(String kind, String preview, ThrowingSend send) {
    @Override
    public String toString() {
      return kind + " " + preview;
    }
  }

  @FunctionalInterface
  private interface ThrowingSend {
    void apply(RawWebSocket ws) throws IOException;
  }

  private Input next() {
    int pick = random.nextInt(100);
    if (pick < 8) return text("random bytes", randomBytes(1 + random.nextInt(300)));
    if (pick < 14)
      return text(
          "printable noise",
          randomPrintable(1 + random.nextInt(200)).getBytes(StandardCharsets.UTF_8));
    if (pick < 18) return binary();
    if (pick < 21) return text("deep nesting", deepNesting().getBytes(StandardCharsets.UTF_8));
    if (pick < 23)
      return text(
          "huge string",
          ("{\"op\":\"publish\",\"channel\":\"fuzz.big\",\"data\":\""
                  + "x".repeat(MAX_FRAME)
                  + "\"}")
              .getBytes(StandardCharsets.UTF_8));
    if (pick < 25) return malformedFrame();
    if (pick < 28) return fragmented();
    if (pick < 33) return text("invalid UTF-8 in JSON", invalidUtf8InJson());
    return mutated();
  }

  private Input text(String kind, byte[] payload) {
    return new Input(kind, preview(payload), ws -> ws.sendFrame(0x1, true, payload));
  }

  private Input binary() {
    byte[] payload =
        random.nextBoolean()
            ? randomBytes(random.nextInt(200))
            : validRequest().encode().getBytes(StandardCharsets.UTF_8);
    return new Input("binary frame", preview(payload), ws -> ws.sendFrame(0x2, true, payload));
  }

  private Input fragmented() {
    byte[] payload = validRequest().encode().getBytes(StandardCharsets.UTF_8);
    int cut = payload.length / 2;
    return new Input(
        "fragmented valid request",
        preview(payload),
        ws -> {
          ws.sendFrame(0x1, false, java.util.Arrays.copyOfRange(payload, 0, cut));
          ws.sendFrame(0x0, true, java.util.Arrays.copyOfRange(payload, cut, payload.length));
        });
  }

  /**
   * Frames a conforming client never sends: reserved opcodes, RSV bits, no mask, a lone
   * continuation.
   */
  private Input malformedFrame() {
    int kind = random.nextInt(4);
    byte[] body = "{\"op\":\"ping\"}".getBytes(StandardCharsets.UTF_8);
    return switch (kind) {
      case 0 ->
          new Input(
              "reserved opcode", "0x3", ws -> ws.sendFrame(0x3 + random.nextInt(5), true, body));
      case 1 -> new Input("RSV1 set", "", ws -> ws.sendFrame(0x40 | 0x1, true, body));
      case 2 ->
          new Input(
              "unmasked",
              "",
              ws -> {
                byte[] frame = new byte[2 + body.length];
                frame[0] = (byte) 0x81;
                frame[1] = (byte) body.length;
                System.arraycopy(body, 0, frame, 2, body.length);
                ws.sendRaw(frame);
              });
      default -> new Input("continuation without start", "", ws -> ws.sendFrame(0x0, true, body));
    };
  }

  private byte[] invalidUtf8InJson() {
    byte[] prefix =
        "{\"op\":\"publish\",\"channel\":\"fuzz.u\",\"data\":\"".getBytes(StandardCharsets.UTF_8);
    byte[] bad = {(byte) 0xC3, (byte) 0x28, (byte) 0xFF, (byte) 0xED, (byte) 0xA0, (byte) 0x80};
    byte[] suffix = "\"}".getBytes(StandardCharsets.UTF_8);
    byte[] out = new byte[prefix.length + bad.length + suffix.length];
    System.arraycopy(prefix, 0, out, 0, prefix.length);
    System.arraycopy(bad, 0, out, prefix.length, bad.length);
    System.arraycopy(suffix, 0, out, prefix.length + bad.length, suffix.length);
    return out;
  }

  /**
   * A valid request, then one mutation: a field of another type, a field removed or added,
   * truncation, a byte flipped.
   */
  private Input mutated() {
    JsonObject request = validRequest();
    List<String> fields = new ArrayList<>(request.fieldNames());
    String field = fields.get(random.nextInt(fields.size()));
    String how;
    String text;
    switch (random.nextInt(6)) {
      case 0, 1 -> {
        Object value = strangeValue();
        request.put(field, value);
        how = field + " := " + preview(String.valueOf(value).getBytes(StandardCharsets.UTF_8));
        text = request.encode();
      }
      case 2 -> {
        request.remove(field);
        how = "without " + field;
        text = request.encode();
      }
      case 3 -> {
        String encoded = request.encode();
        int cut = random.nextInt(encoded.length());
        how = "truncated at " + cut;
        text = encoded.substring(0, cut);
      }
      case 4 -> {
        char[] chars = request.encode().toCharArray();
        int at = random.nextInt(chars.length);
        String alphabet = "{}[]\":,\\ 0a-";
        chars[at] = alphabet.charAt(random.nextInt(alphabet.length()));
        how = "char " + at + " replaced";
        text = new String(chars);
      }
      default -> {
        request.put(randomPrintable(1 + random.nextInt(8)), strangeValue());
        how = "extra field";
        text = request.encode();
      }
    }
    return text("mutated (" + how + ")", text.getBytes(StandardCharsets.UTF_8));
  }

  private JsonObject validRequest() {
    String channel = "fuzz." + random.nextInt(50);
    JsonObject r =
        switch (random.nextInt(7)) {
          case 0 -> new JsonObject().put("op", "subscribe").put("channel", channel);
          case 1 ->
              new JsonObject()
                  .put("op", "subscribe")
                  .put("channel", "chat.fuzz" + random.nextInt(5))
                  .put(
                      "since",
                      new JsonObject()
                          .put("offset", random.nextInt(10))
                          .put("epoch", "e" + random.nextInt(3)));
          case 2 -> new JsonObject().put("op", "unsubscribe").put("channel", channel);
          case 3 ->
              new JsonObject()
                  .put("op", "publish")
                  .put("channel", channel)
                  .put("data", new JsonObject().put("n", random.nextInt()));
          case 4 -> new JsonObject().put("op", "presence").put("channel", channel);
          case 5 -> new JsonObject().put("op", "auth").put("token", randomPrintable(20));
          default -> new JsonObject().put("op", "ping");
        };
    if (random.nextBoolean()) r.put("id", random.nextInt(1_000_000));
    return r;
  }

  private Object strangeValue() {
    return switch (random.nextInt(12)) {
      case 0 -> null;
      case 1 -> random.nextBoolean();
      case 2 -> random.nextLong();
      case 3 -> random.nextDouble() * 1e300;
      case 4 -> new java.math.BigInteger(400, random);
      case 5 -> new JsonArray().add(1).add("two").addNull();
      case 6 -> new JsonObject().put("nested", new JsonObject().put("deeper", new JsonArray()));
      case 7 -> "x".repeat(random.nextInt(MAX_FRAME / 2));
      case 8 -> randomPrintable(random.nextInt(300));
      case 9 -> "\u0000\u202e\ud83d\ude00\ufeff";
      case 10 -> -1;
      default -> "";
    };
  }

  private String deepNesting() {
    int depth = 500 + random.nextInt(5000);
    String open = random.nextBoolean() ? "[" : "{\"a\":";
    String close = open.equals("[") ? "]" : "}";
    return "{\"op\":\"publish\",\"channel\":\"fuzz.deep\",\"data\":"
        + open.repeat(depth)
        + "1"
        + close.repeat(depth)
        + "}";
  }

  private byte[] randomBytes(int n) {
    byte[] b = new byte[n];
    random.nextBytes(b);
    return b;
  }

  private String randomPrintable(int n) {
    StringBuilder s = new StringBuilder(n);
    for (int i = 0; i < n; i++) s.append((char) (32 + random.nextInt(95)));
    return s.toString();
  }

  private static String preview(byte[] payload) {
    String s = new String(payload, 0, Math.min(payload.length, 60), StandardCharsets.ISO_8859_1);
    return "[" + payload.length + " bytes] " + s.replaceAll("[^\\x20-\\x7e]", "?");
  }
}
