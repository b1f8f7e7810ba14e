package io.wsgrid.api;

import com.hazelcast.config.Config;
import com.hazelcast.config.EvictionPolicy;
import com.hazelcast.config.MaxSizePolicy;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.map.IMap;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.buffer.Buffer;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.ProtocolError;
import java.util.concurrent.TimeUnit;
import org.slf4j.Logger;
import org.slf4j.LoggerFactory;

/**
 * The replies of calls made with an {@code idempotency_key}, cluster-wide, for {@link
 * #WINDOW_SECONDS}: the Hazelcast map {@code wsgrid.idempotency} (one backup, entries expire by
 * their TTL, at most {@link #MAX_PER_MEMBER} per member, least recently used evicted first). A call
 * {@link #claim}s its key before acting: the first claim acts and {@link #settle}s the reply; a
 * later one within the window gets that reply back and acts not. A claim whose call is still under
 * way answers {@code unavailable} (retry); one whose call failed is {@link #abandon}ed, so a retry
 * acts. A member that dies with a claim open leaves it for {@link #CLAIM_SECONDS} at most.
 */
final class Idempotency {
  static final String MAP = "wsgrid.idempotency";
  static final int WINDOW_SECONDS = 300;
  static final int CLAIM_SECONDS = 30;
  static final int MAX_PER_MEMBER = 100_000;

  private static final Logger log = LoggerFactory.getLogger(Idempotency.class);

  /** The value of a claimed key whose call has not answered yet. */
  private static final String UNDER_WAY = "";

  private final Vertx vertx;
  private final IMap<String, String> map;

  Idempotency(Vertx vertx, HazelcastInstance hazelcast) {
    this.vertx = vertx;
    this.map = hazelcast.getMap(MAP);
  }

  /** Bounds the map: entries live for the window, at most {@link #MAX_PER_MEMBER} per member. */
  static void configure(Config config) {
    var map = config.getMapConfig(MAP).setTimeToLiveSeconds(WINDOW_SECONDS).setBackupCount(1);
    map.getEvictionConfig()
        .setEvictionPolicy(EvictionPolicy.LRU)
        .setMaxSizePolicy(MaxSizePolicy.PER_NODE)
        .setSize(MAX_PER_MEMBER);
  }

  /** The first reply given for {@code key}, or null when this call is the first and must act. */
  Future<Buffer> claim(String key) {
    return vertx
        .executeBlocking(
            () -> map.putIfAbsent(key, UNDER_WAY, CLAIM_SECONDS, TimeUnit.SECONDS), false)
        .recover(e -> Future.failedFuture(unavailable(e)))
        .compose(
            previous -> {
              if (previous == null) return Future.succeededFuture();
              if (previous.equals(UNDER_WAY)) {
                return Future.failedFuture(
                    new ProtocolError(
                        ErrorCode.UNAVAILABLE,
                        "a call with this idempotency_key is still under way: retry in a moment"));
              }
              return Future.succeededFuture(Buffer.buffer(previous));
            });
  }

  /** Keeps {@code reply} as the answer to every repeat of {@code key} within the window. */
  Future<Void> settle(String key, Buffer reply) {
    return vertx
        .executeBlocking(
            () -> {
              map.set(key, reply.toString(), WINDOW_SECONDS, TimeUnit.SECONDS);
              return null;
            },
            false)
        .otherwise(
            e -> {
              log.warn(
                  "idempotency: could not keep the reply of a call ({}); a repeat within {} s acts again",
                  e.toString(),
                  CLAIM_SECONDS);
              return null;
            })
        .mapEmpty();
  }

  /** Frees the key of a call that failed, so that a retry acts. */
  void abandon(String key) {
    vertx.executeBlocking(() -> map.remove(key, UNDER_WAY), false);
  }

  private static ProtocolError unavailable(Throwable e) {
    return new ProtocolError(
        ErrorCode.UNAVAILABLE,
        "the cluster could not check the idempotency_key (" + e.getMessage() + "); retry");
  }
}
