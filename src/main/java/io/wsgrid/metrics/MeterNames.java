package io.wsgrid.metrics;

/**
 * Every wsgrid meter name, in Micrometer's dotted form; the Prometheus registry renders {@code
 * wsgrid.connections} as {@code wsgrid_connections} and adds {@code _total} to counters and {@code
 * _seconds} to timers. These names are part of the contract (DESIGN.md).
 */
public final class MeterNames {
  public static final String CONNECTIONS = "wsgrid.connections";
  public static final String SUBSCRIPTIONS = "wsgrid.subscriptions";
  public static final String MESSAGES_RECEIVED = "wsgrid.messages.received";
  public static final String MESSAGES_DELIVERED = "wsgrid.messages.delivered";
  public static final String PUBLISH_DELIVERY = "wsgrid.publish.delivery";
  public static final String SLOW_CONSUMER_DISCONNECTS = "wsgrid.slow.consumer.disconnects";
  public static final String CLUSTER_NODES = "wsgrid.cluster.nodes";
  public static final String EDGE_ROUTED = "wsgrid.edge.routed";
  public static final String EDGE_ROUTE_FAILURES = "wsgrid.edge.route.failures";
  public static final String EDGE_TUNNELS = "wsgrid.edge.tunnels";
  public static final String EVENT_LOOP_LAG = "wsgrid.event.loop.lag";
  public static final String PROCESS_RESIDENT_MEMORY = "process.resident.memory";
  public static final String EDGE_REBALANCES = "wsgrid.edge.rebalances";
  public static final String REJECTIONS = "wsgrid.rejections";

  /** Channels whose state the shards this member owns hold (as of the last expiry sweep). */
  public static final String LOG_CHANNELS = "wsgrid.log.channels";

  /** Channels this node follows (has subscribers of). */
  public static final String FOLLOWED_CHANNELS = "wsgrid.followed.channels";

  public static final String SELF_CHECK_REPAIRS = "wsgrid.self.check.repairs";

  public static final String TAG_NODE = "node";
  public static final String TAG_STRATEGY = "strategy";
  public static final String TAG_REASON = "reason";
  public static final String TAG_TRIGGER = "trigger";
  public static final String TAG_LOOP = "loop";
  public static final String TAG_KIND = "kind";

  private MeterNames() {}
}
