package io.wsgrid.compare;

import java.nio.file.Path;
import java.util.List;
import java.util.Set;

/**
 * What a comparison runs: {@code runs} of each measurement (medians), where RESULTS.md goes, the
 * Node.js peers' directory, the directory of the prose ({@link Analysis}), the first of the ports
 * it uses, small counts for a setup check ({@code quick}), the sections to run ({@code only} empty:
 * every section that runs by default), extra JVM flags for the wsgrid processes it starts, and how
 * many distinct channels the {@code million} section publishes to.
 */
record Settings(
    int runs,
    Path out,
    Path peers,
    Path prose,
    int port,
    boolean quick,
    Set<String> only,
    List<String> jvmFlags,
    long millionChannels) {
  Settings {
    if (runs < 1) throw new IllegalArgumentException("--runs must be >= 1; got " + runs);
    if (millionChannels < 1_000 || millionChannels > 10_000_000) {
      throw new IllegalArgumentException(
          "--million-channels must be between 1000 and 10000000; got " + millionChannels);
    }
    if (port < 1024 || port > 65_000)
      throw new IllegalArgumentException(
          "--port must be between 1024 and 65000 (it uses the next 70 too); got " + port);
    for (String section : only) {
      if (!Sections.names().contains(section)) {
        throw new IllegalArgumentException(
            "--only takes " + String.join(", ", Sections.names()) + "; got '" + section + "'");
      }
    }
    only = Set.copyOf(only);
    jvmFlags = List.copyOf(jvmFlags);
  }

  /**
   * The sections this comparison runs, in their order: those {@code --only} names, else those that
   * run by default.
   */
  List<Section> sections() {
    return Sections.ALL.stream()
        .filter(s -> only.isEmpty() ? s.byDefault() : only.contains(s.name()))
        .toList();
  }
}
