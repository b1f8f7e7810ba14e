package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.compare.Sweeps.Names;
import java.nio.file.Path;
import java.util.HashSet;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * How sweeps name their channels: fresh names are never used twice, reused ones are always the
 * same.
 */
class SweepsTest {
  private static Sweeps sweeps() {
    Settings settings =
        new Settings(
            1,
            Path.of("o"),
            Path.of("p"),
            Path.of("src/bench"),
            9100,
            true,
            Set.of(),
            List.of(),
            1_000_000);
    return new Sweeps(null, settings, null, new Comparison.Shape(10, 10, 1, 128), null);
  }

  @Test
  void freshNamesAreNewAtEveryStepAndOfNoOtherComparison() {
    Sweeps one = sweeps();
    Set<String> seen = new HashSet<>();
    for (int i = 0; i < 100; i++)
      assertThat(seen.add(one.prefix(Names.FRESH))).as("step %d", i).isTrue();
    for (int i = 0; i < 10; i++)
      assertThat(seen.add(one.prefix(Names.PER_SWEEP))).as("sweep %d", i).isTrue();
    assertThat(sweeps().prefix(Names.FRESH)).as("another comparison's first name").isNotIn(seen);
    assertThat(seen)
        .allMatch(
            p -> p.matches("[A-Za-z0-9_.:-]+\\.") && p.length() < 100,
            "a valid channel name once a number follows");
  }

  @Test
  void reusedNamesAreTheSameEveryTime() {
    Sweeps one = sweeps();
    assertThat(one.prefix(Names.REUSED))
        .isEqualTo(one.prefix(Names.REUSED))
        .isEqualTo(sweeps().prefix(Names.REUSED));
  }
}
