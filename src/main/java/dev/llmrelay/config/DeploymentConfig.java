package dev.llmrelay.config;

/**
 * How the verticles are laid out: {@code mode} {@code standalone} (one JVM, local event bus) or
 * {@code cluster}; {@code role} {@code all}, or in a cluster {@code edge} (routers only) or
 * {@code provider} (providers only). {@code cluster} holds the cluster's network settings.
 */
public record DeploymentConfig(String mode, String role, Cluster cluster) {
  public boolean clustered() {
    return "cluster".equals(mode);
  }

  public boolean runsRouters() {
    return !"provider".equals(role);
  }

  public boolean runsProviders() {
    return !"edge".equals(role);
  }

  /**
   * A cluster node's network settings, substituted into the Hazelcast file {@code configFile}.
   *
   * @param name the cluster name; nodes only join a cluster of the same name
   * @param host the address this node binds and advertises, for Hazelcast and the event bus
   * @param port the first Hazelcast member port; the next free one of {@code portCount} is taken
   * @param members the well-known members, {@code host:port}, to discover the cluster through
   * @param busPort the event bus port (0: any free one)
   */
  public record Cluster(String name, String host, int port, int portCount, java.util.List<String> members,
                        int busPort, String configFile) {
  }
}
