package io.wsgrid.bench;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.assertThatThrownBy;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;
import org.junit.jupiter.api.Test;

/** {@code bench compare --only} picks sections by name and says which names exist. */
class CompareSettingsTest {
  private static Compare.Settings only(Set<String> sections) {
    return new Compare.Settings(3, Path.of("out.md"), Path.of("peers"), 9100, false, sections, List.of("-XX:+UseZGC"));
  }

  @Test
  void everySectionRunsByDefault() {
    Compare.Settings settings = only(Set.of());
    assertThat(Compare.Settings.SECTIONS).allMatch(settings::runs);
    assertThat(settings.jvmFlags()).containsExactly("-XX:+UseZGC");
  }

  @Test
  void onlyTheNamedSectionsRun() {
    Compare.Settings settings = only(Set.of("cluster", "edge"));
    assertThat(settings.runs("cluster")).isTrue();
    assertThat(settings.runs("edge")).isTrue();
    assertThat(settings.runs("single")).isFalse();
    assertThat(settings.runs("idle")).isFalse();
    assertThat(settings.runs("balance")).isFalse();
  }

  @Test
  void anUnknownSectionIsRefusedWithTheKnownOnes() {
    assertThatThrownBy(() -> only(Set.of("cluster", "clsuter")))
        .isInstanceOf(IllegalArgumentException.class)
        .hasMessage("--only takes single, idle, cluster, edge, balance; got 'clsuter'");
  }
}
