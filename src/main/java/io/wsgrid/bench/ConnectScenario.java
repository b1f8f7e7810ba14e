package io.wsgrid.bench;

import io.vertx.core.Vertx;
import java.util.List;

/**
 * Opens N sockets as fast as the target takes them, at most K handshakes in flight; reports
 * connects/s, failures and handshake latency (TCP connect + upgrade + the server's first frame).
 * The sockets are closed afterwards.
 */
public final class ConnectScenario {
  private ConnectScenario() {}

  public static Report run(
      Vertx vertx, Wire wire, List<String> targets, int count, int concurrency, int sources)
      throws Exception {
    Connector connector = new Connector(vertx, wire, sources);
    long started = System.nanoTime();
    List<BenchSocket> sockets;
    try (Progress p =
        new Progress(
            vertx,
            "connect",
            () ->
                connector.opened.get()
                    + "/"
                    + count
                    + " open, "
                    + connector.failed.get()
                    + " failed")) {
      sockets = FanoutScenario.await(connector.open(targets, count, concurrency), 600);
    }
    double seconds = (System.nanoTime() - started) / 1e9;
    Report report =
        new Report("connect")
            .put("sockets", count)
            .put("concurrency", concurrency)
            .put("connected", connector.opened.get())
            .put("failures", connector.failed.get())
            .put("seconds", Math.round(seconds * 100) / 100.0)
            .put("connects_per_s", Math.round(connector.opened.get() / seconds))
            .quantiles("handshake", connector.handshakes.getIntervalHistogram());
    if (connector.failed.get() > 0) report.put("last_failure", connector.lastFailure());
    FanoutScenario.await(connector.closeAll(sockets).compose(v -> connector.close()), 60);
    return report;
  }
}
