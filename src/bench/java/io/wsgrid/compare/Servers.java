package io.wsgrid.compare;

import com.hazelcast.instance.BuildInfoProvider;
import io.vertx.core.json.JsonObject;
import io.wsgrid.cli.Main;
import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.Socket;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.Collections;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Properties;
import java.util.concurrent.TimeUnit;

/**
 * The servers a comparison runs, each a child process started here and stopped by its pid: wsgrid
 * nodes and edges from the product jar, the Node.js peers, redis-server and HAProxy. Output goes to
 * {@code target/bench-logs/<name>.log}; every start waits until the server answers.
 */
final class Servers implements AutoCloseable {
  private final Path logs;

  /**
   * The heap of the wsgrid processes the comparison starts, unless a section asks for another
   * ({@code -Xmx}).
   */
  static final String DEFAULT_HEAP = "1g";

  /**
   * JVM flags for every wsgrid process the comparison starts (nodes and edges), after {@code -Xmx}.
   */
  private final List<String> jvmFlags;

  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final HttpClient http =
      HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Servers(Path logs, List<String> jvmFlags) {
    this.logs = logs;
    this.jvmFlags = List.copyOf(jvmFlags);
  }

  void requireTools(Path peers) {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("node", "redis-server", "haproxy")) {
      if (!onPath(tool)) missing.add(tool);
    }
    if (!Files.isDirectory(peers.resolve("node_modules")))
      missing.add(peers + "/node_modules (npm ci)");
    if (!missing.isEmpty()) {
      throw new IllegalStateException(
          "the comparison needs " + missing + ": run src/bench/run.sh, which installs them");
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool));
  }

  /**
   * A wsgrid node from the product jar; returns its WebSocket URL once {@code /ready} answers 200.
   */
  String wsgridNode(String name, int port, int clusterPort, String cluster, int instances)
      throws Exception {
    return wsgridNode(name, port, clusterPort, cluster, instances, null);
  }

  /** The same on another JDK ({@code java} binary), with extra JVM flags. */
  String wsgridNode(
      String name,
      int port,
      int clusterPort,
      String cluster,
      int instances,
      Path javaBinary,
      String... jvmFlags)
      throws Exception {
    List<String> more = instances > 0 ? List.of("--instances", "" + instances) : List.of();
    List<String> command = java(DEFAULT_HEAP, nodeArgs(name, port, clusterPort, cluster, more));
    if (javaBinary != null) {
      command.set(0, javaBinary.toString());
      command.addAll(1, List.of(jvmFlags));
    }
    start(name, command);
    awaitHttp(name, "http://127.0.0.1:" + port + "/ready");
    return "ws://127.0.0.1:" + port + "/ws";
  }

  /**
   * A wsgrid node with a heap of {@code heap} ({@code -Xmx}, e.g. "512m") and more node options
   * ({@code --channel-idle-seconds 20}, {@code --cluster-members …}); returns its WebSocket URL
   * once {@code /ready} answers 200.
   */
  String wsgridNode(
      String name, int port, int clusterPort, String cluster, String heap, List<String> more)
      throws Exception {
    start(name, java(heap, nodeArgs(name, port, clusterPort, cluster, more)));
    awaitHttp(name, "http://127.0.0.1:" + port + "/ready");
    return "ws://127.0.0.1:" + port + "/ws";
  }

  private static List<String> nodeArgs(
      String name, int port, int clusterPort, String cluster, List<String> more) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "node",
                "--port",
                "" + port,
                "--name",
                name,
                "--cluster-name",
                cluster,
                "--cluster-port",
                "" + clusterPort,
                // The peers limit nothing per connection; the bench publishers may exceed wsgrid's
                // default 1,000 frames/s.
                "--max-message-rate",
                "0"));
    args.addAll(more);
    return args;
  }

  /**
   * {@code --cluster-members} naming exactly these Hazelcast ports on 127.0.0.1, so members probe
   * no other port.
   */
  static List<String> members(int... clusterPorts) {
    StringBuilder list = new StringBuilder();
    for (int port : clusterPorts)
      list.append(list.isEmpty() ? "" : ",").append("127.0.0.1:").append(port);
    return List.of("--cluster-members", list.toString());
  }

  String wsgridEdge(String name, int port, int clusterPort, String cluster, String strategy)
      throws Exception {
    start(
        name,
        java(
            DEFAULT_HEAP,
            List.of(
                "edge",
                "--port",
                "" + port,
                "--name",
                name,
                "--strategy",
                strategy,
                "--mode",
                "proxy,assign",
                "--cluster-name",
                cluster,
                "--cluster-port",
                "" + clusterPort)));
    awaitHttp(name, "http://127.0.0.1:" + port + "/ready");
    return "ws://127.0.0.1:" + port + "/ws";
  }

  /** A Node.js peer script; ready when its port accepts connections. */
  void node(String name, Path script, int port, String... more) throws Exception {
    List<String> command = new ArrayList<>(List.of("node", script.toString(), "" + port));
    command.addAll(List.of(more));
    start(name, command);
    awaitPort(name, port);
  }

  void redis(String name, int port) throws Exception {
    start(
        name,
        List.of(
            "redis-server",
            "--port",
            "" + port,
            "--bind",
            "127.0.0.1",
            "--save",
            "",
            "--appendonly",
            "no"));
    awaitPort(name, port);
  }

  /**
   * HAProxy in TCP mode (a WebSocket is a TCP tunnel after the upgrade), leastconn over the nodes.
   */
  String haproxy(String name, int port, List<Integer> nodes) throws Exception {
    StringBuilder cfg =
        new StringBuilder(
            """
        global
          maxconn 9000
        defaults
          mode tcp
          timeout connect 5s
          timeout client 1h
          timeout server 1h
        frontend ws
        """);
    cfg.append("  bind 127.0.0.1:")
        .append(port)
        .append("\n  default_backend nodes\nbackend nodes\n  balance leastconn\n");
    for (int node : nodes)
      cfg.append("  server n").append(node).append(" 127.0.0.1:").append(node).append(" check\n");
    Files.createDirectories(logs);
    Path file = logs.resolve(name + ".cfg");
    Files.writeString(file, cfg);
    start(name, List.of("haproxy", "-db", "-f", file.toString()));
    awaitPort(name, port);
    return "ws://127.0.0.1:" + port + "/ws";
  }

  /** A JDK 25 on this machine (Debian's or Temurin's under /usr/lib/jvm), or null. */
  static Path jdk25() {
    try (var dirs = Files.list(Path.of("/usr/lib/jvm"))) {
      return dirs.filter(d -> d.getFileName().toString().matches(".*-25([.-].*)?"))
          .map(d -> d.resolve("bin/java"))
          .filter(Files::isExecutable)
          .findFirst()
          .orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /**
   * CPU time (user + system, all threads) the named running processes have used so far, in
   * milliseconds.
   */
  long cpuMillis(List<String> names) {
    long total = 0;
    for (String name : names) {
      Process process = processes.get(name);
      if (process == null) throw new IllegalStateException("no process " + name + " was started");
      total += process.toHandle().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
    }
    return total;
  }

  /**
   * CPU time the JIT compiler threads of the named processes have used so far, in milliseconds
   * (from /proc; 0 for a process that is not a JVM or on a system without /proc).
   */
  long jitMillis(List<String> names) {
    long ticks = 0;
    for (String name : names) {
      Process process = processes.get(name);
      if (process == null) throw new IllegalStateException("no process " + name + " was started");
      ticks += compilerTicks(process.pid());
    }
    return ticks * 1000 / CLOCK_TICKS;
  }

  /**
   * CPU time the JIT compiler threads of this process (the load generator) have used so far, in
   * milliseconds.
   */
  static long ownJitMillis() {
    return compilerTicks(ProcessHandle.current().pid()) * 1000 / CLOCK_TICKS;
  }

  private static long compilerTicks(long pid) {
    long ticks = 0;
    try (var tasks = Files.list(Path.of("/proc", String.valueOf(pid), "task"))) {
      for (Path task : (Iterable<Path>) tasks::iterator) ticks += compilerTicks(task);
    } catch (IOException e) {
      // gone or no /proc: nothing to count
    }
    return ticks;
  }

  /**
   * USER_HZ, the unit of /proc/<pid>/task/<tid>/stat times: 100 on every Linux platform Java runs
   * on.
   */
  private static final long CLOCK_TICKS = 100;

  static long compilerTicks(Path task) {
    try {
      if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) return 0;
      String stat = Files.readString(task.resolve("stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11])
          + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU time this process (the load generator) has used so far, in milliseconds. */
  static long ownCpuMillis() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
  }

  /**
   * The machine's CPU time so far from /proc/stat, in jiffies: {all, busy (all but idle and
   * iowait)}; zeros without /proc.
   */
  static long[] machineJiffies() {
    try {
      String[] f = Files.readAllLines(Path.of("/proc/stat")).get(0).trim().split("\\s+");
      long all = 0;
      for (int i = 1; i < Math.min(f.length, 9); i++) all += Long.parseLong(f[i]); // user … steal
      long idle = Long.parseLong(f[4]) + Long.parseLong(f[5]);
      return new long[] {all, all - idle};
    } catch (IOException | RuntimeException e) {
      return new long[] {0, 0};
    }
  }

  long pid(String name) {
    return processes.get(name).pid();
  }

  /** True while the named process runs. */
  boolean alive(String name) {
    Process process = processes.get(name);
    return process != null && process.isAlive();
  }

  private List<String> java(String heap, List<String> args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    // The jar the product classes were loaded from (run.sh puts target/wsgrid.jar on the class
    // path).
    String jar =
        Path.of(Main.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    if (!jar.endsWith(".jar")) jar = "target/wsgrid.jar";
    List<String> command = new ArrayList<>(List.of(java, "-Xmx" + heap));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar));
    command.addAll(args);
    return command;
  }

  private void start(String name, List<String> command) throws IOException {
    Files.createDirectories(logs);
    System.err.println("  starting " + name + ": " + String.join(" ", command));
    Process process =
        new ProcessBuilder(command)
            .redirectErrorStream(true)
            .redirectOutput(logs.resolve(name + ".log").toFile())
            .start();
    processes.put(name, process);
  }

  private void awaitHttp(String name, String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      check(name);
      try {
        if (http.send(
                    HttpRequest.newBuilder(URI.create(url)).build(),
                    HttpResponse.BodyHandlers.discarding())
                .statusCode()
            == 200) return;
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(
        name + " not ready at " + url + " within 120 s: see " + logs.resolve(name + ".log"));
  }

  private void awaitPort(String name, int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      check(name);
      if (portOpen(port)) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException(
        name + " does not listen on " + port + " within 60 s: see " + logs.resolve(name + ".log"));
  }

  private static boolean portOpen(int port) {
    try (Socket socket = new Socket()) {
      socket.connect(new InetSocketAddress("127.0.0.1", port), 300);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  private void check(String name) throws IOException {
    Process process = processes.get(name);
    if (!process.isAlive()) {
      throw new IllegalStateException(
          name
              + " exited with "
              + process.exitValue()
              + ": "
              + String.join(
                  "\n",
                  Files.readAllLines(logs.resolve(name + ".log")).stream().limit(20).toList()));
    }
  }

  synchronized void stop(String name) throws InterruptedException {
    Process process = processes.remove(name);
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(30, TimeUnit.SECONDS)) process.destroyForcibly();
  }

  /** The machine and the versions of everything compared. */
  List<String> versions() {
    List<String> lines = new ArrayList<>();
    lines.add(
        "CPU: "
            + firstMatch(Path.of("/proc/cpuinfo"), "model name")
            + ", "
            + Runtime.getRuntime().availableProcessors()
            + " cores; "
            + "memory: "
            + firstMatch(Path.of("/proc/meminfo"), "MemTotal")
            + "; kernel "
            + System.getProperty("os.version"));
    lines.add(
        "Java: "
            + System.getProperty("java.vm.name")
            + " "
            + System.getProperty("java.version")
            + " (wsgrid nodes and the load generator)");
    lines.add(
        "wsgrid: "
            + mavenVersion("io.wsgrid", "wsgrid")
            + " (Vert.x "
            + vertxVersion()
            + ", Hazelcast "
            + BuildInfoProvider.getBuildInfo().getVersion()
            + ")");
    lines.add("Node.js: " + output("node", "--version"));
    for (String module : List.of("ws", "socket.io", "@socket.io/redis-adapter", "redis")) {
      lines.add(
          "npm "
              + module
              + ": "
              + packageVersion(Path.of("src/bench/peers/node_modules", module, "package.json")));
    }
    lines.add("redis-server: " + output("redis-server", "--version"));
    lines.add("HAProxy: " + output("haproxy", "-v").lines().findFirst().orElse("?"));
    return lines;
  }

  /** A jar's version from the pom.properties Maven (and the shade plugin) keep in it. */
  private static String mavenVersion(String group, String artifact) {
    try (var in =
        Servers.class
            .getClassLoader()
            .getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
      if (in == null) return "?";
      Properties properties = new Properties();
      properties.load(in);
      return properties.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String vertxVersion() {
    try (var in =
        Servers.class.getClassLoader().getResourceAsStream("META-INF/vertx/vertx-version.txt")) {
      return in == null ? "?" : new String(in.readAllBytes()).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static String packageVersion(Path file) {
    try {
      return new JsonObject(Files.readString(file)).getString("version");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String firstMatch(Path file, String key) {
    try {
      return Files.readAllLines(file).stream()
          .filter(l -> l.startsWith(key))
          .findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim())
          .orElse("?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String output(String... command) {
    try {
      Process process = new ProcessBuilder(command).redirectErrorStream(true).start();
      String text = new String(process.getInputStream().readAllBytes()).trim();
      process.waitFor();
      return text;
    } catch (IOException e) {
      return "not installed";
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return "?";
    }
  }

  @Override
  public synchronized void close() throws InterruptedException {
    List<String> names = new ArrayList<>(processes.keySet());
    Collections.reverse(names);
    for (String name : names) stop(name);
  }
}
