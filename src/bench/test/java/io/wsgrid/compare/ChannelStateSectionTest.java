package io.wsgrid.compare;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

/** The channel-state section's arithmetic and waits. */
class ChannelStateSectionTest {
  @Test
  void bytesPerChannelArePerNode() {
    assertThat(
            ChannelStateSection.perChannel(
                new long[] {100_000_000, 90_000_000}, new long[] {102_000_000, 89_800_000}, 20_000))
        .containsExactly(100.0, -10.0);
  }

  @Test
  void theWaitFollowsTheNodesSweepInterval() {
    assertThat(ChannelStateSection.Expiry.sweepSeconds(ChannelStateSection.IDLE_SECONDS))
        .isEqualTo(5.0);
    assertThat(ChannelStateSection.Expiry.sweepSeconds(MillionChannelsSection.IDLE_SECONDS))
        .isEqualTo(2.5);
    assertThat(ChannelStateSection.Expiry.sweepSeconds(2)).isEqualTo(1.0);
    assertThat(ChannelStateSection.Expiry.sweepSeconds(600)).isEqualTo(15.0);
  }
}
