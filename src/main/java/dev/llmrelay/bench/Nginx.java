package dev.llmrelay.bench;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.List;

/**
 * nginx as the reference byte pipe: a production proxy in front of the simulator, set up for streaming
 * (no buffering either way, HTTP/1.1 with keep-alive to the upstream, one worker), on the relay's core like
 * the relay and the floor. Debian's {@code nginx-light}; when it is missing and the benchmark runs as root,
 * it is installed with apt-get, otherwise nginx is skipped. Its config, temp files and logs stay under the
 * benchmark's output directory; it listens on 127.0.0.1 only.
 */
final class Nginx {

  static final String NAME = "nginx";
  private static final Path BINARY = Path.of("/usr/sbin/nginx");

  private Nginx() {
  }

  /** The nginx binary, installed if missing and allowed; null (with the reason logged) when there is none. */
  static Path binary() {
    if (Files.isExecutable(BINARY)) {
      return BINARY;
    }
    if (!"root".equals(System.getProperty("user.name"))) {
      Benchmark.log("nginx: not installed and not root, so not installing it; skipping nginx "
        + "(apt-get install nginx-light to measure it)");
      return null;
    }
    Benchmark.log("nginx: not installed; apt-get install -y nginx-light");
    try {
      ProcessBuilder apt = new ProcessBuilder("apt-get", "install", "-y", "--no-install-recommends", "nginx-light")
        .redirectErrorStream(true).redirectOutput(ProcessBuilder.Redirect.DISCARD);
      apt.environment().put("DEBIAN_FRONTEND", "noninteractive");
      int code = apt.start().waitFor();
      if (code != 0 || !Files.isExecutable(BINARY)) {
        Benchmark.log("nginx: apt-get install nginx-light failed (exit " + code + "); skipping nginx");
        return null;
      }
      return BINARY;
    } catch (IOException e) {
      Benchmark.log("nginx: cannot run apt-get (" + e.getMessage() + "); skipping nginx");
      return null;
    } catch (InterruptedException e) {
      Thread.currentThread().interrupt();
      return null;
    }
  }

  /** Writes the config under {@code dir}/nginx and starts nginx on {@code cpu}, in the foreground. */
  static RelayProcess start(Path binary, Path dir, int port, int simulatorPort, String cpu) {
    Path prefix = dir.resolve("nginx").toAbsolutePath();
    Path conf = prefix.resolve("nginx.conf");
    try {
      for (String temp : List.of("client_body", "proxy", "fastcgi", "uwsgi", "scgi")) {
        Files.createDirectories(prefix.resolve("temp").resolve(temp));
      }
      Files.writeString(conf, config(prefix, port, simulatorPort));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
    Benchmark.log("starting nginx on CPU " + cpu + " (" + conf + ")");
    return RelayProcess.startNginx(NAME, binary, conf, prefix, port, cpu, dir.resolve("nginx.log"));
  }

  static String config(Path prefix, int port, int simulatorPort) {
    String temp = prefix.resolve("temp").toString();
    return """
      # Written by the benchmark (bench/Nginx): the reference byte pipe in front of the simulator.
      daemon off;
      worker_processes 1;
      worker_rlimit_nofile 40000;
      pid %1$s/nginx.pid;
      error_log %1$s/error.log warn;
      events {
        worker_connections 40000;
      }
      http {
        access_log off;
        client_body_temp_path %2$s/client_body;
        proxy_temp_path %2$s/proxy;
        fastcgi_temp_path %2$s/fastcgi;
        uwsgi_temp_path %2$s/uwsgi;
        scgi_temp_path %2$s/scgi;
        keepalive_requests 1000000;
        upstream simulator {
          server 127.0.0.1:%4$d;
          keepalive 1024;
          keepalive_requests 1000000;
        }
        server {
          listen 127.0.0.1:%3$d backlog=4096;
          location / {
            proxy_pass http://simulator;
            proxy_http_version 1.1;
            proxy_set_header Connection "";
            proxy_buffering off;
            proxy_request_buffering off;
            proxy_read_timeout 3600s;
          }
        }
      }
      """.formatted(prefix, temp, port, simulatorPort);
  }
}
