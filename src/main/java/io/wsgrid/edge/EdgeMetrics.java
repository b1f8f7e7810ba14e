package io.wsgrid.edge;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.wsgrid.metrics.MeterNames;
import java.util.List;
import java.util.concurrent.atomic.AtomicLong;

/**
 * The edge's meters: sockets routed per node and strategy, routing failures per reason, open
 * tunnels, rebalances.
 */
final class EdgeMetrics {
  private final MeterRegistry registry;
  private final String strategy;
  private final AtomicLong tunnels = new AtomicLong();

  EdgeMetrics(MeterRegistry registry, String strategy) {
    this.registry = registry;
    this.strategy = strategy;
    Gauge.builder(MeterNames.EDGE_TUNNELS, tunnels, AtomicLong::get)
        .description("WebSocket tunnels open through this edge")
        .register(registry);
    // Every reason from 0, so rate() and alerts work before the first failure.
    for (String reason :
        List.of(
            "no_node", "connect", "rejected", "refused", "exhausted", "client_gone", "stopping"))
      failures(reason);
    for (String trigger : List.of("manual", "auto")) rebalances(trigger);
  }

  void routed(String node) {
    Counter.builder(MeterNames.EDGE_ROUTED)
        .description("new sockets routed (tunnelled or assigned) to a node")
        .tag(MeterNames.TAG_NODE, node)
        .tag(MeterNames.TAG_STRATEGY, strategy)
        .register(registry)
        .increment();
  }

  void failed(String reason) {
    failures(reason).increment();
  }

  private Counter failures(String reason) {
    return Counter.builder(MeterNames.EDGE_ROUTE_FAILURES)
        .description("new sockets the edge could not route, by reason")
        .tag(MeterNames.TAG_REASON, reason)
        .register(registry);
  }

  void rebalanced(String trigger) {
    rebalances(trigger).increment();
  }

  private Counter rebalances(String trigger) {
    return Counter.builder(MeterNames.EDGE_REBALANCES)
        .description("rebalances started, manual (POST /admin/rebalance) or auto")
        .tag(MeterNames.TAG_TRIGGER, trigger)
        .register(registry);
  }

  void tunnelOpened() {
    tunnels.incrementAndGet();
  }

  void tunnelClosed() {
    tunnels.decrementAndGet();
  }

  long tunnels() {
    return tunnels.get();
  }
}
