package dev.llmrelay.testing;

import dev.llmrelay.Relay;
import dev.llmrelay.cluster.ClusterNode;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.DeploymentConfig;
import dev.llmrelay.config.RelayConfig;
import dev.llmrelay.edge.SharedUsage;
import dev.llmrelay.upstream.Admission;
import io.micrometer.prometheusmetrics.PrometheusConfig;
import io.micrometer.prometheusmetrics.PrometheusMeterRegistry;
import io.vertx.core.Future;
import io.vertx.core.Vertx;

import java.io.IOException;
import java.net.InetSocketAddress;
import java.net.ServerSocket;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.ThreadLocalRandom;
import java.util.function.UnaryOperator;
import java.util.logging.Level;
import java.util.logging.Logger;
import java.util.stream.Collectors;

/**
 * A relay cluster for tests: every node is its own clustered Vert.x (its own Hazelcast member) on
 * 127.0.0.1, configured through the same environment variables an operator would use, under a
 * cluster name unique to this harness so parallel runs never join each other. Call from a test
 * thread (it awaits); {@link #close} closes every node still running.
 */
public final class ClusterHarness implements AutoCloseable {

  // Hazelcast logs every membership step at INFO; keep test output to warnings. A strong reference,
  // since java.util.logging forgets the level of a logger nobody holds.
  private static final Logger HAZELCAST_LOG = Logger.getLogger("com.hazelcast");

  static {
    HAZELCAST_LOG.setLevel(Level.WARNING);
  }

  /** One running node: its Vert.x, the deployed relay and (for routers) its HTTP port. */
  public record Node(Vertx vertx, Relay relay, int httpPort) {
  }

  private final String name = "llm-relay-test-" + UUID.randomUUID();
  private final List<Integer> memberPorts = new ArrayList<>();
  private final UnaryOperator<RelayConfig> tweak;
  private final List<Node> nodes = new ArrayList<>();
  private int nextPort;

  /** A harness for up to {@code maxNodes} nodes; {@code tweak} adjusts every node's configuration. */
  public ClusterHarness(int maxNodes, UnaryOperator<RelayConfig> tweak) {
    while (memberPorts.size() < maxNodes) {
      int port = memberPort();
      if (!memberPorts.contains(port)) {
        memberPorts.add(port);
      }
    }
    this.tweak = tweak;
  }

  /**
   * A port free now, below the kernel's ephemeral range. A port from {@code new ServerSocket(0)} comes from
   * that range, which is also where every outgoing connection's source port comes from; the tests open
   * thousands of connections between picking a member's port and its Hazelcast binding it, and once a node
   * found its port taken ("Cannot bind to a given address", port 43823). Below the range only another
   * listener can take it.
   */
  static int memberPort() {
    int low = ephemeralLow();
    if (low > 21_000) {
      for (int attempt = 0; attempt < 50; attempt++) {
        int port = ThreadLocalRandom.current().nextInt(20_000, low);
        try (ServerSocket socket = new ServerSocket()) {
          socket.bind(new InetSocketAddress("127.0.0.1", port));
          return port;
        } catch (IOException taken) {
          // try another
        }
      }
    }
    return RelayHarness.freePort();
  }

  /** The first port of Linux's ephemeral range, or 0 where it cannot be read. */
  static int ephemeralLow() {
    return Admission.localPortRange().map(Admission.PortRange::low).orElse(0);
  }

  public String clusterName() {
    return name;
  }

  /** The environment a node with {@code role} reads, streaming from {@code upstreamUrl}. */
  public Map<String, String> environment(String role, String upstreamUrl) {
    Map<String, String> env = new HashMap<>();
    env.put("RELAY_CLUSTER", "true");
    env.put("RELAY_ROLE", role);
    env.put("RELAY_CLUSTER_NAME", name);
    env.put("RELAY_CLUSTER_HOST", "127.0.0.1");
    env.put("RELAY_CLUSTER_PORT", Integer.toString(memberPorts.get(nextPort++)));
    env.put("RELAY_CLUSTER_MEMBERS", memberPorts.stream().map(p -> "127.0.0.1:" + p).collect(Collectors.joining(",")));
    env.put("RELAY_HTTP_HOST", "127.0.0.1");
    env.put("RELAY_HTTP_PORT", Integer.toString(RelayHarness.freePort()));
    if (upstreamUrl != null) {
      env.put("RELAY_UPSTREAM_URL", upstreamUrl);
    }
    return env;
  }

  /** This harness's configuration for a node reading {@code env}. */
  public RelayConfig config(Map<String, String> env) {
    RelayConfig config = tweak.apply(ConfigLoader.applyEnvironment(ConfigLoader.defaults(), env));
    DeploymentConfig.Cluster c = config.deployment().cluster();
    // Exactly the port it was given, so the member list names every node.
    DeploymentConfig.Cluster exact = new DeploymentConfig.Cluster(c.name(), c.host(), c.port(), 1, c.members(),
      c.busPort(), c.configFile());
    return config.withDeployment(new DeploymentConfig(config.deployment().mode(), config.deployment().role(),
      exact));
  }

  /** Starts a node with {@code role} ({@code edge}, {@code provider} or {@code all}). */
  public Future<Node> start(String role, String upstreamUrl) {
    return start(role, upstreamUrl, UnaryOperator.identity());
  }

  /** As above, with the cluster's shared per-key usage seen through {@code shared} (e.g. one that can fail). */
  public Future<Node> start(String role, String upstreamUrl, UnaryOperator<SharedUsage> shared) {
    RelayConfig config = config(environment(role, upstreamUrl));
    return ClusterNode.start(config.deployment().cluster())
      .compose(vertx -> Relay.deploy(vertx, config, new PrometheusMeterRegistry(PrometheusConfig.DEFAULT),
          System::currentTimeMillis, shared)
        .map(relay -> {
          Node node = new Node(vertx, relay, config.http().port());
          synchronized (nodes) {
            nodes.add(node);
          }
          return node;
        })
        .recover(t -> vertx.close().transform(v -> Future.failedFuture(t))));
  }

  /** Closes {@code node} as an operator's SIGTERM would: it stops its verticles and leaves the cluster. */
  public Future<Void> stop(Node node) {
    synchronized (nodes) {
      nodes.remove(node);
    }
    return node.vertx().close();
  }

  @Override
  public void close() {
    List<Node> running;
    synchronized (nodes) {
      running = List.copyOf(nodes);
      nodes.clear();
    }
    Future.join(running.stream().map(n -> n.vertx().close()).toList()).await();
  }
}
