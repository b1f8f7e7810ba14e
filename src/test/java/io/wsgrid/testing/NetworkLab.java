package io.wsgrid.testing;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.attribute.FileTime;
import java.time.Duration;
import java.time.Instant;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CopyOnWriteArrayList;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import java.util.stream.Collectors;
import java.util.stream.IntStream;

/**
 * A multi-host test network of the test's own: a Linux bridge in this namespace with address {@code
 * 10.a.b.254/24}, and N hosts, each a network namespace ({@link NetNamespace}) with a veth into the
 * bridge and address {@code 10.a.b.h/24} (h = 1…N), loopback up. The test process reaches every
 * host through the bridge. Fat-jar processes run inside a host ({@link #startNode}); the network
 * can be cut: {@link #partition} pulls hosts' cables (each alone, unreachable from here too),
 * {@link #split} puts hosts on a bridge of their own (they see each other, not the rest), {@link
 * #heal} restores everything. This kernel has no {@code netem}: for a pause or late traffic, stop a
 * member with {@link #pause} ({@code kill -STOP}) and {@link #resume} it.
 *
 * <p>Hazelcast: conf/hazelcast.yaml binds 127.0.0.1 (its {@code network.interfaces}), which a host
 * does not share. A process started here gets {@code -Dhazelcast.local.localAddress=<host address>}
 * (through {@code JAVA_TOOL_OPTIONS}): Hazelcast binds and announces that address instead, and
 * Vert.x takes the same property for its event bus. Members are listed with their ports ({@code
 * --cluster-members 10.a.b.1:5701,10.a.b.1:5702,…}; at most {@link #MEMBERS_PER_HOST} per host), so
 * a merge after a split probes only real members (each probe nobody answers costs Hazelcast 5 s per
 * merge round). Every host has its own ports, so nodes on different hosts may use the same HTTP
 * port.
 *
 * <p>Names carry this JVM's pid and a random part, so parallel runs never collide. {@link #close}
 * (also a JVM shutdown hook, so a failed or interrupted test cleans up too) resumes and ends the
 * processes it started, by pid, and removes the namespaces, veths and bridges; a lab left by a JVM
 * that was killed is removed by the next lab created. Needs root (or CAP_NET_ADMIN): elsewhere the
 * test is skipped with the reason, under CI ({@code CI} set) it fails.
 */
public final class NetworkLab implements AutoCloseable {
  /** Hazelcast members one host may run (ports 5701 and up, listed in {@link #clusterMembers}). */
  public static final int MEMBERS_PER_HOST = 2;

  private static final String NS_PREFIX = "wsgrid-lab-";
  private static final Duration STALE_AFTER = Duration.ofMinutes(20);

  private final String tag;
  private final String bridge;
  private final String isolatedBridge;
  private final String prefix;
  private final String clusterName;
  private final List<NetNamespace> hosts = new CopyOnWriteArrayList<>();
  private final List<JarProcess> processes = new CopyOnWriteArrayList<>();
  private final Thread hook;
  private boolean isolatedBridgeMade;
  private boolean closed;

  private NetworkLab(String tag, String prefix) {
    this.tag = tag;
    this.bridge = "wsgb" + tag;
    this.isolatedBridge = "wsgi" + tag;
    this.prefix = prefix;
    this.clusterName = "lab-" + tag;
    this.hook = new Thread(this::close, "wsgrid-network-lab-cleanup");
  }

  /**
   * Creates a bridge and {@code count} hosts on it; skips the test (fails it under CI) where that
   * is not permitted.
   */
  public static NetworkLab create(int count) {
    if (count < 1 || count > 50)
      throw new IllegalArgumentException("a lab has 1 to 50 hosts, not " + count);
    removeStaleLabs();
    NetworkLab lab = new NetworkLab(newTag(), freeSubnet());
    Runtime.getRuntime().addShutdownHook(lab.hook);
    try {
      lab.makeBridge(lab.bridge);
      NetNamespace.must("ip", "addr", "add", lab.gateway() + "/24", "dev", lab.bridge);
      for (int h = 1; h <= count; h++) {
        lab.hosts.add(
            NetNamespace.onBridge(
                NS_PREFIX + lab.tag + "-h" + h,
                "wsl" + lab.tag + h,
                "wsn" + lab.tag + h,
                lab.bridge,
                lab.gateway(),
                lab.prefix + h));
      }
      return lab;
    } catch (RuntimeException | Error e) {
      lab.close();
      throw e;
    }
  }

  /** Host {@code h}, 1-based. */
  public NetNamespace host(int h) {
    return hosts.get(h - 1);
  }

  public List<NetNamespace> hosts() {
    return List.copyOf(hosts);
  }

  /** The bridge's address: what hosts reach this namespace (the test process) by. */
  public String gateway() {
    return prefix + "254";
  }

  /** A cluster name of this lab's own. */
  public String clusterName() {
    return clusterName;
  }

  /** {@code --cluster-members} for every member a host of this lab may run. */
  public String clusterMembers() {
    return hosts.stream()
        .flatMap(
            h -> IntStream.range(0, MEMBERS_PER_HOST).mapToObj(i -> h.address() + ":" + (5701 + i)))
        .collect(Collectors.joining(","));
  }

  /**
   * Starts a fat-jar node {@code name} inside {@code host}, bound to the host's address on {@code
   * port}, one instance, in this lab's cluster, with {@code extra} arguments after those. Its log
   * is {@code target/it-logs/<name>.log}.
   */
  public JarProcess startNode(NetNamespace host, String name, int port, String... extra) {
    List<String> args =
        new ArrayList<>(
            List.of(
                "node",
                "--name",
                name,
                "--host",
                host.address(),
                "--port",
                "" + port,
                "--instances",
                "1",
                "--cluster-name",
                clusterName,
                "--cluster-members",
                clusterMembers()));
    args.addAll(List.of(extra));
    return start(host, name, args.toArray(String[]::new));
  }

  /**
   * Starts {@code java -jar wsgrid.jar <args>} inside {@code host}, its Hazelcast on the host's
   * address.
   */
  public JarProcess start(NetNamespace host, String name, String... args) {
    List<String> prefix = new ArrayList<>(host.execPrefix());
    prefix.addAll(
        List.of("env", "JAVA_TOOL_OPTIONS=-Dhazelcast.local.localAddress=" + host.address()));
    JarProcess process = JarProcess.start(name, prefix, null, args);
    processes.add(process);
    return process;
  }

  /**
   * Cuts each of {@code cut} off: its link goes down, it reaches nothing (and nothing reaches it,
   * not this process either).
   */
  public void partition(NetNamespace... cut) {
    for (NetNamespace host : cut) host.cut();
  }

  /**
   * Moves {@code side} to a bridge of its own: those hosts reach each other, not the others, not
   * this process.
   */
  public synchronized void split(NetNamespace... side) {
    if (!isolatedBridgeMade) {
      makeBridge(isolatedBridge);
      isolatedBridgeMade = true;
    }
    for (NetNamespace host : side) host.attach(isolatedBridge);
  }

  /** Every host on the bridge again, every link up. */
  public void heal() {
    for (NetNamespace host : hosts) {
      host.attach(bridge);
      host.restore();
    }
  }

  /** {@code kill -STOP} of a process this lab started. */
  public void pause(JarProcess process) {
    signal("STOP", process);
  }

  /** {@code kill -CONT}. */
  public void resume(JarProcess process) {
    signal("CONT", process);
  }

  /**
   * GET {@code url} from inside {@code host} (which reaches its own address while cut off): status
   * and body.
   */
  public NetNamespace.Result get(NetNamespace host, String url) {
    return host.exec("curl", "-s", "-m", "5", "-w", "\n%{http_code}", url);
  }

  /**
   * The one sample of a metric (see {@link PrometheusSamples#value}) of the process at {@code base}
   * (http://address:port), read from inside {@code host}; NaN when it does not answer or has none.
   */
  public double metric(NetNamespace host, String base, String name) {
    NetNamespace.Result result = get(host, base + "/metrics");
    if (result.code() != 0) return Double.NaN;
    // get's curl -w puts the status code on a last line of its own.
    String output = result.output();
    int last = output.lastIndexOf('\n');
    if (last < 0 || !output.substring(last + 1).strip().equals("200")) return Double.NaN;
    return PrometheusSamples.value(output.substring(0, last), name);
  }

  private static void signal(String signal, JarProcess process) {
    NetNamespace.must("kill", "-" + signal, Long.toString(process.pid()));
  }

  private void makeBridge(String name) {
    // Frames crossing the bridge skip the host's iptables (br_netfilter), whose FORWARD rules could
    // drop them.
    NetNamespace.Result made =
        NetNamespace.run(
            List.of(
                "ip",
                "link",
                "add",
                name,
                "type",
                "bridge",
                "nf_call_iptables",
                "0",
                "nf_call_ip6tables",
                "0",
                "nf_call_arptables",
                "0"));
    if (made.code() != 0)
      made = NetNamespace.run(List.of("ip", "link", "add", name, "type", "bridge"));
    if (made.code() != 0) NetNamespace.notPermitted("ip link add " + name + " type bridge", made);
    NetNamespace.must("ip", "link", "set", name, "up");
  }

  /**
   * Ends the processes (resumed first, SIGTERM, SIGKILL after 10 s), removes the hosts and the
   * bridges. Safe to call twice.
   */
  @Override
  public void close() {
    synchronized (this) {
      if (closed) return;
      closed = true;
    }
    try {
      if (Thread.currentThread() != hook) Runtime.getRuntime().removeShutdownHook(hook);
    } catch (IllegalStateException e) { // the JVM is shutting down: the hook runs this anyway
    }
    for (JarProcess process : processes) {
      NetNamespace.run(List.of("kill", "-CONT", Long.toString(process.pid())));
      process.process().destroy();
    }
    long deadline = System.nanoTime() + TimeUnit.SECONDS.toNanos(10);
    for (JarProcess process : processes) {
      try {
        if (!process
            .process()
            .waitFor(Math.max(0, deadline - System.nanoTime()), TimeUnit.NANOSECONDS)) {
          process.process().destroyForcibly().waitFor(5, TimeUnit.SECONDS);
        }
      } catch (InterruptedException e) {
        process.process().destroyForcibly();
        Thread.currentThread().interrupt();
      }
    }
    hosts.forEach(NetNamespace::close);
    NetNamespace.run(List.of("ip", "link", "del", bridge));
    NetNamespace.run(List.of("ip", "link", "del", isolatedBridge));
  }

  /**
   * This JVM's pid in 5 base-36 digits, then 2 random ones: names stay within Linux's 15
   * characters.
   */
  private static String newTag() {
    String pid = Long.toString(ProcessHandle.current().pid(), 36);
    String padded = "0".repeat(Math.max(0, 5 - pid.length())) + pid;
    return padded
        + Integer.toString(36 * 36 + ThreadLocalRandom.current().nextInt(36 * 36 * 35), 36)
            .substring(1, 3);
  }

  /** A 10.a.b.0/24 (a in 100-199) that no address or route here uses. */
  private static String freeSubnet() {
    String used =
        NetNamespace.run(List.of("ip", "-4", "-o", "addr")).output()
            + NetNamespace.run(List.of("ip", "-4", "route")).output();
    for (int attempt = 0; attempt < 100; attempt++) {
      String prefix =
          "10."
              + (100 + ThreadLocalRandom.current().nextInt(100))
              + "."
              + ThreadLocalRandom.current().nextInt(256)
              + ".";
      if (!used.contains(" " + prefix)) return prefix;
    }
    throw new IllegalStateException("no free 10.x.y.0/24 for a test network");
  }

  /**
   * Removes the hosts and bridges of labs whose JVM is gone (killed before its cleanup ran) and
   * that are older than {@link #STALE_AFTER}; never those of a live process.
   */
  private static void removeStaleLabs() {
    for (String line : NetNamespace.run(List.of("ip", "netns", "list")).output().lines().toList()) {
      String name = line.split(" ")[0];
      if (name.startsWith(NS_PREFIX)
          && isStale(name.substring(NS_PREFIX.length()), Path.of("/run/netns", name))) {
        NetNamespace.run(List.of("ip", "netns", "del", name));
      }
    }
    for (String line :
        NetNamespace.run(List.of("ip", "-o", "link", "show", "type", "bridge"))
            .output()
            .lines()
            .toList()) {
      String[] fields = line.split(":\\s+");
      if (fields.length < 2) continue;
      String name = fields[1].split("[@:]")[0];
      if ((name.startsWith("wsgb") || name.startsWith("wsgi"))
          && name.length() == 11
          && isStale(name.substring(4), Path.of("/sys/class/net", name))) {
        NetNamespace.run(List.of("ip", "link", "del", name));
      }
    }
  }

  private static boolean isStale(String tag, Path marker) {
    long pid;
    try {
      pid = Long.parseLong(tag.substring(0, 5), 36);
    } catch (RuntimeException e) {
      return false;
    }
    if (ProcessHandle.of(pid).isPresent()) return false;
    try {
      FileTime made = Files.getLastModifiedTime(marker);
      return made.toInstant().isBefore(Instant.now().minus(STALE_AFTER));
    } catch (IOException e) {
      return false;
    }
  }
}
