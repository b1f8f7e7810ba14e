package io.wsgrid.security;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ChannelPatterns;
import io.wsgrid.config.ConfigException;
import io.wsgrid.protocol.ErrorCode;
import io.wsgrid.protocol.Op;
import io.wsgrid.protocol.ProtocolError;
import java.util.ArrayList;
import java.util.EnumMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.concurrent.ConcurrentHashMap;
import java.util.regex.Matcher;
import java.util.regex.Pattern;

/**
 * Who may subscribe, publish and see presence on which channels, from the {@code permissions:} list
 * of {@code conf/wsgrid.yaml}. The first rule whose {@code pattern} matches a channel applies;
 * {@code *} matches any characters and {@code {sub}} one dot-free segment that must equal the
 * caller's token {@code sub} (so {@code user.{sub}.*} is each user's own namespace). Per op a rule
 * says {@code anyone} (also anonymous sockets), {@code user} (any valid token), {@code token} (only
 * channels the token's {@code channels} claim grants) or {@code nobody} (clients never; the HTTP
 * publish API still may). An op a rule leaves out is {@code token}; a channel no rule matches is
 * {@code token} too. Without a {@code permissions:} list everything is {@code anyone}.
 */
public final class ChannelRules {
  /** How open an op is on a namespace, from closed to open. */
  public enum Level {
    NOBODY,
    TOKEN,
    USER,
    ANYONE;

    static Level parse(String pattern, String op, Object value) {
      if (value == null) return TOKEN;
      try {
        return valueOf(value.toString().trim().toUpperCase(Locale.ROOT));
      } catch (IllegalArgumentException e) {
        throw new ConfigException(
            "permissions '"
                + pattern
                + "': "
                + op
                + " must be anyone, user, token or nobody, got '"
                + value
                + "'");
      }
    }
  }

  /** One rule: a pattern and a level per op. */
  public record Rule(String pattern, Pattern regex, boolean owned, Map<Op, Level> levels) {}

  /** Compiled token grant patterns; bounded, since tokens bring their own patterns. */
  private static final Map<String, Pattern> GRANTS = new ConcurrentHashMap<>();

  /** The op keys of a rule, as in {@code subscribe, publish, presence}. */
  private static final String OP_KEYS =
      String.join(", ", Op.PERMISSIONED.stream().map(Op::wire).toList());

  private final List<Rule> rules;

  public ChannelRules(List<Rule> rules) {
    this.rules = List.copyOf(rules);
  }

  /** Everything open to everyone: the development default. */
  public static ChannelRules open() {
    Map<Op, Level> all = new EnumMap<>(Op.class);
    for (Op op : Op.PERMISSIONED) all.put(op, Level.ANYONE);
    return new ChannelRules(List.of(new Rule("*", ChannelPatterns.compile("*"), false, all)));
  }

  /** Reads the {@code permissions} list; absent means {@link #open()}. */
  public static ChannelRules fromConfig(JsonObject file) {
    Object value = file.getValue("permissions");
    if (value == null) return open();
    if (!(value instanceof JsonArray list)) {
      throw new ConfigException("permissions must be a list of {pattern, " + OP_KEYS + "}");
    }
    List<Rule> rules = new ArrayList<>();
    for (Object item : list) {
      if (!(item instanceof JsonObject entry)
          || !(entry.getValue("pattern") instanceof String pattern)
          || pattern.isBlank()) {
        throw new ConfigException(
            "each permissions entry needs a pattern, e.g. {pattern: \"public.*\", subscribe: anyone, publish: nobody}");
      }
      for (String key : entry.fieldNames()) {
        if (!key.equals("pattern") && Op.fromWire(key).filter(Op::permissioned).isEmpty()) {
          throw new ConfigException(
              "permissions '" + pattern + "': unknown key '" + key + "' (use " + OP_KEYS + ")");
        }
      }
      Map<Op, Level> levels = new EnumMap<>(Op.class);
      for (Op op : Op.PERMISSIONED)
        levels.put(op, Level.parse(pattern, op.wire(), entry.getValue(op.wire())));
      rules.add(
          new Rule(pattern, ChannelPatterns.compile(pattern), pattern.contains("{sub}"), levels));
    }
    return new ChannelRules(rules);
  }

  public List<Rule> rules() {
    return rules;
  }

  /**
   * Allows the op on the channel for the identity, or throws {@code unauthorized} (an anonymous
   * socket asking for what needs a token) or {@code forbidden}.
   */
  public void check(Op op, String channel, Identity who) {
    Level level = Level.TOKEN;
    boolean ownChannel = false;
    for (Rule rule : rules) {
      Matcher m = rule.regex().matcher(channel);
      if (m.matches()) {
        level = rule.levels().get(op);
        ownChannel = rule.owned() && !who.anonymous() && who.sub().equals(m.group("sub"));
        if (rule.owned() && !ownChannel && level != Level.NOBODY)
          level = Level.TOKEN; // someone else's namespace
        break;
      }
    }
    switch (level) {
      case ANYONE:
        return;
      case NOBODY:
        throw new ProtocolError(
            ErrorCode.FORBIDDEN,
            op.wire()
                + " on '"
                + channel
                + "' is not allowed from clients"
                + (op == Op.PUBLISH ? " (publish from a backend with POST /api/publish)" : ""));
      default:
        if (who.anonymous()) {
          throw new ProtocolError(
              ErrorCode.UNAUTHORIZED,
              op.wire()
                  + " on '"
                  + channel
                  + "' needs a token: connect with ?token=… or send auth first");
        }
        if (level == Level.USER || granted(who, op, channel)) return;
        throw new ProtocolError(
            ErrorCode.FORBIDDEN,
            "your token does not allow " + op.wire() + " on '" + channel + "'");
    }
  }

  private static boolean granted(Identity who, Op op, String channel) {
    if (GRANTS.size() > 10_000) GRANTS.clear();
    for (String pattern : who.grants().getOrDefault(op, List.of())) {
      if (GRANTS
          .computeIfAbsent(pattern.replace("{sub}", who.sub()), ChannelPatterns::compile)
          .matcher(channel)
          .matches()) return true;
    }
    return false;
  }
}
