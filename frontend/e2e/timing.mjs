// Benchmark (run by bench/spa.py): how long a teacher waits, in headless Chromium through the
// gateway. Each run is a fresh browser context (an empty cache): the sign-in page until its
// form shows, signing in until the dashboard shows its exams, then a reload of the dashboard
// (cache warm, the session restored by the silent refresh). Prints one JSON line per run with
// the milliseconds and the JavaScript bytes the first page downloaded (compressed and not).
import { chromium } from "playwright-core";

const base = process.env.SOEMS_E2E_BASE_URL;
const email = process.env.SOEMS_E2E_TEACHER_EMAIL;
const password = process.env.SOEMS_E2E_TEACHER_PASSWORD;
const runs = Number(process.env.SOEMS_BENCH_RUNS ?? "15");
const browser = await chromium.launch({
  executablePath: process.env.SOEMS_CHROMIUM ?? "/usr/bin/chromium",
  args: ["--no-sandbox", "--disable-gpu", "--disable-background-networking"],
});

async function dashboardShown(page) {
  await page.getByRole("heading", { name: "Your exams" }).waitFor();
  await page.getByRole("heading", { name: /^Drafts \(/ }).waitFor();
}

try {
  for (let run = 0; run < runs; run += 1) {
    const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    const page = await context.newPage();
    page.setDefaultTimeout(30_000);
    let started = performance.now();
    await page.goto(`${base}/`);
    await page.getByRole("heading", { name: "Sign in to SOEMS" }).waitFor();
    const signInPage = performance.now() - started;
    const scripts = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((r) => r.initiatorType === "script" || r.name.endsWith(".js"))
        .reduce(
          (sum, r) => ({
            transfer: sum.transfer + r.encodedBodySize,
            decoded: sum.decoded + r.decodedBodySize,
          }),
          { transfer: 0, decoded: 0 },
        ),
    );
    await page.getByLabel("Email").fill(email);
    await page.getByLabel("Password").fill(password);
    started = performance.now();
    const clickedAt = await page.evaluate(() => performance.now());
    await page.getByRole("button", { name: "Sign in" }).click();
    await dashboardShown(page);
    const signInToDashboard = performance.now() - started;
    // What the browser fetched after the click, and when (ms from the click): where the
    // wait goes.
    const afterClick = await page.evaluate(
      (from) =>
        performance
          .getEntriesByType("resource")
          .filter((r) => r.startTime >= from)
          .map((r) => ({
            name: new URL(r.name).pathname,
            start: r.startTime - from,
            end: r.responseEnd - from,
          })),
      clickedAt,
    );
    started = performance.now();
    await page.reload();
    await dashboardShown(page);
    const reloadDashboard = performance.now() - started;
    console.log(
      JSON.stringify({
        signInPage,
        signInToDashboard,
        reloadDashboard,
        afterClick,
        jsCompressed: scripts.transfer,
        jsDecoded: scripts.decoded,
      }),
    );
    await context.close();
  }
} finally {
  await browser.close();
}
