package io.wsgrid.security;

import io.vertx.core.Handler;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.http.HttpServerResponse;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.config.ConfigDefaults;
import io.wsgrid.metrics.Rejections;
import io.wsgrid.protocol.ProtocolCodec;
import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.util.List;
import java.util.Locale;

/**
 * Route guards for the operator endpoints: {@link #apiKey} for the server API ({@code /api/*},
 * {@code Authorization: apikey <key>} or {@code X-API-Key: <key>}) and {@link #adminToken} for
 * {@code /admin/*} ({@code Authorization: Bearer <token>}). Protected by default: with no secret
 * configured, a guard lets through only clients on this host's loopback ({@link
 * RequestSource#local}). A request a web page of another origin made a browser send is refused
 * whatever it carries, so no page can drain a node or publish through a user's browser. A missing
 * credential gets 401, a wrong one 403 (compared in constant time), every refusal a JSON error
 * saying what to do, counted in {@code wsgrid_rejections_total{reason}}. Mount a guard on its own
 * route before any body handler: nothing of a refused request's body is read.
 */
public final class HttpGuards {
  private HttpGuards() {}

  public static Handler<RoutingContext> apiKey(String key, Rejections rejections) {
    return ctx -> {
      if (!admit(ctx, key, Secret.API_KEY, rejections)) return;
      String type = ctx.request().getHeader("Content-Type");
      if (type != null && type.trim().toLowerCase(Locale.ROOT).startsWith("multipart/")) {
        // Nothing reaches the disk: file uploads are off, and a multipart body is not even read.
        rejections.reject("multipart", who(ctx), ctx.request().path() + " with a multipart body");
        refuse(
            ctx,
            new Refusal(
                415,
                "bad_request",
                "multipart",
                ctx.request().path()
                    + " takes a JSON object as its body, not multipart/form-data: send Content-Type: application/json"));
        return;
      }
      ctx.next();
    };
  }

  public static Handler<RoutingContext> adminToken(String token, Rejections rejections) {
    return ctx -> {
      if (admit(ctx, token, Secret.ADMIN_TOKEN, rejections)) ctx.next();
    };
  }

  /** What the startup line says about {@code /admin/*}. */
  public static String adminAccess(String token) {
    return "admin: "
        + (token == null ? "loopback only (set --admin-token to open it)" : "admin token required");
  }

  /** What the startup line says about {@code /api/*}. */
  public static String apiAccess(String key) {
    return "api: "
        + (key == null ? "loopback only (set --api-key to open it)" : "api key required");
  }

  /**
   * The two secrets: their name, metric reason and option, and the Authorization scheme that
   * carries them.
   */
  private enum Secret {
    API_KEY(
        "API key",
        "api_key",
        "--api-key",
        "apikey",
        "Authorization: apikey <key> (or X-API-Key: <key>)"),
    ADMIN_TOKEN(
        "admin token", "admin_token", "--admin-token", "bearer", "Authorization: Bearer <token>");

    final String label;
    final String reason;
    final String option;
    final String scheme;
    final String send;

    Secret(String label, String reason, String option, String scheme, String send) {
      this.label = label;
      this.reason = reason;
      this.option = option;
      this.scheme = scheme;
      this.send = send;
    }

    String presented(HttpServerRequest request) {
      String header = this == API_KEY ? request.getHeader("X-API-Key") : null;
      return header != null ? header : credential(request.getHeader("Authorization"), scheme);
    }
  }

  /** True when the request may go on; else it has been refused, counted and logged. */
  private static boolean admit(
      RoutingContext ctx, String expected, Secret secret, Rejections rejections) {
    HttpServerRequest request = ctx.request();
    String endpoint = request.method() + " " + request.path();
    if (RequestSource.crossSite(request)) {
      rejections.reject(
          "cross_site",
          who(ctx),
          endpoint + " from a page of Origin " + request.getHeader("Origin"));
      refuse(
          ctx,
          Refusal.forbidden(
              "cross_site",
              endpoint
                  + " refuses requests a web page of another origin ("
                  + request.getHeader("Origin")
                  + ") made a browser send: call it from a backend, curl or the page this server serves"));
      return false;
    }
    if (expected == null) {
      if (RequestSource.local(request)) return true;
      rejections.reject(
          "loopback_only",
          who(ctx),
          endpoint + " from outside this host, and no " + secret.option + " is set");
      refuse(
          ctx,
          Refusal.forbidden(
              "loopback_only",
              endpoint
                  + " answers only to clients on this host's loopback"
                  + " (addressed as localhost or 127.0.0.1, not through a proxy) while "
                  + secret.option
                  + " is not set: call it from"
                  + " this host, or set "
                  + secret.option
                  + " ("
                  + ConfigDefaults.envName(secret.option)
                  + ") and send "
                  + secret.send));
      return false;
    }
    String presented = secret.presented(request);
    if (presented == null || presented.isEmpty()) {
      rejections.reject(secret.reason + "_missing", who(ctx), endpoint + " without credentials");
      refuse(
          ctx,
          Refusal.unauthorized(
              secret.reason + "_missing",
              endpoint + " needs the " + secret.label + ": send " + secret.send));
      return false;
    }
    if (!equalsConstantTime(expected, presented)) {
      rejections.reject(secret.reason + "_wrong", who(ctx), endpoint + " with a wrong credential");
      refuse(
          ctx,
          Refusal.forbidden(
              secret.reason + "_wrong", "wrong " + secret.label + " for " + request.path()));
      return false;
    }
    return true;
  }

  private static String who(RoutingContext ctx) {
    return String.valueOf(ctx.request().remoteAddress());
  }

  /**
   * The value after {@code scheme } in an Authorization header (scheme case-insensitive), or null.
   */
  static String credential(String header, String scheme) {
    if (header == null) return null;
    String h = header.trim();
    if (h.length() <= scheme.length()
        || !h.regionMatches(true, 0, scheme, 0, scheme.length())
        || h.charAt(scheme.length()) != ' ') {
      return null;
    }
    return h.substring(scheme.length() + 1).trim();
  }

  public static boolean equalsConstantTime(String expected, String presented) {
    return MessageDigest.isEqual(
        expected.getBytes(StandardCharsets.UTF_8), presented.getBytes(StandardCharsets.UTF_8));
  }

  /** Answers with the refusal's status and {@code {"error":{"code":…,"message":…}}}. */
  public static void refuse(RoutingContext ctx, Refusal refusal) {
    refuse(ctx.response(), refusal);
  }

  /** The same on a bare response (an upgrade request decided before any router). */
  public static void refuse(HttpServerResponse response, Refusal refusal) {
    if (refusal.status() == 401) response.putHeader("WWW-Authenticate", "Bearer realm=\"wsgrid\"");
    if (refusal.status() == 503) response.putHeader("Retry-After", "1");
    sendError(response, refusal.status(), refusal.code(), refusal.getMessage());
  }

  /** Answers {@code status} with {@code {"error":{"code":…,"message":…}}}. */
  public static void sendError(
      HttpServerResponse response, int status, String code, String message) {
    response
        .setStatusCode(status)
        .putHeader("content-type", "application/json")
        .end(ProtocolCodec.httpErrorBody(code, message));
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
            && origin.toLowerCase(Locale.ROOT).endsWith(suffix.toLowerCase(Locale.ROOT))) {
          return true;
        }
      }
    }
    return false;
  }
}
