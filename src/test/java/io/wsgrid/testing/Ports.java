package io.wsgrid.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.Set;
import java.util.concurrent.ConcurrentHashMap;
import java.util.concurrent.ThreadLocalRandom;

/**
 * Free TCP ports on 127.0.0.1, and unique cluster names so test clusters never merge.
 *
 * <p>Every port comes from below the kernel's ephemeral range (32768-60999 on Linux): a port the
 * kernel handed out for a moment ({@code new ServerSocket(0)}) is the one it may give next to an
 * outgoing connection (a client, a Hazelcast member), which then holds it when the test's server
 * binds ("Address already in use", seen with two test JVMs side by side). Servers: 10000-19999;
 * ranges for {@code local}: 20000-25999; Hazelcast bases: 26000-32599. A port handed out once is
 * not handed out again by this JVM.
 */
public final class Ports {
  private static final Set<Integer> given = ConcurrentHashMap.newKeySet();

  private Ports() {}

  public static int free() {
    return pick(10_000, 10_000, 1, 1);
  }

  /** A TCP port free on every address, for a process that binds 0.0.0.0. */
  public static int freeOnEveryAddress() {
    for (int attempt = 0; attempt < 200; attempt++) {
      int port = 10_000 + ThreadLocalRandom.current().nextInt(10_000);
      if (given.contains(port)) continue;
      try (ServerSocket socket = new ServerSocket(port)) {
        socket.setReuseAddress(true);
      } catch (IOException e) {
        continue;
      }
      if (given.add(port)) return port;
    }
    throw new IllegalStateException("no free port in 10000-19999");
  }

  /**
   * A Hazelcast base port of its own for a test cluster, so test clusters (and anything left on
   * 5701-5720) never probe each other: 20 ports in 26000-32599, the first three free.
   */
  public static int clusterPort() {
    return pick(26_000, 330, 20, 3);
  }

  /**
   * A first port whose next {@code count - 1} ports are free too (edge + nodes of {@code local}).
   */
  public static int freeRange(int count) {
    return pick(20_000, 6_000 - count, 1, count);
  }

  /**
   * A port {@code base + step * i} (i below {@code slots}) whose next {@code count - 1} are free
   * too.
   */
  private static int pick(int base, int slots, int step, int count) {
    for (int attempt = 0; attempt < 200; attempt++) {
      int first = base + step * ThreadLocalRandom.current().nextInt(slots);
      boolean free = true;
      for (int p = first; p < first + count && free; p++) free = !given.contains(p) && isFree(p);
      if (!free) continue;
      boolean mine = true;
      for (int p = first; p < first + count && mine; p++) mine = given.add(p);
      if (mine) return first;
    }
    throw new IllegalStateException(
        "no free range of "
            + count
            + " ports from "
            + base
            + " (is something holding them? ss -ltn)");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  public static String clusterName(String test) {
    return "it-"
        + test
        + "-"
        + ProcessHandle.current().pid()
        + "-"
        + Long.toHexString(System.nanoTime());
  }
}
