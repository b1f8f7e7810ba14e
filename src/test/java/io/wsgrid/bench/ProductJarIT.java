package io.wsgrid.bench;

import static org.assertj.core.api.Assertions.assertThat;

import io.wsgrid.testing.JarProcess;
import java.util.List;
import java.util.jar.JarFile;
import java.util.zip.ZipEntry;
import org.junit.jupiter.api.Test;

/**
 * The product jar carries the load generator ({@code bench fanout|connect|idle|balance}) and not
 * the comparison harness, which lives in {@code src/bench} and is compiled beside it.
 */
class ProductJarIT {
  @Test
  void theJarHoldsTheLoadGeneratorButNotTheComparisonHarness() throws Exception {
    try (JarFile jar = new JarFile(JarProcess.jar())) {
      List<String> classes =
          jar.stream()
              .map(ZipEntry::getName)
              .filter(n -> n.startsWith("io/wsgrid/") && n.endsWith(".class"))
              .toList();
      assertThat(classes)
          .contains(
              "io/wsgrid/bench/FanoutScenario.class",
              "io/wsgrid/bench/Bench.class",
              "io/wsgrid/cli/Main.class");
      assertThat(classes)
          .as("the comparison harness (src/bench/java) must stay out of the product jar")
          .noneMatch(n -> n.startsWith("io/wsgrid/compare/"))
          .doesNotContain(
              "io/wsgrid/bench/Compare.class",
              "io/wsgrid/bench/Servers.class",
              "io/wsgrid/bench/Gaps.class");
    }
  }
}
