package dev.llmrelay.cluster;

import com.hazelcast.config.Config;
import com.hazelcast.config.XmlConfigBuilder;
import dev.llmrelay.config.DeploymentConfig;
import io.vertx.core.Future;
import io.vertx.core.Vertx;
import io.vertx.core.VertxBuilder;
import io.vertx.core.VertxOptions;
import io.vertx.core.eventbus.EventBusOptions;
import io.vertx.core.spi.VertxMetricsFactory;
import io.vertx.spi.cluster.hazelcast.HazelcastClusterManager;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Properties;

/**
 * Starts a Vert.x instance whose event bus is clustered with Hazelcast: the node joins the members
 * listed in {@link DeploymentConfig.Cluster} over TCP-IP and binds both Hazelcast and the event bus to
 * the configured host. The relay's bus protocol then reaches routers and providers on other nodes
 * unchanged.
 */
public final class ClusterNode {

  private ClusterNode() {
  }

  /** Joins (or founds) the cluster; completes once this node is a member and its event bus listens. */
  public static Future<Vertx> start(DeploymentConfig.Cluster cluster) {
    return start(cluster, new VertxOptions(), null);
  }

  /** As {@link #start(DeploymentConfig.Cluster)}, from {@code options} and with {@code metrics} (null: none). */
  public static Future<Vertx> start(DeploymentConfig.Cluster cluster, VertxOptions options,
                                    VertxMetricsFactory metrics) {
    Config hazelcast;
    try {
      hazelcast = hazelcastConfig(cluster);
    } catch (RuntimeException e) {
      return Future.failedFuture(e);
    }
    EventBusOptions bus = new EventBusOptions()
      .setHost(cluster.host())
      .setPort(cluster.busPort())
      .setClusterPublicHost(cluster.host());
    VertxBuilder builder = Vertx.builder()
      .with(new VertxOptions(options).setEventBusOptions(bus))
      .withClusterManager(new HazelcastClusterManager(hazelcast));
    return (metrics == null ? builder : builder.withMetrics(metrics)).buildClustered();
  }

  /**
   * The Hazelcast configuration: {@code configFile} from the working directory (else the copy in the
   * jar), with {@code ${relay.cluster.*}} replaced by this node's settings and any other
   * {@code ${...}} by a Java system property.
   */
  public static Config hazelcastConfig(DeploymentConfig.Cluster cluster) {
    Properties values = new Properties();
    values.putAll(System.getProperties());
    values.setProperty("relay.cluster.name", cluster.name());
    values.setProperty("relay.cluster.host", cluster.host());
    values.setProperty("relay.cluster.port", Integer.toString(cluster.port()));
    values.setProperty("relay.cluster.portCount", Integer.toString(cluster.portCount()));
    values.setProperty("relay.cluster.members", String.join(",", cluster.members()));
    try (InputStream in = open(cluster.configFile())) {
      return new XmlConfigBuilder(in).setProperties(values).build();
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + cluster.configFile() + ": " + e.getMessage(), e);
    }
  }

  private static InputStream open(String file) throws IOException {
    Path local = Path.of(file);
    if (Files.isRegularFile(local)) {
      return Files.newInputStream(local);
    }
    InputStream packed = ClusterNode.class.getClassLoader().getResourceAsStream(file);
    if (packed == null) {
      throw new IOException("neither in the working directory nor in the jar");
    }
    return packed;
  }
}
