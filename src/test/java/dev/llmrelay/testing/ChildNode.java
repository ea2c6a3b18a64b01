package dev.llmrelay.testing;

import dev.llmrelay.Main;
import dev.llmrelay.config.ConfigLoader;
import dev.llmrelay.config.RelayConfig;

import java.io.File;
import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.charset.StandardCharsets;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;
import java.util.Map;
import java.util.concurrent.TimeUnit;

/**
 * A relay node in its own JVM, started as an operator would ({@code Main} with {@code -conf} and
 * {@code RELAY_*} environment variables), so a test can kill it with SIGKILL: no verticle stops, no
 * goodbye to the cluster, sockets closed by the operating system. Its log goes to a temporary file.
 */
public final class ChildNode implements AutoCloseable {

  private final Process process;
  private final Path dir;
  private final Path log;

  private ChildNode(Process process, Path dir, Path log) {
    this.process = process;
    this.dir = dir;
    this.log = log;
  }

  /** Starts {@code java … dev.llmrelay.Main -conf <config>} with {@code env} as its relay settings. */
  public static ChildNode start(RelayConfig config, Map<String, String> env) {
    try {
      Path dir = Files.createTempDirectory("llm-relay-node");
      Path conf = dir.resolve("config.json");
      // No warm-up (dev.llmrelay.Warmup): a test node is not measured, and would start seconds later.
      Files.writeString(conf, ConfigLoader.toJson(config.withHttp(config.http().withWarmupStreams(0))).encode());
      Path log = dir.resolve("node.log");
      String java = Path.of(System.getProperty("java.home"), "bin", "java").toString();
      ProcessBuilder builder = new ProcessBuilder(List.of(java, "-Xmx256m", "-XX:TieredStopAtLevel=1",
        "-XX:+UseSerialGC", "-cp", System.getProperty("java.class.path"), Main.class.getName(),
        "-conf", conf.toString()))
        .directory(new File(System.getProperty("user.dir")))
        .redirectErrorStream(true)
        .redirectOutput(log.toFile());
      // Only the settings given here: nothing from the environment the tests happen to run in.
      builder.environment().keySet().removeIf(name -> name.startsWith("RELAY_") || name.equals("OPENROUTER_API_KEY"));
      builder.environment().putAll(env);
      return new ChildNode(builder.start(), dir, log);
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** Waits until the node's log contains {@code text}; fails if it exits or {@code timeoutMs} pass first. */
  public void awaitLog(String text, long timeoutMs) {
    long deadline = System.currentTimeMillis() + timeoutMs;
    while (!log().contains(text)) {
      if (!process.isAlive()) {
        throw new IllegalStateException("node exited with " + process.exitValue() + ":\n" + log());
      }
      if (System.currentTimeMillis() > deadline) {
        throw new IllegalStateException("node not ready after " + timeoutMs + " ms:\n" + log());
      }
      try {
        Thread.sleep(50);
      } catch (InterruptedException e) {
        Thread.currentThread().interrupt();
        throw new IllegalStateException(e);
      }
    }
  }

  /** SIGKILL, and wait until the process is gone. */
  public void kill() {
    process.destroyForcibly();
    try {
      process.waitFor(10, TimeUnit.SECONDS);
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
    }
  }

  public String log() {
    try {
      return Files.exists(log) ? Files.readString(log, StandardCharsets.UTF_8) : "";
    } catch (IOException e) {
      return "";
    }
  }

  @Override
  public void close() {
    kill();
    try (var files = Files.list(dir)) {
      for (Path file : files.toList()) {
        Files.deleteIfExists(file);
      }
      Files.deleteIfExists(dir);
    } catch (IOException e) {
      // a leftover temporary file is harmless
    }
  }
}
