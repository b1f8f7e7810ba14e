package io.wsgrid.security;

import static io.wsgrid.config.OptionValues.atLeast;
import static io.wsgrid.config.OptionValues.blankToNull;

import io.wsgrid.config.ConfigException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * Connection and HTTP authentication of a node: the JWT keys ({@code jwtSecret} for HS256, {@code
 * jwtPublicKey} a file for RS256/ES256 or JWKS), the audience and issuer a token must name when
 * set, whether sockets without a token are accepted, the API key of {@code POST /api/publish}, the
 * admin token of {@code /admin/*}, and the browser origins allowed (empty: any).
 */
public record AuthSettings(
    String jwtSecret,
    String jwtPublicKey,
    String jwtAudience,
    String jwtIssuer,
    boolean allowAnonymous,
    String apiKey,
    String adminToken,
    List<String> allowedOrigins) {

  /** Nothing checked: every socket anonymous, every endpoint open (a development cluster). */
  public static final AuthSettings OPEN =
      new AuthSettings(null, null, null, null, true, null, null, List.of());

  public AuthSettings {
    jwtSecret = blankToNull(jwtSecret);
    jwtPublicKey = blankToNull(jwtPublicKey);
    jwtAudience = blankToNull(jwtAudience);
    jwtIssuer = blankToNull(jwtIssuer);
    apiKey = blankToNull(apiKey);
    adminToken = blankToNull(adminToken);
    allowedOrigins =
        allowedOrigins == null
            ? List.of()
            : allowedOrigins.stream().map(String::trim).filter(s -> !s.isEmpty()).toList();
    if (jwtSecret != null && jwtSecret.getBytes(StandardCharsets.UTF_8).length < 32) {
      throw new ConfigException(
          "--jwt-secret must be at least 32 bytes (HS256 keys are 256 bits); generate one with: openssl rand -base64 48");
    }
    if (jwtPublicKey != null && !Files.isReadable(Path.of(jwtPublicKey))) {
      throw new ConfigException("--jwt-public-key " + jwtPublicKey + " is not a readable file");
    }
    atLeast(apiKey, 16, "--api-key");
    atLeast(adminToken, 16, "--admin-token");
  }

  /** True when sockets must (or may) carry a token that is checked. */
  public boolean tokensEnabled() {
    return jwtSecret != null || jwtPublicKey != null;
  }

  /** True when a socket without a token is turned away. */
  public boolean tokenRequired() {
    return tokensEnabled() && !allowAnonymous;
  }
}
