package io.wsgrid.config;

import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import io.vertx.core.json.JsonObject;
import java.io.IOException;
import java.io.InputStream;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * The YAML configuration file ({@code conf/wsgrid.yaml}): read from the path given, else from
 * {@code conf/wsgrid.yaml} in the working directory, else the copy shipped in the jar.
 */
public final class ConfigFile {
  public static final String DEFAULT_PATH = "conf/wsgrid.yaml";
  private static final ObjectMapper YAML = new ObjectMapper(new YAMLFactory());

  private ConfigFile() {}

  /** Loads the file; {@code path} null means the default places. */
  public static JsonObject load(String path) {
    if (path != null && !path.isBlank()) {
      Path file = Path.of(path);
      if (!Files.isReadable(file)) {
        throw new ConfigException(
            "config file "
                + file.toAbsolutePath()
                + " cannot be read: check --config / WSGRID_CONFIG");
      }
      try (InputStream in = Files.newInputStream(file)) {
        return parse(in, file.toString());
      } catch (IOException e) {
        throw new ConfigException("config file " + file + " cannot be read: " + e.getMessage());
      }
    }
    Path local = Path.of(DEFAULT_PATH);
    if (Files.isReadable(local)) return load(local.toString());
    try (InputStream in = ConfigFile.class.getClassLoader().getResourceAsStream(DEFAULT_PATH)) {
      return in == null ? new JsonObject() : parse(in, "classpath:" + DEFAULT_PATH);
    } catch (IOException e) {
      throw new ConfigException("bundled " + DEFAULT_PATH + " cannot be read: " + e.getMessage());
    }
  }

  @SuppressWarnings("unchecked")
  static JsonObject parse(InputStream in, String name) {
    try {
      Object tree = YAML.readValue(in, Object.class);
      if (tree == null) return new JsonObject();
      if (!(tree instanceof Map))
        throw new ConfigException("config file " + name + " must hold a YAML mapping at its top");
      return new JsonObject((Map<String, Object>) tree);
    } catch (IOException e) {
      String why =
          e.getMessage() == null ? e.toString() : e.getMessage().lines().findFirst().orElse("");
      throw new ConfigException("config file " + name + " is not valid YAML: " + why);
    }
  }
}
