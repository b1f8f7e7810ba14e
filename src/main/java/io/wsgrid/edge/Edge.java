package io.wsgrid.edge;

import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.wsgrid.cluster.ClusterBootstrap;
import io.wsgrid.cluster.MemberLifecycle;
import io.wsgrid.cluster.RegistryView;
import io.wsgrid.edge.balance.BalancingStrategy;
import io.wsgrid.metrics.Rejections;
import io.wsgrid.security.HttpGuards;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The edge, the composition root of the balancer: joins the cluster as a Hazelcast lite member (it
 * sees the registry and membership, holds no data), keeps a view of the node registry, and serves
 * {@code /ws} (proxy), {@code /assign} and {@code /admin/nodes} on every event loop.
 */
public final class Edge {
  private static final Logger log = LoggerFactory.getLogger(Edge.class);

  private final EdgeSettings settings;
  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final PrometheusMeterRegistry registry;
  private final RegistryView view;
  private final NodePicker picker;
  private final PeerRoutes peers;
  private final Tunnels tunnels;
  private final EdgeMetrics metrics;
  private final Rebalancer rebalancer;
  private final Dashboard dashboard;
  private final Rejections rejections;
  private final MemberLifecycle lifecycle = new MemberLifecycle();

  private Edge(
      EdgeSettings settings,
      MemberLifecycle.Joined joined,
      RegistryView view,
      BalancingStrategy strategy) {
    this.settings = settings;
    this.vertx = joined.vertx();
    this.hazelcast = joined.hazelcast();
    this.registry = joined.registry();
    this.view = view;
    this.picker = new NodePicker(view, strategy);
    this.peers = new PeerRoutes(vertx, picker, hazelcast);
    this.tunnels = new Tunnels(vertx);
    this.metrics = new EdgeMetrics(registry, settings.strategy());
    NodeControl control = new NodeControl(vertx.eventBus());
    this.rebalancer = new Rebalancer(vertx, view, control, settings.rebalanceThreshold(), metrics);
    this.dashboard = new Dashboard(vertx, view, control, settings);
    this.rejections = new Rejections(registry, settings.name());
  }

  /** Joins the cluster and starts serving; fails with a message a user can act on. */
  public static Future<Edge> start(EdgeSettings settings) {
    return start(
        settings, BalancingStrategy.create(settings.strategy(), settings.hashBalanceFactor()));
  }

  /**
   * {@link #start(EdgeSettings)} with this strategy instance (a test can then watch what it is
   * told).
   */
  static Future<Edge> start(EdgeSettings settings, BalancingStrategy strategy) {
    // A lite member alone cannot hold Vert.x's cluster maps: the start waits for a node before it
    // starts Vert.x.
    return MemberLifecycle.start(
        ClusterBootstrap.hazelcastConfig(settings.cluster(), true),
        true,
        settings.name(),
        settings.cluster().eventBusTls(),
        joined ->
            joined
                .vertx()
                .executeBlocking(() -> new RegistryView(joined.hazelcast()).start())
                .map(view -> new Edge(settings, joined, view, strategy))
                .compose(edge -> edge.deploy().map(edge)));
  }

  private Future<Void> deploy() {
    return peers
        .start()
        .compose(
            v ->
                vertx
                    .deployVerticle(
                        () -> new EdgeVerticle(this),
                        new DeploymentOptions().setInstances(settings.instances()))
                    .recover(
                        e ->
                            Future.failedFuture(
                                new IllegalStateException(
                                    "cannot listen on "
                                        + settings.host()
                                        + ":"
                                        + settings.port()
                                        + ": "
                                        + e.getMessage()
                                        + " (is another process on that port? pick another --port)",
                                    e))))
        .onSuccess(
            id -> {
              if (settings.autoRebalanceAfterMs() > 0)
                rebalancer.startAuto(settings.autoRebalanceAfterMs(), hazelcast);
              dashboard.start();
              lifecycle.ready();
              log.info(
                  "edge {} ready: {} (strategy {}, modes {}, {} nodes known, {}); {}",
                  settings.name(),
                  settings.url(),
                  settings.strategy(),
                  settings.modes(),
                  view.snapshot().size(),
                  ClusterBootstrap.transport(vertx),
                  HttpGuards.adminAccess(settings.adminToken()));
            })
        .mapEmpty();
  }

  public EdgeSettings settings() {
    return settings;
  }

  /** Counts and logs turned-away admin requests. */
  public Rejections rejections() {
    return rejections;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public RegistryView view() {
    return view;
  }

  public NodePicker picker() {
    return picker;
  }

  Dashboard dashboard() {
    return dashboard;
  }

  Rebalancer rebalancer() {
    return rebalancer;
  }

  EdgeMetrics metrics() {
    return metrics;
  }

  Tunnels openTunnels() {
    return tunnels;
  }

  /** Open WebSocket tunnels through this edge. */
  public long tunnels() {
    return metrics.tunnels();
  }

  public boolean isReady() {
    return lifecycle.isReady();
  }

  public Future<Void> stopped() {
    return lifecycle.stopped();
  }

  /**
   * Stops the edge: {@code /ready} answers 503 and new sockets are refused at once, the open
   * tunnels close spread over {@code --close-spread-time} ({@link Tunnels}), then the edge leaves
   * the cluster. Fails when some tunnels would not close. Safe to call more than once.
   */
  public Future<Void> stop() {
    return stop(settings.closeSpreadMs());
  }

  /**
   * {@link #stop()} with the tunnels closed over {@code closeSpreadMs}: 0 when the whole cluster
   * stops (Ctrl-C on {@code local}), as the nodes then close their sockets themselves at once.
   */
  public Future<Void> stop(long closeSpreadMs) {
    return lifecycle.stop(
        stopped -> {
          log.info(
              "edge {} stopping: /ready answers 503, new sockets are refused; {} tunnels open",
              settings.name(),
              tunnels.size());
          rebalancer.stopAuto();
          // closeAll's future is bound to no Vert.x context, nor is anything chained on it: a
          // future bound
          // to one hands its result to that context's event loop, which vertx.close() shuts down,
          // and the
          // rest of the stop would never run (the edge used to hang until its shutdown guard that
          // way).
          Future<Void> closing = tunnels.closeAll(closeSpreadMs, settings.name());
          closing
              .transform(
                  ar ->
                      vertx.executeBlocking(
                          () -> {
                            peers.stop();
                            view.stop();
                            return null;
                          }))
              .transform(ar -> vertx.close())
              // The edge made its own Hazelcast instance (see start), so Vert.x leaves it running.
              .transform(ar -> MemberLifecycle.leave(hazelcast, true, settings.name()))
              .onComplete(
                  ar -> {
                    registry.close();
                    if (closing.failed()) {
                      log.warn(
                          "edge {} stopped, but {}", settings.name(), closing.cause().getMessage());
                      stopped.fail(closing.cause());
                    } else {
                      log.info("edge {} stopped", settings.name());
                      stopped.handle(ar);
                    }
                  });
        });
  }

  /** Waits (blocking, not on an event loop) until the edge has stopped or the timeout passes. */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return lifecycle.awaitStopped(timeout, unit);
  }
}
