package io.wsgrid.broker;

import java.util.List;
import java.util.TreeMap;

/**
 * One channel's publications on one node, put in offset order: a publication that arrives before
 * its predecessors waits, and the missing ones are asked of the log when they do not come (the
 * caller decides when: {@link #gap()} says which). Pure: no I/O, no clock, no thread of its own.
 */
final class ChannelOrder {
  private long epoch;
  private long next;

  /** The last offset the log is known to hold (a self-check said so); -1: nothing expected. */
  private long expected = -1;

  private final TreeMap<Long, Delivery> early = new TreeMap<>();

  /** Delivers {@code epoch}'s publications from offset {@code next} on. */
  ChannelOrder(long epoch, long next) {
    this.epoch = epoch;
    this.next = next;
  }

  long epoch() {
    return epoch;
  }

  /** The offset delivered next. */
  long next() {
    return next;
  }

  /**
   * Takes one publication; adds to {@code out}, in order, every publication that can now be
   * delivered. One already delivered (or from before this node followed) is dropped. One of another
   * epoch means the channel's log was started anew: the order restarts at that publication (what
   * came before it in the new epoch never reached this node), and the caller is told by the return
   * value.
   */
  boolean offer(Delivery delivery, List<Delivery> out) {
    boolean restarted = false;
    if (delivery.epoch() != epoch) {
      restart(delivery.epoch(), delivery.offset());
      restarted = true;
    }
    if (delivery.offset() < next) return restarted;
    early.put(delivery.offset(), delivery);
    drain(out);
    return restarted;
  }

  /** Continues under {@code newEpoch} from offset {@code from}, dropping what waited. */
  void restart(long newEpoch, long from) {
    epoch = newEpoch;
    next = from;
    expected = -1;
    early.clear();
  }

  /**
   * The log holds offsets up to {@code tail}: any of them not delivered is missing, not merely
   * late.
   */
  void expect(long tail) {
    if (tail >= next) expected = Math.max(expected, tail);
  }

  /**
   * The offsets missing before the earliest waiting publication (or up to the offset the log is
   * known to hold, {@link #expect}), as {from, to}; null when nothing is missing.
   */
  long[] gap() {
    if (!early.isEmpty()) return new long[] {next, early.firstKey() - 1};
    if (expected >= next) return new long[] {next, expected};
    return null;
  }

  /**
   * Fills offsets {@code from} to {@code to} with what the log returned for them ({@code read}, in
   * offset order). The log holds a channel's publications as one run from its oldest kept one, so
   * an offset of that range it did not return is gone: it is skipped. Returns how many were, after
   * adding what can now be delivered to {@code out}. Offsets delivered meanwhile are left alone.
   */
  long fill(long from, long to, List<Delivery> read, List<Delivery> out) {
    if (next > to) {
      drain(out);
      return 0;
    }
    long lost = 0;
    for (Delivery d : read) {
      if (d.offset() < next || d.offset() > to || d.epoch() != epoch) continue;
      lost += skipTo(d.offset(), out);
      early.remove(next);
      out.add(d);
      next++;
    }
    lost += skipTo(to + 1, out);
    drain(out);
    return lost;
  }

  /**
   * Moves {@link #next} up to {@code offset}, delivering what waits on the way; returns how many
   * offsets had nothing.
   */
  private long skipTo(long offset, List<Delivery> out) {
    long lost = 0;
    while (next < offset) {
      Delivery waiting = early.remove(next);
      if (waiting != null) out.add(waiting);
      else lost++;
      next++;
    }
    return lost;
  }

  private void drain(List<Delivery> out) {
    Delivery d;
    while (!early.isEmpty() && (d = early.get(next)) != null) {
      early.remove(next);
      out.add(d);
      next++;
    }
    early.headMap(next).clear();
    if (expected < next) expected = -1;
  }
}
