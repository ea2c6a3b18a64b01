package dev.llmrelay.testing;

import org.openqa.selenium.OutputType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Duration;
import java.util.Comparator;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.fail;

/**
 * Debian's headless Chromium driven through Debian's chromedriver, for browser end-to-end tests. Both
 * binaries are given explicitly, so Selenium never looks for (or downloads) a driver or a browser.
 * Without them a local run skips; with {@code CI=true} it fails, because CI must never skip.
 */
public final class Chromium implements AutoCloseable {

  public static final Path BROWSER = Path.of("/usr/bin/chromium");
  public static final Path DRIVER = Path.of("/usr/bin/chromedriver");

  /** Why browser tests cannot run here, and how to fix it. */
  public static final String MISSING = "Browser tests need " + BROWSER + " and " + DRIVER + " (Debian packages "
    + "chromium and chromium-driver; .ci/run installs them: apt-get install -y chromium chromium-driver)";

  public final ChromeDriver driver;
  private final ChromeDriverService service;
  private final Path profile;

  private Chromium(ChromeDriver driver, ChromeDriverService service, Path profile) {
    this.driver = driver;
    this.service = service;
    this.profile = profile;
  }

  public static boolean installed() {
    return Files.isExecutable(BROWSER) && Files.isExecutable(DRIVER);
  }

  /**
   * Starts a browser with a fresh profile, or answers null when none is installed, so the tests can
   * skip ({@code assumeTrue(chromium != null, MISSING)}). With {@code CI=true} a missing browser fails.
   */
  public static Chromium startIfInstalled() {
    if (!installed()) {
      if ("true".equals(System.getenv("CI"))) {
        fail(MISSING + ", and CI=true: on CI browser tests must run, not skip.");
      }
      System.err.println(MISSING + ": skipping the browser tests.");
      return null;
    }
    Path profile = tempDir();
    ChromeDriverService service = new ChromeDriverService.Builder()
      .usingDriverExecutable(DRIVER.toFile())
      .usingAnyFreePort()
      .withTimeout(Duration.ofSeconds(30))
      .build();
    ChromeOptions options = new ChromeOptions()
      .setBinary(BROWSER.toFile())
      .addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
        "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run",
        "--disable-extensions", "--window-size=1360,960", "--user-data-dir=" + profile);
    try {
      ChromeDriver driver = new ChromeDriver(service, options);
      driver.manage().timeouts().pageLoadTimeout(Duration.ofSeconds(20)).scriptTimeout(Duration.ofSeconds(10));
      return new Chromium(driver, service, profile);
    } catch (RuntimeException e) {
      service.stop();
      deleteTree(profile);
      throw e;
    }
  }

  /** Saves what the page shows now as a PNG. */
  public void screenshot(Path file) {
    try {
      Files.createDirectories(file.getParent());
      Files.write(file, driver.getScreenshotAs(OutputType.BYTES));
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  @Override
  public void close() {
    try {
      driver.quit();
    } finally {
      service.stop();
      deleteTree(profile);
    }
  }

  private static Path tempDir() {
    try {
      return Files.createTempDirectory("llm-relay-chromium-");
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  private static void deleteTree(Path root) {
    try (Stream<Path> paths = Files.walk(root)) {
      paths.sorted(Comparator.reverseOrder()).forEach(p -> p.toFile().delete());
    } catch (IOException e) {
      // a leftover temp profile is harmless
    }
  }
}
