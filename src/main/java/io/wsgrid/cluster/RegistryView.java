package io.wsgrid.cluster;

import com.hazelcast.cluster.MembershipEvent;
import com.hazelcast.cluster.MembershipListener;
import com.hazelcast.core.EntryEvent;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import com.hazelcast.map.listener.EntryAddedListener;
import com.hazelcast.map.listener.EntryExpiredListener;
import com.hazelcast.map.listener.EntryRemovedListener;
import com.hazelcast.map.listener.EntryUpdatedListener;
import java.util.Comparator;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.UUID;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import java.util.stream.Collectors;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process's copy of the node registry, kept current by map events (never a map read per
 * connection) and by cluster membership: a member that leaves or dies takes its entries out at
 * once, without waiting for their TTL. An entry whose member this process does not know yet (a node
 * that rejoined under a new member id after a pause or a partition, its write ahead of the
 * membership event) waits for that member to be added. Readable from any thread; {@link #snapshot}
 * is cached until the next change.
 */
public final class RegistryView {
  private static final Logger log = LoggerFactory.getLogger(RegistryView.class);

  private final HazelcastInstance hazelcast;
  private final IMap<String, String> map;
  private final Map<String, NodeEntry> entries = new ConcurrentHashMap<>();
  private final Map<String, String> raw = new ConcurrentHashMap<>();
  private final Set<String> liveMembers = ConcurrentHashMap.newKeySet();

  /**
   * Entries written by a member not (yet) known here, by node id: taken in when their member is
   * added.
   */
  private final Map<String, String> unknownMember = new ConcurrentHashMap<>();

  private volatile List<NodeEntry> snapshot = List.of();
  private volatile Consumer<String> onChange = id -> {};
  private UUID entryListener;
  private UUID memberListener;

  public RegistryView(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.map = hazelcast.getMap(NodeEntry.MAP);
  }

  /** Subscribes to changes and loads the current entries. Blocking: call off the event loop. */
  public RegistryView start() {
    memberListener = hazelcast.getCluster().addMembershipListener(new Members());
    hazelcast.getCluster().getMembers().forEach(m -> liveMembers.add(m.getUuid().toString()));
    entryListener = map.addEntryListener(new Entries(), true);
    map.forEach((id, json) -> accept(id, json));
    rebuild(null);
    return this;
  }

  public void stop() {
    if (entryListener != null) map.removeEntryListener(entryListener);
    if (memberListener != null) hazelcast.getCluster().removeMembershipListener(memberListener);
  }

  /** Called (on a Hazelcast event thread) with the node id after every change of the view. */
  public void onChange(Consumer<String> listener) {
    this.onChange = listener;
  }

  /** Every known entry, sorted by id. */
  public List<NodeEntry> snapshot() {
    return snapshot;
  }

  public NodeEntry get(String id) {
    return entries.get(id);
  }

  private void accept(String id, String json) {
    NodeEntry entry = NodeEntry.fromJson(json);
    if (entry == null || !id.equals(entry.id())) {
      log.warn("registry: ignoring an invalid entry for '{}'", id);
      return;
    }
    if (entry.member() != null
        && !liveMembers.contains(entry.member())) { // a member gone, or not known yet
      unknownMember.put(id, json);
      return;
    }
    unknownMember.remove(id);
    raw.put(id, json);
    NodeEntry previous = entries.put(id, entry);
    if (previous == null)
      log.info(
          "registry: node {} {} at {} (weight {})",
          id,
          entry.state(),
          entry.wsUrl(),
          entry.weight());
    else if (previous.state() != entry.state())
      log.info("registry: node {} is now {}", id, entry.state());
  }

  private void remove(String id, String why) {
    unknownMember.remove(id);
    raw.remove(id);
    if (entries.remove(id) != null) log.info("registry: node {} removed ({})", id, why);
  }

  private void rebuild(String id) {
    snapshot = entries.values().stream().sorted(Comparator.comparing(NodeEntry::id)).toList();
    onChange.accept(id);
  }

  private final class Entries
      implements EntryAddedListener<String, String>,
          EntryUpdatedListener<String, String>,
          EntryRemovedListener<String, String>,
          EntryExpiredListener<String, String> {
    @Override
    public void entryAdded(EntryEvent<String, String> event) {
      accept(event.getKey(), event.getValue());
      rebuild(event.getKey());
    }

    @Override
    public void entryUpdated(EntryEvent<String, String> event) {
      accept(event.getKey(), event.getValue());
      rebuild(event.getKey());
    }

    @Override
    public void entryRemoved(EntryEvent<String, String> event) {
      remove(event.getKey(), "left the registry");
      rebuild(event.getKey());
    }

    @Override
    public void entryExpired(EntryEvent<String, String> event) {
      remove(event.getKey(), "no heartbeat within " + NodeRegistration.TTL_MS + " ms");
      rebuild(event.getKey());
    }
  }

  private void removeQuietly(String id, String json) {
    try {
      map.remove(id, json);
    } catch (RuntimeException e) {
      log.debug("registry: could not remove the entry of {}: {}", id, e.toString());
    }
  }

  private final class Members implements MembershipListener {
    @Override
    public void memberAdded(MembershipEvent event) {
      String member = event.getMember().getUuid().toString();
      liveMembers.add(member);
      unknownMember.forEach(
          (id, json) -> {
            NodeEntry entry = NodeEntry.fromJson(json);
            if (entry != null && member.equals(entry.member()) && unknownMember.remove(id, json)) {
              accept(id, json);
              rebuild(id);
            }
          });
    }

    @Override
    public void memberRemoved(MembershipEvent event) {
      String member = event.getMember().getUuid().toString();
      liveMembers.remove(member);
      List<String> gone =
          entries.values().stream()
              .filter(e -> member.equals(e.member()))
              .map(NodeEntry::id)
              .collect(Collectors.toList());
      for (String id : gone) {
        String json = raw.get(id);
        remove(id, "its cluster member left");
        // The map may still hold it until its TTL runs out: take out that exact value (not a
        // newer entry of a restarted node with the same id), off Hazelcast's event thread.
        if (json != null) ForkJoinPool.commonPool().execute(() -> removeQuietly(id, json));
      }
      gone.forEach(RegistryView.this::rebuild);
    }
  }
}
