package io.wsgrid.broker;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.buffer.Buffer;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.Test;

class ChannelOrderTest {
  private static final long EPOCH = 7;

  private static Delivery at(long offset) {
    return at(EPOCH, offset);
  }

  private static Delivery at(long epoch, long offset) {
    return new Delivery("c", epoch, offset, 0, Buffer.buffer("p" + offset));
  }

  private static List<Long> offsets(List<Delivery> out) {
    return out.stream().map(Delivery::offset).toList();
  }

  @Test
  void inOrderPublicationsGoStraightThrough() {
    ChannelOrder order = new ChannelOrder(EPOCH, 3);
    List<Delivery> out = new ArrayList<>();
    for (long i = 3; i < 8; i++) order.offer(at(i), out);
    assertThat(offsets(out)).containsExactly(3L, 4L, 5L, 6L, 7L);
    assertThat(order.gap()).isNull();
    assertThat(order.next()).isEqualTo(8);
  }

  @Test
  void anEarlyPublicationWaitsForItsPredecessors() {
    ChannelOrder order = new ChannelOrder(EPOCH, 0);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(2), out);
    order.offer(at(1), out);
    assertThat(out).isEmpty();
    assertThat(order.gap()).containsExactly(0, 0);
    order.offer(at(0), out);
    assertThat(offsets(out)).containsExactly(0L, 1L, 2L);
    assertThat(order.gap()).isNull();
  }

  @Test
  void repeatsAndOffsetsBeforeTheStartAreDropped() {
    ChannelOrder order = new ChannelOrder(EPOCH, 5);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(4), out);
    order.offer(at(5), out);
    order.offer(at(5), out);
    order.offer(at(7), out);
    order.offer(at(7), out);
    assertThat(offsets(out)).containsExactly(5L);
    assertThat(order.gap()).containsExactly(6, 6);
  }

  @Test
  void aGapIsFilledFromTheLogInOrder() {
    ChannelOrder order = new ChannelOrder(EPOCH, 0);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(0), out);
    order.offer(at(4), out);
    order.offer(at(5), out);
    assertThat(order.gap()).containsExactly(1, 3);
    out.clear();
    long lost = order.fill(1, 3, List.of(at(1), at(2), at(3)), out);
    assertThat(lost).isZero();
    assertThat(offsets(out)).containsExactly(1L, 2L, 3L, 4L, 5L);
    assertThat(order.gap()).isNull();
  }

  @Test
  void whatTheLogNoLongerHasIsSkippedAndCounted() {
    ChannelOrder order = new ChannelOrder(EPOCH, 0);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(6), out);
    long lost = order.fill(0, 5, List.of(at(3), at(5)), out);
    assertThat(lost).isEqualTo(4); // 0, 1, 2 and 4
    assertThat(offsets(out)).containsExactly(3L, 5L, 6L);
    assertThat(order.next()).isEqualTo(7);
  }

  @Test
  void aFillOverlappingLateArrivalsDeliversEachOnce() {
    ChannelOrder order = new ChannelOrder(EPOCH, 0);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(3), out);
    order.offer(at(1), out); // arrived while the log was read for 0..2
    long lost = order.fill(0, 2, List.of(at(0), at(1), at(2)), out);
    assertThat(lost).isZero();
    assertThat(offsets(out)).containsExactly(0L, 1L, 2L, 3L);
  }

  @Test
  void aReadThatCameAfterTheGapClosedChangesNothing() {
    ChannelOrder order = new ChannelOrder(EPOCH, 0);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(1), out);
    order.offer(at(0), out);
    out.clear();
    assertThat(order.fill(0, 0, List.of(at(0)), out)).isZero();
    assertThat(out).isEmpty();
    assertThat(order.next()).isEqualTo(2);
  }

  @Test
  void readsOfAnotherEpochAreIgnored() {
    ChannelOrder order = new ChannelOrder(EPOCH, 0);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(2), out);
    long lost = order.fill(0, 1, List.of(at(99, 0), at(99, 1)), out);
    assertThat(lost).isEqualTo(2);
    assertThat(offsets(out)).containsExactly(2L);
  }

  @Test
  void aNewEpochRestartsTheOrderAtItsFirstArrivalAndSaysSo() {
    ChannelOrder order = new ChannelOrder(EPOCH, 10);
    List<Delivery> out = new ArrayList<>();
    order.offer(at(12), out);
    assertThat(order.offer(at(8, 3), out)).isTrue();
    assertThat(order.epoch()).isEqualTo(8);
    assertThat(offsets(out)).containsExactly(3L);
    assertThat(order.offer(at(8, 4), out)).isFalse();
    assertThat(offsets(out)).containsExactly(3L, 4L);
    assertThat(order.gap()).isNull();
  }

  @Test
  void whatTheLogIsKnownToHoldButNeverCameIsAGap() {
    ChannelOrder order = new ChannelOrder(EPOCH, 5);
    List<Delivery> out = new ArrayList<>();
    order.expect(4);
    assertThat(order.gap()).isNull(); // already delivered
    order.expect(7);
    assertThat(order.gap()).containsExactly(5, 7);
    order.offer(at(5), out);
    assertThat(order.gap()).containsExactly(6, 7);
    assertThat(order.fill(6, 7, List.of(at(6), at(7)), out)).isZero();
    assertThat(offsets(out)).containsExactly(5L, 6L, 7L);
    assertThat(order.gap()).isNull();
  }
}
