package dev.llmrelay.config;

import com.fasterxml.jackson.databind.DeserializationFeature;
import com.fasterxml.jackson.databind.JsonNode;
import com.fasterxml.jackson.databind.node.ObjectNode;
import com.fasterxml.jackson.databind.ObjectMapper;
import io.vertx.core.json.JsonObject;

import java.io.IOException;
import java.io.InputStream;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.Map;

/**
 * Reads {@code conf/config.json} (from the working directory, else the copy inside the jar), or the
 * file named by {@code -conf}, then applies the environment variables that are part of the relay's
 * interface: {@code OPENROUTER_API_KEY}, {@code RELAY_UPSTREAM_URL}, {@code RELAY_HTTP_PORT},
 * {@code RELAY_HTTP_HOST}, {@code RELAY_CLIENT_KEYS}, {@code RELAY_TOKEN_SECRET}, the deployment ones
 * ({@code -cluster}, {@code -role}, {@code RELAY_CLUSTER}, {@code RELAY_ROLE}, {@code RELAY_CLUSTER_*}; see
 * {@link DeploymentSettings}), and OpenTelemetry's {@code OTEL_EXPORTER_OTLP_ENDPOINT},
 * {@code OTEL_SERVICE_NAME} and {@code OTEL_SDK_DISABLED}.
 */
public final class ConfigLoader {

  public static final String DEFAULT_FILE = "conf/config.json";

  private static final ObjectMapper JSON = new ObjectMapper()
    .enable(DeserializationFeature.FAIL_ON_UNKNOWN_PROPERTIES)
    .enable(DeserializationFeature.FAIL_ON_NULL_FOR_PRIMITIVES);

  private ConfigLoader() {
  }

  /** The configuration for these command-line arguments and this environment. */
  public static RelayConfig load(String[] args, Map<String, String> env) {
    String file = null;
    boolean cluster = false;
    String role = null;
    for (int i = 0; i < args.length; i++) {
      if (("-conf".equals(args[i]) || "--conf".equals(args[i])) && i + 1 < args.length) {
        file = args[++i];
      } else if ("-cluster".equals(args[i]) || "--cluster".equals(args[i])) {
        cluster = true;
      } else if (("-role".equals(args[i]) || "--role".equals(args[i])) && i + 1 < args.length) {
        role = args[++i];
      } else {
        throw new IllegalArgumentException("unknown argument " + args[i]
          + " (usage: [-conf config.json] [-cluster] [-role edge|provider|all])");
      }
    }
    RelayConfig config = applyEnvironment(file == null ? defaults() : read(Path.of(file)), env);
    config = config.withDeployment(DeploymentSettings.applyArguments(config.deployment(), cluster, role));
    DeploymentSettings.validate(config.deployment());
    return config;
  }

  /** {@code conf/config.json} (the working directory's, else the jar's), without environment overrides. */
  public static RelayConfig defaults() {
    Path local = Path.of(DEFAULT_FILE);
    return Files.isRegularFile(local) ? read(local) : bind(shipped(), DEFAULT_FILE);
  }

  /**
   * {@code file} over the configuration shipped in the jar: a setting the file leaves out keeps its
   * shipped default, so a file written for an older release still loads when settings are added.
   */
  public static RelayConfig read(Path file) {
    ObjectNode own;
    try {
      own = (ObjectNode) JSON.readTree(file.toFile());
    } catch (IOException | ClassCastException e) {
      throw new UncheckedIOException("cannot read " + file + ": " + e.getMessage(),
        e instanceof IOException io ? io : new IOException(e));
    }
    return bind(merge(shipped(), own), file.toString());
  }

  /** The jar's {@code conf/config.json}: every setting with its default. */
  private static ObjectNode shipped() {
    try (InputStream in = ConfigLoader.class.getClassLoader().getResourceAsStream(DEFAULT_FILE)) {
      if (in == null) {
        throw new IllegalStateException(DEFAULT_FILE + " is not in the jar");
      }
      return (ObjectNode) JSON.readTree(in);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read the shipped " + DEFAULT_FILE + ": " + e.getMessage(), e);
    }
  }

  /** {@code over} laid onto {@code base}, object by object; anything else (values, arrays) replaces. */
  static ObjectNode merge(ObjectNode base, ObjectNode over) {
    over.properties().forEach(entry -> {
      JsonNode mine = base.get(entry.getKey());
      if (mine instanceof ObjectNode mineObject && entry.getValue() instanceof ObjectNode theirs) {
        merge(mineObject, theirs);
      } else {
        base.set(entry.getKey(), entry.getValue());
      }
    });
    return base;
  }

  private static RelayConfig bind(JsonNode tree, String source) {
    try {
      return JSON.treeToValue(tree, RelayConfig.class);
    } catch (IOException e) {
      throw new UncheckedIOException("cannot read " + source + ": " + e.getMessage(), e);
    }
  }

  public static RelayConfig applyEnvironment(RelayConfig config, Map<String, String> env) {
    RelayConfig result = config;
    String key = blankToNull(env.get("OPENROUTER_API_KEY"));
    String url = blankToNull(env.get("RELAY_UPSTREAM_URL"));
    if (key != null) {
      result = result.withUpstream(result.upstream().withApiKey(key));
    }
    if (url != null) {
      result = result.withUpstream(result.upstream().withUrl(url, false));
    } else if (key == null) {
      // Neither a key nor an upstream: serve from the built-in simulator (the url is set once it listens).
      result = result.withUpstream(result.upstream().withUrl(null, true));
    }
    String port = blankToNull(env.get("RELAY_HTTP_PORT"));
    if (port != null) {
      try {
        result = result.withHttp(result.http().withPort(Integer.parseInt(port)));
      } catch (NumberFormatException e) {
        throw new IllegalArgumentException("RELAY_HTTP_PORT is not a port number: " + port);
      }
    }
    String host = blankToNull(env.get("RELAY_HTTP_HOST"));
    if (host != null) {
      result = result.withHttp(result.http().withHost(host));
    }
    if (result.deployment() != null) {
      result = result.withDeployment(DeploymentSettings.applyEnvironment(result.deployment(), env));
    }
    result = result.withTracing(tracingEnvironment(result.tracing(), env));
    return ClientKeysEnv.apply(result, env, host != null, ConfigLoader::defaults);
  }

  /**
   * OpenTelemetry's standard variables: {@code OTEL_EXPORTER_OTLP_ENDPOINT} turns tracing on and names the
   * collector, {@code OTEL_SERVICE_NAME} the service, {@code OTEL_SDK_DISABLED=true} turns it off whatever
   * the file says.
   */
  private static TracingConfig tracingEnvironment(TracingConfig tracing, Map<String, String> env) {
    TracingConfig result = tracing;
    String endpoint = blankToNull(env.get("OTEL_EXPORTER_OTLP_ENDPOINT"));
    if (endpoint != null) {
      result = result.withEndpoint(endpoint);
    }
    String service = blankToNull(env.get("OTEL_SERVICE_NAME"));
    if (service != null) {
      result = result.withServiceName(service);
    }
    if ("true".equalsIgnoreCase(blankToNull(env.get("OTEL_SDK_DISABLED")))) {
      result = result.withEnabled(false);
    }
    return result;
  }

  /** A configuration slice as the JSON a verticle receives in its deployment options. */
  public static JsonObject toJson(Object slice) {
    @SuppressWarnings("unchecked")
    Map<String, Object> map = JSON.convertValue(slice, Map.class);
    return new JsonObject(map);
  }

  /** The inverse of {@link #toJson}. */
  public static <T> T fromJson(JsonObject json, Class<T> type) {
    try {
      return JSON.readValue(json.encode(), type);
    } catch (IOException e) {
      throw new UncheckedIOException("invalid configuration: " + e.getMessage(), e);
    }
  }

  private static String blankToNull(String s) {
    return s == null || s.isBlank() ? null : s;
  }
}
