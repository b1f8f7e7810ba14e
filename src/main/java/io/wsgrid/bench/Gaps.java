package io.wsgrid.bench;

import java.util.List;
import java.util.Locale;

/**
 * Why a target of the comparison is missed: what profiling and counting found, written into
 * RESULTS.md under each missed row (the measurements behind each cause: {@code src/bench/README.md}).
 */
final class Gaps {
  private record Cause(String measurement, String text) {}

  /** By the start of a summary row's measurement; the first that matches. */
  private static final List<Cause> CAUSES = List.of(
      new Cause("single-node fan-out", """
          The two servers spend about the same CPU per delivery (the row below the ratio), most of \
          it the kernel's loopback send, one write per socket per frame. wsgrid's lead is that it \
          uses both cores where Node uses one, and on 2 cores shared with the load generator that \
          bounds the ratio near 2X/(X+L), X the server's and L the load generator's CPU per \
          delivery: 1.5× here needs wsgrid cheaper per delivery than Node, or cores of its own."""),
      new Cause("3-node cluster fan-out", """
          The nodes spend more CPU per delivery than Socket.IO and Redis (the row below the ratio) \
          for what Socket.IO does not give: one order per channel across nodes, offsets, and \
          history with a synchronous backup per batch of publications, Hazelcast's IO, partition \
          and response threads making 3× Socket.IO's context switches. Both best steps run the \
          machine nearly full: 3× would need the load generator alone to take most of the 2 cores."""),
      new Cause("edge tunnel: fan-out throughput", """
          The edge and HAProxy cost about the same per relayed delivery (the row below the ratio); \
          the sweeps of both land on the same few rates (1.5× steps, two bisections), so one step \
          either way moves a run's ratio by 0.1-0.3 on this shared machine."""),
      new Cause("edge tunnel: connects/s", """
          A connect costs the edge about twice HAProxy's CPU (the row below the ratio): through \
          Vert.x's HTTP server and NetSocket a tunnelled connection takes 43 system calls where \
          HAProxy takes 24 (socket options set and read back on both sockets, reading paused and \
          resumed during the handshake, a hand-off from the acceptor thread to an event loop). \
          Closing it needs the edge to accept and tunnel /ws below Vert.x's HTTP server."""),
      new Cause("edge tunnel: added p99", """
          A proxy adds a loopback hop and an event-loop turn per frame; at this load the difference \
          between paths' p99 moves with the machine by as much as the 1 ms target (HAProxy's column \
          shows the same)."""),
      new Cause("idle sockets", """
          100,000 sockets do not fit one process here (20,000 open files). Of the live heap per \
          socket, 4.7 KiB is the multi-producer outbound queue Vert.x gives every server WebSocket \
          connection (WebSocketConnectionImpl does not take the strict thread mode that would drop \
          it, up to Vert.x's master branch) and 1-1.5 KiB the HTTP/1 upgrade objects the socket \
          keeps; RSS adds what G1 keeps committed around the heap and the code compiled in the run."""));

  private Gaps() {}

  /** Why the row's target is missed, or what to do when no cause is known. */
  static String cause(String measurement) {
    for (Cause cause : CAUSES) {
      if (measurement.startsWith(cause.measurement())) return cause.text();
    }
    return "No cause found yet: rerun this section (`bench compare --only …`) and profile the server (src/bench/README.md says how).";
  }

  /** How far a ratio is from its target, e.g. "0.60× against ≥ 0.9×". */
  static String ratioGap(double ratio, double goal) {
    return String.format(Locale.ROOT, "%.2f× against ≥ %s×", ratio, goal);
  }
}
