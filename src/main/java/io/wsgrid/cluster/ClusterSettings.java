package io.wsgrid.cluster;

import io.wsgrid.config.ConfigException;
import io.wsgrid.security.TlsSettings;
import java.util.List;

/**
 * How a process joins the cluster: the cluster name (members of other names never join), the
 * Hazelcast config file (null: {@code conf/hazelcast.yaml}, else the copy in the jar), an optional
 * TCP-IP member list that replaces the file's, the member's name, and the first Hazelcast member
 * port (0: the file's; members listed without a port are probed from it upwards).
 */
public record ClusterSettings(
    String clusterName,
    String configPath,
    List<String> members,
    String memberName,
    int port,
    TlsSettings eventBusTls) {
  public ClusterSettings {
    members = members == null ? List.of() : List.copyOf(members);
    if (eventBusTls == null) eventBusTls = TlsSettings.NONE;
    if (eventBusTls.enabled() && eventBusTls.ca() == null) {
      throw new ConfigException(
          "--cluster-tls needs --tls-cert, --tls-key and --tls-ca (the CA that signed every member's certificate)");
    }
    if (port < 0 || port > 65535)
      throw new ConfigException("--cluster-port must be between 1 and 65535, got " + port);
  }

  /** With a plain event bus. */
  public ClusterSettings(
      String clusterName, String configPath, List<String> members, String memberName, int port) {
    this(clusterName, configPath, members, memberName, port, null);
  }
}
