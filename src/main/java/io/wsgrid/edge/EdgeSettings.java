package io.wsgrid.edge;

import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.OptionValues;
import io.wsgrid.edge.balance.BalancingStrategy;
import io.wsgrid.security.TlsSettings;
import java.util.Set;

/**
 * Everything an edge starts with: where it listens, how it picks nodes ({@code strategy}, {@code
 * hashBalanceFactor} for consistent-hash), which modes it serves, how many nodes a new socket may
 * try, how many event loops serve it, and how far above its fair share a node may be before a
 * rebalance sheds its extra sockets; {@code autoRebalanceAfterMs} > 0 rebalances by itself once the
 * spread has stayed over that threshold so long (0: only on {@code POST /admin/rebalance}); {@code
 * adminToken} guards {@code /admin/*} (and is sent to nodes when the dashboard relays a drain);
 * {@code tls} makes the edge serve wss:// and trust nodes that serve it; {@code closeSpreadMs} is
 * the time over which a stopping edge spreads the closes of its tunnels (0: all at once); {@code
 * handshakeTimeoutSeconds} is how long a connection may take to send a complete request.
 */
public record EdgeSettings(
    String name,
    String host,
    int port,
    String strategy,
    double hashBalanceFactor,
    Set<Mode> modes,
    int maxAttempts,
    int instances,
    double rebalanceThreshold,
    long autoRebalanceAfterMs,
    ClusterSettings cluster,
    String adminToken,
    TlsSettings tls,
    long closeSpreadMs,
    int handshakeTimeoutSeconds) {

  /** {@code --close-spread-time} by default: an edge rollout's clients reconnect over 10 s. */
  public static final long DEFAULT_CLOSE_SPREAD_MS = 10_000;

  /** proxy: tunnel {@code /ws} to a node; assign: answer {@code /assign} with a node's URL. */
  public enum Mode {
    PROXY,
    ASSIGN
  }

  public EdgeSettings {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException(
          "--name must be 1 to 64 characters of A-Z a-z 0-9 _ . -, got '" + name + "'");
    }
    if (port < 0 || port > 65535)
      throw new ConfigException("--port must be between 1 and 65535, got " + port);
    if (modes == null || modes.isEmpty())
      throw new ConfigException("--mode needs proxy, assign or both");
    if (maxAttempts < 1)
      throw new ConfigException("--max-attempts must be >= 1, got " + maxAttempts);
    if (!(rebalanceThreshold > 0 && rebalanceThreshold < 10)) {
      throw new ConfigException(
          "--rebalance-threshold must be a fraction above 0 (0.1 = 10% over the fair share), got "
              + rebalanceThreshold);
    }
    if (autoRebalanceAfterMs < 0)
      throw new ConfigException(
          "--auto-rebalance-after must be >= 1 second, got " + autoRebalanceAfterMs / 1000.0);
    if (instances < 1) throw new ConfigException("--instances must be >= 1, got " + instances);
    if (closeSpreadMs < 0 || closeSpreadMs > 3_600_000) {
      throw new ConfigException(
          "--close-spread-time must be between 0 (close all tunnels at once) and 3600 seconds, got "
              + closeSpreadMs / 1000.0);
    }
    try {
      BalancingStrategy.create(strategy, hashBalanceFactor);
    } catch (IllegalArgumentException e) {
      throw new ConfigException(e.getMessage());
    }
    modes = Set.copyOf(modes);
    adminToken = OptionValues.blankToNull(adminToken);
    OptionValues.atLeast(adminToken, 16, "--admin-token");
    if (tls == null) tls = TlsSettings.NONE;
    OptionValues.checkHandshakeTimeout(handshakeTimeoutSeconds);
  }

  /** The same with the default handshake timeout. */
  public EdgeSettings(
      String name,
      String host,
      int port,
      String strategy,
      double hashBalanceFactor,
      Set<Mode> modes,
      int maxAttempts,
      int instances,
      double rebalanceThreshold,
      long autoRebalanceAfterMs,
      ClusterSettings cluster,
      String adminToken,
      TlsSettings tls,
      long closeSpreadMs) {
    this(
        name,
        host,
        port,
        strategy,
        hashBalanceFactor,
        modes,
        maxAttempts,
        instances,
        rebalanceThreshold,
        autoRebalanceAfterMs,
        cluster,
        adminToken,
        tls,
        closeSpreadMs,
        OptionValues.DEFAULT_HANDSHAKE_TIMEOUT);
  }

  /**
   * How long a stop may take before the process gives up and exits 1: the spread, the closes that
   * began at its end ({@link Tunnels#CLOSE_WAIT_MS} and the client's linger), and 5 s to leave the
   * cluster (a lite member hands over no data).
   */
  public long stopTimeoutMs() {
    return closeSpreadMs + Tunnels.CLOSE_WAIT_MS + WebSocketTunnel.LINGER_MS + 5_000;
  }

  public String url() {
    return tls.scheme("ws")
        + "://"
        + ("0.0.0.0".equals(host) ? "127.0.0.1" : host)
        + ":"
        + port
        + "/ws";
  }
}
