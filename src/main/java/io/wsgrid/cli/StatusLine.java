package io.wsgrid.cli;

import java.io.PrintStream;
import java.util.Objects;
import java.util.concurrent.TimeUnit;

/**
 * The output of {@code local}: its children's log lines, and one status line ("waiting for n2, n3
 * …"). On a terminal the status is a single line rewritten in place, kept below the log lines;
 * elsewhere (CI logs, a file) it is printed as a line when what it says changes, and otherwise at
 * most every {@link #REPEAT_SECONDS} seconds. Thread-safe: log lines come from one thread per
 * child.
 */
final class StatusLine {
  static final long REPEAT_SECONDS = 5;
  private static final String CLEAR = "\r\033[K";

  private final PrintStream out;
  private final boolean terminal;
  private final long repeatNanos;
  private String shown;
  private String lastKey;
  private long lastPrintedAt;

  StatusLine(PrintStream out, boolean terminal, long repeatSeconds) {
    this.out = out;
    this.terminal = terminal;
    this.repeatNanos = TimeUnit.SECONDS.toNanos(repeatSeconds);
  }

  /** Standard output; a terminal when the JVM has a console and TERM is not "dumb". */
  static StatusLine stdout() {
    return new StatusLine(
        System.out,
        System.console() != null && !"dumb".equals(System.getenv("TERM")),
        REPEAT_SECONDS);
  }

  /** A log line, printed above the status. */
  synchronized void println(String line) {
    if (shown != null) out.print(CLEAR);
    out.println(line);
    if (shown != null) out.print(shown);
    out.flush();
  }

  /**
   * Shows {@code text} as the status. {@code key} is what it says without the clock ("waiting for
   * n2, n3"): off a terminal, a new key prints at once, the same key again only every few seconds.
   */
  synchronized void status(String key, String text) {
    if (terminal) {
      shown = text;
      out.print(CLEAR + text);
    } else {
      long now = System.nanoTime();
      if (Objects.equals(key, lastKey) && now - lastPrintedAt < repeatNanos) return;
      lastKey = key;
      lastPrintedAt = now;
      out.println(text);
    }
    out.flush();
  }

  /** Ends the status with a last line that stays. */
  synchronized void done(String text) {
    if (shown != null) out.print(CLEAR);
    shown = null;
    lastKey = null;
    out.println(text);
    out.flush();
  }
}
