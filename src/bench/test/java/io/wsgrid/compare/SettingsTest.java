package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/**
 * {@code --only} picks sections by name and says which names exist; the sections that take minutes
 * of their own run only when named.
 */
class SettingsTest {
  private static Settings only(Set<String> sections) {
    return new Settings(
        3,
        Path.of("out.md"),
        Path.of("peers"),
        Path.of("src/bench"),
        9100,
        false,
        sections,
        List.of("-XX:+UseZGC"),
        1_000_000);
  }

  @Test
  void everySectionThatRunsByDefaultRunsInItsOrder() {
    Settings settings = only(Set.of());
    assertThat(settings.sections())
        .extracting(Section::name)
        .containsExactly("single", "idle", "cpu", "small", "state", "cluster", "edge", "balance");
    assertThat(settings.jvmFlags()).containsExactly("-XX:+UseZGC");
  }

  @Test
  void onlyTheNamedSectionsRunInTheirOrder() {
    Settings settings = only(Set.of("edge", "cluster"));
    assertThat(settings.sections()).extracting(Section::name).containsExactly("cluster", "edge");
  }

  @Test
  void theMillionChannelsRunOnlyWhenNamed() {
    assertThat(only(Set.of("million")).sections())
        .extracting(Section::name)
        .containsExactly("million");
    assertThat(only(Set.of("million", "state")).sections())
        .extracting(Section::name)
        .containsExactly("state", "million");
  }

  @Test
  void anUnknownSectionIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> only(Set.of("cluster", "clsuter")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage(
            "--only takes single, idle, cpu, small, state, cluster, edge, balance, million; got 'clsuter'");
  }

  @Test
  void aMillionSectionOfTooFewOrTooManyChannelsIsRefused() {
    assertThatThrownBy(
            () ->
                new Settings(
                    1,
                    Path.of("o"),
                    Path.of("p"),
                    Path.of("s"),
                    9100,
                    true,
                    Set.of("million"),
                    List.of(),
                    999))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--million-channels must be between 1000 and 10000000; got 999");
  }
}
