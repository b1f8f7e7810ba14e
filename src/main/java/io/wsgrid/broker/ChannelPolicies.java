package io.wsgrid.broker;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ConfigException;
import java.util.ArrayList;
import java.util.List;
import java.util.regex.Pattern;

/**
 * Per-namespace channel settings from the {@code channels:} list of {@code conf/wsgrid.yaml}:
 * the first entry whose {@code pattern} ({@code chat.*}, {@code *}, or an exact name) matches a
 * channel gives its history (publications kept, and for how long). A channel with no history still
 * gets offsets and one order; only {@code since} recovery needs history.
 */
public final class ChannelPolicies {
  /** What a channel keeps: {@code size} publications for {@code ttlSeconds} (0 size: no history). */
  public record Policy(String pattern, int size, int ttlSeconds) {
    public boolean hasHistory() {
      return size > 0;
    }
  }

  /** Every channel keeps this many recent publications internally, to fill ordering gaps. */
  public static final int ORDERING_WINDOW = 64;
  public static final int ORDERING_TTL_SECONDS = 60;
  private static final Policy NONE = new Policy("*", 0, 0);

  private final List<Policy> policies;
  private final List<Pattern> patterns = new ArrayList<>();

  public ChannelPolicies(List<Policy> policies) {
    this.policies = List.copyOf(policies);
    for (Policy policy : this.policies) patterns.add(io.wsgrid.config.ChannelPatterns.compile(policy.pattern()));
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
      throw new ConfigException("channels must be a list of {pattern, history-size, history-ttl-seconds}");
    }
    List<Policy> policies = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject entry) || !(entry.getValue("pattern") instanceof String pattern) || pattern.isBlank()) {
        throw new ConfigException("each channels entry needs a pattern, e.g. {pattern: \"chat.*\", history-size: 1000, history-ttl-seconds: 600}");
      }
      int size = intValue(entry, "history-size", 0);
      int ttl = intValue(entry, "history-ttl-seconds", size > 0 ? 600 : 0);
      if (size < 0 || size > 1_000_000) throw new ConfigException("channels '" + pattern + "': history-size must be 0 to 1000000, got " + size);
      if (ttl < 0) throw new ConfigException("channels '" + pattern + "': history-ttl-seconds must be >= 0, got " + ttl);
      policies.add(new Policy(pattern, size, ttl));
    }
    return new ChannelPolicies(policies);
  }

  private static int intValue(JsonObject entry, String key, int fallback) {
    Object v = entry.getValue(key);
    if (v == null) return fallback;
    if (v instanceof Number n) return n.intValue();
    throw new ConfigException("channels '" + entry.getValue("pattern") + "': " + key + " must be a number, got '" + v + "'");
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

  /** Ring capacity for a policy: its history, never below the ordering window. */
  public static int capacity(Policy policy) {
    return Math.max(policy.size(), ORDERING_WINDOW);
  }

  public static int ttlSeconds(Policy policy) {
    return policy.hasHistory() ? policy.ttlSeconds() : ORDERING_TTL_SECONDS;
  }
}
