package io.wsgrid.security;

import io.netty.util.NetUtil;
import io.vertx.core.http.HttpServerRequest;
import io.vertx.core.net.SocketAddress;
import java.net.InetAddress;
import java.util.Locale;

/**
 * Where an HTTP request comes from, as far as the operator endpoints care: a client on this host's
 * loopback, or anyone else; and whether a web page of another origin made a browser send it. Read
 * from the connection's peer address and the request's headers, never from a proxy's claims.
 */
public final class RequestSource {
  private RequestSource() {}

  /**
   * True when the request may use what answers only to this host: its peer is a loopback address,
   * no proxy relayed it ({@code X-Forwarded-For}, {@code Forwarded}, {@code X-Real-IP}: a proxy on
   * this host would make every client look local), and it names the server by address or as {@code
   * localhost} (a page whose own domain was re-pointed at 127.0.0.1, DNS rebinding, names its
   * domain instead).
   */
  public static boolean local(HttpServerRequest request) {
    return isLoopback(request.remoteAddress())
        && request.getHeader("X-Forwarded-For") == null
        && request.getHeader("Forwarded") == null
        && request.getHeader("X-Real-IP") == null
        && namesAddressOrLocalhost(request.getHeader("Host"));
  }

  /**
   * True when a browser sent the request for a page of another origin: an {@code Origin} that is
   * not this server's own scheme-less {@code Host} (also {@code Origin: null}, from sandboxed or
   * file pages), or {@code Sec-Fetch-Site: cross-site|same-site}. A page served by this server, a
   * backend, curl and probes send neither.
   */
  public static boolean crossSite(String origin, String host, String fetchSite) {
    if (fetchSite != null
        && (fetchSite.equalsIgnoreCase("cross-site") || fetchSite.equalsIgnoreCase("same-site")))
      return true;
    if (origin == null) return false;
    int scheme = origin.indexOf("://");
    return host == null || scheme < 0 || !origin.substring(scheme + 3).equalsIgnoreCase(host);
  }

  public static boolean crossSite(HttpServerRequest request) {
    return crossSite(
        request.getHeader("Origin"),
        request.getHeader("Host"),
        request.getHeader("Sec-Fetch-Site"));
  }

  static boolean isLoopback(SocketAddress address) {
    if (address == null || address.hostAddress() == null) return false;
    InetAddress ip = NetUtil.createInetAddressFromIpAddressString(address.hostAddress());
    return ip != null && ip.isLoopbackAddress();
  }

  /**
   * A Host header ({@code name[:port]}) that is an IP literal or localhost; absent counts too
   * (HTTP/1.0, no browser).
   */
  static boolean namesAddressOrLocalhost(String host) {
    if (host == null) return true;
    String name = host.trim().toLowerCase(Locale.ROOT);
    if (name.startsWith("["))
      return name.indexOf(']') > 0
          && NetUtil.isValidIpV6Address(name.substring(1, name.indexOf(']')));
    int colon = name.lastIndexOf(':');
    if (colon >= 0) name = name.substring(0, colon);
    return name.equals("localhost")
        || name.endsWith(".localhost")
        || NetUtil.isValidIpV4Address(name);
  }
}
