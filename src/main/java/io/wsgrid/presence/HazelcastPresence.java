package io.wsgrid.presence;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.multimap.MultiMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence in the Hazelcast multimap {@code wsgrid.presence} (channel → {@code {client,node,member}},
 * one backup). When a member leaves, the oldest remaining data member removes that member's entries.
 * Hazelcast's multimap has no asynchronous API, so calls run on Vert.x's worker pool.
 */
public final class HazelcastPresence implements Presence {
  public static final String MAP = "wsgrid.presence";
  private static final Logger log = LoggerFactory.getLogger(HazelcastPresence.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final MultiMap<String, String> map;
  private final String node;
  private final String member;

  public HazelcastPresence(Vertx vertx, HazelcastInstance hazelcast, String node) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMultiMap(MAP);
    this.node = node;
    this.member = hazelcast.getCluster().getLocalMember().getUuid().toString();
    hazelcast.getCluster().addMembershipListener(new Cleanup());
  }

  private String entry(String client) {
    return new JsonObject().put("client", client).put("node", node).put("member", member).encode();
  }

  @Override
  public Future<Void> join(String channel, String client) {
    return vertx.executeBlocking(() -> map.put(channel, entry(client)), false).mapEmpty();
  }

  @Override
  public Future<Void> leave(String channel, String client) {
    return vertx.executeBlocking(() -> map.remove(channel, entry(client)), false).mapEmpty();
  }

  @Override
  public Future<JsonArray> list(String channel) {
    return vertx.executeBlocking(() -> {
      JsonArray clients = new JsonArray();
      for (String value : map.get(channel)) {
        JsonObject e = new JsonObject(value);
        clients.add(new JsonObject().put("client", e.getString("client")).put("node", e.getString("node")));
      }
      return clients;
    }, false);
  }

  private void removeEntriesOf(String gone) {
    int removed = 0;
    for (String channel : map.keySet()) {
      for (String value : map.get(channel)) {
        if (gone.equals(new JsonObject(value).getString("member")) && map.remove(channel, value)) removed++;
      }
    }
    if (removed > 0) log.info("presence: removed {} entries of a member that left", removed);
  }

  private final class Cleanup implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      Member oldest = event.getMembers().stream().filter(m -> !m.isLiteMember()).findFirst().orElse(null);
      if (oldest == null || !oldest.localMember()) return;
      String gone = event.getMember().getUuid().toString();
      vertx.executeBlocking(() -> {
        removeEntriesOf(gone);
        return null;
      }, false);
    }
  }
}
