package dev.llmrelay.config;

import org.junit.jupiter.api.Test;

import java.util.List;
import java.util.Map;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertFalse;
import static org.junit.jupiter.api.Assertions.assertThrows;
import static org.junit.jupiter.api.Assertions.assertTrue;

/** Client keys and the token secret from the environment, and the loopback rule without keys. */
class ClientKeysEnvTest {

  static final String DIGEST = "2bb80d537b1da3e38bd30361aa855686bde0eacd7162fef6a25fe97bf527a25b";

  @Test
  void withoutKeysTheRelayBindsToLoopbackUnlessTheHostIsGivenExplicitly() {
    RelayConfig shipped = ConfigLoader.defaults();
    assertEquals("0.0.0.0", shipped.http().host());
    assertEquals("127.0.0.1", ConfigLoader.applyEnvironment(shipped, Map.of()).http().host());
    assertEquals("0.0.0.0", ConfigLoader.applyEnvironment(shipped, Map.of("RELAY_HTTP_HOST", "0.0.0.0")).http().host());
    RelayConfig keyed = ConfigLoader.applyEnvironment(shipped, Map.of("RELAY_CLIENT_KEYS", DIGEST));
    assertEquals("0.0.0.0", keyed.http().host());
    assertTrue(keyed.security().authEnabled());
  }

  @Test
  void keysComeAsOptionallyNamedDigestsAndAPlainKeyIsRefusedWithoutBeingEchoed() {
    RelayConfig config = ConfigLoader.applyEnvironment(ConfigLoader.defaults(),
      Map.of("RELAY_CLIENT_KEYS", " web=" + DIGEST.toUpperCase() + " , " + DIGEST.replace('2', '3') + ",",
        "RELAY_TOKEN_SECRET", "x".repeat(32)));
    List<SecurityConfig.ClientKey> keys = config.security().clientKeys();
    assertEquals(2, keys.size());
    assertEquals("web", keys.get(0).id());
    assertEquals(DIGEST, keys.get(0).sha256());
    assertEquals("key-3bb80d53", keys.get(1).id());
    assertEquals("x".repeat(32), config.security().tokenSecret());
    assertFalse(config.security().toString().contains("xxxx"));

    IllegalArgumentException plain = assertThrows(IllegalArgumentException.class, () -> ConfigLoader.applyEnvironment(
      ConfigLoader.defaults(), Map.of("RELAY_CLIENT_KEYS", "web=my-plain-secret-key")));
    assertFalse(plain.getMessage().contains("my-plain-secret-key"), plain.getMessage());
    assertTrue(plain.getMessage().contains("sha256sum"), plain.getMessage());
    assertThrows(IllegalArgumentException.class, () -> ConfigLoader.applyEnvironment(ConfigLoader.defaults(),
      Map.of("RELAY_CLIENT_KEYS", "a=" + DIGEST + ",a=" + DIGEST.replace('2', '4'))));
    assertThrows(IllegalArgumentException.class, () -> ConfigLoader.applyEnvironment(ConfigLoader.defaults(),
      Map.of("RELAY_TOKEN_SECRET", "short")));
  }
}
