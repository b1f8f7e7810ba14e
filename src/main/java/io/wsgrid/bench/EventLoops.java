package io.wsgrid.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/**
 * A context on each of a Vert.x instance's event loops, got by deploying one empty verticle per
 * loop (Vert.x 5 gives a thread outside Vert.x one sticky loop); {@link #close} undeploys them.
 */
final class EventLoops {
  private final Vertx vertx;
  private final String deployment;
  final List<Context> contexts;

  private EventLoops(Vertx vertx, String deployment, List<Context> contexts) {
    this.vertx = vertx;
    this.deployment = deployment;
    this.contexts = contexts;
  }

  /** Blocks until the contexts exist; call from outside Vert.x (the bench's main thread). */
  static EventLoops deploy(Vertx vertx) {
    int count = 0;
    for (var loop : ((VertxInternal) vertx).nettyEventLoopGroup()) count++;
    List<Context> contexts = new CopyOnWriteArrayList<>();
    try {
      String id =
          vertx
              .deployVerticle(
                  () ->
                      new VerticleBase() {
                        @Override
                        public Future<?> start() {
                          contexts.add(context);
                          return Future.succeededFuture();
                        }
                      },
                  new DeploymentOptions().setInstances(count))
              .toCompletionStage()
              .toCompletableFuture()
              .get();
      return new EventLoops(vertx, id, List.copyOf(contexts));
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the load generator's event loops: " + e, e);
    }
  }

  Future<Void> close() {
    return vertx.undeploy(deployment);
  }
}
