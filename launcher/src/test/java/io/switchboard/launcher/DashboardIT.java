package io.switchboard.launcher;

import static org.assertj.core.api.Assertions.assertThat;

import io.switchboard.common.testing.Await;
import io.switchboard.common.testing.TestNodes;
import io.vertx.core.json.JsonArray;
import io.vertx.core.json.JsonObject;
import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.List;
import java.util.Map;
import java.util.UUID;
import java.util.concurrent.locks.LockSupport;
import java.util.logging.Level;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.JavascriptExecutor;
import org.openqa.selenium.Keys;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.logging.LogEntry;
import org.openqa.selenium.logging.LogType;
import org.openqa.selenium.logging.LoggingPreferences;

/**
 * The dashboard in a real browser (docs/operations.md, "Dashboard"): headless Debian Chromium driven by Selenium
 * against two node processes, A (hub, stats, alert; the page's node) and C (hub). The page loads with an empty
 * console, its totals match {@code /stats}, an alert caused by HAIP traffic shows within 2 s of its event, a
 * transaction between a real client and agent shows in the executions feed with its log, a SIGKILLed C turns
 * down in the node table, and after A is killed and restarted the page is stale, then live again.
 * <p>
 * {@code -Ddashboard.keepOpenMinutes=N} keeps the page open under HAIP load for N minutes before the kill and prints
 * the page's JS heap every minute (bench/RESULTS.md).
 */
class DashboardIT {
  private static final Duration START = Duration.ofSeconds(180);
  private static final Duration WAIT = Duration.ofSeconds(60);
  private static final String RULE = "DashboardProbe";
  private static final String TOOL = "dash.reverse";
  private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
  /** The load's pause between two tool calls of ten messages each: about 100 messages/s. */
  private static final Duration PACE = Duration.ofMillis(100);
  private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");

  @Test
  void theDashboardShowsTheClusterLive() throws Exception {
    assertThat(CHROMIUM).as("Debian's chromium (.ci/run installs it)").exists();
    assertThat(CHROMEDRIVER).as("Debian's chromium-driver (.ci/run installs it)").exists();
    String cluster = "dash-" + UUID.randomUUID().toString().substring(0, 8);
    int clusterPort = TestNodes.freePortRange(8);
    JsonArray rules = new JsonArray().add(new JsonObject().put("name", RULE).put("expr", "activeConnections")
        .put("op", ">=").put("threshold", 2));
    int portA = TestNodes.freePort();
    Map<String, String> envA = NodeProcess.env(cluster, clusterPort, "dash-a", portA);
    envA.put("SWITCHBOARD_SERVICES", "hub,stats,alert");
    envA.put("SWITCHBOARD_ALERT_RULES", rules.encode());
    NodeProcess a = NodeProcess.start("dash-a", portA, envA);
    NodeProcess c = NodeProcess.startMember(cluster, clusterPort, "dash-c", "hub");
    NodeProcess[] restarted = new NodeProcess[1];
    ChromeDriver driver = null;
    try {
      a.awaitReady(START);
      c.awaitReady(START);
      Await.waitFor(WAIT, () -> a.clusterSize() == 2 && c.clusterSize() == 2, () -> "two members\n" + a.tail() + c.tail());
      Await.waitFor(WAIT, () -> a.get("/stats").status() == 200 && a.json("/stats").getInteger("nodesUp") == 2,
          () -> "stats count both nodes: " + a.get("/stats").body());
      NodeProcess.Response root = a.get("/");
      assertThat(root.status()).isEqualTo(302);

      driver = browser();
      driver.get(a.url("/"));
      assertThat(driver.getCurrentUrl()).endsWith("/dashboard/");
      ChromeDriver d = driver;
      Await.waitFor(WAIT, () -> attr(d, "body", "data-first-data-ms") != null, "the first totals rendered");
      System.out.printf("[figure] dashboard time to first data (navigation start to first totals): %s ms%n",
          attr(d, "body", "data-first-data-ms"));
      Await.waitFor(WAIT, () -> "live".equals(attr(d, "body", "data-state")), "the page is live");

      // totals as /stats says, within one interval
      Await.waitFor(Duration.ofSeconds(10), () -> {
        JsonObject s = a.json("/stats");
        return String.valueOf(s.getLong("totalConnections")).equals(total(d, "totalConnections"))
            && String.valueOf(s.getLong("totalMessages")).equals(total(d, "totalMessages"))
            && String.valueOf(s.getInteger("nodesUp")).equals(total(d, "nodesUp"));
      }, () -> "page totals " + total(d, "totalConnections") + "/" + total(d, "totalMessages") + " vs /stats "
          + a.get("/stats").body());
      Await.waitFor(WAIT, () -> d.findElements(By.cssSelector("#nodes tr[data-node='dash-c'][data-state='up']")).size() == 1,
          "dash-c up in the node table");

      // a real agent on C and a real client on A: the alert (two connections) and a transaction
      try (HaipClient agent = HaipClient.connect(c.httpPort).agent(TOOL);
          HaipClient client = HaipClient.connect(a.httpPort).handshake(null)) {
        Await.waitFor(WAIT, () -> !d.findElements(By.cssSelector("#alerts tr[data-rule='" + RULE + "']")).isEmpty(),
            "the alert shows on the page");
        WebElement row = d.findElement(By.cssSelector("#alerts tr[data-rule='" + RULE + "']"));
        long firedAt = Long.parseLong(row.getDomAttribute("data-timestamp"));
        long shownAt = Long.parseLong(row.getDomAttribute("data-shown-at"));
        System.out.printf("[figure] dashboard alert shown %d ms after its event's timestamp%n", shownAt - firedAt);
        assertThat(shownAt - firedAt).as("alert event to page").isLessThanOrEqualTo(2000);

        Await.waitFor(WAIT, () -> HaipClient.toolListed(a.httpPort, TOOL), TOOL + " listed on A");
        String tx = client.start(TOOL);
        By txRow = By.cssSelector("#executions tr[data-execution-id='" + tx + "']");
        Await.waitFor(WAIT, () -> d.findElements(By.cssSelector("#executions tr[data-execution-id='" + tx
            + "'][data-status='RUNNING']")).size() == 1, "the transaction runs in the executions feed");
        client.echo(tx, "hello dashboard");
        client.end(tx);
        Await.waitFor(WAIT, () -> d.findElements(By.cssSelector("#executions tr[data-execution-id='" + tx
            + "'][data-status='COMPLETED']")).size() == 1, "the transaction completes in the executions feed");
        String rowText = d.findElement(txRow).getText();
        assertThat(rowText).contains(TOOL).contains("dash-a").contains("dash-c");
        d.findElement(txRow).findElement(By.tagName("button")).click();
        Await.waitFor(WAIT, () -> d.findElement(By.id("execution-log-lines")).getText().contains("MESSAGE"),
            () -> "the execution's log: " + d.findElement(By.id("execution-log-lines")).getText());
        Await.waitFor(WAIT, () -> d.findElement(By.id("clients")).getText().contains(TOOL), "the agent and its tool listed");

        // keyboard: the per-node charts by Tab and Enter
        WebElement perNode = d.findElement(By.id("charts-nodes"));
        d.findElement(By.id("charts-cluster")).sendKeys(Keys.TAB);
        d.switchTo().activeElement().sendKeys(Keys.ENTER);
        assertThat(perNode.getDomAttribute("aria-pressed")).isEqualTo("true");
        d.findElement(By.id("charts-cluster")).sendKeys(Keys.ENTER);

        keepOpenUnderLoad(d, a);
        screenshots(d);
      }

      List<LogEntry> severe = d.manage().logs().get(LogType.BROWSER).getAll().stream()
          .filter(e -> e.getLevel().intValue() >= Level.SEVERE.intValue()).toList();
      assertThat(severe).as("browser console errors").isEmpty();

      long killed = System.nanoTime();
      c.kill();
      Await.waitFor(WAIT, () -> d.findElements(By.cssSelector("#nodes tr[data-node='dash-c'][data-state='down']")).size() == 1,
          () -> "dash-c down in the node table: " + d.findElement(By.id("nodes")).getText());
      System.out.printf("[figure] dashboard shows a SIGKILLed node down %d ms after the kill%n",
          (System.nanoTime() - killed) / 1_000_000);

      // the page's own node goes: stale at once, live again after the restart
      a.kill();
      Await.waitFor(WAIT, () -> "stale".equals(attr(d, "body", "data-state"))
          && d.findElement(By.id("stale-banner")).isDisplayed(), "the page turns stale");
      a.awaitExit(Duration.ofSeconds(30));
      restarted[0] = a.restart();
      restarted[0].awaitReady(START);
      Await.waitFor(Duration.ofSeconds(120), () -> "live".equals(attr(d, "body", "data-state")),
          () -> "the page is live again after the restart: " + attr(d, "body", "data-state"));
    } finally {
      if (driver != null) {
        driver.quit();
      }
      a.close();
      c.close();
      if (restarted[0] != null) {
        restarted[0].close();
      }
    }
  }

  private static ChromeDriver browser() {
    ChromeOptions options = new ChromeOptions();
    options.setBinary(CHROMIUM.toFile());
    options.addArguments("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--window-size=1280,800",
        "--enable-precise-memory-info", "--no-first-run", "--disable-background-networking");
    LoggingPreferences logs = new LoggingPreferences();
    logs.enable(LogType.BROWSER, Level.ALL);
    options.setCapability("goog:loggingPrefs", logs);
    ChromeDriverService service = new ChromeDriverService.Builder()
        .usingDriverExecutable(new File(CHROMEDRIVER.toString())).usingAnyFreePort().build();
    ChromeDriver driver = new ChromeDriver(service, options);
    driver.manage().window().setSize(new Dimension(1280, 800));
    return driver;
  }

  private static String attr(ChromeDriver d, String css, String name) {
    return d.findElement(By.cssSelector(css)).getDomAttribute(name);
  }

  private static String total(ChromeDriver d, String key) {
    return attr(d, "[data-total='" + key + "']", "data-value");
  }

  /** launcher/target/dashboard.png at 1280 wide; the page has no horizontal scroll at phone width either. */
  private static void screenshots(ChromeDriver d) throws Exception {
    JavascriptExecutor js = d;
    d.manage().window().setSize(new Dimension(1280, 1400));
    js.executeScript("document.activeElement.blur(); window.scrollTo(0, 0)");
    Await.waitFor(Duration.ofSeconds(10), () -> (Boolean) js.executeScript(
        "return [...document.querySelectorAll('.chart')].every(c => { const u = c.querySelector('.uplot');"
            + " return u && u.getBoundingClientRect().width >= c.clientWidth - 20; })"), "the charts fill their boxes");
    Files.createDirectories(Path.of("target"));
    Path shot = d.getScreenshotAs(OutputType.FILE).toPath();
    Files.copy(shot, Path.of("target", "dashboard.png"), StandardCopyOption.REPLACE_EXISTING);
    d.manage().window().setSize(new Dimension(390, 844));
    Await.waitFor(Duration.ofSeconds(10), () -> ((Number) js.executeScript(
        "return document.documentElement.scrollWidth - window.innerWidth")).longValue() <= 0,
        "no horizontal scroll at phone width");
    d.manage().window().setSize(new Dimension(1280, 800));
  }

  /** With -Ddashboard.keepOpenMinutes=N: HAIP load on A while the page stays open, its JS heap printed each minute. */
  private static void keepOpenUnderLoad(ChromeDriver d, NodeProcess a) throws Exception {
    long minutes = Long.getLong("dashboard.keepOpenMinutes", 0L);
    if (minutes <= 0) {
      return;
    }
    long end = System.nanoTime() + Duration.ofMinutes(minutes).toNanos();
    long nextPrint = System.nanoTime();
    int minute = 0;
    long calls = 0;
    try (HaipClient load = HaipClient.connect(a.httpPort).handshake(null)) {
      while (System.nanoTime() - end < 0) {
        String tx = load.start("echo");
        for (int i = 0; i < 10; i++) {
          load.echo(tx, "load " + i);
        }
        load.end(tx);
        calls++;
        if (System.nanoTime() - nextPrint >= 0) {
          Object heap = ((JavascriptExecutor) d).executeScript("return performance.memory.usedJSHeapSize");
          System.out.printf("[figure] dashboard JS heap after %d min open under load: %.1f MB (%d tool calls so far)%n",
              minute, ((Number) heap).doubleValue() / 1e6, calls);
          minute++;
          nextPrint += Duration.ofMinutes(1).toNanos();
        }
        LockSupport.parkNanos(PACE.toNanos());
      }
    }
    Object heap = ((JavascriptExecutor) d).executeScript("return performance.memory.usedJSHeapSize");
    System.out.printf("[figure] dashboard JS heap after %d min open under load: %.1f MB (%d tool calls)%n",
        minutes, ((Number) heap).doubleValue() / 1e6, calls);
  }
}
