package io.wsgrid.compare;

import io.wsgrid.compare.Sweeps.Contender;
import io.wsgrid.compare.Sweeps.Load;
import io.wsgrid.compare.Sweeps.Names;
import io.wsgrid.compare.Sweeps.Swept;
import java.util.List;

/**
 * Many small channels: 2,000 subscribers, each on a channel of its own, over 2 wsgrid nodes against
 * 2 Socket.IO processes with the Redis adapter, publishers and subscribers spread over both, so
 * publications cross between them; swept twice, with fresh channel names (every step on channels
 * new to the servers) and with reused ones, taking turns (target: 1.5× Socket.IO's publications/s
 * each time).
 */
final class SmallChannelsSection implements Section {
  static final double TARGET = 1.5;

  @Override
  public String name() {
    return "small";
  }

  @Override
  public void run(Comparison c) throws Exception {
    int p = c.port();
    Servers servers = c.servers();
    Comparison.Shape shape =
        c.settings().quick()
            ? new Comparison.Shape(500, 500, 4, 128)
            : new Comparison.Shape(2000, 2000, 4, 128);
    List<String> members = Servers.members(p + 45, p + 46);
    String a =
        servers.wsgridNode(
            "small-n1", p + 40, p + 45, "bench-small", Servers.DEFAULT_HEAP, members);
    String b =
        servers.wsgridNode(
            "small-n2", p + 41, p + 46, "bench-small", Servers.DEFAULT_HEAP, members);
    servers.redis("small-redis", p + 24);
    servers.node(
        "small-sio1", c.peer("socketio-server.js"), p + 25, "redis://127.0.0.1:" + (p + 24));
    servers.node(
        "small-sio2", c.peer("socketio-server.js"), p + 26, "redis://127.0.0.1:" + (p + 24));
    List<Contender> contenders =
        List.of(
            new Contender(
                "wsgrid 2 nodes", "wsgrid", List.of(a, b), 1_000, List.of("small-n1", "small-n2")),
            new Contender(
                "Socket.IO 2 + Redis",
                "socketio",
                List.of("ws://127.0.0.1:" + (p + 25), "ws://127.0.0.1:" + (p + 26)),
                1_000,
                List.of("small-sio1", "small-sio2", "small-redis")));
    String shapeText =
        Results.fmt(shape.subscribers())
            + " subscribers on "
            + Results.fmt(shape.channels())
            + " channels, 2 nodes";
    for (Names names : List.of(Names.FRESH, Names.REUSED)) {
      String how = names == Names.FRESH ? "fresh channel names" : "reused channel names";
      // Nothing lost: a passing step has every delivery owed for its acked publications.
      List<Swept> swept = c.sweeps().interleaved(new Load(shape, names, 0, true), contenders);
      Swept wsgrid = swept.get(0);
      Swept sio = swept.get(1);
      c.results()
          .target(
              "many small channels, "
                  + how
                  + ": publications/s at p99 < 50 ms, nothing lost ("
                  + shapeText
                  + ")",
              Results.fmt(wsgrid.publications()),
              Results.fmt(sio.publications()),
              wsgrid.publications() / sio.publications(),
              TARGET);
      c.results()
          .cpuPerPublication(
              "many small channels, " + how, wsgrid, sio, "Socket.IO + Redis, the 3 processes");
    }
    for (String name : List.of("small-sio2", "small-sio1", "small-redis", "small-n2", "small-n1"))
      servers.stop(name);
  }
}
