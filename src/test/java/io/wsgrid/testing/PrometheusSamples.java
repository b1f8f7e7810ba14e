package io.wsgrid.testing;

import java.util.ArrayList;
import java.util.LinkedHashMap;
import java.util.List;
import java.util.Map;
import java.util.Set;
import java.util.TreeSet;

/**
 * Samples read out of the Prometheus text format (a {@code /metrics} body): every test that looks
 * at a scrape goes through here. A sample is matched by its metric name and by label pairs ({@code
 * "node", "n1", "reason", "origin"}); labels not named may have any value.
 */
public final class PrometheusSamples {
  private PrometheusSamples() {}

  /** One sample line: {@code name{label="value",…} value [timestamp]}. */
  public record Sample(String name, Map<String, String> labels, double value) {
    boolean matches(String metric, String... labelPairs) {
      if (!name.equals(metric)) return false;
      for (int i = 0; i < labelPairs.length; i += 2) {
        if (!labelPairs[i + 1].equals(labels.get(labelPairs[i]))) return false;
      }
      return true;
    }
  }

  /** Every sample in {@code text}, in order; comments and blank lines skipped. */
  public static List<Sample> parse(String text) {
    List<Sample> samples = new ArrayList<>();
    text.lines()
        .map(String::strip)
        .filter(l -> !l.isEmpty() && !l.startsWith("#"))
        .forEach(
            l -> {
              try {
                samples.add(sample(l));
              } catch (IndexOutOfBoundsException e) {
                throw new IllegalArgumentException("not a Prometheus sample (cut short): " + l, e);
              }
            });
    return samples;
  }

  /**
   * The sum of the samples of {@code name} carrying {@code labels} (name, value pairs); 0 when
   * there is none.
   */
  public static double sum(String text, String name, String... labels) {
    checkPairs(labels);
    return parse(text).stream()
        .filter(s -> s.matches(name, labels))
        .mapToDouble(Sample::value)
        .sum();
  }

  /**
   * The value of the one sample of {@code name} carrying {@code labels}; NaN when there is none.
   * Fails when several match: name more labels, or take their {@link #sum}.
   */
  public static double value(String text, String name, String... labels) {
    checkPairs(labels);
    List<Sample> matching = parse(text).stream().filter(s -> s.matches(name, labels)).toList();
    if (matching.size() > 1) {
      throw new IllegalArgumentException(
          matching.size()
              + " samples of "
              + name
              + " match "
              + List.of(labels)
              + ": name more labels, or use sum: "
              + matching);
    }
    return matching.isEmpty() ? Double.NaN : matching.get(0).value();
  }

  /**
   * The names of the metrics that have at least one sample ({@code _bucket}, {@code _sum}, … as
   * written).
   */
  public static Set<String> names(String text) {
    Set<String> names = new TreeSet<>();
    parse(text).forEach(s -> names.add(s.name()));
    return names;
  }

  private static void checkPairs(String[] labels) {
    if (labels.length % 2 != 0)
      throw new IllegalArgumentException("labels come in name, value pairs: " + List.of(labels));
  }

  private static Sample sample(String line) {
    int i = 0;
    while (i < line.length() && line.charAt(i) != '{' && !Character.isWhitespace(line.charAt(i)))
      i++;
    String name = line.substring(0, i);
    Map<String, String> labels = new LinkedHashMap<>();
    if (i < line.length() && line.charAt(i) == '{') {
      i++;
      while (line.charAt(i) != '}') {
        int eq = line.indexOf('=', i);
        String label = line.substring(i, eq).strip();
        if (line.charAt(eq + 1) != '"')
          throw new IllegalArgumentException("not a Prometheus sample (unquoted label): " + line);
        StringBuilder value = new StringBuilder();
        int j = eq + 2;
        for (; line.charAt(j) != '"'; j++) {
          char c = line.charAt(j);
          if (c == '\\') {
            char next = line.charAt(++j);
            value.append(next == 'n' ? '\n' : next);
          } else {
            value.append(c);
          }
        }
        labels.put(label, value.toString());
        i = j + 1;
        if (line.charAt(i) == ',') i++;
      }
      i++;
    }
    String[] rest = line.substring(i).strip().split("\\s+");
    return new Sample(name, labels, number(rest[0], line));
  }

  private static double number(String text, String line) {
    return switch (text) {
      case "+Inf", "Inf" -> Double.POSITIVE_INFINITY;
      case "-Inf" -> Double.NEGATIVE_INFINITY;
      default -> {
        try {
          yield Double.parseDouble(text);
        } catch (NumberFormatException e) {
          throw new IllegalArgumentException(
              "not a Prometheus sample (value '" + text + "'): " + line, e);
        }
      }
    };
  }
}
