package io.wsgrid.compare;

import java.util.List;

/**
 * Every section of the comparison, in the order it runs. A new section is a class implementing
 * {@link Section}, a line here, and its prose in {@code src/bench/sections/<name>.md}.
 */
final class Sections {
  static final List<Section> ALL = List.of(new SingleNodeSection(), new IdleSection(), new ClusterSection(), new EdgeSection(),
      new BalanceSection());

  private Sections() {}

  static List<String> names() {
    return ALL.stream().map(Section::name).toList();
  }
}
