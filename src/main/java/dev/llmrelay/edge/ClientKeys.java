package dev.llmrelay.edge;

import dev.llmrelay.config.SecurityConfig;

import java.nio.charset.StandardCharsets;
import java.security.MessageDigest;
import java.security.NoSuchAlgorithmException;
import java.util.HashMap;
import java.util.HexFormat;
import java.util.Locale;
import java.util.Map;

/**
 * The configured client keys, held only as SHA-256 digests. A presented key is hashed and looked up
 * by its digest, so the lookup's timing says nothing useful about any stored key, and a leaked
 * configuration does not leak keys.
 */
final class ClientKeys {

  private static final String BEARER = "bearer ";
  private static final int MAX_KEY_LENGTH = 512;

  private final Map<String, Client> byDigest = new HashMap<>();
  private final Map<String, Client> byId = new HashMap<>();

  ClientKeys(SecurityConfig security) {
    if (security.clientKeys() != null) {
      for (SecurityConfig.ClientKey key : security.clientKeys()) {
        Client client = new Client(key.id(), key.limits() != null ? key.limits() : security.limits(),
          key.budget() != null ? key.budget() : security.budget());
        byDigest.put(key.sha256().toLowerCase(Locale.ROOT), client);
        byId.put(key.id(), client);
      }
    }
  }

  boolean enabled() {
    return !byDigest.isEmpty();
  }

  /** The client an {@code Authorization: Bearer <key>} header names, or null. */
  Client fromAuthorization(String header) {
    if (header == null || header.length() <= BEARER.length() || header.length() > BEARER.length() + MAX_KEY_LENGTH
      || !header.regionMatches(true, 0, BEARER, 0, BEARER.length())) {
      return null;
    }
    return fromKey(header.substring(BEARER.length()));
  }

  /** The client a bare key names (an {@code x-api-key} header's value), or null. */
  Client fromKey(String presented) {
    if (presented == null || presented.length() > MAX_KEY_LENGTH) {
      return null;
    }
    String key = presented.trim();
    return key.isEmpty() ? null : byDigest.get(sha256Hex(key));
  }

  /** The client with this configured id, or null (a token outliving its key's removal). */
  Client byId(String id) {
    return byId.get(id);
  }

  static String sha256Hex(String key) {
    try {
      MessageDigest digest = MessageDigest.getInstance("SHA-256");
      return HexFormat.of().formatHex(digest.digest(key.getBytes(StandardCharsets.UTF_8)));
    } catch (NoSuchAlgorithmException e) {
      throw new IllegalStateException("SHA-256 is part of every JVM", e);
    }
  }
}
