package io.wsgrid.compare;

import io.wsgrid.compare.Sweeps.Contender;
import io.wsgrid.compare.Sweeps.Swept;
import java.util.List;

/**
 * Fan-out on one wsgrid node against one Node.js {@code ws} process, taking turns (target: 1.5× the
 * deliveries/s).
 */
final class SingleNodeSection implements Section {
  @Override
  public String name() {
    return "single";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    String wsgridNode = c.servers().wsgridNode("solo", p, p + 50, "bench-solo", 0);
    c.servers().node("ws-peer", c.peer("ws-server.js"), p + 1);
    String wsPeer = "ws://127.0.0.1:" + (p + 1) + "/ws";
    List<Swept> solo =
        c.sweeps()
            .interleaved(
                List.of(
                    new Contender(
                        "wsgrid node", "wsgrid", List.of(wsgridNode), 100, List.of("solo")),
                    new Contender("Node ws", "wsgrid", List.of(wsPeer), 100, List.of("ws-peer"))));
    Swept wsgrid = solo.get(0);
    Swept ws = solo.get(1);
    c.results()
        .target(
            "single-node fan-out, deliveries/s at p99 < 50 ms",
            Results.fmt(wsgrid.deliveries()),
            Results.fmt(ws.deliveries()),
            wsgrid.deliveries() / ws.deliveries(),
            1.5);
    c.results().cpu("single-node fan-out", wsgrid, ws, "Node ws");
    c.servers().stop("solo");
    c.servers().stop("ws-peer");
  }
}
