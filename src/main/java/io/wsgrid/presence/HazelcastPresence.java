package io.wsgrid.presence;

import com.hazelcast.cluster.Member;
import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.config.Config;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.multimap.MultiMap;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.LocalMember;
import java.util.List;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * Presence in the Hazelcast multimap {@code wsgrid.presence} (channel → {@code
 * {client,user,node,member}}, one backup). When a member leaves, the oldest remaining data member
 * removes that member's entries. Each node also remembers its own entries, so that when it rejoins
 * under a new member id (after a pause or a partition: the others removed its entries meanwhile) it
 * writes them again under the new id and removes any left under the old one; what the merging side
 * held is discarded at the merge ({@link #configure}), never merged back stale. Hazelcast's
 * multimap has no asynchronous API, so calls run on Vert.x's worker pool.
 */
public final class HazelcastPresence implements Presence {
  public static final String MAP = "wsgrid.presence";
  private static final Logger log = LoggerFactory.getLogger(HazelcastPresence.class);

  private final Vertx vertx;
  private final HazelcastInstance hazelcast;
  private final MultiMap<String, String> map;
  private final String node;
  private final LocalMember member;

  /**
   * This node's entries, with their user ("" when anonymous); a write of one and its change here
   * happen under {@link #lock}.
   */
  private final Map<Key, String> local = new ConcurrentHashMap<>();

  private final Object[] locks = new Object[64];

  private record Key(String channel, String client) {}

  public HazelcastPresence(
      Vertx vertx, HazelcastInstance hazelcast, String node, LocalMember member) {
    this.vertx = vertx;
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMultiMap(MAP);
    this.node = node;
    this.member = member;
    for (int i = 0; i < locks.length; i++) locks[i] = new Object();
    hazelcast.getCluster().addMembershipListener(new Cleanup());
    member.onRejoin(this::rewrite);
  }

  /**
   * After a split, the side that merges keeps none of its presence data: its nodes write their own
   * again.
   */
  public static void configure(Config config) {
    config
        .getMultiMapConfig(MAP)
        .getMergePolicyConfig()
        .setPolicy(DiscardMergePolicy.class.getName());
  }

  private String entry(String client, String user, String owner) {
    JsonObject entry = new JsonObject().put("client", client);
    if (user != null && !user.isEmpty()) entry.put("user", user);
    return entry.put("node", node).put("member", owner).encode();
  }

  private Object lock(Key key) {
    return locks[Math.floorMod(key.hashCode(), locks.length)];
  }

  @Override
  public Future<Void> join(String channel, String client, String user) {
    Key key = new Key(channel, client);
    return vertx
        .executeBlocking(
            () -> {
              synchronized (lock(key)) {
                local.put(key, user == null ? "" : user);
                return map.put(channel, entry(client, user, member.id()));
              }
            },
            false)
        .mapEmpty();
  }

  @Override
  public Future<Void> leave(String channel, String client) {
    Key key = new Key(channel, client);
    return vertx
        .executeBlocking(
            () -> {
              synchronized (lock(key)) {
                String user = local.remove(key);
                return user != null && map.remove(channel, entry(client, user, member.id()));
              }
            },
            false)
        .mapEmpty();
  }

  @Override
  public Future<JsonArray> list(String channel) {
    return vertx.executeBlocking(
        () -> {
          JsonArray clients = new JsonArray();
          for (String value : map.get(channel)) {
            JsonObject e = new JsonObject(value);
            JsonObject client = new JsonObject().put("client", e.getString("client"));
            if (e.getString("user") != null) client.put("user", e.getString("user"));
            clients.add(client.put("node", e.getString("node")));
          }
          return clients;
        },
        false);
  }

  /**
   * Writes this node's entries under its new member id, then removes those left under {@code
   * previous}.
   */
  private void rewrite(String previous) {
    int written = 0;
    for (Key key : List.copyOf(local.keySet())) {
      synchronized (lock(key)) {
        String user = local.get(key);
        if (user == null) continue;
        map.put(key.channel(), entry(key.client(), user, member.id()));
        written++;
      }
    }
    int removed = removeEntriesOf(previous);
    log.info(
        "presence: rewrote {} entries of this node under its new member id, removed {} under the old one",
        written,
        removed);
  }

  /**
   * Removes the entries of member {@code gone}; stops if that member is in the cluster (again): a
   * cleanup this member began while it was cut off from the others, its calls retried until the
   * merge, must not remove the entries of members that were alive all along.
   */
  private int removeEntriesOf(String gone) {
    int removed = 0;
    for (String channel : map.keySet()) {
      if (isMember(gone)) return removed;
      for (String value : map.get(channel)) {
        if (gone.equals(new JsonObject(value).getString("member")) && map.remove(channel, value))
          removed++;
      }
    }
    return removed;
  }

  private boolean isMember(String uuid) {
    return hazelcast.getCluster().getMembers().stream()
        .anyMatch(m -> uuid.equals(m.getUuid().toString()));
  }

  private final class Cleanup implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {}

    @Override
    public void memberRemoved(MembershipEvent event) {
      Member oldest =
          event.getMembers().stream().filter(m -> !m.isLiteMember()).findFirst().orElse(null);
      if (oldest == null || !oldest.localMember()) return;
      String gone = event.getMember().getUuid().toString();
      vertx.executeBlocking(
          () -> {
            int removed = removeEntriesOf(gone);
            if (removed > 0)
              log.info("presence: removed {} entries of a member that left", removed);
            return null;
          },
          false);
    }
  }
}
