package io.wsgrid.cluster;

import java.util.List;

/**
 * How a process joins the cluster: the cluster name (members of other names never join), the
 * Hazelcast config file (null: {@code conf/hazelcast.yaml}, else the copy in the jar), an optional
 * TCP-IP member list that replaces the file's, and the member's name.
 */
public record ClusterSettings(String clusterName, String configPath, List<String> members, String memberName) {
  public ClusterSettings {
    members = members == null ? List.of() : List.copyOf(members);
  }
}
