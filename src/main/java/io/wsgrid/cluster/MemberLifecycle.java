package io.wsgrid.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Promise;
import io.vertx.core.Vertx;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.wsgrid.security.TlsSettings;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.TimeUnit;
import java.util.function.Consumer;
import java.util.function.Function;

/**
 * The life of a cluster member (a node or an edge): it joins and starts serving ({@link #start}),
 * is {@link #ready}, then stops exactly once ({@link #stop}: every caller, concurrent or later,
 * gets the one outcome) and leaves the cluster ({@link #leave}). Thread-safe.
 */
public final class MemberLifecycle {
  /**
   * How long a member leaving without a hand-off waits for Hazelcast's own tasks (see {@link
   * #leave}).
   */
  private static final long TERMINATE_WAIT_MS = 1_000;

  private final Promise<Void> stopped = Promise.promise();
  private volatile boolean ready;
  private volatile boolean stopping;

  /**
   * What a member is made of once joined: its Hazelcast member, the clustered Vert.x on it, their
   * meters.
   */
  public record Joined(
      HazelcastInstance hazelcast, Vertx vertx, PrometheusMeterRegistry registry) {}

  /**
   * Joins the cluster with {@code config} (a lite member, holding no data, when {@code lite}: it
   * then waits for a data member), starts a clustered Vert.x on the member with Vert.x and JVM
   * meters, and hands both to {@code serve}, which builds the member and starts serving. The member
   * makes its Hazelcast instance itself, so Vert.x leaves it running when it closes and the member
   * chooses how to leave ({@link #leave}). When any step fails, what was started is closed again
   * and the future fails with the cause.
   */
  public static <T> Future<T> start(
      Config config,
      boolean lite,
      String name,
      TlsSettings eventBusTls,
      Function<Joined, Future<T>> serve) {
    PrometheusMeterRegistry registry = new PrometheusMeterRegistry(PrometheusConfig.DEFAULT);
    Future<HazelcastInstance> joined =
        lite ? ClusterBootstrap.joinLite(config) : ClusterBootstrap.join(config);
    return joined.compose(
        hazelcast ->
            ClusterBootstrap.start(
                    new HazelcastClusterManager(hazelcast),
                    registry,
                    "wsgrid-" + name + "-" + System.identityHashCode(registry),
                    eventBusTls)
                .recover(
                    e -> {
                      hazelcast.getLifecycleService().terminate();
                      return Future.failedFuture(e);
                    })
                .compose(
                    vertx -> {
                      ClusterBootstrap.registerClusterNodesGauge(registry, hazelcast);
                      return serve
                          .apply(new Joined(hazelcast, vertx, registry))
                          .recover(
                              e -> {
                                // Fail first, then close: once Vert.x is closed, callbacks on its
                                // futures may never run.
                                vertx
                                    .close()
                                    .onComplete(ar -> hazelcast.getLifecycleService().terminate());
                                return Future.failedFuture(e);
                              });
                    }));
  }

  /**
   * Leaves the cluster on a thread of its own, off the event loops (which may be closed by now).
   * With {@code handOff} the member hands its partitions over to the members that stay. Without,
   * Hazelcast closes its connections first and then waits up to 3 s for tasks of its own (on the
   * master, a probe for split-off clusters to merge with): the rest of the cluster is going too
   * (Ctrl-C on {@code local}), so the member waits at most {@link #TERMINATE_WAIT_MS} for that.
   */
  public static Future<Void> leave(HazelcastInstance hazelcast, boolean handOff, String name) {
    CompletableFuture<Void> left =
        CompletableFuture.runAsync(
            () -> {
              if (handOff) hazelcast.shutdown();
              else hazelcast.getLifecycleService().terminate();
            },
            task -> new Thread(task, "wsgrid-leave-" + name).start());
    if (!handOff) left = left.completeOnTimeout(null, TERMINATE_WAIT_MS, TimeUnit.MILLISECONDS);
    return Future.fromCompletionStage(left);
  }

  /** The member has started serving; ignored once it is stopping. */
  public void ready() {
    ready = true;
  }

  /** Started and not stopping. */
  public boolean isReady() {
    return ready && !stopping;
  }

  /** A stop has begun (it may have finished). */
  public boolean isStopping() {
    return stopping;
  }

  /**
   * Begins the stop: the first call runs {@code stopping} with the promise it must complete when
   * the member has stopped (or fail, saying what was cut short); that and every other call, from
   * any thread, return the same future of that outcome.
   */
  public Future<Void> stop(Consumer<Promise<Void>> stopping) {
    synchronized (this) {
      if (this.stopping) return stopped.future();
      this.stopping = true;
    }
    stopping.accept(stopped);
    return stopped.future();
  }

  /** Completes once the member has stopped; fails when the stop failed. */
  public Future<Void> stopped() {
    return stopped.future();
  }

  /** Waits (blocking, not on an event loop) until the member has stopped or the timeout passes. */
  public boolean awaitStopped(long timeout, TimeUnit unit) throws InterruptedException {
    CountDownLatch latch = new CountDownLatch(1);
    stopped.future().onComplete(ar -> latch.countDown());
    return latch.await(timeout, unit);
  }
}
