package io.wsgrid.security;

import io.vertx.core.Handler;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.metrics.Rejections;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;

/**
 * Route guards for HTTP endpoints: {@link #apiKey} for {@code POST /api/publish}
 * ({@code Authorization: apikey <key>} or {@code X-API-Key: <key>}) and {@link #adminToken} for
 * {@code /admin/*} ({@code Authorization: Bearer <token>}). A request without the credential gets
 * 401, a wrong one 403, both with a JSON error saying what to send; secrets are compared in
 * constant time. A guard with no secret configured lets every request through.
 */
public final class HttpGuards {
  private HttpGuards() {}

  public static Handler<RoutingContext> apiKey(String key, Rejections rejections) {
    return ctx -> {
      if (key == null) {
        ctx.next();
        return;
      }
      String presented = ctx.request().getHeader("X-API-Key");
      if (presented == null) presented = credential(ctx.request().getHeader("Authorization"), "apikey");
      check(ctx, key, presented, rejections, "api_key",
          "POST /api/publish needs the API key: send Authorization: apikey <key> (or X-API-Key: <key>)");
    };
  }

  public static Handler<RoutingContext> adminToken(String token, Rejections rejections) {
    return ctx -> {
      if (token == null) {
        ctx.next();
        return;
      }
      check(ctx, token, credential(ctx.request().getHeader("Authorization"), "bearer"), rejections, "admin_token",
          ctx.request().path() + " needs the admin token: send Authorization: Bearer <token>");
    };
  }

  private static void check(RoutingContext ctx, String expected, String presented, Rejections rejections, String what, String hint) {
    String who = String.valueOf(ctx.request().remoteAddress());
    if (presented == null || presented.isEmpty()) {
      rejections.reject(what + "_missing", who, ctx.request().method() + " " + ctx.request().path() + " without credentials");
      refuse(ctx, Refusal.unauthorized(what + "_missing", hint));
    } else if (!equalsConstantTime(expected, presented)) {
      rejections.reject(what + "_wrong", who, ctx.request().method() + " " + ctx.request().path() + " with a wrong credential");
      refuse(ctx, Refusal.forbidden(what + "_wrong", "wrong " + what.replace('_', ' ') + " for " + ctx.request().path()));
    } else {
      ctx.next();
    }
  }

  /** The value after {@code scheme } in an Authorization header (scheme case-insensitive), or null. */
  static String credential(String header, String scheme) {
    if (header == null) return null;
    String h = header.trim();
    if (h.length() <= scheme.length() || !h.regionMatches(true, 0, scheme, 0, scheme.length())
        || h.charAt(scheme.length()) != ' ') {
      return null;
    }
    return h.substring(scheme.length() + 1).trim();
  }

  public static boolean equalsConstantTime(String expected, String presented) {
    return MessageDigest.isEqual(expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  /** Answers with the refusal's status and {@code {"error":{"code":…,"message":…}}}. */
  public static void refuse(RoutingContext ctx, Refusal refusal) {
    refuse(ctx.response(), refusal);
  }

  /** The same on a bare response (an upgrade request decided before any router). */
  public static void refuse(io.vertx.core.http.HttpServerResponse response, Refusal refusal) {
    response.setStatusCode(refusal.status()).putHeader("content-type", "application/json");
    if (refusal.status() == 401) response.putHeader("WWW-Authenticate", "Bearer realm=\"wsgrid\"");
    if (refusal.status() == 503) response.putHeader("Retry-After", "1");
    response.end(new JsonObject().put("error", new JsonObject().put("code", refusal.code()).put("message", refusal.getMessage())).encode());
  }

  /**
   * True when a browser's {@code Origin} may open sockets: no Origin header (not a browser), an
   * empty allow-list, the page's own host ({@code Origin} host:port equal to {@code Host}: same
   * origin, as a page served by this server or a client library that names its target), {@code *},
   * an exact match, or a {@code https://*.example.com} wildcard.
   */
  public static boolean originAllowed(String origin, String host, List<String> allowed) {
    if (origin == null || allowed.isEmpty()) return true;
    if (host != null) {
      int scheme = origin.indexOf("://");
      if (scheme > 0 && origin.substring(scheme + 3).equalsIgnoreCase(host)) return true;
    }
    for (String entry : allowed) {
      if (entry.equals("*") || entry.equalsIgnoreCase(origin)) return true;
      int star = entry.indexOf("://*.");
      if (star > 0) {
        String scheme = entry.substring(0, star + 3);
        String suffix = entry.substring(star + 4);
        if (origin.regionMatches(true, 0, scheme, 0, scheme.length())
            && origin.length() > scheme.length() + suffix.length()
            && origin.toLowerCase(java.util.Locale.ROOT).endsWith(suffix.toLowerCase(java.util.Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }
}
