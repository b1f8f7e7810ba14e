package io.wsgrid.testing;

import io.vertx.core.Vertx;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyPair;
import java.security.KeyPairGenerator;
import java.security.spec.ECGenParameterSpec;
import java.util.Base64;

/**
 * Signs test tokens: HS256 with a secret, RS256/ES256 with a fresh key pair whose public half is
 * written as PEM.
 */
public final class Tokens {
  public static final String SECRET = "test-secret-of-at-least-32-bytes-0123456789";
  private final JWTAuth signer;
  private final String algorithm;
  private final Path publicKeyPem;

  private Tokens(JWTAuth signer, String algorithm, Path publicKeyPem) {
    this.signer = signer;
    this.algorithm = algorithm;
    this.publicKeyPem = publicKeyPem;
  }

  public static Tokens hs256(Vertx vertx, String secret) {
    return new Tokens(
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(secret))),
        "HS256",
        null);
  }

  /**
   * RS256 or ES256 with a new key pair; {@link #publicKeyPem()} is the file a node verifies with.
   */
  public static Tokens keyPair(Vertx vertx, String algorithm, Path dir) throws Exception {
    KeyPairGenerator generator;
    if (algorithm.startsWith("RS")) {
      generator = KeyPairGenerator.getInstance("RSA");
      generator.initialize(2048);
    } else {
      generator = KeyPairGenerator.getInstance("EC");
      generator.initialize(new ECGenParameterSpec("secp256r1"));
    }
    KeyPair pair = generator.generateKeyPair();
    Path pub = dir.resolve(algorithm + "-public.pem");
    Files.writeString(pub, pem("PUBLIC KEY", pair.getPublic().getEncoded()));
    String privatePem = pem("PRIVATE KEY", pair.getPrivate().getEncoded());
    JWTAuth signer =
        JWTAuth.create(
            vertx,
            new JWTAuthOptions()
                .addPubSecKey(
                    new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(privatePem)));
    return new Tokens(signer, algorithm, pub);
  }

  public Path publicKeyPem() {
    return publicKeyPem;
  }

  /**
   * A token for {@code sub} with extra claims, expiring in {@code seconds} (negative: already
   * expired).
   */
  public String sign(String sub, long seconds, JsonObject claims) {
    JsonObject payload = claims == null ? new JsonObject() : claims.copy();
    long now = System.currentTimeMillis() / 1000;
    if (sub != null) payload.put("sub", sub);
    payload.put("exp", now + seconds);
    payload.put("iat", Math.min(now, now + seconds - 1));
    return signer.generateToken(
        payload, new JWTOptions().setAlgorithm(algorithm).setNoTimestamp(true));
  }

  public String sign(String sub, long seconds) {
    return sign(sub, seconds, null);
  }

  static String pem(String type, byte[] der) throws IOException {
    return "-----BEGIN "
        + type
        + "-----\n"
        + Base64.getMimeEncoder(64, "\n".getBytes()).encodeToString(der)
        + "\n-----END "
        + type
        + "-----\n";
  }
}
