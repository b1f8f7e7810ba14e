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
 * A test host of its own: a network namespace joined to this one by a veth pair on a /30 of
 * 10.200-249.x.0, so its address is not loopback. Commands run inside it with {@code ip netns
 * exec}. Where namespaces are not permitted (not root, a container without CAP_NET_ADMIN) the
 * test is skipped with the reason, except under CI (env {@code CI}), where it fails. Removed on
 * close, also when the test failed.
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
    String tag = Long.toString(ProcessHandle.current().pid() % 100_000, 36) + Integer.toString(ThreadLocalRandom.current().nextInt(36 * 36), 36);
    String name = "wsgrid-test-" + tag;
    String hostLink = "wsgh" + tag;
    String nsLink = "wsgn" + tag;
    String prefix = "10." + (200 + ThreadLocalRandom.current().nextInt(50)) + "." + ThreadLocalRandom.current().nextInt(256) + ".";
    int base = 4 * ThreadLocalRandom.current().nextInt(64);
    NetNamespace ns = new NetNamespace(name, hostLink, prefix + (base + 1), prefix + (base + 2));
    Result added = run(List.of("ip", "netns", "add", name));
    if (added.code() != 0) {
      String why = "network namespaces are not permitted here (ip netns add: " + added.output().strip()
          + "): run the fault suite as root or with CAP_NET_ADMIN";
      if (System.getenv("CI") != null) throw new AssertionError(why);
      Assumptions.abort(why);
    }
    try {
      ns.must("ip", "link", "add", hostLink, "type", "veth", "peer", "name", nsLink);
      ns.must("ip", "link", "set", nsLink, "netns", name);
      ns.must("ip", "addr", "add", ns.hostAddress + "/30", "dev", hostLink);
      ns.must("ip", "link", "set", hostLink, "up");
      ns.must("ip", "netns", "exec", name, "ip", "addr", "add", ns.address + "/30", "dev", nsLink);
      ns.must("ip", "netns", "exec", name, "ip", "link", "set", nsLink, "up");
      ns.must("ip", "netns", "exec", name, "ip", "link", "set", "lo", "up");
      return ns;
    } catch (RuntimeException | Error e) {
      ns.close();
      throw e;
    }
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
    List<String> full = new ArrayList<>(List.of("ip", "netns", "exec", name));
    full.addAll(List.of(command));
    return run(full);
  }

  private void must(String... command) {
    Result result = run(List.of(command));
    if (result.code() != 0) throw new AssertionError(String.join(" ", command) + " failed: " + result.output());
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
        Process process = new ProcessBuilder(command).redirectErrorStream(true).redirectOutput(output.toFile()).start();
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
