package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;
import static org.assertj.core.api.Assertions.entry;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** The prose RESULTS.md inlines, read from the markdown under src/bench. */
class AnalysisTest {
  private static final Path PROSE = Path.of("src/bench");

  private static Analysis shipped() throws Exception {
    return Analysis.load(PROSE, Sections.names());
  }

  @Test
  void eachTargetRowGetsItsOwnCause() throws Exception {
    Analysis analysis = shipped();
    assertThat(analysis.cause("single-node fan-out, deliveries/s at p99 < 50 ms"))
        .contains("loopback send")
        .contains("2X/(X+L)");
    assertThat(analysis.cause("3-node cluster fan-out, deliveries/s at p99 < 50 ms"))
        .contains("Hazelcast");
    assertThat(analysis.cause("edge tunnel: connects/s (3000 sockets, 100 in flight)"))
        .contains("43 system calls");
    assertThat(analysis.cause("edge tunnel: fan-out throughput (deliveries/s at p99 < 50 ms)"))
        .contains("same few rates");
    assertThat(analysis.cause("edge tunnel: added p99 latency at 113 publications/s (…)"))
        .contains("loopback hop");
    assertThat(
            analysis.cause("idle sockets on one node: RSS per socket (15000 held, fresh process)"))
        .isEqualTo(
            analysis.cause(
                "idle sockets, the same on JDK 25 with -XX:+UseCompactObjectHeaders (1 run)"))
        .contains("outbound queue")
        .as("a cause is one line, to follow its row's bullet")
        .doesNotContain("\n");
  }

  @Test
  void aMissWithoutAKnownCauseSaysWhatToDo() throws Exception {
    assertThat(shipped().cause("balance, 10000 connects over 4 nodes, power-of-two: max/mean"))
        .startsWith("No cause found yet")
        .contains("run.sh --only")
        .contains("src/bench/sections/");
  }

  @Test
  void theGapShowsTheRatioAgainstItsTarget() {
    assertThat(Analysis.ratioGap(0.6049, 0.9)).isEqualTo("0.60× against ≥ 0.9×");
  }

  @Test
  void everySectionHasATitleAndAMethodAndTheSharedMethodComesWithoutItsTitleAndNotes()
      throws Exception {
    Analysis analysis = shipped();
    for (String section : Sections.names()) {
      assertThat(analysis.title(section)).as(section).isNotBlank();
      assertThat(analysis.method(section)).as(section).startsWith("- ");
    }
    assertThat(analysis.method())
        .startsWith("- Every server")
        .doesNotContain("<!--")
        .doesNotContain("# How");
  }

  @Test
  void aPageKeepsItsMethodAsWrittenAndJoinsEachCauseIntoOneLine() {
    Analysis.Page page =
        Analysis.parse(
            Path.of("x.md"),
            """
        # many small channels: one line
        <!-- a note for editors,
             over two lines -->
        Some words for readers of the page only.

        ## Method

        - First point,
          continued.
        - Second point.

        ## Cause when missed: many small channels, deliveries/s

        Because
        of this.
        """);
    assertThat(page.title()).isEqualTo("many small channels: one line");
    assertThat(page.method()).isEqualTo("- First point,\n  continued.\n- Second point.");
    assertThat(page.causes())
        .containsExactly(entry("many small channels, deliveries/s", "Because of this."));
  }

  @Test
  void aMissingOrMisshapenPageIsRefusedBeforeAnythingRunsAndSaysWhatToWrite(@TempDir Path dir)
      throws Exception {
    assertThatThrownBy(() -> Analysis.load(dir, List.of("single")))
        .isInstanceOf(IllegalStateException.class)
        .hasMessageContaining(dir.resolve("method.md") + " is missing");
    Files.writeString(dir.resolve("method.md"), "# How\n\n- all of it\n");
    Files.createDirectories(dir.resolve("sections"));
    assertThatThrownBy(() -> Analysis.load(dir, List.of("single")))
        .hasMessageContaining(dir.resolve("sections/single.md") + " is missing")
        .hasMessageContaining("'## Method'");
    Files.writeString(
        dir.resolve("sections/single.md"),
        "# single\n\n## Method\n\n- one node\n\n## Cause if missed: x\n\ny\n");
    assertThatThrownBy(() -> Analysis.load(dir, List.of("single")))
        .hasMessageContaining("unexpected heading '## Cause if missed: x'")
        .hasMessageContaining("'## Cause when missed: ");
    Files.writeString(dir.resolve("sections/single.md"), "# single\n\nno method\n");
    assertThatThrownBy(() -> Analysis.load(dir, List.of("single")))
        .hasMessageContaining("the title or the method is missing");
  }
}
