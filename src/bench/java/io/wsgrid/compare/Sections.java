package io.wsgrid.compare;

import java.util.List;

/**
 * Every section of the comparison, in the order it runs. A new section is a class implementing
 * {@link Section}, a line here, and its prose in {@code src/bench/sections/<name>.md}. The sections
 * before {@code cluster} stop what they start; the shared 3-node cluster runs from {@code cluster}
 * to the end, so the sections that need a quiet machine come first.
 */
final class Sections {
  static final List<Section> ALL =
      List.of(
          new SingleNodeSection(),
          new IdleSection(),
          new CpuSection(),
          new SmallChannelsSection(),
          new ChannelStateSection(),
          new ClusterSection(),
          new EdgeSection(),
          new BalanceSection(),
          new MillionChannelsSection());

  private Sections() {}

  static List<String> names() {
    return ALL.stream().map(Section::name).toList();
  }
}
