package dev.llmrelay.docs;

import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;

import java.io.IOException;
import java.io.UncheckedIOException;
import java.nio.file.Files;
import java.nio.file.Path;
import java.util.ArrayList;
import java.util.HashMap;
import java.util.LinkedHashSet;
import java.util.List;
import java.util.Locale;
import java.util.Map;
import java.util.Set;
import java.util.regex.Matcher;
import java.util.regex.Pattern;
import java.util.stream.Stream;

import static org.junit.jupiter.api.Assertions.assertEquals;
import static org.junit.jupiter.api.Assertions.assertTrue;

/**
 * The README and {@code docs/*.md} as a reader follows them: every relative link
 * ({@code [text](path)}, {@code [text](path#anchor)}, {@code [text](#anchor)}) reaches a file that
 * exists, and every {@code #anchor} names a heading of its target by GitHub's rule. Links to
 * {@code http:}, {@code https:} and {@code mailto:} are not followed; links inside fenced code blocks
 * and inline code are not links. The README stays a front door, and holds the run and test commands
 * the build and {@code RunCommandIT} use.
 */
class DocsLinksTest {

  private static final Path ROOT = Path.of(System.getProperty("user.dir"));
  private static final int README_MAX_LINES = 160;
  private static final String RUN_COMMAND = "```sh\nmvn -B -q -DskipTests package && java @conf/jvm.options -jar target/llm-relay.jar\n```";
  private static final String TEST_COMMAND = "```sh\nmvn -B verify\n```";

  private static final Pattern LINK = Pattern.compile("!?\\[([^\\]]*)\\]\\(\\s*([^)\\s]+)(?:\\s+\"[^\"]*\")?\\s*\\)");
  private static final Pattern INLINE_CODE = Pattern.compile("(`+).*?\\1");
  private static final Pattern HEADING = Pattern.compile("^ {0,3}(#{1,6})\\s+(.*?)\\s*#*\\s*$");
  private static final Pattern FENCE = Pattern.compile("^ {0,3}(`{3,}|~{3,})");

  @Test
  void everyRelativeLinkInTheReadmeAndTheDocsResolvesToAFileAndAHeading() throws IOException {
    List<Path> files = documents(ROOT);
    assertTrue(files.contains(ROOT.resolve("README.md")), "README.md is checked: " + files);
    assertTrue(files.size() > 1, "docs/*.md are checked: " + files);

    List<String> broken = brokenLinks(ROOT, files);

    assertEquals(List.of(), broken, broken.size() + " broken link(s):\n" + String.join("\n", broken));
  }

  @Test
  void theReadmeIsAFrontDoorOfAtMost160Lines() throws IOException {
    int lines = Files.readAllLines(ROOT.resolve("README.md")).size();
    assertTrue(lines <= README_MAX_LINES, "README.md has " + lines + " lines, at most " + README_MAX_LINES
      + " belong there: move the detail into docs/ and link to it");
  }

  @Test
  void theReadmeGivesTheRunAndTestCommandsTheBuildAndRunCommandItUse() throws IOException {
    String readme = Files.readString(ROOT.resolve("README.md")).replace("\r\n", "\n");
    assertTrue(readme.contains(RUN_COMMAND), "README.md runs the relay with:\n" + RUN_COMMAND);
    assertTrue(readme.contains(TEST_COMMAND), "README.md tests with:\n" + TEST_COMMAND);
  }

  @Test
  void slugsFollowGitHubsRule() {
    assertEquals("the-eventsource-contract", slug("The EventSource contract"));
    assertEquals("openai-compatible-api", slug("OpenAI-compatible API"));
    assertEquals("metrics-and-logs", slug("Metrics and logs"));
    assertEquals("no-keys-loopback-only", slug("No keys, loopback only"));
    assertEquals("post-v1chatcompletions-and-health", slug("`POST /v1/chat/completions` and `/health`"));
    assertEquals("see-the-api-first", slug("See [the API](api.md) first!"));
    assertEquals("two--spaces-kept", slug("Two  spaces: kept"));
    assertEquals("snake_case-stays", slug("snake_case stays"));
    assertEquals("größe-und-100-", slug("Größe und 100 %"));
  }

  @Test
  void aMissingFileAMissingHeadingAndABadSameFileAnchorAreEachReported(@TempDir Path dir) throws IOException {
    Files.createDirectories(dir.resolve("docs"));
    Files.writeString(dir.resolve("README.md"), String.join("\n",
      "# Relay",
      "## Run it",
      "[ok](docs/a.md) [ok](docs/a.md#first-part) [ok](#run-it) [ok](https://example.com/x.md)",
      "[missing](docs/nope.md) [no heading](docs/a.md#nowhere)",
      "`[code](not-a-link.md)`",
      "```",
      "[fenced](not-a-link-either.md)",
      "# Not a heading",
      "```",
      "[fenced heading](#not-a-heading)"));
    Files.writeString(dir.resolve("docs/a.md"), String.join("\n",
      "# A",
      "## First part",
      "## First part",
      "[up](../README.md#run-it) [twice](#first-part-1) [self](#a) [bad](#second-part) [dir](../docs)"));

    List<String> broken = brokenLinks(dir, documents(dir));

    assertEquals(List.of(
      "README.md:4: [missing](docs/nope.md): no file docs/nope.md",
      "README.md:4: [no heading](docs/a.md#nowhere): no heading #nowhere in docs/a.md",
      "README.md:10: [fenced heading](#not-a-heading): no heading #not-a-heading in README.md",
      "docs/a.md:4: [bad](#second-part): no heading #second-part in docs/a.md"), broken);
  }

  /** README.md and docs/*.md under {@code root}, README first. */
  private static List<Path> documents(Path root) throws IOException {
    List<Path> files = new ArrayList<>();
    files.add(root.resolve("README.md"));
    Path docs = root.resolve("docs");
    if (Files.isDirectory(docs)) {
      try (Stream<Path> list = Files.list(docs)) {
        list.filter(p -> p.getFileName().toString().endsWith(".md")).sorted().forEach(files::add);
      }
    }
    return files;
  }

  /** One line per broken link: {@code file:line: [text](target): what is wrong}. */
  private static List<String> brokenLinks(Path root, List<Path> files) throws IOException {
    Map<Path, Set<String>> anchors = new HashMap<>();
    List<String> broken = new ArrayList<>();
    for (Path file : files) {
      List<String> lines = prose(Files.readAllLines(file));
      for (int i = 0; i < lines.size(); i++) {
        Matcher m = LINK.matcher(INLINE_CODE.matcher(lines.get(i)).replaceAll(""));
        while (m.find()) {
          String target = m.group(2);
          if (target.startsWith("http://") || target.startsWith("https://") || target.startsWith("mailto:")) {
            continue;
          }
          int hash = target.indexOf('#');
          String path = hash < 0 ? target : target.substring(0, hash);
          String anchor = hash < 0 ? null : target.substring(hash + 1);
          Path resolved = path.isEmpty() ? file : file.getParent().resolve(path.replace("%20", " ")).normalize();
          String where = root.relativize(file).toString().replace('\\', '/') + ":" + (i + 1) + ": ["
            + m.group(1) + "](" + target + "): ";
          if (!Files.exists(resolved)) {
            broken.add(where + "no file " + root.relativize(resolved).toString().replace('\\', '/'));
          } else if (anchor != null) {
            Set<String> headings = Files.isRegularFile(resolved) && resolved.toString().endsWith(".md")
              ? anchors.computeIfAbsent(resolved, DocsLinksTest::headingAnchors) : Set.of();
            if (!headings.contains(anchor)) {
              broken.add(where + "no heading #" + anchor + " in "
                + root.relativize(resolved).toString().replace('\\', '/'));
            }
          }
        }
      }
    }
    return broken;
  }

  /** The anchors GitHub gives a file's headings: each heading's slug, a repeated one with -1, -2, ... */
  private static Set<String> headingAnchors(Path file) {
    try {
      Set<String> anchors = new LinkedHashSet<>();
      Map<String, Integer> seen = new HashMap<>();
      for (String line : prose(Files.readAllLines(file))) {
        Matcher m = HEADING.matcher(line);
        if (m.matches()) {
          String slug = slug(m.group(2));
          int n = seen.merge(slug, 1, Integer::sum) - 1;
          anchors.add(n == 0 ? slug : slug + "-" + n);
        }
      }
      return anchors;
    } catch (IOException e) {
      throw new UncheckedIOException(e);
    }
  }

  /** The lines with fenced code blocks blanked out (line numbers kept): neither links nor headings there. */
  private static List<String> prose(List<String> lines) {
    List<String> out = new ArrayList<>(lines.size());
    String fence = null;
    for (String line : lines) {
      Matcher m = FENCE.matcher(line);
      if (fence == null && m.find()) {
        fence = m.group(1);
        out.add("");
      } else if (fence != null) {
        String open = fence;
        if (line.strip().startsWith(open) && line.strip().chars().allMatch(c -> c == open.charAt(0))) {
          fence = null;
        }
        out.add("");
      } else {
        out.add(line);
      }
    }
    return out;
  }

  /**
   * GitHub's heading anchor: the heading's text (links as their text, code without backticks),
   * lowercased, every character dropped that is not a letter, mark, digit, connector ({@code _}),
   * space or hyphen, and each space turned into a hyphen.
   */
  static String slug(String heading) {
    String text = heading.replaceAll("!?\\[([^\\]]*)\\]\\([^)]*\\)", "$1");
    return text.toLowerCase(Locale.ROOT).replaceAll("[^\\p{L}\\p{M}\\p{N}\\p{Pc} -]", "").replace(' ', '-');
  }
}
