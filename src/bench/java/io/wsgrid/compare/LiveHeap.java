package io.wsgrid.compare;

import java.io.IOException;
import java.nio.file.Path;
import java.util.concurrent.TimeUnit;

/**
 * A JVM's live heap: the total of {@code jcmd <pid> GC.class_histogram}, which runs a full GC and
 * then counts every object still reachable, class by class (what {@code jmap -histo:live} prints).
 * Unlike the heap's "used" after a GC it counts objects only, not the regions around them, so two
 * readings differ by what the process keeps alive between them.
 */
final class LiveHeap {
  private LiveHeap() {}

  /** The live heap of JVM {@code pid} of this user, in bytes. */
  static long bytes(long pid) throws IOException, InterruptedException {
    Process jcmd =
        new ProcessBuilder(
                Path.of(System.getProperty("java.home"), "bin", "jcmd").toString(),
                String.valueOf(pid),
                "GC.class_histogram")
            .redirectErrorStream(true)
            .start();
    byte[] out = jcmd.getInputStream().readAllBytes();
    if (!jcmd.waitFor(120, TimeUnit.SECONDS) || jcmd.exitValue() != 0) {
      throw new IOException(
          "jcmd "
              + pid
              + " GC.class_histogram failed: is "
              + pid
              + " a running JVM of this user? "
              + tail(new String(out)));
    }
    return total(new String(out));
  }

  /** The bytes of a class histogram's {@code Total} line (its last column). */
  static long total(String histogram) {
    String[] lines = histogram.split("\n");
    for (int i = lines.length - 1; i >= 0; i--) {
      String[] fields = lines[i].trim().split("\\s+");
      if (fields.length == 3 && fields[0].equals("Total")) return Long.parseLong(fields[2]);
    }
    throw new IllegalStateException("no 'Total' line in the class histogram: " + tail(histogram));
  }

  private static String tail(String text) {
    return text.length() <= 300 ? text.strip() : "…" + text.substring(text.length() - 300).strip();
  }
}
