package io.wsgrid.cluster;

import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.core.HazelcastInstanceNotActiveException;
import com.hazelcast.core.LifecycleEvent;
import com.hazelcast.core.LifecycleEvent.LifecycleState;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ForkJoinPool;
import java.util.function.Consumer;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * This process as a Hazelcast member, whose id is not fixed: a member the others declared dead (a
 * pause past {@code hazelcast.max.no.heartbeat.seconds}: a long GC, a stopped VM; or a network
 * partition) finds itself alone when it resumes, and Hazelcast's split-brain merge brings it back
 * under a new member id, with the data it held discarded or merged. Whatever this process keeps in
 * the cluster under its member id (its registry entry, its presence entries) must then be written
 * again under the new one: {@link #onRejoin} listeners are told, off Hazelcast's threads, with the
 * previous id once the merge is over (or, should its event be missed, at the first {@link #id} that
 * sees the change).
 */
public final class LocalMember {
  private static final Logger log = LoggerFactory.getLogger(LocalMember.class);

  private final HazelcastInstance hazelcast;
  private final List<Consumer<String>> listeners = new CopyOnWriteArrayList<>();
  private final Object lock = new Object();
  private volatile String known;
  private volatile boolean merging;

  public LocalMember(HazelcastInstance hazelcast) {
    this.hazelcast = hazelcast;
    this.known = current();
    hazelcast.getLifecycleService().addLifecycleListener(this::stateChanged);
  }

  /**
   * The member id now. When it differs from the last one seen and the merge is over, the rejoin
   * listeners are started (asynchronously) first; during the merge they wait for its end.
   */
  public String id() {
    String now = current();
    if (merging) return now;
    String before;
    synchronized (lock) {
      before = known;
      if (now.equals(before)) return now;
      known = now;
    }
    log.warn(
        "cluster: this member rejoined under a new member id {} (was {}): writing its registry and presence entries again",
        now,
        before);
    listeners.forEach(
        listener -> ForkJoinPool.commonPool().execute(() -> notify(listener, before)));
    return now;
  }

  /**
   * True between Hazelcast's MERGING and MERGED (or MERGE_FAILED): the member is being reset and
   * rejoined.
   */
  public boolean isMerging() {
    return merging;
  }

  /** Called with the previous member id after this member rejoined under a new one; may block. */
  public void onRejoin(Consumer<String> listener) {
    listeners.add(listener);
  }

  private void stateChanged(LifecycleEvent event) {
    LifecycleState state = event.getState();
    if (state == LifecycleState.MERGING) {
      merging = true;
      log.warn(
          "cluster: merging into the larger side of a split (this member was declared dead or cut off)");
    } else if (state == LifecycleState.MERGED || state == LifecycleState.MERGE_FAILED) {
      merging = false;
      if (state == LifecycleState.MERGE_FAILED)
        log.error("cluster: the merge failed; Hazelcast shuts this member down");
      // Runs on the merge thread under Hazelcast's lifecycle lock: the listeners run elsewhere.
      else ForkJoinPool.commonPool().execute(this::id);
    }
  }

  /** The member id now; the last one seen once the member has shut down. */
  private String current() {
    try {
      return hazelcast.getCluster().getLocalMember().getUuid().toString();
    } catch (HazelcastInstanceNotActiveException e) {
      return known;
    }
  }

  private static void notify(Consumer<String> listener, String previous) {
    try {
      listener.accept(previous);
    } catch (RuntimeException e) {
      log.warn("cluster: after the rejoin, {} failed: {}", listener, e.toString());
    }
  }
}
