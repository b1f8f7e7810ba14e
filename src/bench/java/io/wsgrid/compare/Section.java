package io.wsgrid.compare;

/**
 * One part of the comparison: it starts what it measures through {@link Comparison#servers()},
 * measures, and adds rows to {@link Comparison#results()}. Sections run one after another on the
 * harness's main thread, in the order of {@link Sections#ALL}; a section stops the servers it
 * started unless a later section shares them ({@link Comparison#wsgridCluster()}).
 */
interface Section {
  /** The name {@code --only} takes; the section's prose is {@code src/bench/sections/<name>.md}. */
  String name();

  void run(Comparison comparison) throws Exception;

  /**
   * False for a section that runs only when {@code --only} names it (one that takes longer than the
   * comparison's time allows).
   */
  default boolean byDefault() {
    return true;
  }
}
