package io.wsgrid.compare;

import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Locale;
import java.util.Map;

/**
 * The comparison's prose, kept as markdown under {@code src/bench} so it is edited as text, and
 * copied into RESULTS.md: {@code method.md} (how every number is measured), and per section {@code
 * sections/<name>.md} with its title ({@code # …}), its method ({@code ## Method}) and, for each
 * target it can miss, what profiling and counting found ({@code ## Cause when missed: <the start of
 * the RESULTS.md row>}). HTML comments are notes for editors and are left out.
 */
final class Analysis {
  static final String CAUSE = "Cause when missed: ";
  private static final String PAGE_SHAPE =
      "a '# <title>' line, a '## Method' part and a '## "
          + CAUSE
          + "<start of a RESULTS.md row>' part per target the section can miss";

  /** One section's page. */
  record Page(String title, String method, Map<String, String> causes) {}

  private final String method;
  private final Map<String, Page> pages;

  private Analysis(String method, Map<String, Page> pages) {
    this.method = method;
    this.pages = pages;
  }

  /**
   * Reads {@code dir/method.md} and {@code dir/sections/<name>.md} for each section; a missing or
   * malformed page fails here, before any measurement.
   */
  static Analysis load(Path dir, List<String> sections) throws IOException {
    Path general = dir.resolve("method.md");
    String method =
        withoutComments(read(general, "the method every section shares, under a '# <title>' line"));
    if (!method.startsWith("# "))
      throw new IllegalStateException(general + " must start with a '# <title>' line");
    method = method.substring(method.indexOf('\n') + 1).strip();
    Map<String, Page> pages = new LinkedHashMap<>();
    for (String section : sections) {
      Path file = dir.resolve("sections").resolve(section + ".md");
      pages.put(section, parse(file, read(file, PAGE_SHAPE)));
    }
    return new Analysis(method, pages);
  }

  private static String read(Path file, String shape) throws IOException {
    if (!Files.isRegularFile(file)) {
      throw new IllegalStateException(
          file + " is missing: write it with " + shape + " (src/bench/README.md says how)");
    }
    return Files.readString(file);
  }

  static Page parse(Path file, String markdown) {
    String title = null;
    StringBuilder method = null;
    Map<String, StringBuilder> causes = new LinkedHashMap<>();
    StringBuilder current = null;
    for (String line : withoutComments(markdown).split("\n", -1)) {
      if (line.startsWith("# ") && title == null && current == null) {
        title = line.substring(2).strip();
      } else if (line.strip().equals("## Method")) {
        current = method = new StringBuilder();
      } else if (line.startsWith("## " + CAUSE)) {
        current = new StringBuilder();
        causes.put(line.substring(3 + CAUSE.length()).strip(), current);
      } else if (line.startsWith("#")) {
        throw new IllegalStateException(
            file + ": unexpected heading '" + line + "'; a section's page has " + PAGE_SHAPE);
      } else if (current != null) {
        current.append(line).append('\n');
      }
    }
    if (title == null || method == null || method.isEmpty() || method.toString().isBlank()) {
      throw new IllegalStateException(
          file + " needs " + PAGE_SHAPE + "; the title or the method is missing");
    }
    Map<String, String> joined = new LinkedHashMap<>();
    causes.forEach((row, text) -> joined.put(row, text.toString().strip().replaceAll("\\s+", " ")));
    return new Page(title, method.toString().strip(), joined);
  }

  private static String withoutComments(String markdown) {
    return markdown.replaceAll("(?s)<!--.*?-->\\n?", "").replace("\r\n", "\n").strip();
  }

  /** What method.md says: how every section measures. */
  String method() {
    return method;
  }

  String title(String section) {
    return pages.get(section).title();
  }

  String method(String section) {
    return pages.get(section).method();
  }

  /**
   * Why the row's target is missed (the first cause whose key starts the row), or what to do when
   * no cause is known.
   */
  String cause(String row) {
    for (Page page : pages.values()) {
      for (Map.Entry<String, String> cause : page.causes().entrySet()) {
        if (row.startsWith(cause.getKey())) return cause.getValue();
      }
    }
    return "No cause found yet: rerun this section (`src/bench/run.sh --only …`), profile the server (src/bench/README.md says how)"
        + " and write the cause into its src/bench/sections/<name>.md.";
  }

  /** How far a ratio is from its target, e.g. "0.60× against ≥ 0.9×". */
  static String ratioGap(double ratio, double goal) {
    return String.format(Locale.ROOT, "%.2f× against ≥ %s×", ratio, goal);
  }
}
