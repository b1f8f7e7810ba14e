package io.wsgrid.bench;

import io.vertx.core.Context;
import io.vertx.core.DeploymentOptions;
import io.vertx.core.Future;
import io.vertx.core.VerticleBase;
import io.vertx.core.Vertx;
import io.vertx.core.internal.VertxInternal;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;

/** A context on each of a Vert.x instance's event loops, got by deploying one empty verticle per loop. */
final class EventLoops {
  private EventLoops() {}

  /** Blocks until the contexts exist; call from outside Vert.x (the bench's main thread). */
  static List<Context> contexts(Vertx vertx) {
    int count = 0;
    for (var loop : ((VertxInternal) vertx).nettyEventLoopGroup()) count++;
    List<Context> contexts = new CopyOnWriteArrayList<>();
    try {
      vertx.deployVerticle(() -> new VerticleBase() {
        @Override
        public Future<?> start() {
          contexts.add(context);
          return Future.succeededFuture();
        }
      }, new DeploymentOptions().setInstances(count)).toCompletionStage().toCompletableFuture().get();
    } catch (Exception e) {
      throw new IllegalStateException("cannot start the load generator's event loops: " + e, e);
    }
    return List.copyOf(contexts);
  }
}
