package io.wsgrid.testing;

import java.io.IOException;
import java.net.InetAddress;
import java.net.ServerSocket;

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

  public static String clusterName(String test) {
    return "it-" + test + "-" + ProcessHandle.current().pid() + "-" + Long.toHexString(System.nanoTime());
  }
}
