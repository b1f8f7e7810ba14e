package io.wsgrid.security;

import static org.assertj.core.api.Assertions.assertThat;

import io.micrometer.core.instrument.Counter;
import io.micrometer.core.instrument.simple.SimpleMeterRegistry;
import io.netty.buffer.Unpooled;
import io.netty.channel.embedded.EmbeddedChannel;
import io.netty.handler.codec.http.DefaultFullHttpResponse;
import io.netty.handler.codec.http.DefaultHttpContent;
import io.netty.handler.codec.http.DefaultHttpRequest;
import io.netty.handler.codec.http.DefaultHttpResponse;
import io.netty.handler.codec.http.HttpMethod;
import io.netty.handler.codec.http.HttpResponseStatus;
import io.netty.handler.codec.http.HttpVersion;
import io.netty.handler.codec.http.LastHttpContent;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.metrics.Rejections;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicLong;
import org.junit.jupiter.api.Test;

/** The handshake timeout's bookkeeping on in-memory channels, with a clock the test moves. */
class HandshakeTimeoutTest {
  private static final long TIMEOUT = TimeUnit.SECONDS.toNanos(10);
  private final AtomicLong clock = new AtomicLong(1_000);
  private final SimpleMeterRegistry registry = new SimpleMeterRegistry();
  private final Rejections rejections = new Rejections(registry, "t");
  private final HandshakeTimeout timeout = new HandshakeTimeout(TIMEOUT, clock::get, rejections);

  private EmbeddedChannel connect() {
    return new EmbeddedChannel(timeout.new Watch());
  }

  private void after(long seconds) {
    clock.addAndGet(TimeUnit.SECONDS.toNanos(seconds));
    timeout.sweep();
  }

  private static DefaultHttpRequest head(String uri) {
    return new DefaultHttpRequest(HttpVersion.HTTP_1_1, HttpMethod.GET, uri);
  }

  private static DefaultHttpResponse response(HttpResponseStatus status) {
    return new DefaultHttpResponse(HttpVersion.HTTP_1_1, status);
  }

  @Test
  void aConnectionThatSendsNothingIsClosedOnceTheTimeoutHasPassed() {
    EmbeddedChannel silent = connect();
    after(9);
    assertThat(silent.isOpen()).as("not before the timeout").isTrue();
    after(1);
    assertThat(silent.isOpen()).isFalse();
    assertThat(timedOut()).isEqualTo(1);
    assertThat(timeout.queued()).isZero();
  }

  @Test
  void aRequestWhoseHeadOrBodyNeverEndsIsClosed() {
    EmbeddedChannel partialHead = connect();
    partialHead.writeInbound(head("/ws"));
    EmbeddedChannel slowBody = connect();
    after(5);
    slowBody.writeInbound(head("/api/publish"));
    slowBody.writeInbound(new DefaultHttpContent(Unpooled.copiedBuffer(new byte[] {'{'})));
    after(5);
    assertThat(partialHead.isOpen()).isFalse();
    assertThat(slowBody.isOpen())
        .as("the clock runs from the connection's start, not from the head")
        .isFalse();
  }

  @Test
  void aRequestBeingAnsweredIsNotTimedAndAKeptAliveConnectionWaitsAnewAfterItsResponse() {
    EmbeddedChannel channel = connect();
    after(3);
    channel.writeInbound(head("/admin/stream"), LastHttpContent.EMPTY_LAST_CONTENT);
    after(60);
    assertThat(channel.isOpen()).as("a long answer (a stream) is not cut").isTrue();
    channel.writeOutbound(response(HttpResponseStatus.OK), LastHttpContent.EMPTY_LAST_CONTENT);
    after(9);
    assertThat(channel.isOpen()).as("idle since the response ended, 9 s").isTrue();
    after(1);
    assertThat(channel.isOpen()).as("idle for the timeout after its response").isFalse();
  }

  @Test
  void anUpgradedConnectionIsNeverClosedAndLeavesNoHandlerBehind() {
    EmbeddedChannel socket = connect();
    socket.writeInbound(head("/ws"), LastHttpContent.EMPTY_LAST_CONTENT);
    socket.writeOutbound(
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
    assertThat(socket.pipeline().get(HandshakeTimeout.Watch.class)).isNull();
    after(3600);
    assertThat(socket.isOpen()).isTrue();
    assertThat(timedOut()).isZero();
  }

  @Test
  void aContinueDoesNotEndTheExchangeAndAnEarlyRefusalKeepsTheClockForTheRestOfTheBody() {
    EmbeddedChannel channel = connect();
    channel.writeInbound(head("/api/publish"));
    channel.writeOutbound(
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.CONTINUE));
    channel.writeInbound(LastHttpContent.EMPTY_LAST_CONTENT);
    after(30);
    assertThat(channel.isOpen())
        .as("answered after 100 Continue and a complete body: not timed")
        .isTrue();
    channel.writeOutbound(new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.OK));

    EmbeddedChannel refused = connect();
    refused.writeInbound(head("/api/publish"));
    refused.writeOutbound(
        new DefaultFullHttpResponse(HttpVersion.HTTP_1_1, HttpResponseStatus.UNAUTHORIZED));
    after(10);
    assertThat(refused.isOpen())
        .as("refused before its body came, and the body never ends")
        .isFalse();
  }

  @Test
  void answeredConnectionsLeaveNoEntryBehindOnceTheirDeadlinesPass() {
    for (int i = 0; i < 100; i++) {
      EmbeddedChannel socket = connect();
      socket.writeInbound(head("/ws"), LastHttpContent.EMPTY_LAST_CONTENT);
      socket.writeOutbound(
          new DefaultFullHttpResponse(
              HttpVersion.HTTP_1_1, HttpResponseStatus.SWITCHING_PROTOCOLS));
    }
    assertThat(timeout.queued()).isEqualTo(100);
    after(1);
    assertThat(timeout.queued())
        .as("entries of connections no longer waiting go at the next sweep")
        .isZero();
  }

  @Test
  void theSweepRunsAFewTimesPerTimeout() {
    assertThat(HandshakeTimeout.sweepPeriodMillis(1)).isEqualTo(100);
    assertThat(HandshakeTimeout.sweepPeriodMillis(5)).isEqualTo(500);
    assertThat(HandshakeTimeout.sweepPeriodMillis(60)).isEqualTo(1000);
  }

  /** {@code wsgrid_rejections_total{reason="handshake_timeout"}}. */
  private double timedOut() {
    Counter counter =
        registry
            .find(MeterNames.REJECTIONS)
            .tag(MeterNames.TAG_REASON, "handshake_timeout")
            .counter();
    return counter == null ? 0 : counter.count();
  }
}
