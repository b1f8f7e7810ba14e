package io.wsgrid.cli;

import io.wsgrid.cluster.ClusterSettings;
import io.wsgrid.config.ConfigException;
import io.wsgrid.security.TlsSettings;
import java.util.List;
import picocli.CommandLine.Option;

/** Options every cluster member (node, edge) takes. */
final class ClusterOptions {
  @Option(
      names = "--cluster-name",
      defaultValue = "wsgrid",
      description =
          "Cluster to join; members of other names never join (default: ${DEFAULT-VALUE}).")
  String clusterName;

  @Option(
      names = "--cluster-config",
      description =
          "Hazelcast YAML/XML config (default: conf/hazelcast.yaml, else the copy in the jar).")
  String clusterConfig;

  @Option(
      names = "--cluster-members",
      split = ",",
      description =
          "TCP-IP members host[:port], comma-separated; replaces the config file's member list (default: the file's list).")
  List<String> clusterMembers;

  @Option(
      names = "--cluster-port",
      defaultValue = "0",
      description =
          "First Hazelcast member port; members listed without a port are probed from it up (default: ${DEFAULT-VALUE} = the config's, 5701).")
  int clusterPort;

  @Option(
      names = "--log-format",
      defaultValue = "text",
      description =
          "text (one readable line per event) or json (one JSON object per line, for log shippers) (default: ${DEFAULT-VALUE}).")
  String logFormat;

  @Option(
      names = "--cluster-tls",
      defaultValue = "false",
      arity = "0..1",
      description =
          "Encrypt the event bus between members with TLS (mutual, with --tls-cert, --tls-key, --tls-ca). Hazelcast's own traffic stays plain: see README (default: ${DEFAULT-VALUE}).")
  boolean clusterTls;

  ClusterSettings toSettings(String memberName, TlsSettings tls) {
    if (clusterTls && !tls.enabled()) {
      throw new ConfigException(
          "--cluster-tls needs --tls-cert, --tls-key and --tls-ca (the CA that signed every member's certificate)");
    }
    return new ClusterSettings(
        clusterName,
        clusterConfig,
        clusterMembers,
        memberName,
        clusterPort,
        clusterTls ? tls : TlsSettings.NONE);
  }
}
