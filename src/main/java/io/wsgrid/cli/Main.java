package io.wsgrid.cli;

import io.vertx.core.json.JsonObject;
import io.wsgrid.cluster.ClusterBootstrap;
import io.wsgrid.config.ConfigDefaults;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.ConfigFile;
import picocli.CommandLine;
import picocli.CommandLine.Command;
import picocli.CommandLine.HelpCommand;
import picocli.CommandLine.Model.CommandSpec;
import picocli.CommandLine.Spec;

/** The {@code wsgrid} command: one fat jar, one subcommand per role. */
@Command(
    name = "wsgrid",
    mixinStandardHelpOptions = true,
    versionProvider = Main.Version.class,
    description = "Clustered WebSocket platform on Vert.x and Hazelcast.",
    subcommands = {
      LocalCommand.class,
      NodeCommand.class,
      EdgeCommand.class,
      BenchCommand.class,
      HelpCommand.class
    })
public final class Main implements Runnable {
  @Spec CommandSpec spec;

  @Override
  public void run() {
    spec.commandLine().usage(System.out);
  }

  public static void main(String[] args) {
    ClusterBootstrap.widenCommonPool();
    System.exit(run(args));
  }

  /** Runs the command line and returns the exit code (0 ok, 1 failure, 2 bad usage or config). */
  public static int run(String[] args) {
    System.setProperty("hazelcast.logging.type", "slf4j");
    System.setProperty(
        "vertx.logger-delegate-factory-class-name",
        "io.vertx.core.logging.SLF4JLogDelegateFactory");
    JsonObject file;
    try {
      file = ConfigFile.load(configPath(args));
    } catch (ConfigException e) {
      System.err.println("wsgrid: " + e.getMessage());
      return 2;
    }
    CommandLine commandLine =
        new CommandLine(new Main())
            .setDefaultValueProvider(new ConfigDefaults(System.getenv(), file))
            .setExecutionExceptionHandler(
                (e, cmd, parsed) -> {
                  if (e instanceof ConfigException) {
                    cmd.getErr().println("wsgrid: " + e.getMessage());
                    return 2;
                  }
                  cmd.getErr().println("wsgrid: " + e + " (run with --help for usage)");
                  return 1;
                });
    return commandLine.execute(args);
  }

  /**
   * {@code --config} must be known before options are parsed, since the file gives their defaults.
   */
  static String configPath(String[] args) {
    for (int i = 0; i < args.length; i++) {
      if (args[i].equals("--config") && i + 1 < args.length) return args[i + 1];
      if (args[i].startsWith("--config=")) return args[i].substring("--config=".length());
    }
    return System.getenv("WSGRID_CONFIG");
  }

  /** Reads the version Maven wrote into the jar's manifest. */
  static final class Version implements CommandLine.IVersionProvider {
    @Override
    public String[] getVersion() {
      String version = Main.class.getPackage().getImplementationVersion();
      return new String[] {"wsgrid " + (version == null ? "dev" : version)};
    }
  }
}
