package io.wsgrid.ops;

import static org.assertj.core.api.Assertions.assertThat;

import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import com.fasterxml.jackson.dataformat.yaml.YAMLFactory;
import com.fasterxml.jackson.dataformat.yaml.YAMLMapper;
import java.io.IOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;

/**
 * Offline validation of {@code k8s/} (no cluster, no kubectl here): every document parses, the
 * kustomization lists every file, selectors match pod labels, services reach declared ports, probes
 * use the contract's paths, the HPA and PDBs target what exists, and the pods run the CLI with
 * options it has.
 */
class K8sManifestsTest {
  private static final ObjectMapper YAML = new YAMLMapper();
  private static final List<JsonNode> docs = new ArrayList<>();

  @BeforeAll
  static void load() throws IOException {
    try (Stream<Path> files = Files.list(Path.of("k8s"))) {
      for (Path file : files.filter(f -> f.toString().endsWith(".yaml")).sorted().toList()) {
        var parser = new YAMLFactory().createParser(file.toFile());
        for (var it = YAML.readValues(parser, JsonNode.class); it.hasNext(); ) {
          JsonNode doc = it.next();
          if (doc != null && !doc.isEmpty()) docs.add(doc);
        }
      }
    }
  }

  private static List<JsonNode> kind(String kind) {
    return docs.stream().filter(d -> kind.equals(d.path("kind").asText())).toList();
  }

  private static JsonNode named(String kind, String name) {
    return kind(kind).stream()
        .filter(d -> name.equals(d.path("metadata").path("name").asText()))
        .findFirst()
        .orElseThrow(() -> new AssertionError("no " + kind + " " + name + " in k8s/"));
  }

  @Test
  void kustomizationListsEveryManifest() throws IOException {
    JsonNode kustomization = kind("Kustomization").get(0);
    List<String> listed = new ArrayList<>();
    kustomization.path("resources").forEach(r -> listed.add(r.asText()));
    try (Stream<Path> files = Files.list(Path.of("k8s"))) {
      List<String> present =
          files
              .map(f -> f.getFileName().toString())
              .filter(n -> n.endsWith(".yaml") && !n.equals("kustomization.yaml"))
              .toList();
      assertThat(listed).containsExactlyInAnyOrderElementsOf(present);
    }
  }

  @Test
  void everyKindTheIssueAsksForIsThere() {
    assertThat(docs.stream().map(d -> d.path("kind").asText()).distinct().toList())
        .contains(
            "Namespace",
            "ServiceAccount",
            "Role",
            "RoleBinding",
            "ConfigMap",
            "Service",
            "Deployment",
            "PodDisruptionBudget",
            "HorizontalPodAutoscaler");
    JsonNode headless = named("Service", "wsgrid-hazelcast");
    assertThat(headless.path("spec").path("clusterIP").asText()).isEqualTo("None");
  }

  @Test
  void selectorsMatchPodsAndServicesReachDeclaredPorts() {
    for (JsonNode deployment : kind("Deployment")) {
      JsonNode selector = deployment.path("spec").path("selector").path("matchLabels");
      JsonNode labels = deployment.path("spec").path("template").path("metadata").path("labels");
      selector
          .fields()
          .forEachRemaining(
              e -> assertThat(labels.path(e.getKey()).asText()).isEqualTo(e.getValue().asText()));
    }
    for (JsonNode service : kind("Service")) {
      JsonNode selector = service.path("spec").path("selector");
      JsonNode target =
          kind("Deployment").stream()
              .filter(
                  d -> {
                    JsonNode labels =
                        d.path("spec").path("template").path("metadata").path("labels");
                    var matches = new boolean[] {true};
                    selector
                        .fields()
                        .forEachRemaining(
                            e ->
                                matches[0] &=
                                    labels.path(e.getKey()).asText().equals(e.getValue().asText()));
                    return matches[0];
                  })
              .findFirst()
              .orElseThrow(
                  () ->
                      new AssertionError(
                          "service " + service.path("metadata").path("name") + " selects no pod"));
      List<Integer> ports = new ArrayList<>();
      target
          .path("spec")
          .path("template")
          .path("spec")
          .path("containers")
          .get(0)
          .path("ports")
          .forEach(p -> ports.add(p.path("containerPort").asInt()));
      service
          .path("spec")
          .path("ports")
          .forEach(p -> assertThat(ports).contains(p.path("targetPort").asInt()));
    }
  }

  @Test
  void probesUseTheContractsPathsAndTheDrainFitsTheGracePeriod() {
    for (JsonNode deployment : kind("Deployment")) {
      JsonNode pod = deployment.path("spec").path("template").path("spec");
      JsonNode container = pod.path("containers").get(0);
      assertThat(container.path("readinessProbe").path("httpGet").path("path").asText())
          .isEqualTo("/ready");
      assertThat(container.path("livenessProbe").path("httpGet").path("path").asText())
          .isEqualTo("/health");
      assertThat(
              deployment
                  .path("spec")
                  .path("template")
                  .path("metadata")
                  .path("annotations")
                  .path("prometheus.io/path")
                  .asText())
          .isEqualTo("/metrics");
    }
    JsonNode node = named("Deployment", "wsgrid-node").path("spec").path("template").path("spec");
    // 10,000 sockets (the HPA's target per pod) at 500/s take 20 s, plus the preStop wait
    assertThat(node.path("terminationGracePeriodSeconds").asInt()).isGreaterThan(25);
    assertThat(node.path("containers").get(0).path("lifecycle").path("preStop").isMissingNode())
        .isFalse();
  }

  /**
   * Safe by default: the secrets come only from the optional Secret (never written into a
   * manifest), so without it the pods' /admin/* and /api/* answer only on their loopback; and
   * nothing Kubernetes calls (probes, lifecycle hooks) needs them.
   */
  @Test
  void secretsComeOnlyFromTheOptionalSecretAndNoProbeOrHookCallsAProtectedEndpoint()
      throws IOException {
    List<String> secrets = List.of("WSGRID_API_KEY", "WSGRID_ADMIN_TOKEN", "WSGRID_JWT_SECRET");
    for (JsonNode deployment : kind("Deployment")) {
      String name = deployment.path("metadata").path("name").asText();
      JsonNode container =
          deployment.path("spec").path("template").path("spec").path("containers").get(0);
      List<JsonNode> fromSecret = new ArrayList<>();
      container
          .path("envFrom")
          .forEach(
              e -> {
                if ("wsgrid-secrets".equals(e.path("secretRef").path("name").asText()))
                  fromSecret.add(e.path("secretRef"));
              });
      assertThat(fromSecret).as(name + " reads the Secret wsgrid-secrets").hasSize(1);
      assertThat(fromSecret.get(0).path("optional").asBoolean())
          .as(name + ": the Secret is optional")
          .isTrue();
      container
          .path("env")
          .forEach(
              e ->
                  assertThat(secrets)
                      .as(name + " writes a secret into its env")
                      .doesNotContain(e.path("name").asText()));
      container
          .path("args")
          .forEach(
              a ->
                  assertThat(a.asText())
                      .as(name + " passes a secret as an argument")
                      .isNotIn("--api-key", "--admin-token", "--jwt-secret"));
      for (String probe : List.of("readinessProbe", "livenessProbe", "startupProbe")) {
        assertThat(container.path(probe).path("httpGet").path("path").asText())
            .as(name + " " + probe)
            .doesNotStartWith("/admin")
            .doesNotStartWith("/api");
      }
      container
          .path("lifecycle")
          .forEach(
              hook -> {
                assertThat(hook.path("httpGet").path("path").asText())
                    .as(name + " hook")
                    .doesNotStartWith("/admin")
                    .doesNotStartWith("/api");
                String command = hook.path("exec").path("command").toString();
                if (command.contains("/admin") || command.contains("/api")) {
                  assertThat(command)
                      .as(name + " hook calls a protected endpoint: on loopback only")
                      .containsAnyOf("127.0.0.1", "localhost");
                }
              });
    }
    JsonNode config =
        YAML.readTree(named("ConfigMap", "wsgrid-conf").path("data").path("wsgrid.yaml").asText());
    for (JsonNode section : List.of(config, config.path("node"), config.path("edge"))) {
      assertThat(section.has("api-key") || section.has("admin-token") || section.has("jwt-secret"))
          .as("a secret in the ConfigMap")
          .isFalse();
    }
    assertThat(config.path("handshake-timeout").asInt())
        .as("half-open connections are closed")
        .isPositive();
  }

  /**
   * Kubernetes kills a pod at its grace period: the preStop pause plus what SIGTERM may take must
   * fit. A node: its --drain-timeout (the drain and the cluster leave) and the 5 s the process
   * allows past it. An edge: its whole stop, --close-spread-time and the last closes and the leave.
   */
  @Test
  void theNodesDrainAndTheEdgesSpreadFitTheirGracePeriods() {
    JsonNode nodePod =
        named("Deployment", "wsgrid-node").path("spec").path("template").path("spec");
    long drainTimeout =
        Long.parseLong(
            option(
                nodePod,
                "node",
                "drain-timeout",
                "" + io.wsgrid.node.NodeSettings.DEFAULT_DRAIN_TIMEOUT));
    assertThat(preStopSeconds(nodePod) + drainTimeout + 5)
        .as("node: preStop + --drain-timeout + 5 s")
        .isLessThanOrEqualTo(nodePod.path("terminationGracePeriodSeconds").asLong());
    assertThat(drainTimeout)
        .as("the drain may use most of the grace period")
        .isGreaterThanOrEqualTo(60);

    JsonNode edgePod =
        named("Deployment", "wsgrid-edge").path("spec").path("template").path("spec");
    double spread =
        Double.parseDouble(
            option(
                edgePod,
                "edge",
                "close-spread-time",
                "" + io.wsgrid.edge.EdgeSettings.DEFAULT_CLOSE_SPREAD_MS / 1000));
    assertThat(spread)
        .as("an edge rollout spreads its clients' reconnects")
        .isGreaterThanOrEqualTo(5);
    long stopSeconds =
        (long)
            Math.ceil(
                new io.wsgrid.edge.EdgeSettings(
                            "e",
                            "0.0.0.0",
                            8080,
                            "least-connections",
                            1.25,
                            java.util.Set.of(io.wsgrid.edge.EdgeSettings.Mode.PROXY),
                            3,
                            1,
                            0.1,
                            0,
                            null,
                            null,
                            null,
                            Math.round(spread * 1000))
                        .stopTimeoutMs()
                    / 1000.0);
    assertThat(preStopSeconds(edgePod) + stopSeconds)
        .as("edge: preStop + the whole stop (spread %s s)", spread)
        .isLessThanOrEqualTo(edgePod.path("terminationGracePeriodSeconds").asLong());
  }

  /** The seconds the pod's preStop hook sleeps ({@code sleep N}); fails when it has none. */
  private static long preStopSeconds(JsonNode pod) {
    JsonNode command =
        pod.path("containers")
            .get(0)
            .path("lifecycle")
            .path("preStop")
            .path("exec")
            .path("command");
    assertThat(command.isArray() && command.size() == 2 && command.get(0).asText().equals("sleep"))
        .as("a preStop hook that sleeps: %s", command)
        .isTrue();
    return Long.parseLong(command.get(1).asText());
  }

  /**
   * An option's value as the pod gets it: its arguments, else the ConfigMap's section for the
   * command, else the default.
   */
  private static String option(JsonNode pod, String command, String name, String fallback) {
    JsonNode args = pod.path("containers").get(0).path("args");
    for (int i = 0; i + 1 < args.size(); i++) {
      if (args.get(i).asText().equals("--" + name)) return args.get(i + 1).asText();
    }
    try {
      JsonNode conf =
          YAML.readTree(
              named("ConfigMap", "wsgrid-conf").path("data").path("wsgrid.yaml").asText());
      JsonNode value = conf.path(command).path(name);
      return value.isMissingNode() ? fallback : value.asText();
    } catch (IOException e) {
      throw new AssertionError("the ConfigMap's wsgrid.yaml does not parse", e);
    }
  }

  @Test
  void autoscalerAndBudgetsTargetWhatExists() {
    JsonNode hpa = named("HorizontalPodAutoscaler", "wsgrid-node");
    named("Deployment", hpa.path("spec").path("scaleTargetRef").path("name").asText());
    List<String> metrics = new ArrayList<>();
    hpa.path("spec")
        .path("metrics")
        .forEach(
            m ->
                metrics.add(
                    m.path("type").asText().equals("Pods")
                        ? m.path("pods").path("metric").path("name").asText()
                        : m.path("resource").path("name").asText()));
    assertThat(metrics).containsExactlyInAnyOrder("cpu", "wsgrid_connections");
    for (JsonNode pdb : kind("PodDisruptionBudget")) {
      JsonNode selector = pdb.path("spec").path("selector").path("matchLabels");
      assertThat(
              kind("Deployment").stream()
                  .anyMatch(
                      d -> d.path("spec").path("selector").path("matchLabels").equals(selector)))
          .as(pdb.path("metadata").path("name").asText())
          .isTrue();
    }
  }

  @Test
  void theConfigMapsHazelcastConfigIsTheOneInConfAndFindsTheHeadlessService() throws Exception {
    Path file = Path.of("conf", "hazelcast-kubernetes.yaml");
    JsonNode shipped = YAML.readTree(file.toFile());
    JsonNode inConfigMap =
        YAML.readTree(
            named("ConfigMap", "wsgrid-conf").path("data").path("hazelcast.yaml").asText());
    assertThat(inConfigMap)
        .as("k8s/configmap.yaml's hazelcast.yaml against %s", file)
        .isEqualTo(shipped);

    com.hazelcast.config.Config config = com.hazelcast.config.Config.loadFromFile(file.toFile());
    com.hazelcast.config.JoinConfig join = config.getNetworkConfig().getJoin();
    assertThat(join.getKubernetesConfig().isEnabled()).isTrue();
    assertThat(join.getTcpIpConfig().isEnabled()).isFalse();
    assertThat(join.getMulticastConfig().isEnabled()).isFalse();
    String service = join.getKubernetesConfig().getProperty("service-name");
    assertThat(named("Service", service).path("spec").path("clusterIP").asText())
        .as("service %s is headless", service)
        .isEqualTo("None");
    // the member port the pods and the headless Service declare
    assertThat(
            named("Service", service).path("spec").path("ports").get(0).path("targetPort").asInt())
        .isEqualTo(config.getNetworkConfig().getPort());
    // the maps the Vert.x cluster manager needs, as in the loopback config
    com.hazelcast.config.Config loopback =
        com.hazelcast.config.Config.loadFromFile(Path.of("conf", "hazelcast.yaml").toFile());
    assertThat(config.getMapConfigs().keySet()).containsAll(loopback.getMapConfigs().keySet());
    assertThat(config.getMultiMapConfigs().keySet())
        .containsAll(loopback.getMultiMapConfigs().keySet());
    // conf/hazelcast.yaml points here
    assertThat(Files.readString(Path.of("conf", "hazelcast.yaml")))
        .contains("conf/hazelcast-kubernetes.yaml");
  }

  @Test
  void podsRunTheCliWithOptionsItHas() throws Exception {
    for (JsonNode deployment : kind("Deployment")) {
      List<String> args = new ArrayList<>();
      deployment
          .path("spec")
          .path("template")
          .path("spec")
          .path("containers")
          .get(0)
          .path("args")
          .forEach(a -> args.add(a.asText()));
      List<String> resolved =
          args.stream()
              .map(
                  a ->
                      a.replace("$(POD_IP)", "10.0.0.1")
                          .replace("$(POD_NAME)", "pod-1")
                          .replace("/etc/wsgrid/", "k8s-test-conf/"))
              .toList();
      Path conf = Files.createDirectories(Path.of("target", "k8s-test-conf"));
      JsonNode configMap = named("ConfigMap", "wsgrid-conf");
      Files.writeString(
          conf.resolve("wsgrid.yaml"), configMap.path("data").path("wsgrid.yaml").asText());
      Files.writeString(
          conf.resolve("hazelcast.yaml"), configMap.path("data").path("hazelcast.yaml").asText());
      picocli.CommandLine commandLine = new picocli.CommandLine(new io.wsgrid.cli.Main());
      // parse only: the options exist and their values convert
      commandLine.parseArgs(
          resolved.stream()
              .map(a -> a.replace("k8s-test-conf/", "target/k8s-test-conf/"))
              .toArray(String[]::new));
      // the Hazelcast config in the ConfigMap loads
      com.hazelcast.config.Config.loadFromFile(conf.resolve("hazelcast.yaml").toFile());
    }
  }
}
