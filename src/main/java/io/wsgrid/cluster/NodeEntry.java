package io.wsgrid.cluster;

import io.vertx.core.json.JsonObject;

/**
 * A node's entry in the cluster registry map {@code wsgrid.nodes}: where clients reach it, its
 * weight, its connections (sockets admitted and not closed) and how many it admitted so far (-1
 * from a node too old to say), whether it takes new sockets, when it last wrote, and the Hazelcast
 * member that owns it (so a member's death removes its entry at once).
 */
public record NodeEntry(
    String id,
    String wsUrl,
    String httpUrl,
    int weight,
    long connections,
    long admissions,
    State state,
    long updatedAt,
    String member) {

  /** UP takes new sockets; DRAINING is closing its sockets and takes none. */
  public enum State {
    UP,
    DRAINING
  }

  public static final String MAP = "wsgrid.nodes";

  /**
   * Response header of a node's 101: the socket's admission number on that node. An entry whose
   * {@link #admissions} is at least that number counts the socket in {@link #connections}.
   */
  public static final String ADMISSION_HEADER = "X-Wsgrid-Admission";

  public JsonObject toJson() {
    return new JsonObject()
        .put("id", id)
        .put("wsUrl", wsUrl)
        .put("httpUrl", httpUrl)
        .put("weight", weight)
        .put("connections", connections)
        .put("admissions", admissions)
        .put("state", state.name())
        .put("updatedAt", updatedAt)
        .put("member", member);
  }

  /** Parses a registry value; null when it is not a valid entry (a foreign or older writer). */
  public static NodeEntry fromJson(String json) {
    try {
      JsonObject o = new JsonObject(json);
      return new NodeEntry(
          o.getString("id"),
          o.getString("wsUrl"),
          o.getString("httpUrl"),
          Math.max(1, o.getInteger("weight", 1)),
          Math.max(0, o.getLong("connections", 0L)),
          Math.max(-1, o.getLong("admissions", -1L)),
          State.valueOf(o.getString("state", "UP")),
          o.getLong("updatedAt", 0L),
          o.getString("member"));
    } catch (RuntimeException e) {
      return null;
    }
  }

  /** The event-bus address where a node takes requests to shed sockets ({@code {"count":n}}). */
  public static String shedAddress(String node) {
    return "wsgrid.node." + node + ".shed";
  }

  /**
   * The event-bus address where a node answers with its counters (what {@code GET /stats} gives).
   */
  public static String statsAddress(String node) {
    return "wsgrid.node." + node + ".stats";
  }

  /**
   * The event-bus address where a node takes a request to drain (what {@code POST /admin/drain}
   * does).
   */
  public static String drainAddress(String node) {
    return "wsgrid.node." + node + ".drain";
  }

  /**
   * The event-bus address where a node answers the server API's cluster-wide calls about its own
   * sessions ({@code io.wsgrid.api.NodeCalls}).
   */
  public static String apiAddress(String node) {
    return "wsgrid.node." + node + ".api";
  }

  public boolean isUp() {
    return state == State.UP;
  }
}
