package io.wsgrid.testing;

import java.io.IOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.ThreadLocalRandom;
import java.util.concurrent.TimeUnit;
import org.junit.jupiter.api.Assumptions;

/**
 * A test host of its own: a network namespace joined to this one by a veth pair, so its address is
 * not loopback. {@link #create} makes a lone host on a /30 of 10.200-249.x.0; {@link NetworkLab}
 * makes several on one bridge. Commands run inside it with {@code ip netns exec}. Where namespaces
 * are not permitted (not root, a container without CAP_NET_ADMIN) the test is skipped with the
 * reason, except under CI (env {@code CI}), where it fails. Removed on close, also when the test
 * failed.
 */
public final class NetNamespace implements AutoCloseable {
  private final String name;
  private final String hostLink;
  private final String hostAddress;
  private final String address;

  private NetNamespace(String name, String hostLink, String hostAddress, String address) {
    this.name = name;
    this.hostLink = hostLink;
    this.hostAddress = hostAddress;
    this.address = address;
  }

  /** Creates the namespace and its link, or skips the test (fails it under CI) saying why. */
  public static NetNamespace create() {
    String tag =
        Long.toString(ProcessHandle.current().pid() % 100_000, 36)
            + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    String prefix =
        "10."
            + (200 + ThreadLocalRandom.current().nextInt(50))
            + "."
            + ThreadLocalRandom.current().nextInt(256)
            + ".";
    int base = 4 * ThreadLocalRandom.current().nextInt(64);
    NetNamespace ns =
        add("wsgrid-test-" + tag, "wsgh" + tag, prefix + (base + 1), prefix + (base + 2));
    try {
      ns.link("wsgn" + tag, 30);
      ns.must("ip", "addr", "add", ns.hostAddress + "/30", "dev", ns.hostLink);
      ns.must("ip", "link", "set", ns.hostLink, "up");
      return ns;
    } catch (RuntimeException | Error e) {
      ns.close();
      throw e;
    }
  }

  /**
   * A host on {@code bridge}: namespace {@code name}, its address {@code address/24}, its link's
   * end in this namespace {@code hostLink} (enslaved to the bridge, which has {@code gateway}).
   */
  static NetNamespace onBridge(
      String name, String hostLink, String nsLink, String bridge, String gateway, String address) {
    NetNamespace ns = add(name, hostLink, gateway, address);
    try {
      ns.link(nsLink, 24);
      ns.must("ip", "link", "set", hostLink, "master", bridge);
      ns.must("ip", "link", "set", hostLink, "up");
      return ns;
    } catch (RuntimeException | Error e) {
      ns.close();
      throw e;
    }
  }

  /** Adds the namespace, or skips the test (fails it under CI) when that is not permitted here. */
  private static NetNamespace add(
      String name, String hostLink, String hostAddress, String address) {
    Result added = run(List.of("ip", "netns", "add", name));
    if (added.code() != 0) notPermitted("ip netns add", added);
    return new NetNamespace(name, hostLink, hostAddress, address);
  }

  /** Skips the test, or fails it under CI (env {@code CI}), because {@code what} was refused. */
  static void notPermitted(String what, Result refused) {
    String why =
        "network namespaces are not permitted here ("
            + what
            + ": "
            + refused.output().strip()
            + "): run the fault suite as root or with CAP_NET_ADMIN";
    if (System.getenv("CI") != null) throw new AssertionError(why);
    Assumptions.abort(why);
  }

  /**
   * The veth pair: {@code nsLink} inside with the address, loopback up; {@link #hostLink} left
   * here, down.
   */
  private void link(String nsLink, int prefixLength) {
    must("ip", "link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
    must("ip", "link", "set", nsLink, "netns", name);
    must(
        "ip",
        "netns",
        "exec",
        name,
        "ip",
        "addr",
        "add",
        address + "/" + prefixLength,
        "dev",
        nsLink);
    must("ip", "netns", "exec", name, "ip", "link", "set", nsLink, "up");
    must("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
  }

  /** The namespace's name, for {@code ip netns exec}. */
  public String name() {
    return name;
  }

  /** This host's address on the link: what the namespace reaches it by. */
  public String hostAddress() {
    return hostAddress;
  }

  /** The namespace's own address, the source of everything it sends. */
  public String address() {
    return address;
  }

  /** Runs a command inside the namespace (bounded to 60 s) and returns its exit code and output. */
  public Result exec(String... command) {
    List<String> full = new ArrayList<>(execPrefix());
    full.addAll(List.of(command));
    return run(full);
  }

  /**
   * What runs a command inside the namespace: {@code ip netns exec <name>}, which execs it (its pid
   * stays).
   */
  public List<String> execPrefix() {
    return List.of("ip", "netns", "exec", name);
  }

  /** Takes the link down (a cable pulled): the namespace reaches nothing but itself. */
  public void cut() {
    must("ip", "link", "set", hostLink, "down");
  }

  /** Brings the link up again. */
  public void restore() {
    must("ip", "link", "set", hostLink, "up");
  }

  /** Moves this end of the link to another bridge. */
  void attach(String bridge) {
    must("ip", "link", "set", hostLink, "master", bridge);
  }

  static void must(String... command) {
    Result result = run(List.of(command));
    if (result.code() != 0)
      throw new AssertionError(String.join(" ", command) + " failed: " + result.output());
  }

  @Override
  public void close() {
    run(List.of("ip", "netns", "del", name)); // takes its end of the pair, and so the pair, with it
    run(List.of("ip", "link", "del", hostLink));
  }

  /** A command's exit code and its output (stdout and stderr). */
  public record Result(int code, String output) {}

  /** Runs a command on this host (bounded to 60 s). */
  public static Result run(List<String> command) {
    try {
      Path output = Files.createTempFile("wsgrid-netns", ".out");
      try {
        Process process =
            new ProcessBuilder(command)
                .redirectErrorStream(true)
                .redirectOutput(output.toFile())
                .start();
        if (!process.waitFor(60, TimeUnit.SECONDS)) {
          process.destroyForcibly();
          return new Result(-1, String.join(" ", command) + " did not finish within 60 s");
        }
        return new Result(process.exitValue(), Files.readString(output, StandardCharsets.UTF_8));
      } finally {
        Files.deleteIfExists(output);
      }
    } catch (IOException e) {
      return new Result(-1, e.toString());
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return new Result(-1, "interrupted");
    }
  }
}
