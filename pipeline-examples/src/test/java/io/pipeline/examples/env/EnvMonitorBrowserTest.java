package io.pipeline.examples.env;

import static org.assertj.core.api.Assertions.assertThat;
import static org.assertj.core.api.Assertions.fail;

import java.io.File;
import java.nio.file.Files;
import java.nio.file.Path;
import java.time.Clock;
import java.time.Duration;
import java.util.ArrayList;
import java.util.List;
import org.junit.jupiter.api.AfterEach;
import org.junit.jupiter.api.Assumptions;
import org.junit.jupiter.api.BeforeAll;
import org.junit.jupiter.api.Test;
import org.junit.jupiter.api.io.TempDir;
import org.openqa.selenium.By;
import org.openqa.selenium.Dimension;
import org.openqa.selenium.OutputType;
import org.openqa.selenium.WebDriver;
import org.openqa.selenium.WebElement;
import org.openqa.selenium.chrome.ChromeDriver;
import org.openqa.selenium.chrome.ChromeDriverService;
import org.openqa.selenium.chrome.ChromeOptions;
import org.openqa.selenium.interactions.Actions;
import org.openqa.selenium.support.ui.Select;
import org.openqa.selenium.support.ui.WebDriverWait;

/**
 * The dashboard in a real browser: Debian's headless Chromium, driven through Debian's chromedriver, both named
 * explicitly so that Selenium never downloads a driver. Skipped when they are missing, unless {@code CI=true}.
 *
 * <p>With {@code -DenvMonitor.screenshot=FILE} it also saves a screenshot of the page (see the README).
 */
class EnvMonitorBrowserTest {
    private static final Path CHROMIUM = Path.of("/usr/bin/chromium");
    private static final Path CHROMEDRIVER = Path.of("/usr/bin/chromedriver");
    private static final Duration WAIT = Duration.ofSeconds(20);

    @TempDir
    Path dir;

    private final List<String> lines = java.util.Collections.synchronizedList(new ArrayList<>());
    private Monitor monitor;
    private WebDriver browser;

    @BeforeAll
    static void requireChromium() {
        if (Files.isExecutable(CHROMIUM) && Files.isExecutable(CHROMEDRIVER)) {
            return;
        }
        String missing = "Chromium or its driver is missing (" + CHROMIUM + ", " + CHROMEDRIVER + "); install them "
                + "with: apt-get install chromium chromium-driver";
        if ("true".equalsIgnoreCase(System.getenv("CI"))) {
            fail("CI=true, and the browser test cannot run: " + missing);
        }
        Assumptions.abort("skipping the browser test: " + missing);
    }

    @AfterEach
    void tearDown() throws InterruptedException {
        try {
            if (browser != null) {
                browser.quit();
            }
        } finally {
            if (monitor != null) {
                monitor.close();
            }
        }
        MonitorTest.assertNoMonitorThreadAlive();
    }

    private static WebDriver chromium(Path profile) {
        ChromeDriverService service = new ChromeDriverService.Builder()
                .usingDriverExecutable(CHROMEDRIVER.toFile())
                .usingAnyFreePort()
                .build();
        ChromeOptions options = new ChromeOptions();
        options.setBinary(CHROMIUM.toFile());
        options.addArguments("--headless=new", "--no-sandbox", "--disable-gpu", "--disable-dev-shm-usage",
                "--disable-quic", "--no-first-run", "--disable-background-networking", "--disable-component-update",
                "--disable-sync", "--user-data-dir=" + profile, "--window-size=1440,1050");
        return new ChromeDriver(service, options);
    }

    private int points(String sensor) {
        String value = browser.findElement(By.cssSelector("#chart-" + sensor + " svg")).getAttribute("data-points");
        return value == null ? 0 : Integer.parseInt(value);
    }

    private void await(String what, java.util.function.Function<WebDriver, Boolean> condition) {
        new WebDriverWait(browser, WAIT).withMessage(what).ignoring(org.openqa.selenium.StaleElementReferenceException.class)
                .until(condition::apply);
    }

    @Test
    void page_drawsLiveCharts_switchesLocation_andShowsThePlantedAlert() throws Exception {
        monitor = Monitor.start(MonitorTest.config(dir.resolve("history.jsonl"), Duration.ofMillis(100)),
                new MonitorConsole(lines::add, Clock.systemUTC()));
        browser = chromium(Files.createDirectories(dir.resolve("chromium-profile")));
        browser.manage().window().setSize(new Dimension(1440, 1050));

        browser.get(monitor.pageUri().toString());

        assertThat(browser.getTitle()).isEqualTo("env-monitor");
        await("charts for every sensor", d -> d.findElements(By.cssSelector("section.chart svg")).size()
                == Sensor.values().length);
        await("temperature points", d -> points("temperature_2m") > 0);
        int seen = points("temperature_2m");
        await("new points arriving while the page is watched", d -> points("temperature_2m") >= seen + 5);
        await("the stream marked live", d -> "open".equals(d.findElement(By.id("status")).getAttribute("data-state")));

        new Select(browser.findElement(By.id("location"))).selectByVisibleText("London");
        await("every chart showing London", d -> d.findElements(By.cssSelector("section.chart")).stream()
                .allMatch(chart -> "London".equals(chart.getAttribute("data-location"))));
        await("London's temperature points", d -> points("temperature_2m") > 0);
        double last = Double.parseDouble(browser.findElement(By.cssSelector("#chart-temperature_2m svg"))
                .getAttribute("data-last"));
        assertThat(monitor.history().points("London", "temperature_2m", Duration.ofDays(1), History.Aggregation.RAW))
                .as("the chart draws London's series").anyMatch(point -> point.v() == last);

        await("the planted PM2.5 episode raised in the alerts panel", d -> !d.findElements(By.cssSelector(
                "#alerts li[data-location='London'][data-subject='pm2_5'][data-state='RAISED']")).isEmpty());
        WebElement raised = browser.findElement(By.cssSelector(
                "#alerts li[data-location='London'][data-subject='pm2_5'][data-state='RAISED']"));
        assertThat(raised.getText()).contains("raised").contains("London pm2_5").contains("above 15.0");

        WebElement chart = browser.findElement(By.cssSelector("#chart-pm2_5 svg"));
        new Actions(browser).moveToElement(chart).perform();
        await("hover details", d -> d.findElement(By.id("tooltip")).isDisplayed());
        assertThat(browser.findElement(By.id("tooltip")).getText()).contains("PM2.5").contains("rolling mean");

        screenshotIfAsked();
    }

    /** With {@code -DenvMonitor.screenshot=FILE}: the page once the episode has cleared and a few points more. */
    private void screenshotIfAsked() throws Exception {
        String target = System.getProperty("envMonitor.screenshot");
        if (target == null || target.isBlank()) {
            return;
        }
        await("the episode cleared", d -> !d.findElements(By.cssSelector(
                "#alerts li[data-location='London'][data-subject='pm2_5'][data-state='CLEARED']")).isEmpty());
        int now = points("pm2_5");
        await("some points after the episode", d -> points("pm2_5") >= now + 10);
        new Actions(browser).moveToElement(browser.findElement(By.cssSelector("#chart-temperature_2m svg")), 120, 0)
                .perform();
        File shot = ((ChromeDriver) browser).getScreenshotAs(OutputType.FILE);
        Files.copy(shot.toPath(), Path.of(target), java.nio.file.StandardCopyOption.REPLACE_EXISTING);
    }
}
