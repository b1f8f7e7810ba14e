package io.wsgrid.client;

import static org.assertj.core.api.Assertions.assertThat;

import org.junit.jupiter.api.Test;

class RequestPacerTest {
  @Test
  void sendsTheBurstLessAReserveThenPacesUnderTheRate() {
    RequestPacer pacer = RequestPacer.of(50, 100, 0);
    int sent = 0;
    while (pacer.delayMs(0) == 0) {
      pacer.take(0);
      sent++;
    }
    assertThat(sent).isEqualTo(90); // a tenth of the burst kept back
    // 90 % of 50/s: one token every 22.2 ms
    assertThat(pacer.delayMs(0)).isEqualTo(23);
    assertThat(pacer.delayMs(23)).isZero();
  }

  @Test
  void overTenSecondsStaysUnderTheServersBucket() {
    RequestPacer pacer = RequestPacer.of(50, 100, 0);
    int sent = 0;
    for (long now = 0; now <= 10_000; now++) {
      while (pacer.delayMs(now) == 0) {
        pacer.take(now);
        sent++;
      }
    }
    // The server's bucket admits 100 + 50/s x 10 s = 600 frames in these 10 s.
    assertThat(sent).isBetween(450, 600);
  }

  @Test
  void aRefusalEmptiesTheBucketAndAPingMayOverdrawIt() {
    RequestPacer pacer = RequestPacer.of(10, 20, 0);
    pacer.refused(0);
    assertThat(pacer.delayMs(0)).isEqualTo(112); // a full token at 9/s
    pacer.take(0); // a ping that may not wait
    assertThat(pacer.delayMs(0)).isEqualTo(223);
  }

  @Test
  void noLimitNeverWaits() {
    RequestPacer pacer = RequestPacer.of(0, 0, 0);
    for (int i = 0; i < 10_000; i++) pacer.take(0);
    assertThat(pacer.delayMs(0)).isZero();
  }
}
