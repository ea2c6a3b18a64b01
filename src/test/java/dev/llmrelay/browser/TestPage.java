package dev.llmrelay.browser;

import org.openqa.selenium.By;
import org.openqa.selenium.Keys;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

import java.time.Duration;
import java.util.List;
import java.util.function.Function;

/** What a person does on {@code webroot/test-stream.html} and what they see there, for the browser tests. */
final class TestPage {

  private final ChromeDriver driver;

  TestPage(ChromeDriver driver) {
    this.driver = driver;
  }

  /** Opens the page on a relay and waits until the model list has loaded. */
  TestPage open(int port) {
    driver.get("http://127.0.0.1:" + port + "/");
    waitUntil(Duration.ofSeconds(10), d -> d.findElement(By.id("send")).isEnabled());
    return this;
  }

  String notice() {
    WebElement notice = byId("notice");
    return notice.isDisplayed() ? notice.getText() : "";
  }

  TestPage model(String id) {
    new Select(byId("model")).selectByValue(id);
    return this;
  }

  /** Types into the model search box (an empty text clears it). */
  TestPage search(String text) {
    if (text.isEmpty()) {
      paste("model-search", "");
    } else {
      type("model-search", text);
    }
    return this;
  }

  /** The ids the model list offers, in order. */
  List<String> modelIds() {
    return new Select(byId("model")).getOptions().stream().map(o -> o.getDomAttribute("value")).toList();
  }

  String chosenModel() {
    return value("model");
  }

  /** What the capabilities list says for {@code term} (e.g. "Context window"), or null without that row. */
  String capability(String term) {
    return (String) driver.executeScript("const dt = [...document.querySelectorAll('#capabilities dt')]"
      + ".find((d) => d.textContent === arguments[0]); return dt ? dt.nextElementSibling.textContent : null;", term);
  }

  String text(String id) {
    return byId(id).getText();
  }

  TestPage scenario(String id) {
    new Select(byId("scenario")).selectByValue(id);
    return this;
  }

  /** Replaces a field's value by typing, as a person would. */
  TestPage type(String fieldId, String text) {
    WebElement field = byId(fieldId);
    field.clear();
    field.sendKeys(text);
    return this;
  }

  /** Sets a long value at once (typing thousands of characters would only slow the test down). */
  TestPage paste(String fieldId, String text) {
    driver.executeScript("const f = document.getElementById(arguments[0]); f.value = arguments[1];"
      + "f.dispatchEvent(new Event('input', {bubbles: true}));", fieldId, text);
    return this;
  }

  TestPage useSchema(String preset) {
    if (!byId("use-schema").isSelected()) {
      byId("use-schema").click();
    }
    new Select(byId("schema-preset")).selectByValue(preset);
    return this;
  }

  /** Types a message and sends it with the Enter key. */
  TestPage ask(String message) {
    byId("prompt").sendKeys(message, Keys.ENTER);
    return this;
  }

  TestPage clickStop() {
    byId("stop").click();
    return this;
  }

  String value(String fieldId) {
    return byId(fieldId).getDomProperty("value");
  }

  /** The live status: idle, connecting, streaming, done, error or closed. */
  String status() {
    return byId("status").getDomAttribute("data-state");
  }

  String statusText() {
    return byId("status").getText();
  }

  TestPage waitForStatus(String state, Duration within) {
    waitUntil(within, d -> state.equals(status()));
    return this;
  }

  /** The text of the latest answer in the conversation ("" before one appears). */
  String answer() {
    Object text = driver.executeScript("const a = [...document.querySelectorAll('#transcript li.assistant "
      + ".content')].pop(); return a ? a.textContent : '';");
    return (String) text;
  }

  /** The messages in the transcript, as "role: text". */
  List<String> transcript() {
    return driver.findElements(By.cssSelector("#transcript li")).stream()
      .map(li -> li.getDomAttribute("class").replace("msg ", "") + ": "
        + li.findElement(By.className("content")).getText())
      .toList();
  }

  String stat(String name) {
    return byId("stat-" + name).getText();
  }

  String errorType() {
    WebElement error = byId("error");
    return error.isDisplayed() ? error.getDomAttribute("data-type") : null;
  }

  String errorSentence() {
    return byId("error").findElement(By.className("sentence")).getText();
  }

  /** The heading of a structured answer's check ({@code browser} or {@code relay}). */
  String checkTitle(String source) {
    return check(source).findElement(By.tagName("h3")).getText();
  }

  List<String> checkErrors(String source) {
    return check(source).findElements(By.tagName("li")).stream().map(WebElement::getText).toList();
  }

  private WebElement check(String source) {
    return driver.findElement(By.cssSelector("#transcript li.assistant:last-child .validation[data-source='"
      + source + "']"));
  }

  void waitUntil(Duration within, Function<WebDriver, Boolean> condition) {
    new WebDriverWait(driver, within, Duration.ofMillis(25)).until(condition);
  }

  private WebElement byId(String id) {
    return driver.findElement(By.id(id));
  }
}
