package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;

import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

/** What RESULTS.md shows: the rows, the misses, and the tables a section adds under them. */
class ResultsTest {
  @Test
  void aSectionsTableFollowsTheMissedTargets(@TempDir Path dir) throws Exception {
    Path out = dir.resolve("RESULTS.md");
    Settings settings =
        new Settings(
            1,
            out,
            Path.of("peers"),
            Path.of("src/bench"),
            9100,
            true,
            Set.of("million"),
            List.of(),
            100_000);
    Results results = new Results(Analysis.load(settings.prose(), Sections.names()));
    results.row(
        "100,000 distinct channels …: node up, live heap flat",
        "up; +1.0 B per channel",
        "—",
        "—",
        "up, ≤ 100 B per channel",
        true,
        "");
    results.table(
        "A million channels on one node: live heap over time",
        "What the samples are.",
        List.of("seconds", "channels published", "live heap (MiB)", "channels held"),
        List.of(List.of("0", "0", "41.2", "0"), List.of("10", "52,000", "55.0", "51,000")));
    results.write(settings, List.of("CPU: test"));
    String md = Files.readString(out);
    assertThat(md)
        .contains(
            "| 100,000 distinct channels …: node up, live heap flat | up; +1.0 B per channel | — | — | up, ≤ 100 B per channel | met |")
        .contains(
            """
            ## A million channels on one node: live heap over time

            What the samples are.

            | seconds | channels published | live heap (MiB) | channels held |
            |---|---|---|---|
            | 0 | 0 | 41.2 | 0 |
            | 10 | 52,000 | 55.0 | 51,000 |
            """);
    assertThat(md.indexOf("## Missed targets")).isLessThan(md.indexOf("## A million channels"));
    assertThat(md.indexOf("## A million channels"))
        .isLessThan(md.indexOf("## Machine and versions"));
  }

  @Test
  void theCpuPerPublicationRowComparesMicrosecondsPerPublication(@TempDir Path dir)
      throws Exception {
    Path out = dir.resolve("RESULTS.md");
    Settings settings =
        new Settings(
            1,
            out,
            Path.of("peers"),
            Path.of("src/bench"),
            9100,
            true,
            Set.of("small"),
            List.of(),
            100_000);
    Results results = new Results(Analysis.load(settings.prose(), Sections.names()));
    results.cpuPerPublication(
        "many small channels, fresh channel names",
        new Sweeps.Swept(9_000, 9_000, new Steps.Cost(40, 9, 0.8, 40)),
        new Sweeps.Swept(6_000, 6_000, new Steps.Cost(80, 10, 0.7, 80)),
        "Socket.IO + Redis, the 3 processes");
    results.cpuPerPublication(
        "many small channels, reused channel names",
        new Sweeps.Swept(0, 0, Steps.Cost.NONE),
        new Sweeps.Swept(6_000, 6_000, new Steps.Cost(80, 10, 0.7, 80)),
        "Socket.IO");
    results.write(settings, List.of());
    assertThat(Files.readString(out))
        .contains("| — (no step passed) | 80.0 µs (Socket.IO); 10.0 ms; 70 % | — |")
        .contains(
            "| many small channels, fresh channel names: server CPU per publication at the best step"
                + " (lower is better); load generator's per 1,000 deliveries; machine busy | 40.0 µs; 9.0 ms; 80 % | 80.0 µs (Socket.IO + Redis,"
                + " the 3 processes); 10.0 ms; 70 % | 0.50× the peer's | — | (informative) |");
  }
}
