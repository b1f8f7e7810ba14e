package io.wsgrid.broker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ChannelPatterns;
import io.wsgrid.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Per-namespace channel settings from the {@code channels:} list of {@code conf/wsgrid.yaml}: the
 * first entry whose {@code pattern} ({@code chat.*}, {@code *}, or an exact name) matches a channel
 * gives its history (publications kept, and for how long). A channel with no history still gets
 * offsets and one order; only {@code since} recovery needs history. {@code idleSeconds} ({@code
 * --channel-idle-seconds}) is how long a channel nobody follows and with no history left keeps its
 * state after its last publication.
 */
public final class ChannelPolicies {
  /**
   * What a channel keeps: {@code size} publications for {@code ttlSeconds} (0 size: no history).
   */
  public record Policy(String pattern, int size, int ttlSeconds) {
    public boolean hasHistory() {
      return size > 0;
    }
  }

  public static final int DEFAULT_IDLE_SECONDS = 60;
  private static final Policy NONE = new Policy("*", 0, 0);

  private final List<Policy> policies;
  private final List<Pattern> patterns = new ArrayList<>();
  private final int idleSeconds;

  public ChannelPolicies(List<Policy> policies) {
    this(policies, DEFAULT_IDLE_SECONDS);
  }

  public ChannelPolicies(List<Policy> policies, int idleSeconds) {
    if (idleSeconds < 1)
      throw new ConfigException("--channel-idle-seconds must be >= 1, got " + idleSeconds);
    this.policies = List.copyOf(policies);
    this.idleSeconds = idleSeconds;
    for (Policy policy : this.policies) patterns.add(ChannelPatterns.compile(policy.pattern()));
  }

  /** The same policies with another idle time. */
  public ChannelPolicies withIdleSeconds(int seconds) {
    return new ChannelPolicies(policies, seconds);
  }

  public int idleSeconds() {
    return idleSeconds;
  }

  /** The shipped default: {@code chat.*} keeps 1,000 publications for 10 minutes; others none. */
  public static ChannelPolicies defaults() {
    return new ChannelPolicies(List.of(new Policy("chat.*", 1000, 600)));
  }

  /** Reads the {@code channels} list; absent means {@link #defaults()}. */
  public static ChannelPolicies fromConfig(JsonObject file) {
    Object value = file.getValue("channels");
    if (value == null) return defaults();
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException(
          "channels must be a list of {pattern, history-size, history-ttl-seconds}");
    }
    List<Policy> policies = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject entry)
          || !(entry.getValue("pattern") instanceof String pattern)
          || pattern.isBlank()) {
        throw new ConfigException(
            "each channels entry needs a pattern, e.g. {pattern: \"chat.*\", history-size: 1000, history-ttl-seconds: 600}");
      }
      int size = intValue(entry, "history-size", 0);
      int ttl = intValue(entry, "history-ttl-seconds", size > 0 ? 600 : 0);
      if (size < 0 || size > 1_000_000)
        throw new ConfigException(
            "channels '" + pattern + "': history-size must be 0 to 1000000, got " + size);
      if (ttl < 0)
        throw new ConfigException(
            "channels '" + pattern + "': history-ttl-seconds must be >= 0, got " + ttl);
      policies.add(new Policy(pattern, size, ttl));
    }
    return new ChannelPolicies(policies);
  }

  private static int intValue(JsonObject entry, String key, int fallback) {
    Object v = entry.getValue(key);
    if (v == null) return fallback;
    if (v instanceof Number n) return n.intValue();
    throw new ConfigException(
        "channels '"
            + entry.getValue("pattern")
            + "': "
            + key
            + " must be a number, got '"
            + v
            + "'");
  }

  public Policy policy(String channel) {
    for (int i = 0; i < policies.size(); i++) {
      if (patterns.get(i).matcher(channel).matches()) return policies.get(i);
    }
    return NONE;
  }

  public List<Policy> all() {
    return policies;
  }
}
