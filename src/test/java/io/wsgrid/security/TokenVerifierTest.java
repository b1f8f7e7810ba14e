package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ConfigException;
import io.wsgrid.protocol.Op;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.Tokens;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.List;
import org.junit.jupiter.api.AfterAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

class TokenVerifierTest {
  private static final Vertx vertx = Vertx.vertx();
  @TempDir Path dir;

  @AfterAll
  static void close() {
    vertx.close();
  }

  private static AuthSettings hs(String audience, String issuer) {
    return new AuthSettings(Tokens.SECRET, null, audience, issuer, false, null, null, List.of());
  }

  @Test
  void hs256TokenGivesSubExpiryAndGrants() {
    TokenVerifier verifier = TokenVerifier.create(vertx, hs(null, null));
    String token =
        Tokens.hs256(vertx, Tokens.SECRET)
            .sign(
                "alice",
                60,
                new JsonObject()
                    .put(
                        "channels",
                        new JsonObject().put("subscribe", new JsonArray().add("team.*"))));
    Identity who = await(verifier.verify(token));
    assertThat(who.sub()).isEqualTo("alice");
    assertThat(who.expiresAtMillis())
        .isBetween(System.currentTimeMillis() + 50_000, System.currentTimeMillis() + 70_000);
    assertThat(who.grants().get(Op.SUBSCRIBE)).containsExactly("team.*");
    assertThat(who.grants()).doesNotContainKey(Op.PUBLISH);
  }

  @Test
  void refusalsNameTheirReason() {
    TokenVerifier verifier = TokenVerifier.create(vertx, hs("wsgrid", "https://id.example.com"));
    Tokens good = Tokens.hs256(vertx, Tokens.SECRET);
    JsonObject claims = new JsonObject().put("aud", "wsgrid").put("iss", "https://id.example.com");
    assertThat(await(verifier.verify(good.sign("alice", 60, claims))).sub()).isEqualTo("alice");
    assertReason(verifier, good.sign("alice", -60, claims), "token_expired");
    assertReason(
        verifier,
        Tokens.hs256(vertx, "another-secret-of-at-least-32-bytes-xxxxx").sign("alice", 60, claims),
        "token_signature");
    assertReason(
        verifier, good.sign("alice", 60, claims.copy().put("aud", "other")), "token_audience");
    assertReason(
        verifier, good.sign("alice", 60, claims.copy().put("iss", "https://evil")), "token_issuer");
    assertReason(verifier, good.sign(null, 60, claims), "token_claims");
    assertReason(verifier, "not.a.jwt", "token_malformed");
    assertReason(verifier, "", "token_missing");
  }

  @Test
  void rs256Es256AndJwksKeysVerify() throws Exception {
    for (String algorithm : List.of("RS256", "ES256")) {
      Tokens tokens = Tokens.keyPair(vertx, algorithm, dir);
      TokenVerifier verifier =
          TokenVerifier.create(
              vertx,
              new AuthSettings(
                  null,
                  tokens.publicKeyPem().toString(),
                  null,
                  null,
                  false,
                  null,
                  null,
                  List.of()));
      assertThat(await(verifier.verify(tokens.sign("bob", 60))).sub())
          .as(algorithm)
          .isEqualTo("bob");
      assertReason(
          verifier,
          Tokens.keyPair(vertx, algorithm, dir.resolve("..")).sign("bob", 60),
          "token_signature");
      assertReason(verifier, Tokens.hs256(vertx, Tokens.SECRET).sign("bob", 60), "token_signature");
    }
    Path jwks = dir.resolve("jwks.json");
    Files.writeString(
        jwks,
        new JsonObject()
            .put(
                "keys",
                new JsonArray()
                    .add(
                        new JsonObject()
                            .put("kty", "oct")
                            .put("alg", "HS256")
                            .put("use", "sig")
                            .put(
                                "k",
                                java.util.Base64.getUrlEncoder()
                                    .withoutPadding()
                                    .encodeToString(Tokens.SECRET.getBytes()))))
            .encode());
    TokenVerifier fromJwks =
        TokenVerifier.create(
            vertx,
            new AuthSettings(null, jwks.toString(), null, null, false, null, null, List.of()));
    assertThat(await(fromJwks.verify(Tokens.hs256(vertx, Tokens.SECRET).sign("carol", 60))).sub())
        .isEqualTo("carol");
  }

  @Test
  void badKeyConfigurationIsAConfigError() throws Exception {
    assertThatThrownBy(
            () ->
                hs(null, null)
                    .equals(
                        new AuthSettings("short", null, null, null, false, null, null, List.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("32 bytes");
    Path junk = dir.resolve("junk.pem");
    Files.writeString(junk, "hello");
    assertThatThrownBy(
            () ->
                TokenVerifier.create(
                    vertx,
                    new AuthSettings(
                        null, junk.toString(), null, null, false, null, null, List.of())))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("RSA or EC public key");
    assertThat(TokenVerifier.create(vertx, AuthSettings.OPEN)).isNull();
  }

  private static Identity await(Future<Identity> future) {
    return Await.result(future, Duration.ofSeconds(5));
  }

  private static void assertReason(TokenVerifier verifier, String token, String reason) {
    assertThatThrownBy(() -> await(verifier.verify(token)))
        .hasRootCauseInstanceOf(Refusal.class)
        .satisfies(
            e -> {
              Throwable root = e;
              while (root.getCause() != null) root = root.getCause();
              assertThat(((Refusal) root).reason()).as(token).isEqualTo(reason);
            });
  }
}
