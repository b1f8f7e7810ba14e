package io.wsgrid.cli;

import io.wsgrid.config.ConfigDefaults;
import io.wsgrid.config.ConfigFile;
import io.wsgrid.config.OptionValues;
import io.wsgrid.security.HttpGuards;
import java.io.BufferedReader;
import java.io.IOException;
import java.io.InputStreamReader;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.charset.StandardCharsets;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.Callable;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wsgrid local}: a whole cluster on loopback as child processes of this one, their logs
 * forwarded with a name prefix; Ctrl-C stops them all.
 */
@Command(name = "local", mixinStandardHelpOptions = true, sortOptions = false,
    description = "Run a local cluster on 127.0.0.1: an edge on --port and N nodes on the next ports, as child processes; Ctrl-C stops all.")
final class LocalCommand implements Callable<Integer> {
  @Option(names = "--nodes", defaultValue = "3", description = "Nodes to start (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(names = "--port", defaultValue = "8080", description = "The edge's port; nodes take the next ones (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(names = "--strategy", defaultValue = "least-connections", description = "The edge's balancing strategy (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(names = "--cluster-name", defaultValue = "wsgrid", description = "Cluster name (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(names = "--cluster-port", defaultValue = "0", description = "First Hazelcast member port (0 = the config's, 5701).")
  int clusterPort;

  @Option(names = "--instances", defaultValue = "1", description = "WebSocket verticles per node (default: ${DEFAULT-VALUE}).")
  int instances;

  private final List<Child> children = new ArrayList<>();

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 32) throw new io.wsgrid.config.ConfigException("--nodes must be between 1 and 32, got " + nodes);
    if (port < 1 || port + nodes > 65535) throw new io.wsgrid.config.ConfigException("--port must leave room for " + nodes + " ports");
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "wsgrid-local-stop"));
    for (int i = 1; i <= nodes; i++) {
      String name = "n" + i;
      children.add(Child.start(name, port + i, List.of("node", "--port", String.valueOf(port + i), "--name", name,
          "--instances", String.valueOf(instances), "--cluster-name", clusterName, "--cluster-port", String.valueOf(clusterPort))));
    }
    children.add(0, Child.start("edge", port, List.of("edge", "--port", String.valueOf(port), "--name", "edge",
        "--strategy", strategy, "--mode", "proxy,assign", "--cluster-name", clusterName, "--cluster-port", String.valueOf(clusterPort))));
    awaitReady();
    System.out.println();
    System.out.println("wsgrid local cluster '" + clusterName + "' is up:");
    System.out.printf("  edge      ws://127.0.0.1:%d/ws   <- connect clients here (strategy %s)%n", port, strategy);
    System.out.printf("            http://127.0.0.1:%d/admin/nodes   http://127.0.0.1:%d/metrics%n", port, port);
    for (Child child : children.subList(1, children.size())) {
      System.out.printf("  node %-4s ws://127.0.0.1:%d/ws   metrics http://127.0.0.1:%d/metrics%n", child.name, child.port, child.port);
    }
    System.out.println("Publish: curl -XPOST 127.0.0.1:" + children.get(1).port
        + "/api/publish -d '{\"channel\":\"chat.lobby\",\"data\":{\"text\":\"hi\"}}'");
    // What the children read from the environment and conf/wsgrid.yaml, as each ready line says too.
    ConfigDefaults config = new ConfigDefaults(System.getenv(), ConfigFile.load(Main.configPath(new String[0])));
    System.out.println("Operator endpoints: nodes " + HttpGuards.adminAccess(OptionValues.blankToNull(config.value("node", "admin-token")))
        + ", " + HttpGuards.apiAccess(OptionValues.blankToNull(config.value("node", "api-key")))
        + "; edge " + HttpGuards.adminAccess(OptionValues.blankToNull(config.value("edge", "admin-token"))));
    System.out.println("Ctrl-C stops them all.");
    System.out.println();
    for (Child child : children) {
      child.process.waitFor();
    }
    return 0;
  }

  private void awaitReady() throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(Startup.TIMEOUT_SECONDS);
    List<Child> waiting = new ArrayList<>(children);
    long started = System.nanoTime();
    while (!waiting.isEmpty()) {
      waiting.removeIf(child -> isReady(http, child));
      for (Child child : children) {
        if (!child.process.isAlive()) {
          throw new io.wsgrid.config.ConfigException(child.name + " exited with code "
              + child.process.exitValue() + " while starting: see its log lines above");
        }
      }
      if (waiting.isEmpty()) break;
      if (System.nanoTime() > deadline) {
        throw new io.wsgrid.config.ConfigException("the cluster did not become ready in " + Startup.TIMEOUT_SECONDS + " s");
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      System.out.println("[local] waiting for " + waiting.stream().map(c -> c.name).toList() + " to join (" + seconds + " s)");
      Thread.sleep(1000);
    }
  }

  private static boolean isReady(HttpClient http, Child child) {
    try {
      HttpRequest request = HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.port + "/ready"))
          .timeout(Duration.ofSeconds(1)).build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  private void stopAll() {
    for (Child child : children) {
      child.process.destroy();
    }
    for (Child child : children) {
      try {
        if (!child.process.waitFor(25, TimeUnit.SECONDS)) child.process.destroyForcibly();
      } catch (InterruptedException e) {
        child.process.destroyForcibly();
      }
    }
  }

  /** One child process running this same jar, its output prefixed with its name. */
  static final class Child {
    final String name;
    final int port;
    final Process process;

    private Child(String name, int port, Process process) {
      this.name = name;
      this.port = port;
      this.process = process;
    }

    static Child start(String name, int port, List<String> args) throws IOException {
      List<String> command = new ArrayList<>(List.of(
          ProcessHandle.current().info().command().orElse("java"),
          "-XX:+ExitOnOutOfMemoryError",
          // What the jar's manifest grants under java -jar (Add-Opens), for Hazelcast's fast paths.
          "--add-exports", "java.base/jdk.internal.ref=ALL-UNNAMED",
          "--add-opens", "java.base/java.lang=ALL-UNNAMED",
          "--add-opens", "java.base/sun.nio.ch=ALL-UNNAMED",
          "--add-opens", "java.management/sun.management=ALL-UNNAMED",
          "--add-opens", "jdk.management/com.sun.management.internal=ALL-UNNAMED",
          "-cp", System.getProperty("java.class.path"),
          Main.class.getName()));
      command.addAll(args);
      command.add("--exit-with-parent");
      command.add(String.valueOf(ProcessHandle.current().pid()));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread forward = new Thread(() -> {
        try (BufferedReader lines = new BufferedReader(new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
          String line;
          while ((line = lines.readLine()) != null) {
            System.out.println("[" + name + "] " + line);
          }
        } catch (IOException e) {
          System.out.println("[" + name + "] (log stream closed: " + e.getMessage() + ")");
        }
      }, "log-" + name);
      forward.setDaemon(true);
      forward.start();
      return new Child(name, port, process);
    }
  }
}
