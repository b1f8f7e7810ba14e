package io.wsgrid.edge;

import com.hazelcast.cluster.Member;
import com.hazelcast.core.HazelcastInstance;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.vertx.ext.web.RoutingContext;
import io.wsgrid.cluster.NodeEntry;
import io.wsgrid.cluster.RegistryView;
import java.util.ArrayList;
import java.util.List;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Spreads sockets again after a scale-out. Each UP node's fair share is the total of connections
 * split by weight; a node more than {@code threshold} above its share is asked (over the event bus)
 * to shed just the sockets above it, with 1012 at its drain rate. Their clients reconnect through
 * the edge, which routes them to the lighter nodes.
 *
 * <p>Runs on {@code POST /admin/rebalance} (answers with the plan) and, with {@code
 * --auto-rebalance}, by itself once the spread has stayed over the threshold for {@code
 * --auto-rebalance-after} with no node draining; then it waits as long again before it looks, so
 * the reconnects settle first. With several edges, only the oldest edge of the cluster rebalances
 * by itself.
 */
final class Rebalancer {
  private static final Logger log = LoggerFactory.getLogger(Rebalancer.class);

  private final Vertx vertx;
  private final RegistryView view;
  private final NodeControl control;
  private final double threshold;
  private final EdgeMetrics metrics;
  private long overSince = -1;
  private long quietUntil;
  private volatile long autoTimer = -1;

  Rebalancer(
      Vertx vertx, RegistryView view, NodeControl control, double threshold, EdgeMetrics metrics) {
    this.vertx = vertx;
    this.view = view;
    this.control = control;
    this.threshold = threshold;
    this.metrics = metrics;
  }

  /** One node's part of a plan. */
  record Step(NodeEntry node, double share, long shed) {}

  /** What a rebalance would ask of each UP node now. */
  List<Step> plan() {
    List<NodeEntry> up = view.snapshot().stream().filter(NodeEntry::isUp).toList();
    long total = up.stream().mapToLong(NodeEntry::connections).sum();
    long weights = up.stream().mapToLong(NodeEntry::weight).sum();
    List<Step> steps = new ArrayList<>();
    for (NodeEntry node : up) {
      double share = weights == 0 ? 0 : (double) total * node.weight() / weights;
      long shed =
          node.connections() > share * (1 + threshold)
              ? node.connections() - (long) Math.ceil(share)
              : 0;
      steps.add(new Step(node, share, shed));
    }
    return steps;
  }

  /**
   * Asks every node over its share to shed; completes with the plan and whether all nodes answered.
   */
  Future<JsonObject> rebalance(String trigger) {
    List<Step> steps = plan();
    JsonArray plan = new JsonArray();
    List<Future<?>> asked = new ArrayList<>();
    long total = 0;
    for (Step step : steps) {
      total += step.node().connections();
      plan.add(
          new JsonObject()
              .put("node", step.node().id())
              .put("connections", step.node().connections())
              .put("share", Math.round(step.share()))
              .put("shed", step.shed()));
      if (step.shed() > 0) {
        asked.add(control.shed(step.node().id(), step.shed()));
      }
    }
    metrics.rebalanced(trigger);
    log.info("rebalance ({}): {}", trigger, plan.encode());
    JsonObject answer =
        new JsonObject()
            .put("trigger", trigger)
            .put("total", total)
            .put("threshold", threshold)
            .put("plan", plan);
    return Future.join(asked)
        .transform(
            ar ->
                Future.succeededFuture(
                    answer.put(
                        "status",
                        ar.succeeded()
                            ? "shedding"
                            : "some nodes did not answer: " + ar.cause().getMessage())));
  }

  void handle(RoutingContext ctx) {
    rebalance("manual")
        .onComplete(
            ar ->
                ctx.response()
                    .putHeader("content-type", "application/json")
                    .setStatusCode(ar.result().getString("status").equals("shedding") ? 200 : 502)
                    .end(ar.result().encodePrettily()));
  }

  /**
   * Checks the spread every second; rebalances once it has been over the threshold for {@code
   * afterMs}.
   */
  void startAuto(long afterMs, HazelcastInstance hazelcast) {
    log.info(
        "auto-rebalance on: when a node stays more than {}% over its fair share for {} s",
        Math.round(threshold * 100), afterMs / 1000.0);
    autoTimer =
        vertx.setPeriodic(
            1_000,
            id -> {
              long now = System.currentTimeMillis();
              // A drain moves sockets by itself: wait until it is over before judging the spread.
              boolean draining = view.snapshot().stream().anyMatch(node -> !node.isUp());
              boolean over = plan().stream().anyMatch(step -> step.shed() > 0);
              if (!over || draining || now < quietUntil || !oldestEdge(hazelcast)) {
                overSince = -1;
                return;
              }
              if (overSince < 0) {
                overSince = now;
                log.debug(
                    "auto-rebalance: spread over the threshold, rebalancing if it lasts {} s",
                    afterMs / 1000.0);
              } else if (now - overSince >= afterMs) {
                overSince = -1;
                quietUntil = now + afterMs;
                rebalance("auto");
              }
            });
  }

  /** Stops rebalancing by itself (the edge is stopping). */
  void stopAuto() {
    if (autoTimer >= 0) vertx.cancelTimer(autoTimer);
    autoTimer = -1;
  }

  /** The edges are the cluster's lite members; the one that joined first acts for all. */
  private static boolean oldestEdge(HazelcastInstance hazelcast) {
    for (Member member : hazelcast.getCluster().getMembers()) {
      if (member.isLiteMember()) return member.localMember();
    }
    return false;
  }
}
