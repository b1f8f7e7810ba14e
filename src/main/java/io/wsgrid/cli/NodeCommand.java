package io.wsgrid.cli;

import io.vertx.core.json.JsonObject;
import io.wsgrid.broker.ChannelPolicies;
import io.wsgrid.config.ConfigFile;
import io.wsgrid.node.Node;
import io.wsgrid.node.NodeSettings;
import io.wsgrid.security.AuthSettings;
import io.wsgrid.security.ChannelRules;
import io.wsgrid.security.SecuritySettings;
import io.wsgrid.session.SessionLimits;
import java.util.List;
import java.util.concurrent.Callable;
import picocli.CommandLine.Command;
import picocli.CommandLine.Mixin;
import picocli.CommandLine.Option;

/** {@code wsgrid node}: runs one cluster node until SIGTERM, Ctrl-C or a drain. */
@Command(
    name = "node",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description = "Run a wsgrid node: a cluster member serving WebSocket clients on /ws.")
final class NodeCommand implements Callable<Integer> {
  @Option(
      names = "--port",
      defaultValue = "8081",
      description = "HTTP and WebSocket port (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--advertise-host",
      description =
          "Address clients and the edge use to reach this node (default: --host, or 127.0.0.1 when binding 0.0.0.0).")
  String advertiseHost;

  @Option(names = "--name", description = "Node name, unique in the cluster (default: n<port>).")
  String name;

  @Option(
      names = "--instances",
      defaultValue = "0",
      description =
          "WebSocket verticles sharing the port, one per event loop (default: ${DEFAULT-VALUE} = one per core).")
  int instances;

  @Option(
      names = "--weight",
      defaultValue = "0",
      description = "Share in weighted balancing (default: ${DEFAULT-VALUE} = the instance count).")
  int weight;

  @Option(
      names = "--max-frame-size",
      defaultValue = "" + SessionLimits.DEFAULT_MAX_FRAME_SIZE,
      description =
          "Largest frame and message a client may send, bytes (default: ${DEFAULT-VALUE}).")
  int maxFrameSize;

  @Option(
      names = "--drain-rate",
      defaultValue = "500",
      description =
          "Sockets per second a drain (SIGTERM, POST /admin/drain) or a rebalance closes (default: ${DEFAULT-VALUE}).")
  int drainRate;

  @Option(
      names = "--channel-idle-seconds",
      defaultValue = "60",
      description =
          "Seconds a channel nobody subscribes to, with no history left, keeps its state after its last publication (default: ${DEFAULT-VALUE}).")
  int channelIdleSeconds;

  @Option(
      names = "--drain-timeout",
      defaultValue = "" + NodeSettings.DEFAULT_DRAIN_TIMEOUT,
      description =
          "Seconds SIGTERM's drain may take in all, leaving the cluster included; faster than --drain-rate when that would not fit; "
              + "exit 1 only when sockets were still open at the end (default: ${DEFAULT-VALUE}, for a 90 s grace period).")
  int drainTimeout;

  @Option(
      names = "--max-queued-bytes",
      defaultValue = "" + SessionLimits.DEFAULT_MAX_QUEUED_BYTES,
      description =
          "Bytes that may wait for a slow client beyond its socket buffer before it is disconnected (default: ${DEFAULT-VALUE}).")
  long maxQueuedBytes;

  @Option(
      names = "--max-subscriptions",
      defaultValue = "" + SessionLimits.DEFAULT_MAX_SUBSCRIPTIONS,
      description = "Channels one connection may subscribe to (default: ${DEFAULT-VALUE}).")
  int maxSubscriptions;

  @Option(
      names = "--max-message-rate",
      defaultValue = "" + SessionLimits.DEFAULT_MESSAGE_RATE,
      description =
          "Frames per second one connection may send (token bucket; 0 = no limit); over it: rate_limited, then close 1008 (default: ${DEFAULT-VALUE}).")
  int maxMessageRate;

  @Option(
      names = "--message-burst",
      defaultValue = "" + SessionLimits.DEFAULT_MESSAGE_BURST,
      description = "Burst above --max-message-rate (default: ${DEFAULT-VALUE} = twice the rate).")
  int messageBurst;

  @Option(
      names = "--max-connections",
      defaultValue = "" + SessionLimits.DEFAULT_MAX_CONNECTIONS,
      description =
          "Sockets this node holds; new upgrades get 503 beyond (default: ${DEFAULT-VALUE} = no limit).")
  int maxConnections;

  @Option(
      names = "--max-pending-handshakes",
      defaultValue = "" + SessionLimits.DEFAULT_MAX_PENDING_HANDSHAKES,
      description =
          "Upgrades being checked and accepted at once; beyond: 503 (0 = no limit; default: ${DEFAULT-VALUE}).")
  int maxPendingHandshakes;

  @Option(
      names = "--ping-interval",
      defaultValue = "" + SessionLimits.DEFAULT_PING_INTERVAL_SECONDS,
      description =
          "Seconds of silence before the node pings a socket (0 = never; default: ${DEFAULT-VALUE}).")
  int pingInterval;

  @Option(
      names = "--idle-timeout",
      defaultValue = "" + SessionLimits.DEFAULT_IDLE_TIMEOUT_SECONDS,
      description =
          "Seconds without any frame or pong after which a socket is closed as dead (0 = never; default: ${DEFAULT-VALUE}).")
  int idleTimeout;

  @Option(
      names = "--auth-timeout",
      defaultValue = "" + SessionLimits.DEFAULT_AUTH_TIMEOUT_SECONDS,
      description =
          "Seconds a socket without ?token= has to send {\"op\":\"auth\"} (default: ${DEFAULT-VALUE}).")
  int authTimeout;

  @Option(
      names = "--jwt-secret",
      description =
          "HS256 secret (>= 32 bytes); when set, every socket needs a valid token (default: none, no tokens).")
  String jwtSecret;

  @Option(
      names = "--jwt-public-key",
      description =
          "PEM public key or certificate for RS256/ES256 tokens, or a JWKS file (default: none).")
  String jwtPublicKey;

  @Option(
      names = "--jwt-audience",
      description = "Tokens must name this audience (aud; default: any).")
  String jwtAudience;

  @Option(
      names = "--jwt-issuer",
      description = "Tokens must come from this issuer (iss; default: any).")
  String jwtIssuer;

  @Option(
      names = "--allow-anonymous",
      defaultValue = "false",
      arity = "0..1",
      description =
          "Accept sockets without a token even when a JWT key is set (they get only 'anyone' permissions; default: ${DEFAULT-VALUE}).")
  boolean allowAnonymous;

  @Option(
      names = "--api-key",
      description =
          "Required by the server API (/api/*): Authorization: apikey <key> (or X-API-Key). Unset (the default): the API answers only to loopback clients.")
  String apiKey;

  @Option(
      names = "--allowed-origins",
      split = ",",
      description =
          "Browser origins allowed to open sockets, comma-separated (https://app.example.com, https://*.example.com); default: any.")
  List<String> allowedOrigins;

  @Mixin MemberOptions member;

  @Override
  public Integer call() throws Exception {
    int cores = Runtime.getRuntime().availableProcessors();
    int instanceCount = instances > 0 ? instances : cores;
    String nodeName = name == null || name.isBlank() ? "n" + port : name;
    String host = member.host;
    String advertised =
        advertiseHost != null ? advertiseHost : "0.0.0.0".equals(host) ? "127.0.0.1" : host;
    JsonObject file = ConfigFile.load(member.config);
    SessionLimits limits =
        new SessionLimits(
            maxFrameSize,
            maxQueuedBytes,
            maxSubscriptions,
            maxMessageRate,
            messageBurst,
            maxConnections,
            maxPendingHandshakes,
            pingInterval,
            idleTimeout,
            authTimeout);
    AuthSettings auth =
        new AuthSettings(
            jwtSecret,
            jwtPublicKey,
            jwtAudience,
            jwtIssuer,
            allowAnonymous,
            apiKey,
            member.adminToken,
            allowedOrigins);
    NodeSettings settings =
        new NodeSettings(
            nodeName,
            host,
            advertised,
            port,
            instanceCount,
            weight > 0 ? weight : instanceCount,
            limits,
            member.clusterSettings(nodeName),
            ChannelPolicies.fromConfig(file).withIdleSeconds(channelIdleSeconds),
            drainRate,
            drainTimeout,
            new SecuritySettings(auth, ChannelRules.fromConfig(file), member.tlsSettings()),
            member.handshakeTimeout);
    member.begin("node", nodeName, "");
    Node node = Startup.await(Node.start(settings), "node " + nodeName);
    // Stopped by local with the whole cluster: no partition hand-off to members that leave too. The
    // drain bounds itself by --drain-timeout; a little more, then the process gives up.
    member.serve(
        "node " + nodeName,
        node::stop,
        () -> node.stop(false),
        node.stopped(),
        (drainTimeout + 5) * 1000L);
    // Stopped without SIGTERM: a drain (0), or its cluster member was lost (1; the exit hook says
    // why).
    return node.stopped().failed() ? 1 : 0;
  }
}
