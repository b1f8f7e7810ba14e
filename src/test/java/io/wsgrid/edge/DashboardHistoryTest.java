package io.wsgrid.edge;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.json.JsonArray;
import java.util.Map;
import org.junit.jupiter.api.Test;

class DashboardHistoryTest {
  private final DashboardHistory history = new DashboardHistory(10_000);

  @Test
  void keepsOneSamplePerNodeAndTickWithinTheWindow() {
    for (long t = 0; t <= 15_000; t += 1_000)
      history.record(t, Map.of("n1", new long[] {t / 1_000, 10}));
    assertThat(history.connections("n1"))
        .containsExactly(5L, 6L, 7L, 8L, 9L, 10L, 11L, 12L, 13L, 14L, 15L);
    JsonArray points = history.toJson().getJsonArray("n1");
    assertThat(points.getJsonArray(0).getList()).containsExactly(5_000L, 5L, 10L);
    assertThat(points.getJsonArray(points.size() - 1).getList()).containsExactly(15_000L, 15L, 10L);
  }

  @Test
  void aNodeThatLeavesEndsAtZeroIsListedAsLeftThenAgesOut() {
    history.record(0, Map.of("n1", new long[] {3, 0}, "n2", new long[] {3, 0}));
    history.record(1_000, Map.of("n1", new long[] {5, 0}, "n2", new long[] {1, 0}));
    history.record(2_000, Map.of("n1", new long[] {6, 0}));
    history.record(3_000, Map.of("n1", new long[] {6, 0}));
    assertThat(history.connections("n2")).containsExactly(3L, 1L, 0L);
    assertThat(history.left()).containsExactly(Map.entry("n2", 2_000L));
    history.record(12_500, Map.of("n1", new long[] {6, 0}));
    assertThat(history.left()).isEmpty();
    assertThat(history.nodes()).containsExactly("n1");
  }

  @Test
  void aNodeThatComesBackIsPresentAgain() {
    history.record(0, Map.of("n1", new long[] {1, 0}));
    history.record(1_000, Map.of());
    history.record(2_000, Map.of("n1", new long[] {2, 0}));
    assertThat(history.left()).isEmpty();
    assertThat(history.connections("n1")).containsExactly(1L, 0L, 2L);
  }
}
