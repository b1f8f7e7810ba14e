package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code --only} picks sections by name and says which names exist. */
class SettingsTest {
  private static Settings only(Set<String> sections) {
    return new Settings(3, Path.of("out.md"), Path.of("peers"), Path.of("src/bench"), 9100, false, sections, List.of("-XX:+UseZGC"));
  }

  @Test
  void everySectionRunsByDefaultInItsOrder() {
    Settings settings = only(Set.of());
    assertThat(settings.sections()).extracting(Section::name).containsExactly("single", "idle", "cluster", "edge", "balance");
    assertThat(settings.jvmFlags()).containsExactly("-XX:+UseZGC");
  }

  @Test
  void onlyTheNamedSectionsRunInTheirOrder() {
    Settings settings = only(Set.of("edge", "cluster"));
    assertThat(settings.sections()).extracting(Section::name).containsExactly("cluster", "edge");
    assertThat(settings.runs("single")).isFalse();
  }

  @Test
  void anUnknownSectionIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> only(Set.of("cluster", "clsuter")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--only takes single, idle, cluster, edge, balance; got 'clsuter'");
  }
}
