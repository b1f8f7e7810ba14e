package io.wsgrid.compare;

import io.wsgrid.compare.Sweeps.Contender;
import io.wsgrid.compare.Sweeps.Swept;
import java.util.ArrayList;
import java.util.List;

/**
 * Fan-out on 3 Socket.IO processes with the Redis adapter, then on the 3 shared wsgrid nodes, one
 * set running at a time (target: 3× the deliveries/s).
 */
final class ClusterSection implements Section {
  @Override
  public String name() {
    return "cluster";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    Servers servers = c.servers();
    servers.redis("redis", p + 20);
    List<String> socketio = new ArrayList<>();
    for (int i = 1; i <= 3; i++) {
      servers.node(
          "sio" + i, c.peer("socketio-server.js"), p + 20 + i, "redis://127.0.0.1:" + (p + 20));
      socketio.add("ws://127.0.0.1:" + (p + 20 + i));
    }
    Swept sio =
        c.sweeps()
            .interleaved(
                List.of(
                    new Contender(
                        "Socket.IO 3 + Redis",
                        "socketio",
                        socketio,
                        50,
                        List.of("sio1", "sio2", "sio3", "redis"))))
            .get(0);
    for (int i = 1; i <= 3; i++) servers.stop("sio" + i);
    servers.stop("redis");
    Swept wsgrid =
        c.sweeps()
            .interleaved(
                List.of(
                    new Contender(
                        "wsgrid 3 nodes",
                        "wsgrid",
                        c.wsgridCluster(),
                        50,
                        List.of("n1", "n2", "n3"))))
            .get(0);
    c.clusterDeliveries(wsgrid.deliveries());
    c.results()
        .target(
            "3-node cluster fan-out, deliveries/s at p99 < 50 ms",
            Results.fmt(wsgrid.deliveries()),
            Results.fmt(sio.deliveries()),
            wsgrid.deliveries() / sio.deliveries(),
            3);
    c.results().cpu("3-node cluster fan-out", wsgrid, sio, "Socket.IO + Redis, the 4 processes");
  }
}
