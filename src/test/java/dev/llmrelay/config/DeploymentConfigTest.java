package dev.llmrelay.config;

import com.hazelcast.config.Config;
import com.hazelcast.config.JoinConfig;
import com.hazelcast.config.MultiMapConfig;
import dev.llmrelay.cluster.ClusterNode;
import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Deployment settings from config, environment and flags, and the Hazelcast configuration they produce. */
class DeploymentConfigTest {

  @Test
  void theDefaultIsOneStandaloneJvmRunningEverything() {
    DeploymentConfig d = ConfigLoader.load(new String[0], Map.of()).deployment();

    assertEquals("standalone", d.mode());
    assertEquals("all", d.role());
    assertFalse(d.clustered());
    assertTrue(d.runsRouters() && d.runsProviders());
  }

  @Test
  void flagsSelectClusterModeAndRole() {
    DeploymentConfig d = ConfigLoader.load(new String[] {"-cluster", "-role", "edge"}, Map.of()).deployment();

    assertTrue(d.clustered());
    assertEquals("edge", d.role());
    assertTrue(d.runsRouters());
    assertFalse(d.runsProviders());
    assertEquals(List.of("127.0.0.1:15701", "127.0.0.1:15702", "127.0.0.1:15703", "127.0.0.1:15704",
      "127.0.0.1:15705"), d.cluster().members());
  }

  @Test
  void environmentSetsTheClusterNetworkAndFlagsWinOverIt() {
    Map<String, String> env = Map.of("RELAY_CLUSTER", "true", "RELAY_ROLE", "provider",
      "RELAY_CLUSTER_NAME", "prod", "RELAY_CLUSTER_HOST", "10.0.0.5", "RELAY_CLUSTER_PORT", "5701",
      "RELAY_CLUSTER_MEMBERS", "10.0.0.5:5701, 10.0.0.6:5701,", "RELAY_CLUSTER_BUS_PORT", "17001",
      "RELAY_CLUSTER_CONFIG", "/etc/relay/cluster.xml");

    DeploymentConfig fromEnv = ConfigLoader.load(new String[0], env).deployment();
    DeploymentConfig flagged = ConfigLoader.load(new String[] {"-role", "all"}, env).deployment();

    assertEquals(new DeploymentConfig("cluster", "provider", new DeploymentConfig.Cluster("prod", "10.0.0.5", 5701,
      10, List.of("10.0.0.5:5701", "10.0.0.6:5701"), 17001, "/etc/relay/cluster.xml")), fromEnv);
    assertEquals("all", flagged.role());
  }

  @Test
  void impossibleDeploymentsFailAtStartWithTheSettingNamed() {
    assertTrue(fails(new String[] {"-role", "edge"}, Map.of()).contains("-cluster"));
    assertTrue(fails(new String[] {"-cluster", "-role", "router"}, Map.of()).contains("edge, provider or all"));
    assertTrue(fails(new String[0], Map.of("RELAY_CLUSTER", "yes")).contains("RELAY_CLUSTER"));
    assertTrue(fails(new String[] {"-cluster"}, Map.of("RELAY_CLUSTER_MEMBERS", "10.0.0.5:5701-5703"))
      .contains("not host:port"));
    assertTrue(fails(new String[] {"-cluster"}, Map.of("RELAY_CLUSTER_PORT", "70000")).contains("RELAY_CLUSTER_PORT"));
    assertTrue(fails(new String[] {"-cluster", "-role"}, Map.of()).contains("unknown argument"));
    assertTrue(fails(new String[] {"-cluster"}, Map.of("RELAY_CLUSTER_HOST", "0.0.0.0")).contains("this machine's"));
  }

  @Test
  void theHazelcastConfigUsesTcpIpDiscoveryOnTheConfiguredMembersOnly() {
    DeploymentConfig.Cluster cluster = new DeploymentConfig.Cluster("relay-x", "127.0.0.1", 16001, 3,
      List.of("127.0.0.1:16001", "127.0.0.1:16002"), 0, "conf/cluster.xml");

    Config hz = ClusterNode.hazelcastConfig(cluster);

    assertEquals("relay-x", hz.getClusterName());
    assertEquals(16001, hz.getNetworkConfig().getPort());
    assertEquals(3, hz.getNetworkConfig().getPortCount());
    assertTrue(hz.getNetworkConfig().isPortAutoIncrement());
    JoinConfig join = hz.getNetworkConfig().getJoin();
    assertFalse(join.getMulticastConfig().isEnabled());
    assertFalse(join.getAutoDetectionConfig().isEnabled());
    assertTrue(join.getTcpIpConfig().isEnabled());
    assertEquals(1, join.getTcpIpConfig().getConnectionTimeoutSeconds());
    assertEquals(List.of("127.0.0.1:16001", "127.0.0.1:16002"), join.getTcpIpConfig().getMembers());
    assertTrue(hz.getNetworkConfig().getInterfaces().isEnabled());
    assertEquals(List.of("127.0.0.1"), List.copyOf(hz.getNetworkConfig().getInterfaces().getInterfaces()));
    assertEquals("false", hz.getProperty("hazelcast.phone.home.enabled"));
    assertEquals("false", hz.getProperty("hazelcast.shutdownhook.enabled"));
    MultiMapConfig subs = hz.getMultiMapConfig("__vertx.subs");
    assertEquals(MultiMapConfig.ValueCollectionType.SET, subs.getValueCollectionType());
    assertTrue(hz.getMapConfigs().containsKey("__vertx.haInfo") && hz.getMapConfigs().containsKey("__vertx.nodeInfo"));
  }

  private static String fails(String[] args, Map<String, String> env) {
    return assertThrows(IllegalArgumentException.class, () -> ConfigLoader.load(args, env)).getMessage();
  }
}
