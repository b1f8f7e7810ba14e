package io.wsgrid.cluster;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Future;
import io.vertx.core.Promise;
import java.util.ArrayList;
import java.util.List;
import java.util.concurrent.CountDownLatch;
import java.util.concurrent.ExecutorService;
import java.util.concurrent.Executors;
import java.util.concurrent.TimeUnit;
import java.util.concurrent.atomic.AtomicInteger;
import java.util.concurrent.atomic.AtomicReference;
import org.junit.jupiter.api.Test;

/**
 * The states every member (node, edge) goes through, and a stop that runs once however many ask for
 * it.
 */
class MemberLifecycleTest {

  @Test
  void readyOnlyOnceStartedAndUntilTheStopBegins() throws Exception {
    MemberLifecycle lifecycle = new MemberLifecycle();
    assertThat(lifecycle.isReady()).as("starting").isFalse();
    lifecycle.ready();
    assertThat(lifecycle.isReady()).isTrue();
    assertThat(lifecycle.isStopping()).isFalse();

    AtomicReference<Promise<Void>> stopping = new AtomicReference<>();
    lifecycle.stop(stopping::set);
    assertThat(lifecycle.isReady()).as("/ready answers 503 as soon as the stop begins").isFalse();
    assertThat(lifecycle.isStopping()).isTrue();
    assertThat(lifecycle.awaitStopped(50, TimeUnit.MILLISECONDS))
        .as("not stopped until the stop completes")
        .isFalse();
    lifecycle.ready();
    assertThat(lifecycle.isReady()).as("a start finishing after the stop began").isFalse();

    stopping.get().complete();
    assertThat(lifecycle.awaitStopped(5, TimeUnit.SECONDS)).isTrue();
    assertThat(lifecycle.stopped().succeeded()).isTrue();
  }

  @Test
  void concurrentStopsRunTheStopOnceAndShareItsOutcome() throws Exception {
    MemberLifecycle lifecycle = new MemberLifecycle();
    lifecycle.ready();
    AtomicInteger runs = new AtomicInteger();
    AtomicReference<Promise<Void>> stopping = new AtomicReference<>();
    int callers = 16;
    CountDownLatch go = new CountDownLatch(1);
    ExecutorService threads = Executors.newFixedThreadPool(callers);
    try {
      List<java.util.concurrent.Future<Future<Void>>> calls = new ArrayList<>();
      for (int i = 0; i < callers; i++) {
        calls.add(
            threads.submit(
                () -> {
                  go.await();
                  return lifecycle.stop(
                      promise -> {
                        runs.incrementAndGet();
                        stopping.set(promise);
                      });
                }));
      }
      go.countDown();
      List<Future<Void>> outcomes = new ArrayList<>();
      for (var call : calls) outcomes.add(call.get(10, TimeUnit.SECONDS));
      assertThat(runs).as("the stop ran once").hasValue(1);
      assertThat(outcomes)
          .as("every caller got the same future")
          .allSatisfy(f -> assertThat(f).isSameAs(lifecycle.stopped()));

      stopping.get().fail(new IllegalStateException("3 sockets were still open"));
      assertThat(lifecycle.awaitStopped(5, TimeUnit.SECONDS)).isTrue();
      assertThat(outcomes)
          .allSatisfy(f -> assertThat(f.cause()).hasMessage("3 sockets were still open"));
      assertThat(lifecycle.stop(promise -> runs.incrementAndGet()))
          .as("a later stop")
          .isSameAs(lifecycle.stopped());
      assertThat(runs).hasValue(1);
    } finally {
      threads.shutdownNow();
    }
  }
}
