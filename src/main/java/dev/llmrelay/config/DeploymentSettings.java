package dev.llmrelay.config;

import java.util.Arrays;
import java.util.List;
import java.util.Map;
import java.util.Set;

/**
 * The deployment part of the configuration: the command-line flags {@code -cluster} and
 * {@code -role edge|provider|all}, the environment variables {@code RELAY_CLUSTER}, {@code RELAY_ROLE}
 * and {@code RELAY_CLUSTER_*}, and the checks that the result makes sense before anything starts.
 */
final class DeploymentSettings {

  private static final Set<String> MODES = Set.of("standalone", "cluster");
  private static final Set<String> ROLES = Set.of("all", "edge", "provider");

  private DeploymentSettings() {
  }

  /** Overrides from the environment; later the command line overrides these. */
  static DeploymentConfig applyEnvironment(DeploymentConfig d, Map<String, String> env) {
    DeploymentConfig result = d;
    String cluster = blankToNull(env.get("RELAY_CLUSTER"));
    if (cluster != null) {
      if (!cluster.equalsIgnoreCase("true") && !cluster.equalsIgnoreCase("false")) {
        throw new IllegalArgumentException("RELAY_CLUSTER must be true or false, not " + cluster);
      }
      result = withMode(result, Boolean.parseBoolean(cluster) ? "cluster" : "standalone");
    }
    String role = blankToNull(env.get("RELAY_ROLE"));
    if (role != null) {
      result = new DeploymentConfig(result.mode(), role, result.cluster());
    }
    DeploymentConfig.Cluster c = result.cluster();
    if (c == null) {
      return result;
    }
    String name = orElse(env.get("RELAY_CLUSTER_NAME"), c.name());
    String host = orElse(env.get("RELAY_CLUSTER_HOST"), c.host());
    int port = port(env, "RELAY_CLUSTER_PORT", c.port());
    int busPort = port(env, "RELAY_CLUSTER_BUS_PORT", c.busPort());
    String membersVar = blankToNull(env.get("RELAY_CLUSTER_MEMBERS"));
    List<String> members = membersVar == null ? c.members()
      : Arrays.stream(membersVar.split(",")).map(String::trim).filter(m -> !m.isEmpty()).toList();
    String file = orElse(env.get("RELAY_CLUSTER_CONFIG"), c.configFile());
    return new DeploymentConfig(result.mode(), result.role(),
      new DeploymentConfig.Cluster(name, host, port, c.portCount(), members, busPort, file));
  }

  /** Applies {@code -cluster} (when set) and {@code -role} (when not null) from the command line. */
  static DeploymentConfig applyArguments(DeploymentConfig d, boolean cluster, String role) {
    DeploymentConfig result = cluster ? withMode(d, "cluster") : d;
    return role == null ? result : new DeploymentConfig(result.mode(), role, result.cluster());
  }

  /** Fails with a message naming the setting when the deployment cannot work. */
  static void validate(DeploymentConfig d) {
    if (d == null) {
      throw new IllegalArgumentException("deployment: missing (mode, role, cluster)");
    }
    if (!MODES.contains(d.mode())) {
      throw new IllegalArgumentException("deployment.mode must be standalone or cluster, not " + d.mode());
    }
    if (!ROLES.contains(d.role())) {
      throw new IllegalArgumentException("deployment.role (-role, RELAY_ROLE) must be edge, provider or all, not "
        + d.role());
    }
    if (!d.clustered()) {
      if (!d.role().equals("all")) {
        throw new IllegalArgumentException("role " + d.role() + " needs cluster mode (-cluster or RELAY_CLUSTER=true):"
          + " a standalone relay runs both routers and providers");
      }
      return;
    }
    DeploymentConfig.Cluster c = d.cluster();
    if (c == null) {
      throw new IllegalArgumentException("deployment.cluster: missing; cluster mode needs its network settings");
    }
    if (c.name() == null || c.name().isBlank() || c.host() == null || c.host().isBlank()) {
      throw new IllegalArgumentException("deployment.cluster: name and host (RELAY_CLUSTER_HOST) must be set");
    }
    if (c.host().equals("0.0.0.0") || c.host().equals("::")) {
      throw new IllegalArgumentException("deployment.cluster.host (RELAY_CLUSTER_HOST) is advertised to the other "
        + "nodes, so it must be this machine's address, not " + c.host());
    }
    if (c.members() == null || c.members().isEmpty()) {
      throw new IllegalArgumentException("deployment.cluster.members (RELAY_CLUSTER_MEMBERS): list at least one "
        + "host:port to discover the cluster through");
    }
    for (String member : c.members()) {
      if (!member.matches("[^:\\s]+:\\d{1,5}")) {
        throw new IllegalArgumentException("deployment.cluster.members: " + member + " is not host:port "
          + "(list each port; ranges are not accepted)");
      }
    }
    if (c.portCount() < 1) {
      throw new IllegalArgumentException("deployment.cluster.portCount must be at least 1");
    }
  }

  private static DeploymentConfig withMode(DeploymentConfig d, String mode) {
    return new DeploymentConfig(mode, d.role(), d.cluster());
  }

  private static int port(Map<String, String> env, String name, int otherwise) {
    String value = blankToNull(env.get(name));
    if (value == null) {
      return otherwise;
    }
    try {
      int port = Integer.parseInt(value.trim());
      if (port < 0 || port > 65535) {
        throw new NumberFormatException();
      }
      return port;
    } catch (NumberFormatException e) {
      throw new IllegalArgumentException(name + " is not a port number: " + value);
    }
  }

  private static String orElse(String value, String otherwise) {
    String v = blankToNull(value);
    return v == null ? otherwise : v.trim();
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
