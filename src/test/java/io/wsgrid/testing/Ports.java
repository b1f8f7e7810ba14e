package io.wsgrid.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;
import java.util.concurrent.ThreadLocalRandom;

/** Free TCP ports on 127.0.0.1, and unique cluster names so test clusters never merge. */
public final class Ports {
  private Ports() {}

  public static int free() {
    try (ServerSocket socket = new ServerSocket(0, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port on 127.0.0.1", e);
    }
  }

  /** A TCP port free on every address, for a process that binds 0.0.0.0. */
  public static int freeOnEveryAddress() {
    try (ServerSocket socket = new ServerSocket(0)) {
      socket.setReuseAddress(true);
      return socket.getLocalPort();
    } catch (IOException e) {
      throw new IllegalStateException("no free port", e);
    }
  }

  /**
   * A Hazelcast base port of its own for a test cluster, so test clusters (and anything left on
   * 5701-5720) never probe each other: 20 ports in 30000-49999.
   */
  public static int clusterPort() {
    for (int attempt = 0; attempt < 100; attempt++) {
      int base = 30_000 + 20 * ThreadLocalRandom.current().nextInt(1000);
      if (isFree(base) && isFree(base + 1) && isFree(base + 2)) return base;
    }
    throw new IllegalStateException("no free Hazelcast port range");
  }

  private static boolean isFree(int port) {
    try (ServerSocket socket = new ServerSocket(port, 1, InetAddress.getLoopbackAddress())) {
      socket.setReuseAddress(true);
      return true;
    } catch (IOException e) {
      return false;
    }
  }

  /**
   * A first port whose next {@code count - 1} ports are free too (edge + nodes of {@code local}).
   */
  public static int freeRange(int count) {
    for (int attempt = 0; attempt < 100; attempt++) {
      int first = 20_000 + ThreadLocalRandom.current().nextInt(9_000);
      boolean free = true;
      for (int p = first; p < first + count && free; p++) free = isFree(p);
      if (free) return first;
    }
    throw new IllegalStateException("no free range of " + count + " ports");
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
