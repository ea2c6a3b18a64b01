package dev.llmrelay.config;

import java.util.ArrayList;
import java.util.HashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.function.Supplier;

/**
 * The security part of {@link ConfigLoader#applyEnvironment}: client keys from
 * {@code RELAY_CLIENT_KEYS} added to the file's, the token secret from {@code RELAY_TOKEN_SECRET},
 * and the rule that a relay without client keys listens on loopback only unless
 * {@code RELAY_HTTP_HOST} says otherwise. Key values are never echoed in an error: an operator may
 * have pasted a plain key where a digest belongs.
 */
final class ClientKeysEnv {

  static final String LOOPBACK = "127.0.0.1";

  private ClientKeysEnv() {
  }

  static RelayConfig apply(RelayConfig config, Map<String, String> env, boolean hostFromEnv,
                           Supplier<RelayConfig> shipped) {
    SecurityConfig security = config.security() != null ? config.security() : shipped.get().security();
    List<SecurityConfig.ClientKey> keys = new ArrayList<>(security.clientKeys() == null ? List.of()
      : security.clientKeys());
    String fromEnv = env.get("RELAY_CLIENT_KEYS");
    if (fromEnv != null && !fromEnv.isBlank()) {
      keys.addAll(parse(fromEnv));
    }
    validate(keys);
    security = security.withClientKeys(List.copyOf(keys));
    String secret = env.get("RELAY_TOKEN_SECRET");
    if (secret != null && !secret.isBlank()) {
      if (secret.length() < 32) {
        throw new IllegalArgumentException("RELAY_TOKEN_SECRET must be at least 32 characters long");
      }
      security = security.withTokenSecret(secret);
    }
    RelayConfig result = config.withSecurity(security);
    if (!security.authEnabled() && !hostFromEnv && !isLoopback(result.http().host())) {
      // An open relay spends its owner's upstream credit: without keys, only this machine may use it.
      result = result.withHttp(result.http().withHost(LOOPBACK));
    }
    return result;
  }

  /** {@code [name=]<sha256 hex>} entries separated by commas. */
  static List<SecurityConfig.ClientKey> parse(String value) {
    List<SecurityConfig.ClientKey> keys = new ArrayList<>();
    String[] entries = value.split(",");
    for (int i = 0; i < entries.length; i++) {
      String entry = entries[i].trim();
      if (entry.isEmpty()) {
        continue;
      }
      int eq = entry.indexOf('=');
      String digest = (eq < 0 ? entry : entry.substring(eq + 1)).trim().toLowerCase(Locale.ROOT);
      if (!isDigest(digest)) {
        throw new IllegalArgumentException("RELAY_CLIENT_KEYS entry " + (i + 1) + " is not [name=]<SHA-256 hex "
          + "digest> (64 hex characters); hash a key with: printf %s 'the-key' | sha256sum");
      }
      String id = eq < 0 ? "key-" + digest.substring(0, 8) : entry.substring(0, eq).trim();
      keys.add(new SecurityConfig.ClientKey(id, digest, null));
    }
    return keys;
  }

  private static void validate(List<SecurityConfig.ClientKey> keys) {
    Set<String> ids = new HashSet<>();
    Set<String> digests = new HashSet<>();
    for (int i = 0; i < keys.size(); i++) {
      SecurityConfig.ClientKey key = keys.get(i);
      if (key.id() == null || !key.id().matches("[A-Za-z0-9._-]{1,64}")) {
        throw new IllegalArgumentException("client key " + (i + 1) + ": id must be 1 to 64 letters, digits, . _ or -");
      }
      if (key.sha256() == null || !isDigest(key.sha256().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("client key " + key.id() + ": sha256 must be the key's SHA-256 hex digest "
          + "(64 hex characters), not the key itself");
      }
      if (!ids.add(key.id())) {
        throw new IllegalArgumentException("client key id " + key.id() + " appears twice");
      }
      if (!digests.add(key.sha256().toLowerCase(Locale.ROOT))) {
        throw new IllegalArgumentException("client key " + key.id() + " has the same digest as another key");
      }
    }
  }

  private static boolean isDigest(String s) {
    return s.length() == 64 && s.chars().allMatch(c -> (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'));
  }

  static boolean isLoopback(String host) {
    return host.equals(LOOPBACK) || host.equals("localhost") || host.equals("::1") || host.startsWith("127.");
  }
}
