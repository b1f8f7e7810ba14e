package io.wsgrid.cluster;

import com.hazelcast.cluster.Member;
import com.hazelcast.config.Config;
import com.hazelcast.config.TcpIpConfig;
import com.hazelcast.core.Hazelcast;
import com.hazelcast.core.HazelcastInstance;
import com.hazelcast.spi.merge.DiscardMergePolicy;
import io.micrometer.core.instrument.Gauge;
import io.micrometer.core.instrument.MeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.http.ClientAuth;
import io.vertx.core.net.PemKeyCertOptions;
import io.vertx.core.net.PemTrustOptions;
import io.vertx.micrometer.Label;
import io.vertx.micrometer.MicrometerMetricsFactory;
import io.vertx.micrometer.MicrometerMetricsOptions;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;
import io.wsgrid.config.ConfigException;
import io.wsgrid.metrics.MeterNames;
import io.wsgrid.metrics.ProcessMemory;
import io.wsgrid.security.TlsSettings;
import java.io.File;
import java.io.FileNotFoundException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.EnumSet;
import java.util.UUID;
import java.util.concurrent.CompletableFuture;
import java.util.concurrent.ForkJoinPool;
import org.slf4j.LoggerFactory;

/** Starts a clustered Vert.x on Hazelcast, with Vert.x and JVM metrics in the given registry. */
public final class ClusterBootstrap {
  public static final String DEFAULT_CONFIG = "conf/hazelcast.yaml";

  private ClusterBootstrap() {}

  /**
   * Reads the Hazelcast config and applies the settings over it; {@code lite} makes a member
   * without data (the edge).
   */
  public static Config hazelcastConfig(ClusterSettings settings, boolean lite) {
    Config config = load(settings.configPath());
    if (settings.clusterName() != null && !settings.clusterName().isBlank()) {
      config.setClusterName(settings.clusterName());
    }
    if (!settings.members().isEmpty()) {
      TcpIpConfig tcp = config.getNetworkConfig().getJoin().getTcpIpConfig();
      tcp.setEnabled(true).setMembers(settings.members());
      config.getNetworkConfig().getJoin().getMulticastConfig().setEnabled(false);
    }
    if (settings.port() > 0) config.getNetworkConfig().setPort(settings.port());
    config.setLiteMember(lite);
    // After a split, the side that merges keeps none of its registry entries: its nodes write their
    // own again (LocalMember).
    config
        .getMapConfig(NodeEntry.MAP)
        .getMergePolicyConfig()
        .setPolicy(DiscardMergePolicy.class.getName());
    if (settings.memberName() != null) {
      config.setInstanceName(
          "wsgrid-"
              + settings.memberName()
              + "-"
              + ProcessHandle.current().pid()
              + "-"
              + System.identityHashCode(config));
      config.getMemberAttributeConfig().setAttribute("wsgrid.name", settings.memberName());
    }
    return config;
  }

  /** The first member port of the Hazelcast config at {@code path} (null: the default one). */
  public static int memberPort(String path) {
    return load(path).getNetworkConfig().getPort();
  }

  private static Config load(String path) {
    if (path != null && !path.isBlank()) {
      File file = new File(path);
      if (!file.canRead()) {
        throw new ConfigException(
            "Hazelcast config "
                + file.getAbsolutePath()
                + " cannot be read: check --cluster-config");
      }
      try {
        return Config.loadFromFile(file);
      } catch (FileNotFoundException e) {
        throw new ConfigException(
            "Hazelcast config " + file + " cannot be read: " + e.getMessage());
      } catch (RuntimeException e) {
        throw new ConfigException(
            "Hazelcast config " + file + " is invalid: " + firstLine(e.getMessage()), e);
      }
    }
    if (Files.isReadable(Path.of(DEFAULT_CONFIG))) return load(DEFAULT_CONFIG);
    return Config.loadFromClasspath(ClusterBootstrap.class.getClassLoader(), DEFAULT_CONFIG);
  }

  private static final String COMMON_POOL_PARALLELISM =
      "java.util.concurrent.ForkJoinPool.common.parallelism";

  /**
   * With fewer than 3 cores the JDK's common pool has one thread, and then Hazelcast and
   * CompletableFuture run every asynchronous callback on a thread of its own (measured here: two
   * thread starts per cluster operation). Call before anything uses the pool; a JVM that started it
   * already keeps its size (see {@link #start}'s warning).
   */
  public static void widenCommonPool() {
    if (System.getProperty(COMMON_POOL_PARALLELISM) == null) {
      System.setProperty(
          COMMON_POOL_PARALLELISM,
          String.valueOf(Math.max(2, Runtime.getRuntime().availableProcessors() - 1)));
    }
  }

  /**
   * Builds the clustered Vert.x instance; the future fails when the member cannot join. {@code
   * registryName} must be unique in the JVM: Vert.x keys its metrics backends by name, so two
   * instances with one name (tests run several nodes per JVM) would share the first registry.
   */
  public static Future<Vertx> start(
      HazelcastClusterManager clusterManager,
      MeterRegistry registry,
      String registryName,
      TlsSettings eventBusTls) {
    if (ForkJoinPool.getCommonPoolParallelism() < 2) {
      LoggerFactory.getLogger(ClusterBootstrap.class)
          .warn(
              "the JVM's common pool has 1 thread: cluster callbacks will"
                  + " each start a thread; run with -D{}=2",
              COMMON_POOL_PARALLELISM);
    }
    ProcessMemory.register(registry);
    MicrometerMetricsOptions metrics =
        new MicrometerMetricsOptions()
            .setEnabled(true)
            .setRegistryName(registryName)
            .setJvmMetricsEnabled(true)
            // No event-bus address label: wsgrid uses one address per channel, an unbounded set.
            .setLabels(
                EnumSet.of(
                    Label.HTTP_CODE,
                    Label.HTTP_ROUTE,
                    Label.EB_SIDE,
                    Label.POOL_TYPE,
                    Label.POOL_NAME));
    // Netty's epoll transport where it loads (Linux x86_64), else NIO: Vert.x falls back by itself.
    VertxOptions options =
        new VertxOptions().setMetricsOptions(metrics).setPreferNativeTransport(true);
    if (eventBusTls.enabled()) {
      // Mutual TLS between members' event-bus endpoints: each presents its certificate, each
      // trusts only --tls-ca. (Hazelcast's member protocol is not covered: see README.)
      options.setEventBusOptions(
          new EventBusOptions()
              .setSsl(true)
              .setKeyCertOptions(
                  new PemKeyCertOptions()
                      .setCertPath(eventBusTls.cert())
                      .setKeyPath(eventBusTls.key()))
              .setTrustOptions(new PemTrustOptions().addCertPath(eventBusTls.ca()))
              .setClientAuth(ClientAuth.REQUIRED));
    }
    return Vertx.builder()
        .with(options)
        .withMetrics(new MicrometerMetricsFactory(registry))
        .withClusterManager(clusterManager)
        .buildClustered();
  }

  /**
   * Starts a Hazelcast member for a Vert.x that will not own it (so its owner decides how it
   * leaves), on a thread of its own: joining blocks for seconds.
   */
  public static Future<HazelcastInstance> join(Config config) {
    return Future.fromCompletionStage(
        CompletableFuture.supplyAsync(
            () -> newMember(config), task -> new Thread(task, "wsgrid-join").start()));
  }

  private static HazelcastInstance newMember(Config config) {
    // What Vert.x sets itself when it makes the instance: its node id as a member attribute, and
    // no shutdown hook of Hazelcast's own (wsgrid leaves the cluster itself, after its sockets).
    config.getMemberAttributeConfig().setAttribute("__vertx.nodeId", UUID.randomUUID().toString());
    config.setProperty("hazelcast.shutdownhook.enabled", "false");
    return Hazelcast.newHazelcastInstance(config);
  }

  /**
   * Starts a lite member (the edge) and completes once the cluster has a data member (a node):
   * Vert.x keeps its cluster state in maps that only data members can hold. Logs while it waits.
   */
  public static Future<HazelcastInstance> joinLite(Config config) {
    CompletableFuture<HazelcastInstance> joined =
        CompletableFuture.supplyAsync(
            () -> {
              HazelcastInstance instance = newMember(config);
              long started = System.nanoTime();
              long lastLog = 0;
              while (instance.getCluster().getMembers().stream().allMatch(Member::isLiteMember)) {
                long waited = (System.nanoTime() - started) / 1_000_000_000L;
                if (waited - lastLog >= 5 || lastLog == 0) {
                  LoggerFactory.getLogger(ClusterBootstrap.class)
                      .info(
                          "waiting for a wsgrid node to join cluster '{}' ({} s): start one with `java -jar wsgrid.jar node`",
                          config.getClusterName(),
                          waited);
                  lastLog = Math.max(1, waited);
                }
                try {
                  Thread.sleep(200);
                } catch (InterruptedException e) {
                  Thread.currentThread().interrupt();
                  instance.shutdown();
                  throw new IllegalStateException("interrupted while waiting for a node");
                }
              }
              return instance;
            });
    return Future.fromCompletionStage(joined);
  }

  /** The sockets' transport, for the ready line: Netty's native epoll, or NIO and why not epoll. */
  public static String transport(Vertx vertx) {
    if (vertx.isNativeTransportEnabled()) return "epoll transport";
    Throwable cause = vertx.unavailableNativeTransportCause();
    return "NIO transport" + (cause == null ? "" : "; epoll unavailable: " + cause.getMessage());
  }

  /**
   * {@code wsgrid_cluster_nodes}: data members (nodes; edges are lite members) as this process sees
   * them.
   */
  public static void registerClusterNodesGauge(
      MeterRegistry registry, HazelcastInstance hazelcast) {
    Gauge.builder(
            MeterNames.CLUSTER_NODES,
            hazelcast,
            hz ->
                hz.getLifecycleService().isRunning()
                    ? hz.getCluster().getMembers().stream().filter(m -> !m.isLiteMember()).count()
                    : 0)
        .description("wsgrid nodes (data members) in the cluster, as this process sees it")
        .register(registry);
  }

  private static String firstLine(String s) {
    return s == null ? "" : s.lines().findFirst().orElse("");
  }
}
