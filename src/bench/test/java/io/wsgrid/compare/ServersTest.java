package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/**
 * What the comparison reads from /proc to tell when a JVM's compilers are done (its warm-up rule).
 */
class ServersTest {
  @Test
  void aCompilerThreadsTimeIsItsUserPlusSystemTicks(@TempDir Path task) throws Exception {
    Files.writeString(task.resolve("comm"), "C2 CompilerThre\n");
    // /proc/<pid>/task/<tid>/stat: pid (comm) state ppid … utime (14th) stime (15th) …; comm may
    // hold spaces and parentheses.
    Files.writeString(
        task.resolve("stat"),
        "4242 (C2 Compiler (x)) S 1 2 3 4 5 6 7 8 9 10 1234 56 0 0 20 0 1 0 99\n");
    assertThat(Servers.compilerTicks(task)).isEqualTo(1234 + 56);
  }

  @Test
  void otherThreadsAndUnreadableTasksCountNothing(@TempDir Path task) throws Exception {
    Files.writeString(task.resolve("comm"), "vert.x-eventloo\n");
    Files.writeString(
        task.resolve("stat"),
        "4243 (vert.x-eventloo) S 1 2 3 4 5 6 7 8 9 10 777 88 0 0 20 0 1 0 99\n");
    assertThat(Servers.compilerTicks(task)).isZero();
    assertThat(Servers.compilerTicks(task.resolve("gone"))).isZero();
  }

  @Test
  void theLoadGeneratorsOwnCompilersAreCounted() {
    // This JVM compiles as it runs: within a few seconds of work its compiler threads show ticks.
    long deadline = System.nanoTime() + 10_000_000_000L;
    long sink = 0;
    while (Servers.ownJitMillis() == 0 && System.nanoTime() < deadline) {
      for (int i = 0; i < 100_000; i++) sink += String.valueOf(i ^ sink).hashCode();
    }
    assertThat(Servers.ownJitMillis())
        .as("compiler threads of pid %d (sink %d)", ProcessHandle.current().pid(), sink)
        .isPositive();
  }

  @Test
  void theMachinesBusyTimeIsAtMostItsTotal() {
    long[] jiffies = Servers.machineJiffies();
    assertThat(jiffies[0]).as("this test runs on Linux, as the comparison does").isPositive();
    assertThat(jiffies[1]).isBetween(0L, jiffies[0]);
  }
}
