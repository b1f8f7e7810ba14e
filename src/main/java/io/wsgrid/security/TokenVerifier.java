package io.wsgrid.security;

import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.auth.JWTOptions;
import io.vertx.ext.auth.PubSecKeyOptions;
import io.vertx.ext.auth.User;
import io.vertx.ext.auth.authentication.TokenCredentials;
import io.vertx.ext.auth.jwt.JWTAuth;
import io.vertx.ext.auth.jwt.JWTAuthOptions;
import io.wsgrid.config.ConfigException;
import io.wsgrid.protocol.Op;
import java.io.ByteArrayInputStream;
import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.security.KeyFactory;
import java.security.cert.CertificateFactory;
import java.security.spec.InvalidKeySpecException;
import java.security.spec.X509EncodedKeySpec;
import java.util.ArrayList;
import java.util.Base64;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * Checks connection tokens with vertx-auth-jwt: HS256 with a shared secret, or RS256/ES256 with a
 * PEM public key, a PEM certificate or a JWKS file; optionally the audience and issuer. A good
 * token gives an {@link Identity}: {@code sub} (required), {@code exp}, and the {@code channels}
 * claim, either a list of channel patterns (every op) or {@code
 * {"subscribe":[…],"publish":[…],"presence":[…]}}.
 */
public final class TokenVerifier {
  private static final int LEEWAY_SECONDS = 5;
  private final JWTAuth auth;

  private TokenVerifier(JWTAuth auth) {
    this.auth = auth;
  }

  /** The verifier for the settings, or null when no key is configured (tokens are not checked). */
  public static TokenVerifier create(Vertx vertx, AuthSettings settings) {
    if (!settings.tokensEnabled()) return null;
    JWTAuthOptions options = new JWTAuthOptions().setJWTOptions(jwtOptions(settings));
    if (settings.jwtSecret() != null) {
      options.addPubSecKey(
          new PubSecKeyOptions().setAlgorithm("HS256").setBuffer(settings.jwtSecret()));
    }
    if (settings.jwtPublicKey() != null) addPublicKey(options, settings.jwtPublicKey());
    try {
      return new TokenVerifier(JWTAuth.create(vertx, options));
    } catch (RuntimeException e) {
      throw new ConfigException(
          "cannot use the JWT key(s): "
              + e.getMessage()
              + " (--jwt-secret is a shared HS256 secret; --jwt-public-key a PEM public key, certificate or JWKS file)",
          e);
    }
  }

  private static JWTOptions jwtOptions(AuthSettings settings) {
    JWTOptions options = new JWTOptions().setLeeway(LEEWAY_SECONDS);
    if (settings.jwtAudience() != null) options.setAudience(List.of(settings.jwtAudience()));
    if (settings.jwtIssuer() != null) options.setIssuer(settings.jwtIssuer());
    return options;
  }

  private static void addPublicKey(JWTAuthOptions options, String file) {
    String text;
    try {
      text = Files.readString(Path.of(file), StandardCharsets.US_ASCII).trim();
    } catch (IOException e) {
      throw new ConfigException("cannot read --jwt-public-key " + file + ": " + e.getMessage());
    }
    if (text.startsWith("{")) {
      JsonObject jwks;
      try {
        jwks = new JsonObject(text);
      } catch (RuntimeException e) {
        throw new ConfigException(
            "--jwt-public-key " + file + " is not valid JSON: " + e.getMessage());
      }
      JsonArray keys = jwks.getJsonArray("keys");
      if (keys == null || keys.isEmpty())
        throw new ConfigException(
            "--jwt-public-key " + file + ": a JWKS file needs a non-empty \"keys\" list");
      for (Object key : keys) options.addJwk((JsonObject) key);
      return;
    }
    String type = keyType(text, file);
    List<String> algorithms =
        "RSA".equals(type)
            ? List.of("RS256", "RS384", "RS512")
            : List.of("ES256", "ES384", "ES512");
    for (String algorithm : algorithms) {
      options.addPubSecKey(new PubSecKeyOptions().setAlgorithm(algorithm).setBuffer(text));
    }
  }

  /** RSA or EC, read from a PEM public key or certificate; a clear error for anything else. */
  static String keyType(String pem, String file) {
    try {
      if (pem.contains("BEGIN CERTIFICATE")) {
        return CertificateFactory.getInstance("X.509")
            .generateCertificate(new ByteArrayInputStream(pem.getBytes(StandardCharsets.US_ASCII)))
            .getPublicKey()
            .getAlgorithm();
      }
      if (pem.contains("BEGIN PUBLIC KEY")) {
        byte[] der = Base64.getMimeDecoder().decode(pem.replaceAll("-----[A-Z ]+-----", ""));
        for (String type : List.of("RSA", "EC")) {
          try {
            KeyFactory.getInstance(type).generatePublic(new X509EncodedKeySpec(der));
            return type;
          } catch (InvalidKeySpecException ignored) {
            // not this type
          }
        }
      }
    } catch (Exception e) {
      throw new ConfigException("--jwt-public-key " + file + " cannot be read: " + e.getMessage());
    }
    throw new ConfigException(
        "--jwt-public-key "
            + file
            + " must hold an RSA or EC public key (-----BEGIN PUBLIC KEY-----), a certificate, or a JWKS {\"keys\":[…]}");
  }

  /** Completes with the token's identity, or fails with an {@code unauthorized} {@link Refusal}. */
  public Future<Identity> verify(String token) {
    if (token == null || token.isBlank()) {
      return Future.failedFuture(
          Refusal.unauthorized(
              "token_missing",
              "a token is required: pass ?token=… or send {\"op\":\"auth\",\"token\":…} first"));
    }
    if (token.length() > 8192)
      return Future.failedFuture(
          Refusal.unauthorized("token_malformed", "token longer than 8192 characters"));
    Future<User> user;
    try {
      user = auth.authenticate(new TokenCredentials(token));
    } catch (RuntimeException e) {
      user = Future.failedFuture(e);
    }
    return user.transform(
        ar -> {
          if (ar.failed()) return Future.failedFuture(refusal(ar.cause()));
          try {
            // vertx-auth-jwt moves the time claims (exp, iat, nbf) to the user's attributes.
            JsonObject claims = ar.result().principal().copy();
            Object exp = ar.result().attributes().getValue("exp");
            if (!claims.containsKey("exp") && exp != null) claims.put("exp", exp);
            return Future.succeededFuture(identity(claims));
          } catch (Refusal e) {
            return Future.failedFuture(e);
          }
        });
  }

  private static Refusal refusal(Throwable failure) {
    String message = String.valueOf(failure.getMessage());
    String lower = message.toLowerCase(Locale.ROOT);
    if (lower.contains("expired"))
      return Refusal.unauthorized("token_expired", "token expired: get a new one and reconnect");
    if (lower.contains("audience"))
      return Refusal.unauthorized(
          "token_audience", "token audience (aud) is not the one this cluster accepts");
    if (lower.contains("issuer"))
      return Refusal.unauthorized(
          "token_issuer", "token issuer (iss) is not the one this cluster accepts");
    if (lower.contains("signature")
        || lower.contains("no such key")
        || lower.contains("algorithm")
        || lower.contains("key")) {
      return Refusal.unauthorized(
          "token_signature", "token signature does not verify with this cluster's key");
    }
    if (lower.contains("not valid yet") || lower.contains("nbf") || lower.contains("iat")) {
      return Refusal.unauthorized(
          "token_not_yet_valid", "token is not valid yet (nbf/iat in the future): check clocks");
    }
    return Refusal.unauthorized(
        "token_malformed",
        "token is not a valid JWT ("
            + (message.length() > 80 ? message.substring(0, 80) : message)
            + ")");
  }

  /** Reads sub, exp and the channels claim; a token without sub is refused. */
  static Identity identity(JsonObject claims) {
    Object sub = claims.getValue("sub");
    if (!(sub instanceof String s) || s.isEmpty() || s.length() > 128) {
      throw Refusal.unauthorized(
          "token_claims", "token needs a sub claim (the user id, 1 to 128 characters)");
    }
    long expires = Long.MAX_VALUE;
    if (claims.getValue("exp") instanceof Number exp)
      expires = exp.longValue() * 1000 + LEEWAY_SECONDS * 1000L;
    Map<Op, List<String>> grants = new EnumMap<>(Op.class);
    Object channels = claims.getValue("channels");
    if (channels instanceof JsonArray all) {
      List<String> patterns = strings(all);
      for (Op op : Op.PERMISSIONED) grants.put(op, patterns);
    } else if (channels instanceof JsonObject perOp) {
      for (Op op : Op.PERMISSIONED) {
        if (perOp.getValue(op.wire()) instanceof JsonArray list) grants.put(op, strings(list));
      }
    } else if (channels != null) {
      throw Refusal.unauthorized(
          "token_claims",
          "the channels claim must be a list of patterns or {\"subscribe\":[…],\"publish\":[…],\"presence\":[…]}");
    }
    return new Identity(s, expires, grants);
  }

  private static List<String> strings(JsonArray array) {
    List<String> out = new ArrayList<>();
    for (Object item : array) {
      if (item instanceof String s && !s.isEmpty() && s.length() <= 200) out.add(s);
      if (out.size() >= 256) break;
    }
    return List.copyOf(out);
  }
}
