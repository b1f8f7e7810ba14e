package io.wsgrid.bench;

import io.vertx.core.json.JsonObject;
import java.util.LinkedHashMap;
import java.util.Map;
import org.HdrHistogram.Histogram;

/** A scenario's result: named values in order, printed as a table or as JSON. */
public final class Report {
  private final String scenario;
  private final Map<String, Object> values = new LinkedHashMap<>();

  public Report(String scenario) {
    this.scenario = scenario;
  }

  public Report put(String name, Object value) {
    values.put(name, value);
    return this;
  }

  /** p50, p99 and p99.9 of a histogram in microseconds, as milliseconds. */
  Report quantiles(String prefix, Histogram micros) {
    put(prefix + "_p50_ms", ms(micros.getValueAtPercentile(50)));
    put(prefix + "_p99_ms", ms(micros.getValueAtPercentile(99)));
    put(prefix + "_p999_ms", ms(micros.getValueAtPercentile(99.9)));
    return this;
  }

  public double number(String name) {
    return ((Number) values.get(name)).doubleValue();
  }

  public Object get(String name) {
    return values.get(name);
  }

  static double ms(long micros) {
    return Math.round(micros / 10.0) / 100.0;
  }

  public JsonObject toJson() {
    JsonObject json = new JsonObject().put("scenario", scenario);
    values.forEach(json::put);
    return json;
  }

  String toTable() {
    int width = values.keySet().stream().mapToInt(String::length).max().orElse(10);
    StringBuilder out = new StringBuilder("bench " + scenario + "\n");
    values.forEach(
        (name, value) -> out.append(String.format("  %-" + width + "s  %s%n", name, value)));
    return out.toString();
  }
}
