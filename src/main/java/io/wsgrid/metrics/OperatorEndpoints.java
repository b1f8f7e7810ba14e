package io.wsgrid.metrics;

import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.ext.web.Router;
import java.util.function.BooleanSupplier;

/**
 * What operators poll on every node and edge: {@code /health}, {@code /ready}, {@code /metrics}.
 */
public final class OperatorEndpoints {
  private static final String PROMETHEUS_TEXT = "text/plain; version=0.0.4; charset=utf-8";

  private OperatorEndpoints() {}

  /**
   * Mounts the three endpoints; {@code ready} says whether the process is joined to the cluster and
   * not draining.
   */
  public static void mount(Router router, PrometheusMeterRegistry registry, BooleanSupplier ready) {
    router
        .get("/health")
        .handler(ctx -> ctx.response().putHeader("content-type", "text/plain").end("ok\n"));
    router
        .get("/ready")
        .handler(
            ctx -> {
              boolean isReady = ready.getAsBoolean();
              ctx.response()
                  .setStatusCode(isReady ? 200 : 503)
                  .putHeader("content-type", "text/plain")
                  .end(isReady ? "ready\n" : "not ready: joining the cluster or draining\n");
            });
    router
        .get("/metrics")
        .handler(
            ctx ->
                ctx.vertx()
                    .executeBlocking(registry::scrape, false)
                    .onSuccess(
                        text -> ctx.response().putHeader("content-type", PROMETHEUS_TEXT).end(text))
                    .onFailure(ctx::fail));
  }
}
