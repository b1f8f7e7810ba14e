package io.wsgrid.cli;

/** Ends this process when the process that started it ends (children of {@code local}). */
final class ParentWatch {
  private ParentWatch() {}

  static void exitWith(long parentPid) {
    if (parentPid <= 0) return;
    ProcessHandle.of(parentPid).ifPresentOrElse(
        parent -> parent.onExit().thenRun(() -> System.exit(0)),
        () -> System.exit(0));
  }
}
