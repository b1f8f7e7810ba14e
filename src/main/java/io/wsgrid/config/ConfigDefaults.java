package io.wsgrid.config;

import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.util.Locale;
import java.util.Map;
import picocli.CommandLine.IDefaultValueProvider;
import picocli.CommandLine.Model.ArgSpec;
import picocli.CommandLine.Model.OptionSpec;

/**
 * Gives every option not set on the command line its value from the environment ({@code
 * --max-frame-size} reads {@code WSGRID_MAX_FRAME_SIZE}), else from the YAML file (key {@code
 * <command>.<option>}, else top-level {@code <option>}); when neither has it, picocli uses the
 * option's own default. So the precedence is flag, environment, file, default.
 */
public final class ConfigDefaults implements IDefaultValueProvider {
  private final Map<String, String> env;
  private final JsonObject file;

  public ConfigDefaults(Map<String, String> env, JsonObject file) {
    this.env = env;
    this.file = file;
  }

  /** The environment variable that sets {@code --option-name}. */
  public static String envName(String longOption) {
    return "WSGRID_"
        + longOption.replaceFirst("^-+", "").toUpperCase(Locale.ROOT).replace('-', '_');
  }

  @Override
  public String defaultValue(ArgSpec arg) {
    if (!(arg instanceof OptionSpec option) || !option.longestName().startsWith("--")) return null;
    String name = option.longestName().substring(2);
    // The load generator is configured by its flags alone: the server's file and env are not its
    // own.
    for (var c = option.command(); c != null; c = c.parent()) {
      if ("bench".equals(c.name())) return null;
    }
    return value(option.command() == null ? null : option.command().name(), name);
  }

  /**
   * The value {@code --option} of {@code command} takes when the command line does not give it:
   * from the environment, else the file; null when neither has it.
   */
  public String value(String command, String name) {
    String fromEnv = env.get(envName(name));
    if (fromEnv != null && !fromEnv.isBlank()) return fromEnv.trim();
    Object fromFile = null;
    if (command != null && file.getValue(command) instanceof JsonObject section) {
      fromFile = section.getValue(name);
    }
    if (fromFile == null) fromFile = file.getValue(name);
    return fromFile == null || fromFile instanceof JsonObject || fromFile instanceof JsonArray
        ? null
        : fromFile.toString();
  }
}
