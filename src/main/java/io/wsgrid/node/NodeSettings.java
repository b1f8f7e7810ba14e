package io.wsgrid.node;

import io.wsgrid.broker.ChannelPolicies;
import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.OptionValues;
import io.wsgrid.security.SecuritySettings;
import io.wsgrid.session.SessionLimits;

/**
 * Everything a node starts with. {@code host} is the address it binds; {@code advertisedHost} the
 * one it tells the registry (and so clients) to use; {@code instances} WebSocket verticles share
 * the port, one per event loop; {@code weight} is its share in weighted balancing; {@code channels}
 * the per-namespace history settings (the same on every node); {@code drainRate} how many sockets
 * per second a drain or a rebalance closes, {@code drainTimeout} the seconds a drain (SIGTERM) may
 * take in all, leaving the cluster included; {@code limits} the per-connection and per-node bounds;
 * {@code security} its tokens, keys, channel permissions and TLS; {@code handshakeTimeoutSeconds}
 * how long a connection may take to send a complete HTTP request (its upgrade, an API call).
 */
public record NodeSettings(
    String name,
    String host,
    String advertisedHost,
    int port,
    int instances,
    int weight,
    SessionLimits limits,
    ClusterSettings cluster,
    ChannelPolicies channels,
    int drainRate,
    int drainTimeout,
    SecuritySettings security,
    int handshakeTimeoutSeconds) {

  /**
   * {@code --drain-timeout} by default: fits the shipped Kubernetes manifests (a 90 s grace period,
   * of which the preStop pause takes 5 s), with room to exit.
   */
  public static final int DEFAULT_DRAIN_TIMEOUT = 80;

  public NodeSettings {
    if (name == null || !name.matches("[A-Za-z0-9_.-]{1,64}")) {
      throw new ConfigException(
          "--name must be 1 to 64 characters of A-Z a-z 0-9 _ . -, got '" + name + "'");
    }
    if (port < 0 || port > 65535)
      throw new ConfigException("--port must be between 1 and 65535, got " + port);
    if (instances < 1) throw new ConfigException("--instances must be >= 1, got " + instances);
    if (weight < 1) throw new ConfigException("--weight must be >= 1, got " + weight);
    if (limits.maxFrameSize() < 256)
      throw new ConfigException(
          "--max-frame-size must be >= 256 bytes, got " + limits.maxFrameSize());
    if (drainRate < 1)
      throw new ConfigException("--drain-rate must be >= 1 socket per second, got " + drainRate);
    if (drainTimeout < 1)
      throw new ConfigException("--drain-timeout must be >= 1 second, got " + drainTimeout);
    if (limits.maxQueuedBytes() < 1024)
      throw new ConfigException(
          "--max-queued-bytes must be >= 1024, got " + limits.maxQueuedBytes());
    if (security == null) security = SecuritySettings.OPEN;
    OptionValues.checkHandshakeTimeout(handshakeTimeoutSeconds);
  }

  /** The same with the default handshake timeout. */
  public NodeSettings(
      String name,
      String host,
      String advertisedHost,
      int port,
      int instances,
      int weight,
      SessionLimits limits,
      ClusterSettings cluster,
      ChannelPolicies channels,
      int drainRate,
      int drainTimeout,
      SecuritySettings security) {
    this(
        name,
        host,
        advertisedHost,
        port,
        instances,
        weight,
        limits,
        cluster,
        channels,
        drainRate,
        drainTimeout,
        security,
        OptionValues.DEFAULT_HANDSHAKE_TIMEOUT);
  }

  public int maxFrameSize() {
    return limits.maxFrameSize();
  }

  public String wsUrl() {
    return security.tls().scheme("ws") + "://" + advertisedHost + ":" + port + "/ws";
  }

  public String httpUrl() {
    return security.tls().scheme("http") + "://" + advertisedHost + ":" + port;
  }
}
