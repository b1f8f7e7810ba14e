package io.wsgrid.node;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.netty.handler.codec.http.websocketx.WebSocketCloseStatus;
import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.wsgrid.api.NodeCalls;
import io.wsgrid.api.ServerApi;
import io.wsgrid.broker.Broker;
import io.wsgrid.broker.EventBusFanout;
import io.wsgrid.broker.LogBroker;
import io.wsgrid.broker.log.HazelcastPublicationLog;
import io.wsgrid.cluster.ClusterBootstrap;
import io.wsgrid.cluster.LocalMember;
import io.wsgrid.cluster.MemberLifecycle;
import io.wsgrid.cluster.NodeRegistration;
import io.wsgrid.cluster.RegistryView;
import io.wsgrid.metrics.EventLoopLag;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.metrics.NodeMetrics;
import io.wsgrid.metrics.Rejections;
import io.wsgrid.presence.HazelcastPresence;
import io.wsgrid.presence.Presence;
import io.wsgrid.protocol.ProtocolCodec;
import io.wsgrid.security.HttpGuards;
import io.wsgrid.security.TokenVerifier;
import io.wsgrid.session.LocalSessions;
import io.wsgrid.session.SessionSettings;
import java.time.Clock;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * A wsgrid node, the composition root: joins the cluster, builds the broker and the meters, and
 * runs the WebSocket verticle once per instance. {@link #stop} closes every socket with 1001 and
 * leaves the cluster.
 */
public final class Node {
  private static final Logger log = LoggerFactory.getLogger(Node.class);

  /**
   * What a drain keeps of {@code --drain-timeout} for leaving the cluster (at most; a quarter of a
   * short timeout).
   */
  private static final long LEAVE_RESERVE_MS = 10_000;

  /** How often the node checks its own delivery path (see LogBroker#start). */
  static final long SELF_CHECK_MS = 2_000;

  private final NodeSettings settings;
  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final PrometheusMeterRegistry registry;
  private final NodeMetrics metrics;
  private final HazelcastPublicationLog publicationLog;
  private final LogBroker broker;
  private final Presence presence;
  private final Rejections rejections;
  private final TokenVerifier verifier;
  private final SessionSettings sessionSettings;
  private final Admission admission;
  private final List<LocalSessions> loops = new CopyOnWriteArrayList<>();
  private final NodeRegistration registration;
  private final LocalMember member;
  private final MemberLifecycle lifecycle = new MemberLifecycle();
  private final RegistryView registryView;
  private final ServerApi serverApi;

  private Node(
      NodeSettings settings,
      MemberLifecycle.Joined joined,
      String followerId,
      RegistryView registryView) {
    this.registryView = registryView;
    this.settings = settings;
    this.vertx = joined.vertx();
    this.hazelcast = joined.hazelcast();
    this.registry = joined.registry();
    this.metrics = new NodeMetrics(registry, settings.name());
    this.publicationLog =
        new HazelcastPublicationLog(
            hazelcast, Clock.systemUTC(), settings.channels().idleSeconds() * 1000L);
    this.broker =
        new LogBroker(
            vertx,
            publicationLog,
            new EventBusFanout(vertx, followerId),
            settings.channels(),
            ProtocolCodec::publication,
            Clock.systemUTC(),
            followerId);
    broker.onRepair(metrics::selfCheckRepaired);
    this.member = new LocalMember(hazelcast);
    this.presence = new HazelcastPresence(vertx, hazelcast, settings.name(), member);
    this.rejections = new Rejections(registry, settings.name());
    this.verifier = TokenVerifier.create(vertx, settings.security().auth());
    this.sessionSettings =
        new SessionSettings(
            settings.name(), settings.limits(), verifier, settings.security().rules(), rejections);
    this.admission = new Admission(this, new java.util.concurrent.atomic.AtomicInteger());
    // The registered count includes admitted handshakes: what the edges balance on, and what
    // NodeEntry.ADMISSION_HEADER promises.
    this.registration =
        new NodeRegistration(
            vertx,
            hazelcast,
            member,
            settings.name(),
            settings.wsUrl(),
            settings.httpUrl(),
            settings.weight(),
            metrics::registered);
    this.serverApi =
        new ServerApi(
            vertx, hazelcast, broker, presence, new NodeCalls(vertx, registryView::snapshot));
    Gauge.builder(MeterNames.LOG_CHANNELS, publicationLog, HazelcastPublicationLog::channels)
        .description(
            "channels whose state this member's shards of the publication log hold (as of the last expiry sweep)")
        .tag(MeterNames.TAG_NODE, settings.name())
        .register(registry);
    Gauge.builder(MeterNames.FOLLOWED_CHANNELS, broker, LogBroker::subscribedChannels)
        .description("channels this node follows: it has subscribers of them")
        .tag(MeterNames.TAG_NODE, settings.name())
        .register(registry);
  }

  /** Joins the cluster and starts serving; fails with a message a user can act on. */
  public static Future<Node> start(NodeSettings settings) {
    Config config = ClusterBootstrap.hazelcastConfig(settings.cluster(), false);
    HazelcastPublicationLog.configure(config);
    // This process's id as a follower of channels: the name alone could be reused by a restarted
    // node.
    String followerId =
        settings.name()
            + "-"
            + Long.toHexString(ThreadLocalRandom.current().nextLong() & 0xFFFFFFFFL);
    config
        .getMemberAttributeConfig()
        .setAttribute(HazelcastPublicationLog.FOLLOWER_ATTRIBUTE, followerId);
    HazelcastPresence.configure(config);
    ServerApi.configure(config);
    return MemberLifecycle.start(
        config,
        false,
        settings.name(),
        settings.cluster().eventBusTls(),
        joined ->
            joined
                .vertx()
                .executeBlocking(() -> new RegistryView(joined.hazelcast()).start())
                .compose(
                    view -> {
                      Node node = new Node(settings, joined, followerId, view);
                      return node.deploy().map(node);
                    }));
  }

  private Future<Void> deploy() {
    hazelcast.getCluster().addMembershipListener(new MembershipLog());
    hazelcast
        .getLifecycleService()
        .addLifecycleListener(
            event -> {
              if (event.getState() == LifecycleState.SHUTTING_DOWN) memberLost();
            });
    log.info(
        "cluster: joined with {} member(s): {}",
        hazelcast.getCluster().getMembers().size(),
        hazelcast.getCluster().getMembers().stream().map(MembershipLog::describe).toList());
    return vertx
        .deployVerticle(
            () -> new NodeVerticle(this),
            new DeploymentOptions().setInstances(settings.instances()))
        .recover(
            e ->
                Future.failedFuture(
                    new IllegalStateException(
                        "cannot serve on "
                            + settings.host()
                            + ":"
                            + settings.port()
                            + ": "
                            + e.getMessage()
                            + (String.valueOf(e.getMessage()).contains("in use")
                                ? " (is another process on that port? pick another --port)"
                                : ""),
                        e)))
        .compose(
            id ->
                broker.start(
                    loops.get(0).context(),
                    sweepMillis(settings.channels().idleSeconds()),
                    SELF_CHECK_MS))
        // The edges' requests are answered before the node is in the registry they read.
        .compose(v -> EdgeRequests.listen(vertx, this, lifecycle::isStopping))
        .compose(v -> NodeCalls.listen(vertx, new LocalApi(this, loops, lifecycle::isStopping)))
        .compose(v -> registration.start())
        .onSuccess(
            v -> {
              lifecycle.ready();
              var auth = settings.security().auth();
              log.info(
                  "node {} ready: {} ({} instances, weight {}, {}); {}, {}",
                  settings.name(),
                  settings.wsUrl(),
                  settings.instances(),
                  settings.weight(),
                  ClusterBootstrap.transport(vertx),
                  HttpGuards.adminAccess(auth.adminToken()),
                  HttpGuards.apiAccess(auth.apiKey()));
            })
        .mapEmpty();
  }

  /** How often idle channels are looked for: a quarter of the idle time, between 1 and 15 s. */
  public static long sweepMillis(int idleSeconds) {
    return Math.max(1000, Math.min(15_000, idleSeconds * 250L));
  }

  LocalSessions newSessions(Context context) {
    LocalSessions sessions = new LocalSessions(context, broker, presence, metrics, sessionSettings);
    loops.add(sessions);
    EventLoopLag.monitor(context, registry, settings.name(), Thread.currentThread().getName());
    return sessions;
  }

  /** {@code POST /api/<method>}, shared by the node's verticles. */
  ServerApi serverApi() {
    return serverApi;
  }

  Admission admission() {
    return admission;
  }

  /** Counts and logs turned-away connections, requests and frames. */
  public Rejections rejections() {
    return rejections;
  }

  /** Checks connection tokens; null when no JWT key is configured. */
  public TokenVerifier verifier() {
    return verifier;
  }

  public NodeMetrics metrics() {
    return metrics;
  }

  public NodeSettings settings() {
    return settings;
  }

  public PrometheusMeterRegistry registry() {
    return registry;
  }

  public Broker broker() {
    return broker;
  }

  public Vertx vertx() {
    return vertx;
  }

  public HazelcastInstance hazelcast() {
    return hazelcast;
  }

  public String name() {
    return settings.name();
  }

  /**
   * Joined, not rejoining after a split (see {@link LocalMember}), not stopping, and its delivery
   * path checks out.
   */
  public boolean isReady() {
    return lifecycle.isReady() && !member.isMerging() && broker.healthy();
  }

  /** Open WebSocket connections on this node. */
  public long connections() {
    return metrics.connections();
  }

  /** Completes once the node has stopped. */
  public Future<Void> stopped() {
    return lifecycle.stopped();
  }

  /**
   * Drains: marks the node DRAINING (edges stop routing here), closes every socket with 1001 and a
   * reconnect hint at {@code --drain-rate}, then leaves the cluster, all within {@code
   * --drain-timeout} (faster than the rate when the rate would not make it). Fails, saying how many
   * sockets were cut, when some were still open as the time ran out. Leaving, the node hands its
   * partitions (channel history, registry) over to the members that stay. Safe to call more than
   * once; each call returns the same outcome.
   */
  public Future<Void> stop() {
    return stop(true);
  }

  /**
   * {@link #stop()}, but with {@code handOff} false the node leaves without handing its partitions
   * over: for when every member is stopping at once (Ctrl-C on {@code local}), where each would
   * otherwise hand its data to members that are leaving too, and the members keep migrating
   * partitions among themselves for seconds before any may go.
   */
  public Future<Void> stop(boolean handOff) {
    return lifecycle.stop(
        stopped -> {
          long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(settings.drainTimeout());
          log.info(
              "node {} stopping: DRAINING, closing {} sockets with 1001 at up to {}/s, within {} s (--drain-timeout)",
              settings.name(),
              metrics.connections(),
              settings.drainRate(),
              settings.drainTimeout());
          // Marked DRAINING first, so edges stop routing here before the sockets close.
          registration.drain().onComplete(ar -> closeSockets(deadline, handOff, stopped));
        });
  }

  /**
   * Asks every socket to close by {@code deadline} minus the reserve for leaving, waits for their
   * closing handshakes until half of that reserve is left, then leaves the cluster. Sockets still
   * open then are cut: the node leaves Hazelcast at once rather than wait for Vert.x, which would
   * hold each such socket for its closing timeout.
   */
  private void closeSockets(long deadline, boolean handOff, Promise<Void> stopped) {
    long reserve =
        TimeUnit.MILLISECONDS.toNanos(
            Math.min(LEAVE_RESERVE_MS, settings.drainTimeout() * 1000L / 4));
    Future<Long> shed =
        SocketShedder.shed(
            vertx,
            loops,
            metrics::connections,
            Long.MAX_VALUE,
            settings.drainRate(),
            deadline - reserve,
            WebSocketCloseStatus.ENDPOINT_UNAVAILABLE,
            "node draining; reconnect",
            "drain " + settings.name());
    Promise<Void> socketsClosed = Promise.promise();
    long cutAt = deadline - reserve / 2;
    vertx.setPeriodic(
        100,
        timer -> {
          // The shedder's end first (it says how many it closed), then the last closing handshakes.
          boolean closed = shed.isComplete() && metrics.connections() == 0;
          if (closed || System.nanoTime() >= cutAt) {
            vertx.cancelTimer(timer);
            socketsClosed.complete();
          }
        });
    socketsClosed
        .future()
        .compose(v -> registration.stop())
        .onComplete(
            v -> {
              long open = metrics.connections();
              if (open == 0) {
                vertx
                    .close()
                    .eventually(() -> MemberLifecycle.leave(hazelcast, handOff, settings.name()))
                    .onComplete(
                        ar -> {
                          log.info("node {} stopped", settings.name());
                          registry.close();
                          stopped.handle(ar);
                        });
                return;
              }
              log.warn(
                  "node {}: {} sockets still open as --drain-timeout ({} s) runs out: leaving the cluster now, which cuts them",
                  settings.name(),
                  open,
                  settings.drainTimeout());
              MemberLifecycle.leave(hazelcast, handOff, settings.name())
                  .onComplete(
                      ar -> {
                        vertx.close(); // what is left of Vert.x goes with the sockets' closing
                        // timeouts, or with the process
                        registry.close();
                        stopped.fail(
                            new IllegalStateException(
                                "the drain was cut short: "
                                    + open
                                    + " sockets were still open after --drain-timeout "
                                    + settings.drainTimeout()
                                    + " s (raise it, or --drain-rate)"));
                      });
            });
  }

  /**
   * The Hazelcast member shut down under the node (a merge after a split that failed: Hazelcast
   * then terminates the member; or an internal error), not by {@link #stop}: the node could serve
   * its sockets but reach no one, so it stops at once, {@code /ready} 503, and {@link #stopped}
   * fails, which makes {@code wsgrid node} exit 1 for its supervisor to restart it.
   */
  private void memberLost() {
    lifecycle.stop(
        stopped -> {
          log.error(
              "node {}: its cluster member shut down unexpectedly (see Hazelcast's log above); exiting so that a supervisor restarts it",
              settings.name());
          stopped.fail(
              new IllegalStateException(
                  "its cluster member shut down unexpectedly (a failed merge after a split?): restart it"));
          vertx.close();
          registry.close();
        });
  }

  /**
   * Asks the node to close {@code count} of its sockets with 1012 at its drain rate, so their
   * clients reconnect through the edge onto lighter nodes; completes with how many it closed.
   */
  public Future<Long> shed(long count) {
    return SocketShedder.shed(
        vertx,
        loops,
        metrics::connections,
        count,
        settings.drainRate(),
        SocketShedder.NO_DEADLINE,
        WebSocketCloseStatus.SERVICE_RESTART,
        "rebalancing; reconnect",
        "rebalance " + settings.name());
  }

  /** Waits (blocking, not on an event loop) until the node has stopped or the timeout passes. */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    return lifecycle.awaitStopped(timeout, unit);
  }

  private static final class MembershipLog implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      log.info(
          "cluster: {} joined ({} members)",
          describe(event.getMember()),
          event.getMembers().size());
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      log.info(
          "cluster: {} left ({} members)", describe(event.getMember()), event.getMembers().size());
    }

    static String describe(Member member) {
      String name = member.getAttribute("wsgrid.name");
      return (name == null ? "member" : name)
          + (member.isLiteMember() ? " (edge)" : "")
          + " at "
          + member.getAddress();
    }
  }
}
