package io.wsgrid.bench;

import java.io.IOException;
import java.net.URI;
import java.net.http.HttpClient;
import java.net.http.HttpRequest;
import java.net.http.HttpResponse;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;

/**
 * The servers a comparison runs, each a child process started here and stopped by its pid: wsgrid
 * nodes and edges from this jar, the Node.js peers, redis-server and HAProxy. Output goes to
 * {@code target/bench-logs/<name>.log}; every start waits until the server answers.
 */
final class Servers implements AutoCloseable {
  static final String METHOD = """
      - Every server and the load generator run on this one machine (2 cores shared by all), so the
        numbers are ratios in one run, not absolute capacities. The load generator is the same for
        every target (`bench`, Vert.x on Netty's epoll transport, one process, its sockets spread
        over both of its event loops): it speaks wsgrid's protocol to wsgrid and to the Node `ws`
        peer, and Socket.IO v5 / Engine.IO v4 over a plain WebSocket to the Socket.IO peer (same
        subscribe/publish/ack pattern and the same message body, no Socket.IO client library in the
        way), so every peer is loaded the same way. Publications are read in the socket's pipeline
        (the send stamp straight from the frame's bytes), so the load generator costs the servers
        as little of the shared CPU as it can.
      - Fan-out: 1,000 subscribers over 10 channels (100 per channel), 4 publishers, 128-byte
        bodies stamped with the send time (System.nanoTime of the load-generator process, which
        also receives, so one clock). Warm-up first, not counted: before its first sweep every
        server is loaded in 2-second rounds at four times the sweep's start rate until, two rounds
        in a row, the JIT compilers of its JVMs took under 10 % of a core and its CPU per delivery
        stopped falling (at least 3 rounds, at most 45). A cold JVM spends about twice a warm one's
        CPU per delivery here, three fresh JVMs on 2 cores need a minute or more; Node.js settles
        in a few rounds. Then a sweep raises the publication rate 1.5x per 2-second step until a
        step fails (p99 >= 50 ms, or < 99 % of the owed deliveries arrived, or < 90 % of the asked
        rate was acked) twice in a row (once per sweep the failed step is run again: a single
        stall on the shared cores is not a capacity), bisects twice between the last pass and the
        failure, and keeps the best passing deliveries/s. Three sweeps per server; the median is
        reported. Two servers compared on the same machine state take turns, sweep by sweep
        (wsgrid node and Node ws; edge and HAProxy), so a drift of the machine weighs on both;
        sweeps after the first start one step below the rate the first one passed.
      - Cost at the best passing step: the CPU time (user + system, all threads, from /proc) of the
        processes that serve it (the node or peer; for the cluster all nodes, with Redis for
        Socket.IO; for the edge rows the proxy and the 3 nodes) per 1,000 deliveries, the load
        generator's own, and how busy the whole machine was (/proc/stat). A best step with the
        machine near 100 % busy was set by the machine, not by the server alone.
      - Single node: one wsgrid node (default event loops = cores, JDK 17, -Xmx1g) vs one Node.js
        process on `ws`, both running throughout. Cluster: 3 wsgrid nodes (subscribers and
        publishers spread over them, publications cross the Hazelcast event bus) vs 3 Socket.IO
        processes with @socket.io/redis-adapter and one redis-server, one set at a time.
      - Edge vs HAProxy: the same 3 nodes, reached through the wsgrid edge (proxy mode,
        least-connections) or through HAProxy (mode tcp, balance leastconn, maxconn 9000: HAProxy
        needs two descriptors per connection and the limit here is 20,000); the same sweep; connect
        runs (3,000 sockets, 100 handshakes in flight, handshake = TCP + upgrade + the node's first
        frame), taking turns, with the proxy's own CPU per connect, after uncounted rounds until two
        in a row are quiet: the JIT compilers of the proxy, the nodes and the load generator under
        10 % of a core and no connect rate more than 10 % above its best so far (3 to 24 rounds: the
        edge's handshake code is still being compiled for 20,000 connects and more); and the added latency
        on the same publications: one moderate load whose
        subscribers are a third direct to the nodes, a third through the edge, a third through
        HAProxy (1 s warm-up, 6 s measured, 3 runs), each path's p50 and p99 minus the direct
        path's in the same run, median of the runs.
      - Idle: 15,000 sockets held 5 s on a freshly started server (one per run); RSS after minus RSS before, per socket (wsgrid
        from its `process_resident_memory_bytes` after a `jcmd GC.run`, so garbage is not counted;
        Node from /proc/<pid>/status). 100,000 sockets
        on one node cannot be held here: the open-files limit is 20,000 per process.
      - Balance: 10,000 sockets held over 4 nodes, each placed by `GET /assign` on an edge (in
        proxy mode the edge would hold 20,000 descriptors, over this machine's per-process limit);
        max/mean of the sockets per node.
      """;


  private final Path logs;
  /** JVM flags for every wsgrid process the comparison starts (nodes and edges), after {@code -Xmx1g}. */
  private final List<String> jvmFlags;
  private final Map<String, Process> processes = new LinkedHashMap<>();
  private final HttpClient http = HttpClient.newBuilder().connectTimeout(Duration.ofSeconds(2)).build();

  Servers(Path logs, List<String> jvmFlags) {
    this.logs = logs;
    this.jvmFlags = List.copyOf(jvmFlags);
  }

  void requireTools(Path peers) {
    List<String> missing = new ArrayList<>();
    for (String tool : List.of("node", "redis-server", "haproxy")) {
      if (!onPath(tool)) missing.add(tool);
    }
    if (!Files.isDirectory(peers.resolve("node_modules"))) missing.add(peers + "/node_modules (npm ci)");
    if (!missing.isEmpty()) {
      throw new IllegalStateException("bench compare needs " + missing + ": run src/bench/run.sh, which installs them");
    }
  }

  private static boolean onPath(String tool) {
    for (String dir : System.getenv().getOrDefault("PATH", "").split(":")) {
      if (Files.isExecutable(Path.of(dir, tool))) return true;
    }
    return Files.isExecutable(Path.of("/usr/sbin", tool));
  }

  /** A wsgrid node from this jar; returns its WebSocket URL once {@code /ready} answers 200. */
  String wsgridNode(String name, int port, int clusterPort, String cluster, int instances) throws Exception {
    return wsgridNode(name, port, clusterPort, cluster, instances, null);
  }

  /** The same on another JDK ({@code java} binary), with extra JVM flags. */
  String wsgridNode(String name, int port, int clusterPort, String cluster, int instances, Path javaBinary, String... jvmFlags) throws Exception {
    List<String> args = new ArrayList<>(List.of("node", "--port", "" + port, "--name", name, "--cluster-name", cluster,
        "--cluster-port", "" + clusterPort,
        // The peers limit nothing per connection; the bench publishers may exceed wsgrid's default 1,000 frames/s.
        "--max-message-rate", "0"));
    if (instances > 0) args.addAll(List.of("--instances", "" + instances));
    List<String> command = java(args);
    if (javaBinary != null) {
      command.set(0, javaBinary.toString());
      command.addAll(1, List.of(jvmFlags));
    }
    start(name, command);
    awaitHttp(name, "http://127.0.0.1:" + port + "/ready");
    return "ws://127.0.0.1:" + port + "/ws";
  }

  String wsgridEdge(String name, int port, int clusterPort, String cluster, String strategy) throws Exception {
    start(name, java(List.of("edge", "--port", "" + port, "--name", name, "--strategy", strategy, "--mode", "proxy,assign",
        "--cluster-name", cluster, "--cluster-port", "" + clusterPort)));
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
    start(name, List.of("redis-server", "--port", "" + port, "--bind", "127.0.0.1", "--save", "", "--appendonly", "no"));
    awaitPort(name, port);
  }

  /** HAProxy in TCP mode (a WebSocket is a TCP tunnel after the upgrade), leastconn over the nodes. */
  String haproxy(String name, int port, List<Integer> nodes) throws Exception {
    StringBuilder cfg = new StringBuilder("""
        global
          maxconn 9000
        defaults
          mode tcp
          timeout connect 5s
          timeout client 1h
          timeout server 1h
        frontend ws
        """);
    cfg.append("  bind 127.0.0.1:").append(port).append("\n  default_backend nodes\nbackend nodes\n  balance leastconn\n");
    for (int node : nodes) cfg.append("  server n").append(node).append(" 127.0.0.1:").append(node).append(" check\n");
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
      return dirs.filter(d -> d.getFileName().toString().matches(".*-25([.-].*)?")).map(d -> d.resolve("bin/java"))
          .filter(Files::isExecutable).findFirst().orElse(null);
    } catch (IOException e) {
      return null;
    }
  }

  /** CPU time (user + system, all threads) the named running processes have used so far, in milliseconds. */
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

  /** CPU time the JIT compiler threads of this process (the load generator) have used so far, in milliseconds. */
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

  /** USER_HZ, the unit of /proc/<pid>/task/<tid>/stat times: 100 on every Linux platform Java runs on. */
  private static final long CLOCK_TICKS = 100;

  static long compilerTicks(Path task) {
    try {
      if (!Files.readString(task.resolve("comm")).contains("CompilerThre")) return 0;
      String stat = Files.readString(task.resolve("stat"));
      String[] fields = stat.substring(stat.lastIndexOf(')') + 2).split(" ");
      return Long.parseLong(fields[11]) + Long.parseLong(fields[12]); // utime, stime (fields 14 and 15)
    } catch (IOException | RuntimeException e) {
      return 0;
    }
  }

  /** CPU time this process (the load generator) has used so far, in milliseconds. */
  static long ownCpuMillis() {
    return ProcessHandle.current().info().totalCpuDuration().map(Duration::toMillis).orElse(0L);
  }

  /** The machine's CPU time so far from /proc/stat, in jiffies: {all, busy (all but idle and iowait)}; zeros without /proc. */
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

  private List<String> java(List<String> args) throws Exception {
    String java = ProcessHandle.current().info().command().orElse("java");
    String jar = Path.of(Servers.class.getProtectionDomain().getCodeSource().getLocation().toURI()).toString();
    if (!jar.endsWith(".jar")) jar = "target/wsgrid.jar";
    List<String> command = new ArrayList<>(List.of(java, "-Xmx1g"));
    command.addAll(jvmFlags);
    command.addAll(List.of("-jar", jar));
    command.addAll(args);
    return command;
  }

  private void start(String name, List<String> command) throws IOException {
    Files.createDirectories(logs);
    System.err.println("  starting " + name + ": " + String.join(" ", command));
    Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(logs.resolve(name + ".log").toFile()).start();
    processes.put(name, process);
  }

  private void awaitHttp(String name, String url) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(120).toNanos();
    while (System.nanoTime() < deadline) {
      check(name);
      try {
        if (http.send(HttpRequest.newBuilder(URI.create(url)).build(), HttpResponse.BodyHandlers.discarding()).statusCode() == 200) return;
      } catch (IOException e) {
        // not up yet
      }
      Thread.sleep(200);
    }
    throw new IllegalStateException(name + " not ready at " + url + " within 120 s: see " + logs.resolve(name + ".log"));
  }

  private void awaitPort(String name, int port) throws Exception {
    long deadline = System.nanoTime() + Duration.ofSeconds(60).toNanos();
    while (System.nanoTime() < deadline) {
      check(name);
      if (Compare.portOpen(port)) return;
      Thread.sleep(100);
    }
    throw new IllegalStateException(name + " does not listen on " + port + " within 60 s: see " + logs.resolve(name + ".log"));
  }

  private void check(String name) throws IOException {
    Process process = processes.get(name);
    if (!process.isAlive()) {
      throw new IllegalStateException(name + " exited with " + process.exitValue() + ": "
          + String.join("\n", Files.readAllLines(logs.resolve(name + ".log")).stream().limit(20).toList()));
    }
  }

  synchronized void stop(String name) throws InterruptedException {
    Process process = processes.remove(name);
    if (process == null) return;
    process.destroy();
    if (!process.waitFor(30, java.util.concurrent.TimeUnit.SECONDS)) process.destroyForcibly();
  }

  /** The machine and the versions of everything compared. */
  List<String> versions() {
    List<String> lines = new ArrayList<>();
    lines.add("CPU: " + firstMatch(Path.of("/proc/cpuinfo"), "model name") + ", " + Runtime.getRuntime().availableProcessors() + " cores; "
        + "memory: " + firstMatch(Path.of("/proc/meminfo"), "MemTotal") + "; kernel " + System.getProperty("os.version"));
    lines.add("Java: " + System.getProperty("java.vm.name") + " " + System.getProperty("java.version") + " (wsgrid nodes and the load generator)");
    lines.add("wsgrid: " + mavenVersion("io.wsgrid", "wsgrid") + " (Vert.x "
        + vertxVersion() + ", Hazelcast " + com.hazelcast.instance.BuildInfoProvider.getBuildInfo().getVersion() + ")");
    lines.add("Node.js: " + output("node", "--version"));
    for (String module : List.of("ws", "socket.io", "@socket.io/redis-adapter", "redis")) {
      lines.add("npm " + module + ": " + packageVersion(Path.of("src/bench/peers/node_modules", module, "package.json")));
    }
    lines.add("redis-server: " + output("redis-server", "--version"));
    lines.add("HAProxy: " + output("haproxy", "-v").lines().findFirst().orElse("?"));
    return lines;
  }

  /** A jar's version from the pom.properties Maven (and the shade plugin) keep in it. */
  private static String mavenVersion(String group, String artifact) {
    try (var in = Servers.class.getClassLoader().getResourceAsStream("META-INF/maven/" + group + "/" + artifact + "/pom.properties")) {
      if (in == null) return "?";
      java.util.Properties properties = new java.util.Properties();
      properties.load(in);
      return properties.getProperty("version", "?");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String vertxVersion() {
    try (var in = Servers.class.getClassLoader().getResourceAsStream("META-INF/vertx/vertx-version.txt")) {
      return in == null ? "?" : new String(in.readAllBytes()).trim();
    } catch (IOException e) {
      return "?";
    }
  }

  private static String packageVersion(Path file) {
    try {
      return new io.vertx.core.json.JsonObject(Files.readString(file)).getString("version");
    } catch (IOException e) {
      return "?";
    }
  }

  private static String firstMatch(Path file, String key) {
    try {
      return Files.readAllLines(file).stream().filter(l -> l.startsWith(key)).findFirst()
          .map(l -> l.substring(l.indexOf(':') + 1).trim()).orElse("?");
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
    java.util.Collections.reverse(names);
    for (String name : names) stop(name);
  }
}
