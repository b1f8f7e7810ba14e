package io.wsgrid.cli;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import io.vertx.core.json.JsonObject;
import io.wsgrid.config.ConfigDefaults;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.ConfigFile;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import picocli.CommandLine;

/** Flag, then environment, then file (command section, then top level), then default. */
class ConfigPrecedenceTest {

  private static NodeCommand parse(Map<String, String> env, JsonObject file, String... args) {
    CommandLine commandLine =
        new CommandLine(new Main()).setDefaultValueProvider(new ConfigDefaults(env, file));
    CommandLine.ParseResult result = commandLine.parseArgs(args);
    return (NodeCommand) result.subcommand().commandSpec().userObject();
  }

  @Test
  void builtInDefaultWhenNothingElseSaysOtherwise() {
    NodeCommand node = parse(Map.of(), new JsonObject(), "node");
    assertThat(node.port).isEqualTo(8081);
  }

  @Test
  void fileSectionBeatsTopLevelAndDefault() {
    JsonObject file =
        new JsonObject().put("port", 9000).put("node", new JsonObject().put("port", 9100));
    assertThat(parse(Map.of(), file, "node").port).isEqualTo(9100);
    assertThat(parse(Map.of(), new JsonObject().put("port", 9000), "node").port).isEqualTo(9000);
  }

  @Test
  void environmentBeatsFile() {
    JsonObject file = new JsonObject().put("node", new JsonObject().put("port", 9100));
    assertThat(parse(Map.of("WSGRID_PORT", "9200"), file, "node").port).isEqualTo(9200);
  }

  @Test
  void flagBeatsEnvironment() {
    JsonObject file = new JsonObject().put("node", new JsonObject().put("port", 9100));
    assertThat(parse(Map.of("WSGRID_PORT", "9200"), file, "node", "--port", "9300").port)
        .isEqualTo(9300);
  }

  @Test
  void productionExampleConfiguresSecurityAndLimits() {
    NodeCommand node =
        parse(
            Map.of(
                "WSGRID_JWT_SECRET",
                "x".repeat(40),
                "WSGRID_ADMIN_TOKEN",
                "admin-token-0123456789"),
            ConfigFile.load("conf/wsgrid.production.yaml"),
            "node");
    assertThat(node.allowAnonymous).isFalse();
    assertThat(node.jwtSecret).hasSize(40);
    assertThat(node.member.adminToken).isEqualTo("admin-token-0123456789");
    assertThat(node.allowedOrigins)
        .containsExactly("https://app.example.com", "https://*.example.com");
    assertThat(node.maxMessageRate).isEqualTo(50);
    assertThat(node.maxConnections).isEqualTo(18000);
    assertThat(node.idleTimeout).isEqualTo(60);
    NodeCommand open = parse(Map.of(), new JsonObject(), "node");
    assertThat(open.jwtSecret).isNull();
    assertThat(open.maxMessageRate).isEqualTo(1000);
    assertThat(open.allowedOrigins).isNull();
  }

  @Test
  void environmentNamesFollowTheOption() {
    assertThat(ConfigDefaults.envName("--max-frame-size")).isEqualTo("WSGRID_MAX_FRAME_SIZE");
  }

  @Test
  void yamlFileIsRead(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("w.yaml");
    Files.writeString(yaml, "node:\n  port: 9400\n  max-frame-size: 2048\n");
    NodeCommand node = parse(Map.of(), ConfigFile.load(yaml.toString()), "node");
    assertThat(node.port).isEqualTo(9400);
  }

  @Test
  void brokenYamlSaysWhichFile(@TempDir Path dir) throws Exception {
    Path yaml = dir.resolve("broken.yaml");
    Files.writeString(yaml, "node: [unclosed\n");
    assertThatThrownBy(() -> ConfigFile.load(yaml.toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("broken.yaml");
    assertThatThrownBy(() -> ConfigFile.load(dir.resolve("missing.yaml").toString()))
        .isInstanceOf(ConfigException.class)
        .hasMessageContaining("missing.yaml");
  }

  @Test
  void badValuesExitWithUsageCode() {
    assertThat(Main.run(new String[] {"node", "--port", "notanumber"})).isEqualTo(2);
    assertThat(Main.run(new String[] {"node", "--config", "/nonexistent/wsgrid.yaml"}))
        .isEqualTo(2);
  }
}
