package io.wsgrid.ops;

import static org.assertj.core.api.Assertions.assertThat;

import io.vertx.core.Vertx;
import io.wsgrid.edge.Edge;
import io.wsgrid.testing.Await;
import io.wsgrid.testing.TestNodes;
import io.wsgrid.testing.WsClient;
import java.nio.file.Files;
import java.nio.file.Path;
import java.nio.file.StandardCopyOption;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import java.util.stream.Stream;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.Test;
import org.openqa.selenium.By;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.TakesScreenshot;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WindowType;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The edge's dashboard and chat demo in a real headless Chromium (Debian's, driven by its
 * chromedriver through Selenium): both node cards appear and their connection counts follow clients
 * connecting through the edge, and each card charts its node's last minutes (a drain shows as the
 * line falling to 0, the card kept as LEFT); a message sent in one demo window shows in another.
 * Screenshots go to {@code target/dashboard.png}, {@code target/demo.png} and {@code
 * target/dashboard-drain.png}.
 */
class DashboardBrowserIT {
  @Test
  void dashboardFollowsTheClusterAndTheDemoCrossesNodes() throws Exception {
    Path chromium =
        Stream.of("/usr/bin/chromium", "/usr/bin/chromium-browser")
            .map(Path::of)
            .filter(Files::isExecutable)
            .findFirst()
            .orElse(null);
    Path chromedriver = Path.of("/usr/bin/chromedriver");
    if (chromium == null || !Files.isExecutable(chromedriver)) {
      String why =
          "Chromium or chromedriver is not installed (apt-get install chromium chromium-driver; .ci/run does)";
      if (System.getenv("CI") != null) throw new AssertionError(why);
      Assumptions.abort(why);
    }
    Vertx vertx = Vertx.vertx();
    List<WsClient> clients = new ArrayList<>();
    WebDriver browser = null;
    try (TestNodes cluster = new TestNodes("browser")) {
      cluster.start("a", 1, 65536, 4 << 20);
      cluster.start("b", 1, 65536, 4 << 20);
      Edge edge = cluster.startEdge("edge", "least-connections");
      Await.until(
          "the edge sees both nodes",
          Duration.ofSeconds(30),
          () -> edge.view().snapshot().size() == 2);
      String site = "http://127.0.0.1:" + edge.settings().port();

      ChromeOptions options =
          new ChromeOptions()
              .setBinary(chromium.toFile())
              .addArguments(
                  "--headless=new",
                  "--no-sandbox",
                  "--disable-dev-shm-usage",
                  "--disable-gpu",
                  "--disable-background-networking",
                  "--window-size=1280,900");
      browser =
          new ChromeDriver(
              new ChromeDriverService.Builder()
                  .usingDriverExecutable(chromedriver.toFile())
                  .build(),
              options);
      WebDriverWait wait = new WebDriverWait(browser, Duration.ofSeconds(30));

      browser.get(site + "/");
      WebDriver b = browser;
      String dashboard = b.getWindowHandle();
      wait.until(
          d ->
              !d.findElements(By.id("node-a")).isEmpty()
                  && !d.findElements(By.id("node-b")).isEmpty());
      assertThat(count(b, "a") + count(b, "b")).isZero();
      for (int i = 0; i < 6; i++) clients.add(WsClient.connect(vertx, edge.settings().url()));
      // Six serial connects through a least-connections edge split 3/3 (the edge matches what it
      // routed with the registry by admission number), and the cards show what the registry says.
      try {
        wait.until(
            d ->
                count(d, "a") == 3
                    && count(d, "b") == 3
                    && edge.view().get("a").connections() == 3
                    && edge.view().get("b").connections() == 3);
      } catch (org.openqa.selenium.TimeoutException e) {
        throw new AssertionError(
            "dashboard shows a="
                + count(b, "a")
                + " b="
                + count(b, "b")
                + ", status '"
                + b.findElement(By.id("status")).getText()
                + "'; the registry says "
                + edge.view().snapshot(),
            e);
      }
      long shownA = count(b, "a");
      long shownB = count(b, "b");
      // Each card charts its node's last minutes: the connections line has reached 3, with points
      // before.
      wait.until(
          d ->
              chart(d, "a", "conn-chart", "last").equals("3")
                  && chart(d, "b", "conn-chart", "last").equals("3")
                  && Integer.parseInt(chart(d, "a", "conn-chart", "points")) >= 3);
      assertThat(
              b.findElement(By.cssSelector("#node-a .conn-chart polyline")).getAttribute("points"))
          .contains(",");
      assertThat(b.findElements(By.cssSelector("#node-a .out-chart polyline"))).hasSize(1);
      assertThat(b.findElement(By.id("t-conn")).getText()).isEqualTo("6");
      assertThat(b.findElement(By.id("strategy")).getText()).isEqualTo("least-connections");
      screenshot(b, "dashboard.png");

      // the demo, in two windows
      b.switchTo().newWindow(WindowType.WINDOW);
      b.get(site + "/demo");
      String first = b.getWindowHandle();
      wait.until(d -> d.findElement(By.id("node")).getText().matches("[ab]"));
      String firstNode = b.findElement(By.id("node")).getText();
      long before = firstNode.equals("a") ? shownA : shownB;
      Await.until(
          "the registry counts the first window",
          Duration.ofSeconds(10),
          () -> edge.view().get(firstNode).connections() == before + 1);
      b.switchTo().newWindow(WindowType.WINDOW);
      b.get(site + "/demo");
      String second = b.getWindowHandle();
      wait.until(d -> d.findElement(By.id("node")).getText().matches("[ab]"));
      String secondNode = b.findElement(By.id("node")).getText();
      b.switchTo().window(first);
      b.findElement(By.id("text")).sendKeys("hello from the first window");
      b.findElement(By.cssSelector("form button")).click();
      b.switchTo().window(second);
      wait.until(
          d -> d.findElement(By.id("log")).getText().contains("hello from the first window"));
      assertThat(b.findElement(By.id("log")).getText()).contains("via " + firstNode);
      screenshot(b, "demo.png");

      // An edge with --admin-token: its page shows nothing until the token is entered, then the
      // same live view.
      String token = "dashboard-admin-token-0123";
      Edge guarded =
          cluster.startEdge(
              "guarded", "least-connections", token, io.wsgrid.security.TlsSettings.NONE);
      b.switchTo().newWindow(org.openqa.selenium.WindowType.TAB);
      b.get("http://127.0.0.1:" + guarded.settings().port() + "/");
      wait.until(d -> d.findElement(By.id("status")).getText().contains("admin token"));
      assertThat(b.findElements(By.id("node-a"))).isEmpty();
      b.findElement(By.id("token")).sendKeys(token, org.openqa.selenium.Keys.TAB); // a change event
      wait.until(
          d ->
              count(d, "a") >= shownA
                  && count(d, "b") >= shownB
                  && count(d, "a") + count(d, "b") >= 6);

      // Drain b from its card: its card stays, as LEFT, and its chart shows the fall to 0 after its
      // peak.
      b.switchTo().window(dashboard);
      b.findElement(By.cssSelector("#node-b .drain")).click();
      wait.until(
          d -> {
            d.switchTo().alert().accept();
            return true;
          });
      try {
        wait.until(
            d ->
                d.findElement(By.cssSelector("#node-b")).getAttribute("class").contains("LEFT")
                    && chart(d, "b", "conn-chart", "last").equals("0"));
      } catch (org.openqa.selenium.TimeoutException e) {
        throw new AssertionError(
            "after the drain b's card is '"
                + b.findElement(By.id("node-b")).getAttribute("class")
                + "', its chart "
                + b.findElement(By.cssSelector("#node-b .conn-chart polyline"))
                    .getAttribute("points")
                + ", status '"
                + b.findElement(By.id("status")).getText()
                + "'",
            e);
      }
      assertThat(Long.parseLong(chart(b, "b", "conn-chart", "max"))).isGreaterThanOrEqualTo(3);
      assertThat(b.findElement(By.cssSelector("#node-b .state")).getText())
          .startsWith("left the cluster");
      screenshot(b, "dashboard-drain.png");
      System.out.printf(
          "browser: dashboard showed a="
              + shownA
              + " b="
              + shownB
              + "; demo windows on %s and %s, the message arrived; "
              + "the guarded edge's page asked for the token and then showed the nodes; after b's drain its chart fell from "
              + chart(b, "b", "conn-chart", "max")
              + " to 0; screenshots in target/%n",
          firstNode,
          secondNode);
    } finally {
      if (browser != null) browser.quit();
      clients.forEach(WsClient::close);
      vertx.close().toCompletionStage().toCompletableFuture().get();
    }
  }

  private static long count(WebDriver d, String node) {
    List<org.openqa.selenium.WebElement> cells =
        d.findElements(By.cssSelector("#node-" + node + " .conn"));
    if (cells.isEmpty() || cells.get(0).getText().isBlank()) return -1;
    return Long.parseLong(cells.get(0).getText().replace(",", ""));
  }

  /** A data attribute of one of a node card's charts (last, max, points). */
  private static String chart(WebDriver d, String node, String chart, String what) {
    List<org.openqa.selenium.WebElement> svg =
        d.findElements(By.cssSelector("#node-" + node + " ." + chart));
    return svg.isEmpty() ? "" : String.valueOf(svg.get(0).getAttribute("data-" + what));
  }

  private static void screenshot(WebDriver d, String name) throws Exception {
    Path shot = ((TakesScreenshot) d).getScreenshotAs(OutputType.FILE).toPath();
    Files.createDirectories(Path.of("target"));
    Files.copy(shot, Path.of("target", name), StandardCopyOption.REPLACE_EXISTING);
  }
}
