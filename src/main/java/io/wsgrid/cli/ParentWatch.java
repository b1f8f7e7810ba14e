package io.wsgrid.cli;

import java.io.IOException;
import java.io.InputStream;
import org.slf4j.LoggerFactory;

/**
 * Ties a child of {@code local} to it. The child ignores SIGINT: Ctrl-C in a terminal reaches the
 * whole process group, and {@code local} stops its children itself, in order. {@code local} says
 * "stop" by closing the child's stdin; the same happens when {@code local} dies, and the child's
 * {@link #onParentStop action} runs either way (until one is set: exit).
 */
final class ParentWatch {
  private static volatile Runnable action = () -> System.exit(0);

  private ParentWatch() {}

  /** Starts watching when {@code parentPid} is set (the hidden {@code --exit-with-parent}). */
  static void start(long parentPid) {
    if (parentPid <= 0) return;
    ignoreInterrupt();
    Thread stdin =
        new Thread(
            () -> {
              InputStream in = System.in;
              try {
                while (in.read() >= 0) {
                  // local writes nothing: only the end of the stream counts.
                }
              } catch (IOException e) {
                // A broken pipe ends the stream too.
              }
              action.run();
            },
            "wsgrid-parent-watch");
    stdin.setDaemon(true);
    stdin.start();
    ProcessHandle.of(parentPid)
        .ifPresentOrElse(parent -> parent.onExit().thenRun(() -> action.run()), () -> action.run());
  }

  /**
   * What to do once the parent stops, instead of exiting at once: stop the role, then return from
   * main.
   */
  static void onParentStop(Runnable stop) {
    action = stop;
  }

  @SuppressWarnings("restriction")
  private static void ignoreInterrupt() {
    try {
      sun.misc.Signal.handle(new sun.misc.Signal("INT"), sun.misc.SignalHandler.SIG_IGN);
    } catch (IllegalArgumentException | UnsupportedOperationException e) {
      LoggerFactory.getLogger(ParentWatch.class).debug("cannot ignore SIGINT: {}", e.toString());
    }
  }
}
