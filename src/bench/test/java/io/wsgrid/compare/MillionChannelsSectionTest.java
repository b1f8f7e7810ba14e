package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.within;

import io.wsgrid.compare.MillionChannelsSection.Sample;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

/**
 * How the million-channel run tells a live heap that follows the channels held from one that keeps
 * every channel published.
 */
class MillionChannelsSectionTest {
  /**
   * Samples every 10 s of a run at a rate that keeps rising (the node warming up), then one after
   * expiry: the heap is the start, 200 B per channel held, {@code kept} B per channel published so
   * far, and a ±2 MiB wobble.
   */
  private static List<Sample> run(double kept) {
    long start = 40L << 20;
    List<Sample> samples = new ArrayList<>();
    samples.add(new Sample(0, 0, start, 0));
    long published = 0;
    for (int i = 1; i <= 20; i++) {
      long rate = Math.min(8_000, 1_000L * i);
      published += rate * 10;
      long held = rate * 12;
      long wobble = (i % 3 - 1) * (2L << 20);
      samples.add(
          new Sample(
              i * 10.0, published, start + 200 * held + (long) (kept * published) + wobble, held));
    }
    samples.add(new Sample(225, published, start + (long) (kept * published) + (1L << 20), 0));
    return samples;
  }

  @Test
  void aHeapThatFollowsTheChannelsHeldLeavesAlmostNothingPerChannelPublished() {
    List<Sample> samples = run(0);
    assertThat(samples.get(samples.size() - 2).published()).isGreaterThan(1_000_000);
    assertThat(MillionChannelsSection.leftPerChannel(samples))
        .as("1 MiB over the start after 1.3 million channels")
        .isLessThan(1);
  }

  @Test
  void aHeapKeepingEachChannelShowsWhatEachKeeps() {
    assertThat(MillionChannelsSection.leftPerChannel(run(2_350)))
        .as("issue 16: 2.35 KB per channel")
        .isCloseTo(2_350, within(2.0));
  }

  @Test
  void eachSampleShowsTheHeapPerChannelHeld() {
    List<Sample> samples = run(0);
    assertThat(MillionChannelsSection.perHeld(samples.get(20), samples.get(0)))
        .as("200 B each, and the wobble")
        .isCloseTo(200, within(25.0));
    assertThat(MillionChannelsSection.perHeld(samples.get(0), samples.get(0)))
        .as("none held")
        .isNaN();
  }
}
