package io.wsgrid.cli;

import io.wsgrid.cluster.ClusterBootstrap;
import io.wsgrid.config.ConfigDefaults;
import io.wsgrid.config.ConfigException;
import io.wsgrid.config.ConfigFile;
import io.wsgrid.config.OptionValues;
import io.wsgrid.edge.balance.BalancingStrategy;
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
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.TimeUnit;
import picocli.CommandLine.Command;
import picocli.CommandLine.Option;

/**
 * {@code wsgrid local}: a whole cluster on loopback as child processes of this one, their logs
 * forwarded with a name prefix; Ctrl-C stops them all.
 */
@Command(
    name = "local",
    mixinStandardHelpOptions = true,
    sortOptions = false,
    description =
        "Run a local cluster on 127.0.0.1: an edge on --port and N nodes on the next ports, as child processes; Ctrl-C stops all.")
final class LocalCommand implements Callable<Integer> {
  @Option(
      names = "--nodes",
      defaultValue = "3",
      description = "Nodes to start (default: ${DEFAULT-VALUE}).")
  int nodes;

  @Option(
      names = "--port",
      defaultValue = "8080",
      description = "The edge's port; nodes take the next ones (default: ${DEFAULT-VALUE}).")
  int port;

  @Option(
      names = "--strategy",
      defaultValue = "least-connections",
      completionCandidates = BalancingStrategy.Names.class,
      description =
          "The edge's balancing strategy, one of ${COMPLETION-CANDIDATES} (default: ${DEFAULT-VALUE}).")
  String strategy;

  @Option(
      names = "--cluster-name",
      defaultValue = "wsgrid",
      description = "Cluster name (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(
      names = "--cluster-port",
      defaultValue = "0",
      description =
          "First Hazelcast member port; the edge and the nodes take it and the next ones (default: ${DEFAULT-VALUE} = the config's, 5701).")
  int clusterPort;

  @Option(
      names = "--instances",
      defaultValue = "1",
      description = "WebSocket verticles per node (default: ${DEFAULT-VALUE}).")
  int instances;

  static final long STOP_TIMEOUT_SECONDS = 10;

  private final StatusLine console = StatusLine.stdout();
  private final List<Child> nodeChildren = new CopyOnWriteArrayList<>();
  private volatile Child edgeChild;
  private volatile boolean stopping;

  @Override
  public Integer call() throws Exception {
    if (nodes < 1 || nodes > 32)
      throw new ConfigException("--nodes must be between 1 and 32, got " + nodes);
    if (port < 1 || port + nodes > 65535)
      throw new ConfigException("--port must leave room for " + nodes + " ports");
    Runtime.getRuntime().addShutdownHook(new Thread(this::stopAll, "wsgrid-local-stop"));
    List<String> cluster = clusterArgs();
    for (int i = 1; i <= nodes && !stopping; i++) {
      String name = "n" + i;
      List<String> args =
          new ArrayList<>(
              List.of(
                  "node",
                  "--port",
                  String.valueOf(port + i),
                  "--name",
                  name,
                  "--instances",
                  String.valueOf(instances)));
      args.addAll(cluster);
      nodeChildren.add(Child.start(console, name, port + i, args));
    }
    if (!stopping) {
      List<String> args =
          new ArrayList<>(
              List.of(
                  "edge",
                  "--port",
                  String.valueOf(port),
                  "--name",
                  "edge",
                  "--strategy",
                  strategy,
                  "--mode",
                  "proxy,assign"));
      args.addAll(cluster);
      edgeChild = Child.start(console, "edge", port, args);
    }
    if (awaitReady()) printUrls();
    for (Child child : children()) {
      child.process.waitFor();
    }
    return 0;
  }

  /**
   * The children's cluster options: the member list names exactly the ports the edge and the nodes
   * take. Listed without ports, every member port in the config's range would be a candidate, and
   * Hazelcast's master keeps probing the empty ones for a split-off cluster to merge, up to 5 s
   * each, one after the other: a stop of the master then waits 3 s for the probe (Hazelcast's
   * executor shutdown). With the exact list, a cluster whose members are all up has nothing to
   * probe.
   */
  private List<String> clusterArgs() {
    int first = clusterPort > 0 ? clusterPort : ClusterBootstrap.memberPort(null);
    List<String> members = new ArrayList<>();
    for (int i = 0; i <= nodes; i++) {
      members.add("127.0.0.1:" + (first + i));
    }
    return List.of(
        "--cluster-name",
        clusterName,
        "--cluster-port",
        String.valueOf(first),
        "--cluster-members",
        String.join(",", members));
  }

  /** The edge first, then the nodes. */
  private List<Child> children() {
    List<Child> all = new ArrayList<>();
    if (edgeChild != null) all.add(edgeChild);
    all.addAll(nodeChildren);
    return all;
  }

  private void printUrls() {
    List<String> lines = new ArrayList<>();
    lines.add("");
    lines.add("wsgrid local cluster '" + clusterName + "' is up:");
    lines.add(
        String.format(
            "  edge      ws://127.0.0.1:%d/ws   <- connect clients here (strategy %s)",
            port, strategy));
    lines.add(
        String.format(
            "            http://127.0.0.1:%d/   (dashboard)   http://127.0.0.1:%d/admin/nodes   http://127.0.0.1:%d/metrics",
            port, port, port));
    for (Child child : nodeChildren) {
      lines.add(
          String.format(
              "  node %-4s ws://127.0.0.1:%d/ws   metrics http://127.0.0.1:%d/metrics",
              child.name, child.port, child.port));
    }
    lines.add(
        "Publish: curl -XPOST 127.0.0.1:"
            + nodeChildren.get(0).port
            + "/api/publish -d '{\"channel\":\"chat.lobby\",\"data\":{\"text\":\"hi\"}}'");
    // What the children read from the environment and conf/wsgrid.yaml, as each ready line says
    // too.
    ConfigDefaults config =
        new ConfigDefaults(System.getenv(), ConfigFile.load(Main.configPath(new String[0])));
    lines.add(
        "Operator endpoints: nodes "
            + HttpGuards.adminAccess(OptionValues.blankToNull(config.value("node", "admin-token")))
            + ", "
            + HttpGuards.apiAccess(OptionValues.blankToNull(config.value("node", "api-key")))
            + "; edge "
            + HttpGuards.adminAccess(
                OptionValues.blankToNull(config.value("edge", "admin-token"))));
    lines.add("Ctrl-C stops them all.");
    lines.add("");
    lines.forEach(console::println);
  }

  /** Waits until every child answers /ready; false when a stop came first. */
  private boolean awaitReady() throws InterruptedException {
    HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(1)).build();
    long started = System.nanoTime();
    long deadline = started + TimeUnit.SECONDS.toNanos(Startup.TIMEOUT_SECONDS);
    List<Child> waiting = new ArrayList<>(children());
    while (!stopping) {
      waiting.removeIf(child -> isReady(http, child));
      for (Child child : children()) {
        if (!child.process.isAlive() && !stopping) {
          throw new ConfigException(
              child.name
                  + " exited with code "
                  + child.process.exitValue()
                  + " while starting: see its log lines above");
        }
      }
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      if (waiting.isEmpty()) {
        console.done("[local] all " + (nodes + 1) + " ready in " + seconds + " s");
        return true;
      }
      if (System.nanoTime() > deadline) {
        throw new ConfigException(
            "the cluster did not become ready in "
                + Startup.TIMEOUT_SECONDS
                + " s (still waiting for "
                + names(waiting)
                + "): see their log lines above");
      }
      console.status(
          "starting " + names(waiting),
          "[local] waiting for " + names(waiting) + " to be ready (" + seconds + " s)");
      Thread.sleep(1000);
    }
    return false;
  }

  private static boolean isReady(HttpClient http, Child child) {
    try {
      HttpRequest request =
          HttpRequest.newBuilder(URI.create("http://127.0.0.1:" + child.port + "/ready"))
              .timeout(Duration.ofSeconds(1))
              .build();
      return http.send(request, HttpResponse.BodyHandlers.discarding()).statusCode() == 200;
    } catch (IOException e) {
      return false;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return false;
    }
  }

  /**
   * Ctrl-C (or SIGTERM): tells every child at once, by ending its stdin, that the whole cluster is
   * stopping, so no node hands its partitions to another that is leaving too (see
   * Node#stop(boolean)). Says what it waits for; a child still running after {@link
   * #STOP_TIMEOUT_SECONDS} is killed.
   */
  private void stopAll() {
    stopping = true;
    List<Child> all = children();
    if (all.stream().noneMatch(child -> child.process.isAlive())) return;
    long started = System.nanoTime();
    console.done("[local] stopping " + names(all));
    all.forEach(Child::stop);
    List<Child> left =
        awaitExit(all, started, started + TimeUnit.SECONDS.toNanos(STOP_TIMEOUT_SECONDS));
    for (Child child : left) {
      child.process.destroyForcibly();
    }
    all.forEach(Child::drainLog);
    String took = String.format("%.1f s", (System.nanoTime() - started) / 1e9);
    console.done(
        left.isEmpty()
            ? "[local] stopped in " + took
            : "[local] "
                + names(left)
                + " did not stop within "
                + STOP_TIMEOUT_SECONDS
                + " s: killed");
  }

  /** Waits until the children have exited or the deadline passes; returns those still running. */
  private List<Child> awaitExit(List<Child> children, long started, long deadline) {
    List<Child> running = new ArrayList<>(children);
    while (true) {
      running.removeIf(child -> !child.process.isAlive());
      if (running.isEmpty() || System.nanoTime() >= deadline) return running;
      long seconds = TimeUnit.NANOSECONDS.toSeconds(System.nanoTime() - started);
      console.status(
          "stopping " + names(running),
          "[local] waiting for " + names(running) + " to stop (" + seconds + " s)");
      try {
        running
            .get(0)
            .process
            .waitFor(
                Math.min(1000, TimeUnit.NANOSECONDS.toMillis(deadline - System.nanoTime()) + 1),
                TimeUnit.MILLISECONDS);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        return running;
      }
    }
  }

  private static String names(List<Child> children) {
    return String.join(", ", children.stream().map(child -> child.name).toList());
  }

  /** One child process running this same jar, its output forwarded line by line with its name. */
  static final class Child {
    final String name;
    final int port;
    final Process process;
    private final Thread forward;

    private Child(String name, int port, Process process, Thread forward) {
      this.name = name;
      this.port = port;
      this.process = process;
      this.forward = forward;
    }

    static Child start(StatusLine console, String name, int port, List<String> args)
        throws IOException {
      List<String> command =
          new ArrayList<>(
              List.of(
                  ProcessHandle.current().info().command().orElse("java"),
                  "-XX:+ExitOnOutOfMemoryError",
                  // What the jar's manifest grants under java -jar (Add-Opens), for Hazelcast's
                  // fast paths.
                  "--add-exports",
                  "java.base/jdk.internal.ref=ALL-UNNAMED",
                  "--add-opens",
                  "java.base/java.lang=ALL-UNNAMED",
                  "--add-opens",
                  "java.base/sun.nio.ch=ALL-UNNAMED",
                  "--add-opens",
                  "java.management/sun.management=ALL-UNNAMED",
                  "--add-opens",
                  "jdk.management/com.sun.management.internal=ALL-UNNAMED",
                  "-cp",
                  System.getProperty("java.class.path"),
                  Main.class.getName()));
      command.addAll(args);
      // The child stops when its stdin ends: when stop() closes it, or when this process dies (see
      // ParentWatch).
      command.add("--exit-with-parent");
      command.add(String.valueOf(ProcessHandle.current().pid()));
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      Thread forward =
          new Thread(
              () -> {
                try (BufferedReader lines =
                    new BufferedReader(
                        new InputStreamReader(process.getInputStream(), StandardCharsets.UTF_8))) {
                  String line;
                  while ((line = lines.readLine()) != null) {
                    console.println("[" + name + "] " + line);
                  }
                } catch (IOException e) {
                  console.println("[" + name + "] (log stream closed: " + e.getMessage() + ")");
                }
              },
              "log-" + name);
      forward.setDaemon(true);
      forward.start();
      return new Child(name, port, process, forward);
    }

    /** Tells the child the whole cluster is stopping: its stdin ends. */
    void stop() {
      try {
        process.getOutputStream().close();
      } catch (IOException e) {
        process.toHandle().destroy(); // SIGTERM: a stop all the same
      }
    }

    /** Waits (briefly) until the child's last log lines are forwarded. */
    void drainLog() {
      try {
        forward.join(1000);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
      }
    }
  }
}
